#!/bin/bash
# systemd-boot.sh: the shipped unit under a real systemd, booted with
# systemd-nspawn inside the router namespace of the integration tests'
# topology (tests/integration/lib.sh: client - router - server).
#
# The project is installed as the package installs it: a fresh build with
# -DCMAKE_INSTALL_PREFIX=/usr, `cmake --install` into a DESTDIR whose usr/
# becomes the upper layer over the host's /usr and whose etc/ goes into the
# container's /etc; later the .deb, with dpkg -i inside a second container.
# The unit is the shipped one, unmodified; the only drop-in shortens
# WatchdogSec= for the watchdog case. The container root is throwaway: a
# copy of /etc without the host's enabled units, an empty machine-id, the
# host's /usr under an overlay. The test drives it with nsenter into the
# container's PID 1 (no machined: --register=no).
#
# Each an assertion of its own:
#   - systemctl start: active (running), STATUS= set, and the rules were in
#     when READY=1 came (systemctl start returns at READY=1; the firewall
#     tools are slowed down, so a READY before the rules would find them
#     missing);
#   - the rules were installed by the dynamic user, through its ambient
#     CAP_NET_ADMIN alone; the shipped queue = cpu made one worker thread per
#     CPU, each pinned to its CPU (Cpus_allowed_list) through the unit's
#     seccomp filter; 1 MB crosses the router in each family, its SYN and
#     SYN-ACK clamped to the exact MSS;
#   - systemctl reload after an overhead change: the next SYN gets the new
#     MSS;
#   - kill -STOP of the daemon: a connection made meanwhile still succeeds
#     (its SYN waits in the stopped daemon's queue; once the watchdog has
#     killed it, a retransmission passes by --queue-bypass or reaches the
#     restarted daemon), the watchdog restarts it, SYNs are clamped again;
#   - a broken config: the start fails once, exit status 78, the journal
#     says FILE:LINE: message, no restart follows;
#   - the shipped logrotate snippet, run for real: the log renamed, the
#     daemon reopens a new one, every record is in one of the two;
#   - systemctl stop: the rules are gone, the exit clean;
#   - the .deb: dpkg -i in a fresh container, then start (active, rules in)
#     and stop (rules gone).
# Skips (77) where nspawn cannot boot a container here.
set -u

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
. "$SRC/tests/integration/lib.sh"
need_root ip iptables ip6tables tcpdump socat ethtool ping
for tool in systemd-nspawn nsenter cmake; do
	command -v "$tool" >/dev/null || skip "$tool not installed (systemd-container, util-linux, cmake)"
done
[ -d /run/systemd/system ] && [ -z "${MSSCLAMPD_TEST_ON_SYSTEMD:-}" ] &&
	echo "note: the host runs systemd itself; the container's units stay inside it"

ROOT=$TMP/root
NSPAWN_PID=
CPID=
BOOT_LOG=$TMP/nspawn.log
UNIT=mssclampd.service
CONF=/etc/mssclampd/mssclampd.conf

# C COMMAND...: runs a command in the booted container (all its namespaces).
C1() { nsenter -t "$CPID" -a -- "$@"; }

nspawn_gone() { ! kill -0 "$NSPAWN_PID" 2>/dev/null; }

machine_stop() {
	[ -n "$NSPAWN_PID" ] || return 0
	if [ -n "$CPID" ]; then
		C1 systemctl poweroff --no-block >/dev/null 2>&1
	fi
	wait_for 15 nspawn_gone
	kill -9 "$NSPAWN_PID" 2>/dev/null
	[ -n "$CPID" ] && kill -9 "$CPID" 2>/dev/null
	wait "$NSPAWN_PID" 2>/dev/null
	NSPAWN_PID=
	CPID=
}

boot_cleanup() {
	machine_stop
	cleanup
}
trap boot_cleanup EXIT

