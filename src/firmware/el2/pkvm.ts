/**
 * pKVM at EL2 as a native component: the code on VBAR_EL2 for the non-secure world. It models Linux's
 * nVHE protected-mode hypervisor where the FF-A proxy and the host SMC/HVC traps live
 * (arch/arm64/kvm/hyp/nvhe/{hyp-main.c, ffa.c, psci-relay.c, mem_protect.c, setup.c}; behaviour spec:
 * /work/shared/reference/pkvm-ffa.md, cited below as "ref §n"). No Linux code is copied; every rule
 * is restated from reading it.
 *
 * Life cycle, driven by real exceptions only:
 *  1. Stub (boot -> `kvm_arm_init`): the world builder enters the NS world at EL2 at `entryAddress`;
 *     `onResume(SITE_ENTRY)` does what Linux's EL2 stub boot does (HCR_EL2 = RW, TSC clear, VBAR_EL2 =
 *     this component) and ERETs to the host at NS-EL1. Host SMCs are not trapped (TSC=0) and reach EL3
 *     directly; host HVCs are stub calls.
 *  2. `__pkvm_init` (host HVC, x0 = 0xC6000001): host stage 2 prepared (stage2.ts: NS DRAM host-owned,
 *     the hyp carve-out at the top of DRAM hyp-owned), `hyp_ffa_init` (one FFA_VERSION(1.2) SMC to EL3,
 *     ref §3.1), then HCR_EL2 = RW|TSC: host SMCs trap to EL2 from here on (ref §2 "When it takes
 *     effect"). Reply x0 = SMCCC_RET_SUCCESS, x1 = the init result.
 *  3. Protected: `handle_trap` (ref §2): HVC -> KVM host hypercalls; SMC -> handle_host_smc (imm16 and
 *     upper-bit checks, PSCI relay, FF-A proxy, else forward with x0-x17 unchanged; ELR_EL2 += 4);
 *     Data/Instruction Abort from the host -> handle_host_mem_abort.
 *  4. `__pkvm_prot_finalize` (x0 = 0xC6000007): host stage 2 enforced: `bus.stage2Check` faults host
 *     accesses to pages it does not own (stage-2 Translation fault, EC 0x24 to EL2) and privileged
 *     hypercalls are closed.
 *
 * Hot path: an FF-A call pKVM passes through (FFA_MSG_SEND_DIRECT_REQ_64 once negotiated, ...) and every
 * other forwarded SMC is a tail call: `issueTail(SMC #0, SITE_FORWARD)` with x0-x17 untouched; EL3's reply
 * arrives at `onResume(SITE_FORWARD + 4)` which does ELR_EL2 += 4 and ERET. That path allocates nothing
 * (integer keys, preallocated tables, no closures/objects/BigInt). Cold paths (RXTX_MAP, PARTITION_INFO_GET,
 * MEM_*, FFA_VERSION, PSCI) save the host's x0-x30 first (the same physical registers the nested SMC uses,
 * as the real hyp keeps them in its host context), make nested `call()`s to EL3, then compose the reply.
 *
 * Two Linux snapshots differ (ref §0, §2): `snapshot: 'newest'` (default; intel-lab-lkp 111ef63a ffa.c,
 * 0116a081 hyp-main.c, a1799ebd mem_protect.c) rejects SMC imm16 != 0 and non-zero x0[63:32], refuses
 * FFA_MSG_SEND_DIRECT_RESP_64, tests FF-A NOT_SUPPORTED as (s32)x0 == -1 and injects an abort into the
 * host on an illegal host access; `'mainline'` (torvalds 24035886 mem_protect.c, older hyp-main.c) has
 * none of those checks, compares the full u64 x0 with -1 and BUG()s (hyp_panic) on an illegal access.
 * Both zero x1-x17 of the replies pKVM composes (the mainline snapshot returns stack garbage there).
 */
import * as L from '../../state/layout.js';
import { StopReason } from '../../exec/context.js';
import { type NativePlatform, NativeComponent, smcWord } from '../component.js';
import { stage2Fault } from '../../memory/bus.js';
import { DRAM_BASE } from '../../memory/map.js';
import { EINVAL, EOPNOTSUPP, EPERM, HostStage2, PAGE_SIZE, PAGE_STATE_NAMES, PageState } from '../../memory/stage2.js';
import { type SnapshotState, type StateReader, type StateWriter, loadPart, savePart } from '../../state/snapshot-codec.js';
import {
  FFA_ERROR, FFA_FEATURES, FFA_ID_GET, FFA_MEM_DONATE, FFA_MEM_DONATE_64, FFA_MEM_FRAG_RX, FFA_MEM_FRAG_TX,
  FFA_MEM_LEND, FFA_MEM_LEND_64, FFA_MEM_OP_PAUSE, FFA_MEM_OP_RESUME, FFA_MEM_RECLAIM, FFA_MEM_RELINQUISH,
  FFA_MEM_RETRIEVE_REQ, FFA_MEM_RETRIEVE_REQ_64, FFA_MEM_RETRIEVE_RESP, FFA_MEM_SHARE, FFA_MEM_SHARE_64,
  FFA_MSG_POLL, FFA_MSG_SEND, FFA_MSG_SEND_DIRECT_REQ, FFA_MSG_SEND_DIRECT_REQ2, FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_MSG_SEND_DIRECT_RESP, FFA_MSG_SEND_DIRECT_RESP2, FFA_MSG_SEND_DIRECT_RESP_64, FFA_MSG_WAIT,
  FFA_NOTIFICATION_BIND, FFA_NOTIFICATION_BITMAP_CREATE, FFA_NOTIFICATION_BITMAP_DESTROY, FFA_NOTIFICATION_GET,
  FFA_NOTIFICATION_INFO_GET, FFA_NOTIFICATION_SET, FFA_NOTIFICATION_UNBIND, FFA_PARTITION_INFO_GET,
  FFA_PARTITION_INFO_GET_REGS, FFA_RET_ABORTED, FFA_RET_BUSY, FFA_RET_DENIED, FFA_RET_INVALID_PARAMETERS,
  FFA_RET_NO_MEMORY, FFA_RET_NOT_SUPPORTED, FFA_RX_RELEASE, FFA_RXTX_MAP, FFA_RXTX_MAP_64, FFA_RXTX_UNMAP,
  FFA_SUCCESS, FFA_VERSION, FFA_VERSION_1_0, FFA_VERSION_1_2, FFA_CONSOLE_LOG, SMCCC_NOT_SUPPORTED,
  PSCI_AFFINITY_INFO_64, PSCI_CPU_OFF, PSCI_CPU_ON_64, PSCI_CPU_SUSPEND_64, PSCI_FEATURES,
  PSCI_MIGRATE_64, PSCI_MIGRATE_INFO_TYPE, PSCI_MIGRATE_INFO_UP_CPU_64, PSCI_SET_SUSPEND_MODE,
  PSCI_SYSTEM_OFF, PSCI_SYSTEM_OFF2, PSCI_SYSTEM_OFF2_64, PSCI_SYSTEM_RESET, PSCI_SYSTEM_RESET2_64,
  PSCI_SYSTEM_SUSPEND_64, PSCI_VERSION, PSCI_RET_ALREADY_ON, PSCI_RET_INVALID_PARAMETERS, PSCI_RET_NOT_SUPPORTED,
} from '../../ffa/abi.js';
import {
  FFA_MBOX_PAGES, FFA_DESC_BUF_PAGES, HCR_PROTECTED, HCR_STUB, HCR_TSC, HCR_VM, HVC_STUB_ERR,
  HVC_STUB_HCALL_NR, HYP_CARVEOUT_PAGES, KVM_HCALL_MIN_PKVM, KVM_HCALL_PKVM_INIT, KVM_HCALL_PKVM_PROT_FINALIZE,
  KVM_HOST_SMCCC_BASE, SITE_CALL, SITE_CPU_ENTRY, SITE_CPU_RESUME, SITE_ENTRY, SITE_FORWARD, SITE_PANIC,
  SPSR_EL1H_DAIF,
} from './consts.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { ELR_EL, ESR_EL, FAR_EL, HCR_EL2, HPFAR_EL2, MPIDR_EL1, PSTATE_DAIF, PSTATE_EL, SCTLR_EL, SPSR_EL,
  VBAR_EL, VTTBR_EL2 } = L;

export * from './consts.js';

// ---------------------------------------------------------------------------------------------
// Options and reports
// ---------------------------------------------------------------------------------------------

export interface PkvmOptions {
  /**
   * FFA_MSG_SEND_DIRECT_REQ (32/64) before the host negotiated its FF-A version (ref §7(c)):
   * 'reject' (upstream: the gate answers INVALID_PARAMETERS) or 'forward' (the RFC's question: the
   * request passes the gate and goes to the SPMC). DIRECT_REQ2 is never forwarded: the gate's -2 with
   * 'reject', NOT_SUPPORTED (-1) from the deny list with 'forward'.
   */
  directReqBeforeVersion?: 'reject' | 'forward';
  /** kvm_host_psci_config.smccc_version (what the host found at boot); below 1.2 `hyp_ffa_init` stays inert. */
  hostSmcccVersion?: number;
  /** kvm_host_psci_config.version: selects the PSCI relay's function set (0.2 or 1.x; default 1.1). */
  psciVersion?: number;
  /** Which Linux snapshot to follow where they differ (see the file comment). Default 'newest'. */
  snapshot?: 'newest' | 'mainline';
  /** An illegal host access after finalisation: inject an abort into the host, or hyp_panic. Default per snapshot. */
  hostMemAbort?: 'inject' | 'panic';
  /** The host's NS-EL1 entry point the stub boot ERETs to (or call setHostEntry). */
  hostEntry?: bigint;
  /** SPSR for that ERET (default EL1h, DAIF masked). */
  hostSpsr?: number;
}

export interface PkvmHostBuffers { tx: number; rx: number; pages: number }

