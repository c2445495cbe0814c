/**
 * Our trace JSON against an independent parser of the Trace Event Format: speedscope (the npm
 * package's built web app, offline), in Debian's headless Chromium. A fresh, real trace
 * (`a64el scenarios rfc --trace FILE.json`, run in-process from the sources) must:
 *  - import without error (no alert, no error screen) and without a single importer warning
 *    (speedscope warns when an E does not close the B on top of its track, when a B is left open,
 *    or when an E finds nothing open);
 *  - give one profile per track, named from our process_name/thread_name metadata (one per EL and
 *    world that ran: EL3, S-EL1, S-EL0, EL2, EL1 NS);
 *  - give each track the total time its slices cover, as computed here from the JSON (B/E pairs per
 *    tid), to speedscope's display precision: both sides paired every E with the same B.
 * Skipped, saying so, only when /usr/bin/chromium is missing outside CI; with CI set it fails.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { validateChromeTrace } from '../../src/trace/validate.js';
import { type StaticServer, chromiumAvailability, collectPageErrors, launchChromium } from '../../tools/browser/chromium.js';
import { type SpeedscopeImport, type SpeedscopeTrack, openInSpeedscope, openTrackList, serveSpeedscope } from '../../tools/docs/trace-screenshot.js';

interface TraceEvent { ph: string; name?: string; ts?: number; pid: number; tid: number; args?: { name?: string } }

const availability = chromiumAvailability();
if (!availability.run) console.warn(`test/browser/speedscope.test.ts: ${availability.reason}`);

/** "504.00ns", "2.93µs", "1.20ms" -> µs. */
function micros(weight: string): number {
  const m = /^([\d.]+)\s*(ns|µs|us|ms|s)$/.exec(weight);
  if (m === null) throw new Error(`unexpected weight "${weight}"`);
  return Number(m[1]) * { ns: 1e-3, 'µs': 1, us: 1, ms: 1e3, s: 1e6 }[m[2] as 'ns']!;
}

describe.skipIf(!availability.run)('a real trace in speedscope (headless Chromium)', () => {
  let dir: string;
  let events: TraceEvent[];
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const warnings: string[] = [];
  let imported: SpeedscopeImport;
  let tracks: SpeedscopeTrack[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'a64el-speedscope-'));
    const file = join(dir, 'rfc.json');
    let err = '';
    const status = await runCli(['scenarios', 'rfc', '--trace', file], { out: () => {}, err: (c) => { err += String(c); } });
    if (status !== 0) throw new Error(`a64el scenarios rfc --trace failed (${status}): ${err}`);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] };
    expect(validateChromeTrace(json)).toEqual([]);
    events = json.traceEvents;
    const s = await serveSpeedscope(file);
    server = s.server;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    errors = collectPageErrors(page);
    // WebGL driver notes from the software renderer are Chromium's, not the importer's.
    page.on('console', (m) => { if (m.type() === 'warning' && !/WebGL|GL Driver/.test(m.text())) warnings.push(m.text().slice(0, 300)); });
    imported = await openInSpeedscope(page, s.url);
    tracks = imported.errorText === null ? await openTrackList(page) : [];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('imports the file without an error screen and without importer warnings', () => {
    expect(imported.errorText).toBeNull();
    expect(warnings).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows one profile per track, named by our process and thread metadata', () => {
    const proc = events.find((e) => e.ph === 'M' && e.name === 'process_name')!.args!.name!;
    const threads = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => ({ tid: e.tid, name: e.args!.name! }));
    expect(threads.map((t) => t.name).sort()).toEqual(['EL1 NS', 'EL2', 'EL3', 'S-EL0', 'S-EL1']);
    expect(tracks.map((t) => t.name).sort()).toEqual(threads.map((t) => `${proc} (pid 1), ${t.name} (tid ${t.tid})`).sort());
    expect(imported.active).toMatch(/^a64el PE0 \(pid 1\), .+ \(tid \d+\) \(1\/5\)$/);
  });

  it("gives each track the time its slices cover, as the JSON says", () => {
    const covered = new Map<number, number>();
    const open = new Map<number, number[]>();
    for (const e of events) {
      if (e.ph === 'B') open.set(e.tid, [...(open.get(e.tid) ?? []), e.ts!]);
      if (e.ph === 'E') {
        const stack = open.get(e.tid)!;
        const b = stack.pop()!;
        if (stack.length === 0) covered.set(e.tid, (covered.get(e.tid) ?? 0) + (e.ts! - b));
      }
    }
    expect(tracks.length).toBe(covered.size);
    for (const t of tracks) {
      const tid = Number(/\(tid (\d+)\)/.exec(t.name)![1]);
      const want = covered.get(tid)!;
      // speedscope prints three significant digits (8.74µs, 504.00ns).
      expect(Math.abs(micros(t.weight) - want)).toBeLessThanOrEqual(Math.max(want * 0.006, 0.006));
    }
  });
});
