#!/bin/bash
# A bounded soak (issue 6): a steady SYN rate through the daemon for
# SOAK_SECONDS (default 120) while, every few seconds, wan0 flaps (down/up)
# and changes MTU, a LAN-side veth is deleted and re-created
# under its name (new ifindex), and SIGHUP reloads alternate two valid
# configs. Asserts: the daemon's open fds are exactly as many at the end as
# at the start, its RSS grows less than SOAK_RSS_KB (256 KiB) after warm-up,
# every SYN sent reaches the server (the daemon loses none; SYNs let past by
# fail-open count as not lost but are reported), and the counters add up:
# seen = clamped + unchanged + inserted + malformed + skipped = SYNs sent, and
# each category equals what was sent of it. Prints the figures for the note.
#
# The sender (craft.py, AF_PACKET, SOAK_PPS a second, default 200) is paused
# with SIGSTOP for the down/up flaps only: while wan0 is down the router has
# no route and drops SYNs itself, and a packet queued when its device goes
# down is flushed by the kernel; neither is the daemon's loss, and exact
# counts need none in flight then. MTU changes, interface churn and reloads
# all happen under traffic.
. "$(dirname "$0")/lib.sh"
need_root
need_scapy
topology

SECONDS_WANTED=${SOAK_SECONDS:-120}
PPS=${SOAK_PPS:-200}
RSS_LIMIT_KB=${SOAK_RSS_KB:-256}
WARMUP=2048               # a burst that fills every receive slot before the RSS baseline
LOG=$TMP/sent.jsonl
CONF=$TMP/mssclampd.conf

# wan0 keeps its IPv6 address across a down/up, like a PPPoE link's static one would be re-added
R sysctl -qw net.ipv6.conf.wan0.keep_addr_on_down=1
R ip link add lan1 type veth peer name lan1p
R ip link set lan1 up

write_config() { # write_config A|B
	if [ "$1" = A ]; then
		cat >"$CONF.new" <<EOF
[global]
stats_log = $TMP/stats.log
stats_json = $TMP/stats.json
stats_interval = 2
[interface wan0]
overhead = 8
[interface lan1]
overhead = 4
EOF
	else
		cat >"$CONF.new" <<EOF
[global]
stats_log = $TMP/stats.log
stats_json = $TMP/stats.json
stats_interval = 3
[interface wan*]
overhead = pppoe + 20
[interface lan1]
mtu = 1400
mss = 1300
EOF
	fi
	mv "$CONF.new" "$CONF"
}

# The SYNs each of the sender's rounds carries: all of them reach the daemon and the server.
MIX="v4-mss1460=60 v6-mss1460=40 v4-mss500=30 v6-nomss=30 v4-optlen0=20 v6-ext9=20"
ROUND=200

# Counters on the server: every crafted SYN that arrives (from the client, SYN set, RST clear).
S iptables -t raw -A PREROUTING -i s0 -s 10.1.0.2 -p tcp --tcp-flags SYN,RST SYN
S ip6tables -t raw -A PREROUTING -i s0 -s fd01::2 -p tcp --tcp-flags SYN,RST SYN
server_syns() {
	local tool total=0 n
	for tool in iptables ip6tables; do
		n=$(S "$tool" -t raw -L PREROUTING -v -x -n | awk 'NR > 2 { s += $1 } END { print s + 0 }')
		total=$((total + n))
	done
	echo "$total"
}

path_up() {
	C ping -c1 -W1 10.2.0.2 >/dev/null 2>&1 && C ping -c1 -W1 fd02::2 >/dev/null 2>&1
}

# sample LABEL: one line of RSS and fds.
sample() {
	local rss fds
	rss=$(daemon_rss_kb)
	fds=$(daemon_fds)
	echo "$1 rss_kb=$rss fds=$fds" >>"$TMP/samples"
	echo "sample $1: VmRSS $rss KiB, $fds fds"
}

