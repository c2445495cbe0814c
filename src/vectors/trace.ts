/**
 * `a64el vectors --trace FILE`: a trace of every vector of a suite, in one file.
 *
 * Each vector runs on its own fresh machine, so each gets its own recorder (trace/recorder.ts),
 * attached before anything runs: a call vector's trace starts at reset and shows the firmware boot,
 * pKVM's init hypercalls and then every step; an image vector's shows the image from reset. What is
 * recorded is what `a64el run --trace` records: exception entries and returns, SMC/HVC calls with
 * their FF-A decoding paired with their results, and world switches (SCR_EL3.NS flips).
 *
 * One vector's recording becomes a `VectorTracePart` where it ran (the main thread, or the worker
 * thread of `--jobs N`: plain data, posted back as it is), and the parts are joined in file order,
 * so a parallel run writes the same file as a sequential one:
 *   - Chrome trace JSON (FILE ends in .json): one process per vector (pid = its position in the run,
 *     from 1), named after the vector, failed ones marked "[FAIL]", ordered as the files are
 *     (process_sort_index). Inside it the tracks of `run --trace`: one per EL and world, residency
 *     slices, flow arrows from each call to its result, world-switch instants; plus one instant per
 *     call-vector step ("steps[2] SMC #0 FFA_MSG_SEND_DIRECT_REQ_64") on the host's track (EL1 NS),
 *     where the runner issued it, and for a failed vector a `FAIL: message` instant where its trace
 *     ends. Every vector's clock starts at its own reset (ts = cycles of that
 *     machine / (cpuHz / 1e6)), so cycle figures match the `PASS ... cycles` line. Flow ids are
 *     renumbered to be unique in the file (the Trace Event Format pairs "s"/"f" by category and id).
 *   - otherwise the text timeline, one section per vector under a `=== [i/n] NAME (FILE): PASS`
 *     header (a failed one: FAIL, then the reporter's message), with `--- steps[2] ...` lines where
 *     steps began.
 * This module imports nothing from Node (it runs in workers and bundles with the runners); writing
 * the file is src/cli/trace-file.ts's.
 */
import type { Machine } from '../machine/machine.js';
import { smcFunctionName } from '../ffa/abi.js';
import { type ChromeTraceEvent, TraceRecorder, textTimeline, toChromeTrace, trackTid } from '../trace/index.js';
import type { Step } from './parse.js';

export type VectorTraceFormat = 'json' | 'text';

/** The format for a trace file name: Chrome trace JSON for *.json, else the text timeline. */
export function traceFormatOf(path: string): VectorTraceFormat {
  return path.toLowerCase().endsWith('.json') ? 'json' : 'text';
}

/**
 * Events kept per vector (a ring of ~290 KB): the vectors in test/vectors record 37 on average and
 * 129 at most; beyond this the oldest are dropped and counted (stderr line, otherData, text header).
 * Each vector gets a fresh ring, so a larger one costs its allocation per vector: 1 << 14 made a
 * traced run of test/vectors take ~20% more CPU than an untraced one.
 */
export const VECTOR_TRACE_CAPACITY = 1 << 12;

/** One vector's trace, as plain data (structured-clone safe: it crosses from worker threads). */
export interface VectorTracePart {
  format: VectorTraceFormat;
  /** json: the vector's Chrome trace events, pid 1, its own call ids as flow ids. */
  events: ChromeTraceEvent[];
  /** json: the largest flow id in `events` (0 if none). */
  maxFlowId: number;
  /** text: the timeline, step lines included. */
  text: string;
  /** Events recorded and kept, and events lost to the ring wrapping. */
  recorded: number;
  dropped: number;
  cpuHz: number;
}

