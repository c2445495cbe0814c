/**
 * The SIMD&FP subset (Arm ARM C7.2; ASL aarch64/instrs/memory/single/simdfp, pair/simdfp, literal/simdfp,
 * float/move-fp, vector/transfer, vector/logical, vector/fp16/movi): real instructions assembled by
 * GNU as, run at EL3 (CPTR_EL3.TFP = 0 at reset: enabled). Expected values come from the ASL
 * (ZeroExtend on scalar writes, Vpart for FMOV V.D[1], AdvSIMDExpandImm, VFPExpandImm), not from
 * a64el. The V registers are read from the state buffer (V[n] = 4 words, least significant first).
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import type { Machine } from '../../src/machine/machine.js';
import { DATA, HAVE_BINUTILS, run } from './harness.js';
import { decode } from '../../src/decode/decoder.js';

/** V[n] as a 128-bit BigInt. */
function v(m: Machine, n: number): bigint {
  let r = 0n;
  for (let k = 3; k >= 0; k--) r = (r << 32n) | BigInt(m.cpu.u[L.V + 4 * n + k]!);
  return r;
}
function setV(m: Machine, n: number, val: bigint): void {
  for (let k = 0; k < 4; k++) m.cpu.u[L.V + 4 * n + k] = Number((val >> BigInt(32 * k)) & 0xffffffffn);
}
const ONES = (1n << 128n) - 1n;
const PATTERN = 0x0f0e0d0c_0b0a0908_07060504_03020100n;
const bytes16 = Array.from({ length: 32 }, (_, i) => i);

