/**
 * A behavioural model of Linux's FF-A driver (drivers/firmware/arm_ffa: driver.c, bus.c, smccc.c) at
 * NS-EL1, after reference pkvm-ffa.md section 5. Not the Linux code: the same sequence of SMCs with
 * the same decisions on their results, so the boot orders of section 7 can be replayed.
 *
 * `ffa_core_init` (5.2): FFA_VERSION, FFA_ID_GET, FFA_FEATURES(RXTX_MAP_64), allocate TX/RX in NS
 * DRAM, FFA_RXTX_MAP_64, the drvinfo feature probes, the notification probes, then the partition
 * discovery (PARTITION_INFO_GET_REGS if FEATURES says so, else PARTITION_INFO_GET count then data,
 * read from the RX buffer through the bus, then FFA_RX_RELEASE), and one device per partition on the
 * `arm_ffa` bus. Every call goes through the Conduit: a real SMC from EL1.
 *
 * Simplifications, each deliberate:
 * - The SMCCC version check of ffa_transport_init uses the version PSCI probed at boot (setup_arch,
 *   before any initcall); the model takes SMCCC 1.2 and the SMC conduit as given.
 * - Notification IRQ plumbing (SRI/NPI mapping, per-CPU IRQs, workqueue) is not modelled: if
 *   FEATURES(SRI) or FEATURES(NPI) succeeds, notifications are "enabled" and that is all.
 * - The host's self-notification device (vm_id 0) is not registered.
 */
import {
  FFA_ERROR, FFA_FEATURES, FFA_FEATURE_NPI, FFA_FEATURE_SRI, FFA_ID_GET, FFA_INTERRUPT,
  FFA_MEM_LEND_64, FFA_MEM_SHARE_64, FFA_MSG_SEND_DIRECT_REQ, FFA_MSG_SEND_DIRECT_REQ2, FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_MSG_SEND_DIRECT_RESP, FFA_MSG_SEND_DIRECT_RESP2, FFA_MSG_SEND_DIRECT_RESP_64, FFA_NOTIFICATION_BITMAP_CREATE,
  FFA_PARTITION_AARCH64_EXEC, FFA_PARTITION_INFO_GET, FFA_PARTITION_INFO_GET_COUNT_FLAG, FFA_PARTITION_INFO_GET_REGS,
  FFA_RET_ABORTED, FFA_RET_BUSY, FFA_RET_DENIED, FFA_RET_INTERRUPTED, FFA_RET_INVALID_PARAMETERS, FFA_RET_NOT_READY,
  FFA_RET_NOT_SUPPORTED, FFA_RET_NO_DATA, FFA_RET_NO_MEMORY, FFA_RET_RETRY, FFA_RUN, FFA_RXTX_MAP_64, FFA_RXTX_UNMAP,
  FFA_RX_RELEASE, FFA_SUCCESS, FFA_SUCCESS_64, FFA_VERSION, FFA_VERSION_1_0, FFA_VERSION_1_2, FFA_YIELD,
  ffaFunctionName, ffaStatusName, ffaVersionString, versionMajor, versionMinor,
} from '../../ffa/abi.js';
import { type PartitionInfo, decodePartitionInfo, formatUuid, partitionInfoSize, uuidFromRegPair, uuidIsNil } from '../../ffa/descriptors.js';
import type { Conduit, HostCallRecord } from './conduit.js';
import {
  EACCES, EAGAIN, EBUSY, ECANCELED, EINTR, EINVAL, ENODATA, ENODEV, ENOMEM, EOPNOTSUPP, type BusType, type Device,
  type Driver, type DriverCore,
} from './driver-core.js';

/** The driver's own version (FFA_DRIVER_VERSION) and oldest accepted one (FFA_MIN_VERSION). */
export const FFA_DRIVER_VERSION = FFA_VERSION_1_2;
export const FFA_MIN_VERSION = FFA_VERSION_1_0;

/** How the host reaches physical memory (NS DRAM through the bus, as EL1 loads and stores would). */
export interface HostMemory {
  /** Read `len` bytes at `pa`; throws when the access faults (stage 2, not RAM). */
  read(pa: number, len: number): Uint8Array;
  /** Allocate `bytes` (a multiple of 4 KiB), page aligned; returns the physical address. */
  allocPages(bytes: number): number;
  freePages(pa: number, bytes: number): void;
}

