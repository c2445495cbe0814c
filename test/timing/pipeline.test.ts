/**
 * The in-order pipeline model (timing/pipeline.ts, timing/pipeline-run.ts): load-use stalls, dual
 * issue, static branch prediction, serializing instructions and pipeline flushes, measured on real
 * instruction words; and the loop variant leaves the guest's behaviour unchanged.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { PROFILES, type TimingModel } from '../../src/timing/profile.js';
import { PipelineRun } from '../../src/timing/pipeline-run.js';
import { bundledImages, machineWith, runImage } from './helpers.js';

const BASE = 0x4000_0000, DATA = 0x4000_0800;

/** Cycles to run `code` (n instructions) at EL1 from a clean pipeline. */
function cycles(code: string, n: number, profile = 'generic', model: TimingModel = 'pipeline', regs: Record<number, bigint> = {}): number {
  const m = machineWith({ profile, model, blocks: [{ at: BASE, code: `${code}\n b .` }], el: 1, entry: BASE });
  for (const [r, v] of Object.entries(regs)) m.cpu.setX(Number(r), v);
  m.run({ maxInstructions: n });
  expect(m.cpu.instructions).toBe(n);
  return m.cpu.cycles;
}

const g = PROFILES['generic']!, a57 = PROFILES['cortex-a57']!;
const gp = g.pipeline!, ap = a57.pipeline!;

describe('scoreboard', () => {
  it('load-use: a consumer right after a load waits for the load latency', () => {
    const regs = { 1: BigInt(DATA), 3: 5n };
    expect(cycles('ldr x0, [x1]; add x2, x3, #1', 2, 'generic', 'pipeline', regs)).toBe(2);
    expect(cycles('ldr x0, [x1]; add x2, x0, #1', 2, 'generic', 'pipeline', regs)).toBe(1 + g.classCycles.Load);
    // Two independent instructions in between hide two cycles of it.
    expect(cycles('ldr x0, [x1]; add x4, x3, #1; add x5, x3, #2; add x2, x0, #1', 4, 'generic', 'pipeline', regs)).toBe(1 + g.classCycles.Load);
    // The fixed model charges the latency whether or not it is used.
    expect(cycles('ldr x0, [x1]; add x2, x3, #1', 2, 'generic', 'fixed', regs)).toBe(g.classCycles.Load + 1);
  });

  it('flags: B.cond after CMP waits for the flags', () => {
    expect(cycles('cmp x0, #1; b.eq 1f; 1: nop', 3)).toBe(1 + 1 + 1);
  });

  it('XZR is no dependency; SP is one', () => {
    expect(cycles('ldr xzr, [x1]; add x2, x3, xzr', 2, 'generic', 'pipeline', { 1: BigInt(DATA) })).toBe(2);
    expect(cycles('ldr x0, [sp, #-16]!; add x2, sp, #1', 2)).toBe(2);   // the writeback is an ALU result
  });
});

describe('issue width 2 (cortex-a57)', () => {
  it('independent ALU pairs issue together; a dependency chain does not', () => {
    expect(ap.issueWidth).toBe(2);
    expect(cycles('add x0, x0, #1; add x1, x1, #1; add x2, x2, #1; add x3, x3, #1', 4, 'cortex-a57')).toBe(2);
    expect(cycles('add x0, x0, #1; add x0, x0, #1; add x0, x0, #1; add x0, x0, #1', 4, 'cortex-a57')).toBe(4);
  });
  it('one load/store per cycle', () => {
    expect(cycles('ldr x0, [x4]; ldr x1, [x4, #8]', 2, 'cortex-a57', 'pipeline', { 4: BigInt(DATA) })).toBe(2);
    expect(cycles('ldr x0, [x4]; add x1, x1, #1', 2, 'cortex-a57', 'pipeline', { 4: BigInt(DATA) })).toBe(1);
  });
  it('a store pair holds issue for its occupancy (StorePair cycles)', () => {
    expect(cycles('stp x0, x1, [x4]; add x2, x2, #1', 2, 'cortex-a57', 'pipeline', { 4: BigInt(DATA) })).toBe(a57.classCycles.StorePair + 1);
  });
});

describe('branches: static prediction, backward taken', () => {
  it('forward taken: mispredicted; forward not taken: free', () => {
    expect(cycles('cbz x5, 1f; nop; 1: nop', 2, 'generic', 'pipeline', { 5: 0n })).toBe(1 + 1 + gp.mispredictPenalty);
    expect(cycles('cbz x5, 1f; nop; 1: nop', 2, 'generic', 'pipeline', { 5: 1n })).toBe(2);
  });
  it('a backward loop: taken iterations cost the bubble, the exit is a mispredict', () => {
    // mov; 3 x (subs, b.ne): the b.ne waits one cycle for the flags.
    const n = 1 + 3 * 2 + 1;
    const c = cycles('mov x0, #3; 1: subs x0, x0, #1; b.ne 1b; nop', n);
    const iteration = 2 + gp.takenBranchPenalty;                    // subs, b.ne, bubble
    expect(c).toBe(1 + 2 * iteration + 2 + gp.mispredictPenalty + 1);
    expect(cycles('mov x0, #3; 1: subs x0, x0, #1; b.ne 1b; nop', n, 'generic', 'fixed')).toBe(n);
  });
  it('B and BL cost the taken bubble; BR/BLR the indirect penalty', () => {
    expect(cycles('b 1f; nop; 1: nop', 2)).toBe(1 + 1 + gp.takenBranchPenalty);
    expect(cycles('adr x3, 1f; br x3; nop; 1: nop', 3)).toBe(1 + 1 + 1 + gp.indirectBranchPenalty);
  });
});

