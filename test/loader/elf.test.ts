import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isElf, loadRaw, LoaderError, parseElf, PF_R, PF_W, PF_X, type LoaderErrorCode } from '../../src/loader/elf.js';
import { loadImageFile, loadImageFileSync } from '../../src/loader/file.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = join(root, 'firmware-images', 'build');
const imageNames = readdirSync(buildDir)
  .filter((f) => f.endsWith('.elf'))
  .map((f) => f.slice(0, -4))
  .sort();
const LINK_ADDRESS = 0x4000_0000n;

const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(buildDir, name)));
const reference = read('el-drop.elf');

/** A mutable copy of el-drop.elf with little-endian field writers (ELF-64 offsets, gABI). */
function mutant(): {
  bytes: Uint8Array;
  u8(off: number, v: number): void;
  u16(off: number, v: number): void;
  u32(off: number, v: number): void;
  u64(off: number, v: bigint): void;
  ph(i: number): number;
  phField: { type: number; flags: number; offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; align: number };
} {
  const bytes = reference.slice();
  const view = new DataView(bytes.buffer);
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  return {
    bytes,
    u8: (off, v) => view.setUint8(off, v),
    u16: (off, v) => view.setUint16(off, v, true),
    u32: (off, v) => view.setUint32(off, v, true),
    u64: (off, v) => view.setBigUint64(off, v, true),
    ph: (i) => phoff + i * phentsize,
    phField: { type: 0, flags: 4, offset: 8, vaddr: 16, paddr: 24, filesz: 32, memsz: 40, align: 48 },
  };
}

