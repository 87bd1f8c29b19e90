#!/bin/bash
# mssclampd against the kernel's own TCPMSS (issues 5 and 14). Not a
# pass/fail test: it measures and prints one report. Root only; everything
# happens in three network namespaces of its own, deleted on exit.
#
#   sudo tests/bench/bench.sh [BUILD_DIR]      (default $BUILD, else ./build)
#
# The integration tests' topology, from their tests/integration/lib.sh (with
# the router's ICMP "fragmentation needed"/"packet too big" left on, for the
# runs without clamping):
#
#   client (c0) ---- (lan0) router (wan0) ---- (s0) server
#   10.1.0.2/24   10.1.0.1    10.2.0.1   10.2.0.2/24
#   fd01::2/64    fd01::1     fd02::1    fd02::2/64
#
# wan0 has MTU 1492: the ceiling is MSS 1452 (IPv4) and 1432 (IPv6). The
# generator's SYNs (MSS 1460/1440, to port 9) are counted and dropped in the
# server's raw PREROUTING, split by -m tcpmss into clamped and unclamped, so
# the server's TCP stack costs nothing and answers nothing.
#
# Setups, measured in turn, round after round (each round starts one setup
# further on), so that drift on the machine spreads over all of them:
#   A  no clamping rule
#   B  the kernel: mangle FORWARD -j TCPMSS --set-mss 1452 (1432)
#   C  mssclampd, one queue            (queue = 100)
#   D  mssclampd, one queue per CPU    (queue = cpu: --queue-cpu-fanout, workers pinned)
# and with BENCH_AB=DAEMON, C' and D': the same from another build, for an
# A/B of two builds in the same run. Every daemon runs from the start with
# firewall = none; the benchmark puts in the rule of the setup it measures
# (the rule the daemon would install, in FORWARD) and takes it out after.
#
# Each round, each setup: SYN runs at BENCH_RATE and at the generator's
# full rate, IPv4 and IPv6 (whole-machine CPU from /proc/stat); connect()
# latency from the LAN (the SYN crosses outward, the SYN-ACK back) and
# from the WAN (the SYN-ACK crosses outward), both families; bulk TCP.
#
# Environment (defaults in brackets):
#   BENCH_ROUNDS [5]          rounds; each figure is the median of its rounds
#   BENCH_SECONDS [3]         each SYN run
#   BENCH_RATE [100000]       the fixed offered rate, SYN/s
#   BENCH_CONNECTS [3000]     timed connect()s per latency run (plus 200 warm-up)
#   BENCH_BULK_SECONDS [2]    each bulk transfer
#   BENCH_GEN_MODE [packet]   syngen -m: packet (AF_PACKET) or raw
#   BENCH_GEN_CPU [0]         the CPU the generator is pinned to; empty: not pinned
#   BENCH_QUEUE_MAXLEN []     the daemons' queue_maxlen; empty: the default
#   BENCH_RPS []              a CPU mask (hex) for RPS on the router's lan0 and wan0:
#                             packets spread over CPUs by flow, as a NIC with
#                             several queues would; empty: where they arrive
#   BENCH_AB []               another mssclampd binary: setups C' and D' from it
#   BENCH_QUICK []            non-empty: 1 round of 1 s runs, 200 connects, 1 s bulk
#                             (the test suite's smoke test: every figure, fast)
#   BENCH_RESULTS []          a file: every figure as key=value, for scripts
#   BENCH_KEEP []             non-empty: keep the temporary directory (logs)
#   BENCH_PROFILE []          a file: after the rounds, one more IPv4 full-rate run
#                             of setup D under perf record -a -g (the whole
#                             machine); its summary follows the report
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${BUILD:-$SRC/build}}
# the namespaces ($NS_C, $NS_R, $NS_S, deleted on exit), $TMP, C/R/S,
# wait_for, topology, cpu_queues
. "$SRC/tests/integration/lib.sh"
need_root ip iptables ip6tables ethtool cc taskset

ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
RATE=${BENCH_RATE:-100000}
CONNECTS=${BENCH_CONNECTS:-3000}
BULK_SECONDS=${BENCH_BULK_SECONDS:-2}
GEN_MODE=${BENCH_GEN_MODE:-packet}
GEN_CPU=${BENCH_GEN_CPU-0}
QUEUE_MAXLEN=${BENCH_QUEUE_MAXLEN:-}
RPS=${BENCH_RPS:-}
AB=${BENCH_AB:-}
RESULTS=${BENCH_RESULTS:-}
PROFILE=${BENCH_PROFILE:-}
if [ -n "${BENCH_QUICK:-}" ]; then
	ROUNDS=1 SECONDS_PER_RUN=1 CONNECTS=200 BULK_SECONDS=1
