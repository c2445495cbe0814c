/**
 * The SPMD's world switch and the cost of every hop: each hop is a real exception entry or ERET, the
 * Non-secure EL1 context survives a trip through the secure world, and the cycle count is the sum of
 * the modelled pieces.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../../src/state/layout.js';
import * as A from '../../../src/ffa/abi.js';
import { GENERIC } from '../../../src/timing/profile.js';
import { type World, createWorld } from '../../../src/machine/world.js';
import { EL1_CONTEXT_REGS } from '../../../src/firmware/context.js';
import { bootWorld, smc, version } from '../spmc/helpers.js';

interface Hop { kind: 'take' | 'eret'; from: string; to?: string; offset?: number }

function world(el: number, secure: boolean): string { return `${secure && el !== 3 ? 'S-' : el === 3 ? '' : 'NS-'}EL${el}`; }

/** Record every exception entry and return during `fn`. */
function recordHops(w: World, fn: () => void): Hop[] {
  const hops: Hop[] = [];
  const cpu = w.machine.cpu;
  cpu.onExceptionEntry = (_c, fromEl, fromSecure, targetEl, offset) => {
    hops.push({ kind: 'take', from: world(fromEl, fromSecure), to: world(targetEl, targetEl === 3 || fromSecure), offset });
  };
  cpu.onExceptionReturn = (c, fromEl, fromSecure) => {
    hops.push({ kind: 'eret', from: world(fromEl, fromSecure), to: world(c.el, c.secure) });
  };
  try { fn(); } finally { cpu.onExceptionEntry = null; cpu.onExceptionReturn = null; }
  return hops;
}

const N = GENERIC.native;
const ENTRY = GENERIC.exceptionEntry, ERET = GENERIC.exceptionReturn, INSN = GENERIC.classCycles.ExceptionGen;

describe('each hop is a real exception', () => {
  it('PSCI_VERSION: NS-EL1 -> EL3 (SMC, lower-EL sync vector) -> ERET to NS-EL1', () => {
    const w = bootWorld();
    const hops = recordHops(w, () => smc(w, [A.PSCI_VERSION]));
    expect(hops).toEqual([
      { kind: 'take', from: 'NS-EL1', to: 'EL3', offset: 0x400 },
      { kind: 'eret', from: 'EL3', to: 'NS-EL1' },
    ]);
  });

  it('DIRECT_REQ with the S-EL1 SPMC: EL3 -> S-EL1 SPMC -> S-EL0 partition -> S-EL1 -> EL3 -> NS-EL1', () => {
    const w = bootWorld({ spmc: 's-el1' });
    const hops = recordHops(w, () => smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 1]));
    expect(hops).toEqual([
      { kind: 'take', from: 'NS-EL1', to: 'EL3', offset: 0x400 },      // host SMC
      { kind: 'eret', from: 'EL3', to: 'S-EL1' },                      // SPMD world switch into the SPMC
      { kind: 'eret', from: 'S-EL1', to: 'S-EL0' },                    // SPMC enters the partition
      { kind: 'take', from: 'S-EL0', to: 'S-EL1', offset: 0x400 },     // partition SVC: DIRECT_RESP
      { kind: 'take', from: 'S-EL1', to: 'EL3', offset: 0x400 },       // SPMC SMC to the SPMD
      { kind: 'eret', from: 'EL3', to: 'NS-EL1' },                     // back to the host
    ]);
  });

  it('DIRECT_REQ with the EL3 SPMC: EL3 -> S-EL1 partition -> EL3 -> NS-EL1', () => {
    const w = bootWorld({ spmc: 'el3' });
    const hops = recordHops(w, () => smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 1]));
    expect(hops).toEqual([
      { kind: 'take', from: 'NS-EL1', to: 'EL3', offset: 0x400 },
      { kind: 'eret', from: 'EL3', to: 'S-EL1' },
      { kind: 'take', from: 'S-EL1', to: 'EL3', offset: 0x400 },
      { kind: 'eret', from: 'EL3', to: 'NS-EL1' },
    ]);
  });

  it('with pKVM, the host SMC traps to EL2 first (HCR_EL2.TSC) and pKVM forwards it', () => {
    const w = bootWorld({ el2: 'pkvm', spmc: 's-el1' });
    version(w, A.FFA_VERSION_1_2);
    const hops = recordHops(w, () => smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 1]));
    expect(hops[0]).toEqual({ kind: 'take', from: 'NS-EL1', to: 'NS-EL2', offset: 0x400 });
    expect(hops[1]).toEqual({ kind: 'take', from: 'NS-EL2', to: 'EL3', offset: 0x400 });
    expect(hops.at(-2)).toEqual({ kind: 'eret', from: 'EL3', to: 'NS-EL2' });
    expect(hops.at(-1)).toEqual({ kind: 'eret', from: 'NS-EL2', to: 'NS-EL1' });
    expect(hops).toHaveLength(8);
  });

  it('boot itself is a chain of real returns: EL3 -> S-EL1 SPMC -> S-EL0 partition init -> ... -> NS-EL1', () => {
    const w = createWorld({ el2: 'none', spmc: 's-el1' });
    const hops = recordHops(w, () => w.boot());
    expect(w.host.entered).toBe(true);
    expect(hops).toEqual([
      { kind: 'eret', from: 'EL3', to: 'S-EL1' },                       // SPMD: SPMC entry
      { kind: 'eret', from: 'S-EL1', to: 'S-EL0' },                     // SPMC: partition init
      { kind: 'take', from: 'S-EL0', to: 'S-EL1', offset: 0x400 },      // partition FFA_MSG_WAIT
      { kind: 'take', from: 'S-EL1', to: 'EL3', offset: 0x400 },        // SPMC FFA_MSG_WAIT: ready
      { kind: 'eret', from: 'EL3', to: 'NS-EL1' },                      // Normal world entry
    ]);
  });
});

