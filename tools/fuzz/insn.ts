/**
 * `npm run fuzz:insn [-- --words N] [--jit N] [--seed S] [--out FILE]`: the instruction fuzzer
 * (insn-engine.ts), 10 million words by default, then N (default 20 000) differential cases for the
 * block translator. Exit status 1 with the failing word, its start state and the seed on a failure.
 */
import { main, num, seedOf, throttle, writeReport } from './cli.js';
import { runInsnCampaign, runJitCampaign } from './insn-engine.js';

main((m) => {
  const words = num(m, 'words', 10_000_000);
  const jit = num(m, 'jit', 20_000);
  const seed = seedOf(m);
  const t0 = Date.now();
  process.stdout.write(`fuzz:insn: ${words} words and ${jit} translated blocks, seed ${seed}\n`);
  const progress = throttle(15_000, (s: { words: number }) => process.stdout.write(`  ${s.words} words, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`));
  const r = runInsnCampaign({ words, seed, onProgress: progress });
  const j = jit > 0 ? runJitCampaign({ cases: jit, seed }) : null;
  const report = { kind: 'insn', seed, seconds: (Date.now() - t0) / 1000, stats: r.stats, jit: j?.stats ?? null, failure: r.failure, jitFailure: j?.failure ?? null };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const out = m.get('out');
  if (out !== undefined) writeReport(out, report);
  if (r.failure !== null || (j !== null && j.failure !== null)) { process.stdout.write(`FAILED (replay with --seed ${seed})\n`); return 1; }
  return 0;
});
