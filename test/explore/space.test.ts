/**
 * The placement space: counts, the representative placement of every order, and the scenario
 * definitions runs are made from.
 */
import { describe, expect, it } from 'vitest';
import { orderByPlacement } from '../../src/firmware/host/initcalls.js';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.js';
import {
  ALL_POLICIES, DEFAULT_DOMAINS, STEPS, type StepId, enumerateSpace, orderKey, orderOfScenario, runSpecs, scenarioOf, variantOfScenario,
} from '../../src/explore/space.js';

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

describe('enumerateSpace', () => {
  const space = enumerateSpace();

  it('has every order of the six steps in each variant, deferred_probe_initcall fixed at late', () => {
    expect(space.variants).toEqual(['direct', 'root-device']);
    for (const v of space.variants) {
      const c = space.counts[v]!;
      expect(c.orders).toBe(factorial(6));
      expect(c.assignments).toBe(5 ** 5);
      // One tree-ordered placement per phase assignment.
      expect(c.treePlacements).toBe(c.assignments);
      expect(c.treeOrders).toBeLessThan(c.orders);
    }
    expect(new Set(space.orders.map((o) => o.key)).size).toBe(space.orders.length);
    expect(space.orders.reduce((n, o) => n + o.placements, 0)).toBe(space.counts['direct']!.placements + space.counts['root-device']!.placements);
  });

  it('counts placements as phase assignments times in-phase link orders (brute force)', () => {
    // Σ over assignments of Π (steps sharing a phase)!, deferred_probe_initcall always in late.
    const phases = DEFAULT_DOMAINS.kvm_arm_init.length;
    let total = 0;
    const free = 5;
    for (let a = 0; a < phases ** free; a++) {
      const sizes = new Array<number>(phases).fill(0);
      let x = a;
      for (let i = 0; i < free; i++) { sizes[x % phases]!++; x = Math.floor(x / phases); }
      sizes[DEFAULT_DOMAINS.kvm_arm_init.indexOf('late')]!++;
      total += sizes.reduce((p, n) => p * factorial(n), 1);
    }
    expect(space.counts['direct']!.placements).toBe(total);
  });

  it("gives each order a placement that really produces it (the sequencer's own sort)", () => {
    for (const o of space.orders) {
      const def = scenarioOf({ id: 0, variant: o.variant, order: o.order, placement: o.placement, policy: ALL_POLICIES[0]! });
      const items = STEPS.map((s) => ({ name: s, placement: def.placements[s]! }));
      expect(orderByPlacement(items).map((i) => i.name)).toEqual(o.order);
      expect(orderOfScenario(def)).toEqual(o.order);
      expect(def.placements.deferred_probe_initcall).toMatchObject({ level: 'late', sync: false });
      expect(def.ffaRootDevice).toBe(o.variant === 'root-device');
      expect(def.placements.ffa_root_device_init === null).toBe(o.variant === 'direct');
    }
  });

  it('prefers the placement nearest the current tree', () => {
    const k = orderKey('direct', ['ffa_init', 'kvm_arm_init', 'tpm_crb_ffa_init', 'finalize_pkvm', 'load_uefi_certs', 'deferred_probe_initcall']);
    const o = space.orders.find((x) => x.key === k)!;
    // This is v7.1-rc2's order: its own placement moves nothing.
    expect(o.moved).toBe(0);
    expect(o.treeLinkOrder).toBe(true);
    expect(o.placement.ffa_init).toMatchObject({ level: 'rootfs', sync: false });
  });

  it('places every built-in scenario inside the space', () => {
    const keys = new Set(space.orders.map((o) => o.key));
    for (const def of BUILTIN_SCENARIOS) {
      const v = variantOfScenario(def)!;
      expect(keys.has(orderKey(v, orderOfScenario(def)!))).toBe(true);
    }
  });

  it('makes one run per order and policy combination', () => {
    const specs = runSpecs(space.orders);
    expect(specs).toHaveLength(space.orders.length * 6);
    expect(specs.map((s) => s.id)).toEqual(specs.map((_, i) => i));
    expect(new Set(specs.map((s) => `${s.key}|${s.policy.directReqBeforeVersion}|${s.policy.spmc}`)).size).toBe(specs.length);
  });

  it('rejects impossible domains', () => {
    expect(() => enumerateSpace({ domains: { load_uefi_certs: ['rootfs_sync'] } })).toThrow(/unknown phase/);
    expect(() => enumerateSpace({ domains: { ffa_init: ['core'] } })).toThrow(/not after subsys/);
    expect(() => enumerateSpace({ domains: { ffa_init: [] } })).toThrow(/empty domain/);
  });

  it('shrinks with the domains', () => {
    const s = enumerateSpace({
      variants: ['direct'],
      domains: { kvm_arm_init: ['device'], finalize_pkvm: ['device_sync'], tpm_crb_ffa_init: ['device'], ffa_init: ['rootfs', 'device'], load_uefi_certs: ['late'] },
    });
    // ffa_init at rootfs (kvm_arm_init and the TPM share device: 2! link orders) or sharing device
    // with them (3!); load_uefi_certs and deferred_probe_initcall share late (2!).
    expect(s.counts['direct']!.placements).toBe((2 + 6) * 2);
    // ffa_init first in device gives the same orders as ffa_init at rootfs: 4 of them come twice.
    const orders: StepId[][] = s.orders.map((o) => o.order);
    expect(orders).toHaveLength(12);
    expect(s.orders.filter((o) => o.placements === 2).map((o) => o.order[0])).toEqual(['ffa_init', 'ffa_init', 'ffa_init', 'ffa_init']);
    // The representative of a doubled order is the rootfs placement (ffa_init's current phase).
    for (const o of s.orders.filter((x) => x.placements === 2)) expect(o.placement.ffa_init.level).toBe('rootfs');
  });
});
