/**
 * `a64el run --trace FILE`: record the run (trace/recorder.ts) and write it when the run ends.
 *   --trace             (alone) the text lines on stderr, as before
 *   --trace FILE.json   Chrome trace event JSON for ui.perfetto.dev
 *   --trace=FILE        the same for a .json name; any other name gets the text timeline
 * The file is written atomically: to FILE.tmp, then renamed over FILE.
 */
import { closeSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CpuState } from '../state/cpu-state.js';
import { TraceRecorder, recorderToChromeTrace, recorderToText } from '../trace/index.js';

/**
 * Take `--trace FILE.json` / `--trace=FILE` out of argv (parseArgs cannot have an option whose value
 * is optional); a bare `--trace` stays for parseArgs as the boolean it always was.
 */
export function splitTraceOption(argv: readonly string[]): { argv: string[]; traceFile: string | undefined } {
  const out: string[] = [];
  let traceFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { out.push(...argv.slice(i)); break; }
    if (a.startsWith('--trace=')) { traceFile = a.slice('--trace='.length); continue; }
    if (a === '--trace' && i + 1 < argv.length && argv[i + 1]!.toLowerCase().endsWith('.json')) { traceFile = argv[++i]!; continue; }
    out.push(a);
  }
  return { argv: out, traceFile };
}

/** A recorder for `--trace FILE`, and how to write its file. */
export class TraceFile {
  private readonly rec: TraceRecorder;
  constructor(cpu: CpuState, readonly path: string) {
    this.rec = new TraceRecorder(cpu, { capacity: 1 << 18 }).start();   // ~18 MiB; older events are dropped and counted
  }

  /** Stop recording and write the file (atomically). Returns a one-line summary for stderr. */
  write(): string {
    this.rec.stop();
    const json = this.path.toLowerCase().endsWith('.json');
    const text = json ? JSON.stringify(recorderToChromeTrace(this.rec)) : recorderToText(this.rec);
    const tmp = `${this.path}.tmp`;
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, this.path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    const dropped = this.rec.ring.dropped;
    return `a64el: trace of ${this.rec.ring.size} events${dropped > 0 ? ` (${dropped} older ones dropped)` : ''} written to ${this.path}` +
      `${json ? ' (Chrome trace JSON: open it in ui.perfetto.dev)' : ''}\n`;
  }
}

/**
 * Why `path` cannot be written, in words (`directory out does not exist`, `is a directory`), or null
 * when it looks writable. Checked before a long run (`a64el vectors --trace FILE`), so a typo fails
 * at once rather than after the suite.
 */
export function traceFileProblem(path: string): string | null {
  if (path === '') return 'no file name given';
  try {
    if (statSync(path).isDirectory()) return 'it is a directory';
  } catch { /* does not exist yet: fine */ }
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  } catch {
    return `directory ${dir} does not exist`;
  }
  return null;
}

/**
 * A file written piece by piece and then put in place atomically: pieces go to FILE.tmp, which is
 * renamed over FILE by commit(); abort() (or a failed write) removes FILE.tmp and leaves FILE as it
 * was. For traces joined as their parts arrive (`a64el vectors --trace FILE`), so a large suite's
 * trace is never held whole in memory.
 */
export class AtomicFileWriter {
  readonly tmp: string;
  private fd: number | null;

  /** Opens FILE.tmp; throws an Error whose message names the file and says why. */
  constructor(readonly path: string) {
    const problem = traceFileProblem(path);
    if (problem !== null) throw new Error(`cannot write ${path}: ${problem}`);
    this.tmp = `${path}.tmp`;
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (err) {
      throw new Error(`cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  write(text: string): void {
    if (this.fd === null || text === '') return;
    try {
      writeSync(this.fd, text);
    } catch (err) {
      this.abort();
      throw new Error(`cannot write ${this.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Close FILE.tmp and rename it over FILE. */
  commit(): void {
    if (this.fd === null) throw new Error(`cannot write ${this.path}: already closed`);
    try {
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tmp, this.path);
    } catch (err) {
      this.abort();
      throw new Error(`cannot write ${this.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Close and remove FILE.tmp (FILE is untouched). */
  abort(): void {
    if (this.fd !== null) { try { closeSync(this.fd); } catch { /* already failing */ } this.fd = null; }
    rmSync(this.tmp, { force: true });
  }
}
