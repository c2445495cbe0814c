/**
 * System-register access rules (Arm ARM per-register accessibility pseudocode in D24 and C5.2;
 * ESR ISS for EC 0x18 in D24.2.45; reference arch-and-cycles.md 6.1-6.4). No FEAT_NV/FGT/VHE.
 * UNDEFINED accesses take EC 0x00 to the current EL (EL1 from EL0, EL2 with TGE), ELR = the MRS/MSR.
 */
import { describe, expect, it } from 'vitest';
import { CODE, HCR_DEFAULT, VBAR, esrOf, setup } from '../helpers/el-harness.js';

const C = BigInt(CODE);
const TGE = 1n << 27n;
const UMA = 1n << 9n;
const SCTLR_EL1 = 0x30d00800n;      // the machine's reset value (UMA=0)

function undef(el: number, insn: string, o: { spsel?: number; hcr?: bigint } = {}) {
  const h = setup({ el, code: insn, ...o }).step();
  const target = el === 0 ? ((o.hcr ?? 0n) & TGE ? 2 : 1) : el;
  const offset = el < target ? 0x400 : (o.spsel ?? 1) ? 0x200 : 0x000;
  expect(h.entry, insn).toMatchObject({ from: el, target, offset, esr: 0x0200_0000 });
  expect(h.elr(target)).toBe(C);
  expect(h.pc).toBe(BigInt(VBAR[target]! + offset));
}

function ok(el: number, insn: string, o: { spsel?: number; sys?: Record<string, bigint>; hcr?: bigint } = {}) {
  const h = setup({ el, code: insn, ...o }).step();
  expect(h.entries, insn).toEqual([]);
  expect(h.pc).toBe(C + 4n);
  return h;
}

function trap(el: number, insn: string, target: number, esr: number, o: { sys?: Record<string, bigint>; hcr?: bigint } = {}) {
  const h = setup({ el, code: insn, ...o }).step();
  expect(h.entry, insn).toMatchObject({ from: el, target, offset: target > el ? 0x400 : 0x200, esr });
  expect(h.esr(target)).toBe(BigInt(esr));
  expect(h.elr(target)).toBe(C);
  return h;
}

describe('EL0: EL1 registers are UNDEFINED (D24 accessibility: "if PSTATE.EL == EL0 then UNDEFINED")', () => {
  for (const insn of ['mrs x0, sctlr_el1', 'msr sctlr_el1, x0', 'mrs x0, currentel', 'mrs x0, spsel', 'msr spsel, #1',
    'mrs x0, elr_el1', 'mrs x0, spsr_el1', 'mrs x0, esr_el1', 'mrs x0, far_el1', 'msr vbar_el1, x0', 'mrs x0, sp_el0',
    'mrs x0, tpidr_el1', 'mrs x0, id_aa64pfr0_el1', 'mrs x0, mpidr_el1', 'mrs x0, hcr_el2', 'mrs x0, scr_el3']) {
    it(insn, () => undef(0, insn));
  }
  it('with HCR_EL2.TGE=1 the UNDEFINED exception goes to EL2', () => undef(0, 'mrs x0, sctlr_el1', { hcr: HCR_DEFAULT | TGE }));
});

describe('EL1: EL2 and EL3 registers are UNDEFINED (no FEAT_NV)', () => {
  for (const insn of ['mrs x0, hcr_el2', 'msr hcr_el2, x0', 'mrs x0, elr_el2', 'mrs x0, spsr_el2', 'mrs x0, esr_el2',
    'mrs x0, vbar_el2', 'mrs x0, sctlr_el2', 'mrs x0, vttbr_el2', 'mrs x0, sp_el1', 'msr sp_el1, x0', 'mrs x0, sp_el2',
    'mrs x0, scr_el3', 'msr scr_el3, x0', 'mrs x0, elr_el3', 'mrs x0, vbar_el3', 'mrs x0, sctlr_el3']) {
    it(insn, () => undef(1, insn));
  }
});

describe('EL2: EL3 registers and SP_EL2 are UNDEFINED; SP_EL1 is accessible', () => {
  for (const insn of ['mrs x0, scr_el3', 'mrs x0, elr_el3', 'mrs x0, spsr_el3', 'msr vbar_el3, x0', 'mrs x0, sp_el2']) {
    it(insn, () => undef(2, insn));
  }
  it('mrs x0, sp_el1 and mrs x0, hcr_el2 at EL2', () => {
    expect(ok(2, 'mrs x0, sp_el1').x(0)).toBe(0x4009_0000n);
    expect(ok(2, 'mrs x0, hcr_el2').x(0)).toBe(HCR_DEFAULT);
  });
});

describe('EL3 reaches every register, including SP_EL2', () => {
  for (const insn of ['mrs x0, sp_el2', 'mrs x0, sp_el1', 'mrs x0, scr_el3', 'mrs x0, hcr_el2', 'mrs x0, elr_el1', 'msr vbar_el2, x0']) {
    it(insn, () => ok(3, insn));
  }
  it('CurrentEL reads EL in bits [3:2] at EL1, EL2 and EL3 (C5.2.2)', () => {
    for (const el of [1, 2, 3]) expect(ok(el, 'mrs x0, currentel').x(0)).toBe(BigInt(el << 2));
  });
});

