/**
 * The SPMC: FF-A dispatcher for the secure world (Arm DEN0077A), one class for both placements.
 *
 * It operates on the register slots of the state buffer (x0-x17 = words 0..35) on behalf of a caller
 * slot (0 = the Non-secure endpoint, 1..n = partitions) and returns where the registers must go next:
 * back to the caller, to another endpoint (a direct request delivered to a partition, its response to
 * the NWd ...), or DEST_INIT_NEXT when a partition finished initialising. The placement glue (S-EL1
 * component in sel1.ts, EL3 SPMC in el3/spmd.ts) turns that into exception returns and SMCs; this
 * file never switches contexts itself and knows nothing of pKVM or the SPMD's internals.
 *
 * Direct messaging (the hot path) reads and writes slots in place and allocates nothing. Validation
 * follows the order of Hafnium's api.c (ffa-abi.md 7.3), every reject cites what it enforces.
 * Behaviour differences between implementations are selected by `policy` (docs/ffa-policies.md).
 */
import * as A from '../../ffa/abi.js';
import type { Bus } from '../../memory/bus.js';
import type { StateReader, StateWriter } from '../../state/snapshot-codec.js';
import { type AbiRow, FROM_NWD, FROM_SP, type SpmcPolicy, abiIndex, buildAbiTable } from './abi-table.js';
import { BlockKind, EndpointTable, NWD, type PartitionConfig, RtModel, RtState } from './endpoints.js';
import { RX_EMPTY, RX_FULL, RX_OTHER_WORLD_OWNED, SpmcMemory, type SpmcMemoryHost, type Mailbox } from './memory.js';
// FF-A IDs as module constants (see above: imported bindings are loads through module cells).
const { FFA_CONSOLE_LOG, FFA_CONSOLE_LOG_64, FFA_ERROR, FFA_FEATURES, FFA_FEATURES_FUNC_ID_BIT, FFA_FWK_MSG_BIT,
  FFA_FWK_MSG_VERSION_REQ, FFA_FWK_MSG_VERSION_RESP, FFA_ID_GET, FFA_ID_SECURE_BIT, FFA_INTERRUPT,
  FFA_MIN_FUNC_NUM, FFA_MSG_SEND_DIRECT_REQ, FFA_MSG_SEND_DIRECT_REQ2, FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_MSG_SEND_DIRECT_RESP, FFA_MSG_SEND_DIRECT_RESP2, FFA_MSG_SEND_DIRECT_RESP_64, FFA_MSG_WAIT,
  FFA_PARTITION_DIRECT_REQ2_RECV, FFA_PARTITION_DIRECT_REQ2_SEND, FFA_PARTITION_DIRECT_REQ_RECV,
  FFA_PARTITION_DIRECT_REQ_SEND, FFA_PARTITION_INFO_GET, FFA_PARTITION_INFO_GET_COUNT_FLAG,
  FFA_PARTITION_INFO_GET_REGS, FFA_PARTITION_VM_CREATED, FFA_PARTITION_VM_DESTROYED, FFA_RET_ABORTED,
  FFA_RET_BUSY, FFA_RET_DENIED, FFA_RET_INVALID_PARAMETERS, FFA_RET_NOT_SUPPORTED, FFA_RET_NO_MEMORY,
  FFA_RET_RETRY, FFA_RUN, FFA_RXTX_MAP, FFA_RXTX_MAP_64, FFA_RXTX_UNMAP, FFA_RX_ACQUIRE, FFA_RX_RELEASE,
  FFA_SMC32_BASE, FFA_SPMD_ID, FFA_SPM_ID_GET, FFA_SUCCESS, FFA_SUCCESS_64, FFA_VERSION, FFA_VERSION_1_0,
  FFA_VERSION_1_1, FFA_VERSION_1_2, FFA_YIELD, SMCCC_SVE_HINT } = A;

export type { SpmcPolicy } from './abi-table.js';

/** dispatch() result: the partition being initialised is done (FFA_MSG_WAIT or FFA_ERROR in the init model). */
export const DEST_INIT_NEXT = -2;

/** FFA_RXTX_MAP: largest buffer in 4 KiB pages (implementation defined; FFA_FEATURES reports it to v1.2 callers). */
export const RXTX_MAX_PAGES = 16;
/** FFA_RXTX_MAP w3 bits [5:0] = page count, [31:6] reserved (v1.0 §8.4? / v1.1 §13.6?). */
const RXTX_PAGE_COUNT_MASK = 0x3f;
/** FFA_MSG_WAIT w2 bit 0 (v1.2 §14.1?): keep RX buffer ownership. */
const MSG_WAIT_RETAIN_RX = 1;
/** PARTITION_INFO_GET_REGS: descriptors per call in v1.2 (3 registers each, x3..x17). */
const INFO_REGS_PER_CALL = 5;
/** SPMD -> SPMC framework message (ffa-abi.md 4): w4 bit 0, an a64el extension, says the SPMD has
 *  seen a non-VERSION call from the NWd (its negotiation phase is over). TF-A sends 0 there. */
export const SPMD_VERSION_FLAG_NEGOTIATED = 1;

const SVE_HINT = SMCCC_SVE_HINT;
const FWK = FFA_FWK_MSG_BIT | 0;

export interface SpmcCoreConfig {
  /** FF-A version implemented (0x10000, 0x10001, 0x10002). */
  version: number;
  spmcId: number;
  policy: SpmcPolicy;
  /** SMCCC version of the platform (PARTITION_INFO_GET_REGS needs 1.2). */
  smcccVersion: number;
  partitions: readonly PartitionConfig[];
  /** Where the SPMC runs: framework messages from the SPMD exist only with 's-el1'. */
  placement: 's-el1' | 'el3';
}

/** What the SPMC needs from its platform. */
export interface SpmcPlatform {
  readonly bus: Bus;
  /** Charge modelled cycles (handler work, buffer copies). */
  charge(cycles: number): void;
  readonly dispatchCost: number;
  readonly copyBytesPerCycle: number;
}

export class SpmcCore implements SpmcMemoryHost {
  readonly cfg: SpmcCoreConfig;
  readonly ep: EndpointTable;
  readonly memory: SpmcMemory;
  readonly bus: Bus;
  readonly spmcId: number;
  private readonly table: (AbiRow | null)[];
  private readonly policy: SpmcPolicy;
  private readonly version: number;
  private s: Int32Array;
  private caller = 0;
  /** Set by dispatch when the destination must be resumed with its whole saved context (a preempted
   *  partition resumed by FFA_RUN): the registers now hold nothing for it. */
  resumeFull = false;
  /** FFA_CONSOLE_LOG output, per partition line by line (the machine's secure console). */
  console = '';
  /** Count of dispatched calls, by caller kind (for tests and traces). */
  calls = 0;

  constructor(cfg: SpmcCoreConfig, private readonly platform: SpmcPlatform, s: Int32Array) {
    this.cfg = cfg;
    this.policy = cfg.policy;
    this.version = cfg.version;
    this.spmcId = cfg.spmcId;
    this.bus = platform.bus;
    this.s = s;
    this.ep = new EndpointTable(cfg.partitions);
    this.table = buildAbiTable(cfg.version, cfg.policy, cfg.smcccVersion);
    // The NS endpoint starts without a version under TF-A (FFA_VERSION_NULL: every other call is
    // NOT_SUPPORTED until FFA_VERSION, spmc_main.c initalize_ns_ep_descs); Hafnium and the spec let
    // it use the SPMC's version. Partitions have their manifest version = the SPMC's.
    const ep = this.ep;
    // A v1.0 SPMC behind the S-EL1 SPMD never sees the NWd's FFA_VERSION (the SPMD answers it), so
    // it cannot start without a version.
    const nullStart = cfg.policy === 'tf-a' && !(cfg.placement === 's-el1' && cfg.version === FFA_VERSION_1_0);
    ep.version[NWD] = nullStart ? 0 : cfg.version;
    for (let i = 1; i < ep.count; i++) ep.version[i] = cfg.version;
    for (let i = 0; i < ep.count; i++) ep.mailbox[i]!.version = ep.version[i]!;
    this.memory = new SpmcMemory(this, {
      policy: cfg.policy,
      version: cfg.version,
      copyBytesPerCycle: platform.copyBytesPerCycle,
    });
  }

