#!/usr/bin/env bash
# Bad input gets a clear named error and exit status 2, never a crash:
# scenario files, options, trace databases, run ids, fuzz inputs.
set -uo pipefail
duet=$1 work=$2
mkdir -p "$work/bad_inputs" && cd "$work/bad_inputs" || exit 1
failures=0

expect() { # expect STATUS PATTERN -- command...
  local want_status=$1 pattern=$2; shift 3
  local out status
  out=$("$@" 2>&1); status=$?
  if [ "$status" -ne "$want_status" ] || ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAILED: $* -> status $status (want $want_status), output:"; echo "$out"
    failures=$((failures + 1))
  fi
}

printf 'name x\nbogus 1\n' > unknown_keyword.scn
printf 'name x\nrom config\nstart hello\n' > unterminated.scn
printf 'rom config\nend\n' > no_name.scn
printf 'name x\nbudget 12x\nrom config\nend\n' > bad_budget.scn
printf 'name x\n\001\n' > binary.scn
printf 'name x\n' > no_config.scn
printf 'name x\nrom config\nend\nkey 100 a press\nkey 99 a release\n' > key_order.scn
printf 'name x\nkey 100 hyper press\n' > bad_key.scn
printf 'name x\nrom config\nend\ndisk master 4\nsector 4 00\n' > disk_lba.scn
printf 'name x\nrom config\nend\ndisk master 4\nsector 1 0g\n' > disk_hex.scn
printf 'name x\nrom config\nend\ndisk master 4096\n' > disk_large.scn
printf 'name x\nrom config\nend\ndisk master 4\ndisk_image no_such.img\n' > disk_image_missing.scn
head -c 4096 /dev/zero > too_big.img
printf 'name x\nrom config\nend\ndisk master 4\ndisk_image too_big.img\n' > disk_image_large.scn
expect 2 "line 2: SCENARIO_ERR_UNKNOWN_KEYWORD" -- "$duet" run unknown_keyword.scn
expect 2 "SCENARIO_ERR_UNTERMINATED_ROM" -- "$duet" run unterminated.scn
expect 2 "SCENARIO_ERR_MISSING_NAME" -- "$duet" run no_name.scn
expect 2 "line 2: SCENARIO_ERR_BAD_NUMBER" -- "$duet" run bad_budget.scn
expect 2 "SCENARIO_ERR_NOT_TEXT" -- "$duet" run binary.scn
expect 2 "SCENARIO_ERR_MISSING_CONFIG" -- "$duet" run no_config.scn
expect 2 "line 5: SCENARIO_ERR_INPUT_ORDER" -- "$duet" run key_order.scn
expect 2 "line 2: SCENARIO_ERR_BAD_KEY" -- "$duet" run bad_key.scn
expect 2 "line 5: SCENARIO_ERR_LBA_OUT_OF_RANGE" -- "$duet" run disk_lba.scn
expect 2 "line 5: SCENARIO_ERR_BAD_HEX" -- "$duet" run disk_hex.scn
expect 2 "line 4: SCENARIO_ERR_DISK_TOO_LARGE" -- "$duet" run disk_large.scn
expect 2 "line 5: SCENARIO_ERR_DISK_IMAGE_UNREADABLE" -- "$duet" run disk_image_missing.scn
expect 2 "line 5: SCENARIO_ERR_DISK_IMAGE_TOO_LARGE" -- "$duet" run disk_image_large.scn
expect 2 "SCENARIO_ERR_UNREADABLE" -- "$duet" run does_not_exist.scn
printf 'name x\npci 00:20.0 8086:1234 class=0x020000\nrom config\nend\n' > pci_bad_bdf.scn
printf 'name x\npci 00:01.2 8086:1234 class=0x020000\nrom config\nend\n' > pci_slot_taken.scn
printf 'name x\npci_bridge 00:03.0 secondary=1\n\npci 02:00.0 8086:1234 class=0x020000\nrom config\nend\n' > pci_no_bus.scn
expect 2 "line 2: SCENARIO_ERR_PCI_BAD_ADDRESS" -- "$duet" run pci_bad_bdf.scn
expect 2 "line 2: SCENARIO_ERR_PCI_SLOT_TAKEN" -- "$duet" run pci_slot_taken.scn
expect 2 "line 4: SCENARIO_ERR_PCI_NO_SUCH_BUS" -- "$duet" run pci_no_bus.scn
expect 2 "unknown command" -- "$duet" frobnicate
expect 2 "--seed takes a number" -- "$duet" run x.scn --seed banana
expect 2 "--run takes a run id" -- "$duet" replay --db x.db --run -3

head -c 4096 /dev/urandom > garbage.db 2>/dev/null || printf 'not a database at all' > garbage.db
expect 2 "TRACE_STORE_ERR_NOT_A_STORE" -- "$duet" replay --db garbage.db --run 1
rm -f empty.db*
expect 2 "TRACE_STORE_ERR_NO_SUCH_RUN" -- "$duet" replay --db empty.db --run 7
expect 2 "no fuzz target named" -- "$duet" replay --target nope --input garbage.db
expect 2 "no event kind named" -- "$duet" events --db empty.db --run 1 --kind NOPE
expect 2 "TRACE_STORE_ERR_NOT_A_STORE" -- "$duet" events --db garbage.db --run 1
expect 2 "cannot read input" -- "$duet" replay --target core_rpc --input missing.bin

# A world that fails is a recorded outcome (exit 1), not a crash of the tool.
rm -f outcomes.db outcomes.db-wal outcomes.db-shm
printf 'name tiny\nbudget 50\nexpect never\nrom config\nstart hello\nend\n' > tiny_budget.scn
expect 1 "hang: step budget exhausted" -- "$duet" run tiny_budget.scn --db outcomes.db --quiet
printf 'name unknown_child\nexpect never\nrom config\nstart no_such_component\nend\n' > unknown_child.scn
expect 1 "no-success-line" -- "$duet" run unknown_child.scn --db outcomes.db --quiet
printf 'name io\nexpect never\nrom config\nstart io_intruder\nend\n' > io.scn
expect 1 "stopped by a fault; the first: port I/O to 0x3f8 from pd 3, which has no I/O rights" -- "$duet" run io.scn --db outcomes.db
printf 'name io_after_close\nexpect never\nrom config\nstart io_after_close\nroute IO_PORT parent\nend\n' > io_closed.scn
expect 1 "stopped by a fault; the first: port I/O to 0x2fd from pd 3, which has no I/O rights" -- "$duet" run io_closed.scn --db outcomes.db
printf 'name frame\nexpect never\nrom config\nstart frame_intruder\nend\n' > frame.scn
expect 1 "stopped by a fault; the first: a system call's frame outside its window" -- "$duet" run frame.scn --db outcomes.db
printf 'name core_twice\nexpect never\nrom config\nstart core\nend\n' > core_twice.scn
expect 1 "cannot start core: RPC_ERR_DENIED" -- "$duet" run core_twice.scn --db outcomes.db
expect 0 "matched" -- "$duet" replay --db outcomes.db --run 3
expect 0 "matched" -- "$duet" replay --db outcomes.db --run 1
expect 0 "matched" -- "$duet" replay --db outcomes.db --run 2

[ "$failures" -eq 0 ] && echo "bad_inputs: every bad input got its named error"
exit "$failures"
