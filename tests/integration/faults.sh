#!/bin/bash
# Faults (issue 6): what the kernel, the disk and the operator can do to the
# daemon, and what it must do then.
# (e) no iptables on PATH: a clear error at start, non-zero, no READY, nothing left behind;
# (a) rtnetlink event storms: thousands of links added and deleted while
#     connections run (all succeed, all clamped, no stale interface), then
#     a storm while the daemon is stopped, which overflows its rtnetlink
#     socket (ENOBUFS): a warning, a fresh dump, and the WAN interface
#     re-created meanwhile with a new MTU is clamped to;
# (d) the config file removed before a SIGHUP: an error, the old config stays;
# (f) a SIGHUP storm: still clamping, no fd more;
# (c) an unwritable stats log (a directory gone 000, /dev/full): clamping
#     goes on, one warning per spell, and a notice when writing works again;
# (b) the queue full (queue_maxlen = 1, daemon stopped): fail-open lets SYNs
#     past unclamped, connections succeed, and the daemon reports exactly how
#     many from the rules' counters (bypassed=) with a warning. What it cannot
#     see: the kernel checks queue_maxlen before it assigns a packet id, so a
#     full queue leaves no gap in the ids; only a full socket buffer would
#     (gaps=), and the daemon sizes its buffer (2 KiB a packet of queue_maxlen,
#     doubled by the kernel) so that the queue limit always comes first: gaps
#     stays 0 here, as asserted.
. "$(dirname "$0")/lib.sh"
need_root
need_scapy
topology

CONF=$TMP/mssclampd.conf
LOGDIR=$TMP/logdir
STATS=$LOGDIR/stats.log
mkdir -p "$LOGDIR"
KIND=$(spare_link_kind "$NS_R") || { echo "SKIP: cannot create dummy, ifb or bridge links"; exit 77; }

syn_at_server() { # syn_at_server PORT ADDR: the MSS of the SYN the server got
	capture "$NS_S" s0 "$TMP/s.$1.pcap"
	fetch "$NS_C" "$NS_S" "$2" "$1" 10000 >/dev/null
	stop_capture
	syn_mss "$TMP/s.$1.pcap" S "$1" | tr '\n' ' ' | sed 's/ $//'
}

logged() { grep -c -- "$1" "$TMP/daemon.log"; }

# recreate_wan MTU: wan0 and its peer deleted and made again (a PPPoE reconnect).
recreate_wan() {
	wan_link "$1"
	warm_up
}

# settled FILE: true once FILE has not grown for a second.
settled() {
	local a b
	a=$(stat -c %s "$1")
	sleep 1
	b=$(stat -c %s "$1")
	[ "$a" = "$b" ]
}

cat >"$CONF" <<EOF
[global]
stats_log = $STATS
stats_interval = 3600
[interface wan0]
overhead = 8
[interface st*]
overhead = 1
EOF

echo "== (e) no iptables on PATH =="
mkdir -p "$TMP/empty-bin"
sed 's/^stats_interval.*/&\nqueue = 5/' "$CONF" >"$TMP/e.conf"
R timeout 30 env PATH="$TMP/empty-bin" "$MSSCLAMPD" -c "$TMP/e.conf" >"$TMP/e.out" 2>&1
status=$?
sed 's/^/	| /' "$TMP/e.out"
check_eq "(e) exit status" 1 "$status"
check "(e) the error names iptables and says it is not found" grep -qiE "iptables.*(not found|no such file)" "$TMP/e.out"
check "(e) no READY" bash -c "! grep -q 'ready: ' '$TMP/e.out'"
check_eq "(e) queue 5 is unbound again" 0 "$(R awk '$1 == 5' /proc/net/netfilter/nfnetlink_queue | wc -l)"
check_eq "(e) no rules left" 0 "$( (R iptables-save -t mangle; R ip6tables-save -t mangle) | grep -c MSSCLAMPD)"

start_daemon "$CONF" || exit 1
check_eq "clamping at start: IPv4" 1444 "$(syn_at_server 7001 10.2.0.2)"

echo "== (a) rtnetlink event storms =="
for i in $(seq 0 1999); do echo "link add st$i group 99 type $KIND"; done >"$TMP/storm.batch"
clamped_before=$(stats_now "$STATS"; stats_field "$STATS" all clamped)
connections_start 7100
sleep 0.5
lost_before=$(logged "link events were lost")
for _ in 1 2 3; do
	R ip -batch "$TMP/storm.batch"
	R ip link del group 99
done
sleep 1
connections_stop
ok=$CONN_OK total=$CONN_TOTAL
check_alive "(a) live storm, 6000 links added and deleted: the daemon runs on"
check "(a) live storm: connections ran meanwhile ($total)" test "$total" -ge 2
check_eq "(a) live storm: every connection succeeded" "$total" "$ok"
check_eq "(a) live storm: every SYN reached the server clamped (IPv4 1444, IPv6 1424)" "1424 1444" \
	"$(syn_mss "$TMP/conn.7100.pcap" S 7100 | sort -u | tr '\n' ' ' | sed 's/ $//')"
