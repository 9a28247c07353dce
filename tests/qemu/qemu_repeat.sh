#!/usr/bin/env bash
# qemu_repeat.sh DUET WORKDIR SCENARIO...: each runs twice in QEMU, passes,
# and gives the same trace hash both times (-icount: the run is a function
# of the image and the scenario).
set -uo pipefail
duet=$1 work=$2; shift 2
db="$work/repeat.db"
rm -f "$db" "$db-wal" "$db-shm"
for scenario in "$@"; do
  name=$(basename "$scenario" .scn)
  hashes=()
  for round in 1 2; do
    out=$("$duet" qemu "$scenario" --db "$db" --quiet 2>&1)
    grep -q "): pass" <<<"$out" || { echo "$out"; echo "FAILED: $name did not pass"; exit 1; }
    hashes+=("$(grep -o 'trace hash 0x[0-9a-f]*' <<<"$out")")
  done
  [ "${hashes[0]}" = "${hashes[1]}" ] || { echo "FAILED: $name: ${hashes[0]} then ${hashes[1]}"; exit 1; }
  echo "$name: ${hashes[0]}, twice"
done
