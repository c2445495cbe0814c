/**
 * `a64el COMMAND --help` / `-h`: the command's own usage on stdout and status 0, as GNU tools and
 * QEMU's -help do; after `--` the word is an operand, not the option.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';

async function cli(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '', err = '';
  const dec = (c: string | Uint8Array): string => (typeof c === 'string' ? c : new TextDecoder().decode(c));
  const status = await runCli(argv, { out: (c) => { out += dec(c); }, err: (c) => { err += dec(c); } });
  return { status, out, err };
}

describe('a64el COMMAND --help', () => {
  it.each([
    ['run', /^ {2}a64el run IMAGE .*--max-instructions N\s+stop after N instructions/s],
    ['vectors', /^ {2}a64el vectors FILE\|DIR\.\.\..*--no-progress\s+no progress bar/s],
    ['explore', /^ {2}a64el explore \[--json\] \[--jobs N\]/],
    ['bench', /^ {2}a64el bench \[--json\]/],
    ['demo', /^ {2}a64el demo\n/],
  ])('%s --help prints that command\'s usage only, status 0', async (cmd, re) => {
    for (const flag of ['--help', '-h']) {
      const r = await cli([cmd, flag]);
      expect(r.status).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(re);
      expect(r.out.match(/^ {2}a64el /gm)).toHaveLength(1);   // no other command's section
    }
  });

  it('scenarios --help prints the scenario options', async () => {
    const r = await cli(['scenarios', '--help']);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^a64el scenarios \[NAME\.\.\.\]/);
    expect(r.out).toContain('--trace FILE');
  });

  it('after -- it is an operand: run treats it as the image name', async () => {
    const r = await cli(['run', '--', '--help']);
    expect(r.status).toBe(2);
    expect(r.err).toContain('--help');
  });
});
