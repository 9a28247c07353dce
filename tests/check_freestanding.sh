#!/usr/bin/env bash
# Everything under framework/ compiles freestanding for x86-64 with no host
# header: every .c file is compiled with the image's flags, and a probe that
# includes <stdio.h> must fail with the same flags (else the check proves
# nothing).
set -uo pipefail
compiler=$1 resource_dir=$2 framework_dir=$3
flags=(--target=x86_64-unknown-none-elf -ffreestanding -nostdinc -isystem "$resource_dir/include"
       -fno-builtin -mno-red-zone -mcmodel=kernel -mgeneral-regs-only -Werror
       -I "$framework_dir/include" -I "$framework_dir/libc/include" -fsyntax-only)
probe=$(mktemp --suffix=.c)
trap 'rm -f "$probe"' EXIT
echo '#include <stdio.h>' > "$probe"
if "$compiler" "${flags[@]}" "$probe" 2>/dev/null; then
  echo "check_freestanding: a host header was reachable with the freestanding flags"
  exit 1
fi
count=0 failed=0
while IFS= read -r -d '' source; do
  count=$((count + 1))
  if ! "$compiler" "${flags[@]}" "$source"; then
    echo "not freestanding: $source"
    failed=$((failed + 1))
  fi
done < <(find "$framework_dir" -name '*.c' -not -path '*/platform/baremetal/*' -print0)
echo "check_freestanding: $count files, $failed failed, host headers unreachable"
[ "$failed" -eq 0 ]
