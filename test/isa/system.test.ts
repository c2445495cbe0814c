/**
 * System instructions (Arm ARM C5.3-C5.5, C6.2): hints, barriers, PSTATE and system-register moves,
 * and the SYS-space maintenance instructions (DC, IC, TLBI, AT) with their EL checks and traps;
 * everything else in the SYS space, and unallocated encodings, is UNDEFINED (EC 0x00).
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import type { Machine } from '../../src/machine/machine.js';
import { CODE, DATA, HAVE_BINUTILS, run } from './harness.js';

const D = BigInt(DATA);
const UNDEF = 0x0200_0000;
/** EC 0x18 syndrome for a trapped SYS instruction (Op0 = 1, Dir = 0). */
const sysTrap = (op1: number, crn: number, crm: number, op2: number, rt: number): number =>
  ((0x18 << 26) | (1 << 25) | (1 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1)) >>> 0;

/** Non-secure state below EL3 with EL2 enabled: SCR_EL3 = NS|RES1|HCE|RW, HCR_EL2 = RW | extra. */
const nonSecure = (hcr = 0, sctlr1 = 0x30d00800) => (m: Machine): void => {
  const s = m.cpu.s;
  s[L.SCR_EL3] = 0x531;
  s[L.HCR_EL2] = hcr; s[L.HCR_EL2 + 1] = 0;
  s[L.HCR_EL2] |= 1 << 31;
  s[L.SCTLR_EL + 2] = sctlr1;
};

describe.skipIf(!HAVE_BINUTILS)('hints, barriers, PSTATE', () => {
  it('NOP, YIELD, SEV, SEVL, CSDB, ESB, BTI-space hints, barriers execute without effect', () => {
    const r = run('nop\n yield\n sev\n sevl\n csdb\n hint #0x22\n hint #0x7f\n isb\n dsb sy\n dsb ish\n dmb ishld\n dmb oshst\n clrex #5\n ssbb\n pssbb\n mov x0, #1');
    expect(r.exc).toBeNull();
    expect(r.x(0)).toBe(1n);
  });
  it('SEVL then WFE: the event register is set, so WFE consumes it and continues', () => {
    const r = run('sevl\n wfe\n mov x0, #1');
    expect(r.x(0)).toBe(1n);
    expect(r.m.cpu.s[L.EVENT_REG]).toBe(0);
  });
  it('MSR/MRS NZCV and DAIF, DAIFSet/DAIFClr, SPSel', () => {
    const r = run(`
      msr nzcv, x0
      mrs x1, nzcv
      msr daifclr, #0xf
      mrs x2, daif
      msr daifset, #2
      mrs x3, daif
      msr spsel, #0
      mov x4, sp
      msr spsel, #1
      mov x5, sp`, { x: { 0: 0xa000_0000n }, setup: (m) => { m.cpu.set64(L.SP_EL, 0x4012_3450n); } });
    expect(r.x(1)).toBe(0xa000_0000n);
    expect(r.x(2)).toBe(0n);
    expect(r.x(3)).toBe(0x80n);
    expect(r.x(4)).toBe(0x4012_3450n);
    expect(r.x(5)).toBe(D + 0x8000n);
  });
  it('SVC at EL3: EC 0x15 with imm16, ELR = next instruction', () => {
    const r = run('nop\n svc #0x1234');
    expect(r.exc).toEqual({ target: 3, esr: (0x15 << 26 | 1 << 25 | 0x1234) >>> 0 });
    expect(r.elr()).toBe(BigInt(CODE + 8));
  });
  it('BRK: EC 0x3C, ELR = the BRK', () => {
    const r = run('brk #7');
    expect(r.exc?.esr).toBe((0x3c << 26 | 1 << 25 | 7) >>> 0);
    expect(r.elr()).toBe(BigInt(CODE));
  });
});

describe.skipIf(!HAVE_BINUTILS)('DC / IC / TLBI at EL3', () => {
  it('all cache and TLB maintenance executes as a no-op at EL3', () => {
    const r = run(`
      dc civac, x0
      dc cvac, x0
      dc ivac, x0
      dc cvau, x0
      dc isw, x0
      dc csw, x0
      dc cisw, x0
      ic iallu
      ic ialluis
      ic ivau, x0
      tlbi alle3
      tlbi alle3is
      tlbi vae3, x0
      tlbi vale3is, x0
      tlbi alle2
      tlbi vae2is, x0
      tlbi alle1
      tlbi vmalls12e1is
      tlbi ipas2e1, x0
      tlbi ipas2le1is, x0
      tlbi vmalle1
      tlbi vmalle1is
      tlbi vae1, x0
      tlbi aside1is, x0
      tlbi vaae1, x0
      tlbi vaale1is, x0
      mov x1, #1`, { x: { 0: 0x1234_5677n } });
    expect(r.exc).toBeNull();
    expect(r.x(1)).toBe(1n);
  });
  it('AT is UNDEFINED in this model (no PAR_EL1)', () => {
    expect(run('at s1e1r, x0').exc?.esr).toBe(UNDEF);
    expect(run('at s1e3w, x0').exc?.esr).toBe(UNDEF);
  });
  it('other SYS encodings and SYSL are UNDEFINED', () => {
    expect(run('sys #0, c7, c5, #3, x0').exc?.esr).toBe(UNDEF);
    expect(run('sys #1, c8, c7, #0').exc?.esr).toBe(UNDEF);
    expect(run('sysl x0, #0, c7, c5, #0').exc?.esr).toBe(UNDEF);
  });
});

