/**
 * `a64el run IMAGE --gdb PORT`: the CLI waits for GDB, GDB drives, and after a detach the guest runs
 * on to its end with its own exit status; a GDB that never comes ends the run after --gdb-timeout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';

const IMAGE = join(import.meta.dirname, '../../firmware-images/build/el-drop.elf');
const HAVE_GDB = spawnSync('gdb-multiarch', ['--version'], { stdio: 'ignore' }).status === 0;

function startCli(argv: string[]): { status: Promise<number>; out: () => string; err: () => string; port: Promise<number> } {
  let out = '', err = '';
  let gotPort!: (p: number) => void;
  const port = new Promise<number>((r) => { gotPort = r; });
  const dec = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString());
  const status = runCli(argv, {
    out: (c) => { out += dec(c); },
    err: (c) => { err += dec(c); const m = /waiting for GDB on 127\.0\.0\.1:(\d+)/.exec(err); if (m !== null) gotPort(Number(m[1])); },
  });
  return { status: Promise.resolve(status), out: () => out, err: () => err, port };
}

describe('a64el run --gdb', () => {
  it.skipIf(!HAVE_GDB)('GDB stops at a breakpoint, detaches, and the guest runs on to PASS', async () => {
    const run = startCli(['run', IMAGE, '--gdb', '0', '--gdb-timeout', '30']);
    const port = await run.port;
    const gdb = spawn('gdb-multiarch', ['-batch', '-nx', '-ex', 'set architecture aarch64', '-ex', `target remote 127.0.0.1:${port}`,
      '-ex', 'break *0x400005c8', '-ex', 'c', '-ex', 'info registers pc', '-ex', 'detach'], { timeout: 30_000, killSignal: 'SIGKILL' });
    let gout = '';
    gdb.stdout.on('data', (d: Buffer) => { gout += d.toString(); });
    gdb.stderr.on('data', (d: Buffer) => { gout += d.toString(); });
    await new Promise((r) => gdb.on('close', r));
    expect(gout).toMatch(/^pc\s+0x400005c8/m);
    expect(await run.status).toBe(0);
    expect(run.out()).toContain('EL0 running');          // printed before the breakpoint...
    expect(run.out()).toContain('PASS');                 // ...and the rest after the detach
    expect(run.err()).toContain('GDB detached; the guest runs on');
  });

  it('gives up after --gdb-timeout when no debugger comes', async () => {
    const run = startCli(['run', IMAGE, '--gdb', '0', '--gdb-timeout', '1']);
    expect(await run.port).toBeGreaterThan(0);
    expect(await run.status).toBe(125);
    expect(run.err()).toMatch(/GDB session ended \(timed out\) before the guest exited/);
  });

  it('rejects a bad port', async () => {
    const run = startCli(['run', IMAGE, '--gdb', '70000']);
    expect(await run.status).toBe(2);
    expect(run.err()).toMatch(/--gdb PORT must be a TCP port/);
  });
});
