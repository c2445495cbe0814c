/**
 * The NS-EL1 host kernel as a model: a Linux-like boot that runs its initcalls in order and makes
 * every firmware call as a real SMC/HVC from EL1 (through HostCaller, the exception model, pKVM at
 * EL2, the EL3 monitor and the SPMC). It replays the boot orders of reference pkvm-ffa.md sections
 * 3, 5, 6 and 7 and logs one dmesg-like line per event, stamped with the cycle counter.
 *
 * The initcalls modelled (default placements are the v7.1-rc2 base; scenarios move them):
 *
 * | initcall                 | where in Linux                                  | default            |
 * |--------------------------|-------------------------------------------------|--------------------|
 * | arm_ffa_bus_init         | drivers/firmware/arm_ffa/bus.c                  | subsys             |
 * | ffa_root_device_init     | RFC 2/3: the "arm-ffa" root ffa_device          | subsys (RFC only)  |
 * | kvm_arm_init             | arch/arm64/kvm/arm.c, module_init               | device             |
 * | finalize_pkvm            | arch/arm64/kvm/pkvm.c                           | device_sync        |
 * | ffa_init                 | drivers/firmware/arm_ffa/driver.c               | rootfs             |
 * | tpm_crb_ffa_init         | drivers/char/tpm, module_ffa_driver             | device             |
 * | load_uefi_certs          | security/integrity/platform_certs/load_uefi.c   | late               |
 * | deferred_probe_initcall  | drivers/base/dd.c                               | late               |
 *
 * Link positions inside `drivers/` (base < char < firmware) follow drivers/Makefile as we read it;
 * only their relative order inside one level matters here (UNVERIFIED against a specific tree).
 *
 * The deferred-probe work runs synchronously: when deferred_probe_initcall flushes it, and after each
 * initcall (standing for the workqueue getting the CPU between initcalls).
 */
import {
  FFA_ERROR, FFA_MSG_SEND_DIRECT_REQ_64, FFA_MSG_SEND_DIRECT_RESP_64, ffaFunctionName, ffaStatusName,
} from '../../ffa/abi.js';
import { formatUuid, parseUuid } from '../../ffa/descriptors.js';
import type { Conduit, HostCallRecord } from './conduit.js';
import { DriverCore, EPROBE_DEFER, errnoName } from './driver-core.js';
import { FFA_BUS, type FfaClientDriver, type FfaDevice, FfaHostDriver, type HostMemory, describeResult, ffaBusMatch, ffaToLinuxErrno } from './ffa-driver.js';
import { type Initcall, type Placement, type InitcallPhase, linkOrder, phaseName, runInitcalls } from './initcalls.js';
import { KernelJournal } from './journal.js';
import { type SnapshotState, type StateReader, type StateWriter, loadPart, savePart } from '../../state/snapshot-codec.js';

/** The initcalls the model knows. */
export const INITCALL_IDS = [
  'arm_ffa_bus_init', 'ffa_root_device_init', 'kvm_arm_init', 'finalize_pkvm', 'ffa_init', 'tpm_crb_ffa_init',
  'load_uefi_certs', 'deferred_probe_initcall',
] as const;
export type InitcallId = (typeof INITCALL_IDS)[number];

/** Where each initcall lives in the source tree (for display and default link order). */
export const INITCALL_SOURCES: Readonly<Record<InitcallId, string>> = {
  arm_ffa_bus_init: 'drivers/firmware/arm_ffa/bus.c',
  ffa_root_device_init: 'drivers/firmware/arm_ffa/bus.c',
  kvm_arm_init: 'arch/arm64/kvm/arm.c',
  finalize_pkvm: 'arch/arm64/kvm/pkvm.c',
  ffa_init: 'drivers/firmware/arm_ffa/driver.c',
  tpm_crb_ffa_init: 'drivers/char/tpm/tpm_crb_ffa.c',
  load_uefi_certs: 'security/integrity/platform_certs/load_uefi.c',
  deferred_probe_initcall: 'drivers/base/dd.c',
};

