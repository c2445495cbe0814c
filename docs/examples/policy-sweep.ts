/**
 * Example: sweep the FF-A system's configuration, measure the cycles of one
 * FFA_MSG_SEND_DIRECT_REQ_64 round trip (host NS-EL1 -> partition -> host) and where they go by
 * Exception level, and write a CSV and a self-contained SVG chart (no plotting library).
 * Run: npx tsx docs/examples/policy-sweep.ts [OUT.svg] [OUT.csv]
 *      (docs/images/policy-sweep.svg is `npx tsx docs/examples/policy-sweep.ts docs/images/policy-sweep.svg /dev/null`)
 *
 * Knobs swept (createWorld's WorldSpec, vector-format.md `machine`):
 *  - el2: "none" (host SMCs go straight to EL3) or "pkvm" (HCR_EL2.TSC=1: every host SMC traps to
 *    pKVM at EL2, which checks it and forwards it to EL3 with an SMC of its own);
 *  - spmc: "s-el1" (SPMD at EL3 switches worlds to an S-EL1 SPMC, partition at S-EL0) or "el3" (the
 *    SPMC lives in EL3 as TF-A's EL3 SPMC, partition at S-EL1);
 *  - timing profile: generic, cortex-a57, neoverse-n1 (src/timing/profiles, docs/timing.md).
 * `policy.spmc` (spec / hafnium / tf-a, docs/ffa-policies.md) is checked too: the policies differ in
 * which calls they accept and what they answer, not in the path a valid direct request takes, so
 * they cost the same (`policyInvariant` in the result).
 */
import { writeFileSync } from 'node:fs';
import { type CyclesByEl, FFA, HookType, PROFILES, createWorld, wrapMachine } from '../../src/index.js';

export interface SweepRow {
  /** "pkvm, s-el1, generic" */
  config: string;
  el2: 'none' | 'pkvm';
  spmc: 's-el1' | 'el3';
  profile: string;
  /** Cycles per round trip (the same for every call: the model is deterministic). */
  cycles: number;
  /** Nanoseconds at the profile's clock. */
  ns: number;
  /** Cycles per round trip spent at each EL and world. */
  byEl: CyclesByEl;
  /** Exception entries and ERETs per round trip (hooks). */
  entries: number;
  erets: number;
  /** Exception entries per round trip by hop, "EL1->EL2" ... */
  hops: Record<string, number>;
}

const ROUND_TRIPS = 16;
const elName = (el: number, secure: boolean): string => `${secure && el < 3 ? 'S-' : ''}EL${el}`;   // EL3 is always Secure

/** Cycles of one direct request round trip in one configuration. */
export function measure(el2: 'none' | 'pkvm', spmc: 's-el1' | 'el3', profile: string, policy: 'spec' | 'hafnium' | 'tf-a' = 'spec'): SweepRow {
  const world = createWorld({ el2, spmc, policy: { spmc: policy }, machineConfig: { timing: profile } });
  const emu = wrapMachine(world.machine);
  world.boot();
  world.smc([BigInt(FFA.FFA_VERSION), 0x10002n]);                         // negotiate v1.2 first (Linux does)
  const req = [BigInt(FFA.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, 0x11n, 0x22n];
  world.smc(req);                                                          // one untimed call (first use)
  let entries = 0, erets = 0;
  const hops: Record<string, number> = {};
  emu.hookAdd(HookType.ExceptionEntry, (e) => {
    entries++;
    const h = `${elName(e.fromEl, e.fromSecure)}->${elName(e.toEl, e.toSecure)}`;
    hops[h] = (hops[h] ?? 0) + 1;
  });
  emu.hookAdd(HookType.Eret, () => { erets++; });
  const per = new Set<number>();
  const before = world.machine.cyclesByEl();
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const c0 = emu.cycles;
    const r = world.smc(req);
    if ((r.x[0]! & 0xffffffffn) !== BigInt(FFA.FFA_MSG_SEND_DIRECT_RESP_64)) throw new Error(`${el2}/${spmc}: direct request answered 0x${r.x[0]!.toString(16)}`);
    per.add(Number(emu.cycles - c0));
  }
  if (per.size !== 1) throw new Error(`${el2}/${spmc}/${profile}: round trips differ: ${[...per].join(', ')}`);
  const after = world.machine.cyclesByEl();
  const byEl = {} as CyclesByEl;
  for (const k of Object.keys(after) as (keyof CyclesByEl)[]) byEl[k] = (after[k] - before[k]) / ROUND_TRIPS;
  for (const h of Object.keys(hops)) hops[h]! /= ROUND_TRIPS;
  const cycles = [...per][0]!;
  return {
    config: `${el2}, ${spmc}, ${profile}`, el2, spmc, profile, cycles, ns: cycles / PROFILES[profile]!.cpuHz * 1e9,
    byEl, entries: entries / ROUND_TRIPS, erets: erets / ROUND_TRIPS, hops,
  };
}

// ---- CSV and SVG ----

/** The EL buckets charted, bottom to top, with their colours. */
const SEGMENTS: [keyof CyclesByEl, string, string][] = [
  ['el1', 'NS-EL1 host', '#4e79a7'], ['el2', 'EL2 pKVM', '#e15759'], ['el3', 'EL3 monitor/SPMD/SPMC', '#f28e2b'],
  ['sel1', 'S-EL1 SPMC or partition', '#59a14f'], ['sel0', 'S-EL0 partition', '#b07aa1'],
];

