/**
 * The public API runs in a browser (DESIGN.md "Which way imports run": the core bundles for
 * browsers; docs/api.md "In the browser"). The test builds the browser bundle the way
 * `npm run bundle:browser` does (esbuild, platform 'browser': a Node built-in anywhere in the import
 * graph fails the build), serves it from 127.0.0.1 and opens it in Debian's headless Chromium. In the
 * page, through the bundle's exports only:
 *  - an FF-A call vector from test/vectors (the file's text handed to the page) is parsed and run,
 *    and must pass: the vector's own expectations (DEN0077A direct messaging through pKVM) are the
 *    oracle, and the same vector run by Node must give the same instruction and cycle counts;
 *  - an emulator (createWorld + wrapMachine) makes the vector's direct request itself, with an
 *    FfaReturn hook, and the response registers are checked here against the vector's JSON;
 *  - an image vector's ELF is fetched from the server, run by runImageVector and by an emulator
 *    (createMachine, loadElf, emuStart, a trace): the UART text and exit code must be the vector's
 *    (QEMU's output, firmware-images/expected), and the trace valid Trace Event Format;
 *  - the page logs no console error and throws nothing.
 * Skipped, saying so, only when /usr/bin/chromium is missing outside CI; with CI set it fails.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleBrowser } from '../../tools/browser/bundle.mjs';
import { type StaticServer, chromiumAvailability, collectPageErrors, launchChromium, serveFiles } from '../../tools/browser/chromium.js';
import { runVectorFile } from '../../src/vectors/files.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A direct request that goes host (NS-EL1) -> pKVM (EL2) -> EL3 -> SPMC (S-EL1) -> partition and back. */
const CALL_VECTOR = 'test/vectors/ffa/pkvm/pkvm-direct-req-passthrough.json';
/** EL3 -> EL2 -> EL1 -> EL0 by ERET, printing CurrentEL at each level; QEMU's output is the oracle. */
const IMAGE_VECTOR = 'test/vectors/images/el-drop.json';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>a64el in the browser</title>
<link rel="icon" href="data:,">
<pre id="status">loading</pre>
<script type="module">
  import * as a64el from '/bundle/a64el.js';
  window.a64el = a64el;
  document.getElementById('status').textContent = 'ready';
