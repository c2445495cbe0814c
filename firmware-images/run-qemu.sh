#!/usr/bin/env bash
# Runs one firmware image under QEMU virt exactly as image vectors are checked against a
# peer (docs: /work/shared/vector-format.md "Image vectors").
# Usage: firmware-images/run-qemu.sh [--kernel] IMAGE
#   IMAGE    a name (el-drop), or a path to NAME.bin / NAME.elf
#   --kernel boot build/NAME.elf with -kernel instead of build/NAME.bin with -bios
# Prints the UART text on stdout and exits with the image's semihosting exit status
# (124 on timeout, as timeout(1) does). QEMU_TIMEOUT overrides the 10 s limit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode=bios
if [ "${1:-}" = "--kernel" ]; then mode=kernel; shift; fi
if [ "$#" -ne 1 ]; then
  echo "usage: $0 [--kernel] IMAGE" >&2
  exit 64
fi
image="$1"
case "$image" in
  *.bin|*.elf) base="${image%.*}" ;;
  */*) base="$image" ;;
  *) base="$here/build/$image" ;;
esac
if [ "$mode" = bios ]; then file="$base.bin"; boot=(-bios "$file"); else file="$base.elf"; boot=(-kernel "$file"); fi
if [ ! -f "$file" ]; then
  echo "run-qemu.sh: $file not found (run npm run images)" >&2
  exit 66
fi
exec timeout "${QEMU_TIMEOUT:-10}" qemu-system-aarch64 \
  -machine virt,secure=on,virtualization=on -cpu max -m 128M \
  -nodefaults -display none -monitor none -serial stdio \
  -semihosting-config enable=on,target=native "${boot[@]}"
