/**
 * The README's trace screenshot, docs/images/trace-speedscope.png (`npm run docs:trace-screenshot`).
 *
 * A real run: `a64el scenarios rfc --trace FILE.json` (the RFC boot order: the host's FF-A driver
 * negotiates through pKVM and sends FFA_MSG_SEND_DIRECT_REQ_64 to the partitions behind the SPMC),
 * so the file is the CLI's own output, not something built for the picture. It is opened in
 * speedscope (the npm package ships its built web app), an independent offline viewer that imports
 * the Chrome trace event format; ui.perfetto.dev, which the file is made for, is not reachable
 * offline. speedscope shows one profile per track (pid/tid): the picture shows the EL3 track in time
 * order, zoomed on the first direct requests, with the track list open (every EL and world, and the
 * time the PE spent there).
 *
 * Usage: npm run docs:trace-screenshot [-- OUT.png]   (needs `npm run build` and /usr/bin/chromium)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { type StaticServer, collectPageErrors, launchChromium, serveFiles } from '../browser/chromium.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT = join(ROOT, 'docs', 'images', 'trace-speedscope.png');
/** The built speedscope web app inside the npm package. */
export const SPEEDSCOPE_APP = join(ROOT, 'node_modules', 'speedscope', 'dist', 'release');
/** The scenario traced: its DIRECT_REQs go host -> pKVM (EL2) -> EL3 -> SPMC (S-EL1) -> partition. */
export const SCENARIO = 'rfc';
const VIEWPORT = { width: 1400, height: 440 };

/**
 * Run `a64el scenarios NAME --trace DIR/NAME.json` with the built CLI (dist/cli/main.js) and return
 * the file's path.
 */
