/**
 * `a64el vectors --trace FILE`: every vector of a run traced into one file. The contract checked:
 *   - Chrome trace JSON that passes validateChromeTrace, one process per vector named after it (in
 *     file order), the exception path each call really takes: an FF-A call from the host at NS-EL1
 *     with pKVM is an SMC trapped to EL2 (HCR_EL2.TSC, Arm ARM D1.x: EC 0x17 at EL2, from EL1 NS),
 *     forwarded by pKVM with an SMC to EL3, and delivered by the SPMD's world switch to the SPMC at
 *     S-EL1 as the result of its FFA_MSG_WAIT (DEN0077A 15.2: a direct request is the return of the
 *     partition's wait); the response comes back the same way;
 *   - flow ids unique in the file; the same file with --jobs 2 as with --jobs 1;
 *   - the text timeline for any other name; a path that cannot be written is a usage error up front.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { type ChromeTraceEvent, validateChromeTrace } from '../../src/trace/index.js';

const V = join(import.meta.dirname);
const ROOT = join(V, '..', '..');
const PKVM_DIRECT = join(V, 'ffa', 'pkvm', 'pkvm-direct-req-passthrough.json');
const EL3_SPMC = join(V, 'ffa', 'direct', 'direct-req-el3-spmc.json');
const IMAGE_SMC = join(V, 'images', 'smc-roundtrip.json');
const IMAGE_HVC = join(V, 'images', 'hvc-roundtrip.json');

const tmp = mkdtempSync(join(tmpdir(), 'a64el-vtrace-'));

async function cli(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '', err = '';
  const dec = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString());
  const status = await runCli(argv, { out: (c) => { out += dec(c); }, err: (c) => { err += dec(c); } });
  return { status, out, err };
}

interface Trace { traceEvents: ChromeTraceEvent[]; otherData: Record<string, unknown> }

/** pid -> process name; (pid, tid) -> thread name. */
function names(t: Trace): { proc: Map<number, string>; thread: (pid: number, tid: number) => string } {
  const proc = new Map<number, string>(), thr = new Map<string, string>();
  for (const e of t.traceEvents) {
    if (e.ph !== 'M') continue;
    if (e.name === 'process_name') proc.set(e.pid, (e.args as { name: string }).name);
    if (e.name === 'thread_name') thr.set(`${e.pid}/${e.tid}`, (e.args as { name: string }).name);
  }
  return { proc, thread: (pid, tid) => thr.get(`${pid}/${tid}`) ?? `?${tid}` };
}

/** The slices (B) of process `pid` from the instant named `marker` on: "TRACK: name". */
function slicesAfter(t: Trace, pid: number, marker: string): string[] {
  const { thread } = names(t);
  const evs = t.traceEvents.filter((e) => e.pid === pid && e.ph !== 'M');
  const at = evs.findIndex((e) => e.ph === 'i' && e.name === marker);
  expect(at, `marker ${marker}`).toBeGreaterThanOrEqual(0);
  return evs.slice(at).filter((e) => e.ph === 'B').map((e) => `${thread(pid, e.tid)}: ${e.name}`);
}

