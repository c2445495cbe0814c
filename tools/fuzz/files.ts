/**
 * `npm run fuzz:files [-- --files N] [--seed S] [--out FILE]`: the malformed-input fuzzer
 * (files-engine.ts), N/2 mutated ELF images and N/2 mutated vector files (default N = 100 000).
 */
import { main, num, seedOf, writeReport } from './cli.js';
import { runFilesCampaign } from './files-engine.js';

main((m) => {
  const files = num(m, 'files', 100_000);
  const seed = seedOf(m);
  const t0 = Date.now();
  process.stdout.write(`fuzz:files: ${files} files, seed ${seed}\n`);
  const r = runFilesCampaign({ elves: Math.ceil(files / 2), vectors: Math.floor(files / 2), seed });
  const report = { kind: 'files', seed, seconds: (Date.now() - t0) / 1000, stats: r.stats, failures: r.failures };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const out = m.get('out');
  if (out !== undefined) writeReport(out, report);
  if (r.failures.length > 0) { process.stdout.write(`FAILED (replay with --seed ${seed})\n`); return 1; }
  return 0;
});
