/**
 * Chrome trace event JSON (the "JSON Object Format" of the Trace Event Format document, which
 * ui.perfetto.dev and chrome://tracing open) from recorded trace events:
 *   - one track (tid) per EL and world: "EL3", "S-EL1", "EL2", "EL1 NS", "EL0 NS"... (thread_name
 *     metadata, sorted top-down by privilege);
 *   - residency slices ("B"/"E"): the PE is at one EL and world at a time, so exactly one slice is
 *     open at any moment; each slice is named by how the PE got there (the exception taken, the call
 *     made, or the call whose result it is), and its E repeats the B's name, category and args;
 *   - flow events ("s" -> "f", one id per call) from each SMC/HVC request (inside the slice that
 *     handles it) to its result (inside the caller's slice that resumes with it);
 *   - instant events ("i") for world switches (SCR_EL3.NS flips), on the EL3 track.
 * Time: ts in microseconds = cycles / (cpuHz / 1e6).
 */
import { EC_NAMES } from '../exceptions/kinds.js';
import { trackName } from './calls.js';
import { decodeCall, describeResult, hex16 } from './ffa-decode.js';
import { EventKind, type TraceEvent } from './ring.js';

/** A trace event as written to JSON (only the fields this module uses). */
export interface ChromeTraceEvent {
  name?: string;
  cat?: string;
  ph: 'B' | 'E' | 'i' | 's' | 'f' | 'M';
  ts?: number;
  pid: number;
  tid: number;
  id?: number;
  bp?: 'e';
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ns' | 'ms';
  otherData: Record<string, unknown>;
}

export interface ChromeTraceOptions {
  /** Core clock in Hz (cycles -> µs). */
  cpuHz: number;
  /** Cycle count at which open slices end (default: the last event's). */
  endCycles?: number;
  /** Events lost to ring wrap-around (reported in otherData). */
  dropped?: number;
  processName?: string;
}

export const TRACE_PID = 1;

/** tid of a track: 1 + EL + 4 * secure. EL3 is always Secure. */
export function trackTid(el: number, secure: boolean): number { return 1 + el + (secure || el === 3 ? 4 : 0); }

/** Top-down display order: EL3, S-EL2, S-EL1, S-EL0, EL2, EL1 NS, EL0 NS. */
function sortIndex(el: number, secure: boolean): number {
  if (el === 3) return 0;
  return secure ? 3 - el : 6 - el;
}

const hex = (v: bigint | number): string => `0x${(typeof v === 'bigint' ? v : BigInt(v >>> 0)).toString(16)}`;

interface Slice {
  el: number;
  secure: boolean;
  name: string;
  cat: string;
  start: number;    // cycles
  end: number;
  args: Record<string, unknown>;
  /** Flow starts (call ids) and ends (call ids) inside this slice. */
  flowOut: { id: number; name: string; cat: string }[];
  flowIn: { id: number; name: string; cat: string }[];
}

const KIND_NAMES = ['Sync', 'IRQ', 'FIQ', 'SError'];

/** The name of an exception entry that is not a call. */
function entryName(e: TraceEvent): string {
  const kind = KIND_NAMES[(e.vectorOffset >>> 7) & 3]!;
  if (kind !== 'Sync') return kind;
  return EC_NAMES[e.esr >>> 26] ?? `EC 0x${(e.esr >>> 26).toString(16)}`;
}