describe('the Non-secure EL1 context survives the secure world', () => {
  for (const spmc of ['s-el1', 'el3'] as const) {
    it(`${spmc}: EL1 system registers and the registers not carrying results are preserved`, () => {
      const w = bootWorld({ spmc });
      const cpu = w.machine.cpu;
      // The host's own EL1 state (as a kernel would have set it), distinct per register.
      const values = new Map<number, bigint>();
      EL1_CONTEXT_REGS.forEach((off, i) => {
        // EL3's own return state, the host's vectors (checked below) and SP_EL1 (live in SP while the
        // host runs at EL1h, checked below) are not set here.
        if (off === L.ELR_EL + 6 || off === L.SPSR_EL + 6 || off === L.VBAR_EL + 2 || off === L.SP_EL + 2) return;
        const v = 0x1000_0000_0000n + BigInt(i) * 0x1111n;
        values.set(off, v);
        cpu.set64(off, v);
      });
      const vbar = cpu.get64(L.VBAR_EL + 2);
      cpu.setX(L.SP_SLOT, 0x4010_0ff0n);
      // x0-x7 carry the call, x8-x30 are the host's.
      w.host.setArgs([BigInt(A.FFA_MSG_SEND_DIRECT_REQ), 0x8001n, 0n, 0x33n, 0x44n, 0x55n, 0x66n, 0x77n]);
      for (let n = 8; n <= 30; n++) w.host.putX(n, 0xabcd_0000_0000_0000n + BigInt(n));
      const r = w.host.smc();
      expect(r.exception).toBeNull();
      expect(Number(w.host.getX(0))).toBe(A.FFA_MSG_SEND_DIRECT_RESP);
      for (const [off, v] of values) expect(cpu.get64(off), `state word ${off}`).toBe(v);
      expect(cpu.get64(L.VBAR_EL + 2)).toBe(vbar);
      expect(cpu.x(L.SP_SLOT)).toBe(0x4010_0ff0n);
      // SMC32 (DEN0028: results in x0-x7): x8-x30 are the host's own.
      for (let n = 8; n <= 30; n++) expect(w.host.getX(n), `x${n}`).toBe(0xabcd_0000_0000_0000n + BigInt(n));
      // A second call works: the secure side's EL1 context (its vectors ...) was kept apart too.
      expect(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, 9]).w(3)).toBe(9);
    });

    it(`${spmc}: an SMC64 call at v1.2 carries x0-x17; x18-x30 are preserved`, () => {
      const w = bootWorld({ spmc });
      version(w, A.FFA_VERSION_1_2);
      w.host.setArgs([BigInt(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, 3n]);
      for (let n = 18; n <= 30; n++) w.host.putX(n, 0x5555_0000_0000n + BigInt(n));
      w.host.smc();
      expect(Number(w.host.getX(0))).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
      for (let n = 18; n <= 30; n++) expect(w.host.getX(n), `x${n}`).toBe(0x5555_0000_0000n + BigInt(n));
    });
  }

  it('s-el1: an SMC64 call from a v1.1 Normal world crosses with x0-x7 only (TF-A spmd_smc_switch_state): x8-x17 preserved', () => {
    const w = bootWorld({ spmc: 's-el1' });
    expect(version(w, A.FFA_VERSION_1_1)).toBe(A.FFA_VERSION_1_2);
    w.host.setArgs([BigInt(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, 3n]);
    for (let n = 8; n <= 17; n++) w.host.putX(n, 0x7777n + BigInt(n));
    w.host.smc();
    expect(Number(w.host.getX(0))).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
    for (let n = 8; n <= 17; n++) expect(w.host.getX(n), `x${n}`).toBe(0x7777n + BigInt(n));
  });

  it('the secure world never sees the NS EL1 state, and the NS world never sees the secure one', () => {
    const w = bootWorld({ spmc: 's-el1' });
    const cpu = w.machine.cpu;
    cpu.set64(L.TPIDR_EL + 2, 0x1234n);
    let seenInSecure = -1n;
    cpu.onExceptionEntry = (c, _f, fromSecure) => { if (fromSecure && c.el === 1) seenInSecure = c.get64(L.TPIDR_EL + 2); };
    smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001]);
    cpu.onExceptionEntry = null;
    expect(seenInSecure).toBe(0n);
    expect(cpu.get64(L.TPIDR_EL + 2)).toBe(0x1234n);
    // The SPMC's vectors are in the saved secure context, not in the live VBAR_EL1.
    const spmcVbar = w.spmcComponent!.vectorBase;
    expect(cpu.get64(L.VBAR_EL + 2)).not.toBe(spmcVbar);
    expect(BigInt(w.spmd!.secureContext().get(L.VBAR_EL + 3) >>> 0) << 32n).toBe(spmcVbar);
  });
});