# make_root: a throwaway root: the host's /etc less its enabled units, an
# empty machine-id, os-release, the merged-/usr links; /usr comes from the
# host through an overlay whose upper layer is $TMP/usr-upper.
make_root() {
	rm -rf "$ROOT" "$TMP/usr-upper" "$TMP/usr-work"
	mkdir -p "$ROOT/usr/lib" "$TMP/usr-upper" "$TMP/usr-work"
	cp -a /etc "$ROOT/etc"
	find "$ROOT/etc/systemd/system" -mindepth 1 -maxdepth 1 \
		\( -name '*.wants' -o -name '*.requires' -o -name 'dbus-org.*' -o -name 'default.target' \) \
		-exec rm -rf {} +
	: >"$ROOT/etc/machine-id"
	: >"$ROOT/etc/fstab"
	rm -rf "$ROOT/etc/mssclampd" "$ROOT/etc/logrotate.d/mssclampd"
	cp /usr/lib/os-release "$ROOT/usr/lib/os-release"
	for l in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$l" ] && ln -s "$(readlink "/$l")" "$ROOT/$l"
	done
	mkdir -p "$ROOT/var/lib/logrotate" "$ROOT/var/log" "$ROOT/var/tmp" "$ROOT/tmp" "$ROOT/root" "$ROOT/run"
	chmod 1777 "$ROOT/tmp" "$ROOT/var/tmp"
}

# boot [NSPAWN_ARGS...]: boots the root in the router namespace; waits for it.
boot() {
	systemd-nspawn -D "$ROOT" --register=no --keep-unit --boot --console=pipe \
		--network-namespace-path="/run/netns/$NS_R" --capability=CAP_NET_ADMIN \
		--overlay="/usr:$TMP/usr-upper:/usr" --bind-ro="$TMP/share:/mnt" \
		"$@" </dev/null >"$BOOT_LOG" 2>&1 &
	NSPAWN_PID=$!
	wait_for 10 container_pid >/dev/null || { echo "nspawn started no container:"; cat "$BOOT_LOG"; return 1; }
	CPID=$(container_pid)
	local state
	for _ in $(seq 300); do
		state=$(C1 systemctl is-system-running 2>/dev/null)
		case $state in running | degraded) break ;; esac
		sleep 0.1
	done
	echo "note: container booted (PID $CPID on the host): $state"
	case $state in running | degraded) ;; *) cat "$BOOT_LOG"; return 1 ;; esac
	[ "$state" = running ] || C1 systemctl --failed --no-pager --no-legend | sed 's/^/note: failed unit: /'
}

# container_pid: the container's PID 1 as the host sees it, once it is systemd
container_pid() {
	local pid
	for pid in $(pgrep -P "$NSPAWN_PID" 2>/dev/null); do
		case $(readlink "/proc/$pid/exe" 2>/dev/null) in
		*/systemd) echo "$pid"; return 0 ;;
		esac
	done
	return 1
}

# worker_cpus PID: "queue N=CPUS" for each worker thread of the daemon PID (in the container)
worker_cpus() {
	C1 sh -c 'for t in /proc/'"$1"'/task/*; do
		c=$(cat "$t/comm")
		case $c in "queue "*) echo "$c=$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" "$t/status")" ;; esac
	done' 2>/dev/null | sort -t' ' -k2n
}

# prop NAME: one property of the unit
prop() { C1 systemctl show -P "$1" "$UNIT" 2>/dev/null; }

