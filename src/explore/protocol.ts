/** Messages and shared counters between the explorer and its workers (worker.ts, explore.ts). */
import type { MessagePort } from 'node:worker_threads';
import type { PoolStats } from './pool.js';
import type { DeriveOptions, Rule } from './rules.js';
import type { RunOutcome } from './runner.js';
import type { RunSpec } from './space.js';

/** Int32 slots of the shared control buffer: work items are taken with Atomics.add. */
export const CTL_NEXT = 0;      // next chunk of runs
export const CTL_NEXT_RULE = 1; // next rule task
export const CTL_WORDS = 2;

export interface WorkerData {
  specs: RunSpec[];
  chunkSize: number;
  ctl: SharedArrayBuffer;
  port: MessagePort;
  /** The module to run (worker-tsx.mjs only: the TypeScript worker's URL). */
  entry?: string;
}

/** One rule to derive: its name and, per run id, whether the target holds (1) or not (0). */
export interface RuleTask {
  name: string;
  target: Uint8Array;
}

/** Parent to worker, after every worker reported 'runs-done'. */
export type ParentMessage =
  | { type: 'rules'; tasks: RuleTask[]; opts: DeriveOptions }
  | { type: 'exit' };

/** Worker to parent. */
export type WorkerMessage =
  | { type: 'results'; outcomes: RunOutcome[] }
  | { type: 'runs-done'; stats: PoolStats }
  | { type: 'rule'; index: number; rule: Rule }
  | { type: 'rules-done' }
  | { type: 'error'; message: string; stack: string };