stats_now "$STATS"
through=$(( $(tcpdump -nn -r "$TMP/conn.7100.pcap" 'tcp port 7100' 2>/dev/null | grep -cE 'Flags \[S\.?\]') ))
check_eq "(a) live storm: the daemon clamped every SYN and SYN-ACK of them" "$through" \
	$(($(stats_field "$STATS" all clamped) - clamped_before))
check_eq "(a) live storm: no deleted link left in the daemon's view (stats lines for st*)" 0 \
	"$(tail -n 20 "$STATS" | grep -c ' iface=st')"
if [ "$(logged "link events were lost")" -gt "$lost_before" ]; then
	echo "(a) live storm: the rtnetlink socket overflowed; the daemon read every link again"
else
	echo "(a) live storm: the daemon kept up; no ENOBUFS"
fi

# The daemon stopped through a storm: its 1 MiB socket buffer must overflow.
kill -STOP "$DAEMON_PID"
R ip -batch "$TMP/storm.batch"
R ip link del group 99
R ip -batch "$TMP/storm.batch"
R ip link del group 99
recreate_wan 1400
kill -CONT "$DAEMON_PID"
wait_for 10 grep -q "link events were lost" "$TMP/daemon.log"
check "(a) storm while stopped: ENOBUFS warned about" grep -q "link events were lost; reading every interface again" "$TMP/daemon.log"
sleep 0.5
check_eq "(a) after the re-dump: the re-created wan0 (MTU 1400) clamps IPv4" 1352 "$(syn_at_server 7002 10.2.0.2)"
check_eq "(a) after the re-dump: and IPv6" 1332 "$(syn_at_server 7003 fd02::2)"
stats_now "$STATS"
check_eq "(a) after the re-dump: no stale link in the view" 0 "$(tail -n 20 "$STATS" | grep -c ' iface=st')"
check_eq "(a) after the re-dump: wan0's line shows the new ceiling" 1352 "$(stats_field "$STATS" wan0 mss4)"
R ip link set wan0 mtu 1492

echo "== (d) the config file removed before a SIGHUP =="
mv "$CONF" "$CONF.away"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q "running configuration stays" "$TMP/daemon.log"
check "(d) an error names the missing file" grep -q "^$CONF: " "$TMP/daemon.log"
check "(d) the reload is refused, the old config stays" grep -q "$CONF has errors; the running configuration stays" "$TMP/daemon.log"
check_alive "(d) the daemon runs on"
check_eq "(d) still clamping with the old config" 1444 "$(syn_at_server 7004 10.2.0.2)"
mv "$CONF.away" "$CONF"

echo "== (f) a SIGHUP storm =="
fds_before=$(daemon_fds)
rss_before=$(daemon_rss_kb)
reloads_before=$(logged "^reloaded ")
for i in $(seq 100); do kill -HUP "$DAEMON_PID"; done
wait_for 2 settled "$TMP/daemon.log" # each try takes a second: 20 s at most
reloads=$(($(logged "^reloaded ") - reloads_before))
echo "(f) 100 SIGHUPs: $reloads reloads (pending signals coalesce); RSS $rss_before -> $(daemon_rss_kb) KiB"
check_alive "(f) the daemon runs on"
check "(f) at least one reload, at most 100 ($reloads)" test "$reloads" -ge 1 -a "$reloads" -le 100
check_eq "(f) no fd more" "$fds_before" "$(daemon_fds)"
check_eq "(f) still clamping" 1444 "$(syn_at_server 7005 10.2.0.2)"

echo "== (c) an unwritable stats log =="
stats_now "$STATS"
records=$(stats_records "$STATS")
chmod 000 "$LOGDIR"
kill -HUP "$DAEMON_PID" # logrotate's reopen, into a directory we may no longer enter
wait_for 5 grep -q "stats log $STATS: cannot open" "$TMP/daemon.log"
for i in 1 2 3 4 5; do
	kill -USR1 "$DAEMON_PID"
	sleep 0.2
done
check_eq "(c) directory 000: warned exactly once" 1 "$(logged "stats log $STATS")"
check_eq "(c) directory 000: still clamping" 1444 "$(syn_at_server 7006 10.2.0.2)"
chmod 755 "$LOGDIR"
stats_now "$STATS"
check "(c) directory back: a notice that writing works again" grep -q "stats log $STATS: writing again" "$TMP/daemon.log"
check_eq "(c) directory back: one record more" $((records + 1)) "$(stats_records "$STATS")"

