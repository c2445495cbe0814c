/**
 * Exception-model differential run: generated scenario images (gen-scenarios.ts) in QEMU and in a64el,
 * UART text compared scenario by scenario (docs/fidelity.md section 2). Used by
 * test/diff/qemu-scenarios.test.ts (CI) and tools/diff/qemu-campaign.ts (npm run diff:qemu).
 *
 * Images are built with aarch64-linux-gnu-as/ld into a temporary directory (never committed) and run
 * with the QEMU command line of /work/shared/vector-format.md (-kernel IMAGE.elf), two at a time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { loadElf } from '../../src/machine/load.js';
import { SKIP_RULES, type Scenario, describe, imageSource, scenario, skipRuleFor } from './gen-scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
const LINK_LD = join(here, '..', '..', 'firmware-images', 'link.ld');
const CROSS = process.env['CROSS_COMPILE'] ?? 'aarch64-linux-gnu-';
export const QEMU = process.env['A64EL_QEMU'] ?? 'qemu-system-aarch64';
export const QEMU_ARGS = ['-machine', 'virt,secure=on,virtualization=on', '-cpu', 'max', '-m', '128M', '-nodefaults',
  '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-semihosting-config', 'enable=on,target=native'];

/** QEMU and binutils present? `why` says what is missing. */
export function qemuAvailable(): { ok: boolean; why: string } {
  const q = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (q.error !== undefined || q.status !== 0) return { ok: false, why: `${QEMU} not runnable (apt-get install qemu-system-arm)` };
  const a = spawnSync(`${CROSS}as`, ['--version'], { encoding: 'utf8' });
  if (a.error !== undefined || a.status !== 0) return { ok: false, why: `${CROSS}as not runnable (apt-get install binutils-aarch64-linux-gnu)` };
  return { ok: true, why: q.stdout.split('\n')[0]!.trim() };
}

export interface QemuDiffOptions {
  seed: number;
  /** Scenarios to compare (skipped ones do not count). */
  count: number;
  /** Only this scenario id (reproduce one failure); prints both outputs. */
  onlyScenario?: number;
  perImage?: number;
  /** Keep the generated sources and ELFs here instead of a temporary directory. */
  keepDir?: string;
  /** Parallel QEMU processes (default 2: the CI machine has two cores). */
  jobs?: number;
  maxReports?: number;
  /**
   * Check the skip list instead: run up to this many skipped scenarios per rule, one per image, and
   * report per rule how many still differ (a rule whose scenarios agree may be stale).
   */
  checkSkips?: number;
  /** With checkSkips: only this rule. */
  onlyRule?: string;
  log?: (line: string) => void;
}

export interface QemuDiffReport {
  seed: number;
  images: number;
  scenariosCompared: number;
  scenariosAgreeing: number;
  /** Scenarios after one that stopped an image early (in QEMU or a64el): not compared. */
  notReached: number;
  skipped: Record<string, number>;
  failures: string[];
  /** Outcome histogram (EC or "illegal return" ...) of the agreeing scenarios, for the docs. */
  outcomes: Record<string, number>;
  elapsedMs: number;
}

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error !== undefined) throw new Error(`${cmd} not runnable: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} failed on ${what}:\n${r.stderr}`);
}

/** Assemble and link one scenario image; returns the ELF path. */
export function buildImage(dir: string, name: string, source: string): string {
  const src = join(dir, `${name}.S`), obj = join(dir, `${name}.o`), elf = join(dir, `${name}.elf`);
  writeFileSync(src, source);
  run(`${CROSS}as`, ['-march=armv8-a', '-o', obj, src], src);
  run(`${CROSS}ld`, ['-nostdlib', '-static', '--build-id=none', '-z', 'max-page-size=0x1000', '-T', LINK_LD, '-o', elf, obj], src);
  return elf;
}

export interface RunOutput { uart: string; exitCode: number | null; note: string }

/** Run an ELF under QEMU (-kernel), with a timeout. */
export function runQemu(elf: string, timeoutMs = 10_000): Promise<RunOutput> {
  return new Promise((resolve) => {
    const p = spawn(QEMU, [...QEMU_ARGS, '-kernel', elf], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, timeoutMs);
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => { err += d.toString('latin1'); });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ uart: Buffer.concat(out).toString('latin1'), exitCode: timedOut ? null : code, note: timedOut ? `QEMU timed out after ${timeoutMs} ms` : err.trim() });
    });
  });
}

