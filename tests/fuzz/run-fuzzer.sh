#!/bin/sh
# run-fuzzer.sh FUZZER SEED_CORPUS SECONDS
# Runs a libFuzzer target for a bounded time over a copy of the seed corpus
# (the repository's corpus is never written). Fails on any crash or leak.
set -u
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d /tmp/mssclampd-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus"
cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
cd "$work" || exit 1
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
	"$work/corpus" >"$work/log" 2>&1
rc=$?
tail -n 30 "$work/log"
exit $rc
