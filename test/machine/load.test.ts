/**
 * Placing ELF and raw images into the Machine (src/machine/load.ts): PT_LOAD segments at p_paddr,
 * zero-fill from p_filesz to p_memsz, PC = e_entry, and LoaderErrors naming the file, the segment
 * index and the address for segments outside RAM or over MMIO.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.js';
import { loadElf, loadRaw } from '../../src/machine/load.js';
import { LoaderError, parseElf } from '../../src/loader/elf.js';
import { assemble } from '../helpers/a64asm.js';
import { buildElf } from '../helpers/elf-build.js';

const root = join(import.meta.dirname, '..', '..');
const bytes = (...b: number[]) => Uint8Array.from(b);
const ram = (m: Machine, pa: number, n: number) => Array.from(m.bus.ram(pa, n)!);

function loaderError(fn: () => unknown): LoaderError {
  try { fn(); } catch (e) { if (e instanceof LoaderError) return e; throw e; }
  throw new Error('expected a LoaderError');
}

describe('loadElf', () => {
  it('places a built firmware image: segments at p_paddr, bss zero-filled, PC = e_entry', () => {
    const file = join(root, 'firmware-images', 'build', 'el-drop.elf');
    const elf = readFileSync(file);
    const m = new Machine();
    const img = loadElf(m, elf, file);
    expect(img.segments.length).toBe(2);
    expect(m.pc).toBe(img.entry);
    expect(img.entry).toBe(0x4000_0000n);
    for (const s of img.segments) {
      expect(Buffer.compare(m.bus.ram(Number(s.paddr), s.data.length)!, s.data)).toBe(0);
    }
    const data = img.segments[1]!;
    expect(data.memSize).toBeGreaterThan(BigInt(data.data.length));   // .bss and stacks
  });

  it('zero-fills p_memsz beyond p_filesz (over memory that held something)', () => {
    const m = new Machine();
    m.loadBytes(0x4000_1000, new Uint8Array(64).fill(0xaa));
    const elf = buildElf(0x4000_1000n, [{ paddr: 0x4000_1000n, data: bytes(1, 2, 3, 4), memSize: 32n }]);
    loadElf(m, elf, 'zf.elf');
    expect(ram(m, 0x4000_1000, 36)).toEqual([1, 2, 3, 4, ...new Array(28).fill(0), 0xaa, 0xaa, 0xaa, 0xaa]);
  });

  it('uses p_paddr, not p_vaddr (MMU off); PC is e_entry as given', () => {
    const m = new Machine();
    const elf = buildElf(0x8000_0000n, [{ paddr: 0x4000_2000n, vaddr: 0x8000_0000n, data: bytes(9, 8, 7, 6) }]);
    loadElf(m, elf, 'va.elf');
    expect(ram(m, 0x4000_2000, 4)).toEqual([9, 8, 7, 6]);
    expect(m.pc).toBe(0x8000_0000n);
  });

  it('loads into secure flash and secure RAM too', () => {
    const m = new Machine();
    const elf = buildElf(0x0n, [{ paddr: 0x0n, data: bytes(1) }, { paddr: 0x0e00_0000n, data: bytes(2), flags: 6 }]);
    loadElf(m, elf, 'secure.elf');
    expect(ram(m, 0, 1)).toEqual([1]);
    expect(ram(m, 0x0e00_0000, 1)).toEqual([2]);
  });

  it('a segment outside every RAM region: LoaderError naming the file, the segment index and the address', () => {
    const m = new Machine();
    const elf = buildElf(0x4000_0000n, [
      { paddr: 0x4000_0000n, data: bytes(1, 2, 3, 4) },
      { paddr: 0x2000_0000n, data: bytes(5), flags: 6 },
    ]);
    const e = loaderError(() => loadElf(m, elf, 'outside.elf'));
    expect(e.file).toBe('outside.elf');
    expect(e.message).toMatch(/^outside\.elf: segment 1 \[0x20000000, 0x20000001\) is not inside one RAM region/);
    // Nothing was written: all segments are checked first.
    expect(ram(m, 0x4000_0000, 4)).toEqual([0, 0, 0, 0]);
  });

  it('a segment running off the end of DRAM, or above 4 GiB', () => {
    const m = new Machine({ dramSize: 0x10_0000 });
    const tail = buildElf(0x400f_fff0n, [{ paddr: 0x400f_fff0n, data: bytes(1), memSize: 0x20n }]);
    expect(loaderError(() => loadElf(m, tail, 't.elf')).message).toMatch(/segment 0 \[0x400ffff0, 0x40100010\)/);
    const high = buildElf(0x1_0000_0000n, [{ paddr: 0x1_0000_0000n, data: bytes(1) }]);
    expect(loaderError(() => loadElf(m, high, 'h.elf')).message).toMatch(/segment 0 \[0x100000000, 0x100000001\) is not inside/);
  });

  it('a segment overlapping the PL011 MMIO window', () => {
    const m = new Machine();
    const elf = buildElf(0x0900_0000n, [{ paddr: 0x08ff_fff0n, data: bytes(1), memSize: 0x100n }]);
    const e = loaderError(() => loadElf(m, elf, 'uart.elf'));
    expect(e.message).toMatch(/^uart\.elf: segment 0 \[0x8fffff0, 0x90000f0\) overlaps the PL011 UART MMIO at 0x9000000/);
  });

  it('parse errors come from the ELF parser, naming the file', () => {
    const m = new Machine();
    const e = loaderError(() => loadElf(m, bytes(1, 2, 3, 4), 'junk.bin'));
    expect(e.code).toBe('NOT_ELF');
    expect(e.message).toMatch(/^junk\.bin: /);
  });

  it('the placed image runs: PC starts at the entry point at EL3', () => {
    const code = assemble('movz x0, #0x1234; movz x1, #1');
    const elf = buildElf(0x4000_0000n, [{ paddr: 0x4000_0000n, data: new Uint8Array(code.buffer) }]);
    const m = new Machine();
    loadElf(m, elf, 'run.elf');
    m.run({ maxInstructions: 2 });
    expect(m.readX(0)).toBe(0x1234n);
    expect(m.readX(1)).toBe(1n);
    expect(m.el).toBe(3);
  });

  it('loading again invalidates predecoded code', () => {
    const m = new Machine();
    const one = buildElf(0x4000_0000n, [{ paddr: 0x4000_0000n, data: new Uint8Array(assemble('movz x0, #1').buffer) }]);
    const two = buildElf(0x4000_0000n, [{ paddr: 0x4000_0000n, data: new Uint8Array(assemble('movz x0, #2').buffer) }]);
    loadElf(m, one, 'one.elf');
    m.run({ maxInstructions: 1 });
    loadElf(m, two, 'two.elf');
    m.run({ maxInstructions: 1 });
    expect(m.readX(0)).toBe(2n);
  });

  it('every committed firmware image parses and places', () => {
    for (const name of ['brk-hlt', 'data-abort', 'trap-tsc', 'illegal-eret']) {
      const file = join(root, 'firmware-images', 'build', `${name}.elf`);
      const m = new Machine();
      const img = loadElf(m, readFileSync(file), file);
      expect(parseElf(readFileSync(file), file).entry).toBe(img.entry);
    }
  });
});

describe('loadRaw', () => {
  it('places bytes at the address and sets PC there', () => {
    const m = new Machine();
    loadRaw(m, bytes(0x1f, 0x20, 0x03, 0xd5), 0x4000_3000n);
    expect(ram(m, 0x4000_3000, 4)).toEqual([0x1f, 0x20, 0x03, 0xd5]);
    expect(m.pc).toBe(0x4000_3000n);
  });
  it('accepts a number address, and the flat binary of a built image runs from flash at 0x0 like -bios', () => {
    const m = new Machine();
    loadRaw(m, readFileSync(join(root, 'firmware-images', 'build', 'el-drop.bin')), 0);
    expect(m.pc).toBe(0n);
  });
  it('rejects an address outside RAM with a LoaderError naming the file', () => {
    const m = new Machine();
    const e = loaderError(() => loadRaw(m, bytes(1, 2), 0x3000_0000, 'blob.bin'));
    expect(e.message).toMatch(/^blob\.bin: segment 0 \[0x30000000, 0x30000002\) is not inside one RAM region/);
  });
  it('rejects an empty file', () => {
    expect(loaderError(() => loadRaw(new Machine(), new Uint8Array(0), 0x4000_0000, 'empty.bin')).code).toBe('EMPTY');
  });
});