sed -i "s|^stats_log = .*|stats_log = /dev/full|" "$CONF"
kill -HUP "$DAEMON_PID"
wait_for 5 bash -c "[ \$(grep -c '^reloaded ' '$TMP/daemon.log') -gt $(logged '^reloaded ') ]"
for i in 1 2 3 4 5; do
	kill -USR1 "$DAEMON_PID"
	sleep 0.2
done
check_eq "(c) /dev/full: warned exactly once" 1 "$(logged "stats log /dev/full")"
check "(c) /dev/full: the warning says why" grep -q "stats log /dev/full: cannot write.*No space left on device" "$TMP/daemon.log"
check_eq "(c) /dev/full: still clamping" 1444 "$(syn_at_server 7007 10.2.0.2)"
check_alive "(c) the daemon runs on"
stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"

echo "== (b) the queue full =="
cat >"$CONF" <<EOF
[global]
queue_maxlen = 1
stats_log = $STATS
stats_interval = 3600
[interface wan0]
overhead = 8
EOF
start_daemon "$CONF" || exit 1
LOG=$TMP/sent.jsonl
"$PY" "$CRAFT" build --log "$LOG" --mss4 1444 --mss6 1424 v4-mss1460=50 >/dev/null
capture "$NS_S" s0 "$TMP/full.pcap"
kill -STOP "$DAEMON_PID"
craft_send --log "$LOG" --pps 2000 >/dev/null
wait_for 5 bash -c "[ \$(tcpdump -r '$TMP/full.pcap' 2>/dev/null | wc -l) -ge 49 ]"
check_eq "(b) daemon stopped, queue of 1 full: 49 of 50 SYNs passed unclamped (fail-open)" "49" \
	"$(syn_mss "$TMP/full.pcap" S 9 | grep -c '^1460$')"
kill -CONT "$DAEMON_PID"
wait_for 5 bash -c "[ \$(tcpdump -r '$TMP/full.pcap' 2>/dev/null | wc -l) -ge 50 ]"
stop_capture
check_eq "(b) after SIGCONT: the one queued SYN was clamped" "1444" "$(syn_mss "$TMP/full.pcap" S 9 | grep -v '^1460$')"
stats_now "$STATS"
check_eq "(b) stats: seen" 1 "$(stats_field "$STATS" all seen)"
check_eq "(b) stats: bypassed, from the rules' counters" 49 "$(stats_field "$STATS" all bypassed)"
check_eq "(b) stats: no id gap (the kernel assigns no id past queue_maxlen)" 0 "$(stats_field "$STATS" all gaps)"
check "(b) a warning counts them" grep -q "49 SYNs went past the queue unclamped" "$TMP/daemon.log"

# Real connections through a full queue: they succeed, unclamped. Small
# ones: unclamped, a full-sized segment from the server would fall into the
# topology's path MTU black hole, which is what clamping is for.
"$PY" "$CRAFT" build --log "$LOG" --start 51 --mss4 1444 --mss6 1424 v4-mss1460=1 >/dev/null
kill -STOP "$DAEMON_PID"
craft_send --log "$LOG" --from 51 >/dev/null # fills the queue
capture "$NS_S" s0 "$TMP/full2.pcap"
check_eq "(b) daemon stopped: an IPv4 connection succeeds" 1000 "$(fetch "$NS_C" "$NS_S" 10.2.0.2 7008 1000)"
check_eq "(b) daemon stopped: an IPv6 connection succeeds" 1000 "$(fetch "$NS_C" "$NS_S" fd02::2 7009 1000)"
stop_capture
check_eq "(b) ... with its SYN unclamped (IPv4)" 1460 "$(syn_mss "$TMP/full2.pcap" S 7008)"
check_eq "(b) ... with its SYN unclamped (IPv6)" 1440 "$(syn_mss "$TMP/full2.pcap" S 7009)"
kill -CONT "$DAEMON_PID"
sleep 0.5
stats_now "$STATS"
bypassed=$(stats_field "$STATS" all bypassed)
matched=$( (R iptables -t mangle -L MSSCLAMPD -v -x -n; R ip6tables -t mangle -L MSSCLAMPD -v -x -n) |
	awk '/NFQUEUE/ { s += $1 } END { print s }')
echo "(b) rules matched $matched SYNs, the daemon saw $(stats_field "$STATS" all seen), bypassed=$bypassed gaps=$(stats_field "$STATS" all gaps)"
check_eq "(b) bypassed = the rules' matches - what the daemon saw" $((matched - $(stats_field "$STATS" all seen))) "$bypassed"
check "(b) the connections' SYNs and SYN-ACKs are among them (> 49 + 4)" test "$bypassed" -ge 53
check_eq "(b) still no id gap" 0 "$(stats_field "$STATS" all gaps)"
check_eq "(b) after SIGCONT: clamping again" 1444 "$(syn_at_server 7010 10.2.0.2)"
stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"
summary