/** ffa_to_linux_errno: FF-A status (negative int32) to a negative Linux errno. */
export function ffaToLinuxErrno(status: number): number {
  switch (status | 0) {
    case FFA_RET_NOT_SUPPORTED: return -EOPNOTSUPP;
    case FFA_RET_INVALID_PARAMETERS: return -EINVAL;
    case FFA_RET_NO_MEMORY: return -ENOMEM;
    case FFA_RET_BUSY: return -EBUSY;
    case FFA_RET_INTERRUPTED: return -EINTR;
    case FFA_RET_DENIED: return -EACCES;
    case FFA_RET_RETRY: return -EAGAIN;
    case FFA_RET_ABORTED: return -ECANCELED;
    case FFA_RET_NO_DATA: return -ENODATA;
    case FFA_RET_NOT_READY: return -EAGAIN;
    default: return -EINVAL;
  }
}

const w = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));
const s32 = (v: bigint | undefined): number => w(v) | 0;
const big = (n: number): bigint => BigInt(n >>> 0);

/** A one-line description of a call's outcome: "FFA_SUCCESS w2=0x1", "FFA_ERROR INVALID_PARAMETERS". */
export function describeResult(fid: number, r: readonly bigint[]): string {
  const w0 = w(r[0]);
  if (fid === FFA_VERSION) return (w0 | 0) === -1 ? 'NOT_SUPPORTED' : `version ${ffaVersionString(w0)}`;
  if (w0 === FFA_ERROR) return `FFA_ERROR ${ffaStatusName(s32(r[2])) ?? `w2=${s32(r[2])}`}`;
  const name = ffaFunctionName(w0);
  if (name === undefined) return (w0 | 0) === -1 ? 'SMCCC_NOT_SUPPORTED' : `x0=0x${w0.toString(16)}`;
  return name;
}

/** The `arm_ffa` bus. */
export const FFA_BUS: BusType = { name: 'arm_ffa' };

/** An ffa_device: a partition, or the RFC's root device (id 0, "arm-ffa"). */
export interface FfaDevice extends Device {
  readonly kind: 'partition' | 'root';
  /** Partition ID (0 for the root). */
  readonly vmId: number;
  readonly uuid: Uint8Array;
  readonly mode32bit: boolean;
  readonly properties: number;
}

/** An ffa_driver: matches partition devices by UUID (id_table), or only the root (NULL id_table). */
export interface FfaClientDriver extends Driver {
  /** UUIDs it handles; null = the root driver. */
  readonly uuids: readonly Uint8Array[] | null;
}

/** Bus match (bus.c): the root driver matches the root device only; others compare UUIDs. */
export function ffaBusMatch(drv: FfaClientDriver, dev: FfaDevice): boolean {
  if (drv.uuids === null || dev.kind === 'root') return drv.uuids === null && dev.kind === 'root';
  if (uuidIsNil(dev.uuid)) return true; // v1.0 device: filled in at bind time (not modelled further)
  return drv.uuids.some((u) => u.length === 16 && u.every((b, i) => b === dev.uuid[i]));
}

export interface DirectMsgData {
  /** data0..data4 (x3..x7). */
  data: bigint[];
}

/** What the host driver believes at the end (the report's "host" column). */
export interface FfaHostBeliefs {
  initialised: boolean;
  /** The version the driver settled on, or null before/without negotiation. */
  version: string | null;
  vmId: number | null;
  /** TX/RX physical addresses and size, when it believes they are mapped. */
  rxtx: { tx: number; rx: number; bytes: number } | null;
  memOpsNative: boolean;
  directReq2: boolean;
  notifications: boolean;
  partitions: { id: number; uuid: string; device: string }[];
  /** Why ffa_core_init failed, if it did. */
  failure: string | null;
}

export class FfaHostDriver {
  // ---- state: what the driver believes ----
  initialised = false;
  version: number | null = null;
  vmId: number | null = null;
  rxtx: { tx: number; rx: number; bytes: number } | null = null;
  memOpsNative = false;
  directReq2 = false;
  notifications = false;
  partitions: PartitionInfo[] = [];
  devices: FfaDevice[] = [];
  failure: string | null = null;
  private nextDevId = 1;

  constructor(
    private readonly conduit: Conduit,
    private readonly mem: HostMemory,
    private readonly core: DriverCore,
    private readonly log: (text: string) => void,
    /** Who is calling right now ("ffa_init", "deferred_probe_initcall > arm-ffa probe"), for records. */
    private readonly context: () => string = () => 'arm_ffa',
  ) {}

