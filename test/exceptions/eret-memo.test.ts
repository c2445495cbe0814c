/**
 * exceptionReturn looks its illegal-return verdict up in a table indexed by SPSR.M[4:0], the current EL,
 * the implemented ELs, SCR_EL3.{NS,RW} and HCR_EL2.{TGE,RW} (eret.ts illegalReturnOf). The verdict must
 * be checkIllegalReturn's (ASL IllegalExceptionReturn) for every one of those combinations, whatever the
 * other bits of SPSR, SCR_EL3 and HCR_EL2 hold and in whatever order the combinations are met.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { CpuState } from '../../src/state/cpu-state.js';
import { checkIllegalReturn, exceptionReturn } from '../../src/exceptions/eret.js';

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x | 0; };
}

describe('ERET illegal-return verdicts from the table', () => {
  it('match checkIllegalReturn for all 2^15 combinations, twice, with random other bits', () => {
    const cpu = new CpuState();
    const s = cpu.s;
    const next = rng(0x5eed);
    // Visit every combination in a shuffled order, twice (the second visit reads the table).
    const order = Array.from({ length: 1 << 15 }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) { const j = (next() >>> 0) % (i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
    let illegal = 0;
    for (const pass of [0, 1]) {
      for (const k of order) {
        const m = k & 0x1f, cur = (k >>> 5) & 3, impl = (k >>> 7) & 0xf;
        if (cur === 0) continue;   // ERET at EL0 is UNDEFINED before any of this (execEret)
        const spsr = (next() & ~0x1f) | m;
        const scr = (next() & ~(1 | 1 << 10)) | ((k >>> 11) & 1) | ((k >>> 12) & 1) << 10;
        const hcr = (next() & ~(1 << 27 | 1 << 31)) | ((k >>> 13) & 1) << 27 | ((k >>> 14) & 1) << 31;
        s.fill(0);
        s[L.IMPL_ELS] = impl; s[L.PSTATE_EL] = cur; s[L.PSTATE_SP] = 1;
        s[L.SCR_EL3] = scr; s[L.HCR_EL2] = hcr;
        s[L.SPSR_EL + 2 * cur] = spsr;
        const want = checkIllegalReturn(s, spsr);
        const got = exceptionReturn(cpu);
        expect(got, `M=${m} EL${cur} impl=${impl} scr=${scr >>> 0} hcr=${hcr >>> 0} pass ${pass}`).toBe(want);
        // The state shows the verdict: IL set and EL kept when illegal, EL from SPSR when legal.
        if (want !== 0) { illegal++; expect(s[L.PSTATE_IL]).toBe(1); expect(s[L.PSTATE_EL]).toBe(cur); }
        else expect(s[L.PSTATE_EL]).toBe((spsr >>> 2) & 3);
      }
    }
    expect(illegal).toBeGreaterThan(1000);
  });
});
