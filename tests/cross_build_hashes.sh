#!/usr/bin/env bash
# The same scenario and seed give the same trace hash in the sim and asan
# builds: sweep both over the same seeds and compare line by line.
set -uo pipefail
sim_duet=$1 asan_duet=$2 seeds=$3; shift 3
if [ ! -x "$sim_duet" ]; then
  echo "cross_build_hashes: no sim build at $sim_duet (build the sim preset first)"
  exit 1
fi
status=0
for scenario in "$@"; do
  diff <("$sim_duet" sweep "$scenario" --seeds "$seeds") \
       <("$asan_duet" sweep "$scenario" --seeds "$seeds") > /dev/null
  if [ $? -ne 0 ]; then
    echo "hashes differ between builds for $scenario:"
    diff <("$sim_duet" sweep "$scenario" --seeds "$seeds") \
         <("$asan_duet" sweep "$scenario" --seeds "$seeds") | head -5
    status=1
  else
    echo "$(basename "$scenario"): $seeds seeds, same hashes in sim and asan"
  fi
done
exit "$status"
