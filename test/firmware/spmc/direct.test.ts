/**
 * Direct messaging from the Normal world (DEN0077A v1.0 §10.2-10.3, v1.1 §15.2-15.3, v1.2 §15.4-15.5;
 * ffa-abi.md 5.2, 7.3) to `echo` partitions (vector-format.md), for both SPMC placements.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import type { WorldSpec } from '../../../src/machine/world.js';
import {
  POLICIES, SPMC_PLACEMENTS, UUID1, UUID1_WORDS, UUID2, UUID2_WORDS, bootWorld, expectError, smc, uuidRegs, version,
} from './helpers.js';

const HI = 0xdead_beef_0000_0000n;

const spec = (spmc: 's-el1' | 'el3', extra: Partial<WorldSpec> = {}): WorldSpec => ({
  spmc,
  partitions: [
    { id: 0x8001, uuid: UUID1, behaviour: 'echo' },
    { id: 0x8002, uuid: UUID2, behaviour: 'echo' },
    // Receives nothing directly (an indirect-messaging-only partition, ACS `ffa_direct_message_error1`).
    { id: 0x8003, uuid: '11111111-2222-3333-4444-555555555555', behaviour: 'echo', properties: A.FFA_PARTITION_INDIRECT_MSG },
  ],
  ...extra,
});

describe.each(SPMC_PLACEMENTS)('direct requests from the NWd, SPMC at %s', (spmc) => {
  const boot = (v = A.FFA_VERSION_1_2, extra: Partial<WorldSpec> = {}) => {
    const w = bootWorld(spec(spmc, extra));
    version(w, v);
    return w;
  };

  it('DIRECT_REQ_32 -> DIRECT_RESP_32: w1 swapped, w2 = 0, w3-w7 echoed as 32-bit values', () => {
    const w = boot();
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x0000_8001, 0, HI | 0x33n, HI | 0x44n, HI | 0x55n, HI | 0x66n, HI | 0x77n]);
    expect(r.x.slice(0, 8)).toEqual([BigInt(A.FFA_MSG_SEND_DIRECT_RESP), 0x8001_0000n, 0n, 0x33n, 0x44n, 0x55n, 0x66n, 0x77n]);
  });

  it('DIRECT_REQ_64 -> DIRECT_RESP_64: x3-x7 echoed in full', () => {
    const w = boot();
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x0000_8002, 0, HI | 3n, HI | 4n, HI | 5n, HI | 6n, HI | 7n]);
    expect(r.x.slice(0, 8)).toEqual([BigInt(A.FFA_MSG_SEND_DIRECT_RESP_64), 0x8002_0000n, 0n, HI | 3n, HI | 4n, HI | 5n, HI | 6n, HI | 7n]);
  });

  it('a Normal-world VM ID may be the sender (the hypervisor forwards for its VMs)', () => {
    const w = boot();
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x0005_8001, 0, 1]);
    expect(r.w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP);
    expect(r.w(1)).toBe(0x8001_0005);
  });

  it('DIRECT_REQ2 -> DIRECT_RESP2: routed by UUID, x2/x3 zero, x4-x17 echoed', () => {
    const w = boot();
    const [lo, hi] = uuidRegs(UUID2_WORDS);
    const payload = Array.from({ length: 14 }, (_, i) => HI | BigInt(0x40 + i));
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x0000_8002, lo, hi, ...payload]);
    expect(r.x).toEqual([BigInt(A.FFA_MSG_SEND_DIRECT_RESP2), 0x8002_0000n, 0n, 0n, ...payload]);
    // The Nil UUID means "any service of the receiver".
    expect(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8001, 0, 0, 1]).w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP2);
  });

  it('DIRECT_REQ2 with a UUID the receiver does not have: INVALID_PARAMETERS', () => {
    const w = boot();
    const [lo, hi] = uuidRegs(UUID1_WORDS);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8002, lo, hi]), A.FFA_RET_INVALID_PARAMETERS);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8001, 1, 0]), A.FFA_RET_INVALID_PARAMETERS);
  });

  it('w2 (x2 for SMC64) MBZ for partition messages; framework messages to partitions are refused', () => {
    const w = boot();
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001, 1]), A.FFA_RET_INVALID_PARAMETERS, 'w2 = 1');
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 1n << 32n]), A.FFA_RET_INVALID_PARAMETERS, 'x2 upper half');
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0x8000_0004]), A.FFA_RET_INVALID_PARAMETERS, 'VM created message');
    // SMC32: the upper half of x2 is not part of w2.
    expect(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001, 1n << 32n]).w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP);
  });

  it('to itself, to an unknown partition, to the SPMC, to a NWd ID, from a spoofed secure sender: INVALID_PARAMETERS', () => {
    const w = boot();
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x0000_0000]), A.FFA_RET_INVALID_PARAMETERS, 'to itself');
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x0000_8009]), A.FFA_RET_INVALID_PARAMETERS, 'unknown');
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x0000_8000]), A.FFA_RET_INVALID_PARAMETERS, 'the SPMC');
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x0000_0003]), A.FFA_RET_INVALID_PARAMETERS, 'a NWd receiver');
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8002_8001]), A.FFA_RET_INVALID_PARAMETERS, 'secure sender from the NWd');
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8002_8001]), A.FFA_RET_INVALID_PARAMETERS, 'secure sender, REQ2');
  });

  it('a receiver that does not accept direct requests: DENIED (properties bit 0 / bit 9)', () => {
    const w = boot();
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8003]), A.FFA_RET_DENIED);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8003]), A.FFA_RET_DENIED);
    // REQ only, no REQ2 receipt.
    const w2 = bootWorld({ spmc, partitions: [{ id: 0x8001, uuid: UUID1, properties: A.FFA_PARTITION_DIRECT_REQ_RECV }] });
    version(w2, A.FFA_VERSION_1_2);
    expect(smc(w2, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]).w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
    expectError(smc(w2, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8001]), A.FFA_RET_DENIED);
  });

  it('the NWd cannot send a direct response: INVALID_PARAMETERS', () => {
    const w = boot();
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_RESP, 0x0000_8001]), A.FFA_RET_INVALID_PARAMETERS);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_RESP_64, 0x0000_8001]), A.FFA_RET_INVALID_PARAMETERS);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_RESP2, 0x0000_8001]), A.FFA_RET_INVALID_PARAMETERS);
  });

  it.each(POLICIES)('DIRECT_REQ2 from a v1.1 caller: NOT_SUPPORTED (spec, TF-A) or DENIED (Hafnium) [%s]', (policy) => {
    const w = boot(A.FFA_VERSION_1_1, { policy: { spmc: policy } });
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8001]), policy === 'hafnium' ? A.FFA_RET_DENIED : A.FFA_RET_NOT_SUPPORTED);
  });

  it('a v1.1 SPMC has no DIRECT_REQ2 at all', () => {
    const w = bootWorld({ spmc, spmcVersion: A.FFA_VERSION_1_1 });
    version(w, A.FFA_VERSION_1_1);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8001]), A.FFA_RET_NOT_SUPPORTED);
    expect(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]).w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
  });

  it('the partition returns to WAITING: many requests in a row', () => {
    const w = boot();
    for (let i = 0; i < 50; i++) expect(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001 + (i & 1), 0, i]).w(3)).toBe(i);
    const part = w.partitions[0]!.component!;
    expect(part.handled).toBe(25);
  });
});
