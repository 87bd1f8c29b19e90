# Shared by the namespace integration tests and the benchmark
# (tests/bench/bench.sh); sourced, not run. The checks (pass, fail, check,
# check_eq, summary) are tests/lib/check.sh's.
#
# Topology (after conntrack-tools' tests/conntrackd/netns):
#
#   client (c0) ---- (lan0) router (wan0) ---- (s0) server
#   10.1.0.2/24   10.1.0.1    10.2.0.1   10.2.0.2/24
#   fd01::2/64    fd01::1     fd02::1    fd02::2/64
#
# The router's WAN side has MTU 1492 (a PPPoE link); the server's end stays
# at 1500, so a 1500-byte packet from the server is dropped by the veth with
# no ICMP: a path MTU black hole that only MSS clamping gets TCP through.
# Every namespace name carries the test's PID; all are deleted on exit.

set -u

: "${BUILD:?BUILD must name the build directory}"
: "${SRC:?SRC must name the source tree}"
. "$SRC/tests/lib/check.sh"
MSSCLAMPD=$BUILD/src/mssclampd
ID=$$
NS_C=mssc-c-$ID
NS_R=mssc-r-$ID
NS_S=mssc-s-$ID
TMP=$(mktemp -d /tmp/mssclampd-test.XXXXXX)
DAEMON_PID=
DAEMON_LOG=$TMP/daemon.log # start_daemon's; the benchmark keeps one per phase

C() { ip netns exec "$NS_C" "$@"; }
R() { ip netns exec "$NS_R" "$@"; }
S() { ip netns exec "$NS_S" "$@"; }

# need_root [TOOL...]: skips (77) unless root and every tool (default: what
# the integration tests use) is installed.
need_root() {
	local tool
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, netfilter)"
	[ $# -gt 0 ] || set -- ip iptables ip6tables tcpdump socat ethtool ping
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip "$tool not installed"
	done
}

# remove_namespaces: the three namespaces, with whatever still runs in them.
remove_namespaces() {
	local ns
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}