fi

if [ -n "$PROFILE" ] && ! command -v perf >/dev/null; then
	echo "BENCH_PROFILE: perf is not installed; running without the profile" >&2
	PROFILE=
fi
[ -x "$MSSCLAMPD" ] || { echo "no daemon at $MSSCLAMPD: build first, or pass BUILD_DIR"; exit 2; }
[ -z "$AB" ] || [ -x "$AB" ] || { echo "BENCH_AB: no daemon at $AB"; exit 2; }

SETUPS="A B C D"
[ -n "$AB" ] && SETUPS="A B C C2 D D2"
NCPU=$(cpu_queues)
AB_FANOUT=cpu # flow when the BENCH_AB daemon predates queue_fanout (then D' is its two queues by flow)
SERVE_PIDS=
PERF_PID=
PORT_OUT=5001  # listener in the server: connections from the LAN
PORT_IN=5002   # listener in the client: connections from the WAN
CLK_TCK=$(getconf CLK_TCK)
declare -A RES DPID

# lib.sh's, but with the profiler, the listeners and every daemon stopped first, and BENCH_KEEP
cleanup() {
	local s
	[ -n "$PERF_PID" ] && kill -INT "$PERF_PID" 2>/dev/null
	for s in "${!DPID[@]}"; do kill "${DPID[$s]}" 2>/dev/null; done
	for s in "${!DPID[@]}"; do wait "${DPID[$s]}" 2>/dev/null; done
	for s in $SERVE_PIDS; do kill "$s" 2>/dev/null; done
	remove_namespaces
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}

build_tools() {
	local tool
	for tool in syngen connlat; do
		cc -std=c11 -O2 -Wall -Wextra -o "$TMP/$tool" "$HERE/$tool.c" || exit 2
	done
}

# lib.sh's topology (neighbours resolved, so not in the first timed run), the
# server's counters, the listeners
bench_topology() {
	topology pmtud
	# The generator's SYNs: counted by MSS, then dropped before TCP sees them.
	# SYN without RST, as the router's rules match.
	S iptables -t raw -A PREROUTING -p tcp --dport 9 --tcp-flags SYN,RST SYN -m tcpmss --mss 0:1452 -j DROP
	S iptables -t raw -A PREROUTING -p tcp --dport 9 --tcp-flags SYN,RST SYN -m tcpmss --mss 1453:65535 -j DROP
	S iptables -t raw -A PREROUTING -p tcp --dport 9 -j DROP
	S ip6tables -t raw -A PREROUTING -p tcp --dport 9 --tcp-flags SYN,RST SYN -m tcpmss --mss 0:1432 -j DROP
	S ip6tables -t raw -A PREROUTING -p tcp --dport 9 --tcp-flags SYN,RST SYN -m tcpmss --mss 1433:65535 -j DROP
	S ip6tables -t raw -A PREROUTING -p tcp --dport 9 -j DROP
	ROUTER_MAC=$(R cat /sys/class/net/lan0/address)
	if [ -n "$RPS" ]; then
		R sh -c "echo $RPS >/sys/class/net/lan0/queues/rx-0/rps_cpus &&
			echo $RPS >/sys/class/net/wan0/queues/rx-0/rps_cpus" || { echo "BENCH_RPS: cannot set $RPS"; exit 2; }
	fi
	ip netns exec "$NS_S" "$TMP/connlat" serve "$PORT_OUT" 36000 &
	SERVE_PIDS="$SERVE_PIDS $!"
	ip netns exec "$NS_C" "$TMP/connlat" serve "$PORT_IN" 36000 &
	SERVE_PIDS="$SERVE_PIDS $!"
	wait_for 5 listening "$NS_S" "$PORT_OUT" && wait_for 5 listening "$NS_C" "$PORT_IN" ||
		{ echo "the listeners did not come up"; exit 1; }
}

# setup_queues SETUP: "FIRST COUNT FANOUT" of a daemon setup
setup_queues() {
	case $1 in
	C) echo "100 1 flow" ;;
	C2) echo "101 1 flow" ;;
	D) echo "0 $NCPU cpu" ;;
	D2) echo "200 $NCPU $AB_FANOUT" ;;
	esac
}

