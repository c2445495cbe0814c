/**
 * `a64el vectors FILE|DIR... [--reporter text|junit] [--output FILE] [--jobs N] [--shard i/n] [--trace FILE] [--no-progress]`:
 * run test vectors of both kinds
 * (vector-format.md: call vectors and image vectors) with the runner in src/vectors/runner.ts and
 * report them with src/vectors/reporters.ts.
 *
 *  - text (default): one line per vector as it finishes (`PASS name (...)` or `FAIL name: message`),
 *    then `N passed, M failed`;
 *  - junit: JUnit XML (one <testcase> per vector) on stdout, for CI systems.
 *  - `--output FILE` writes the report to FILE instead, atomically (a temporary file in the same
 *    directory, renamed over FILE once complete); the text lines still go to stdout.
 *  - `--jobs N` runs the files on N worker threads (vectors/parallel.ts); results are reported in
 *    file order, as a sequential run reports them. `--shard i/n` keeps every n-th file from the i-th
 *    (for splitting a suite across CI machines).
 *  - `--trace FILE` records every vector's exception entries/returns, SMC/HVC calls (FF-A decoded)
 *    and world switches and writes FILE, atomically, once the run ends: Chrome trace JSON with one
 *    process per vector for a *.json name, else the text timeline (vectors/trace.ts). The same file
 *    with or without --jobs. A FILE that cannot be written is a usage error before anything runs.
 *  - On a terminal, a one-line progress bar on stderr (vectors/progress.ts): done/total, passed and
 *    failed, elapsed time and ETA, the current file; throttled, cleared at the end. Never drawn when
 *    stderr is not a TTY, or with `--no-progress`.
 * Exit status: 0 if every vector passed, 1 if any failed, 2 for usage errors (no such path, no
 * vector files, unknown reporter).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type VectorRunResult, summaryLine } from '../vectors/runner.js';
import { collectVectorFiles } from '../vectors/files.js';
import { parseShard, runVectorsParallel, shardFiles } from '../vectors/parallel.js';
import { formatJunit, formatResult, formatText } from '../vectors/reporters.js';
import { ProgressBar, progressWanted } from '../vectors/progress.js';
import { type VectorTraceFormat, type VectorTracePart, VectorTraceJoiner, traceFormatOf } from '../vectors/trace.js';
import { runTracedFile } from '../vectors/trace-run.js';
import { type CliIo, EXIT_OK, EXIT_USAGE } from './io.js';
import { AtomicFileWriter } from './trace-file.js';

const REPORTERS = ['text', 'junit'] as const;
type Reporter = (typeof REPORTERS)[number];

/** Write `text` to `path` so that readers see the old file or the whole new one, never a part. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** `a64el vectors FILE|DIR... [--reporter text|junit] [--output FILE] [--jobs N] [--shard i/n] [--trace FILE] [--no-progress]` */
export function vectorsCommand(argv: string[], io: CliIo): number | Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: {
      reporter: { type: 'string', default: 'text' }, output: { type: 'string' }, jobs: { type: 'string' }, shard: { type: 'string' },
      trace: { type: 'string' }, 'no-progress': { type: 'boolean', default: false },
    },
  });
  const jobs = values.jobs === undefined ? 1 : Number(values.jobs);
  if (!Number.isSafeInteger(jobs) || jobs < 1 || !/^\d+$/.test(values.jobs ?? '1')) {
    io.err(`a64el vectors: --jobs N must be a positive integer, got "${values.jobs}"\n`);
    return EXIT_USAGE;
  }
  const shard = values.shard === undefined ? null : parseShard(values.shard);
  if (values.shard !== undefined && shard === null) {
    io.err(`a64el vectors: --shard must be i/n with 1 <= i <= n, got "${values.shard}"\n`);
    return EXIT_USAGE;
  }
  const reporter = values.reporter as Reporter;
  if (!REPORTERS.includes(reporter)) {
    io.err(`a64el vectors: unknown reporter "${values.reporter}" (expected ${REPORTERS.join(' or ')})\n`);
    return EXIT_USAGE;
  }
  if (values.output === '') { io.err('a64el vectors: --output needs a file name\n'); return EXIT_USAGE; }
  if (values.trace === '') { io.err('a64el vectors: --trace needs a file name\n'); return EXIT_USAGE; }
  if (positionals.length === 0) { io.err('a64el vectors: expected FILE or DIR arguments\n'); return EXIT_USAGE; }
  const { files, missing } = collectVectorFiles(positionals);
  for (const m of missing) io.err(`a64el vectors: ${m}: no such file or directory\n`);
  if (missing.length > 0) return EXIT_USAGE;
  if (files.length === 0) { io.err(`a64el vectors: no *.json vector files in ${positionals.join(', ')}\n`); return EXIT_USAGE; }

  const mine = shard === null ? files : shardFiles(files, shard);

  // --trace FILE: checked and opened now, so a bad path fails before the suite runs.
  let trace: SuiteTrace | null = null;
  if (values.trace !== undefined) {
    try {
      trace = new SuiteTrace(values.trace, mine.length);
    } catch (err) {
      io.err(`a64el vectors: --trace: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_USAGE;
    }
  }
  // The progress bar: on a terminal stderr only (never with --no-progress, never into a pipe or file).
  const bar = progressWanted(io.errStream, { disabled: values['no-progress'], term: process.env['TERM'] })
    ? new ProgressBar(io.errStream, mine.length) : null;
  // Result lines on stdout share the terminal with the bar when stdout is a terminal too.
  const linesOnTerminal = io.outStream?.isTTY === true;

  const output = values.output;
  // Text lines stream to stdout as vectors finish, unless stdout carries the JUnit XML.
  const streamText = reporter === 'text' || output !== undefined;
  let done = 0;
  const onResult = (r: VectorRunResult, part: VectorTracePart | null): void => {
    if (trace !== null) trace.add(r, part, done);
    done++;
    const line = streamText ? (): void => io.out(`${formatResult(r, { oneLine: true })}\n`) : undefined;
    if (bar === null) line?.();
    else if (linesOnTerminal) bar.result(r.passed, line);   // cleared for the line, drawn again under it
    else { line?.(); bar.result(r.passed); }
  };
  const finish = (results: VectorRunResult[]): number => {
    bar?.finish();
    let status = report(results, reporter, output, streamText, io);
    if (trace !== null) {
      try {
        io.err(trace.commit());
      } catch (err) {
        io.err(`a64el vectors: --trace: ${err instanceof Error ? err.message : String(err)}\n`);
        status = EXIT_USAGE;
      }
    }
    return status;
  };
  const fail = (err: unknown): never => { bar?.finish(); trace?.abort(); throw err; };
  const format = trace?.format;
  const sequential = (): number => {
    try {
      const results: VectorRunResult[] = [];
      for (let i = 0; i < mine.length; i++) {
        const f = mine[i]!;
        bar?.start(f);
        const { result, trace: part } = runTracedFile(f, format);
        results.push(result);
        onResult(result, part);
      }
      return finish(results);
    } catch (err) {
      return fail(err);
    }
  };
  // Worker threads for --jobs N; with a progress bar also for one job, so the main thread is free to
  // keep the bar (its clock) moving while a long vector runs. No worker thread at all: in this thread.
  if ((jobs > 1 && mine.length > 1) || bar !== null) {
    const opts = { ...(format === undefined ? {} : { trace: format }), ...(bar === null ? {} : { onStart: (_i: number, f: string) => bar.start(f) }) };
    // Ctrl-C while the workers run (this thread is idle, so the handler runs at once): take the bar
    // off the screen and FILE.tmp off the disk, then die of SIGINT as if no handler were installed.
    const interrupted = (): void => {
      bar?.finish();
      trace?.abort();
      process.kill(process.pid, 'SIGINT');
    };
    const catchInt = bar !== null || trace !== null;
    if (catchInt) process.once('SIGINT', interrupted);
    const settle = (): void => { if (catchInt) process.removeListener('SIGINT', interrupted); };
    return runVectorsParallel(mine, jobs, onResult, opts).then((results) => { settle(); return finish(results); }, (err: unknown) => {
      settle();
      if (done === 0 && bar !== null && jobs === 1) return sequential();
      return fail(err);
    });
  }
  return sequential();
}

/** `--trace FILE` for a whole run: the parts of every vector joined in file order (vectors/trace.ts). */
class SuiteTrace {
  readonly format: VectorTraceFormat;
  private readonly joiner: VectorTraceJoiner;
  private readonly file: AtomicFileWriter;

  constructor(readonly path: string, private readonly total: number) {
    this.format = traceFormatOf(path);
    this.joiner = new VectorTraceJoiner(this.format);
    this.file = new AtomicFileWriter(path);
    this.file.write(this.joiner.head());
  }

  /** A write that failed (disk full...): the run goes on, commit() reports it. */
  private failure: Error | null = null;

  /**
   * The trace of the vector at position `index` (none for a file that could not be parsed). Never
   * throws (it runs in the worker threads' message handler): a failed write is kept for commit().
   */
  add(r: VectorRunResult, part: VectorTracePart | null, index: number): void {
    if (part === null || this.failure !== null) return;
    try {
      this.file.write(this.joiner.piece(part, { index, total: this.total, name: r.name, file: r.file, passed: r.passed, message: r.message }));
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));   // FILE.tmp is already removed
    }
  }

  /** Finish and rename the file into place; the line for stderr. Throws if a write failed. */
  commit(): string {
    if (this.failure !== null) throw this.failure;
    this.file.write(this.joiner.tail());
    this.file.commit();
    const j = this.joiner;
    return `a64el vectors: trace of ${j.vectors} vector${j.vectors === 1 ? '' : 's'} (${j.recorded} events` +
      `${j.dropped > 0 ? `, ${j.dropped} older ones dropped` : ''}) written to ${this.path}` +
      `${this.format === 'json' ? ' (Chrome trace JSON, one process per vector: open it in ui.perfetto.dev)' : ''}\n`;
  }

  abort(): void { this.file.abort(); }
}

/** Print or write the report; the exit status (0 all passed, 1 some failed, 2 the report could not be written). */
function report(results: VectorRunResult[], reporter: Reporter, output: string | undefined, streamText: boolean, io: CliIo): number {
  const failed = results.filter((r) => !r.passed).length;
  if (streamText) io.out(`${summaryLine(results)}\n`);
  const text = reporter === 'junit' ? formatJunit(results) : formatText(results, { oneLine: true });
  if (output !== undefined) {
    try {
      writeFileAtomic(output, text);
    } catch (err) {
      io.err(`a64el vectors: cannot write ${output}: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_USAGE;
    }
  } else if (reporter === 'junit') {
    io.out(text);
  }
  return failed === 0 ? EXIT_OK : 1;
}
