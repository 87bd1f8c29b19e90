#!/bin/sh
# diff-test.sh: the packet engine against the kernel's own TCPMSS target.
#
# A corpus of crafted SYNs (corpus.py) is sent from a client namespace through
# a router namespace running
#	iptables/ip6tables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN \
#		-j TCPMSS --clamp-mss-to-pmtu
# (once with iptables-nft, once with iptables-legacy: their matches differ) and
# captured in a server namespace. The router's server-side link has MTU 1492,
# so the kernel clamps to 1452 (IPv4) and 1432 (IPv6). The same corpus goes
# through the engine (pcap_clamp, same ceilings) and compare.py compares every
# packet; the differences the project chose on purpose are listed, with their
# reasons, in compare.py. Needs root; exits 77 otherwise.
#
# Environment: BUILD (build directory, holds pcap_clamp), SRC (source tree),
# KERNEL_DIFF_BACKENDS (default "nft legacy"), KERNEL_DIFF_KEEP=1 keeps the
# work directory.
set -u

here=$(cd "$(dirname "$0")" && pwd)
SRC=${SRC:-$(cd "$here/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
PY=/usr/bin/python3
MTU=1492

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	echo "0 passed, 1 failed"
	exit 1
}

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, iptables)"
for tool in ip tcpdump; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed"
done
"$PY" -c 'import scapy.all' 2>/dev/null || skip "$PY cannot import scapy (apt install python3-scapy)"
pcap_clamp=
for candidate in "$BUILD/tests/kernel/pcap_clamp" "$BUILD/tests/pcap_clamp"; do
	[ -x "$candidate" ] && pcap_clamp=$candidate && break
done
[ -n "$pcap_clamp" ] || fail "pcap_clamp not found under $BUILD (build the pcap_clamp target)"

id=$$
ns_client=mssk-$id-client
ns_router=mssk-$id-router
ns_server=mssk-$id-server
work=$(mktemp -d /tmp/mssclampd-kernel.XXXXXX)
capture_pid=

cleanup() {
	if [ -n "$capture_pid" ]; then
		kill "$capture_pid" 2>/dev/null
		wait "$capture_pid" 2>/dev/null
	fi
	for ns in "$ns_client" "$ns_router" "$ns_server"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${KERNEL_DIFF_KEEP:-0}" = 1 ]; then
		echo "work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The three namespaces; the client sends with AF_PACKET, so only the router
# needs routes, and static neighbours spare it neighbour discovery.
setup() {
	ip netns add "$ns_client" || skip "cannot create network namespaces"
	ip netns add "$ns_router" && ip netns add "$ns_server" || return 1
	ip -n "$ns_router" link add r0 type veth peer name c0 netns "$ns_client" || return 1
	ip -n "$ns_router" link add r1 mtu $MTU type veth peer name s0 netns "$ns_server" || return 1
	ip -n "$ns_server" link set s0 mtu $MTU || return 1
	for ns in "$ns_client" "$ns_router" "$ns_server"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip netns exec "$ns_router" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 || return 1
	ip -n "$ns_client" addr add 192.0.2.2/24 dev c0 &&
	ip -n "$ns_client" addr add 2001:db8:1::2/64 dev c0 nodad &&
	ip -n "$ns_router" addr add 192.0.2.1/24 dev r0 &&
	ip -n "$ns_router" addr add 2001:db8:1::1/64 dev r0 nodad &&
	ip -n "$ns_router" addr add 198.51.100.1/24 dev r1 &&
	ip -n "$ns_router" addr add 2001:db8:2::1/64 dev r1 nodad &&
	ip -n "$ns_server" addr add 198.51.100.2/24 dev s0 &&
	ip -n "$ns_server" addr add 2001:db8:2::2/64 dev s0 nodad || return 1
	ip -n "$ns_client" link set c0 up && ip -n "$ns_router" link set r0 up &&
	ip -n "$ns_router" link set r1 up && ip -n "$ns_server" link set s0 up || return 1
	server_mac=$(ip netns exec "$ns_server" cat /sys/class/net/s0/address) &&
	router_mac=$(ip netns exec "$ns_router" cat /sys/class/net/r0/address) || return 1
	ip -n "$ns_router" neigh replace 198.51.100.2 lladdr "$server_mac" dev r1 nud permanent &&
	ip -n "$ns_router" neigh replace 2001:db8:2::2 lladdr "$server_mac" dev r1 nud permanent
}

# install_rules BACKEND: the rule of the issue, through iptables-BACKEND.
install_rules() {
	for cmd in "iptables-$1" "ip6tables-$1"; do
		command -v "$cmd" >/dev/null 2>&1 || { echo "$cmd not installed"; return 1; }
		ip netns exec "$ns_router" "$cmd" -t mangle -A FORWARD -p tcp \
			--tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu || return 1
	done
}

# run_backend BACKEND: sends the corpus through a fresh router, captures.
run_backend() {
	backend=$1
	setup || fail "namespace setup"
	install_rules "$backend" || { cleanup_namespaces; return 77; }

	ip netns exec "$ns_server" tcpdump -i s0 -Q in -n -U --immediate-mode -Z root \
		-w "$work/kernel-$backend.pcap" 'ip or ip6' 2>"$work/tcpdump-$backend.log" &
	capture_pid=$!
	tries=0
	until grep -q "listening on" "$work/tcpdump-$backend.log" 2>/dev/null; do
		tries=$((tries + 1))
		if [ $tries -gt 100 ] || ! kill -0 "$capture_pid" 2>/dev/null; then
			cat "$work/tcpdump-$backend.log"
			fail "tcpdump did not start"
		fi
		sleep 0.1
	done

	ip netns exec "$ns_client" "$PY" "$here/corpus.py" send "$work/corpus.pcap" c0 \
		"$router_mac" || fail "sending the corpus"
	tries=0
	until grep -aq mssclampd-kernel-diff-end-marker "$work/kernel-$backend.pcap" 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -le 100 ] || fail "the end marker never reached the server within 10 s"
		sleep 0.1
	done
	kill "$capture_pid" 2>/dev/null
	wait "$capture_pid" 2>/dev/null
	capture_pid=
	echo "backend $backend: router rules:"
	ip netns exec "$ns_router" "iptables-$backend" -t mangle -S FORWARD | sed 's/^/	/'
	ip netns exec "$ns_router" "ip6tables-$backend" -t mangle -S FORWARD | sed 's/^/	/'
	cleanup_namespaces
	return 0
}

cleanup_namespaces() {
	for ns in "$ns_client" "$ns_router" "$ns_server"; do
		ip netns del "$ns" 2>/dev/null
	done
}

"$PY" "$here/corpus.py" build "$work/corpus.pcap" "$work/corpus.json" || fail "building the corpus"
"$pcap_clamp" -4 1452 -6 1432 "$work/corpus.pcap" "$work/engine.pcap" >"$work/engine.txt" ||
	fail "pcap_clamp"

compared=
for backend in ${KERNEL_DIFF_BACKENDS:-nft legacy}; do
	run_backend "$backend"
	case $? in
	0) compared="$compared --kernel $backend=$work/kernel-$backend.pcap" ;;
	*) echo "backend $backend: skipped (cannot install the TCPMSS rule)" ;;
	esac
done
[ -n "$compared" ] || skip "no iptables backend could install the TCPMSS rule"

# shellcheck disable=SC2086 # $compared is a list of options
"$PY" "$here/compare.py" --corpus "$work/corpus.pcap" --meta "$work/corpus.json" \
	--engine "$work/engine.pcap" --engine-log "$work/engine.txt" $compared
