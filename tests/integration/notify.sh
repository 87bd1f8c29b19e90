#!/bin/bash
# The daemon's sd_notify messages, on a socket this test listens on, as
# systemd would see them: READY=1 only once the queue is bound and the rules
# are in, RELOADING=1/READY=1 around SIGHUP, WATCHDOG=1 while the packet
# loop turns, STOPPING=1 at exit; no READY=1 when start-up fails.
. "$(dirname "$0")/lib.sh"
need_root
topology

SOCK=$TMP/notify.sock
# Records each datagram on one line. At the first READY=1 it looks at the
# router's IPv6 rules (installed last) at once and records what it found:
# READY=1 must not come before the rules are in.
rules_in() { ip netns exec "$NS_R" ip6tables -t mangle -S MSSCLAMPD | grep -q NFQUEUE; }
export -f rules_in
export NS_R
/usr/bin/python3 "$SRC/tests/lib/notify_listener.py" "$SOCK" "$TMP/notify.log" 60 \
	--at-ready RULES_AT_READY bash -c rules_in &
LISTENER=$!
wait_for 5 test -S "$SOCK"

# The firewall tools, slowed down: a READY=1 sent before the rules were all
# in would find them missing.
mkdir "$TMP/slow"
for tool in iptables ip6tables; do
	printf '#!/bin/sh\nsleep 0.3\nexec %s "$@"\n' "$(command -v $tool)" >"$TMP/slow/$tool"
	chmod +x "$TMP/slow/$tool"
done
cat >"$TMP/good.conf" <<EOF
[global]
stats_log = -
[interface wan0]
overhead = 8
EOF
PATH=$TMP/slow:$PATH NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=1000000 start_daemon "$TMP/good.conf" || exit 1
wait_for 5 grep -q "^RULES_AT_READY=" "$TMP/notify.log"
check "READY=1 sent (the default queues: $(default_queues_text))" \
	grep -q "^READY=1|STATUS=Clamping on $(default_queues_text)" "$TMP/notify.log"
check_eq "the rules were in when READY=1 came" "RULES_AT_READY=yes" \
	"$(grep "^RULES_AT_READY=" "$TMP/notify.log")"

sleep 2
watchdogs=$(grep -c "^WATCHDOG=1" "$TMP/notify.log")
check "WATCHDOG=1 every half interval (got $watchdogs in ~2 s)" test "$watchdogs" -ge 3

kill -HUP "$DAEMON_PID"
wait_for 5 grep -q "reloaded" "$TMP/daemon.log"
sleep 0.2
check_eq "SIGHUP: RELOADING=1 then READY=1" "RELOADING=1 READY=1|STATUS=Clamping" \
	"$(grep -E '^(RELOADING|READY)' "$TMP/notify.log" | tail -n 2 | tr '\n' ' ' | sed 's/ $//')"

printf '[interface wan0]\noverhead = nonsense\n' >"$TMP/good.conf"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q "running configuration stays" "$TMP/daemon.log"
sleep 0.2
check "a failed reload still ends with READY=1 and says why" \
	grep -q "^READY=1|STATUS=Reload failed" "$TMP/notify.log"

stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"
check_eq "STOPPING=1 is the last message" "STOPPING=1" "$(tail -n 1 "$TMP/notify.log")"

# A start that fails (a bad config) never says READY=1
: >"$TMP/notify.log"
NOTIFY_SOCKET=$SOCK R "$MSSCLAMPD" -c "$TMP/good.conf" >/dev/null 2>&1
check_eq "bad config: exit status 78 (EX_CONFIG)" 78 "$?"
sleep 0.3
check "bad config: no READY=1" bash -c "! grep -q READY=1 $TMP/notify.log"

kill "$LISTENER" 2>/dev/null
wait "$LISTENER" 2>/dev/null
summary
