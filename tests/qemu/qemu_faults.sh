#!/usr/bin/env bash
# qemu_faults.sh DUET SCENARIO WORKDIR REASON...: the scenario passes in
# QEMU and its trace has a FAULT event (a thread stopped) for each REASON.
set -uo pipefail
duet=$1 scenario=$2 work=$3; shift 3
name=$(basename "$scenario" .scn)
db="$work/faults_$name.db"
rm -f "$db" "$db-wal" "$db-shm"
out=$("$duet" qemu "$scenario" --db "$db" --quiet 2>&1)
echo "$out"
grep -q "): pass" <<<"$out" || { echo "FAILED: $name did not pass"; exit 1; }
faults=$(sqlite3 "$db" "SELECT CAST(blob AS TEXT) FROM events WHERE kind = 23")
echo "faults:"; echo "$faults"
for reason in "$@"; do
  grep -qxF "$reason" <<<"$faults" || { echo "FAILED: no fault '$reason'"; exit 1; }
done
echo "qemu_faults $name: every thread stopped as expected, the world passed"
