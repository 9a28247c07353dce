#!/usr/bin/env bash
# crosscheck_scenario.sh DUET SCENARIO WORKDIR agree|outcome
# Records the scenario's canonical run and a seeded run, compares them with
# `duet crosscheck --runs`, and replays the canonical run.
set -uo pipefail
duet=$1 scenario=$2 work=$3 expect=$4
name=$(basename "$scenario" .scn)
db="$work/crosscheck_$name.db"
rm -f "$db" "$db-wal" "$db-shm"
# --sim-seeds 1 stores the canonical run, then seed 0's; seed 13 is another.
"$duet" crosscheck "$scenario" --sim-seeds 1 --db "$db" --quiet > /dev/null
"$duet" run "$scenario" --seed 13 --db "$db" --quiet > /dev/null
canonical=$(sqlite3 "$db" "SELECT id FROM runs WHERE platform = 'sim-canonical'")
seeded=$(sqlite3 "$db" "SELECT id FROM runs WHERE platform = 'sim' AND seed = 13")
[ -n "$canonical" ] && [ -n "$seeded" ] || { echo "runs were not stored"; exit 1; }
out=$("$duet" crosscheck --runs "$canonical" "$seeded" --db "$db"); status=$?
echo "$out"
case $expect in
  agree) [ $status -eq 0 ] && grep -q "the runs AGREE" <<<"$out" || { echo "FAILED: should agree"; exit 1; } ;;
  outcome) [ $status -eq 1 ] && grep -q "first disagreement: facet outcome" <<<"$out" ||
             { echo "FAILED: should disagree on the outcome"; exit 1; } ;;
esac
"$duet" replay --db "$db" --run "$canonical" | grep -q "matched" || { echo "FAILED: canonical replay"; exit 1; }
echo "crosscheck_scenario $name: $expect, canonical run replayed"
