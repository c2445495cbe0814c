/**
 * FF-A hooks on the real world (machine/world.ts: EL3 monitor + SPMD, S-EL1 SPMC with the echo
 * partition 0x8001, pKVM at EL2, the native host at NS-EL1), through wrapMachine: every FF-A call is
 * reported decoded at its SMC/HVC entry (name, sender/receiver, caller EL and world) and its result
 * when control is back at the caller, including the forwarded EL2 -> EL3 hop and the secure side's
 * MSG_WAIT / DIRECT_RESP. Also: attaching a native component and loading an image at a chosen EL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as A from '../../src/ffa/abi.js';
import { createWorld } from '../../src/machine/world.js';
import { HookType, NativeComponent, createMachine, wrapMachine, type FfaCallEvent, type FfaReturnEvent } from '../../src/index.js';
import { HAVE_BINUTILS, assemble } from '../helpers/asm.js';

const U = (v: number): bigint => BigInt(v >>> 0);

describe('FF-A call hooks on the real world', () => {
  it('decodes requests and results across EL1 -> EL2 -> EL3 -> S-EL1 and back', () => {
    const world = createWorld({ el2: 'pkvm', boot: 'pkvm-ready' } as never);
    const emu = wrapMachine(world.machine);
    const calls: FfaCallEvent[] = [], rets: FfaReturnEvent[] = [];
    emu.hookAdd(HookType.FfaCall, (e) => { calls.push(e); });
    emu.hookAdd(HookType.FfaReturn, (e) => { rets.push(e); });
    world.boot();
    calls.length = 0; rets.length = 0;
    world.smc([U(A.FFA_VERSION), 0x10002n]);
    const r = world.smc([U(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, 11n, 22n, 33n]);
    expect(r.x[0]).toBe(U(A.FFA_MSG_SEND_DIRECT_RESP_64));

    const req = calls.filter((c) => c.name === 'FFA_MSG_SEND_DIRECT_REQ_64');
    expect(req.map((c) => [c.callerEl, c.callerSecure, c.toEl, c.conduit, c.sender, c.receiver])).toEqual([
      [1, false, 2, 'smc', 0, 0x8001],     // the host's SMC, trapped to pKVM (HCR_EL2.TSC)
      [2, false, 3, 'smc', 0, 0x8001],     // pKVM forwards it to EL3
    ]);
    expect(req[0]!.x.slice(3, 6)).toEqual([11n, 22n, 33n]);
    // The SPMC answers from S-EL1 with DIRECT_RESP (a call of its own, to EL3).
    const resp = calls.find((c) => c.name === 'FFA_MSG_SEND_DIRECT_RESP_64')!;
    expect([resp.callerEl, resp.callerSecure, resp.sender, resp.receiver]).toEqual([1, true, 0x8001, 0]);

    const byId = new Map(rets.map((e) => [e.call.id, e]));
    const hostRet = byId.get(req[0]!.id)!;
    const hypRet = byId.get(req[1]!.id)!;
    expect(hostRet.result).toBe('FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000');
    expect(hypRet.result).toBe('FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000');
    expect(hostRet.x[3]).toBe(11n);                         // the echo partition echoes the payload
    expect(hostRet.elapsedCycles).toBeGreaterThan(hypRet.elapsedCycles);
    expect(rets.indexOf(hypRet)).toBeLessThan(rets.indexOf(hostRet));
    // The version call: its result decodes as a version, not a function ID.
    const ver = calls.find((c) => c.name === 'FFA_VERSION' && c.callerEl === 1)!;
    expect(byId.get(ver.id)!.result).toBe('v1.2');
  });

  it('decodes an FFA_ERROR result with its status name', () => {
    const world = createWorld({ el2: 'none' } as never);
    const emu = wrapMachine(world.machine);
    const rets: FfaReturnEvent[] = [];
    emu.hookAdd(HookType.FfaReturn, (e) => { rets.push(e); });
    world.boot();
    world.smc([U(A.FFA_VERSION), 0x10002n]);
    world.smc([U(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x7777n]);   // no such partition
    const last = rets.filter((e) => e.call.callerEl === 1).at(-1)!;
    expect(last.call.receiver).toBe(0x7777);
    expect(last.result).toMatch(/^FFA_ERROR\(/);
    expect(last.error).toBe('INVALID_PARAMETERS');
  });
});

/** A tiny EL2 component: answers every HVC with x0 = x0 * 2 and ERETs. */
class Doubler extends NativeComponent {
  readonly name = 'doubler';
  readonly el = 2;
  readonly secure = false;
  hits = 0;
  onException(offset: number): void {
    if (offset !== 0x400) throw new Error(`unexpected vector 0x${offset.toString(16)}`);
    this.hits++;
    this.setX(0, (this.xlo(0) << 1) | 0, (this.xhi(0) << 1) | (this.xlo(0) >>> 31));
    this.eret();
  }
}

describe.skipIf(!HAVE_BINUTILS)('components and images at any EL', () => {
  it('attachComponent puts a native component on EL2\'s vectors', () => {
    const emu = createMachine({ dramSize: 16 << 20 });
    const d = new Doubler();
    const id = emu.attachComponent(d);
    expect(id).toBe(0);
    expect(emu.sysRegRead('VBAR_EL2')).toBe(d.vectorBase);
    emu.memWrite(0x4000_0000n, assemble('mov x0, #21\nhvc #0\nhvc #0\nbrk #0', 0x4000_0000));
    emu.sysRegWrite('SCR_EL3', 0x531n);
    emu.sysRegWrite('HCR_EL2', 1n << 31n);
    emu.regWrite('el', 1n);
    const r = emu.emuStart({ begin: 0x4000_0000n, until: 0x4000_000cn });
    expect(r.stop).toBe('until');
    expect(emu.regRead('x0')).toBe(84n);
    expect(d.hits).toBe(2);
  });

  it('loadElf at EL1 Non-secure with the image\'s own vector table', () => {
    const emu = createMachine();
    const image = emu.loadElf(readFileSync(join(import.meta.dirname, '../../firmware-images/build/el-drop.elf')), {
      name: 'el-drop', el: 1, secure: false, vectors: { el: 1, at: 'vectors_el1' },
    });
    expect(emu.pc).toBe(image.entry);
    expect(emu.el).toBe(1);
    expect(emu.secure).toBe(false);
    expect(emu.sysRegRead('VBAR_EL1')).toBe(0x4000_2000n);
    emu.loadRaw(new Uint8Array(8), 0x4080_0000n, { noEntry: true });
    expect(emu.pc).toBe(image.entry);
  });
});
