#!/bin/bash
# Observe mode (--dry-run, or mode = observe): counts what it would clamp,
# changes nothing on the wire.
. "$(dirname "$0")/lib.sh"
need_root
topology

cat >"$TMP/observe.conf" <<EOF
[global]
mode = observe
stats_log = $TMP/stats.log
stats_interval = 3600
EOF
cat >"$TMP/clamp.conf" <<EOF
[global]
stats_log = $TMP/stats.log
stats_interval = 3600
EOF

# observe_run CONF [ARGS]: one IPv4 and one IPv6 connection, then the stats
observe_run() {
	start_daemon "$@" || return 1
	capture "$NS_S" s0 "$TMP/s.pcap"
	fetch "$NS_C" "$NS_S" 10.2.0.2 8001 1000 >/dev/null
	fetch "$NS_C" "$NS_S" fd02::2 8002 1000 >/dev/null
	stop_capture
	kill -USR1 "$DAEMON_PID"
	wait_for 5 grep -q " iface=all " "$TMP/stats.log"
	stop_daemon TERM
}

for how in "mode = observe:$TMP/observe.conf" "--dry-run:$TMP/clamp.conf --dry-run"; do
	name=${how%%:*}
	rm -f "$TMP/stats.log"
	# shellcheck disable=SC2086
	observe_run ${how#*:}
	check "$name: the daemon said it only observes" grep -q "ready: observing" "$TMP/daemon.log"
	check_eq "$name: IPv4 SYN reaches the server unchanged" 1460 "$(syn_mss "$TMP/s.pcap" S 8001)"
	check_eq "$name: IPv6 SYN reaches the server unchanged" 1440 "$(syn_mss "$TMP/s.pcap" S 8002)"
	check_eq "$name: SYN-ACK unchanged too" 1460 "$(syn_mss "$TMP/s.pcap" S. 8001)"
	check_eq "$name: counted as would-be clamped" 4 "$(stats_field "$TMP/stats.log" wan0 clamped)"
	check_eq "$name: the stats say observe" observe "$(stats_field "$TMP/stats.log" all mode)"
done
summary
