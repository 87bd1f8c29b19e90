#!/bin/bash
# heal.sh nft|legacy: rules that heal (issue 11), with iptables-nft (ruleset
# change events) or iptables-legacy (the tables read every second), chosen
# by a PATH of symlinks for the daemon and the test alike.
#
# Each way something wipes the rules (a mangle flush, the chain deleted, a
# jump deleted, the NFQUEUE rule altered, queues by CPU losing
# --queue-cpu-fanout, a firewall reload by
# iptables-restore, IPv6 alone, and with nf_tables `nft flush ruleset` and
# the table deleted) is repaired within 2 s: a SYN then arrives clamped,
# our rules are back exactly once, the operator's own mangle rule still
# comes before our jump, one log line says what was missing, and
# rules_restored= counts it while bypassed= stays 0. Then: bypassed= counts
# a real fail-open across a repair; heal_rules = no leaves them wiped and
# says so once, and a reload with healing on restores them; a wipe loop
# meets the back-off (a few repairs, one warning, the daemon idle) and the
# rules come back once it stops.
. "$(dirname "$0")/lib.sh"
MODE=${1:?usage: heal.sh nft|legacy}
need_root
need_scapy
for tool in iptables-$MODE ip6tables-$MODE iptables-$MODE-save iptables-$MODE-restore; do
	command -v "$tool" >/dev/null || skip "$tool not installed"
done
topology

# iptables means iptables-$MODE, for the daemon and for this script
mkdir "$TMP/bin"
for tool in iptables ip6tables; do
	ln -s "$(command -v "$tool-$MODE")" "$TMP/bin/$tool"
	ln -s "$(command -v "$tool-$MODE-save")" "$TMP/bin/$tool-save"
	ln -s "$(command -v "$tool-$MODE-restore")" "$TMP/bin/$tool-restore"
done
export PATH=$TMP/bin:$PATH
flavour=$([ "$MODE" = nft ] && echo nf_tables || echo legacy)

CONF=$TMP/mssclampd.conf
STATS=$TMP/stats.log
JUMP="-p tcp -m tcp --tcp-flags SYN,RST SYN -j MSSCLAMPD"
# our rule, one queue (the test's usual setting) or two picked by CPU (once)
OURS_ONE="-A MSSCLAMPD -p tcp -m tcp --tcp-flags SYN,RST SYN -j NFQUEUE --queue-num 0 --queue-bypass"
OURS_BY_CPU="-A MSSCLAMPD -p tcp -m tcp --tcp-flags SYN,RST SYN -j NFQUEUE --queue-balance 0:1 --queue-bypass --queue-cpu-fanout"
QUEUE="queue = 0"
OURS=$OURS_ONE
OPERATOR="-A FORWARD -j MARK --set-xmark 0x7/0xffffffff"
PORT=6000

write_conf() { # write_conf HEAL
	cat >"$CONF" <<-EOF
	[global]
	$QUEUE
	stats_log = $STATS
	stats_interval = 3600
	queue_maxlen = 1
	heal_rules = $1
	[interface wan0]
	overhead = 8
	EOF
}

# The operator's own mangle rule, in FORWARD before ours: marks every packet.
operator_rules() {
	R iptables -t mangle -A FORWARD -j MARK --set-mark 7
	R ip6tables -t mangle -A FORWARD -j MARK --set-mark 7
}

# ours_exact TOOL: our chain, once, with its one rule; one jump per hook, the last in it.
ours_exact() {
	local tool=$1 hook
	[ "$(R "$tool" -t mangle -S MSSCLAMPD 2>/dev/null)" = "$(printf '%s\n%s' "-N MSSCLAMPD" "$OURS")" ] || return 1
	[ "$(R "$tool-save" -t mangle | grep -c '^:MSSCLAMPD ')" = 1 ] || return 1
	for hook in FORWARD OUTPUT INPUT; do
		[ "$(R "$tool" -t mangle -S "$hook" | grep -cxF -- "-A $hook $JUMP")" = 1 ] || return 1
		[ "$(R "$tool" -t mangle -S "$hook" | tail -n 1)" = "-A $hook $JUMP" ] || return 1
	done
}

both_exact() { ours_exact iptables && ours_exact ip6tables; }

# FORWARD, both families: the operator's rule, then our jump.
operator_first() {
	local tool
	for tool in iptables ip6tables; do
		[ "$(R "$tool" -t mangle -S FORWARD)" = "$(printf '%s\n%s\n%s' "-P FORWARD ACCEPT" "$OPERATOR" "-A FORWARD $JUMP")" ] ||
			return 1
	done
}

# no_queue_rule: our chain holds no NFQUEUE rule (or is gone).
no_queue_rule() { ! R iptables -t mangle -S MSSCLAMPD 2>/dev/null | grep -q NFQUEUE; }

status_line() { R "$MSSCLAMPD" status --socket "$TMP/control" | grep "^$1"; }

