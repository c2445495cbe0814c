/**
 * `a64el bench`: the speed benchmarks of docs/speed.md, one line per metric (`name value unit`), with
 * QEMU's figure and the ratio where QEMU runs the same thing.
 *
 * Workloads (every hop a real exception entry or ERET, charging its cycles):
 *   hvc-pkvm        NS EL1 interpreted loop `hvc #0; subs; b.ne` -> native pKVM at EL2 -> ERET
 *   ffa-pkvm        NS EL1 loop issuing FFA_MSG_SEND_DIRECT_REQ_64 by SMC: TSC trap to pKVM, forward to
 *                   EL3, SPMD world switch, S-EL1 SPMC, ERET to the S-EL0 echo partition, SVC back,
 *                   SMC to EL3, world switch, ERET to pKVM, ERET to the host
 *   ffa-direct      the same without pKVM (el2 'none': the host's SMC goes straight to EL3)
 *   hvc-image       firmware-images/bench/hvc-loop.elf: interpreted A64 vectors (EL2 vector = ERET)
 *   smc-image       firmware-images/bench/smc-fwd.elf: TSC-trapped SMC forwarded by EL2 to EL3
 *   alu-image       firmware-images/bench/alu-loop.elf: 18-instruction ALU loop (MIPS)
 *   alloc-*         heap growth and GCs over 10M round trips (a child process with --expose-gc)
 *   startup-run     `a64el run` of a small image, whole process (ms)
 * The image workloads also run under QEMU (when qemu-system-aarch64 is on PATH) in the same command,
 * both timed as whole processes at two iteration counts and differenced, so start-up cancels out.
 *
 * Timing: best of several repetitions (the machines this runs on are shared and noisy).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import * as L from '../state/layout.js';
import { Machine, StopReason } from '../machine/machine.js';
import { loadElf } from '../machine/load.js';
import { type CliIo, EXIT_OK, EXIT_USAGE } from './io.js';

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

/** A benchmark body: `run(n)` does n round trips (or loop iterations) and checks where it ended. */
export interface Workload {
  readonly name: string;
  /** What one unit of `n` is, for messages. */
  readonly what: string;
  /** Instructions retired per iteration (by the interpreter; native components retire none). */
  readonly insnsPerIter: number;
  run(n: number): void;
  /** The machine it runs on (for the JIT switch and checks). */
  readonly machine: Machine;
}

const HVC0 = 0xd4000002 | 0;
const SMC0 = 0xd4000003 | 0;
const SUBS_X19_1 = 0xf1000673 | 0;
/** B.NE back over `k` instructions. */
const bne = (k: number): number => (0x54000001 | ((-k & 0x7ffff) << 5)) | 0;
const MOVZ_X0_6F = 0xd2800de0 | 0;              // movz x0, #0x6f
const MOVK_X0_C400_16 = 0xf2b88000 | 0;         // movk x0, #0xc400, lsl #16  -> x0 = 0xC400006F
const MOVZ_X1_8001 = 0xd2900021 | 0;            // movz x1, #0x8001 (sender 0, receiver 0x8001)

/** Where the Normal-world benchmark loops are placed (vector-format.md: free NS DRAM). */
export const LOOP_PA = 0x4010_0000;

function words(ws: readonly number[]): Uint8Array {
  const b = new Uint8Array(4 * ws.length);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
  return b;
}

/**
 * Run the loop at LOOP_PA at NS EL1 for exactly n iterations: the instruction budget is n times the
 * loop length, so the run ends right after the last (not taken) B.NE.
 */
function runLoop(m: Machine, n: number, insnsPerIter: number, x19: number): void {
  const s = m.cpu.s;
  s[L.PC] = LOOP_PA; s[L.PC + 1] = 0;
  s[2 * 19] = x19; s[2 * 19 + 1] = 0;
  const r = m.run({ maxInstructions: n * insnsPerIter });
  if (r.reason !== StopReason.Budget || s[2 * 19] !== 0 || s[L.PC] !== LOOP_PA + 4 * insnsPerIter || s[L.PSTATE_EL] !== 1) {
    throw new Error(`benchmark loop ended at PC 0x${(s[L.PC]! >>> 0).toString(16)} EL${s[L.PSTATE_EL]} with x19 = ${s[38]} (stop reason ${r.reason})`);
  }
}