describe.skipIf(!HAVE_BINUTILS)('maintenance EL checks and traps', () => {
  it('TLBI of EL3 below EL3, of EL2 below EL2, of EL1 at EL0: UNDEFINED', () => {
    const r = run('tlbi alle3', { el: 2, setup: nonSecure() });
    expect(r.exc).toEqual({ target: 2, esr: UNDEF });
    expect(run('tlbi alle2', { el: 1, setup: nonSecure() }).exc).toEqual({ target: 1, esr: UNDEF });
    expect(run('tlbi vmalle1', { el: 0, setup: nonSecure() }).exc).toEqual({ target: 1, esr: UNDEF });
    expect(run('tlbi alle2\n tlbi vmalle1\n svc #0', { el: 2, setup: nonSecure() }).exc?.esr).toBe((0x15 << 26 | 1 << 25) >>> 0);
  });
  it('TLBI of EL2 at EL3 when EL2 is not implemented: UNDEFINED', () => {
    const r = run('tlbi alle2', { setup: (m) => { m.cpu.s[L.IMPL_ELS] = 0b1011; } });
    expect(r.exc?.esr).toBe(UNDEF);
  });
  it('HCR_EL2.TTLB traps EL1 TLBI to EL2 with EC 0x18', () => {
    const r = run('tlbi vmalle1', { el: 1, setup: nonSecure(1 << 25) });
    expect(r.exc).toEqual({ target: 2, esr: sysTrap(0, 8, 7, 0, 31) });
    const r2 = run('tlbi vae1is, x3', { el: 1, setup: nonSecure(1 << 25) });
    expect(r2.exc).toEqual({ target: 2, esr: sysTrap(0, 8, 3, 1, 3) });
  });
  it('DC CVAC/CIVAC/CVAU and IC IVAU at EL0 need SCTLR_EL1.UCI, else trap to EL1', () => {
    expect(run('dc cvac, x2', { el: 0, setup: nonSecure() }).exc).toEqual({ target: 1, esr: sysTrap(3, 7, 10, 1, 2) });
    expect(run('ic ivau, x0', { el: 0, setup: nonSecure() }).exc).toEqual({ target: 1, esr: sysTrap(3, 7, 5, 1, 0) });
    const uci = 0x30d00800 | (1 << 26);
    const r = run('dc cvac, x2\n dc civac, x2\n dc cvau, x2\n ic ivau, x2\n svc #0', { el: 0, setup: nonSecure(0, uci) });
    expect(r.exc?.esr).toBe((0x15 << 26 | 1 << 25) >>> 0);
  });
  it('with HCR_EL2.TGE the EL0 UCI trap goes to EL2', () => {
    expect(run('dc cvac, x2', { el: 0, setup: nonSecure(1 << 27) }).exc?.target).toBe(2);
  });
  it('DC IVAC, set/way operations, IC IALLU at EL0 are UNDEFINED', () => {
    const uci = 0x30d00800 | (1 << 26);
    for (const insn of ['dc ivac, x0', 'dc cisw, x0', 'ic iallu', 'ic ialluis']) {
      expect(run(insn, { el: 0, setup: nonSecure(0, uci) }).exc, insn).toEqual({ target: 1, esr: UNDEF });
    }
  });
  it('HCR_EL2.TPCP / TPU / TSW trap EL1 maintenance to EL2', () => {
    expect(run('dc civac, x1', { el: 1, setup: nonSecure(1 << 23) }).exc).toEqual({ target: 2, esr: sysTrap(3, 7, 14, 1, 1) });
    expect(run('dc cvau, x1', { el: 1, setup: nonSecure(1 << 23) }).exc).toBeNull();
    expect(run('dc cvau, x1', { el: 1, setup: nonSecure(1 << 24) }).exc?.target).toBe(2);
    expect(run('ic iallu', { el: 1, setup: nonSecure(1 << 24) }).exc).toEqual({ target: 2, esr: sysTrap(0, 7, 5, 0, 31) });
    expect(run('dc isw, x1', { el: 1, setup: nonSecure(1 << 22) }).exc).toEqual({ target: 2, esr: sysTrap(0, 7, 6, 2, 1) });
    expect(run('dc isw, x1\n dc civac, x1\n ic iallu', { el: 1, setup: nonSecure() }).exc).toBeNull();
  });
  it('HCR_EL2 traps do not apply in Secure EL1 (EL2 not enabled)', () => {
    const r = run('tlbi vmalle1\n dc isw, x0', { el: 1, setup: (m) => { m.cpu.s[L.HCR_EL2] = (1 << 25) | (1 << 22); } });
    expect(r.exc).toBeNull();
  });
});