/** What the hypervisor believes, for reports and scenario (a)/(b)/(c) comparisons (ref §8 item 12). */
export interface PkvmBeliefs {
  mode: 'stub' | 'protected';
  /** `__pkvm_init` succeeded (TSC trap live). */
  initialised: boolean;
  /** `__pkvm_prot_finalize` ran (host stage 2 enforced). */
  finalised: boolean;
  /** hyp_ffa_version (0 when hyp_ffa_init left the proxy inert). */
  hypFfaVersion: number;
  /** has_version_negotiated. */
  negotiated: boolean;
  /** The version word of the host's FFA_VERSION that completed negotiation (null before). */
  hostVersion: number | null;
  /** host_buffers: the host's TX/RX PAs pKVM pinned (null when none). */
  hostBuffers: PkvmHostBuffers | null;
  /** The hyp mailbox is mapped at the SPMC (RXTX_MAP to EL3 succeeded and was not unmapped since). */
  hypMailboxRegistered: boolean;
  /** hyp_buffers: the hyp's own TX/RX (null while hyp_ffa_init has not set them up). */
  hypMailbox: { tx: number; rx: number } | null;
  /** HCR_EL2.TSC as pKVM left it: host SMCs trap to EL2. */
  trapsHostSmc: boolean;
  /** The policy for DIRECT_REQ before negotiation. */
  directReqBeforeVersion: 'reject' | 'forward';
  /** Host pages in a shared state (SHARED_OWNED or SHARED_BORROWED), as PAs. */
  protectedPages: number[];
  /** The hyp carve-out (host NOPAGE, hyp OWNED). */
  carveOut: { base: number; pages: number } | null;
  /** hyp_panic happened (why), or null. */
  panic: string | null;
}

/** Counters (plain numbers; incrementing them allocates nothing). */
export interface PkvmStats {
  hostSmcTraps: number;
  hostHvcs: number;
  forwarded: number;
  ffaHandled: number;
  gateRejects: number;
  hostAborts: number;
  nestedSmcs: number;
}

/** A record of one SMC pKVM itself issued to EL3 (cold paths only). */
export interface HypSmcRecord { x0: number; x1: bigint; x2: bigint; x3: bigint; result: number }

// ---------------------------------------------------------------------------------------------
// FF-A dispatch keys: (bits [31:24] << 8) | bits [7:0] of an FF-A function ID whose bits [23:8] are 0
// (bit 16, the SMCCC hint, is cleared first). Small integers, so the hot path compares Smis.
// ---------------------------------------------------------------------------------------------

function key(id: number): number { return ((id >>> 24) << 8) | (id & 0xff); }
const K_VERSION = key(FFA_VERSION);
const K_FEATURES = key(FFA_FEATURES);
const K_RXTX_MAP_64 = key(FFA_RXTX_MAP_64);
const K_RXTX_UNMAP = key(FFA_RXTX_UNMAP);
const K_PART_GET = key(FFA_PARTITION_INFO_GET);
const K_MEM_SHARE = key(FFA_MEM_SHARE);
const K_MEM_SHARE_64 = key(FFA_MEM_SHARE_64);
const K_MEM_LEND = key(FFA_MEM_LEND);
const K_MEM_LEND_64 = key(FFA_MEM_LEND_64);
const K_MEM_RECLAIM = key(FFA_MEM_RECLAIM);
const K_MEM_FRAG_TX = key(FFA_MEM_FRAG_TX);
const K_DIRECT_REQ = key(FFA_MSG_SEND_DIRECT_REQ);
const K_DIRECT_REQ_64 = key(FFA_MSG_SEND_DIRECT_REQ_64);
const K_DIRECT_RESP_64 = key(FFA_MSG_SEND_DIRECT_RESP_64);
const K_DIRECT_REQ2 = key(FFA_MSG_SEND_DIRECT_REQ2);

/**
 * ffa_call_supported() == false (ffa.c, newest snapshot): the IDs pKVM refuses with NOT_SUPPORTED,
 * both as calls and in FFA_FEATURES. The mainline snapshot lets FFA_MSG_SEND_DIRECT_RESP_64 through
 * (handled by a flag, not by this table).
 */
const DENIED_IDS: readonly number[] = [
  // Unsupported memory management calls
  FFA_MEM_RETRIEVE_REQ_64, FFA_MEM_RETRIEVE_RESP, FFA_MEM_RELINQUISH, FFA_MEM_OP_PAUSE, FFA_MEM_OP_RESUME,
  FFA_MEM_FRAG_RX, FFA_MEM_DONATE_64,
  // Indirect message passing via RX/TX buffers
  FFA_MSG_SEND, FFA_MSG_POLL, FFA_MSG_WAIT,
  // The host is never the target of a direct request (32-bit here; 64-bit per snapshot)
  FFA_MSG_SEND_DIRECT_RESP,
  // 32-bit variants of 64-bit calls
  FFA_RXTX_MAP, FFA_MEM_DONATE, FFA_MEM_RETRIEVE_REQ,
  // Optional notification interfaces (FF-A 1.1); the 64-bit INFO_GET is not listed, so it passes
  FFA_NOTIFICATION_BITMAP_CREATE, FFA_NOTIFICATION_BITMAP_DESTROY, FFA_NOTIFICATION_BIND,
  FFA_NOTIFICATION_UNBIND, FFA_NOTIFICATION_SET, FFA_NOTIFICATION_GET, FFA_NOTIFICATION_INFO_GET,
  // Optional FF-A 1.2 interfaces
  FFA_MSG_SEND_DIRECT_REQ2, FFA_MSG_SEND_DIRECT_RESP2, FFA_CONSOLE_LOG, FFA_PARTITION_INFO_GET_REGS,
];
const DENY = new Uint8Array(0x10000);
for (const id of DENIED_IDS) DENY[key(id)] = 1;

/** The 'exact' key of a 32-bit ID, or -1 when bits [23:8] are not zero (no FF-A constant matches it). */
function exactKey(id: number): number {
  return (id & 0x00ffff00) === 0 ? key(id) : -1;
}

const SMC0 = smcWord(0);
/** Bound on the report logs (hypSmcs keeps the most recent, the others the first). */
const LOG_LIMIT = 4096;
/** SPSR_ELx.SS (bit 21) and BTYPE (bits 11:10): cleared when pKVM skips an emulated SMC (ref §2). */
const SPSR_SKIP_CLEAR = ~((1 << 21) | (3 << 10));
/** ESR_ELx.S1PTW (bit 7): pKVM's mark on an abort it injects into the host (mem_protect.c). */
const ESR_S1PTW = 1 << 7;
const FFA_REGION_HDR_V1_0 = 32, FFA_REGION_HDR_V1_1 = 48;
const FFA_EMAD_V1_0 = 16, FFA_EMAD_V1_2 = 32;
const COMPOSITE_HDR = 16, CONSTITUENT = 16;
const MPIDR_HWID_MASK_LO = 0x00ffffff | 0, MPIDR_HWID_MASK_HI = 0xff;

/** Thrown (and caught in onException) when a nested SMC did not come back: the run stopped inside it. */
class NestedRunStopped extends Error {
  constructor(readonly reason: StopReason) { super(`pKVM nested SMC did not return (stop reason ${reason})`); }
}

// ---------------------------------------------------------------------------------------------
// The component
// ---------------------------------------------------------------------------------------------

export class Pkvm extends NativeComponent implements SnapshotState {
  readonly name = 'pkvm';
  readonly el = 2;
  readonly secure = false;

  /** Boot entry site: the world builder enters the NS world at EL2 here (`entryAddress`). */
  readonly entrySite = SITE_ENTRY;

  // ---- configuration ----
  private readonly forwardDirectReq: boolean;
  private readonly newest: boolean;
  private readonly injectAborts: boolean;
  private readonly hostSmcccVersion: number;
  private readonly psciVersion: number;
  private hostEntryLo = 0;
  private hostEntryHi = 0;
  private hostEntrySet = false;
  private readonly hostSpsr: number;

  // ---- hypervisor state (the beliefs) ----
  private protectedMode = false;            // __pkvm_init done: TSC live
  private protectedModeInitialized = false; // the host's static key kvm_protected_mode_initialized
  private finalised = false;                // __pkvm_prot_finalize ran (HCR_EL2.VM)
  private hypFfaVersion = 0;
  private negotiated = false;
  private hostVersion: number | null = null;
  private hypBuffersReady = false;
  private hostTx = -1;
  private hostRx = -1;
  private mailboxRegistered = false;
  private panicReason: string | null = null;
  private cpuOnLocked = false;
  private bootPcLo = 0; private bootPcHi = 0; private bootR0Lo = 0; private bootR0Hi = 0;

  /** Host page ownership (null until __pkvm_init). */
  stage2: HostStage2 | null = null;
  private carveBase = 0;
  private pgtPa = 0;
  private hypTxPa = 0;
  private hypRxPa = 0;
  private descPa = 0;
  private descLen = FFA_DESC_BUF_PAGES * PAGE_SIZE;
  private hypTx: Uint8Array = new Uint8Array(0);
  private hypRx: Uint8Array = new Uint8Array(0);
  private desc: Uint8Array = new Uint8Array(0);
  private hypTxView: DataView = new DataView(new ArrayBuffer(8));
  private hypRxView: DataView = new DataView(new ArrayBuffer(8));
  private descView: DataView = new DataView(new ArrayBuffer(8));

  // ---- scratch (preallocated) ----
  /** The saved host context: x0-x30 (62 words), as pKVM's kvm_cpu_context. */
  private readonly ctx = new Int32Array(62);
  private ctxElrLo = 0; private ctxElrHi = 0; private ctxSpsr = 0;
  /** The arm_smccc_1_2_regs result pKVM composes (x0-x17). */
  private readonly res = new Int32Array(36);
  /** Arguments and results of nested SMCs. */
  private readonly arg = new Int32Array(36);
  private readonly out = new Int32Array(36);
  private costHostSmc = 0;
  private costFfa = 0;
  private copyRate = 8;

  // ---- records for invariants and reports ----
  readonly stats: PkvmStats = { hostSmcTraps: 0, hostHvcs: 0, forwarded: 0, ffaHandled: 0, gateRejects: 0, hostAborts: 0, nestedSmcs: 0 };
  /** The SMCs pKVM issued to EL3 itself, in order (the most recent LOG_LIMIT). */
  readonly hypSmcs: HypSmcRecord[] = [];
  /** Every (TX, RX) pair pKVM passed to EL3 in FFA_RXTX_MAP. */
  readonly rxtxMapPas: { tx: number; rx: number; pages: number }[] = [];
  /** WARN_ON()s that fired and model guards that tripped (each is an invariant violation). */
  readonly warnings: string[] = [];

  constructor(opts: PkvmOptions = {}) {
    super();
    this.forwardDirectReq = (opts.directReqBeforeVersion ?? 'reject') === 'forward';
    this.newest = (opts.snapshot ?? 'newest') === 'newest';
    this.injectAborts = (opts.hostMemAbort ?? (this.newest ? 'inject' : 'panic')) === 'inject';
    this.hostSmcccVersion = opts.hostSmcccVersion ?? 0x10002;
    this.psciVersion = opts.psciVersion ?? 0x10001;
    this.hostSpsr = opts.hostSpsr ?? SPSR_EL1H_DAIF;
    if (opts.hostEntry !== undefined) {
      const e = BigInt.asUintN(64, opts.hostEntry);
      this.setHostEntry(Number(e & 0xffffffffn) | 0, Number(e >> 32n) | 0);
    }
  }

