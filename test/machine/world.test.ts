/**
 * The world builder (src/machine/world.ts): every `machine` combination of vector-format.md boots from
 * reset to the host, and the machine it builds is the one the description asks for.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import * as A from '../../src/ffa/abi.js';
import { createWorld } from '../../src/machine/world.js';
import { parseVector } from '../../src/vectors/parse.js';
import { StopReason } from '../../src/machine/machine.js';
import type { PartitionBehaviour } from '../../src/firmware/partitions/api.js';

const EL2 = ['pkvm', 'none'] as const;
const SPMC = ['s-el1', 'el3', 'none'] as const;
const BOOT = ['pkvm-ready', 'reset'] as const;

describe('createWorld + boot', () => {
  for (const el2 of EL2) for (const spmc of SPMC) for (const boot of BOOT) {
    it(`el2 ${el2}, spmc ${spmc}, boot ${boot}: reaches the host at NS-EL1`, () => {
      const w = createWorld({ el2, spmc, boot });
      const r = w.boot();
      expect(r.reason).toBe(StopReason.Requested);
      expect(w.host.entered).toBe(true);
      expect(w.machine.el).toBe(1);
      expect(w.machine.secure).toBe(false);
      expect(w.machine.cpu.get64(L.VBAR_EL + 2)).toBe(w.host.vectorBase);
      expect(w.el2 !== null).toBe(el2 === 'pkvm');
      expect(w.spmc !== null).toBe(spmc !== 'none');
      expect(w.spmcComponent !== null).toBe(spmc === 's-el1');
      if (spmc !== 'none') expect(w.spmc!.partitionCount).toBe(1);
      // pkvm-ready: host SMCs trap to EL2 (TSC); reset: EL2 holds only the stub (TSC clear).
      const tsc = (w.machine.cpu.s[L.HCR_EL2]! >>> 19) & 1;
      expect(tsc).toBe(el2 === 'pkvm' && boot === 'pkvm-ready' ? 1 : 0);
      // The host can call the firmware.
      w.host.setArgs([BigInt(A.PSCI_VERSION)]);
      expect(w.host.smc().stop).toBe(StopReason.Returned);
      expect(w.host.getX(0)).toBe(0x10001n);
    });
  }

  it('boot "reset" with pKVM, then the host\'s init and finalize hypercalls', () => {
    const w = createWorld({ el2: 'pkvm', boot: 'reset' });
    w.boot();
    expect(w.pkvmInit()).toBe(0n);
    expect(w.pkvmFinalize()).toBe(0n);
    expect((w.machine.cpu.s[L.HCR_EL2]! >>> 19) & 1).toBe(1);
  });

  it('pkvm-ready can be held back for a runner that makes the hypercalls itself', () => {
    const w = createWorld({ el2: 'pkvm', boot: 'pkvm-ready' });
    w.boot({ pkvmInit: false });
    expect((w.machine.cpu.s[L.HCR_EL2]! >>> 19) & 1).toBe(0);
  });

  it('the example vector of vector-format.md: pKVM gates DIRECT_REQ until FFA_VERSION, then the echo answers', () => {
    const w = createWorld({ policy: { directReqBeforeVersion: 'reject' } });
    w.boot();
    const call = (args: bigint[]) => { w.host.setArgs(args); expect(w.host.smc().stop).toBe(StopReason.Returned); return (n: number) => w.host.getX(n); };
    let x = call([BigInt(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, 0x1234n]);
    expect([x(0) & 0xffffffffn, x(2) & 0xffffffffn]).toEqual([BigInt(A.FFA_ERROR), 0xfffffffen]);
    x = call([BigInt(A.FFA_VERSION), 0x10002n]);
    expect(x(0) & 0xffffffffn).toBe(0x10002n);
    x = call([BigInt(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, 0x1234n]);
    expect([x(0) & 0xffffffffn, x(1) & 0xffffffffn, x(3)]).toEqual([BigInt(A.FFA_MSG_SEND_DIRECT_RESP_64), 0x80010000n, 0x1234n]);
  });

  it('the defaults are vector-format.md\'s: pKVM, S-EL1 SPMC v1.2, one echo partition 0x8001, SPMC ID 0x8000', () => {
    const w = createWorld();
    expect(w.spec.el2).toBe('pkvm');
    expect(w.spec.spmc).toBe('s-el1');
    expect(w.spec.spmcVersion).toBe(A.FFA_VERSION_1_2);
    expect(w.spec.spmcId).toBe(0x8000);
    expect(w.spec.partitions.map((p) => [p.id, p.executionContexts, p.properties])).toEqual([[0x8001, 1, 0x301]]);
    expect(w.spec.policy).toEqual({ spmc: 'spec', directReqBeforeVersion: 'reject' });
  });

  it('default partition properties follow spmcVersion', () => {
    expect(createWorld({ spmcVersion: A.FFA_VERSION_1_0 }).spec.partitions[0]!.properties).toBe(0x1);
    expect(createWorld({ spmcVersion: A.FFA_VERSION_1_1 }).spec.partitions[0]!.properties).toBe(0x101);
  });

  it('accepts the machine of a parsed vector (vectors/parse.ts MachineSpec)', () => {
    const v = parseVector(JSON.stringify({
      format: 'a64el-vector/1', name: 'x',
      machine: { el2: 'none', spmc: 'el3', spmcVersion: '1.1', partitions: [{ id: '0x8003', uuid: 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb', behaviour: 'echo' }] },
      steps: [{ smc: { x0: 'FFA_VERSION', w1: '0x10001' } }],
    }), 'x.json');
    if (!('machine' in v)) throw new Error('not a call vector');
    const w = createWorld(v.machine);
    w.boot();
    w.host.setArgs([BigInt(A.FFA_MSG_SEND_DIRECT_REQ), 0x8003n, 0n, 5n]);
    w.host.smc();
    expect(Number(w.host.getX(1))).toBe(0x8003_0000);
    expect(Number(w.host.getX(3))).toBe(5);
  });

  it('custom behaviours by name, and unknown names are errors', () => {
    const silent: PartitionBehaviour = { name: 'silent', onDirectRequest(s) { s[0] = A.FFA_MSG_SEND_DIRECT_RESP | 0; s[2] = (s[2]! << 16) | (s[2]! >>> 16); s[6] = 42; } };
    const w = createWorld({ el2: 'none', behaviours: { silent: () => silent }, partitions: [{ id: 0x8001, uuid: 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb', behaviour: 'silent' }] });
    w.boot();
    w.host.setArgs([BigInt(A.FFA_MSG_SEND_DIRECT_REQ), 0x8001n]);
    w.host.smc();
    expect(Number(w.host.getX(3))).toBe(42);
    expect(() => createWorld({ partitions: [{ id: 0x8001, uuid: 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb', behaviour: 'nope' }] })).toThrow(/unknown behaviour "nope"/);
  });

  it('boot reports where it got stuck when it cannot reach the host', () => {
    const w = createWorld({ el2: 'none', bootBudget: 0 });
    expect(() => w.boot()).toThrow(/boot did not reach the host entry point/);
  });

  it('partitions run at S-EL0 under the S-EL1 SPMC and at S-EL1 under the EL3 SPMC', () => {
    expect(createWorld({ spmc: 's-el1' }).partitions[0]!.component!.el).toBe(0);
    expect(createWorld({ spmc: 'el3' }).partitions[0]!.component!.el).toBe(1);
  });
});