describe('SP_EL0 (C5.2.16): UNDEFINED when PSTATE.SP == 0 (it is the live SP), accessible with SP_ELx', () => {
  for (const el of [1, 2, 3]) {
    it(`EL${el}`, () => {
      undef(el, 'mrs x0, sp_el0', { spsel: 0 });
      undef(el, 'msr sp_el0, x0', { spsel: 0 });
      expect(ok(el, 'mrs x0, sp_el0', { spsel: 1 }).x(0)).toBe(0x4008_0000n);
      const h = ok(el, 'msr sp_el0, x1', { spsel: 1 });
      expect(h.spOf(0)).toBe(h.x(1));
    });
  }
});

describe('DAIF at EL0 (C5.2.3): trapped with EC 0x18 unless SCTLR_EL1.UMA=1', () => {
  it('mrs x1, daif -> EL1, ISS Op0=3 Op2=1 Op1=3 CRn=4 Rt=1 CRm=2 Dir=1 (ESR 0x6232D025)', () => {
    trap(0, 'mrs x1, daif', 1, 0x6232_d025);
  });
  it('msr daif, x2 -> EL1, Dir=0 (ESR 0x6232D044)', () => {
    trap(0, 'msr daif, x2', 1, 0x6232_d044);
  });
  it('msr daifset, #2 -> EL1, Op0=0 Op2=6 Op1=3 CRn=4 Rt=31 CRm=imm (ESR 0x620CD3E4, reference 6.2)', () => {
    trap(0, 'msr daifset, #2', 1, 0x620c_d3e4);
  });
  it('msr daifclr, #0xf -> EL1 (ESR 0x620ED3FE)', () => {
    trap(0, 'msr daifclr, #0xf', 1, 0x620e_d3fe);
  });
  it('with HCR_EL2.TGE=1 the trap goes to EL2 (SCTLR_EL2.UMA governs)', () => {
    trap(0, 'mrs x1, daif', 2, 0x6232_d025, { hcr: HCR_DEFAULT | TGE, sys: { SCTLR_EL1: SCTLR_EL1 | UMA } });
  });
  it('SCTLR_EL1.UMA=1: EL0 reads and writes DAIF', () => {
    const r = ok(0, 'mrs x1, daif', { sys: { SCTLR_EL1: SCTLR_EL1 | UMA } });
    expect(r.x(1)).toBe(0x3c0n);
    const w = ok(0, 'msr daifclr, #0xf', { sys: { SCTLR_EL1: SCTLR_EL1 | UMA } });
    expect(w.daif).toBe(0);
  });
  it('NZCV is accessible at EL0 without a trap', () => {
    const h = setup({ el: 0, code: 'msr nzcv, x1; mrs x2, nzcv' }).setX(1, 0x5000_0000n).step(2);
    expect(h.entries).toEqual([]);
    expect(h.x(2)).toBe(0x5000_0000n);
  });
});

describe('generic timer counters at EL0 (D24.10 CNTKCTL_EL1.EL0PCTEN/EL0VCTEN)', () => {
  it('mrs x1, cntpct_el0 with EL0PCTEN=0 traps to EL1: EC 0x18, ESR 0x6232F821 (reference 3)', () => {
    trap(0, 'mrs x1, cntpct_el0', 1, 0x6232_f821);
  });
  it('mrs x0, cntvct_el0 with EL0VCTEN=0 traps to EL1: ESR 0x6234F801', () => {
    trap(0, 'mrs x0, cntvct_el0', 1, 0x6234_f801);
  });
  it('with EL0PCTEN=1 EL0 reads CNTPCT_EL0 (cycles x CNTFRQ / core Hz)', () => {
    const h = ok(0, 'mrs x1, cntpct_el0', { sys: { CNTKCTL_EL1: 1n } });
    expect(h.x(1)).toBe(BigInt(Math.floor(h.m.cpu.cycles * 62_500_000 / 1_000_000_000)));
  });
  it('CNTFRQ_EL0 is writable only at the highest implemented EL (UNDEFINED at EL1/EL2)', () => {
    undef(1, 'msr cntfrq_el0, x0');
    undef(2, 'msr cntfrq_el0, x0');
    const h = setup({ el: 3, code: 'msr cntfrq_el0, x1; mrs x2, cntfrq_el0' }).setX(1, 24_000_000n).step(2);
    expect(h.x(2)).toBe(24_000_000n);
  });
});

describe('other rules', () => {
  it('TPIDRRO_EL0: read-only at EL0 (write UNDEFINED), writable at EL1', () => {
    ok(0, 'mrs x0, tpidrro_el0');
    undef(0, 'msr tpidrro_el0, x0');
    ok(1, 'msr tpidrro_el0, x0');
  });
  it('TPIDR_EL0 is read/write at EL0', () => {
    const h = setup({ el: 0, code: 'msr tpidr_el0, x1; mrs x2, tpidr_el0' }).setX(1, 0xdead_beef_0000_1234n).step(2);
    expect(h.x(2)).toBe(0xdead_beef_0000_1234n);
  });
  it('ID registers are read-only: MSR to ID_AA64PFR0_EL1 is UNDEFINED', () => {
    expect(ok(1, 'mrs x0, id_aa64pfr0_el1').x(0) & 0xffffn).toBe(0x1111n);
    undef(1, 'msr s3_0_c0_c4_0, x0');
  });
  it('an encoding not in the table (IMPLEMENTATION DEFINED space) is UNDEFINED', () => {
    undef(1, 'mrs x0, s3_0_c15_c0_0');
    undef(3, 'msr s3_6_c15_c2_1, x0');
  });
  it('UNDEFINED MRS leaves the destination register unchanged', () => {
    const h = setup({ el: 1, code: 'mrs x3, scr_el3' }).setX(3, 0x77n).step();
    expect(h.x(3)).toBe(0x77n);
    expect(h.entry.esr).toBe(esrOf(0));
  });
});