describe.skipIf(!HAVE_BINUTILS)('SIMD&FP loads and stores', () => {
  it('LDR B/H/S/D/Q (unsigned offset) load little-endian and zero the rest of Vt (ASL V[t] = ZeroExtend)', () => {
    const r = run('ldr b0, [x1, #1]\nldr h1, [x1, #2]\nldr s2, [x1, #4]\nldr d3, [x1, #8]\nldr q4, [x1, #16]', {
      x: { 1: DATA }, mem: { [DATA]: bytes16 },
      setup: (m) => { for (let n = 0; n < 5; n++) setV(m, n, ONES); },
    });
    expect(r.exc).toBeNull();
    expect(v(r.m, 0)).toBe(0x01n);
    expect(v(r.m, 1)).toBe(0x0302n);
    expect(v(r.m, 2)).toBe(0x07060504n);
    expect(v(r.m, 3)).toBe(0x0f0e0d0c0b0a0908n);
    expect(v(r.m, 4)).toBe(0x1f1e1d1c_1b1a1918_17161514_13121110n);
  });

  it('STR B/H/S/D/Q store the low bytes of Vt; pre/post-index write the base back; LDUR/STUR', () => {
    const r = run([
      'str q0, [x1], #16', 'str d0, [x1, #8]!', 'str s0, [x1, #8]', 'str h0, [x1, #12]', 'str b0, [x1, #14]',
      'stur q0, [x1, #24]', 'ldur d5, [x1, #-16]',
    ].join('\n'), { x: { 1: DATA }, setup: (m) => setV(m, 0, PATTERN) });
    expect(r.exc).toBeNull();
    expect(r.x(1)).toBe(BigInt(DATA + 24));
    expect(r.read64(DATA)).toBe(0x0706050403020100n);
    expect(r.read64(DATA + 8)).toBe(0x0f0e0d0c0b0a0908n);
    expect(r.read64(DATA + 24)).toBe(0x0706050403020100n);     // str d0 at DATA+16+8
    expect(r.read32(DATA + 32)).toBe(0x03020100);              // str s0 at x1 + 8
    expect(r.read32(DATA + 36) & 0xffff).toBe(0x0100);         // str h0 at x1 + 12
    expect(r.read8(DATA + 38)).toBe(0x00);                      // str b0 at x1 + 14
    expect(r.read64(DATA + 48)).toBe(0x0706050403020100n);      // stur q0 at x1 + 24
    expect(r.read64(DATA + 56)).toBe(0x0f0e0d0c0b0a0908n);
    expect(v(r.m, 5)).toBe(0x0f0e0d0c0b0a0908n);                // ldur d5 at x1 - 16 = DATA + 8
  });

  it('LDR (register, SIMD&FP): extend and shift by the access size (Q: lsl #4)', () => {
    const r = run('ldr q0, [x1, x2, lsl #4]\nldr s1, [x1, w3, sxtw #2]\nldr b2, [x1, x4]', {
      x: { 1: DATA + 0x100, 2: 1, 3: -1, 4: 3 }, mem: { [DATA + 0xf0]: Array.from({ length: 48 }, (_, i) => i + 0x40) },
    });
    expect(r.exc).toBeNull();
    expect(v(r.m, 0)).toBe(0x6f6e6d6c_6b6a6968_67666564_63626160n);   // DATA + 0x110: bytes 0x20.. of the preload
    expect(v(r.m, 1)).toBe(0x4f4e4d4cn);                                // DATA + 0xfc
    expect(v(r.m, 2)).toBe(0x53n);
  });

  it('LDR (literal, SIMD&FP) S/D/Q', () => {
    const r = run('ldr q0, 1f\nldr d1, 1f\nldr s2, 1f\nb 2f\n.balign 16\n1: .quad 0x1122334455667788, 0x99aabbccddeeff00\n2:');
    expect(r.exc).toBeNull();
    expect(v(r.m, 0)).toBe(0x99aabbccddeeff00_1122334455667788n);
    expect(v(r.m, 1)).toBe(0x1122334455667788n);
    expect(v(r.m, 2)).toBe(0x55667788n);
  });

  it('LDP/STP/LDNP/STNP S/D/Q, with writeback', () => {
    const r = run([
      'stp q0, q1, [x1, #-32]!', 'ldp q2, q3, [x1], #32', 'stnp d0, d1, [x1]', 'ldnp s4, s5, [x1, #4]', 'stp s1, s0, [x1, #16]',
    ].join('\n'), { x: { 1: DATA + 0x100 }, setup: (m) => { setV(m, 0, PATTERN); setV(m, 1, ~PATTERN & ONES); } });
    expect(r.exc).toBeNull();
    expect(r.x(1)).toBe(BigInt(DATA + 0x100));
    expect(v(r.m, 2)).toBe(PATTERN);
    expect(v(r.m, 3)).toBe(~PATTERN & ONES);
    expect(r.read64(DATA + 0x100)).toBe(0x0706050403020100n);
    expect(r.read64(DATA + 0x108)).toBe(0xf8f9fafbfcfdfeffn);
    expect(v(r.m, 4)).toBe(0x07060504n);
    expect(v(r.m, 5)).toBe(0xfcfdfeffn);
    expect(r.read32(DATA + 0x110)).toBe(0xfcfdfeff);
    expect(r.read32(DATA + 0x114)).toBe(0x03020100);
  });

  it('a 128-bit access not aligned to 16 bytes takes an Alignment fault with MMU off (Device memory, B2.5.2); Vt keeps its value', () => {
    const r = run('ldr q0, [x1]', { x: { 1: DATA + 8 }, setup: (m) => setV(m, 0, PATTERN) });
    expect(r.exc).toEqual({ target: 3, esr: 0x96000021 });
    expect(r.far()).toBe(BigInt(DATA + 8));
    expect(v(r.m, 0)).toBe(PATTERN);
    const st = run('str q0, [x1, #8]!', { x: { 1: DATA } });
    expect(st.exc).toEqual({ target: 3, esr: 0x96000061 });
    expect(st.x(1)).toBe(BigInt(DATA));                          // no writeback
  });

  it('a load pair whose second element faults writes neither register (the first fault is reported)', () => {
    // DRAM ends at DATA + 0x700000 (8 MiB harness): the second Q of the pair lies beyond it.
    const end = 0x4080_0000;
    const r = run('ldp q0, q1, [x1]', { x: { 1: end - 16 }, setup: (m) => { setV(m, 0, 1n); setV(m, 1, 2n); } });
    expect(r.exc?.esr).toBe(0x96000010);
    expect(r.far()).toBe(BigInt(end));
    expect(v(r.m, 0)).toBe(1n);
    expect(v(r.m, 1)).toBe(2n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('SIMD&FP moves', () => {
  it('FMOV (general): W<->S, X<->D zero the rest of Vd; X<->V.D[1] keeps D[0] (Vpart[d, 1])', () => {
    const r = run('fmov s0, w1\nfmov d1, x2\nfmov v2.d[1], x2\nfmov w3, s2\nfmov x4, d2\nfmov x5, v2.d[1]\nfmov s6, wzr', {
      x: { 1: 0xffff_ffff_8765_4321n, 2: 0x1122_3344_5566_7788n },
      setup: (m) => { setV(m, 0, ONES); setV(m, 1, ONES); setV(m, 2, PATTERN); setV(m, 6, ONES); },
    });
    expect(r.exc).toBeNull();
    expect(v(r.m, 0)).toBe(0x87654321n);
    expect(v(r.m, 1)).toBe(0x1122334455667788n);
    expect(v(r.m, 2)).toBe((0x1122334455667788n << 64n) | 0x0706050403020100n);
    expect(r.x(3)).toBe(0x03020100n);
    expect(r.x(4)).toBe(0x0706050403020100n);
    expect(r.x(5)).toBe(0x1122334455667788n);
    expect(v(r.m, 6)).toBe(0n);
  });

  it('FMOV (register) and FMOV (scalar, immediate) (VFPExpandImm)', () => {
    const r = run('fmov d1, d0\nfmov s2, s0\nfmov s3, #1.0\nfmov d4, #-0.5\nfmov s5, #31.0\nfmov d6, #0.125', {
      setup: (m) => { setV(m, 0, PATTERN); for (const n of [1, 2, 3, 4]) setV(m, n, ONES); },
    });
    expect(r.exc).toBeNull();
    expect(v(r.m, 1)).toBe(0x0706050403020100n);
    expect(v(r.m, 2)).toBe(0x03020100n);
    expect(v(r.m, 3)).toBe(0x3f800000n);
    expect(v(r.m, 4)).toBe(0xbfe0000000000000n);
    expect(v(r.m, 5)).toBe(0x41f80000n);
    expect(v(r.m, 6)).toBe(0x3fc0000000000000n);
  });

  it('MOVI/MVNI, every form (AdvSIMDExpandImm); 64-bit arrangements zero the upper half', () => {
    const r = run([
      'movi v0.4s, #0xab, lsl #16', 'movi v1.8h, #0xcd, lsl #8', 'movi v2.2s, #0x12, msl #16', 'movi v3.16b, #0x5a',
      'movi d4, #0xff00ff0000ff00ff', 'movi v5.2d, #0xffffffffffffffff', 'mvni v6.4s, #0x80, lsl #24', 'mvni v7.4h, #0x1',
      'mvni v8.4s, #0x34, msl #8', 'movi v9.2s, #0x7f',
    ].join('\n'), { setup: (m) => { for (let n = 0; n < 10; n++) setV(m, n, PATTERN); } });
    expect(r.exc).toBeNull();
    expect(v(r.m, 0)).toBe(0x00ab0000_00ab0000_00ab0000_00ab0000n);
    expect(v(r.m, 1)).toBe(0xcd00cd00_cd00cd00_cd00cd00_cd00cd00n);
    expect(v(r.m, 2)).toBe(0x0012ffff_0012ffffn);
    expect(v(r.m, 3)).toBe(0x5a5a5a5a_5a5a5a5a_5a5a5a5a_5a5a5a5an);
    expect(v(r.m, 4)).toBe(0xff00ff0000ff00ffn);
    expect(v(r.m, 5)).toBe(ONES);
    expect(v(r.m, 6)).toBe(0x7fffffff_7fffffff_7fffffff_7fffffffn);
    expect(v(r.m, 7)).toBe(0xfffefffe_fffefffen);
    expect(v(r.m, 8)).toBe(0xffffcb00_ffffcb00_ffffcb00_ffffcb00n);
    expect(v(r.m, 9)).toBe(0x0000007f_0000007fn);
  });

  it('ORR/BIC (vector, immediate) read-modify-write Vd', () => {
    const r = run('orr v0.4s, #0xf0, lsl #8\nbic v1.8h, #0xff\nbic v2.2s, #0x1', {
      setup: (m) => { setV(m, 0, PATTERN); setV(m, 1, ONES); setV(m, 2, ONES); },
    });
    expect(r.exc).toBeNull();
    expect(v(r.m, 0)).toBe(PATTERN | 0x0000f000_0000f000_0000f000_0000f000n);
    expect(v(r.m, 1)).toBe(0xff00ff00_ff00ff00_ff00ff00_ff00ff00n);
    expect(v(r.m, 2)).toBe(0xfffffffe_fffffffen);
  });

  it('AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF (vector); .8b zeroes bits 127:64', () => {
    const a = 0xffff0000_ffff0000_ff00ff00_ff00ff00n, b = 0xf0f0f0f0_f0f0f0f0_f0f0f0f0_f0f0f0f0n, d = 0xcccccccc_cccccccc_cccccccc_ccccccccn;
    const r = run([
      'and v2.16b, v0.16b, v1.16b', 'bic v3.16b, v0.16b, v1.16b', 'orr v4.16b, v0.16b, v1.16b', 'orn v5.16b, v0.16b, v1.16b',
      'eor v6.8b, v0.8b, v1.8b', 'bsl v7.16b, v0.16b, v1.16b', 'bit v8.16b, v0.16b, v1.16b', 'bif v9.16b, v0.16b, v1.16b',
      'mov v10.16b, v0.16b',
    ].join('\n'), { setup: (m) => { setV(m, 0, a); setV(m, 1, b); for (const n of [7, 8, 9]) setV(m, n, d); } });
    expect(r.exc).toBeNull();
    expect(v(r.m, 2)).toBe(a & b);
    expect(v(r.m, 3)).toBe(a & ~b & ONES);
    expect(v(r.m, 4)).toBe(a | b);
    expect(v(r.m, 5)).toBe((a | ~b) & ONES);
    expect(v(r.m, 6)).toBe((a ^ b) & 0xffffffff_ffffffffn);
    expect(v(r.m, 7)).toBe((d & a) | (~d & b & ONES));          // BSL: Vd selects Vn (1) or Vm (0)
    expect(v(r.m, 8)).toBe((b & a) | (~b & d & ONES));          // BIT: insert Vn where Vm is 1
    expect(v(r.m, 9)).toBe((~b & a & ONES) | (b & d));          // BIF: insert Vn where Vm is 0
    expect(v(r.m, 10)).toBe(a);
  });

  it('DUP (general), INS (general), UMOV, SMOV', () => {
    const r = run([
      'dup v0.16b, w1', 'dup v1.4h, w1', 'dup v2.4s, w1', 'dup v3.2d, x1',
      'mov v4.b[15], w1', 'mov v4.h[2], w1', 'mov v4.s[1], w1', 'mov v5.d[1], x1',
      'umov w6, v4.b[15]', 'umov w7, v4.h[2]', 'mov w8, v4.s[1]', 'mov x9, v5.d[1]',
      'smov x10, v4.b[15]', 'smov w11, v4.h[2]', 'smov x12, v4.s[1]',
    ].join('\n'), { x: { 1: 0x1234_5678_9abc_def0n }, setup: (m) => { setV(m, 4, 0n); setV(m, 5, PATTERN); } });
    expect(r.exc).toBeNull();
    expect(v(r.m, 0)).toBe(0xf0f0f0f0_f0f0f0f0_f0f0f0f0_f0f0f0f0n);
    expect(v(r.m, 1)).toBe(0xdef0def0_def0def0n);
    expect(v(r.m, 2)).toBe(0x9abcdef0_9abcdef0_9abcdef0_9abcdef0n);
    expect(v(r.m, 3)).toBe(0x12345678_9abcdef0_12345678_9abcdef0n);
    expect(v(r.m, 4)).toBe(0xf0000000_00000000_9abcdef0_00000000n);   // s[1] overwrote h[2]
    expect(v(r.m, 5)).toBe((0x123456789abcdef0n << 64n) | 0x0706050403020100n);
    expect(r.x(6)).toBe(0xf0n);
    expect(r.x(7)).toBe(0xdef0n);
    expect(r.x(8)).toBe(0x9abcdef0n);
    expect(r.x(9)).toBe(0x123456789abcdef0n);
    expect(r.x(10)).toBe(0xffff_ffff_ffff_fff0n);
    expect(r.x(11)).toBe(0xffff_def0n);                        // W destination: upper 32 bits zero
    expect(r.x(12)).toBe(0xffff_ffff_9abc_def0n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('SIMD element moves and FMOV (vector, immediate)', () => {
  it('FMOV (vector, immediate) 2S/4S/2D replicate VFPExpandImm', () => {
    const r = run('fmov v0.2s, #1.0\nfmov v1.4s, #-2.0\nfmov v2.2d, #0.5', { setup: (m) => { for (const n of [0, 1, 2]) setV(m, n, ONES); } });
    expect(r.exc).toBeNull();
    expect(v(r.m, 0)).toBe(0x3f800000_3f800000n);
    expect(v(r.m, 1)).toBe(0xc0000000_c0000000_c0000000_c0000000n);
    expect(v(r.m, 2)).toBe(0x3fe00000_00000000_3fe00000_00000000n);
  });

  it('DUP (element), INS (element) (MOV Vd.T[i], Vn.T[j]) and EXT', () => {
    const r = run([
      'dup v1.16b, v0.b[15]', 'dup v2.4h, v0.h[1]', 'dup v3.2d, v0.d[1]',
      'mov v4.s[3], v0.s[1]', 'mov v5.b[0], v0.b[9]', 'mov v0.d[0], v0.d[1]',
      'ext v6.16b, v7.16b, v8.16b, #3', 'ext v9.8b, v7.8b, v8.8b, #7',
    ].join('\n'), { setup: (m) => { setV(m, 0, PATTERN); setV(m, 4, 0n); setV(m, 5, ONES); setV(m, 7, PATTERN); setV(m, 8, PATTERN + 0x10101010_10101010_10101010_10101010n); } });
    expect(r.exc).toBeNull();
    expect(v(r.m, 1)).toBe(0x0f0f0f0f_0f0f0f0f_0f0f0f0f_0f0f0f0fn);
    expect(v(r.m, 2)).toBe(0x03020302_03020302n);
    expect(v(r.m, 3)).toBe(0x0f0e0d0c_0b0a0908_0f0e0d0c_0b0a0908n);
    expect(v(r.m, 4)).toBe(0x07060504n << 96n);
    expect(v(r.m, 5)).toBe((ONES << 8n | 0x09n) & ONES);
    expect(v(r.m, 0)).toBe(0x0f0e0d0c_0b0a0908_0f0e0d0c_0b0a0908n);   // Vn == Vd: the source is read first
    // EXT #3: bytes 3..15 of Vn (v7 = PATTERN) then bytes 0..2 of Vm (v8 = PATTERN + 0x10 per byte)
    expect(v(r.m, 6)).toBe(0x121110_0f0e0d0c_0b0a0908_07060504_03n);
    // EXT .8b #7: byte 7 of Vn, then bytes 0..6 of Vm; bits 127:64 zero
    expect(v(r.m, 9)).toBe(0x16151413_12111007n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('ADD/SUB (vector)', () => {
  it('lanes wrap independently (no carry or borrow across lanes); 1D (size 11, Q 0) is reserved', () => {
    const a = 0xffffffff_ffffffff_80000000_7fff00ffn, b = 0x00000001_00000001_80000000_00010001n;
    const r = run('add v2.16b, v0.16b, v1.16b\nadd v3.8h, v0.8h, v1.8h\nadd v4.4s, v0.4s, v1.4s\nadd v5.2d, v0.2d, v1.2d\nsub v6.8b, v1.8b, v0.8b\nsub v7.2d, v1.2d, v0.2d', {
      setup: (m) => { setV(m, 0, a); setV(m, 1, b); },
    });
    expect(r.exc).toBeNull();
    expect(v(r.m, 2)).toBe(0xffffff00_ffffff00_00000000_7f000000n);
    expect(v(r.m, 3)).toBe(0xffff0000_ffff0000_00000000_80000100n);
    expect(v(r.m, 4)).toBe(0x00000000_00000000_00000000_80000100n);
    expect(v(r.m, 5)).toBe(0x00000001_00000000_00000000_80000100n);
    expect(v(r.m, 6)).toBe(0x81020002n);
    expect(v(r.m, 7)).toBe(0x00000001_00000002_ffffffff_8001ff02n);
    expect(decode(0x0ee08400)).toBe(0);   // add with size 11, Q 0
  });
});

describe.skipIf(!HAVE_BINUTILS)('FPCR and FPSR', () => {
  it('MRS/MSR: writable fields only (FPCR AHP/DN/FZ/RMode/Stride/Len; FPSR QC/IDC/IXC..IOC), upper halves RES0', () => {
    const r = run('mov x0, #-1\nmsr fpcr, x0\nmsr fpsr, x0\nmrs x1, fpcr\nmrs x2, fpsr\nmsr fpcr, xzr\nmrs x3, fpcr');
    expect(r.exc).toBeNull();
    expect(r.x(1)).toBe(0x07f70000n);
    expect(r.x(2)).toBe(0x0800009fn);
    expect(r.x(3)).toBe(0n);
  });

  it('the register file is part of a CPU snapshot (one state buffer)', () => {
    const r = run('fmov d7, x1\nmov x2, #0x00c00000\nmsr fpcr, x2', { x: { 1: 0xdead_beefn } });
    const snap = r.m.cpu.snapshot();
    setV(r.m, 7, 0n);
    r.m.cpu.s[L.FPCR] = 0;
    r.m.cpu.restore(snap);
    expect(v(r.m, 7)).toBe(0xdeadbeefn);
    expect(r.m.cpu.s[L.FPCR]).toBe(0x00c00000);
  });
});
