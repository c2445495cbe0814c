/**
 * The space of boot orders the explorer walks: every placement of the steps that matter, over the
 * initcall phases each may take and every link order among steps sharing a phase, for each FF-A
 * driver variant; placements that give the same initcall order are one run (the machine only sees
 * the order, plus the policies).
 *
 * The steps and their domains (docs/explore.md says why):
 *
 * | step                    | domain (default)                                   | today            |
 * |-------------------------|----------------------------------------------------|------------------|
 * | kvm_arm_init            | rootfs, device, device_sync, late, late_sync       | device           |
 * | finalize_pkvm           | rootfs, device, device_sync, late, late_sync       | device_sync      |
 * | ffa_init                | rootfs, device, device_sync, late, late_sync       | rootfs / device  |
 * | tpm_crb_ffa_init        | rootfs, device, device_sync, late, late_sync       | device           |
 * | load_uefi_certs         | rootfs, device, device_sync, late, late_sync       | late / late_sync |
 * | deferred_probe_initcall | late (fixed: drivers/base/dd.c)                    | late             |
 *
 * Phases before rootfs add no order among these steps that rootfs does not already give (only
 * arm_ffa_bus_init at subsys sits there, and a bus user placed before it fails for a reason that has
 * nothing to do with pKVM), so the domain starts at rootfs. rootfs has no _sync variant.
 * arm_ffa_bus_init (subsys) and, in the root-device variant, ffa_root_device_init (subsys) stay
 * where they are.
 *
 * Link order: inside one phase every relative order of the steps sharing it is enumerated, not only
 * the one today's tree gives (arch < security < drivers/base < drivers/char < drivers/firmware):
 * moving a file or a Makefile line changes it. Placements whose in-phase order is the tree's are
 * counted separately ("tree placements").
 */
import { type InitcallId, DEFAULT_PLACEMENTS } from '../firmware/host/kernel.js';
import { type Placement, INITCALL_PHASES, parsePhase, phaseIndex, phaseName } from '../firmware/host/initcalls.js';
import type { DirectReqPolicy, ScenarioDef, SpmcPolicy } from '../scenarios/builtin.js';

/** The steps whose placement is explored, in a fixed order (used for keys and predicates). */
export const STEPS = [
  'kvm_arm_init', 'finalize_pkvm', 'ffa_init', 'tpm_crb_ffa_init', 'load_uefi_certs', 'deferred_probe_initcall',
] as const satisfies readonly InitcallId[];
export type StepId = (typeof STEPS)[number];

/** Short labels for compact order strings ("K F I T U D"). */
export const STEP_LETTER: Readonly<Record<StepId, string>> = {
  kvm_arm_init: 'K', finalize_pkvm: 'F', ffa_init: 'I', tpm_crb_ffa_init: 'T', load_uefi_certs: 'U', deferred_probe_initcall: 'D',
};

/**
 * How the host FF-A driver comes up.
 * - direct: ffa_init runs ffa_core_init itself (mainline; rootfs_initcall since 0e0546eabcd6, or
 *   device_initcall after the revert).
 * - root-device: RFC patches 1/3 and 2/3: ffa_init registers the "arm-ffa" root driver, whose probe
 *   defers until is_pkvm_initialized(); kvm_init() moves into finalize_pkvm.
 */
export type Variant = 'direct' | 'root-device';
export const VARIANTS: readonly Variant[] = ['direct', 'root-device'];

export interface PolicyPoint {
  directReqBeforeVersion: DirectReqPolicy;
  spmc: SpmcPolicy;
}
export const DIRECT_REQ_POLICIES: readonly DirectReqPolicy[] = ['reject', 'forward'];
export const SPMC_POLICIES: readonly SpmcPolicy[] = ['spec', 'hafnium', 'tf-a'];
/** Every policy combination (pKVM gate x SPMC), pKVM first. */
export const ALL_POLICIES: readonly PolicyPoint[] = DIRECT_REQ_POLICIES.flatMap((d) => SPMC_POLICIES.map((spmc) => ({ directReqBeforeVersion: d, spmc })));

/** The phases a free step may take by default (see the module comment). */
export const DEFAULT_FREE_PHASES: readonly string[] = ['rootfs', 'device', 'device_sync', 'late', 'late_sync'];

/** Phase names each step may take. */
export type Domains = Record<StepId, readonly string[]>;
export const DEFAULT_DOMAINS: Readonly<Domains> = {
  kvm_arm_init: DEFAULT_FREE_PHASES,
  finalize_pkvm: DEFAULT_FREE_PHASES,
  ffa_init: DEFAULT_FREE_PHASES,
  tpm_crb_ffa_init: DEFAULT_FREE_PHASES,
  load_uefi_certs: DEFAULT_FREE_PHASES,
  deferred_probe_initcall: ['late'],
};

/** Each step's link-order number in today's tree (kernel.ts DEFAULT_PLACEMENTS). */
export const TREE_LINK_ORDER: Readonly<Record<StepId, number>> = Object.fromEntries(
  STEPS.map((s) => [s, DEFAULT_PLACEMENTS[s].linkOrder]),
) as Record<StepId, number>;