# start_setup SETUP BINARY: a daemon of its own, firewall = none; waits for it.
start_setup() {
	local s=$1 first count fanout conf=$TMP/$1.conf log=$TMP/daemon-$1.log
	read -r first count fanout <<<"$(setup_queues "$s")"
	{
		echo "[global]"
		if [ "$s" = D ]; then echo "queue = cpu"; else echo "queue = $first-$((first + count - 1))"; fi
		[ "$fanout" = cpu ] && [ "$s" != D ] && echo "queue_fanout = cpu"
		[ -n "$QUEUE_MAXLEN" ] && echo "queue_maxlen = $QUEUE_MAXLEN"
		echo "firewall = none"
		echo "stats_log = $TMP/stats-$s.log"
		echo "stats_interval = 3600"
		echo "control_socket = none"
		echo
		echo "[interface wan0]"
	} >"$conf"
	if [ "$s" = D2 ] && ! "$2" -c "$conf" --check >/dev/null 2>&1; then
		AB_FANOUT=flow # an older daemon: no queue_fanout, its queues balanced by flow
		sed -i '/^queue_fanout/d' "$conf"
	fi
	ip netns exec "$NS_R" "$2" -c "$conf" >"$log" 2>&1 &
	DPID[$s]=$!
	wait_for 10 grep -q "ready: " "$log" || { echo "daemon $s did not come up:"; cat "$log"; exit 1; }
}

# target SETUP FAMILY: the rule's target for a setup (empty: no rule)
target() {
	local first count fanout
	case $1 in
	A) ;;
	B) if [ "$2" = 6 ]; then echo "-j TCPMSS --set-mss 1432"; else echo "-j TCPMSS --set-mss 1452"; fi ;;
	*)
		read -r first count fanout <<<"$(setup_queues "$1")"
		if [ "$count" = 1 ]; then
			echo "-j NFQUEUE --queue-num $first --queue-bypass"
		elif [ "$fanout" = cpu ]; then
			echo "-j NFQUEUE --queue-balance $first:$((first + count - 1)) --queue-bypass --queue-cpu-fanout"
		else
			echo "-j NFQUEUE --queue-balance $first:$((first + count - 1)) --queue-bypass"
		fi ;;
	esac
}

# rules -A|-D SETUP: the setup's rule in the router's mangle FORWARD, both families
rules() {
	local fam tool t
	for fam in 4 6; do
		tool=iptables
		[ "$fam" = 6 ] && tool=ip6tables
		t=$(target "$2" "$fam")
		# shellcheck disable=SC2086
		[ -z "$t" ] || R "$tool" -t mangle "$1" FORWARD -p tcp --tcp-flags SYN,RST SYN $t
	done
}

# server_counts FAMILY: "clamped unclamped other" packets since the last zeroing.
server_counts() {
	local tool=iptables
	[ "$1" = 6 ] && tool=ip6tables
	S "$tool" -t raw -nvxL PREROUTING | awk 'NR > 2 { printf "%s ", $1 } END { print "" }'
}

zero_counts() {
	S iptables -t raw -Z PREROUTING
	S ip6tables -t raw -Z PREROUTING
}

# busy_ticks: every CPU's time not idle (nor waiting for I/O), from /proc/stat
busy_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# add KEY VALUE: one more round's value of a figure
add() { RES[$1]="${RES[$1]:-} $2"; }

