#!/usr/bin/env bash
# crosscheck_command.sh DUET SCENARIO_DIR WORKDIR HAVE_QEMU
# `duet crosscheck` on real runs: deliberately different runs of a scenario
# are caught in the facet where they differ; a stored trace edited by hand
# and every other bad input are named errors with exit status 2.
set -uo pipefail
duet=$1 scenarios=$2 work=$3 have_qemu=${4:-0}
mkdir -p "$work/crosscheck_command" && cd "$work/crosscheck_command" || exit 1
db=command.db
rm -f "$db" "$db-wal" "$db-shm"
failures=0

expect() { # expect STATUS PATTERN -- command...
  local want_status=$1 pattern=$2; shift 3
  local out status
  out=$("$@" 2>&1); status=$?
  if [ "$status" -ne "$want_status" ] || ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAILED: $* -> status $status (want $want_status, /$pattern/), output:"; echo "$out"
    failures=$((failures + 1))
  fi
}
canonical_of() { sqlite3 "$db" "SELECT max(id) FROM runs WHERE platform = 'sim-canonical' AND scenario = '$1'"; }
last_run() { sqlite3 "$db" "SELECT max(id) FROM runs"; }

# A deliberately different run: the scenario's file changed under its name,
# then run with a seed; compared with the original's canonical run.
different() { # different SCENARIO SED_EXPRESSION PATTERN_OF_THE_REPORT
  local name=$1 edit=$2 pattern=$3
  sed "$edit" "$scenarios/$name.scn" > "changed_$name.scn"
  cmp -s "$scenarios/$name.scn" "changed_$name.scn" && { echo "FAILED: $edit changed nothing"; failures=$((failures + 1)); }
  "$duet" crosscheck "$scenarios/$name.scn" --sim-seeds 1 --db "$db" --quiet > /dev/null
  local canonical; canonical=$(canonical_of "$name")
  "$duet" run "changed_$name.scn" --seed 5 --db "$db" --quiet > /dev/null
  expect 1 "$pattern" -- "$duet" crosscheck --runs "$canonical" "$(last_run)" --db "$db"
}
different demo 's/Every choice comes from the seed./Every choice comes from elsewhere./' \
  "first disagreement: facet log, init -> rom_reader"
different keyboard 's/Hello World/Hello Wurld/g' "first disagreement: facet keys, init -> input_test"
different pci 's/02:00.0 1b36:0010/02:00.0 1b36:0011/' "first disagreement: facet pci, init -> pci_test"
# block_test checks every byte it reads against the scenario's image, so
# another image fails it (the outcome differs first); the blocks facet
# shows which sector's contents differ.
different ata 's/^sector 1 64756574206469736b20696d616765$/&21/' \
  'blocks .*DIFFER: "ATA primary channel data"'
different signals 's/^start signal_test.*/&\nstart hello/' "first disagreement: facet log, init -> hello"

# The same scenario under another seed agrees, and so does a replayed copy.
canonical=$(canonical_of demo)
"$duet" run "$scenarios/demo.scn" --seed 99 --db "$db" --quiet > /dev/null
expect 0 "the runs AGREE" -- "$duet" crosscheck --runs "$canonical" "$(last_run)" --db "$db"
expect 0 "outcome .* agree" -- "$duet" crosscheck --runs "$canonical" "$canonical" --db "$db"
expect 0 "canonical vs 3 seeds: 3 agree, 0 disagree" -- \
  "$duet" crosscheck "$scenarios/demo.scn" --sim-seeds 3 --db "$db" --quiet
expect 0 "matched" -- "$duet" replay --db "$db" --run "$canonical"

# A stored trace edited by hand: its hash chain breaks, the store says so.
sqlite3 "$db" "UPDATE events SET blob = CAST('edited by hand' AS BLOB)
               WHERE run_id = $canonical AND kind = 14 AND seq = (SELECT max(seq) FROM events
                     WHERE run_id = $canonical AND kind = 14)"
expect 2 "CROSSCHECK_ERR_STORE.*TRACE_STORE_ERR_CORRUPT_ROW" -- \
  "$duet" crosscheck --runs "$canonical" "$(last_run)" --db "$db"

# Bad input.
expect 2 "CROSSCHECK_ERR_NO_SUCH_RUN" -- "$duet" crosscheck --runs 1 4242 --db "$db"
sqlite3 "$db" "UPDATE runs SET outcome = 'incomplete' WHERE id = $(last_run)"
expect 2 "CROSSCHECK_ERR_INCOMPLETE_RUN" -- "$duet" crosscheck --runs 1 "$(last_run)" --db "$db"
expect 2 "CROSSCHECK_ERR_DIFFERENT_SCENARIOS" -- "$duet" crosscheck --runs "$(canonical_of demo)" "$(canonical_of pci)" --db "$db"
printf 'not a database at all, just text that is long enough to not be a header......' > garbage.db
expect 2 "TRACE_STORE_ERR_NOT_A_STORE" -- "$duet" crosscheck --runs 1 2 --db garbage.db
expect 2 "--runs takes two run ids" -- "$duet" crosscheck --runs 1 --db "$db"
expect 2 "--runs takes two run ids" -- "$duet" crosscheck --runs 0 1 --db "$db"
expect 2 "not both" -- "$duet" crosscheck "$scenarios/demo.scn" --runs 1 2 --db "$db"
expect 2 "not both" -- "$duet" crosscheck --db "$db"
expect 2 "unknown crosscheck option" -- "$duet" crosscheck --runs 1 2 --bogus
expect 2 "no event kind named \"NOPE\"" -- "$duet" crosscheck --runs 1 2 --thread-kinds IPC_CALL,NOPE
expect 2 "SCENARIO_ERR_UNREADABLE" -- "$duet" crosscheck no_such.scn --sim-seeds 1 --db "$db"
if [ "$have_qemu" = 0 ]; then
  expect 2 "QEMU support is not built" -- "$duet" crosscheck "$scenarios/demo.scn" --db "$db"
fi

[ $failures -eq 0 ] && echo "crosscheck_command: differences caught, bad inputs named" 
exit $((failures > 0))
