/**
 * The CI share of the FF-A call-sequence fuzzer (tools/fuzz/ffa-engine.ts; `npm run fuzz:ffa` makes
 * a million calls): random worlds driven by random, hostile and well-formed host calls, with every
 * isolation invariant (test/robust/harness.ts) checked after every call and refused calls required
 * to change nothing. FUZZ_FFA_CALLS and FUZZ_SEED override the share and the seed.
 */
import { describe, expect, it } from 'vitest';
import { runFfaCampaign } from '../../tools/fuzz/ffa-engine.js';

const CALLS = Number(process.env['FUZZ_FFA_CALLS'] ?? 50_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

describe('FF-A call-sequence fuzzing (CI share)', () => {
  it(`${CALLS} host actions on random worlds keep every isolation invariant`, () => {
    const r = runFfaCampaign({ calls: CALLS, seed: SEED });
    console.log(`ffa fuzz: ${JSON.stringify(r.stats)}`);
    expect(r.failure).toBeNull();
    expect(r.stats.calls + r.stats.touches).toBeGreaterThanOrEqual(CALLS);
    // The campaign reached the interesting places: refusals of every kind, and successes.
    for (const st of ['INVALID_PARAMETERS', 'DENIED', 'NOT_SUPPORTED', 'BUSY']) expect(r.stats.byStatus[st] ?? 0).toBeGreaterThan(0);
    expect(r.stats.succeeded).toBeGreaterThan(CALLS / 10);
    for (const f of ['FFA_MEM_SHARE_64', 'FFA_MEM_LEND_64', 'FFA_MEM_RECLAIM', 'FFA_MEM_FRAG_TX', 'FFA_RXTX_MAP_64', 'FFA_MSG_SEND_DIRECT_REQ_64']) {
      expect(r.stats.byFunction[f] ?? 0, f).toBeGreaterThan(0);
    }
  }, 600_000);
});
