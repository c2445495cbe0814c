/**
 * The rule search on synthetic targets: it finds the formula that generated them, proves it minimal,
 * and every rule it returns is checked against every point.
 */
import { describe, expect, it } from 'vitest';
import { deriveRule, dependsOn, evalRule, explain, rulePredicates } from '../../src/explore/rules.js';
import { ALL_POLICIES, type StepId, enumerateSpace } from '../../src/explore/space.js';
import type { RulePoint } from '../../src/explore/rules.js';

const space = enumerateSpace();
const points: RulePoint[] = space.orders.flatMap((o) => ALL_POLICIES.map((p) => ({ variant: o.variant, order: o.order, policy: p })));
const before = (p: RulePoint, a: StepId, b: StepId): boolean => p.order.indexOf(a) < p.order.indexOf(b);

describe('deriveRule', () => {
  it('recovers a single order predicate', () => {
    const r = deriveRule('t', points, points.map((p) => before(p, 'finalize_pkvm', 'kvm_arm_init')));
    expect(r.text).toBe('t iff finalize_pkvm before kvm_arm_init');
    expect(r.cost).toBe(1);
    expect(r.minimal).toBe('proved');
    expect(r.holds).toBe(points.length);
    expect(r.dependsOn).toEqual(['kvm_arm_init<finalize_pkvm']);
  });

  it('recovers a conjunction with a disjunction, over orders, the variant and a policy', () => {
    const f = (p: RulePoint): boolean => before(p, 'kvm_arm_init', 'ffa_init') &&
      (p.variant === 'root-device' || p.policy.directReqBeforeVersion === 'forward') && before(p, 'ffa_init', 'load_uefi_certs');
    const r = deriveRule('t', points, points.map(f));
    expect(r.holds).toBe(points.length);
    expect(r.cost).toBe(4);
    expect(r.minimal).toBe('proved');
    expect(r.form).toBe('cnf');
    const preds = rulePredicates(r);
    for (const p of points) expect(evalRule(preds, r, p)).toBe(f(p));
    expect(r.text).toContain('kvm_arm_init before ffa_init');
    expect(r.text).toContain('(the root-device variant (RFC 2/3) or pKVM forwards DIRECT_REQ before negotiation)');
  });

  it('prefers the smaller form (a DNF of two terms)', () => {
    const f = (p: RulePoint): boolean => (before(p, 'kvm_arm_init', 'ffa_init') && before(p, 'tpm_crb_ffa_init', 'load_uefi_certs')) ||
      (before(p, 'deferred_probe_initcall', 'finalize_pkvm') && p.policy.spmc === 'tf-a');
    const r = deriveRule('t', points, points.map(f));
    expect(r.holds).toBe(points.length);
    expect(r.cost).toBe(4);
    expect(r.form).toBe('dnf');
  });

  it('handles constant targets', () => {
    expect(deriveRule('t', points, points.map(() => true)).text).toBe('t: always');
    expect(deriveRule('t', points, points.map(() => false)).text).toBe('t: never');
  });

  it('explains a verdict', () => {
    const r = deriveRule('safe', points, points.map((p) => before(p, 'kvm_arm_init', 'finalize_pkvm') && before(p, 'ffa_init', 'load_uefi_certs')));
    const bad = points.find((p) => !before(p, 'kvm_arm_init', 'finalize_pkvm') && before(p, 'ffa_init', 'load_uefi_certs'))!;
    expect(explain(r, bad)).toEqual({ satisfied: false, because: ['not (kvm_arm_init before finalize_pkvm)'] });
  });

  it('finds the predicates a target depends on by single swaps', () => {
    const t = points.map((p) => before(p, 'kvm_arm_init', 'ffa_init') || p.policy.spmc === 'hafnium');
    expect(dependsOn(points, t)).toEqual(['kvm_arm_init<ffa_init', 'spmc']);
  });
});
