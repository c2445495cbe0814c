/**
 * Instruction semantics, a64el vs Unicorn (docs/fidelity.md section 1): at least 100,000 instructions
 * from every testable row of the decode table per run, from a random seed that is printed. A failure
 * names the seed, the word, its disassembly, the register diff and the command that reproduces it.
 * A64EL_DIFF_SEED / A64EL_DIFF_COUNT pin the seed / change the count. Without Unicorn (python3-unicorn
 * for /usr/bin/python3) the suite says so loudly and skips.
 */
import { describe, expect, it } from 'vitest';
import { CODE_BASE, type CaseInput, DATA_SIZE, newMachine, runA64el } from '../../tools/diff/insn-gen.js';
import { randomSeed } from '../../tools/diff/rng.js';
import { runUnicornDiff, summary } from '../../tools/diff/unicorn-diff.js';
import { UnicornSession, unicornAvailable } from '../../tools/diff/unicorn.js';

const avail = unicornAvailable();
if (!avail.ok) console.warn(`UNICORN NOT AVAILABLE (${avail.why}): instruction differential test against Unicorn SKIPPED`);

const seed = process.env['A64EL_DIFF_SEED'] !== undefined ? Number(process.env['A64EL_DIFF_SEED']) >>> 0 : randomSeed();
const count = Number(process.env['A64EL_DIFF_COUNT'] ?? 100_000);

/** One hand-written case (words assembled by GNU as: `adds x0, x1, x2; str x0, [x3, #8]`). */
function handCase(x1: bigint): CaseInput {
  const x = Array.from({ length: 31 }, () => 0n);
  x[1] = x1; x[2] = 1n; x[3] = 0x4000_1000n;
  return { index: 0, seed: 0, words: [0xab020020, 0xf9000460], rows: ['ADDS', 'STR'], executed: 2, x, sp: 0x4000_1100n, nzcv: 0, data: new Uint8Array(DATA_SIZE) };
}

describe.skipIf(!avail.ok)('a64el vs Unicorn: instruction semantics', () => {
  it('the driver runs a known case and the comparison sees a one-bit difference', async () => {
    const session = new UnicornSession();
    try {
      const c = handCase(0xffff_ffff_ffff_ffffn);
      const u = await session.run(c);
      expect(u.exc).toBeNull();
      expect(u.state.x[0]).toBe(0n);
      expect(u.state.nzcv).toBe(0x6000_0000);                  // Z and C
      expect(u.state.pc).toBe(BigInt(CODE_BASE + 8));
      expect(u.state.mem).toEqual([]);                          // stored 0 over zeros: no change
      const ours = runA64el(newMachine(), c);
      expect(ours).toEqual(u.state);
      const u2 = await session.run(handCase(0xffff_ffff_ffff_fffen));   // x1 one less: x0 = -1, N set, a store
      expect(u2.state.x[0]).toBe(0xffff_ffff_ffff_ffffn);
      expect(u2.state.mem).toEqual([[8, 'ffffffffffffffff']]);
      expect(u2.state).not.toEqual(ours);
    } finally {
      await session.close();
    }
  });

  it(`${count} random instructions from every testable decode-table row agree (seed ${seed})`, async () => {
    console.log(`a64el vs Unicorn: seed ${seed} (reproduce: npm run diff:unicorn -- --seed ${seed} --count ${count})`);
    const report = await runUnicornDiff({ seed, count });
    console.log(summary(report));
    expect(report.instructions).toBeGreaterThanOrEqual(count);
    expect(report.failures, report.failures.join('\n\n')).toEqual([]);
  }, 120_000);
});
