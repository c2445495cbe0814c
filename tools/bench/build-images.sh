#!/usr/bin/env bash
# Builds the benchmark images firmware-images/bench/*.S into firmware-images/bench/build/NAME.elf,
# with firmware-images/common.inc and link.ld (as firmware-images/build.sh does for the test images).
# Usage: bash tools/bench/build-images.sh [NAME...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="$root/firmware-images/bench"
out="${BUILD_DIR:-$src/build}"
cross="${CROSS_COMPILE:-aarch64-linux-gnu-}"
mkdir -p "$out"
if [ "$#" -gt 0 ]; then names=("$@"); else names=(); for f in "$src"/*.S; do names+=("$(basename "$f" .S)"); done; fi
for name in "${names[@]}"; do
  "${cross}as" -march=armv8-a -I "$root/firmware-images" -o "$out/$name.o" "$src/$name.S"
  "${cross}ld" -nostdlib -static --build-id=none -z max-page-size=0x1000 \
    -T "$root/firmware-images/link.ld" -o "$out/$name.elf" "$out/$name.o"
  rm -f "$out/$name.o"
  echo "built $name"
done
