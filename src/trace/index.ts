/**
 * Traces (no Node imports: bundles for browsers): record exception entries/returns, SMC/HVC calls
 * with their results and world switches into a ring buffer, export them as Chrome trace event JSON
 * for ui.perfetto.dev or as a text timeline.
 */
import { TraceRecorder, type TraceRecorderOptions } from './recorder.js';
import { type ChromeTrace, toChromeTrace } from './perfetto.js';
import { textTimeline } from './text.js';

export { TraceRecorder, type TraceRecorderOptions } from './recorder.js';
export { EventKind, TraceRing, type TraceEvent } from './ring.js';
export { type ChromeTrace, type ChromeTraceEvent, type ChromeTraceOptions, toChromeTrace, trackTid } from './perfetto.js';
export { textTimeline } from './text.js';
export { type TraceSvg, type TraceSvgOptions, chromeTraceToSvg } from './svg.js';
export { validateChromeTrace } from './validate.js';
export { addExceptionListener, type ExceptionListener } from './observers.js';
export { trackName } from './calls.js';
export { decodeCall, describeResult, type DecodedCall } from './ffa-decode.js';

/** The recorder's events as a Chrome trace object (open slices end at the CPU's current cycle count). */
export function recorderToChromeTrace(rec: TraceRecorder, processName?: string): ChromeTrace {
  return toChromeTrace(rec.ring.events(), {
    cpuHz: rec.cpuHz, endCycles: rec.cpu.cycles, dropped: rec.ring.dropped,
    ...(processName === undefined ? {} : { processName }),
  });
}

/** The recorder's events as a text timeline. */
export function recorderToText(rec: TraceRecorder): string {
  return textTimeline(rec.ring.events(), { dropped: rec.ring.dropped });
}

/** Convenience: a recorder already started on `cpu`. */
export function startTrace(cpu: TraceRecorder['cpu'], opts: TraceRecorderOptions = {}): TraceRecorder {
  return new TraceRecorder(cpu, opts).start();
}
