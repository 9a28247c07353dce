#!/usr/bin/env bash
# Quick start, first command: install what is needed, build the simulator,
# run the demo scenario, store its trace in SQLite (duet.db) and print the
# summary and the command that replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset sim > build-sim-configure.log 2>&1 || { cat build-sim-configure.log; exit 1; }
rm -f build-sim-configure.log
cmake --build build/sim --target duet > /dev/null
seed=${1:-1}
exec build/sim/cli/duet run scenarios/demo.scn --seed "$seed" --db duet.db
