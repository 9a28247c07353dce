#!/usr/bin/env bash
# qemu_expect.sh DUET SCENARIO WORKDIR TEXT: the QEMU run's console shows TEXT.
set -uo pipefail
duet=$1 scenario=$2 work=$3 text=$4
name=$(basename "$scenario" .scn)
db="$work/expect_$name.db"
rm -f "$db" "$db-wal" "$db-shm"
out=$("$duet" qemu "$scenario" --db "$db" 2>&1)
echo "$out" | tail -6
grep -qF "$text" <<<"$out" || { echo "FAILED: no '$text'"; exit 1; }
echo "qemu_expect $name: seen"