# syn_run SETUP FAMILY RATE (0: full rate): one generator run
syn_run() {
	local s=$1 fam=$2 rate=$3 key="$1,$2,$3" out b0 b1 secs sent
	local clamped unclamped other src=10.1.0.2 dst=10.2.0.2 famopt=() pin=()
	if [ "$fam" = 6 ]; then src=fd01::2; dst=fd02::2; famopt=(-6); fi
	[ -n "$GEN_CPU" ] && pin=(taskset -c "$GEN_CPU")
	zero_counts
	b0=$(busy_ticks)
	out=$(C timeout $((SECONDS_PER_RUN + 10)) "${pin[@]}" "$TMP/syngen" "${famopt[@]}" -m "$GEN_MODE" \
		-i c0 -M "$ROUTER_MAC" -s $src -d $dst -r "$rate" -t "$SECONDS_PER_RUN")
	sleep 0.3 # what is still queued reaches the server
	b1=$(busy_ticks)
	read -r clamped unclamped other <<<"$(server_counts "$fam")"
	sent=$(echo "$out" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	[ -n "$secs" ] && [ -n "$clamped" ] || { echo "note: a SYN run of $s gave nothing ($out)" >&2; return; }
	awk -v s="$sent" -v c="$clamped" -v u="$unclamped" -v o="$other" -v t=$((b1 - b0)) -v hz="$CLK_TCK" -v secs="$secs" '
		BEGIN { d = c + u + o; printf "%.0f %.0f %.0f %.3f %.3f\n", s / secs, d / secs, c / secs,
			d ? 100 * u / d : 0, d ? t / hz * 1e6 / d : 0 }' >"$TMP/syn.out"
	read -r RES_SENT RES_DELIVERED RES_CLAMPED RES_UNCLAMPED RES_CPU <"$TMP/syn.out"
	add "$key,sent" "$RES_SENT"
	add "$key,delivered" "$RES_DELIVERED"
	add "$key,clamped" "$RES_CLAMPED"
	add "$key,unclamped" "$RES_UNCLAMPED"
	add "$key,cpu" "$RES_CPU"
}

# lat_run SETUP FAMILY DIRECTION: connect() latency; out: from the LAN, in: from the WAN
lat_run() {
	local addr out ns
	if [ "$3" = out ]; then
		ns=$NS_C addr=10.2.0.2 port=$PORT_OUT
		[ "$2" = 6 ] && addr=fd02::2
	else
		ns=$NS_S addr=10.1.0.2 port=$PORT_IN
		[ "$2" = 6 ] && addr=fd01::2
	fi
	out=$(ip netns exec "$ns" timeout 120 "$TMP/connlat" connect "$addr" "$port" "$CONNECTS" 200)
	add "$1,$2,$3,p50" "$(echo "$out" | sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p')"
	add "$1,$2,$3,p99" "$(echo "$out" | sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p')"
	add "$1,$2,$3,fail" "$(echo "$out" | sed -n 's/.*fail=\([0-9]*\).*/\1/p')"
}

# bulk_run SETUP FAMILY: one transfer from the LAN
bulk_run() {
	local addr=10.2.0.2
	[ "$2" = 6 ] && addr=fd02::2
	add "$1,$2,bulk" "$(C timeout $((BULK_SECONDS + 15)) "$TMP/connlat" bulk "$addr" "$PORT_OUT" \
		"$BULK_SECONDS" | sed -n 's/.*MBps=\([0-9.]*\).*/\1/p')"
}

# measure SETUP: everything, once, with the setup's rule in
measure() {
	local s=$1 fam rate dir
	rules -A "$s"
	for fam in 4 6; do
		for rate in "$RATE" 0; do syn_run "$s" "$fam" "$rate"; done
		for dir in out in; do lat_run "$s" "$fam" "$dir"; done
		bulk_run "$s" "$fam"
	done
	rules -D "$s"
}

# fig KEY: "median min max" of a figure's rounds; "- - -" if it has none
fig() {
	echo "${RES[$1]:-}" | tr ' ' '\n' | grep . | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "- - -";
			else printf "%s %s %s\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'
}
med() { fig "$1" | cut -d' ' -f1; }
calc() { awk "BEGIN { $1 }" </dev/null; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
build_tools
bench_topology
for s in $SETUPS; do
	case $s in
	C | D) start_setup "$s" "$MSSCLAMPD" ;;
	C2 | D2) start_setup "$s" "$AB" ;;
	esac
done

