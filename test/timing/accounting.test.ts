/**
 * Cycles per Exception level and world (timing/accounting.ts, Machine.cyclesByEl): the buckets
 * partition the cycle counter, and a guest that drops EL3 -> EL2 -> EL1 and comes back through
 * HVC and SMC is charged at each EL exactly what the profile says. Exception entry and return
 * cycles go to the EL being entered (accountElCycles runs before they are added).
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { PROFILES } from '../../src/timing/profile.js';
import { totalOf } from '../../src/timing/accounting.js';
import { MODELS, PROFILE_NAMES, bundledImages, machineWith, runImage } from './helpers.js';

const BASE = 0x4000_0000;
const EXIT = `
  movz x0, #0x18
  adr x1, exit_block
  hlt #0xf000
  .balign 8
exit_block:
  .quad 0x20026
  .quad 0`;

/** EL3 -> EL2 (ERET) -> EL1 (ERET); EL1 HVC -> EL2, which SMCs to EL3 (ERET back), then ERETs to EL1; EL1 exits. */
const DOWN_AND_BACK = `
el3_start:
  mov x0, #0x3c9
  msr spsr_el3, x0
  adr x0, el2_start
  msr elr_el3, x0
  eret
el2_start:
  mov x0, #0x3c5
  msr spsr_el2, x0
  adr x0, el1_start
  msr elr_el2, x0
  eret
el1_start:
  hvc #0
  ${EXIT}
  .org 0x1400
  smc #0          // EL2 vector, lower EL sync (VBAR_EL2 = BASE + 0x1000)
  eret
  .org 0x2400
  eret            // EL3 vector, lower EL sync (VBAR_EL3 = BASE + 0x2000)`;

/** EL3 -> S-EL1 (SCR_EL3.NS = 0); S-EL1 SMCs to EL3 and back, then exits. */
const SECURE_AND_BACK = `
  mov x0, #0x3c5
  msr spsr_el3, x0
  adr x0, sel1_start
  msr elr_el3, x0
  eret
sel1_start:
  smc #0
  ${EXIT}
  .org 0x2400
  eret`;

function run(code: string, profile: string, model: 'fixed' | 'pipeline', scr?: bigint) {
  const m = machineWith({ profile, model, blocks: [{ at: BASE, code }], el: 3, entry: BASE, ...(scr === undefined ? {} : { scr }) });
  m.cpu.set64(L.VBAR_EL + 4, BigInt(BASE + 0x1000));
  m.cpu.set64(L.VBAR_EL + 6, BigInt(BASE + 0x2000));
  const r = m.run({ maxInstructions: 1000 });
  expect(r.reason).toBe(1);   // semihosting exit
  return { m, r, by: m.cyclesByEl() };
}

describe('cycles by EL', () => {
  it('EL3 -> EL2 -> EL1 and back through HVC and SMC: each EL charged exactly (generic, fixed)', () => {
    const { r, by } = run(DOWN_AND_BACK, 'generic', 'fixed');
    const g = PROFILES['generic']!, c = g.classCycles, E = g.exceptionEntry, R = g.exceptionReturn;
    // EL3: mov, msr, adr, msr, eret; later the SMC's entry and the vector's eret.
    const el3 = (c.Alu + c.SysRegWrite + c.Alu + c.SysRegWrite + c.Eret) + (E + c.Eret);
    // EL2: the return into it and the same five; the HVC entry and the SMC; the return from EL3 and its eret.
    const el2 = (R + c.Alu + c.SysRegWrite + c.Alu + c.SysRegWrite + c.Eret) + (E + c.ExceptionGen) + (R + c.Eret);
    // EL1: the return into it and the HVC; the return from EL2 and movz, adr, hlt.
    const el1 = (R + c.ExceptionGen) + (R + c.Alu + c.Alu + c.ExceptionGen);
    expect(by).toEqual({ el0: 0, el1, el2, el3, sel0: 0, sel1: 0, sel2: 0 });
    expect([el3, el2, el1]).toEqual([23, 48, 28]);
    expect(totalOf(by)).toBe(r.cycles);
  });

  it('a Secure EL1 round trip is charged to sel1 and EL3', () => {
    const { r, by } = run(SECURE_AND_BACK, 'generic', 'fixed', 0x430n);   // SCR_EL3: RES1 | RW, NS = 0
    expect(by).toEqual({ el0: 0, el1: 0, el2: 0, el3: 23, sel0: 0, sel1: 28, sel2: 0 });
    expect(totalOf(by)).toBe(r.cycles);
  });

  for (const profile of PROFILE_NAMES) for (const model of MODELS) {
    it(`${profile} ${model}: every EL visited is charged and the buckets sum to the total`, () => {
      const { r, by } = run(DOWN_AND_BACK, profile, model);
      expect(by.el3).toBeGreaterThan(0);
      expect(by.el2).toBeGreaterThan(0);
      expect(by.el1).toBeGreaterThan(0);
      expect(by.el0 + by.sel0 + by.sel1 + by.sel2).toBe(0);
      expect(totalOf(by)).toBe(r.cycles);
    });
  }

  it('mid-run: the current EL holds the cycles since its last change', () => {
    const m = machineWith({ blocks: [{ at: BASE, code: DOWN_AND_BACK }], el: 3, entry: BASE });
    m.cpu.set64(L.VBAR_EL + 4, BigInt(BASE + 0x1000));
    m.cpu.set64(L.VBAR_EL + 6, BigInt(BASE + 0x2000));
    m.run({ maxInstructions: 3 });   // three instructions at EL3, no EL change yet
    expect(m.cyclesByEl().el3).toBe(m.cpu.cycles);
    expect(m.cpu.cycles).toBe(5);     // mov 1 + msr 3 + adr 1
  });

  it('every bundled image: the buckets sum to the cycle counter (all profiles, both models)', () => {
    for (const [label, path] of bundledImages()) for (const p of PROFILE_NAMES) for (const model of MODELS) {
      const r = runImage(path, p, model);
      expect(totalOf(r.byEl), `${label} ${p}/${model}`).toBe(r.cycles);
    }
  });

  it('el-drop (EL3 -> EL2 -> EL1 -> EL0, SVC back to EL1) charges EL0 to EL3', () => {
    const { byEl } = runImage(bundledImages().find(([l]) => l === 'el-drop')![1], 'generic');
    for (const k of ['el0', 'el1', 'el2', 'el3'] as const) expect(byEl[k], k).toBeGreaterThan(0);
  });
});
