#!/usr/bin/env bash
# Installs what Duet needs on Debian 12, from Debian's packages only, and
# does nothing when everything is already there (so it is cheap to call
# from every script and works offline once installed).
set -euo pipefail
packages=(clang-14 libclang-rt-14-dev libsqlite3-dev afl++ qemu-system-x86 cmake
          ninja-build binutils lld-14 llvm-14 sqlite3)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
