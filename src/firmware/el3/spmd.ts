/**
 * The SPM Dispatcher at EL3 (behaviour of TF-A services/std_svc/spmd/spmd_main.c, restated): the
 * FF-A function range of the standard secure service (OEN 4, 0x60-0xFF) lands here. It answers what
 * TF-A's SPMD answers itself (FFA_ID_GET, FFA_SPM_ID_GET, FFA_FEATURES from the SPMC, calls that must
 * not cross worlds), turns a Normal-world FFA_VERSION into the SPMD->SPMC framework message, and
 * forwards everything else to the other world: save this world's EL1 context, restore the other's,
 * pass x0-x7 (x0-x17 for SMC64 calls when both sides speak v1.2), flip SCR_EL3.NS, ERET.
 *
 * Placements:
 *  - 's-el1': the SPMC is a component at S-EL1 (spmc/sel1.ts). Two contexts, Non-secure and Secure.
 *  - 'el3':   the SPMC runs here (TF-A EL3 SPMC): the dispatcher (spmc/core.ts) is called in place and
 *             partitions run at S-EL1, each with its own saved EL1 context, entered by ERET from EL3.
 *
 * World switches allocate nothing: contexts are fixed slices of the state buffer (context.ts).
 */
import * as L from '../../state/layout.js';
import * as A from '../../ffa/abi.js';
import type { Bus } from '../../memory/bus.js';
import { SCR_FIQ, SCR_IRQ, SCR_NS } from '../../exceptions/routing.js';
import { DEST_INIT_NEXT, SPMD_VERSION_FLAG_NEGOTIATED, SpmcCore, type SpmcCoreConfig } from '../spmc/core.js';
import { NWD } from '../spmc/endpoints.js';
import { type PartitionEntry, SCTLR_EL1_RESET, SPSR_DAIF_MASKED, SPSR_EL1H, type SavedContext, el1Context } from '../context.js';
import { Exit, type SmcCall } from './services.js';
import { SnapshotError, type StateReader, type StateWriter } from '../../state/snapshot-codec.js';
// FF-A IDs as module constants (see above: imported bindings are loads through module cells).
const { FFA_ABORT, FFA_ABORT_64, FFA_CONSOLE_LOG, FFA_CONSOLE_LOG_64, FFA_EL3_INTR_HANDLE, FFA_ERROR,
  FFA_FEATURES, FFA_FWK_MSG_BIT, FFA_FWK_MSG_VERSION_REQ, FFA_FWK_MSG_VERSION_RESP, FFA_HOST_ID, FFA_ID_GET,
  FFA_INTERRUPT, FFA_MEM_DONATE, FFA_MEM_DONATE_64, FFA_MEM_FRAG_RX, FFA_MEM_FRAG_TX, FFA_MEM_LEND,
  FFA_MEM_LEND_64, FFA_MEM_OP_PAUSE, FFA_MEM_OP_RESUME, FFA_MEM_RECLAIM, FFA_MEM_RELINQUISH,
  FFA_MEM_RETRIEVE_REQ, FFA_MEM_RETRIEVE_REQ_64, FFA_MEM_RETRIEVE_RESP, FFA_MEM_SHARE, FFA_MEM_SHARE_64,
  FFA_MSG_SEND, FFA_MSG_SEND2, FFA_MSG_SEND_DIRECT_REQ, FFA_MSG_SEND_DIRECT_REQ2, FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_MSG_SEND_DIRECT_RESP, FFA_MSG_SEND_DIRECT_RESP2, FFA_MSG_SEND_DIRECT_RESP_64, FFA_MSG_WAIT,
  FFA_NORMAL_WORLD_RESUME, FFA_NOTIFICATION_BIND, FFA_NOTIFICATION_BITMAP_CREATE,
  FFA_NOTIFICATION_BITMAP_DESTROY, FFA_NOTIFICATION_GET, FFA_NOTIFICATION_INFO_GET,
  FFA_NOTIFICATION_INFO_GET_64, FFA_NOTIFICATION_SET, FFA_NOTIFICATION_UNBIND, FFA_NS_RES_INFO_GET,
  FFA_PARTITION_INFO_GET, FFA_PARTITION_INFO_GET_REGS, FFA_RET_DENIED, FFA_RET_INVALID_PARAMETERS,
  FFA_RET_NOT_SUPPORTED, FFA_RUN, FFA_RXTX_MAP, FFA_RXTX_MAP_64, FFA_RXTX_UNMAP, FFA_RX_ACQUIRE, FFA_RX_RELEASE,
  FFA_SECONDARY_EP_REGISTER_64, FFA_SPMD_ID, FFA_SPM_ID_GET, FFA_SUCCESS, FFA_SUCCESS_64, FFA_VERSION,
  FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2, FFA_YIELD } = A;
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { ELR_EL, SCR_EL3, SCTLR_EL, SPSR_EL, SP_EL } = L;

