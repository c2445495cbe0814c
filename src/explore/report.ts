/** The explorer's text report (the JSON form is ExploreResult itself). */
import { CLASSES, FLAG_NAMES, FLAGS } from './classify.js';
import type { ExploreResult } from './explore.js';
import type { Rule } from './rules.js';
import { DEFAULT_DOMAINS, STEPS, STEP_LETTER } from './space.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const num = (n: number): string => n.toLocaleString('en-US');

const MINIMAL: Record<Rule['minimal'], (k: number) => string> = {
  proved: () => 'minimal over the vocabulary (proved)',
  bounded: (k) => `minimal among CNF/DNF with at most ${k} literals per clause/term (longer ones not searched)`,
  budget: () => 'smallest found (search budget reached)',
};

function ruleLines(r: Rule): string[] {
  const verdict = r.holds === r.total ? 'holds' : 'FAILS';
  const deps = r.dependsOn.map((d) => d.replace(/^(\w+)<(\w+)$/, '$1/$2').replace('root-device', 'variant').replace('forward', 'pKVM gate'));
  return [
    `  ${r.text}`,
    `      ${verdict} for ${num(r.holds)}/${num(r.total)} runs (${num(r.positives)} ${r.target}); ${r.cost} literal${r.cost === 1 ? '' : 's'}, ` +
      `${r.form === 'const' ? 'constant' : r.form.toUpperCase()}, ${MINIMAL[r.minimal](r.maxLiterals)}`,
    `      depends on ${deps.length === 0 ? 'nothing' : deps.join(', ')} (each flips the outcome on its own somewhere: any exact rule needs >= ${deps.length} literals)`,
  ];
}

export function renderExplore(x: ExploreResult): string {
  const L: string[] = [];
  L.push(`=== Boot-order space: ${STEPS.join(', ')} ===`);
  L.push('');
  L.push('Domains (phases each step may take; link order inside a phase is enumerated)');
  for (const s of STEPS) {
    const d = x.space.domains[s];
    const fixed = d.length === 1 && DEFAULT_DOMAINS[s].length === 1 ? ' (fixed)' : '';
    L.push(`  ${STEP_LETTER[s]} ${pad(s, 24)} ${d.join(' | ')}${fixed}`);
  }
  L.push('');
  for (const v of x.space.variants) {
    const c = x.space.perVariant[v]!;
    L.push(`  variant ${pad(v, 12)} ${lpad(num(c.placements), 9)} placements (${num(c.treePlacements)} with today's link order) over ` +
      `${num(c.assignments)} phase assignments -> ${num(c.orders)} distinct orders (${num(c.treeOrders)} reachable with today's link order)`);
  }
  const pol = x.space.policies;
  L.push(`  policies: ${pol.length} (${pol.map((p) => `${p.directReqBeforeVersion}/${p.spmc}`).join(', ')})`);
  L.push(`  runs: ${num(x.space.orders)} distinct orders x ${pol.length} policy combinations = ${num(x.space.runs)} full machine runs, ` +
    `standing for ${num(x.space.placements * pol.length)} placement x policy combinations`);
  L.push('');
  L.push('Classes (primary class, precedence top to bottom)            runs   placements x policies   runs with the class at all');
  for (const c of CLASSES) {
    L.push(`  ${pad(c, 56)} ${lpad(num(x.primaryCounts[c]), 6)}   ${lpad(num(x.placementCounts[c]), 21)}   ${lpad(num(x.classCounts[c]), 6)}`);
  }
  for (const v of x.space.variants) {
    const o = x.safeOrders[v]!;
    L.push(`  safe orders, ${pad(`${v}:`, 12)} ${o.safeAll} of ${o.orders} under every policy (${o.safeAny} under some); ` +
      `with today's link order ${o.treeSafeAll} of ${o.treeOrders} (${o.treeSafeAny})`);
  }
  L.push('');
  L.push('Flags (a run may carry several)');
  for (const f of FLAG_NAMES) {
    if (x.flagCounts[f] === 0) continue;
    L.push(`  ${pad(f, 30)} ${lpad(num(x.flagCounts[f]), 6)}  [${FLAGS[f].cls}] ${FLAGS[f].text}`);
  }
  L.push('');
  L.push('Rules (smallest CNF/DNF over "A before B", the driver variant and the policies; checked against every run)');
  for (const line of ruleLines(x.rules.safe)) L.push(line);
  L.push('  (safe = primary class agree)');
  for (const r of x.rules.classes) for (const line of ruleLines(r)) L.push(line);
  L.push('');
  L.push('Named scenarios of the main job in this space');
  for (const n of x.named) {
    const where = n.runId === null ? 'outside the explored space (run directly)' : `run #${n.runId}`;
    L.push(`  ${pad(n.name, 17)} ${pad(n.primary, 17)} classes ${n.classes.join('+')}; flags ${n.flags.join(', ') || 'none'}`);
    L.push(`  ${pad('', 17)} ${n.order === null ? '' : `${n.variant}: ${n.order.map((s) => STEP_LETTER[s]).join(' < ')}, ${n.policy.directReqBeforeVersion}/${n.policy.spmc}; `}${where}`);
    L.push(`  ${pad('', 17)} safe rule: ${n.safe ? 'safe' : 'unsafe'}: ${n.because.join('; ')}`);
  }
  L.push('');
  const t = x.timing;
  L.push(`Time: ${num(x.space.runs)} runs in ${(t.runMs / 1000).toFixed(1)} s with ${t.jobs} job${t.jobs === 1 ? '' : 's'} ` +
    `(${(t.runMs * t.jobs / x.space.runs).toFixed(1)} ms per run per job); rules ${(t.ruleMs / 1000).toFixed(1)} s; total ${(t.wallMs / 1000).toFixed(1)} s wall, ` +
    `${(t.cpuMs / 1000).toFixed(1)} s CPU; load average ${t.load[0].toFixed(1)} -> ${t.load[1].toFixed(1)} on ${t.cpus} CPUs`);
  L.push(`Memory reuse: ${num(t.pool.runs)} worlds on ${t.jobs} shared Bus${t.jobs === 1 ? '' : 'es'}, ${num(t.pool.checks)} whole-RAM checks, ` +
    `${t.pool.learnedPages.length} page${t.pool.learnedPages.length === 1 ? '' : 's'} learned outside the reset windows, ${num(t.pool.reruns)} runs repeated`);
  return `${L.join('\n')}\n`;
}
