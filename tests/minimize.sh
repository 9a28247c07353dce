#!/usr/bin/env bash
# duet minimize keeps the failure and shrinks the input to the known
# smallest one: the self-test target fails on D,U,E,T in order, so any
# input holding them must shrink to exactly "DUET". An input that does not
# fail is reported as such (exit 1), never "minimized".
set -uo pipefail
duet=$1 work=$2
mkdir -p "$work/minimize" && cd "$work/minimize" || exit 1
{ head -c 100 /dev/zero | tr '\0' 'x'; printf 'D'; head -c 50 /dev/zero | tr '\0' 'y';
  printf 'UE'; head -c 70 /dev/zero | tr '\0' 'z'; printf 'T'; head -c 30 /dev/zero; } > failing.bin
out=$("$duet" minimize --target minimize_selftest --input failing.bin) || { echo "$out"; exit 1; }
echo "$out"
[ "$(cat failing.bin.min)" = "DUET" ] || { echo "minimized to: $(xxd failing.bin.min)"; exit 1; }
rm -f min.db min.db-wal min.db-shm
replayed=$("$duet" replay --target minimize_selftest --input failing.bin.min --db min.db)
[ $? -eq 1 ] && grep -q "oracle violated: the input spells D, U, E, T" <<<"$replayed" ||
  { echo "minimized input lost its failure: $replayed"; exit 1; }
printf 'nothing to see' > passing.bin
passing=$("$duet" minimize --target minimize_selftest --input passing.bin)
[ $? -eq 1 ] && grep -q "does not fail" <<<"$passing" ||
  { echo "a passing input was not reported as such: $passing"; exit 1; }
echo "minimize: $(stat -c %s failing.bin) bytes -> DUET, failure kept"
