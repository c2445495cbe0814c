/**
 * Talking to the Unicorn driver (tools/diff/unicorn_driver.py) as an external program: one long-lived
 * process per session, cases streamed on stdin, results read back in order.
 *
 * The driver must run under the Debian system python (/usr/bin/python3), where the python3-unicorn
 * package is installed; a pyenv python3 on PATH does not have it. A64EL_UNICORN_PYTHON overrides.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CODE_BASE, type CaseInput, type CaseState, DATA_BASE } from './insn-gen.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PYTHON = process.env['A64EL_UNICORN_PYTHON'] ?? '/usr/bin/python3';
export const DRIVER = join(here, 'unicorn_driver.py');

/** Whether the Unicorn python module can be imported; `why` says what is missing. */
export function unicornAvailable(): { ok: boolean; why: string } {
  const r = spawnSync(PYTHON, ['-c', 'import unicorn; print(unicorn.__version__)'], { encoding: 'utf8' });
  if (r.error !== undefined) return { ok: false, why: `${PYTHON} not runnable (${r.error.message})` };
  if (r.status !== 0) return { ok: false, why: `${PYTHON} cannot import unicorn (apt-get install python3-unicorn): ${r.stderr.trim().split('\n').pop() ?? ''}` };
  return { ok: true, why: `unicorn ${r.stdout.trim()}` };
}

export interface UnicornResult {
  state: CaseState;
  /** null, or what stopped Unicorn early: an exception (hook_intr number) or an error message. */
  exc: { kind: 'intr'; intno: number } | { kind: 'error'; msg: string } | null;
}

interface Raw { id: number; x: string[]; sp: string; nzcv: number; pc: string; v: string[]; mem: [number, string][]; exc: UnicornResult['exc'] }

/** The driver's JSON line for a case run for `count` instructions (default: all it executed). */
export function caseLine(id: number, c: CaseInput, count = c.executed): string {
  const code = Buffer.alloc(4 * c.words.length);
  c.words.forEach((w, i) => code.writeUInt32LE(w >>> 0, 4 * i));
  return JSON.stringify({
    id,
    code: code.toString('hex'),
    until: `0x${(CODE_BASE + 4 * c.words.length).toString(16)}`,
    count,
    x: c.x.map((v) => `0x${v.toString(16)}`),
    sp: `0x${c.sp.toString(16)}`,
    nzcv: c.nzcv,
    data: Buffer.from(c.data).toString('hex'),
    ...(c.v === undefined ? {} : { v: c.v.map((q) => `0x${q.toString(16)}`) }),
  });
}

export class UnicornSession {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve: (r: UnicornResult) => void; reject: (e: Error) => void }[] = [];
  private nextId = 0;
  private stderr = '';
  private dead: Error | null = null;

  constructor() {
    // Unicorn's "max" CPU (QEMU's -cpu max of Unicorn's QEMU 5 base): FEAT_LSE and CRC32, which the
    // default cortex-a72 model lacks (it UNDEFs every atomic a64el implements).
    this.proc = spawn(PYTHON, [DRIVER, '--code', `0x${CODE_BASE.toString(16)}`, '--data', `0x${DATA_BASE.toString(16)}`, '--cpu', 'max'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d: string) => { this.stderr += d; });
    const rl = createInterface({ input: this.proc.stdout });
    rl.on('line', (line) => {
      const p = this.pending.shift();
      if (p === undefined) return;
      try {
        const r = JSON.parse(line) as Raw;
        p.resolve({
          state: { x: r.x.map((v) => BigInt(v)), sp: BigInt(r.sp), nzcv: r.nzcv >>> 0, pc: BigInt(r.pc), v: r.v.map((q) => BigInt(q)), mem: r.mem },
          exc: r.exc,
        });
      } catch (e) {
        p.reject(new Error(`bad line from the Unicorn driver: ${line.slice(0, 200)} (${String(e)})`));
      }
    });
    this.proc.on('error', (e) => this.fail(e));
    this.proc.on('exit', (code, sig) => {
      if (this.pending.length > 0) this.fail(new Error(`Unicorn driver exited (${code ?? sig}) with ${this.pending.length} cases pending:\n${this.stderr}`));
    });
    this.proc.stdin.on('error', (e) => this.fail(e));
  }

  private fail(e: Error): void {
    this.dead = e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }

  /** Cases sent but not answered yet. */
  get outstanding(): number { return this.pending.length; }

  /** Run one case for `count` instructions; resolves with Unicorn's final state. */
  async run(c: CaseInput, count = c.executed): Promise<UnicornResult> {
    if (this.dead !== null) throw this.dead;
    const p = new Promise<UnicornResult>((resolve, reject) => this.pending.push({ resolve, reject }));
    this.proc.stdin.write(caseLine(this.nextId++, c, count) + '\n');   // buffered; callers bound outstanding()
    return p;
  }

  /** Resolves once at most `n` cases are outstanding. */
  async settle(n: number): Promise<void> {
    while (this.pending.length > n && this.dead === null) await new Promise((r) => setTimeout(r, 2));
    if (this.dead !== null) throw this.dead;
  }

  async close(): Promise<void> {
    this.proc.stdin.end();
    if (this.proc.exitCode === null) await once(this.proc, 'exit');
  }
}
