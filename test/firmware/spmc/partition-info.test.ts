/**
 * Partition discovery (DEN0077A v1.0 §8.6, v1.1 §13.8, v1.2 §13.9; ffa-abi.md 5.1, 7.2):
 * FFA_PARTITION_INFO_GET into the caller's RX buffer and FFA_PARTITION_INFO_GET_REGS in registers.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import type { WorldSpec } from '../../../src/machine/world.js';
import {
  POLICIES, RX, SPMC_PLACEMENTS, UUID1, UUID1_WORDS, UUID2, UUID2_WORDS, bootWorld, expectError, expectSuccess, mapRxTx,
  readBytes, smc, uuidRegs, version,
} from './helpers.js';

const P1 = A.FFA_PARTITION_DIRECT_REQ_RECV | A.FFA_PARTITION_AARCH64_EXEC | A.FFA_PARTITION_DIRECT_REQ2_RECV;
/** The second partition also sends direct requests and wants VM availability messages. */
const P2 = P1 | A.FFA_PARTITION_DIRECT_REQ_SEND | A.FFA_PARTITION_VM_CREATED | A.FFA_PARTITION_VM_DESTROYED;

const twoPartitions = (spmc: 's-el1' | 'el3', policy: (typeof POLICIES)[number] = 'spec'): WorldSpec => ({
  spmc, policy: { spmc: policy },
  partitions: [
    { id: 0x8001, uuid: UUID1, behaviour: 'echo' },
    { id: 0x8002, uuid: UUID2, behaviour: 'echo', properties: P2, executionContexts: 4 },
  ],
});

function uuidBytes(words: readonly number[]): number[] {
  return words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]);
}
function le16(b: Uint8Array, o: number): number { return b[o]! | (b[o + 1]! << 8); }
function le32(b: Uint8Array, o: number): number { return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0; }

describe.each(SPMC_PLACEMENTS)('FFA_PARTITION_INFO_GET, SPMC at %s', (spmc) => {
  it('v1.2 caller, Nil UUID: every partition, 24-byte descriptors with UUIDs, w3 = 24; RX owned by the caller', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_2);
    expectSuccess(mapRxTx(w));
    w.machine.bus.ram(Number(RX), 4096)!.fill(0xaa);
    const r = smc(w, [A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0]);
    expectSuccess(r, 2, 24);
    for (let i = 4; i < 8; i++) expect(r.w(i), `w${i}`).toBe(0);
    const b = readBytes(w, RX, 4096);
    expect([le16(b, 0), le16(b, 2), le32(b, 4)]).toEqual([0x8001, 1, P1]);
    expect(Array.from(b.subarray(8, 24))).toEqual(uuidBytes(UUID1_WORDS));
    // To the NWd bits 6/7 are reported (bit 0 is set).
    expect([le16(b, 24), le16(b, 26), le32(b, 28)]).toEqual([0x8002, 4, P2]);
    expect(Array.from(b.subarray(32, 48))).toEqual(uuidBytes(UUID2_WORDS));
    // The rest of the buffer is zeroed: nothing stale leaks (Hafnium; v1.3 §4.10).
    expect(b.subarray(48).every((x) => x === 0)).toBe(true);
    // The caller owns RX now: a second call is BUSY until FFA_RX_RELEASE.
    expectError(smc(w, [A.FFA_PARTITION_INFO_GET]), A.FFA_RET_BUSY);
    expectSuccess(smc(w, [A.FFA_RX_RELEASE]));
    expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET]), 2, 24);
  });

  it('a UUID selects its partition; the descriptor\'s UUID field is zero', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_2);
    expectSuccess(mapRxTx(w));
    expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET, ...UUID2_WORDS]), 1, 24);
    const b = readBytes(w, RX, 24);
    expect(le16(b, 0)).toBe(0x8002);
    expect(b.subarray(8, 24).every((x) => x === 0)).toBe(true);
  });

  it('an unknown UUID is INVALID_PARAMETERS (ACS uses {1, 0, 0, 0})', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_2);
    expectSuccess(mapRxTx(w));
    expectError(smc(w, [A.FFA_PARTITION_INFO_GET, 1, 0, 0, 0]), A.FFA_RET_INVALID_PARAMETERS);
    expectError(smc(w, [A.FFA_PARTITION_INFO_GET, 1, 0, 0, 0, 1]), A.FFA_RET_INVALID_PARAMETERS, 'count only');
  });

  it('count only (w5 bit 0, v1.1): w2 = count, w3 = 0, RX untouched and not owned', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_1);
    // No RX buffer is needed to count.
    expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 1]), 2, 0);
    expectSuccess(mapRxTx(w));
    expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET, ...UUID1_WORDS, 1]), 1, 0);
    expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0]), 2, 24);
  });

  it('no RX buffer: BUSY', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_2);
    expectError(smc(w, [A.FFA_PARTITION_INFO_GET]), A.FFA_RET_BUSY);
  });

  it('v1.1 caller: properties defined by v1.1 only (no DIRECT_REQ2 bits)', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_1);
    expectSuccess(mapRxTx(w));
    expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET]), 2, 24);
    const b = readBytes(w, RX, 48);
    expect(le32(b, 4)).toBe(P1 & 0x1ff);
    expect(le32(b, 28)).toBe(P2 & 0x1ff);
  });

  describe.each(POLICIES)('v1.0 caller, policy %s', (policy) => {
    it('8-byte descriptors, v1.0 properties only; w3 reserved (0), or 8 under Hafnium', () => {
      const w = bootWorld(twoPartitions(spmc, policy));
      version(w, A.FFA_VERSION_1_0);
      expectSuccess(mapRxTx(w));
      const r = smc(w, [A.FFA_PARTITION_INFO_GET]);
      expectSuccess(r, 2, policy === 'hafnium' ? 8 : 0);
      const b = readBytes(w, RX, 4096);
      expect([le16(b, 0), le16(b, 2), le32(b, 4)]).toEqual([0x8001, 1, A.FFA_PARTITION_DIRECT_REQ_RECV]);
      expect([le16(b, 8), le16(b, 10), le32(b, 12)]).toEqual([0x8002, 4, A.FFA_PARTITION_DIRECT_REQ_RECV | A.FFA_PARTITION_DIRECT_REQ_SEND]);
      expect(b.subarray(16).every((x) => x === 0)).toBe(true);
    });

    it('w5 is reserved in v1.0 (spec: MBZ); Hafnium and TF-A honour the count flag anyway', () => {
      const w = bootWorld(twoPartitions(spmc, policy));
      version(w, A.FFA_VERSION_1_0);
      expectSuccess(mapRxTx(w));
      const r = smc(w, [A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 1]);
      if (policy === 'spec') expectError(r, A.FFA_RET_INVALID_PARAMETERS);
      else expectSuccess(r, 2, 0);
    });
  });

  it.each(POLICIES)('flags bits [31:1] MBZ: INVALID_PARAMETERS (spec, Hafnium); TF-A ignores them (%s)', (policy) => {
    const w = bootWorld(twoPartitions(spmc, policy));
    version(w, A.FFA_VERSION_1_2);
    expectSuccess(mapRxTx(w));
    const r = smc(w, [A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 2]);
    if (policy === 'tf-a') expectSuccess(r, 2, 24);
    else expectError(r, A.FFA_RET_INVALID_PARAMETERS);
  });
});

