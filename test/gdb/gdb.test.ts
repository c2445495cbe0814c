/**
 * The GDB stub driven by a real gdb-multiarch in batch mode against the committed demo image
 * (firmware-images/build/el-drop.elf): registers (core + the a64el system-register feature),
 * software breakpoints kept by the emulator, stepping into an exception vector and across an ERET,
 * memory, monitor commands, detach, and the guest's exit reported as "exited normally".
 * Every gdb process has a hard timeout and every server accept/idle timeouts: nothing can hang.
 * Skipped (loudly) when gdb-multiarch is not installed; .ci/run installs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMachine, type Emulator } from '../../src/index.js';
import { startGdbServer } from '../../src/gdb/index.js';

const IMAGE = join(import.meta.dirname, '../../firmware-images/build/el-drop.elf');
const HAVE_GDB = spawnSync('gdb-multiarch', ['--version'], { stdio: 'ignore' }).status === 0;
if (!HAVE_GDB) {
  console.warn('\n*** a64el tests: gdb-multiarch NOT FOUND: the GDB stub tests against real GDB are SKIPPED ***\n' +
    '*** install it with: apt-get install gdb-multiarch                                          ***\n');
}

// el-drop.elf addresses (aarch64-linux-gnu-objdump -d): the EL0 SVC, the EL3 -> EL2 ERET in main,
// VBAR_EL1 = vectors_el1 (0x40002000: an SVC from EL0 lands at +0x400).
const SVC_AT_EL0 = 0x400005c8n;
const ERET_TO_EL2 = 0x400004ecn;
const AT_EL2 = 0x400004f0n;
const EL1_SYNC_LOWER = 0x40002400n;

function gdbBatch(port: number, commands: string[], timeoutMs = 30_000): Promise<string> {
  const args = ['-batch', '-nx', '-ex', 'set architecture aarch64', '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push('-ex', c);
  return new Promise((resolve, reject) => {
    const p = spawn('gdb-multiarch', args, { timeout: timeoutMs, killSignal: 'SIGKILL' });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('close', (code, sig) => (sig === 'SIGKILL' ? reject(new Error(`gdb timed out:\n${out}`)) : resolve(out)));
  });
}

async function session(commands: string[]): Promise<{ out: string; why: string; emu: Emulator; exit: number | null }> {
  const emu = createMachine();
  emu.loadElf(readFileSync(IMAGE), { name: 'el-drop.elf' });
  const server = await startGdbServer(emu, { port: 0, acceptTimeoutMs: 20_000, idleTimeoutMs: 20_000 });
  try {
    const out = await gdbBatch(server.port, commands);
    const { why, stub } = await server.done;
    return { out, why, emu, exit: stub?.exitCode ?? null };
  } finally {
    server.close();
  }
}

const reg = (out: string, name: string): bigint | undefined => {
  const m = new RegExp(`^${name}\\s+(0x[0-9a-f]+)`, 'm').exec(out);
  return m === null ? undefined : BigInt(m[1]!);
};

describe.skipIf(!HAVE_GDB)('gdb-multiarch against the stub', () => {
  it('info registers, break, continue, stepi into the SVC vector, x/4x, monitor, detach', async () => {
    const { out, why, emu } = await session([
      'info registers', `break *0x${SVC_AT_EL0.toString(16)}`, 'c', 'stepi', 'info registers pc cpsr esr_el1 elr_el1 el',
      'x/4x 0x40000000', 'monitor info', 'detach',
    ]);
    // Reset state: EL3h at the ELF entry, all of DAIF masked.
    expect(reg(out, 'pc')).toBe(0x40000000n);
    expect(reg(out, 'cpsr')).toBe(0x3cdn);
    expect(out).toMatch(/^x30\s+0x0/m);
    expect(out).toMatch(/^sp\s+0x0/m);
    expect(out).toMatch(/^scr_el3\s+0x30\b/m);        // the system-register feature reached GDB
    expect(out).toContain(`Breakpoint 1 at 0x${SVC_AT_EL0.toString(16)}`);
    expect(out).toContain(`Breakpoint 1, 0x${SVC_AT_EL0.toString(16).padStart(16, '0')} in ?? ()`);
    // stepi over the SVC at EL0 stops at the EL1 vector (lower EL, AArch64, synchronous), at EL1h.
    expect(out).toContain(`0x${EL1_SYNC_LOWER.toString(16).padStart(16, '0')} in ?? ()`);
    const after = out.slice(out.lastIndexOf(' in ?? ()'));
    expect(reg(after, 'pc')).toBe(EL1_SYNC_LOWER);
    expect(reg(after, 'cpsr')).toBe(0x3c5n);
    expect(reg(after, 'esr_el1')).toBe(0x56000000n);   // EC 0x15 SVC64, IL, imm 0
    expect(reg(after, 'elr_el1')).toBe(SVC_AT_EL0 + 4n);
    expect(reg(after, 'el')).toBe(1n);
    expect(out).toMatch(/0x40000000:\s+0x10000000\s+0x58000661\s+0xeb01001f\s+0x54000160/);
    expect(out).toMatch(/EL1 Non-secure PC=0x40002400 cycles=\d+ instructions=\d+/);
    expect(out).toContain('[Inferior 1 (Remote target) detached]');
    expect(why).toBe('detach');
    // The breakpoint lived in the emulator; memory was never patched.
    expect(emu.memRead(SVC_AT_EL0, 4)).toEqual(new Uint8Array([0x01, 0x00, 0x00, 0xd4]));
  });

  it('stepi across an ERET lands at the return address in the lower EL', async () => {
    const { out, why } = await session([`break *0x${ERET_TO_EL2.toString(16)}`, 'c', 'info registers cpsr', 'stepi', 'info registers pc cpsr sp', 'detach']);
    expect(out).toContain(`Breakpoint 1, 0x${ERET_TO_EL2.toString(16).padStart(16, '0')}`);
    const [before, after] = out.split(`0x${AT_EL2.toString(16).padStart(16, '0')} in ?? ()`);
    expect(reg(before!, 'cpsr')! & 0x3ffn).toBe(0x3cdn);  // EL3h at the ERET (NZCV from the last check)
    expect(reg(after!, 'pc')).toBe(AT_EL2);
    expect(reg(after!, 'cpsr')! & 0x3ffn).toBe(0x3c9n);   // EL2h after it (SPSR_EL3 = EL2h, DAIF masked)
    expect(reg(after!, 'sp')).not.toBe(0n);             // SP_EL2, set by the prologue
    expect(why).toBe('detach');
  });

  it('the issue\'s command line: a breakpoint never reached, the guest exits, gdb reports it and ends', async () => {
    // el-drop runs at its link address, so the copy loop at 0x40000010 is skipped (b.eq at 0x4000000c).
    const { out, why, exit } = await session(['info registers', 'break *0x40000010', 'c', 'stepi', 'x/4x 0x40000000', 'detach']);
    expect(reg(out, 'pc')).toBe(0x40000000n);
    expect(out).toContain('Breakpoint 1 at 0x40000010');
    expect(out).toContain('[Inferior 1 (Remote target) exited normally]');
    expect(out).toContain('The program is not being run.');
    expect(exit).toBe(0);
    expect(['disconnect', 'kill', 'detach']).toContain(why);
  });
});
