/**
 * The README's trace picture, docs/images/trace-timeline.svg (`npm run docs:trace-timeline`): a real
 * run, `a64el scenarios rfc --trace FILE.json` (the CLI's own output), drawn by src/trace/svg.ts as
 * ui.perfetto.dev lays the same file out: a lane per EL and world, slices in time, flow arrows from
 * each request to its response. The window is the host's first FFA_MSG_SEND_DIRECT_REQ_64 round trip
 * (EL1 -> pKVM at EL2 -> EL3 -> SPMC at S-EL1 -> partition at S-EL0 and back).
 *
 * Usage: npm run docs:trace-timeline [-- OUT.svg]   (needs `npm run build`)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChromeTrace, chromeTraceToSvg } from '../../src/trace/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TIMELINE = join(ROOT, 'docs', 'images', 'trace-timeline.svg');

/** The window (µs) of the first flow named `call` that starts on `fromLane` tid, padded. */
export function callWindow(trace: ChromeTrace, call: string): { from: number; to: number } {
  const ev = trace.traceEvents;
  // The outermost flow of the first such call: the one whose response lands lowest (the caller's lane).
  const starts = ev.filter((e) => e.ph === 's' && e.name === call);
  if (starts.length === 0) throw new Error(`trace has no ${call} request`);
  const ends = new Map(ev.filter((e) => e.ph === 'f').map((e) => [e.id, e]));
  const first = starts[0]!;
  const end = ends.get(first.id)!;
  const pad = (end.ts! - first.ts!) * 0.04;
  return { from: first.ts! - pad, to: end.ts! + pad };
}

export function renderScenarioTimeline(traceFile: string): string {
  const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as ChromeTrace;
  const win = callWindow(trace, 'FFA_MSG_SEND_DIRECT_REQ_64');
  return chromeTraceToSvg(trace, {
    ...win, width: 1400,
    title: 'a64el scenarios rfc --trace: the host\'s first FFA_MSG_SEND_DIRECT_REQ_64 (EL1 -> pKVM -> EL3 -> SPMC -> partition and back)',
  }).svg;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? TIMELINE;
  const dir = mkdtempSync(join(tmpdir(), 'a64el-timeline-'));
  try {
    const file = join(dir, 'rfc.json');
    execFileSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'scenarios', 'rfc', '--trace', file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(out, renderScenarioTimeline(file));
    process.stderr.write(`wrote ${out}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
