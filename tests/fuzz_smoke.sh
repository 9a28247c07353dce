#!/usr/bin/env bash
# Smoke runs of a fuzz target in the fuzz (libFuzzer) or afl (AFL++) build:
# a short campaign from the seed corpus must run and find nothing.
#   fuzz_smoke.sh libfuzzer BINARY CORPUS SECONDS
#   fuzz_smoke.sh afl       BINARY CORPUS SECONDS
set -uo pipefail
kind=$1 binary=$2 corpus=$3 seconds=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$kind" = libfuzzer ]; then
  mkdir -p "$work/corpus" && cp "$corpus"/* "$work/corpus/"
  (cd "$work" && "$binary" -max_total_time="$seconds" -max_len=4096 corpus > log 2>&1)
  status=$?
  grep -E "^#[0-9]+ +DONE" "$work/log" || tail -30 "$work/log"
  [ "$status" -eq 0 ] && echo "libfuzzer smoke: ${seconds}s, no finding"
  exit "$status"
fi
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
timeout $((seconds + 60)) afl-fuzz -i "$corpus" -o "$work/out" -m none -V "$seconds" -- "$binary" \
  > "$work/log" 2>&1
stats="$work/out/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  tail -30 "$work/log"
  echo "afl smoke: afl-fuzz did not run"
  exit 1
fi
grep -E "execs_done|execs_per_sec|saved_crashes|saved_hangs" "$stats"
crashes=$(awk '/saved_crashes/ {print $3}' "$stats")
execs=$(awk '/execs_done/ {print $3}' "$stats")
[ "$crashes" = 0 ] && [ "$execs" -gt 0 ] && echo "afl smoke: ${seconds}s, $execs execs, no crash"
