/**
 * FFA_VERSION negotiation (DEN0077A v1.0 §8.1, v1.1 §13.2.1, v1.2 §13.2.2; ffa-abi.md 4) at the NS
 * physical instance, for both SPMC placements and each policy (docs/ffa-policies.md).
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { POLICIES, SPMC_PLACEMENTS, TX, RX, bootWorld, expectError, expectSuccess, mapRxTx, smc, version } from './helpers.js';

const V10 = A.FFA_VERSION_1_0, V11 = A.FFA_VERSION_1_1, V12 = A.FFA_VERSION_1_2;
const NOT_SUPPORTED = 0xffffffff;

describe.each(SPMC_PLACEMENTS)('FFA_VERSION, SPMC at %s', (spmc) => {
  describe.each(POLICIES)('policy %s', (policy) => {
    const boot = (spmcVersion = V12) => bootWorld({ spmc, spmcVersion, policy: { spmc: policy } });

    it('a compatible request gets the SPMC version (v1.1 §13.2.1 rule 1)', () => {
      expect(version(boot(), V12)).toBe(V12);
      expect(version(boot(), V11)).toBe(V12);
      expect(version(boot(), V10)).toBe(V12);
      expect(version(boot(V11), V10)).toBe(V11);
      expect(version(boot(V10), V10)).toBe(V10);
    });

    it('bit 31 set: NOT_SUPPORTED in w0, never FFA_ERROR', () => {
      const r = smc(boot(), [A.FFA_VERSION, 0x8001_0002]);
      expect(r.w(0)).toBe(NOT_SUPPORTED);
    });

    it('incompatible requests: own version (spec rule 3, TF-A) or NOT_SUPPORTED (Hafnium; spec rule 2 for a lower major)', () => {
      const own = policy === 'hafnium' ? NOT_SUPPORTED : V12;
      expect(version(boot(), 0x0002_0000)).toBe(own);          // 2.0, a higher major
      // 0.9, a lower major: rule 2 leaves the choice; spec picks NOT_SUPPORTED (ff-a-acs v1.2 EAC
      // ffa_version index 0, Hafnium) from a v1.1+ SPMC, its own version from a v1.0 one.
      expect(version(boot(), 0x0000_0009)).toBe(policy === 'tf-a' ? V12 : NOT_SUPPORTED);
      expect(version(boot(), 0x0001_0005)).toBe(own);          // 1.5, a higher minor
      if (spmc === 'el3') expect(version(boot(V10), 0x0000_0009)).toBe(policy === 'hafnium' ? NOT_SUPPORTED : V10);
      if (spmc === 's-el1') return;                            // a v1.1 SPMC: below
      expect(version(boot(V11), V12)).toBe(policy === 'hafnium' ? NOT_SUPPORTED : V11);
    });

    it('an incompatible request does not change the negotiated version', () => {
      const w = boot();
      expect(version(w, V10)).toBe(V12);
      version(w, 0x0002_0000);
      // PARTITION_INFO_GET answers in the v1.0 layout (8-byte descriptors, no w3 size from v1.1).
      expectSuccess(mapRxTx(w));
      const r = smc(w, [A.FFA_PARTITION_INFO_GET]);
      expectSuccess(r, 1);
      expect(r.w(3)).toBe(policy === 'hafnium' ? 8 : 0);
    });

    it('repeated FFA_VERSION while negotiation is open: the last compatible request wins', () => {
      const w = boot();
      expect(version(w, V12)).toBe(V12);
      // Hafnium behind TF-A's SPMD: the first FFA_VERSION arrives as a framework DIRECT_REQ, which
      // Hafnium counts as a non-VERSION call, so negotiation is already closed (docs/ffa-policies.md).
      const locked = policy === 'hafnium' && spmc === 's-el1';
      expect(version(w, V10)).toBe(locked ? NOT_SUPPORTED : V12);
      expectSuccess(mapRxTx(w));
      const r = smc(w, [A.FFA_PARTITION_INFO_GET]);
      expectSuccess(r, 1);
      // v1.1+ layout: w3 = 24; v1.0: w3 reserved.
      expect(r.w(3)).toBe(locked ? 24 : policy === 'hafnium' ? 8 : 0);
    });

    it('TF-A: FFA_ID_GET, answered by the SPMD, does not close the SPMC\'s negotiation (spmd_smc_handler)', () => {
      if (policy !== 'tf-a') return;
      const w = boot();
      expect(version(w, V11)).toBe(V12);
      expectSuccess(smc(w, [A.FFA_ID_GET]), 0);
      // Still open at the SPMC: the last compatible request wins, the answer is the SPMC's version.
      expect(version(w, V10)).toBe(V12);
      expect(version(w, V12)).toBe(V12);
      expectSuccess(smc(w, [A.FFA_FEATURES, A.FFA_VERSION]));
      expect(version(w, V11)).toBe(V12);                      // now closed: the negotiated version
    });

    for (const closer of ['FFA_FEATURES (forwarded)', 'FFA_ID_GET (answered by the SPMD)'] as const) {
      // TF-A's SPMD keeps its own negotiation flag (test above).
      if (policy === 'tf-a' && closer.startsWith('FFA_ID_GET')) continue;
      it(`after ${closer} the version is fixed`, () => {
        const w = boot();
        expect(version(w, V11)).toBe(V12);
        if (closer.startsWith('FFA_FEATURES')) expectSuccess(smc(w, [A.FFA_FEATURES, A.FFA_VERSION]));
        else expectSuccess(smc(w, [A.FFA_ID_GET]), 0);
        // The same version again: the SPMC's version (spec, Hafnium) or the negotiated one (TF-A).
        expect(version(w, V11)).toBe(policy === 'tf-a' ? V11 : V12);
        // Another version: NOT_SUPPORTED (spec as ff-a-acs checks it, Hafnium), or TF-A's negotiated
        // version (not an error).
        expect(version(w, V12)).toBe(policy === 'tf-a' ? V11 : NOT_SUPPORTED);
        expect(version(w, V10)).toBe(policy === 'tf-a' ? V11 : NOT_SUPPORTED);
      });
    }

    it('calls before FFA_VERSION: allowed with the SPMC version (spec, Hafnium) or NOT_SUPPORTED for good (TF-A)', () => {
      const w = boot();
      const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x42]);
      if (policy === 'tf-a') {
        expectError(r, A.FFA_RET_NOT_SUPPORTED);
        // The NS endpoint holds no version and negotiation is over: FFA_VERSION itself now fails,
        // and so does every later call (TF-A spmc_complete_ffa_version_negotiation).
        expect(version(w, V12)).toBe(NOT_SUPPORTED);
        expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x42]), A.FFA_RET_NOT_SUPPORTED);
        expectError(smc(w, [A.FFA_RXTX_MAP_64, TX, RX, 1]), A.FFA_RET_NOT_SUPPORTED);
      } else {
        expect(r.w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
        expect(r.x[3]).toBe(0x42n);
        // ... and the version is fixed at the SPMC's.
        expect(version(w, V12)).toBe(V12);
        expect(version(w, V11)).toBe(NOT_SUPPORTED);
      }
    });
  });
});

describe('FFA_VERSION specifics', () => {
  it('a v1.0 SPMC behind the S-EL1 SPMD: the SPMD answers with the SPMC version itself', () => {
    const w = bootWorld({ spmc: 's-el1', spmcVersion: V10 });
    expect(version(w, V12)).toBe(V10);
    expect(w.spmd!.switches).toBe(1);   // only the boot switch: no framework message was sent
  });

  it('the S-EL1 placement forwards FFA_VERSION as a framework message (two world switches)', () => {
    const w = bootWorld({ spmc: 's-el1' });
    const before = w.spmd!.switches;
    expect(version(w, V12)).toBe(V12);
    expect(w.spmd!.switches - before).toBe(2);
  });

  it('x1-x7 of the answer are zero, and NS x8-x17 are untouched', () => {
    const w = bootWorld({ spmc: 's-el1' });
    w.host.setArgs([BigInt(A.FFA_VERSION), BigInt(V12), 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n, 13n, 14n, 15n, 16n, 17n]);
    w.host.smc();
    expect(w.host.getX(0)).toBe(BigInt(V12));
    for (let n = 1; n < 8; n++) expect(w.host.getX(n), `x${n}`).toBe(0n);
    for (let n = 8; n < 18; n++) expect(w.host.getX(n), `x${n}`).toBe(BigInt(n));
  });

  it('a partition negotiates its own version', () => {
    // Covered through partition behaviours in lifecycle.test.ts; here: the SPMC reports its own.
    const w = bootWorld({ spmc: 'el3', spmcVersion: V11 });
    expect(version(w, V11)).toBe(V11);
  });
});