/** The placements a variant starts from (the nearest-to-these placement represents an order). */
export function variantBase(variant: Variant): Record<InitcallId, Placement | null> {
  const base: Record<InitcallId, Placement | null> = { ...DEFAULT_PLACEMENTS, ffa_root_device_init: null };
  if (variant === 'root-device') {
    base.ffa_root_device_init = { ...DEFAULT_PLACEMENTS.ffa_root_device_init };
    // RFC 2/3: ffa_init becomes device_initcall (module_init), drivers/firmware.
    base.ffa_init = { level: 'device', sync: false, linkOrder: DEFAULT_PLACEMENTS.ffa_init.linkOrder };
  }
  return base;
}

/** One distinct initcall order of the steps, and the placements that produce it. */
export interface OrderPoint {
  /** "direct:K<F<I<T<U<D" */
  key: string;
  variant: Variant;
  /** The steps in the order they run. */
  order: StepId[];
  /** How many placements (phase per step, link order inside each phase) give this order. */
  placements: number;
  /** Of those, how many keep today's link order inside every phase. */
  treePlacements: number;
  /** The placement nearest the variant's current one (fewest steps moved; tree link order preferred). */
  placement: Record<StepId, Placement>;
  /** How many steps `placement` moves to another phase than the variant's current placement. */
  moved: number;
  /** True when `placement` keeps today's link order inside every phase. */
  treeLinkOrder: boolean;
}

export interface SpaceOptions {
  domains?: Partial<Domains>;
  variants?: readonly Variant[];
}

export interface Space {
  domains: Domains;
  variants: Variant[];
  orders: OrderPoint[];
  /** Per variant: all placements, tree-link-order placements, phase assignments, distinct orders. */
  counts: Record<string, { placements: number; treePlacements: number; assignments: number; orders: number; treeOrders: number }>;
}