/** Short description of a step for its marker: `steps[2] SMC #0 FFA_MSG_SEND_DIRECT_REQ_64`. */
export function stepLabel(step: Step): string {
  switch (step.kind) {
    case 'smc': case 'hvc': {
      const x0 = step.regs.find((r) => r.index === 0)?.value;
      const fid = typeof x0 === 'bigint' ? Number(x0 & 0xffff_ffffn) : typeof x0 === 'number' ? x0 >>> 0 : undefined;
      const name = fid === undefined ? (x0 === undefined ? 'x0=0' : `x0=$${(x0 as { capture: string }).capture}`)
        : smcFunctionName(fid) ?? `x0=0x${fid.toString(16).padStart(8, '0')}`;
      return `${step.path} ${step.kind.toUpperCase()} #${step.imm} ${name}`;
    }
    case 'pkvm': return `${step.path} pkvm ${step.action === 'init' ? '__pkvm_init' : '__pkvm_prot_finalize'}`;
    case 'write': return `${step.path} host write ${step.bytes.length} bytes at 0x${step.addr.toString(16)}`;
    case 'expectMemory': return `${step.path} host read ${step.bytes.length} bytes at 0x${step.addr.toString(16)}`;
  }
}

/**
 * Records one vector. Pass `onMachine` and `onStep` to the runner (RunCallOptions), then `finish()`
 * once the vector has run: null when no machine was built (an unreadable or invalid file).
 */
export class VectorTraceCapture {
  private rec: TraceRecorder | null = null;
  /** Step starts: cycle count and ring position (events written before the step). */
  private readonly steps: { cycles: number; written: number; label: string }[] = [];

  constructor(readonly format: VectorTraceFormat, readonly capacity = VECTOR_TRACE_CAPACITY) {}

  /** The machine exists and nothing has run yet (before a call vector's boot, before an image's reset). */
  readonly onMachine = (m: Machine): void => {
    this.rec?.stop();
    this.rec = new TraceRecorder(m.cpu, { capacity: this.capacity }).start();
    this.steps.length = 0;
  };

  /** A call-vector step is about to run. */
  readonly onStep = (_index: number, step: Step): void => {
    const r = this.rec;
    if (r !== null) this.steps.push({ cycles: r.cpu.cycles, written: r.ring.written, label: stepLabel(step) });
  };

  finish(): VectorTracePart | null {
    const r = this.rec;
    if (r === null) return null;
    this.rec = null;
    r.stop();
    const events = r.ring.events();
    const dropped = r.ring.dropped;
    const part: VectorTracePart = { format: this.format, events: [], maxFlowId: 0, text: '', recorded: events.length, dropped, cpuHz: r.cpuHz };
    if (this.format === 'json') {
      const t = toChromeTrace(events, { cpuHz: r.cpuHz, endCycles: r.cpu.cycles, dropped });
      const us = 1e6 / r.cpuHz;
      const host = trackTid(1, false);
      const marks: ChromeTraceEvent[] = this.steps.map((s) => ({
        name: s.label, cat: 'step', ph: 'i', s: 't', ts: s.cycles * us, pid: 1, tid: host,
      }));
      // Metadata first, then everything timed in time order; a marker follows what happened at its
      // own cycle (so it lies inside the host slice that is open when the step starts).
      const meta = t.traceEvents.filter((e) => e.ph === 'M');
      const timed = t.traceEvents.filter((e) => e.ph !== 'M');
      const merged: ChromeTraceEvent[] = [];
      let k = 0;
      for (const e of timed) {
        while (k < marks.length && marks[k]!.ts! < e.ts!) merged.push(marks[k++]!);
        merged.push(e);
      }
      while (k < marks.length) merged.push(marks[k++]!);
      part.events = [...meta, ...merged];
      for (const e of part.events) if ((e.ph === 's' || e.ph === 'f') && typeof e.id === 'number' && e.id > part.maxFlowId) part.maxFlowId = e.id;
    } else {
      part.text = withStepLines(textTimeline(events, { dropped }), r.ring.written - events.length, dropped > 0, this.steps);
    }
    return part;
  }
}

/**
 * Insert `--- LABEL` lines into a text timeline before the first event of each step. text.ts writes
 * one line per event (after one "dropped" line when events were lost), so event k is line k.
 */
