/**
 * Limits on every CLI command, through the real binary: a guest stuck in a loop ends with a report
 * saying where it is (PC, EL, world) and exit status 124, whether the limit is instructions
 * (--max-instructions), cycles (--max-cycles) or wall-clock time (--timeout, any command); and the
 * files the CLI writes (vector reports, traces) appear whole or not at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyElf } from '../../tools/fuzz/files-engine.js';
import { assemble } from '../helpers/a64asm.js';
import { cli, ensureDist, hasStackTrace } from './cli-helper.js';

let dir = '';
let loopEl3 = '', loopEl1 = '';

beforeAll(() => {
  ensureDist();
  dir = mkdtempSync(join(tmpdir(), 'a64el-limits-'));
  loopEl3 = join(dir, 'loop-el3.elf');
  writeFileSync(loopEl3, tinyElf(0x4000_0000n, [{ paddr: 0x4000_0000n, data: new Uint8Array([0, 0, 0, 0x14]) }]));   // b .
  // Drop to Non-secure EL1h (HCR_EL2.RW: EL1 is AArch64; SCR_EL3 = NS, RES1, HCE, RW) and spin there.
  const words = assemble('mov x0, #0x80000000; msr hcr_el2, x0; mov x0, #0x531; msr scr_el3, x0; mov x0, #0x3c5; msr spsr_el3, x0; adr x1, 1f; msr elr_el3, x1; eret; 1: b 1b');
  loopEl1 = join(dir, 'loop-el1.elf');
  writeFileSync(loopEl1, tinyElf(0x4000_0000n, [{ paddr: 0x4000_0000n, data: new Uint8Array(words.buffer) }]));
}, 120_000);

afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

describe('a guest stuck in a loop ends with a report and exit status 124', () => {
  it('--max-instructions: where it is, at which EL and world', async () => {
    const r = await cli(['run', loopEl3, '--max-instructions', '200000']);
    expect(r.status).toBe(124);
    expect(r.stderr).toContain('reached maxInstructions (200000) without exiting: PC=0x0000000040000000 at EL3 (Secure)');
    const r1 = await cli(['run', loopEl1, '--max-instructions', '200000']);
    expect(r1.status).toBe(124);
    expect(r1.stderr).toContain('PC=0x0000000040000024 at EL1 (Non-secure)');
    expect(hasStackTrace(r.stderr + r1.stderr)).toBe(false);
  }, 60_000);

  it('--max-cycles', async () => {
    const r = await cli(['run', loopEl1, '--max-cycles', '50000']);
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/reached --max-cycles \(50000\) without exiting: PC=0x[0-9a-f]{16} at EL1 \(Non-secure\)/);
  }, 60_000);

  it('--timeout on run: the guest is stopped at the deadline and located (before or after the command)', async () => {
    for (const args of [['--timeout', '3', 'run', loopEl1, '--max-instructions', '100000000000'], ['run', loopEl3, '--timeout=3', '--max-instructions', '100000000000']]) {
      const r = await cli(args, 60_000);
      expect(r.status, r.stderr).toBe(124);
      expect(r.stderr).toMatch(/reached the wall-clock limit \(--timeout\) without exiting: PC=0x[0-9a-f]{16} at EL[13] \((Non-secure|Secure)\)/);
      expect(r.ms).toBeLessThan(20_000);
    }
  }, 120_000);

  it('--timeout on any other command: stopped within the limit plus a short grace, exit 124', async () => {
    // An image vector whose guest spins with a budget of 10^11 instructions (minutes).
    const v = join(dir, 'stuck.json');
    writeFileSync(v, JSON.stringify({ format: 'a64el-vector/1', name: 'stuck', image: 'loop-el3.elf', maxInstructions: 100_000_000_000, expect: { exitCode: 0 } }));
    const r = await cli(['--timeout', '2', 'vectors', v], 60_000);
    expect(r.status).toBe(124);
    expect(r.stderr).toContain('a64el vectors: wall-clock limit of 2 s (--timeout) reached');
    expect(r.ms).toBeLessThan(20_000);
  }, 60_000);

  it('a bad --timeout is a usage error', async () => {
    for (const v of ['abc', '0', '-1', '']) {
      const r = await cli(['--timeout', v, 'run', loopEl3]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--timeout/);
    }
  }, 60_000);
});

describe('files the CLI writes appear whole or not at all (write to a temporary file, then rename)', () => {
  it('vectors --output: the report is complete and no temporary file is left; an unwritable path leaves nothing', async () => {
    const out = join(dir, 'report.txt');
    const r = await cli(['vectors', join('test', 'vectors', 'ffa', 'id'), '--output', out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/\d+ passed, 0 failed\n?$/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const bad = join(dir, 'no-such-dir', 'report.txt');
    const r2 = await cli(['vectors', join('test', 'vectors', 'ffa', 'id'), '--output', bad]);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toContain(bad);
    expect(existsSync(bad)).toBe(false);
    expect(hasStackTrace(r2.stderr)).toBe(false);
  }, 60_000);

  it('run --trace FILE.json: a complete JSON document, no temporary file left', async () => {
    const trace = join(dir, 'trace.json');
    const r = await cli(['run', loopEl1, '--max-instructions', '20000', `--trace=${trace}`]);
    expect(r.status).toBe(124);
    expect(() => JSON.parse(readFileSync(trace, 'utf8')) as unknown).not.toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('every place in src/ that writes a file writes a temporary file and renames it (or is listed here with why)', () => {
    // Writers that need no atomicity: bench writes scratch images into its own mkdtemp directory.
    const allowed: Record<string, string> = { [join('src', 'cli', 'bench.ts')]: 'scratch files in a private temporary directory' };
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []);
    const offenders: string[] = [];
    for (const f of walk('src')) {
      const text = readFileSync(f, 'utf8');
      if (!/\b(writeFileSync|appendFileSync|createWriteStream|writeFile|appendFile)\s*\(/.test(text)) continue;
      if (allowed[f] !== undefined) continue;
      if (!/\brenameSync\s*\(|\brename\s*\(/.test(text)) offenders.push(f);
    }
    expect(offenders).toEqual([]);
  });
});
