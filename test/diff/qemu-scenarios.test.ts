/**
 * Exception model, a64el vs QEMU 7.2 (docs/fidelity.md section 2): at least 200 generated exception
 * scenarios per run (random HCR_EL2/SCR_EL3 bits, source EL and stack, SVC/HVC/SMC/BRK/UDF/aborts/
 * traps), batched into images, from a random seed that is printed; every scenario must print the same
 * EL, vector offset, ESR/ELR/SPSR/FAR in both. Scenarios where QEMU departs from the Arm ARM are skipped
 * by named, cited rules (tools/diff/gen-scenarios.ts SKIP_RULES) and counted. The 13 committed images
 * are compared by test/images/qemu-diff.test.ts. A64EL_QEMU_SEED / A64EL_QEMU_COUNT pin the seed /
 * change the count. Without QEMU or binutils the suite says so loudly and skips.
 */
import { describe, expect, it } from 'vitest';
import { SKIP_RULES, scenario, imageSource } from '../../tools/diff/gen-scenarios.js';
import { chunks, qemuAvailable, qemuSummary, runQemuDiff } from '../../tools/diff/qemu-diff.js';
import { randomSeed } from '../../tools/diff/rng.js';

const avail = qemuAvailable();
if (!avail.ok) console.warn(`QEMU NOT AVAILABLE (${avail.why}): exception-scenario differential test against QEMU SKIPPED`);

const seed = process.env['A64EL_QEMU_SEED'] !== undefined ? Number(process.env['A64EL_QEMU_SEED']) >>> 0 : randomSeed();
const count = Number(process.env['A64EL_QEMU_COUNT'] ?? 250);

describe('exception-scenario generator', () => {
  it('is deterministic per (seed, id) and every skip rule names its citation', () => {
    expect(scenario(7, 3)).toEqual(scenario(7, 3));
    expect(imageSource([scenario(7, 3), scenario(7, 4)])).toBe(imageSource([scenario(7, 3), scenario(7, 4)]));
    for (const r of SKIP_RULES) {
      expect(r.id).toMatch(/^[a-z0-9-]+$/);
      expect(r.cite).toMatch(/Arm ARM/);
      expect(r.qemu.length).toBeGreaterThan(10);
    }
  });

  it('splits output per scenario', () => {
    const m = chunks('S1 from=EL1h x\n  EL=1\nS2 from=EL0t y\n  EL=2\nPASS\n');
    expect([...m.keys()]).toEqual([1, 2]);
    expect(m.get(1)).toBe('S1 from=EL1h x\n  EL=1');
  });
});

describe.skipIf(!avail.ok)('a64el vs QEMU: generated exception scenarios', () => {
  it(`${count} random exception scenarios print the same in both (seed ${seed})`, async () => {
    console.log(`a64el vs QEMU: seed ${seed} (reproduce: npm run diff:qemu -- --seed ${seed} --count ${count})`);
    const report = await runQemuDiff({ seed, count });
    console.log(qemuSummary(report));
    expect(report.failures, report.failures.join('\n\n')).toEqual([]);
    expect(report.scenariosAgreeing).toBeGreaterThanOrEqual(Math.min(count, 200));
  }, 120_000);
});