  /** The host's NS-EL1 entry point the stub boot ERETs to. */
  setHostEntry(pcLo: number, pcHi: number): void {
    this.hostEntryLo = pcLo | 0; this.hostEntryHi = pcHi | 0; this.hostEntrySet = true;
  }

  /** VBAR-style address of the boot entry (where the world builder starts the NS world at EL2). */
  get entryAddress(): bigint { return this.siteAddress(SITE_ENTRY); }

  override attach(p: NativePlatform): void {
    super.attach(p);
    const n = p.config.timing.native;
    this.costHostSmc = n.el2HostSmc;
    this.costFfa = n.el2FfaHandler;
    this.copyRate = n.copyBytesPerCycle > 0 ? n.copyBytesPerCycle : 8;
  }

  // -------------------------------------------------------------------------------------------
  // Entry points
  // -------------------------------------------------------------------------------------------

  onException(offset: number): void {
    if (offset !== 0x400) { this.hypPanic(`unexpected exception at VBAR_EL2 + 0x${offset.toString(16)}`); return; }
    const esr = this.s[ESR_EL + 4]!;
    const ec = esr >>> 26;
    if (!this.protectedMode && ec !== 0x16) { this.hypPanic(`EL2 stub: unexpected exception, EC 0x${ec.toString(16)}`); return; }
    try {
      switch (ec) {
        case 0x17: this.handleHostSmc(esr); return;           // SMC64 (trapped by TSC)
        case 0x16: this.handleHostHvc(); return;              // HVC64
        case 0x24: case 0x20: this.handleHostMemAbort(); return; // DABT_LOW / IABT_LOW
        default: this.hypPanic(`handle_trap: unexpected EC 0x${ec.toString(16)} (BUG)`); return;
      }
    } catch (e) {
      // A nested SMC did not come back (budget, exit, stop request): the run stops where it is.
      if (e instanceof NestedRunStopped) return;
      throw e;
    }
  }

  override onResume(pcLo: number): void {
    if (pcLo === SITE_FORWARD + 4) { this.exitSkip(); return; }        // hot: reply already in x0-x17
    switch (pcLo) {
      case SITE_ENTRY: this.stubBoot(); return;
      case SITE_CPU_ENTRY: case SITE_CPU_RESUME: this.psciCpuEntry(pcLo === SITE_CPU_ENTRY); return;
      case SITE_PANIC + 4: this.park(); return;
      case SITE_CALL + 4:
        this.hypPanic('a nested SMC returned after its run had been stopped: the cold-path continuation is lost');
        return;
    }
    super.onResume(pcLo);
  }

  /** Linux's EL2 stub boot: HCR_EL2 = RW (TSC clear), VBAR_EL2 = the stub (this), ERET to the host. */
  private stubBoot(): void {
    if (!this.hostEntrySet) throw new Error('pkvm: the host entry point is not set (setHostEntry or the hostEntry option)');
    const s = this.s;
    s[HCR_EL2] = HCR_STUB; s[HCR_EL2 + 1] = 0;
    s[VBAR_EL + 4] = 0; s[VBAR_EL + 5] = this.pcHi;
    s[ELR_EL + 4] = this.hostEntryLo; s[ELR_EL + 5] = this.hostEntryHi;
    s[SPSR_EL + 4] = this.hostSpsr; s[SPSR_EL + 5] = 0;
    this.eret();
  }

  // -------------------------------------------------------------------------------------------
  // handle_host_smc (hyp-main.c; ref §2) -- the hot path
  // -------------------------------------------------------------------------------------------

  private handleHostSmc(esr: number): void {
    const s = this.s;
    this.stats.hostSmcTraps++;
    this.charge(this.costHostSmc);
    if (this.newest) {
      // 1. imm16 != 0, 3. x0[63:32] != 0 (after clearing the hint): SMCCC_RET_NOT_SUPPORTED.
      if ((esr & 0xffff) !== 0 || s[1] !== 0) { s[0] = -1; s[1] = -1; this.exitSkip(); return; }
    } else if (s[1] !== 0) { this.forward(); return; }   // no PSCI/FF-A ID matches a wide x0
    const w0 = s[0]! & ~0x10000;                          // 2. clear ARM_SMCCC_CALL_HINTS
    const top = w0 >>> 24;
    if (top === 0x84 || top === 0xc4) {
      if ((w0 & 0x00ffffe0) === 0) { this.psciRelay(w0); return; }   // 4. PSCI 0x00-0x1F
      const fn = w0 & 0xffff;
      if (fn >= 0x60 && fn <= 0xff && this.ffaHandler(w0, (top << 8) | fn)) { this.exitSkip(); return; }  // 5.
    }
    this.forward();                                       // 6. default_host_smc_handler
  }

  /** __kvm_hyp_host_forward_smc as a tail call: x0-x17 go to EL3 as the host left them. */
  private forward(): void {
    this.stats.forwarded++;
    this.issueTail(SMC0, SITE_FORWARD);
  }

  /** kvm_skip_host_instr (ELR_EL2 += 4; SPSR_EL2.SS and BTYPE cleared), then back to the host. */
  private exitSkip(): void {
    this.skipInstruction();
    const s = this.s;
    s[SPSR_EL + 4] = s[SPSR_EL + 4]! & SPSR_SKIP_CLEAR;
    this.eret();
  }

  /** FFA_ERROR with a status: x0 = 0x84000060, x1 = 0, x2 = status sign-extended, x3-x17 = 0. */
  private writeFfaError(code: number): void {
    const s = this.s;
    s[0] = FFA_ERROR | 0; s[1] = 0; s[2] = 0; s[3] = 0;
    s[4] = code; s[5] = code < 0 ? -1 : 0;
    for (let i = 6; i < 36; i++) s[i] = 0;
  }

  /** FFA_SUCCESS with w2 = prop, everything else 0. */
  private writeFfaSuccess(prop: number): void {
    const s = this.s;
    s[0] = FFA_SUCCESS | 0; s[1] = 0; s[2] = 0; s[3] = 0; s[4] = prop; s[5] = 0;
    for (let i = 6; i < 36; i++) s[i] = 0;
  }

  /**
   * kvm_host_ffa_handler (ffa.c; ref §4). `w0` is x0 with the hint cleared, `k` its key (top byte and
   * function number). Returns true when handled (reply in x0-x17), false to forward unchanged.
   */
  private ffaHandler(w0: number, k: number): boolean {
    this.charge(this.costFfa);
    const exact = (w0 & 0x00ff0000) === 0;
    // The gate (ref §4 step 2): only FFA_VERSION passes before negotiation. With the 'forward' policy
    // (the RFC's question, ref §7(c)) the direct requests pass too: DIRECT_REQ 32/64 are then forwarded,
    // DIRECT_REQ2 meets the deny list and stays NOT_SUPPORTED.
    if (!this.negotiated && !(exact && k === K_VERSION) &&
      !(this.forwardDirectReq && exact && (k === K_DIRECT_REQ || k === K_DIRECT_REQ_64 || k === K_DIRECT_REQ2))) {
      this.stats.gateRejects++;
      this.writeFfaError(FFA_RET_INVALID_PARAMETERS);
      return true;
    }
    if (!exact) return false;          // matches no case and no deny-list entry: pass through
    switch (k) {
      case K_FEATURES: return this.doFfaFeatures();
      case K_RXTX_MAP_64: this.cold(COLD_RXTX_MAP); return true;
      case K_RXTX_UNMAP: this.cold(COLD_RXTX_UNMAP); return true;
      case K_MEM_SHARE: case K_MEM_SHARE_64: this.cold(COLD_MEM_SHARE); return true;
      case K_MEM_RECLAIM: this.cold(COLD_MEM_RECLAIM); return true;
      case K_MEM_LEND: case K_MEM_LEND_64: this.cold(COLD_MEM_LEND); return true;
      case K_MEM_FRAG_TX: this.cold(COLD_MEM_FRAG_TX); return true;
      case K_VERSION: this.cold(COLD_VERSION); return true;
      case K_PART_GET: this.cold(COLD_PART_GET); return true;
    }
    if (DENY[k] !== 0 || (this.newest && k === K_DIRECT_RESP_64)) {
      this.stats.ffaHandled++;
      this.writeFfaError(FFA_RET_NOT_SUPPORTED);
      return true;
    }
    return false;
  }

  /** ffa_call_supported(id) for an arbitrary 32-bit value (FFA_FEATURES' w1). */
  private callSupported(id: number): boolean {
    const k = exactKey(id);
    if (k < 0 || (k >>> 8) !== 0x84 && (k >>> 8) !== 0xc4) return true;
    return !(DENY[k] !== 0 || (this.newest && k === K_DIRECT_RESP_64));
  }

