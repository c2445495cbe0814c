/**
 * Shared bits of the fuzz commands (tools/fuzz/{ffa,insn,files}.ts): `--name value` arguments, the
 * seed, progress lines, and the JSON report written atomically (temporary file, then rename).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

export function args(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) m.set(a.slice(2, eq), a.slice(eq + 1));
    else { const v = argv[i + 1]; if (v === undefined || v.startsWith('--')) m.set(a.slice(2), 'true'); else { m.set(a.slice(2), v); i++; } }
  }
  return m;
}

export function num(m: Map<string, string>, key: string, dflt: number): number {
  const v = m.get(key);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${key} must be a non-negative integer, got "${v}"`);
  return n;
}

/** The seed: --seed, FUZZ_SEED, or a fresh one (printed, so a failure can be replayed). */
export function seedOf(m: Map<string, string>): number {
  const v = m.get('seed') ?? process.env['FUZZ_SEED'];
  return v === undefined ? (Date.now() ^ (process.pid << 8)) & 0x7fff_ffff : Number(v);
}

/** Write `value` as JSON to `path` atomically. */
export function writeReport(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Call `f` at most every `ms` milliseconds. */
export function throttle<T>(ms: number, f: (x: T) => void): (x: T) => void {
  let last = 0;
  return (x) => { const now = Date.now(); if (now - last >= ms) { last = now; f(x); } };
}

export function main(run: (m: Map<string, string>) => number): void {
  try {
    process.exitCode = run(args(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}
