#!/bin/bash
# Per-family and per-interface policy, and what the operator sees of it:
# mss6 = caps IPv6 on its own; clamp = no leaves an interface's packets
# alone unless another interface on their path is clamped; the MSS values
# SYNs arrive with, per interface and family, in the JSON lines and the
# Prometheus textfile; and the whole-file checks, which refuse or warn the
# same at --check, at start-up and on reload.
. "$(dirname "$0")/lib.sh"
need_root
topology

# conf BODY: the config with the test's stats outputs, then BODY.
conf() {
	cat >"$TMP/mssclampd.conf" <<EOF
[global]
stats_log = $TMP/stats.log
stats_json = $TMP/stats.json
prometheus_textfile = $TMP/mssclampd.prom
stats_interval = 3600
$1
EOF
}

# reload_conf BODY: writes the config and reloads, waiting for the daemon to say so.
reload_conf() {
	conf "$1"
	reload_daemon reloaded
}

# ---- mss6: IPv6's own cap; IPv4 as the MTU says ----
conf "[interface wan0]
mss6 = 1300"
start_daemon "$TMP/mssclampd.conf" || exit 1
check_eq "mss6 1300: IPv4 MSS from wan0's 1492" 1452 "$(syn_at_server 9001 10.2.0.2)"
check_eq "mss6 1300: IPv6 MSS 1300" 1300 "$(syn_at_server 9002 fd02::2)"

# the MSS values SYNs arrived with: client SYN and server SYN-ACK, 1460 / 1440 each
stats_now "$TMP/stats.json"
check_eq "JSON: wan0's IPv4 SYNs arrived with 1460, two of them" 2 \
	"$(stats_json_field "$TMP/stats.json" wan0 ipv4.mss.1460)"
check_eq "JSON: wan0's IPv6 SYNs arrived with 1440, two of them" 2 \
	"$(stats_json_field "$TMP/stats.json" wan0 ipv6.mss.1440)"
check_eq "JSON: the totals too" 2 "$(stats_json_field "$TMP/stats.json" all ipv6.mss.1440)"
check_eq "JSON: no other IPv4 value" "ipv4.mss.1460=2" \
	"$("$PY" "$CRAFT" stats --json "$TMP/stats.json" --iface wan0 | grep '^ipv4\.mss\.')"
check "Prometheus: the labelled counter for wan0, IPv4, 1460" \
	grep -qx 'mssclampd_syn_mss_total{iface="wan0",family="ipv4",mss="1460"} 2' "$TMP/mssclampd.prom"
check "Prometheus: the labelled counter for wan0, IPv6, 1440" \
	grep -qx 'mssclampd_syn_mss_total{iface="wan0",family="ipv6",mss="1440"} 2' "$TMP/mssclampd.prom"
check "Prometheus: declared a counter once" \
	test "$(grep -c '^# TYPE mssclampd_syn_mss_total counter$' "$TMP/mssclampd.prom")" = 1
check "Prometheus: the notes" grep -qx 'mssclampd_notes_total{note="excluded"} 0' "$TMP/mssclampd.prom"

# ---- clamp = no ----
# lan0 not clamped, wan0 clamped: wan0 still clamps (lan0's own cap means nothing)
reload_conf "[interface lan0]
clamp = no
mss = 1300
[interface wan0]"
check "reload: the meaningless key is warned about" \
	grep -q "mssclampd.conf:6: warning: \[interface lan0\]: clamp = no: mss set nothing" "$DAEMON_LOG"
check_eq "lan0 clamp = no, wan0 clamped: IPv4 1452" 1452 "$(syn_at_server 9003 10.2.0.2)"
check_eq "lan0 clamp = no, wan0 clamped: IPv6 1432" 1432 "$(syn_at_server 9004 fd02::2)"