describe('serializing instructions and flushes', () => {
  it('SMC waits for an outstanding load, then the exception entry flushes the pipeline', () => {
    const m = machineWith({ model: 'pipeline', blocks: [{ at: BASE, code: 'ldr x0, [x1]; smc #0; .org 0x2400; add x2, x0, #1; b .' }], el: 1, entry: BASE });
    m.cpu.setX(1, BigInt(DATA));
    m.cpu.set64(L.VBAR_EL + 6, BigInt(BASE + 0x2000));
    let atEntry = -1;
    m.cpu.onExceptionEntry = (cpu) => { atEntry = cpu.cycles; };
    m.run({ maxInstructions: 3 });
    expect(atEntry).toBe(1 + g.classCycles.Load + g.exceptionEntry);   // ldr at 1, smc at 1 + 4
    // After the flush the vector's first instruction starts a new cycle; x0 is not waited for.
    expect(m.cpu.cycles).toBe(atEntry + 1);
  });

  it('DSB waits for DC CIVAC to complete; independent work overlaps it', () => {
    const dc = a57.opCycles!.DC_VA!, dsb = a57.classCycles.Barrier;
    const regs = { 1: BigInt(DATA) };
    expect(cycles('dc civac, x1; dsb sy; nop', 3, 'cortex-a57', 'pipeline', regs)).toBe(1 + dc + dsb);
    expect(cycles('dc civac, x1; add x2, x2, #1; add x3, x3, #1; dsb sy; nop', 5, 'cortex-a57', 'pipeline', regs)).toBe(1 + dc + dsb);
    expect(cycles('dc civac, x1; add x2, x2, #1; add x3, x3, #1; dsb sy; nop', 5, 'cortex-a57', 'fixed', regs)).toBe(dc + 2 + dsb + 1);
  });

  it('ERET flushes too: the instruction after the return starts after the return cost', () => {
    const m = machineWith({ model: 'pipeline', blocks: [{ at: BASE, code: `
      mov x0, #0x3c5
      msr spsr_el2, x0
      adr x0, 1f
      msr elr_el2, x0
      eret
    1: nop
      b .` }], el: 2, entry: BASE });
    m.run({ maxInstructions: 6 });
    const c = g.classCycles;
    // mov 1; msr (serial: waits for x0) at 2, holds 3; adr at 5; msr waits x0 -> 6, holds 3; eret at 9; return; nop.
    expect(m.cpu.cycles).toBe(1 + c.SysRegWrite + 1 + c.SysRegWrite + c.Eret + g.exceptionReturn + 1);
  });

  it('statistics count dual issue, stalls and mispredicts', () => {
    const r = runImage(bundledImages().find(([l]) => l === 'el-drop')![1], 'cortex-a57', 'pipeline');
    const st = (r.machine.pipeline as PipelineRun).model.stats;
    expect(st.instructions).toBe(r.instructions);
    expect(st.dualIssued).toBeGreaterThan(0);
    expect(st.dataStalls).toBeGreaterThan(0);
    expect(st.mispredicts).toBeGreaterThan(0);
    expect(st.flushes).toBeGreaterThan(0);
  });
});

describe('the pipelined loop changes timing only', () => {
  const mask = (uart: string): string => uart.replace(/^(\w*cycles)=[0-9a-f]{16}$/gm, '$1=<n>');
  for (const [label, path] of bundledImages()) {
    it(`${label}: same output, exit code and instructions in both loops`, () => {
      for (const profile of ['generic', 'cortex-a57']) {
        const f = runImage(path, profile, 'fixed'), p = runImage(path, profile, 'pipeline');
        expect(mask(p.uart)).toBe(mask(f.uart));
        expect([p.reason, p.exitCode, p.instructions]).toEqual([f.reason, f.exitCode, f.instructions]);
        // The calibration images keep counter readings in registers; the others must agree exactly.
        if (!label.startsWith('timing/')) expect(r(p.machine)).toEqual(r(f.machine));
      }
    });
  }
  /** Architectural registers at the end (x19-x30 hold printed values in some images: compare x0-x18). */
  function r(m: { cpu: { x(n: number): bigint; el: number } }): string[] {
    return [...Array.from({ length: 19 }, (_, i) => m.cpu.x(i).toString(16)), String(m.cpu.el)];
  }
});