cleanup() {
	stop_daemon KILL
	remove_namespaces
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for SECONDS COMMAND...: polls every 0.1 s; bounded.
wait_for() {
	local tries=$(($1 * 10))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# topology [pmtud]: the three namespaces, addressed and routed, every hop
# resolved. The router sends no ICMP "fragmentation needed"/"packet too big"
# unless given pmtud (the benchmark's runs without clamping need path MTU
# discovery to work).
topology() {
	local ns
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	ip link add c0 netns "$NS_C" type veth peer name lan0 netns "$NS_R"
	ip -n "$NS_C" addr add 10.1.0.2/24 dev c0
	ip -n "$NS_C" addr add fd01::2/64 dev c0 nodad
	ip -n "$NS_R" addr add 10.1.0.1/24 dev lan0
	ip -n "$NS_R" addr add fd01::1/64 dev lan0 nodad
	ip -n "$NS_C" link set c0 up
	ip -n "$NS_R" link set lan0 up
	ip -n "$NS_C" route add default via 10.1.0.1
	ip -n "$NS_C" -6 route add default via fd01::1
	# Segmentation offload would carry 64 KB super-packets past the veth's
	# MTU check; off, every packet is as big as on a real wire.
	C ethtool -K c0 tso off gso off gro off >/dev/null 2>&1
	R ethtool -K lan0 tso off gso off gro off >/dev/null 2>&1
	wan_link 1492
	R sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	if [ "${1:-}" != pmtud ]; then
		# No ICMP "fragmentation needed"/"packet too big" from the router
		# either: clamping alone must carry TCP across.
		R iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
		R ip6tables -A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP
	fi
	warm_up
}

# wan_link MTU: the router's wan0 and the server's s0, made (again: a PPPoE
# reconnect deletes the interface and brings it back with a new ifindex).
wan_link() {
	ip -n "$NS_R" link del wan0 2>/dev/null # takes s0 with it
	ip link add wan0 netns "$NS_R" type veth peer name s0 netns "$NS_S"
	ip -n "$NS_R" link set wan0 mtu "$1"
	ip -n "$NS_R" addr add 10.2.0.1/24 dev wan0
	ip -n "$NS_R" addr add fd02::1/64 dev wan0 nodad
	ip -n "$NS_S" addr add 10.2.0.2/24 dev s0
	ip -n "$NS_S" addr add fd02::2/64 dev s0 nodad
	ip -n "$NS_R" link set wan0 up
	ip -n "$NS_S" link set s0 up
	ip -n "$NS_S" route add default via 10.2.0.1
	ip -n "$NS_S" -6 route add default via fd02::1
	R ethtool -K wan0 tso off gso off gro off >/dev/null 2>&1
	S ethtool -K s0 tso off gso off gro off >/dev/null 2>&1
}

# Neighbour discovery delays the first IPv6 packet: resolve every hop now.
warm_up() {
	C ping -c1 -W2 10.2.0.2 >/dev/null 2>&1
	C ping -c1 -W2 fd02::2 >/dev/null 2>&1
	S ping -c1 -W2 10.1.0.2 >/dev/null 2>&1
	S ping -c1 -W2 fd01::2 >/dev/null 2>&1
}

# control_socket_in_tmp CONFIG: a test daemon keeps its control socket in
# $TMP/control, never in the host's /run: added to a config that names none.
control_socket_in_tmp() {
	grep -q '^[[:space:]]*control_socket' "$1" && return 0
	if grep -q '^[[:space:]]*\[global\]' "$1"; then
		sed -i "0,/^[[:space:]]*\[global\].*/s||&\ncontrol_socket = $TMP/control|" "$1"
	else
		{ printf '[global]\ncontrol_socket = %s/control\n' "$TMP"; cat "$1"; } >"$1.new" &&
			mv "$1.new" "$1"
	fi
}

# start_daemon CONFIG [ARGS...]: runs the daemon in the router, waits for its rules.
start_daemon() {
	local conf=$1
	shift
	control_socket_in_tmp "$conf"
	# emptied here, not by the background job's redirection: daemon_ready
	# must not find the last daemon's "ready:" before that runs
	: >"$DAEMON_LOG"
	# ip netns exec execs the daemon: $! is the daemon itself, to signal
	ip netns exec "$NS_R" "$MSSCLAMPD" -c "$conf" "$@" >>"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	if ! wait_for 10 daemon_ready; then
		echo "daemon did not come up; its log:"
		cat "$DAEMON_LOG"
		return 1
	fi
}

daemon_ready() {
	kill -0 "$DAEMON_PID" && grep -q "ready: " "$DAEMON_LOG"
}

# stop_daemon [SIGNAL]: bounded; returns the daemon's exit status.
stop_daemon() {
	local sig=${1:-TERM} status=0
	[ -n "$DAEMON_PID" ] || return 0
	kill -"$sig" "$DAEMON_PID" 2>/dev/null
	local tries=100
	while kill -0 "$DAEMON_PID" 2>/dev/null && [ $tries -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -9 "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null || status=$?
	DAEMON_PID=
	return $status
}

# capture NS IFACE FILE: tcpdump of TCP SYNs in the background; stop_capture ends it.
capture() {
	rm -f "$3" # else the readiness check below sees an old capture
	ip netns exec "$1" tcpdump -Z root -U --immediate-mode -nn -i "$2" -w "$3" tcp >/dev/null 2>&1 &
	CAPTURE_PID=$!
	wait_for 5 test -s "$3" || sleep 0.5 # the pcap header appears once tcpdump listens
}

stop_capture() {
	sleep 0.3
	kill "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
}

# syn_mss PCAP FLAGS PORT: MSS values of segments with exactly FLAGS ("S" or "S.") on PORT, one per line.
syn_mss() {
	tcpdump -nn -v -r "$1" "tcp port $3" 2>/dev/null |
		grep -F "Flags [$2]" | sed -n 's/.*mss \([0-9]*\).*/\1/p'
}

listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

# syn_at_server PORT ADDR: the client connects to ADDR (the server); prints
# the MSS of the SYN as the server saw it.
syn_at_server() {
	capture "$NS_S" s0 "$TMP/s.$1.pcap"
	fetch "$NS_C" "$NS_S" "$2" "$1" 1000 >/dev/null
	stop_capture
	syn_mss "$TMP/s.$1.pcap" S "$1"
}

# fetch CLIENT_NS SERVER_NS ADDR PORT BYTES [SECONDS]: CLIENT connects (within
# FETCH_CONNECT_TIMEOUT seconds, default 5) to a
# listener in SERVER_NS that sends BYTES back; prints how many arrived.
fetch() {
	local cns=$1 sns=$2 addr=$3 port=$4 bytes=$5 secs=${6:-15} out=$TMP/fetched.$4
	head -c "$bytes" /dev/zero >"$TMP/payload.$port"
	rm -f "$out"
	ip netns exec "$sns" timeout "$((secs + 5))" \
		socat -u "OPEN:$TMP/payload.$port" "TCP6-LISTEN:$port,reuseaddr,ipv6only=0" 2>/dev/null &
	local listener=$!
	wait_for 5 listening "$sns" "$port"
	case $addr in *:*) addr="[$addr]" ;; esac
	ip netns exec "$cns" timeout "$secs" \
		socat -u "TCP:$addr:$port,connect-timeout=${FETCH_CONNECT_TIMEOUT:-5}" "OPEN:$out,creat,trunc" 2>/dev/null
	kill "$listener" 2>/dev/null
	wait "$listener" 2>/dev/null
	stat -c %s "$out" 2>/dev/null || echo 0
}

# connections_start PORT [MAX]: a listener on the server that sends 20000
# bytes, captured on s0 into $TMP/conn.PORT.pcap, and clients connecting to
# it by turns over IPv4 and IPv6, one after the other, at most MAX (400),
# until connections_stop.
connections_start() {
	local port=$1 max=${2:-400}
	head -c 20000 /dev/zero >"$TMP/payload.$port"
	# -U: each forked child opens the file afresh after its accept
	S socat -U "TCP6-LISTEN:$port,fork,reuseaddr,ipv6only=0" "OPEN:$TMP/payload.$port" 2>/dev/null &
	CONN_LISTENER=$!
	wait_for 5 listening "$NS_S" "$port"
	capture "$NS_S" s0 "$TMP/conn.$port.pcap"
	CONN_CAPTURE=$CAPTURE_PID
	rm -f "$TMP/conn.done"
	(
		ok=0 total=0
		while [ ! -e "$TMP/conn.done" ] && [ $total -lt "$max" ]; do
			if [ $((total % 2)) = 0 ]; then addr=10.2.0.2; else addr='[fd02::2]'; fi
			got=$(C timeout 10 socat -u "TCP:$addr:$port,connect-timeout=5" - 2>/dev/null | wc -c)
			total=$((total + 1))
			[ "$got" = 20000 ] && ok=$((ok + 1))
		done
		echo "$ok $total" >"$TMP/conn.result"
	) &
	CONN_CLIENTS=$!
}

# connections_stop: ends what connections_start began; CONN_OK of CONN_TOTAL got all their bytes.
connections_stop() {
	touch "$TMP/conn.done"
	wait "$CONN_CLIENTS"
	read -r CONN_OK CONN_TOTAL <"$TMP/conn.result"
	CAPTURE_PID=$CONN_CAPTURE
	stop_capture
	kill "$CONN_LISTENER" 2>/dev/null
}

# The default queue = cpu, as the daemon makes it: one queue per present
# CPU (the highest id + 1, at most 64), from 0, picked by CPU.
cpu_queues() {
	local last
	last=$(sed 's/.*[,-]//' /sys/devices/system/cpu/present 2>/dev/null || echo 0)
	echo $((last + 1 > 64 ? 64 : last + 1))
}
# default_queues_text: "queue 0" or "queues 0-N by CPU", as the daemon says it
default_queues_text() {
	local n
	n=$(cpu_queues)
	if [ "$n" = 1 ]; then echo "queue 0"; else echo "queues 0-$((n - 1)) by CPU"; fi
}
# default_queue_target: the default NFQUEUE rule's target, as iptables -S prints it
default_queue_target() {
	local n
	n=$(cpu_queues)
	if [ "$n" = 1 ]; then
		echo "NFQUEUE --queue-num 0 --queue-bypass"
	else
		echo "NFQUEUE --queue-balance 0:$((n - 1)) --queue-bypass --queue-cpu-fanout"
	fi
}

# stats_field FILE IFACE FIELD: FIELD's value on the last line for IFACE.
stats_field() {
	grep " iface=$2 " "$1" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# ---- Added for the robustness tests (hostile, soak, faults, valgrind) ----

PY=/usr/bin/python3            # Debian's python3, with scapy
CRAFT=$SRC/tests/integration/craft.py

need_scapy() {
	"$PY" -c 'import scapy.all' 2>/dev/null || skip "$PY cannot import scapy (apt install python3-scapy)"
}

# capture_ip NS IFACE FILE: every IP datagram, also fragments and extension
# header chains (the filter "tcp" misses those); stop_capture ends it.
capture_ip() {
	ip netns exec "$1" tcpdump -Z root -U --immediate-mode -B 16384 -nn -i "$2" -w "$3" \
		'ip or ip6' >/dev/null 2>&1 &
	CAPTURE_PID=$!
	wait_for 5 test -s "$3" || sleep 0.5
}

# craft_send ARGS...: craft.py send from the client to the router's LAN side.
craft_send() {
	C "$PY" "$CRAFT" send --iface c0 --dmac "$(R cat /sys/class/net/lan0/address)" "$@"
}

# stats_json_field FILE IFACE KEY: KEY (dotted: ipv4.clamped) on the last JSON stats line for IFACE.
stats_json_field() {
	"$PY" "$CRAFT" stats --json "$1" --iface "$2" | sed -n "s/^$3=//p"
}

# stats_records FILE: how many iface=all records (logfmt or JSON) FILE holds.
stats_records() {
	grep -cE 'iface=all |"iface":"all"' "$1" 2>/dev/null || true
}

# more_than N COMMAND...: the number COMMAND prints is above N (for wait_for).
more_than() {
	local limit=$1
	shift
	[ "$("$@")" -gt "$limit" ] 2>/dev/null
}

# reload_daemon PATTERN: SIGHUP, then wait until the daemon's log has one
# more line matching PATTERN ("reloaded"; "has errors" for a refused file).
reload_daemon() {
	local before
	before=$(grep -c "$1" "$DAEMON_LOG")
	kill -HUP "$DAEMON_PID"
	wait_for 5 more_than "$before" grep -c "$1" "$DAEMON_LOG"
}

# output_is TEXT COMMAND...: COMMAND prints TEXT (for wait_for, which then
# runs COMMAND at every try; `wait_for N test "$(COMMAND)" = X` would not).
output_is() {
	local want=$1
	shift
	[ "$("$@")" = "$want" ]
}

# stats_now FILE: SIGUSR1, then waits (bounded) for one more iface=all record in FILE.
stats_now() {
	local before
	before=$(stats_records "$1")
	kill -USR1 "$DAEMON_PID"
	wait_for 5 more_than "${before:-0}" stats_records "$1"
}

daemon_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null; }
daemon_fds() { ls "/proc/$DAEMON_PID/fd" 2>/dev/null | wc -l; }

# spare_link_kind NS: a link type to create by the hundred (dummy where the
# kernel has it, else ifb or a bridge); fails if none.
spare_link_kind() {
	local kind
	for kind in dummy ifb bridge; do
		if ip -n "$1" link add mssc-probe type "$kind" 2>/dev/null; then
			ip -n "$1" link del mssc-probe
			echo "$kind"
			return 0
		fi
	done
	return 1
}

# check_alive DESCRIPTION: the daemon still runs; if not, the end of its log says why.
check_alive() {
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		pass "$1"
	else
		fail "$1"
		echo "the daemon's log ends:"
		tail -n 20 "$DAEMON_LOG" | sed 's/^/	| /'
	fi
}

# remove_leftover_rules: the mangle rules a crashed daemon left, in both
# iptables backends, so that what follows starts clean.
remove_leftover_rules() {
	local tool hook tries
	for tool in iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy; do
		command -v "$tool" >/dev/null || continue
		R "$tool" -t mangle -L MSSCLAMPD -n >/dev/null 2>&1 || continue
		for hook in FORWARD OUTPUT INPUT; do
			tries=10
			while [ $tries -gt 0 ] &&
			      R "$tool" -t mangle -D "$hook" -p tcp --tcp-flags SYN,RST SYN -j MSSCLAMPD 2>/dev/null; do
				tries=$((tries - 1))
			done
		done
		R "$tool" -t mangle -F MSSCLAMPD
		R "$tool" -t mangle -X MSSCLAMPD
	done
}