/** "direct:K<F<I<T<U<D" */
export function orderKey(variant: Variant, order: readonly StepId[]): string {
  return `${variant}:${order.map((s) => STEP_LETTER[s]).join('<')}`;
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/** Check a domain table: known phases only, no duplicates, none empty. Throws RangeError. */
export function validateDomains(d: Domains): void {
  for (const s of STEPS) {
    const phases = d[s];
    if (phases.length === 0) throw new RangeError(`${s}: empty domain`);
    if (new Set(phases).size !== phases.length) throw new RangeError(`${s}: duplicate phase in domain`);
    for (const p of phases) {
      const ph = parsePhase(p);
      if (ph === undefined) throw new RangeError(`${s}: unknown phase "${p}" (known: ${INITCALL_PHASES.map((x) => x.name).join(', ')})`);
      // Steps share no phase with the fixed subsys initcalls, so their order against those is fixed.
      if (phaseIndex(ph.level, ph.sync) <= phaseIndex('subsys', false)) throw new RangeError(`${s}: phase ${p} is not after subsys (arm_ffa_bus_init)`);
    }
  }
}

/**
 * Enumerate every placement in the domains, for each variant, and group them by the order they give.
 */
export function enumerateSpace(opts: SpaceOptions = {}): Space {
  const domains: Domains = { ...DEFAULT_DOMAINS, ...(opts.domains ?? {}) };
  validateDomains(domains);
  const variants = [...(opts.variants ?? VARIANTS)];
  const orders: OrderPoint[] = [];
  const counts: Space['counts'] = {};
  const phaseOf = (name: string): { level: Placement['level']; sync: boolean; index: number } => {
    const p = parsePhase(name)!;
    return { ...p, index: phaseIndex(p.level, p.sync) };
  };
  const stepDomains = STEPS.map((s) => domains[s].map(phaseOf));
  const permCache = new Map<string, StepId[][]>();
  const permsOf = (steps: StepId[]): StepId[][] => {
    const k = steps.join(',');
    let p = permCache.get(k);
    if (p === undefined) { p = permutations(steps); permCache.set(k, p); }
    return p;
  };

  for (const variant of variants) {
    const base = variantBase(variant);
    const byKey = new Map<string, OrderPoint>();
    let placements = 0, treePlacements = 0, assignments = 0;
    const choice = new Array<number>(STEPS.length).fill(0);
    // Odometer over the phase assignments.
    for (;;) {
      assignments++;
      const groups = new Map<number, StepId[]>();
      STEPS.forEach((s, i) => {
        const ph = stepDomains[i]![choice[i]!]!;
        const g = groups.get(ph.index);
        if (g === undefined) groups.set(ph.index, [s]); else g.push(s);
      });
      const phaseIdx = [...groups.keys()].sort((a, b) => a - b);
      // Steps in tree link order inside each phase (STEPS order breaks equal link numbers).
      const treeGroups = phaseIdx.map((pi) => [...groups.get(pi)!].sort((a, b) => TREE_LINK_ORDER[a] - TREE_LINK_ORDER[b]));
      const moved = STEPS.reduce((n, s, i) => {
        const ph = stepDomains[i]![choice[i]!]!;
        const b = base[s]!;
        return n + (b.level === ph.level && b.sync === ph.sync ? 0 : 1);
      }, 0);
      // Every combination of in-phase permutations.
      const perGroup = treeGroups.map((g) => permsOf(g));
      const idx = new Array<number>(perGroup.length).fill(0);
      for (;;) {
        const seq: StepId[] = [];
        let tree = true;
        perGroup.forEach((perms, gi) => {
          const perm = perms[idx[gi]!]!;
          if (idx[gi] !== 0) tree = false; // permutations() yields the input (tree) order first
          seq.push(...perm);
        });
        placements++;
        if (tree) treePlacements++;
        const key = orderKey(variant, seq);
        let pt = byKey.get(key);
        const better = pt === undefined || moved < pt.moved || (moved === pt.moved && tree && !pt.treeLinkOrder);
        if (pt === undefined) {
          pt = { key, variant, order: seq, placements: 0, treePlacements: 0, placement: {} as Record<StepId, Placement>, moved, treeLinkOrder: tree };
          byKey.set(key, pt);
        }
        pt.placements++;
        if (tree) pt.treePlacements++;
        if (better) {
          pt.moved = moved;
          pt.treeLinkOrder = tree;
          pt.placement = realise(perGroup.map((perms, gi) => perms[idx[gi]!]!), treeGroups, phaseIdx);
        }
        // next combination
        let k = perGroup.length - 1;
        while (k >= 0 && ++idx[k]! === perGroup[k]!.length) { idx[k] = 0; k--; }
        if (k < 0) break;
      }
      // next assignment
      let j = STEPS.length - 1;
      while (j >= 0 && ++choice[j]! === stepDomains[j]!.length) { choice[j] = 0; j--; }
      if (j < 0) break;
    }
    const list = [...byKey.values()];
    orders.push(...list);
    counts[variant] = { placements, treePlacements, assignments, orders: list.length, treeOrders: list.filter((o) => o.treePlacements > 0).length };
  }
  return { domains, variants, orders, counts };
}

/**
 * Placements for one in-phase ordering: each step keeps its phase; inside a phase the steps take the
 * tree's link numbers of that phase's steps, handed out in the chosen order (so a tree-ordered phase
 * keeps its real numbers, and a permuted one swaps them).
 */
function realise(perms: StepId[][], treeGroups: StepId[][], phaseIdx: number[]): Record<StepId, Placement> {
  const out = {} as Record<StepId, Placement>;
  perms.forEach((perm, gi) => {
    const ph = INITCALL_PHASES[phaseIdx[gi]!]!;
    const numbers = treeGroups[gi]!.map((s) => TREE_LINK_ORDER[s]);
    perm.forEach((s, i) => { out[s] = { level: ph.level, sync: ph.sync, linkOrder: numbers[i]! }; });
  });
  return out;
}

/** A run of the space: one order under one policy combination. */
export interface RunSpec {
  id: number;
  key: string;
  variant: Variant;
  order: StepId[];
  placement: Record<StepId, Placement>;
  policy: PolicyPoint;
}

/** Every run: each distinct order under each policy combination. */
export function runSpecs(orders: readonly OrderPoint[], policies: readonly PolicyPoint[] = ALL_POLICIES): RunSpec[] {
  const out: RunSpec[] = [];
  for (const o of orders) {
    for (const p of policies) {
      out.push({ id: out.length, key: o.key, variant: o.variant, order: o.order, placement: o.placement, policy: { ...p } });
    }
  }
  return out;
}

/** The scenario definition runScenario takes for a run. */
export function scenarioOf(spec: Pick<RunSpec, 'id' | 'variant' | 'order' | 'placement' | 'policy'>): ScenarioDef {
  const placements = variantBase(spec.variant);
  for (const s of STEPS) placements[s] = { ...spec.placement[s] };
  const rfc = spec.variant === 'root-device';
  return {
    name: `explore-${spec.id}`,
    title: `${spec.variant}: ${spec.order.join(' < ')}`,
    ffaRootDevice: rfc,
    kvmInitInFinalize: rfc,
    placements,
    policy: { ...spec.policy },
  };
}

/** The variant of a scenario definition, or null when it is neither explored variant. */
export function variantOfScenario(def: ScenarioDef): Variant | null {
  if (def.ffaRootDevice) return def.placements.ffa_root_device_init === null ? null : 'root-device';
  return 'direct';
}

/** The order a scenario definition runs the steps in (as the initcall sequencer sorts them). */
export function orderOfScenario(def: ScenarioDef): StepId[] | null {
  const items: { s: StepId; p: Placement; i: number }[] = [];
  for (const [i, s] of STEPS.entries()) {
    const p = def.placements[s];
    if (p === null) return null;
    items.push({ s, p, i });
  }
  items.sort((a, b) => phaseIndex(a.p.level, a.p.sync) - phaseIndex(b.p.level, b.p.sync) || a.p.linkOrder - b.p.linkOrder || a.i - b.i);
  return items.map((x) => x.s);
}

/** "device_sync" for a placement. */
export const phaseText = (p: Placement): string => phaseName(p);