describe('cycles', () => {
  it('a PSCI call costs the host call, the SMC, entry, EL3 dispatch and ERET', () => {
    const w = bootWorld();
    const c0 = w.machine.cpu.cycles;
    smc(w, [A.PSCI_VERSION]);
    expect(w.machine.cpu.cycles - c0).toBe(N.hostCall + INSN + ENTRY + N.el3Dispatch + ERET);
  });

  it('a direct request through the S-EL1 SPMC costs every hop and every handler', () => {
    const w = bootWorld({ spmc: 's-el1' });
    const c0 = w.machine.cpu.cycles;
    smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001]);
    const expected =
      N.hostCall + 3 * INSN +           // SMC (host), SVC (partition), SMC (SPMC)
      3 * ENTRY + 3 * ERET +            // the six hops
      2 * N.el3Dispatch + 2 * N.worldSwitch +
      2 * N.spmcDispatch +              // the request and the response
      N.partitionHandler;
    expect(w.machine.cpu.cycles - c0).toBe(expected);
  });

  it('cycles are attributed to the EL and world where they were spent', () => {
    const w = bootWorld({ spmc: 's-el1' });
    const f = w.machine.cpu.f;
    const byEl = (el: number, secure: boolean) => f[(L.CYCLES_BY_EL >> 1) + el + (secure ? 4 : 0)]!;
    const before = [byEl(0, true), byEl(1, true), byEl(3, true)];
    smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001]);
    expect(byEl(0, true)).toBeGreaterThan(before[0]!);   // the partition
    expect(byEl(1, true)).toBeGreaterThan(before[1]!);   // the SPMC
    expect(byEl(3, true)).toBeGreaterThan(before[2]!);   // the monitor
  });
});

describe('boot state', () => {
  it('el2 "none": SCR_EL3.HCE = 0 (HVC is UNDEFINED at EL1), RW = 1, NS = 1; HCR_EL2.RW = 1; host at NS-EL1 on its vectors', () => {
    const w = bootWorld({ el2: 'none' });
    const s = w.machine.cpu.s;
    expect(w.machine.el).toBe(1);
    expect(w.machine.secure).toBe(false);
    expect(s[L.SCR_EL3]! & 0x501).toBe(0x401);       // RW | NS, HCE clear
    expect((s[L.HCR_EL2]! >>> 31) & 1).toBe(1);
    expect(w.machine.cpu.get64(L.VBAR_EL + 2)).toBe(w.host.vectorBase);
    w.host.setArgs([0n]);
    const r = w.host.hvc();
    expect(r.exception).toEqual({ el: 1, ec: 0x00, esr: expect.any(Number) });
  });

  it('el2 "pkvm": SCR_EL3.HCE = 1, the Normal world starts in pKVM at EL2, which enters the host', () => {
    const w = bootWorld({ el2: 'pkvm' });
    const s = w.machine.cpu.s;
    expect(s[L.SCR_EL3]! & 0x100).toBe(0x100);
    expect(w.machine.el).toBe(1);
    expect(w.machine.cpu.get64(L.VBAR_EL + 4)).toBe(w.pkvm!.vectorBase);
    // boot "pkvm-ready": init and finalize done, host SMCs trap to EL2.
    expect((s[L.HCR_EL2]! >>> 19) & 1).toBe(1);
  });
});