  /** One SMC from the driver. */
  private call(args: bigint[]): HostCallRecord {
    return this.conduit.smc(args, this.context());
  }

  /** ffa_features(id): 0 and w2/w3 on success, else the errno. */
  private features(id: number): { ret: number; w2: number } {
    const r = this.call([big(FFA_FEATURES), big(id)]).result;
    if (w(r[0]) === FFA_ERROR) return { ret: ffaToLinuxErrno(s32(r[2])), w2: 0 };
    if (w(r[0]) !== FFA_SUCCESS && w(r[0]) !== FFA_SUCCESS_64) return { ret: -EINVAL, w2: 0 };
    return { ret: 0, w2: w(r[2]) };
  }

  /**
   * ffa_core_init (the body of `ffa_init` before the RFC, of the root probe after it). Returns 0 or a
   * negative errno; on failure nothing stays mapped (the driver unwinds, as Linux does).
   */
  coreInit(): number {
    const log = this.log;
    // 2. Version.
    const vr = this.call([big(FFA_VERSION), big(FFA_DRIVER_VERSION)]).result;
    const ver = w(vr[0]);
    if ((ver | 0) === -1) {
      log('ARM FF-A: FFA_VERSION returned not supported');
      return this.fail('FFA_VERSION returned NOT_SUPPORTED', -EOPNOTSUPP);
    }
    if (versionMajor(ver) > versionMajor(FFA_DRIVER_VERSION) || ver < FFA_MIN_VERSION) {
      log(`ARM FF-A: Incompatible v${ffaVersionString(ver)}! Latest supported v${ffaVersionString(FFA_DRIVER_VERSION)}`);
      return this.fail(`incompatible firmware version ${ffaVersionString(ver)}`, -EINVAL);
    }
    log(`ARM FF-A: Driver version ${ffaVersionString(FFA_DRIVER_VERSION)}`);
    log(`ARM FF-A: Firmware version ${ffaVersionString(ver)} found`);
    const version = versionMinor(ver) < versionMinor(FFA_DRIVER_VERSION) && versionMajor(ver) === 1 ? ver : FFA_DRIVER_VERSION;
    this.version = version;

    // 3. Own ID.
    const ir = this.call([big(FFA_ID_GET)]).result;
    if (w(ir[0]) !== FFA_SUCCESS) {
      log(`ARM FF-A: failed to obtain VM id for self (${describeResult(FFA_ID_GET, ir)})`);
      return this.fail(`FFA_ID_GET failed: ${describeResult(FFA_ID_GET, ir)}`, -ENODEV);
    }
    this.vmId = w(ir[2]) & 0xffff;

    // 4-5. Buffer size, allocation.
    const fr = this.features(FFA_RXTX_MAP_64);
    const bytes = fr.ret !== 0 ? 4096 : (fr.w2 & 3) === 1 ? 65536 : (fr.w2 & 3) === 2 ? 16384 : 4096;
    const rx = this.mem.allocPages(bytes);
    const tx = this.mem.allocPages(bytes);

    // 6. RXTX_MAP_64: x1 = TX, x2 = RX, x3 = 4K page count.
    const mr = this.call([big(FFA_RXTX_MAP_64), BigInt(tx), BigInt(rx), big(bytes / 4096)]).result;
    if (w(mr[0]) !== FFA_SUCCESS && w(mr[0]) !== FFA_SUCCESS_64) {
      log(`ARM FF-A: failed to register FFA RxTx buffers (${describeResult(FFA_RXTX_MAP_64, mr)})`);
      this.mem.freePages(rx, bytes);
      this.mem.freePages(tx, bytes);
      return this.fail(`FFA_RXTX_MAP_64 failed: ${describeResult(FFA_RXTX_MAP_64, mr)}`, w(mr[0]) === FFA_ERROR ? ffaToLinuxErrno(s32(mr[2])) : -EINVAL);
    }
    this.rxtx = { tx, rx, bytes };
    log(`ARM FF-A: RX/TX mapped: TX 0x${tx.toString(16)}, RX 0x${rx.toString(16)}, ${bytes} bytes`);

    // 7. drvinfo flags.
    this.memOpsNative = this.features(FFA_MEM_LEND_64).ret === 0 || this.features(FFA_MEM_SHARE_64).ret === 0;
    this.directReq2 = this.features(FFA_MSG_SEND_DIRECT_REQ2).ret === 0 || this.features(FFA_MSG_SEND_DIRECT_RESP2).ret === 0;

    // 8. Notifications.
    if (this.features(FFA_NOTIFICATION_BITMAP_CREATE).ret === 0) {
      const br = this.call([big(FFA_NOTIFICATION_BITMAP_CREATE), big(this.vmId), 1n]).result;
      if (w(br[0]) !== FFA_SUCCESS) log(`ARM FF-A: Notification bitmap create error ${ffaToLinuxErrno(s32(br[2]))}`);
    }
    const sri = this.features(FFA_FEATURE_SRI).ret === 0;
    const npi = this.features(FFA_FEATURE_NPI).ret === 0;
    this.notifications = sri || npi;
    if (!this.notifications) log('ARM FF-A: Notifications not supported, continuing with it ..');

    // 9. Partitions.
    const parts = this.discoverPartitions();
    if (typeof parts === 'number') return this.unwind(parts, 'partition discovery failed');
    if (parts.length === 0) return this.unwind(-EINVAL, 'no partitions found');
    this.partitions = parts;
    for (const p of parts) this.registerPartition(p);
    this.initialised = true;
    return 0;
  }