n_setups=$(echo "$SETUPS" | wc -w)
echo "running: $ROUNDS rounds x $n_setups setups (about $((ROUNDS * n_setups * (4 * SECONDS_PER_RUN + 2 * BULK_SECONDS + 6) + 10)) s); load average $LOAD_BEFORE" >&2
for round in $(seq "$ROUNDS"); do
	# each round starts one setup further on
	order=$(echo "$SETUPS" | tr ' ' '\n' | awk -v r="$round" -v n="$n_setups" '{ s[NR - 1] = $0 }
		END { for (i = 0; i < n; i++) print s[(i + r - 1) % n] }')
	for s in $order; do
		measure "$s"
	done
	echo "round $round of $ROUNDS done (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
done
for s in $SETUPS; do
	[ -n "${DPID[$s]:-}" ] && RES[$s,hwm]=$(awk '/^VmHWM:/ { print $2 }' "/proc/${DPID[$s]}/status")
done

if [ -n "$PROFILE" ]; then
	rules -A D
	perf record -q -a -g -o "$PROFILE" -- sleep "$((SECONDS_PER_RUN > 2 ? SECONDS_PER_RUN - 1 : 1))" >/dev/null 2>&1 &
	PERF_PID=$!
	syn_run P 4 0
	wait "$PERF_PID" 2>/dev/null
	PERF_PID=
	rules -D D
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the report ----
setup_name() {
	case $1 in
	A) echo "A no clamping" ;;
	B) echo "B kernel TCPMSS" ;;
	C) echo "C mssclampd, 1 queue" ;;
	C2) echo "C' BENCH_AB, 1 queue" ;;
	D) echo "D mssclampd, per CPU" ;;
	D2) if [ "$AB_FANOUT" = cpu ]; then echo "D' BENCH_AB, per CPU"; else echo "D' BENCH_AB, $NCPU by flow"; fi ;;
	esac
}
rate_name() { if [ "$1" = 0 ]; then echo full; else echo "$(($1 / 1000))k"; fi; }
verdict() { if [ "$1" = 1 ]; then echo met; else echo "NOT MET"; fi; }
# result KEY VALUE: one line of BENCH_RESULTS
result() { [ -z "$RESULTS" ] || echo "$1=$2" >>"$RESULTS"; }
[ -z "$RESULTS" ] || : >"$RESULTS"

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "mssclampd benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r), $(iptables -V)"
echo "load average before: $LOAD_BEFORE, after: $LOAD_AFTER (other work on the machine skews every number)"
echo "daemon $($MSSCLAMPD -V 2>/dev/null | awk '{ print $2 }') at $(git -C "$SRC" describe --always --dirty 2>/dev/null || echo '?')" \
	"($MSSCLAMPD)${AB:+, BENCH_AB $AB}; queue_maxlen ${QUEUE_MAXLEN:-default}; per CPU: $NCPU queues"
echo "router: packets handled on the CPU they arrive on${RPS:+, but spread by RPS over CPUs $RPS (hex mask)}"
echo "generator: syngen -m $GEN_MODE${GEN_CPU:+ pinned to CPU $GEN_CPU}; $ROUNDS rounds, setups in turn;" \
	"each figure the median of the rounds [lowest..highest]"
echo
echo "SYNs through the router, per second, ${SECONDS_PER_RUN} s runs (unclamped: arrived with an MSS above"
echo "1452/1432; CPU: every CPU's busy time (/proc/stat) per SYN delivered; +CPU: that less no rule's;"
echo "x kernel: the daemon's +CPU over the kernel's)"
printf "%-6s %-7s %-21s %10s %10s %22s %9s %18s %8s %9s\n" \
	family offered setup sent/s delivered/s clamped/s unclamped "CPU us/SYN" "+CPU" "x kernel"
for fam in 4 6; do
	for rate in "$RATE" 0; do
		for s in $SETUPS; do
			k="$s,$fam,$rate"
			read -r cl cl_lo cl_hi <<<"$(fig "$k,clamped")"
			read -r cpu cpu_lo cpu_hi <<<"$(fig "$k,cpu")"
			add_cpu=- x_kernel=-
			if [ "$s" != A ] && [ "$cpu" != - ] && [ "$(med "A,$fam,$rate,cpu")" != - ]; then
				add_cpu=$(calc "printf \"%+.2f\", $cpu - $(med "A,$fam,$rate,cpu")")
			fi
			if [ "$s" != A ] && [ "$s" != B ] && [ "$add_cpu" != - ]; then
				kadd=$(calc "printf \"%.3f\", $(med "B,$fam,$rate,cpu") - $(med "A,$fam,$rate,cpu")")
				# the kernel's own cost is within the noise of no rule: no ratio
				x_kernel=$(calc "k = $kadd; if (k > 0.005) printf \"%.0f\", $add_cpu / k; else printf \"n/a\"")
			fi
			RES[$k,addcpu]=$add_cpu
			printf "IPv%-3s %-7s %-21s %10s %10s %22s %8s%% %18s %8s %9s\n" "$fam" "$(rate_name "$rate")" \
				"$(setup_name "$s")" "$(med "$k,sent")" "$(med "$k,delivered")" "$cl [$cl_lo..$cl_hi]" \
				"$(med "$k,unclamped")" "$cpu [$cpu_lo..$cpu_hi]" "$add_cpu" "$x_kernel"
			result "syn.$s.ipv$fam.$(rate_name "$rate").clamped_per_s" "$cl"
			result "syn.$s.ipv$fam.$(rate_name "$rate").unclamped_pct" "$(med "$k,unclamped")"
			result "syn.$s.ipv$fam.$(rate_name "$rate").cpu_us_per_syn" "$cpu"
		done
	done
