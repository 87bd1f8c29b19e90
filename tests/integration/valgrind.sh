#!/bin/bash
# The daemon under valgrind (issue 6) through a short scenario: IPv4 and
# IPv6 connections clamped both ways, a malformed SYN or two, SIGUSR1, a
# SIGHUP reload with a new ceiling, a wan0 MTU change, its rules flushed
# and restored, `mssclampd status` and a garbage request (issue 11),
# SIGTERM. Asserts: no
# memory error and no definite or indirect leak (valgrind's exit status is
# not its --error-exitcode, and its summary says 0), and no file descriptor
# open at exit beyond stdin, stdout and stderr (--track-fds). Skipped for a
# sanitizer build (ASan and valgrind do not mix) or without valgrind.
. "$(dirname "$0")/lib.sh"
need_root
need_scapy
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
if nm -D "$MSSCLAMPD" 2>/dev/null | grep -q __asan_init || ldd "$MSSCLAMPD" 2>/dev/null | grep -q libasan; then
	echo "SKIP: $MSSCLAMPD is built with ASan; valgrind needs a plain build"
	exit 77
fi
topology

VGLOG=$TMP/valgrind.log
CONF=$TMP/mssclampd.conf
cat >"$CONF" <<EOF
[global]
stats_log = $TMP/stats.log
stats_json = $TMP/stats.json
stats_interval = 3600
control_socket = $TMP/control
[interface wan0]
overhead = 8
EOF

syn_at_server() { # syn_at_server PORT ADDR: the MSS of the SYN the server got
	capture "$NS_S" s0 "$TMP/s.$1.pcap"
	fetch "$NS_C" "$NS_S" "$2" "$1" 100000 30 >/dev/null
	stop_capture
	syn_mss "$TMP/s.$1.pcap" S "$1"
}

# valgrind execs the tool in place: $! is the daemon, for signals and /proc
ip netns exec "$NS_R" valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=99 --track-fds=yes --log-file="$VGLOG" \
	"$MSSCLAMPD" -c "$CONF" >"$TMP/daemon.log" 2>&1 &
DAEMON_PID=$!
if ! wait_for 60 daemon_ready; then
	echo "the daemon did not come up under valgrind; its log and valgrind's:"
	cat "$TMP/daemon.log" "$VGLOG"
	exit 1
fi

check_eq "IPv4 SYN clamped (1492 - 8 - 40)" 1444 "$(syn_at_server 5101 10.2.0.2)"
check_eq "IPv6 SYN clamped (1492 - 8 - 60)" 1424 "$(syn_at_server 5102 fd02::2)"
check_eq "IPv4 SYN from the WAN side clamped" 1444 "$(
	capture "$NS_C" c0 "$TMP/c.5103.pcap"
	fetch "$NS_S" "$NS_C" 10.1.0.2 5103 100000 30 >/dev/null
	stop_capture
	syn_mss "$TMP/c.5103.pcap" S 5103)"

# Malformed and MSS-less SYNs through the same worker
"$PY" "$CRAFT" build --log "$TMP/sent.jsonl" --mss4 1444 --mss6 1424 \
	v4-optlen0=2 v6-ext9=2 v4-tcp16=2 v6-nomss=2 v4-frag-cut=2 >/dev/null
craft_send --log "$TMP/sent.jsonl" --pps 100 >/dev/null
sleep 1
stats_now "$TMP/stats.log"
check_eq "SIGUSR1: malformed SYNs counted" 8 "$(stats_field "$TMP/stats.log" all malformed)"
check_eq "SIGUSR1: the MSS-less SYNs got one" 2 "$(stats_field "$TMP/stats.log" all inserted)"

sed -i 's/overhead = 8/overhead = 48/' "$CONF"
kill -HUP "$DAEMON_PID"
wait_for 20 grep -q "^reloaded " "$TMP/daemon.log"
check_eq "after SIGHUP: the new overhead applies" 1404 "$(syn_at_server 5104 10.2.0.2)"

R ip link set wan0 mtu 1400
check_eq "after an MTU change: the new ceiling applies (1400 - 48 - 60)" 1292 "$(syn_at_server 5105 fd02::2)"

R iptables -t mangle -F
check "rules flushed: restored" wait_for 20 grep -q "restored them (1 time since start)" "$TMP/daemon.log"
quietly() { "$@" >/dev/null; }
check "status answers" quietly R "$MSSCLAMPD" status --socket "$TMP/control"
check "status --json answers" quietly R "$MSSCLAMPD" status --json --socket "$TMP/control"
check_eq "a garbage request is refused" "error: unknown request (expected \"status\" or \"status json\")" \
	"$(printf 'hello\n' | socat - "UNIX-CONNECT:$TMP/control" 2>/dev/null)"

kill -USR1 "$DAEMON_PID"
sleep 1
stop_daemon TERM
status=$?
echo "--- valgrind's log:"
sed 's/^/	| /' "$VGLOG"
echo "---"
check "valgrind's exit status is the daemon's 0, not 99 (errors or leaks)" test "$status" = 0
check_eq "valgrind: no errors" 0 "$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$VGLOG" | tail -n 1)"
check "valgrind: nothing definitely lost" bash -c \
	"! grep -E 'definitely lost: [1-9]' '$VGLOG' >/dev/null"
check "valgrind: nothing indirectly lost" bash -c \
	"! grep -E 'indirectly lost: [1-9]' '$VGLOG' >/dev/null"
check "valgrind: the leak check ran" grep -qE 'All heap blocks were freed|LEAK SUMMARY|in use at exit' "$VGLOG"
# --track-fds lists every descriptor open at exit with where it was opened;
# those the test's shell handed down are marked "<inherited from parent>".
own_fds=$(awk '
	/Open file descriptor [0-9]+/ { if (fd != "" && !inherited) print fd; fd = $0; sub(/.*descriptor /, "", fd); sub(/:.*/, "", fd); inherited = 0; next }
	/<inherited from parent>/ { inherited = 1 }
	/HEAP SUMMARY|ERROR SUMMARY/ { if (fd != "" && !inherited) print fd; fd = "" }
	END { if (fd != "" && !inherited) print fd }' "$VGLOG" | sort -n | uniq | tr '\n' ' ')
check_eq "no fd the daemon opened is still open at exit (beyond stdio)" "" "$own_fds"
check "the stats log was written at exit" grep -q "iface=all" "$TMP/stats.log"
summary
