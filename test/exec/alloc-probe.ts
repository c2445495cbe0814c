/**
 * Allocation probe for test/exec/alloc.test.ts, run as plain node (with --expose-gc) on an esbuild
 * bundle: vitest's module runner turns module bindings into getters, which distorts both timing and
 * allocation. Usage: node --expose-gc probe.mjs NAME N. Prints one JSON line (src/cli/bench.ts
 * allocProbe: three warm-up runs, a collection, then one run of N round trips under a GC profiler).
 */
import { allocProbe, ffaDirectWorkload, hvcPkvmWorkload, imageWorkload, type Workload } from '../../src/cli/bench.js';

const name = process.argv[2] ?? 'hvc-pkvm';
const n = Number(process.argv[3] ?? 1_000_000);
const make: Record<string, () => Workload | Promise<Workload>> = {
  'hvc-pkvm': hvcPkvmWorkload,
  'ffa-pkvm': () => ffaDirectWorkload('pkvm'),
  'ffa-direct': () => ffaDirectWorkload('none'),
  'hvc-image': () => imageWorkload('hvc-loop'),
  'smc-image': () => imageWorkload('smc-fwd'),
};
const w = await make[name]!();
process.stdout.write(`${JSON.stringify({ name, ...allocProbe(w, n) })}\n`);
