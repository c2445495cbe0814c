/**
 * The explorer: enumerate the placement space (space.ts), run every distinct order under every
 * policy combination on the real machine (runner.ts, spread over worker_threads), classify each run
 * (classify.ts), derive the rules that separate the classes (rules.ts), and place the named
 * scenarios of the main job in that space.
 *
 * Work is shared through atomic counters (each worker takes the next chunk of runs, then the next rule
 * to derive); results come back on a MessagePort per worker.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { BUILTIN_SCENARIOS, type ScenarioDef } from '../scenarios/builtin.js';
import { runScenario } from '../scenarios/run.js';
import '../scenarios/world-backend.js';
import { CLASSES, type Flag, FLAG_NAMES, FLAGS, type RunClass, classify } from './classify.js';
import { type PoolStats, WorldPool } from './pool.js';
import { CTL_WORDS, type ParentMessage, type RuleTask, type WorkerData, type WorkerMessage } from './protocol.js';
import { type DeriveOptions, type Rule, type RulePoint, deriveRule, explain } from './rules.js';
import { type RunOutcome, runSpec } from './runner.js';
import {
  ALL_POLICIES, type Domains, type OrderPoint, type PolicyPoint, type RunSpec, type SpaceOptions, type StepId, type Variant,
  enumerateSpace, orderKey, orderOfScenario, runSpecs, variantOfScenario,
} from './space.js';

export interface ExploreOptions extends SpaceOptions {
  /** Policy combinations to run (default: all six). */
  policies?: readonly PolicyPoint[];
  /** Worker threads (default os.availableParallelism(); 1 runs in this thread). */
  jobs?: number;
  /** Runs per work item (default 48); RAM is checked after each. */
  chunkSize?: number;
  /** Called as runs complete. */
  onProgress?: (done: number, total: number) => void;
  /** Rule search limits. */
  rules?: DeriveOptions;
  /** Named scenarios to place in the space (default: the built-in ones). */
  named?: readonly ScenarioDef[];
  /** Derive the rules (default true; false leaves rules.safe constant and rules.classes empty). */
  deriveRules?: boolean;
}

/** One run in the report: where its steps sat, the policies, and what came of it. */
export interface ExploreRun extends RunOutcome {
  key: string;
  variant: Variant;
  order: StepId[];
  placement: RunSpec['placement'];
  policy: PolicyPoint;
  /** Placements (phase and link order per step) that give this order; one run stands for all of them. */
  placements: number;
  treePlacements: number;
}

export interface NamedPlacement {
  name: string;
  title: string;
  variant: Variant | null;
  order: StepId[] | null;
  policy: PolicyPoint;
  /** The explored run with the same order and policies (null when the scenario is outside the space). */
  runId: number | null;
  primary: RunClass;
  classes: RunClass[];
  flags: Flag[];
  /** The safe rule's verdict and why. */
  safe: boolean;
  because: string[];
  /** Each class rule's verdict for this scenario. */
  ruleVerdicts: Record<string, boolean>;
}

export interface ExploreResult {
  space: {
    domains: Domains;
    variants: Variant[];
    policies: PolicyPoint[];
    /** Per variant: placements, tree placements, phase assignments, distinct orders, orders reachable with the tree's link order. */
    perVariant: ReturnType<typeof enumerateSpace>['counts'];
    placements: number;
    orders: number;
    runs: number;
  };
  /** Runs per primary class, and runs with each class / flag at all. */
  primaryCounts: Record<RunClass, number>;
  classCounts: Record<RunClass, number>;
  flagCounts: Record<Flag, number>;
  /** Placements (x policies) per primary class: what the runs stand for. */
  placementCounts: Record<RunClass, number>;
  /**
   * Per variant: distinct orders, and how many are safe (primary class agree) under every policy
   * combination / under at least one; the same among orders today's link order can produce.
   */
  safeOrders: Record<string, { orders: number; safeAll: number; safeAny: number; treeOrders: number; treeSafeAll: number; treeSafeAny: number }>;
  rules: { safe: Rule; classes: Rule[] };
  named: NamedPlacement[];
  runs: ExploreRun[];
  /**
   * Wall milliseconds (total, runs, rules); CPU milliseconds of the whole process, workers included;
   * the 1-minute load average at the start and the end (others' work slows the wall clock).
   */
  timing: { wallMs: number; runMs: number; ruleMs: number; cpuMs: number; jobs: number; cpus: number; load: [number, number]; pool: PoolStats };
}

