/** Issue "timing": every scenario report says where its cycles went, per EL and world. */
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, runScenario } from '../../src/scenarios/index.js';

describe('scenario cycle accounting per EL and world', () => {
  it('partitions the total and charges EL2 only when pKVM traps the host', () => {
    const rfc = runScenario(BUILTIN_SCENARIOS.find((s) => s.name === 'rfc')!);
    const c = rfc.cyclesByEl!;
    expect(c.el0 + c.el1 + c.el2 + c.el3 + c.sel0 + c.sel1 + c.sel2).toBe(rfc.cycles);
    // Every FF-A call crossed EL2 (pKVM), EL3 (SPMD) and S-EL1 (SPMC); DIRECT_REQs reached S-EL0.
    for (const v of [c.el1, c.el2, c.el3, c.sel1, c.sel0]) expect(v).toBeGreaterThan(0);
    expect(rfc.summary.cyclesByEl.split(' / ')).toHaveLength(5);
  });
});
