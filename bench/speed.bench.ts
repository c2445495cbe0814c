/**
 * tinybench suites for the speed metrics of docs/speed.md (the same workloads `a64el bench` runs,
 * from src/cli/bench.ts):
 *   hvc-pkvm     HVC round trips: NS EL1 interpreted loop -> pKVM (native EL2) -> ERET
 *   ffa-pkvm     FFA_MSG_SEND_DIRECT_REQ_64 round trips: host -> pKVM -> EL3 -> SPMC -> echo SP -> back
 *   ffa-direct   the same without pKVM (el2 'none')
 *   hvc-image    firmware-images/bench/hvc-loop.elf (interpreted vectors), in process
 *   smc-image    firmware-images/bench/smc-fwd.elf (TSC-trapped SMC forwarded to EL3), in process
 *   alu-image    firmware-images/bench/alu-loop.elf (translated blocks), in process
 *   startup-run  `a64el run` of a small image, whole process (needs `npm run build`)
 * Each task does a fixed number of round trips; the summary converts tinybench's mean and best times
 * into rates. QEMU comparisons (whole processes, start-up differenced out): `npm run bench:peers`.
 *
 * Run: npx tsx bench/speed.bench.ts [NAME...]   (never under vitest: its module runner distorts
 * both speed and allocation).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import {
  type Workload, ffaDirectWorkload, hvcPkvmWorkload, imageWorkload, projectRoot,
} from '../src/cli/bench.js';

const only = process.argv.slice(2);
const want = (name: string): boolean => only.length === 0 || only.includes(name);

const tasks: { name: string; w: Workload | null; n: number; unit: string; perIter: number }[] = [];
async function add(name: string, make: () => Workload | Promise<Workload>, n: number, unit = 'M/s', perIter = 1): Promise<void> {
  if (want(name)) tasks.push({ name, w: await make(), n, unit, perIter });
}
await add('hvc-pkvm', hvcPkvmWorkload, 500_000);
await add('ffa-pkvm', () => ffaDirectWorkload('pkvm'), 100_000);
await add('ffa-direct', () => ffaDirectWorkload('none'), 100_000);
await add('hvc-image', () => imageWorkload('hvc-loop'), 500_000);
await add('smc-image', () => imageWorkload('smc-fwd'), 200_000);
await add('alu-image', () => imageWorkload('alu-loop'), 1_000_000, 'MIPS', 18);

const bench = new Bench({ time: 2000, warmupTime: 500 });
for (const t of tasks) bench.add(`${t.name} (${t.n} per call)`, () => { t.w!.run(t.n); });

const mainJs = join(projectRoot(), 'dist', 'cli', 'main.js');
const small = join(projectRoot(), 'firmware-images', 'build', 'hvc-roundtrip.elf');
if (want('startup-run') && existsSync(mainJs)) {
  bench.add('startup-run (a64el run hvc-roundtrip.elf, whole process)', () => {
    const r = spawnSync(process.execPath, [mainJs, 'run', small], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`a64el run: exit ${r.status}`);
  });
}

await bench.run();

console.log(`Node ${process.version}, V8 ${process.versions.v8}, ${process.platform}/${process.arch}`);
for (const task of bench.tasks) {
  const res = task.result;
  if (res === undefined || !('latency' in res)) { console.log(`${task.name}: failed`); continue; }
  const t = tasks.find((x) => task.name.startsWith(`${x.name} `));
  const mean = res.latency.mean, best = res.latency.min;
  if (t === undefined) {
    console.log(`${task.name}: mean ${mean.toFixed(1)} ms, best ${best.toFixed(1)} ms`);
    continue;
  }
  const rate = (ms: number): string => ((t.n * t.perIter) / ms / 1000).toFixed(t.unit === 'MIPS' ? 0 : 3);
  console.log(`${task.name}: mean ${rate(mean)} ${t.unit}, best ${rate(best)} ${t.unit}`);
}
