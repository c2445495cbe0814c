/**
 * The CI share of the instruction fuzzer (tools/fuzz/insn-engine.ts; `npm run fuzz:insn` runs 10
 * million words): random and table-guided words at every EL and world must end in an architectural
 * outcome (an exception with a known EC, or completion), never a JS exception, a hang or a
 * non-finite counter. FUZZ_INSN_WORDS and FUZZ_SEED override the share and the seed.
 */
import { describe, expect, it } from 'vitest';
import { runInsnCampaign, runJitCampaign } from '../../tools/fuzz/insn-engine.js';

const WORDS = Number(process.env["FUZZ_INSN_WORDS"] ?? 200_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

describe('instruction fuzzing (CI share)', () => {
  it(`${WORDS} random instruction words at every EL and world end architecturally`, () => {
    const r = runInsnCampaign({ words: WORDS, seed: SEED });
    expect(r.failure).toBeNull();
    expect(r.stats.words).toBeGreaterThanOrEqual(WORDS);
    // Every start state was exercised, and the common outcomes were reached.
    expect(Object.keys(r.stats.contexts).sort()).toEqual(['EL0NS', 'EL0S', 'EL1NS', 'EL1S', 'EL2NS', 'EL3S']);
    for (const ec of ['EC 0x00', 'EC 0x15', 'EC 0x16', 'EC 0x17', 'EC 0x18', 'EC 0x21', 'EC 0x25', 'EC 0x3c']) expect(r.stats.exceptions[ec] ?? 0).toBeGreaterThan(0);
    console.log(`insn fuzz: ${JSON.stringify(r.stats)}`);
  }, 300_000);
});

describe('the block translator under random code (CI share)', () => {
  const CASES = Number(process.env['FUZZ_JIT_CASES'] ?? 600);
  it(`${CASES} random loop bodies: translated = interpreted, and the generated JavaScript holds numbers and fixed names only`, () => {
    const r = runJitCampaign({ cases: CASES, seed: SEED });
    expect(r.failure).toBeNull();
    expect(r.stats.translated).toBeGreaterThan(CASES / 10);
    console.log(`jit fuzz: ${JSON.stringify({ ...r.stats, identifiers: r.stats.identifiers.length })}`);
  }, 300_000);
});