/** TF-A spmd_private.h SPMC states. */
export const enum SpmcState { Reset = 0, OnPending = 1, On = 2, Failed = 3 }

export interface SpmdConfig {
  placement: 's-el1' | 'el3';
  /** The SPMC's configuration (version, ID, policy, partitions). */
  spmc: SpmcCoreConfig;
  /** S-EL1 placement: the SPMC's entry point. */
  spmcEntry?: bigint;
  /** EL3 placement: where each partition starts at S-EL1. */
  partitionEntries?: readonly PartitionEntry[];
}

/** What the SPMD needs from the monitor. */
export interface SpmdHost {
  readonly s: Int32Array;
  readonly bus: Bus;
  charge(cycles: number): void;
  readonly costs: { worldSwitch: number; spmcDispatch: number; copyBytesPerCycle: number };
  /** Prepare the first entry into the Normal world (ELR/SPSR/SCR/HCR); the caller ERETs. */
  enterNormalWorldFirst(): void;
}

const V12 = FFA_VERSION_1_2;

export class Spmd {
  readonly placement: 's-el1' | 'el3';
  state: SpmcState = SpmcState.Reset;
  /** EL3 placement: the dispatcher. */
  readonly core: SpmcCore | null = null;
  /** Non-secure context, and the secure one (S-EL1 SPMC) or one per partition (EL3 SPMC, index = slot). */
  private readonly nsCtx: SavedContext = el1Context();
  private readonly secCtx: SavedContext[] = [];
  /** TF-A `nonsecure_ffa_version`: what the NWd last asked for, until negotiation closed. */
  nsVersion: number;
  /** TF-A `nonsecure_version_negotiated`. */
  nsNegotiated = false;
  /** TF-A `spmc_nwd_ffa_version`: the version the SPMC agreed with the NWd. */
  spmcNwdVersion: number;
  /** S-EL1: an FFA_VERSION framework request is with the SPMC. */
  private versionPending = false;
  /** EL3 placement: which world runs (NWD, or a partition slot). */
  private current = NWD;
  private initSlot = 0;
  /** Message registers across a context restore. */
  private readonly msg = new Int32Array(36);
  /** World switches done (each is a save + restore of EL1 context). */
  switches = 0;
  private readonly spmcVersion: number;
  private readonly spmcId: number;
  private readonly policy: SpmcCoreConfig['policy'];

  constructor(private readonly cfg: SpmdConfig, private readonly host: SpmdHost) {
    this.placement = cfg.placement;
    this.spmcVersion = cfg.spmc.version;
    this.spmcId = cfg.spmc.spmcId;
    this.policy = cfg.spmc.policy;
    // TF-A starts both at 0 (FFA_VERSION_NULL), so nothing SMC64 crosses with x8-x17 before the NWd
    // negotiates; under the 'spec' and 'hafnium' policies a NWd that never calls FFA_VERSION uses the
    // SPMC's version, and the SPMD agrees.
    const initial = cfg.spmc.policy === 'tf-a' ? 0 : cfg.spmc.version;
    this.nsVersion = initial;
    this.spmcNwdVersion = initial;
    if (cfg.placement === 'el3') {
      const entries = cfg.partitionEntries ?? [];
      this.core = new SpmcCore(cfg.spmc, {
        bus: host.bus,
        charge: (c: number) => host.charge(c),
        dispatchCost: host.costs.spmcDispatch,
        copyBytesPerCycle: host.costs.copyBytesPerCycle,
      }, host.s);
      this.secCtx.push(el1Context());
      for (const e of entries) {
        const c = el1Context();
        setEl1Entry(c, e.entry, e.sp, SPSR_EL1H | SPSR_DAIF_MASKED);
        this.secCtx.push(c);
      }
    } else {
      const c = el1Context();
      setEl1Entry(c, cfg.spmcEntry ?? 0n, 0n, SPSR_EL1H | SPSR_DAIF_MASKED);
      this.secCtx.push(c);
    }
  }

