/**
 * Rules that separate the runs: the smallest formula over a small vocabulary of predicates that
 * classifies every run exactly.
 *
 * Vocabulary (only predicates that vary over the runs are used):
 * - order: "A before B" for every pair of steps (its negation is "B before A": orders are total);
 * - variant: the FF-A driver defers through the root device (RFC 2/3) or not;
 * - pKVM policy: DIRECT_REQ before negotiation forwarded or rejected;
 * - SPMC policy: spec / hafnium / tf-a (and their negations).
 *
 * Search: two-level minimisation, exact. For a target (say "safe"), every implicant (a conjunction of
 * literals true on no unsafe run, built by a DFS that stops as soon as a term is an implicant and only
 * adds literals that exclude more unsafe runs) up to K literals is generated, then a branch-and-bound
 * set cover picks the implicants covering every safe run with the fewest literals in total (fewest
 * terms on ties): the minimal DNF. The minimal CNF is the negation of the minimal DNF of the
 * complement. The smaller of the two is the rule. K grows until no formula with a longer term could
 * be smaller. The result is then re-checked against every run by direct evaluation.
 */
import { STEPS, type StepId, type Variant, type PolicyPoint } from './space.js';

/** What a predicate is evaluated on: one run's order, variant and policies. */
export interface RulePoint {
  variant: Variant;
  order: readonly StepId[];
  policy: PolicyPoint;
}

export interface Predicate {
  id: string;
  /** Text when true / when false. */
  yes: string;
  no: string;
  eval(p: RulePoint): boolean;
}

/** Literal = predicate index * 2 + (1 if negated). */
export type Literal = number;

export interface Rule {
  /** What the rule decides ("safe", "isolation-broken" ...). */
  target: string;
  /** 'cnf': AND of clauses (each an OR of literals); 'dnf': OR of terms (each an AND of literals). */
  form: 'cnf' | 'dnf' | 'const';
  groups: Literal[][];
  /** Literals in total. */
  cost: number;
  /**
   * How minimal: 'proved' (no smaller CNF or DNF over the vocabulary exists), 'bounded' (none with at
   * most `maxLiterals` literals per clause/term; longer ones were not searched), or 'budget' (the
   * cover search hit its node budget: the smallest found).
   */
  minimal: 'proved' | 'bounded' | 'budget';
  maxLiterals: number;
  /** The rule in words: "safe iff ...". */
  text: string;
  /** Runs the rule classifies correctly, by direct evaluation, and the number of runs. */
  holds: number;
  total: number;
  /** The runs the target holds for. */
  positives: number;
  /** Ids of the predicates the literals index into (literal >> 1). */
  predicates: string[];
  /**
   * Predicates every exact rule must mention: for each, two runs that differ in that predicate alone
   * (an adjacent swap of two steps, or one policy/variant) have different outcomes. "spmc" stands for
   * the SPMC policy as a group (changing it flips two predicates at once). A lower bound on `cost`.
   */
  dependsOn: string[];
}

/** The predicate vocabulary over the explored steps, variants and policies. */
export function vocabulary(): Predicate[] {
  const preds: Predicate[] = [];
  for (let i = 0; i < STEPS.length; i++) {
    for (let j = i + 1; j < STEPS.length; j++) {
      const a = STEPS[i]!, b = STEPS[j]!;
      preds.push({
        id: `${a}<${b}`, yes: `${a} before ${b}`, no: `${b} before ${a}`,
        eval: (p) => p.order.indexOf(a) < p.order.indexOf(b),
      });
    }
  }
  preds.push({
    id: 'root-device', yes: 'the root-device variant (RFC 2/3)', no: 'the direct variant (ffa_init runs ffa_core_init)',
    eval: (p) => p.variant === 'root-device',
  });
  preds.push({
    id: 'forward', yes: 'pKVM forwards DIRECT_REQ before negotiation', no: 'pKVM rejects DIRECT_REQ before negotiation',
    eval: (p) => p.policy.directReqBeforeVersion === 'forward',
  });
  for (const s of ['spec', 'hafnium', 'tf-a'] as const) {
    preds.push({ id: `spmc=${s}`, yes: `SPMC policy ${s}`, no: `SPMC policy not ${s}`, eval: (p) => p.policy.spmc === s });
  }
  return preds;
}