done
echo
echo "connect() latency, $CONNECTS sequential connections per run, microseconds; out: from the LAN (the SYN"
echo "crosses outward, then its SYN-ACK back); in: from the WAN (the SYN-ACK crosses outward)"
printf "%-6s %-4s %-21s %20s %20s %8s %8s %6s\n" family dir setup p50 p99 "+p50" "+p99" fails
for fam in 4 6; do
	for dir in out in; do
		for s in $SETUPS; do
			k="$s,$fam,$dir"
			read -r p50 p50_lo p50_hi <<<"$(fig "$k,p50")"
			read -r p99 p99_lo p99_hi <<<"$(fig "$k,p99")"
			a50=- a99=-
			if [ "$s" != A ] && [ "$s" != B ] && [ "$p50" != - ]; then
				a50=$(calc "printf \"%+.1f\", $p50 - $(med "B,$fam,$dir,p50")")
				a99=$(calc "printf \"%+.1f\", $p99 - $(med "B,$fam,$dir,p99")")
			fi
			RES[$k,add50]=$a50
			RES[$k,add99]=$a99
			fails=$(echo "${RES[$k,fail]:-}" | tr ' ' '\n' | awk '{ n += $1 } END { print n + 0 }')
			printf "IPv%-3s %-4s %-21s %20s %20s %8s %8s %6s\n" "$fam" "$dir" "$(setup_name "$s")" \
				"$p50 [$p50_lo..$p50_hi]" "$p99 [$p99_lo..$p99_hi]" "$a50" "$a99" "$fails"
			result "lat.$s.ipv$fam.$dir.p50_us" "$p50"
			result "lat.$s.ipv$fam.$dir.p99_us" "$p99"
		done
	done
done
echo
echo "bulk TCP from the LAN, MB/s, ${BULK_SECONDS} s per run"
printf "%-6s %-21s %24s\n" family setup MB/s
for fam in 4 6; do
	for s in $SETUPS; do
		read -r mb mb_lo mb_hi <<<"$(fig "$s,$fam,bulk")"
		printf "IPv%-3s %-21s %24s\n" "$fam" "$(setup_name "$s")" "$mb [$mb_lo..$mb_hi]"
		result "bulk.$s.ipv$fam.mb_per_s" "$mb"
	done
done
echo
printf "daemons' peak RSS (VmHWM):"
for s in $SETUPS; do
	[ -n "${RES[$s,hwm]:-}" ] || continue
	printf " %s %s KiB;" "$(setup_name "$s" | cut -d' ' -f1)" "${RES[$s,hwm]}"
	result "rss.$s.kib" "${RES[$s,hwm]}"
done
echo

# ---- the targets of issue 14 ----
echo
echo "targets (issue 14; C: one queue, D: per CPU)"
line() { printf "  %-8s %-64s %s\n" "$(verdict "$1")" "$2" "$3"; }
for s in C D; do
	ok=1 why=
	for fam in 4 6; do
		for dir in out in; do
			a50=${RES[$s,$fam,$dir,add50]} a99=${RES[$s,$fam,$dir,add99]}
			[ "$a50" != - ] && [ "$(calc "print ($a50 <= 30 && $a99 <= 100)")" = 1 ] || ok=0
			why="$why IPv$fam $dir $a50/$a99;"
		done
	done
	line "$ok" "$s: connect() added over the kernel: p50 <= +30 us, p99 <= +100 us" "${why% ;}"
done
for s in C D; do
	ok=1 why=
	for fam in 4 6; do
		k="$s,$fam,$RATE"
		[ "$(med "$k,unclamped")" = 0.000 ] && [ "$(calc "print ($(med "$k,delivered") >= $RATE * 0.98)")" = 1 ] || ok=0
		why="$why IPv$fam $(med "$k,clamped")/s clamped, $(med "$k,unclamped")% unclamped;"
	done
	line "$ok" "$s: at $(rate_name "$RATE") SYN/s offered every SYN clamped" "${why% ;}"
