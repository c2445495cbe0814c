/**
 * A worker thread of `a64el vectors --jobs N` (parallel.ts): runs the vector files it is sent, one
 * at a time, each on its own machine (files.ts runVectorFile never throws), and posts the results.
 */
import { parentPort } from 'node:worker_threads';
import { runVectorFile } from './files.js';

export interface WorkerJob { id: number; file: string }
export interface WorkerDone { id: number; result: ReturnType<typeof runVectorFile> }

parentPort?.on('message', (job: WorkerJob) => {
  const result = runVectorFile(job.file);
  parentPort!.postMessage({ id: job.id, result } satisfies WorkerDone);
});
