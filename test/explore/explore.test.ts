/**
 * The explorer end to end: a reduced space in this thread and in worker threads (the same answers),
 * the rules it states hold for every run it made, and the named scenarios land where the scenario
 * tests say; then the full space with two workers.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { CLASSES } from '../../src/explore/classify.js';
import { type ExploreResult, explore } from '../../src/explore/explore.js';
import { renderExplore } from '../../src/explore/report.js';
import { evalRule, rulePredicates, type Rule } from '../../src/explore/rules.js';
import type { Domains } from '../../src/explore/space.js';

/** Around the named scenarios: kvm_arm_init or finalize_pkvm may trade places, ffa_init at rootfs or device, certs at late or late_sync. */
const REDUCED: Partial<Domains> = {
  kvm_arm_init: ['device', 'device_sync'],
  finalize_pkvm: ['device', 'device_sync'],
  ffa_init: ['rootfs', 'device'],
  tpm_crb_ffa_init: ['device'],
  load_uefi_certs: ['late', 'late_sync'],
};

/** Every rule re-evaluated here, independently of the explorer's own count. */
function checkRules(x: ExploreResult): void {
  const all: Rule[] = [x.rules.safe, ...x.rules.classes];
  expect(all.map((r) => r.target)).toEqual(['safe', ...CLASSES.filter((c) => c !== 'agree' && x.classCounts[c] > 0)]);
  for (const r of all) {
    const preds = rulePredicates(r);
    const truth = (run: ExploreResult['runs'][number]): boolean => (r.target === 'safe' ? run.primary === 'agree' : run.classes.includes(r.target as never));
    for (const run of x.runs) expect(evalRule(preds, r, run), `${r.text} on run ${run.id}`).toBe(truth(run));
    expect(r.holds).toBe(x.runs.length);
    expect(r.total).toBe(x.runs.length);
    expect(r.cost).toBeGreaterThanOrEqual(r.dependsOn.length);
  }
}

function checkNamed(x: ExploreResult): void {
  const named = Object.fromEntries(x.named.map((n) => [n.name, n]));
  expect(Object.keys(named)).toEqual(['v7.1-rc2', 'device-initcall', 'rfc', 'rfc-without-3', 'permissive-gate']);
  for (const n of x.named) expect(n.runId).not.toBeNull();
  expect(named['v7.1-rc2']!.primary).toBe('isolation-broken');
  expect(named['v7.1-rc2']!.classes).toEqual(expect.arrayContaining(['isolation-broken', 'calls-fail']));
  expect(named['device-initcall']!.primary).toBe('agree');
  expect(named['rfc']!.primary).toBe('agree');
  expect(named['rfc-without-3']!.classes).toEqual(['calls-fail']);
  expect(named['permissive-gate']!.classes).toEqual(['spec-violation']);
  // The safe rule agrees with the class of each.
  for (const n of x.named) expect(n.safe).toBe(n.primary === 'agree');
  // The run a named scenario maps to is its order under its policies.
  for (const n of x.named) {
    const run = x.runs[n.runId!]!;
    expect(run.order).toEqual(n.order);
    expect(run.policy).toEqual(n.policy);
  }
}

describe('a reduced space', () => {
  let inline: ExploreResult;

  it('runs in this thread, classifies, derives rules that hold for every run', async () => {
    inline = await explore({ domains: REDUCED, jobs: 1 });
    expect(inline.space.runs).toBe(inline.space.orders * 6);
    expect(inline.runs).toHaveLength(inline.space.runs);
    expect(Object.values(inline.primaryCounts).reduce((a, b) => a + b, 0)).toBe(inline.space.runs);
    expect(Object.values(inline.placementCounts).reduce((a, b) => a + b, 0)).toBe(inline.space.placements * 6);
    checkRules(inline);
    checkNamed(inline);
    // Each run's placement reproduces its order and is counted once per order.
    for (const r of inline.runs) expect(r.placements).toBeGreaterThanOrEqual(r.treePlacements);
    expect(inline.timing.pool.learnedPages).toEqual([]);
    expect(renderExplore(inline)).toMatch(/holds for \d+\/\d+ runs/);
  });

  it('gives the same answers from two worker threads', async () => {
    const workers = await explore({ domains: REDUCED, jobs: 2, chunkSize: 16 });
    expect(workers.timing.jobs).toBe(2);
    const strip = (x: ExploreResult): unknown => ({ ...x, timing: null });
    expect(strip(workers)).toEqual(strip(inline));
  });
});

describe('the full space', () => {
  it('runs every distinct order under every policy with two workers; the rules hold for all of them', async () => {
    let last = 0;
    const x = await explore({ jobs: 2, onProgress: (done, total) => { expect(done).toBeGreaterThanOrEqual(last); expect(done).toBeLessThanOrEqual(total); last = done; } });
    expect(last).toBe(x.space.runs);
    expect(x.space.orders).toBe(1440);
    expect(x.space.runs).toBe(8640);
    expect(x.space.placements).toBe(60480);
    checkRules(x);
    checkNamed(x);
    // Safety never depends on where the TPM driver registers, nor on the policies.
    expect(x.rules.safe.dependsOn.some((d) => d.includes('tpm_crb_ffa_init') || d === 'forward' || d === 'spmc')).toBe(false);
    // finalize_pkvm before kvm_arm_init never finalises pKVM, and that is the only way to lose it.
    expect(x.rules.classes.find((r) => r.target === 'unprotected')!.text).toBe('unprotected iff finalize_pkvm before kvm_arm_init');
    expect(x.timing.pool.learnedPages).toEqual([]);
    // Safe orders are counted per order: a safe order is safe under every policy here.
    for (const v of x.space.variants) {
      const o = x.safeOrders[v]!;
      expect(o.orders).toBe(720);
      expect(o.safeAll).toBe(o.safeAny);
      expect(x.runs.filter((r) => r.variant === v && r.primary === 'agree')).toHaveLength(o.safeAll * 6);
    }
  }, 240_000);
});

describe('a64el explore', () => {
  const io = (): { out: string[]; err: string[]; io: { out: (c: string | Uint8Array) => void; err: (c: string | Uint8Array) => void } } => {
    const out: string[] = [], err: string[] = [];
    return { out, err, io: { out: (c) => { out.push(String(c)); }, err: (c) => { err.push(String(c)); } } };
  };
  it('refuses bad options with exit status 2', async () => {
    const a = io();
    expect(await runCli(['explore', '--jobs', '0'], a.io)).toBe(2);
    expect(a.err.join('')).toMatch(/--jobs wants an integer/);
    const b = io();
    expect(await runCli(['explore', '--bogus'], b.io)).toBe(2);
    expect(b.err.join('')).toMatch(/Unknown option '--bogus'/);
  });
});