  /** ffa_partition_probe(uuid_null): the REGS path if offered, else PARTITION_INFO_GET. */
  private discoverPartitions(): PartitionInfo[] | number {
    const log = this.log;
    if (this.version! >= FFA_VERSION_1_2 && this.features(FFA_PARTITION_INFO_GET_REGS).ret === 0) {
      return this.partitionInfoRegs();
    }
    const v10 = this.version === FFA_VERSION_1_0;
    let count: number;
    if (!v10) {
      const cr = this.call([big(FFA_PARTITION_INFO_GET), 0n, 0n, 0n, 0n, big(FFA_PARTITION_INFO_GET_COUNT_FLAG)]).result;
      if (w(cr[0]) !== FFA_SUCCESS) {
        log(`ARM FF-A: ffa_partition_probe: failed to get the partition count (${describeResult(FFA_PARTITION_INFO_GET, cr)})`);
        return w(cr[0]) === FFA_ERROR ? ffaToLinuxErrno(s32(cr[2])) : -EINVAL;
      }
      count = w(cr[2]);
      if (count === 0) return [];
    }
    const dr = this.call([big(FFA_PARTITION_INFO_GET), 0n, 0n, 0n, 0n, 0n]).result;
    if (w(dr[0]) !== FFA_SUCCESS) {
      log(`ARM FF-A: ffa_partition_probe: PARTITION_INFO_GET failed (${describeResult(FFA_PARTITION_INFO_GET, dr)})`);
      return w(dr[0]) === FFA_ERROR ? ffaToLinuxErrno(s32(dr[2])) : -EINVAL;
    }
    count = w(dr[2]);
    const size = v10 ? 8 : w(dr[3]);
    let parts: PartitionInfo[] | number;
    if (size !== partitionInfoSize(this.version!) || count * size > this.rxtx!.bytes) {
      log(`ARM FF-A: ffa_partition_probe: unexpected descriptor size ${size} or count ${count}`);
      parts = -EINVAL;
    } else {
      const bytes = this.mem.read(this.rxtx!.rx, count * size);
      parts = decodePartitionInfo(bytes, 0, bytes.length, this.version!, count);
    }
    const rr = this.call([big(FFA_RX_RELEASE)]).result;
    if (w(rr[0]) !== FFA_SUCCESS) log(`ARM FF-A: FFA_RX_RELEASE failed (${describeResult(FFA_RX_RELEASE, rr)})`);
    return parts;
  }

  /** FFA_PARTITION_INFO_GET_REGS loop (v1.2: 3 registers per descriptor, 5 per call). */
  private partitionInfoRegs(): PartitionInfo[] | number {
    const out: PartitionInfo[] = [];
    let start = 0, tag = 0;
    for (let guard = 0; guard < 64; guard++) {
      const r = this.call([big(FFA_PARTITION_INFO_GET_REGS), 0n, 0n, BigInt(start | (tag << 16))]).result;
      if (w(r[0]) !== FFA_SUCCESS_64 && w(r[0]) !== FFA_SUCCESS) {
        this.log(`ARM FF-A: PARTITION_INFO_GET_REGS failed (${describeResult(FFA_PARTITION_INFO_GET_REGS, r)})`);
        return w(r[0]) === FFA_ERROR ? ffaToLinuxErrno(s32(r[2])) : -EINVAL;
      }
      const x2 = r[2]!;
      const last = Number(x2 & 0xffffn), cur = Number((x2 >> 16n) & 0xffffn);
      tag = Number((x2 >> 32n) & 0xffffn);
      for (let i = start, k = 3; i <= cur && k + 2 <= 17; i++, k += 3) {
        const d = r[k]!;
        out.push({
          id: Number(d & 0xffffn),
          executionContexts: Number((d >> 16n) & 0xffffn),
          properties: Number((d >> 32n) & 0xffffffffn),
          uuid: uuidFromRegPair(r[k + 1]!, r[k + 2]!),
        });
      }
      if (cur >= last) return out;
      start = cur + 1;
    }
    return -EINVAL;
  }

