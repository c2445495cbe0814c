/**
 * Every vector file under test/vectors/ (call vectors and image vectors) through the dispatcher
 * (src/vectors/files.ts runVectors), one test per file, plus one test that fails with the list of
 * every failing vector and its message. A malformed vector is a failure too (the parser's message).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { VectorRunResult } from '../../src/vectors/runner.js';
import { collectVectorFiles, runVectorFile } from '../../src/vectors/files.js';
import { formatText } from '../../src/vectors/reporters.js';

const ROOT = join('test', 'vectors');
const { files } = collectVectorFiles([ROOT]);
const results = new Map<string, VectorRunResult>();
const resultOf = (f: string): VectorRunResult => {
  let r = results.get(f);
  if (r === undefined) { r = runVectorFile(f); results.set(f, r); }
  return r;
};

describe('vectors under test/vectors/', () => {
  it('finds the FF-A call vectors and the image vectors', () => {
    expect(files.filter((f) => f.includes(join('vectors', 'ffa'))).length).toBeGreaterThanOrEqual(80);
    expect(files.filter((f) => f.includes(join('vectors', 'images'))).length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (f) => {
    const r = resultOf(f);
    if (!r.passed) expect.fail(`${r.name}: ${r.message}`);
  });

  it('all vectors pass (list of failures)', () => {
    const all = files.map(resultOf);
    const failing = all.filter((r) => !r.passed);
    if (failing.length > 0) {
      expect.fail(`${failing.length} of ${all.length} vectors failed:\n${formatText(failing)}`);
    }
  });
});
