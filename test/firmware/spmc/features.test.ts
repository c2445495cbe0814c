/**
 * FFA_FEATURES (DEN0077A v1.0 §8.2, v1.1 §13.3) and its agreement with dispatch: an ABI FEATURES
 * reports is implemented, one it refuses answers NOT_SUPPORTED when called (ffa-abi.md 5.1, 9.3).
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { POLICIES, SPMC_PLACEMENTS, VERSIONS, bootWorld, expectError, expectSuccess, smc, version, vname } from './helpers.js';

/** Every FF-A function ID of the range (0x60-0xFF), both conventions. */
const ALL_FIDS: number[] = [];
for (let fn = 0x60; fn <= 0xff; fn++) { ALL_FIDS.push((A.FFA_SMC32_BASE | fn) >>> 0, (A.FFA_SMC64_BASE | fn) >>> 0); }

/** Status/return forms: FEATURES reports them (the SPMC produces them), the NWd cannot invoke them. */
const RETURN_FORMS = new Set<number>([A.FFA_ERROR, A.FFA_SUCCESS, A.FFA_SUCCESS_64, A.FFA_INTERRUPT]);
/** A response from the NWd is invalid rather than unsupported (HF, TF-A; ACS v1.1 expects FFA_ERROR). */
const NWD_INVALID = new Set<number>([A.FFA_MSG_SEND_DIRECT_RESP, A.FFA_MSG_SEND_DIRECT_RESP_64, A.FFA_MSG_SEND_DIRECT_RESP2]);
const isMemory = (fid: number) => (fid & 0xffff) >= 0x71 && (fid & 0xffff) <= 0x7b;

function features(w: ReturnType<typeof bootWorld>, fid: number, input = 0) { return smc(w, [A.FFA_FEATURES, fid, input]); }

describe.each(SPMC_PLACEMENTS)('FFA_FEATURES agrees with dispatch, SPMC at %s', (spmc) => {
  for (const policy of POLICIES) {
    for (const v of VERSIONS) {
      it(`policy ${policy}, SPMC ${vname(v)}: every FF-A ID from the NWd`, () => {
        const q = bootWorld({ spmc, spmcVersion: v, policy: { spmc: policy } });
        version(q, v);
        const supported = new Map<number, boolean>();
        for (const fid of ALL_FIDS) {
          const r = features(q, fid);
          if (r.w(0) === A.FFA_SUCCESS) supported.set(fid, true);
          else { expectError(r, A.FFA_RET_NOT_SUPPORTED, `FEATURES(0x${fid.toString(16)})`); supported.set(fid, false); }
        }
        // With all arguments zero no call succeeds in changing state (no buffer, no ID, no target),
        // so one world serves every call.
        const w = q;
        for (const fid of ALL_FIDS) {
          if (isMemory(fid) || fid === A.FFA_VERSION || fid === A.FFA_FEATURES) continue;
          const r = smc(w, [fid]);
          const notSupported = r.w(0) === A.FFA_ERROR && (r.w(2) | 0) === A.FFA_RET_NOT_SUPPORTED;
          const name = A.ffaFunctionName(fid) ?? `0x${fid.toString(16)}`;
          if (RETURN_FORMS.has(fid)) { expect(notSupported, name).toBe(true); continue; }
          // TF-A's SPMD answers FFA_NORMAL_WORLD_RESUME from the NWd with DENIED (no secure interrupt).
          if (policy === 'tf-a' && fid === A.FFA_NORMAL_WORLD_RESUME) { expectError(r, A.FFA_RET_DENIED, name); continue; }
          if (NWD_INVALID.has(fid) && r.w(0) === A.FFA_ERROR && (r.w(2) | 0) === A.FFA_RET_INVALID_PARAMETERS) {
            expect(supported.get(fid), `${name}: FEATURES from the NWd`).toBe(false);
            continue;
          }
          expect(notSupported, `${name}: FEATURES says ${supported.get(fid) ? 'SUCCESS' : 'NOT_SUPPORTED'}, the call returned w0=0x${r.w(0).toString(16)} w2=${r.w(2) | 0}`)
            .toBe(!supported.get(fid));
        }
        // Nothing changed: no buffer was mapped, the partition still waits for a message.
        expect(w.spmc!.mailboxOf(0)).toBeNull();
        expect(w.spmc!.ep.state[1]).toBe(1 /* RtState.Waiting */);
      });
    }
  }
});