  /** Contexts, for tests and traces. */
  get nonSecureContext(): SavedContext { return this.nsCtx; }
  secureContext(slot = 0): SavedContext { return this.secCtx[slot]!; }

  // =============================================================================================
  // Boot (TF-A spmd_init / spmd_spm_core_sync_entry; EL3 SPMC sp_init)
  // =============================================================================================

  /**
   * Boot the secure world: prepare the ERET into the S-EL1 SPMC's entry (it answers FFA_MSG_WAIT when
   * ready), or, for the EL3 SPMC, into the first partition's entry. The caller ERETs.
   */
  boot(): void {
    const s = this.host.s;
    this.state = SpmcState.OnPending;
    setScr(s, true, this.placement === 'el3');
    if (this.placement === 's-el1') {
      this.secCtx[0]!.restore(s, 0);
      return;
    }
    this.initSlot = 0;
    this.el3InitNext();
  }

  /** EL3 SPMC: start the next partition's initialisation, or enter the Normal world. */
  private el3InitNext(): void {
    const core = this.core!, s = this.host.s;
    this.initSlot++;
    if (this.initSlot <= core.partitionCount) {
      const slot = this.initSlot;
      core.beginInit(slot);
      this.secCtx[slot]!.restore(s, 0);
      setScr(s, true, true);
      this.current = slot;
      return;
    }
    this.state = SpmcState.On;
    this.current = NWD;
    this.host.enterNormalWorldFirst();
  }

  // =============================================================================================
  // SMC handling
  // =============================================================================================

  handle(call: SmcCall): Exit {
    if (this.placement === 'el3') {
      // TF-A spmd_ffa_smc_handler: with an EL3 SPMC, secure callers go straight to the SPMC.
      if (call.secure) return this.el3FromPartition();
      return this.fromNormalWorld(call);
    }
    return call.secure ? this.fromSecureSel1(call) : this.fromNormalWorld(call);
  }

  /** TF-A spmd_ffa_error_return: FFA_ERROR, w2 = code, w1 and w3-w7 zero (x8-x17 untouched). */
  private error(code: number): Exit {
    const s = this.host.s;
    s[0] = FFA_ERROR | 0; s[1] = 0; s[2] = 0; s[3] = 0; s[4] = code; s[5] = 0;
    for (let i = 6; i < 16; i++) s[i] = 0;
    return Exit.Return;
  }

  private success(w2: number): Exit {
    const s = this.host.s;
    s[0] = FFA_SUCCESS | 0; s[1] = 0; s[2] = 0; s[3] = 0; s[4] = w2; s[5] = 0;
    for (let i = 6; i < 16; i++) s[i] = 0;
    return Exit.Return;
  }

