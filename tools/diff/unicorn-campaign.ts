/**
 * npm run diff:unicorn -- [--seed N] [--count M] [--case K] [--strict] [--rows REGEX] [--reports R]
 *
 * Instruction differential campaign, a64el vs Unicorn (docs/fidelity.md). Without --seed a random seed
 * is drawn and printed; --count is the number of instructions compared (default 1,000,000); --case K
 * re-runs only case K of that seed and prints its report; --strict also fails on rows a64el does not
 * implement; --rows limits generation to rows whose name matches REGEX. Exit status 0 = no failure.
 */
import { randomSeed } from './rng.js';
import { runUnicornDiff } from './unicorn-diff.js';
import { unicornAvailable } from './unicorn.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const avail = unicornAvailable();
if (!avail.ok) {
  console.error(`UNICORN NOT AVAILABLE: ${avail.why}`);
  process.exit(2);
}
const seed = arg('--seed') !== undefined ? Number(arg('--seed')) >>> 0 : randomSeed();
const count = Number(arg('--count') ?? 1_000_000);
const onlyCase = arg('--case') !== undefined ? Number(arg('--case')) : undefined;
const rows = arg('--rows');
console.log(`a64el vs Unicorn (${avail.why}): seed ${seed}, ${count} instructions${onlyCase !== undefined ? `, case ${onlyCase} only` : ''}`);
const report = await runUnicornDiff({
  seed, count, strict: process.argv.includes('--strict'),
  maxReports: Number(arg('--reports') ?? 10),
  ...(onlyCase !== undefined ? { onlyCase } : {}),
  ...(rows !== undefined ? { rowFilter: new RegExp(rows) } : {}),
  log: (l) => console.log(l),
});
for (const f of report.failures) console.log(`\n${f}`);
if (process.argv.includes('--per-row')) {
  for (const [row, n] of Object.entries(report.perRow).sort()) console.log(`  ${String(n).padStart(7)}  ${row}`);
}
process.exit(report.failures.length === 0 ? 0 : 1);
