/**
 * Data processing, directed cases with known results (Arm ARM C6.2 per instruction): flag corners at
 * 32 and 64 bits, register 31 as SP or XZR per operand, 32-bit forms zero-extending, shifts by
 * 0/31/32/63, bitmask immediates, bitfield aliases. Words come from GNU as.
 */
import { describe, expect, it } from 'vitest';
import { CODE, DATA, HAVE_BINUTILS, run } from './harness.js';

const N = 8, Z = 4, C = 2, V = 1;
const MAX64 = 0xffff_ffff_ffff_ffffn;

describe.skipIf(!HAVE_BINUTILS)('ADD/SUB (immediate)', () => {
  it('ADDS 64-bit: carry out and zero', () => {
    const r = run('adds x2, x0, #1', { x: { 0: MAX64 } });
    expect(r.x(2)).toBe(0n);
    expect(r.nzcv()).toBe(Z | C);
  });
  it('ADDS 64-bit: signed overflow', () => {
    const r = run('adds x2, x0, #1', { x: { 0: 0x7fff_ffff_ffff_ffffn } });
    expect(r.x(2)).toBe(0x8000_0000_0000_0000n);
    expect(r.nzcv()).toBe(N | V);
  });
  it('ADDS 32-bit: overflow at bit 31, top half of Xd zero, top half of Xn ignored', () => {
    const r = run('adds w2, w0, #1', { x: { 0: 0xffff_ffff_7fff_ffffn } });
    expect(r.x(2)).toBe(0x8000_0000n);
    expect(r.nzcv()).toBe(N | V);
  });
  it('ADDS 32-bit: carry out of bit 31', () => {
    const r = run('adds w2, w0, #1', { x: { 0: 0x0000_0001_ffff_ffffn } });
    expect(r.x(2)).toBe(0n);
    expect(r.nzcv()).toBe(Z | C);
  });
  it('SUBS 64-bit: borrow clears C', () => {
    const r = run('subs x2, x0, #1', { x: { 0: 0n } });
    expect(r.x(2)).toBe(MAX64);
    expect(r.nzcv()).toBe(N);
  });
  it('SUBS equal operands: Z and C (no borrow)', () => {
    const r = run('subs x2, x0, #0x123', { x: { 0: 0x123n } });
    expect(r.nzcv()).toBe(Z | C);
  });
  it('SUBS 32-bit: INT32_MIN - 1 overflows', () => {
    const r = run('subs w2, w0, #1', { x: { 0: 0x8000_0000n } });
    expect(r.x(2)).toBe(0x7fff_ffffn);
    expect(r.nzcv()).toBe(C | V);
  });
  it('CMP with LSL #12 immediate', () => {
    const r = run('cmp x0, #0x10, lsl #12', { x: { 0: 0x10000n } });
    expect(r.nzcv()).toBe(Z | C);
  });
  it('CMN sets flags of the addition, result discarded (Rd = 31 is XZR)', () => {
    const r = run('cmn x0, #1\n mov x3, xzr', { x: { 0: MAX64, 3: 5n } });
    expect(r.nzcv()).toBe(Z | C);
    expect(r.x(3)).toBe(0n);
  });
  it('ADD/SUB: Rn = 31 and Rd = 31 are SP', () => {
    const r = run('mov x1, sp\n add sp, sp, #0x100\n mov x2, sp\n sub x3, sp, #8', {});
    expect(r.x(2) - r.x(1)).toBe(0x100n);
    expect(r.x(3)).toBe(r.x(2) - 8n);
    expect(r.sp()).toBe(r.x(2));
  });
  it('ADD (immediate) 32-bit from WSP reads the low half of SP and zero-extends', () => {
    const r = run('add w2, wsp, #1', { x: { 31: 0x1234_5678_0000_fff0n } });
    expect(r.x(2)).toBe(0xfff1n);
  });
  it('ADD (immediate) 32-bit to WSP zero-extends SP', () => {
    const r = run('add wsp, w0, #0x10', { x: { 0: 0xffff_ffff_ffff_fff0n } });
    expect(r.sp()).toBe(0n);
  });
  it('ADDS with Rn = SP reads SP (CMN SP, #imm)', () => {
    const r = run('cmn sp, #0x10', { x: { 31: 0xffff_ffff_ffff_fff0n } });
    expect(r.nzcv()).toBe(Z | C);
  });
});

