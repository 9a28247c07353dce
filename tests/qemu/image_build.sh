#!/usr/bin/env bash
# image_build.sh SOURCE_DIR: configures (once) and builds the baremetal preset.
set -uo pipefail
cd "$1" || exit 1
if [ ! -f build/baremetal/CMakeCache.txt ]; then
  cmake --preset baremetal > /dev/null || { echo "baremetal: configure failed"; exit 1; }
fi
cmake --build --preset baremetal || { echo "baremetal: build failed"; exit 1; }
test -f build/baremetal/duet.elf32 || { echo "no build/baremetal/duet.elf32"; exit 1; }
echo "image: build/baremetal/duet.elf32"
