#!/bin/bash
# smoke.sh: the benchmark in its quick mode (BENCH_QUICK: one round of 1 s
# runs), as a test that it still produces every figure: each SYN figure
# (clamped/s, unclamped %, CPU per SYN) of every setup, family and rate;
# each connect() p50 and p99 of every setup, family and direction; bulk
# TCP; the daemons' RSS; the full-rate ratios; and the nine target lines.
# Never their values: a benchmark does not gate on times. Root only (77
# otherwise), like the benchmark.
set -u
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
. "$SRC/tests/lib/check.sh"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, netfilter)"

tmp=$(mktemp -d /tmp/mssclampd-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
BENCH_QUICK=1 BENCH_RESULTS=$tmp/results "$SRC/tests/bench/bench.sh" "$BUILD" >"$tmp/report" 2>"$tmp/err"
rc=$?
[ $rc = 77 ] && skip "$(tail -n 1 "$tmp/report")"
check_eq "bench.sh (quick): exit status" 0 "$rc"
sed 's/^/	| /' "$tmp/report"

# number KEY: the figure KEY is in the results, and a number
number() { grep -qE "^$1=[0-9]+(\\.[0-9]+)?\$" "$tmp/results"; }

missing=
n=0
for s in A B C D; do
	for fam in 4 6; do
		for rate in 100k full; do
			for f in clamped_per_s unclamped_pct cpu_us_per_syn; do
				n=$((n + 1))
				number "syn\\.$s\\.ipv$fam\\.$rate\\.$f" || missing="$missing syn.$s.ipv$fam.$rate.$f"
			done
		done
		for dir in out in; do
			for f in p50_us p99_us; do
				n=$((n + 1))
				number "lat\\.$s\\.ipv$fam\\.$dir\\.$f" || missing="$missing lat.$s.ipv$fam.$dir.$f"
			done
		done
		n=$((n + 1))
		number "bulk\\.$s\\.ipv$fam\\.mb_per_s" || missing="$missing bulk.$s.ipv$fam"
	done
done
for s in C D; do
	n=$((n + 1))
	number "rss\\.$s\\.kib" || missing="$missing rss.$s"
	for fam in 4 6; do
		n=$((n + 1))
		number "ratio\\.$s\\.ipv$fam\\.full" || missing="$missing ratio.$s.ipv$fam"
	done
done
check_eq "every one of the $n figures is there, a number" "" "${missing# }"
check_eq "the report's nine target lines, each met or NOT MET" 9 \
	"$(grep -cE '^  (met|NOT MET) ' "$tmp/report")"
check_eq "nothing on stderr but progress" "" "$(grep -v -e '^running: ' -e '^round ' "$tmp/err")"
summary