/** The booted world (EL3 monitor, SPMD, S-EL1 SPMC, echo partition 0x8001, pKVM or nothing at EL2). */
async function bootedWorld(el2: 'pkvm' | 'none'): Promise<import('../machine/world.js').World> {
  const { createWorld } = await import('../machine/world.js');
  const w = createWorld({ el2, boot: el2 === 'pkvm' ? 'pkvm-ready' : 'reset' });
  w.boot();
  return w;
}

/** HVC round trip: NS EL1 interpreted `hvc #0; subs x19, x19, #1; b.ne` -> pKVM (native, EL2) -> ERET. */
export async function hvcPkvmWorkload(): Promise<Workload> {
  const w = await bootedWorld('pkvm');
  const m = w.machine;
  m.loadBytes(LOOP_PA, words([HVC0, SUBS_X19_1, bne(2)]));
  m.cache.clear();
  return {
    name: 'hvc-pkvm', what: 'HVC round trips', insnsPerIter: 3, machine: m,
    run(n: number): void {
      runLoop(m, n, 3, n);
      // pKVM answered every HVC (an unknown host hypercall: SMCCC NOT_SUPPORTED in x0).
      if (m.cpu.s[0] !== -1) throw new Error('hvc-pkvm: x0 is not SMCCC_RET_NOT_SUPPORTED');
    },
  };
}

/**
 * FFA_MSG_SEND_DIRECT_REQ_64 round trip from an interpreted NS EL1 loop to the echo partition:
 *   movz/movk x0 = 0xC400006F; movz x1 = 0x8001; smc #0; subs x19; b.ne
 * With pKVM: host SMC -> TSC trap to pKVM (EL2) -> SMC to EL3 -> SPMD world switch -> ERET to the
 * S-EL1 SPMC -> ERET to the S-EL0 echo partition -> SVC to the SPMC -> SMC to EL3 -> world switch ->
 * ERET to pKVM -> ERET to the host. Without pKVM the host's SMC goes to EL3 directly.
 */
export async function ffaDirectWorkload(el2: 'pkvm' | 'none'): Promise<Workload> {
  const w = await bootedWorld(el2);
  const m = w.machine;
  const { FFA_VERSION, FFA_VERSION_1_2, FFA_MSG_SEND_DIRECT_RESP_64 } = await import('../ffa/abi.js');
  const v = w.smc([BigInt(FFA_VERSION), BigInt(FFA_VERSION_1_2)]);
  if (v.x[0] !== BigInt(FFA_VERSION_1_2)) throw new Error(`FFA_VERSION answered 0x${v.x[0]!.toString(16)}`);
  m.loadBytes(LOOP_PA, words([MOVZ_X0_6F, MOVK_X0_C400_16, MOVZ_X1_8001, SMC0, SUBS_X19_1, bne(5)]));
  m.cache.clear();
  const s = m.cpu.s;
  for (let i = 0; i < 36; i++) s[i] = 0;
  const name = el2 === 'pkvm' ? 'ffa-pkvm' : 'ffa-direct';
  return {
    name, what: 'DIRECT_REQ_64 round trips', insnsPerIter: 6, machine: m,
    run(n: number): void {
      runLoop(m, n, 6, n);
      if (s[0] !== (FFA_MSG_SEND_DIRECT_RESP_64 | 0) || s[2] !== (0x8001 << 16)) {
        throw new Error(`${name}: the last answer was x0 = 0x${(s[0]! >>> 0).toString(16)}, w1 = 0x${(s[2]! >>> 0).toString(16)}`);
      }
    },
  };
}

// ---- the benchmark ELF images ----

export const BENCH_IMAGES = ['hvc-loop', 'smc-fwd', 'alu-loop'] as const;
export type BenchImage = typeof BENCH_IMAGES[number];
/** Instructions per iteration of each image's loop (all ELs). */
export const IMAGE_INSNS: Readonly<Record<BenchImage, number>> = { 'hvc-loop': 4, 'smc-fwd': 9, 'alu-loop': 18 };
const TAG = 'A64EL-BENCH-N:\0\0';

/** The package root: the nearest directory above this module with firmware-images/bench (dist/cli/ or src/cli/ -> ../..). */
export function projectRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, 'firmware-images', 'bench'))) return d;
    d = dirname(d);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}
export function imagePath(name: BenchImage): string { return join(projectRoot(), 'firmware-images', 'bench', 'build', `${name}.elf`); }

