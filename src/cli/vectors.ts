/**
 * `a64el vectors FILE|DIR...` and the dispatcher that picks the runner for each vector file.
 * Image vectors run now; call vectors (vector-format.md "Call vectors") plug in at `runVectorFile`.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseVector } from '../vectors/parse.js';
import { type VectorResult, errorResult, readVectorText, runImageVector } from '../vectors/image-runner.js';
import { type CliIo, EXIT_OK, EXIT_USAGE } from './io.js';

/**
 * Read one vector file, parse it (vectors/parse.ts) and run it with the runner for its kind. Never
 * throws: a malformed or unsupported vector is a failed result whose message names the file (and
 * the JSON path).
 */
export function runVectorFile(path: string): VectorResult {
  let v;
  try {
    v = parseVector(readVectorText(path), path);
  } catch (err) {
    return errorResult(path, err);
  }
  try {
    switch (v.kind) {
      case 'image': return runImageVector(v);
      case 'call': return errorResult(path, `${path}: call vectors are not supported yet by this build (only image vectors)`, v.name);
    }
  } catch (err) {
    // An emulator bug must not take the other vectors down with it.
    return errorResult(path, `${path}: internal error while running: ${err instanceof Error ? err.message : String(err)}`, v.name);
  }
}

/** Expand FILE|DIR arguments: directories are searched recursively for *.json, in sorted order. */
export function collectVectorFiles(args: string[]): { files: string[]; missing: string[] } {
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

/** `a64el vectors FILE|DIR...` */
export function vectorsCommand(argv: string[], io: CliIo): number {
  const { positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: {} });
  if (positionals.length === 0) { io.err('a64el vectors: expected FILE or DIR arguments\n'); return EXIT_USAGE; }
  const { files, missing } = collectVectorFiles(positionals);
  for (const m of missing) io.err(`a64el vectors: ${m}: no such file or directory\n`);
  if (missing.length > 0) return EXIT_USAGE;
  if (files.length === 0) { io.err(`a64el vectors: no *.json vector files in ${positionals.join(', ')}\n`); return EXIT_USAGE; }
  let passed = 0, failed = 0;
  for (const f of files) {
    const r = runVectorFile(f);
    if (r.passed) { passed++; io.out(`PASS ${r.name} (${r.instructions} instructions, ${r.cycles} cycles)\n`); }
    else { failed++; io.out(`FAIL ${r.name}: ${r.message}\n`); }
  }
  io.out(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? EXIT_OK : 1;
}
