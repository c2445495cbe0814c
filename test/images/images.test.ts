/**
 * Every image vector (test/vectors/images/*.json) under a64el: the exact UART text and exit code that
 * QEMU 7.2 produced (firmware-images/expected/NAME.{txt,json}, recorded by record-expected.mjs), and
 * the vector's own verdict.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImageVectorFile } from '../../src/vectors/files.js';

const root = join(import.meta.dirname, '..', '..');
const vectorDir = join(root, 'test', 'vectors', 'images');
const names = readdirSync(vectorDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

describe('image vectors match QEMU\'s recorded output exactly', () => {
  it('there is one vector per built image (14)', () => {
    const built = readdirSync(join(root, 'firmware-images', 'build')).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)).sort();
    expect(names).toEqual(built);
    expect(names.length).toBe(14);
  });

  for (const name of names) {
    it(name, () => {
      const r = runImageVectorFile(join(vectorDir, `${name}.json`));
      const want = readFileSync(join(root, 'firmware-images', 'expected', `${name}.txt`), 'latin1');
      const wantExit = JSON.parse(readFileSync(join(root, 'firmware-images', 'expected', `${name}.json`), 'utf8')).exitCode;
      expect(r.uart, r.message).toBe(want);
      expect(r.exitCode, r.message).toBe(wantExit);
      expect(r.message).toBe('ok');
      expect(r.passed).toBe(true);
      expect(r.instructions).toBeGreaterThan(0);
      expect(r.cycles).toBeGreaterThanOrEqual(r.instructions);
    });
  }
});
