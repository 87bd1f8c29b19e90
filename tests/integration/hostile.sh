#!/bin/bash
# Malformed and hostile SYNs mixed with valid ones (issue 6), and the stats
# log's counters against the packets sent in each category (issue 3).
#
# craft.py builds about forty kinds of packet (its table says what each one
# is and what must become of it): valid SYNs to clamp, to leave and to give
# an MSS; bad option lengths, truncated TCP headers, data offsets below 5 and
# past the end, cut first fragments, IPv6 chains of nine headers or running
# past the end, non-first fragments; and headers the router's kernel itself
# drops before netfilter. For each iptables backend (nft, then legacy, whose
# tcp match differs):
# 1. each kind alone: what the rule queued (its own counter), what the
#    daemon counted (by action, family and malformed reason), what reached
#    the server (byte-identical to what must arrive: clamped, MSS inserted,
#    or exactly as sent but for TTL/hop limit and the IPv4 header checksum);
# 2. a shuffled flood of every kind: the same, in total, in the JSON and the
#    logfmt stats, and the kernel's own drop counters for what it refused;
# 3. the daemon is still running and still clamps a real connection.
#
# Environment: HOSTILE_BACKENDS (default "nft legacy"), HOSTILE_COUNT
# (packets of each kind in the flood, default 150).
. "$(dirname "$0")/lib.sh"
need_root
need_scapy
topology

MSS4=1444                 # wan0: 1492 - 8 (overhead) - 40
MSS6=1424                 # 1492 - 8 - 60
FLOOD=${HOSTILE_COUNT:-150}
PROBE=5                   # packets of each kind alone
LOG=$TMP/sent.jsonl
NEXT=1                    # the next free serial number (IPv4 ID, IPv6 flow label)
KEYS='seen|clamped|unchanged|inserted|malformed|skipped|ipv[46]\.(clamped|unchanged|inserted|malformed|skipped)|malformed_reasons\.[a-z_]+'

# counters FILE IFACE: the daemon's cumulative counters from its JSON stats, sorted.
counters() {
	"$PY" "$CRAFT" stats --json "$1" --iface "$2" | grep -E "^($KEYS)=" | sort
}

# expected FROM TO: the counters the packets FROM..TO-1 must produce.
expected() {
	"$PY" "$CRAFT" expect --log "$LOG" --backend "$backend" --from "$1" --to "$2" |
		grep -E "^($KEYS)=" | sort
}

expected_field() {
	"$PY" "$CRAFT" expect --log "$LOG" --backend "$backend" --from "$1" --to "$2" |
		sed -n "s/^$3=//p"
}

# delta OLD NEW: NEW - OLD per key (a key missing from OLD counts 0).
delta() {
	awk -F= 'FILENAME == ARGV[1] { old[$1] = $2; next } { print $1 "=" $2 - old[$1] }' "$1" "$2"
}

nonzero() {
	local out
	out=$(grep -v '=0$' | tr '\n' ' ')
	echo "${out:-none}"
}

# rule_queued: packets the queue rules of both families have matched so far.
rule_queued() {
	local tool total=0 n
	for tool in iptables ip6tables; do
		n=$(R "$tool-$backend" -t mangle -L MSSCLAMPD -v -x -n 2>/dev/null |
			awk '/NFQUEUE/ { s += $1 } END { print s + 0 }')
		total=$((total + n))
	done
	echo "$total"
}

# verified FROM TO: what of FROM..TO-1 reached the server, and how.
verified() {
	"$PY" "$CRAFT" verify --log "$LOG" --pcap "$PCAP" --backend "$backend" \
		--from "$1" --to "$2" | grep -E '^(arrived|identical|missing|mismatched|unexpected|duplicates)=' |
		tr '\n' ' '
}

should_arrive() {
	local n=$1
	echo "arrived=$n duplicates=0 identical=$n mismatched=0 missing=0 unexpected=0 "
}

arrived() {
	"$PY" "$CRAFT" arrived --pcap "$PCAP" --from "$1" --to "$2"
}

# kernel_counter NAME: one of the router's SNMP counters.
kernel_counter() {
	R nstat -asz "$1" 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'
}

