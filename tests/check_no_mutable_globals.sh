#!/usr/bin/env bash
# Components and the kernel keep no mutable globals (ARCHITECTURE.md): all
# state hangs off struct kernel or a component's env. Checked on the
# freestanding object files: any symbol in .data, .bss or common is refused.
set -euo pipefail
status=0
for object in "$@"; do
  found=$(nm --defined-only "$object" | awk '$2 ~ /^[dDbBcC]$/ {print $3}')
  if [ -n "$found" ]; then
    echo "mutable global(s) in $(basename "$object"): $found"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "framework_no_mutable_globals: $# objects, no mutable globals"
exit "$status"