/** A copy of a benchmark ELF whose iteration count (the quad after the tag in .data) is n. */
export function patchIterations(elf: Uint8Array, n: number): Uint8Array {
  const tag = new TextEncoder().encode(TAG);
  const out = Uint8Array.prototype.slice.call(elf);   // a copy (a Buffer's own slice() is a view)
  let at = -1;
  for (let i = 0; i + tag.length + 8 <= out.length && at < 0; i++) {
    let k = 0;
    while (k < tag.length && out[i + k] === tag[k]) k++;
    if (k === tag.length) at = i + tag.length;
  }
  if (at < 0) throw new Error('benchmark image: iteration tag not found');
  new DataView(out.buffer, out.byteOffset).setBigUint64(at, BigInt(n), true);
  return out;
}

/** A benchmark image run in this process: reset, load with the iteration count, run to its semihosting exit. */
export function imageWorkload(name: BenchImage): Workload {
  const elf = readFileSync(imagePath(name));
  const m = new Machine();
  const patched = new Map<number, Uint8Array>();
  return {
    name: name === 'alu-loop' ? 'alu-image' : name === 'hvc-loop' ? 'hvc-image' : 'smc-image',
    what: name === 'alu-loop' ? 'iterations' : 'round trips',
    insnsPerIter: IMAGE_INSNS[name], machine: m,
    run(n: number): void {
      let bytes = patched.get(n);
      if (bytes === undefined) { bytes = patchIterations(elf, n); patched.set(n, bytes); }
      m.resetCpu();
      loadElf(m, bytes, name);
      const r = m.run({ maxInstructions: 1e15 });
      if (r.reason !== StopReason.Exit || r.exitCode !== 0) throw new Error(`${name}: stopped with reason ${r.reason}, exit code ${r.exitCode}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

export interface Rate {
  /** Iterations per second (best repetition, wall clock). */
  perSec: number;
  /** Per second by process CPU time (best repetition). */
  perCpuSec: number;
  n: number;
  bestMs: number;
}

/** Best of `reps` runs of n iterations (after one warm-up run of n / 4). */
export function measure(w: Workload, n: number, reps: number): Rate {
  w.run(Math.max(1, n >> 2));
  let best = Infinity, bestCpu = Infinity;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    w.run(n);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    best = Math.min(best, ms);
    bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
  }
  return { perSec: n / best * 1000, perCpuSec: n / Math.max(bestCpu, 1e-3) * 1000, n, bestMs: best };
}

export interface AllocResult {
  /** Round trips of the measured run. */
  n: number;
  /** Collections during that run (V8 GCProfiler). */
  gcs: number;
  /** heapUsed after - before that run (no collection in between, or the figure is a lower bound). */
  heapGrowth: number;
  /**
   * The same for a run of n/10: what does not grow with the round trips (an image's reload and the
   * warm-up of its freshly translated blocks, whose first calls run in V8's interpreter) shows up in
   * both runs alike; what the round trips allocate would be ten times larger in the long one.
   */
  smallN: number;
  smallGrowth: number;
  ms: number;
}

/** Bytes used in V8's code space (grows while V8 compiles our functions). */
function codeSpaceUsed(): number {
  for (const sp of v8.getHeapSpaceStatistics()) if (sp.space_name === 'code_space') return sp.space_used_size;
  return 0;
}

/** One run of n with the GC profiler on, after a collection. */
function measuredRun(w: Workload, n: number): { gcs: number; growth: number; ms: number } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) { g(); g(); }
  const prof = new v8.GCProfiler();
  const before = process.memoryUsage().heapUsed;
  prof.start();
  const t0 = performance.now();
  w.run(n);
  const ms = performance.now() - t0;
  const stats = prof.stop();
  return { gcs: stats.statistics.length, growth: process.memoryUsage().heapUsed - before, ms };
}

/**
 * Allocation probe (run in a child with --expose-gc): warm up, then one run of n/10 round trips and
 * one of n, each after a collection and under a GC profiler. The image workloads reload their ELF and
 * translate their blocks again in every run (a cost per run, not per round trip): the short run shows
 * that part.
 */
export function allocProbe(w: Workload, n: number): AllocResult {
  // Warm-up: at least three runs, and on until V8 has settled: a run that still grew code space or
  // collected means V8 was compiling our code (optimizing the loop entry instead of OSR-ing into it,
  // finishing background compiles, slower on a loaded machine); that is V8's, not the path's.
  for (let i = 0; i < 12; i++) {
    const code0 = codeSpaceUsed();
    const r = measuredRun(w, Math.min(n, 1_000_000));
    if (i >= 2 && r.gcs === 0 && codeSpaceUsed() === code0) break;
  }
  const smallN = Math.max(1, Math.round(n / 10));
  const small = measuredRun(w, smallN);
  const big = measuredRun(w, n);
  return { n, gcs: big.gcs, heapGrowth: big.growth, smallN, smallGrowth: small.growth, ms: big.ms };
}

// ---- peers: whole processes at two iteration counts ----

export interface ProcessRate { perSec: number; n1: number; n2: number; t1: number; t2: number }

/** Wall time (s) of `cmd args...`, best of reps; the command must exit 0. */
function timeProcess(cmd: string, args: readonly string[], reps: number): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000 });
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit status ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${r.stderr ?? ''}`);
    best = Math.min(best, t);
  }
  return best;
}

export const QEMU = 'qemu-system-aarch64';
export function qemuArgs(elf: string): string[] {
  return ['-machine', 'virt,secure=on,virtualization=on', '-cpu', 'max', '-m', '128M', '-nodefaults', '-display', 'none',
    '-monitor', 'none', '-serial', 'stdio', '-semihosting-config', 'enable=on,target=native', '-kernel', elf];
}
export function a64elArgs(elf: string): string[] {
  return [join(projectRoot(), 'dist', 'cli', 'main.js'), 'run', elf, '--max-instructions', '1000000000000'];
}

/**
 * Iterations per second of `image` under an emulator, start-up subtracted: (N2 - N1) / (t2 - t1),
 * each t the best of `reps` whole-process runs. N1 grows until t2 - t1 is at least `minDelta` s.
 */
export function processRate(runner: (elf: string) => [string, string[]], image: BenchImage, n1: number, reps: number, minDelta = 0.6): ProcessRate {
  const dir = mkdtempSync(join(tmpdir(), 'a64el-bench-'));
  try {
    const elf = readFileSync(imagePath(image));
    for (let attempt = 0; ; attempt++) {
      const n2 = 4 * n1;
      const f1 = join(dir, `${image}-${n1}.elf`), f2 = join(dir, `${image}-${n2}.elf`);
      writeFileSync(f1, patchIterations(elf, n1));
      writeFileSync(f2, patchIterations(elf, n2));
      const [c1, a1] = runner(f1), [c2, a2] = runner(f2);
      const t1 = timeProcess(c1, a1, reps), t2 = timeProcess(c2, a2, reps);
      const dt = t2 - t1;
      if ((dt < minDelta && attempt < 3) || dt <= 0) {
        n1 = Math.ceil(n1 * Math.min(16, Math.max(2, (1.5 * minDelta) / Math.max(dt, 0.05))));
        continue;
      }
      return { perSec: (n2 - n1) / dt, n1, n2, t1, t2 };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function qemuVersion(): string | null {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0 || typeof r.stdout !== 'string') return null;
  return r.stdout.split('\n')[0]!.trim();
}

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m !== null) return `${m[1]!.trim()} (${cpus().length} CPUs)`;
  } catch { /* not Linux */ }
  return `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} CPUs)`;
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

export interface Metric {
  name: string;
  value: number;
  unit: string;
  peer?: number;
  ratio?: number;
  target?: string;
  met?: boolean;
  note?: string;
}

export const BENCH_USAGE = `  a64el bench [--json] [--quick] [--no-peers] [--only NAME,...]
      Speed benchmarks (docs/speed.md): one line per metric, "name value unit", with QEMU's figure
      and the ratio where QEMU runs the same image (qemu-system-aarch64 on PATH).`;

/** Workloads by name, with the iteration counts a measurement uses (full, quick). */
const WORKLOADS: Record<string, { make: () => Promise<Workload> | Workload; n: number; quick: number }> = {
  'hvc-pkvm': { make: hvcPkvmWorkload, n: 4_000_000, quick: 500_000 },
  'ffa-pkvm': { make: () => ffaDirectWorkload('pkvm'), n: 600_000, quick: 100_000 },
  'ffa-direct': { make: () => ffaDirectWorkload('none'), n: 600_000, quick: 100_000 },
  'hvc-image': { make: () => imageWorkload('hvc-loop'), n: 4_000_000, quick: 500_000 },
  'smc-image': { make: () => imageWorkload('smc-fwd'), n: 1_500_000, quick: 200_000 },
  'alu-image': { make: () => imageWorkload('alu-loop'), n: 5_000_000, quick: 500_000 },
};

/** The image behind each image metric, and the starting N1 per emulator for the process timing. */
const PEER_IMAGES: readonly { metric: string; image: BenchImage; qemuN1: number; oursN1: number }[] = [
  { metric: 'hvc-image', image: 'hvc-loop', qemuN1: 200_000, oursN1: 1_000_000 },
  { metric: 'smc-image', image: 'smc-fwd', qemuN1: 100_000, oursN1: 400_000 },
  { metric: 'alu-image', image: 'alu-loop', qemuN1: 5_000_000, oursN1: 3_000_000 },
];

const TARGETS: Readonly<Record<string, { text: string; met: (m: Metric) => boolean }>> = {
  'hvc-pkvm': { text: '>= 50 M/s', met: (m) => m.value >= 50 },
  'ffa-pkvm': { text: '>= 10 M/s', met: (m) => m.value >= 10 },
  'hvc-image': { text: '>= 10x QEMU', met: (m) => (m.ratio ?? 0) >= 10 },
  'smc-image': { text: '>= 10x QEMU', met: (m) => (m.ratio ?? 0) >= 10 },
  'alu-image': { text: '>= 0.3x QEMU', met: (m) => (m.ratio ?? 0) >= 0.3 },
  'startup-run': { text: '< 150 ms', met: (m) => m.value < 150 },
};

/** The 10M-round-trip allocation probes (heap growth < 1 MB, no GC). */
const ALLOC_PROBES = ['hvc-pkvm', 'ffa-pkvm', 'hvc-image', 'smc-image'] as const;

export interface BenchReport {
  machine: { cpu: string; node: string; v8: string; qemu: string | null; platform: string; date: string };
  metrics: Metric[];
}

/** The built CLI next to this module (dist/cli/main.js), for the whole-process measurements. */
function mainJs(): string { return join(dirname(fileURLToPath(import.meta.url)), 'main.js'); }

/** Run the allocation probe for `name` in a child (with --expose-gc, so it can collect first). */
function probeChild(name: string, n: number): AllocResult {
  const r = spawnSync(process.execPath, ['--expose-gc', mainJs(), 'bench', '--probe', name, '--n', String(n)], { encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`allocation probe ${name}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as AllocResult;
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

export function formatMetric(m: Metric): string {
  let line = `${m.name} ${fmt(m.value)} ${m.unit}`;
  if (m.peer !== undefined) line += ` qemu=${fmt(m.peer)} ${m.unit}`;
  if (m.ratio !== undefined) line += ` ratio=${fmt(m.ratio)}x`;
  if (m.target !== undefined) line += ` target ${m.target}: ${m.met ? 'met' : 'MISSED'}`;
  if (m.note !== undefined) line += ` (${m.note})`;
  return line;
}

export interface BenchOptions {
  quick: boolean;
  peers: boolean;
  only: string[] | null;
  reps: number;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

/** Every metric of docs/speed.md (those selected by `only`). */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const want = (name: string): boolean => o.only === null || o.only.some((p) => name.startsWith(p));
  const metrics: Metric[] = [];
  const add = (m: Metric): void => {
    const t = TARGETS[m.name];
    // A target relative to QEMU is judged only when QEMU ran in this same command.
    if (t !== undefined && (!t.text.includes('QEMU') || m.ratio !== undefined)) { m.target = t.text; m.met = t.met(m); }
    metrics.push(m);
    o.log(formatMetric(m));
  };
  const qemu = o.peers ? qemuVersion() : null;

  for (const [name, w] of Object.entries(WORKLOADS)) {
    if (!want(name)) continue;
    const wl = await w.make();
    const r = measure(wl, o.quick ? w.quick : w.n, o.reps);
    const peer = PEER_IMAGES.find((p) => p.metric === name);
    if (name === 'alu-image') {
      const m: Metric = { name, value: (r.perSec * IMAGE_INSNS['alu-loop']) / 1e6, unit: 'MIPS', note: `in process, best of ${o.reps}` };
      if (peer !== undefined && qemu !== null) peerFigures(m, peer, o);
      add(m);
      continue;
    }
    const m: Metric = { name, value: r.perSec / 1e6, unit: 'M/s', note: `${wl.what}, in process, best of ${o.reps}` };
    if (peer !== undefined && qemu !== null) peerFigures(m, peer, o);
    add(m);
  }

  for (const name of ALLOC_PROBES) {
    if (!want(`alloc-${name}`)) continue;
    const n = o.quick ? 1_000_000 : 10_000_000;
    const a = probeChild(name, n);
    const m: Metric = {
      name: `alloc-${name}`, value: a.heapGrowth / 1024, unit: 'KB',
      note: `${a.gcs} GCs over ${n / 1e6}M round trips; a run of ${a.smallN / 1e6}M: ${(a.smallGrowth / 1024).toFixed(0)} KB`,
    };
    m.target = '< 1024 KB, 0 GCs';
    m.met = a.heapGrowth < 1024 * 1024 && a.gcs === 0;
    metrics.push(m);
    o.log(formatMetric(m));
  }

  if (want('startup-run')) {
    const image = join(projectRoot(), 'firmware-images', 'build', 'hvc-roundtrip.elf');
    const reps = o.quick ? 3 : 7;
    const ms = timeProcess(process.execPath, [mainJs(), 'run', image], reps) * 1000;
    const m: Metric = { name: 'startup-run', value: ms, unit: 'ms', note: `a64el run firmware-images/build/hvc-roundtrip.elf, whole process, best of ${reps}` };
    if (qemu !== null) {
      // The peer: QEMU started on the same image (-kernel), whole process; ratio = QEMU's time / ours.
      m.peer = timeProcess(QEMU, qemuArgs(image), reps) * 1000;
      m.ratio = m.peer / m.value;
      m.note += '; QEMU the same way, ratio = QEMU time / a64el time';
    }
    add(m);
  }

  return {
    machine: {
      cpu: cpuModel(), node: process.version, v8: process.versions.v8, qemu, platform: `${process.platform}/${process.arch}`,
      date: new Date().toISOString(),
    },
    metrics,
  };
}

/**
 * The image metrics against QEMU: both emulators timed as whole processes (`a64el run`, QEMU with
 * -kernel) at two iteration counts; `m.value` becomes a64el's rate by the same method (so the ratio
 * compares like with like) and the in-process figure moves to the note.
 */
function peerFigures(m: Metric, p: { image: BenchImage; qemuN1: number; oursN1: number }, o: BenchOptions): void {
  const reps = o.quick ? 1 : 3;
  const minDelta = o.quick ? 0.3 : 0.8;
  const q = processRate((elf) => [QEMU, qemuArgs(elf)], p.image, o.quick ? p.qemuN1 / 2 : p.qemuN1, reps, minDelta);
  const a = processRate((elf) => [process.execPath, a64elArgs(elf)], p.image, o.quick ? p.oursN1 / 2 : p.oursN1, reps, minDelta);
  const unitPerIter = m.unit === 'MIPS' ? IMAGE_INSNS[p.image] : 1;
  const inProcess = m.value;
  m.value = (a.perSec * unitPerIter) / 1e6;
  m.peer = (q.perSec * unitPerIter) / 1e6;
  m.ratio = m.value / m.peer;
  m.note = `whole processes, N ${a.n1}->${a.n2} (qemu ${q.n1}->${q.n2}), best of ${reps}; in process ${fmt(inProcess)} ${m.unit}`;
}

/** `a64el bench [--json] [--quick] [--no-peers] [--only NAME,...] [--reps N]` (and the internal --probe). */
export async function benchCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'no-peers': { type: 'boolean', default: false },
      only: { type: 'string' },
      reps: { type: 'string' },
      probe: { type: 'string' },
      n: { type: 'string' },
    },
  });
  if (values.probe !== undefined) {
    const w = WORKLOADS[values.probe];
    if (w === undefined) { io.err(`a64el bench: unknown workload "${values.probe}"\n`); return EXIT_USAGE; }
    const n = Number(values.n ?? 10_000_000);
    io.out(`${JSON.stringify(allocProbe(await w.make(), n))}\n`);
    return EXIT_OK;
  }
  const reps = values.reps === undefined ? 5 : Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1 || reps > 100) { io.err(`a64el bench: --reps must be 1..100\n`); return EXIT_USAGE; }
  const report = await runBench({
    quick: values.quick === true,
    peers: values['no-peers'] !== true,
    only: values.only === undefined ? null : values.only.split(',').map((x) => x.trim()).filter((x) => x !== ''),
    reps,
    log: values.json === true ? (line) => io.err(`${line}\n`) : (line) => io.out(`${line}\n`),
  });
  if (values.json === true) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const mc = report.machine;
    io.out(`# ${mc.cpu}; Node ${mc.node} (V8 ${mc.v8}); ${mc.qemu ?? 'QEMU not run'}; ${mc.platform}; ${mc.date}\n`);
  }
  return EXIT_OK;
}
