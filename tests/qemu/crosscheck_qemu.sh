#!/usr/bin/env bash
# crosscheck_qemu.sh DUET SCENARIO WORKDIR
# The scenario's canonical sim run against its QEMU run: both must pass
# and agree (duet crosscheck exits 0 only then).
set -uo pipefail
duet=$1 scenario=$2 work=$3
name=$(basename "$scenario" .scn)
db="$work/sim_vs_qemu_$name.db"
rm -f "$db" "$db-wal" "$db-shm"
out=$("$duet" crosscheck "$scenario" --db "$db" 2>&1); status=$?
echo "$out" | grep -v '^\[\|^core:'
if [ $status -ne 0 ] || ! grep -q "the runs AGREE" <<<"$out"; then
  echo "FAILED: crosscheck of $name (exit $status)"
  exit 1
fi
for platform in sim-canonical qemu; do
  outcome=$(sqlite3 "$db" "SELECT outcome FROM runs WHERE platform = '$platform'")
  [ "$outcome" = pass ] || { echo "FAILED: the $platform run's outcome is '$outcome'"; exit 1; }
done
echo "crosscheck_qemu $name: both pass, the runs agree"
