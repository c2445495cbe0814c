/**
 * npm run diff:qemu -- [--seed N] [--count M] [--scenario K] [--per-image P] [--keep DIR] [--jobs J] [--outcomes] [--check-skips N]
 *
 * Exception-model differential campaign, a64el vs QEMU, on generated scenario images
 * (tools/diff/gen-scenarios.ts, docs/fidelity.md). Without --seed a random seed is drawn and printed;
 * --count is the number of scenarios compared (default 2000); --scenario K builds an image with only
 * scenario K of that seed and prints both outputs; --keep DIR keeps the generated .S/.elf files there.
 * --check-skips N runs N skipped scenarios per skip rule (one per image) and reports whether each
 * rule still describes a real difference. Exit status 0 = every compared scenario printed the same text.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomSeed } from './rng.js';
import { qemuAvailable, runQemuDiff } from './qemu-diff.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const avail = qemuAvailable();
if (!avail.ok) {
  console.error(`QEMU NOT AVAILABLE: ${avail.why}`);
  process.exit(2);
}
const seed = arg('--seed') !== undefined ? Number(arg('--seed')) >>> 0 : randomSeed();
const count = Number(arg('--count') ?? 2000);
const only = arg('--scenario');
const keep = arg('--keep');
if (keep !== undefined) mkdirSync(resolve(keep), { recursive: true });
console.log(`a64el vs QEMU (${avail.why}): seed ${seed}, ${only !== undefined ? `scenario ${only} only` : `${count} scenarios`}`);
const report = await runQemuDiff({
  seed, count,
  ...(only !== undefined ? { onlyScenario: Number(only) } : {}),
  ...(keep !== undefined ? { keepDir: resolve(keep) } : {}),
  perImage: Number(arg('--per-image') ?? 25),
  jobs: Number(arg('--jobs') ?? 2),
  maxReports: Number(arg('--reports') ?? 10),
  ...(arg('--check-skips') !== undefined ? { checkSkips: Number(arg('--check-skips')) } : {}),
  ...(arg('--rule') !== undefined ? { onlyRule: arg('--rule')! } : {}),
  log: (l) => console.log(l),
});
for (const f of report.failures) console.log(`\n${f}`);
if (process.argv.includes('--outcomes')) {
  for (const [o, n] of Object.entries(report.outcomes).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(6)}  ${o}`);
}
process.exit(report.failures.length === 0 ? 0 : 1);