asan=no
if nm -D "$MSSCLAMPD" 2>/dev/null | grep -q __asan_init || ldd "$MSSCLAMPD" 2>/dev/null | grep -q libasan; then
	asan=yes # ASan's quarantine holds freed memory: RSS is reported, not judged
fi

write_config A
start_daemon "$CONF" || exit 1
sample start
FDS_START=$(daemon_fds)

# shellcheck disable=SC2086 # $MIX is a list of KIND=COUNT words
"$PY" "$CRAFT" build --log "$LOG" --mss4 1444 --mss6 1424 --shuffle --seed "$ID" $MIX >/dev/null ||
	{ fail "craft.py build"; summary; exit 1; }

# Warm-up: a burst fills every receive slot the worker has, so the pages it
# will ever touch are touched before the baseline.
C "$PY" "$CRAFT" send --iface c0 --dmac "$(R cat /sys/class/net/lan0/address)" --log "$LOG" \
	--pps 20000 --repeat $((WARMUP / ROUND)) >/dev/null
SENT_WARMUP=$(( (WARMUP / ROUND) * ROUND ))
wait_for 10 more_than $((SENT_WARMUP - 1)) server_syns
check_eq "warm-up: every SYN of the burst reached the server" "$SENT_WARMUP" "$(server_syns)"

ROUNDS=$(( (SECONDS_WANTED * PPS + ROUND - 1) / ROUND ))
ip netns exec "$NS_C" "$PY" "$CRAFT" send --iface c0 --dmac "$(R cat /sys/class/net/lan0/address)" \
	--log "$LOG" --pps "$PPS" --repeat "$ROUNDS" >"$TMP/sender.out" 2>&1 &
SENDER=$!
cleanup_sender() { kill -9 "$SENDER" 2>/dev/null; cleanup; }
trap cleanup_sender EXIT

mtus=(1400 1300 1480 1492)
hups=0 flaps=0 mtu_changes=0 recreated=0 tick=0 config=A baseline_rss=
deadline=$((SECONDS_WANTED * 3 + 60))   # bounded even if the sender stalls
start_time=$SECONDS
while kill -0 "$SENDER" 2>/dev/null && [ $((SECONDS - start_time)) -lt "$deadline" ]; do
	sleep 1
	tick=$((tick + 1))
	if [ $((tick % 4)) = 0 ]; then
		config=$([ "$config" = A ] && echo B || echo A)
		write_config "$config"
		kill -HUP "$DAEMON_PID"
		hups=$((hups + 1))
	fi
	if [ $((tick % 6)) = 1 ]; then
		R ip link set wan0 mtu "${mtus[$((mtu_changes % 4))]}"
		mtu_changes=$((mtu_changes + 1))
	fi
	if [ $((tick % 7)) = 2 ]; then
		R ip link del lan1 # and its peer
		R ip link add lan1 type veth peer name lan1p
		R ip link set lan1 up
		recreated=$((recreated + 1))
	fi
	if [ $((tick % 10)) = 5 ]; then
		kill -STOP "$SENDER"
		sleep 0.2 # what is in flight lands
		R ip link set wan0 down
		sleep 0.3
		R ip link set wan0 up
		wait_for 3 path_up || fail "tick $tick: the path did not come back after the flap"
		kill -CONT "$SENDER"
		flaps=$((flaps + 1))
	fi
	if [ $((tick % 5)) = 0 ]; then
		sample "t=$tick"
		[ -z "$baseline_rss" ] && [ "$tick" -ge 10 ] && baseline_rss=$(daemon_rss_kb)
	fi
done
wait "$SENDER"
check_eq "the sender finished in time" 0 "$?"
SENT=$((SENT_WARMUP + ROUNDS * ROUND))
wait_for 10 more_than $((SENT - 1)) server_syns
sleep 0.5
sample end

check_alive "the daemon is still running"
FDS_END=$(daemon_fds)
RSS_END=$(daemon_rss_kb)
: "${baseline_rss:=$(awk 'NR == 1 { sub("rss_kb=", "", $2); print $2 }' "$TMP/samples")}"
check_eq "open fds: as many at the end as at the start" "$FDS_START" "$FDS_END"
growth=$((RSS_END - baseline_rss))
if [ "$asan" = yes ]; then
	echo "ASan build: RSS growth after warm-up $growth KiB, not judged (quarantine)"