/** parseElf must throw a LoaderError with this code whose message names the file and `mentions`. */
function expectReject(bytes: Uint8Array, code: LoaderErrorCode, ...mentions: string[]): LoaderError {
  let caught: unknown;
  try {
    parseElf(bytes, 'IMAGE.elf');
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(LoaderError);
  const err = caught as LoaderError;
  expect(err.code).toBe(code);
  expect(err.file).toBe('IMAGE.elf');
  expect(err.message.startsWith('IMAGE.elf: ')).toBe(true);
  for (const m of mentions) expect(err.message).toContain(m);
  return err;
}

describe('parseElf on the firmware images', () => {
  it('finds the images', () => {
    expect(imageNames.length).toBeGreaterThanOrEqual(11);
  });

  it.each(imageNames)('%s: entry, segments, symbols, and the same bytes as the flat binary', (name) => {
    const elf = read(`${name}.elf`);
    const bin = read(`${name}.bin`);
    expect(isElf(elf)).toBe(true);
    const image = parseElf(elf, `${name}.elf`);
    expect(image.entry).toBe(LINK_ADDRESS);
    expect(image.segments).toHaveLength(2);
    const [text, data] = image.segments;
    expect(text!.paddr).toBe(LINK_ADDRESS);
    expect(text!.vaddr).toBe(LINK_ADDRESS);
    expect(text!.flags).toBe(PF_R | PF_X);
    expect(text!.memSize).toBe(BigInt(text!.data.length));
    expect(data!.flags).toBe(PF_R | PF_W);
    expect(data!.memSize).toBeGreaterThan(BigInt(data!.data.length)); // .bss and stacks
    // objcopy -O binary lays the file bytes out from the lowest address.
    for (const seg of image.segments) {
      const at = Number(seg.paddr - LINK_ADDRESS);
      expect(seg.data).toEqual(bin.subarray(at, at + seg.data.length));
    }
    expect(image.symbols?.get('_start')).toBe(LINK_ADDRESS);
    expect(image.symbols?.has('main')).toBe(true);
    expect(image.symbols?.get('__bss_end')).toBeLessThanOrEqual(data!.paddr + data!.memSize);
  });

  it('copies segment data out of the input', () => {
    const m = mutant();
    const image = parseElf(m.bytes, 'copy.elf');
    const first = image.segments[0]!.data[0];
    m.bytes.fill(0);
    expect(image.segments[0]!.data[0]).toBe(first);
  });

  it('skips the symbol table when asked', () => {
    expect(parseElf(reference, 'x.elf', { symbols: false }).symbols).toBeUndefined();
  });

  it('accepts ET_DYN', () => {
    const m = mutant();
    m.u16(16, 3);
    expect(parseElf(m.bytes, 'pie.elf').entry).toBe(LINK_ADDRESS);
  });

  it('follows the PN_XNUM and e_shnum = 0 escapes to section header 0', () => {
    const m = mutant();
    const view = new DataView(m.bytes.buffer);
    const shoff = Number(view.getBigUint64(40, true));
    const shnum = view.getUint16(60, true);
    m.u16(56, 0xffff); // e_phnum = PN_XNUM
    m.u32(shoff + 44, 2); // section 0 sh_info = real e_phnum
    m.u16(60, 0); // e_shnum = 0
    m.u64(shoff + 32, BigInt(shnum)); // section 0 sh_size = real e_shnum
    const image = parseElf(m.bytes, 'xnum.elf');
    expect(image.segments).toHaveLength(2);
    expect(image.symbols?.get('_start')).toBe(LINK_ADDRESS);
    const n = mutant();
    n.u16(56, 0xffff);
    n.u64(40, 0n);
    expectReject(n.bytes, 'BAD_HEADER', 'PN_XNUM');
  });

  it('works on a Uint8Array that is a view into a larger buffer', () => {
    const big = new Uint8Array(reference.length + 16);
    big.set(reference, 8);
    const image = parseElf(big.subarray(8, 8 + reference.length), 'view.elf');
    expect(image.entry).toBe(LINK_ADDRESS);
  });
});

describe('parseElf rejects malformed files', () => {
  it('empty', () => {
    expectReject(new Uint8Array(0), 'EMPTY', 'empty');
  });

  it('not ELF', () => {
    const m = mutant();
    m.u8(1, 0x46);
    expectReject(m.bytes, 'NOT_ELF', 'magic');
    expectReject(new Uint8Array([0x7f, 0x45]), 'NOT_ELF');
  });

  it('truncated inside the ELF header', () => {
    expectReject(reference.slice(0, 40), 'TRUNCATED', '40 bytes', 'ELF64 header');
  });

  it('truncated inside the program header table', () => {
    expectReject(reference.slice(0, 100), 'BAD_PROGRAM_HEADERS', 'e_phoff', 'past the end of the file (100 bytes)');
  });

  it('truncated inside a segment', () => {
    // Drop the section headers (they sit at the end) so the segment check is what fails.
    const m = mutant();
    m.u64(40, 0n);
    const firstSegmentOffset = Number(new DataView(m.bytes.buffer).getBigUint64(m.ph(0) + 8, true));
    expectReject(m.bytes.slice(0, firstSegmentOffset + 16), 'SEGMENT_OUT_OF_FILE', 'program header 0', 'p_offset + p_filesz');
  });

  it('wrong class (ELFCLASS32)', () => {
    const m = mutant();
    m.u8(4, 1);
    expectReject(m.bytes, 'BAD_CLASS', 'e_ident[EI_CLASS] is 1 (ELFCLASS32 (32-bit)), expected 2 (ELFCLASS64)');
  });

  it('big-endian', () => {
    const m = mutant();
    m.u8(5, 2);
    expectReject(m.bytes, 'BAD_DATA', 'e_ident[EI_DATA] is 2 (ELFDATA2MSB, big-endian)', 'ELFDATA2LSB');
  });

  it('wrong version', () => {
    const m = mutant();
    m.u8(6, 0);
    expectReject(m.bytes, 'BAD_VERSION', 'e_ident[EI_VERSION]');
    const n = mutant();
    n.u32(20, 2);
    expectReject(n.bytes, 'BAD_VERSION', 'e_version is 2');
  });

  it('relocatable object', () => {
    const m = mutant();
    m.u16(16, 1);
    expectReject(m.bytes, 'BAD_TYPE', 'e_type is 1 (ET_REL');
  });

  it('wrong machine', () => {
    const m = mutant();
    m.u16(18, 62);
    const err = expectReject(m.bytes, 'BAD_MACHINE');
    expect(err.message).toBe('IMAGE.elf: e_machine is 62 (x86-64), expected 183 (AArch64)');
    const n = mutant();
    n.u16(18, 40);
    expectReject(n.bytes, 'BAD_MACHINE', 'e_machine is 40 (Arm (AArch32))');
  });

  it('bad e_ehsize / e_phentsize / e_shentsize', () => {
    const m = mutant();
    m.u16(52, 32);
    expectReject(m.bytes, 'BAD_HEADER', 'e_ehsize is 32');
    const n = mutant();
    n.u16(54, 32);
    expectReject(n.bytes, 'BAD_HEADER', 'e_phentsize is 32');
    const o = mutant();
    o.u16(58, 40);
    expectReject(o.bytes, 'BAD_HEADER', 'e_shentsize is 40');
  });

  it('huge e_phoff (no overflow in the bounds check)', () => {
    const m = mutant();
    m.u64(32, 0xffff_ffff_ffff_ff00n);
    expectReject(m.bytes, 'BAD_PROGRAM_HEADERS', 'e_phoff 0xffffffffffffff00');
  });

  it('huge e_phnum', () => {
    const m = mutant();
    m.u16(56, 0xfff0);
    expectReject(m.bytes, 'BAD_PROGRAM_HEADERS', '65520 x 56 bytes');
  });

  it('no program headers, or no PT_LOAD', () => {
    const m = mutant();
    m.u16(56, 0);
    expectReject(m.bytes, 'NO_LOAD_SEGMENTS', 'e_phnum is 0');
    const n = mutant();
    n.u32(n.ph(0), 0);
    n.u32(n.ph(1), 6); // PT_PHDR
    expectReject(n.bytes, 'NO_LOAD_SEGMENTS', 'none of the 2 program headers');
  });

  it('segment past the end of the file', () => {
    const m = mutant();
    m.u64(m.ph(1) + m.phField.offset, BigInt(reference.length));
    expectReject(m.bytes, 'SEGMENT_OUT_OF_FILE', 'program header 1 (PT_LOAD) p_offset + p_filesz');
  });

  it('huge p_filesz', () => {
    const m = mutant();
    m.u64(m.ph(0) + m.phField.filesz, 1n << 62n);
    m.u64(m.ph(0) + m.phField.memsz, 1n << 62n);
    expectReject(m.bytes, 'SEGMENT_OUT_OF_FILE', 'program header 0', '0x4000000000000000');
  });

  it('p_filesz larger than p_memsz', () => {
    const m = mutant();
    m.u64(m.ph(0) + m.phField.memsz, 4n);
    expectReject(m.bytes, 'SEGMENT_FILESZ', 'program header 0 (PT_LOAD) p_filesz', 'larger than p_memsz 0x4');
  });

  it('huge p_memsz wrapping past 2^64', () => {
    const m = mutant();
    m.u64(m.ph(1) + m.phField.memsz, 0xffff_ffff_ffff_f000n);
    expectReject(m.bytes, 'SEGMENT_WRAPS', 'program header 1 (PT_LOAD) p_vaddr + p_memsz', 'wraps past 2^64');
    const n = mutant();
    n.u64(n.ph(1) + n.phField.paddr, 0xffff_ffff_ffff_f000n);
    expectReject(n.bytes, 'SEGMENT_WRAPS', 'p_paddr + p_memsz');
  });

  it('p_memsz above the segment limit', () => {
    const m = mutant();
    m.u64(m.ph(1) + m.phField.memsz, 1n << 40n);
    expectReject(m.bytes, 'SEGMENT_TOO_LARGE', 'program header 1 (PT_LOAD) p_memsz 0x10000000000');
    // The limit is configurable.
    expect(() => parseElf(reference, 'x.elf', { maxSegmentSize: 0x100n })).toThrow(/segment limit/);
  });

  it('p_align not a power of two', () => {
    const m = mutant();
    m.u64(m.ph(0) + m.phField.align, 0x3000n);
    expectReject(m.bytes, 'SEGMENT_ALIGN', 'p_align 0x3000');
  });

  it('overlapping segments', () => {
    const m = mutant();
    // Move the data segment onto the text segment, physically and virtually.
    m.u64(m.ph(1) + m.phField.paddr, LINK_ADDRESS + 0x100n);
    m.u64(m.ph(1) + m.phField.vaddr, LINK_ADDRESS + 0x100n);
    expectReject(m.bytes, 'SEGMENTS_OVERLAP', 'program headers 0 and 1 overlap', 'p_paddr', '[0x40000000,');
    const n = mutant();
    n.u64(n.ph(1) + n.phField.vaddr, LINK_ADDRESS); // only the virtual ranges collide
    expectReject(n.bytes, 'SEGMENTS_OVERLAP', 'p_vaddr');
  });

  it('entry point outside every segment', () => {
    const m = mutant();
    m.u64(24, 0x1000n);
    expectReject(m.bytes, 'BAD_ENTRY', 'e_entry 0x1000');
  });

  it('section header table past the end of the file', () => {
    const m = mutant();
    m.u64(40, BigInt(reference.length - 8));
    expectReject(m.bytes, 'BAD_SECTION_HEADERS', 'e_shoff');
    const n = mutant();
    n.u16(60, 0x7fff);
    expectReject(n.bytes, 'BAD_SECTION_HEADERS', 'section header table');
  });

  it('symbol table past the end of the file', () => {
    const m = mutant();
    const view = new DataView(m.bytes.buffer);
    const shoff = Number(view.getBigUint64(40, true));
    const shnum = view.getUint16(60, true);
    let symtab = -1;
    for (let i = 0; i < shnum; i++) if (view.getUint32(shoff + i * 64 + 4, true) === 2) symtab = i;
    expect(symtab).toBeGreaterThan(0);
    m.u64(shoff + symtab * 64 + 32, 1n << 40n); // sh_size
    expectReject(m.bytes, 'BAD_SECTION_HEADERS', `section ${symtab} (SHT_SYMTAB)`);
  });
});

describe('loadRaw', () => {
  it('is one RWX segment entered at its address', () => {
    const bin = read('el-drop.bin');
    const image = loadRaw(bin, 0x4000_0000n, 'el-drop.bin');
    expect(image.entry).toBe(0x4000_0000n);
    expect(image.segments).toHaveLength(1);
    expect(image.segments[0]).toMatchObject({ paddr: 0x4000_0000n, vaddr: 0x4000_0000n, memSize: BigInt(bin.length), flags: PF_R | PF_W | PF_X });
    expect(image.segments[0]!.data).toEqual(bin);
  });

  it('rejects empty images and addresses that do not fit', () => {
    expect(() => loadRaw(new Uint8Array(0), 0n, 'x.bin')).toThrow(LoaderError);
    let err: unknown;
    try {
      loadRaw(new Uint8Array(16), 0xffff_ffff_ffff_fff8n, 'x.bin');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).code).toBe('BAD_ADDRESS');
    expect((err as LoaderError).message).toMatch(/^x\.bin: load address 0xfffffffffffffff8/);
  });
});

describe('file.ts', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'a64el-loader-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('loads an ELF file, naming errors by path', async () => {
    const path = join(buildDir, 'hvc-roundtrip.elf');
    expect((await loadImageFile(path)).entry).toBe(LINK_ADDRESS);
    expect(loadImageFileSync(path).segments).toHaveLength(2);
    const bad = join(tmp, 'bad.elf');
    const m = mutant();
    m.u16(18, 62);
    writeFileSync(bad, m.bytes);
    await expect(loadImageFile(bad)).rejects.toThrow(`${bad}: e_machine is 62 (x86-64)`);
  });

  it('loads a raw binary only with rawAddress', async () => {
    const path = join(buildDir, 'el-drop.bin');
    await expect(loadImageFile(path)).rejects.toMatchObject({ code: 'NOT_ELF' });
    const image = await loadImageFile(path, { rawAddress: LINK_ADDRESS });
    expect(image.segments[0]!.data).toEqual(read('el-drop.bin'));
  });

  it('reports unreadable files as IO errors', async () => {
    const missing = join(tmp, 'missing.elf');
    await expect(loadImageFile(missing)).rejects.toMatchObject({ code: 'IO', file: missing });
    expect(() => loadImageFileSync(missing)).toThrow(LoaderError);
  });
});