describe('FFA_FEATURES values', () => {
  it('SUCCESS form: w0 = FFA_SUCCESS_32, w1 = 0, w3-w7 = 0', () => {
    const w = bootWorld();
    version(w, A.FFA_VERSION_1_2);
    const r = features(w, A.FFA_PARTITION_INFO_GET);
    expectSuccess(r, 0, 0);
    for (let i = 1; i < 8; i++) if (i !== 2) expect(r.w(i)).toBe(0);
  });

  it('FFA_RXTX_MAP: minimum buffer 4 KiB (bits [1:0] = 0); v1.2 callers also get the maximum size in pages (bits [31:16])', () => {
    for (const v of VERSIONS) {
      const w = bootWorld();
      version(w, v);
      expectSuccess(features(w, A.FFA_RXTX_MAP_64), v === A.FFA_VERSION_1_2 ? 16 << 16 : 0, 0, vname(v));
    }
  });

  it('FFA_RXTX_MAP_32: supported (spec, TF-A), not by Hafnium', () => {
    for (const policy of POLICIES) {
      const w = bootWorld({ policy: { spmc: policy } });
      version(w, A.FFA_VERSION_1_2);
      const r = features(w, A.FFA_RXTX_MAP);
      if (policy === 'hafnium') expectError(r, A.FFA_RET_NOT_SUPPORTED);
      else expectSuccess(r);
    }
  });

  it('an ABI newer than the caller\'s negotiated version is NOT_SUPPORTED (v1.2 §13.2.2)', () => {
    const w = bootWorld();
    version(w, A.FFA_VERSION_1_0);
    expectError(features(w, A.FFA_SPM_ID_GET), A.FFA_RET_NOT_SUPPORTED);
    expectError(features(w, A.FFA_MSG_SEND_DIRECT_REQ2), A.FFA_RET_NOT_SUPPORTED);
    expectError(features(w, A.FFA_PARTITION_INFO_GET_REGS), A.FFA_RET_NOT_SUPPORTED);
    expectError(features(w, A.FFA_RX_ACQUIRE), A.FFA_RET_NOT_SUPPORTED);
    expectSuccess(features(w, A.FFA_MSG_SEND_DIRECT_REQ_64));
  });

  it('secure-instance ABIs are not reported to the NWd', () => {
    const w = bootWorld();
    version(w, A.FFA_VERSION_1_2);
    for (const fid of [A.FFA_MSG_WAIT, A.FFA_YIELD, A.FFA_MSG_SEND_DIRECT_RESP_64, A.FFA_MSG_SEND_DIRECT_RESP2, A.FFA_CONSOLE_LOG_64]) {
      expectError(features(w, fid), A.FFA_RET_NOT_SUPPORTED, A.ffaFunctionName(fid));
    }
  });

  it('feature IDs (bit 31 clear): NPI, SRI, MEI are not implemented; bits [30:8] MBZ', () => {
    const w = bootWorld();
    for (const id of [1, 2, 3, 4, 0x100, 0x7fff_ff01]) expectError(features(w, id), A.FFA_RET_NOT_SUPPORTED, `feature ${id}`);
  });

  it('input properties MBZ except for FFA_MEM_RETRIEVE_REQ', () => {
    const w = bootWorld();
    expectError(features(w, A.FFA_PARTITION_INFO_GET, 1), A.FFA_RET_NOT_SUPPORTED);
    expectError(features(w, A.FFA_VERSION, 0x8000_0000), A.FFA_RET_NOT_SUPPORTED);
  });

  it('PARTITION_INFO_GET_REGS needs SMCCC v1.2 (it returns results in x8-x17)', () => {
    const w = bootWorld({ smcccVersion: 0x10001 });
    version(w, A.FFA_VERSION_1_2);
    expectError(features(w, A.FFA_PARTITION_INFO_GET_REGS), A.FFA_RET_NOT_SUPPORTED);
    expectError(smc(w, [A.FFA_PARTITION_INFO_GET_REGS]), A.FFA_RET_NOT_SUPPORTED);
  });

  it('unimplemented families: notifications, indirect messaging, FFA_MSG_POLL', () => {
    const w = bootWorld();
    version(w, A.FFA_VERSION_1_2);
    for (const fid of [A.FFA_NOTIFICATION_BITMAP_CREATE, A.FFA_NOTIFICATION_BIND, A.FFA_NOTIFICATION_INFO_GET_64,
      A.FFA_MSG_SEND2, A.FFA_MSG_SEND, A.FFA_MSG_POLL, A.FFA_SECONDARY_EP_REGISTER_64, A.FFA_NS_RES_INFO_GET]) {
      expectError(features(w, fid), A.FFA_RET_NOT_SUPPORTED, A.ffaFunctionName(fid));
      expectError(smc(w, [fid]), A.FFA_RET_NOT_SUPPORTED, A.ffaFunctionName(fid));
    }
  });
});