/** The v7.1-rc2 base placements (reference 3, 5.2, 6, 7). */
export const DEFAULT_PLACEMENTS: Readonly<Record<InitcallId, Placement>> = {
  arm_ffa_bus_init: { level: 'subsys', sync: false, linkOrder: linkOrder('drivers', 20) },
  ffa_root_device_init: { level: 'subsys', sync: false, linkOrder: linkOrder('drivers', 21) },
  kvm_arm_init: { level: 'device', sync: false, linkOrder: linkOrder('arch', 0) },
  finalize_pkvm: { level: 'device', sync: true, linkOrder: linkOrder('arch', 1) },
  ffa_init: { level: 'rootfs', sync: false, linkOrder: linkOrder('drivers', 22) },
  tpm_crb_ffa_init: { level: 'device', sync: false, linkOrder: linkOrder('drivers', 10) },
  load_uefi_certs: { level: 'late', sync: false, linkOrder: linkOrder('security', 0) },
  deferred_probe_initcall: { level: 'late', sync: false, linkOrder: linkOrder('drivers', 0) },
};

/** The EFI variables load_uefi_certs reads (db, dbx, then the shim's MOK lists). */
export const UEFI_CERT_VARIABLES = ['db', 'dbx', 'MokListRT', 'MokListXRT'] as const;

/** What the kernel needs to know about a firmware-variable service behind FF-A (StandaloneMM). */
export interface EfiVarService {
  /** The StMM partition's endpoint ID. */
  partition: number;
  /** x3..x7 of the DIRECT_REQ that asks for variable `name` (a GetVariable size query). */
  request(name: string, index: number): bigint[];
  /** The EFI status in a DIRECT_RESP's x3..x7. */
  status(reply: readonly bigint[]): bigint;
}

/** EFI status codes (UEFI spec, Appendix D). Errors have bit 63 set. */
export const EFI_SUCCESS = 0n;
export const EFI_ERROR_BIT = 1n << 63n;
export const EFI_BUFFER_TOO_SMALL = EFI_ERROR_BIT | 5n;
export const EFI_DEVICE_ERROR = EFI_ERROR_BIT | 7n;
export const EFI_NOT_FOUND = EFI_ERROR_BIT | 14n;
const EFI_STATUS_NAMES = new Map<bigint, string>([
  [EFI_SUCCESS, 'EFI_SUCCESS'], [EFI_BUFFER_TOO_SMALL, 'EFI_BUFFER_TOO_SMALL'], [EFI_DEVICE_ERROR, 'EFI_DEVICE_ERROR'],
  [EFI_NOT_FOUND, 'EFI_NOT_FOUND'],
]);
/** "EFI_NOT_FOUND", or the hex value for a status without a name here. */
export function efiStatusName(s: bigint): string {
  return EFI_STATUS_NAMES.get(s) ?? `0x${s.toString(16)}`;
}

/** The TPM-over-FF-A service UUID (TPM Service CRB over FF-A, Arm DEN0138; tpm_crb_ffa's id_table). */
export const TPM_CRB_FFA_UUID = '17b862a4-1806-4faf-86b3-089a58353861';
/** CRB over FF-A function GET_INTERFACE_VERSION (DEN0138), sent in w4 (data1; w3 is MBZ); the status comes back in w4. */
export const CRB_FFA_GET_INTERFACE_VERSION = 0x0f000001n;

/** How hypercalls to pKVM look (the EL2 component's ABI). */
export interface PkvmHypercalls {
  /** x0.. of the host's `__pkvm_init` HVC into the EL2 stub. */
  init: bigint[];
  /** x0.. of `__pkvm_prot_finalize`. */
  finalize: bigint[];
  /** True when x0 after the HVC means success. */
  ok(result: readonly bigint[]): boolean;
}

/** Kernel configuration: which variant of the code is built in, and where each initcall sits. */
export interface KernelConfig {
  /** RFC 2/3: ffa_init registers a root driver whose probe defers until pKVM is finalised. */
  ffaRootDevice: boolean;
  /** RFC 1/3: kvm_init() moves from kvm_arm_init into finalize_pkvm (log only: no FF-A effect). */
  kvmInitInFinalize: boolean;
  /** Each initcall's placement; null = not built in. */
  placements: Record<InitcallId, Placement | null>;
}

/** Everything the kernel reaches the machine through. */
export interface KernelPlatform {
  conduit: Conduit;
  mem: HostMemory;
  /** kvm-arm.mode=protected and a hypervisor to run it (false: no pKVM, kvm_arm_init does nothing). */
  protectedKvm: boolean;
  pkvm: PkvmHypercalls;
  efi: EfiVarService;
}

export interface DmesgLine {
  cycles: number;
  text: string;
}