describe.skipIf(!HAVE_BINUTILS)('logical (immediate)', () => {
  const imms = [
    0x5555_5555_5555_5555n, 0xaaaa_aaaa_aaaa_aaaan, 0x3333_3333_3333_3333n, 0x0f0f_0f0f_0f0f_0f0fn,
    0x00ff_00ff_00ff_00ffn, 0x0000_ffff_0000_ffffn, 0x0000_0000_ffff_ffffn, 0x8000_0000_0000_0001n,
    0xffff_ffff_ffff_fffen, 0x7fff_ffff_ffff_ffffn, 0x0000_0000_0000_0001n, 0xc000_0000_0000_0003n,
    0x0003_fffc_0003_fffcn, 0x1111_1111_1111_1111n, 0xe0e0_e0e0_e0e0_e0e0n, 0x0000_7fff_ffff_fe00n,
  ];
  for (const imm of imms) {
    it(`ORR x2, XZR, #0x${imm.toString(16)} (Rn = 31 is XZR)`, () => {
      const r = run(`orr x2, xzr, #0x${imm.toString(16)}`);
      expect(r.x(2)).toBe(imm);
    });
  }
  it('32-bit bitmask immediates replicate within 32 bits and zero-extend', () => {
    const r = run('orr w2, wzr, #0x55555555\n eor w3, w0, #0xffff0000\n and w4, w0, #0xff', { x: { 0: 0xffff_ffff_1234_5678n } });
    expect(r.x(2)).toBe(0x5555_5555n);
    expect(r.x(3)).toBe(0xedcb_5678n);
    expect(r.x(4)).toBe(0x78n);
  });
  it('ANDS sets N and Z, clears C and V', () => {
    const r = run('ands x2, x0, #0x8000000000000000', { x: { 0: 0x8000_0000_0000_0001n }, nzcv: C | V });
    expect(r.x(2)).toBe(0x8000_0000_0000_0000n);
    expect(r.nzcv()).toBe(N);
  });
  it('TST (ANDS with Rd = XZR) 32-bit: Z from the low word only', () => {
    const r = run('tst w0, #1', { x: { 0: 0x1_0000_0002n }, nzcv: N | C | V });
    expect(r.nzcv()).toBe(Z);
  });
  it('AND/ORR (immediate) with Rd = 31 write SP', () => {
    const r = run('and sp, x0, #0xfffffffffffffff0', { x: { 0: 0x4010_1237n } });
    expect(r.sp()).toBe(0x4010_1230n);
    const r2 = run('orr wsp, wzr, #0x10', { x: { 31: 0xffff_0000_0000_0000n } });
    expect(r2.sp()).toBe(0x10n);
  });
  it('reserved bitmask encodings are UNDEFINED (EC 0x00)', () => {
    // ORR X0, X0, with N=1 immr=0 imms=111111 (all-ones element): reserved. ORR W0 with N=1: reserved.
    const r = run('.inst 0xb240fc00');
    expect(r.exc).toEqual({ target: 3, esr: 0x0200_0000 });
    expect(r.elr()).toBe(BigInt(CODE));
    expect(run('.inst 0x3200fc00').exc?.esr).toBe(0x0200_0000);   // 32-bit, imms = 111111
    expect(run('.inst 0x32400000').exc?.esr).toBe(0x0200_0000);   // 32-bit with N = 1
  });
});

describe.skipIf(!HAVE_BINUTILS)('move wide', () => {
  it('MOVZ/MOVN/MOVK 64-bit', () => {
    const r = run(`
      movz x0, #0x1234, lsl #48
      movn x1, #0
      movn x2, #0x1234, lsl #16
      movk x3, #0xbeef, lsl #16
      movk x4, #0xcafe, lsl #48`, { x: { 3: 0x1111_1111_1111_1111n, 4: 0x1111_1111_1111_1111n } });
    expect(r.x(0)).toBe(0x1234_0000_0000_0000n);
    expect(r.x(1)).toBe(MAX64);
    expect(r.x(2)).toBe(0xffff_ffff_edcb_ffffn);
    expect(r.x(3)).toBe(0x1111_1111_beef_1111n);
    expect(r.x(4)).toBe(0xcafe_1111_1111_1111n);
  });
  it('32-bit forms zero the top half (MOVN W, MOVK W)', () => {
    const r = run('movn w0, #0\n movk w1, #0xbeef\n movz w2, #1, lsl #16', { x: { 0: MAX64, 1: 0xffff_ffff_0000_0000n } });
    expect(r.x(0)).toBe(0xffff_ffffn);
    expect(r.x(1)).toBe(0xbeefn);
    expect(r.x(2)).toBe(0x10000n);
  });
  it('MOVZ W with hw = 2 is UNDEFINED', () => {
    expect(run('.inst 0x52c00000').exc?.esr).toBe(0x0200_0000);
  });
});