interface Execution {
  outcomes: RunOutcome[];
  pool: PoolStats;
  rules: Rule[];
  runMs: number;
  ruleMs: number;
}

interface ExecOptions {
  jobs: number;
  chunkSize: number;
  onProgress?: (done: number, total: number) => void;
  ruleOpts?: DeriveOptions;
}

const rulePoints = (specs: readonly RunSpec[]): RulePoint[] => specs.map((s) => ({ variant: s.variant, order: s.order, policy: s.policy }));

/** Let the event loop run (progress output, a test runner's heartbeat) between chunks run in this thread. */
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Run every spec (in this thread with jobs 1, else in worker threads), then derive the rules whose
 * tasks `tasksOf` makes from the outcomes (in the same workers). Outcomes are in spec (id) order.
 */
export async function execute(specs: readonly RunSpec[], opts: ExecOptions, tasksOf: (outcomes: RunOutcome[]) => RuleTask[]): Promise<Execution> {
  const total = specs.length;
  const t0 = performance.now();
  if (opts.jobs <= 1 || total <= opts.chunkSize) {
    const pool = new WorldPool();
    const outcomes: RunOutcome[] = [];
    for (let from = 0; from < total; from += opts.chunkSize) {
      const chunk = specs.slice(from, from + opts.chunkSize);
      outcomes.push(...pool.runChunk(chunk.map((s) => () => runSpec(s, pool.backend))));
      opts.onProgress?.(outcomes.length, total);
      await breathe();
    }
    const t1 = performance.now();
    const points = rulePoints(specs);
    const rules: Rule[] = [];
    for (const t of tasksOf(outcomes)) {
      rules.push(deriveRule(t.name, points, Array.from(t.target, (b) => b !== 0), opts.ruleOpts));
      await breathe();
    }
    return { outcomes, pool: pool.stats, rules, runMs: t1 - t0, ruleMs: performance.now() - t1 };
  }
  const team = new WorkerTeam(specs, opts.jobs, opts.chunkSize);
  try {
    const { outcomes, stats } = await team.runAll(opts.onProgress);
    const t1 = performance.now();
    const rules = await team.deriveRules(tasksOf(outcomes), opts.ruleOpts ?? {});
    return { outcomes, pool: stats, rules, runMs: t1 - t0, ruleMs: performance.now() - t1 };
  } finally {
    await team.close();
  }
}

/**
 * The worker entry: the compiled worker.js next to this module, or, when the explorer runs from the
 * TypeScript sources (vitest, tsx), worker-tsx.mjs, which loads worker.ts under tsx.
 */
function workerEntry(): { url: URL; entry?: string } {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js };
  const ts = new URL('./worker.ts', import.meta.url);
  const shim = new URL('./worker-tsx.mjs', import.meta.url);
  if (existsSync(fileURLToPath(ts)) && existsSync(fileURLToPath(shim))) return { url: shim, entry: ts.href };
  throw new Error(`explore: no worker script next to ${import.meta.url}`);
}

interface Member { w: Worker; port: MessagePort; runsDone: boolean; rulesDone: boolean; exited: boolean }

/** Worker threads sharing work through atomic counters; their messages arrive on a MessagePort each. */
class WorkerTeam {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
  private readonly members: Member[] = [];
  private readonly total: number;
  private handler: ((m: WorkerMessage, x: Member) => void) | null = null;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(specs: readonly RunSpec[], jobs: number, chunkSize: number) {
    this.total = specs.length;
    const entry = workerEntry();
    const n = Math.min(jobs, Math.ceil(specs.length / chunkSize));
    for (let i = 0; i < n; i++) {
      const ch = new MessageChannel();
      const data: WorkerData = { specs: specs as RunSpec[], chunkSize, ctl: this.ctl.buffer as SharedArrayBuffer, port: ch.port2 };
      if (entry.entry !== undefined) data.entry = entry.entry;
      const w = new Worker(entry.url, { workerData: data, transferList: [ch.port2] });
      const x: Member = { w, port: ch.port1, runsDone: false, rulesDone: false, exited: false };
      ch.port1.on('message', (m: WorkerMessage) => {
        if (m.type === 'error') this.fail(new Error(`explore worker ${i} failed: ${m.message}\n${m.stack}`));
        else this.handler?.(m, x);
        this.wake?.();
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        x.exited = true;
        if (code !== 0 && !(x.runsDone && x.rulesDone)) this.fail(new Error(`explore worker ${i} exited with code ${code}`));
        this.wake?.();
      });
      this.members.push(x);
    }
  }