  /** do_ffa_features (ref §4.2): answered here for denied IDs and MEM_SHARE/LEND, else passed through. */
  private doFfaFeatures(): boolean {
    const id = this.s[2]!;
    if (!this.callSupported(id)) { this.stats.ffaHandled++; this.writeFfaError(FFA_RET_NOT_SUPPORTED); return true; }
    const k = exactKey(id);
    if (k === K_MEM_SHARE || k === K_MEM_SHARE_64 || k === K_MEM_LEND || k === K_MEM_LEND_64) {
      this.stats.ffaHandled++;
      this.writeFfaSuccess(0);     // no dynamic buffer support
      return true;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Cold paths: saved host context, nested SMCs, a composed reply
  // -------------------------------------------------------------------------------------------

  /** Run a cold FF-A handler: save the host context, zero `res`, run, write x0-x17 from `res`. */
  private cold(which: number): void {
    this.stats.ffaHandled++;
    this.saveHost();
    this.res.fill(0);                   // the newest snapshot's `res = {0}`
    switch (which) {
      case COLD_RXTX_MAP: this.doRxtxMap(); break;
      case COLD_RXTX_UNMAP: this.doRxtxUnmap(); break;
      case COLD_MEM_SHARE: this.doMemXfer(FFA_MEM_SHARE_64); break;
      case COLD_MEM_LEND: this.doMemXfer(FFA_MEM_LEND_64); break;
      case COLD_MEM_RECLAIM: this.doMemReclaim(); break;
      case COLD_MEM_FRAG_TX: this.doMemFragTx(); break;
      case COLD_VERSION: this.doFfaVersion(); break;
      case COLD_PART_GET: this.doPartGet(); break;
    }
    this.restoreHost(18);
    const s = this.s, r = this.res;
    for (let i = 0; i < 36; i++) s[i] = r[i]!;   // ffa_set_retval: x0-x17
  }

  /** Save x0-x30, ELR_EL2, SPSR_EL2 (the host context kept across nested SMCs). */
  private saveHost(): void {
    const s = this.s, c = this.ctx;
    for (let i = 0; i < 62; i++) c[i] = s[i]!;
    this.ctxElrLo = s[ELR_EL + 4]!; this.ctxElrHi = s[ELR_EL + 5]!; this.ctxSpsr = s[SPSR_EL + 4]!;
  }

  /** Restore x`from`-x30 from the saved context, and ELR/SPSR_EL2 (warning if EL3 changed them). */
  private restoreHost(from: number): void {
    const s = this.s, c = this.ctx;
    for (let i = 2 * from; i < 62; i++) s[i] = c[i]!;
    if (s[ELR_EL + 4] !== this.ctxElrLo || s[ELR_EL + 5] !== this.ctxElrHi || s[SPSR_EL + 4] !== this.ctxSpsr) {
      this.warn('ELR_EL2/SPSR_EL2 changed across a nested SMC to EL3');
      s[ELR_EL + 4] = this.ctxElrLo; s[ELR_EL + 5] = this.ctxElrHi; s[SPSR_EL + 4] = this.ctxSpsr;
    }
  }

  // host-context register readers (DECLARE_REG)
  private cu32(n: number): number { return this.ctx[2 * n]! >>> 0; }
  private chi(n: number): number { return this.ctx[2 * n + 1]! >>> 0; }
  private cnum(n: number): number { return this.chi(n) * 0x1_0000_0000 + this.cu32(n); }

  // res / out helpers
  private resSet(r: Int32Array, n: number, lo: number, hi = 0): void { r[2 * n] = lo | 0; r[2 * n + 1] = hi | 0; }
  private isU64(r: Int32Array, n: number, v: number): boolean { return r[2 * n] === (v | 0) && r[2 * n + 1] === 0; }
  /** ffa_to_smccc_res_prop: SUCCESS(prop) for ret 0, else FFA_ERROR(ret); the rest zero. */
  private resFfa(ret: number, prop = 0): void {
    const r = this.res;
    r.fill(0);
    if (ret === 0) { r[0] = FFA_SUCCESS | 0; r[4] = prop | 0; } else { r[0] = FFA_ERROR | 0; r[4] = ret | 0; r[5] = ret < 0 ? -1 : 0; }
  }

  /**
   * hyp_smccc_1_2_smc: x0-x17 from `arg` (x0 = id), SMC #0 from EL2, EL3's x0-x17 into `into`.
   * Arguments are (lo, hi) pairs for x1.. in `arg`, set by the caller after `args(id)`.
   */
  private args(id: number): Int32Array {
    const a = this.arg;
    a.fill(0);
    a[0] = id | 0;
    return a;
  }
  private smc(into: Int32Array): void {
    const s = this.s, a = this.arg;
    for (let i = 0; i < 36; i++) s[i] = a[i]!;
    this.stats.nestedSmcs++;
    const r = this.call(SMC0, SITE_CALL);
    if (r !== StopReason.Returned) throw new NestedRunStopped(r);
    for (let i = 0; i < 36; i++) into[i] = s[i]!;
    const u = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    if (this.hypSmcs.length >= LOG_LIMIT) this.hypSmcs.splice(0, LOG_LIMIT / 2);
    this.hypSmcs.push({ x0: a[0]! >>> 0, x1: u(a[2]!, a[3]!), x2: u(a[4]!, a[5]!), x3: u(a[6]!, a[7]!), result: s[0]! >>> 0 });
  }

  private copyCost(bytes: number): void { if (bytes > 0) this.charge(Math.ceil(bytes / this.copyRate)); }

  // ---- FFA_VERSION (ref §4.1) ----

  private doFfaVersion(): void {
    const req = this.cu32(1);
    const r = this.res;
    if (((req >>> 16) & 0x7fff) !== 1) { this.resSet(r, 0, -1, -1); return; }
    if (this.negotiated) {
      if ((req & 0xffff) < (this.hypFfaVersion & 0xffff)) this.resSet(r, 0, -1, -1);
      else this.resSet(r, 0, this.hypFfaVersion);
      return;
    }
    if ((req & 0xffff) < (this.hypFfaVersion & 0xffff)) {
      // A downgrade: ask EL3 first; its registers become the reply if it refuses.
      const a = this.args(FFA_VERSION);
      a[2] = req | 0;
      this.smc(r);
      if (this.ffaNotSupported(r)) return;
      this.hypFfaVersion = req;
    }
    if (this.hypFfaPostInit() !== 0) { this.resSet(r, 0, -1, -1); return; }
    this.negotiated = true;
    this.hostVersion = req;
    this.resSet(r, 0, this.hypFfaVersion);   // a1-a17 keep whatever the downgrade SMC left (as Linux)
  }

  /** (s32)x0 == NOT_SUPPORTED (newest) or x0 == (u64)-1 (mainline), ref §4.1 "Width of the NOT_SUPPORTED test". */
  private ffaNotSupported(r: Int32Array): boolean {
    return this.newest ? r[0] === -1 : r[0] === -1 && r[1] === -1;
  }

  /** hyp_ffa_post_init: FFA_ID_GET must give 0, FFA_FEATURES(RXTX_MAP_64) a known min size <= 4 KiB. */
  private hypFfaPostInit(): number {
    const o = this.out;
    this.args(FFA_ID_GET);
    this.smc(o);
    if (!this.isU64(o, 0, FFA_SUCCESS)) return -EOPNOTSUPP;
    if (o[4] !== 0 || o[5] !== 0) return -EINVAL;
    const a = this.args(FFA_FEATURES);
    a[2] = FFA_RXTX_MAP_64 | 0;
    this.smc(o);
    if (!this.isU64(o, 0, FFA_SUCCESS)) return -EOPNOTSUPP;
    switch (o[4]! & 3) {
      case 0: return 0;                   // 4 KiB
      case 1: case 2: return -EOPNOTSUPP; // 64 KiB, 16 KiB: above PAGE_SIZE
      default: return -EINVAL;
    }
  }

  // ---- FFA_FN64_RXTX_MAP / FFA_RXTX_UNMAP (ref §4.3, §4.4) ----

  private doRxtxMap(): void {
    const npages = this.cu32(3);
    const txLo = this.cu32(1), rxLo = this.cu32(2);
    const tx = this.cnum(1), rx = this.cnum(2);
    if (npages !== (FFA_MBOX_PAGES * PAGE_SIZE) / 4096) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    if ((txLo & 0xfff) !== 0 || (rxLo & 0xfff) !== 0) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    if (this.hostTx >= 0) { this.resFfa(FFA_RET_DENIED); return; }
    // Map our hypervisor buffers into the SPMC before sharing and pinning the host's.
    let ret = this.mapHypBuffers(npages);
    if (ret !== 0) { this.resFfa(ret); return; }
    const st = this.stage2!;
    if (st.hostShareHyp(tx) !== 0) { this.unmapHypBuffers(); this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    if (st.hostShareHyp(rx) !== 0) {
      this.warnOn(st.hostUnshareHyp(tx), 'unshare TX after a failed RX share');
      this.unmapHypBuffers(); this.resFfa(FFA_RET_INVALID_PARAMETERS); return;
    }
    if (st.pin(tx) !== 0) {
      st.hostUnshareHyp(rx); st.hostUnshareHyp(tx);
      this.unmapHypBuffers(); this.resFfa(FFA_RET_INVALID_PARAMETERS); return;
    }
    if (st.pin(rx) !== 0) {
      st.unpin(tx); st.hostUnshareHyp(rx); st.hostUnshareHyp(tx);
      this.unmapHypBuffers(); this.resFfa(FFA_RET_INVALID_PARAMETERS); return;
    }
    this.hostTx = tx; this.hostRx = rx;
    ret = 0;
    this.resFfa(ret);
  }

  /** ffa_map_hyp_buffers: RXTX_MAP_64 with the hyp's TX/RX; 0 or EL3's w2 as an int. */
  private mapHypBuffers(npages: number): number {
    const a = this.args(FFA_RXTX_MAP_64);
    a[2] = this.hypTxPa; a[4] = this.hypRxPa; a[6] = npages | 0;
    if (this.rxtxMapPas.length < LOG_LIMIT) this.rxtxMapPas.push({ tx: this.hypTxPa, rx: this.hypRxPa, pages: npages });
    this.smc(this.out);
    if (this.isU64(this.out, 0, FFA_SUCCESS)) { this.mailboxRegistered = true; return 0; }
    return this.out[4]! | 0;
  }

  /** ffa_unmap_hyp_buffers: RXTX_UNMAP with x1 = 0 (HOST_FFA_ID); the result is not looked at by callers. */
  private unmapHypBuffers(): number {
    const a = this.args(FFA_RXTX_UNMAP);
    a[2] = 0;
    this.smc(this.out);
    if (this.isU64(this.out, 0, FFA_SUCCESS)) { this.mailboxRegistered = false; return 0; }
    return this.out[4]! | 0;
  }

  private doRxtxUnmap(): void {
    if (this.cu32(1) !== 0) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    if (this.hostTx < 0) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    const st = this.stage2!;
    st.unpin(this.hostTx);
    this.warnOn(st.hostUnshareHyp(this.hostTx), 'RXTX_UNMAP: unshare host TX');
    this.hostTx = -1;
    st.unpin(this.hostRx);
    this.warnOn(st.hostUnshareHyp(this.hostRx), 'RXTX_UNMAP: unshare host RX');
    this.hostRx = -1;
    this.unmapHypBuffers();
    this.resFfa(0);
  }

  // ---- FFA_PARTITION_INFO_GET (ref §4.5) ----

  private doPartGet(): void {
    const r = this.res;
    if (this.hostRx < 0) { this.resFfa(FFA_RET_BUSY); return; }
    const a = this.args(FFA_PARTITION_INFO_GET);
    for (let n = 1; n <= 5; n++) a[2 * n] = this.ctx[2 * n]!;   // w1-w5, zero-extended
    this.smc(r);
    if (!this.isU64(r, 0, FFA_SUCCESS)) return;
    const count = r[4]! >>> 0;
    if (count === 0) return;
    let size: number;
    if (this.hypFfaVersion > FFA_VERSION_1_0) {
      if ((this.cu32(5) & 1) !== 0) return;                    // count only: nothing copied
      size = r[6]! >>> 0;
    } else size = 8;
    const copy = Math.imul(size, count) >>> 0;                  // u32 arithmetic, as in C
    if (copy > FFA_MBOX_PAGES * PAGE_SIZE) { this.resFfa(FFA_RET_ABORTED); return; }
    this.hostPage(this.hostRx).set(this.hypRx.subarray(0, copy));
    this.copyCost(copy);
  }

  // ---- FFA_MEM_SHARE / FFA_MEM_LEND (ref §4.6) ----

  private doMemXfer(fid64: number): void {
    const len = this.cu32(1), fraglen = this.cu32(2), npagesMbz = this.cu32(4);
    const v = this.hypFfaVersion;
    if (this.cu32(3) !== 0 || this.chi(3) !== 0 || npagesMbz !== 0 || fraglen > len || fraglen > FFA_MBOX_PAGES * PAGE_SIZE) {
      this.resFfa(FFA_RET_INVALID_PARAMETERS); return;
    }
    if (fraglen < regionHdrSize(v) + emadSize(v)) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    if (this.hostTx < 0) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    if (len > this.descLen) { this.resFfa(FFA_RET_NO_MEMORY); return; }
    this.hypTx.set(this.hostPage(this.hostTx).subarray(0, fraglen));
    this.copyCost(fraglen);
    const b = this.hypTxView;
    const emOff = emadOffset(v);
    if (emOff + emadSize(v) > fraglen) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    const offset = b.getUint32(emOff + 4, true);
    if (offset === 0 || b.getUint32(28, true) !== 1 || b.getUint16(0, true) !== 0) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    const checked = offset + COMPOSITE_HDR;
    if (checked > 0xffffffff || fraglen < checked) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    const bytes = fraglen - checked;
    if (bytes % CONSTITUENT !== 0) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    const n = bytes / CONSTITUENT;
    const ret = this.shareRanges(b, checked, n);
    if (ret !== 0) { this.resFfa(ret); return; }
    const a = this.args(fid64);
    a[2] = len | 0; a[4] = fraglen | 0;
    const r = this.res;
    this.smc(r);
    let ok: boolean;
    if (fraglen !== len) ok = this.isU64(r, 0, FFA_MEM_FRAG_RX) && this.isU64(r, 3, fraglen);
    else ok = this.isU64(r, 0, FFA_SUCCESS);
    if (!ok) this.warnOn(this.unshareRanges(b, checked, n), 'MEM_SHARE/LEND: unshare after EL3 refused');
  }

  /** ffa_host_share_ranges: share each constituent; on a failure unshare those done, DENIED. */
  private shareRanges(view: DataView, at: number, n: number): number {
    const done = this.shareRangesRaw(view, at, n, true);
    if (done === n) return 0;
    if (this.shareRangesRaw(view, at, done, false) !== done) this.warn('share rollback: unshare failed');
    return FFA_RET_DENIED;
  }
  private unshareRanges(view: DataView, at: number, n: number): number {
    const done = this.shareRangesRaw(view, at, n, false);
    if (done === n) return 0;
    if (this.shareRangesRaw(view, at, done, true) !== done) this.warn('unshare rollback: re-share failed');
    return FFA_RET_DENIED;
  }
  /** __ffa_host_(un)share_ranges: constituents at `at`; returns how many succeeded before the first failure. */
  private shareRangesRaw(view: DataView, at: number, n: number, share: boolean): number {
    const st = this.stage2!;
    let i = 0;
    for (; i < n; i++) {
      const o = at + i * CONSTITUENT;
      const lo = view.getUint32(o, true), hi = view.getUint32(o + 4, true), pg = view.getUint32(o + 8, true);
      if ((lo & (PAGE_SIZE - 1)) !== 0) break;          // PAGE_ALIGNED(sz | address), sz is a multiple of 4 KiB
      const pa = hi * 0x1_0000_0000 + lo;
      const r = share ? st.hostShareFfa(pa, pg) : st.hostUnshareFfa(pa, pg);
      if (r !== 0) break;
    }
    return i;
  }

  // ---- FFA_MEM_FRAG_TX (ref §4.7) ----

  private doMemFragTx(): void {
    const hLo = this.cu32(1), hHi = this.cu32(2), fraglen = this.cu32(3), ep = this.cu32(4);
    if (fraglen > FFA_MBOX_PAGES * PAGE_SIZE || fraglen % CONSTITUENT !== 0) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    if (this.hostTx < 0) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    this.hypTx.set(this.hostPage(this.hostTx).subarray(0, fraglen));
    this.copyCost(fraglen);
    const n = fraglen / CONSTITUENT;
    const r = this.res;
    if (this.shareRanges(this.hypTxView, 0, n) !== 0) {
      // Abort the whole transaction; pages of earlier fragments stay SHARED_OWNED (a documented leak).
      const a = this.args(FFA_MEM_RECLAIM);
      a[2] = hLo | 0; a[4] = hHi | 0; a[6] = 0;
      this.smc(r);
      if (!this.isU64(r, 0, FFA_SUCCESS)) this.warn('FRAG_TX: reclaim after a failed share did not succeed');
      this.resFfa(FFA_RET_DENIED);
      return;
    }
    const a = this.args(FFA_MEM_FRAG_TX);
    a[2] = hLo | 0; a[4] = hHi | 0; a[6] = fraglen | 0; a[8] = ep | 0;
    this.smc(r);
    if (!this.isU64(r, 0, FFA_SUCCESS) && !this.isU64(r, 0, FFA_MEM_FRAG_RX)) {
      this.warnOn(this.unshareRanges(this.hypTxView, 0, n), 'FRAG_TX: unshare after EL3 refused');
    }
  }

  // ---- FFA_MEM_RECLAIM (ref §4.8) ----

  private doMemReclaim(): void {
    const hLo = this.cu32(1), hHi = this.cu32(2), flags = this.cu32(3);
    const v = this.hypFfaVersion;
    const r = this.res;
    // A minimal ffa_mem_region in the hyp TX buffer: sender 0, the handle; a hypervisor retrieve request.
    this.hypTx.fill(0, 0, FFA_REGION_HDR_V1_1);
    this.hypTxView.setUint32(8, hLo, true); this.hypTxView.setUint32(12, hHi, true);
    let a = this.args(FFA_MEM_RETRIEVE_REQ_64);
    a[2] = FFA_REGION_HDR_V1_1; a[4] = FFA_REGION_HDR_V1_1;
    this.smc(r);
    if (!this.isU64(r, 0, FFA_MEM_RETRIEVE_RESP)) return;       // EL3's registers go back as they are
    const len = r[2]! >>> 0;
    let fraglen = r[4]! >>> 0;
    const emOff = emadOffset(v);
    if (emOff + emadSize(v) > fraglen) { this.rxRelease(r); this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
    const offset = this.hypRxView.getUint32(emOff + 4, true);
    if (offset + COMPOSITE_HDR > len || fraglen > FFA_MBOX_PAGES * PAGE_SIZE) { this.rxRelease(r); this.resFfa(FFA_RET_ABORTED); return; }
    if (len > this.descLen) { this.rxRelease(r); this.resFfa(FFA_RET_NO_MEMORY); return; }
    this.desc.set(this.hypRx.subarray(0, fraglen));
    this.copyCost(fraglen);
    this.rxRelease(r);
    for (let fragoff = fraglen; fragoff < len; fragoff += fraglen) {
      a = this.args(FFA_MEM_FRAG_RX);
      a[2] = hLo | 0; a[4] = hHi | 0; a[6] = fragoff | 0; a[8] = 0;
      this.smc(r);
      if (!this.isU64(r, 0, FFA_MEM_FRAG_TX)) { this.resFfa(FFA_RET_INVALID_PARAMETERS); return; }
      fraglen = r[6]! >>> 0;
      if (fraglen === 0 || fraglen > PAGE_SIZE || fragoff + fraglen > this.descLen) {
        // Linux copies without bounds here (and loops forever on 0): the model refuses instead.
        this.warn(`RECLAIM: FRAG_RX fragment of ${fraglen} bytes at ${fragoff} would overrun the descriptor buffer`);
        this.resFfa(FFA_RET_ABORTED);
        return;
      }
      this.desc.set(this.hypRx.subarray(0, fraglen), fragoff);
      this.copyCost(fraglen);
      this.rxRelease(r);
    }
    const cnt = this.descView.getUint32(offset + 4, true);
    if (offset + COMPOSITE_HDR + CONSTITUENT * cnt > len) { this.resFfa(FFA_RET_ABORTED); return; }
    a = this.args(FFA_MEM_RECLAIM);
    a[2] = hLo | 0; a[4] = hHi | 0; a[6] = flags | 0;
    this.smc(r);
    if (!this.isU64(r, 0, FFA_SUCCESS)) return;
    // If the SPMC was happy, then so is pKVM.
    this.warnOn(this.unshareRanges(this.descView, offset + COMPOSITE_HDR, cnt), 'RECLAIM: unshare after success');
  }

  private rxRelease(into: Int32Array): void {
    this.args(FFA_RX_RELEASE);
    this.smc(into);
  }

  // -------------------------------------------------------------------------------------------
  // PSCI relay (psci-relay.c; ref §2 step 4)
  // -------------------------------------------------------------------------------------------

  private psciRelay(w0: number): void {
    this.saveHost();
    const id = w0 >>> 0;
    const v1 = this.psciVersion >= 0x10000;
    let retLo = 0, retHi = 0;
    switch (id) {
      case PSCI_VERSION: case PSCI_CPU_OFF: case PSCI_AFFINITY_INFO_64: case PSCI_MIGRATE_64:
      case PSCI_MIGRATE_INFO_TYPE: case PSCI_MIGRATE_INFO_UP_CPU_64: case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET:
        [retLo, retHi] = this.psciForward(); break;
      case PSCI_FEATURES: case PSCI_SET_SUSPEND_MODE: case PSCI_SYSTEM_RESET2_64: case PSCI_SYSTEM_OFF2: case PSCI_SYSTEM_OFF2_64:
        if (v1) [retLo, retHi] = this.psciForward(); else retLo = retHi = PSCI_RET_NOT_SUPPORTED;
        break;
      case PSCI_CPU_SUSPEND_64: {
        this.bootPcLo = this.ctx[4]!; this.bootPcHi = this.ctx[5]!; this.bootR0Lo = this.ctx[6]!; this.bootR0Hi = this.ctx[7]!;
        retLo = this.psciCall(id, this.ctx[2]!, this.ctx[3]!, SITE_CPU_RESUME, this.pgtPa); retHi = retLo < 0 ? -1 : 0;
        break;
      }
      case PSCI_SYSTEM_SUSPEND_64:
        if (!v1) { retLo = retHi = PSCI_RET_NOT_SUPPORTED; break; }
        this.bootPcLo = this.ctx[2]!; this.bootPcHi = this.ctx[3]!; this.bootR0Lo = this.ctx[4]!; this.bootR0Hi = this.ctx[5]!;
        retLo = this.psciCallEntry(id, SITE_CPU_RESUME, this.pgtPa); retHi = retLo < 0 ? -1 : 0;
        break;
      case PSCI_CPU_ON_64: {
        retLo = this.psciCpuOn(id); retHi = retLo < 0 ? -1 : 0;
        break;
      }
      default: retLo = retHi = PSCI_RET_NOT_SUPPORTED;
    }
    this.restoreHost(4);
    const s = this.s;
    s[0] = retLo; s[1] = retHi;
    for (let i = 2; i < 8; i++) s[i] = 0;
    this.exitSkip();
  }

  /** psci_forward: x0-x3 as the host gave them (SMCCC 1.1 call); returns x0. */
  private psciForward(): [number, number] {
    const a = this.args(0);
    for (let i = 0; i < 8; i++) a[i] = this.ctx[i]!;
    this.smc(this.out);
    return [this.out[0]!, this.out[1]!];
  }

  /** psci_call(fn, arg0, hyp entry PA, params PA) for CPU_SUSPEND/CPU_ON. */
  private psciCall(id: number, a1lo: number, a1hi: number, site: number, params: number): number {
    const a = this.args(id);
    a[2] = a1lo; a[3] = a1hi;
    a[4] = site; a[5] = this.pcHi;
    a[6] = params | 0;
    this.smc(this.out);
    return this.out[0]! | 0;
  }
  private psciCallEntry(id: number, site: number, params: number): number {
    const a = this.args(id);
    a[2] = site; a[3] = this.pcHi; a[4] = params | 0;
    this.smc(this.out);
    return this.out[0]! | 0;
  }

  /** psci_cpu_on: only MPIDRs of CPUs known at init (this PE); re-entry through kvm_hyp_cpu_entry. */
  private psciCpuOn(id: number): number {
    const s = this.s;
    const mLo = this.ctx[2]!, mHi = this.ctx[3]!;
    if ((mLo & ~MPIDR_HWID_MASK_LO) !== 0 || (mHi & ~MPIDR_HWID_MASK_HI) !== 0) return PSCI_RET_INVALID_PARAMETERS;
    const selfLo = s[MPIDR_EL1]! & MPIDR_HWID_MASK_LO, selfHi = s[MPIDR_EL1 + 1]! & MPIDR_HWID_MASK_HI;
    if (mLo !== selfLo || mHi !== selfHi) return PSCI_RET_INVALID_PARAMETERS;
    if (this.cpuOnLocked) return PSCI_RET_ALREADY_ON;
    this.cpuOnLocked = true;
    this.bootPcLo = this.ctx[4]!; this.bootPcHi = this.ctx[5]!; this.bootR0Lo = this.ctx[6]!; this.bootR0Hi = this.ctx[7]!;
    const ret = this.psciCall(id, mLo, mHi, SITE_CPU_ENTRY, this.pgtPa);
    if (ret !== 0) this.cpuOnLocked = false;
    return ret;
  }

  /** __kvm_host_psci_cpu_entry: EL3 entered us at a PSCI entry point; enter the host at its pc with x0 = r0. */
  private psciCpuEntry(cpuOn: boolean): void {
    const s = this.s;
    if (cpuOn) this.cpuOnLocked = false;
    s[0] = this.bootR0Lo; s[1] = this.bootR0Hi;
    s[ELR_EL + 4] = this.bootPcLo; s[ELR_EL + 5] = this.bootPcHi;
    s[SPSR_EL + 4] = SPSR_EL1H_DAIF; s[SPSR_EL + 5] = 0;
    this.eret();
  }

  // -------------------------------------------------------------------------------------------
  // Host HVCs: the stub's calls, then KVM host hypercalls (hyp-main.c handle_host_hcall)
  // -------------------------------------------------------------------------------------------

  private handleHostHvc(): void {
    const s = this.s;
    this.stats.hostHvcs++;
    this.charge(this.costHostSmc);
    if (!this.protectedMode) { this.stubHvc(); this.eret(); return; }
    // id &= ~ARM_SMCCC_CALL_HINTS; id -= KVM_HOST_SMCCC_ID(0), as u64.
    const lo = (s[0]! & ~0x10000) >>> 0;
    const id = s[1] === 0 && lo >= KVM_HOST_SMCCC_BASE ? lo - KVM_HOST_SMCCC_BASE : -1;
    const min = this.protectedModeInitialized ? KVM_HCALL_MIN_PKVM : 0;
    if (id < min || id < 0) { this.setXs(0, SMCCC_NOT_SUPPORTED); this.eret(); return; }
    switch (id) {
      case KVM_HCALL_PKVM_INIT:
        // The model refuses a second __pkvm_init (Linux would re-run it on a live hypervisor).
        s[0] = 0; s[1] = 0; this.setXs(1, -EPERM);
        break;
      case KVM_HCALL_PKVM_PROT_FINALIZE:
        s[0] = 0; s[1] = 0; this.setXs(1, this.protFinalize());
        break;
      default:
        // Hypercalls Linux has but this model does not implement (vcpu run, TLB maintenance, guests...).
        this.setXs(0, SMCCC_NOT_SUPPORTED);
    }
    this.eret();
  }

  /** The EL2 stub (arch/arm64/kernel/hyp-stub.S) plus `__pkvm_init` (the collapsed kvm_arm_init EL2 part). */
  private stubHvc(): void {
    const s = this.s;
    const lo = s[0]! >>> 0, hi = s[1]!;
    if (hi === 0 && lo === KVM_HOST_SMCCC_BASE + KVM_HCALL_PKVM_INIT) { this.pkvmInit(); return; }
    if (hi === 0 && lo < HVC_STUB_HCALL_NR) {
      // SET_VECTORS / RESET_VECTORS keep this component on VBAR_EL2 (its image is native); the others
      // have nothing to do on this PE (no VHE upgrade, no GIC): success.
      s[0] = 0; s[1] = 0;
      return;
    }
    s[0] = HVC_STUB_ERR; s[1] = 0;
  }

  /**
   * __pkvm_init + __pkvm_init_finalise: host stage 2 prepared with the hyp carve-out donated to the hyp
   * (kvm_host_prepare_stage2, fix_host_ownership), hyp_ffa_init, then the SMC trap goes live.
   */
  private pkvmInit(): void {
    const s = this.s;
    this.saveHost();
    const bus = this.p.bus;
    const st = new HostStage2(DRAM_BASE, bus.dramSize);
    const carve = DRAM_BASE + bus.dramSize - HYP_CARVEOUT_PAGES * PAGE_SIZE;
    if (st.hostDonateHyp(carve, HYP_CARVEOUT_PAGES) !== 0) throw new Error('pkvm: cannot reserve the hyp carve-out');
    this.stage2 = st;
    this.carveBase = carve;
    this.pgtPa = carve;
    this.hypTxPa = carve + PAGE_SIZE;
    this.hypRxPa = this.hypTxPa + FFA_MBOX_PAGES * PAGE_SIZE;
    this.descPa = this.hypRxPa + FFA_MBOX_PAGES * PAGE_SIZE;
    this.hypTx = bus.ram(this.hypTxPa, PAGE_SIZE)!;
    this.hypRx = bus.ram(this.hypRxPa, PAGE_SIZE)!;
    this.desc = bus.ram(this.descPa, this.descLen)!;
    this.hypTxView = new DataView(this.hypTx.buffer, this.hypTx.byteOffset, this.hypTx.byteLength);
    this.hypRxView = new DataView(this.hypRx.buffer, this.hypRx.byteOffset, this.hypRx.byteLength);
    this.descView = new DataView(this.desc.buffer, this.desc.byteOffset, this.desc.byteLength);
    const ret = this.hypFfaInit();
    this.restoreHost(2);
    s[0] = 0; s[1] = 0;                       // SMCCC_RET_SUCCESS: the hypercall itself ran
    this.setXs(1, ret);
    if (ret !== 0) return;                    // pKVM init failed: the model stays in the stub (TSC clear)
    this.protectedMode = true;
    s[HCR_EL2] = HCR_PROTECTED; s[HCR_EL2 + 1] = 0;
    s[VTTBR_EL2] = this.pgtPa; s[VTTBR_EL2 + 1] = 0;  // VMID 0, the host stage-2 tables
  }

  /** hyp_ffa_init (ref §3.1): one FFA_VERSION(1.2) SMC; inert on SMCCC < 1.2 or NOT_SUPPORTED. */
  private hypFfaInit(): number {
    if (this.hostSmcccVersion < 0x10002) return 0;
    const o = this.out;
    const a = this.args(FFA_VERSION);
    a[2] = FFA_VERSION_1_2;
    this.smc(o);
    if (this.ffaNotSupported(o)) return 0;
    const ver = o[0]! >>> 0;
    if (((ver >>> 16) & 0x7fff) !== 1) return -EOPNOTSUPP;
    this.hypFfaVersion = (ver & 0xffff) < (FFA_VERSION_1_2 & 0xffff) ? ver : FFA_VERSION_1_2;
    this.hypBuffersReady = true;
    this.hostTx = -1; this.hostRx = -1;
    return 0;
  }

  /**
   * __pkvm_prot_finalize: -EPERM when already done (HCR_EL2.VM set); otherwise HCR_EL2.VM and the host
   * stage 2 goes live. The host sets kvm_protected_mode_initialized just before (pkvm_drop_host_privileges);
   * the model sets it here.
   */
  private protFinalize(): number {
    this.protectedModeInitialized = true;
    const s = this.s;
    if ((s[HCR_EL2]! & HCR_VM) !== 0) return -EPERM;
    s[HCR_EL2] = s[HCR_EL2]! | HCR_VM;
    this.finalised = true;
    this.installHostStage2Check(this.stage2!);
    return 0;
  }

  // -------------------------------------------------------------------------------------------
  // handle_host_mem_abort (mem_protect.c)
  // -------------------------------------------------------------------------------------------

  private handleHostMemAbort(): void {
    const s = this.s;
    this.stats.hostAborts++;
    const st = this.stage2;
    const hp = (s[HPFAR_EL2 + 1]! >>> 0) * 0x1_0000_0000 + (s[HPFAR_EL2]! >>> 0);
    const addr = Math.floor(hp / 16) * PAGE_SIZE;
    const state = st === null ? undefined : st.hostState(addr);
    if (state !== PageState.NoPage) { this.eret(); return; }   // mapped (or MMIO): retry the access
    // host_stage2_idmap -> -EPERM: the page is annotated as owned by someone else.
    if (!this.injectAborts) {
      this.hypPanic(`host access to hyp-owned page 0x${addr.toString(16)} (handle_host_mem_abort: BUG_ON(-EPERM))`);
      return;
    }
    this.injectHostMemAbort();
    this.eret();
  }

  /**
   * host_inject_mem_abort + inject_host_exception (newest snapshot): the abort is reported to the
   * host's EL1 vectors as a same-EL abort (when it came from EL1) with ESR.S1PTW set as pKVM's mark.
   */
  private injectHostMemAbort(): void {
    const s = this.s;
    let esr = s[ESR_EL + 4]!;
    const spsr = s[SPSR_EL + 4]!;
    const mode = spsr & 0x1f;
    if ((mode & 0xf) !== 0) {
      const ec = esr >>> 26;
      const nec = ec === 0x24 ? 0x25 : ec === 0x20 ? 0x21 : ec;
      if (nec === ec) this.warn(`inject: unexpected EC 0x${ec.toString(16)}`);
      esr = (esr & 0x03ffffff) | (nec << 26);
    }
    esr |= ESR_S1PTW;
    // inject_host_exception
    const offset = mode === 0 ? 0x400 : mode === 0x10 ? 0x600 : 0x200;
    let nspsr = (spsr & (0xf0000000 | (1 << 24) | (1 << 22))) | 0x3c0 | 0x5;
    if ((s[SCTLR_EL + 2]! & (1 << 23)) === 0) nspsr |= 1 << 22;   // SCTLR_EL1.SPAN == 0: PAN set
    const fsc = esr & 0x3f;
    if (fsc >= 0x04 && fsc <= 0x07) { s[FAR_EL + 2] = s[FAR_EL + 4]!; s[FAR_EL + 3] = s[FAR_EL + 5]!; }
    s[ESR_EL + 2] = esr; s[ESR_EL + 3] = 0;
    s[ELR_EL + 2] = s[ELR_EL + 4]!; s[ELR_EL + 3] = s[ELR_EL + 5]!;
    s[SPSR_EL + 2] = spsr; s[SPSR_EL + 3] = 0;
    const vLo = (s[VBAR_EL + 2]! >>> 0) + offset;
    s[ELR_EL + 4] = vLo | 0; s[ELR_EL + 5] = vLo > 0xffffffff ? (s[VBAR_EL + 3]! + 1) | 0 : s[VBAR_EL + 3]!;
    s[SPSR_EL + 4] = nspsr | 0; s[SPSR_EL + 5] = 0;
  }

  // -------------------------------------------------------------------------------------------
  // hyp_panic
  // -------------------------------------------------------------------------------------------

  /** hyp_panic: record why and park the PE at EL2 (WFI, all masked): the run stops with Halted. */
  private hypPanic(reason: string): void {
    if (this.panicReason === null) this.panicReason = reason;
    this.warn(`hyp_panic: ${reason}`);
    this.s[PSTATE_DAIF] = 0x3c0;
    this.park();
  }
  private park(): void {
    this.atSite(SITE_PANIC);
    this.p.executeOnly(0xd503207f | 0);     // WFI
  }

  private warnOn(ret: number, what: string): void { if (ret !== 0) this.warn(`WARN_ON: ${what} (${ret})`); }
  private warn(what: string): void { if (this.warnings.length < LOG_LIMIT) this.warnings.push(what); }

  /** The host's page at `pa` as the hyp maps it (its pinned, shared RX/TX). */
  private hostPage(pa: number): Uint8Array {
    const m = this.p.bus.ram(pa, PAGE_SIZE);
    if (m === null) throw new Error(`pkvm: host buffer 0x${pa.toString(16)} is not RAM`);
    return m;
  }

  // -------------------------------------------------------------------------------------------
  // Reports
  // -------------------------------------------------------------------------------------------

  /** has_version_negotiated, without the page scan of beliefs() (sampled after every host call). */
  get hostNegotiated(): boolean { return this.negotiated; }

  beliefs(): PkvmBeliefs {
    const st = this.stage2;
    const shared = st === null ? [] : [...st.pagesInHostState(PageState.SharedOwned), ...st.pagesInHostState(PageState.SharedBorrowed)].sort((a, b) => a - b);
    return {
      mode: this.protectedMode ? 'protected' : 'stub',
      initialised: this.protectedMode,
      finalised: this.finalised,
      hypFfaVersion: this.hypFfaVersion,
      negotiated: this.negotiated,
      hostVersion: this.hostVersion,
      hostBuffers: this.hostTx >= 0 ? { tx: this.hostTx, rx: this.hostRx, pages: FFA_MBOX_PAGES } : null,
      hypMailboxRegistered: this.mailboxRegistered,
      hypMailbox: this.hypBuffersReady ? { tx: this.hypTxPa, rx: this.hypRxPa } : null,
      trapsHostSmc: (this.s[HCR_EL2]! & HCR_TSC) !== 0,
      directReqBeforeVersion: this.forwardDirectReq ? 'forward' : 'reject',
      protectedPages: shared,
      carveOut: st === null ? null : { base: this.carveBase, pages: HYP_CARVEOUT_PAGES },
      panic: this.panicReason,
    };
  }

  /** pKVM's page states for one physical page (null outside tracked memory or before __pkvm_init). */
  pageState(pa: number): { host: string; hyp: string; pins: number } | null {
    const st = this.stage2;
    if (st === null || st.index(pa) < 0) return null;
    return { host: PAGE_STATE_NAMES[st.hostState(pa)!]!, hyp: PAGE_STATE_NAMES[st.hypState(pa)!]!, pins: st.pinCount(pa) };
  }

  /** The hyp's buffers (for tests and reports). */
  layout(): { carveOut: number; hypTx: number; hypRx: number; desc: number; descLen: number; pgt: number } | null {
    if (this.stage2 === null) return null;
    return { carveOut: this.carveBase, hypTx: this.hypTxPa, hypRx: this.hypRxPa, desc: this.descPa, descLen: this.descLen, pgt: this.pgtPa };
  }

  /** Invariants that must hold whatever the host does; each violation is one message. */
  checkInvariants(): string[] {
    const v: string[] = [];
    const s = this.s;
    const st = this.stage2;
    for (const w of this.warnings) v.push(w);
    if (this.protectedMode && (s[HCR_EL2]! & HCR_TSC) === 0) v.push('pKVM initialised but HCR_EL2.TSC is clear');
    if (!this.protectedMode && (s[HCR_EL2]! & HCR_TSC) !== 0) v.push('stub mode with HCR_EL2.TSC set');
    if (this.finalised && ((s[HCR_EL2]! & HCR_VM) === 0 || this.p.bus.stage2Check === null)) v.push('finalised but the host stage 2 is not enforced');
    if (this.negotiated && this.hypFfaVersion === 0) v.push('negotiated with hyp_ffa_version 0 (hyp_ffa_init was inert)');
    if (this.hostTx >= 0 && !this.hypBuffersReady) v.push('host buffers recorded but the hyp buffers were never set up');
    if (st !== null) {
      for (let i = 0; i < HYP_CARVEOUT_PAGES; i++) {
        const pa = this.carveBase + i * PAGE_SIZE;
        if (st.hostState(pa) !== PageState.NoPage || st.hypState(pa) !== PageState.Owned) v.push(`carve-out page 0x${pa.toString(16)} is not hyp-owned`);
      }
      for (const pa of [this.hostTx, this.hostRx]) {
        if (pa < 0) continue;
        if (st.hostState(pa) !== PageState.SharedOwned) v.push(`host buffer 0x${pa.toString(16)} is not SHARED_OWNED`);
        if (st.hypState(pa) !== PageState.SharedBorrowed) v.push(`host buffer 0x${pa.toString(16)} is not hyp SHARED_BORROWED`);
        if (st.pinCount(pa) === 0) v.push(`host buffer 0x${pa.toString(16)} is not pinned`);
      }
      for (let i = 0; i < st.pages; i++) {
        const pa = st.base + i * PAGE_SIZE;
        if (st.hypState(pa) === PageState.SharedBorrowed && pa !== this.hostTx && pa !== this.hostRx) v.push(`page 0x${pa.toString(16)} borrowed by the hyp but not a host buffer`);
      }
    }
    for (const m of this.rxtxMapPas) {
      if (m.tx !== this.hypTxPa || m.rx !== this.hypRxPa) v.push(`RXTX_MAP gave EL3 0x${m.tx.toString(16)}/0x${m.rx.toString(16)}, not the hyp mailbox`);
      if (st !== null && (st.hypState(m.tx) !== PageState.Owned || st.hypState(m.rx) !== PageState.Owned)) v.push('RXTX_MAP gave EL3 a page the hyp does not own');
    }
    if (this.hostTx >= 0 && !this.mailboxRegistered) v.push('host buffers registered but the hyp mailbox is not mapped at the SPMC');
    return v;
  }

  /** The host stage 2 goes live on the bus (protFinalize, and a restored finalised snapshot). */
  private installHostStage2Check(st: HostStage2): void {
    const cpu = this.s;
    // Stage 2 translates EL1&0 accesses only; EL2's own accesses (and the secure world's) are not checked.
    this.p.bus.stage2Check = (pa: number) => {
      if (cpu[PSTATE_EL]! >= 2) return 0;
      const f = st.hostAccessFault(pa);
      return f < 0 ? 0 : stage2Fault(f);
    };
  }

  // -------------------------------------------------------------------------------------------
  // Snapshots (machine/snapshot.ts; cold path): the beliefs, the host stage-2 page states (held
  // outside RAM) and the bus check they drive, the saved host context and the records.
  // -------------------------------------------------------------------------------------------

  /** Format version of saveState(). */
  static readonly STATE_VERSION = 1;
  saveState(): Uint8Array { return savePart(Pkvm.STATE_VERSION, this); }
  loadState(bytes: Uint8Array): void { loadPart(this.name, Pkvm.STATE_VERSION, this, bytes); }

  saveTo(w: StateWriter): void {
    // configuration
    w.bool(this.forwardDirectReq); w.bool(this.newest); w.bool(this.injectAborts); w.f64(this.hostSmcccVersion);
    w.f64(this.psciVersion); w.i32(this.hostEntryLo); w.i32(this.hostEntryHi); w.bool(this.hostEntrySet); w.f64(this.hostSpsr);
    // beliefs
    w.bool(this.protectedMode); w.bool(this.protectedModeInitialized); w.bool(this.finalised); w.f64(this.hypFfaVersion);
    w.bool(this.negotiated); w.opt(this.hostVersion, (v) => w.f64(v)); w.bool(this.hypBuffersReady);
    w.f64(this.hostTx); w.f64(this.hostRx); w.bool(this.mailboxRegistered); w.opt(this.panicReason, (v) => w.str(v));
    w.bool(this.cpuOnLocked); w.i32(this.bootPcLo); w.i32(this.bootPcHi); w.i32(this.bootR0Lo); w.i32(this.bootR0Hi);
    // host stage 2 and the hyp's buffers
    w.opt(this.stage2, (st) => { w.f64(st.base); w.f64(st.size); w.u8s(st.host); w.u8s(st.hyp); w.u16s(st.pins); });
    w.f64(this.carveBase); w.f64(this.pgtPa); w.f64(this.hypTxPa); w.f64(this.hypRxPa); w.f64(this.descPa); w.f64(this.descLen);
    // saved host context and scratch
    w.i32s(this.ctx); w.i32(this.ctxElrLo); w.i32(this.ctxElrHi); w.i32(this.ctxSpsr);
    w.i32s(this.res); w.i32s(this.arg); w.i32s(this.out);
    // records
    const st = this.stats;
    for (const v of [st.hostSmcTraps, st.hostHvcs, st.forwarded, st.ffaHandled, st.gateRejects, st.hostAborts, st.nestedSmcs]) w.f64(v);
    w.u32(this.hypSmcs.length);
    for (const h of this.hypSmcs) { w.u32(h.x0); w.u64(h.x1); w.u64(h.x2); w.u64(h.x3); w.u32(h.result); }
    w.u32(this.rxtxMapPas.length);
    for (const m of this.rxtxMapPas) { w.f64(m.tx); w.f64(m.rx); w.f64(m.pages); }
    w.strs(this.warnings);
  }

  readFrom(r: StateReader): () => void {
    r.cfgBool('directReqBeforeVersion forward', this.forwardDirectReq); r.cfgBool('snapshot newest', this.newest);
    r.cfgBool('hostMemAbort inject', this.injectAborts); r.cfgNum('hostSmcccVersion', this.hostSmcccVersion);
    r.cfgNum('psciVersion', this.psciVersion);
    const elo = r.i32('hostEntry low'), ehi = r.i32('hostEntry high');
    if (elo !== this.hostEntryLo || ehi !== this.hostEntryHi) r.mismatch('hostEntry', `0x${(ehi >>> 0).toString(16)}${(elo >>> 0).toString(16).padStart(8, '0')}`, `0x${(this.hostEntryHi >>> 0).toString(16)}${(this.hostEntryLo >>> 0).toString(16).padStart(8, '0')}`);
    r.cfgBool('hostEntry set', this.hostEntrySet); r.cfgNum('hostSpsr', this.hostSpsr);
    const protectedMode = r.bool('protectedMode'), protectedModeInitialized = r.bool('protectedModeInitialized');
    const finalised = r.bool('finalised'), hypFfaVersion = r.f64('hypFfaVersion'), negotiated = r.bool('negotiated');
    const hostVersion = r.opt('hostVersion', () => r.f64('hostVersion')), hypBuffersReady = r.bool('hypBuffersReady');
    const hostTx = r.f64('hostTx'), hostRx = r.f64('hostRx'), mailboxRegistered = r.bool('mailboxRegistered');
    const panicReason = r.opt('panicReason', () => r.str('panicReason')), cpuOnLocked = r.bool('cpuOnLocked');
    const boot = [r.i32('bootPcLo'), r.i32('bootPcHi'), r.i32('bootR0Lo'), r.i32('bootR0Hi')] as const;
    const bus = this.p.bus;
    const stage2 = r.opt('stage2', () => {
      r.cfgNum('stage2 base', DRAM_BASE); r.cfgNum('stage2 size (DRAM size)', bus.dramSize);
      const st = new HostStage2(DRAM_BASE, bus.dramSize);
      st.host.set(r.u8s('stage2 host states', st.pages)); st.hyp.set(r.u8s('stage2 hyp states', st.pages));
      st.pins.set(r.u16s('stage2 pins', st.pages));
      return st;
    });
    const carveBase = r.f64('carveBase'), pgtPa = r.f64('pgtPa'), hypTxPa = r.f64('hypTxPa'), hypRxPa = r.f64('hypRxPa');
    const descPa = r.f64('descPa'); r.cfgNum('descLen', this.descLen);
    const ctx = r.i32s('host context', this.ctx.length), elrLo = r.i32('ctxElrLo'), elrHi = r.i32('ctxElrHi'), spsr = r.i32('ctxSpsr');
    const res = r.i32s('res', this.res.length), arg = r.i32s('arg', this.arg.length), out = r.i32s('out', this.out.length);
    const counters: number[] = [];
    for (const k of ['hostSmcTraps', 'hostHvcs', 'forwarded', 'ffaHandled', 'gateRejects', 'hostAborts', 'nestedSmcs']) counters.push(r.f64(`stats.${k}`));
    const hypSmcs: HypSmcRecord[] = [];
    const nh = r.count('hypSmcs', LOG_LIMIT);
    for (let i = 0; i < nh; i++) hypSmcs.push({ x0: r.u32('hypSmc x0'), x1: r.u64('hypSmc x1'), x2: r.u64('hypSmc x2'), x3: r.u64('hypSmc x3'), result: r.u32('hypSmc result') });
    const maps: { tx: number; rx: number; pages: number }[] = [];
    const nm = r.count('rxtxMapPas', LOG_LIMIT);
    for (let i = 0; i < nm; i++) maps.push({ tx: r.f64('rxtxMap tx'), rx: r.f64('rxtxMap rx'), pages: r.f64('rxtxMap pages') });
    const warnings = r.strs('warnings', LOG_LIMIT);
    const ram = (pa: number, len: number): Uint8Array => {
      const m = bus.ram(pa, len);
      if (m === null) r.mismatch('hyp buffer address', pa, 'RAM');
      return m;
    };
    const views = stage2 === null ? null : { tx: ram(hypTxPa, PAGE_SIZE), rx: ram(hypRxPa, PAGE_SIZE), desc: ram(descPa, this.descLen) };
    return () => {
      this.protectedMode = protectedMode; this.protectedModeInitialized = protectedModeInitialized; this.finalised = finalised;
      this.hypFfaVersion = hypFfaVersion; this.negotiated = negotiated; this.hostVersion = hostVersion;
      this.hypBuffersReady = hypBuffersReady; this.hostTx = hostTx; this.hostRx = hostRx; this.mailboxRegistered = mailboxRegistered;
      this.panicReason = panicReason; this.cpuOnLocked = cpuOnLocked;
      [this.bootPcLo, this.bootPcHi, this.bootR0Lo, this.bootR0Hi] = boot;
      this.stage2 = stage2;
      this.carveBase = carveBase; this.pgtPa = pgtPa; this.hypTxPa = hypTxPa; this.hypRxPa = hypRxPa; this.descPa = descPa;
      if (views !== null) {
        this.hypTx = views.tx; this.hypRx = views.rx; this.desc = views.desc;
        this.hypTxView = new DataView(views.tx.buffer, views.tx.byteOffset, views.tx.byteLength);
        this.hypRxView = new DataView(views.rx.buffer, views.rx.byteOffset, views.rx.byteLength);
        this.descView = new DataView(views.desc.buffer, views.desc.byteOffset, views.desc.byteLength);
      } else {
        this.hypTx = new Uint8Array(0); this.hypRx = new Uint8Array(0); this.desc = new Uint8Array(0);
        this.hypTxView = new DataView(new ArrayBuffer(8)); this.hypRxView = new DataView(new ArrayBuffer(8)); this.descView = new DataView(new ArrayBuffer(8));
      }
      this.ctx.set(ctx); this.ctxElrLo = elrLo; this.ctxElrHi = elrHi; this.ctxSpsr = spsr;
      this.res.set(res); this.arg.set(arg); this.out.set(out);
      const st = this.stats;
      [st.hostSmcTraps, st.hostHvcs, st.forwarded, st.ffaHandled, st.gateRejects, st.hostAborts, st.nestedSmcs] = counters as [number, number, number, number, number, number, number];
      this.hypSmcs.length = 0; this.hypSmcs.push(...hypSmcs);
      this.rxtxMapPas.length = 0; this.rxtxMapPas.push(...maps);
      this.warnings.length = 0; this.warnings.push(...warnings);
      // The host stage 2 is enforced on the bus exactly when pKVM has finalised (protFinalize).
      if (finalised && stage2 !== null) this.installHostStage2Check(stage2);
      else bus.stage2Check = null;
    };
  }
}

// cold-path selectors
const COLD_RXTX_MAP = 1, COLD_RXTX_UNMAP = 2, COLD_MEM_SHARE = 3, COLD_MEM_LEND = 4, COLD_MEM_RECLAIM = 5,
  COLD_MEM_FRAG_TX = 6, COLD_VERSION = 7, COLD_PART_GET = 8;

/** FFA_MEM_REGION_SZ: the transaction header pKVM assumes (32 bytes before v1.1; UNVERIFIED for v1.0, ref §4.6). */
function regionHdrSize(v: number): number { return v <= FFA_VERSION_1_0 ? FFA_REGION_HDR_V1_0 : FFA_REGION_HDR_V1_1; }
/** ffa_emad_size_get: 32 bytes from v1.2 (impdef field), 16 before. */
function emadSize(v: number): number { return v >= FFA_VERSION_1_2 ? FFA_EMAD_V1_2 : FFA_EMAD_V1_0; }
/** ffa_mem_desc_offset(buf, 0, v): 32 for v1.0, sizeof(ffa_mem_region) = 48 after; ep_mem_offset is not read. */
function emadOffset(v: number): number { return v <= FFA_VERSION_1_0 ? FFA_REGION_HDR_V1_0 : FFA_REGION_HDR_V1_1; }