export function toCsv(rows: readonly SweepRow[]): string {
  const head = 'el2,spmc,profile,cycles,ns,el1,el2_cycles,el3,sel1,sel0,exception_entries,erets,hops';
  return [head, ...rows.map((r) => [r.el2, r.spmc, r.profile, r.cycles, r.ns.toFixed(1), r.byEl.el1, r.byEl.el2, r.byEl.el3,
    r.byEl.sel1, r.byEl.sel0, r.entries, r.erets, Object.entries(r.hops).map(([h, n]) => `${h}:${n}`).join(' ')].join(','))].join('\n') + '\n';
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A stacked bar per configuration (cycles by EL), grouped by timing profile. */
export function toSvg(rows: readonly SweepRow[], title: string): string {
  const W = 860, H = 420, left = 64, right = 200, top = 40, bottom = 96;
  const plotW = W - left - right, plotH = H - top - bottom;
  const max = Math.max(...rows.map((r) => r.cycles));
  const step = niceStep(max / 5), yMax = Math.ceil(max / step) * step;
  const y = (v: number): number => top + plotH - (v / yMax) * plotH;
  const profiles = [...new Set(rows.map((r) => r.profile))];
  const gap = 24, slot = (plotW - gap * (profiles.length - 1)) / rows.length, barW = slot * 0.7;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let v = 0; v <= yMax; v += step) {                 // y axis: grid lines and labels
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#dddddd"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  out.push(`<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">cycles per round trip</text>`);
  rows.forEach((r, i) => {
    const group = profiles.indexOf(r.profile);
    const x = left + group * gap + i * slot + (slot - barW) / 2;
    out.push(`<g class="bar" data-config="${esc(r.config)}">`);
    out.push(`<title>${esc(`${r.config}: ${r.cycles} cycles (${r.ns.toFixed(0)} ns), ${r.entries} exception entries, ${r.erets} ERETs`)}</title>`);
    let base = 0;
    for (const [k, , colour] of SEGMENTS) {
      const v = r.byEl[k];
      if (v === 0) continue;
      out.push(`<rect x="${x.toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(base) - y(base + v)).toFixed(1)}" fill="${colour}"/>`);
      base += v;
    }
    out.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(y(r.cycles) - 4).toFixed(1)}" text-anchor="middle">${r.cycles}</text>`);
    const lx = x + barW / 2, ly = top + plotH + 10;
    out.push(`<text transform="translate(${lx.toFixed(1)} ${ly}) rotate(40)" font-size="10">${esc(`${r.el2 === 'pkvm' ? 'pKVM' : 'no EL2'}, ${r.spmc}`)}</text>`);
    out.push(`</g>`);
  });
  profiles.forEach((p, g) => {                            // group labels under the bars
    const xs = rows.map((r, i) => [r, i] as const).filter(([r]) => r.profile === p).map(([, i]) => left + g * gap + i * slot + slot / 2);
    out.push(`<text x="${((Math.min(...xs) + Math.max(...xs)) / 2).toFixed(1)}" y="${H - 12}" text-anchor="middle" font-weight="bold">${esc(p)}</text>`);
  });
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333333"/>`);
  out.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333333"/>`);
  SEGMENTS.slice().reverse().forEach(([, label, colour], i) => {   // legend, top to bottom as stacked
    const ly = top + 10 + i * 20;
    out.push(`<rect x="${W - right + 16}" y="${ly - 9}" width="12" height="12" fill="${colour}"/>`);
    out.push(`<text x="${W - right + 34}" y="${ly + 1}">${esc(label)}</text>`);
  });
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

export interface SweepResult {
  rows: SweepRow[];
  csv: string;
  svg: string;
  /** Cycles per round trip under each policy.spmc for (pkvm, s-el1, generic). */
  policyInvariant: Record<string, number>;
}

export function main(svgPath?: string, csvPath?: string, log: (line: string) => void = console.log): SweepResult {
  const rows: SweepRow[] = [];
  for (const profile of ['generic', 'cortex-a57', 'neoverse-n1']) {
    for (const spmc of ['s-el1', 'el3'] as const) for (const el2 of ['none', 'pkvm'] as const) rows.push(measure(el2, spmc, profile));
  }
  const policyInvariant: Record<string, number> = {};
  for (const policy of ['spec', 'hafnium', 'tf-a'] as const) policyInvariant[policy] = measure('pkvm', 's-el1', 'generic', policy).cycles;
  for (const r of rows) {
    log(`${r.config.padEnd(28)} ${String(r.cycles).padStart(5)} cycles ${r.ns.toFixed(0).padStart(5)} ns  ` +
      `${r.entries} entries / ${r.erets} ERETs  ${Object.entries(r.hops).map(([h, n]) => `${h}x${n}`).join(' ')}`);
  }
  log(`policy.spmc spec / hafnium / tf-a: ${Object.values(policyInvariant).join(' / ')} cycles (pkvm, s-el1, generic)`);
  const csv = toCsv(rows);
  const svg = toSvg(rows, 'FFA_MSG_SEND_DIRECT_REQ_64 round trip, NS-EL1 host to echo partition (a64el)');
  if (svgPath !== undefined) { writeFileSync(svgPath, svg); log(`wrote ${svgPath}`); }
  if (csvPath !== undefined) { writeFileSync(csvPath, csv); log(`wrote ${csvPath}`); }
  return { rows, csv, svg, policyInvariant };
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv[2] ?? 'policy-sweep.svg', process.argv[3] ?? 'policy-sweep.csv');