  private fail(e: Error): void {
    if (this.failure === null) this.failure = e;
    this.wake?.();
  }

  /** Handle messages until `done()`; throws the first worker failure. */
  private async until(done: () => boolean, onMessage: (m: WorkerMessage, x: Member) => void): Promise<void> {
    this.handler = onMessage;
    try {
      while (!done()) {
        if (this.failure !== null) throw this.failure;
        if (this.members.every((x) => x.exited)) throw new Error('explore: every worker exited before the work was done');
        await new Promise<void>((resolve) => { this.wake = resolve; });
        this.wake = null;
      }
      if (this.failure !== null) throw this.failure;
    } finally {
      this.handler = null;
    }
  }

  async runAll(onProgress?: (done: number, total: number) => void): Promise<{ outcomes: RunOutcome[]; stats: PoolStats }> {
    const outcomes: RunOutcome[] = [];
    const stats: PoolStats = { runs: 0, checks: 0, learnedPages: [], reruns: 0 };
    let done = 0;
    await this.until(() => this.members.every((x) => x.runsDone), (m, x) => {
      if (m.type === 'results') {
        for (const o of m.outcomes) outcomes[o.id] = o;
        done += m.outcomes.length;
        onProgress?.(done, this.total);
      } else if (m.type === 'runs-done') {
        x.runsDone = true;
        stats.runs += m.stats.runs; stats.checks += m.stats.checks; stats.reruns += m.stats.reruns;
        for (const p of m.stats.learnedPages) if (!stats.learnedPages.includes(p)) stats.learnedPages.push(p);
      }
    });
    for (let i = 0; i < this.total; i++) if (outcomes[i] === undefined) throw new Error(`explore: run ${i} produced no outcome`);
    return { outcomes, stats };
  }

  async deriveRules(tasks: RuleTask[], opts: DeriveOptions): Promise<Rule[]> {
    const rules: Rule[] = new Array(tasks.length);
    if (tasks.length === 0) { for (const x of this.members) x.rulesDone = true; return rules; }
    for (const x of this.members) x.port.postMessage({ type: 'rules', tasks, opts } satisfies ParentMessage);
    await this.until(() => this.members.every((x) => x.rulesDone), (m, x) => {
      if (m.type === 'rule') rules[m.index] = m.rule;
      else if (m.type === 'rules-done') x.rulesDone = true;
    });
    return rules;
  }

  async close(): Promise<void> {
    for (const x of this.members) {
      x.runsDone = x.rulesDone = true; // an exit from here on is expected
      try { x.port.postMessage({ type: 'exit' } satisfies ParentMessage); } catch { /* closed already */ }
      x.port.close();
    }
    await Promise.all(this.members.map((x) => x.w.terminate()));
  }
}

