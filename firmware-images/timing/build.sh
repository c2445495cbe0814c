#!/usr/bin/env bash
# Builds the timing calibration images (firmware-images/timing/*.S) into
# firmware-images/timing/build/NAME.elf and NAME.bin, with the shared common.inc and link.ld.
# Some sources are built more than once with assembler symbols (VARIANTS below).
# Usage: bash firmware-images/timing/build.sh      BUILD_DIR=DIR puts the outputs in DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
images="$(cd "$here/.." && pwd)"
cross="${CROSS_COMPILE:-aarch64-linux-gnu-}"
for tool in as ld objcopy; do
  if ! command -v "${cross}${tool}" >/dev/null; then
    echo "timing/build.sh: ${cross}${tool} not found (apt-get install binutils-aarch64-linux-gnu)" >&2
    exit 1
  fi
done
out="${BUILD_DIR:-$here/build}"
mkdir -p "$out"
# output name : source : assembler --defsym options
VARIANTS=(
  "psci-version:psci-version:"
  "psci-version-tf2017:psci-version:--defsym TFA_2017=1"
  "psci-version-noinstr:psci-version:--defsym NO_RT_INSTR=1"
  "psci-version-tf2017-noinstr:psci-version:--defsym TFA_2017=1 --defsym NO_RT_INSTR=1"
  "hvc-bare:hvc-bare:"
)
for v in "${VARIANTS[@]}"; do
  IFS=: read -r name src defs <<<"$v"
  obj="$out/$name.o"
  # shellcheck disable=SC2086
  "${cross}as" -march=armv8-a -I "$images" $defs -o "$obj" "$here/$src.S"
  "${cross}ld" -nostdlib -static --build-id=none -z max-page-size=0x1000 \
    -T "$images/link.ld" -o "$out/$name.elf" "$obj"
  "${cross}objcopy" -O binary "$out/$name.elf" "$out/$name.bin"
  rm -f "$obj"
  echo "built $name"
done
