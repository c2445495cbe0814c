/**
 * src/trace/svg.ts draws a Chrome trace as Perfetto lays it out. Checked on a real trace (the FF-A
 * world: a host FFA_MSG_SEND_DIRECT_REQ_64 through pKVM, EL3, the S-EL1 SPMC and the echo partition):
 * well-formed SVG, one lane per track in Perfetto's top-down order (by thread_sort_index), exactly
 * the slices, flows and instants of the Trace Event Format file that fall in the window, and text
 * escaped. Plus hand-made traces for the format's own rules (nesting, open slices, unknown pids).
 */
import { describe, expect, it } from 'vitest';
import { createWorld, recorderToChromeTrace, wrapMachine } from '../../src/index.js';
import { type ChromeTrace, chromeTraceToSvg, validateChromeTrace } from '../../src/trace/index.js';

const FFA_VERSION = 0x84000063n, FFA_MSG_SEND_DIRECT_REQ_64 = 0xc400006fn;

/** Tags balance, attributes are quoted, entities are the XML ones: enough to catch a broken writer. */
function wellFormed(svg: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = svg.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    if (m[1] === '/') { if (stack.pop() !== m[2]) problems.push(`unbalanced </${m[2]}>`); } else if (m[4] !== '/') stack.push(m[2]!);
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.join('>, <')}>`);
  const stray = body.replace(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, '');
  if (/[<>]/.test(stray)) problems.push('a < or > outside a tag');
  for (const e of stray.matchAll(/&[^;\s]*;?/g)) if (!/^&(amp|lt|gt|quot|apos);$/.test(e[0])) problems.push(`entity ${e[0]}`);
  return problems;
}

function realTrace(): ChromeTrace {
  const world = createWorld({ el2: 'pkvm', boot: 'pkvm-ready' });
  const emu = wrapMachine(world.machine);
  world.boot();
  const rec = emu.traceStart();
  world.smc([FFA_VERSION, 0x10002n]);
  world.smc([FFA_MSG_SEND_DIRECT_REQ_64, 0x8001n, 0n, 0x11n, 0x22n]);
  emu.traceStop();
  return recorderToChromeTrace(rec);
}

describe('chromeTraceToSvg on a real FF-A trace', () => {
  const trace = realTrace();
  it('the trace itself is valid Trace Event Format', () => {
    expect(validateChromeTrace(trace)).toEqual([]);
  });

  it('draws every track top-down by sort index, every slice and every request -> response flow', () => {
    const r = chromeTraceToSvg(trace);
    expect(wellFormed(r.svg)).toEqual([]);
    // The tracks Perfetto would show, in its order (EL3 first, then the secure ELs, then NS).
    const named = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name')
      .map((e) => ({ tid: e.tid, name: String(e.args!['name']) }));
    const order = new Map(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_sort_index').map((e) => [e.tid, Number(e.args!['sort_index'])]));
    expect(r.lanes).toEqual([...named].sort((a, b) => order.get(a.tid)! - order.get(b.tid)!).map((t) => t.name));
    expect(r.lanes[0]).toBe('EL3');
    expect(r.lanes).toEqual(expect.arrayContaining(['EL2', 'S-EL1', 'EL1 NS']));
    // Whole trace: every B/E pair is a box, every s/f pair an arrow, every i a tick.
    const count = (ph: string): number => trace.traceEvents.filter((e) => e.ph === ph).length;
    expect(r.slices).toBe(count('B'));
    expect(r.flows).toBe(count('f'));
    expect(r.instants).toBe(count('i'));
    expect(r.flows).toBeGreaterThan(0);
    expect((r.svg.match(/<rect [^>]*fill="#(?!fff|f6f6f6|ececec)/g) ?? []).length).toBe(r.slices);
    expect((r.svg.match(/marker-end="url\(#arrow\)"/g) ?? []).length).toBe(r.flows);
    // The direct request is on the picture, by name.
    expect(r.svg).toContain('FFA_MSG_SEND_DIRECT_REQ_64');
  });

  it('a window keeps only what overlaps it', () => {
    const b = trace.traceEvents.filter((e) => e.ph === 'B');
    const mid = b[Math.floor(b.length / 2)]!.ts!;
    const r = chromeTraceToSvg(trace, { from: mid, to: mid + 0.05 });
    expect(wellFormed(r.svg)).toEqual([]);
    expect(r.slices).toBeGreaterThan(0);
    expect(r.slices).toBeLessThan(b.length);
  });
});

describe('chromeTraceToSvg: the format\'s rules', () => {
  const meta = (tid: number, name: string, sort: number): ChromeTrace['traceEvents'] => [
    { name: 'thread_name', ph: 'M', pid: 1, tid, args: { name } },
    { name: 'thread_sort_index', ph: 'M', pid: 1, tid, args: { sort_index: sort } },
  ];
  it('nests B/E per track, runs a slice left open to the end, escapes names, ignores other pids', () => {
    const t: ChromeTrace = {
      displayTimeUnit: 'ns', otherData: {},
      traceEvents: [
        ...meta(2, 'low <NS>', 5), ...meta(8, 'EL3 & co', 0),
        { name: 'outer', ph: 'B', ts: 0, pid: 1, tid: 2 },
        { name: 'inner "x"', ph: 'B', ts: 1, pid: 1, tid: 2 },
        { ph: 'E', ts: 2, pid: 1, tid: 2 },
        { ph: 'E', ts: 3, pid: 1, tid: 2 },
        { name: 'open', ph: 'B', ts: 3, pid: 1, tid: 8 },
        { name: 'req', ph: 's', id: 7, ts: 0.5, pid: 1, tid: 2 },
        { name: 'req', ph: 'f', bp: 'e', id: 7, ts: 3.5, pid: 1, tid: 8 },
        { name: 'elsewhere', ph: 'B', ts: 0, pid: 2, tid: 2 },
        { ph: 'E', ts: 9, pid: 1, tid: 8 },
      ],
    };
    // The last E closes "open" at 9; a second trace leaves it open to the last timestamp.
    const r = chromeTraceToSvg(t);
    expect(wellFormed(r.svg)).toEqual([]);
    expect(r.lanes).toEqual(['EL3 & co', 'low <NS>']);
    expect(r.slices).toBe(3);
    expect(r.flows).toBe(1);
    expect(r.svg).toContain('EL3 &amp; co');
    expect(r.svg).toContain('inner &quot;x&quot;');
    expect(r.svg).not.toContain('elsewhere');
    const open = chromeTraceToSvg({ ...t, traceEvents: t.traceEvents.slice(0, -1) });
    expect(open.slices).toBe(3);
    expect(open.svg).toMatch(/<title>open \(0\.5 µs\)<\/title>/);
  });
});