# syn_mss_at_server ADDR: a connection from the client; the MSS its SYN reached the server with.
syn_mss_at_server() {
	PORT=$((PORT + 1))
	capture "$NS_S" s0 "$TMP/s.$PORT.pcap"
	fetch "$NS_C" "$NS_S" "$1" "$PORT" 1000 >/dev/null
	stop_capture
	syn_mss "$TMP/s.$PORT.pcap" S "$PORT"
}

ms_now() { date +%s%3N; }

# wipe NAME ADDR KEEPS COMMAND...: a fresh daemon; COMMAND wipes; within 2 s
# our rules are back exactly and a SYN to ADDR arrives clamped; with KEEPS
# "operator", the operator's rule it left or put back comes before ours.
wipe() {
	local name=$1 addr=$2 keeps=$3 t0 took want
	shift 3
	stop_daemon TERM
	R iptables -t mangle -F
	R ip6tables -t mangle -F
	operator_rules
	rm -f "$STATS"
	write_conf yes
	start_daemon "$CONF" || { fail "$name: the daemon starts"; return; }
	both_exact || fail "$name: our rules after start" "$(R iptables-save -t mangle)"
	t0=$(ms_now)
	"$@"
	if wait_for 2 both_exact; then
		took=$(($(ms_now) - t0))
		pass "$name: our rules back exactly, after the operator's rule, in ${took} ms"
	else
		fail "$name: our rules not back within 2 s" "$(R iptables-save -t mangle; R ip6tables-save -t mangle)"
	fi
	if [ "$keeps" = operator ]; then
		check "$name: the operator's rule still before our jump" operator_first
	fi
	case $addr in *:*) want=1424 ;; *) want=1444 ;; esac
	check_eq "$name: a SYN through the router arrives clamped" "$want" "$(syn_mss_at_server "$addr")"
	check_eq "$name: one log line said what and that it was restored" 1 \
		"$(grep -c "^firewall: our rules were removed or altered (.*): restored them (1 time since start)$" "$DAEMON_LOG")"
	stats_now "$STATS"
	check_eq "$name: rules_restored=1" 1 "$(stats_field "$STATS" all rules_restored)"
	check_eq "$name: bypassed=0 (the new rule's count is no bypass)" 0 "$(stats_field "$STATS" all bypassed)"
	grep "^firewall: " "$DAEMON_LOG" | sed 's/^/	| /'
}

flush_mangle() { R iptables -t mangle -F; }
delete_chain() {
	local hook
	for hook in FORWARD OUTPUT INPUT; do R iptables -t mangle -D "$hook" $JUMP; done
	R iptables -t mangle -F MSSCLAMPD
	R iptables -t mangle -X MSSCLAMPD
}
delete_jump() { R iptables -t mangle -D FORWARD $JUMP; }
alter_rule() {
	R iptables -t mangle -R MSSCLAMPD 1 -p tcp --tcp-flags SYN,RST SYN -j NFQUEUE --queue-num 5 --queue-bypass
}
# queues picked by CPU become queues balanced by flow: the same queues, the wrong fanout
drop_fanout() {
	R iptables -t mangle -R MSSCLAMPD 1 -p tcp --tcp-flags SYN,RST SYN -j NFQUEUE --queue-balance 0:1 --queue-bypass
}
# netfilter-persistent reload: the whole mangle table replaced, the operator's rule in it, ours not
MANGLE='*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A FORWARD -j MARK --set-mark 7\nCOMMIT\n'
# shellcheck disable=SC2059
restore_mangle() { printf "$MANGLE" | R iptables-restore; }
# shellcheck disable=SC2059
restore_mangle6() { printf "$MANGLE" | R ip6tables-restore; }
nft_flush_ruleset() { R nft flush ruleset; }
nft_delete_table() { R nft delete table ip mangle; }

echo "== $MODE: each way of wiping the rules =="
wipe "mangle flush" 10.2.0.2 - flush_mangle
wipe "chain deleted" 10.2.0.2 operator delete_chain
wipe "FORWARD jump deleted" 10.2.0.2 operator delete_jump
wipe "NFQUEUE rule altered (queue 5)" 10.2.0.2 operator alter_rule
QUEUE=$'queue = 0-1\nqueue_fanout = cpu'
OURS=$OURS_BY_CPU
wipe "queues by CPU: the NFQUEUE rule without --queue-cpu-fanout" 10.2.0.2 operator drop_fanout
QUEUE="queue = 0"
OURS=$OURS_ONE
wipe "iptables-restore of mangle without our rules" 10.2.0.2 operator restore_mangle
wipe "IPv6 only: ip6tables-restore of mangle without our rules" fd02::2 operator restore_mangle6
if [ "$MODE" = nft ]; then
	wipe "nft flush ruleset" fd02::2 - nft_flush_ruleset
	wipe "nft delete table ip mangle" 10.2.0.2 - nft_delete_table
