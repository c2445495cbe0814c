/**
 * Routing of SVC/HVC/SMC and physical IRQ/FIQ (Arm ARM DDI0487 M.a: D1.4.9 (exception-generating
 * instructions), C6.2 SVC/HVC/SMC Operation, ASL AArch64.CheckForSMCUndefOrTrap, Table D1-12
 * RNMMXK, D1.4.6.4 masking; reference arch-and-cycles.md 2.2-2.5 and 4.2-4.4).
 * Every case executes the real instruction word at CODE and checks where the exception went.
 */
import { describe, expect, it } from 'vitest';
import { CODE, HCR_DEFAULT, SCR_NS_DEFAULT, VBAR, esrOf, setup, spsrOf } from '../helpers/el-harness.js';

const EC_UNKNOWN = 0x00, EC_SVC = 0x15, EC_HVC = 0x16, EC_SMC = 0x17;
const SCR_SECURE = SCR_NS_DEFAULT & ~1n;            // NS=0: EL0/EL1 Secure, EL2 not enabled (no FEAT_SEL2)
const SCR_NO_HCE = SCR_NS_DEFAULT & ~(1n << 8n);
const SCR_SMD = SCR_NS_DEFAULT | (1n << 7n);
const SCR_IRQ = 1n << 1n, SCR_FIQ = 1n << 2n;
const HCR_TSC = 1n << 19n, HCR_TGE = 1n << 27n, HCR_HCD = 1n << 29n, HCR_IMO = 1n << 4n, HCR_FMO = 1n << 3n;

const C = BigInt(CODE);

/** What a synchronous exception from `insn` at `el` must look like. */
interface Want { target: number; offset: number; ec: number; iss?: number; elr: bigint }

function check(insn: string, el: number, opts: { scr?: bigint; hcr?: bigint; spsel?: number; implementedEls?: number }, want: Want) {
  const h = setup({ el, code: insn, ...opts }).step(1);
  expect(h.entry).toMatchObject({ from: el, target: want.target, offset: want.offset, esr: esrOf(want.ec, want.iss ?? 0) });
  expect(h.el).toBe(want.target);
  expect(h.pc).toBe(BigInt(VBAR[want.target]! + want.offset));
  expect(h.elr(want.target)).toBe(want.elr);
  expect(h.esr(want.target)).toBe(BigInt(esrOf(want.ec, want.iss ?? 0)));
  return h;
}

describe('SVC routing (Arm ARM D1.4.9; ASL AArch64.CallSupervisor): ELR = next instruction', () => {
  it('EL0 -> EL1, lower-EL vector 0x400, ISS = imm16', () => {
    check('svc #0x1234', 0, {}, { target: 1, offset: 0x400, ec: EC_SVC, iss: 0x1234, elr: C + 4n });
  });
  it('EL0 with HCR_EL2.TGE=1 (EL2 enabled, Non-secure) -> EL2 (RDPLSC)', () => {
    check('svc #1', 0, { hcr: HCR_DEFAULT | HCR_TGE }, { target: 2, offset: 0x400, ec: EC_SVC, iss: 1, elr: C + 4n });
  });
  it('Secure EL0 ignores HCR_EL2.TGE (EL2 not enabled in Secure state, effective HCR_EL2 = 0) -> EL1', () => {
    check('svc #1', 0, { scr: SCR_SECURE, hcr: HCR_DEFAULT | HCR_TGE }, { target: 1, offset: 0x400, ec: EC_SVC, iss: 1, elr: C + 4n });
  });
  it('EL1 -> EL1 (current EL, SP_ELx: 0x200; SP_EL0: 0x000)', () => {
    check('svc #0', 1, {}, { target: 1, offset: 0x200, ec: EC_SVC, elr: C + 4n });
    check('svc #0', 1, { spsel: 0 }, { target: 1, offset: 0x000, ec: EC_SVC, elr: C + 4n });
  });
  it('EL2 -> EL2 and EL3 -> EL3', () => {
    check('svc #7', 2, {}, { target: 2, offset: 0x200, ec: EC_SVC, iss: 7, elr: C + 4n });
    check('svc #7', 3, {}, { target: 3, offset: 0x200, ec: EC_SVC, iss: 7, elr: C + 4n });
  });
});