export function traceScenario(dir: string, name = SCENARIO): string {
  const file = join(dir, `${name}.json`);
  const cli = join(ROOT, 'dist', 'cli', 'main.js');
  try { statSync(cli); } catch { throw new Error(`${cli} is missing: run npm run build first`); }
  execFileSync(process.execPath, [cli, 'scenarios', name, '--trace', file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return file;
}

/** Serve speedscope's app at /app/ and `trace` at /trace/NAME; returns the page URL that loads it. */
export async function serveSpeedscope(trace: string): Promise<{ server: StaticServer; url: string }> {
  const name = basename(trace);
  const server = await serveFiles({ '/app/': SPEEDSCOPE_APP }, { [`/trace/${name}`]: { body: readFileSync(trace), type: 'application/json' } });
  return { server, url: `${server.origin}/app/index.html#profileURL=${encodeURIComponent(`${server.origin}/trace/${name}`)}` };
}

/** One profile in speedscope's profile list: a track of the trace, and its total time. */
export interface SpeedscopeTrack { name: string; weight: string }

/** What speedscope made of the file: its error (alert or error screen), else the active profile. */
export interface SpeedscopeImport { errorText: string | null; active: string }

/**
 * Open `url` and wait until speedscope has imported the trace and drawn it. speedscope reports a
 * file it cannot import with an alert ("Unrecognized format!") or its "Something went wrong" screen;
 * either ends up in errorText.
 */
export async function openInSpeedscope(page: Page, url: string): Promise<SpeedscopeImport> {
  let alertText: string | null = null;
  page.on('dialog', (d) => { alertText = d.message(); void d.dismiss(); });
  await page.goto(url);
  // The toolbar names the active profile as "NAME (i/N)" once the import is done.
  await page.waitForFunction(() => /\(\d+\/\d+\)/.test(document.body.innerText) || document.body.innerText.includes('Something went wrong'), undefined, { timeout: 30_000 })
    .catch(() => undefined);
  const body = await page.evaluate(() => document.body.innerText);
  if (alertText !== null) return { errorText: alertText, active: '' };
  if (!/\(\d+\/\d+\)/.test(body)) return { errorText: body.includes('Something went wrong') ? body : `no profile shown: ${body.slice(0, 200)}`, active: '' };
  return { errorText: null, active: body.split('\n').find((l) => /\(\d+\/\d+\)/.test(l))!.trim() };
}

/** Open the profile list (click on the toolbar's "NAME (i/N)") and read it: one row per track. */
export async function openTrackList(page: Page): Promise<SpeedscopeTrack[]> {
  await page.getByText(/\(\d+\/\d+\)/).first().click();
  await page.getByText('Total Weight').waitFor({ timeout: 10_000 });
  const lines = (await page.evaluate(() => document.body.innerText)).split('\n');
  // Rows read "i<TAB>NAME<TAB>WEIGHT".
  return lines.map((l) => l.split('\t')).filter((c) => c.length === 3 && /^\d+$/.test(c[0]!.trim()))
    .map((c) => ({ name: c[1]!.trim(), weight: c[2]!.trim() }));
}

interface TraceJson { traceEvents: { ph: string; name?: string; ts?: number; tid: number; args?: { name?: string } }[] }

/** Generate a fresh trace, open it in speedscope in headless Chromium, save the screenshot. */
export async function takeScreenshot(out = SCREENSHOT): Promise<{ file: string; tracks: SpeedscopeTrack[]; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'a64el-trace-'));
  const browser = await launchChromium();
  let server: StaticServer | undefined;
  try {
    const trace = traceScenario(dir);
    const json = JSON.parse(readFileSync(trace, 'utf8')) as TraceJson;
    const s = await serveSpeedscope(trace);
    server = s.server;
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = collectPageErrors(page);
    const imported = await openInSpeedscope(page, s.url);
    if (imported.errorText !== null) throw new Error(`speedscope could not import ${trace}: ${imported.errorText}`);
    // The EL3 track: the monitor sees every forwarded call, and the SPMC's answers, go through.
    const el3Tid = json.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'EL3')!.tid;
    for (let i = 0; i < 8 && !(await page.evaluate(() => document.body.innerText)).includes(', EL3 (tid'); i++) {
      await page.keyboard.press('n');   // speedscope: next profile
      await page.waitForTimeout(200);
    }
    // Zoom (ctrl + wheel keeps the point under the mouse in place) so the visible window starts just
    // before the first DIRECT_REQ_64 at EL3 and spans about 2.5 µs: labels become readable.
    const el3 = json.traceEvents.filter((e) => e.tid === el3Tid && (e.ph === 'B' || e.ph === 'E'));
    const t0 = el3[0]!.ts!, span = el3[el3.length - 1]!.ts! - t0;
    const first = el3.find((e) => e.ph === 'B' && e.name === 'FFA_MSG_SEND_DIRECT_REQ_64')!.ts! - t0;
    const width = 2.5, from = Math.max(0, first - 0.12);
    const fixed = from / (1 - width / span);   // the point that stays put while zooming span -> width
    await page.mouse.move(Math.round((fixed / span) * VIEWPORT.width), 400);
    await page.keyboard.down('Control');
    for (let i = 0; i < 6; i++) { await page.mouse.wheel(0, -10); await page.waitForTimeout(80); }
    await page.keyboard.up('Control');
    await page.waitForTimeout(300);
    const tracks = await openTrackList(page);
    await page.waitForTimeout(300);
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    if (errors.length > 0) throw new Error(`speedscope reported errors: ${errors.join('; ')}`);
    return { file: out, tracks, bytes: statSync(out).size };
  } finally {
    await browser.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  takeScreenshot(process.argv[2] === undefined ? SCREENSHOT : resolve(process.argv[2])).then(
    (r) => process.stdout.write(`${r.file}: ${(r.bytes / 1024).toFixed(0)} KiB; tracks: ${r.tracks.map((t) => `${t.name} ${t.weight}`).join(', ')}\n`),
    (err: unknown) => { process.stderr.write(`docs:trace-screenshot: ${err instanceof Error ? err.message : String(err)}\n`); process.exit(1); },
  );
}