export function literalText(preds: readonly Predicate[], l: Literal): string {
  const p = preds[l >> 1]!;
  return (l & 1) === 0 ? p.yes : p.no;
}
export function evalLiteral(preds: readonly Predicate[], l: Literal, pt: RulePoint): boolean {
  const v = preds[l >> 1]!.eval(pt);
  return (l & 1) === 0 ? v : !v;
}

/** Evaluate a rule on a point (directly, not through the search's bitsets). */
export function evalRule(preds: readonly Predicate[], r: Pick<Rule, 'form' | 'groups'>, pt: RulePoint): boolean {
  if (r.form === 'const') return r.groups.length > 0;
  if (r.form === 'dnf') return r.groups.some((t) => t.every((l) => evalLiteral(preds, l, pt)));
  return r.groups.every((c) => c.some((l) => evalLiteral(preds, l, pt)));
}

// ---------------------------------------------------------------------------------------------
// Bitsets
// ---------------------------------------------------------------------------------------------

const words = (n: number): number => (n + 31) >>> 5;
function popcount(b: Uint32Array): number {
  let c = 0;
  for (let i = 0; i < b.length; i++) {
    let v = b[i]!;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    c += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  }
  return c;
}
function isZero(b: Uint32Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
const hasBit = (b: Uint32Array, i: number): boolean => (b[i >>> 5]! & (1 << (i & 31))) !== 0;

// ---------------------------------------------------------------------------------------------
// Minimal DNF
// ---------------------------------------------------------------------------------------------

interface Candidate { lits: Literal[]; cover: Uint32Array; count: number }

interface DnfResult { terms: Literal[][]; cost: number; exhausted: boolean; proved: boolean }

/**
 * The minimal DNF (fewest literals) with terms of at most maxK literals that is true on every
 * positive point and on no negative one, given each literal's truth on the positives (litPos) and
 * negatives (litNeg). `exhausted`: the cover search finished; `proved`: and no formula with a longer
 * term could be smaller.
 */
function minimalDnf(litPos: Uint32Array[], litNeg: Uint32Array[], nPos: number, maxK: number, nodeBudget: number): DnfResult | null {
  if (nPos === 0) return { terms: [], cost: 0, exhausted: true, proved: true };
  // Iterative deepening on the term length: stop as soon as no longer term could give a smaller formula.
  let best: DnfResult | null = null;
  let complete = true; // the cover search at the current k finished (null: no cover exists, also complete)
  for (let k = 1; k <= maxK; k++) {
    const r = cover(implicants(litPos, litNeg, k), nPos, nodeBudget);
    complete = r === null || r.exhausted;
    if (r !== null && (best === null || r.cost < best.cost)) best = r;
    // A formula with a term longer than k costs at least k + 1.
    if (best !== null && complete && best.cost <= k + 1) return { ...best, exhausted: true, proved: true };
  }
  return best === null ? null : { ...best, exhausted: complete, proved: false };
}

/**
 * Every implicant with at most k literals that could be in a minimal cover: a DFS over literals in
 * index order that only adds a literal when it excludes more negatives (otherwise the term without it
 * is a smaller implicant covering at least as much) and stops at the first implicant on a path.
 * Implicants with the same cover keep the shortest; dominated ones (another covers a superset for no
 * more literals) are dropped.
 */
function implicants(litPos: Uint32Array[], litNeg: Uint32Array[], k: number): Candidate[] {
  const nLit = litPos.length;
  const wp = litPos[0]?.length ?? 0, wn = litNeg[0]?.length ?? 0;
  const found = new Map<string, Candidate>();
  const lits: Literal[] = [];
  const usedPred = new Uint8Array(nLit >> 1);
  // Per-depth scratch bitsets (no allocation in the DFS).
  const posAt = Array.from({ length: k + 1 }, () => new Uint32Array(wp));
  const negAt = Array.from({ length: k + 1 }, () => new Uint32Array(wn));
  for (let i = 0; i < wp; i++) posAt[0]![i] = litPos[0]![i]! | litPos[1]![i]!;
  for (let i = 0; i < wn; i++) negAt[0]![i] = litNeg[0]![i]! | litNeg[1]![i]!;
  const rec = (depth: number, start: number): void => {
    const pos = posAt[depth]!, neg = negAt[depth]!;
    const npos = posAt[depth + 1]!, nneg = negAt[depth + 1]!;
    for (let l = start; l < nLit; l++) {
      if (usedPred[l >> 1] !== 0) continue;
      const ln = litNeg[l]!, lp = litPos[l]!;
      let changed = false, negLeft = false;
      for (let i = 0; i < wn; i++) { const v = neg[i]! & ln[i]!; nneg[i] = v; if (v !== neg[i]) changed = true; if (v !== 0) negLeft = true; }
      if (!changed) continue;
      let posLeft = false;
      for (let i = 0; i < wp; i++) { const v = pos[i]! & lp[i]!; npos[i] = v; if (v !== 0) posLeft = true; }
      if (!posLeft) continue;
      lits.push(l); usedPred[l >> 1] = 1;
      if (!negLeft) {
        const key = Array.from(npos).join(',');
        const prev = found.get(key);
        if (prev === undefined || prev.lits.length > lits.length) found.set(key, { lits: [...lits], cover: npos.slice(), count: popcount(npos) });
      } else if (depth + 1 < k) {
        rec(depth + 1, l + 1);
      }
      lits.pop(); usedPred[l >> 1] = 0;
    }
  };
  rec(0, 0);
  // Drop dominated candidates: another covers a superset with no more literals.
  const list = [...found.values()].sort((a, b) => b.count - a.count || a.lits.length - b.lits.length);
  const kept: Candidate[] = [];
  outer: for (const c of list) {
    for (const d of kept) {
      if (d.lits.length > c.lits.length || d.count < c.count) continue;
      let sub = true;
      for (let i = 0; i < wp; i++) if ((c.cover[i]! & ~d.cover[i]!) !== 0) { sub = false; break; }
      if (sub) continue outer;
    }
    kept.push(c);
  }
  return kept;
}

/**
 * Exact weighted set cover by branch and bound (weight = literals per term). Positives covered by
 * exactly the same candidates are merged first (covering one covers the others).
 */
function cover(cands: Candidate[], nPos: number, nodeBudget: number): DnfResult | null {
  if (cands.length === 0) return null;
  // Which candidates cover each positive; merge positives with the same candidate set.
  const sets = new Map<string, number[]>();
  const per: number[][] = Array.from({ length: nPos }, () => []);
  cands.forEach((c, ci) => { for (let e = 0; e < nPos; e++) if (hasBit(c.cover, e)) per[e]!.push(ci); });
  for (let e = 0; e < nPos; e++) {
    if (per[e]!.length === 0) return null;
    const key = per[e]!.join(',');
    if (!sets.has(key)) sets.set(key, per[e]!);
  }
  // Drop element rows implied by another: if every candidate covering a also covers b (cands(a) is a
  // subset of cands(b)), covering a covers b, so b needs no row of its own.
  let rows = [...sets.values()].sort((a, b) => a.length - b.length);
  const memb = rows.map((r) => new Set(r));
  const keep: boolean[] = rows.map(() => true);
  for (let i = 0; i < rows.length; i++) {
    if (!keep[i]) continue;
    for (let j = i + 1; j < rows.length; j++) {
      if (!keep[j] || rows[i]!.length > rows[j]!.length) continue;
      if (rows[i]!.every((c) => memb[j]!.has(c))) keep[j] = false;
    }
  }
  rows = rows.filter((_, i) => keep[i]);
  const nE = rows.length, W = words(nE);
  // Candidate covers over the reduced rows.
  const cov = cands.map(() => new Uint32Array(W));
  rows.forEach((r, e) => { for (const ci of r) cov[ci]![e >>> 5]! |= 1 << (e & 31); });
  const cost = cands.map((c) => c.lits.length);
  const byElem = rows.map((r) => [...r].sort((a, b) => cost[a]! - cost[b]! || popcount(cov[b]!) - popcount(cov[a]!)));
  const minCost = Math.min(...cost);
  const maxCount = Math.max(...cov.map(popcount));

  let bestCost = Infinity, bestTerms: number[] | null = null;
  // Greedy upper bound first.
  {
    const unc = new Uint32Array(W); for (let e = 0; e < nE; e++) unc[e >>> 5]! |= 1 << (e & 31);
    const chosen: number[] = []; let total = 0;
    while (!isZero(unc)) {
      let bi = -1, br = -1;
      cov.forEach((c, ci) => {
        let n = 0; for (let i = 0; i < W; i++) { let v = c[i]! & unc[i]!; while (v !== 0) { v &= v - 1; n++; } }
        const ratio = n / cost[ci]!;
        if (ratio > br) { br = ratio; bi = ci; }
      });
      chosen.push(bi); total += cost[bi]!;
      for (let i = 0; i < W; i++) unc[i] = unc[i]! & ~cov[bi]![i]!;
    }
    bestCost = total; bestTerms = chosen;
  }
  let nodes = 0, exhausted = true;
  const chosen: number[] = [];
  const rec = (unc: Uint32Array, spent: number, left: number): void => {
    if (++nodes > nodeBudget) { exhausted = false; return; }
    if (left === 0) {
      if (spent < bestCost) { bestCost = spent; bestTerms = [...chosen]; }
      return;
    }
    // The uncovered row with the fewest candidates; and a lower bound from rows no single candidate
    // shares (each needs its own term).
    let e = -1, en = Infinity;
    for (let i = 0; i < W; i++) {
      let v = unc[i]!;
      while (v !== 0) {
        const b = 31 - Math.clz32(v & -v);
        v &= v - 1;
        const idx = (i << 5) + b;
        const n = byElem[idx]!.length;
        if (n < en) { en = n; e = idx; }
      }
    }
    const lb = Math.max(minCost, Math.ceil(left / maxCount) * minCost, disjointBound(unc, W, byElem, cov, cost));
    if (spent + lb >= bestCost) return;
    for (const ci of byElem[e]!) {
      if (spent + cost[ci]! >= bestCost) continue;
      const c = cov[ci]!;
      const next = new Uint32Array(W);
      let n = 0;
      for (let i = 0; i < W; i++) { let v = unc[i]! & ~c[i]!; next[i] = v; while (v !== 0) { v &= v - 1; n++; } }
      chosen.push(ci);
      rec(next, spent + cost[ci]!, n);
      chosen.pop();
      if (!exhausted) return;
    }
  };
  const all = new Uint32Array(W); for (let e = 0; e < nE; e++) all[e >>> 5]! |= 1 << (e & 31);
  rec(all, 0, nE);
  return { terms: bestTerms!.map((ci) => cands[ci]!.lits), cost: bestCost, exhausted, proved: false };
}

/**
 * A lower bound on the cost of covering `unc`: greedily pick uncovered rows no candidate of an
 * already picked row covers; each needs a distinct term, costing at least its cheapest candidate.
 */
function disjointBound(unc: Uint32Array, W: number, byElem: number[][], cov: Uint32Array[], cost: number[]): number {
  const blocked = new Uint32Array(W);
  let lb = 0;
  for (let i = 0; i < W; i++) {
    let v = unc[i]!;
    while (v !== 0) {
      const b = 31 - Math.clz32(v & -v);
      v &= v - 1;
      const e = (i << 5) + b;
      if ((blocked[e >>> 5]! & (1 << (e & 31))) !== 0) continue;
      const list = byElem[e]!;
      lb += cost[list[0]!]!;
      for (const ci of list) { const c = cov[ci]!; for (let k = 0; k < W; k++) blocked[k] = blocked[k]! | c[k]!; }
    }
  }
  return lb;
}

// ---------------------------------------------------------------------------------------------
// Deriving a rule
// ---------------------------------------------------------------------------------------------

export interface DeriveOptions {
  /** Longest term/clause searched (default 5). */
  maxLiterals?: number;
  /** Branch-and-bound node budget per cover (default 2 million). */
  nodeBudget?: number;
}

/**
 * The smallest rule (CNF or DNF over the vocabulary) that is true exactly on the runs where `target`
 * is true, verified against every point.
 */
export function deriveRule(name: string, points: readonly RulePoint[], target: readonly boolean[], opts: DeriveOptions = {}): Rule {
  const all = vocabulary();
  // Only predicates that vary.
  const preds = all.filter((p) => {
    let t = false, f = false;
    for (const pt of points) { if (p.eval(pt)) t = true; else f = true; if (t && f) return true; }
    return false;
  });
  const posIdx: number[] = [], negIdx: number[] = [];
  target.forEach((t, i) => (t ? posIdx : negIdx).push(i));
  const maxK = opts.maxLiterals ?? 5;
  const deps = dependsOn(points, target);
  const finish = (form: Rule['form'], groups: Literal[][], minimal: Rule['minimal']): Rule => {
    const r = { form, groups };
    let holds = 0;
    points.forEach((pt, i) => { if (evalRule(preds, r, pt) === target[i]) holds++; });
    return {
      target: name, form, groups, cost: groups.reduce((n, g) => n + g.length, 0), minimal, maxLiterals: maxK,
      text: ruleText(name, preds, form, groups), holds, total: points.length, positives: posIdx.length,
      predicates: preds.map((p) => p.id), dependsOn: deps,
    };
  };
  if (negIdx.length === 0) return finish('const', [[]], 'proved');
  if (posIdx.length === 0) return finish('const', [], 'proved');

  // Literal truth over the positives and negatives.
  const bits = (idx: number[], l: Literal): Uint32Array => {
    const b = new Uint32Array(words(idx.length));
    idx.forEach((pi, k) => { if (evalLiteral(preds, l, points[pi]!)) b[k >>> 5]! |= 1 << (k & 31); });
    return b;
  };
  const nLit = preds.length * 2;
  const onPos = Array.from({ length: nLit }, (_, l) => bits(posIdx, l));
  const onNeg = Array.from({ length: nLit }, (_, l) => bits(negIdx, l));
  const budget = opts.nodeBudget ?? 2_000_000;
  const dnf = minimalDnf(onPos, onNeg, posIdx.length, maxK, budget);
  const cnfNeg = minimalDnf(onNeg, onPos, negIdx.length, maxK, budget);
  const cnf = cnfNeg === null ? null : { groups: cnfNeg.terms.map((t) => t.map((l) => l ^ 1)), cost: cnfNeg.cost, exhausted: cnfNeg.exhausted, proved: cnfNeg.proved };
  const d = dnf === null ? null : { groups: dnf.terms, cost: dnf.cost, exhausted: dnf.exhausted, proved: dnf.proved };
  if (d === null && cnf === null) throw new Error(`no rule for "${name}" with clauses or terms of at most ${maxK} literals`);
  // The smaller form; CNF on ties (it reads as a list of requirements).
  const useCnf = cnf !== null && (d === null || cnf.cost <= d.cost);
  const pick = useCnf ? cnf! : d!;
  const other = useCnf ? d : cnf;
  // Minimal over both forms only if the other form's search finished too (or found nothing).
  const exhausted = pick.exhausted && (other === null || other.exhausted);
  const proved = (exhausted && pick.cost <= maxK + 1) || pick.cost <= deps.length;
  return finish(useCnf ? 'cnf' : 'dnf', sortGroups(pick.groups), proved ? 'proved' : exhausted ? 'bounded' : 'budget');
}

/** The predicates the target provably depends on (see Rule.dependsOn). */
export function dependsOn(points: readonly RulePoint[], target: readonly boolean[]): string[] {
  const key = (v: string, order: readonly string[], d: string, spmc: string): string => `${v}|${order.join(',')}|${d}|${spmc}`;
  const at = new Map<string, number>();
  points.forEach((p, i) => at.set(key(p.variant, p.order, p.policy.directReqBeforeVersion, p.policy.spmc), i));
  const found = new Set<string>();
  const differs = (i: number, k: string): boolean => { const j = at.get(k); return j !== undefined && target[j] !== target[i]; };
  points.forEach((p, i) => {
    const d = p.policy.directReqBeforeVersion, sp = p.policy.spmc;
    for (let j = 0; j + 1 < p.order.length; j++) {
      const o = [...p.order];
      [o[j], o[j + 1]] = [o[j + 1]!, o[j]!];
      if (differs(i, key(p.variant, o, d, sp))) {
        const [a, b] = [p.order[j]!, p.order[j + 1]!].sort((x, y) => STEPS.indexOf(x) - STEPS.indexOf(y));
        found.add(`${a}<${b}`);
      }
    }
    if (differs(i, key(p.variant === 'direct' ? 'root-device' : 'direct', p.order, d, sp))) found.add('root-device');
    if (differs(i, key(p.variant, p.order, d === 'forward' ? 'reject' : 'forward', sp))) found.add('forward');
    for (const other of ['spec', 'hafnium', 'tf-a']) if (other !== sp && differs(i, key(p.variant, p.order, d, other))) found.add('spmc');
  });
  const ids = vocabulary().map((v) => v.id);
  return [...found].sort((a, b) => (ids.indexOf(a) < 0 ? 99 : ids.indexOf(a)) - (ids.indexOf(b) < 0 ? 99 : ids.indexOf(b)));
}

const sortGroups = (g: Literal[][]): Literal[][] =>
  g.map((x) => [...x].sort((a, b) => a - b)).sort((a, b) => a.length - b.length || a[0]! - b[0]!);

export function ruleText(name: string, preds: readonly Predicate[], form: Rule['form'], groups: Literal[][]): string {
  if (form === 'const') return `${name}: ${groups.length > 0 ? 'always' : 'never'}`;
  const lit = (l: Literal): string => literalText(preds, l);
  if (form === 'cnf') {
    const parts = groups.map((c) => (c.length === 1 ? lit(c[0]!) : `(${c.map(lit).join(' or ')})`));
    return `${name} iff ${parts.join(', and ')}`;
  }
  const parts = groups.map((t) => (t.length === 1 ? lit(t[0]!) : `(${t.map(lit).join(' and ')})`));
  return `${name} iff ${parts.join(', or ')}`;
}

/** The predicates a rule's literals index into (deriveRule keeps them on the rule). */
export function rulePredicates(r: Rule): Predicate[] {
  const all = vocabulary();
  return r.predicates.map((id) => all.find((p) => p.id === id)!);
}

/** Why a point does or does not satisfy a rule: the clauses it fails (CNF) or the term it meets (DNF). */
export function explain(r: Rule, pt: RulePoint): { satisfied: boolean; because: string[] } {
  const preds = rulePredicates(r);
  const lit = (l: Literal): string => literalText(preds, l);
  const sat = evalRule(preds, r, pt);
  if (r.form === 'const') return { satisfied: sat, because: [] };
  if (r.form === 'cnf') {
    const failed = r.groups.filter((c) => !c.some((l) => evalLiteral(preds, l, pt)));
    return { satisfied: sat, because: sat ? ['meets every clause'] : failed.map((c) => `not (${c.map(lit).join(' or ')})`) };
  }
  const met = r.groups.find((t) => t.every((l) => evalLiteral(preds, l, pt)));
  if (met !== undefined) return { satisfied: true, because: [`${met.map(lit).join(' and ')}`] };
  return { satisfied: false, because: r.groups.map((t) => `not ${t.filter((l) => !evalLiteral(preds, l, pt)).map(lit).join(', not ')}`) };
}