  /** A call from the Normal world (spmd_smc_handler, secure_origin = false). */
  private fromNormalWorld(call: SmcCall): Exit {
    const s = this.host.s, fid = call.fid;
    // "Once the caller invokes any FF-A ABI other than FFA_VERSION, the version negotiation phase is
    // complete" (spmd_set_version_negotiated; v1.2 §13.2.2). Under 'spec' and 'hafnium' the SPMC
    // learns it too, also for calls the SPMD answers itself; TF-A's SPMD keeps it to itself, so its
    // EL3 SPMC closes the NWd's phase only on calls that reach spmc_smc_handler (FFA_ID_GET and
    // FFA_SPM_ID_GET do not: spmd_smc_handler answers them).
    if (fid !== FFA_VERSION) {
      this.nsNegotiated = true;
      if (this.core !== null && this.policy !== 'tf-a') this.core.closeNwdNegotiation();
    }
    switch (fid) {
      case FFA_VERSION: return this.nwdVersion(call);
      case FFA_ID_GET:
        // The NS physical instance's ID is 0 (v1.1 §13.? FFA_ID_GET; FFA_NS_ENDPOINT_ID).
        return this.success(FFA_HOST_ID);
      case FFA_SPM_ID_GET:
        // v1.1 ABI: NOT_SUPPORTED from a v1.0 SPMC, and (spec, Hafnium) to a NWd that negotiated v1.0.
        if (this.spmcVersion < FFA_VERSION_1_1) return this.error(FFA_RET_NOT_SUPPORTED);
        if (this.policy !== 'tf-a' && this.nsVersion < FFA_VERSION_1_1) return this.error(FFA_RET_NOT_SUPPORTED);
        return this.success(this.spmcId);
      // Secure-world-only ABIs called from the NWd (spmd_smc_handler): NOT_SUPPORTED.
      case FFA_MSG_WAIT: case FFA_INTERRUPT: case FFA_YIELD:
      case FFA_CONSOLE_LOG: case FFA_CONSOLE_LOG_64: case FFA_EL3_INTR_HANDLE:
      case FFA_ABORT: case FFA_ABORT_64: case FFA_SECONDARY_EP_REGISTER_64:
        return this.error(FFA_RET_NOT_SUPPORTED);
      case FFA_NORMAL_WORLD_RESUME:
        // A secure physical instance ABI (SPMC -> SPMD): NOT_SUPPORTED elsewhere (ffa-abi.md 5.2).
        // TF-A's SPMD answers DENIED whenever no secure interrupt is being handled.
        return this.error(this.policy === 'tf-a' ? FFA_RET_DENIED : FFA_RET_NOT_SUPPORTED);
      case FFA_MSG_SEND_DIRECT_REQ2:
      case FFA_MSG_SEND_DIRECT_RESP2:
      case FFA_MSG_SEND_DIRECT_REQ:
      case FFA_MSG_SEND_DIRECT_REQ_64:
        // TF-A: DIRECT_REQ2/RESP2 need v1.2 on both sides (get_common_ffa_version) -> NOT_SUPPORTED.
        if ((fid === FFA_MSG_SEND_DIRECT_REQ2 || fid === FFA_MSG_SEND_DIRECT_RESP2) && this.policy === 'tf-a' &&
          Math.min(this.nsVersion, this.spmcNwdVersion) < V12) return this.error(FFA_RET_NOT_SUPPORTED);
        // A Non-secure caller cannot name a secure sender (TF-A: "Validate source endpoint is
        // non-secure for non-secure caller") -> INVALID_PARAMETERS.
        if (fid !== FFA_MSG_SEND_DIRECT_RESP2 && (s[2]! & 0x80000000) !== 0) return this.error(FFA_RET_INVALID_PARAMETERS);
        break;
      case FFA_PARTITION_INFO_GET_REGS:
        // Only with SMCCC v1.2+ (x8-x17 carry the results; TF-A checks its SMCCC version).
        if (this.cfg.spmc.smcccVersion < 0x10002) return this.error(FFA_RET_NOT_SUPPORTED);
        break;
      default:
        if (!isForwardedFromNwd(fid)) return this.error(FFA_RET_NOT_SUPPORTED);
    }
    return this.forwardFromNwd(call);
  }

