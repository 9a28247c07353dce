#!/usr/bin/env bash
# Quick start, second command (and what CI runs): install what is needed,
# build the baremetal image and the sim, asan, fuzz and afl presets, and run
# the whole suite:
#   baremetal  the x86-64 image for QEMU (built only; the sim build runs it)
#   sim    every test (unit, model, store, scenario sweeps, replay, bad input,
#          freestanding and no-globals checks, every scenario in QEMU
#          cross-checked against the sim)
#   asan   the same under ASan+UBSan, plus sim-vs-asan trace-hash equality
#   fuzz   a libFuzzer smoke run of every target (ASan+UBSan)
#   afl    an AFL++ persistent-mode smoke run of every target
# Ends with one line "total: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
jobs=$(nproc)
passed=0 failed=0

run_preset() { # run_preset PRESET [ctest args...]
  local preset=$1; shift
  echo "== $preset =="
  if ! cmake --preset "$preset" > "build-$preset.log" 2>&1 ||
     ! cmake --build "build/$preset" -j "$jobs" >> "build-$preset.log" 2>&1; then
    tail -40 "build-$preset.log"
    echo "$preset: build failed"
    failed=$((failed + 1))
    return
  fi
  rm -f "build-$preset.log"
  local out
  out=$(ctest --test-dir "build/$preset" --output-on-failure -j "$jobs" "$@" 2>&1)
  echo "$out" | grep -Ev '^(Internal ctest|Test project|\s*$)'
  local line total bad
  line=$(echo "$out" | grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' | tail -1)
  if [ -z "$line" ]; then
    echo "$preset: ctest ran no test"
    failed=$((failed + 1))
    return
  fi
  bad=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
  total=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
  passed=$((passed + total - bad))
  failed=$((failed + bad))
}

build_image() {
  echo "== baremetal =="
  if cmake --preset baremetal > build-baremetal.log 2>&1 &&
     cmake --build build/baremetal -j "$jobs" >> build-baremetal.log 2>&1; then
    rm -f build-baremetal.log
    echo "image: build/baremetal/duet.elf32"
  else
    tail -40 build-baremetal.log
    echo "baremetal: build failed"
    failed=$((failed + 1))
  fi
}

build_image
run_preset sim
run_preset asan
run_preset fuzz -L fuzzing
run_preset afl -L fuzzing
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