# kind_count FROM TO KIND...: how many of FROM..TO-1 are of these kinds.
kind_count() {
	local from=$1 to=$2
	shift 2
	"$PY" - "$LOG" "$from" "$to" "$@" <<'EOF'
import json, sys
log, first, last, kinds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), set(sys.argv[4:])
print(sum(1 for line in open(log) for r in [json.loads(line)]
          if first <= r["n"] < last and r["kind"] in kinds))
EOF
}

syn_at_server() {
	capture "$NS_S" s0 "$TMP/s.$1.pcap"
	fetch "$NS_C" "$NS_S" "$2" "$1" 100000 >/dev/null
	stop_capture
	syn_mss "$TMP/s.$1.pcap" S "$1"
}

run_backend() {
	backend=$1
	local stats=$TMP/stats.$backend.json logfmt=$TMP/stats.$backend.log
	local first=$NEXT kind from to
	local hdr4 csum4 trunc4 hdr6 trunc6

	echo "== backend $backend =="
	cat >"$TMP/mssclampd.conf" <<EOF
[global]
stats_log = $logfmt
stats_json = $stats
stats_interval = 3600
[interface wan0]
overhead = 8
EOF
	remove_leftover_rules # a crash in the previous backend must not queue every SYN twice
	start_daemon "$TMP/mssclampd.conf" || { fail "$backend: the daemon starts"; return; }
	PCAP=$TMP/server.$backend.pcap
	capture_ip "$NS_S" s0 "$PCAP"
	hdr4=$(kernel_counter IpInHdrErrors)
	csum4=$(kernel_counter IpExtInCsumErrors)
	trunc4=$(kernel_counter IpExtInTruncatedPkts)
	hdr6=$(kernel_counter Ip6InHdrErrors)
	trunc6=$(kernel_counter Ip6InTruncatedPkts)

	# 1. Each kind alone
	"$PY" "$CRAFT" build --log "$LOG" --start "$NEXT" --mss4 $MSS4 --mss6 $MSS6 \
		all=$PROBE >"$TMP/groups" || { fail "$backend: craft.py build"; return; }
	NEXT=$(sed -n 's/^next //p' "$TMP/groups")
	: >"$TMP/before"
	while read -r kind from to; do
		[ "$kind" = next ] && continue
		kill -0 "$DAEMON_PID" 2>/dev/null || break # reported below, with its log
		local queued_before arrive
		queued_before=$(rule_queued)
		arrive=$(expected_field "$from" "$to" arrives)
		craft_send --log "$LOG" --from "$from" --to "$to" >/dev/null
		wait_for 5 more_than $((arrive - 1)) arrived "$from" "$to"
		sleep 0.1 # what arrives nowhere: the kernel dropped it at once, or never will
		stats_now "$stats"
		counters "$stats" all >"$TMP/after"
		check_eq "$backend $kind: the rule queued" "$(expected_field "$from" "$to" seen)" \
			"$(($(rule_queued) - queued_before))"
		check_eq "$backend $kind: the daemon counted" "$(expected "$from" "$to" | nonzero)" \
			"$(delta "$TMP/before" "$TMP/after" | nonzero)"
		check_eq "$backend $kind: reached the server" "$(should_arrive "$arrive")" \
			"$(verified "$from" "$to")"
		mv "$TMP/after" "$TMP/before"
	done <"$TMP/groups"
	check_alive "$backend: the daemon survived every kind"

	# 2. A shuffled flood of every kind
	local flood_from=$NEXT sent
	"$PY" "$CRAFT" build --log "$LOG" --start "$NEXT" --mss4 $MSS4 --mss6 $MSS6 \
		--shuffle --seed "$ID" all="$FLOOD" >"$TMP/groups" || { fail "$backend: craft.py build"; return; }
	NEXT=$(sed -n 's/^next //p' "$TMP/groups")
	sent=$(craft_send --log "$LOG" --from "$flood_from" --to "$NEXT" --pps 20000)
	local arrive
	arrive=$(expected_field "$flood_from" "$NEXT" arrives)
	wait_for 30 more_than $((arrive - 1)) arrived "$flood_from" "$NEXT"
	sleep 0.2
	stats_now "$stats"
	check_eq "$backend flood: packets sent" "$((NEXT - flood_from))" "$sent"
	check_alive "$backend flood: the daemon is still running"
	check_eq "$backend flood: every packet that should reached the server, as it should" \
		"$(should_arrive "$arrive")" "$(verified "$flood_from" "$NEXT")"
	check_eq "$backend: JSON stats, iface=all, equal what was sent in each category" \
		"$(expected "$first" "$NEXT" | nonzero)" "$(counters "$stats" all | nonzero)"
	check_eq "$backend: JSON stats, iface=wan0 (the limiting interface) the same" \
		"$(expected "$first" "$NEXT" | grep -v malformed_reasons | nonzero)" \
		"$(counters "$stats" wan0 | nonzero)"
	for field in seen clamped unchanged inserted malformed skipped ipv4 ipv6; do
		check_eq "$backend: stats log, wan0 $field" "$(expected_field "$first" "$NEXT" $field)" \
			"$(stats_field "$logfmt" wan0 $field)"
		check_eq "$backend: stats log, all $field" "$(expected_field "$first" "$NEXT" $field)" \
			"$(stats_field "$logfmt" all $field)"
	done
	check_eq "$backend: stats log, no SYN went past the daemon (gaps)" 0 "$(stats_field "$logfmt" all gaps)"
	check_eq "$backend: stats log, no verdict refused" 0 "$(stats_field "$logfmt" all verdict_errors)"
	check_eq "$backend: nothing counted on lan0 (wan0 sets every ceiling)" "" "$(stats_field "$logfmt" lan0 seen)"

	# What the router's kernel refused before netfilter, by its own counters
	check_eq "$backend: router IpInHdrErrors (bad checksum, IHL 4)" \
		"$(kind_count "$first" "$NEXT" v4-badcsum v4-ihl4)" "$(($(kernel_counter IpInHdrErrors) - hdr4))"
	check_eq "$backend: router IpExtInCsumErrors (bad checksum)" \
		"$(kind_count "$first" "$NEXT" v4-badcsum)" "$(($(kernel_counter IpExtInCsumErrors) - csum4))"
	check_eq "$backend: router IpExtInTruncatedPkts (total length past the end)" \
		"$(kind_count "$first" "$NEXT" v4-totlen-long)" "$(($(kernel_counter IpExtInTruncatedPkts) - trunc4))"
	check_eq "$backend: router Ip6InHdrErrors (truncated hop-by-hop header)" \
		"$(kind_count "$first" "$NEXT" v6-hbh-trunc)" "$(($(kernel_counter Ip6InHdrErrors) - hdr6))"
	check_eq "$backend: router Ip6InTruncatedPkts (payload length past the end)" \
		"$(kind_count "$first" "$NEXT" v6-paylen-long)" "$(($(kernel_counter Ip6InTruncatedPkts) - trunc6))"
	stop_capture

	# 3. Still clamping real TCP
	check_eq "$backend after the flood: a real IPv4 SYN is clamped" $MSS4 "$(syn_at_server 8001 10.2.0.2)"
	check_eq "$backend after the flood: a real IPv6 SYN is clamped" $MSS6 "$(syn_at_server 8002 fd02::2)"
	stop_daemon TERM
	check_eq "$backend: SIGTERM, exit status" 0 "$?"
	check_eq "$backend: SIGTERM, no rules left" 0 \
		"$( (R "iptables-$backend-save" -t mangle; R "ip6tables-$backend-save" -t mangle) | grep -c MSSCLAMPD)"
}

for b in ${HOSTILE_BACKENDS:-nft legacy}; do
	case $b in
	nft)
		run_backend nft
		;;
	legacy)
		# the daemon runs "iptables" from PATH: point it at the legacy tools
		if ! R iptables-legacy -t mangle -L -n >/dev/null 2>&1 ||
		   ! R ip6tables-legacy -t mangle -L -n >/dev/null 2>&1; then
			echo "backend legacy: skipped (iptables-legacy unusable here)"
			continue
		fi
		mkdir -p "$TMP/legacy-bin"
		ln -sf "$(command -v iptables-legacy)" "$TMP/legacy-bin/iptables"
		ln -sf "$(command -v ip6tables-legacy)" "$TMP/legacy-bin/ip6tables"
		saved_path=$PATH
		export PATH=$TMP/legacy-bin:$PATH
		run_backend legacy
		export PATH=$saved_path
		;;
	*)
		fail "unknown backend $b"
		;;
	esac
done
summary
