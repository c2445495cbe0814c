/**
 * A Chrome trace (perfetto.ts, or any file in the Trace Event Format's JSON Object Format that uses
 * B/E slices, s/f flows, i instants and thread_name / thread_sort_index metadata) drawn as one SVG
 * picture, the way ui.perfetto.dev lays it out: a lane per track (thread) top-down by sort index,
 * slices as boxes on a shared time axis, flow arrows from each request to its response, instants as
 * ticks. For docs and reports where no trace viewer can run (offline, in CI artifacts, in a README).
 * Pure string building: no Node imports (bundles for browsers).
 */
import type { ChromeTrace, ChromeTraceEvent } from './perfetto.js';

export interface TraceSvgOptions {
  /** The process (pid) to draw; default: the first one with slices. */
  pid?: number;
  /** Time window in µs (the trace's ts); default: the whole process. */
  from?: number;
  to?: number;
  /** Picture width in px (default 1400). */
  width?: number;
  /** Title line (default: the process name and the window). */
  title?: string;
}

/** What was drawn (for tests and captions). */
export interface TraceSvg {
  svg: string;
  lanes: string[];
  slices: number;
  flows: number;
  instants: number;
}

interface Box { lane: number; t0: number; t1: number; name: string; cat: string }

const LANE_H = 34, LABEL_W = 120, TOP = 44, AXIS_H = 26;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#e15759', '#9c755f', '#bab0ac', '#ff9da7'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function colour(cat: string): string {
  let h = 0;
  for (let i = 0; i < cat.length; i++) h = (h * 31 + cat.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** A round step for about `n` ticks over `span`. */
function tickStep(span: number, n: number): number {
  const raw = span / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** A number of µs for labels: three significant digits at most, no trailing zeros. */
const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3))));

/**
 * Draw `trace` as SVG. Slices are paired per track as the format nests them (an E closes the
 * innermost open B of its track); a slice still open at the end runs to the last timestamp.
 */