/** One initcall as it ran. */
export interface InitcallRun {
  name: InitcallId;
  phase: string;
  placement: Placement;
  ret: number;
  retName: string;
  cycleStart: number;
  cycleEnd: number;
  /** Host calls made while it ran: records[firstCall .. firstCall + callCount). */
  firstCall: number;
  callCount: number;
}

/** The outcome of one load_uefi_certs variable read. */
export interface UefiVarRead {
  name: string;
  /** FF-A outcome of the DIRECT_REQ: 0 or the errno the firmware saw. */
  ffaRet: number;
  /** Raw FF-A reply description ("FFA_ERROR INVALID_PARAMETERS", "FFA_MSG_SEND_DIRECT_RESP_64"). */
  reply: string;
  /** The EFI status GetVariable returned, hex ("0x8000000000000007") and by name ("EFI_DEVICE_ERROR"). */
  efiStatus: string;
  efiStatusName: string;
}

/** What the host kernel believes at the end of boot, beyond the FF-A driver. */
export interface KernelBeliefs {
  pkvmInitialised: boolean;
  kvmArmInitialised: boolean;
  tpm: { bound: boolean; device: string | null; probeRet: number | null };
  /** loaded: present and read; absent: EFI_NOT_FOUND (nothing to load); failed: the read failed. */
  uefiCerts: { ran: boolean; loaded: string[]; absent: string[]; failed: string[]; reads: UefiVarRead[] };
  deferredPending: string[];
}

/** KVM host hypercalls by x0 (arch/arm64/include/asm/kvm_asm.h: 0xC6000000 | __kvm_host_smccc_func). */
export const HOST_HYPERCALLS: Readonly<Record<number, string>> = { 0xc6000001: '__pkvm_init', 0xc6000007: '__pkvm_prot_finalize' };

const fmtCycles = (c: number): string => String(Math.round(c)).padStart(9, ' ');
const big = (n: number): bigint => BigInt(n >>> 0);
const w = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));

export class HostKernel implements SnapshotState {
  readonly core: DriverCore;
  readonly ffa: FfaHostDriver;
  readonly dmesg: DmesgLine[] = [];
  readonly initcalls: InitcallRun[] = [];
  readonly records: HostCallRecord[] = [];
  /** is_protected_kvm_enabled() */
  readonly protectedKvm: boolean;
  /** kvm_arm_initialised */
  kvmArmInitialised = false;
  /** is_pkvm_initialized(): the kvm_protected_mode_initialized static key */
  pkvmInitialised = false;
  tpm: { bound: boolean; device: string | null; probeRet: number | null } = { bound: false, device: null, probeRet: null };
  uefi: { ran: boolean; loaded: string[]; absent: string[]; failed: string[]; reads: UefiVarRead[] } = { ran: false, loaded: [], absent: [], failed: [], reads: [] };
  private readonly ctx: string[] = [];
  private readonly conduit: Conduit;

  /** What the kernel learned from the platform, in order: its snapshot (journal.ts). */
  private readonly journal: KernelJournal;

  constructor(private readonly platform: KernelPlatform, readonly config: KernelConfig) {
    this.journal = new KernelJournal(platform.conduit, platform.mem);
    const inner = this.journal.conduit;
    // Every call the kernel makes is kept, in order, whoever makes it, and logged as a trace line.
    const keep = (r: HostCallRecord): HostCallRecord => {
      this.records.push(r);
      const fid = w(r.args[0]);
      const name = HOST_HYPERCALLS[fid] ?? ffaFunctionName(fid) ?? `0x${fid.toString(16)}`;
      const out = HOST_HYPERCALLS[fid] !== undefined ? `x0=0x${r.result[0]!.toString(16)} x1=0x${r.result[1]!.toString(16)}` : describeResult(fid, r.result);
      this.dmesg.push({ cycles: r.cycleStart, text: `${r.conduit}: #${r.seq} ${name} -> ${out} (${r.path.join('→')}, ${Math.round(r.cycles)} cycles)` });
      return r;
    };
    this.conduit = {
      smc: (args, caller) => keep(inner.smc(args, caller)),
      hvc: (args, caller) => keep(inner.hvc(args, caller)),
      cycles: () => inner.cycles(),
    };
    this.protectedKvm = platform.protectedKvm;
    this.core = new DriverCore({ log: (t) => this.log(t) });
    this.ffa = new FfaHostDriver(this.conduit, this.journal.mem, this.core, (t) => this.log(t), () => this.context());
  }