function withStepLines(text: string, firstWritten: number, droppedLine: boolean, steps: readonly { cycles: number; written: number; label: string }[]): string {
  if (steps.length === 0) return text;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const head = droppedLine ? 1 : 0;
  const out: string[] = lines.slice(0, head);
  let s = 0;
  for (let k = head; k <= lines.length; k++) {
    const written = firstWritten + (k - head);   // ring position of the event on line k
    while (s < steps.length && steps[s]!.written <= written) {
      if (steps[s]!.written >= firstWritten) out.push(`${String(steps[s]!.cycles).padStart(12)}  --- ${steps[s]!.label}`);
      s++;
    }
    if (k < lines.length) out.push(lines[k]!);
  }
  return out.map((l) => `${l}\n`).join('');
}

/** Who a part belongs to, for joining. */
export interface VectorTraceOwner {
  /** 0-based position of the vector in the run (file order). */
  index: number;
  total: number;
  name: string;
  file: string;
  passed: boolean;
  /** Why it failed (the reporter's message), shown in the trace when it did. */
  message?: string;
}

const oneLine = (m: string): string => m.replace(/\s*\n\s*/g, ' ');

/** The process name of a vector in the Chrome trace. */
export function vectorProcessName(o: VectorTraceOwner): string {
  return o.passed ? o.name : `${o.name} [FAIL]`;
}

/**
 * Joins parts, in file order, into one trace, handing out the text to write piece by piece: the
 * head, each part's piece, then the tail (Chrome JSON: `{"traceEvents":[...], ...}`).
 */
export class VectorTraceJoiner {
  private flowBase = 0;
  private first = true;
  vectors = 0;
  recorded = 0;
  dropped = 0;
  private readonly hz = new Set<number>();

  constructor(readonly format: VectorTraceFormat) {}

  head(): string { return this.format === 'json' ? '{"traceEvents":[\n' : ''; }

  /** The piece for one vector's part. */
  piece(part: VectorTracePart, o: VectorTraceOwner): string {
    this.vectors++;
    this.recorded += part.recorded;
    this.dropped += part.dropped;
    this.hz.add(part.cpuHz);
    if (this.format === 'text') {
      const head = `=== [${o.index + 1}/${o.total}] ${o.name} (${o.file}): ${o.passed ? 'PASS' : 'FAIL'}, ${part.recorded} events\n`;
      const why = !o.passed && o.message !== undefined && o.message !== '' ? `    ${oneLine(o.message)}\n` : '';
      return `${this.vectors > 1 ? '\n' : ''}${head}${why}${part.text}`;
    }
    const pid = o.index + 1;
    const out: string[] = [];
    const emit = (e: ChromeTraceEvent): void => { out.push(`${this.first ? '' : ',\n'}${JSON.stringify(e)}`); this.first = false; };
    emit({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: vectorProcessName(o), file: o.file } });
    emit({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: o.index } });
    let last: ChromeTraceEvent | null = null;
    for (const e of part.events) {
      if (e.ph === 'M' && e.name === 'process_name') continue;
      const c: ChromeTraceEvent = { ...e, pid };
      if ((e.ph === 's' || e.ph === 'f') && typeof e.id === 'number') c.id = e.id + this.flowBase;
      if (e.ph === 'B' && (last === null || e.ts! >= last.ts!)) last = e;
      emit(c);
    }
    // A failed vector: its message as an instant where the trace ends, on the track the PE was on.
    if (!o.passed && o.message !== undefined && o.message !== '' && last !== null) {
      const end = part.events.reduce((m, e) => (e.ts !== undefined && e.ts > m ? e.ts : m), 0);
      emit({ name: `FAIL: ${oneLine(o.message)}`, cat: 'result', ph: 'i', s: 't', ts: end, pid, tid: last.tid });
    }
    this.flowBase += part.maxFlowId;
    return out.join('');
  }

  tail(): string {
    if (this.format === 'text') return '';
    const hz = [...this.hz];
    const other = {
      generator: 'a64el vectors', vectors: this.vectors,
      ...(hz.length === 1 ? { cpuHz: hz[0] } : { cpuHz: hz }),
      timeUnit: 'ts = cycles / (cpuHz / 1e6), from each vector\'s reset',
      droppedEvents: this.dropped,
    };
    return `\n],\n"displayTimeUnit":"ns",\n"otherData":${JSON.stringify(other)}}\n`;
  }
}