describe('HVC routing (Arm ARM C6.2.174 HVC Operation, D1.4.9 RRWKMY; reference 4.3)', () => {
  it('EL0: UNDEFINED, EC 0x00 to EL1, ELR = the HVC', () => {
    check('hvc #0', 0, {}, { target: 1, offset: 0x400, ec: EC_UNKNOWN, elr: C });
  });
  it('EL0 with TGE=1: the UNDEFINED exception goes to EL2 (RDPLSC)', () => {
    check('hvc #0', 0, { hcr: HCR_DEFAULT | HCR_TGE }, { target: 2, offset: 0x400, ec: EC_UNKNOWN, elr: C });
  });
  it('Non-secure EL1 with SCR_EL3.HCE=1 -> EL2, EC 0x16, ISS = imm16, ELR = next', () => {
    check('hvc #0x42', 1, {}, { target: 2, offset: 0x400, ec: EC_HVC, iss: 0x42, elr: C + 4n });
  });
  it('EL1 with SCR_EL3.HCE=0: UNDEFINED at EL1 (SCR_EL3.HCE note: taken to the current EL)', () => {
    check('hvc #0', 1, { scr: SCR_NO_HCE }, { target: 1, offset: 0x200, ec: EC_UNKNOWN, elr: C });
  });
  it('Secure EL1 (SCR_EL3.NS=0, no FEAT_SEL2): UNDEFINED at EL1 (QEMU 7.2 differs: reference 9)', () => {
    check('hvc #0', 1, { scr: SCR_SECURE }, { target: 1, offset: 0x200, ec: EC_UNKNOWN, elr: C });
  });
  it('EL2 -> EL2 (current-EL vector), and UNDEFINED at EL2 with HCE=0', () => {
    check('hvc #3', 2, {}, { target: 2, offset: 0x200, ec: EC_HVC, iss: 3, elr: C + 4n });
    check('hvc #3', 2, { scr: SCR_NO_HCE }, { target: 2, offset: 0x200, ec: EC_UNKNOWN, elr: C });
  });
  it('EL3 -> EL3 (CallHypervisor: target = EL3 when executed at EL3), UNDEFINED at EL3 with HCE=0', () => {
    check('hvc #5', 3, {}, { target: 3, offset: 0x200, ec: EC_HVC, iss: 5, elr: C + 4n });
    check('hvc #5', 3, { scr: SCR_NO_HCE }, { target: 3, offset: 0x200, ec: EC_UNKNOWN, elr: C });
  });
  it('no EL3: HCR_EL2.HCD=1 makes HVC UNDEFINED at EL1; HCD=0 -> EL2', () => {
    check('hvc #0', 1, { implementedEls: 0b0111, hcr: HCR_DEFAULT | HCR_HCD }, { target: 1, offset: 0x200, ec: EC_UNKNOWN, elr: C });
    check('hvc #0', 1, { implementedEls: 0b0111 }, { target: 2, offset: 0x400, ec: EC_HVC, elr: C + 4n });
  });
  it('no EL2 implemented: UNDEFINED at EL1', () => {
    check('hvc #0', 1, { implementedEls: 0b1011 }, { target: 1, offset: 0x200, ec: EC_UNKNOWN, elr: C });
  });
});

describe('SMC routing (ASL AArch64.CheckForSMCUndefOrTrap; Arm ARM C6.2.371, D1.4.5.6 priorities; reference 4.4)', () => {
  it('EL0: always UNDEFINED (EC 0x00 to EL1, ELR = the SMC), even with HCR_EL2.TSC=1', () => {
    check('smc #0', 0, {}, { target: 1, offset: 0x400, ec: EC_UNKNOWN, elr: C });
    check('smc #0', 0, { hcr: HCR_DEFAULT | HCR_TSC }, { target: 1, offset: 0x400, ec: EC_UNKNOWN, elr: C });
  });
  it('Non-secure EL1 -> EL3, EC 0x17, ISS = imm16, ELR = next instruction', () => {
    check('smc #0x99', 1, {}, { target: 3, offset: 0x400, ec: EC_SMC, iss: 0x99, elr: C + 4n });
  });
  it('EL1 with SCR_EL3.SMD=1: UNDEFINED at EL1, ELR = the SMC', () => {
    check('smc #0', 1, { scr: SCR_SMD }, { target: 1, offset: 0x200, ec: EC_UNKNOWN, elr: C });
  });
  it('EL1 with HCR_EL2.TSC=1: trapped to EL2, EC 0x17 with imm16, ELR = the SMC itself (HCR_EL2.TSC note)', () => {
    check('smc #0x1', 1, { hcr: HCR_DEFAULT | HCR_TSC }, { target: 2, offset: 0x400, ec: EC_SMC, iss: 1, elr: C });
  });
  it('TSC trap (priority 25) wins over SMD UNDEFINED (priority 27): to EL2, ELR = the SMC', () => {
    check('smc #0', 1, { hcr: HCR_DEFAULT | HCR_TSC, scr: SCR_SMD }, { target: 2, offset: 0x400, ec: EC_SMC, elr: C });
  });
  it('Secure EL1 with TSC=1: EL2 not enabled, so no trap -> EL3', () => {
    check('smc #0', 1, { hcr: HCR_DEFAULT | HCR_TSC, scr: SCR_SECURE }, { target: 3, offset: 0x400, ec: EC_SMC, elr: C + 4n });
  });
  it('EL2 -> EL3 (TSC does not apply at EL2); UNDEFINED at EL2 with SMD=1', () => {
    check('smc #2', 2, { hcr: HCR_DEFAULT | HCR_TSC }, { target: 3, offset: 0x400, ec: EC_SMC, iss: 2, elr: C + 4n });
    check('smc #2', 2, { scr: SCR_SMD }, { target: 2, offset: 0x200, ec: EC_UNKNOWN, elr: C });
  });
  it('EL3 -> EL3 (current-EL vector), ELR = next', () => {
    check('smc #0', 3, {}, { target: 3, offset: 0x200, ec: EC_SMC, elr: C + 4n });
  });
  it('no EL3: SMC UNDEFINED at EL1 and EL2, also with TSC=1 (no EL3, no FEAT_NV)', () => {
    check('smc #0', 1, { implementedEls: 0b0111 }, { target: 1, offset: 0x200, ec: EC_UNKNOWN, elr: C });
    check('smc #0', 1, { implementedEls: 0b0111, hcr: HCR_DEFAULT | HCR_TSC }, { target: 1, offset: 0x200, ec: EC_UNKNOWN, elr: C });
    check('smc #0', 2, { implementedEls: 0b0111 }, { target: 2, offset: 0x200, ec: EC_UNKNOWN, elr: C });
  });
});

