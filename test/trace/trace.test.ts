/**
 * Traces: the ring buffer recorder, the Chrome trace event JSON that ui.perfetto.dev opens, and the
 * text timeline -- on a committed image and on the real FF-A world (calls forwarded through EL2 and
 * EL3 to the SPMC at S-EL1, world switches). Every exported trace is checked against the Trace Event
 * Format rules (validate.ts), and the validator is shown to catch each kind of mistake.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as A from '../../src/ffa/abi.js';
import { Machine } from '../../src/machine/machine.js';
import { loadElf } from '../../src/machine/load.js';
import { createWorld } from '../../src/machine/world.js';
import {
  EventKind, type ChromeTrace, type ChromeTraceEvent, TraceRecorder, recorderToChromeTrace, recorderToText, startTrace, toChromeTrace,
  validateChromeTrace,
} from '../../src/trace/index.js';

const IMAGES = join(import.meta.dirname, '../../firmware-images/build');
const U = (v: number): bigint => BigInt(v >>> 0);

function image(name: string): Machine {
  const m = new Machine();
  loadElf(m, readFileSync(join(IMAGES, name)), name);
  return m;
}

const threads = (t: ChromeTrace): Map<number, string> =>
  new Map(t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, (e.args as { name: string }).name]));
const slices = (t: ChromeTrace, track: string): ChromeTraceEvent[] => {
  const tid = [...threads(t)].find(([, n]) => n === track)?.[0];
  return t.traceEvents.filter((e) => e.ph === 'B' && e.tid === tid);
};

describe('an image: el-drop (EL3 -> EL2 -> EL1 -> EL0 by ERET, SVC back to EL1)', () => {
  const m = image('el-drop.elf');
  const rec = startTrace(m.cpu);
  const run = m.run();
  rec.stop();
  const trace = recorderToChromeTrace(rec);

  it('records the transitions in order, with cycles', () => {
    expect(run.reason).toBe(1);
    const ev = rec.ring.events();
    expect(ev.map((e) => e.kind)).toEqual([
      EventKind.Start, EventKind.Return, EventKind.WorldSwitch, EventKind.Return, EventKind.Return, EventKind.Return, EventKind.Entry, EventKind.End,
    ]);
    const svc = ev[6]!;
    expect([svc.fromEl, svc.fromSecure, svc.toEl, svc.esr, svc.pc, svc.elr]).toEqual([0, false, 1, 0x56000000, 0x40002400n, 0x400005ccn]);
    for (let i = 1; i < ev.length; i++) expect(ev[i]!.cycles).toBeGreaterThanOrEqual(ev[i - 1]!.cycles);
    expect(ev.at(-1)!.cycles).toBe(m.cpu.cycles);
  });

  it('exports valid Chrome trace JSON: one track per EL and world, slices timed in cycles', () => {
    expect(validateChromeTrace(JSON.parse(JSON.stringify(trace)))).toEqual([]);
    expect([...threads(trace).values()].sort()).toEqual(['EL0 NS', 'EL1 NS', 'EL2', 'EL3']);
    // ts = cycles / (cpuHz / 1e6): the SVC's slice on EL1 NS starts at its entry cycle.
    const svc = rec.ring.events()[6]!;
    const s = slices(trace, 'EL1 NS').find((e) => e.name === 'SVC (AArch64)')!;
    expect(s.ts).toBeCloseTo(svc.cycles / (m.cpu.cpuHz / 1e6), 9);
    expect(s.args).toMatchObject({ from: 'EL0 NS', esr: '0x56000000', elr: '0x400005cc', vector: '0x40002400' });
    expect(trace.traceEvents.filter((e) => e.ph === 'i').map((e) => e.name)).toEqual(['world switch -> Non-secure']);
    expect(trace.otherData).toMatchObject({ cpuHz: m.cpu.cpuHz, droppedEvents: 0 });
  });

  it('renders a text timeline', () => {
    const text = recorderToText(rec);
    expect(text).toMatch(/^\s+0 {2}EL3 {15}trace start PC=0x40000000$/m);
    expect(text).toMatch(/EL3 -> EL2 {8}eret PC=0x400004f0$/m);
    expect(text).toMatch(/EL0 NS -> EL1 NS {2}SVC \(AArch64\) ESR=0x56000000 ELR=0x400005cc$/m);
    expect(text.trim().split('\n')).toHaveLength(8);
  });

  it('stop() frees the CPU observer slots (no cost afterwards)', () => {
    expect(m.cpu.onExceptionEntry).toBeNull();
    expect(m.cpu.onExceptionReturn).toBeNull();
  });
});

describe('the FF-A world: a direct request from the host to partition 0x8001 through pKVM, the SPMD and the SPMC', () => {
  const world = createWorld({ el2: 'pkvm', boot: 'pkvm-ready' } as never);
  const rec = new TraceRecorder(world.machine.cpu).start();
  world.boot();
  world.smc([U(A.FFA_VERSION), 0x10002n]);
  world.smc([U(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, 1n, 2n, 3n]);
  rec.stop();
  const trace = recorderToChromeTrace(rec, 'a64el test');
  const text = recorderToText(rec);

  it('is valid, with tracks for every EL and world that ran', () => {
    expect(validateChromeTrace(JSON.parse(JSON.stringify(trace)))).toEqual([]);
    expect([...threads(trace).values()].sort()).toEqual(['EL1 NS', 'EL2', 'EL3', 'S-EL0', 'S-EL1']);
    expect(trace.traceEvents.find((e) => e.name === 'process_name')!.args).toEqual({ name: 'a64el test' });
  });

  it('names the calls and their results; flows pair each request with its result', () => {
    const el2 = slices(trace, 'EL2').map((e) => e.name);
    expect(el2).toContain('FFA_MSG_SEND_DIRECT_REQ_64');                     // the host's SMC, trapped to EL2
    const host = slices(trace, 'EL1 NS').map((e) => e.name);
    expect(host).toContain('FFA_MSG_SEND_DIRECT_REQ_64 -> FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000');
    expect(host).toContain('FFA_VERSION -> v1.2');
    const sel1 = slices(trace, 'S-EL1').map((e) => e.name);
    expect(sel1).toContain('FFA_MSG_WAIT -> FFA_MSG_SEND_DIRECT_REQ 0xffff->0x8000');   // SPMD's framework message at boot
    const flows = trace.traceEvents.filter((e) => e.ph === 's' || e.ph === 'f');
    const starts = flows.filter((e) => e.ph === 's'), finishes = flows.filter((e) => e.ph === 'f');
    expect(starts.length).toBe(finishes.length);
    expect(starts.length).toBeGreaterThanOrEqual(8);
    const tid = (name: string): number => [...threads(trace)].find(([, n]) => n === name)![0];
    // The host's direct request: starts in EL2's handling slice, ends in the host's resumed slice.
    const direct = finishes.filter((e) => e.name === 'FFA_MSG_SEND_DIRECT_REQ_64' && e.tid === tid('EL1 NS'));
    expect(direct).toHaveLength(1);
    const start = starts.find((e) => e.id === direct[0]!.id)!;
    expect(start.tid).toBe(tid('EL2'));
    expect(start.ts!).toBeLessThan(direct[0]!.ts!);
    expect(direct[0]!.bp).toBe('e');
  });

  it('marks world switches (SCR_EL3.NS flips) on the EL3 track', () => {
    const ws = trace.traceEvents.filter((e) => e.ph === 'i');
    expect(ws.length).toBeGreaterThanOrEqual(6);
    expect(new Set(ws.map((e) => e.tid))).toEqual(new Set([[...threads(trace)].find(([, n]) => n === 'EL3')![0]]));
    const names = ws.map((e) => e.name);
    for (let i = 1; i < names.length; i++) expect(names[i]).not.toBe(names[i - 1]);   // they alternate
  });

  it('the text timeline pairs calls and results by id', () => {
    const req = /SMC #(\d+) FFA_MSG_SEND_DIRECT_REQ_64 0x0000->0x8001$/m.exec(text);
    expect(req).not.toBeNull();
    expect(text).toContain(`ret #${req![1]} FFA_MSG_SEND_DIRECT_REQ_64 = FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000`);
    expect(text).toMatch(/EL3 -> S-EL1 +ret #\d+ FFA_SUCCESS = FFA_MSG_SEND_DIRECT_REQ_64 0x0000->0x8001/);
  });
});

describe('ring wrap-around', () => {
  it('keeps the newest events, counts the dropped ones, and still exports a valid trace', () => {
    const world = createWorld({ el2: 'pkvm', boot: 'pkvm-ready' } as never);
    const rec = new TraceRecorder(world.machine.cpu, { capacity: 20 }).start();
    world.boot();
    world.smc([U(A.FFA_VERSION), 0x10002n]);
    for (let i = 0; i < 5; i++) world.smc([U(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, BigInt(i)]);
    rec.stop();
    expect(rec.ring.capacity).toBe(32);
    expect(rec.ring.size).toBe(32);
    expect(rec.ring.dropped).toBeGreaterThan(0);
    const t = recorderToChromeTrace(rec);
    expect(validateChromeTrace(t)).toEqual([]);
    expect(t.otherData['droppedEvents']).toBe(rec.ring.dropped);
    expect(recorderToText(rec)).toMatch(/^\(\d+ older events dropped: the ring buffer wrapped\)$/m);
  });
});

describe('the validator catches what Perfetto would mangle', () => {
  const ok = (): ChromeTraceEvent[] => [
    { ph: 'M', name: 'thread_name', pid: 1, tid: 1, args: { name: 'EL1 NS' } },
    { ph: 'B', name: 'a', ts: 0, pid: 1, tid: 1 },
    { ph: 's', name: 'c', cat: 'ffa', id: 1, ts: 0.5, pid: 1, tid: 1 },
    { ph: 'E', ts: 1, pid: 1, tid: 1 },
    { ph: 'B', name: 'b', ts: 1, pid: 1, tid: 2 },
    { ph: 'f', bp: 'e', name: 'c', cat: 'ffa', id: 1, ts: 1.5, pid: 1, tid: 2 },
    { ph: 'E', ts: 2, pid: 1, tid: 2 },
  ];
  const check = (evs: ChromeTraceEvent[]): string[] => validateChromeTrace({ traceEvents: evs, displayTimeUnit: 'ns', otherData: {} });
  it('accepts a well-formed trace', () => { expect(check(ok())).toEqual([]); });
  it('rejects each mistake', () => {
    expect(validateChromeTrace({})).toEqual(['not a JSON object with a traceEvents array']);
    let e = ok(); e.splice(3, 1);
    expect(check(e).join()).toMatch(/never ends/);
    e = ok(); e.push({ ph: 'E', ts: 3, pid: 1, tid: 3 });
    expect(check(e).join()).toMatch(/no open B/);
    e = ok(); e[3] = { ph: 'E', name: 'not-a', ts: 1, pid: 1, tid: 1 };   // a named E must name its B (speedscope pairs by name)
    expect(check(e).join()).toMatch(/E "not-a" on track 1\/1 at 1 closes B "a"/);
    e = ok(); e[3] = { ph: 'E', name: 'a', ts: 1, pid: 1, tid: 1 };
    expect(check(e)).toEqual([]);
    e = ok(); e.splice(5, 1);
    expect(check(e).join()).toMatch(/1 start\(s\), 0 finish/);
    e = ok(); e[5]!.ts = 0.2; e[5]!.tid = 1;
    expect(check(e).join()).toMatch(/starts after it finishes/);
    e = ok(); e[2]!.ts = 5;
    expect(check(e).join()).toMatch(/not inside a slice/);
    e = ok(); delete (e[1] as { name?: string }).name;
    expect(check(e).join()).toMatch(/B without a name/);
    e = ok(); e[1]!.ts = -1;
    expect(check(e).join()).toMatch(/bad ts/);
    e = ok(); delete (e[2] as { id?: number }).id;
    expect(check(e).join()).toMatch(/flow without id/);
  });
  it('toChromeTrace of no events is still valid', () => {
    expect(validateChromeTrace(toChromeTrace([], { cpuHz: 1e9 }))).toEqual([]);
  });
});