done
for s in C D; do
	ok=1 why=
	for fam in 4 6; do
		k="$s,$fam,$RATE"
		kadd=$(calc "printf \"%.3f\", $(med "B,$fam,$RATE,cpu") - $(med "A,$fam,$RATE,cpu")")
		[ "$(calc "print (${RES[$k,addcpu]} <= 2 * $kadd)")" = 1 ] || ok=0
		why="$why IPv$fam ${RES[$k,addcpu]} us against the kernel's $(calc "printf \"%+.2f\", $kadd");"
	done
	line "$ok" "$s: whole-machine CPU per SYN at $(rate_name "$RATE")/s within 2x the kernel's (less no rule)" "${why% ;}"
done
for s in C D; do
	ok=1 why=
	for fam in 4 6; do
		k="$s,$fam,0"
		ratio=$(calc "b = $(med "B,$fam,0,clamped"); printf \"%.2f\", b ? $(med "$k,clamped") / b : 0")
		[ "$(calc "print ($ratio >= 0.9 && $(med "$k,unclamped") <= 0.1)")" = 1 ] || ok=0
		why="$why IPv$fam $ratio x kernel, $(med "$k,unclamped")% unclamped;"
		result "ratio.$s.ipv$fam.full" "$ratio"
	done
	line "$ok" "$s: at full rate >= 0.9 x the kernel's clamped rate, <= 0.1% unclamped" "${why% ;}"
done
# At the fixed rate both clamp what is offered (within 1%: a SYN more or
# less is noise); at full rate, clamped/s and the unclamped share; p50.
ok=1 why=
for fam in 4 6; do
	d=$(med "D,$fam,$RATE,clamped") c=$(med "C,$fam,$RATE,clamped")
	[ "$(calc "print ($d >= 0.99 * $c && $(med "D,$fam,$RATE,unclamped") <= $(med "C,$fam,$RATE,unclamped"))")" = 1 ] || ok=0
	d=$(med "D,$fam,0,clamped") c=$(med "C,$fam,0,clamped")
	[ "$(calc "print ($d >= $c && $(med "D,$fam,0,unclamped") <= $(med "C,$fam,0,unclamped"))")" = 1 ] || ok=0
	why="$why IPv$fam full $d vs $c/s clamped, $(med "D,$fam,0,unclamped") vs $(med "C,$fam,0,unclamped")% unclamped;"
	for dir in out in; do
		[ "$(calc "print ($(med "D,$fam,$dir,p50") <= $(med "C,$fam,$dir,p50"))")" = 1 ] || ok=0
		why="$why p50 $dir $(med "D,$fam,$dir,p50") vs $(med "C,$fam,$dir,p50");"
	done
done
line "$ok" "per CPU ($NCPU queues) no worse than 1 queue: all clamped at $(rate_name "$RATE"), full rate, p50" "${why% ;}"
echo "  (issue 5) peak RSS <= 4 MiB: C ${RES[C,hwm]:-?} KiB, D ${RES[D,hwm]:-?} KiB"

if [ -n "$PROFILE" ] && [ -s "$PROFILE" ]; then
	echo
	echo "profile of the whole machine, per CPU (D), IPv4, full rate, an extra run (perf record -a -g; perf report -i $PROFILE)"
	echo "  by task:"
	perf report -i "$PROFILE" --no-children --sort comm --stdio -g none 2>/dev/null |
		awk '/%/ { printf "    %8s  %s\n", $1, $2 }' | head -n 8
	echo "  where the time goes, by entry point (children):"
	perf report -i "$PROFILE" --children --sort sym --stdio -g none 2>/dev/null |
		grep -E '\] (__libc_sendto|__recvmmsg|__sendmmsg|nfqnl_enqueue_packet|nfqnl_recv_verdict|nf_reinject|netlink_recvmsg|schedule|try_to_wake_up|sched_yield|__x64_sys_sched_yield|do_idle)$' |
		awk '{ printf "    %8s  %s\n", $1, $NF }'
	echo "  top functions (self):"
	perf report -i "$PROFILE" --no-children --sort sym --stdio -g none 2>/dev/null |
		awk '/%/ { printf "    %8s  %s %s\n", $1, $2, $3 }' | head -n 20
fi