  /** FFA_VERSION from the NWd (spmd_smc_handler case FFA_VERSION). */
  private nwdVersion(call: SmcCall): Exit {
    const s = this.host.s;
    const req = s[2]! >>> 0;
    // Bit 31 MBZ -> NOT_SUPPORTED, returned in w0 (x0 = 0xFFFFFFFF, x1-x7 = 0).
    if ((req & 0x80000000) !== 0 || (this.placement === 's-el1' && this.state !== SpmcState.On)) {
      return retVersion(s, 0xffffffff);
    }
    if (!this.nsNegotiated) this.nsVersion = req;
    if (this.placement === 'el3') {
      // The EL3 SPMC handles it directly (no framework message).
      this.spmcNwdVersion = this.spmcVersion;
      return this.el3FromNwd();
    }
    if (this.spmcVersion === FFA_VERSION_1_0) {
      // A v1.0 SPMC predates the framework message: the SPMD answers with its version.
      this.spmcNwdVersion = FFA_VERSION_1_0;
      return retVersion(s, FFA_VERSION_1_0);
    }
    // Build the framework request to the SPMC: DIRECT_REQ_32 from 0xFFFF, w2 = bit 31 | 8, w3 = the
    // requested version; the NS x8-x17 stay as they are for the answer.
    this.saveNs();
    const m = this.msg;
    m.fill(0);
    m[0] = FFA_MSG_SEND_DIRECT_REQ | 0;
    m[2] = (FFA_SPMD_ID << 16) | this.spmcId;
    m[4] = (FFA_FWK_MSG_BIT | FFA_FWK_MSG_VERSION_REQ) | 0;
    m[6] = req | 0;
    // a64el extension (docs/ffa-policies.md); TF-A's SPMD sends 0 here.
    m[8] = this.nsNegotiated && this.policy !== 'tf-a' ? SPMD_VERSION_FLAG_NEGOTIATED : 0;
    this.versionPending = true;
    this.switchTo(false, 8, false);
    return Exit.Switched;
  }

  /** Forward a NWd call to the secure world (spmd_smc_forward -> spmd_smc_switch_state). */
  private forwardFromNwd(call: SmcCall): Exit {
    if (this.placement === 'el3') return this.el3FromNwd();
    if (this.state !== SpmcState.On) return this.error(FFA_RET_NOT_SUPPORTED);
    const n = this.transferCount(call, this.nsVersion, this.spmcNwdVersion);
    this.switchWithMessage(false, call, n, this.nsVersion < V12);
    return Exit.Switched;
  }

  /**
   * Registers that cross a world switch (spmd_smc_switch_state): x0-x7, or x0-x17 for an SMC64 call
   * when the destination speaks v1.2 (x8-x17 then zero if the source does not).
   */
  private transferCount(call: SmcCall, versionIn: number, versionOut: number): number {
    void versionIn;
    return call.smc64 && versionOut >= V12 ? 18 : 8;
  }

  private saveNs(): void { this.nsCtx.save(this.host.s); }

  /**
   * Switch to the other world carrying the caller's x0..x(n-1) (spmd_smc_switch_state): the caller's
   * context is saved and the destination's restored in one pass (context.ts switchTo); the live
   * x0..x(n-1) are the message, so the destination's context is restored around them and the message is fixed up in place: x0 = the FID (hint cleared), SMC32
   * calls get the top halves of x1-x4 cleared (TF-A std_svc_smc_handler; x5-x7 pass as they are), and
   * x8-x17 are zero when the source does not speak v1.2.
   */
  private switchWithMessage(toNs: boolean, call: SmcCall, n: number, zeroExtended: boolean): void {
    const s = this.host.s;
    if (toNs) this.secCtx[0]!.switchTo(s, this.nsCtx, n);
    else this.nsCtx.switchTo(s, this.secCtx[0]!, n);
    s[0] = call.fid | 0; s[1] = 0;
    // TF-A std_svc_smc_handler clears the top halves of x1-x4 for SMC32 calls (x5-x7 pass as they are).
    if (!call.smc64) { s[3] = 0; s[5] = 0; s[7] = 0; s[9] = 0; }
    if (n === 18 && zeroExtended) for (let i = 16; i < 36; i++) s[i] = 0;
    setScr(s, !toNs, false);
    this.switches++;
    this.host.charge(this.host.costs.worldSwitch);
  }

  /**
   * Switch to the other world: restore its context, place the n message registers, flip SCR_EL3.NS.
   * `toNs`: destination is the Normal world; otherwise the secure context 0 (S-EL1 SPMC).
   */
  private switchTo(toNs: boolean, n: number, saveSecure: boolean): void {
    const s = this.host.s;
    if (saveSecure) this.secCtx[0]!.save(s);
    (toNs ? this.nsCtx : this.secCtx[0]!).restore(s, 0);
    const m = this.msg;
    for (let i = 0; i < 2 * n; i++) s[i] = m[i]!;
    setScr(s, !toNs, false);
    this.switches++;
    this.host.charge(this.host.costs.worldSwitch);
  }

