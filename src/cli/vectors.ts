/**
 * `a64el vectors FILE|DIR... [--reporter text|junit] [--output FILE] [--jobs N] [--shard i/n]`: run test vectors of both kinds
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
 * Exit status: 0 if every vector passed, 1 if any failed, 2 for usage errors (no such path, no
 * vector files, unknown reporter).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type VectorRunResult, summaryLine } from '../vectors/runner.js';
import { collectVectorFiles, runVectorFile } from '../vectors/files.js';
import { parseShard, runVectorsParallel, shardFiles } from '../vectors/parallel.js';
import { formatJunit, formatResult, formatText } from '../vectors/reporters.js';
import { type CliIo, EXIT_OK, EXIT_USAGE } from './io.js';

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

/** `a64el vectors FILE|DIR... [--reporter text|junit] [--output FILE] [--jobs N] [--shard i/n]` */
export function vectorsCommand(argv: string[], io: CliIo): number | Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: { reporter: { type: 'string', default: 'text' }, output: { type: 'string' }, jobs: { type: 'string' }, shard: { type: 'string' } },
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
  if (positionals.length === 0) { io.err('a64el vectors: expected FILE or DIR arguments\n'); return EXIT_USAGE; }
  const { files, missing } = collectVectorFiles(positionals);
  for (const m of missing) io.err(`a64el vectors: ${m}: no such file or directory\n`);
  if (missing.length > 0) return EXIT_USAGE;
  if (files.length === 0) { io.err(`a64el vectors: no *.json vector files in ${positionals.join(', ')}\n`); return EXIT_USAGE; }

  const mine = shard === null ? files : shardFiles(files, shard);

  const output = values.output;
  // Text lines stream to stdout as vectors finish, unless stdout carries the JUnit XML.
  const streamText = reporter === 'text' || output !== undefined;
  const onResult = streamText ? (r: VectorRunResult): void => io.out(`${formatResult(r, { oneLine: true })}\n`) : undefined;
  const finish = (results: VectorRunResult[]): number => report(results, reporter, output, streamText, io);
  if (jobs > 1 && mine.length > 1) return runVectorsParallel(mine, jobs, onResult).then(finish);
  const results: VectorRunResult[] = [];
  for (const f of mine) {
    const r = runVectorFile(f);
    results.push(r);
    onResult?.(r);
  }
  return finish(results);
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
