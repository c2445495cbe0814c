/**
 * The a64el CLI (src/cli): `run` (streaming UART, exit status = semihosting exit code, --json,
 * --trace, budget exit 124, one-line loader errors with exit 2), `vectors` (one line per vector,
 * "N passed, M failed"), `start`, usage errors. Tiny guest images are assembled with GNU as and
 * wrapped in an ELF by the test; the built dist/cli/main.js is also run as a process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { assemble } from '../helpers/a64asm.js';
import { buildElf } from '../helpers/elf-build.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'a64el-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write an ELF with `source` assembled at 0x40000000 (entry there), return its path. */
function image(name: string, source: string): string {
  const code = assemble(source);
  const path = join(dir, `${name}.elf`);
  writeFileSync(path, buildElf(0x4000_0000n, [{ paddr: 0x4000_0000n, data: new Uint8Array(code.buffer), flags: 7 }]));
  return path;
}

/** Print "hi\n" on the PL011, then semihosting SYS_EXIT(ApplicationExit, 3). */
const HELLO = image('hello', `
  movz x2, #0x0900, lsl #16
  movz w3, #0x68; str w3, [x2]
  movz w3, #0x69; str w3, [x2]
  movz w3, #0x0a; str w3, [x2]
  movz x0, #0x18
  movz x1, #0x1000; movk x1, #0x4000, lsl #16
  hlt #0xf000
  .org 0x1000
  .quad 0x20026
  .quad 3`);
/** SVC at EL3 to a vector that ERETs back, then exit(0). */
const SVC_ROUNDTRIP = image('svc', `
  movz x0, #0x0800; movk x0, #0x4000, lsl #16; msr vbar_el3, x0
  movz x5, #0x1234
  svc #0
  movz x0, #0x18
  movz x1, #0x1000; movk x1, #0x4000, lsl #16
  hlt #0xf000
  .org 0x0a00
  eret
  .org 0x1000
  .quad 0x20026
  .quad 0`);
/** Spins forever. */
const SPIN = image('spin', '1: b 1b');

interface Ran { status: number; out: string; err: string }
function cli(...argv: string[]): Ran {
  let out = '', err = '';
  const dec = (c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c).toString('latin1'));
  const status = runCli(argv, { out: (c) => { out += dec(c); }, err: (c) => { err += dec(c); } });
  return { status, out, err };
}
const oneLine = (s: string) => s.trimEnd().split('\n').length === 1;

describe('a64el run', () => {
  it('streams the PL011 text to stdout and exits with the semihosting exit code', () => {
    const r = cli('run', HELLO, '--max-instructions', '1000');
    expect(r).toEqual({ status: 3, out: 'hi\n', err: '' });
  });

  it('--json: final state on stdout, UART text in the "uart" field, 64-bit values as hex strings', () => {
    const r = cli('run', SVC_ROUNDTRIP, '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.x5).toBe('0x0000000000001234');
    expect(j.x0).toBe('0x0000000000000018');
    expect(j.pc).toMatch(/^0x[0-9a-f]{16}$/);
    expect(j.elr_el3).toBe('0x0000000040000014');
    expect(j.esr_el3).toBe('0x0000000056000000');
    expect(j.vbar_el3).toBe('0x0000000040000800');
    expect(j.spsr_el3).toBe('0x00000000000003cd');
    for (const k of ['sp_el0', 'sp_el1', 'sp_el2', 'sp_el3', 'elr_el1', 'spsr_el2', 'esr_el1', 'far_el2', 'vbar_el1', 'hcr_el2', 'scr_el3']) {
      expect(j[k], k).toMatch(/^0x[0-9a-f]{16}$/);
    }
    expect(j.nzcv).toBe('0x00000000');
    expect(j.daif).toBe('0x000003c0');
    expect(j.currentel).toBe('0x0000000c');
    expect(j.el).toBe(3);
    expect(j.spsel).toBe(1);
    expect(j.stopReason).toBe('exit');
    expect(j.exitCode).toBe(0);
    expect(j.instructions).toBe(10);
    expect(j.cycles).toBeGreaterThan(10);
    expect(j.uart).toBe('');
    const h = cli('run', HELLO, '--json', '--max-instructions', '1000');
    expect(JSON.parse(h.out).uart).toBe('hi\n');
    expect(h.status).toBe(3);
  });

  it('--trace: one line per exception entry and return on stderr', () => {
    const r = cli('run', SVC_ROUNDTRIP, '--trace');
    const lines = r.err.trimEnd().split('\n');
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/exception Sync EL3\(Secure\) -> EL3 vector \+0x200 ESR=0x56000000 \(EC 0x15 SVC \(AArch64\)\) ELR=0x0000000040000014/);
    expect(lines[1]).toMatch(/eret EL3\(Secure\) -> EL3\(Secure\) PC=0x0000000040000014/);
  });

  it('a guest past its budget: clear message on stderr (PC, EL, instructions) and exit code 124', () => {
    const r = cli('run', SPIN, '--max-instructions', '1000');
    expect(r.status).toBe(124);
    expect(r.out).toBe('');
    expect(oneLine(r.err)).toBe(true);
    expect(r.err).toMatch(/reached maxInstructions \(1000\) without exiting: PC=0x0000000040000000 at EL3 \(Secure\), after 1000 instructions/);
  });

  it('unreadable file: one line naming it, exit 2', () => {
    const r = cli('run', join(dir, 'missing.elf'));
    expect(r.status).toBe(2);
    expect(oneLine(r.err)).toBe(true);
    expect(r.err).toMatch(/missing\.elf: cannot read the file \(ENOENT\)/);
  });

  it('invalid ELF: one line naming the file, no stack trace, exit 2', () => {
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, 'this is not an ELF file');
    const r = cli('run', junk);
    expect(r.status).toBe(2);
    expect(oneLine(r.err)).toBe(true);
    expect(r.err).toMatch(/^a64el: .*junk\.elf: not an ELF file/);
    const trunc = join(dir, 'trunc.elf');
    writeFileSync(trunc, readFileSync(HELLO).subarray(0, 100));
    const t = cli('run', trunc);
    expect([t.status, oneLine(t.err)]).toEqual([2, true]);
    expect(t.err).toMatch(/trunc\.elf: /);
  });

  it('a segment outside RAM: one line naming file, segment and address, exit 2', () => {
    const bad = join(dir, 'bad.elf');
    writeFileSync(bad, buildElf(0x2000_0000n, [{ paddr: 0x2000_0000n, data: new Uint8Array(4) }]));
    const r = cli('run', bad);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/bad\.elf: segment 0 \[0x20000000, 0x20000004\) is not inside one RAM region/);
  });

  it('--raw ADDR runs a flat binary', () => {
    const raw = join(dir, 'hello.bin');
    writeFileSync(raw, new Uint8Array(assemble('movz x0, #0x18; movz x1, #0x1000; movk x1, #0x4000, lsl #16; hlt #0xf000; .org 0x1000; .quad 0x20026; .quad 5').buffer));
    expect(cli('run', raw, '--raw', '0x40000000').status).toBe(5);
  });

  it('usage errors exit 2 with a message', () => {
    for (const argv of [['run'], ['run', HELLO, '--bogus'], ['run', HELLO, '--max-instructions', 'many'], ['frobnicate'], []]) {
      const r = cli(...argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.err.length).toBeGreaterThan(0);
    }
    expect(cli('help').out).toMatch(/a64el run IMAGE/);
    expect(cli('--help').status).toBe(0);
  });
});