  // ---- SpmcMemoryHost ----
  partitionIds(): readonly number[] { return Array.from(this.ep.id.subarray(1)); }
  mailboxOf(id: number): Mailbox | null {
    const slot = id === 0 ? NWD : this.ep.slotOf(id);
    if (slot < 0) return null;
    const m = this.ep.mailbox[slot]!;
    return m.mapped ? m : null;
  }
  charge(cycles: number): void { this.platform.charge(cycles); }

  /** Number of partitions (slots 1..n). */
  get partitionCount(): number { return this.ep.count - 1; }

  // =============================================================================================
  // Boot
  // =============================================================================================

  /** A partition is about to run its initialisation (the init runtime model, v1.2 §8.3 SP_INIT). */
  beginInit(slot: number): void {
    const ep = this.ep;
    ep.state[slot] = RtState.Running;
    ep.model[slot] = RtModel.Init;
  }

  // =============================================================================================
  // Preemption (an interrupt for the NWd while a partition runs: ffa-abi.md 7.4 "NS interrupt")
  // =============================================================================================

  /**
   * The running partition `slot` was interrupted by a Non-secure interrupt: it becomes PREEMPTED and
   * the NWd gets FFA_INTERRUPT with the partition's target info, to resume it later with FFA_RUN
   * (v1.1 §8.? "Non-secure interrupt ... FFA_INTERRUPT"; Hafnium ffa_interrupts; Linux resumes with
   * FFA_RUN). Returns the destination (the NWd).
   */
  preempt(slot: number): number {
    const ep = this.ep, s = this.s;
    ep.state[slot] = RtState.Preempted;
    s[0] = FFA_INTERRUPT | 0; s[1] = 0;
    s[2] = ep.id[slot]! << 16; s[3] = 0;
    zero(s, 2, 18);
    return NWD;
  }

  /**
   * The running partition `slot` took a fault its partition manager cannot resolve (data abort,
   * UNDEFINED ...): it is ABORTED and whoever gave it cycles gets FFA_ERROR(ABORTED) (ffa-abi.md 7.3:
   * "Aborted -> ABORTED"). Returns the destination.
   */
  abortPartition(slot: number): number {
    const ep = this.ep, s = this.s, model = ep.model[slot];
    ep.state[slot] = RtState.Aborted;
    ep.model[slot] = RtModel.None;
    if (model === RtModel.Init) return DEST_INIT_NEXT;
    const to = model === RtModel.DirReq ? ep.origin[slot]! : model === RtModel.Run ? ep.runner[slot]! : NWD;
    ep.origin[slot] = -1;
    ep.runner[slot] = -1;
    s[0] = FFA_ERROR | 0; s[1] = 0; s[2] = 0; s[3] = 0;
    s[4] = FFA_RET_ABORTED; s[5] = 0;
    zero(s, 3, 18);
    if (to > 0) this.resumeBlocked(to);
    return to < 0 ? NWD : to;
  }

  // =============================================================================================
  // Dispatch
  // =============================================================================================

  /**
   * Handle the FF-A call in x0-x17 made by `caller`. Returns the slot the registers go to, or
   * DEST_INIT_NEXT. When the result is the caller itself, x0-x7 hold its results.
   */
  dispatch(caller: number): number {
    const s = this.s, ep = this.ep;
    this.caller = caller;
    this.resumeFull = false;
    this.calls++;
    this.platform.charge(this.platform.dispatchCost);
    // The SMCCC function ID is w0 (TF-A `smc_fid` is uint32; the upper half of x0 is ignored), with
    // the SVE live-state hint masked off (DEN0028 v1.3; Hafnium `args.func &= ~SMCCC_SVE_HINT_MASK`).
    const w0 = s[0]! & ~SVE_HINT;
    const fid = w0 >>> 0;
    // The hint is the caller's, not part of the call: whoever these registers reach (a partition
    // receiving a direct request) sees the plain ID. The S-EL1 path gets it cleared by the SPMD; with
    // the EL3 SPMC a partition got 0xC401006F, did not know it and never answered (the host hung).
    s[0] = w0;
    // Only FF-A IDs (fast, OEN 4, bits [23:16] zero, fn 0x60..0xFF) reach the table.
    if ((fid & 0xbfff0000) >>> 0 !== FFA_SMC32_BASE || (fid & 0xffff) < FFA_MIN_FUNC_NUM) {
      return this.err(FFA_RET_NOT_SUPPORTED);
    }

    // SPMD -> SPMC framework messages arrive from the NWd side (ffa-abi.md 4 "Cross-world forwarding").
    if (caller === NWD && this.cfg.placement === 's-el1' && fid === FFA_MSG_SEND_DIRECT_REQ &&
      s[2] === ((FFA_SPMD_ID << 16) | this.spmcId) && (s[4]! & FWK) !== 0) {
      return this.spmdFramework();
    }

    // v1.2 §13.2.2: once the caller invokes an ABI other than FFA_VERSION, negotiation is over.
    if (fid !== FFA_VERSION && !this.closeNegotiation(caller)) {
      // TF-A spmc_smc_handler: no valid version negotiated -> NOT_SUPPORTED for every other ABI.
      return this.err(FFA_RET_NOT_SUPPORTED);
    }

    const fn = fid & 0xffff;
    if (fn >= 0x71 && fn <= 0x7b) {
      // Memory management belongs to spmc/memory.ts (v1.0 ch.11-12).
      const m = ep.mailbox[caller]!;
      m.version = ep.version[caller]!;
      if (this.memory.handle(fid, ep.id[caller]!, s, m.mapped ? m : null)) return caller;
      return this.err(FFA_RET_NOT_SUPPORTED);
    }

    const r = this.table[abiIndex(w0)];   // (int32 argument: no boxed double on the way)
    // v1.1 §13.3 / §7.?: an ABI not implemented at this instance is NOT_SUPPORTED.
    if (r === null || r === undefined) return this.err(FFA_RET_NOT_SUPPORTED);
    if ((r.callers & (caller === NWD ? FROM_NWD : FROM_SP)) === 0) return this.err(r.deny);
    // v1.2 §13.2.2: the negotiated version is the only one the callee supports for this caller.
    if (!r.lateVersionCheck && ep.version[caller]! < r.since) return this.err(FFA_RET_NOT_SUPPORTED);

    switch (fid) {
      case FFA_MSG_SEND_DIRECT_REQ:
      case FFA_MSG_SEND_DIRECT_REQ_64:
      case FFA_MSG_SEND_DIRECT_REQ2:
        return this.directReq(fid === FFA_MSG_SEND_DIRECT_REQ2, fid === FFA_MSG_SEND_DIRECT_REQ);
      case FFA_MSG_SEND_DIRECT_RESP:
      case FFA_MSG_SEND_DIRECT_RESP_64:
      case FFA_MSG_SEND_DIRECT_RESP2:
        return this.directResp(fid === FFA_MSG_SEND_DIRECT_RESP2, fid === FFA_MSG_SEND_DIRECT_RESP);
      case FFA_VERSION: return this.ffaVersion();
      case FFA_FEATURES: return this.features();
      case FFA_ID_GET: return this.ok(ep.id[caller]! & 0xffff, 0);
      case FFA_SPM_ID_GET: return this.ok(this.spmcId, 0);
      case FFA_RXTX_MAP: return this.rxtxMap(false);
      case FFA_RXTX_MAP_64: return this.rxtxMap(true);
      case FFA_RXTX_UNMAP: return this.rxtxUnmap();
      case FFA_RX_RELEASE: return this.rxRelease();
      case FFA_RX_ACQUIRE: return this.rxAcquire();
      case FFA_PARTITION_INFO_GET: return this.partitionInfoGet();
      case FFA_PARTITION_INFO_GET_REGS: return this.partitionInfoGetRegs();
      case FFA_MSG_WAIT: return this.msgWait();
      case FFA_YIELD: return this.yieldCall();
      case FFA_RUN: return this.run();
      case FFA_ERROR: return this.errorCall();
      case FFA_CONSOLE_LOG: case FFA_CONSOLE_LOG_64: return this.consoleLog(fid);
      default:
        // Return forms (FFA_SUCCESS, FFA_INTERRUPT) are not calls an endpoint makes to the SPMC.
        return this.err(FFA_RET_NOT_SUPPORTED);
    }
  }

