/**
 * `a64el run --trace FILE`: record the run (trace/recorder.ts) and write it when the run ends.
 *   --trace             (alone) the text lines on stderr, as before
 *   --trace FILE.json   Chrome trace event JSON for ui.perfetto.dev
 *   --trace=FILE        the same for a .json name; any other name gets the text timeline
 * The file is written atomically: to FILE.tmp, then renamed over FILE.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
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