describe('a64el vectors', () => {
  const vdir = join(dir, 'vectors');
  mkdirSync(join(vdir, 'sub'), { recursive: true });
  const vec = (file: string, body: object) => writeFileSync(join(vdir, file), JSON.stringify({ format: 'a64el-vector/1', ...body }));
  vec('a-pass.json', { name: 'hello-passes', image: '../hello.elf', maxInstructions: 100, expect: { exitCode: 3, uart: 'hi\n' } });
  vec('sub/b-contains.json', { name: 'hello-contains', image: '../../hello.elf', expect: { uart: { contains: 'h' } } });
  vec('c-wrong-text.json', { name: 'hello-wrong-text', image: '../hello.elf', expect: { exitCode: 3, uart: 'hello\n' } });
  vec('d-spin.json', { name: 'spins', image: '../spin.elf', maxInstructions: 500, expect: { exitCode: 0 } });
  vec('e-malformed.json', { name: 'bad-field', image: '../hello.elf', expect: { exitCode: 3, uart: 'hi\n', colour: 'red' } });
  vec('f-no-image.json', { name: 'no-image', image: '../nothing.elf', expect: { exitCode: 0 } });

  it('one line per vector, then "N passed, M failed"; exit 1 when any fails', () => {
    const r = cli('vectors', vdir);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^PASS hello-passes \(11 instructions, \d+ cycles\)$/);
    expect(lines[1]).toMatch(/^FAIL hello-wrong-text: UART text differs at line 1: got "hi", expected "hello"$/);
    expect(lines[2]).toMatch(/^FAIL spins: reached maxInstructions \(500\) without exiting: PC=0x0000000040000000 at EL3 \(Secure\)$/);
    expect(lines[3]).toMatch(/^FAIL .*e-malformed\.json: .*expect\.colour: unknown field/);
    expect(lines[4]).toMatch(/^FAIL no-image: cannot load the image: .*nothing\.elf: cannot read the file/);
    expect(lines[5]).toMatch(/^PASS hello-contains/);
    expect(lines[6]).toBe('2 passed, 4 failed');
    expect(r.status).toBe(1);
  });

  it('exit 0 when every vector passes; files and directories mix', () => {
    const r = cli('vectors', join(vdir, 'a-pass.json'), join(vdir, 'sub'));
    expect(r.out.trimEnd().split('\n').pop()).toBe('2 passed, 0 failed');
    expect(r.status).toBe(0);
  });

  it('a missing path or a directory without vectors is a usage error (exit 2)', () => {
    expect(cli('vectors', join(dir, 'nope')).status).toBe(2);
    mkdirSync(join(dir, 'empty'), { recursive: true });
    expect(cli('vectors', join(dir, 'empty')).status).toBe(2);
    expect(cli('vectors').status).toBe(2);
  });

  it('call vectors run too: a failing step is one FAIL line naming the step and register', () => {
    const calls = join(dir, 'calls');
    mkdirSync(calls, { recursive: true });
    const call = (file: string, body: object) => writeFileSync(join(calls, file), JSON.stringify({ format: 'a64el-vector/1', ...body }));
    call('a-ok.json', { name: 'call-ok', machine: { el2: 'none' }, steps: [{ smc: { x0: 'FFA_VERSION', w1: '0x00010002' }, expect: { w0: '0x00010002' } }] });
    call('b-bad.json', { name: 'call-bad', machine: { el2: 'none' }, steps: [{ smc: { x0: 'FFA_ID_GET' }, expect: { w0: 'FFA_SUCCESS', w2: '0x00000005' } }] });
    const r = cli('vectors', calls);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^PASS call-ok \(1 steps, \d+ instructions, \d+ cycles\)$/);
    expect(lines[1]).toMatch(/^FAIL call-bad: steps\[0\] \(SMC #0 FFA_ID_GET\): w2: expected 0x00000005, got 0x00000000/);
    expect(lines[2]).toBe('1 passed, 1 failed');
    expect(r.status).toBe(1);
  });
});