export function chromeTraceToSvg(trace: ChromeTrace, opts: TraceSvgOptions = {}): TraceSvg {
  const events = trace.traceEvents;
  const pid = opts.pid ?? events.find((e) => e.ph === 'B')?.pid ?? 0;
  const mine = events.filter((e) => e.pid === pid);

  // Lanes: every track named or used, ordered by sort index, then tid.
  const names = new Map<number, string>(), sortIdx = new Map<number, number>();
  let processName = `pid ${pid}`;
  for (const e of mine) {
    if (e.ph !== 'M') continue;
    const a = e.args ?? {};
    if (e.name === 'thread_name' && typeof a['name'] === 'string') names.set(e.tid, a['name']);
    if (e.name === 'thread_sort_index' && typeof a['sort_index'] === 'number') sortIdx.set(e.tid, a['sort_index']);
    if (e.name === 'process_name' && typeof a['name'] === 'string') processName = a['name'];
  }
  const tids = [...new Set(mine.filter((e) => e.ph !== 'M' || e.name === 'thread_name').map((e) => e.tid))]
    .sort((a, b) => (sortIdx.get(a) ?? 1e9) - (sortIdx.get(b) ?? 1e9) || a - b);
  const laneOf = new Map(tids.map((t, i) => [t, i]));

  // Slices (B/E per track), flows (s -> f by id), instants.
  const timed = mine.filter((e): e is ChromeTraceEvent & { ts: number } => e.ph !== 'M' && typeof e.ts === 'number');
  const lastTs = timed.reduce((m, e) => Math.max(m, e.ts), 0);
  const firstTs = timed.reduce((m, e) => Math.min(m, e.ts), Infinity);
  const boxes: Box[] = [];
  const open = new Map<number, ChromeTraceEvent[]>();
  const flowStart = new Map<number, { lane: number; t: number; name: string }>();
  const flows: { a: { lane: number; t: number }; b: { lane: number; t: number }; name: string }[] = [];
  const instants: { lane: number; t: number; name: string }[] = [];
  for (const e of timed) {
    const lane = laneOf.get(e.tid)!;
    if (e.ph === 'B') {
      let st = open.get(e.tid);
      if (st === undefined) { st = []; open.set(e.tid, st); }
      st.push(e);
    } else if (e.ph === 'E') {
      const b = open.get(e.tid)?.pop();
      if (b !== undefined) boxes.push({ lane, t0: b.ts!, t1: e.ts, name: b.name ?? '', cat: b.cat ?? '' });
    } else if (e.ph === 's' && e.id !== undefined) {
      flowStart.set(e.id, { lane, t: e.ts, name: e.name ?? '' });
    } else if (e.ph === 'f' && e.id !== undefined) {
      const a = flowStart.get(e.id);
      if (a !== undefined) { flows.push({ a, b: { lane, t: e.ts }, name: a.name }); flowStart.delete(e.id); }
    } else if (e.ph === 'i') {
      instants.push({ lane, t: e.ts, name: e.name ?? '' });
    }
  }
  for (const [tid, st] of open) for (const b of st) boxes.push({ lane: laneOf.get(tid)!, t0: b.ts!, t1: lastTs, name: b.name ?? '', cat: b.cat ?? '' });

  // Window and scale.
  const from = opts.from ?? (Number.isFinite(firstTs) ? firstTs : 0);
  const to = Math.max(opts.to ?? lastTs, from + 1e-9);
  const width = opts.width ?? 1400;
  const plotW = width - LABEL_W - 10;
  const x = (t: number): number => LABEL_W + ((t - from) / (to - from)) * plotW;
  const inWin = (t0: number, t1: number): boolean => t1 >= from && t0 <= to;
  const height = TOP + tids.length * LANE_H + AXIS_H;
  const laneY = (lane: number): number => TOP + lane * LANE_H;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#222"/></marker>');
  out.push(`<clipPath id="plot"><rect x="${LABEL_W}" y="0" width="${plotW}" height="${height}"/></clipPath></defs>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  const title = opts.title ?? `${processName}: ${fmt(from)} to ${fmt(to)} µs`;
  out.push(`<text x="8" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`);
  tids.forEach((tid, i) => {
    const y = laneY(i);
    out.push(`<rect x="0" y="${y}" width="${width}" height="${LANE_H}" fill="${i % 2 === 0 ? '#f6f6f6' : '#ececec'}"/>`);
    out.push(`<text x="8" y="${y + LANE_H / 2 + 4}" font-weight="bold">${esc(names.get(tid) ?? `tid ${tid}`)}</text>`);
  });
  // Time axis.
  const step = tickStep(to - from, 8);
  const axisY = TOP + tids.length * LANE_H;
  out.push('<g stroke="#999">');
  for (let t = Math.ceil(from / step) * step; t <= to + 1e-12; t += step) {
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${TOP}" x2="${x(t).toFixed(1)}" y2="${axisY + 4}" stroke-dasharray="2,3"/>`);
  }
  out.push('</g>');
  for (let t = Math.ceil(from / step) * step; t <= to + 1e-12; t += step) {
    out.push(`<text x="${x(t).toFixed(1)}" y="${axisY + 18}" text-anchor="middle" fill="#444">${fmt(t)} µs</text>`);
  }

  let slices = 0, flowN = 0, instN = 0;
  out.push('<g clip-path="url(#plot)">');
  for (const b of boxes) {
    if (!inWin(b.t0, b.t1)) continue;
    slices++;
    const x0 = Math.max(x(b.t0), LABEL_W - 1), x1 = Math.min(x(b.t1), width);
    const w = Math.max(x1 - x0, 1);
    const y = laneY(b.lane) + 5;
    out.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${LANE_H - 10}" fill="${colour(b.cat)}" stroke="#fff" stroke-width="0.5"><title>${esc(`${b.name} (${fmt(b.t1 - b.t0)} µs)`)}</title></rect>`);
    const chars = Math.floor((w - 6) / 6.2);
    if (chars >= 3) {
      const label = b.name.length <= chars ? b.name : `${b.name.slice(0, Math.max(1, chars - 1))}…`;
      out.push(`<text x="${(x0 + 3).toFixed(1)}" y="${y + (LANE_H - 10) / 2 + 4}" fill="#fff">${esc(label)}</text>`);
    }
  }
  for (const f of flows) {
    if (!inWin(Math.min(f.a.t, f.b.t), Math.max(f.a.t, f.b.t))) continue;
    flowN++;
    const y0 = laneY(f.a.lane) + LANE_H / 2, y1 = laneY(f.b.lane) + LANE_H / 2;
    out.push(`<path d="M${x(f.a.t).toFixed(1)},${y0} C${(x(f.a.t) + 25).toFixed(1)},${y0} ${(x(f.b.t) - 25).toFixed(1)},${y1} ${x(f.b.t).toFixed(1)},${y1}" fill="none" stroke="#222" stroke-width="1.2" marker-end="url(#arrow)"><title>${esc(f.name)}</title></path>`);
  }
  for (const i of instants) {
    if (!inWin(i.t, i.t)) continue;
    instN++;
    const xi = x(i.t), y = laneY(i.lane) + 2;
    out.push(`<path d="M${(xi - 4).toFixed(1)},${y} L${(xi + 4).toFixed(1)},${y} L${xi.toFixed(1)},${y + 7} z" fill="#d00"><title>${esc(i.name)}</title></path>`);
  }
  out.push('</g>');
  out.push('</svg>');
  return { svg: `${out.join('\n')}\n`, lanes: tids.map((t) => names.get(t) ?? `tid ${t}`), slices, flows: flowN, instants: instN };
}