  /** One dmesg line at the current cycle count. */
  log(text: string): void {
    this.dmesg.push({ cycles: this.conduit.cycles(), text });
  }

  /** dmesg as text: "[   123456] text". */
  dmesgText(): string {
    return this.dmesg.map((l) => `[${fmtCycles(l.cycles)}] ${l.text}`).join('\n');
  }

  private context(): string {
    return this.ctx.join(' > ');
  }

  private within<T>(what: string, f: () => T): T {
    this.ctx.push(what);
    try { return f(); } finally { this.ctx.pop(); }
  }

  /** Run every initcall in order (do_initcalls). */
  boot(): InitcallRun[] {
    const calls: Initcall[] = [];
    for (const id of INITCALL_IDS) {
      const p = this.config.placements[id];
      if (p === null) continue;
      if (id === 'ffa_root_device_init' && !this.config.ffaRootDevice) continue;
      calls.push({ name: id, placement: p, fn: () => this.initcall(id) });
    }
    let start = 0, first = 0;
    runInitcalls(calls, {
      phase: (ph: InitcallPhase) => { void ph; },
      start: (c) => {
        start = this.conduit.cycles();
        first = this.records.length;
        this.log(`calling  ${c.name} @ ${phaseName(c.placement)} (${INITCALL_SOURCES[c.name as InitcallId]})`);
      },
      end: (c, ph, ret) => {
        const end = this.conduit.cycles();
        this.log(`initcall ${c.name} returned ${errnoName(ret)} after ${Math.round(end - start)} cycles`);
        this.initcalls.push({
          name: c.name as InitcallId, phase: ph.name, placement: c.placement, ret, retName: errnoName(ret),
          cycleStart: start, cycleEnd: end, firstCall: first, callCount: this.records.length - first,
        });
      },
    });
    return this.initcalls;
  }

  /** Run one initcall by id, then let the deferred-probe work run (it is queued only once enabled). */
  private initcall(id: InitcallId): number {
    const ret = this.within(id, () => {
      switch (id) {
        case 'arm_ffa_bus_init': return this.armFfaBusInit();
        case 'ffa_root_device_init': return this.ffaRootDeviceInit();
        case 'kvm_arm_init': return this.kvmArmInit();
        case 'finalize_pkvm': return this.finalizePkvm();
        case 'ffa_init': return this.ffaInit();
        case 'tpm_crb_ffa_init': return this.tpmCrbFfaInit();
        case 'load_uefi_certs': return this.loadUefiCerts();
        case 'deferred_probe_initcall': return this.deferredProbeInitcall();
      }
    });
    if (id !== 'deferred_probe_initcall') this.within(`${id} (deferred probe work)`, () => this.core.flush());
    return ret;
  }

  // ---- the initcalls ----

  private armFfaBusInit(): number {
    this.core.busRegister(FFA_BUS);
    return 0;
  }

  /** RFC 2/3: the root ffa_device, id 0, named "arm-ffa". */
  readonly rootDevice: FfaDevice = {
    name: 'arm-ffa', bus: FFA_BUS, driver: null, kind: 'root', vmId: 0, uuid: new Uint8Array(16), mode32bit: false, properties: 0,
  };

  private ffaRootDeviceInit(): number {
    return this.core.deviceRegister(this.rootDevice);
  }

  private kvmArmInit(): number {
    if (!this.protectedKvm) {
      this.log('kvm [1]: HYP mode not available (no protected KVM in this machine)');
      return 0;
    }
    this.log('kvm [1]: Protected nVHE mode: __pkvm_init (hyp_ffa_init, host SMC trap on)');
    const r = this.conduit.hvc(this.platform.pkvm.init, this.context());
    if (r.exception !== null || !this.platform.pkvm.ok(r.result)) {
      this.log(`kvm [1]: error initializing Hyp mode: __pkvm_init returned x0=0x${r.result[0]!.toString(16)}${r.exception !== null ? ` (exception EC 0x${r.exception.ec.toString(16)})` : ''}`);
      return -22;
    }
    this.kvmArmInitialised = true;
    this.log('kvm [1]: Protected nVHE mode initialized successfully');
    if (!this.config.kvmInitInFinalize) this.log('kvm [1]: kvm_init() done in kvm_arm_init');
    return 0;
  }

