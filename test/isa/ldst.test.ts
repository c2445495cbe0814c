/**
 * Loads and stores (Arm ARM C6.2; C3.3 addressing modes): every size, zero and sign extension,
 * unsigned offset, unscaled, pre/post-index writeback, register offset with extend/shift, literal,
 * pairs, register 31 as SP (base) or XZR (data), and the faults: Alignment (Device memory with the MMU
 * off: DFSC 0x21), External abort (DFSC 0x10), SP alignment (EC 0x26), each leaving registers unchanged.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { CODE, DATA, DRAM_END, HAVE_BINUTILS, run } from './harness.js';

const MAX64 = 0xffff_ffff_ffff_ffffn;
const D = BigInt(DATA);
/** 16 bytes at DATA: 0x80 0x81 ... 0x8f, then 0x00 0x01 ... */
const PATTERN = Array.from({ length: 32 }, (_, i) => (i < 16 ? 0x80 + i : i - 16));
const mem = { [DATA]: PATTERN };
/** ESR values: Data Abort from the same EL (EC 0x25), IL = 1, WnR, DFSC. */
const DABT = (write: boolean, dfsc: number): number => (0x25 << 26 | 1 << 25 | (write ? 1 << 6 : 0) | dfsc) >>> 0;

describe.skipIf(!HAVE_BINUTILS)('LDR/STR (immediate, unsigned offset): sizes and extension', () => {
  it('zero-extending loads clear the top of X', () => {
    const r = run('ldrb w1, [x0, #1]\n ldrh w2, [x0, #2]\n ldr w3, [x0, #4]\n ldr x4, [x0, #8]', { x: { 0: D, 1: MAX64, 2: MAX64, 3: MAX64 }, mem });
    expect(r.x(1)).toBe(0x81n);
    expect(r.x(2)).toBe(0x8382n);
    expect(r.x(3)).toBe(0x8786_8584n);
    expect(r.x(4)).toBe(0x8f8e_8d8c_8b8a_8988n);
  });
  it('sign-extending loads to X and to W (W clears the top half)', () => {
    const r = run(`
      ldrsb x1, [x0]
      ldrsb w2, [x0]
      ldrsh x3, [x0]
      ldrsh w4, [x0]
      ldrsw x5, [x0]
      ldrsb x6, [x0, #16]
      ldrsw x7, [x0, #16]`, { x: { 0: D, 2: MAX64, 4: MAX64 }, mem });
    expect(r.x(1)).toBe(0xffff_ffff_ffff_ff80n);
    expect(r.x(2)).toBe(0xffff_ff80n);
    expect(r.x(3)).toBe(0xffff_ffff_ffff_8180n);
    expect(r.x(4)).toBe(0xffff_8180n);
    expect(r.x(5)).toBe(0xffff_ffff_8382_8180n);
    expect(r.x(6)).toBe(0n);
    expect(r.x(7)).toBe(0x0302_0100n);
  });
  it('stores of each size write only their bytes; offsets scale by size', () => {
    const r = run('strb w1, [x0, #1]\n strh w1, [x0, #4]\n str w1, [x0, #8]\n str x1, [x0, #16]', { x: { 0: D, 1: 0x1122_3344_5566_7788n } });
    expect(r.read64(DATA)).toBe(0x0000_7788_0000_8800n);
    expect(r.read64(DATA + 8)).toBe(0x5566_7788n);
    expect(r.read64(DATA + 16)).toBe(0x1122_3344_5566_7788n);
  });
  it('the largest unsigned offsets (imm12 = 4095)', () => {
    const r = run('str x1, [x0, #32760]\n ldrb w2, [x0, #4095]', { x: { 0: D, 1: 0xabn } });
    expect(r.read64(DATA + 32760)).toBe(0xabn);
    expect(r.x(2)).toBe(0n);
  });
  it('Rt = 31 is XZR (stores zero, loads discard); Rn = 31 is SP', () => {
    const r = run('str xzr, [x0]\n ldr xzr, [x0, #8]\n mov x2, xzr\n str x1, [sp, #8]\n ldr x3, [sp, #8]', { x: { 0: D, 1: 0x55n }, mem });
    expect(r.read64(DATA)).toBe(0n);
    expect(r.x(2)).toBe(0n);
    expect(r.x(3)).toBe(0x55n);
    expect(r.read64(DATA + 0x8008)).toBe(0x55n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('pre/post-index and unscaled', () => {
  it('post-index: access at the base, then base += imm', () => {
    const r = run('ldr x1, [x0], #8\n ldrb w2, [x0], #-3\n str x3, [x4], #-16', { x: { 0: D, 3: 0x77n, 4: D + 0x100n }, mem });
    expect(r.x(1)).toBe(0x8786_8584_8382_8180n);
    expect(r.x(2)).toBe(0x88n);
    expect(r.x(0)).toBe(D + 5n);
    expect(r.read64(DATA + 0x100)).toBe(0x77n);
    expect(r.x(4)).toBe(D + 0xf0n);
  });
  it('pre-index: base += imm, then access there', () => {
    const r = run('ldr w1, [x0, #4]!\n ldrh w2, [x0, #-2]!\n stp x5, x6, [sp, #-16]!\n str w7, [x8, #255]!', { x: { 0: D, 5: 5n, 6: 6n, 7: 7n, 8: D + 0x201n }, mem });
    expect(r.x(1)).toBe(0x8786_8584n);
    expect(r.x(0)).toBe(D + 2n);
    expect(r.x(2)).toBe(0x8382n);
    expect(r.sp()).toBe(D + 0x8000n - 16n);
    expect(r.read64(DATA + 0x8000 - 16)).toBe(5n);
    expect(r.read64(DATA + 0x8000 - 8)).toBe(6n);
    expect(r.x(8)).toBe(D + 0x300n);
    expect(r.read32(DATA + 0x300)).toBe(7);
  });
  it('LDUR/STUR with negative and unscaled offsets', () => {
    const r = run('ldur x1, [x0, #-8]\n ldurb w2, [x0, #-1]\n ldursh x3, [x0, #-16]\n stur w4, [x0, #4]\n ldursw x5, [x0, #4]',
      { x: { 0: D + 16n, 4: 0x8000_0001n }, mem });
    expect(r.x(1)).toBe(0x8f8e_8d8c_8b8a_8988n);
    expect(r.x(2)).toBe(0x8fn);
    expect(r.x(3)).toBe(0xffff_ffff_ffff_8180n);
    expect(r.x(5)).toBe(0xffff_ffff_8000_0001n);
  });
  it('LDTR/STTR (unprivileged) at EL3 with the MMU off behave as LDR/STR', () => {
    const r = run('sttr x1, [x0, #8]\n ldtrsb x2, [x0]\n ldtr w3, [x0, #8]', { x: { 0: D, 1: 0x1_2345_6789n }, mem });
    expect(r.x(2)).toBe(0xffff_ffff_ffff_ff80n);
    expect(r.x(3)).toBe(0x2345_6789n);
  });
  it('CONSTRAINED UNPREDICTABLE load writeback with Rn == Rt: the loaded value wins, no writeback', () => {
    const r = run('ldr x0, [x0], #8\n ldr x1, [x1, #8]!', { x: { 0: D, 1: D }, mem });
    expect(r.x(0)).toBe(0x8786_8584_8382_8180n);
    expect(r.x(1)).toBe(0x8f8e_8d8c_8b8a_8988n);
  });
  it('CONSTRAINED UNPREDICTABLE store writeback with Rn == Rt: stores the old base, then writes back', () => {
    const r = run('str x0, [x0], #8\n str x1, [x1, #16]!', { x: { 0: D, 1: D } });
    expect(r.read64(DATA)).toBe(D);
    expect(r.x(0)).toBe(D + 8n);
    expect(r.read64(DATA + 16)).toBe(D);
    expect(r.x(1)).toBe(D + 16n);
  });
  it('writeback to SP with Rt = 31 (XZR) is not an overlap', () => {
    const r = run('str xzr, [sp, #-16]!\n ldr xzr, [sp], #16', { x: { 31: D + 0x100n } });
    expect(r.sp()).toBe(D + 0x100n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('register offset', () => {
  it('extend and shift by the access size', () => {
    const r = run(`
      ldr x1, [x0, w9, sxtw #3]
      ldr w2, [x0, x10, lsl #2]
      ldrb w3, [x0, x10]
      ldrh w4, [x0, w10, uxtw #1]
      ldrsb x5, [x0, w11, sxtw]
      ldr x6, [x0, xzr]
      str x7, [x0, x10, lsl #3]`, { x: { 0: D + 16n, 9: 0xffff_ffffn, 10: 2n, 11: 0xffff_fff0n, 7: 0xccn }, mem });
    expect(r.x(1)).toBe(0x8f8e_8d8c_8b8a_8988n);   // [D+16 - 8]
    expect(r.x(2)).toBe(0x0b0a_0908n);             // [D+16 + 8]
    expect(r.x(3)).toBe(0x02n);
    expect(r.x(4)).toBe(0x0504n);
    expect(r.x(5)).toBe(0xffff_ffff_ffff_ff80n);   // [D+16 - 16]
    expect(r.x(6)).toBe(0x0706_0504_0302_0100n);
    expect(r.read64(DATA + 32)).toBe(0xccn);
  });
  it('option<1> = 0 (UXTB/UXTH/SXTB/SXTH) is UNDEFINED', () => {
    const r = run('.inst 0xf8600800');   // LDR X0, [X0, W0, UXTB]
    expect(r.exc?.esr).toBe(0x0200_0000);
  });
});

describe.skipIf(!HAVE_BINUTILS)('literal', () => {
  it('LDR W/X, LDRSW (literal), PRFM (literal), backward literal', () => {
    const r = run(`
      b 1f
      .balign 8
    lit0: .quad 0x8000000012345678
    1: ldr x1, lit0
      ldr w2, lit0
      ldrsw x3, lit1
      ldr x4, =0xfedcba9876543210
      prfm pldl1keep, lit1
      b 2f
    lit1: .word 0x80000000
    2: nop`);
    expect(r.x(1)).toBe(0x8000_0000_1234_5678n);
    expect(r.x(2)).toBe(0x1234_5678n);
    expect(r.x(3)).toBe(0xffff_ffff_8000_0000n);
    expect(r.x(4)).toBe(0xfedc_ba98_7654_3210n);
  });
  it('PRFM never faults (unaligned, unmapped)', () => {
    const r = run('prfm pldl1keep, [x0]\n prfm pstl2strm, [x0, #8]\n prfum pldl1keep, [x0, #1]\n prfm pldl1keep, [x0, x1]', { x: { 0: 0x1234_5677n, 1: 1n } });
    expect(r.exc).toBeNull();
  });
});

describe.skipIf(!HAVE_BINUTILS)('load/store pair', () => {
  it('STP/LDP 64 and 32, signed offset / pre / post', () => {
    const r = run(`
      stp x1, x2, [x0, #16]
      ldp x3, x4, [x0, #16]
      stp w1, w2, [x0, #-8]!
      ldp w5, w6, [x0], #8
      ldp x7, x8, [x9, #-512]`, { x: { 0: D + 0x100n, 1: 0x1111_2222_3333_4444n, 2: 0x5555_6666_7777_8888n, 9: D + 0x200n } });
    expect(r.x(3)).toBe(0x1111_2222_3333_4444n);
    expect(r.x(4)).toBe(0x5555_6666_7777_8888n);
    expect(r.x(5)).toBe(0x3333_4444n);
    expect(r.x(6)).toBe(0x7777_8888n);
    expect(r.x(0)).toBe(D + 0x100n);
    expect(r.read64(DATA + 0xf8)).toBe(0x7777_8888_3333_4444n);
  });
  it('LDPSW sign-extends both words; LDNP/STNP', () => {
    const r = run('ldpsw x1, x2, [x0]\n stnp x1, x2, [x5, #16]\n ldnp w3, w4, [x5, #16]', { x: { 0: D + 12n, 5: D + 0x40n }, mem });
    expect(r.x(1)).toBe(0xffff_ffff_8f8e_8d8cn);
    expect(r.x(2)).toBe(0x0302_0100n);
    expect(r.x(3)).toBe(0x8f8e_8d8cn);
    expect(r.x(4)).toBe(0xffff_ffffn);
  });
  it('LDP with Rt == Rt2 is UNDEFINED (CONSTRAINED UNPREDICTABLE choice)', () => {
    const r = run('ldp x1, x1, [x0]', { x: { 0: D, 1: 9n } });
    expect(r.exc?.esr).toBe(0x0200_0000);
    expect(r.x(1)).toBe(9n);
  });
  it('LDP writeback with Rn == Rt2: loaded value wins, no writeback', () => {
    const r = run('ldp x1, x0, [x0], #16', { x: { 0: D }, mem });
    expect(r.x(0)).toBe(0x8f8e_8d8c_8b8a_8988n);
    expect(r.x(1)).toBe(0x8786_8584_8382_8180n);
  });
  it('STP writeback with Rn == Rt: stores the old base, then writes back', () => {
    const r = run('stp x0, x1, [x0, #16]!', { x: { 0: D, 1: 1n } });
    expect(r.read64(DATA + 16)).toBe(D);
    expect(r.x(0)).toBe(D + 16n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('faults leave registers unchanged', () => {
  it('unaligned LDR: Alignment fault, EC 0x25, DFSC 0x21, FAR = address, ELR = the load', () => {
    const r = run('nop\n ldr x1, [x0]', { x: { 0: D + 4n, 1: 0x1234n } });
    expect(r.exc).toEqual({ target: 3, esr: DABT(false, 0x21) });
    expect(r.esr()).toBe(0x9600_0021);
    expect(r.far()).toBe(D + 4n);
    expect(r.elr()).toBe(BigInt(CODE + 4));
    expect(r.x(1)).toBe(0x1234n);
  });
  it('unaligned STR: WnR = 1 (ESR 0x96000061), memory unchanged', () => {
    const r = run('strh w1, [x0]', { x: { 0: D + 1n, 1: 0xffffn }, mem });
    expect(r.esr()).toBe(0x9600_0061);
    expect(r.far()).toBe(D + 1n);
    expect(r.read32(DATA)).toBe(0x8382_8180);
  });
  it('faulting pre-index and post-index accesses do not write back the base', () => {
    const r = run('ldr x1, [x0, #4]!', { x: { 0: D } });
    expect(r.far()).toBe(D + 4n);
    expect(r.x(0)).toBe(D);
    const r2 = run('str x1, [x0], #8', { x: { 0: D + 2n } });
    expect(r2.far()).toBe(D + 2n);
    expect(r2.x(0)).toBe(D + 2n);
    const r3 = run('ldp x1, x2, [x0, #16]!', { x: { 0: D + 4n, 1: 1n, 2: 2n } });
    expect(r3.esr()).toBe(0x9600_0021);
    expect([r3.x(0), r3.x(1), r3.x(2)]).toEqual([D + 4n, 1n, 2n]);
  });
  it('every element of a pair is checked: LDP W at a 2-byte offset, LDP X at 4', () => {
    expect(run('ldp w1, w2, [x0]', { x: { 0: D + 2n } }).esr()).toBe(0x9600_0021);
    expect(run('ldp x1, x2, [x0]', { x: { 0: D + 4n } }).far()).toBe(D + 4n);
    expect(run('ldp w1, w2, [x0]', { x: { 0: D + 4n } }).exc).toBeNull();
  });
  it('unmapped address: Synchronous External abort (DFSC 0x10)', () => {
    const r = run('ldr x1, [x0]', { x: { 0: 0x2000_0000n, 1: 3n } });
    expect(r.esr()).toBe(0x9600_0010);
    expect(r.far()).toBe(0x2000_0000n);
    expect(r.x(1)).toBe(3n);
  });
  it('LDP whose second element faults writes neither register; FAR = second element', () => {
    const end = BigInt(DRAM_END);
    const r = run('ldp x1, x2, [x0]', { x: { 0: end - 8n, 1: 1n, 2: 2n } });
    expect(r.esr()).toBe(0x9600_0010);
    expect(r.far()).toBe(end);
    expect([r.x(1), r.x(2)]).toEqual([1n, 2n]);
  });
  it('STP whose second element faults leaves memory unchanged', () => {
    const end = DRAM_END;
    const r = run('stp x1, x2, [x0]', { x: { 0: BigInt(end - 8), 1: 0x1111n, 2: 0x2222n }, mem: { [end - 8]: [1, 2, 3, 4, 5, 6, 7, 8] } });
    expect(r.esr()).toBe(0x9600_0050);
    expect(r.far()).toBe(BigInt(end));
    expect(r.read64(end - 8)).toBe(0x0807_0605_0403_0201n);
  });
  it('LDR literal faults like any load (unaligned literal address)', () => {
    const r = run('ldr x1, lbl\n b 1f\n .word 0\nlbl: .word 1, 2\n1: nop');
    expect(r.esr()).toBe(0x9600_0021);
    expect(r.far()).toBe(BigInt(CODE + 12));
  });
});

describe.skipIf(!HAVE_BINUTILS)('SP alignment check (SCTLR_ELx.SA)', () => {
  const sa = (on: boolean) => (m: { cpu: { s: Int32Array } }): void => { if (on) m.cpu.s[L.SCTLR_EL + 6] |= 8; else m.cpu.s[L.SCTLR_EL + 6] &= ~8; };
  it('SA = 1 and SP not 16-byte aligned: SP alignment fault (EC 0x26) before the access', () => {
    const r = run('ldr x1, [sp]', { x: { 31: D + 8n, 1: 5n }, setup: sa(true) });
    expect(r.exc).toEqual({ target: 3, esr: 0x9a00_0000 });
    expect(r.x(1)).toBe(5n);
  });
  it('SA = 1 with SP aligned, or SA = 0, or a non-SP base: no fault', () => {
    expect(run('ldr x1, [sp, #8]', { setup: sa(true) }).exc).toBeNull();
    expect(run('ldr x1, [sp]', { x: { 31: D + 8n }, setup: sa(false) }).exc).toBeNull();
    expect(run('mov x0, sp\n ldr x1, [x0]', { x: { 31: D + 8n }, setup: sa(true) }).exc).toBeNull();
  });
  it('the check uses SP before the offset / writeback', () => {
    expect(run('ldr x1, [sp, #-8]!', { setup: sa(true) }).exc).toBeNull();
    expect(run('stp x1, x2, [sp, #-16]!', { x: { 31: D + 8n }, setup: sa(true) }).exc?.esr).toBe(0x9a00_0000);
  });
});