  /** A call from the S-EL1 SPMC (spmd_smc_handler, secure_origin = true). */
  private fromSecureSel1(call: SmcCall): Exit {
    const s = this.host.s, fid = call.fid;
    if (this.state === SpmcState.OnPending) {
      // First FFA_MSG_WAIT: the SPMC initialised (spmd_spm_core_sync_exit(0)); FFA_ERROR: it failed.
      if (fid === FFA_MSG_WAIT || fid === FFA_ERROR) {
        this.state = fid === FFA_MSG_WAIT ? SpmcState.On : SpmcState.Failed;
        this.secCtx[0]!.save(s);
        this.host.enterNormalWorldFirst();
        this.switches++;
        this.host.charge(this.host.costs.worldSwitch);
        return Exit.Switched;
      }
    }
    if (this.versionPending) {
      // The SPMC's answer to the FFA_VERSION framework request: w0 = DIRECT_RESP_32 from the SPMC to
      // 0xFFFF with w2 = bit 31 | 9; the version is w3 (anything else: NOT_SUPPORTED).
      const isResp = fid === FFA_MSG_SEND_DIRECT_RESP && s[2] === ((this.spmcId << 16) | FFA_SPMD_ID);
      if (isResp || fid === FFA_ERROR) {
        this.versionPending = false;
        let v = 0xffffffff;
        if (isResp && s[4] === ((FFA_FWK_MSG_BIT | FFA_FWK_MSG_VERSION_RESP) | 0)) {
          v = s[6]! >>> 0;
          if ((v & 0x80000000) === 0) this.spmcNwdVersion = v;
        }
        // x0 = the version, x1-x7 = 0, NS x8-x17 untouched (restored with the NS context).
        const m = this.msg;
        m.fill(0, 0, 16);
        m[0] = v | 0;
        this.switchTo(true, 8, true);
        return Exit.Switched;
      }
    }
    switch (fid) {
      case FFA_VERSION:
        // A secure caller gets the SPMD's own version.
        return retVersion(s, this.spmcVersion);
      case FFA_ID_GET:
        return this.success(this.spmcId);
      case FFA_SPM_ID_GET:
        return this.success(FFA_SPMD_ID);
      case FFA_FEATURES: {
        // From the SPMC: a no-op SUCCESS echoing x1-x7 (TF-A).
        s[0] = FFA_SUCCESS | 0; s[1] = 0;
        return Exit.Return;
      }
      case FFA_MSG_SEND_DIRECT_REQ:
      case FFA_MSG_SEND_DIRECT_REQ_64:
      case FFA_MSG_SEND_DIRECT_REQ2:
        // The SPMC may not send a direct request to the SPMD (spmd_is_spmc_message) -> DENIED.
        if (s[2] === ((this.spmcId << 16) | FFA_SPMD_ID)) return this.error(FFA_RET_DENIED);
        break;
      case FFA_MSG_SEND_DIRECT_RESP:
      case FFA_MSG_SEND_DIRECT_RESP_64:
      case FFA_MSG_SEND_DIRECT_RESP2:
      case FFA_ERROR: case FFA_SUCCESS: case FFA_SUCCESS_64:
      case FFA_MSG_WAIT: case FFA_INTERRUPT: case FFA_YIELD:
      case FFA_MSG_SEND: case FFA_MEM_RETRIEVE_RESP: case FFA_MEM_FRAG_RX: case FFA_MEM_FRAG_TX:
        break;
      default:
        // Normal-world-only ABIs, CONSOLE_LOG and unknown IDs from the secure side: NOT_SUPPORTED.
        return this.error(FFA_RET_NOT_SUPPORTED);
    }
    const n = this.transferCount(call, this.spmcNwdVersion, this.nsVersion);
    this.switchWithMessage(true, call, n, this.spmcNwdVersion < V12);
    return Exit.Switched;
  }

  // =============================================================================================
  // EL3 SPMC placement
  // =============================================================================================

  /** A NWd call for the EL3 SPMC: save the NWd context, dispatch, deliver. */
  private el3FromNwd(): Exit {
    this.nsCtx.save(this.host.s);
    this.current = NWD;
    return this.el3Route(this.core!.dispatch(NWD), true);
  }