# both not clamped: the SYNs pass as they were sent, counted with note "excluded"
reload_conf "[interface *]
clamp = no"
check_eq "every interface clamp = no: IPv4 SYN arrives as sent, 1460" 1460 "$(syn_at_server 9005 10.2.0.2)"
check_eq "every interface clamp = no: IPv6 SYN arrives as sent, 1440" 1440 "$(syn_at_server 9006 fd02::2)"
stats_now "$TMP/stats.json"
check_eq "JSON: notes.excluded, a SYN and a SYN-ACK per family" 4 \
	"$(stats_json_field "$TMP/stats.json" all notes.excluded)"
# counted against the interface they leave by: the SYN wan0, the SYN-ACK lan0
check_eq "JSON: the excluded IPv4 SYN counts unchanged against wan0" 1 \
	"$(stats_json_field "$TMP/stats.json" wan0 ipv4.unchanged)"
check_eq "JSON: the excluded IPv4 SYN-ACK against lan0" 1 \
	"$(stats_json_field "$TMP/stats.json" lan0 ipv4.unchanged)"
check_eq "JSON: and their MSS values are still seen (2 + 2 before, 1 now on wan0)" 5 \
	"$(stats_json_field "$TMP/stats.json" wan0 ipv4.mss.1460)"
check_eq "JSON: ... and 1 on lan0" 1 "$(stats_json_field "$TMP/stats.json" lan0 ipv4.mss.1460)"
check "stats log: a configured interface that is not clamped shows no ceiling" \
	bash -c "grep ' iface=wan0 ' '$TMP/stats.log' | tail -n 1 | grep -vq mss4="

# ---- the whole-file checks: the same verdict at --check, start-up and reload ----
conf "user = root"
check_eq "--check: user = root is refused (exit 78, a config error)" 78 \
	"$(R "$MSSCLAMPD" -c "$TMP/mssclampd.conf" --check >/dev/null 2>&1; echo $?)"
reload_daemon "has errors"
check "reload: user = root refused with its reason" \
	grep -q "mssclampd.conf:6: user: 'root': is root (uid 0)" "$DAEMON_LOG"
check_eq "reload refused: the running config stays (every interface clamp = no)" 1460 \
	"$(syn_at_server 9007 10.2.0.2)"

conf "[interface wan0]
mtu = 500
overhead = 600"
check_eq "--check: overhead 600 on mtu 500 is refused (exit 78, a config error)" 78 \
	"$(R "$MSSCLAMPD" -c "$TMP/mssclampd.conf" --check >/dev/null 2>&1; echo $?)"
check "--check: and says why" bash -c "ip netns exec $NS_R $MSSCLAMPD -c $TMP/mssclampd.conf --check 2>&1 |
	grep -q 'overhead 600 leaves nothing of mtu 500'"

conf "[interface *]
[interface ppp*]
mss = 1400
[interface wan[9-0]]"
out=$(R "$MSSCLAMPD" -c "$TMP/mssclampd.conf" --check 2>&1)
check_eq "--check: sections that never apply are warnings (exit 0)" 0 "$?"
check "--check: a section hidden behind [interface *] is named" \
	grep -q "mssclampd.conf:7: warning: \[interface ppp\*\] never applies: \[interface \*\] on line 6" <<<"$out"
check "--check: a glob no name can match is named" \
	grep -q "warning: \[interface wan\[9-0\]\] can never apply" <<<"$out"
reload_conf "[interface *]
[interface ppp*]
mss = 1400
[interface wan[9-0]]"
check "reload: the same warnings, and the file is taken" \
	grep -q "warning: \[interface ppp\*\] never applies" "$DAEMON_LOG"
check_eq "reload taken: wan0 clamped again" 1452 "$(syn_at_server 9008 10.2.0.2)"

stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"

# start-up refuses what --check and reload refuse
conf "user = mssclampd-no-such-user"
R "$MSSCLAMPD" -c "$TMP/mssclampd.conf" >"$TMP/start.log" 2>&1
check_eq "start-up: a user that does not exist is refused (exit 78, a config error)" 78 "$?"
check "start-up: and said as FILE:LINE" \
	grep -q "mssclampd.conf:6: user: 'mssclampd-no-such-user': no such user" "$TMP/start.log"
summary
