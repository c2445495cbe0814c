/**
 * The recording conduit on a real machine: host (NS-EL1) + pKVM (EL2) + the pKVM tests' EL3/SPMC
 * double (test/firmware/el2/harness.ts), so paths come from real exception entries and returns.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { PKVM_INIT_HCALL } from '../../../src/firmware/el2/pkvm.js';
import { HostConduit, elLabel } from '../../../src/firmware/host/conduit.js';
import { HOST_RX, HOST_TX, makeWorld } from '../el2/harness.js';

const B = (n: number): bigint => BigInt(n >>> 0);

describe('HostConduit', () => {
  it('labels ELs with their security state', () => {
    expect(elLabel(1, true)).toBe('S-EL1');
    expect(elLabel(3, true)).toBe('EL3');
    expect(elLabel(2, false)).toBe('EL2');
  });

  it('records paths, cycles and who answered, through the stub, the gate, pKVM and EL3', () => {
    const w = makeWorld({});
    const before = w.m.cpu.onExceptionEntry;
    const c = new HostConduit(w.host, w.m.cpu);
    // EL2 holds the stub (TSC = 0): the SMC goes straight to EL3.
    const direct = c.smc([B(A.FFA_ID_GET)], 'test');
    expect(direct.path).toEqual(['EL1', 'EL3', 'EL1']);
    expect(direct.answeredBy).toBe('EL3');
    expect(direct.cycles).toBeGreaterThan(0);
    // __pkvm_init: an HVC that makes pKVM issue its own SMC (hyp_ffa_init's FFA_VERSION).
    const init = c.hvc([B(PKVM_INIT_HCALL)], 'kvm_arm_init');
    expect(init.path).toEqual(['EL1', 'EL2', 'EL3', 'EL2', 'EL1']);
    expect(init.answeredBy).toBe('EL2');
    expect(init.result[0]).toBe(0n);
    // The gate: answered by pKVM.
    const gated = c.smc([B(A.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n], 'test');
    expect(gated.path).toEqual(['EL1', 'EL2', 'EL1']);
    expect(gated.answeredBy).toBe('EL2');
    expect(gated.result[2]).toBe(0xfffffffffffffffen);
    // FFA_VERSION: pKVM answers after its own post_init SMCs.
    const v = c.smc([B(A.FFA_VERSION), B(A.FFA_VERSION_1_2)], 'test');
    expect(v.path).toEqual(['EL1', 'EL2', 'EL3', 'EL2', 'EL3', 'EL2', 'EL1']);
    expect(v.answeredBy).toBe('EL2');
    // Pass-through: the reply is EL3's.
    expect(c.smc([B(A.FFA_ID_GET)], 'test').answeredBy).toBe('EL3');
    // RXTX_MAP: pKVM sends its own buffers, so its SUCCESS is its own answer.
    const map = c.smc([B(A.FFA_RXTX_MAP_64), BigInt(HOST_TX), BigInt(HOST_RX), 1n], 'test');
    expect(map.result[0]).toBe(B(A.FFA_SUCCESS));
    expect(map.path).toEqual(['EL1', 'EL2', 'EL3', 'EL2', 'EL1']);
    expect(map.answeredBy).toBe('EL2');
    expect(c.records.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    c.dispose();
    expect(w.m.cpu.onExceptionEntry).toBe(before);
  });
});
