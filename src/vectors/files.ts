/**
 * The Node side of the vector runners: reading vector and image files from disk and walking
 * directories. The runners themselves (runner.ts, image-runner.ts) import nothing from Node so they
 * bundle for browsers; everything here that touches the file system is what `a64el vectors`, the
 * worker threads (parallel-worker.ts) and the tests use.
 *
 *   runVectorFile(path)        read + parse (parse.ts) + run one file of either kind; never throws
 *   runImageVectorFile(path)   the same for a file that must be an image vector
 *   runVectors(paths)          FILE|DIR arguments (directories searched for *.json, sorted) -> summary
 *   collectVectorFiles(args)   FILE|DIR arguments -> the vector files, and the arguments that do not exist
 *   readImageFile(path)        an image's bytes (RunImageOptions.readImage for files on disk)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ParsedVector, VectorError, parseVector } from './parse.js';
import { type RunImageOptions, type VectorResult, errorResult, runImageVector } from './image-runner.js';
import { type RunCallOptions, type VectorRunResult, type VectorRunSummary, emptyResult, runVector, summaryLine } from './runner.js';

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An image's bytes from disk; an unreadable file is an Error naming it. */
export function readImageFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read the file: ${errText(err)}`);
  }
}

/** Read a vector file's text; an unreadable file is a VectorError naming it. */
export function readVectorText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new VectorError(path, '', `cannot read the file: ${errText(err)}`);
  }
}

/**
 * Read, parse and run one vector file. Never throws: an unreadable or malformed file is a failed
 * result whose message is the parser's (`FILE: JSON.PATH: what is wrong`). Image vectors read their
 * image from disk unless `opts.readImage` says otherwise.
 */
export function runVectorFile(path: string, opts: RunCallOptions = {}): VectorRunResult {
  let v: ParsedVector;
  try {
    v = parseVector(readVectorText(path), path);
  } catch (err) {
    const r = emptyResult({ name: path, file: path }, 'invalid');
    r.message = err instanceof VectorError ? err.message : `${path}: internal error while parsing: ${errText(err)}`;
    return r;
  }
  try {
    return runVector(v, { ...opts, readImage: opts.readImage ?? readImageFile });
  } catch (err) {
    const r = emptyResult(v, v.kind);
    r.message = `${path}: internal error in the emulator: ${errText(err)}`;
    return r;
  }
}

/** Read, validate and run one image vector file (a call vector here is a failed result). */
export function runImageVectorFile(path: string, opts: RunImageOptions = {}): VectorResult {
  let v;
  try {
    v = parseVector(readVectorText(path), path);
  } catch (err) {
    return errorResult(path, err);
  }
  if (v.kind !== 'image') return errorResult(path, `${path}: not an image vector`, v.name);
  return runImageVector(v, { ...opts, readImage: opts.readImage ?? readImageFile });
}

/** Expand FILE|DIR arguments: directories are searched recursively for *.json, each sorted by name. */
export function collectVectorFiles(args: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [], missing: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) files.push(p);
    }
  };
  for (const a of args) {
    let st;
    try { st = statSync(a); } catch { missing.push(a); continue; }
    if (st.isDirectory()) walk(a); else files.push(a);
  }
  return { files, missing };
}

/**
 * Run every vector named by FILE|DIR arguments, in order, each on its own machine; one bad file does
 * not stop the others. `onResult` sees each result as it is produced (for streaming reporters).
 */
export function runVectors(
  paths: readonly string[],
  opts: RunCallOptions & { onResult?: (r: VectorRunResult) => void } = {},
): VectorRunSummary {
  const { files, missing } = collectVectorFiles(paths);
  const results: VectorRunResult[] = [];
  for (const f of files) {
    const r = runVectorFile(f, opts);
    results.push(r);
    opts.onResult?.(r);
  }
  const passed = results.filter((r) => r.passed).length;
  return { results, passed, failed: results.length - passed, summary: summaryLine(results), missing };
}
