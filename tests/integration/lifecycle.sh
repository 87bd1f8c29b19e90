#!/bin/bash
# Start, reload, crash, restart, stop: bad configs refused with FILE:LINE,
# a bad reload keeps the old config, SIGHUP reopens the stats log, a second
# daemon on the same queue fails loudly, kill -9 blackholes nothing and a
# restart after it leaves one set of rules, a clean stop leaves none.
. "$(dirname "$0")/lib.sh"
need_root
topology

rule_count() { # rule_count TOOL PATTERN
	R "$1-save" -t mangle | grep -c -- "$2"
}

# A bad config is refused at start: FILE:LINE, non-zero, no rules installed
cat >"$TMP/bad.conf" <<EOF
[global]
stats_interval = 0
[interface wan0]
overhead = espp
EOF
R "$MSSCLAMPD" -c "$TMP/bad.conf" >"$TMP/bad.out" 2>&1
check_eq "bad config: exit status 78 (EX_CONFIG)" 78 "$?"
check "bad config: FILE:LINE for the interval" grep -q "$TMP/bad.conf:2: " "$TMP/bad.out"
check "bad config: FILE:LINE for the overhead, quoting it" grep -q "$TMP/bad.conf:4: .*espp" "$TMP/bad.out"
check "bad config: no rules installed" test "$(rule_count iptables MSSCLAMPD)" = 0
R "$MSSCLAMPD" -c "$TMP/bad.conf" --check >/dev/null 2>&1
check_eq "--check on a bad config: exit status 78" 78 "$?"
R "$MSSCLAMPD" -c "$TMP/missing.conf" >"$TMP/missing.out" 2>&1
check_eq "a missing -c file: exit status 78" 78 "$?"

cat >"$TMP/good.conf" <<EOF
[global]
stats_log = $TMP/stats.log
stats_interval = 3600
[interface wan0]
overhead = 8
EOF
check "--check on a good config" R "$MSSCLAMPD" -c "$TMP/good.conf" --check
start_daemon "$TMP/good.conf" || exit 1
check_eq "one chain jump from FORWARD (IPv4)" 1 "$(rule_count iptables '-A FORWARD .*MSSCLAMPD')"
check_eq "one chain jump from OUTPUT (IPv6)" 1 "$(rule_count ip6tables '-A OUTPUT .*MSSCLAMPD')"
check_eq "queue rule: the default queues ($(default_queues_text)), with --queue-bypass" 1 \
	"$(rule_count iptables "$(default_queue_target)")"
check_eq "running: MSS 1492 - 8 - 40" 1444 "$(syn_at_server 7001 10.2.0.2)"

# A second daemon on the same queue must fail, not pass silently
R "$MSSCLAMPD" -c "$TMP/good.conf" >"$TMP/second.out" 2>&1 &
second=$!
wait_for 10 bash -c "! kill -0 $second"
wait "$second"
check_eq "a second daemon on queue 0: exit status" 1 "$?"
check "a second daemon says why" grep -qi "queue 0.*bind" "$TMP/second.out"
check "the first daemon is unharmed" kill -0 "$DAEMON_PID"
check_eq "the first daemon's rules are intact" 1 "$(rule_count iptables '-A FORWARD .*MSSCLAMPD')"

# SIGHUP with a new overhead: applies to the next connection
sed -i 's/overhead = 8/overhead = 48/' "$TMP/good.conf"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q "reloaded" "$TMP/daemon.log"
check_eq "after a good reload: MSS 1492 - 48 - 40" 1404 "$(syn_at_server 7002 10.2.0.2)"

# SIGHUP with a broken config: FILE:LINE in the log, the old one stays
printf '[interface wan0]\noverhead = 48\nmtu = 99999\n' >"$TMP/good.conf"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q "running configuration stays" "$TMP/daemon.log"
check "bad reload: FILE:LINE logged" grep -q "$TMP/good.conf:3: .*99999" "$TMP/daemon.log"
check "bad reload: the daemon runs on" kill -0 "$DAEMON_PID"
check_eq "bad reload: the old config still clamps" 1404 "$(syn_at_server 7003 10.2.0.2)"

# SIGHUP reopens the stats log (logrotate renames it first)
kill -USR1 "$DAEMON_PID"
wait_for 5 grep -q "iface=all" "$TMP/stats.log"
mv "$TMP/stats.log" "$TMP/stats.log.1"
kill -HUP "$DAEMON_PID"
sleep 0.3
kill -USR1 "$DAEMON_PID"
wait_for 5 grep -q "iface=all" "$TMP/stats.log"
check "logrotate: a new stats log after SIGHUP" grep -q "iface=all" "$TMP/stats.log"
check_eq "logrotate: the rotated log got nothing more" 1 "$(grep -c ' iface=all ' "$TMP/stats.log.1")"

# kill -9: the kernel's --queue-bypass lets new connections through
stop_daemon KILL
check_eq "after kill -9: the rules are still there" 1 "$(rule_count iptables '-A FORWARD .*MSSCLAMPD')"
check_eq "after kill -9: a new IPv4 connection still works" 1000 "$(fetch "$NS_C" "$NS_S" 10.2.0.2 7004 1000)"
check_eq "after kill -9: a new IPv6 connection still works" 1000 "$(fetch "$NS_C" "$NS_S" fd02::2 7005 1000)"

# Restart after kill -9: exactly one set of rules
printf '[global]\nstats_log = -\n[interface wan0]\noverhead = 8\n' >"$TMP/good.conf"
start_daemon "$TMP/good.conf" || exit 1
for tool in iptables ip6tables; do
	for hook in FORWARD OUTPUT INPUT; do
		check_eq "restart: one $tool jump from $hook" 1 "$(rule_count $tool "-A $hook .*MSSCLAMPD")"
	done
	check_eq "restart: one $tool queue rule" 1 "$(rule_count $tool 'NFQUEUE')"
done
check_eq "restart: clamping again" 1444 "$(syn_at_server 7006 10.2.0.2)"

stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"
check_eq "SIGTERM: no IPv4 rules left" 0 "$(rule_count iptables MSSCLAMPD)"
check_eq "SIGTERM: no IPv6 rules left" 0 "$(rule_count ip6tables MSSCLAMPD)"
check "SIGTERM: the final stats went to stderr" grep -q "iface=all" "$TMP/daemon.log"
summary