  /** A partition's SMC: save its context, dispatch, deliver. */
  private el3FromPartition(): Exit {
    const slot = this.current;
    if (slot <= 0) throw new Error('EL3 SPMC: secure SMC with no partition running');
    this.secCtx[slot]!.save(this.host.s);
    return this.el3Route(this.core!.dispatch(slot), false);
  }

  /** An interrupt taken to EL3 while a partition ran (SCR_EL3.IRQ/FIQ = 1 in the secure world). */
  onInterrupt(): Exit {
    const slot = this.current;
    if (this.placement !== 'el3' || slot <= 0) throw new Error('SPMD: unexpected interrupt at EL3');
    this.secCtx[slot]!.save(this.host.s);
    return this.el3Route(this.core!.preempt(slot), false);
  }

  /** A partition fault reflected to EL3 (none are routed here today; kept for SCR_EL3.EA setups). */
  private el3Route(dest: number, fromNwd: boolean): Exit {
    const s = this.host.s, core = this.core!;
    if (dest === DEST_INIT_NEXT) {
      this.el3InitNext();
      this.host.charge(this.host.costs.worldSwitch);
      return Exit.Switched;
    }
    if (dest === this.current) return Exit.Return;
    if (dest === NWD) {
      // Partition -> NWd: x0-x7, or x0-x17 for SMC64 messages when the NWd speaks v1.2.
      const fid = s[0]! >>> 0;
      const n = (fid & 0x40000000) !== 0 && this.nsVersion >= V12 ? 18 : 8;
      const m = this.msg;
      for (let i = 0; i < 2 * n; i++) m[i] = s[i]!;
      this.nsCtx.restore(s, 0);
      for (let i = 0; i < 2 * n; i++) s[i] = m[i]!;
    } else {
      // -> a partition: its context, then the message the dispatcher composed (x0-x17), or nothing
      // for a preempted partition resumed by FFA_RUN.
      this.secCtx[dest]!.restore(s, core.resumeFull ? 0 : 18);
    }
    setScr(s, dest !== NWD, true);
    // Every change of context costs a save and a restore of EL1 state.
    void fromNwd;
    this.switches++;
    this.host.charge(this.host.costs.worldSwitch);
    this.current = dest;
    return Exit.Switched;
  }

  // =============================================================================================
  // Snapshots (machine/snapshot.ts; cold path)
  // =============================================================================================

  saveTo(w: StateWriter): void {
    w.str(this.placement); w.f64(this.spmcVersion); w.f64(this.spmcId); w.str(this.policy);
    w.u8(this.state); this.nsCtx.saveTo(w);
    w.u32(this.secCtx.length); for (const c of this.secCtx) c.saveTo(w);
    w.f64(this.nsVersion); w.bool(this.nsNegotiated); w.f64(this.spmcNwdVersion); w.bool(this.versionPending);
    w.f64(this.current); w.f64(this.initSlot); w.i32s(this.msg); w.f64(this.switches);
    w.bool(this.core !== null);
    if (this.core !== null) this.core.saveTo(w);
  }

  readFrom(r: StateReader): () => void {
    r.cfgStr('spmd placement', this.placement); r.cfgNum('spmd spmcVersion', this.spmcVersion);
    r.cfgNum('spmd spmcId', this.spmcId); r.cfgStr('spmd policy', this.policy);
    const state = r.u8('spmd state');
    if (state > SpmcState.Failed) throw new SnapshotError('INVALID', `${r.component}: spmd state ${state} is not an SPMC state`);
    const ns = this.nsCtx.readFrom(r, 'spmd non-secure context');
    r.cfgU32('spmd secure contexts', this.secCtx.length);
    const sec = this.secCtx.map((c, i) => c.readFrom(r, `spmd secure context ${i}`));
    const nsVersion = r.f64('nsVersion'), nsNegotiated = r.bool('nsNegotiated'), spmcNwdVersion = r.f64('spmcNwdVersion');
    const versionPending = r.bool('versionPending'), current = r.f64('spmd current'), initSlot = r.f64('spmd initSlot');
    const msg = r.i32s('spmd msg', this.msg.length), switches = r.f64('switches');
    r.cfgBool('EL3 SPMC core', this.core !== null);
    const core = this.core === null ? null : this.core.readFrom(r);
    return () => {
      this.state = state as SpmcState; ns(); for (const c of sec) c();
      this.nsVersion = nsVersion; this.nsNegotiated = nsNegotiated; this.spmcNwdVersion = spmcNwdVersion;
      this.versionPending = versionPending; this.current = current; this.initSlot = initSlot; this.msg.set(msg);
      this.switches = switches;
      if (core !== null) core();
    };
  }
}

