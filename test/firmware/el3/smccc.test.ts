/**
 * EL3 monitor: SMC Calling Convention dispatch (DEN0028), Arm architecture calls, PSCI (DEN0022),
 * driven from the Non-secure EL1 host by real SMC instructions.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { StopReason } from '../../../src/machine/machine.js';
import { createWorld } from '../../../src/machine/world.js';
import { bootWorld, smc } from '../spmc/helpers.js';

const MINUS1 = 0xffff_ffff_ffff_ffffn;

describe('SMCCC arch calls (OEN 0)', () => {
  it('SMCCC_VERSION returns the configured version (default 1.2 = 0x10002)', () => {
    expect(smc(bootWorld(), [A.SMCCC_VERSION]).x[0]).toBe(0x10002n);
    expect(smc(bootWorld({ smcccVersion: 0x10001 }), [A.SMCCC_VERSION]).x[0]).toBe(0x10001n);
  });

  it('an SMCCC v1.0 firmware has no arch calls: SMCCC_VERSION is NOT_SUPPORTED (-1)', () => {
    expect(smc(bootWorld({ smcccVersion: 0x10000 }), [A.SMCCC_VERSION]).x[0]).toBe(MINUS1);
  });

  it('SMCCC_ARCH_FEATURES: 0 for implemented arch calls, -1 otherwise (DEN0028 7.3.1)', () => {
    const w = bootWorld();
    expect(smc(w, [A.SMCCC_ARCH_FEATURES, A.SMCCC_VERSION]).x[0]).toBe(0n);
    expect(smc(w, [A.SMCCC_ARCH_FEATURES, A.SMCCC_ARCH_FEATURES]).x[0]).toBe(0n);
    expect(smc(w, [A.SMCCC_ARCH_FEATURES, A.SMCCC_ARCH_WORKAROUND_1]).x[0]).toBe(MINUS1);
    // Only Arm Architecture calls are queried this way.
    expect(smc(w, [A.SMCCC_ARCH_FEATURES, A.PSCI_VERSION]).x[0]).toBe(MINUS1);
    // SMC32: the upper half of x1 is ignored.
    expect(smc(w, [A.SMCCC_ARCH_FEATURES, 0xdead_beef_0000_0000n | BigInt(A.SMCCC_VERSION)]).x[0]).toBe(0n);
  });
});

describe('SMC dispatch by owning entity', () => {
  it('an unknown call returns SMC_UNK in the whole of X0 and leaves the other registers alone', () => {
    const w = bootWorld();
    for (const fid of [0x82000000, 0xc2000005, 0x83000001, 0xbf00ff01, 0x8400ff10, 0x84000050]) {
      const r = smc(w, [fid, 0x1111, 0x2222, 0x3333, 0x4444]);
      expect(r.x[0], `0x${fid.toString(16)}`).toBe(MINUS1);
      expect(r.x.slice(1, 5)).toEqual([0x1111n, 0x2222n, 0x3333n, 0x4444n]);
    }
  });

  it('yielding calls (bit 31 clear) have no service: SMC_UNK', () => {
    expect(smc(bootWorld(), [0x04000000]).x[0]).toBe(MINUS1);
    expect(smc(bootWorld(), [0x00000000]).x[0]).toBe(MINUS1);
  });

  it('a fast call with bits [23:17] set is unknown (DEN0028; TF-A runtime_svc.c)', () => {
    const w = bootWorld();
    for (const bit of [17, 18, 20, 23]) {
      expect(smc(w, [A.SMCCC_VERSION | (1 << bit)]).x[0], `bit ${bit}`).toBe(MINUS1);
      expect(smc(w, [A.PSCI_VERSION | (1 << bit)]).x[0], `bit ${bit}`).toBe(MINUS1);
      expect(smc(w, [A.FFA_VERSION | (1 << bit), A.FFA_VERSION_1_2]).x[0], `bit ${bit}`).toBe(MINUS1);
    }
  });

  it('the SVE hint (bit 16, SMCCC v1.3) is masked before dispatch', () => {
    const w = bootWorld();
    expect(smc(w, [A.SMCCC_VERSION | 0x10000]).x[0]).toBe(0x10002n);
    expect(smc(w, [A.PSCI_VERSION | 0x10000]).x[0]).toBe(0x10001n);
  });

  it('the upper half of x0 is not part of the function ID (TF-A smc_fid is 32-bit)', () => {
    expect(smc(bootWorld(), [0xffff_0000_0000_0000n | BigInt(A.SMCCC_VERSION)]).x[0]).toBe(0x10002n);
  });

  it('a non-zero SMC immediate is ignored, as TF-A does (it reads only ESR_EL3.EC)', () => {
    const w = bootWorld();
    expect(smc(w, [A.SMCCC_VERSION], 1).x[0]).toBe(0x10002n);
    expect(smc(w, [A.PSCI_VERSION], 0xffff).x[0]).toBe(0x10001n);
  });

  it('without an SPMC every FF-A call is an unknown SMC (vector-format.md spmc "none")', () => {
    const w = bootWorld({ spmc: 'none' });
    expect(smc(w, [A.FFA_VERSION, A.FFA_VERSION_1_2]).x[0]).toBe(MINUS1);
    expect(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]).x[0]).toBe(MINUS1);
    expect(smc(w, [A.FFA_FEATURES, A.FFA_VERSION]).x[0]).toBe(MINUS1);
  });
});

describe('PSCI (standard service, function numbers 0x00-0x1F)', () => {
  it('PSCI_VERSION returns the configured version (default 1.1 = 0x10001)', () => {
    expect(smc(bootWorld(), [A.PSCI_VERSION]).x[0]).toBe(0x10001n);
    expect(smc(bootWorld({ psciVersion: 0x10000 }), [A.PSCI_VERSION]).x[0]).toBe(0x10000n);
  });

  it('PSCI_FEATURES: 0 for implemented functions and SMCCC_VERSION, NOT_SUPPORTED otherwise', () => {
    const w = bootWorld();
    for (const f of [A.PSCI_VERSION, A.PSCI_CPU_ON_64, A.PSCI_CPU_OFF, A.PSCI_AFFINITY_INFO_64, A.PSCI_SYSTEM_OFF,
      A.PSCI_SYSTEM_RESET, A.PSCI_FEATURES, A.PSCI_CPU_SUSPEND_64, A.SMCCC_VERSION]) {
      expect(smc(w, [A.PSCI_FEATURES, f]).x[0], `0x${f.toString(16)}`).toBe(0n);
    }
    for (const f of [A.PSCI_SYSTEM_SUSPEND_64, A.PSCI_SYSTEM_RESET2, A.PSCI_MIGRATE, 0x8400001f, A.FFA_VERSION, A.SMCCC_ARCH_FEATURES]) {
      expect(smc(w, [A.PSCI_FEATURES, f]).x[0], `0x${f.toString(16)}`).toBe(MINUS1);
    }
  });

  it('PSCI_FEATURES does not exist before PSCI 1.0', () => {
    expect(smc(bootWorld({ psciVersion: 0x2 }), [A.PSCI_FEATURES, A.PSCI_VERSION]).x[0]).toBe(MINUS1);
  });

  it('one PE: CPU_ON of itself is ALREADY_ON, of any other MPIDR INVALID_PARAMETERS; AFFINITY_INFO(self) is ON', () => {
    const w = bootWorld();
    expect(smc(w, [A.PSCI_CPU_ON_64, 0, 0x4000_0000, 0]).x[0]).toBe(BigInt.asUintN(64, -4n));
    expect(smc(w, [A.PSCI_CPU_ON_64, 1, 0x4000_0000, 0]).x[0]).toBe(BigInt.asUintN(64, -2n));
    expect(smc(w, [A.PSCI_CPU_ON, 0x100, 0x4000_0000, 0]).x[0]).toBe(BigInt.asUintN(64, -2n));
    expect(smc(w, [A.PSCI_AFFINITY_INFO_64, 0, 0]).x[0]).toBe(0n);
    expect(smc(w, [A.PSCI_AFFINITY_INFO_64, 3, 0]).x[0]).toBe(BigInt.asUintN(64, -2n));
    expect(smc(w, [A.PSCI_MIGRATE_INFO_TYPE]).x[0]).toBe(2n);
  });

  it('unimplemented PSCI functions are unknown calls', () => {
    expect(smc(bootWorld(), [A.PSCI_MIGRATE_64, 0]).x[0]).toBe(MINUS1);
    expect(smc(bootWorld(), [A.PSCI_SYSTEM_RESET2_64, 0, 0]).x[0]).toBe(MINUS1);
  });

  for (const [fid, event] of [[A.PSCI_SYSTEM_OFF, 'system-off'], [A.PSCI_SYSTEM_RESET, 'system-reset'], [A.PSCI_CPU_OFF, 'cpu-off']] as const) {
    it(`${event} does not return: the machine stops with the event recorded`, () => {
      const w = bootWorld();
      w.host.setArgs([BigInt(fid)]);
      const r = w.host.smc();
      expect(r.stop).toBe(StopReason.Requested);
      expect(w.systemEvent).toBe(event);
      expect(w.machine.el).toBe(3);
    });
  }

  it('with pKVM in front, PSCI still reaches EL3 (pKVM relays it)', () => {
    const w = createWorld({ el2: 'pkvm' });
    w.boot();
    expect(smc(w, [A.PSCI_VERSION]).x[0]).toBe(0x10001n);
    expect(smc(w, [A.SMCCC_VERSION]).x[0]).toBe(0x10002n);
  });
});