describe.skipIf(!HAVE_BINUTILS)('ADR / ADRP', () => {
  it('ADR forward and backward', () => {
    const r = run('back: nop\n adr x0, fwd\n adr x1, back\n nop\nfwd: nop');
    expect(r.x(0)).toBe(BigInt(CODE + 16));
    expect(r.x(1)).toBe(BigInt(CODE));
  });
  it('ADRP: page of PC plus imm * 4096, both directions, offsets up to +/-4 GiB with carry into the high half', () => {
    // GNU as cannot target absolute addresses with ADRP, so these words are built from the encoding
    // (op=1 immlo immhi Rd; the same formula gives the assembler's 0xd0000000 for "adrp x0, .+0x2000").
    // All four sit in the page 0x40001000.
    const r = run('.inst 0x90001000\n .inst 0xf0fff7e1\n .inst 0xf07fffe2\n .inst 0x90800003');
    expect(r.x(0)).toBe(0x4020_1000n);
    expect(r.x(1)).toBe(0x3ff0_0000n);
    expect(r.x(2)).toBe(0x1_4000_0000n);
    expect(r.x(3)).toBe(0xffff_ffff_4000_1000n);
  });
  it('ADRP to a label', () => {
    const r = run('adrp x0, lbl\n adr x1, lbl\n b 1f\n .balign 4096\nlbl: nop\n1: nop');
    expect(r.x(0)).toBe(0x4000_2000n);
    expect(r.x(1)).toBe(0x4000_2000n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('bitfield (SBFM/BFM/UBFM aliases)', () => {
  const X = 0x8123_4567_89ab_cdefn;
  const cases: [string, bigint][] = [
    ['lsl x0, x1, #3', (X << 3n) & MAX64],
    ['lsl x0, x1, #0', X],
    ['lsl x0, x1, #63', 1n << 63n],
    ['lsl x0, x1, #32', 0x89ab_cdef_0000_0000n],
    ['lsr x0, x1, #60', 8n],
    ['lsr x0, x1, #32', 0x8123_4567n],
    ['lsr x0, x1, #63', 1n],
    ['asr x0, x1, #63', MAX64],
    ['asr x0, x1, #32', 0xffff_ffff_8123_4567n],
    ['asr x0, x1, #4', 0xf812_3456_789a_bcden],
    ['lsl w0, w1, #31', 0x8000_0000n],
    ['lsr w0, w1, #31', 1n],
    ['asr w0, w1, #31', 0xffff_ffffn],
    ['asr w0, w1, #0', 0x89ab_cdefn],
    ['ubfx x0, x1, #4, #8', 0xden],
    ['sbfx x0, x1, #4, #8', 0xffff_ffff_ffff_ffden],
    ['sbfx x0, x1, #60, #4', 0xffff_ffff_ffff_fff8n],
    ['ubfx w0, w1, #28, #4', 8n],
    ['sbfx w0, w1, #28, #4', 0xffff_fff8n],
    ['ubfiz x0, x1, #60, #4', 0xf000_0000_0000_0000n],
    ['sbfiz x0, x1, #32, #8', 0xffff_ffef_0000_0000n],
    ['ubfiz w0, w1, #16, #16', 0xcdef_0000n],
    ['sxtb x0, w1', 0xffff_ffff_ffff_ffefn],
    ['sxth x0, w1', 0xffff_ffff_ffff_cdefn],
    ['sxtw x0, w1', 0xffff_ffff_89ab_cdefn],
    ['sxtb w0, w1', 0xffff_ffefn],
    ['uxtb w0, w1', 0xefn],
    ['uxth w0, w1', 0xcdefn],
  ];
  for (const [insn, want] of cases) {
    it(insn, () => expect(run(insn, { x: { 0: 0x5555n, 1: X } }).x(0)).toBe(want));
  }
  it('BFI / BFXIL keep the other destination bits', () => {
    const r = run('bfi x0, x1, #8, #16\n bfxil w2, w1, #4, #4\n bfi x3, x1, #56, #8', { x: { 0: MAX64, 1: X, 2: 0xffff_ffff_ffff_ffffn, 3: 0n } });
    expect(r.x(0)).toBe(0xffff_ffff_ffcd_efffn);
    expect(r.x(2)).toBe(0xffff_fffen);
    expect(r.x(3)).toBe(0xef00_0000_0000_0000n);
  });
  it('sf/N mismatch and 32-bit immr/imms >= 32 are UNDEFINED', () => {
    expect(run('.inst 0x93000000').exc?.esr).toBe(0x0200_0000);   // SBFM X with N = 0
    expect(run('.inst 0x13400000').exc?.esr).toBe(0x0200_0000);   // SBFM W with N = 1
    expect(run('.inst 0x53200000').exc?.esr).toBe(0x0200_0000);   // UBFM W with immr = 32
    expect(run('.inst 0x53008000').exc?.esr).toBe(0x0200_0000);   // UBFM W with imms = 32
  });
});

describe.skipIf(!HAVE_BINUTILS)('EXTR', () => {
  it('EXTR 64/32 and ROR (immediate)', () => {
    const r = run('extr x0, x1, x2, #8\n extr w3, w1, w2, #4\n ror x4, x1, #1\n extr x5, x1, x2, #0',
      { x: { 1: 0x0102_0304_0506_0708n, 2: 0x1112_1314_1516_1718n } });
    expect(r.x(0)).toBe(0x0811_1213_1415_1617n);
    expect(r.x(3)).toBe(0x8151_6171n);
    expect(r.x(4)).toBe(0x0081_0182_0283_0384n);
    expect(r.x(5)).toBe(0x1112_1314_1516_1718n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('add/subtract (shifted and extended register)', () => {
  it('shifted register: Rd, Rn, Rm = 31 are XZR', () => {
    const r = run('add x0, xzr, x1, lsl #4\n sub x2, x1, xzr\n neg x3, x1\n mov x4, xzr', { x: { 1: 3n, 31: 0x1000n } });
    expect(r.x(0)).toBe(48n);
    expect(r.x(2)).toBe(3n);
    expect(r.x(3)).toBe(MAX64 - 2n);
    expect(r.sp()).toBe(0x1000n);
  });
  it('shifted register: LSR/ASR and shift by 63/31', () => {
    const r = run('add x0, xzr, x1, asr #63\n add x2, xzr, x1, lsr #63\n add w3, wzr, w1, lsl #31\n subs x4, x1, x1, lsl #0',
      { x: { 1: 0x8000_0000_0000_0001n } });
    expect(r.x(0)).toBe(MAX64);
    expect(r.x(2)).toBe(1n);
    expect(r.x(3)).toBe(0x8000_0000n);
    expect(r.x(4)).toBe(0n);
    expect(r.nzcv()).toBe(Z | C);
  });
  it('shift type 11 and 32-bit shifts >= 32 are UNDEFINED', () => {
    expect(run('.inst 0x8bc00000').exc?.esr).toBe(0x0200_0000);   // ADD X, shift = 11
    expect(run('.inst 0x0b008000').exc?.esr).toBe(0x0200_0000);   // ADD W, LSL #32
    expect(run('.inst 0x0a008000').exc?.esr).toBe(0x0200_0000);   // AND W, LSL #32
  });
  it('extended register: Rn and Rd are SP, Rm extends (UXTB..SXTX) and shifts', () => {
    const r = run(`
      add x0, sp, w1, uxtb #2
      add x2, x3, w1, sxtb
      sub x4, x3, w1, sxtw #4
      add sp, sp, x5, uxtx #1
      add x6, x3, w7, uxth
      adds x8, x3, x7, sxth #3`,
    { x: { 31: 0x1000n, 1: 0xffff_ffff_8000_00ffn, 3: 0x100n, 5: 8n, 7: 0x1_8000n } });
    expect(r.x(0)).toBe(0x1000n + 0x3fcn);
    expect(r.x(2)).toBe(0x100n - 1n);
    expect(r.x(4)).toBe((0x100n + (0x7fff_ff01n << 4n)) & MAX64);
    expect(r.sp()).toBe(0x1010n);
    expect(r.x(6)).toBe(0x8100n);
    expect(r.x(8)).toBe((0x100n - (0x8000n << 3n)) & MAX64);
    expect(r.nzcv()).toBe(N);
  });
  it('ADDS/SUBS (extended) with Rd = 31 write XZR (CMP SP, Xm)', () => {
    const r = run('cmp sp, x1\n mov x2, xzr', { x: { 31: 0x2000n, 1: 0x2000n, 2: 9n } });
    expect(r.nzcv()).toBe(Z | C);
    expect(r.x(2)).toBe(0n);
    expect(r.sp()).toBe(0x2000n);
  });
  it('extended register with shift > 4 is UNDEFINED', () => {
    expect(run('.inst 0x8b201400').exc?.esr).toBe(0x0200_0000);   // imm3 = 5
  });
});

describe.skipIf(!HAVE_BINUTILS)('ADC/SBC(S)', () => {
  it('ADCS 64: carry in and carry out', () => {
    const r = run('adcs x0, x1, x2', { x: { 1: MAX64, 2: 0n }, nzcv: C });
    expect(r.x(0)).toBe(0n);
    expect(r.nzcv()).toBe(Z | C);
  });
  it('ADCS 32: overflow', () => {
    const r = run('adcs w0, w1, w2', { x: { 1: 0x7fff_fffen, 2: 1n }, nzcv: C });
    expect(r.x(0)).toBe(0x8000_0000n);
    expect(r.nzcv()).toBe(N | V);
  });
  it('SBCS: borrow when C = 0; NGCS', () => {
    const r = run('sbcs x0, x1, x2\n mov x3, x0', { x: { 1: 5n, 2: 5n }, nzcv: 0 });
    expect(r.x(3)).toBe(MAX64);
    expect(r.nzcv()).toBe(N);
    const r2 = run('sbcs w0, w1, w2', { x: { 1: 0x8000_0000n, 2: 0n }, nzcv: 0 });
    expect(r2.x(0)).toBe(0x7fff_ffffn);
    expect(r2.nzcv()).toBe(C | V);
  });
  it('ADC/SBC leave the flags alone', () => {
    const r = run('adc x0, x1, x2\n sbc x3, x1, x2', { x: { 1: 10n, 2: 3n }, nzcv: C | N });
    expect(r.x(0)).toBe(14n);
    expect(r.x(3)).toBe(7n);
    expect(r.nzcv()).toBe(C | N);
  });
});

describe.skipIf(!HAVE_BINUTILS)('CCMP/CCMN', () => {
  it('condition true: flags of the compare (64 and 32 bit)', () => {
    const r = run('ccmp x1, #3, #0xf, eq', { x: { 1: 3n }, nzcv: Z });
    expect(r.nzcv()).toBe(Z | C);
    const r2 = run('ccmp w1, w2, #0, ne', { x: { 1: 0x8000_0000n, 2: 1n }, nzcv: 0 });
    expect(r2.nzcv()).toBe(C | V);
    const r3 = run('ccmn x1, #1, #0, al', { x: { 1: MAX64 } });
    expect(r3.nzcv()).toBe(Z | C);
  });
  it('condition false: flags = #nzcv', () => {
    const r = run('ccmp x1, x2, #0b1010, eq', { x: { 1: 1n, 2: 1n }, nzcv: 0 });
    expect(r.nzcv()).toBe(0b1010);
  });
});

describe.skipIf(!HAVE_BINUTILS)('conditional select', () => {
  it('CSEL/CSINC/CSINV/CSNEG and aliases CSET/CSETM/CINC/CNEG', () => {
    const r = run(`
      csel x0, x1, x2, eq
      csinc x3, x1, x2, ne
      csinv x4, x1, x2, ne
      csneg x5, x1, x2, ne
      cset w6, eq
      csetm x7, eq
      cinc x8, x1, eq
      cneg w9, w2, eq`, { x: { 1: 10n, 2: 0xffff_ffff_ffff_fffbn }, nzcv: Z });
    expect(r.x(0)).toBe(10n);
    expect(r.x(3)).toBe(0xffff_ffff_ffff_fffcn);
    expect(r.x(4)).toBe(4n);
    expect(r.x(5)).toBe(5n);
    expect(r.x(6)).toBe(1n);
    expect(r.x(7)).toBe(MAX64);
    expect(r.x(8)).toBe(11n);
    expect(r.x(9)).toBe(5n);
  });
  it('32-bit CSINC wraps at 32 bits and zero-extends', () => {
    const r = run('csinc w0, w1, w2, ne', { x: { 2: 0xffff_ffffn }, nzcv: Z });
    expect(r.x(0)).toBe(0n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('multiply and divide', () => {
  it('MADD/MSUB/MUL/MNEG 64 and 32', () => {
    const r = run('madd x0, x1, x2, x3\n msub x4, x1, x2, x3\n mul w5, w1, w2\n mneg x6, x1, x2',
      { x: { 1: 0x1_0000_0003n, 2: 0x1_0000_0005n, 3: 7n } });
    expect(r.x(0)).toBe((0x1_0000_0003n * 0x1_0000_0005n + 7n) & MAX64);
    expect(r.x(4)).toBe((7n - 0x1_0000_0003n * 0x1_0000_0005n) & MAX64);
    expect(r.x(5)).toBe(15n);
    expect(r.x(6)).toBe((-(0x1_0000_0003n * 0x1_0000_0005n)) & MAX64);
  });
  it('SMULL/UMULL/SMADDL/UMSUBL/SMULH/UMULH', () => {
    const r = run('smull x0, w1, w2\n umull x3, w1, w2\n smaddl x4, w1, w2, x5\n umsubl x6, w1, w2, x5\n smulh x7, x8, x9\n umulh x10, x8, x9',
      { x: { 1: 0xffff_ffffn, 2: 2n, 5: 100n, 8: MAX64, 9: MAX64 } });
    expect(r.x(0)).toBe(MAX64 - 1n);            // -1 * 2
    expect(r.x(3)).toBe(0x1_ffff_fffen);
    expect(r.x(4)).toBe(98n);
    expect(r.x(6)).toBe((100n - 0x1_ffff_fffen) & MAX64);
    expect(r.x(7)).toBe(0n);                    // (-1 * -1) >> 64
    expect(r.x(10)).toBe(MAX64 - 1n);           // (2^64-1)^2 >> 64
  });
  it('UDIV/SDIV: x/0 = 0, INT_MIN/-1 = INT_MIN, rounding toward zero', () => {
    const r = run('udiv x0, x1, x2\n sdiv x3, x4, x5\n sdiv w6, w7, w8\n udiv w9, w1, wzr\n sdiv x10, x11, x2',
      { x: { 1: 100n, 2: 7n, 4: 0x8000_0000_0000_0000n, 5: MAX64, 7: 0x8000_0000n, 8: 0xffff_ffffn, 11: (-100n) & MAX64 } });
    expect(r.x(0)).toBe(14n);
    expect(r.x(3)).toBe(0x8000_0000_0000_0000n);
    expect(r.x(6)).toBe(0x8000_0000n);
    expect(r.x(9)).toBe(0n);
    expect(r.x(10)).toBe((-14n) & MAX64);
  });
});

describe.skipIf(!HAVE_BINUTILS)('variable shifts and 1-source', () => {
  it('LSLV/LSRV/ASRV/RORV use Rm MOD datasize', () => {
    const r = run('lsl x0, x1, x2\n lsr w3, w1, w2\n asr x4, x5, x6\n ror w7, w1, w6',
      { x: { 1: 0x8000_0001n, 2: 65n, 5: 0x8000_0000_0000_0000n, 6: 32n + 64n } });
    expect(r.x(0)).toBe(0x1_0000_0002n);
    expect(r.x(3)).toBe(0x4000_0000n);
    expect(r.x(4)).toBe(0xffff_ffff_8000_0000n);
    expect(r.x(7)).toBe(0x8000_0001n);
  });
  it('CLZ/CLS/RBIT/REV/REV16/REV32', () => {
    const r = run(`
      clz x0, x1
      clz w2, wzr
      cls x3, x1
      cls w4, w5
      rbit x6, x1
      rev x7, x8
      rev w9, w8
      rev16 x10, x8
      rev32 x11, x8
      rbit w12, w8`, { x: { 1: 0x0000_1000_0000_0000n, 5: 0xffff_fff0n, 8: 0x0102_0304_0506_0708n } });
    expect(r.x(0)).toBe(19n);
    expect(r.x(2)).toBe(32n);
    expect(r.x(3)).toBe(18n);
    expect(r.x(4)).toBe(27n);
    expect(r.x(6)).toBe(0x0000_0000_0008_0000n);
    expect(r.x(7)).toBe(0x0807_0605_0403_0201n);
    expect(r.x(9)).toBe(0x0807_0605n);
    expect(r.x(10)).toBe(0x0201_0403_0605_0807n);
    expect(r.x(11)).toBe(0x0403_0201_0807_0605n);
    expect(r.x(12)).toBe(0x10e0_60a0n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('DATA area sanity', () => {
  it('SP starts 16-byte aligned inside DATA', () => {
    const r = run('mov x0, sp');
    expect(r.x(0)).toBe(BigInt(DATA + 0x8000));
  });
});
