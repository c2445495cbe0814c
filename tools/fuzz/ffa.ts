/**
 * `npm run fuzz:ffa [-- --calls N] [--seed S] [--out FILE]`: the FF-A call-sequence fuzzer
 * (ffa-engine.ts), a million host actions by default. Exit status 1 with the shrunk failing
 * sequence and its seed when an invariant breaks.
 */
import { main, num, seedOf, throttle, writeReport } from './cli.js';
import { runFfaCampaign } from './ffa-engine.js';

main((m) => {
  const calls = num(m, 'calls', 1_000_000);
  const seed = seedOf(m);
  const t0 = Date.now();
  process.stdout.write(`fuzz:ffa: ${calls} host actions, seed ${seed}\n`);
  const progress = throttle(15_000, (s: { calls: number; touches: number; worlds: number }) => {
    process.stdout.write(`  ${s.calls + s.touches} actions on ${s.worlds} worlds, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  });
  const r = runFfaCampaign({ calls, seed, onProgress: progress });
  const report = { kind: 'ffa', seed, seconds: (Date.now() - t0) / 1000, stats: r.stats, failure: r.failure };
  process.stdout.write(`${JSON.stringify({ ...report, stats: { ...r.stats, byFunction: undefined, okByFunction: undefined } }, null, 2)}\n`);
  const out = m.get('out');
  if (out !== undefined) writeReport(out, report);
  if (r.failure !== null) { process.stdout.write(`FAILED (replay with --seed ${seed}):\n${r.failure}\n`); return 1; }
  return 0;
});