  // =============================================================================================
  // Results
  // =============================================================================================

  /** FFA_ERROR: w0 = 0x84000060, w1 = 0, w2 = code (int32, zero-extended in x2), w3-w7 = 0 (ffa-abi.md 3). */
  private err(code: number): number {
    const s = this.s;
    s[0] = FFA_ERROR | 0; s[1] = 0;
    s[2] = 0; s[3] = 0;
    s[4] = code; s[5] = 0;
    zero(s, 3, 8);
    return this.caller;
  }

  /** FFA_SUCCESS_32 with w2, w3; w1 and w4-w7 zero. */
  private ok(w2: number, w3: number): number {
    const s = this.s;
    s[0] = FFA_SUCCESS | 0; s[1] = 0;
    s[2] = 0; s[3] = 0;
    s[4] = w2 | 0; s[5] = 0;
    s[6] = w3 | 0; s[7] = 0;
    zero(s, 4, 8);
    return this.caller;
  }

  // =============================================================================================
  // Version negotiation (v1.0 §8.1, v1.1 §13.2.1 compatibility, v1.2 §13.2.2 negotiation)
  // =============================================================================================

  /** Marks the caller's negotiation over; false when it holds no valid version (TF-A NULL version). */
  private closeNegotiation(caller: number): boolean {
    const ep = this.ep;
    ep.negotiated[caller] = 1;
    return ep.version[caller] !== 0;
  }

  /** Note that the NWd's negotiation phase is over (the SPMD handled one of its calls itself). */
  closeNwdNegotiation(): void { this.ep.negotiated[NWD] = 1; }

  /** FFA_VERSION for `slot` with requested version `req`; returns the w0 value (version or -1). */
  private negotiate(slot: number, req: number, closedHint: boolean): number {
    const ep = this.ep, own = this.version;
    // v1.0 §8.1: bit 31 of the requested version MBZ -> NOT_SUPPORTED (HF, TF-A, TFT test_ffa_version_bit31).
    if ((req & 0x80000000) !== 0) return -1;
    const compatible = A.ffaVersionsCompatible(req, own);
    const closed = ep.negotiated[slot] !== 0 || closedHint;
    switch (this.policy) {
      case 'hafnium':
        // api_ffa_version: incompatible -> NOT_SUPPORTED; after negotiation only the same version.
        if (!compatible) return -1;
        if (closed && req !== ep.version[slot]) return -1;
        this.setVersion(slot, req);
        return own;
      case 'tf-a':
        // ffa_version_handler: locked -> the negotiated version (NOT_SUPPORTED if none); an
        // incompatible request gets the SPMC's version and changes nothing.
        if (closed) return ep.version[slot] === 0 ? -1 : ep.version[slot]!;
        if (compatible) this.setVersion(slot, req);
        return own;
      default:
        // spec (v1.2 §13.2.2, as ff-a-acs `ffa_version_negotiation` checks it): while the phase is
        // open the last compatible request wins; once closed, only the negotiated version is accepted
        // (NOT_SUPPORTED otherwise). An incompatible request records nothing and gets:
        //  - from a caller at a higher version (1.x above ours, 2.x): our own version, which §13.2.1
        //    rule 3 (v1.0 §8.1.2) requires;
        //  - from a caller at a lower major (0.x): rule 2 lets us choose; NOT_SUPPORTED, as ff-a-acs
        //    checked it for v1.1+ implementations (ffa_version index 0 up to the v1.2 EAC release) and
        //    Hafnium answers; a v1.0 implementation returns its version (ff-a-acs v1.0 expectation).
        if (closed) return req === ep.version[slot] ? own : -1;
        if (compatible) this.setVersion(slot, req);
        else if (req >>> 16 < own >>> 16 && own >= FFA_VERSION_1_1) return -1;
        return own;
    }
  }

  private setVersion(slot: number, v: number): void {
    this.ep.version[slot] = v;
    this.ep.mailbox[slot]!.version = v;
  }

  private ffaVersion(): number {
    const s = this.s;
    const v = this.negotiate(this.caller, s[2]! >>> 0, false);
    // FFA_VERSION returns the version (or NOT_SUPPORTED) in w0 itself, never FFA_ERROR (ffa-abi.md 3).
    s[0] = v; s[1] = v < 0 && this.policy !== 'tf-a' ? -1 : 0;
    // TF-A answers with SMC_RET1 (x1-x7 as they were); Hafnium returns an ffa_value with w1-w7 zero.
    if (this.policy !== 'tf-a') zero(s, 1, 8);
    return this.caller;
  }

  /**
   * SPMD framework messages (the TF-A SPMD's implementation-defined protocol, ffa-abi.md 4): an
   * FFA_MSG_SEND_DIRECT_REQ_32 from 0xFFFF to the SPMC with w2 = bit 31 | type. Only FFA_VERSION
   * (type 8) is sent to this SPMC; the answer is DIRECT_RESP_32 with w2 = bit 31 | 9, w3 = version.
   */
  private spmdFramework(): number {
    const s = this.s;
    const type = s[4]! & ~FWK;
    if (type !== FFA_FWK_MSG_VERSION_REQ) {
      // Hafnium ffa_direct_msg_handle_framework_msg: unknown framework function -> INVALID_PARAMETERS.
      return this.err(FFA_RET_INVALID_PARAMETERS);
    }
    const v = this.negotiate(NWD, s[6]! >>> 0, (s[8]! & SPMD_VERSION_FLAG_NEGOTIATED) !== 0);
    // Hafnium marks the caller negotiated after any handled call other than FFA_VERSION and
    // FFA_INTERRUPT (handler.c hvc_smc_handler); this one arrived as FFA_MSG_SEND_DIRECT_REQ_32, so
    // the NWd's first FFA_VERSION through the SPMD already ends its negotiation phase.
    if (this.policy === 'hafnium') this.ep.negotiated[NWD] = 1;
    s[0] = FFA_MSG_SEND_DIRECT_RESP | 0; s[1] = 0;
    s[2] = (this.spmcId << 16) | FFA_SPMD_ID; s[3] = 0;
    s[4] = FWK | FFA_FWK_MSG_VERSION_RESP; s[5] = 0;
    s[6] = v; s[7] = 0;
    zero(s, 4, 18);
    return NWD;
  }

  // =============================================================================================
  // FFA_FEATURES (v1.0 §8.2, v1.1 §13.3)
  // =============================================================================================