describe.skipIf(!HAVE_BINUTILS)('DC ZVA and DCZID_EL0', () => {
  it('DCZID_EL0 = BS 4 (64-byte blocks), DZP = 0 at EL3; writes are UNDEFINED', () => {
    expect(run('mrs x0, dczid_el0').x(0)).toBe(4n);
    expect(run('.inst 0xd51b00e0').exc?.esr).toBe(UNDEF);   // MSR DCZID_EL0, X0
  });
  it('DZP = 1 at EL0 when SCTLR_EL1.DZE = 0, and DC ZVA traps to EL1', () => {
    const r = run('mrs x0, dczid_el0\n dc zva, x1', { el: 0, setup: nonSecure() });
    expect(r.x(0)).toBe(0x14n);
    expect(r.exc).toEqual({ target: 1, esr: sysTrap(3, 7, 4, 1, 1) });
  });
  it('DZP = 1 at EL1 with HCR_EL2.TDZ, and DC ZVA traps to EL2', () => {
    const r = run('mrs x0, dczid_el0\n dc zva, x1', { el: 1, setup: nonSecure(1 << 28) });
    expect(r.x(0)).toBe(0x14n);
    expect(r.exc).toEqual({ target: 2, esr: sysTrap(3, 7, 4, 1, 1) });
  });
  it('with the MMU off (Device-nGnRnE) DC ZVA takes an Alignment fault: WnR = 1, FAR = Xt, nothing zeroed', () => {
    const fill = Array.from({ length: 128 }, () => 0xff);
    const r = run('dc zva, x0', { x: { 0: D + 0x47n }, mem: { [DATA]: fill } });
    expect(r.esr()).toBe(0x9600_0061);
    expect(r.far()).toBe(D + 0x47n);
    expect(r.read8(DATA + 0x40)).toBe(0xff);
  });
  it('with SCTLR_EL3.M = 1 (identity-mapped Normal memory) DC ZVA zeroes the aligned 64-byte block', () => {
    const fill = Array.from({ length: 192 }, () => 0xff);
    const r = run('dc zva, x0', {
      x: { 0: D + 0x47n }, mem: { [DATA]: fill },
      setup: (m) => { m.cpu.s[L.SCTLR_EL + 6] |= 1; },
    });
    expect(r.exc).toBeNull();
    expect(r.read8(DATA + 0x3f)).toBe(0xff);
    for (let i = 0x40; i < 0x80; i += 8) expect(r.read64(DATA + i)).toBe(0n);
    expect(r.read8(DATA + 0x80)).toBe(0xff);
  });
  it('DC ZVA to an unmapped block: External abort with FAR = Xt', () => {
    const r = run('dc zva, x0', { x: { 0: 0x2000_0010n }, setup: (m) => { m.cpu.s[L.SCTLR_EL + 6] |= 1; } });
    expect(r.esr()).toBe(0x9600_0050);
    expect(r.far()).toBe(0x2000_0010n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('unallocated and unimplemented encodings raise EC 0x00', () => {
  const cases: [string, string][] = [
    ['UDF #0', '.inst 0x00000000'],
    // SIMD&FP outside the implemented subset, with SIMD&FP enabled (CPTR_EL3.TFP = 0 at reset):
    // UNDEFINED here, a known limit (docs/fidelity.md); disabled, they trap (test/exceptions/fp-trap).
    ['FP: fadd d0, d1, d2', '.inst 0x1e622820'],
    ['SIMD: mul v0.4s, v1.4s, v2.4s', 'mul v0.4s, v1.4s, v2.4s'],
    ['SIMD structures: ld1 {v0.16b}, [x0]', 'ld1 {v0.16b}, [x0]'],
    ['SIMD: cmeq v0.16b, v1.16b, v2.16b', 'cmeq v0.16b, v1.16b, v2.16b'],
    ['RCPC: ldapr x0, [x1]', '.arch armv8.3-a\n ldapr x0, [x1]'],
    ['PAuth: retaa', '.arch armv8.3-a\n retaa'],
    ['PAuth: pacia x0, x1', '.arch armv8.3-a\n pacia x0, x1'],
    ['FlagM: cfinv', '.arch armv8.4-a\n cfinv'],
    ['SB', '.arch armv8.5-a\n sb'],
    ['MTE: addg x0, x1, #16, #1', '.arch armv8.5-a+memtag\n addg x0, x1, #16, #1'],
    ['STGP', '.arch armv8.5-a+memtag\n stgp x0, x1, [x2]'],
    ['LDLAR (LOR)', '.arch armv8.1-a\n ldlar x0, [x1]'],
    ['MSR UAO, #1', '.arch armv8.2-a\n msr uao, #1'],
    ['DCPS1', 'dcps1'],
    ['DRPS', 'drps'],
    ['MOVN with opc = 01', '.inst 0x12800000 | 0x20000000'],
    ['EXTR with o0 = 1', '.inst 0x93c08000 | 0x00200000'],
  ];
  for (const [name, src] of cases) {
    it(name, () => {
      const r = run(src, { x: { 1: D, 2: D } });
      expect(r.exc).toEqual({ target: 3, esr: UNDEF });
      expect(r.elr()).toBe(BigInt(CODE));
    });
  }
});
