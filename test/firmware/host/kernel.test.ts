import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { DEFAULT_PLACEMENTS, EFI_BUFFER_TOO_SMALL, HostKernel, type KernelConfig, isFfaError } from '../../../src/firmware/host/kernel.js';
import { linkOrder } from '../../../src/firmware/host/initcalls.js';
import { FakeFirmware, HVC_PKVM_FINALIZE, HVC_PKVM_INIT } from './fake-firmware.js';

const w = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));

function boot(config: Partial<KernelConfig> & { placements?: Partial<KernelConfig['placements']> }, policy: 'reject' | 'forward' = 'reject') {
  const fw = new FakeFirmware();
  fw.policy = policy;
  const kernel = new HostKernel({
    conduit: fw, mem: fw.mem, protectedKvm: true,
    pkvm: { init: [HVC_PKVM_INIT], finalize: [HVC_PKVM_FINALIZE], ok: (r) => r[0] === 0n },
    efi: { partition: 0x8002, request: (_n, i) => [1n, BigInt(i)], status: (r) => r[0]! },
  }, {
    ffaRootDevice: config.ffaRootDevice ?? false,
    kvmInitInFinalize: config.kvmInitInFinalize ?? false,
    placements: { ...DEFAULT_PLACEMENTS, ...config.placements },
  });
  kernel.boot();
  return { fw, kernel };
}

const order = (k: HostKernel): string[] => k.initcalls.map((r) => `${r.name}@${r.phase}`);

describe('host kernel on a scripted firmware', () => {
  it('v7.1-rc2 order: ffa_init at rootfs reaches the SPMC directly, later calls hit the gate', () => {
    const { fw, kernel } = boot({});
    expect(order(kernel)).toEqual([
      'arm_ffa_bus_init@subsys', 'ffa_init@rootfs', 'kvm_arm_init@device', 'tpm_crb_ffa_init@device',
      'finalize_pkvm@device_sync', 'load_uefi_certs@late', 'deferred_probe_initcall@late',
    ]);
    const ffaInit = kernel.records.filter((r) => r.caller === 'ffa_init');
    expect(ffaInit[0]!.path).toEqual(['EL1', 'EL3', 'S-EL1', 'EL3', 'EL1']);
    expect(kernel.ffa.beliefs()).toMatchObject({ initialised: true, version: '1.2', vmId: 0 });
    expect(fw.ep0Mailbox?.owner).toBe('host');
    expect(fw.negotiated).toBe(false);
    const tpm = kernel.records.filter((r) => r.caller.startsWith('tpm_crb_ffa_init > tpm_crb_ffa probe'));
    expect(tpm).toHaveLength(1);
    expect(isFfaError(tpm[0]!, A.FFA_RET_INVALID_PARAMETERS)).toBe(true);
    expect(tpm[0]!.answeredBy).toBe('EL2');
    expect(kernel.beliefs().uefiCerts.failed).toEqual(['db', 'dbx', 'MokListRT', 'MokListXRT']);
    expect(kernel.dmesgText()).toMatch(/MODSIGN: Couldn't get UEFI db list/);
  });

  it('device-initcall order: ffa_init after kvm_arm_init by link order goes through pKVM', () => {
    const { fw, kernel } = boot({ placements: { ffa_init: { level: 'device', sync: false, linkOrder: linkOrder('drivers', 22) } } });
    expect(order(kernel).slice(1, 4)).toEqual(['kvm_arm_init@device', 'tpm_crb_ffa_init@device', 'ffa_init@device']);
    expect(fw.negotiated).toBe(true);
    expect(fw.ep0Mailbox?.owner).toBe('hyp');
    expect(fw.hostBuffers).toEqual({ tx: kernel.ffa.rxtx!.tx, rx: kernel.ffa.rxtx!.rx });
    expect(kernel.beliefs().tpm.bound).toBe(true);
    expect(kernel.beliefs().uefiCerts.loaded).toHaveLength(4);
  });

  it('RFC: the root probe defers until finalize_pkvm and runs in deferred_probe_initcall', () => {
    const { fw, kernel } = boot({
      ffaRootDevice: true, kvmInitInFinalize: true,
      placements: {
        ffa_init: { level: 'device', sync: false, linkOrder: linkOrder('drivers', 22) },
        load_uefi_certs: { level: 'late', sync: true, linkOrder: linkOrder('security', 0) },
      },
    });
    expect(kernel.dmesgText()).toMatch(/deferring probe/);
    const rootCalls = kernel.records.filter((r) => r.caller.includes('arm-ffa root probe'));
    expect(rootCalls.length).toBeGreaterThan(5);
    expect(rootCalls.every((r) => r.caller.startsWith('deferred_probe_initcall'))).toBe(true);
    expect(fw.negotiated).toBe(true);
    expect(kernel.beliefs().tpm.bound).toBe(true);
    expect(kernel.beliefs().uefiCerts.failed).toEqual([]);
    expect(kernel.uefi.reads[0]!.efiStatus).toBe(`0x${EFI_BUFFER_TOO_SMALL.toString(16)}`);
    expect(kernel.uefi.reads[0]!.efiStatusName).toBe('EFI_BUFFER_TOO_SMALL');
  });

  it('RFC without 3/3: load_uefi_certs runs before deferred_probe_initcall and fails at the gate', () => {
    const { fw, kernel } = boot({ ffaRootDevice: true, kvmInitInFinalize: true, placements: { ffa_init: { level: 'device', sync: false, linkOrder: linkOrder('drivers', 22) } } });
    const uefi = kernel.records.filter((r) => r.caller.startsWith('load_uefi_certs'));
    expect(uefi).toHaveLength(4);
    expect(uefi.every((r) => isFfaError(r, A.FFA_RET_INVALID_PARAMETERS) && r.answeredBy === 'EL2')).toBe(true);
    expect(fw.negotiated).toBe(true); // later, in deferred_probe_initcall
  });

  it('permissive gate: the DIRECT_REQ passes before negotiation and closes the SPMC phase first', () => {
    const { fw, kernel } = boot({ ffaRootDevice: true, placements: { ffa_init: { level: 'device', sync: false, linkOrder: linkOrder('drivers', 22) } } }, 'forward');
    const uefi = kernel.records.filter((r) => r.caller.startsWith('load_uefi_certs'));
    expect(uefi.every((r) => w(r.result[0]) === A.FFA_MSG_SEND_DIRECT_RESP_64 && r.answeredBy === 'S-EL1')).toBe(true);
    expect(fw.ep0ClosedBeforeHostNegotiated).toBe(true);
    expect(kernel.beliefs().uefiCerts.failed).toEqual([]);
  });
});