/** FFA_VERSION's answer form: the value in w0 (zero-extended), x1-x7 zero (SMC_RET8). */
function retVersion(s: Int32Array, v: number): Exit {
  s[0] = v | 0; s[1] = 0;
  for (let i = 2; i < 16; i++) s[i] = 0;
  return Exit.Return;
}

/** The FF-A IDs TF-A's SPMD forwards from the NWd (the `nw_only_forward` and `forward_to_other_world` cases). */
function isForwardedFromNwd(fid: number): boolean {
  switch (fid) {
    case FFA_ERROR: case FFA_SUCCESS: case FFA_SUCCESS_64: case FFA_FEATURES:
    case FFA_MSG_SEND_DIRECT_RESP: case FFA_MSG_SEND_DIRECT_RESP_64:
    case FFA_RX_RELEASE: case FFA_RXTX_MAP: case FFA_RXTX_MAP_64: case FFA_RXTX_UNMAP:
    case FFA_PARTITION_INFO_GET: case FFA_RUN: case FFA_MSG_SEND:
    case FFA_NOTIFICATION_BITMAP_CREATE: case FFA_NOTIFICATION_BITMAP_DESTROY: case FFA_NOTIFICATION_BIND:
    case FFA_NOTIFICATION_UNBIND: case FFA_NOTIFICATION_SET: case FFA_NOTIFICATION_GET:
    case FFA_NOTIFICATION_INFO_GET: case FFA_NOTIFICATION_INFO_GET_64: case FFA_MSG_SEND2:
    case FFA_RX_ACQUIRE: case FFA_NS_RES_INFO_GET:
    case FFA_MEM_DONATE: case FFA_MEM_DONATE_64: case FFA_MEM_LEND: case FFA_MEM_LEND_64:
    case FFA_MEM_SHARE: case FFA_MEM_SHARE_64: case FFA_MEM_RETRIEVE_REQ: case FFA_MEM_RETRIEVE_REQ_64:
    case FFA_MEM_RETRIEVE_RESP: case FFA_MEM_RELINQUISH: case FFA_MEM_RECLAIM:
    case FFA_MEM_FRAG_TX: case FFA_MEM_FRAG_RX: case FFA_MEM_OP_PAUSE: case FFA_MEM_OP_RESUME:
      return true;
    default:
      return false;
  }
}

/**
 * SCR_EL3 for the world about to run: NS, and with the EL3 SPMC, IRQ/FIQ routed to EL3 while a
 * partition runs (TF-A routes Non-secure interrupts taken in the secure world to EL3 so the SPMC can
 * preempt the partition, `spmc_setup` interrupt routing model); the Normal world keeps them.
 */
function setScr(s: Int32Array, secure: boolean, routeIrqToEl3: boolean): void {
  let scr = s[SCR_EL3]!;
  scr = secure ? scr & ~SCR_NS : scr | SCR_NS;
  scr = secure && routeIrqToEl3 ? scr | SCR_IRQ | SCR_FIQ : scr & ~(SCR_IRQ | SCR_FIQ);
  s[SCR_EL3] = scr;
}

/** Initial EL1 context: ELR_EL3 = entry, SPSR_EL3, SP_EL1 = sp, SCTLR_EL1 at reset. */
function setEl1Entry(c: SavedContext, entry: bigint, sp: bigint, spsr: number): void {
  const pc = BigInt.asUintN(64, entry), st = BigInt.asUintN(64, sp);
  c.set64(ELR_EL + 6, Number(pc & 0xffffffffn) | 0, Number(pc >> 32n) | 0);
  c.set64(SPSR_EL + 6, spsr, 0);
  c.set64(SP_EL + 2, Number(st & 0xffffffffn) | 0, Number(st >> 32n) | 0);
  c.set64(SCTLR_EL + 2, SCTLR_EL1_RESET, 0);
}

