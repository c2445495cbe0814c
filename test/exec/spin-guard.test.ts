/**
 * Block starts that retire no instruction (a fetch abort whose vector is not mapped either) spend no
 * instruction budget; both run loops bound them separately so every run ends at its budget
 * (interpreter.ts `run` and exec/run-hooked.ts `runHooked`).
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { StopReason } from '../../src/exec/context.js';
import { Machine } from '../../src/machine/machine.js';

/** EL3 executing from an address with no memory, and VBAR_EL3 pointing at no memory either. */
function fetchAbortLoop(): Machine {
  const m = new Machine();
  const s = m.cpu.s;
  const nowhere = 0x8000_0000 | 0;          // between DRAM and the PA limit: no RAM, no device
  s[L.PC] = nowhere; s[L.PC + 1] = 0;
  s[L.VBAR_EL + 6] = nowhere; s[L.VBAR_EL + 7] = 0;
  return m;
}

describe('spin guard: a fetch-abort loop ends at the budget', () => {
  it('plain loop (interpreter run)', () => {
    const r = fetchAbortLoop().run({ maxInstructions: 1000 });
    expect(r.reason).toBe(StopReason.Budget);
    expect(r.instructions).toBe(0);
  });

  it('instrumented loop (run-hooked: cycle budget, timeout)', () => {
    const r = fetchAbortLoop().run({ maxInstructions: 1000, maxCycles: Number.MAX_SAFE_INTEGER, timeoutMs: 60_000 });
    expect(r.reason).toBe(StopReason.Budget);
    expect(r.instructions).toBe(0);
  });
});
