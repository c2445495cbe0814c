/**
 * Explorer worker (worker_threads). Runs: takes chunks from a shared counter, runs them on its own
 * WorldPool and posts the outcomes. Rules: when the parent sends the rule tasks, takes them from
 * another shared counter and posts each derived rule.
 */
import { type MessagePort, isMainThread, workerData } from 'node:worker_threads';
import '../scenarios/world-backend.js';
import { WorldPool } from './pool.js';
import { CTL_NEXT, CTL_NEXT_RULE, type ParentMessage, type WorkerData, type WorkerMessage } from './protocol.js';
import { type RulePoint, deriveRule } from './rules.js';
import { runSpec } from './runner.js';
import type { RunSpec } from './space.js';

function main(): void {
  const data = workerData as WorkerData;
  const port: MessagePort = data.port;
  const ctl = new Int32Array(data.ctl);
  const specs: RunSpec[] = data.specs;
  const post = (m: WorkerMessage): void => port.postMessage(m);
  const fail = (e: unknown): void => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', message: err.message, stack: err.stack ?? '' });
    port.close();
  };
  try {
    const pool = new WorldPool();
    for (;;) {
      const c = Atomics.add(ctl, CTL_NEXT, 1);
      const from = c * data.chunkSize;
      if (from >= specs.length) break;
      const chunk = specs.slice(from, from + data.chunkSize);
      post({ type: 'results', outcomes: pool.runChunk(chunk.map((s) => () => runSpec(s, pool.backend))) });
    }
    post({ type: 'runs-done', stats: pool.stats });
  } catch (e) {
    fail(e);
    return;
  }
  port.on('message', (m: ParentMessage) => {
    if (m.type === 'exit') { port.close(); return; }
    try {
      const points: RulePoint[] = specs.map((s) => ({ variant: s.variant, order: s.order, policy: s.policy }));
      for (;;) {
        const i = Atomics.add(ctl, CTL_NEXT_RULE, 1);
        if (i >= m.tasks.length) break;
        const t = m.tasks[i]!;
        post({ type: 'rule', index: i, rule: deriveRule(t.name, points, Array.from(t.target, (b) => b !== 0), m.opts) });
      }
      post({ type: 'rules-done' });
      port.close();
    } catch (e) {
      fail(e);
    }
  });
}

if (!isMainThread) main();
