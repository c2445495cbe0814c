#!/usr/bin/env bash
# Builds every firmware-images/*.S into build/NAME.elf and build/NAME.bin.
# Usage: bash firmware-images/build.sh [NAME...]   (default: all images)
# BUILD_DIR=DIR puts the outputs in DIR instead of firmware-images/build (the reproducibility
# test rebuilds into a temporary directory and compares with the committed files).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cross="${CROSS_COMPILE:-aarch64-linux-gnu-}"
for tool in as ld objcopy; do
  if ! command -v "${cross}${tool}" >/dev/null; then
    echo "build.sh: ${cross}${tool} not found (apt-get install binutils-aarch64-linux-gnu)" >&2
    exit 1
  fi
done
out="${BUILD_DIR:-$here/build}"
mkdir -p "$out"
if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for src in "$here"/*.S; do names+=("$(basename "$src" .S)"); done
fi
for name in "${names[@]}"; do
  src="$here/$name.S"
  obj="$out/$name.o"
  "${cross}as" -march=armv8-a -I "$here" -o "$obj" "$src"
  # --build-id=none and a fixed layout keep the outputs byte-for-byte reproducible.
  "${cross}ld" -nostdlib -static --build-id=none -z max-page-size=0x1000 \
    -T "$here/link.ld" -o "$out/$name.elf" "$obj"
  "${cross}objcopy" -O binary "$out/$name.elf" "$out/$name.bin"
  rm -f "$obj"
  echo "built $name"
done
