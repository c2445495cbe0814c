/**
 * Guests read the model's cycles: PMCCNTR_EL0 counts exactly the cycles the timing model charges,
 * and the generic timer counts CNTPCT = floor(cycles * CNTFRQ / cpuHz) (state/sysregs.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { PROFILES } from '../../src/timing/profile.js';
import { MODELS, PROFILE_NAMES, TIMING_DIR, machineWith, runImage } from './helpers.js';

const BASE = 0x4000_0000;

/** NS-EL1: read PMCCNTR, SMC to an EL3 vector that only ERETs, read PMCCNTR, stop (budget). */
const SMC_TIMED = `
  mrs x1, pmccntr_el0
  smc #0
  mrs x2, pmccntr_el0
  b .
  .org 0x2400
  eret`;

function enablePmu(m: ReturnType<typeof machineWith>): void {
  m.cpu.s[L.PMCR_EL0] = 1;                   // E
  m.cpu.s[L.PMCNTENSET_EL0] = 0x8000_0000 | 0; // C
}

describe('PMCCNTR_EL0 sees the model', () => {
  for (const profile of PROFILE_NAMES) for (const model of MODELS) {
    it(`${profile} ${model}: an SMC round trip measured by the guest = SMC + entry + ERET + return + MRS`, () => {
      const m = machineWith({ profile, model, blocks: [{ at: BASE, code: SMC_TIMED }], el: 1, entry: BASE });
      m.cpu.set64(L.VBAR_EL + 6, BigInt(BASE + 0x2000));
      enablePmu(m);
      m.run({ maxInstructions: 5 });   // mrs, smc, eret, mrs, b
      const p = PROFILES[profile]!, c = p.classCycles;
      const measured = Number(m.cpu.x(2) - m.cpu.x(1));
      // Both models: the second MRS is charged before it reads the counter; in the pipeline model
      // the SMC waits for the first MRS's result (SysRegRead latency) and the ERET and the MRS
      // each start a new cycle after the flush, which adds up to the same figure.
      expect(measured).toBe(c.ExceptionGen + p.exceptionEntry + c.Eret + p.exceptionReturn + c.SysRegRead);
    });
  }

  it('psci-version: the per-call round trip the guest prints is the one the exception hooks see (fixed model)', () => {
    for (const profile of PROFILE_NAMES) {
      const p = PROFILES[profile]!;
      const trips: number[] = [];
      let entered = -1;
      const r = runImage(join(TIMING_DIR, 'psci-version.elf'), profile, 'fixed', (m) => {
        m.cpu.onExceptionEntry = (cpu, from, _fs, target) => { if (from === 1 && target === 3) entered = cpu.cycles; };
        m.cpu.onExceptionReturn = (cpu, from) => {
          // Cycles charged at entry already include the SMC and the entry itself.
          if (from === 3 && cpu.el === 1 && entered >= 0) trips.push(cpu.cycles - entered + p.classCycles.ExceptionGen + p.exceptionEntry);
        };
      });
      // Calls 2..33 are the timed loop (call 1 is the warm-up).
      const timed = trips.slice(1, 33);
      expect(new Set(timed).size).toBe(1);
      expect(r.values['round_trip_cycles'], profile).toBe(timed[0]);
    }
  });

  it('PMCCNTR_EL0 stops when PMCNTENCLR_EL0.C is set and resets with PMCR_EL0.C', () => {
    const m = machineWith({ blocks: [{ at: BASE, code: `
      mov x0, #(1 << 31)
      msr pmcntenclr_el0, x0
      mrs x1, pmccntr_el0
      nop; nop; nop
      mrs x2, pmccntr_el0
      mov x0, #5              // E | C: reset and count
      msr pmcr_el0, x0
      msr pmcntenset_el0, x3
      mrs x4, pmccntr_el0
      b .` }], el: 1, entry: BASE });
    enablePmu(m);
    m.cpu.setX(3, 1n << 31n);
    m.run({ maxInstructions: 11 });
    expect(m.cpu.x(2)).toBe(m.cpu.x(1));
    // PMCR.C reset it to 0 while PMCNTENSET.C was clear; counting resumes after the MSR PMCNTENSET
    // (charged before it executes), so the next MRS reads only its own cost.
    const g = PROFILES['generic']!.classCycles;
    expect(Number(m.cpu.x(4))).toBe(g.SysRegRead);
  });
});

describe('the generic timer: CNTPCT = floor(cycles * CNTFRQ / cpuHz)', () => {
  for (const profile of PROFILE_NAMES) for (const model of MODELS) {
    it(`${profile} ${model}`, () => {
      for (const start of [0, 12_345, 1e12 + 7]) {
        const m = machineWith({ profile, model, blocks: [{ at: BASE, code: 'mrs x1, cntpct_el0; mrs x2, cntfrq_el0; b .' }], el: 1, entry: BASE });
        m.cpu.f[L.CYCLES >> 1] = start;
        m.cpu.f[L.CYCLES_MARK >> 1] = start;
        m.run({ maxInstructions: 1 });
        const cycles = m.cpu.cycles;   // the MRS is charged before it reads the counter
        const hz = PROFILES[profile]!.cpuHz;
        expect(Number(m.cpu.x(1)), `start ${start}`).toBe(Math.floor(cycles * 62_500_000 / hz));
      }
    });
  }

  it('a guest reading PMCCNTR then CNTPCT sees the counter at (PMCCNTR + the MRS) scaled to CNTFRQ', () => {
    for (const profile of PROFILE_NAMES) {
      const m = machineWith({ profile, blocks: [{ at: BASE, code: `
        mov x0, #2000
      1: subs x0, x0, #1
        b.ne 1b
        mrs x1, pmccntr_el0
        mrs x2, cntpct_el0
        b .` }], el: 1, entry: BASE });
      enablePmu(m);
      m.cpu.s[L.CNTFRQ_EL0] = 50_000_000;   // Juno's 50 MHz counter
      m.run({ maxInstructions: 4004 });
      const p = PROFILES[profile]!;
      const atCntpct = Number(m.cpu.x(1)) + p.classCycles.SysRegRead;
      expect(Number(m.cpu.x(2)), profile).toBe(Math.floor(atCntpct * 50_000_000 / p.cpuHz));
    }
  });
});
