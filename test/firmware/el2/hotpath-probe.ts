/**
 * Hot-path allocation probe, run by pkvm-hotpath.test.ts as plain node on an esbuild bundle (vite-node
 * turns module bindings into getters, which distorts both timing and allocation). It drives pKVM's two
 * hot entry points and the core exception code between them, N times (after a warm-up and a collection:
 * run it with --expose-gc), and prints one JSON line:
 * { nsPerCall, gcs, heapGrowth }.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import * as L from '../../../src/state/layout.js';
import * as A from '../../../src/ffa/abi.js';
import { takeException } from '../../../src/exceptions/take.js';
import { exceptionReturn } from '../../../src/exceptions/eret.js';
import { VectorType } from '../../../src/exceptions/kinds.js';
import { SITE_FORWARD } from '../../../src/firmware/el2/pkvm.js';
import { HostSite } from '../../../src/firmware/host/caller.js';
import { PART_ID, readyWorld } from './harness.js';

const w = readyWorld();
w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2);
const cpu = w.m.cpu, s = cpu.s, pkvm = w.pkvm;
const esrSmc = ((0x17 << 26) | (1 << 25)) | 0;
const siteHi = w.host.pcHi;
const fid = A.FFA_MSG_SEND_DIRECT_REQ_64 | 0;

function once(): void {
  s[0] = fid; s[1] = 0; s[2] = PART_ID; s[3] = 0;
  takeException(cpu, 2, VectorType.Sync, esrSmc, HostSite.Smc, siteHi);
  pkvm.onException(0x400);
  exceptionReturn(cpu);
  pkvm.onResume(SITE_FORWARD + 4);
  if (s[L.PSTATE_EL] !== 1) throw new Error('did not return to EL1');
}

// Warm-up: on until V8 has settled (a round of calls that still grows V8's code space means V8 is
// still compiling them, later on a loaded machine); then collect, so that no garbage left by the
// world's boot can fill the young generation during the measured run.
const codeSpace = (): number => v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'code_space')?.space_used_size ?? 0;
for (let round = 0; round < 12; round++) {
  const c0 = codeSpace();
  for (let i = 0; i < 300_000; i++) once();
  if (round >= 1 && codeSpace() === c0) break;
}
const collect = (globalThis as { gc?: () => void }).gc;
if (collect !== undefined) { collect(); collect(); }
let gcs = 0;
const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
obs.observe({ entryTypes: ['gc'] });
const N = Number(process.argv[2] ?? 2_000_000);
const before = process.memoryUsage().heapUsed;
const t0 = performance.now();
for (let i = 0; i < N; i++) once();
const ms = performance.now() - t0;
const heapGrowth = process.memoryUsage().heapUsed - before;
setTimeout(() => {
  obs.disconnect();
  process.stdout.write(JSON.stringify({ nsPerCall: (ms * 1e6) / N, gcs, heapGrowth, forwarded: pkvm.stats.forwarded }) + '\n');
}, 50);
