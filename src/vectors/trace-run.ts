/**
 * Run one vector file with its trace recorded (`a64el vectors --trace FILE`): the one code path of
 * the sequential run and of the worker threads (parallel-worker.ts), so both record the same trace.
 * Node side (reads files through files.ts); the recording itself is vectors/trace.ts.
 */
import { runVectorFile } from './files.js';
import type { VectorRunResult } from './runner.js';
import { type VectorTraceFormat, type VectorTracePart, VectorTraceCapture } from './trace.js';

/** Run `file`; with `trace`, also its trace part (null when no machine was built: an invalid file). */
export function runTracedFile(file: string, trace: VectorTraceFormat | undefined): { result: VectorRunResult; trace: VectorTracePart | null } {
  if (trace === undefined) return { result: runVectorFile(file), trace: null };
  const cap = new VectorTraceCapture(trace);
  const result = runVectorFile(file, { onMachine: cap.onMachine, onStep: cap.onStep });
  return { result, trace: cap.finish() };
}