/** Run an ELF in a64el from reset (EL3, Secure, MMU off), as image vectors do. */
export function runA64el(elf: string, maxInstructions = 20_000_000): RunOutput {
  const m = new Machine();
  loadElf(m, readFileSync(elf), elf);
  const r = m.run({ maxInstructions });
  return { uart: m.uartText(), exitCode: r.reason === StopReason.Exit ? r.exitCode : null, note: r.reason === StopReason.Exit ? '' : `a64el stopped without exiting (reason ${r.reason}) at PC 0x${m.cpu.pc.toString(16)}` };
}

/** Split UART text into the chunk each scenario printed (its description line and what follows). */
export function chunks(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let cur = -1, buf: string[] = [];
  const flush = (): void => { if (cur >= 0) out.set(cur, buf.join('\n')); };
  for (const line of text.split('\n')) {
    const m = /^S(\d+) from=/.exec(line);
    if (m !== null) { flush(); cur = Number(m[1]); buf = []; }
    buf.push(line);
  }
  flush();
  return out;
}

function outcome(chunk: string): string {
  const el = /  EL=0*([0-9a-f]+)/.exec(chunk), esr = /  ESR=([0-9a-f]{16})/.exec(chunk), vec = /  vector=0*([0-9a-f]*)/.exec(chunk);
  if (el === null || esr === null) return 'no record';
  const ec = Number((BigInt(`0x${esr[1]}`) >> 26n) & 0x3fn);
  return `EC 0x${ec.toString(16).padStart(2, '0')} to EL${el[1]} +0x${vec?.[1] || '0'}`;
}

/** Up to `n` scenarios (ids from `next`), collecting skips; returns them and the next id. */
function collect(seed: number, next: number, n: number, skipped: Record<string, number>): { list: Scenario[]; next: number } {
  const list: Scenario[] = [];
  while (list.length < n) {
    const s = scenario(seed, next++);
    const rule = skipRuleFor(s);
    if (rule !== undefined) { skipped[rule.id] = (skipped[rule.id] ?? 0) + 1; continue; }
    list.push(s);
  }
  return { list, next };
}

