#!/bin/bash
# Live interface tracking: an MTU change, and the WAN interface deleted and
# re-created under its name with a new ifindex (a PPPoE reconnect), apply to
# the next connection without a restart.
. "$(dirname "$0")/lib.sh"
need_root
topology

cat >"$TMP/mssclampd.conf" <<EOF
[global]
stats_log = $TMP/stats.log
stats_interval = 3600
[interface wan*]
overhead = 8
EOF
start_daemon "$TMP/mssclampd.conf" || exit 1

# 1492 - 8 (overhead) - 40 / - 60
check_eq "start: IPv4 MSS from MTU 1492 - 8" 1444 "$(syn_at_server 6001 10.2.0.2)"
check_eq "start: IPv6 MSS from MTU 1492 - 8" 1424 "$(syn_at_server 6002 fd02::2)"

R ip link set wan0 mtu 1400
check_eq "after the MTU drops to 1400: IPv4" 1352 "$(syn_at_server 6003 10.2.0.2)"
check_eq "after the MTU drops to 1400: IPv6" 1332 "$(syn_at_server 6004 fd02::2)"

# A reconnect: the interface goes away and comes back with a new ifindex
old_index=$(R cat /sys/class/net/wan0/ifindex)
wan_link 1480
warm_up
new_index=$(R cat /sys/class/net/wan0/ifindex)
check "re-created wan0 has a new ifindex ($old_index -> $new_index)" test "$old_index" != "$new_index"
check_eq "after re-creation at MTU 1480: IPv4" 1432 "$(syn_at_server 6005 10.2.0.2)"
check_eq "after re-creation at MTU 1480: IPv6" 1412 "$(syn_at_server 6006 fd02::2)"

# Stats survive the reconnect under the interface's name
kill -USR1 "$DAEMON_PID"
wait_for 5 grep -q "iface=all" "$TMP/stats.log"
check_eq "stats: wan0 counts across the reconnect" 12 "$(stats_field "$TMP/stats.log" wan0 seen)"
check_eq "stats: wan0 shows the new ceiling" 1432 "$(stats_field "$TMP/stats.log" wan0 mss4)"
check "the daemon is still running" kill -0 "$DAEMON_PID"

stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"
summary