  private finalizePkvm(): number {
    if (!this.protectedKvm || !this.kvmArmInitialised) return 0;
    if (this.config.kvmInitInFinalize) this.log('kvm [1]: kvm_init() done in finalize_pkvm (RFC 1/3)');
    // pkvm_drop_host_privileges: the static key first, then __pkvm_prot_finalize on each CPU.
    this.pkvmInitialised = true;
    this.log('kvm [1]: kvm_protected_mode_initialized: is_pkvm_initialized() = true');
    const r = this.conduit.hvc(this.platform.pkvm.finalize, this.context());
    if (r.exception !== null || !this.platform.pkvm.ok(r.result)) {
      this.log(`kvm [1]: Failed to finalize Hyp protection: x0=0x${r.result[0]!.toString(16)}`);
      return -22;
    }
    this.log('kvm [1]: host stage-2 enforced (__pkvm_prot_finalize)');
    return 0;
  }

  /** The root driver (RFC 2/3): matches the root device only; defers while pKVM is not finalised. */
  readonly rootDriver: FfaClientDriver = {
    name: 'arm_ffa', bus: FFA_BUS, uuids: null,
    match: (dev) => ffaBusMatch(this.rootDriver, dev as FfaDevice),
    probe: () => this.within('arm-ffa root probe', () => {
      if (this.protectedKvm && !this.pkvmInitialised) {
        this.log('ARM FF-A: pKVM enabled but not initialised: deferring probe');
        return -EPROBE_DEFER;
      }
      return this.ffa.coreInit();
    }),
  };

  private ffaInit(): number {
    if (this.config.ffaRootDevice) return this.core.driverRegister(this.rootDriver);
    return this.ffa.coreInit();
  }

  /** A TPM over FF-A (tpm_crb_ffa-like): at probe, one DIRECT_REQ to its partition. */
  readonly tpmDriver: FfaClientDriver = {
    name: 'tpm_crb_ffa', bus: FFA_BUS, uuids: [parseUuid(TPM_CRB_FFA_UUID)],
    match: (dev) => ffaBusMatch(this.tpmDriver, dev as FfaDevice),
    probe: (dev) => this.within(`tpm_crb_ffa probe ${dev.name}`, () => {
      const fdev = dev as FfaDevice;
      const data = [0n, CRB_FFA_GET_INTERFACE_VERSION, 0n, 0n, 0n];
      const ret = this.ffa.syncSendReceive(fdev, data);
      this.tpm = { bound: ret === 0, device: dev.name, probeRet: ret };
      if (ret !== 0) {
        this.log(`tpm_crb_ffa ${dev.name}: failed to get the CRB interface version: ${errnoName(ret)}`);
        return ret;
      }
      this.log(`tpm_crb_ffa ${dev.name}: TPM over FF-A partition 0x${fdev.vmId.toString(16)} (${formatUuid(fdev.uuid)}) answered`);
      return 0;
    }),
  };

  private tpmCrbFfaInit(): number {
    return this.core.driverRegister(this.tpmDriver);
  }

  /**
   * load_uefi_certs: EFI GetVariable for each cert list, through the firmware's runtime service, which
   * (at EL1, not through Linux's FF-A driver) sends FFA_MSG_SEND_DIRECT_REQ_64 from endpoint 0 to the
   * StMM partition. An FF-A error makes the firmware return EFI_DEVICE_ERROR (which status a real
   * firmware returns is UNVERIFIED, reference 7(d)).
   */
  private loadUefiCerts(): number {
    const efi = this.platform.efi;
    this.uefi.ran = true;
    UEFI_CERT_VARIABLES.forEach((name, i) => {
      const data = efi.request(name, i);
      const args = [big(FFA_MSG_SEND_DIRECT_REQ_64), big(efi.partition), 0n, ...data.slice(0, 5)];
      const r = this.within(`efi.get_variable(${name})`, () => this.conduit.smc(args, this.context()));
      const w0 = w(r.result[0]);
      let status: bigint, ffaRet = 0;
      if (w0 === FFA_MSG_SEND_DIRECT_RESP_64) {
        status = efi.status(r.result.slice(3, 8));
      } else {
        ffaRet = w0 === FFA_ERROR ? ffaToLinuxErrno(w(r.result[2]) | 0) : -22;
        status = EFI_DEVICE_ERROR;
      }
      this.uefi.reads.push({
        name, ffaRet, reply: describeResult(FFA_MSG_SEND_DIRECT_REQ_64, r.result), efiStatus: `0x${status.toString(16)}`, efiStatusName: efiStatusName(status),
      });
      const ok = status === EFI_SUCCESS || status === EFI_BUFFER_TOO_SMALL || status === EFI_NOT_FOUND;
      if (ok && status === EFI_NOT_FOUND) {
        this.uefi.absent.push(name);
        this.log(`integrity: UEFI variable ${name} not present (EFI_NOT_FOUND)`);
      } else if (ok) {
        this.uefi.loaded.push(name);
        this.log(`integrity: Loading X.509 certificates from UEFI:${name}`);
      } else {
        this.uefi.failed.push(name);
        const why = w0 === FFA_ERROR ? ` (FF-A ${ffaStatusName(w(r.result[2]) | 0) ?? 'error'})` : '';
        this.log(`integrity: Couldn't get size: 0x${status.toString(16)}${why}`);
        this.log(`integrity: MODSIGN: Couldn't get UEFI ${name} list`);
      }
    });
    return 0;
  }

