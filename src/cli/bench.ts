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
  const out = elf.slice();
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

/** A benchmark image run in this process: load, run to its semihosting exit. */
export function imageWorkload(name: BenchImage): Workload {
  const elf = readFileSync(imagePath(name));
  const m = new Machine();
  let loadedN = -1;
  return {
    name: `${name.replace('-loop', '').replace('-fwd', '')}-image`, what: name === 'alu-loop' ? 'iterations' : 'round trips',
    insnsPerIter: IMAGE_INSNS[name], machine: m,
    run(n: number): void {
      if (n !== loadedN) { m.resetCpu(); loadElf(m, patchIterations(elf, n), name); loadedN = n; }
      else { m.resetCpu(); loadElf(m, patchIterations(elf, n), name); }
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

export interface AllocResult { n: number; gcs: number; heapGrowth: number; ms: number }

/**
 * Allocation probe (run in a child with --expose-gc): warm up, collect, then n round trips with a
 * GC profiler on; the heap must not grow and no collection may happen.
 */
export function allocProbe(w: Workload, n: number): AllocResult {
  w.run(Math.min(n, 500_000));
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) { g(); g(); }
  const prof = new v8.GCProfiler();
  const before = process.memoryUsage().heapUsed;
  prof.start();
  const t0 = performance.now();
  w.run(n);
  const ms = performance.now() - t0;
  const stats = prof.stop();
  const heapGrowth = process.memoryUsage().heapUsed - before;
  return { n, gcs: stats.statistics.length, heapGrowth, ms };
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