describe('a64el vectors --trace FILE.json', () => {
  const file = join(tmp, 'suite.json');
  let trace: Trace;

  it('writes one valid Chrome trace with one process per vector, in file order, named after it', async () => {
    writeFileSync(file, 'an older trace');   // replaced atomically
    const r = await cli(['vectors', PKVM_DIRECT, EL3_SPMC, IMAGE_SMC, '--trace', file]);
    expect(r.out).toMatch(/^3 passed, 0 failed$/m);
    expect(r.status).toBe(0);
    expect(r.err).toMatch(new RegExp(`trace of 3 vectors \\(\\d+ events\\) written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    trace = JSON.parse(readFileSync(file, 'utf8')) as Trace;
    expect(validateChromeTrace(trace)).toEqual([]);
    const { proc } = names(trace);
    expect([...proc]).toEqual([[1, 'pkvm-direct-req-passthrough'], [2, 'direct-req-el3-spmc'], [3, 'smc-roundtrip']]);
    const sort = trace.traceEvents.filter((e) => e.name === 'process_sort_index').map((e) => [e.pid, (e.args as { sort_index: number }).sort_index]);
    expect(sort).toEqual([[1, 0], [2, 1], [3, 2]]);
    // Every timed event belongs to one of the three processes.
    expect(new Set(trace.traceEvents.map((e) => e.pid))).toEqual(new Set([1, 2, 3]));
  }, 60_000);

  it('an FF-A call through pKVM: NS-EL1 SMC trapped to EL2, forwarded to EL3, delivered to the SPMC at S-EL1, and back', () => {
    const s = slicesAfter(trace, 1, 'steps[1] SMC #0 FFA_MSG_SEND_DIRECT_REQ_64');
    // Request: the host's SMC traps to EL2 (TSC), pKVM's SMC to EL3, the SPMD ERETs to S-EL1 where the
    // SPMC's pending FFA_MSG_WAIT-side call returns with the request.
    // (The marker lies inside the host's slice at EL1 NS that is open when the step starts.)
    expect(s[0]).toBe('EL2: FFA_MSG_SEND_DIRECT_REQ_64');
    expect(s[1]).toBe('EL3: FFA_MSG_SEND_DIRECT_REQ_64');
    expect(s[2]).toMatch(/^S-EL1: .* -> FFA_MSG_SEND_DIRECT_REQ_64 0x0000->0x8001$/);
    // Response: the SPMC's SMC to EL3, the result back at EL2, then at the host.
    const resp = s.indexOf('EL3: FFA_MSG_SEND_DIRECT_RESP_64');
    expect(resp).toBeGreaterThan(2);
    expect(s[resp + 1]).toBe('EL2: FFA_MSG_SEND_DIRECT_REQ_64 -> FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000');
    expect(s[resp + 2]).toBe('EL1 NS: FFA_MSG_SEND_DIRECT_REQ_64 -> FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000');

    // The EL2 entry is the trapped SMC: EC 0x17 (SMC instruction execution in AArch64), from EL1 NS.
    const { thread } = names(trace);
    const el2 = trace.traceEvents.find((e) => e.pid === 1 && e.ph === 'B' && e.name === 'FFA_MSG_SEND_DIRECT_REQ_64' && thread(1, e.tid) === 'EL2')!;
    const a = el2.args as Record<string, string>;
    expect(Number(BigInt(a['esr']!) >> 26n)).toBe(0x17);
    expect(a['from']).toBe('EL1 NS');
    expect(a['conduit']).toBe('smc');
    expect([a['sender'], a['receiver']]).toEqual(['0x0000', '0x8001']);
    // The step marker sits on the host's track (EL1 NS), where the runner issued the call.
    const mark = trace.traceEvents.find((e) => e.pid === 1 && e.ph === 'i' && e.name === 'steps[1] SMC #0 FFA_MSG_SEND_DIRECT_REQ_64')!;
    expect(thread(1, mark.tid)).toBe('EL1 NS');
    // World switches on the EL3 track: to Secure for the request, back to Non-secure for the response.
    const worlds = trace.traceEvents.filter((e) => e.pid === 1 && e.ph === 'i' && e.cat === 'world').map((e) => e.name);
    expect(worlds).toContain('world switch -> Secure');
    expect(worlds).toContain('world switch -> Non-secure');
  });

  it('the EL3 SPMC: no EL2 hop, the host SMC goes straight to EL3', () => {
    const s = slicesAfter(trace, 2, 'steps[1] SMC #0 FFA_MSG_SEND_DIRECT_REQ_64');
    expect(s[0]).toBe('EL3: FFA_MSG_SEND_DIRECT_REQ_64');
    expect(s[1]).toMatch(/^S-EL1: .* -> FFA_MSG_SEND_DIRECT_REQ_64 0x0000->0x8001$/);
    expect(s.some((x) => x.startsWith('EL2:'))).toBe(false);
  });

  it('an image vector: the image\'s own SMC from NS EL1 to EL3 and its return, with the function ID decoded', () => {
    const { thread } = names(trace);
    const slices = trace.traceEvents.filter((e) => e.pid === 3 && e.ph === 'B');
    const smc = slices.find((e) => (e.args as Record<string, string>)['conduit'] === 'smc')!;
    expect(thread(3, smc.tid)).toBe('EL3');
    expect((smc.args as Record<string, string>)['from']).toBe('EL1 NS');
    expect((smc.args as Record<string, string>)['x0']).toBe('0x82001234');   // smc.x0 the image prints
    expect(Number(BigInt((smc.args as Record<string, string>)['esr']!) >> 26n)).toBe(0x17);
    const back = slices.find((e) => e.name.startsWith(`${smc.name} -> `))!;
    expect(thread(3, back.tid)).toBe('EL1 NS');
  });

  it('flow arrows pair each request with its result, with ids unique across vectors', () => {
    const flows = trace.traceEvents.filter((e) => e.ph === 's' || e.ph === 'f');
    const byId = new Map<number, ChromeTraceEvent[]>();
    for (const f of flows) byId.set(f.id!, [...(byId.get(f.id!) ?? []), f]);
    for (const [id, l] of byId) {
      expect(l.map((e) => e.ph).sort(), `flow ${id}`).toEqual(['f', 's']);
      expect(l[0]!.pid, `flow ${id} stays in its vector`).toBe(l[1]!.pid);
    }
    for (const pid of [1, 2, 3]) expect(flows.some((e) => e.pid === pid), `flows in process ${pid}`).toBe(true);
  });

  it('--jobs 2 writes the same file as --jobs 1', async () => {
    const files = [PKVM_DIRECT, IMAGE_SMC, EL3_SPMC, IMAGE_HVC];
    const one = join(tmp, 'one.json'), two = join(tmp, 'two.json');
    const a = await cli(['vectors', ...files, '--trace', one, '--jobs', '1']);
    const b = await cli(['vectors', ...files, '--trace', two, '--jobs', '2']);
    expect(b.out).toBe(a.out);
    expect(a.status).toBe(0);
    const ta = readFileSync(one, 'utf8');
    expect(readFileSync(two, 'utf8')).toBe(ta);
    expect(validateChromeTrace(JSON.parse(ta))).toEqual([]);
  }, 120_000);
});

describe('a64el vectors --trace: failed and unreadable vectors', () => {
  it('a failed vector is traced and marked [FAIL]; a file that cannot be parsed has no process, the others keep their place', async () => {
    const dir = mkdtempSync(join(tmp, 'mixed-'));
    const v = JSON.parse(readFileSync(EL3_SPMC, 'utf8')) as { name: string; steps: { expect?: Record<string, string> }[] };
    v.name = 'wrong-version-expected';
    v.steps[0]!.expect = { w0: '0x00010001' };   // FFA_VERSION answers 1.2 (0x00010002): this step fails
    writeFileSync(join(dir, 'b-fails.json'), JSON.stringify(v));
    writeFileSync(join(dir, 'c-malformed.json'), '{ "format": "a64el-vector/1", "name": ');
    writeFileSync(join(dir, 'a-passes.json'), readFileSync(PKVM_DIRECT, 'utf8'));
    writeFileSync(join(dir, 'd-passes.json'), readFileSync(IMAGE_SMC, 'utf8').replace('"../../../firmware-images', `"${join(ROOT, 'firmware-images')}`));
    const file = join(tmp, 'mixed.json');
    const r = await cli(['vectors', dir, '--trace', file]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/^2 passed, 2 failed$/m);
    const t = JSON.parse(readFileSync(file, 'utf8')) as Trace;
    expect(validateChromeTrace(t)).toEqual([]);
    expect([...names(t).proc]).toEqual([[1, 'pkvm-direct-req-passthrough'], [2, 'wrong-version-expected [FAIL]'], [4, 'smc-roundtrip']]);
    // The failing vector's trace still shows its one call, to the end.
    expect(t.traceEvents.some((e) => e.pid === 2 && e.ph === 'i' && e.name === 'steps[0] SMC #0 FFA_VERSION')).toBe(true);
    // ...and ends with why it failed, as the text report says it.
    const fail = t.traceEvents.filter((e) => e.pid === 2 && e.ph === 'i' && e.cat === 'result');
    expect(fail).toHaveLength(1);
    expect(fail[0]!.name).toMatch(/^FAIL: steps\[0\] \(SMC #0 FFA_VERSION\): w0: expected 0x00010001, got 0x00010002/);
    expect(fail[0]!.ts).toBe(Math.max(...t.traceEvents.filter((e) => e.pid === 2 && e.ts !== undefined).map((e) => e.ts!)));
    expect(t.traceEvents.some((e) => e.cat === 'result' && e.pid !== 2)).toBe(false);
    const text = join(tmp, 'mixed.txt');
    await cli(['vectors', dir, '--trace', text]);
    const lines = readFileSync(text, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('=== [2/4] wrong-version-expected ('));
    expect(lines[at]).toMatch(/: FAIL, \d+ events$/);
    expect(lines[at + 1]).toMatch(/^ {4}steps\[0\] \(SMC #0 FFA_VERSION\): w0: expected 0x00010001, got 0x00010002/);
  }, 60_000);
});

describe('a64el vectors --trace FILE (text)', () => {
  it('writes the text timeline, one section per vector, with the steps marked', async () => {
    const file = join(tmp, 'suite.txt');
    const r = await cli(['vectors', PKVM_DIRECT, IMAGE_SMC, `--trace=${file}`]);
    expect(r.status).toBe(0);
    const text = readFileSync(file, 'utf8');
    const heads = text.split('\n').filter((l) => l.startsWith('=== '));
    expect(heads).toHaveLength(2);
    expect(heads[0]).toMatch(/^=== \[1\/2\] pkvm-direct-req-passthrough \(.*pkvm-direct-req-passthrough\.json\): PASS, \d+ events$/);
    expect(heads[1]).toMatch(/^=== \[2\/2\] smc-roundtrip \(.*smc-roundtrip\.json\): PASS, \d+ events$/);
    const first = text.slice(0, text.indexOf(heads[1]!));
    const mark = first.indexOf('--- steps[1] SMC #0 FFA_MSG_SEND_DIRECT_REQ_64');
    expect(mark).toBeGreaterThan(0);
    const after = first.slice(mark).split('\n').slice(1, 4);
    expect(after[0]).toMatch(/EL1 NS -> EL2 +SMC #\d+ FFA_MSG_SEND_DIRECT_REQ_64 0x0000->0x8001$/);
    expect(after[1]).toMatch(/EL2 -> EL3 +SMC #\d+ FFA_MSG_SEND_DIRECT_REQ_64 0x0000->0x8001$/);
    expect(after[2]).toMatch(/EL3 +world switch -> Secure$/);
  }, 60_000);
});

describe('a64el vectors --trace: paths that cannot be written', () => {
  it('a directory that does not exist is a usage error before anything runs, in one line', async () => {
    const bad = join(tmp, 'no-such-dir', 'x.json');
    const r = await cli(['vectors', PKVM_DIRECT, '--trace', bad]);
    expect(r.status).toBe(2);
    expect(r.out).toBe('');   // nothing ran
    expect(r.err).toBe(`a64el vectors: --trace: cannot write ${bad}: directory ${join(tmp, 'no-such-dir')} does not exist\n`);
    expect(existsSync(`${bad}.tmp`)).toBe(false);
  });

  it('a directory as FILE, and a missing value, are usage errors too', async () => {
    const r = await cli(['vectors', PKVM_DIRECT, '--trace', tmp]);
    expect(r.status).toBe(2);
    expect(r.err).toBe(`a64el vectors: --trace: cannot write ${tmp}: it is a directory\n`);
    const m = await cli(['vectors', PKVM_DIRECT, '--trace']);
    expect(m.status).toBe(2);
    expect(m.err).toMatch(/^a64el vectors: .*--trace/);
    expect(m.err).not.toMatch(/\n\s+at /);
  });
});
