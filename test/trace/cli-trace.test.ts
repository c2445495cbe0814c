/**
 * `a64el run --trace FILE.json` writes Chrome trace JSON (valid per the Trace Event Format rules)
 * atomically; `--trace=FILE.txt` the text timeline; `--trace` alone keeps its text-to-stderr meaning.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { splitTraceOption } from '../../src/cli/trace-file.js';
import { validateChromeTrace } from '../../src/trace/index.js';

const IMAGE = join(import.meta.dirname, '../../firmware-images/build/hvc-roundtrip.elf');
const dir = mkdtempSync(join(tmpdir(), 'a64el-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(argv: string[]): { status: number; out: string; err: string } {
  let out = '', err = '';
  const dec = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString());
  const status = runCli(argv, { out: (c) => { out += dec(c); }, err: (c) => { err += dec(c); } });
  if (typeof status !== 'number') throw new Error('run without --gdb must be synchronous');
  return { status, out, err };
}

describe('a64el run --trace', () => {
  it('FILE.json: Perfetto JSON, written atomically, the guest still runs as usual', () => {
    const file = join(dir, 'hvc.json');
    const r = cli(['run', IMAGE, '--trace', file]);
    expect(r.status).toBe(0);
    expect(r.out).toContain('PASS');
    expect(r.err).toMatch(/trace of \d+ events written to .*hvc\.json \(Chrome trace JSON: open it in ui\.perfetto\.dev\)/);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    expect(validateChromeTrace(trace)).toEqual([]);
    const names = trace.traceEvents.filter((e: { ph: string }) => e.ph === 'M').map((e: { args: { name?: string } }) => e.args.name);
    expect(names).toEqual(expect.arrayContaining(['EL1 NS', 'EL2', 'EL3']));
    expect(trace.traceEvents.some((e: { ph: string; name?: string }) => e.ph === 'B' && e.name === '0x00000011 -> 0x1011')).toBe(true);
    expect(trace.traceEvents.filter((e: { ph: string }) => e.ph === 's')).toHaveLength(1);
  });

  it('--trace=FILE.txt: the text timeline', () => {
    const file = join(dir, 'hvc.txt');
    expect(cli(['run', IMAGE, `--trace=${file}`]).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/EL1 NS -> EL2 +HVC #1 0x00000011\n.*EL2 -> EL1 NS +ret #1 0x00000011 = 0x1011\n/);
  });

  it('--trace alone: text lines on stderr as before, no file', () => {
    const r = cli(['run', '--trace', IMAGE]);
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/\[\d+\] exception Sync EL1\(Non-secure\) -> EL2 vector \+0x400 ESR=0x5a000042 \(EC 0x16 HVC/);
    expect(r.err).not.toContain('written to');
  });

  it('splits the option without confusing the image argument', () => {
    expect(splitTraceOption(['a.elf', '--trace', 'b.json', '--json'])).toEqual({ argv: ['a.elf', '--json'], traceFile: 'b.json' });
    expect(splitTraceOption(['--trace', 'a.elf'])).toEqual({ argv: ['--trace', 'a.elf'], traceFile: undefined });
    expect(splitTraceOption(['a.elf', '--trace=t.txt'])).toEqual({ argv: ['a.elf'], traceFile: 't.txt' });
    expect(cli(['run', IMAGE, '--trace=']).status).toBe(2);
  });

  it('an unwritable trace file is reported, the guest\'s status kept', () => {
    const r = cli(['run', IMAGE, '--trace', join(dir, 'no/such/dir/t.json')]);
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/cannot write the trace file/);
  });
});
