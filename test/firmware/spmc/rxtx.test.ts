/**
 * RX/TX buffers (DEN0077A v1.0 §8.3-8.5, v1.1 §13.4-13.7; ffa-abi.md 5.1, 7.1): FFA_RXTX_MAP (32 and
 * 64), FFA_RXTX_UNMAP, FFA_RX_RELEASE, FFA_RX_ACQUIRE and RX ownership.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { POLICIES, RX, SPMC_PLACEMENTS, TX, bootWorld, expectError, expectSuccess, mapRxTx, smc, version } from './helpers.js';

const SECURE_RAM = 0x0e00_0000n;
const NOT_RAM = 0x2000_0000n;

describe.each(SPMC_PLACEMENTS)('FFA_RXTX_MAP / UNMAP, SPMC at %s', (spmc) => {
  describe.each(POLICIES)('policy %s', (policy) => {
    const boot = () => { const w = bootWorld({ spmc, policy: { spmc: policy } }); version(w, A.FFA_VERSION_1_2); return w; };

    it('maps one pair per endpoint; a second map is DENIED until unmapped', () => {
      const w = boot();
      expectSuccess(mapRxTx(w), 0, 0);
      expectError(mapRxTx(w), A.FFA_RET_DENIED);
      expectError(smc(w, [A.FFA_RXTX_MAP_64, TX + 0x2000n, RX + 0x2000n, 1]), A.FFA_RET_DENIED);
      expectSuccess(smc(w, [A.FFA_RXTX_UNMAP, 0]));
      expectSuccess(mapRxTx(w));
    });

    it('FFA_RXTX_MAP_32 takes w1/w2 (upper halves ignored): supported unless Hafnium', () => {
      const w = boot();
      const r = smc(w, [A.FFA_RXTX_MAP, 0xffff_ffff_0000_0000n | TX, 0x1234_0000_0000_0000n | RX, 1]);
      if (policy === 'hafnium') expectError(r, A.FFA_RET_NOT_SUPPORTED);
      else expectSuccess(r);
    });

    it('buffers not 4 KiB aligned, overlapping, or of zero pages: INVALID_PARAMETERS', () => {
      const w = boot();
      expectError(smc(w, [A.FFA_RXTX_MAP_64, TX + 0x10n, RX, 1]), A.FFA_RET_INVALID_PARAMETERS, 'TX unaligned');
      expectError(smc(w, [A.FFA_RXTX_MAP_64, TX, RX + 0x800n, 1]), A.FFA_RET_INVALID_PARAMETERS, 'RX unaligned');
      expectError(smc(w, [A.FFA_RXTX_MAP_64, TX, TX, 1]), A.FFA_RET_INVALID_PARAMETERS, 'TX == RX');
      expectError(smc(w, [A.FFA_RXTX_MAP_64, TX, RX, 2]), A.FFA_RET_INVALID_PARAMETERS, 'overlap');
      expectError(smc(w, [A.FFA_RXTX_MAP_64, TX, RX, 0]), A.FFA_RET_INVALID_PARAMETERS, 'zero pages');
      expectError(smc(w, [A.FFA_RXTX_MAP_64, 0, RX, 1]), A.FFA_RET_INVALID_PARAMETERS, 'null TX (a forwarded map)');
      expectSuccess(mapRxTx(w));
    });

    it('buffers must be memory the caller may access: secure RAM from the NWd is DENIED, no RAM at all INVALID_PARAMETERS (Hafnium: DENIED)', () => {
      const w = boot();
      expectError(smc(w, [A.FFA_RXTX_MAP_64, SECURE_RAM, RX, 1]), A.FFA_RET_DENIED, 'secure TX');
      expectError(smc(w, [A.FFA_RXTX_MAP_64, TX, SECURE_RAM + 0x1000n, 1]), A.FFA_RET_DENIED, 'secure RX');
      // Hafnium: outside the NWd's NS memory regions -> DENIED (arch_other_world_vm_configure_rxtx_map).
      const notRam = policy === 'hafnium' ? A.FFA_RET_DENIED : A.FFA_RET_INVALID_PARAMETERS;
      expectError(smc(w, [A.FFA_RXTX_MAP_64, NOT_RAM, RX, 1]), notRam, 'not RAM');
      expectError(smc(w, [A.FFA_RXTX_MAP_64, 0x1_0000_0000_0000n, RX, 1]), notRam, 'beyond the PA space');
      expectSuccess(mapRxTx(w));
    });

    it('page count: bits [31:6] MBZ (spec), the maximum FEATURES reports (16 pages)', () => {
      const w = boot();
      const r = smc(w, [A.FFA_RXTX_MAP_64, TX, TX + 0x2_0000n, 17]);
      // TF-A masks the count with bits [5:0]: 17 pages is a valid size there.
      if (policy === 'tf-a') expectSuccess(r);
      else expectError(r, A.FFA_RET_INVALID_PARAMETERS);
      const w2 = boot();
      const hi = smc(w2, [A.FFA_RXTX_MAP_64, TX, RX, 0x41]);   // bit 6 set, count 1
      if (policy === 'spec') expectError(hi, A.FFA_RET_INVALID_PARAMETERS);
      else if (policy === 'tf-a') expectSuccess(hi);
      else expectError(hi, A.FFA_RET_INVALID_PARAMETERS);    // Hafnium: 65 pages > max
      expectSuccess(smc(boot(), [A.FFA_RXTX_MAP_64, TX, TX + 0x1_0000n, 16]));
    });

    it('FFA_RXTX_UNMAP: nothing mapped -> INVALID_PARAMETERS; w1 (an endpoint ID) must be 0 here', () => {
      const w = boot();
      expectError(smc(w, [A.FFA_RXTX_UNMAP, 0]), A.FFA_RET_INVALID_PARAMETERS);
      expectSuccess(mapRxTx(w));
      expectError(smc(w, [A.FFA_RXTX_UNMAP, 0x0001_0000]), A.FFA_RET_INVALID_PARAMETERS);
      expectSuccess(smc(w, [A.FFA_RXTX_UNMAP, 0]));
      expectError(smc(w, [A.FFA_RXTX_UNMAP, 0]), A.FFA_RET_INVALID_PARAMETERS);
    });
  });
});

describe('RX ownership: FFA_RX_RELEASE, FFA_RX_ACQUIRE', () => {
  for (const spmc of SPMC_PLACEMENTS) {
    it(`${spmc}: RX_RELEASE without owning the buffer is DENIED; after PARTITION_INFO_GET it returns ownership`, () => {
      const w = bootWorld({ spmc });
      version(w, A.FFA_VERSION_1_2);
      expectError(smc(w, [A.FFA_RX_RELEASE]), A.FFA_RET_DENIED, 'no buffer');
      expectSuccess(mapRxTx(w));
      expectError(smc(w, [A.FFA_RX_RELEASE]), A.FFA_RET_DENIED, 'empty');
      expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET]), 1);
      expectError(smc(w, [A.FFA_PARTITION_INFO_GET]), A.FFA_RET_BUSY, 'RX full');
      expectSuccess(smc(w, [A.FFA_RX_RELEASE]));
      expectError(smc(w, [A.FFA_RX_RELEASE]), A.FFA_RET_DENIED, 'released twice');
      expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET]), 1);
    });

    it(`${spmc}: RX_RELEASE w1 names a VM: this SPMC has none -> INVALID_PARAMETERS`, () => {
      const w = bootWorld({ spmc });
      version(w, A.FFA_VERSION_1_2);
      expectSuccess(mapRxTx(w));
      expectError(smc(w, [A.FFA_RX_RELEASE, 5]), A.FFA_RET_INVALID_PARAMETERS);
    });

    it(`${spmc}: RX_ACQUIRE (v1.1, hypervisor): the producer's claim on the NS endpoint's RX`, () => {
      const w = bootWorld({ spmc });
      version(w, A.FFA_VERSION_1_2);
      expectError(smc(w, [A.FFA_RX_ACQUIRE, 0]), A.FFA_RET_INVALID_PARAMETERS, 'no RX');
      expectSuccess(mapRxTx(w));
      expectError(smc(w, [A.FFA_RX_ACQUIRE, 3]), A.FFA_RET_INVALID_PARAMETERS, 'unknown VM');
      expectSuccess(smc(w, [A.FFA_RX_ACQUIRE, 0]));
      // While the hypervisor owns it the SPMC cannot write it; acquiring again is DENIED.
      expectError(smc(w, [A.FFA_RX_ACQUIRE, 0]), A.FFA_RET_DENIED);
      expectError(smc(w, [A.FFA_PARTITION_INFO_GET]), A.FFA_RET_BUSY);
      expectSuccess(smc(w, [A.FFA_RX_RELEASE]));
      expectSuccess(smc(w, [A.FFA_PARTITION_INFO_GET]), 1);
    });
  }

  it('RX_ACQUIRE does not exist for a v1.0 caller', () => {
    const w = bootWorld();
    version(w, A.FFA_VERSION_1_0);
    expectError(smc(w, [A.FFA_RX_ACQUIRE, 0]), A.FFA_RET_NOT_SUPPORTED);
  });

  it('the mailbox survives across calls and is per endpoint', () => {
    const w = bootWorld();
    version(w, A.FFA_VERSION_1_2);
    expectSuccess(mapRxTx(w));
    const m = w.spmc!.mailboxOf(0)!;
    expect([m.tx, m.rx, m.pages]).toEqual([Number(TX), Number(RX), 1]);
    expect(w.spmc!.mailboxOf(0x8001)).toBeNull();
  });
});