  /** The w2 properties of a supported function for `slot`, or -1 if not supported. */
  featureOf(fid: number, slot: number, input: number): number {
    const fn = fid & 0xffff;
    if ((fid & 0xbfff0000) >>> 0 !== FFA_SMC32_BASE || fn < FFA_MIN_FUNC_NUM) return -1;
    if (fn >= 0x71 && fn <= 0x7b) return this.memory.features(fid, this.ep.id[slot]!, input);
    const r = this.table[abiIndex(fid)];
    if (r === null || r === undefined) return -1;
    const v = this.ep.version[slot]!;
    // A v1.0 caller cannot use a v1.1 ABI, and FEATURES says so (v1.2 §13.2.2 "only supported version").
    if (v < r.since && !r.lateVersionCheck) return -1;
    if (!r.returnForm && (r.callers & (slot === NWD ? FROM_NWD : FROM_SP)) === 0) return -1;
    // Input properties are defined only for FFA_MEM_RETRIEVE_REQ; elsewhere MBZ (HF and TF-A answer
    // NOT_SUPPORTED otherwise).
    if (input !== 0) return -1;
    if (fid === FFA_RXTX_MAP || fid === FFA_RXTX_MAP_64) {
      // v1.1 §13.3 Table 13.?: bits [1:0] minimum buffer size and alignment (0 = 4 KiB); v1.2 adds
      // bits [31:16] maximum buffer size in pages (Hafnium reports it to v1.2 callers only).
      return v >= FFA_VERSION_1_2 ? (RXTX_MAX_PAGES << 16) : 0;
    }
    return 0;
  }

  private features(): number {
    const s = this.s;
    const id = s[2]! >>> 0, input = s[4]! >>> 0;
    if ((id & FFA_FEATURES_FUNC_ID_BIT) === 0) {
      // Feature IDs (v1.1 §13.3: bits [30:8] MBZ): NPI/SRI/MEI interrupts are not implemented here.
      return this.err(FFA_RET_NOT_SUPPORTED);
    }
    const fn = id & 0xffff;
    if ((id & 0xbfff0000) >>> 0 === FFA_SMC32_BASE && fn >= 0x71 && fn <= 0x7b) {
      // Memory ABIs: spmc/memory.ts answers (w2 and w3; FFA_MEM_RETRIEVE_REQ uses the input w2).
      const m = this.memory.featureProperties(id, this.ep.id[this.caller]!, input);
      if (typeof m !== 'object') return this.err(FFA_RET_NOT_SUPPORTED);
      return this.ok(m.w2, m.w3);
    }
    const p = this.featureOf(id, this.caller, input);
    if (p < 0) return this.err(FFA_RET_NOT_SUPPORTED);
    return this.ok(p, 0);
  }

  // =============================================================================================
  // RX/TX buffers (v1.0 §8.3-8.5, v1.1 §13.4-13.7; ffa-abi.md 7.1)
  // =============================================================================================