describe('a64el vectors on the FF-A call vectors (test/vectors/ffa)', () => {
  const ffa = join(root, 'test', 'vectors', 'ffa');
  const pick = [join(ffa, 'version', 'version-equal-returns-spmc-version.json'), join(ffa, 'rxtx', 'rxtx-map-unmap-remap.json'), join(ffa, 'features')];

  it('runs call vectors from files and directories: one PASS line each, exit 0', () => {
    const r = cli('vectors', ...pick);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PASS version-equal-returns-spmc-version \(1 steps, /);
    expect(lines[1]).toMatch(/^PASS rxtx-map-unmap-remap \(\d+ steps, /);
    expect(lines.length).toBeGreaterThan(4);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^PASS /);
    expect(lines.at(-1)).toBe(`${lines.length - 1} passed, 0 failed`);
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
  });

  it('--reporter junit prints JUnit XML; --output writes it to a file and keeps the text lines', () => {
    const r = cli('vectors', pick[0]!, pick[1]!, '--reporter', 'junit');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites tests="2" failures="0">/);
    expect(r.out).toContain('name="version-equal-returns-spmc-version"');
    expect(r.out).not.toContain('PASS');

    const file = join(dir, 'report.xml');
    writeFileSync(file, 'old');
    const o = cli('vectors', pick[0]!, '--reporter', 'junit', '--output', file);
    expect(o.status).toBe(0);
    expect(o.out.trimEnd().split('\n')).toEqual([expect.stringMatching(/^PASS version-equal-returns-spmc-version /), '1 passed, 0 failed']);
    expect(readFileSync(file, 'utf8')).toMatch(/<testsuites tests="1" failures="0">/);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    const t = join(dir, 'report.txt');
    expect(cli('vectors', pick[0]!, '--output', t).status).toBe(0);
    expect(readFileSync(t, 'utf8')).toMatch(/^PASS version-equal-returns-spmc-version .*\n1 passed, 0 failed\n$/);
  });

  it('usage errors: unknown reporter, --output into a missing directory', () => {
    expect(cli('vectors', pick[0]!, '--reporter', 'tap').status).toBe(2);
    const bad = cli('vectors', pick[0]!, '--output', join(dir, 'no', 'such', 'dir', 'r.xml'));
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/cannot write/);
  });
});

describe('the built command (dist/cli/main.js)', () => {
  const main = join(root, 'dist', 'cli', 'main.js');
  it.skipIf(!existsSync(main))('has the node shebang, streams stdout and returns the guest exit code', () => {
    expect(readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const r = spawnSync(process.execPath, [main, 'run', HELLO, '--max-instructions', '1000'], { encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([3, 'hi\n', '']);
    const b = spawnSync(process.execPath, [main, 'run', SPIN, '--max-instructions', '50'], { encoding: 'utf8' });
    expect(b.status).toBe(124);
  });
});

describe('a64el start (npm start) and demo', () => {
  it('start runs the main job: every built-in boot-order scenario and the side-by-side table', () => {
    const r = cli('start');
    expect(r.status).toBe(0);
    expect(r.out).toContain('=== Side by side ===');
    for (const name of ['v7.1-rc2', 'device-initcall', 'rfc', 'rfc-without-3', 'permissive-gate']) expect(r.out).toContain(name);
  });

  it('demo runs the bundled el-drop image and prints its output', () => {
    const r = cli('demo');
    expect(r.out).toContain(readFileSync(join(root, 'firmware-images', 'expected', 'el-drop.txt'), 'utf8'));
    expect(r.out).toMatch(/guest exit status 0 after \d+ instructions/);
    expect(r.status).toBe(0);
  });
});