  private deferredProbeInitcall(): number {
    this.log(`deferred probe: enabling; pending: ${this.core.pending.map((d) => d.name).join(', ') || 'none'}`);
    return this.core.deferredProbeInitcall();
  }

  beliefs(): KernelBeliefs {
    return {
      pkvmInitialised: this.pkvmInitialised,
      kvmArmInitialised: this.kvmArmInitialised,
      tpm: { ...this.tpm },
      uefiCerts: { ran: this.uefi.ran, loaded: [...this.uefi.loaded], absent: [...this.uefi.absent], failed: [...this.uefi.failed], reads: this.uefi.reads.map((r) => ({ ...r })) },
      deferredPending: [...this.core.pending, ...this.core.active].map((d) => d.name),
    };
  }

  // ---- snapshots (journal.ts; cold path) ----

  /** Format version of saveState(). */
  static readonly STATE_VERSION = 1;
  /**
   * The configuration and the journal of everything the platform answered so far (callable in the
   * middle of boot(), from a conduit observer, with the machine's snapshot taken at the same moment).
   */
  saveState(): Uint8Array { return savePart(HostKernel.STATE_VERSION, this); }
  /**
   * Into a new kernel built alike, before boot(): its boot() then replays the journal (no call reaches
   * the machine) and goes on live from where the saved kernel was, on the restored machine.
   */
  loadState(bytes: Uint8Array): void { loadPart('host kernel', HostKernel.STATE_VERSION, this, bytes); }

  saveTo(w: StateWriter): void {
    const c = this.config;
    w.bool(c.ffaRootDevice); w.bool(c.kvmInitInFinalize); w.bool(this.protectedKvm); w.f64(this.platform.efi.partition);
    for (const id of INITCALL_IDS) {
      w.opt(c.placements[id], (p) => { w.str(p.level); w.bool(p.sync); w.f64(p.linkOrder); });
    }
    this.journal.saveTo(w);
  }

  readFrom(r: StateReader): () => void {
    const c = this.config;
    r.cfgBool('ffaRootDevice', c.ffaRootDevice); r.cfgBool('kvmInitInFinalize', c.kvmInitInFinalize);
    r.cfgBool('protectedKvm', this.protectedKvm); r.cfgNum('efi partition', this.platform.efi.partition);
    for (const id of INITCALL_IDS) {
      const mine = c.placements[id];
      const p = r.opt(`${id} placement`, () => ({ level: r.str(`${id} level`), sync: r.bool(`${id} sync`), linkOrder: r.f64(`${id} linkOrder`) }));
      const show = (x: Placement | null | undefined): string => (x === null || x === undefined ? 'not built in' : `${phaseName(x)} link ${x.linkOrder}`);
      if ((p === null) !== (mine === null) || (p !== null && mine !== null && (p.level !== mine.level || p.sync !== mine.sync || p.linkOrder !== mine.linkOrder))) {
        r.mismatch(`${id} placement`, show(p as Placement | null), show(mine));
      }
    }
    return this.journal.readFrom(r);
  }
}

/** True when a record is an FF-A error reply with this status. */
export function isFfaError(r: HostCallRecord, status?: number): boolean {
  if (w(r.result[0]) !== FFA_ERROR) return false;
  return status === undefined || (w(r.result[2]) | 0) === status;
}

export { EPROBE_DEFER };
