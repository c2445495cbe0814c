/**
 * Malformed input files (tools/fuzz/files-engine.ts; `npm run fuzz:files` tries 100 000): mutated
 * ELF images and mutated vector files must be loaded/parsed or refused with an error naming the file
 * and what is wrong, never an exception of another kind, in-process (the CI share) and through the
 * real command for a sample: no stack trace, no internal error (exit status 70).
 * FUZZ_FILES and FUZZ_SEED override the share and the seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfMutationArb, elfSeeds, mutateElf, mutateVector, runFilesCampaign, vectorMutationArb, vectorSeeds } from '../../tools/fuzz/files-engine.js';
import { VectorError, parseVector } from '../../src/vectors/parse.js';
import { cli, ensureDist, hasStackTrace } from './cli-helper.js';

const FILES = Number(process.env['FUZZ_FILES'] ?? 2000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

describe('malformed files, in-process (CI share)', () => {
  it(`${FILES} mutated ELF images and ${FILES} mutated vector files: loaded, or refused with the file named`, () => {
    const r = runFilesCampaign({ elves: FILES, vectors: FILES, seed: SEED });
    console.log(`files fuzz: ${JSON.stringify(r.stats)}`);
    expect(r.failures).toEqual([]);
    expect(r.stats.elfTried).toBe(FILES);
    expect(r.stats.vectorsTried).toBe(FILES);
    // Both outcomes happen: the mutations are not all fatal, nor all harmless.
    expect(r.stats.elfAccepted).toBeGreaterThan(0);
    expect(Object.keys(r.stats.elfRefusedByCode).length).toBeGreaterThan(10);
    expect(r.stats.vectorsAccepted).toBeGreaterThan(0);
    expect(r.stats.vectorRefusals).toBeGreaterThan(0);
  }, 600_000);
});

describe('malformed files through the real command (a sample)', () => {
  let dir = '';
  beforeAll(() => { ensureDist(); dir = mkdtempSync(join(tmpdir(), 'a64el-files-')); }, 120_000);
  afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

  it('a64el run on mutated images: exit status 0-255 but never 70, the file named on refusal, no stack trace', async () => {
    const seeds = elfSeeds();
    const cases = fc.sample(fc.tuple(fc.nat(seeds.length - 1), fc.array(elfMutationArb, { minLength: 1, maxLength: 4 })), { numRuns: 12, seed: SEED });
    const files = cases.map(([i, ms], k) => {
      const f = join(dir, `image-${k}.elf`);
      writeFileSync(f, mutateElf(seeds[i]!.bytes, ms));
      return f;
    });
    const runs = await Promise.all(files.map((f) => cli(['run', f, '--max-instructions', '20000'])));
    runs.forEach((r, k) => {
      const f = files[k]!;
      expect(r.status, `${f}: ${r.stderr}`).not.toBeNull();
      expect(r.status, `${f}: ${r.stderr}`).not.toBe(70);
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
      if (r.status === 2) expect(r.stderr).toContain(f);
    });
  }, 180_000);

  it('a64el vectors on mutated vector files: each one reported by name, no internal error, no stack trace', async () => {
    const seeds = vectorSeeds().map((s) => new TextDecoder().decode(s.bytes));
    const cases = fc.sample(fc.tuple(fc.nat(seeds.length - 1), fc.array(vectorMutationArb, { minLength: 1, maxLength: 3 })), { numRuns: 24, seed: SEED });
    const files = cases.map(([i, ms], k) => {
      const f = join(dir, `vector-${k}.json`);
      writeFileSync(f, mutateVector(seeds[i]!, ms));
      return f;
    });
    const r = await cli(['vectors', ...files], 170_000);
    expect(r.status, r.stderr).not.toBe(70);
    expect([0, 1]).toContain(r.status);
    expect(hasStackTrace(r.stdout + r.stderr), r.stdout + r.stderr).toBe(false);
    expect(r.stdout + r.stderr).not.toMatch(/internal error/);
    // A file that does not parse is named by its path (and JSON path); one that parses, by its name.
    for (const f of files) {
      let name: string | null = null;
      try { name = parseVector(readFileSync(f, 'utf8'), f).name; } catch (e) { expect(e).toBeInstanceOf(VectorError); }
      expect(r.stdout, f).toContain(name ?? f);
    }
  }, 180_000);
});
