/**
 * Running vector files on several worker threads (`a64el vectors --jobs N`) and splitting them into
 * shards for several CI machines (`--shard i/n`). Results come back in file order whatever order the
 * workers finish in, so reports are identical to a sequential run's.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { VectorRunResult } from './runner.js';
import type { WorkerDone, WorkerJob } from './parallel-worker.js';
import type { VectorTraceFormat, VectorTracePart } from './trace.js';

export interface ParallelOptions {
  /** Record each vector's trace in this format (vectors/trace.ts); it comes back with its result. */
  trace?: VectorTraceFormat;
  /** A file was handed to a worker (progress bars). */
  onStart?: (index: number, file: string) => void;
}

/** Shard `index` (1-based) of `count`. */
export interface Shard { index: number; count: number }

/** Parse "i/n" (1 <= i <= n); null if malformed. */
export function parseShard(text: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (m === null) return null;
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return null;
  return { index, count };
}

/**
 * The files of shard i/n: every n-th file starting at the i-th, from the sorted list, so shards are
 * disjoint, cover everything together, and stay balanced as files are added.
 */
export function shardFiles<T>(files: readonly T[], shard: Shard): T[] {
  return files.filter((_, k) => k % shard.count === shard.index - 1);
}

/** A sensible default for --jobs: the available parallelism (at least 1). */
export function defaultJobs(): number { return Math.max(1, availableParallelism()); }

/** Start one worker: the compiled .js next to this module, or the .ts source through tsx. */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new Worker(new URL('./parallel-worker.js', here));
  // Running from TypeScript sources (tsx, vitest): the worker registers tsx's loader first.
  let api: string;
  try {
    const resolved = createRequire(fileURLToPath(here)).resolve('tsx/esm/api');
    api = pathToFileURL(resolved.replace(/\.cjs$/, '.mjs')).href;
  } catch {
    throw new Error('parallel vector runs from TypeScript sources need tsx (npm i -D tsx), or run the built CLI (dist/)');
  }
  const target = new URL('./parallel-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`, { eval: true });
}

/**
 * Run `files` on `jobs` worker threads. `onResult` is called in file order (a result waits for the
 * ones before it), with the vector's trace part when `opts.trace` asks for traces. Resolves with the
 * results in file order. A worker that dies fails the file it was running (with the error) and is
 * replaced. Rejects only when no worker thread can be started at all.
 */
export async function runVectorsParallel(
  files: readonly string[], jobs: number, onResult?: (r: VectorRunResult, trace: VectorTracePart | null) => void,
  opts: ParallelOptions = {},
): Promise<VectorRunResult[]> {
  const results: (VectorRunResult | undefined)[] = new Array(files.length);
  const traces: (VectorTracePart | null)[] = new Array(files.length).fill(null);
  let next = 0, emitted = 0, active = 0;
  const n = Math.max(1, Math.min(jobs, files.length));
  return new Promise((resolve) => {
    const emit = (): void => {
      while (emitted < files.length && results[emitted] !== undefined) {
        const r = results[emitted]!, t = traces[emitted]!;
        traces[emitted] = null;   // handed over: not kept for the whole run
        emitted++;
        if (onResult !== undefined) onResult(r, t);
      }
      if (emitted === files.length && active === 0) resolve(results as VectorRunResult[]);
    };
    const feed = (w: Worker, slot: { id: number }): void => {
      if (next >= files.length) { slot.id = -1; active--; void w.terminate(); emit(); return; }
      slot.id = next++;
      opts.onStart?.(slot.id, files[slot.id]!);
      w.postMessage({ id: slot.id, file: files[slot.id]!, ...(opts.trace === undefined ? {} : { trace: opts.trace }) } satisfies WorkerJob);
    };
    const spawn = (): void => {
      active++;
      const w = startWorker();
      const slot = { id: -1 };
      w.on('message', (m: WorkerDone) => { results[m.id] = m.result; traces[m.id] = m.trace; emit(); feed(w, slot); });
      w.on('error', (err) => {
        if (slot.id >= 0) {
          const file = files[slot.id]!;
          results[slot.id] = {
            name: file, file, passed: false, message: `${file}: worker thread failed: ${err.message}`, uart: '', exitCode: null,
            instructions: 0, cycles: 0, kind: 'invalid', stepsPassed: 0, steps: 0, failedStep: null,
          };
          slot.id = -1;
        }
        active--;
        if (next < files.length) spawn();
        emit();
      });
      feed(w, slot);
    };
    if (files.length === 0) { resolve([]); return; }
    for (let i = 0; i < n; i++) spawn();
  });
}