/** Build the Chrome trace object from events (oldest first). */
export function toChromeTrace(events: readonly TraceEvent[], opts: ChromeTraceOptions): ChromeTrace {
  const usPerCycle = 1e6 / opts.cpuHz;
  const slices: Slice[] = [];
  const instants: ChromeTraceEvent[] = [];
  const used = new Map<number, { el: number; secure: boolean }>();
  const calls = new Map<number, { name: string; cat: string; fid: number; slice: Slice | null }>();
  let cur: Slice | null = null;
  let last = events.length > 0 ? events[0]!.cycles : 0;

  const open = (el: number, secure: boolean, name: string, cat: string, at: number, args: Record<string, unknown>): Slice => {
    const sl: Slice = { el, secure: secure || el === 3, name, cat, start: at, end: at, args, flowOut: [], flowIn: [] };
    slices.push(sl);
    used.set(trackTid(el, secure), { el, secure: secure || el === 3 });
    return sl;
  };
  const close = (at: number): void => { if (cur !== null) { cur.end = at; cur = null; } };

  for (const e of events) {
    last = e.cycles;
    switch (e.kind) {
      case EventKind.Start:
        close(e.cycles);
        cur = open(e.toEl, e.toSecure, 'trace start', 'state', e.cycles, { pc: hex(e.pc) });
        break;
      case EventKind.Entry: {
        close(e.cycles);
        const args: Record<string, unknown> = {
          from: trackName(e.fromEl, e.fromSecure), vector: hex(e.pc), elr: hex(e.elr), esr: hex(e.esr),
        };
        if (e.conduit !== null) {
          const w1 = Number(e.x[1] & 0xffffffffn);
          const d = decodeCall(Number(e.x[0] & 0xffffffffn), w1);
          const cat = d.ffa ? 'ffa' : 'smccc';
          args['conduit'] = e.conduit;
          args['call'] = e.callId;
          for (let k = 0; k < 4; k++) args[`x${k}`] = hex(e.x[k]!);
          if (d.sender !== undefined) { args['sender'] = hex16(d.sender); args['receiver'] = hex16(d.receiver!); }
          cur = open(e.toEl, e.toSecure, d.name, cat, e.cycles, args);
          calls.set(e.callId, { name: d.name, cat, fid: d.fid, slice: cur });
          cur.flowOut.push({ id: e.callId, name: d.name, cat });
        } else {
          cur = open(e.toEl, e.toSecure, entryName(e), 'exception', e.cycles, args);
        }
        break;
      }
      case EventKind.Return: {
        close(e.cycles);
        const args: Record<string, unknown> = { from: trackName(e.fromEl, e.fromSecure), pc: hex(e.pc) };
        const call = e.callId > 0 ? calls.get(e.callId) : undefined;
        if (call !== undefined) {
          const result = describeResult(call.fid, e.x[0], Number(e.x[1] & 0xffffffffn), Number(e.x[2] & 0xffffffffn));
          args['call'] = e.callId;
          args['result'] = result;
          for (let k = 0; k < 4; k++) args[`x${k}`] = hex(e.x[k]!);
          cur = open(e.toEl, e.toSecure, `${call.name} -> ${result}`, call.cat, e.cycles, args);
          cur.flowIn.push({ id: e.callId, name: call.name, cat: call.cat });
          calls.delete(e.callId);
        } else {
          cur = open(e.toEl, e.toSecure, e.illegal ? 'illegal eret' : 'eret', 'eret', e.cycles, args);
        }
        break;
      }
      case EventKind.WorldSwitch:
        used.set(trackTid(3, true), { el: 3, secure: true });
        instants.push({
          name: `world switch -> ${e.toSecure ? 'Secure' : 'Non-secure'}`, cat: 'world', ph: 'i', s: 't',
          ts: e.cycles * usPerCycle, pid: TRACE_PID, tid: trackTid(3, true),
          args: { to: trackName(e.toEl, e.toSecure), pc: hex(e.pc) },
        });
        break;
      case EventKind.End:
        close(e.cycles);
        break;
    }
  }
  close(Math.max(last, opts.endCycles ?? last));

  // Flow pairs: only calls whose request and result are both in the trace.
  const outIds = new Set<number>(), inIds = new Set<number>();
  for (const sl of slices) { for (const f of sl.flowOut) outIds.add(f.id); for (const f of sl.flowIn) inIds.add(f.id); }

  const out: ChromeTraceEvent[] = [];
  out.push({ name: 'process_name', ph: 'M', pid: TRACE_PID, tid: 0, args: { name: opts.processName ?? 'a64el PE0' } });
  for (const [tid, t] of [...used].sort((a, b) => a[0] - b[0])) {
    out.push({ name: 'thread_name', ph: 'M', pid: TRACE_PID, tid, args: { name: trackName(t.el, t.secure) } });
    out.push({ name: 'thread_sort_index', ph: 'M', pid: TRACE_PID, tid, args: { sort_index: sortIndex(t.el, t.secure) } });
  }
  const timed: ChromeTraceEvent[] = [];
  for (const sl of slices) {
    const tid = trackTid(sl.el, sl.secure);
    const ts0 = sl.start * usPerCycle, ts1 = sl.end * usPerCycle;
    // Flow points strictly inside the slice (half a cycle in, or mid-slice when it is shorter).
    const inside = ts0 + Math.min(0.5 * usPerCycle, (ts1 - ts0) / 2);
    timed.push({ name: sl.name, cat: sl.cat, ph: 'B', ts: ts0, pid: TRACE_PID, tid, args: sl.args });
    for (const f of sl.flowOut) if (inIds.has(f.id)) timed.push({ name: f.name, cat: f.cat, ph: 's', id: f.id, ts: inside, pid: TRACE_PID, tid });
    for (const f of sl.flowIn) if (outIds.has(f.id)) timed.push({ name: f.name, cat: f.cat, ph: 'f', bp: 'e', id: f.id, ts: inside, pid: TRACE_PID, tid });
    // The E repeats its B's name, category and args (the format merges E's args into the slice, so
    // identical ones change nothing). The format lets E go bare (it closes the top of its track's
    // stack), but importers that pair E with B by name (speedscope; older Perfetto JSON importers)
    // then leave slices open to the end of the trace, and speedscope orders a B and an E at the same
    // ts (a zero-length slice, such as the last one) by name and args.
    timed.push({ name: sl.name, cat: sl.cat, ph: 'E', ts: ts1, pid: TRACE_PID, tid, args: sl.args });
  }
  timed.push(...instants);
  // Stable sort by time: per track, E at t precedes the next B at t (slices were emitted in order).
  const order = timed.map((ev, i) => ({ ev, i }));
  order.sort((a, b) => (a.ev.ts! - b.ev.ts!) || (a.i - b.i));
  for (const o of order) out.push(o.ev);
  return {
    traceEvents: out,
    displayTimeUnit: 'ns',
    otherData: { generator: 'a64el', cpuHz: opts.cpuHz, timeUnit: 'ts = cycles / (cpuHz / 1e6)', droppedEvents: opts.dropped ?? 0 },
  };
}
