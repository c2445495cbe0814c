/**
 * A worker thread of `a64el vectors --jobs N` (parallel.ts): runs the vector files it is sent, one
 * at a time, each on its own machine (files.ts runVectorFile never throws), and posts the results,
 * with the vector's trace part when the job asks for one (`--trace FILE`, vectors/trace.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { VectorRunResult } from './runner.js';
import type { VectorTraceFormat, VectorTracePart } from './trace.js';
import { runTracedFile } from './trace-run.js';

export interface WorkerJob { id: number; file: string; trace?: VectorTraceFormat }
export interface WorkerDone { id: number; result: VectorRunResult; trace: VectorTracePart | null }

parentPort?.on('message', (job: WorkerJob) => {
  const done = runTracedFile(job.file, job.trace);
  parentPort!.postMessage({ id: job.id, ...done } satisfies WorkerDone);
});
