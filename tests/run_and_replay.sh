#!/usr/bin/env bash
# `duet run` stores a run and prints its replay command; running that
# command must report that the hash matched. Also for a fuzz-target run.
set -euo pipefail
duet=$1 scenario=$2 work=$3
db="$work/run_and_replay.db"
rm -f "$db" "$db-wal" "$db-shm"
out=$("$duet" run "$scenario" --seed 42 --db "$db" --quiet)
echo "$out"
replay_command=$(echo "$out" | sed -n 's/^  replay it: //p')
[ -n "$replay_command" ] || { echo "no replay command printed"; exit 1; }
replay_out=$($replay_command)   # exactly what was printed
echo "$replay_out"
echo "$replay_out" | grep -q "matched" || { echo "replay did not match"; exit 1; }
events=$("$duet" events --db "$db" --run 1 --count 3)
echo "$events" | head -1 | grep -q "^seq=0 t=0ns BOOT" || { echo "events: no BOOT first"; exit 1; }
[ "$(echo "$events" | wc -l)" -eq 3 ] || { echo "events: --count not honoured"; exit 1; }
"$duet" events --db "$db" --run 1 --kind LOG --count 100 | grep -q 'blob="Hello from a component' ||
  { echo "events: --kind LOG did not find the demo's line"; exit 1; }

input="$work/run_and_replay.input"
printf '\x06\x00\x00\x03\x41\x01\x05\x04\x07\x01\x00\x01' > "$input"
target_out=$("$duet" replay --target core_rpc --input "$input" --db "$db")
echo "$target_out"
run_id=$(echo "$target_out" | sed -n 's/^duet: run \([0-9]*\) .*/\1/p')
"$duet" replay --db "$db" --run "$run_id" | grep -q "matched" || { echo "target replay did not match"; exit 1; }
echo "run_and_replay: scenario and target runs stored and replayed with matching hashes"