export async function runQemuDiff(opts: QemuDiffOptions): Promise<QemuDiffReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const perImage = opts.perImage ?? 25;
  const jobs = Math.max(1, opts.jobs ?? 2);
  const report: QemuDiffReport = { seed: opts.seed, images: 0, scenariosCompared: 0, scenariosAgreeing: 0, notReached: 0, skipped: {}, failures: [], outcomes: {}, elapsedMs: 0 };
  for (const r of SKIP_RULES) report.skipped[r.id] = 0;
  const dir = opts.keepDir ?? mkdtempSync(join(tmpdir(), 'a64el-scen-'));
  const reproduce = (id?: number): string => `npm run diff:qemu -- --seed ${opts.seed} --count ${opts.count}${id === undefined ? '' : ` --scenario ${id}`}`;

  // The images: batches of scenarios.
  const images: Scenario[][] = [];
  const ruleOf = new Map<number, string>();
  if (opts.checkSkips !== undefined) {
    const per: Record<string, number> = {};
    for (let id = 0; id < 100_000; id++) {
      const s = scenario(opts.seed, id);
      const rule = skipRuleFor(s);
      if (rule === undefined || (per[rule.id] ?? 0) >= opts.checkSkips || (opts.onlyRule !== undefined && rule.id !== opts.onlyRule)) continue;
      per[rule.id] = (per[rule.id] ?? 0) + 1;
      ruleOf.set(s.id, rule.id);
      images.push([s]);
      if (Object.values(per).every((n) => n >= opts.checkSkips!) && Object.keys(per).length === (opts.onlyRule !== undefined ? 1 : SKIP_RULES.length)) break;
    }
  } else if (opts.onlyScenario !== undefined) {
    const s = scenario(opts.seed, opts.onlyScenario);
    const rule = skipRuleFor(s);
    if (rule !== undefined) {
      log(`${describe(s)}\n  skipped by rule ${rule.id}: QEMU ${rule.qemu}; the Arm ARM: ${rule.architecture} (${rule.cite})`);
      report.skipped[rule.id] = 1;
    } else images.push([s]);
  } else {
    let next = 0, total = 0;
    while (total < opts.count) {
      const c = collect(opts.seed, next, Math.min(perImage, opts.count - total), report.skipped);
      next = c.next; total += c.list.length;
      images.push(c.list);
    }
  }

  try {
    let i = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const k = i++;
        if (k >= images.length) return;
        const list = images[k]!;
        const name = `scen-${opts.seed}-${list[0]!.id}`;
        let elf: string;
        try {
          elf = buildImage(dir, name, imageSource(list));
        } catch (e) {
          report.failures.push(`cannot build ${name}: ${String(e)}`);
          continue;
        }
        const qp = runQemu(elf);
        const ours = runA64el(elf);
        const q = await qp;
        report.images++;
        compare(list, q, ours, name);
      }
    };
    const compare = (list: Scenario[], q: RunOutput, ours: RunOutput, name: string): void => {
      const qc = chunks(q.uart), oc = chunks(ours.uart);
      // A run that stopped early (hang, halt, exit) prints nothing for the scenarios after the one that
      // derailed it: those are "not reached", not compared.
      const lastA = Math.max(-1, ...list.map((x, i) => (oc.has(x.id) ? i : -1)));
      const lastB = Math.max(-1, ...list.map((x, i) => (qc.has(x.id) ? i : -1)));
      list.forEach((s, i) => {
        const a = oc.get(s.id), b = qc.get(s.id);
        if ((a === undefined && i > lastA) || (b === undefined && i > lastB)) { report.notReached++; return; }
        report.scenariosCompared++;
        const rule = ruleOf.get(s.id);
        if (rule !== undefined) {
          const key = `${rule}: ${a !== undefined && a === b ? 'AGREES (rule may be stale)' : 'differs as documented'}`;
          report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
          const head = (t: string | undefined): string => (t ?? '(nothing)').split('\n').slice(1, 6).map((l) => l.trim()).join(' ');
          log(`[${rule}] ${describe(s)}\n    a64el: ${head(a)}\n    QEMU:  ${head(b)}`);
          if (a === b) report.failures.push(`skip rule ${rule} no longer needed for ${describe(s)}? a64el and QEMU agree:\n${a ?? ''}`);
          return;
        }
        if (a !== undefined && a === b) {
          report.scenariosAgreeing++;
          const o = outcome(a);
          report.outcomes[o] = (report.outcomes[o] ?? 0) + 1;
          return;
        }
        if (report.failures.length >= (opts.maxReports ?? 10)) { report.failures.push(`S${s.id}: differs (see the first reports)`); return; }
        report.failures.push([
          `SCENARIO MISMATCH seed=${opts.seed} ${describe(s)} (image ${name})`,
          '  a64el:', ...(a ?? `(no output for this scenario; a64el: ${ours.note || `exit ${ours.exitCode}`})`).split('\n').map((l) => `    ${l}`),
          '  QEMU:', ...(b ?? `(no output for this scenario; QEMU: ${q.note || `exit ${q.exitCode}`})`).split('\n').map((l) => `    ${l}`),
          `  reproduce: ${reproduce(s.id)}`,
        ].join('\n'));
      });
      if (ours.exitCode !== q.exitCode && report.failures.length < (opts.maxReports ?? 10)) {
        report.failures.push(`image ${name}: exit status a64el ${ours.exitCode} (${ours.note}) QEMU ${q.exitCode} (${q.note})`);
      }
      if (opts.onlyScenario !== undefined) log(`--- a64el (exit ${ours.exitCode}) ---\n${ours.uart}--- QEMU (exit ${q.exitCode}) ---\n${q.uart}`);
    };
    await Promise.all(Array.from({ length: Math.min(jobs, images.length) }, worker));
  } finally {
    if (opts.keepDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
  report.elapsedMs = Date.now() - t0;
  log(qemuSummary(report));
  return report;
}

export function qemuSummary(r: QemuDiffReport): string {
  const skips = Object.entries(r.skipped).map(([k, v]) => `${k} ${v}`).join(', ');
  return `a64el vs QEMU: seed ${r.seed}: ${r.scenariosCompared} exception scenarios compared in ${r.images} images, ${r.scenariosAgreeing} agree, ` +
    `${r.notReached > 0 ? `${r.notReached} not reached after a derailed scenario, ` : ''}` +
    `${r.failures.length} failure(s), in ${(r.elapsedMs / 1000).toFixed(1)} s; skipped by rule: ${skips}`;
}