const emptyCounts = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Explore the whole space (or the part the options select) and derive the rules. */
export async function explore(opts: ExploreOptions = {}): Promise<ExploreResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const load0 = loadavg()[0]!;
  const space = enumerateSpace(opts);
  const policies = [...(opts.policies ?? ALL_POLICIES)];
  const specs = runSpecs(space.orders, policies);
  const jobs = Math.max(1, Math.floor(opts.jobs ?? availableParallelism()));
  const chunkSize = Math.max(1, Math.floor(opts.chunkSize ?? 48));
  const derive = opts.deriveRules ?? true;
  const tasksOf = (outcomes: RunOutcome[]): RuleTask[] => {
    if (!derive) return [];
    const present = new Set(outcomes.flatMap((o) => o.classes));
    const tasks: RuleTask[] = [{ name: 'safe', target: Uint8Array.from(outcomes, (o) => (o.primary === 'agree' ? 1 : 0)) }];
    for (const c of CLASSES) {
      if (c === 'agree' || !present.has(c)) continue;
      tasks.push({ name: c, target: Uint8Array.from(outcomes, (o) => (o.classes.includes(c) ? 1 : 0)) });
    }
    return tasks;
  };
  const ex = await execute(specs, {
    jobs, chunkSize, ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}), ...(opts.rules !== undefined ? { ruleOpts: opts.rules } : {}),
  }, tasksOf);
  const outcomes = ex.outcomes;

  const byKey = new Map<string, OrderPoint>(space.orders.map((o) => [o.key, o]));
  const runs: ExploreRun[] = specs.map((s) => {
    const o = outcomes[s.id]!;
    const op = byKey.get(s.key)!;
    return { ...o, key: s.key, variant: s.variant, order: s.order, placement: s.placement, policy: s.policy, placements: op.placements, treePlacements: op.treePlacements };
  });

  const primaryCounts = emptyCounts(CLASSES), classCounts = emptyCounts(CLASSES), flagCounts = emptyCounts(FLAG_NAMES);
  const placementCounts = emptyCounts(CLASSES);
  for (const r of runs) {
    primaryCounts[r.primary]++;
    placementCounts[r.primary] += r.placements;
    for (const c of r.classes) classCounts[c]++;
    for (const f of r.flags) flagCounts[f]++;
  }
  const safeOrders: ExploreResult['safeOrders'] = {};
  {
    const byOrder = new Map<string, { variant: Variant; tree: boolean; all: boolean; any: boolean }>();
    for (const r of runs) {
      const e = byOrder.get(r.key) ?? { variant: r.variant, tree: r.treePlacements > 0, all: true, any: false };
      e.all &&= r.primary === 'agree';
      e.any ||= r.primary === 'agree';
      byOrder.set(r.key, e);
    }
    for (const v of space.variants) {
      const es = [...byOrder.values()].filter((e) => e.variant === v);
      const t = es.filter((e) => e.tree);
      safeOrders[v] = {
        orders: es.length, safeAll: es.filter((e) => e.all).length, safeAny: es.filter((e) => e.any).length,
        treeOrders: t.length, treeSafeAll: t.filter((e) => e.all).length, treeSafeAny: t.filter((e) => e.any).length,
      };
    }
  }
  const safe = ex.rules[0] ?? deriveRule('safe (not derived)', [], []);
  const classRules = ex.rules.slice(1);

  // ---- the named scenarios ----
  const named = placeNamed(opts.named ?? BUILTIN_SCENARIOS, runs, safe, classRules);

  const perVariant = space.counts;
  const placements = Object.values(perVariant).reduce((n, c) => n + c.placements, 0);
  return {
    space: {
      domains: space.domains, variants: space.variants, policies, perVariant, placements, orders: space.orders.length, runs: runs.length,
    },
    primaryCounts, classCounts, flagCounts, placementCounts, safeOrders,
    rules: { safe, classes: classRules },
    named,
    runs,
    timing: {
      wallMs: performance.now() - t0, runMs: ex.runMs, ruleMs: ex.ruleMs, jobs, cpus: availableParallelism(), load: [load0, loadavg()[0]!],
      cpuMs: (() => { const c = process.cpuUsage(cpu0); return (c.user + c.system) / 1000; })(), pool: ex.pool,
    },
  };
}

/** Where each named scenario falls: its run in the space (or a direct run if outside), class and rule verdicts. */
export function placeNamed(defs: readonly ScenarioDef[], runs: readonly ExploreRun[], safe: Rule, classRules: readonly Rule[]): NamedPlacement[] {
  const index = new Map<string, ExploreRun>();
  for (const r of runs) index.set(`${r.key}|${r.policy.directReqBeforeVersion}|${r.policy.spmc}`, r);
  return defs.map((def) => {
    const variant = variantOfScenario(def);
    const order = orderOfScenario(def);
    const policy: PolicyPoint = { ...def.policy };
    const run = variant !== null && order !== null ? index.get(`${orderKey(variant, order)}|${policy.directReqBeforeVersion}|${policy.spmc}`) : undefined;
    let cls: { primary: RunClass; classes: RunClass[]; flags: Flag[] };
    if (run !== undefined) cls = run;
    else {
      cls = classify(runScenario(def));
    }
    const pt: RulePoint | null = variant !== null && order !== null ? { variant, order, policy } : null;
    const ex = pt !== null ? explain(safe, pt) : { satisfied: false, because: ['not an order of the explored steps'] };
    if (pt !== null && run === undefined) ex.because.push('(outside the explored space: the rule was not checked there)');
    const ruleVerdicts: Record<string, boolean> = {};
    if (pt !== null) for (const r of classRules) ruleVerdicts[r.target] = explain(r, pt).satisfied;
    return {
      name: def.name, title: def.title, variant, order, policy, runId: run?.id ?? null,
      primary: cls.primary, classes: cls.classes, flags: cls.flags, safe: ex.satisfied, because: ex.because, ruleVerdicts,
    };
  });
}

export { FLAGS };