describe.each(SPMC_PLACEMENTS)('FFA_PARTITION_INFO_GET_REGS (v1.2), SPMC at %s', (spmc) => {
  const seven: WorldSpec = {
    spmc,
    partitions: Array.from({ length: 7 }, (_, i) => ({
      id: 0x8001 + i, uuid: `00000000-0000-0000-0000-00000000000${i + 1}`, behaviour: 'echo', executionContexts: i + 1,
    })),
  };

  it('x2 = last index | current index << 16 | tag << 32 | descriptor size << 48; x3.. = id/contexts/properties, UUID', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_2);
    const r = smc(w, [A.FFA_PARTITION_INFO_GET_REGS, 0, 0, 0]);
    expect(r.w(0)).toBe(A.FFA_SUCCESS_64);
    expect(r.x[1]).toBe(0n);
    expect(r.x[2]).toBe((24n << 48n) | (1n << 16n) | 1n);
    expect(r.x[3]).toBe((BigInt(P1) << 32n) | (1n << 16n) | 0x8001n);
    expect([r.x[4], r.x[5]]).toEqual(uuidRegs(UUID1_WORDS));
    expect(r.x[6]).toBe((BigInt(P2) << 32n) | (4n << 16n) | 0x8002n);
    expect([r.x[7], r.x[8]]).toEqual(uuidRegs(UUID2_WORDS));
    for (let i = 9; i < 18; i++) expect(r.x[i], `x${i}`).toBe(0n);
  });

  it('a UUID selects one partition (UUID registers zero); unknown UUID or start >= count: INVALID_PARAMETERS', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_2);
    const [lo, hi] = uuidRegs(UUID2_WORDS);
    const r = smc(w, [A.FFA_PARTITION_INFO_GET_REGS, lo, hi, 0]);
    expect(r.w(0)).toBe(A.FFA_SUCCESS_64);
    expect(r.x[2]).toBe(24n << 48n);
    expect(r.x[3] & 0xffffn).toBe(0x8002n);
    expect([r.x[4], r.x[5]]).toEqual([0n, 0n]);
    expectError(smc(w, [A.FFA_PARTITION_INFO_GET_REGS, 1, 0, 0]), A.FFA_RET_INVALID_PARAMETERS);
    expectError(smc(w, [A.FFA_PARTITION_INFO_GET_REGS, lo, hi, 1]), A.FFA_RET_INVALID_PARAMETERS);
  });

  it('more than five partitions: continue from a start index', () => {
    const w = bootWorld(seven);
    version(w, A.FFA_VERSION_1_2);
    const a = smc(w, [A.FFA_PARTITION_INFO_GET_REGS, 0, 0, 0]);
    expect(a.x[2]).toBe((24n << 48n) | (4n << 16n) | 6n);
    expect([3, 6, 9, 12, 15].map((i) => a.x[i]! & 0xffffn)).toEqual([0x8001n, 0x8002n, 0x8003n, 0x8004n, 0x8005n]);
    const b = smc(w, [A.FFA_PARTITION_INFO_GET_REGS, 0, 0, 5]);
    expect(b.x[2]).toBe((24n << 48n) | (6n << 16n) | 6n);
    expect(b.x[3]).toBe((BigInt(A.FFA_PARTITION_DIRECT_REQ_RECV | A.FFA_PARTITION_AARCH64_EXEC | A.FFA_PARTITION_DIRECT_REQ2_RECV) << 32n) | (6n << 16n) | 0x8006n);
    expect(b.x[6]! & 0xffffn).toBe(0x8007n);
    for (let i = 9; i < 18; i++) expect(b.x[i], `x${i}`).toBe(0n);
  });

  it('a tag this SPMC never issued: RETRY (Hafnium, TF-A); with start 0 the tag MBZ (spec: INVALID_PARAMETERS)', () => {
    for (const policy of POLICIES) {
      const w = bootWorld({ ...twoPartitions(spmc), policy: { spmc: policy } });
      version(w, A.FFA_VERSION_1_2);
      expectError(smc(w, [A.FFA_PARTITION_INFO_GET_REGS, 0, 0, 0x0001_0000]), policy === 'spec' ? A.FFA_RET_INVALID_PARAMETERS : A.FFA_RET_RETRY, policy);
      expectError(smc(w, [A.FFA_PARTITION_INFO_GET_REGS, 0, 0, 0x0001_0001]), A.FFA_RET_RETRY, policy);
    }
  });

  it('not for v1.1 callers, nor from a v1.1 SPMC', () => {
    const w = bootWorld(twoPartitions(spmc));
    version(w, A.FFA_VERSION_1_1);
    expectError(smc(w, [A.FFA_PARTITION_INFO_GET_REGS, 0, 0, 0]), A.FFA_RET_NOT_SUPPORTED);
    const w2 = bootWorld({ spmc, spmcVersion: A.FFA_VERSION_1_1 });
    version(w2, A.FFA_VERSION_1_1);
    expectError(smc(w2, [A.FFA_PARTITION_INFO_GET_REGS, 0, 0, 0]), A.FFA_RET_NOT_SUPPORTED);
  });
});