fi
check_eq "status: the flavour the daemon watches, the rules in place" \
	"firewall:  iptables ($flavour), rules in place" \
	"$(status_line firewall: | sed 's/ since .*//')"

echo "== $MODE: bypassed= across a repair =="
# The daemon stopped with a queue of 1: 20 SYNs, 1 queued, 19 let past by
# the kernel. After a repair the rule counts from 0 again; the count must
# carry on from there, not from the old rule's figure.
R iptables -t mangle -F MSSCLAMPD
wait_for 2 both_exact
sleep 1.5
stats_now "$STATS"
before=$(stats_field "$STATS" all bypassed)
restored=$(stats_field "$STATS" all rules_restored)
check_eq "an IPv4 repair first: bypassed 0, rules_restored 2" "0 2" "$before $restored"
LOG=$TMP/sent.jsonl
"$PY" "$CRAFT" build --log "$LOG" --mss4 1444 --mss6 1424 v4-mss1460=20 >/dev/null
kill -STOP "$DAEMON_PID"
craft_send --log "$LOG" --pps 2000 >/dev/null
kill -CONT "$DAEMON_PID"
sleep 1.5 # iptables-legacy: the helper thread reads the counts once a second
stats_now "$STATS"
check_eq "19 SYNs let past a full queue after a repair: bypassed counts them" $((before + 19)) \
	"$(stats_field "$STATS" all bypassed)"
check "... and the warning says so" grep -q "19 SYNs went past the queue unclamped" "$DAEMON_LOG"
R iptables -t mangle -F
wait_for 2 both_exact
sleep 1.5
stats_now "$STATS"
check_eq "another repair: bypassed neither grows nor goes back" $((before + 19)) \
	"$(stats_field "$STATS" all bypassed)"
check_eq "rules_restored counts every repair" 3 "$(stats_field "$STATS" all rules_restored)"

echo "== $MODE: heal_rules = no =="
stop_daemon TERM
write_conf no
start_daemon "$CONF" || exit 1
R iptables -t mangle -F
sleep 3
check "heal_rules = no: the rules stay wiped" no_queue_rule
check_eq "heal_rules = no: said once, with what is missing" 1 \
	"$(grep -c "^firewall: our rules were removed or altered (iptables: the NFQUEUE rule in MSSCLAMPD, jumps from FORWARD, OUTPUT, INPUT): not restored (heal_rules = no)$" "$DAEMON_LOG")"
check_eq "heal_rules = no: nothing restored" 0 "$(grep -c "restored them" "$DAEMON_LOG")"
check_eq "heal_rules = no: status says MISSING" "firewall:  iptables ($flavour), rules MISSING" \
	"$(status_line firewall: | sed 's/ since .*//')"
check_eq "heal_rules = no: status says healing off" "healing:   off, rules_restored 0" \
	"$(status_line healing:)"
write_conf yes
kill -HUP "$DAEMON_PID"
check "heal_rules = yes by SIGHUP: restored at once" wait_for 3 both_exact
check_eq "... and a SYN is clamped again" 1444 "$(syn_mss_at_server 10.2.0.2)"

echo "== $MODE: a wipe loop meets the back-off =="
stop_daemon TERM
R iptables -t mangle -F
R ip6tables -t mangle -F
operator_rules
write_conf yes
start_daemon "$CONF" || exit 1
cpu_before=$(awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat")
saw_waiting=0
for i in $(seq 40); do # 12 s, a wipe every 0.3 s
	R iptables -t mangle -F MSSCLAMPD
	sleep 0.3
	if [ $saw_waiting = 0 ] && status_line firewall: | grep -q "(backing off)$"; then
		saw_waiting=1
	fi
done
repairs=$(grep -c "restored them" "$DAEMON_LOG")
cpu=$(($(awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat") - cpu_before))
echo "40 wipes in 12 s: $repairs repairs, $cpu ticks of daemon CPU"
check "40 wipes: repaired, but backed off (3 at once, then 1, 2, 4 s apart): $repairs repairs" \
	test "$repairs" -ge 4 -a "$repairs" -le 7
check_eq "the back-off warned once" 1 "$(grep -c "our rules keep being removed" "$DAEMON_LOG")"
check "status showed the repair waiting (backing off)" test "$saw_waiting" = 1
check "the daemon did not spin: under 2 s of CPU ($cpu ticks)" test "$cpu" -lt 200
check "the wipes stopped: rules back within the longest wait so far (8 s)" wait_for 10 both_exact
check_eq "... and a SYN is clamped" 1444 "$(syn_mss_at_server 10.2.0.2)"
check_alive "the daemon runs on"
stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"
check_eq "SIGTERM: our rules gone, the operator's stay" "$OPERATOR" \
	"$(R iptables -t mangle -S | grep -e MSSCLAMPD -e MARK)"
check_eq "SIGTERM: the same for IPv6" "$OPERATOR" \
	"$(R ip6tables -t mangle -S | grep -e MSSCLAMPD -e MARK)"
summary