describe('physical IRQ/FIQ routing (Arm ARM Table D1-12 RNMMXK) and masking (D1.4.6.4)', () => {
  type Line = 'irq' | 'fiq';
  /** Raise `line` at `el` with all of DAIF clear (so only routing decides), execute one instruction. */
  function irqAt(line: Line, el: number, scr: bigint, hcr: bigint, daif = 0) {
    const h = setup({ el, code: 'nop', scr, hcr, daif, spsel: el === 0 ? 0 : 1 }).irq(line).step(1);
    return h;
  }
  const typeOff = (line: Line) => (line === 'irq' ? 0x080 : 0x100);
  const route = (line: Line) => (line === 'irq' ? SCR_IRQ : SCR_FIQ);
  const mo = (line: Line) => (line === 'irq' ? HCR_IMO : HCR_FMO);

  function taken(h: ReturnType<typeof irqAt>, line: Line, from: number, target: number) {
    const group = target > from ? 0x400 : 0x200;
    expect(h.entry).toMatchObject({ from, target, offset: group + typeOff(line) });
    // ELR = first instruction not executed (D1.4.1 RDPLYN), here CODE; the NOP at the vector ran.
    expect(h.elr(target)).toBe(C);
    expect(h.pc).toBe(BigInt(VBAR[target]! + group + typeOff(line) + 4));
    // IRQ/FIQ do not write ESR (RDQXFW): it keeps its previous value (0 here).
    expect(h.esr(target)).toBe(0n);
  }
  function pending(h: ReturnType<typeof irqAt>, from: number) {
    expect(h.entries).toEqual([]);
    expect(h.el).toBe(from);
    expect(h.pc).toBe(C + 4n);
  }

  for (const line of ['irq', 'fiq'] as Line[]) {
    describe(line.toUpperCase(), () => {
      it('row 1: SCR_EL3.IRQ/FIQ=1 -> EL3 from EL0, EL1, EL2 and EL3', () => {
        for (const el of [0, 1, 2, 3]) taken(irqAt(line, el, SCR_NS_DEFAULT | route(line), HCR_DEFAULT), line, el, 3);
      });
      it('row 2: EL2 not enabled (Secure, SCR_EL3.NS=0) -> EL1 from EL0 and EL1; not taken at EL3 ("C")', () => {
        taken(irqAt(line, 0, SCR_SECURE, HCR_DEFAULT | mo(line)), line, 0, 1);
        taken(irqAt(line, 1, SCR_SECURE, HCR_DEFAULT | mo(line)), line, 1, 1);
        pending(irqAt(line, 3, SCR_SECURE, HCR_DEFAULT), 3);
      });
      it('row 3: EL2 enabled, TGE=1 -> EL2 from EL0 and EL2', () => {
        taken(irqAt(line, 0, SCR_NS_DEFAULT, HCR_DEFAULT | HCR_TGE), line, 0, 2);
        taken(irqAt(line, 2, SCR_NS_DEFAULT, HCR_DEFAULT | HCR_TGE), line, 2, 2);
      });
      it('row 4: TGE=0, IMO/FMO=1 -> EL2 from EL0, EL1 and EL2', () => {
        for (const el of [0, 1, 2]) taken(irqAt(line, el, SCR_NS_DEFAULT, HCR_DEFAULT | mo(line)), line, el, 2);
      });
      it('row 5: TGE=0, IMO/FMO=0 -> EL1 from EL0 and EL1; not taken at EL2 or EL3 ("C")', () => {
        taken(irqAt(line, 0, SCR_NS_DEFAULT, HCR_DEFAULT), line, 0, 1);
        taken(irqAt(line, 1, SCR_NS_DEFAULT, HCR_DEFAULT), line, 1, 1);
        pending(irqAt(line, 2, SCR_NS_DEFAULT, HCR_DEFAULT), 2);
        pending(irqAt(line, 3, SCR_NS_DEFAULT, HCR_DEFAULT), 3);
      });
      it('the other line\'s routing bits do not route this one', () => {
        const other: Line = line === 'irq' ? 'fiq' : 'irq';
        taken(irqAt(line, 1, SCR_NS_DEFAULT | route(other), HCR_DEFAULT | mo(other)), line, 1, 1);
      });
    });
  }

  describe('masking (D1.4.6.4; reference 2.5)', () => {
    const I = 0x080, F = 0x040;
    it('target == current EL: masked by PSTATE.I (IRQ) / PSTATE.F (FIQ), stays pending', () => {
      pending(irqAt('irq', 1, SCR_NS_DEFAULT, HCR_DEFAULT, I), 1);
      pending(irqAt('fiq', 1, SCR_NS_DEFAULT, HCR_DEFAULT, F), 1);
      // The other mask bit does not mask it.
      taken(irqAt('irq', 1, SCR_NS_DEFAULT, HCR_DEFAULT, F), 'irq', 1, 1);
      taken(irqAt('fiq', 1, SCR_NS_DEFAULT, HCR_DEFAULT, I), 'fiq', 1, 1);
      pending(irqAt('irq', 3, SCR_NS_DEFAULT | SCR_IRQ, HCR_DEFAULT, I), 3);
    });
    it('target EL3 above the current EL: not masked by PSTATE', () => {
      taken(irqAt('irq', 1, SCR_NS_DEFAULT | SCR_IRQ, HCR_DEFAULT, 0x3c0), 'irq', 1, 3);
      taken(irqAt('fiq', 2, SCR_NS_DEFAULT | SCR_FIQ, HCR_DEFAULT, 0x3c0), 'fiq', 2, 3);
    });
    it('target EL2 above the current EL (no VHE): not masked by PSTATE', () => {
      taken(irqAt('irq', 1, SCR_NS_DEFAULT, HCR_DEFAULT | HCR_IMO, 0x3c0), 'irq', 1, 2);
      taken(irqAt('fiq', 0, SCR_NS_DEFAULT, HCR_DEFAULT | HCR_TGE, 0x3c0), 'fiq', 0, 2);
    });
    it('target EL1 from EL0: masked by PSTATE.I/F', () => {
      pending(irqAt('irq', 0, SCR_NS_DEFAULT, HCR_DEFAULT, I), 0);
      pending(irqAt('fiq', 0, SCR_NS_DEFAULT, HCR_DEFAULT, F), 0);
    });
    it('taking an interrupt saves PSTATE in SPSR (DAIF as it was) and masks DAIF', () => {
      const h = irqAt('irq', 0, SCR_NS_DEFAULT, HCR_DEFAULT, 0x100);
      expect(h.spsr(1)).toBe(spsrOf(0, 0, 0x100));
      expect(h.daif).toBe(0x3c0);
    });
    it('FIQ is taken before IRQ when both are pending (IMPLEMENTATION DEFINED order, QEMU\'s)', () => {
      const h = setup({ el: 1, code: 'nop', daif: 0 }).irq('irq').irq('fiq').step(1);
      expect(h.entries[0]!.offset).toBe(0x200 + 0x100);
    });
    it('a pending interrupt stays pending until unmasked by MSR DAIFClr', () => {
      const h = setup({ el: 1, code: 'nop; msr daifclr, #2; nop', daif: 0x3c0 }).irq('irq');
      h.step(2);
      expect(h.entries).toEqual([]);
      h.step(1);
      expect(h.entry).toMatchObject({ from: 1, target: 1, offset: 0x280 });
      expect(h.elr(1)).toBe(C + 8n);
      expect(h.spsr(1)).toBe(spsrOf(1, 1, 0x340));
    });
  });
});