describe('FFA_ID_GET / FFA_SPM_ID_GET from the NWd', () => {
  it.each(SPMC_PLACEMENTS)('%s: ID 0 at the NS physical instance; SPM_ID_GET = the SPMC ID (v1.1+)', (spmc) => {
    const w = bootWorld({ spmc, spmcId: 0x8000 });
    version(w, A.FFA_VERSION_1_2);
    const id = smc(w, [A.FFA_ID_GET]);
    expectSuccess(id, 0);
    for (let i = 3; i < 8; i++) expect(id.w(i)).toBe(0);
    expectSuccess(smc(w, [A.FFA_SPM_ID_GET]), 0x8000);
    const w2 = bootWorld({ spmc, spmcId: 0x8100, partitions: [{ id: 0x8101, uuid: UUID1 }] });
    expectSuccess(smc(w2, [A.FFA_SPM_ID_GET]), 0x8100);
  });

  it('SPM_ID_GET does not exist at v1.0', () => {
    expectError(smc(bootWorld({ spmcVersion: A.FFA_VERSION_1_0 }), [A.FFA_SPM_ID_GET]), A.FFA_RET_NOT_SUPPORTED);
    const w = bootWorld();
    version(w, A.FFA_VERSION_1_0);
    expectError(smc(w, [A.FFA_SPM_ID_GET]), A.FFA_RET_NOT_SUPPORTED);
  });
});