  private rxtxMap(is64: boolean): number {
    const s = this.s, ep = this.ep, caller = this.caller, policy = this.policy;
    const m = ep.mailbox[caller]!;
    // SMC32: only w1/w2 hold the addresses (the upper halves are ignored, DEN0028 SMC32).
    const txLo = s[2]! >>> 0, txHi = is64 ? s[3]! >>> 0 : 0;
    const rxLo = s[4]! >>> 0, rxHi = is64 ? s[5]! >>> 0 : 0;
    const w3 = s[6]! >>> 0;
    const tx = txHi * 0x1_0000_0000 + txLo, rx = rxHi * 0x1_0000_0000 + rxLo;
    let pages: number;
    if (policy === 'tf-a') {
      // spmc_main.c rxtx_map_handler order: forwarded (null) addresses, TX == RX, size 0, mapped.
      pages = w3 & RXTX_PAGE_COUNT_MASK;
      if (tx === 0 || rx === 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      if (tx === rx) return this.err(FFA_RET_INVALID_PARAMETERS);
      if (pages === 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      if (m.mapped) return this.err(FFA_RET_DENIED);
    } else {
      // v1.1 §13.6?: w3 bits [31:6] reserved MBZ (spec). Hafnium api_vm_configure_pages order:
      // already mapped -> DENIED, page count 1..max, page alignment.
      if (policy === 'spec' && (w3 & ~RXTX_PAGE_COUNT_MASK) !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      pages = w3;
      if (m.mapped) return this.err(FFA_RET_DENIED);
      if (pages === 0 || pages > RXTX_MAX_PAGES) return this.err(FFA_RET_INVALID_PARAMETERS);
      // A forwarded map (x1 = x2 = 0, endpoint RX/TX descriptor in the hypervisor's TX, v1.1 §13.6?)
      // is not supported: there is no VM table here.
      if (tx === 0 || rx === 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    }
    const size = pages * 4096;
    // Buffers are aligned to the minimum granule FFA_FEATURES reports (4 KiB), do not overlap, and lie
    // in memory the caller may access (v1.1 §13.6?; TFT `test_ffa_rxtx_map_*`).
    if ((txLo & 0xfff) !== 0 || (rxLo & 0xfff) !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    if (tx < rx + size && rx < tx + size) return this.err(FFA_RET_INVALID_PARAMETERS);
    const secure = caller !== NWD;
    // Hafnium checks a NWd caller's buffers against the NWd's page tables, built from the NS memory
    // regions of its manifest: a range not mapped there (no RAM, secure RAM) or mapped without
    // R/W/X (device regions) is DENIED (arch_other_world_vm_configure_rxtx_map; TFT
    // `test_ffa_rxtx_map_nonsecure_memory_fail`).
    const deniedIfNotNwdRam = policy === 'hafnium' && !secure;
    for (let k = 0; k < 2; k++) {
      const pa = k === 0 ? tx : rx;
      // Not RAM at all (or beyond 4 GiB in this model): cannot be mapped -> INVALID_PARAMETERS (TF-A
      // mmap_add_dynamic_region failure), DENIED under Hafnium (above).
      if (pa > 0xffffffff || !this.bus.accessible(pa, size, true)) {
        return this.err(deniedIfNotNwdRam ? FFA_RET_DENIED : FFA_RET_INVALID_PARAMETERS);
      }
      // RAM the caller's world may not access (secure memory named by the NWd) -> DENIED (TFT v1.2
      // `test_ffa_rxtx_map_secure_memory_fail`, ffa-abi.md 5.1).
      if (!this.bus.accessible(pa, size, secure)) return this.err(FFA_RET_DENIED);
      // Pages the caller does not own exclusively (shared, lent or donated away, or another
      // endpoint's since a donation) -> INVALID_PARAMETERS (ffa-abi.md 5.1 "pages not owned/exclusive";
      // HF api_vm_configure_pages): else the SPMC would write RX data into memory a partition holds.
      for (let i = 0; i < pages; i++) {
        const rec = this.memory.pageInfo(pa + i * 4096);
        if (rec !== undefined && (rec.state !== 'owned' || rec.owner !== ep.id[caller])) return this.err(FFA_RET_INVALID_PARAMETERS);
      }
    }
    m.tx = tx; m.rx = rx; m.pages = pages; m.state = RX_EMPTY; m.version = ep.version[caller]!;
    return this.ok(0, 0);
  }

  private rxtxUnmap(): number {
    const s = this.s, m = this.ep.mailbox[this.caller]!;
    // v1.1 §13.7?: w1 [31:16] = endpoint ID, given only by a hypervisor for one of its VMs; this SPMC
    // has no VM buffers, so any non-zero ID is INVALID_PARAMETERS (TF-A: x1 != 0; HF: unknown VM).
    if (s[2] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    // No pair mapped -> INVALID_PARAMETERS (HF api_ffa_rxtx_unmap, TF-A rxtx_unmap_handler).
    if (!m.mapped) return this.err(FFA_RET_INVALID_PARAMETERS);
    m.clear();
    return this.ok(0, 0);
  }

  private rxRelease(): number {
    const s = this.s, caller = this.caller, m = this.ep.mailbox[caller]!;
    // v1.1 §13.5?: w1 [15:0] = a VM ID, only from a hypervisor forwarding for a VM; a partition must
    // pass 0 (HF: INVALID_PARAMETERS); this SPMC knows no VM, so a non-zero ID names none.
    if (this.policy !== 'tf-a' && (s[2]! & 0xffff) !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    if (m.state === RX_FULL || (m.state === RX_OTHER_WORLD_OWNED && caller === NWD)) {
      m.state = RX_EMPTY;
      return this.ok(0, 0);
    }
    // The caller does not own its RX buffer (empty, or never mapped) -> DENIED (v1.1 §13.5?, HF, TF-A).
    return this.err(FFA_RET_DENIED);
  }

  private rxAcquire(): number {
    const s = this.s, m = this.ep.mailbox[NWD]!;
    // v1.1 §13.4?: the hypervisor acquires the RX buffer of VM w1[15:0]. The only NS mailbox this SPMC
    // keeps is the NS endpoint's own (ID 0); others are unknown -> INVALID_PARAMETERS (HF).
    if ((s[2]! & 0xffff) !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    if (!m.mapped) return this.err(FFA_RET_INVALID_PARAMETERS);
    if (m.state !== RX_EMPTY) return this.err(FFA_RET_DENIED);
    m.state = RX_OTHER_WORLD_OWNED;
    return this.ok(0, 0);
  }

  // =============================================================================================
  // Partition discovery (v1.0 §8.6, v1.1 §13.8, v1.2 §13.9 PARTITION_INFO_GET_REGS; ffa-abi.md 7.2)
  // =============================================================================================

  /** Properties of partition `slot` as reported to `caller` (masked by the caller's version). */
  private reportedProperties(slot: number, caller: number): number {
    let p = this.ep.properties[slot]!;
    // Bits 6/7 (VM availability messages) only to NWd callers and only with bit 0 (HF, ffa-abi.md 7.2).
    if (caller !== NWD || (p & FFA_PARTITION_DIRECT_REQ_RECV) === 0) p &= ~(FFA_PARTITION_VM_CREATED | FFA_PARTITION_VM_DESTROYED);
    return p & A.ffaPartitionPropertiesMask(this.ep.version[caller]!);
  }

  private matches(slot: number, u0: number, u1: number, u2: number, u3: number): boolean {
    return (u0 | u1 | u2 | u3) === 0 || this.ep.uuidIs(slot, u0, u1, u2, u3);
  }

  private partitionInfoGet(): number {
    const s = this.s, ep = this.ep, caller = this.caller, policy = this.policy;
    const u0 = s[2]!, u1 = s[4]!, u2 = s[6]!, u3 = s[8]!;
    const flags = s[10]! >>> 0;
    const v = ep.version[caller]!;
    if (policy === 'spec') {
      // v1.0: w5 reserved (MBZ); v1.1 §13.8: w5 bit 0 count-only flag, bits [31:1] MBZ.
      if (v < FFA_VERSION_1_1 ? flags !== 0 : (flags & ~1) !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    } else if (policy === 'hafnium' && (flags & ~1) !== 0) {
      return this.err(FFA_RET_INVALID_PARAMETERS);
    }
    const countOnly = (flags & FFA_PARTITION_INFO_GET_COUNT_FLAG) !== 0;
    let count = 0;
    for (let i = 1; i < ep.count; i++) if (this.matches(i, u0, u1, u2, u3)) count++;
    // An unknown (non-Nil) UUID -> INVALID_PARAMETERS (v1.1 §13.8; ACS UUID {1,0,0,0}).
    if (count === 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    // Count only: w2 = count, w3 = 0; RX untouched and not owned (v1.1 §13.8).
    if (countOnly) return this.ok(count, 0);

    const m = ep.mailbox[caller]!;
    // No RX buffer, or the caller still owns it -> BUSY (v1.1 §13.8, HF, TF-A, ACS
    // `ffa_partition_info_wrong_test`).
    if (!m.mapped || m.state !== RX_EMPTY) return this.err(FFA_RET_BUSY);
    const size = v >= FFA_VERSION_1_1 ? 24 : 8;
    const bytes = count * size, cap = m.pages * 4096;
    // Descriptors that do not fit the RX buffer -> NO_MEMORY.
    if (bytes > cap) return this.err(FFA_RET_NO_MEMORY);
    const nil = (u0 | u1 | u2 | u3) === 0;
    const bus = this.bus, base = m.rx;
    let at = base;
    for (let i = 1; i < ep.count; i++) {
      if (!this.matches(i, u0, u1, u2, u3)) continue;
      // v1.0 Table 82 / v1.1 Table 13.34: id u16, execution contexts u16, properties u32 [, UUID].
      bus.write(at, 0, 4, (ep.id[i]! & 0xffff) | (ep.contexts[i]! << 16), true);
      bus.write(at + 4, 0, 4, this.reportedProperties(i, caller), true);
      if (size === 24) {
        // The UUID for a Nil-UUID query; zero when the query named a UUID (TF-A, ffa-abi.md 7.2).
        for (let k = 0; k < 4; k++) bus.write(at + 8 + 4 * k, 0, 4, nil ? ep.uuidWords[4 * i + k]! : 0, true);
      }
      at += size;
    }
    // Zero the unused tail so nothing stale leaks to the consumer (HF; v1.3 §4.10).
    for (; at < base + cap; at += 4) bus.write(at, 0, 4, 0, true);
    this.platform.charge(Math.ceil(cap / this.platform.copyBytesPerCycle));
    // The caller now owns its RX buffer until FFA_RX_RELEASE.
    m.state = RX_FULL;
    // w3 = descriptor size from v1.1; in v1.0 w3 is reserved: 0 (spec, TF-A) or 8 (Hafnium).
    return this.ok(count, size === 24 ? 24 : policy === 'hafnium' ? 8 : 0);
  }

  private partitionInfoGetRegs(): number {
    const s = this.s, ep = this.ep, caller = this.caller;
    // x1/x2 = UUID (lo/hi register pair, vector-format.md), x3 = start index [15:0] | tag [31:16].
    const u0 = s[2]!, u1 = s[3]!, u2 = s[4]!, u3 = s[5]!;
    const start = s[6]! & 0xffff, tag = (s[6]! >>> 16) & 0xffff;
    if (tag !== 0) {
      // v1.2 §13.9?: the tag MBZ on a first call (start 0); a tag this SPMC never issued is stale:
      // RETRY (Hafnium). Hafnium answers RETRY for any tag.
      return this.err(this.policy === 'spec' && start === 0 ? FFA_RET_INVALID_PARAMETERS : FFA_RET_RETRY);
    }
    let count = 0;
    for (let i = 1; i < ep.count; i++) if (this.matches(i, u0, u1, u2, u3)) count++;
    if (count === 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    if (start >= count) return this.err(FFA_RET_INVALID_PARAMETERS);
    const last = count - 1;
    const n = Math.min(last - start + 1, INFO_REGS_PER_CALL);
    const cur = start + n - 1;
    const nil = (u0 | u1 | u2 | u3) === 0;
    zero(s, 1, 18);
    s[0] = FFA_SUCCESS_64 | 0; s[1] = 0;
    // x2 = last index [15:0] | current index [31:16] | tag [47:32] (0) | descriptor size [63:48] (24).
    s[4] = (last & 0xffff) | (cur << 16); s[5] = 24 << 16;
    let k = 0, reg = 3;
    for (let i = 1; i < ep.count && k <= cur; i++) {
      if (!this.matches(i, u0, u1, u2, u3)) continue;
      if (k >= start) {
        // xN = id [15:0] | execution contexts [31:16] | properties [63:32]; xN+1/xN+2 = UUID.
        s[2 * reg] = (ep.id[i]! & 0xffff) | (ep.contexts[i]! << 16);
        s[2 * reg + 1] = this.reportedProperties(i, caller);
        if (nil) {
          const o = 4 * i;
          s[2 * reg + 2] = ep.uuidWords[o]!; s[2 * reg + 3] = ep.uuidWords[o + 1]!;
          s[2 * reg + 4] = ep.uuidWords[o + 2]!; s[2 * reg + 5] = ep.uuidWords[o + 3]!;
        }
        reg += 3;
      }
      k++;
    }
    return caller;
  }

  // =============================================================================================
  // Direct messaging (v1.0 §10.2-10.3, v1.1 §15.2-15.3, v1.2 §15.4-15.5; ffa-abi.md 7.3)
  // =============================================================================================

  /** True when partition `target` precedes `from` in its call chain (or is `from`). */
  private inCallChain(from: number, target: number): boolean {
    const ep = this.ep;
    let x = from;
    for (let guard = 0; x > 0 && guard < ep.count; guard++) {
      if (x === target) return true;
      const m = ep.model[x];
      x = m === RtModel.DirReq ? ep.origin[x]! : m === RtModel.Run ? ep.runner[x]! : -1;
    }
    return false;
  }

  /** DIRECT_REQ (is32), DIRECT_REQ_64 or DIRECT_REQ2 (is2). */
  private directReq(is2: boolean, is32: boolean): number {
    const s = this.s, ep = this.ep, caller = this.caller;
    const w1 = s[2]!;
    const sender = (w1 >>> 16) & 0xffff, receiver = w1 & 0xffff;
    if (!is2) {
      const w2 = s[4]!;
      if ((w2 & FWK) !== 0) {
        // Framework messages (v1.1 §?, ffa-abi.md 5.2) to partitions (VM created/destroyed ...) are
        // not supported by this SPMC: unknown function -> INVALID_PARAMETERS (Hafnium).
        return this.err(FFA_RET_INVALID_PARAMETERS);
      }
      // v1.2 Table 16.6: w2 (x2) MBZ for partition messages -> INVALID_PARAMETERS.
      if (w2 !== 0 || (!is32 && s[5] !== 0)) return this.err(FFA_RET_INVALID_PARAMETERS);
    }
    // Sender must be the caller; the NS physical instance may name any NWd ID (a VM it forwards for)
    // but no secure ID (TF-A SPMD); sender == receiver is invalid; the receiver must be a secure
    // endpoint: an SP cannot message the NWd (v1.1 §15.2?, HF ffa_direct_msg_is_direct_request_valid).
    if (caller === NWD ? (sender & FFA_ID_SECURE_BIT) !== 0 : sender !== ep.id[caller]) return this.err(FFA_RET_INVALID_PARAMETERS);
    if (sender === receiver) return this.err(FFA_RET_INVALID_PARAMETERS);
    if ((receiver & FFA_ID_SECURE_BIT) === 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    // TF-A EL3 SPMC: an SP may only send direct requests to EL3 logical partitions (none here).
    if (this.policy === 'tf-a' && caller !== NWD) return this.err(FFA_RET_INVALID_PARAMETERS);
    // The receiver must exist (the SPMC's own ID is not a partition) -> INVALID_PARAMETERS.
    const t = ep.slotOf(receiver);
    if (t < 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    if (is2) {
      // v1.2 §15.4: x2/x3 name the target service; Nil means any, else it must be the receiver's
      // UUID -> INVALID_PARAMETERS (HF api_ffa_dir_msg_req2_uuid_is_valid).
      const a = s[4]!, b = s[5]!, c = s[6]!, d = s[7]!;
      if ((a | b | c | d) !== 0 && !ep.uuidIs(t, a, b, c, d)) return this.err(FFA_RET_INVALID_PARAMETERS);
      // Hafnium: DIRECT_REQ2 needs both endpoints at v1.2 or later, else DENIED.
      if (this.policy === 'hafnium' && (ep.version[caller]! < FFA_VERSION_1_2 || ep.version[t]! < FFA_VERSION_1_2)) {
        return this.err(FFA_RET_DENIED);
      }
    }
    // The receiver must accept this kind (properties bit 0 / bit 9) and an SP sender must be allowed to
    // send it (bit 1 / bit 10) -> DENIED (v1.1 Table 13.34?; ACS `ffa_direct_message_error`).
    if ((ep.properties[t]! & (is2 ? FFA_PARTITION_DIRECT_REQ2_RECV : FFA_PARTITION_DIRECT_REQ_RECV)) === 0) return this.err(FFA_RET_DENIED);
    if (caller !== NWD && (ep.properties[caller]! & (is2 ? FFA_PARTITION_DIRECT_REQ2_SEND : FFA_PARTITION_DIRECT_REQ_SEND)) === 0) {
      return this.err(FFA_RET_DENIED);
    }
    const st = ep.state[t]!;
    // Receiver already handling a request or running -> BUSY (v1.1 §8.?; HF checks this first).
    if (st === RtState.Running || ep.model[t] === RtModel.DirReq) return this.err(FFA_RET_BUSY);
    if (caller !== NWD) {
      // Runtime model of the sender (v1.2 §8.3): in SP_INIT it may only message an initialised SP;
      // otherwise the receiver must not precede it in its call chain (a cycle) -> DENIED.
      if (ep.model[caller] === RtModel.Init ? st === RtState.Created : this.inCallChain(caller, t)) return this.err(FFA_RET_DENIED);
    }
    // An aborted receiver -> ABORTED; any other state than WAITING -> BUSY (HF vcpu state switch).
    if (st === RtState.Aborted) return this.err(FFA_RET_ABORTED);
    if (st !== RtState.Waiting) return this.err(FFA_RET_BUSY);

    // Commit: the sender waits for the response, the receiver handles the request.
    if (caller !== NWD) {
      ep.state[caller] = RtState.Blocked;
      ep.block[caller] = BlockKind.Request;
      ep.blockedOn[caller] = t;
    }
    ep.state[t] = RtState.Running;
    ep.model[t] = RtModel.DirReq;
    ep.origin[t] = caller;
    ep.originId[t] = sender;
    ep.req2[t] = is2 ? 1 : 0;
    // The receiver sees the sender's registers: a 32-bit request carries w1-w7 only (Hafnium
    // api_ffa_value_copy32); x8-x17 are not part of DIRECT_REQ and reach the receiver as zero.
    s[1] = 0;
    if (is32) { for (let i = 3; i < 16; i += 2) s[i] = 0; }
    if (!is2) zero(s, 8, 18);
    return t;
  }

  /** DIRECT_RESP (is32), DIRECT_RESP_64 or DIRECT_RESP2 (is2). */
  private directResp(is2: boolean, is32: boolean): number {
    const s = this.s, ep = this.ep, c = this.caller;
    if (!is2) {
      const w2 = s[4]!;
      // Framework responses answer framework requests, which this SPMC never sends to partitions.
      if ((w2 & FWK) !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      // v1.2 Table 16.7?: w2 MBZ for partition messages; x8-x17 SBZ for a v1.2 responder (HF).
      if (w2 !== 0 || (!is32 && s[5] !== 0)) return this.err(FFA_RET_INVALID_PARAMETERS);
      if (ep.version[c]! >= FFA_VERSION_1_2 && this.policy !== 'tf-a') {
        for (let i = 16; i < 36; i++) if (s[i] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      }
    }
    const w1 = s[2]!;
    const sender = (w1 >>> 16) & 0xffff, receiver = w1 & 0xffff;
    // The responder must be the caller and differ from the receiver (HF is_direct_response_valid).
    if (sender !== ep.id[c] || sender === receiver) return this.err(FFA_RET_INVALID_PARAMETERS);
    // Only a partition handling a request may respond (v1.2 §8.3 rule 3) -> DENIED.
    if (ep.model[c] !== RtModel.DirReq || ep.state[c] !== RtState.Running) return this.err(FFA_RET_DENIED);
    // It must answer the origin, with the matching ABI: REQ -> RESP, REQ2 -> RESP2 -> DENIED.
    if (receiver !== ep.originId[c]) return this.err(FFA_RET_DENIED);
    if ((ep.req2[c] !== 0) !== is2) return this.err(FFA_RET_DENIED);

    const o = ep.origin[c]!;
    ep.state[c] = RtState.Waiting;
    ep.model[c] = RtModel.None;
    ep.origin[c] = -1;
    ep.req2[c] = 0;
    s[1] = 0;
    if (is32) { for (let i = 3; i < 16; i += 2) s[i] = 0; }
    if (is2) { s[4] = 0; s[5] = 0; s[6] = 0; s[7] = 0; } // x2/x3 MBZ in RESP2 (HF zeroes them)
    else zero(s, 8, 18);
    if (o !== NWD) this.resumeBlocked(o);
    return o;
  }

  /** A partition that waited for a response (or for the cycles it gave away) runs again. */
  private resumeBlocked(slot: number): void {
    const ep = this.ep;
    ep.state[slot] = RtState.Running;
    ep.block[slot] = BlockKind.None;
    ep.blockedOn[slot] = -1;
  }

  // =============================================================================================
  // CPU cycle management (v1.0 ch.9, v1.2 ch.14; runtime models v1.2 ch.8)
  // =============================================================================================

  private msgWait(): number {
    const s = this.s, ep = this.ep, c = this.caller, policy = this.policy;
    const v = ep.version[c]!;
    if (policy !== 'tf-a') {
      // v1.2 §14.1?: w1, w3-w7 MBZ; w2 flags (bit 0 retain RX) from v1.2, MBZ before; x8-x17 MBZ for
      // v1.2 callers (HF api_ffa_msg_wait).
      // FFA_MSG_WAIT is SMC32: only the low halves of x1-x7 are its registers (DEN0028 SMC32).
      if (s[2] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      for (let i = 6; i < 16; i += 2) if (s[i] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      if (v >= FFA_VERSION_1_2) {
        for (let i = 16; i < 36; i++) if (s[i] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
        if (policy === 'spec' && (s[4]! & ~MSG_WAIT_RETAIN_RX) !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      } else if (s[4] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    }
    const model = ep.model[c];
    // Handling a direct request: it must answer, not wait (v1.2 §8.3 rule 4) -> DENIED.
    if (model === RtModel.DirReq || model === RtModel.None) return this.err(FFA_RET_DENIED);
    // RX ownership goes back to the producer (Hafnium always unless w2 bit 0; the spec from v1.2,
    // where the flag exists; TF-A never).
    const retain = v >= FFA_VERSION_1_2 && (s[4]! & MSG_WAIT_RETAIN_RX) !== 0;
    if (!retain && (policy === 'hafnium' || (policy === 'spec' && v >= FFA_VERSION_1_2))) {
      const m = ep.mailbox[c]!;
      if (m.state === RX_FULL) m.state = RX_EMPTY;
    }
    ep.state[c] = RtState.Waiting;
    ep.model[c] = RtModel.None;
    if (model === RtModel.Init) return DEST_INIT_NEXT;
    // Run model: the allocator that gave the cycles gets FFA_MSG_WAIT (HF ffa_msg_wait_complete).
    const r = ep.runner[c]!;
    ep.runner[c] = -1;
    s[0] = FFA_MSG_WAIT | 0;
    zero(s, 0, 18, 1);
    if (r > 0) this.resumeBlocked(r);
    return r < 0 ? NWD : r;
  }

  private yieldCall(): number {
    const s = this.s, ep = this.ep, c = this.caller;
    // v1.1 §14.2?: w2/w3 = timeout hint, w4-w7 MBZ (HF api_yield); w1 MBZ. v1.0 has no timeout.
    // FFA_YIELD is SMC32: the upper halves are not its registers.
    for (let i = 8; i < 16; i += 2) if (s[i] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    if (this.policy === 'spec') {
      if (s[2] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      if (ep.version[c]! < FFA_VERSION_1_1 && (s[4]! | s[6]!) !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    }
    const model = ep.model[c];
    let to: number;
    if (model === RtModel.DirReq) {
      // v1.0 does not allow FFA_YIELD while handling a direct request (ACS v1.0 expects an error);
      // v1.1+ does (v1.2 §8.3 rule 3).
      if (this.policy === 'spec' && ep.version[c]! < FFA_VERSION_1_1) return this.err(FFA_RET_DENIED);
      to = ep.origin[c]!;
    } else if (model === RtModel.Run) {
      to = ep.runner[c]!;
    } else {
      // SP_INIT (rule 4) and anything else -> DENIED.
      return this.err(FFA_RET_DENIED);
    }
    ep.state[c] = RtState.Blocked;
    ep.block[c] = BlockKind.Yield;
    // The cycle allocator sees FFA_YIELD, w1 = the yielding vCPU, w2/w3 = timeout (HF yield_prepare).
    const t2 = s[4]!, t3 = s[6]!;
    s[0] = FFA_YIELD | 0; s[1] = 0;
    s[2] = ep.id[c]! << 16; s[3] = 0;
    s[4] = t2; s[5] = 0; s[6] = t3; s[7] = 0;
    zero(s, 4, 18);
    if (to > 0) this.resumeBlocked(to);
    return to < 0 ? NWD : to;
  }

  private run(): number {
    const s = this.s, ep = this.ep, c = this.caller, policy = this.policy;
    const w1 = s[2]!;
    const tid = (w1 >>> 16) & 0xffff, vcpu = w1 & 0xffff;
    if (policy === 'tf-a') {
      // ffa_run_handler: NWd target, unknown target, or a vCPU other than this PE's -> INVALID_PARAMETERS.
      if ((tid & FFA_ID_SECURE_BIT) === 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    } else {
      // HF: a v1.2 caller's x8-x17 MBZ (handler.c FFA_RUN_32). Checked for partitions, whose registers
      // are live here; an SMC32 call from the NWd crosses the SPMD with x0-x7 only (x8-x17 are not part
      // of it). An SP may not run a NWd VM (DENIED).
      if (c !== NWD && ep.version[c]! >= FFA_VERSION_1_2) for (let i = 16; i < 36; i++) if (s[i] !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
      if ((tid & FFA_ID_SECURE_BIT) === 0) return this.err(c === NWD ? FFA_RET_INVALID_PARAMETERS : FFA_RET_DENIED);
    }
    const t = ep.slotOf(tid);
    // v1.0 §9.3: unknown endpoint or vCPU -> INVALID_PARAMETERS. One PE: an MP partition's only
    // runnable context is the one pinned to PE 0, a UP partition's is index 0.
    if (t < 0 || vcpu !== 0) return this.err(FFA_RET_INVALID_PARAMETERS);
    const st = ep.state[t]!, blk = ep.block[t]!;
    if (c !== NWD) {
      // HF run_checks: an SP may only resume a PREEMPTED or BLOCKED (yielded) SP -> DENIED; then the
      // runtime model: a target preceding it in its call chain -> DENIED (v1.1 §7.2 rules 1-2).
      if (!(st === RtState.Preempted || (st === RtState.Blocked && blk === BlockKind.Yield))) return this.err(FFA_RET_DENIED);
      if (this.inCallChain(c, t)) return this.err(FFA_RET_DENIED);
    }
    if (st === RtState.Aborted) return this.err(FFA_RET_ABORTED);
    if (st === RtState.Waiting) {
      // A waiting partition starts a Run-model episode: it sees FFA_RUN with its target info.
      ep.model[t] = RtModel.Run;
      ep.runner[t] = c;
      s[0] = FFA_RUN | 0; s[1] = 0;
      s[2] = w1 & 0xffff0000; s[3] = 0;
      zero(s, 2, 18);
    } else if (st === RtState.Blocked && blk === BlockKind.Yield) {
      // A yielded partition resumes from its FFA_YIELD with FFA_SUCCESS (HF api_yield).
      ep.block[t] = BlockKind.None;
      if (ep.model[t] === RtModel.Run) ep.runner[t] = c;
      s[0] = FFA_SUCCESS | 0;
      zero(s, 0, 18, 1);
    } else if (st === RtState.Preempted) {
      // Resumed where it was interrupted: its whole saved context, no message.
      if (ep.model[t] === RtModel.Run) ep.runner[t] = c;
      this.resumeFull = true;
    } else {
      // Running, blocked on a request, not started: the target cannot take cycles now -> BUSY.
      return this.err(FFA_RET_BUSY);
    }
    ep.state[t] = RtState.Running;
    if (c !== NWD) {
      ep.state[c] = RtState.Blocked;
      ep.block[c] = BlockKind.Run;
      ep.blockedOn[c] = t;
    }
    return t;
  }

  /**
   * FFA_ERROR invoked by a partition (v1.2 §8.3). The implementations differ once it is past its
   * initialisation:
   *  - TF-A (ffa_error_handler) and 'spec': in SP_INIT any code ends the partition's initialisation
   *    (failed); handling a direct request, the request is cancelled and the requester gets the
   *    FFA_ERROR; anything else is NOT_SUPPORTED.
   *  - Hafnium (ffa_cpu_cycles_error_32): only FFA_ERROR(ABORTED) in SP_INIT aborts the partition;
   *    every other FFA_ERROR is answered NOT_SUPPORTED to the partition, whose state is unchanged (a
   *    direct request it handles stays pending: it must still respond).
   */
  private errorCall(): number {
    const s = this.s, ep = this.ep, c = this.caller;
    const model = ep.model[c];
    if (this.policy === 'hafnium' && !(model === RtModel.Init && s[4] === FFA_RET_ABORTED)) return this.err(FFA_RET_NOT_SUPPORTED);
    if (model === RtModel.Init) {
      // Initialisation failed: the partition is unusable (TF-A: "SP failed to initialize").
      ep.state[c] = RtState.Aborted;
      ep.model[c] = RtModel.None;
      return DEST_INIT_NEXT;
    }
    if (model === RtModel.DirReq) {
      // The request is cancelled and the requester gets the FFA_ERROR (TF-A forwards it).
      const o = ep.origin[c]!;
      const code = s[4]!;
      ep.state[c] = RtState.Waiting;
      ep.model[c] = RtModel.None;
      ep.origin[c] = -1;
      ep.req2[c] = 0;
      s[0] = FFA_ERROR | 0; s[1] = 0; s[2] = 0; s[3] = 0; s[4] = code; s[5] = 0;
      zero(s, 3, 18);
      if (o > 0) this.resumeBlocked(o);
      return o < 0 ? NWD : o;
    }
    return this.err(FFA_RET_DENIED);
  }

  private consoleLog(fid: number): number {
    const s = this.s, is64 = fid === FFA_CONSOLE_LOG_64;
    const count = s[2]! >>> 0;
    // v1.2 §13.12?: 1..24 characters in w2-w7 (SMC32) or 1..128 in x2-x17 (SMC64), packed
    // little-endian -> INVALID_PARAMETERS otherwise (ACS: 0, 30 and 130 fail).
    const max = is64 ? 128 : 24;
    if (count === 0 || count > max) return this.err(FFA_RET_INVALID_PARAMETERS);
    let out = '';
    for (let i = 0; i < count; i++) {
      const word = is64 ? 4 + (i >>> 2) : 4 + 2 * (i >>> 2);
      const b = (s[word]! >>> (8 * (i & 3))) & 0xff;
      if (b === 0) break;
      out += String.fromCharCode(b);
    }
    this.console += out;
    return this.ok(0, 0);
  }

  // =============================================================================================
  // Snapshots (machine/snapshot.ts; cold path): the endpoint table, mailboxes, counters and the
  // memory-sharing state, after the configuration they must be restored into.
  // =============================================================================================

  saveTo(w: StateWriter): void {
    const c = this.cfg, ep = this.ep;
    w.f64(c.version); w.f64(c.spmcId); w.str(c.policy); w.f64(c.smcccVersion); w.str(c.placement);
    w.u32(c.partitions.length);
    for (let i = 1; i < ep.count; i++) {
      w.f64(ep.id[i]!); for (let k = 0; k < 4; k++) w.i32(ep.uuidWords[4 * i + k]!); w.i32(ep.properties[i]!); w.i32(ep.contexts[i]!);
    }
    w.f64(this.caller); w.bool(this.resumeFull); w.str(this.console); w.f64(this.calls);
    w.i32s(ep.version); w.u8s(ep.negotiated); w.u8s(ep.state); w.u8s(ep.model); w.i32s(ep.origin); w.i32s(ep.originId);
    w.u8s(ep.req2); w.i32s(ep.runner); w.u8s(ep.block); w.i32s(ep.blockedOn);
    for (const m of ep.mailbox) { w.f64(m.tx); w.f64(m.rx); w.f64(m.pages); w.f64(m.version); w.f64(m.state); }
    this.memory.saveTo(w);
  }

  readFrom(r: StateReader): () => void {
    const c = this.cfg, ep = this.ep, n = ep.count;
    r.cfgNum('spmc version', c.version); r.cfgNum('spmcId', c.spmcId); r.cfgStr('policy', c.policy);
    r.cfgNum('smcccVersion', c.smcccVersion); r.cfgStr('placement', c.placement);
    r.cfgU32('partition count', c.partitions.length);
    for (let i = 1; i < n; i++) {
      r.cfgNum(`partition ${i} id`, ep.id[i]!);
      for (let k = 0; k < 4; k++) { const v = r.i32(`partition ${i} uuid`); if (v !== ep.uuidWords[4 * i + k]) r.mismatch(`partition 0x${ep.id[i]!.toString(16)} uuid word ${k}`, v, ep.uuidWords[4 * i + k]); }
      const props = r.i32(`partition ${i} properties`); if (props !== ep.properties[i]) r.mismatch(`partition 0x${ep.id[i]!.toString(16)} properties`, props, ep.properties[i]);
      const ctxs = r.i32(`partition ${i} executionContexts`); if (ctxs !== ep.contexts[i]) r.mismatch(`partition 0x${ep.id[i]!.toString(16)} executionContexts`, ctxs, ep.contexts[i]);
    }
    const caller = r.f64('caller'), resumeFull = r.bool('resumeFull'), console = r.str('console'), calls = r.f64('calls');
    const version = r.i32s('version', n), negotiated = r.u8s('negotiated', n), state = r.u8s('state', n), model = r.u8s('model', n);
    const origin = r.i32s('origin', n), originId = r.i32s('originId', n), req2 = r.u8s('req2', n), runner = r.i32s('runner', n);
    const block = r.u8s('block', n), blockedOn = r.i32s('blockedOn', n);
    const boxes: number[][] = [];
    for (let i = 0; i < n; i++) boxes.push([r.f64('mailbox tx'), r.f64('mailbox rx'), r.f64('mailbox pages'), r.f64('mailbox version'), r.f64('mailbox state')]);
    const mem = this.memory.readFrom(r);
    return () => {
      this.caller = caller; this.resumeFull = resumeFull; this.console = console; this.calls = calls;
      ep.version.set(version); ep.negotiated.set(negotiated); ep.state.set(state); ep.model.set(model); ep.origin.set(origin);
      ep.originId.set(originId); ep.req2.set(req2); ep.runner.set(runner); ep.block.set(block); ep.blockedOn.set(blockedOn);
      boxes.forEach((b, i) => { const m = ep.mailbox[i]!; [m.tx, m.rx, m.pages, m.version, m.state] = b as [number, number, number, number, number]; });
      mem();
    };
  }
}

/** Zero x[from..to) (both halves), keeping the first `keepWords` words of x[from] when asked. */
function zero(s: Int32Array, from: number, to: number, keepWords = 0): void {
  for (let i = 2 * from + keepWords; i < 2 * to; i++) s[i] = 0;
}