</script>
`;

/** The page's view of the bundle (only what the test calls). */
interface Page64 { a64el: Record<string, any> }   // eslint-disable-line @typescript-eslint/no-explicit-any

const availability = chromiumAvailability();
if (!availability.run) console.warn(`test/browser/bundle.test.ts: ${availability.reason}`);

describe.skipIf(!availability.run)('browser bundle in headless Chromium', () => {
  let out: string;
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'a64el-browser-'));
    await bundleBrowser(join(out, 'a64el.js'));
    server = await serveFiles(
      { '/bundle/': out, '/files/test/vectors/': join(ROOT, 'test', 'vectors'), '/files/firmware-images/build/': join(ROOT, 'firmware-images', 'build') },
      { '/': { body: PAGE, type: 'text/html; charset=utf-8' } },
    );
    browser = await launchChromium();
    page = await browser.newPage();
    errors = collectPageErrors(page);
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (out !== undefined) rmSync(out, { recursive: true, force: true });
  });

  it('exports the public API from one ES module', async () => {
    const names = await page.evaluate(() => Object.keys((window as unknown as Page64).a64el).sort());
    for (const n of ['createMachine', 'wrapMachine', 'createWorld', 'HookType', 'parseVector', 'runVector', 'runImageVector', 'recorderToChromeTrace']) {
      expect(names).toContain(n);
    }
  });

  it(`runs the FF-A call vector ${CALL_VECTOR} in the page, as Node does`, async () => {
    const text = readFileSync(join(ROOT, CALL_VECTOR), 'utf8');
    const r = await page.evaluate(({ text, file }) => {
      const { parseVector, runVector } = (window as unknown as Page64).a64el;
      const res = runVector(parseVector(text, file));
      return { kind: res.kind, passed: res.passed, message: res.message, stepsPassed: res.stepsPassed, steps: res.steps, instructions: res.instructions, cycles: res.cycles };
    }, { text, file: CALL_VECTOR });
    const json = JSON.parse(text) as { steps: unknown[] };
    expect(r.message).toBe('ok');
    expect(r).toMatchObject({ kind: 'call', passed: true, steps: json.steps.length, stepsPassed: json.steps.length });
    // Deterministic: the same machine, the same counts, whichever engine runs it.
    const node = runVectorFile(join(ROOT, CALL_VECTOR));
    expect(node.passed).toBe(true);
    expect({ instructions: r.instructions, cycles: r.cycles }).toEqual({ instructions: node.instructions, cycles: node.cycles });
  });

  it('makes the direct request through an emulator built in the page, and the partition answers as the vector says', async () => {
    const vector = JSON.parse(readFileSync(join(ROOT, CALL_VECTOR), 'utf8')) as { steps: { smc: Record<string, string>; expect: Record<string, string> }[] };
    const req = vector.steps.find((s) => s.smc.x0 === 'FFA_MSG_SEND_DIRECT_REQ_64')!;
    const args = ['x3', 'x4', 'x5', 'x6', 'x7'].map((k) => req.smc[k]!);
    const r = await page.evaluate(({ receiver, args }) => {
      const { createWorld, wrapMachine, HookType } = (window as unknown as Page64).a64el;
      const world = createWorld({ el2: 'pkvm', boot: 'pkvm-ready' });
      const emu = wrapMachine(world.machine);
      const calls: string[] = [];
      emu.hookAdd(HookType.FfaReturn, (e: { call: { name: string; callerEl: number; callerSecure: boolean; toEl: number }; result: string }) => {
        calls.push(`${e.call.callerSecure ? 'S-' : ''}EL${e.call.callerEl} ${e.call.name} -> ${e.result}`);
      });
      world.boot();
      world.smc([0x84000063n, 0x10002n]);                                   // FFA_VERSION v1.2
      const res = world.smc([0xc400006fn, BigInt(receiver), 0n, ...args.map((a: string) => BigInt(a))]);  // DIRECT_REQ_64
      return { x: (res.x as bigint[]).slice(0, 8).map((v) => `0x${v.toString(16)}`), calls };
    }, { receiver: req.smc.w1!, args });
    const want = req.expect;
    // DEN0077A v1.1 15.3: DIRECT_RESP_64 (0xC4000070), w1 = receiver << 16 | sender swapped, x3-x7 echoed by the echo partition.
    expect(BigInt(r.x[0]!) & 0xffff_ffffn).toBe(0xc4000070n);
    expect(want.w0).toBe('FFA_MSG_SEND_DIRECT_RESP_64');
    expect(BigInt(r.x[1]!) & 0xffff_ffffn).toBe(BigInt(want.w1!));
    expect(BigInt(r.x[2]!) & 0xffff_ffffn).toBe(BigInt(want.w2!));
    for (const k of ['x3', 'x4', 'x5', 'x6', 'x7']) expect(BigInt(r.x[Number(k.slice(1))]!)).toBe(BigInt(want[k]!));
    // The hooks saw the host's call come back with the response (pKVM forwarded it, it did not answer).
    expect(r.calls).toContain('EL1 FFA_MSG_SEND_DIRECT_REQ_64 -> FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000');
    expect(r.calls.some((c) => c.startsWith('EL2 FFA_MSG_SEND_DIRECT_REQ_64'))).toBe(true);
  });

  it(`runs the image vector ${IMAGE_VECTOR} with the ELF fetched from the server`, async () => {
    const text = readFileSync(join(ROOT, IMAGE_VECTOR), 'utf8');
    const vector = JSON.parse(text) as { expect: { exitCode: number; uart: string } };
    const r = await page.evaluate(async ({ text, file }) => {
      const { parseVector, runImageVector, imagePathOf, createMachine, recorderToChromeTrace, validateChromeTrace } = (window as unknown as Page64).a64el;
      const v = parseVector(text, file);
      const path: string = imagePathOf(v);
      const res = await fetch(new URL(path, `${location.origin}/files/`));
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const vr = runImageVector(v, { readImage: (p: string) => { if (p !== path) throw new Error(`unexpected image ${p}`); return bytes; } });
      // The same image through the embedding API, with a trace.
      const emu = createMachine();
      emu.loadElf(bytes, { name: path });
      const rec = emu.traceStart();
      const run = emu.emuStart({ count: 1_000_000 });
      emu.traceStop();
      const trace = recorderToChromeTrace(rec);
      return {
        path, size: bytes.length,
        vector: { passed: vr.passed, message: vr.message, exitCode: vr.exitCode, uart: vr.uart },
        emu: { stop: run.stop, exitCode: run.exitCode, uart: emu.uartText() as string, instructions: run.instructions },
        traceProblems: validateChromeTrace(trace) as string[],
        traceEvents: (trace.traceEvents as unknown[]).length,
      };
    }, { text, file: IMAGE_VECTOR });
    expect(r.path).toBe('test/vectors/images/../../../firmware-images/build/el-drop.elf');
    expect(r.size).toBe(readFileSync(join(ROOT, 'firmware-images', 'build', 'el-drop.elf')).length);
    expect(r.vector).toEqual({ passed: true, message: 'ok', exitCode: vector.expect.exitCode, uart: vector.expect.uart });
    expect(r.emu).toMatchObject({ stop: 'exit', exitCode: vector.expect.exitCode, uart: vector.expect.uart });
    expect(r.traceProblems).toEqual([]);
    expect(r.traceEvents).toBeGreaterThan(10);
  });

  it('logged no console error and threw nothing', () => {
    expect(errors).toEqual([]);
  });
});
