/**
 * `a64el vectors --jobs N` (worker threads) and `--shard i/n`: the same results, in the same order,
 * as the sequential run; shards are disjoint and cover every file.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { collectVectorFiles } from '../../src/vectors/files.js';
import { parseShard, shardFiles } from '../../src/vectors/parallel.js';

const DIR = join(import.meta.dirname, 'ffa');

async function cli(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '', err = '';
  const dec = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString());
  const status = await runCli(argv, { out: (c) => { out += dec(c); }, err: (c) => { err += dec(c); } });
  return { status, out, err };
}

/** The text lines without the per-vector timing-independent parts removed: they are deterministic. */
describe('parallel vector runs', () => {
  it('--jobs 3 reports exactly what the sequential run reports, in file order', async () => {
    const seq = await cli(['vectors', DIR]);
    const par = await cli(['vectors', DIR, '--jobs', '3']);
    expect(par.status).toBe(seq.status);
    expect(par.out).toBe(seq.out);
    expect(par.out).toMatch(/^\d+ passed, \d+ failed$/m);
  }, 300_000);

  it('--jobs with --reporter junit gives the same XML', async () => {
    const files = collectVectorFiles([DIR]).files.slice(0, 12);
    const seq = await cli(['vectors', ...files, '--reporter', 'junit']);
    const par = await cli(['vectors', ...files, '--reporter', 'junit', '--jobs', '4']);
    expect(par.out.replace(/time="[^"]*"/g, '')).toBe(seq.out.replace(/time="[^"]*"/g, ''));
  }, 120_000);

  it('shards are disjoint and cover every file; --shard runs only its files', async () => {
    const files = collectVectorFiles([DIR]).files;
    const shards = [1, 2, 3].map((i) => shardFiles(files, { index: i, count: 3 }));
    expect(shards.flat().sort()).toEqual([...files].sort());
    expect(new Set(shards.flat()).size).toBe(files.length);
    const r = await cli(['vectors', DIR, '--shard', '2/3']);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(shards[1]!.length + 1);
    expect(parseShard('0/3')).toBeNull();
    expect(parseShard('4/3')).toBeNull();
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect((await cli(['vectors', DIR, '--shard', '3'])).status).toBe(2);
    expect((await cli(['vectors', DIR, '--jobs', '0'])).status).toBe(2);
  }, 120_000);
});