  private registerPartition(p: PartitionInfo): void {
    const dev: FfaDevice = {
      name: `arm-ffa-${this.nextDevId++}`,
      bus: FFA_BUS,
      driver: null,
      kind: 'partition',
      vmId: p.id,
      uuid: p.uuid ?? new Uint8Array(16),
      mode32bit: this.version! > FFA_VERSION_1_0 && (p.properties & FFA_PARTITION_AARCH64_EXEC) === 0,
      properties: p.properties,
    };
    this.devices.push(dev);
    this.log(`ARM FF-A: partition 0x${p.id.toString(16)} (${formatUuid(dev.uuid)}): device ${dev.name}`);
    this.core.deviceRegister(dev);
  }

  /** Failure after RXTX_MAP: RXTX_UNMAP, free, forget (ffa_init's error path). */
  private unwind(ret: number, why: string): number {
    const log = this.log;
    log(`ARM FF-A: ${why}; unwinding`);
    const ur = this.call([big(FFA_RXTX_UNMAP), 0n]).result;
    if (w(ur[0]) !== FFA_SUCCESS) log(`ARM FF-A: FFA_RXTX_UNMAP failed (${describeResult(FFA_RXTX_UNMAP, ur)})`);
    if (this.rxtx !== null) {
      this.mem.freePages(this.rxtx.rx, this.rxtx.bytes);
      this.mem.freePages(this.rxtx.tx, this.rxtx.bytes);
    }
    this.rxtx = null;
    return this.fail(why, ret);
  }

  private fail(why: string, ret: number): number {
    this.failure = why;
    return ret;
  }

  /**
   * ffa_msg_send_direct_req (sync_send_receive): x1 = vm_id << 16 | dst, x2 = 0, x3..x7 = data.
   * INTERRUPT/YIELD are resumed with FFA_RUN; FFA_ERROR gives the errno; the matching RESP gives 0
   * and data <- x3..x7; anything else is -EINVAL.
   */
  syncSendReceive(dev: FfaDevice, data: bigint[]): number {
    const src = this.vmId ?? 0;
    const id = dev.mode32bit ? FFA_MSG_SEND_DIRECT_REQ : FFA_MSG_SEND_DIRECT_REQ_64;
    const resp = dev.mode32bit ? FFA_MSG_SEND_DIRECT_RESP : FFA_MSG_SEND_DIRECT_RESP_64;
    const mask = dev.mode32bit ? 0xffffffffn : 0xffffffffffffffffn;
    let r = this.call([big(id), big((src << 16) | dev.vmId), 0n, ...data.slice(0, 5).map((d) => d & mask)]).result;
    for (let guard = 0; guard < 16 && (w(r[0]) === FFA_INTERRUPT || w(r[0]) === FFA_YIELD); guard++) {
      r = this.call([big(FFA_RUN), big(w(r[1]))]).result;
    }
    if (w(r[0]) === FFA_ERROR) return ffaToLinuxErrno(s32(r[2]));
    if (w(r[0]) !== resp) return -EINVAL;
    for (let i = 0; i < 5; i++) data[i] = r[3 + i]! & mask;
    return 0;
  }

  beliefs(): FfaHostBeliefs {
    return {
      initialised: this.initialised,
      version: this.version === null ? null : ffaVersionString(this.version),
      vmId: this.vmId,
      rxtx: this.rxtx === null ? null : { ...this.rxtx },
      memOpsNative: this.memOpsNative,
      directReq2: this.directReq2,
      notifications: this.notifications,
      partitions: this.devices.map((d) => ({ id: d.vmId, uuid: formatUuid(d.uuid), device: d.name })),
      failure: this.failure,
    };
  }
}