else
	check "RSS after warm-up grew $growth KiB (< $RSS_LIMIT_KB KiB)" test "$growth" -lt "$RSS_LIMIT_KB"
fi

stats_now "$TMP/stats.json"
field() { stats_json_field "$TMP/stats.json" all "$1"; }
seen=$(field seen)
gaps=$(field gaps)
arrived=$(server_syns)
check_eq "every SYN sent reached the server (none lost by the daemon)" "$SENT" "$arrived"
check_eq "the daemon saw every SYN sent, or fail-open let it past (seen + gaps)" "$SENT" $((seen + gaps))
check_eq "counters add up: seen = clamped + unchanged + inserted + malformed + skipped" "$seen" \
	$(($(field clamped) + $(field unchanged) + $(field inserted) + $(field malformed) + $(field skipped)))
per_kind() { # per_kind KIND...: SYNs of these kinds sent, warm-up included
	local total=0 k n
	for k in "$@"; do
		n=$(echo "$MIX" | tr ' ' '\n' | sed -n "s/^$k=//p")
		total=$((total + n))
	done
	echo $(( total * (WARMUP / ROUND + ROUNDS) ))
}
if [ "$gaps" = 0 ]; then
	check_eq "clamped = the MSS 1460 SYNs sent" "$(per_kind v4-mss1460 v6-mss1460)" "$(field clamped)"
	check_eq "unchanged = the MSS 500 SYNs sent" "$(per_kind v4-mss500)" "$(field unchanged)"
	check_eq "inserted = the SYNs without MSS sent" "$(per_kind v6-nomss)" "$(field inserted)"
	check_eq "malformed = the bad option and 9-header SYNs sent" "$(per_kind v4-optlen0 v6-ext9)" "$(field malformed)"
	check_eq "skipped: none" 0 "$(field skipped)"
	check_eq "malformed by reason: bad_options" "$(per_kind v4-optlen0)" "$(field malformed_reasons.bad_options)"
	check_eq "malformed by reason: bad_ext_headers" "$(per_kind v6-ext9)" "$(field malformed_reasons.bad_ext_headers)"
else
	echo "fail-open: $gaps SYNs went past the daemon unclamped; per-category counts not judged"
fi
check_eq "every SIGHUP reloaded" "$hups" "$(grep -c '^reloaded ' "$TMP/daemon.log")"
check_eq "no reload refused" 0 "$(grep -c 'running configuration stays' "$TMP/daemon.log")"
check_eq "the re-created lan1 has the last config's ceiling ($config)" \
	"$([ "$config" = A ] && echo $((1500 - 4 - 40)) || echo 1300)" \
	"$(stats_json_field "$TMP/stats.json" lan1 mss4)"
wan_mtu=$(R cat /sys/class/net/wan0/mtu)
check_eq "the last ceiling follows wan0's last MTU ($wan_mtu) and the last config ($config)" \
	"$([ "$config" = A ] && echo $((wan_mtu - 8 - 40)) || echo $((wan_mtu - 28 - 40)))" \
	"$(stats_json_field "$TMP/stats.json" wan0 mss4)"

stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"

echo "figures: $SECONDS_WANTED s at $PPS SYN/s; SYNs sent $SENT, reached the server $arrived," \
	"seen by the daemon $seen, fail-open $gaps, verdict errors $(field verdict_errors)"
echo "figures: RSS $(head -n 1 "$TMP/samples" | sed 's/.*rss_kb=\([0-9]*\).*/\1/') KiB at start," \
	"$baseline_rss KiB after warm-up, $RSS_END KiB at the end; fds $FDS_START at start, $FDS_END at the end"
echo "figures: $hups reloads, $flaps wan0 flaps, $mtu_changes MTU changes, $recreated lan1 re-creations"
summary
