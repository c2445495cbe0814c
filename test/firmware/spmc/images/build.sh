#!/bin/sh
# Builds the test partition images (binutils aarch64-linux-gnu-*). The .elf files are committed so
# the tests do not need the toolchain; rerun this after editing a .S file.
set -eu
cd "$(dirname "$0")"
CROSS=${CROSS_COMPILE:-aarch64-linux-gnu-}
build() { # name conduit-define link-address
  ${CROSS}gcc -E -P -D"$2" -x assembler-with-cpp echo-sp.S -o "$1.s" 2>/dev/null || cpp -P -D"$2" echo-sp.S > "$1.s"
  ${CROSS}as -march=armv8-a -o "$1.o" "$1.s"
  ${CROSS}ld -nostdlib -static -N --no-warn-rwx-segments -Ttext="$3" -e _start -o "$1.elf" "$1.o"
  rm -f "$1.o" "$1.s"
}
build echo-sp-sel0 CONDUIT_SVC 0x0e100000
build echo-sp-sel1 CONDUIT_SMC 0x0e200000
