/**
 * FEAT_LSE atomics (Arm ARM C6.2 LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN, SWP, CAS,
 * CASP and the ST<op> aliases; ASL MemAtomic / MemAtomicCompareAndSwap) and FEAT_CRC32 (C6.2 CRC32*,
 * checked against the published CRC-32 / CRC-32C check values of "123456789"). Real instructions from
 * GNU as, run at EL3 with the MMU off: memory is Device, so accesses must be aligned to their size
 * (B2.5.2) and a faulting atomic writes no register and no memory.
 */
import { describe, expect, it } from 'vitest';
import { DATA, DRAM_END, HAVE_BINUTILS, run } from './harness.js';
import { decode } from '../../src/decode/decoder.js';
import * as L from '../../src/state/layout.js';
import { asmWord } from '../helpers/asm.js';

const ARCH = '.arch armv8.1-a+crc\n';
const le64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));

describe.skipIf(!HAVE_BINUTILS)('LSE atomic memory operations', () => {
  it('LDADD (X): Rt = old value, memory = old + Rs', () => {
    const r = run(`${ARCH}ldadd x2, x3, [x1]`, { x: { 1: DATA, 2: 7 }, mem: { [DATA]: le64(0xffff_ffff_ffff_fffbn) } });
    expect(r.exc).toBeNull();
    expect(r.x(3)).toBe(0xffff_ffff_ffff_fffbn);
    expect(r.read64(DATA)).toBe(2n);
  });

  it('every operation, 32-bit, with a value where signed and unsigned order differ', () => {
    const ops: [string, number][] = [
      ['ldadd', 0x80000001], ['ldclr', 0x80000000], ['ldeor', 0x80000001], ['ldset', 0x80000001],
      ['ldsmax', 0x00000001], ['ldsmin', 0x80000000], ['ldumax', 0x80000000], ['ldumin', 0x00000001],
    ];
    for (const [op, want] of ops) {
      const r = run(`${ARCH}${op} w2, w3, [x1]`, { x: { 1: DATA, 2: 1, 3: -1 }, mem: { [DATA]: [0, 0, 0, 0x80, 0xaa, 0xaa, 0xaa, 0xaa] } });
      expect(r.exc, op).toBeNull();
      expect(r.read32(DATA) >>> 0, op).toBe(want >>> 0);
      expect(r.x(3), op).toBe(0x80000000n);                   // W destination: zero-extended old value
      expect(r.read32(DATA + 4) >>> 0, op).toBe(0xaaaaaaaa);   // nothing beyond the word
    }
  });

  it('64-bit signed/unsigned max/min compare the whole doubleword', () => {
    const old = 0x0000_0001_0000_0000n, rs = 0xffff_ffff_0000_0005n;
    const cases: [string, bigint][] = [['ldsmax', old], ['ldsmin', rs], ['ldumax', rs], ['ldumin', old]];
    for (const [op, want] of cases) {
      const r = run(`${ARCH}${op}al x2, x3, [x1]`, { x: { 1: DATA, 2: rs }, mem: { [DATA]: le64(old) } });
      expect(r.read64(DATA), op).toBe(want);
      expect(r.x(3), op).toBe(old);
    }
  });

  it('byte and halfword forms wrap at their size and zero-extend into Wt', () => {
    const r = run(`${ARCH}ldaddb w2, w3, [x1]\nldsetlh w4, w5, [x1, #0]\nldsminah w6, w7, [x8]`, {
      x: { 1: DATA, 2: 1, 4: 0x8000, 6: 0x7fff, 8: DATA + 2 }, mem: { [DATA]: [0xff, 0x12, 0x34, 0x80] },
    });
    expect(r.exc).toBeNull();
    expect(r.x(3)).toBe(0xffn);
    expect(r.x(5)).toBe(0x1200n);                               // after LDADDB the halfword is 0x1200
    expect(r.read32(DATA) >>> 0).toBe(0x80349200);
    expect(r.x(7)).toBe(0x8034n);                               // min(0x8034, 0x7fff) signed = 0x8034: unchanged
  });

  it('ST<op> aliases (Rt = XZR) update memory only', () => {
    const r = run(`${ARCH}stadd x2, [x1]\nsteorl w2, [x1, #0]`, { x: { 1: DATA, 2: 0x10 }, mem: { [DATA]: le64(0x100n) } });
    expect(r.exc).toBeNull();
    expect(r.read64(DATA)).toBe(0x100n);                        // +0x10 then ^0x10 on the low word
  });

  it('SWP: memory = Rs, Rt = old', () => {
    const r = run(`${ARCH}swpal x2, x3, [x1]\nswpb w4, w5, [x6]`, {
      x: { 1: DATA, 2: 0x1111_2222_3333_4444n, 4: 0x1ab, 6: DATA + 9 }, mem: { [DATA]: le64(0x5555n).concat([0, 0x77]) },
    });
    expect(r.exc).toBeNull();
    expect(r.read64(DATA)).toBe(0x1111_2222_3333_4444n);
    expect(r.x(3)).toBe(0x5555n);
    expect(r.read8(DATA + 9)).toBe(0xab);
    expect(r.x(5)).toBe(0x77n);
  });

  it('CAS: writes Rt only when memory equals Rs; Rs = old value either way', () => {
    const ok = run(`${ARCH}casal x2, x3, [x1]`, { x: { 1: DATA, 2: 0x42, 3: 0x99 }, mem: { [DATA]: le64(0x42n) } });
    expect(ok.read64(DATA)).toBe(0x99n);
    expect(ok.x(2)).toBe(0x42n);
    const fail = run(`${ARCH}cas x2, x3, [x1]`, { x: { 1: DATA, 2: 0x43, 3: 0x99 }, mem: { [DATA]: le64(0x42n) } });
    expect(fail.read64(DATA)).toBe(0x42n);
    expect(fail.x(2)).toBe(0x42n);
    const h = run(`${ARCH}casah w2, w3, [x1]`, { x: { 1: DATA, 2: 0xffff_1234n, 3: 0xbeef }, mem: { [DATA]: [0x34, 0x12, 0x56] } });
    expect(h.read32(DATA) & 0xffffff).toBe(0x56beef);           // compares the low halfword of Ws only
    expect(h.x(2)).toBe(0x1234n);
  });

  it('CASP (X and W pairs): Rs at the lower address; Rs:Rs+1 = the old pair', () => {
    const x = run(`${ARCH}caspal x2, x3, x4, x5, [x1]`, {
      x: { 1: DATA, 2: 1, 3: 2, 4: 0xa, 5: 0xb }, mem: { [DATA]: le64(1n).concat(le64(2n)) },
    });
    expect(x.exc).toBeNull();
    expect([x.read64(DATA), x.read64(DATA + 8)]).toEqual([0xan, 0xbn]);
    expect([x.x(2), x.x(3)]).toEqual([1n, 2n]);
    const miss = run(`${ARCH}casp x2, x3, x4, x5, [x1]`, {
      x: { 1: DATA, 2: 1, 3: 3, 4: 0xa, 5: 0xb }, mem: { [DATA]: le64(1n).concat(le64(2n)) },
    });
    expect([miss.read64(DATA), miss.read64(DATA + 8)]).toEqual([1n, 2n]);
    expect([miss.x(2), miss.x(3)]).toEqual([1n, 2n]);
    const w = run(`${ARCH}casp w2, w3, w4, w5, [x1]`, {
      x: { 1: DATA + 8, 2: 0x11, 3: 0x22, 4: 0x33, 5: 0x44 }, mem: { [DATA + 8]: [0x11, 0, 0, 0, 0x22, 0, 0, 0] },
    });
    expect(w.read64(DATA + 8)).toBe(0x44_0000_0033n);
  });

  it('CASP with an odd Rs or Rt is UNDEFINED (decode)', () => {
    // casp x2, x3, x4, x5, [x1] with Rs = 3 / Rt = 5 by hand.
    const base = asmWord(`${ARCH}casp x2, x3, x4, x5, [x1]`);
    expect(decode(base)).not.toBe(0);
    expect(decode((base & ~(31 << 16)) | (3 << 16))).toBe(0);
    expect(decode((base & ~31) | 5)).toBe(0);
  });

  it('an unaligned atomic takes an Alignment fault (Device memory) before any write: WnR = 0, nothing changes', () => {
    const r = run(`${ARCH}ldadd x2, x3, [x1]`, { x: { 1: DATA + 4, 2: 1, 3: 0x77 }, mem: { [DATA]: le64(5n).concat(le64(6n)) } });
    expect(r.exc).toEqual({ target: 3, esr: 0x96000021 });
    expect(r.far()).toBe(BigInt(DATA + 4));
    expect(r.x(3)).toBe(0x77n);
    expect(r.read64(DATA)).toBe(5n);
    const p = run(`${ARCH}casp x2, x3, x4, x5, [x1]`, { x: { 1: DATA + 8, 2: 0, 3: 0 } });
    expect(p.exc).toEqual({ target: 3, esr: 0x96000021 });
  });

  it('an external abort (no memory) leaves Rt and Rs unchanged', () => {
    const r = run(`${ARCH}swp x2, x3, [x1]`, { x: { 1: DRAM_END, 2: 1, 3: 0x77 } });
    expect(r.exc).toEqual({ target: 3, esr: 0x96000010 });
    expect(r.x(3)).toBe(0x77n);
    const c = run(`${ARCH}cas x2, x3, [x1]`, { x: { 1: DRAM_END, 2: 0x55, 3: 0x77 } });
    expect(c.exc?.esr).toBe(0x96000010);
    expect(c.x(2)).toBe(0x55n);
  });

  it('SP as the base is checked for alignment first (ASL CheckSPAlignment: SCTLR_EL3.SA = 1, SP<3:0> != 0 -> EC 0x26)', () => {
    const r = run(`${ARCH}mov x9, sp\nadd sp, x9, #8\nldadd x2, x3, [sp]`, {
      x: { 2: 1, 3: 0x77 }, setup: (m) => { m.cpu.s[L.SCTLR_EL + 6] = m.cpu.s[L.SCTLR_EL + 6]! | 8; },
    });
    expect(r.exc).toEqual({ target: 3, esr: 0x9a000000 });
    expect(r.x(3)).toBe(0x77n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('CRC32 / CRC32C', () => {
  // Check values (reflected, init ~0, final xor ~0) of "123456789": CRC-32 0xCBF43926, CRC-32C 0xE3069283.
  const msg = [...'123456789'].map((c) => c.charCodeAt(0));
  for (const [insn, want] of [['crc32b', 0xcbf43926], ['crc32cb', 0xe3069283]] as const) {
    it(`${insn} over "123456789" gives the standard check value 0x${want.toString(16)}`, () => {
      const r = run(`${ARCH}mov w0, #-1\nmov x2, #9\n1: ldrb w3, [x1], #1\n${insn} w0, w0, w3\nsubs x2, x2, #1\nb.ne 1b\nmvn w0, w0`, {
        x: { 1: DATA }, mem: { [DATA]: msg },
      });
      expect(r.exc).toBeNull();
      expect(r.x(0)).toBe(BigInt(want));
    });
  }
  it('the H/W/X forms fold little-endian chunks: crc32x over 8 bytes = crc32w twice = crc32b eight times', () => {
    const r = run(`${ARCH}mov w0, #-1\nmov w4, #-1\nmov w5, #-1\ncrc32cx w0, w0, x2\ncrc32cw w4, w4, w2\nlsr x6, x2, #32\ncrc32cw w4, w4, w6\ncrc32ch w5, w5, w2`, {
      x: { 2: 0x0123_4567_89ab_cdefn },
    });
    expect(r.exc).toBeNull();
    expect(r.x(0)).toBe(r.x(4));
    expect(r.x(5)).not.toBe(r.x(0));
  });
});
