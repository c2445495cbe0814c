/**
 * Placing images into a Machine: the ELF's PT_LOAD segments at their physical addresses (p_paddr;
 * the MMU is off, as on QEMU virt at reset), file bytes then zeros up to p_memsz, PC = e_entry.
 * Parsing and validation are the loader's (loader/elf.ts); this checks where things go: every
 * segment must lie wholly inside one RAM region of the memory map and must not touch MMIO.
 * All segments are checked before any byte is written, so a rejected image leaves memory as it was.
 */
import * as L from '../state/layout.js';
import * as M from '../memory/map.js';
import { type LoadedImage, LoaderError, loadRaw as rawImage, parseElf } from '../loader/elf.js';
import type { Machine } from './machine.js';

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** MMIO windows of the modelled virt map (memory/map.ts), for error messages. */
const MMIO: readonly { name: string; base: number; size: number }[] = [
  { name: 'the PL011 UART', base: M.UART_BASE, size: M.UART_SIZE },
  { name: 'the secure PL011 UART', base: M.SECURE_UART_BASE, size: 0x1000 },
];

/**
 * Check that every segment of `image` fits in the machine's RAM, then copy it there and set PC to the
 * entry point. Throws LoaderError (code BAD_ADDRESS) naming the file, the segment index (in the
 * loader's segment list: PT_LOAD segments with p_memsz > 0, in program-header order) and the address.
 */
export function placeImage(machine: Machine, image: LoadedImage, name: string): void {
  const bus = machine.bus;
  image.segments.forEach((seg, i) => {
    const start = seg.paddr, end = seg.paddr + seg.memSize;
    const where = `segment ${i} [${hex(start)}, ${hex(end)})`;
    for (const io of MMIO) {
      if (start < BigInt(io.base + io.size) && BigInt(io.base) < end) {
        throw new LoaderError('BAD_ADDRESS', name, `${where} overlaps ${io.name} MMIO at ${hex(io.base)}`);
      }
    }
    if (end > 0x1_0000_0000n || bus.ram(Number(start), Number(seg.memSize)) === null) {
      throw new LoaderError('BAD_ADDRESS', name,
        `${where} is not inside one RAM region (secure flash [0x0, ${hex(M.FLASH_SIZE)}), ` +
        `secure RAM [${hex(M.SECURE_RAM_BASE)}, ${hex(M.SECURE_RAM_BASE + M.SECURE_RAM_SIZE)}), ` +
        `DRAM [${hex(M.DRAM_BASE)}, ${hex(M.DRAM_BASE + bus.dramSize)}))`);
    }
  });
  for (const seg of image.segments) {
    const pa = Number(seg.paddr);
    bus.load(pa, seg.data);
    const zeros = Number(seg.memSize) - seg.data.length;
    if (zeros > 0) bus.load(pa + seg.data.length, new Uint8Array(zeros));
  }
  // Code pages whose bytes changed were invalidated by bus.load; the others keep their decoded
  // instructions and translated blocks (a reload of the same image translates nothing again).
  // With the MMU off the PC is a physical address; e_entry is used as it is (as QEMU's -kernel does).
  machine.cpu.set64(L.PC, image.entry);
}

/**
 * Parse `bytes` as an ELF64 AArch64 executable named `name` (for messages) and place it into
 * `machine`. Returns the parsed image (entry, segments, symbols).
 * @throws LoaderError naming the file (and segment index and address for placement errors)
 */
export function loadElf(machine: Machine, bytes: Uint8Array, name: string): LoadedImage {
  const image = parseElf(bytes, name);
  placeImage(machine, image, name);
  return image;
}

/** Place a raw binary at physical address `addr` and set PC to it. */
export function loadRaw(machine: Machine, bytes: Uint8Array, addr: bigint | number, name = 'raw image'): LoadedImage {
  const image = rawImage(bytes, BigInt(addr), name);
  placeImage(machine, image, name);
  return image;
}
