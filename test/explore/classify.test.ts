/**
 * The explorer's classifier reproduces the named scenarios' outcomes (what test/scenarios asserts),
 * both from the scenarios' own placements and from the explorer's representative placement of the
 * same order; and the pooled backend gives the very same results as a fresh machine per run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.js';
import { type ScenarioResult, runScenario } from '../../src/scenarios/index.js';
import { type Classification, classify } from '../../src/explore/classify.js';
import { WorldPool } from '../../src/explore/pool.js';
import { runSpec } from '../../src/explore/runner.js';
import { type RunSpec, enumerateSpace, orderKey, orderOfScenario, runSpecs, scenarioOf, variantOfScenario } from '../../src/explore/space.js';

const own = new Map<string, Classification>();
const viaExplorer = new Map<string, Classification>();
beforeAll(() => {
  const space = enumerateSpace();
  const pool = new WorldPool();
  for (const def of BUILTIN_SCENARIOS) {
    own.set(def.name, classify(runScenario(def)));
    const key = orderKey(variantOfScenario(def)!, orderOfScenario(def)!);
    const o = space.orders.find((x) => x.key === key)!;
    const spec: RunSpec = { id: 0, key, variant: o.variant, order: o.order, placement: o.placement, policy: { ...def.policy } };
    const out = pool.runChunk([() => runSpec(spec, pool.backend)])[0]!;
    viaExplorer.set(def.name, { primary: out.primary, classes: out.classes, flags: out.flags });
  }
});

describe('the named scenarios through the classifier', () => {
  it('v7.1-rc2: isolation broken and calls fail', () => {
    const c = own.get('v7.1-rc2')!;
    expect(c.primary).toBe('isolation-broken');
    expect(c.classes).toEqual(expect.arrayContaining(['isolation-broken', 'calls-fail']));
    expect(c.flags).toEqual(expect.arrayContaining(['spmc-holds-host-pages', 'tpm-failed', 'uefi-failed']));
    expect(c.classes).not.toContain('spec-violation');
    expect(c.classes).not.toContain('unprotected');
  });
  it('device-initcall and rfc: agree', () => {
    for (const n of ['device-initcall', 'rfc']) expect(own.get(n)).toEqual({ primary: 'agree', classes: ['agree'], flags: [] });
  });
  it('rfc-without-3: calls fail (load_uefi_certs meets the gate), nothing else', () => {
    expect(own.get('rfc-without-3')).toEqual({ primary: 'calls-fail', classes: ['calls-fail'], flags: ['uefi-failed', 'call-failed'] });
  });
  it('permissive-gate: a spec violation only (the certificates load)', () => {
    expect(own.get('permissive-gate')).toEqual({ primary: 'spec-violation', classes: ['spec-violation'], flags: ['forwarded-before-negotiation'] });
  });
  it("the explorer's placement of the same order classifies the same", () => {
    for (const def of BUILTIN_SCENARIOS) expect(viaExplorer.get(def.name)).toEqual(own.get(def.name));
  });
});

describe('WorldPool', () => {
  const strip = (r: ScenarioResult): unknown => ({ ...r, wallMs: 0 });

  it('gives results identical to a fresh machine per run, across a mix of orders and policies', () => {
    const specs = runSpecs(enumerateSpace().orders);
    // A spread of runs: every 97th (all classes and both variants appear), in one pooled sequence.
    const sample = specs.filter((_, i) => i % 97 === 0);
    const pool = new WorldPool();
    const pooled = pool.runChunk(sample.map((s) => () => runScenario(scenarioOf(s), { backend: pool.backend })));
    sample.forEach((s, i) => {
      const fresh = runScenario(scenarioOf(s));
      expect(strip(pooled[i]!)).toEqual(strip(fresh));
    });
    expect(pool.stats.learnedPages).toEqual([]);
    expect(pool.dirtyPages()).toEqual([]);
  });

  it('learns a page written outside its windows and runs the chunk again', () => {
    const pool = new WorldPool();
    const spec = runSpecs(enumerateSpace().orders)[0]!;
    let first = true;
    const out = pool.runChunk([
      () => { if (first) { pool.bus.sram[0x1234] = 0xaa; first = false; } return runSpec(spec, pool.backend); },
    ]);
    expect(out).toHaveLength(1);
    expect(pool.stats.learnedPages).toEqual(['0xe001000']);
    expect(pool.stats.reruns).toBe(1);
    expect(pool.dirtyPages()).toEqual([]);
  });
});