# journal_mark, then journal: the unit's lines (the daemon's and systemd's about it) since the mark
journal_mark() { C1 journalctl -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p' >"$TMP/cursor"; }
journal() {
	C1 journalctl --no-pager -o cat --after-cursor="$(cat "$TMP/cursor")" _SYSTEMD_UNIT="$UNIT" + UNIT="$UNIT" 2>/dev/null
}
journal_has() { journal | grep -q -- "$1"; }

ours_in() { # rules of ours in the router, both families: "v4 v6" counts of NFQUEUE rules in MSSCLAMPD
	echo "$(R iptables -t mangle -S MSSCLAMPD 2>/dev/null | grep -c NFQUEUE) $(R ip6tables -t mangle -S MSSCLAMPD 2>/dev/null | grep -c NFQUEUE)"
}
our_rules() { (R iptables-save -t mangle; R ip6tables-save -t mangle) 2>/dev/null | grep MSSCLAMPD; }
no_rules_left() { ! our_rules >/dev/null; }

# syn_through PORT ADDR [BYTES [SECONDS]]: a fetch; the MSS of its SYN at the
# server and of its SYN-ACK at the client
syn_through() {
	capture "$NS_S" s0 "$TMP/s.$1.pcap"
	local server=$CAPTURE_PID
	capture "$NS_C" c0 "$TMP/c.$1.pcap"
	GOT=$(fetch "$NS_C" "$NS_S" "$2" "$1" "${3:-1000}" "${4:-15}")
	stop_capture
	CAPTURE_PID=$server
	stop_capture
	SYN_AT_SERVER=$(syn_mss "$TMP/s.$1.pcap" S "$1")
	SYNACK_AT_CLIENT=$(syn_mss "$TMP/c.$1.pcap" S. "$1")
}

# --- the project, as the package installs it ---------------------------------
topology
mkdir "$TMP/share"
echo "== build with -DCMAKE_INSTALL_PREFIX=/usr, install into a DESTDIR, cpack -G DEB"
if ! { cmake -S "$SRC" -B "$TMP/build" -DCMAKE_INSTALL_PREFIX=/usr -DMSSCLAMPD_FUZZ=OFF \
	-DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON && cmake --build "$TMP/build" -j2 --target mssclampd &&
	DESTDIR=$TMP/dest cmake --install "$TMP/build" && (cd "$TMP/build" && cpack -G DEB); } \
	>"$TMP/build.log" 2>&1; then
	fail "build, install and package" "$(tail -n 20 "$TMP/build.log")"
	summary
	exit
fi
cp "$TMP"/build/mssclampd_*.deb "$TMP/share/"

make_root
# dpkg's view of /lib/systemd/system: the merged /usr (lib -> usr/lib)
cp -a "$TMP/dest/usr/." "$TMP/usr-upper/"
[ -d "$TMP/dest/lib" ] && mkdir -p "$TMP/usr-upper/lib" && cp -a "$TMP/dest/lib/." "$TMP/usr-upper/lib/"
cp -a "$TMP/dest/etc/." "$ROOT/etc/"

# The operator's edits to the shipped config: an overhead for the WAN (an
# ISP's IP-in-IP the kernel cannot see: effective MTU 1472, MSS 1432 / 1412)
# and records on request only (SIGUSR1), so the test can count them.
sed -i 's/^stats_interval = .*/stats_interval = 3600/' "$ROOT$CONF"
printf '\n[interface wan0]\noverhead = ipip\n' >>"$ROOT$CONF"

# The firewall tools, slowed down and recording who runs them with which
# capabilities, where the unit's PATH finds them first (/usr/local/sbin):
# a READY=1 sent before the rules are in would find them missing.
mkdir -p "$TMP/usr-upper/local/sbin"
for tool in iptables ip6tables; do
	cat >"$TMP/usr-upper/local/sbin/$tool" <<EOF
#!/bin/sh
sleep 0.3
echo "$tool \$* uid=\$(id -u) \$(sed -n 's/^\(Cap[EA][fm][fb]\):[[:space:]]*/\1=/p' /proc/self/status | tr '\n' ' ')" \
	>>/var/log/mssclampd/tool-calls.txt 2>/dev/null
exec /usr/sbin/$tool "\$@"
EOF
	chmod 755 "$TMP/usr-upper/local/sbin/$tool"
done

# The one drop-in: a watchdog that fires within seconds, not 30
mkdir -p "$ROOT/etc/systemd/system/$UNIT.d"
printf '[Service]\nWatchdogSec=3s\n' >"$ROOT/etc/systemd/system/$UNIT.d/test-watchdog.conf"

if ! boot; then
	skip "systemd-nspawn could not boot a container here"
fi
LOGDIR=$ROOT/var/log/private/mssclampd

# --- start -------------------------------------------------------------------
journal_mark
C1 systemctl start "$UNIT"
rc=$?
rules_at_ready=$(ours_in)
check_eq "systemctl start: exit status" 0 "$rc"
check_eq "start: active (running)" "active running" "$(prop ActiveState) $(prop SubState)"
check_eq "start: the status text the daemon set" "Clamping on $(default_queues_text)" "$(prop StatusText)"
check_eq "start: READY=1 came after the rules were in (NFQUEUE rules IPv4, IPv6 when start returned)" \
	"1 1" "$rules_at_ready"

# --- the rules: by the dynamic user, with its ambient capability --------------
main_pid=$(prop MainPID)
daemon_uid=$(C1 awk '/^Uid:/ { print $2 }' "/proc/$main_pid/status")
calls=$LOGDIR/tool-calls.txt
check "the daemon runs as a dynamic user (uid $daemon_uid)" test "${daemon_uid:-0}" -ge 61184 -a "${daemon_uid:-0}" -le 65519
installs=$(grep -c -e ' -A ' -e ' -I ' -e ' -N ' "$calls" 2>/dev/null)
check "the rules were installed by the firewall tools ($installs install calls)" test "${installs:-0}" -ge 2
others=$(grep -v "uid=$daemon_uid CapEff=0000000000001000 CapAmb=0000000000001000 $" "$calls" 2>&1)
check_eq "every tool ran as the daemon's uid with CAP_NET_ADMIN alone, ambient" "" "$others"

# --- queue = cpu (the shipped config): each worker on its own CPU -------------
# The unit's seccomp filter denies @resources but for sched_setaffinity: a
# worker that could not pin itself would run on every CPU, and say so.
want=$(for q in $(seq 0 $(($(cpu_queues) - 1))); do echo "queue $q=$q"; done)
check_eq "queue = cpu: one worker thread per CPU, each on its CPU (Cpus_allowed_list)" "$want" \
	"$(worker_cpus "$main_pid")"
pinned_quietly() { ! journal_has "cannot run on CPU"; }
check "queue = cpu: no worker said it cannot run on its CPU" pinned_quietly

syn_through 5101 10.2.0.2 1048576
check_eq "IPv4: 1 MB crosses the router" 1048576 "$GOT"
check_eq "IPv4: SYN reaches the server clamped to 1432" 1432 "$SYN_AT_SERVER"
check_eq "IPv4: SYN-ACK reaches the client clamped to 1432" 1432 "$SYNACK_AT_CLIENT"
syn_through 5102 fd02::2 1048576
check_eq "IPv6: 1 MB crosses the router" 1048576 "$GOT"
check_eq "IPv6: SYN reaches the server clamped to 1412" 1412 "$SYN_AT_SERVER"
check_eq "IPv6: SYN-ACK reaches the client clamped to 1412" 1412 "$SYNACK_AT_CLIENT"

# --- reload --------------------------------------------------------------------
sed -i 's/^overhead = ipip$/overhead = 28/' "$ROOT$CONF" # 1492 - 28 = 1464: MSS 1424 / 1404
journal_mark
C1 systemctl reload "$UNIT"
check_eq "systemctl reload: exit status" 0 "$?"
wait_for 10 journal_has "^reloaded $CONF"
check "reload: the daemon says it reloaded $CONF" journal_has "^reloaded $CONF"
syn_through 5103 10.2.0.2
check_eq "reload: the next IPv4 SYN gets the new MSS 1424" 1424 "$SYN_AT_SERVER"
syn_through 5104 fd02::2
check_eq "reload: the next IPv6 SYN gets the new MSS 1404" 1404 "$SYN_AT_SERVER"
check_eq "reload: the same process, still active" "$main_pid active" "$(prop MainPID) $(prop ActiveState)"

# --- the watchdog ----------------------------------------------------------------
restarts=$(prop NRestarts)
journal_mark
main_pid=$(prop MainPID)
# never "kill 0": that would stop this test's own process group
if [ "${main_pid:-0}" -gt 1 ] 2>/dev/null; then
	C1 kill -STOP "$main_pid"
else
	fail "watchdog: no daemon to stop (MainPID '${main_pid:-}')"
fi
# A connection while it is stopped: its SYN waits in the stopped daemon's
# queue and is dropped when the watchdog kills it; a retransmitted SYN
# finds no listener (--queue-bypass lets it through) or the restarted
# daemon. It must get through either way, within TCP's retransmissions.
FETCH_CONNECT_TIMEOUT=25 syn_through 5105 10.2.0.2 1000 30
check_eq "stopped daemon: a connection made meanwhile still succeeds (1000 bytes)" 1000 "$GOT"
echo "note: its SYN reached the server with MSS ${SYN_AT_SERVER:-none} (1460: bypassed; 1424: the new daemon)"
wait_for 20 more_than "$restarts" prop NRestarts
wait_for 20 output_is active prop ActiveState
check "watchdog: systemd killed the silent daemon" journal_has 'Watchdog timeout'

check_eq "watchdog: restarted once" "$((restarts + 1))" "$(prop NRestarts)"
new_pid=$(prop MainPID)
check "watchdog: a new process ($main_pid -> $new_pid), active" \
	test "$new_pid" != "$main_pid" -a "$new_pid" != 0 -a "$(prop ActiveState)" = active
syn_through 5106 10.2.0.2
check_eq "watchdog: after the restart SYNs are clamped again (1424)" 1424 "$SYN_AT_SERVER"

# --- a broken config -------------------------------------------------------------
cp "$ROOT$CONF" "$TMP/good.conf"
printf '[global]\nqueue = 0\noverhead_typo = 8\n' >"$ROOT$CONF"
journal_mark
C1 systemctl restart "$UNIT" 2>/dev/null
check "broken config: systemctl restart fails" test $? -ne 0
restarts=$(prop NRestarts) # a manual (re)start resets the count
sleep 4 # RestartSec=2s: a restart loop would have started again by now
check_eq "broken config: failed, exit code 78" "failed exit-code 78" \
	"$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)"
check_eq "broken config: no restart (NRestarts stays $restarts)" "$restarts" "$(prop NRestarts)"
check_eq "broken config: started once" 1 "$(journal | grep -c '^Starting mssclampd.service')"
check "broken config: the journal says $CONF:3: unknown key 'overhead_typo'" \
	journal_has "^$CONF:3: unknown key 'overhead_typo'"
if no_rules_left; then
	pass "broken config: no rules left"
else
	fail "broken config: no rules left" "$(our_rules)" "the journal since the restart:" "$(journal)"
fi

# --- logrotate ---------------------------------------------------------------------
cp "$TMP/good.conf" "$ROOT$CONF"
C1 systemctl start "$UNIT"
check_eq "fixed config: started again" "active running" "$(prop ActiveState) $(prop SubState)"
records() { cat "$LOGDIR"/stats.log* 2>/dev/null | grep -c ' iface=all '; }
usr1() { # one record on request, waited for
	local before
	before=$(records)
	C1 systemctl kill --kill-who=main --signal=USR1 "$UNIT"
	wait_for 5 more_than "$before" records
}
usr1
usr1
before=$(records)
C1 logrotate -f /etc/logrotate.d/mssclampd >"$TMP/logrotate.out" 2>&1
check_eq "logrotate -f /etc/logrotate.d/mssclampd: exit status" 0 "$?"
check "logrotate: stats.log renamed to stats.log.1 with the records so far" \
	test "$(grep -c ' iface=all ' "$LOGDIR/stats.log.1" 2>/dev/null)" = "$before"
wait_for 5 test -e "$LOGDIR/stats.log"
usr1
check_eq "logrotate: the daemon reopened a new stats.log, owned by it, and writes there" \
	"1 $daemon_uid" "$(grep -c ' iface=all ' "$LOGDIR/stats.log" 2>/dev/null) $(stat -c %u "$LOGDIR/stats.log" 2>/dev/null)"
check_eq "logrotate: nothing lost (records before + after)" "$((before + 1))" "$(records)"
# (the daemon changed; its uid may too)
daemon_uid=$(C1 awk '/^Uid:/ { print $2 }' "/proc/$(prop MainPID)/status")

# --- stop ---------------------------------------------------------------------------
C1 systemctl stop "$UNIT"
check_eq "systemctl stop: exit status" 0 "$?"
check_eq "stop: inactive, clean exit" "inactive success 0" "$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)"
check "stop: no rule of ours left (IPv4, IPv6)" no_rules_left
syn_through 5107 10.2.0.2
check_eq "stop: SYNs unclamped again" 1460 "$SYN_AT_SERVER"
machine_stop

# --- the .deb --------------------------------------------------------------------------
echo "== the .deb, with dpkg -i in a fresh container"
make_root
mkdir -p "$TMP/dpkg-upper" "$ROOT/var/lib/dpkg"
if boot --overlay="/var/lib/dpkg:$TMP/dpkg-upper:/var/lib/dpkg"; then
	deb=$(cd "$TMP/share" && ls mssclampd_*.deb)
	C1 dpkg -i "/mnt/$deb" >"$TMP/dpkg.out" 2>&1
	check_eq "dpkg -i $deb: exit status" 0 "$?" || sed 's/^/    /' "$TMP/dpkg.out"
	check_eq "dpkg: the unit is known without a manual daemon-reload (postinst did it)" \
		"loaded inactive" "$(prop LoadState) $(prop ActiveState)"
	printf '\n[interface wan0]\noverhead = ipip\n' >>"$ROOT$CONF"
	C1 systemctl start "$UNIT"
	check_eq "deb: systemctl start: active (running)" "active running" "$(prop ActiveState) $(prop SubState)"
	check_eq "deb: the rules are in (IPv4, IPv6)" "1 1" "$(ours_in)"
	syn_through 5108 10.2.0.2
	check_eq "deb: SYNs clamped (1432)" 1432 "$SYN_AT_SERVER"
	C1 systemctl stop "$UNIT"
	check_eq "deb: systemctl stop: inactive, clean exit" "inactive success 0" \
		"$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)"
	check "deb: no rule of ours left" no_rules_left
	machine_stop
else
	fail "the second container (for the .deb) did not boot"
fi

summary
