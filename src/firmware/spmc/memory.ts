/**
 * FF-A memory management at the SPMC (DEN0077A v1.0 ch.5 memory states, ch.11 transactions, ch.12
 * fragmentation; v1.1/v1.2 descriptor layouts): FFA_MEM_SHARE/LEND/DONATE, FFA_MEM_FRAG_TX/FRAG_RX,
 * FFA_MEM_RETRIEVE_REQ (partition and hypervisor forms) -> FFA_MEM_RETRIEVE_RESP,
 * FFA_MEM_RELINQUISH, FFA_MEM_RECLAIM, over an owner-side page state table. Reference notes:
 * ffa-abi.md §5.3, §6, §7.1, §7.6, §8; pkvm-ffa.md §4.6-4.8.
 *
 * Contract with the dispatcher (spmc/core.ts):
 *  - `handle` is called for function numbers 0x71..0x7B (both widths) after the dispatcher has done
 *    the common work: SVE hint stripped, version negotiation closed, and the FID known to be an FF-A
 *    ID. It returns false when `fid` is not a memory ABI (the dispatcher then answers NOT_SUPPORTED).
 *  - Registers are the state view: x0-x17 at slots 0..35 (two int32 halves each, low first). The
 *    whole result is written to x0..x7 (FFA_SUCCESS/FFA_ERROR/FFA_MEM_RETRIEVE_RESP/FFA_MEM_FRAG_RX/
 *    FFA_MEM_FRAG_TX in w0, the rest of w1..w7 as the ABI defines, unused ones and all upper halves
 *    zero); x8..x17 are left alone.
 *  - `mailbox` is the caller's RX/TX pair (null when none is mapped). `tx`/`rx` are physical
 *    addresses, `pages` the size in 4 KiB pages, `version` the caller's negotiated FF-A version
 *    (descriptor layout), `state` the RX ownership: descriptors are written to RX only while it is
 *    RX_EMPTY, and it is RX_FULL after (the caller then owns it until FFA_RX_RELEASE).
 *  - `caller` is the endpoint ID of the caller (0 for the NS endpoint, 0x8001.. for partitions).
 *
 * Shape. A non-memory FID costs a range check. Descriptors are copied out of the caller's TX
 * buffer before they are validated (HF copies into a private buffer against TOCTOU, ffa-abi.md
 * §7.1) and decoded with src/ffa/descriptors.ts in the caller's layout. This is the cold path: a
 * transaction is a small record, fragments are reassembled into a fresh buffer, handles are bigints.
 *
 * Ownership. Every 4 KiB page has an owner-side state {owner, state, handle}; a page never touched
 * here is owned by the world its RAM belongs to: non-secure DRAM by the normal world (any NWd
 * endpoint may claim it by sending it), secure RAM by the secure world (any SP, unless
 * `assignMemory` gave it to one). Sending claims the pages for the sender. States: owned (owner has
 * exclusive access), shared (owner keeps access: Owner-SA), lent (owner has no access: Owner-NA),
 * donated (ownership moves at the borrower's retrieval). Every change goes through one transition
 * function that checks it is legal; `checkInvariants()` audits the tables.
 *
 * Errors follow the spec where the reference notes quote it and Hafnium otherwise; where the peers
 * differ (ffa-abi.md §8) a policy picks one: 'hafnium' (default), 'tf-a' (TF-A EL3 SPMC), 'optee'
 * (OP-TEE S-EL1 SPMC) or 'spec' (a64el's reading of DEN0077A where the peers are stricter). Every
 * reject names the section it enforces (`lastReject`).
 *
 * Not modelled: dynamically allocated descriptor buffers (x3/w4 != 0), time slicing
 * (FFA_MEM_OP_PAUSE/RESUME, flag bit 1), stream endpoints (relinquish endpoint count != 1),
 * receiver-chosen address ranges, retrieval by the hypervisor on behalf of a VM borrower, the
 * borrowers' stage-2 mappings (consumers query `pageInfo`).
 */
import type { Bus } from '../../memory/bus.js';
import { SnapshotError, type StateReader, type StateWriter } from '../../state/snapshot-codec.js';
import { Region } from '../../memory/bus.js';
import {
  FFA_ERROR,
  FFA_MEM_DONATE,
  FFA_MEM_DONATE_64,
  FFA_MEM_FRAG_RX,
  FFA_MEM_FRAG_TX,
  FFA_MEM_LEND,
  FFA_MEM_LEND_64,
  FFA_MEM_OP_PAUSE,
  FFA_MEM_OP_RESUME,
  FFA_MEM_RECLAIM,
  FFA_MEM_RELINQUISH,
  FFA_MEM_RETRIEVE_REQ,
  FFA_MEM_RETRIEVE_REQ_64,
  FFA_MEM_RETRIEVE_RESP,
  FFA_MEM_SHARE,
  FFA_MEM_SHARE_64,
  FFA_RET_ABORTED,
  FFA_RET_BUSY,
  FFA_RET_DENIED,
  FFA_RET_INVALID_PARAMETERS,
  FFA_RET_NO_MEMORY,
  FFA_RET_NOT_SUPPORTED,
  FFA_SUCCESS,
  FFA_VERSION_1_0,
  FFA_VERSION_1_1,
  FFA_VERSION_1_2,
  SMCCC_SVE_HINT,
  ffaHandle,
  ffaHandleHi,
  ffaHandleLo,
  versionMajor,
  versionMinor,
} from '../../ffa/abi.js';
import {
  DescriptorError,
  FFA_COMPOSITE_HEADER_SIZE,
  FFA_CONSTITUENT_SIZE,
  FFA_DATA_ACCESS_NOT_SPECIFIED,
  FFA_DATA_ACCESS_RO,
  FFA_DATA_ACCESS_RW,
  FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED,
  FFA_INSTRUCTION_ACCESS_NX,
  FFA_INSTRUCTION_ACCESS_X,
  FFA_MEM_ATTR_NORMAL_WB_INNER,
  FFA_MEM_ATTR_NS,
  FFA_MEM_CACHE_NON_CACHEABLE,
  FFA_MEM_CACHE_WRITE_BACK,
  FFA_MEM_DEV_NGNRNE,
  FFA_MEM_FLAG_ALIGN_HINT_MASK,
  FFA_MEM_FLAG_ALIGN_HINT_VALID,
  FFA_MEM_FLAG_BYPASS_MULTI_BORROWER,
  FFA_MEM_FLAG_CLEAR,
  FFA_MEM_FLAG_CLEAR_RELINQUISH,
  FFA_MEM_FLAG_TIME_SLICE,
  FFA_MEM_FLAG_TYPE_DONATE,
  FFA_MEM_FLAG_TYPE_LEND,
  FFA_MEM_FLAG_TYPE_MASK,
  FFA_MEM_FLAG_TYPE_SHARE,
  FFA_MEM_RECLAIM_CLEAR,
  FFA_MEM_SHARE_INNER,
  FFA_MEM_SHARE_NON_SHAREABLE,
  FFA_MEM_SHARE_OUTER,
  FFA_MEM_TYPE_DEVICE,
  FFA_MEM_TYPE_NORMAL,
  FFA_MEM_TYPE_NOT_SPECIFIED,
  FFA_MTD_HEADER_SIZE_V1_0,
  FFA_PAGE_SIZE,
  FFA_RELINQUISH_FLAG_CLEAR,
  type MemRegionConstituent,
  type MemTransaction,
  decodeMemRelinquish,
  decodeMemRetrieveRequest,
  decodeMemTransaction,
  encodeMemTransaction,
  ffaMemAttrCacheability,
  ffaMemAttrShareability,
  ffaMemAttrType,
  ffaMemPermissions,
  ffaPermData,
  ffaPermInstruction,
  memTransactionHeaderSize,
} from '../../ffa/descriptors.js';

/** RX buffer ownership (DEN0077A v1.1 §4.? "RX buffer ownership"; ffa-abi.md 7.1). */
export const RX_EMPTY = 0;
export const RX_FULL = 1;
export const RX_OTHER_WORLD_OWNED = 2;

/** An endpoint's RX/TX pair as the SPMC keeps it (one object per endpoint, reused). */
export interface Mailbox {
  tx: number;
  rx: number;
  pages: number;
  version: number;
  state: number;
}

/** What the memory module may ask of its SPMC. */
export interface SpmcMemoryHost {
  readonly bus: Bus;
  /** The SPMC's endpoint ID. */
  readonly spmcId: number;
  /** Endpoint IDs of the secure partitions. */
  partitionIds(): readonly number[];
  /** The mailbox of an endpoint by ID, or null. */
  mailboxOf(id: number): Mailbox | null;
  /** Charge cycles for modelled work (copies). */
  charge(cycles: number): void;
}

// ---------------------------------------------------------------------------------------------
// Options, policies, public record types
// ---------------------------------------------------------------------------------------------

/** Optional second constructor argument: what the host interface does not carry. */
export interface SpmcMemoryOptions {
  /** 'hafnium' (default), 'tf-a' (or 'tfa'), 'optee', 'spec': see SpmcMemoryPolicy. */
  policy?: string;
  /** The SPMC's FF-A version (FFA_FEATURES answers); default v1.2. */
  version?: number;
  /** Which IDs are endpoints (default: the host's partitions and the NS endpoint 0). */
  isValidEndpoint?(id: number): boolean;
  /** Which IDs are secure-world endpoints (default: ID bit 15). */
  isSecureEndpoint?(id: number): boolean;
  /** Modelled copy bandwidth for `host.charge` (default 16 bytes per cycle). */
  copyBytesPerCycle?: number;
}

/** Implementation-defined choices where the peers disagree (ffa-abi.md §8). */
export interface SpmcMemoryPolicy {
  readonly name: string;
  /** Status for a retrieve (or FRAG_RX) into an RX buffer that is not free: HF BUSY, TF-A DENIED. */
  readonly rxFullError: number;
  /** Status for an unknown handle in RETRIEVE_REQ/RELINQUISH: INVALID_PARAMETERS, OP-TEE DENIED. */
  readonly badHandleError: number;
  /** Which send ABIs exist (TF-A: no DONATE; OP-TEE: SHARE only). */
  readonly lend: boolean;
  readonly donate: boolean;
  /** TF-A EL3 SPMC: only the normal world sends memory (secure senders: INVALID_PARAMETERS). */
  readonly nwdSendersOnly: boolean;
  /** Required alignment of composite offsets (HF/TF-A 16; a64el's reading of the spec 8). */
  readonly compositeAlignment: number;
  /** HF: only Normal WB Inner-shareable (or Device-nGnRnE) attributes, else DENIED. */
  readonly strictAttributes: boolean;
  /**
   * FFA_FEATURES(FFA_MEM_RETRIEVE_REQ) w3[7:0] = N: a borrower may hold 2^(N+1) - 1 retrievals of a
   * handle at once (ACS `lend_multiple_retrievals`); HF reports 0, i.e. one.
   */
  readonly retrievalsLog2: number;
  /** RECLAIM of a handle whose fragments are still arriving: abort it (true) or INVALID_PARAMETERS (HF, TF-A). */
  readonly reclaimAbortsIncomplete: boolean;
  /** RELINQUISH by a borrower that holds no retrieval: HF INVALID_PARAMETERS, spec DENIED (v1.0 §11.6). */
  readonly notRetrievedError: number;
  /** TF-A EL3 SPMC: FFA_MEM_RECLAIM flags are unsupported (any bit set: INVALID_PARAMETERS). */
  readonly reclaimFlagsUnsupported: boolean;
  /**
   * TF-A EL3 SPMC: FFA_FEATURES reports memory ABIs by the caller's world (spmc_main.c
   * ffa_features_handler): SHARE/LEND/RECLAIM/FRAG_RX to the NWd only, RELINQUISH to SPs only,
   * FRAG_TX to both, RETRIEVE_REQ with its own input-property rules, anything else NOT_SUPPORTED.
   */
  readonly worldFeatureLists: boolean;
  /** TF-A EL3 SPMC: FFA_MEM_RELINQUISH from the NWd is INVALID_PARAMETERS before any other check. */
  readonly relinquishSecureOnly: boolean;
}

const HAFNIUM: SpmcMemoryPolicy = {
  name: 'hafnium',
  rxFullError: FFA_RET_BUSY,
  badHandleError: FFA_RET_INVALID_PARAMETERS,
  lend: true,
  donate: true,
  nwdSendersOnly: false,
  compositeAlignment: 16,
  strictAttributes: true,
  retrievalsLog2: 0,
  reclaimAbortsIncomplete: false,
  notRetrievedError: FFA_RET_INVALID_PARAMETERS,
  reclaimFlagsUnsupported: false,
  worldFeatureLists: false,
  relinquishSecureOnly: false,
};
const TFA: SpmcMemoryPolicy = {
  ...HAFNIUM,
  name: 'tf-a',
  rxFullError: FFA_RET_DENIED,
  donate: false,
  nwdSendersOnly: true,
  strictAttributes: false,
  reclaimFlagsUnsupported: true,
  worldFeatureLists: true,
  relinquishSecureOnly: true,
};
const POLICIES: Readonly<Record<string, SpmcMemoryPolicy>> = {
  hafnium: HAFNIUM,
  'tf-a': TFA,
  tfa: TFA,
  optee: { ...HAFNIUM, name: 'optee', badHandleError: FFA_RET_DENIED, lend: false, donate: false, strictAttributes: false },
  spec: {
    ...HAFNIUM,
    name: 'spec',
    compositeAlignment: 8,
    strictAttributes: false,
    retrievalsLog2: 3,
    reclaimAbortsIncomplete: true,
    notRetrievedError: FFA_RET_DENIED,
  },
};

/** The policy table for a name; unknown names (and undefined) get Hafnium's behaviour. */
export function spmcMemoryPolicy(name: string | undefined): SpmcMemoryPolicy {
  return (name !== undefined ? POLICIES[name] : undefined) ?? HAFNIUM;
}

/** Owner-side state of a 4 KiB page (v1.0 §5.5-§5.9, the owner's column of the state tables). */
export type PageState = 'owned' | 'shared' | 'lent' | 'donated';

/** One page's entry in the owner-side table. */
export interface PageRecord {
  /** The owner's endpoint ID. */
  readonly owner: number;
  readonly state: PageState;
  /** The transaction holding the page, or null when it is `owned`. */
  readonly handle: bigint | null;
}

// ---------------------------------------------------------------------------------------------
// Internal records
// ---------------------------------------------------------------------------------------------

type SendKind = 'share' | 'lend' | 'donate';

const KIND_STATE: Readonly<Record<SendKind, PageState>> = { share: 'shared', lend: 'lent', donate: 'donated' };
const KIND_FLAG: Readonly<Record<SendKind, number>> = {
  share: FFA_MEM_FLAG_TYPE_SHARE,
  lend: FFA_MEM_FLAG_TYPE_LEND,
  donate: FFA_MEM_FLAG_TYPE_DONATE,
};

/** A retrieve response (or hypervisor retrieve response) still being handed out by FFA_MEM_FRAG_RX. */
interface PendingResponse {
  bytes: Uint8Array;
  /** Bytes already delivered = the offset the next FFA_MEM_FRAG_RX must name. */
  offset: number;
}

interface Borrower {
  readonly id: number;
  /** Permissions and EMAD flags as the sender gave them. */
  readonly permissions: number;
  readonly emadFlags: number;
  readonly impdef: Uint8Array | undefined;
  /** Retrievals held (a fragmented one counts from its first fragment). */
  retrievals: number;
  /** Permissions granted at the last retrieval (RO forbids zeroing, v1.0 §5.12.4.1 / §11.6). */
  granted: number;
  pending: PendingResponse | null;
}

interface Transaction {
  readonly handle: bigint;
  readonly kind: SendKind;
  readonly sender: number;
  /** The endpoint that issued the send (the NS endpoint 0 may send for VMs it speaks for). */
  readonly caller: number;
  /** Total descriptor length, and the reassembly buffer while fragments arrive. */
  readonly total: number;
  buf: Uint8Array | null;
  filled: number;
  readonly layout: number;
  complete: boolean;
  /** Set once complete. */
  tag: bigint;
  flags: number;
  /** Attributes the relayer reports in RETRIEVE_RESP (the sender's, or its own choice for DONATE/LEND-1). */
  attributes: number;
  /** The memory is non-secure (NS bit in v1.1+ RETRIEVE_RESP, v1.1 §10.10.4.1). */
  ns: boolean;
  constituents: MemRegionConstituent[];
  pages: number[];
  borrowers: Borrower[];
  /** Some borrower asked for zeroing on relinquish (retrieve flag bit 2 or relinquish flag bit 0). */
  clearOnRelinquish: boolean;
  /** The hypervisor retrieve request in progress (ffa-abi.md §6.8). */
  hypPending: PendingResponse | null;
}

/** A rejected request: the status to return and the rule it enforces. */
class Reject {
  constructor(
    readonly code: number,
    readonly rule: string,
  ) {}
}

// ---------------------------------------------------------------------------------------------
// Register and layout helpers
// ---------------------------------------------------------------------------------------------

/** Cap on one descriptor (NO_MEMORY beyond, v1.0 §11.1: "the Relayer cannot allocate"). */
const MAX_DESCRIPTOR_BYTES = 1 << 20;
/** Cap on live transactions (NO_MEMORY beyond). */
const MAX_TRANSACTIONS = 4096;
/** First SPMC-allocated handle: bit 63 clear marks the SPMC as allocator (HF; TF-A starts here too). */
const FIRST_HANDLE = 0xffff_ffc0n;
/** FFA_FEATURES(FFA_MEM_RETRIEVE_REQ) w2 (v1.2 memory management supplement Table 3.1, via HF). */
const RETRIEVE_FEAT_NS_BIT = 1 << 1;
const RETRIEVE_FEAT_HYP = 1 << 2;
const FFA_FN_MEM_FIRST = 0x71; // FFA_MEM_DONATE
const FFA_FN_MEM_LAST = 0x7b; // FFA_MEM_FRAG_TX
const ZERO_PAGE = new Uint8Array(FFA_PAGE_SIZE);

function w(regs: Int32Array, n: number): number {
  return regs[2 * n]! >>> 0;
}

/** x0..x7 = w0..w7 zero-extended (SMCCC: 32-bit results, upper halves zero). */
function setResult(regs: Int32Array, w0: number, w1 = 0, w2 = 0, w3 = 0, w4 = 0): void {
  regs[0] = w0 | 0;
  regs[2] = w1 | 0;
  regs[4] = w2 | 0;
  regs[6] = w3 | 0;
  regs[8] = w4 | 0;
  for (let i = 1; i < 16; i += 2) regs[i] = 0;
  for (let i = 10; i < 16; i += 2) regs[i] = 0;
}

/** FFA_ERROR: w1 = 0 (target info), w2 = status (ffa-abi.md §3). */
function setError(regs: Int32Array, code: number): void {
  setResult(regs, FFA_ERROR, 0, code);
}

/** The descriptor layout a negotiated version selects (v1.0-v1.2 layouts exist; later minors reuse v1.2). */
function layoutVersion(version: number): number {
  if (versionMajor(version) !== 1) return FFA_VERSION_1_2;
  const minor = versionMinor(version);
  return minor === 0 ? FFA_VERSION_1_0 : minor === 1 ? FFA_VERSION_1_1 : FFA_VERSION_1_2;
}

function sendKind(fid: number): SendKind | undefined {
  switch (fid) {
    case FFA_MEM_SHARE:
    case FFA_MEM_SHARE_64:
      return 'share';
    case FFA_MEM_LEND:
    case FFA_MEM_LEND_64:
      return 'lend';
    case FFA_MEM_DONATE:
    case FFA_MEM_DONATE_64:
      return 'donate';
    default:
      return undefined;
  }
}

function hex(v: number | bigint): string {
  return `0x${v.toString(16)}`;
}

// ---------------------------------------------------------------------------------------------
// SpmcMemory
// ---------------------------------------------------------------------------------------------

export class SpmcMemory {
  readonly policy: SpmcMemoryPolicy;
  /** The rule behind the last rejected call (diagnostics; '' after a success). */
  lastReject = '';

  private readonly bus: Bus;
  private readonly version: number;
  private readonly validEndpoint: (id: number) => boolean;
  private readonly secureEndpoint: (id: number) => boolean;
  private readonly copyBytesPerCycle: number;
  /** Owner-side page table: page frame number (pa >> 12) -> record. Absent = owned by its RAM's world. */
  private readonly pages = new Map<number, PageRecord>();
  /** Live transactions by handle. */
  private readonly txs = new Map<bigint, Transaction>();
  private nextHandle = FIRST_HANDLE;
  /** Illegal page transitions attempted (an emulator bug, reported by checkInvariants). */
  private readonly violations: string[] = [];

  constructor(
    readonly host: SpmcMemoryHost,
    opts: SpmcMemoryOptions = {},
  ) {
    this.bus = host.bus;
    this.policy = spmcMemoryPolicy(opts.policy);
    this.version = opts.version ?? FFA_VERSION_1_2;
    const secure = opts.isSecureEndpoint ?? ((id: number) => (id & 0x8000) !== 0);
    this.secureEndpoint = (id) => secure(id);
    this.validEndpoint =
      opts.isValidEndpoint !== undefined
        ? (id) => opts.isValidEndpoint!(id)
        : (id) => (secure(id) ? id !== host.spmcId && host.partitionIds().includes(id) : id === 0);
    this.copyBytesPerCycle = opts.copyBytesPerCycle ?? 16;
  }

  /**
   * Handle a memory-management ABI. Returns false if `fid` is not one (the dispatcher answers
   * NOT_SUPPORTED itself).
   */
  handle(fid: number, caller: number, regs: Int32Array, mailbox: Mailbox | null): boolean {
    const fn = fid & 0xffff;
    if (fn < FFA_FN_MEM_FIRST || fn > FFA_FN_MEM_LAST) return false;
    const id = (fid & ~SMCCC_SVE_HINT) >>> 0; // DEN0028 v1.3: the SVE hint bit is not part of the ID
    let r: Reject | undefined;
    switch (id) {
      case FFA_MEM_SHARE:
      case FFA_MEM_SHARE_64:
      case FFA_MEM_LEND:
      case FFA_MEM_LEND_64:
      case FFA_MEM_DONATE:
      case FFA_MEM_DONATE_64:
        r = this.memSend(sendKind(id)!, (id & 0x40000000) !== 0, caller, regs, mailbox);
        break;
      case FFA_MEM_FRAG_TX:
        r = this.fragTx(caller, regs, mailbox);
        break;
      case FFA_MEM_RETRIEVE_REQ:
      case FFA_MEM_RETRIEVE_REQ_64:
        r = this.retrieveReq(id === FFA_MEM_RETRIEVE_REQ_64, caller, regs, mailbox);
        break;
      case FFA_MEM_FRAG_RX:
        r = this.fragRx(caller, regs, mailbox);
        break;
      case FFA_MEM_RELINQUISH:
        r = this.relinquish(caller, regs, mailbox);
        break;
      case FFA_MEM_RECLAIM:
        r = this.reclaim(caller, regs);
        break;
      case FFA_MEM_RETRIEVE_RESP:
        // Sent by the relayer only (v1.0 §11.5?); an endpoint invoking it gets NOT_SUPPORTED (HF).
        r = new Reject(FFA_RET_NOT_SUPPORTED, 'FFA_MEM_RETRIEVE_RESP is a relayer-to-receiver ABI (v1.0 §11.5)');
        break;
      case FFA_MEM_OP_PAUSE:
      case FFA_MEM_OP_RESUME:
        // Time slicing is not implemented (HF and pKVM answer NOT_SUPPORTED; ffa-abi.md §5.3).
        r = new Reject(FFA_RET_NOT_SUPPORTED, 'FFA_MEM_OP_PAUSE/RESUME: time slicing not supported (v1.0 §11.8-11.9)');
        break;
      default:
        return false; // an SMC64 form that does not exist: not ours
    }
    if (r !== undefined) {
      this.lastReject = r.rule;
      setError(regs, r.code);
    } else {
      this.lastReject = '';
    }
    return true;
  }

  /**
   * FFA_FEATURES for a memory ABI: the interface properties (w2, >= 0) if supported for this caller,
   * or FFA_RET_NOT_SUPPORTED (-1). `inputProperties` is FFA_FEATURES w2 (MEM_RETRIEVE_REQ uses it).
   * w3 is 0 for every memory ABI except FFA_MEM_RETRIEVE_REQ: see `featureProperties`.
   */
  features(fid: number, caller = 0, inputProperties = 0): number {
    const p = this.featureProperties(fid, caller, inputProperties);
    return typeof p === 'object' ? p.w2 : FFA_RET_NOT_SUPPORTED;
  }

  /** FFA_FEATURES w2/w3 for a memory ABI, 'not-supported', or undefined for an ID that is not one. Agrees with handle(). */
  featureProperties(fid: number, caller = 0, inputProperties = 0): { w2: number; w3: number } | 'not-supported' | undefined {
    const id = (fid & ~SMCCC_SVE_HINT) >>> 0;
    if (this.policy.worldFeatureLists) return this.worldFeatureProperties(id, caller, inputProperties);
    switch (id) {
      case FFA_MEM_SHARE:
      case FFA_MEM_SHARE_64:
      case FFA_MEM_LEND:
      case FFA_MEM_LEND_64:
      case FFA_MEM_DONATE:
      case FFA_MEM_DONATE_64: {
        const kind = sendKind(id)!;
        if ((kind === 'lend' && !this.policy.lend) || (kind === 'donate' && !this.policy.donate)) return 'not-supported';
        // v1.1 §13.3?: input properties MBZ except for FFA_MEM_RETRIEVE_REQ; w2 bit 0 = dynamically
        // allocated buffers supported: no (the descriptor must be in TX).
        return inputProperties === 0 ? { w2: 0, w3: 0 } : 'not-supported';
      }
      case FFA_MEM_RETRIEVE_REQ:
      case FFA_MEM_RETRIEVE_REQ_64: {
        // v1.2 memory management supplement Table 3.1 (as HF quotes it): input bit 1 = caller
        // handles the NS bit, bits [31:2] and [0] SBZ (HF only warns: so do we). Output w2 bit 0
        // dynamic buffers (0), bit 1 NS bit handling, bit 2 hypervisor retrieve (both v1.1+);
        // w3[7:0] = N, 2^(N+1) - 1 outstanding retrievals per borrower (ACS lend_multiple_retrievals).
        const v11 = this.version >= FFA_VERSION_1_1;
        return { w2: v11 ? RETRIEVE_FEAT_NS_BIT | RETRIEVE_FEAT_HYP : 0, w3: this.policy.retrievalsLog2 };
      }
      case FFA_MEM_RETRIEVE_RESP:
      case FFA_MEM_RELINQUISH:
      case FFA_MEM_RECLAIM:
      case FFA_MEM_FRAG_RX:
      case FFA_MEM_FRAG_TX:
        // RETRIEVE_RESP is implemented as the relayer's response (HF reports it), though an endpoint
        // cannot invoke it.
        return inputProperties === 0 ? { w2: 0, w3: 0 } : 'not-supported';
      case FFA_MEM_OP_PAUSE:
      case FFA_MEM_OP_RESUME:
        return 'not-supported';
      default:
        return undefined;
    }
  }

  /** FFA_FEATURES for a memory ABI as TF-A's EL3 SPMC answers it (spmc_main.c ffa_features_handler). */
  private worldFeatureProperties(id: number, caller: number, input: number): { w2: number; w3: number } | 'not-supported' | undefined {
    const secure = this.secureEndpoint(caller);
    switch (id) {
      case FFA_MEM_RETRIEVE_REQ:
      case FFA_MEM_RETRIEVE_REQ_64:
        // ffa_features_retrieve_request: the NWd gets no extra features (asking for NS-bit handling,
        // input bit 1, is NOT_SUPPORTED); a v1.1+ SP must ask for it and gets it; a v1.0 SP gets what
        // it asked for.
        if (!secure) return (input & RETRIEVE_FEAT_NS_BIT) !== 0 ? 'not-supported' : { w2: 0, w3: 0 };
        if (this.version >= FFA_VERSION_1_1 && (input & RETRIEVE_FEAT_NS_BIT) === 0) return 'not-supported';
        return { w2: input & RETRIEVE_FEAT_NS_BIT, w3: 0 };
      case FFA_MEM_SHARE:
      case FFA_MEM_SHARE_64:
      case FFA_MEM_LEND:
      case FFA_MEM_LEND_64:
      case FFA_MEM_RECLAIM:
      case FFA_MEM_FRAG_RX:
        // "Supported features only from the normal world."
        return input === 0 && !secure ? { w2: 0, w3: 0 } : 'not-supported';
      case FFA_MEM_RELINQUISH:
        // "Supported ABIs only from the secure world."
        return input === 0 && secure ? { w2: 0, w3: 0 } : 'not-supported';
      case FFA_MEM_FRAG_TX:
        return input === 0 ? { w2: 0, w3: 0 } : 'not-supported';
      case FFA_MEM_DONATE:
      case FFA_MEM_DONATE_64:
      case FFA_MEM_RETRIEVE_RESP:
      case FFA_MEM_OP_PAUSE:
      case FFA_MEM_OP_RESUME:
        return 'not-supported';
      default:
        return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Queries and setup
  // -------------------------------------------------------------------------------------------

  /** The owner-side record of the page holding `pa`, or undefined when it was never claimed. */
  pageInfo(pa: number): PageRecord | undefined {
    return this.pages.get(Math.floor(pa / FFA_PAGE_SIZE));
  }

  /** True while `handle` names a live transaction (being sent, sent, or retrieved). */
  hasHandle(handle: bigint): boolean {
    return this.txs.has(handle);
  }

  /** Endpoints holding retrievals of `handle`, with how many each holds (empty for unknown handles). */
  retrievals(handle: bigint): Map<number, number> {
    const tx = this.txs.get(handle);
    const out = new Map<number, number>();
    if (tx !== undefined) for (const b of tx.borrowers) if (b.retrievals > 0) out.set(b.id, b.retrievals);
    return out;
  }

  /**
   * Declare `owner` the owner of [pa, pa + pageCount pages) (an SP's memory regions from its
   * manifest, say). The pages must be RAM and not held by a transaction.
   */
  assignMemory(owner: number, pa: number, pageCount: number): void {
    if (pa % FFA_PAGE_SIZE !== 0 || !Number.isInteger(pageCount) || pageCount <= 0) {
      throw new RangeError(`assignMemory: ${hex(pa)} + ${pageCount} pages is not a page-aligned range`);
    }
    if (this.ramRegion(pa, pageCount * FFA_PAGE_SIZE) === undefined) {
      throw new RangeError(`assignMemory: ${hex(pa)} + ${pageCount} pages is not RAM`);
    }
    const first = pa / FFA_PAGE_SIZE;
    for (let p = first; p < first + pageCount; p++) {
      const rec = this.pages.get(p);
      if (rec !== undefined && rec.state !== 'owned') {
        throw new RangeError(`assignMemory: page ${hex(p * FFA_PAGE_SIZE)} is ${rec.state} (handle ${hex(rec.handle ?? 0n)})`);
      }
    }
    for (let p = first; p < first + pageCount; p++) this.setPage(p, { owner, state: 'owned', handle: null });
  }

  /**
   * Audit (empty = fine): every handle maps to exactly one transaction; every page in a non-owned
   * state belongs to exactly one complete transaction of the matching kind and owner, and every
   * complete transaction holds exactly its pages (so no page is both accessible to its owner and
   * lent or donated away); retrieval counts are in range; only legal transitions happened.
   */
  checkInvariants(): string[] {
    const out = [...this.violations];
    const claimed = new Map<number, bigint>();
    const max = this.maxRetrievals();
    for (const [key, tx] of this.txs) {
      if (key !== tx.handle) out.push(`handle ${hex(key)} maps to the transaction of ${hex(tx.handle)}`);
      if ((tx.handle & (1n << 63n)) !== 0n) out.push(`handle ${hex(tx.handle)} has the hypervisor allocator bit set`);
      if (!tx.complete) {
        if (tx.pages.length !== 0) out.push(`incomplete handle ${hex(tx.handle)} holds pages`);
        continue;
      }
      if (tx.buf !== null) out.push(`complete handle ${hex(tx.handle)} still has a reassembly buffer`);
      for (const b of tx.borrowers) {
        if (b.retrievals < 0 || b.retrievals > max) out.push(`handle ${hex(tx.handle)}: borrower ${hex(b.id)} holds ${b.retrievals} retrievals`);
        if (b.pending !== null && b.retrievals === 0) out.push(`handle ${hex(tx.handle)}: borrower ${hex(b.id)} mid-retrieval without a retrieval`);
      }
      if (tx.kind === 'donate' && tx.borrowers.some((b) => b.retrievals > 0 && b.pending === null)) {
        out.push(`donate handle ${hex(tx.handle)} survived its retrieval`);
      }
      for (const p of tx.pages) {
        const other = claimed.get(p);
        if (other !== undefined) out.push(`page ${hex(p * FFA_PAGE_SIZE)} is in handles ${hex(other)} and ${hex(tx.handle)}`);
        claimed.set(p, tx.handle);
        const rec = this.pages.get(p);
        if (rec === undefined || rec.handle !== tx.handle || rec.state !== KIND_STATE[tx.kind] || rec.owner !== tx.sender) {
          const got = rec === undefined ? 'unclaimed' : `${rec.state} by ${hex(rec.owner)} in ${hex(rec.handle ?? 0n)}`;
          out.push(`page ${hex(p * FFA_PAGE_SIZE)} of ${tx.kind} handle ${hex(tx.handle)} is ${got}`);
        }
      }
    }
    for (const [p, rec] of this.pages) {
      if (rec.state === 'owned') {
        if (rec.handle !== null) out.push(`owned page ${hex(p * FFA_PAGE_SIZE)} names handle ${hex(rec.handle)}`);
        continue;
      }
      // shared keeps the owner's access (Owner-SA); lent/donated pages are away (Owner-NA).
      if (rec.handle === null || claimed.get(p) !== rec.handle) {
        out.push(`${rec.state} page ${hex(p * FFA_PAGE_SIZE)} is not held by a live transaction (handle ${hex(rec.handle ?? 0n)})`);
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // FFA_MEM_SHARE / LEND / DONATE (v1.0 §11.1-§11.3) and FFA_MEM_FRAG_TX (v1.0 §12)
  // -------------------------------------------------------------------------------------------

  private memSend(kind: SendKind, is64: boolean, caller: number, regs: Int32Array, mb: Mailbox | null): Reject | undefined {
    const K = `FFA_MEM_${kind.toUpperCase()}`;
    if ((kind === 'lend' && !this.policy.lend) || (kind === 'donate' && !this.policy.donate)) {
      return new Reject(FFA_RET_NOT_SUPPORTED, `${K} not implemented by the ${this.policy.name} SPMC (ffa-abi.md §8)`);
    }
    const total = w(regs, 1);
    const frag = w(regs, 2);
    const addrHi = is64 ? regs[7]! : 0;
    if ((regs[6]! | addrHi) !== 0 || w(regs, 4) !== 0) {
      // x3/w4 name a dynamically allocated buffer; FEATURES bit 0 says there is none (HF, pKVM).
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: address/page count must be 0, the descriptor travels in TX (v1.0 §11.1-11.3)`);
    }
    if (frag === 0 || frag > total) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: fragment length ${frag} vs total ${total} (v1.0 §11.1-11.3, §12)`);
    }
    if (this.policy.nwdSendersOnly && this.secureEndpoint(caller)) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: the TF-A EL3 SPMC takes memory from the normal world only`);
    }
    if (mb === null) return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: no RX/TX pair mapped, the descriptor travels in TX (v1.0 §11.1-11.3)`);
    if (frag > mb.pages * FFA_PAGE_SIZE) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: ${frag} bytes exceed the ${mb.pages}-page TX buffer (v1.0 §11.3; ACS share_input_error_checks1)`);
    }
    if (total > MAX_DESCRIPTOR_BYTES || this.txs.size >= MAX_TRANSACTIONS) {
      return new Reject(FFA_RET_NO_MEMORY, `${K}: no room for another transaction descriptor (v1.0 §11.1-11.3)`);
    }
    const bytes = this.readTx(mb, frag);
    if (bytes === null) return new Reject(FFA_RET_ABORTED, `${K}: TX buffer is not RAM (HF: a faulting copy aborts)`);
    const layout = layoutVersion(mb.version);

    let desc: MemTransaction;
    let rangeCount: number;
    if (frag === total) {
      const d = this.decode(() => decodeMemTransaction(bytes, 0, total, layout, { kind, compositeAlignment: this.policy.compositeAlignment }));
      if (d instanceof Reject) return d;
      desc = d;
      rangeCount = d.composite?.constituents.length ?? 0;
    } else {
      if (frag % FFA_CONSTITUENT_SIZE !== 0 || total % FFA_CONSTITUENT_SIZE !== 0) {
        // HF ffa_memory_send_validate: fragments end on constituent boundaries.
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: fragment and total lengths must be multiples of 16 (v1.0 §12)`);
      }
      const p = this.probeFirstFragment(bytes, frag, layout, kind);
      if (p instanceof Reject) return p;
      ({ desc, rangeCount } = p);
    }
    const bad = this.checkSendDescriptor(kind, desc, rangeCount, total, caller);
    if (bad !== undefined) return bad;

    // The handle is taken for good only when the send completes or goes fragmented: a refused
    // descriptor does not use one up.
    const tx: Transaction = {
      handle: this.nextHandle,
      kind,
      sender: desc.sender,
      caller,
      total,
      buf: null,
      filled: frag,
      layout,
      complete: false,
      tag: desc.tag,
      flags: desc.flags,
      attributes: 0,
      ns: false,
      constituents: [],
      pages: [],
      borrowers: [],
      clearOnRelinquish: false,
      hypPending: null,
    };
    if (frag === total) {
      const r = this.completeSend(tx, desc, mb);
      if (r !== undefined) return r;
      this.advanceHandle();
      setResult(regs, FFA_SUCCESS, 0, ffaHandleLo(tx.handle), ffaHandleHi(tx.handle));
      return undefined;
    }
    this.advanceHandle();
    tx.buf = new Uint8Array(total);
    tx.buf.set(bytes);
    this.txs.set(tx.handle, tx);
    this.fragRxReply(regs, tx);
    return undefined;
  }

  /** FFA_MEM_FRAG_TX: the sender's next fragment (v1.0 §12; HF api_ffa_mem_frag_tx, TF-A spmc_ffa_mem_frag_tx). */
  private fragTx(caller: number, regs: Int32Array, mb: Mailbox | null): Reject | undefined {
    const handle = ffaHandle(w(regs, 1), w(regs, 2));
    const frag = w(regs, 3);
    const w4 = w(regs, 4);
    const tx = this.txs.get(handle);
    if (tx === undefined) return new Reject(FFA_RET_INVALID_PARAMETERS, `FFA_MEM_FRAG_TX: unknown handle ${hex(handle)} (v1.0 §12)`);
    if (tx.caller !== caller) return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_FRAG_TX from an endpoint that is not the sender (v1.0 §12)');
    if (tx.complete) return new Reject(FFA_RET_INVALID_PARAMETERS, `FFA_MEM_FRAG_TX: handle ${hex(handle)} already has all its fragments (v1.0 §12)`);
    // w4[31:16] = sender ID when the hypervisor forwards, MBZ at the secure virtual instance (HF); [15:0] MBZ.
    const senderOk = this.secureEndpoint(caller) ? w4 === 0 : w4 === 0 || w4 === ((tx.sender << 16) >>> 0);
    if (!senderOk) return new Reject(FFA_RET_INVALID_PARAMETERS, `FFA_MEM_FRAG_TX: w4 ${hex(w4)} does not name the sender (v1.0 §12)`);
    if (mb === null) return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_FRAG_TX: no RX/TX pair mapped (v1.0 §12)');
    if (frag === 0 || frag % FFA_CONSTITUENT_SIZE !== 0 || frag > mb.pages * FFA_PAGE_SIZE || frag > tx.total - tx.filled) {
      return new Reject(
        FFA_RET_INVALID_PARAMETERS,
        `FFA_MEM_FRAG_TX: fragment length ${frag} must be a non-zero multiple of 16 within TX and the ${tx.total - tx.filled} bytes still expected (v1.0 §12)`,
      );
    }
    const bytes = this.readTx(mb, frag);
    if (bytes === null) return new Reject(FFA_RET_ABORTED, 'FFA_MEM_FRAG_TX: TX buffer is not RAM');
    tx.buf!.set(bytes, tx.filled);
    tx.filled += frag;
    if (tx.filled < tx.total) {
      this.fragRxReply(regs, tx);
      return undefined;
    }
    // All fragments in: decode the whole descriptor and complete, or drop the transaction (HF
    // ffa_memory_send_complete frees the share state on failure).
    const buf = tx.buf!;
    tx.buf = null;
    this.txs.delete(tx.handle);
    const d = this.decode(() =>
      decodeMemTransaction(buf, 0, tx.total, tx.layout, { kind: tx.kind, compositeAlignment: this.policy.compositeAlignment }),
    );
    if (d instanceof Reject) return d;
    const bad = this.checkSendDescriptor(tx.kind, d, d.composite?.constituents.length ?? 0, tx.total, tx.caller);
    if (bad !== undefined) return bad;
    const r = this.completeSend(tx, d, mb);
    if (r !== undefined) return r;
    setResult(regs, FFA_SUCCESS, 0, ffaHandleLo(tx.handle), ffaHandleHi(tx.handle));
    return undefined;
  }

  /** FFA_MEM_FRAG_RX to the sender: handle, bytes received so far, w4[31:16] = sender for NWd callers (ffa-abi.md §5.3). */
  private fragRxReply(regs: Int32Array, tx: Transaction): void {
    const w4 = this.secureEndpoint(tx.caller) ? 0 : (tx.sender << 16) >>> 0;
    setResult(regs, FFA_MEM_FRAG_RX, ffaHandleLo(tx.handle), ffaHandleHi(tx.handle), tx.filled, w4);
  }

  /**
   * Validates the first fragment of a fragmented send without its constituents: the header, the
   * EMAD array and the composite header must lie in it (HF ffa_memory_region_sanity_check). The
   * descriptor decoder sees a copy cut after the composite header, with its counts zeroed; the
   * constituents are decoded with the whole descriptor after the last fragment.
   */
  private probeFirstFragment(bytes: Uint8Array, frag: number, layout: number, kind: SendKind): { desc: MemTransaction; rangeCount: number } | Reject {
    const header = memTransactionHeaderSize(layout);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (frag < header) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `first fragment of ${frag} bytes is shorter than the ${header}-byte header (v1.0 §5.12)`);
    }
    const emadOffset = layout === FFA_VERSION_1_0 ? FFA_MTD_HEADER_SIZE_V1_0 : dv.getUint32(32, true);
    if (emadOffset > frag - 8) {
      // Let the decoder name what is wrong (the EMAD offset or array overruns the fragment).
      const d = this.decode(() => decodeMemTransaction(bytes, 0, frag, layout, { kind, compositeAlignment: this.policy.compositeAlignment }));
      return d instanceof Reject ? d : new Reject(FFA_RET_INVALID_PARAMETERS, 'the first fragment must hold the EMAD array (v1.0 §12)');
    }
    const co = dv.getUint32(emadOffset + 4, true);
    if (co === 0 || co > frag - FFA_COMPOSITE_HEADER_SIZE) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `composite offset ${co}: the composite header must lie in the first fragment (v1.0 §5.12.3, §12)`);
    }
    const rangeCount = dv.getUint32(co + 4, true);
    const probe = bytes.slice(0, co + FFA_COMPOSITE_HEADER_SIZE);
    probe.fill(0, co, co + 8); // total_page_count = address_range_count = 0
    const d = this.decode(() =>
      decodeMemTransaction(probe, 0, probe.length, layout, { kind, compositeAlignment: this.policy.compositeAlignment }),
    );
    if (d instanceof Reject) return d;
    return { desc: d, rangeCount };
  }

  /** Every check on a send descriptor but the constituents and page states, in HF's order. */
  private checkSendDescriptor(kind: SendKind, t: MemTransaction, rangeCount: number, total: number, caller: number): Reject | undefined {
    const K = `FFA_MEM_${kind.toUpperCase()}`;
    // v1.0 §5.12.4.1: time slicing (bit 1) is not supported here; HF rejects every flag but CLEAR.
    if ((t.flags & FFA_MEM_FLAG_TIME_SLICE) !== 0) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: time slicing flag set but not supported (v1.0 §5.12.4.1)`);
    }
    // v1.0 §5.12.3: each EMAD names a valid endpoint, else INVALID_PARAMETERS (ACS share_input_error_checks).
    for (const e of t.receivers) {
      if (!this.validEndpoint(e.receiver) || e.receiver === this.host.spmcId) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: receiver ${hex(e.receiver)} is not a valid endpoint (v1.0 §5.12.3)`);
      }
    }
    // Which directions an SPMC relays (v1.2 memory management supplement §1.4, HF
    // ffa_memory_is_send_valid): SPs send only to SPs; the normal world lends/donates only to SPs,
    // shares with one SP, or with several borrowers of which at least one is an SP.
    const secureRx = t.receivers.map((e) => this.secureEndpoint(e.receiver));
    const directionOk =
      !this.secureEndpoint(t.sender) && kind === 'share' && t.receivers.length > 1 ? secureRx.some(Boolean) : secureRx.every(Boolean);
    if (!directionOk) {
      return new Reject(FFA_RET_DENIED, `${K}: the SPMC does not relay this sender/receiver combination (v1.2 MM supplement §1.4; ACS *_input_error_checks1)`);
    }
    // v1.0 §5.12.3 via HF: the constituents run from the composite to the end of the descriptor.
    const co = t.receivers[0]?.compositeOffset ?? 0;
    if (total !== co + FFA_COMPOSITE_HEADER_SIZE + rangeCount * FFA_CONSTITUENT_SIZE) {
      return new Reject(
        FFA_RET_INVALID_PARAMETERS,
        `${K}: total length ${total} != composite offset ${co} + 16 + 16 * ${rangeCount} constituents (v1.0 §5.12; ffa-abi.md §7.6)`,
      );
    }
    // v1.0 §11.1.2/§11.2.2/§11.3.2: the Sender endpoint ID must be the caller (the NS endpoint 0 may
    // name any normal-world endpoint it speaks for), else DENIED (ACS *_input_error_checks1).
    if (!this.senderAllowed(caller, t.sender)) {
      return new Reject(FFA_RET_DENIED, `${K}: sender ${hex(t.sender)} is not the caller ${hex(caller)} (v1.0 §11.3.2)`);
    }
    for (const e of t.receivers) {
      const data = ffaPermData(e.permissions);
      if (ffaPermInstruction(e.permissions) !== FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED) {
        // v1.0 §5.11.3: the lender leaves instruction access unspecified (ACS share/lend_input_error_checks).
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: instruction access must be unspecified by the sender (v1.0 §5.11.3)`);
      }
      if (kind === 'donate' ? data !== FFA_DATA_ACCESS_NOT_SPECIFIED : data === FFA_DATA_ACCESS_NOT_SPECIFIED) {
        // v1.0 §5.11.2: SHARE/LEND specify data access; DONATE must not (ACS donate_input_error_checks).
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: data access ${kind === 'donate' ? 'must not' : 'must'} be specified (v1.0 §5.11.2)`);
      }
    }
    return this.checkSendAttributes(kind, t.attributes, t.receivers.length);
  }

  /** v1.0 §5.11.4 (v1.1 §10.10.4.1: the NS bit, MBZ on send, is refused by the decoder). */
  private checkSendAttributes(kind: SendKind, attributes: number, receivers: number): Reject | undefined {
    const K = `FFA_MEM_${kind.toUpperCase()}`;
    const type = ffaMemAttrType(attributes);
    if (kind === 'donate' || (kind === 'lend' && receivers === 1)) {
      // The owner must not specify the attributes when donating, or lending to one PE borrower.
      if (type !== FFA_MEM_TYPE_NOT_SPECIFIED) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: memory type must be unspecified for a single borrower (v1.0 §5.11.4; ACS lend_input_error_checks1)`);
      }
      return undefined;
    }
    // SHARE, and LEND to several borrowers: the owner specifies them.
    const cache = ffaMemAttrCacheability(attributes);
    const share = ffaMemAttrShareability(attributes);
    if (type === FFA_MEM_TYPE_NOT_SPECIFIED) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: the owner must specify the memory attributes (v1.0 §5.11.4)`);
    }
    if (type === FFA_MEM_TYPE_NORMAL) {
      if (cache !== FFA_MEM_CACHE_NON_CACHEABLE && cache !== FFA_MEM_CACHE_WRITE_BACK) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: reserved cacheability ${cache} (v1.0 §5.11.4)`);
      }
      if (share === 1) return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: reserved shareability 0b01 (v1.0 §5.11.4)`);
    }
    if (this.policy.strictAttributes && !hafniumAttributes(attributes)) {
      return new Reject(FFA_RET_DENIED, `${K}: attributes ${hex(attributes)} not supported (HF: Normal WB inner-shareable only)`);
    }
    return undefined;
  }

  /**
   * Last step of a send: constituents (no empty or overlapping ranges), page ownership and states,
   * then the commit (page states, zeroing, the handle). No state changes unless everything passes.
   */
  private completeSend(tx: Transaction, desc: MemTransaction, mb: Mailbox): Reject | undefined {
    const K = `FFA_MEM_${tx.kind.toUpperCase()}`;
    const cons = desc.composite?.constituents ?? [];
    if (cons.length === 0) return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: no constituents (v1.0 §5.12.3)`);
    for (const c of cons) {
      if (c.pageCount === 0) return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: constituent at ${hex(c.address)} has no pages (v1.0 §5.12.3; HF)`);
    }
    // Overlap (TF-A overlapping_memory_regions, HF ffa_memory_check_overlap): sort by base.
    const sorted = [...cons].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      if (prev.address + BigInt(prev.pageCount) * BigInt(FFA_PAGE_SIZE) > sorted[i]!.address) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${K}: constituents at ${hex(prev.address)} and ${hex(sorted[i]!.address)} overlap (v1.0 §5.12.3)`);
      }
    }
    // Ownership and state of every page (v1.0 §5.6.1, §5.7.1, §5.8.1: only the owner with
    // exclusive access sends; ACS *_state_machine_*). All pages must be RAM of one security state.
    const pages: number[] = [];
    let ns: boolean | undefined;
    // RX/TX pages cannot be shared, lent or donated (ffa-abi.md 7.1; TFT
    // test_ffa_rxtx_map_memory_share_fail): the caller's, and every other endpoint's, whose pages an
    // SP would otherwise reach through the secure RAM all SPs collectively own here.
    const mbPages = mailboxPages(mb);
    for (const id of [0, ...this.host.partitionIds()]) {
      const other = this.host.mailboxOf(id);
      if (other !== null) for (const p of mailboxPages(other)) mbPages.add(p);
    }
    for (const c of cons) {
      const len = c.pageCount * FFA_PAGE_SIZE;
      if (c.address + BigInt(len) > 0x1_0000_0000n) {
        return new Reject(FFA_RET_DENIED, `${K}: ${hex(c.address)} + ${c.pageCount} pages is not memory the sender owns (v1.0 §5.6-5.8)`);
      }
      const pa = Number(c.address);
      const region = this.ramRegion(pa, len);
      if (region === undefined) {
        // MMIO and holes: device regions are not granted at run time (v1.0 §2.10; ACS share_input_error_checks).
        return new Reject(FFA_RET_DENIED, `${K}: ${hex(pa)} + ${c.pageCount} pages is not RAM (v1.0 §2.10)`);
      }
      const isNs = region === Region.Dram;
      if (ns !== undefined && ns !== isNs) {
        return new Reject(FFA_RET_DENIED, `${K}: constituents mix secure and non-secure memory (HF: all pages in one mode)`);
      }
      ns = isNs;
      const first = pa / FFA_PAGE_SIZE;
      for (let p = first; p < first + c.pageCount; p++) {
        const rec = this.pages.get(p);
        const owns = rec !== undefined ? rec.owner === tx.sender : isNs !== this.secureEndpoint(tx.sender);
        if (!owns) return new Reject(FFA_RET_DENIED, `${K}: page ${hex(p * FFA_PAGE_SIZE)} is not owned by ${hex(tx.sender)} (v1.0 §5.6-5.8)`);
        if (rec !== undefined && rec.state !== 'owned') {
          return new Reject(FFA_RET_DENIED, `${K}: page ${hex(p * FFA_PAGE_SIZE)} is already ${rec.state} in ${hex(rec.handle ?? 0n)} (v1.0 §5.6.1-5.8.1)`);
        }
        if (mbPages.has(p)) return new Reject(FFA_RET_DENIED, `${K}: page ${hex(p * FFA_PAGE_SIZE)} is an endpoint's RX/TX buffer (ffa-abi.md §7.1)`);
        pages.push(p);
      }
    }

    // Commit.
    tx.complete = true;
    tx.constituents = cons.map((c) => ({ address: c.address, pageCount: c.pageCount }));
    tx.pages = pages;
    tx.ns = ns!;
    tx.tag = desc.tag;
    tx.flags = (desc.flags & FFA_MEM_FLAG_CLEAR) | KIND_FLAG[tx.kind];
    // The relayer reports the sender's attributes, or its own (normal WB inner-shareable RAM) when
    // the sender had to leave them unspecified (v1.0 §5.11.4).
    tx.attributes = ffaMemAttrType(desc.attributes) === FFA_MEM_TYPE_NOT_SPECIFIED ? FFA_MEM_ATTR_NORMAL_WB_INNER : desc.attributes;
    tx.borrowers = desc.receivers.map((e) => ({
      id: e.receiver,
      permissions: e.permissions,
      emadFlags: e.flags,
      impdef: e.impdef,
      retrievals: 0,
      granted: 0,
      pending: null,
    }));
    const state = KIND_STATE[tx.kind];
    for (const p of pages) this.setPage(p, { owner: tx.sender, state, handle: tx.handle });
    // v1.0 §5.12.4.1: the zero flag on LEND/DONATE: zeroed before any borrower sees it (HF: at send).
    if ((desc.flags & FFA_MEM_FLAG_CLEAR) !== 0) this.zeroPages(pages);
    this.txs.set(tx.handle, tx);
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // FFA_MEM_RETRIEVE_REQ (v1.0 §11.4) and FFA_MEM_FRAG_RX (v1.0 §12)
  // -------------------------------------------------------------------------------------------

  private retrieveReq(is64: boolean, caller: number, regs: Int32Array, mb: Mailbox | null): Reject | undefined {
    const total = w(regs, 1);
    const frag = w(regs, 2);
    const addrHi = is64 ? regs[7]! : 0;
    if ((regs[6]! | addrHi) !== 0 || w(regs, 4) !== 0) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_RETRIEVE_REQ: address/page count must be 0, the request travels in TX (v1.0 §11.4)');
    }
    if (frag !== total) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_RETRIEVE_REQ: fragmented retrieve requests are not supported (HF, TF-A; v1.0 §11.4)');
    }
    if (mb === null) return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_RETRIEVE_REQ: no RX/TX pair mapped (v1.0 §11.4)');
    if (total > mb.pages * FFA_PAGE_SIZE) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `FFA_MEM_RETRIEVE_REQ: total length ${total} exceeds the TX buffer (v1.0 §11.4; ACS share_retrieve_input_checks)`);
    }
    const bytes = this.readTx(mb, total);
    if (bytes === null) return new Reject(FFA_RET_ABORTED, 'FFA_MEM_RETRIEVE_REQ: TX buffer is not RAM');
    const rx = this.rxNotFree(mb);
    if (rx !== undefined) return rx;
    const layout = layoutVersion(mb.version);
    // The EMAD count sits at offset 28 in every layout: 0 marks a hypervisor retrieve request.
    if (total >= memTransactionHeaderSize(layout) && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(28, true) === 0) {
      return this.hypervisorRetrieve(caller, bytes, layout, regs, mb);
    }
    const req = this.decode(() => decodeMemRetrieveRequest(bytes, 0, total, layout, { compositeAlignment: this.policy.compositeAlignment }));
    if (req instanceof Reject) return req;
    if (req.receivers.some((e) => e.compositeOffset !== 0)) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_RETRIEVE_REQ: receiver-chosen address ranges are not supported, composite offsets must be 0 (HF; v1.0 §11.4)');
    }
    if (total !== req.emadOffset + req.receivers.length * req.emadSize) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `FFA_MEM_RETRIEVE_REQ: length ${total} != header + EMAD array (HF ffa_memory_retrieve_validate)`);
    }
    const tx = this.txs.get(req.handle);
    if (tx === undefined) return new Reject(this.policy.badHandleError, `FFA_MEM_RETRIEVE_REQ: unknown handle ${hex(req.handle)} (v1.0 §11.4; ACS *_invalid_handle_tag)`);
    if (!tx.complete) return new Reject(FFA_RET_INVALID_PARAMETERS, `FFA_MEM_RETRIEVE_REQ: handle ${hex(req.handle)} is not fully sent (v1.0 §12)`);
    return this.partitionRetrieve(tx, req, caller, regs, mb);
  }

  /** Retrieval by a borrower (v1.0 §11.4; the rules ACS *_retrieve_input_checks quote; HF ffa_memory_retrieve_validate). */
  private partitionRetrieve(tx: Transaction, req: MemTransaction, caller: number, regs: Int32Array, mb: Mailbox): Reject | undefined {
    const R = 'FFA_MEM_RETRIEVE_REQ';
    if (req.sender !== tx.sender) {
      return new Reject(FFA_RET_DENIED, `${R}: sender ${hex(req.sender)}, the owner is ${hex(tx.sender)} (v1.0 §11.4.2; ACS *_retrieve_input_checks4/6)`);
    }
    const type = req.flags & FFA_MEM_FLAG_TYPE_MASK;
    if (type !== 0 && type !== KIND_FLAG[tx.kind]) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: transaction type ${type >>> 3}, the handle is a ${tx.kind} (v1.0 §5.12.4.1)`);
    }
    if (req.tag !== tx.tag) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: tag ${hex(req.tag)} does not match (v1.0 §5.12.1; ACS *_invalid_handle_tag)`);
    const me = tx.borrowers.find((b) => b.id === caller);
    if (me === undefined) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: ${hex(caller)} is not a borrower of ${hex(tx.handle)} (v1.0 §5.12.3.3; ACS lend_retrieve_input_checks7)`);
    }
    if ((req.flags & (FFA_MEM_FLAG_ALIGN_HINT_VALID | FFA_MEM_FLAG_ALIGN_HINT_MASK)) !== 0) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: address range alignment hints are not supported (v1.0 §5.12.4.1; HF)`);
    }
    const clear = (req.flags & FFA_MEM_FLAG_CLEAR) !== 0;
    const clearAfter = (req.flags & FFA_MEM_FLAG_CLEAR_RELINQUISH) !== 0;
    if (tx.kind === 'share' && (clear || clearAfter)) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: zeroing flags on a share (v1.0 §5.12.4.1; ACS share_retrieve_input_checks)`);
    }
    if (clear && (tx.flags & FFA_MEM_FLAG_CLEAR) === 0) {
      return new Reject(FFA_RET_DENIED, `${R}: zero-before-retrieval, which the sender did not allow (v1.0 §5.12.4.1)`);
    }
    if (clear && me.retrievals > 0) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: zero-before-retrieval on a region already retrieved (v1.0 §5.12.4.1; ACS lend_multiple_retrievals)`);
    }
    const attrReject = this.checkRetrieveAttributes(req.attributes, tx.attributes);
    if (attrReject !== undefined) return attrReject;

    // The memory access list (v1.0 §5.12.3.3; v1.2 bypass-multi-borrower flag, bit 10).
    const bypass = (req.flags & FFA_MEM_FLAG_BYPASS_MULTI_BORROWER) !== 0;
    if (bypass) {
      if (req.receivers.length !== 1 || tx.borrowers.length === 1) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: bypass-multi-borrower needs a one-entry list and a multi-borrower transaction (v1.2; HF)`);
      }
    } else if (req.receivers.length !== tx.borrowers.length) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: ${req.receivers.length} borrowers listed, the sender named ${tx.borrowers.length} (v1.0 §5.12.3.3)`);
    }
    let granted: number | undefined;
    const multi = tx.borrowers.length > 1;
    for (const e of req.receivers) {
      if (bypass && e.receiver !== caller) continue;
      const b = tx.borrowers.find((x) => x.id === e.receiver);
      if (b === undefined) return new Reject(FFA_RET_DENIED, `${R}: ${hex(e.receiver)} is not a borrower the sender named (v1.0 §5.12.3.3)`);
      const g = this.grantPermissions(tx, b, e.permissions, multi);
      if (g instanceof Reject) return g;
      if (e.receiver === caller) granted = g;
      if (b.impdef !== undefined && e.impdef !== undefined && !b.impdef.every((x, i) => x === e.impdef![i])) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: the EMAD impdef of ${hex(e.receiver)} differs from the sender's (v1.2; ACS mem_*_impdef)`);
      }
    }
    if (granted === undefined) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: the list does not contain the caller ${hex(caller)} (v1.0 §5.12.3.3)`);
    if (ffaPermData(granted) === FFA_DATA_ACCESS_RO && (clear || clearAfter)) {
      return new Reject(FFA_RET_DENIED, `${R}: zeroing flags with read-only access (v1.0 §5.12.4.1; ACS lend_retrieve_input_checks)`);
    }
    if (me.pending !== null) return new Reject(FFA_RET_DENIED, `${R}: a retrieve response to ${hex(caller)} is still being fragmented (v1.0 §12)`);
    if (me.retrievals >= this.maxRetrievals()) {
      return new Reject(FFA_RET_DENIED, `${R}: ${hex(caller)} already holds ${me.retrievals} retrievals (v1.0 §11.4; ACS lend_multiple_retrievals)`);
    }

    // The response, in the caller's layout: one EMAD, the caller's, with what was granted.
    const layout = layoutVersion(mb.version);
    if (clear) this.zeroPages(tx.pages);
    const response = encodeMemTransaction(
      {
        sender: tx.sender,
        attributes: this.responseAttributes(tx, req.attributes, layout),
        flags: KIND_FLAG[tx.kind] | (clear ? FFA_MEM_FLAG_CLEAR : 0),
        handle: tx.handle,
        tag: tx.tag,
        receivers: [
          layout === FFA_VERSION_1_2
            ? { receiver: caller, permissions: granted, flags: me.emadFlags, impdef: me.impdef ?? new Uint8Array(16) }
            : { receiver: caller, permissions: granted, flags: me.emadFlags },
        ],
        constituents: tx.constituents,
      },
      layout,
    );
    const fragLen = this.writeRx(mb, response, 0);
    if (fragLen === null) return new Reject(FFA_RET_ABORTED, `${R}: RX buffer is not RAM (HF: a faulting copy aborts)`);
    me.retrievals++;
    me.granted = granted;
    if (clearAfter) tx.clearOnRelinquish = true;
    if (fragLen < response.length) me.pending = { bytes: response, offset: fragLen };
    else this.retrievalDelivered(tx);
    setResult(regs, FFA_MEM_RETRIEVE_RESP, response.length, fragLen);
    return undefined;
  }

  /**
   * Permissions a borrower gets (v1.0 §5.11.2-5.11.3, HF ffa_memory_retrieve_is_memory_access_valid):
   * RO may be asked of RW, never RW of RO (DENIED); SHARE and multi-borrower LEND leave instruction
   * access unspecified and get NX; single-borrower LEND/DONATE must ask for it, X only on secure memory.
   */
  private grantPermissions(tx: Transaction, b: Borrower, requested: number, multi: boolean): number | Reject {
    const askData = ffaPermData(requested);
    let data: number;
    if (askData === FFA_DATA_ACCESS_RO) data = FFA_DATA_ACCESS_RO;
    else if (ffaPermData(b.permissions) === FFA_DATA_ACCESS_RO) {
      if (askData === FFA_DATA_ACCESS_RW) return new Reject(FFA_RET_DENIED, 'FFA_MEM_RETRIEVE_REQ: RW asked of a read-only grant (v1.0 §5.11.2; ACS *_ro_retrieve_rw)');
      data = FFA_DATA_ACCESS_RO;
    } else data = FFA_DATA_ACCESS_RW;
    const askInsn = ffaPermInstruction(requested);
    let insn: number;
    if (tx.kind === 'share' || (tx.kind === 'lend' && multi)) {
      if (askInsn !== FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_RETRIEVE_REQ: instruction access must be unspecified for a share or multi-borrower lend (v1.0 §5.11.3)');
      }
      insn = FFA_INSTRUCTION_ACCESS_NX;
    } else {
      if (askInsn === FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_RETRIEVE_REQ: a single borrower of a lend/donate must specify instruction access (v1.0 §5.11.3)');
      }
      if (askInsn === FFA_INSTRUCTION_ACCESS_X && tx.ns) {
        return new Reject(FFA_RET_INVALID_PARAMETERS, 'FFA_MEM_RETRIEVE_REQ: executable access to non-secure memory (HF, without RME)');
      }
      insn = askInsn;
    }
    return ffaMemPermissions(data, insn);
  }

  /** A receiver may ask for attributes of lower precedence only (v1.0 §5.11.4; HF's strict variant). */
  private checkRetrieveAttributes(asked: number, relayer: number): Reject | undefined {
    const type = ffaMemAttrType(asked);
    if (type === FFA_MEM_TYPE_NOT_SPECIFIED) return undefined; // "whatever the relayer reports"
    const cache = ffaMemAttrCacheability(asked);
    const share = ffaMemAttrShareability(asked);
    if (type === FFA_MEM_TYPE_NORMAL && (cache === 0 || cache === 2 || share === 1)) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `FFA_MEM_RETRIEVE_REQ: attributes ${hex(asked)} use reserved encodings (v1.0 §5.11.4)`);
    }
    if (this.policy.strictAttributes && !hafniumAttributes(asked)) {
      return new Reject(FFA_RET_DENIED, `FFA_MEM_RETRIEVE_REQ: attributes ${hex(asked)} not supported (HF: Normal WB inner-shareable only)`);
    }
    // Precedence: Device-nGnRnE < nGnRE < nGRE < GRE < Normal; NC < WB; non-shareable < inner < outer.
    const rank = (a: number): number => (ffaMemAttrType(a) === FFA_MEM_TYPE_DEVICE ? ffaMemAttrCacheability(a) : 4);
    const shareRank = (s: number): number => (s === FFA_MEM_SHARE_NON_SHAREABLE ? 0 : s === FFA_MEM_SHARE_OUTER ? 2 : 1);
    let ok = rank(asked) <= rank(relayer);
    if (ok && type === FFA_MEM_TYPE_NORMAL) {
      ok =
        (cache === FFA_MEM_CACHE_NON_CACHEABLE || ffaMemAttrCacheability(relayer) === FFA_MEM_CACHE_WRITE_BACK) &&
        shareRank(share) <= shareRank(ffaMemAttrShareability(relayer));
    }
    return ok ? undefined : new Reject(FFA_RET_DENIED, `FFA_MEM_RETRIEVE_REQ: attributes ${hex(asked)} exceed the region's ${hex(relayer)} (v1.0 §5.11.4)`);
  }

  /** RETRIEVE_RESP attributes: as asked (if given) or the relayer's, plus the NS bit for non-secure memory from v1.1. */
  private responseAttributes(tx: Transaction, asked: number, layout: number): number {
    const base = ffaMemAttrType(asked) !== FFA_MEM_TYPE_NOT_SPECIFIED ? asked : tx.attributes;
    // v1.1 §10.10.4.1: the relayer sets the NS bit in RETRIEVE_RESP when the memory is non-secure;
    // the v1.0 layout has no NS bit (TF-A clears it for v1.0 callers).
    return layout === FFA_VERSION_1_0 ? base & 0x3f : tx.ns ? base | FFA_MEM_ATTR_NS : base & ~FFA_MEM_ATTR_NS;
  }

  /**
   * Hypervisor retrieve request (v1.1+; v1.2 §17.4.3 as HF quotes it; ffa-abi.md §6.8; pkvm-ffa.md
   * §4.8): the NS endpoint 0 asks for the full descriptor of a transaction it (or a VM it speaks
   * for) sent, to learn the constituents before reclaiming. Everything but the handle is zero (HF).
   * The header is read here rather than by the descriptor decoder: its EMAD size and offset are 0.
   */
  private hypervisorRetrieve(caller: number, bytes: Uint8Array, layout: number, regs: Int32Array, mb: Mailbox): Reject | undefined {
    const R = 'hypervisor FFA_MEM_RETRIEVE_REQ';
    if (caller !== 0) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: EMAD count 0 is the hypervisor's form and ${hex(caller)} is not the NS endpoint 0 (v1.2 §17.4.3; TF-A)`);
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const handle = dv.getBigUint64(8, true);
    let zeroRest = dv.getUint16(0, true) === 0 && dv.getUint32(4, true) === 0 && dv.getBigUint64(16, true) === 0n;
    if (layout === FFA_VERSION_1_0) {
      zeroRest &&= dv.getUint16(2, true) === 0 && dv.getUint32(24, true) === 0;
    } else {
      const emadSize = dv.getUint32(24, true);
      const emadOffset = dv.getUint32(32, true);
      // HF wants emad_size and emad_offset 0 as well; a canonical header (16/32, 48) is accepted too.
      zeroRest &&=
        dv.getUint16(2, true) === 0 &&
        (emadSize === 0 || emadSize === 16 || (emadSize === 32 && layout === FFA_VERSION_1_2)) &&
        (emadOffset === 0 || emadOffset === 48) &&
        bytes.subarray(36, 48).every((x) => x === 0);
    }
    if (!zeroRest) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: every field but the handle must be zero (HF api_ffa_memory_hypervisor_retrieve_request_validate)`);
    }
    const tx = this.txs.get(handle);
    if (tx === undefined) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: unknown handle ${hex(handle)} (v1.2 §17.4.3)`);
    if (!tx.complete) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: handle ${hex(handle)} is not fully sent (TF-A)`);
    if (this.secureEndpoint(tx.sender)) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: handle ${hex(handle)} was sent by an SP, not by the normal world (v1.2 §17.4.3)`);
    }
    if (tx.hypPending !== null) return new Reject(FFA_RET_DENIED, `${R}: a hypervisor retrieval of ${hex(handle)} is in progress (HF)`);
    const response = encodeMemTransaction(
      {
        sender: tx.sender,
        attributes: this.responseAttributes(tx, 0, layout),
        flags: tx.flags,
        handle: tx.handle,
        tag: tx.tag,
        receivers: tx.borrowers.map((b) =>
          layout === FFA_VERSION_1_2
            ? { receiver: b.id, permissions: b.permissions, flags: b.emadFlags, impdef: b.impdef ?? new Uint8Array(16) }
            : { receiver: b.id, permissions: b.permissions, flags: b.emadFlags },
        ),
        constituents: tx.constituents,
      },
      layout,
    );
    const fragLen = this.writeRx(mb, response, 0);
    if (fragLen === null) return new Reject(FFA_RET_ABORTED, `${R}: RX buffer is not RAM`);
    if (fragLen < response.length) tx.hypPending = { bytes: response, offset: fragLen };
    setResult(regs, FFA_MEM_RETRIEVE_RESP, response.length, fragLen);
    return undefined;
  }

  /** FFA_MEM_FRAG_RX from a retriever: the next fragment of its RETRIEVE_RESP (v1.0 §12; HF ffa_memory_retrieve_continue). */
  private fragRx(caller: number, regs: Int32Array, mb: Mailbox | null): Reject | undefined {
    const R = 'FFA_MEM_FRAG_RX';
    const handle = ffaHandle(w(regs, 1), w(regs, 2));
    const offset = w(regs, 3);
    const w4 = w(regs, 4);
    const tx = this.txs.get(handle);
    if (tx === undefined) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: unknown handle ${hex(handle)} (v1.0 §12)`);
    if (!tx.complete) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: handle ${hex(handle)} is not fully sent (v1.0 §12)`);
    let pending: PendingResponse | null;
    let borrower: Borrower | undefined;
    const hyp = caller === 0 && tx.hypPending !== null;
    if (hyp) {
      // The hypervisor names the owner in w4[31:16] (HF; pKVM sends 0, the host).
      if (w4 >>> 16 !== tx.sender || (w4 & 0xffff) !== 0) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: w4 ${hex(w4)} does not name the sender (v1.0 §12)`);
      pending = tx.hypPending;
    } else {
      if (this.secureEndpoint(caller) && w4 !== 0) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: w4 MBZ at the secure virtual instance (HF)`);
      borrower = tx.borrowers.find((b) => b.id === caller);
      if (borrower === undefined) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: ${hex(caller)} is not a borrower of ${hex(handle)} (v1.0 §12)`);
      pending = borrower.pending;
    }
    if (pending === null) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: no retrieve response of ${hex(handle)} in progress (v1.0 §12)`);
    if (offset !== pending.offset) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: fragment offset ${offset}, expected ${pending.offset} (v1.0 §12)`);
    }
    if (mb === null) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: no RX/TX pair mapped`);
    const rx = this.rxNotFree(mb);
    if (rx !== undefined) return rx;
    const len = this.writeRx(mb, pending.bytes, pending.offset);
    if (len === null) return new Reject(FFA_RET_ABORTED, `${R}: RX buffer is not RAM`);
    pending.offset += len;
    if (pending.offset >= pending.bytes.length) {
      if (hyp) tx.hypPending = null;
      else {
        borrower!.pending = null;
        this.retrievalDelivered(tx);
      }
    }
    setResult(regs, FFA_MEM_FRAG_TX, ffaHandleLo(handle), ffaHandleHi(handle), len, hyp ? (tx.sender << 16) >>> 0 : 0);
    return undefined;
  }

  /** The last fragment of a borrower's RETRIEVE_RESP went out: a donation changes owner here (v1.0 §5.6.1). */
  private retrievalDelivered(tx: Transaction): void {
    if (tx.kind !== 'donate') return;
    const receiver = tx.borrowers[0]!.id;
    for (const p of tx.pages) this.setPage(p, { owner: receiver, state: 'owned', handle: null });
    // Donated memory cannot be relinquished or reclaimed: the handle is gone (HF ffa_memory_retrieve_complete).
    this.txs.delete(tx.handle);
  }

  // -------------------------------------------------------------------------------------------
  // FFA_MEM_RELINQUISH (v1.0 §11.6) and FFA_MEM_RECLAIM (v1.0 §11.7)
  // -------------------------------------------------------------------------------------------

  private relinquish(caller: number, regs: Int32Array, mb: Mailbox | null): Reject | undefined {
    const R = 'FFA_MEM_RELINQUISH';
    if (this.policy.relinquishSecureOnly && !this.secureEndpoint(caller)) {
      // TF-A spmc_ffa_mem_relinquish: "unsupported relinquish direction" (a NWd caller is never a borrower).
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: the TF-A EL3 SPMC takes relinquishes from partitions only`);
    }
    if (mb === null) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: no RX/TX pair mapped, the descriptor travels in TX (v1.0 §11.6)`);
    const size = mb.pages * FFA_PAGE_SIZE;
    const bytes = this.readTx(mb, size);
    if (bytes === null) return new Reject(FFA_RET_ABORTED, `${R}: TX buffer is not RAM`);
    const d = this.decode(() => decodeMemRelinquish(bytes, 0, size, layoutVersion(mb.version)));
    if (d instanceof Reject) return d;
    if (d.endpoints.length !== 1) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: endpoint count ${d.endpoints.length}, one (the caller) expected (v1.0 §11.6; HF; ACS share_relinquish_input_checks)`);
    }
    if (d.endpoints[0] !== caller) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: names ${hex(d.endpoints[0]!)}, not the caller (v1.0 §11.6)`);
    if ((d.flags & ~FFA_RELINQUISH_FLAG_CLEAR) !== 0) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: time slicing flag set but not supported (v1.0 §11.6)`);
    const tx = this.txs.get(d.handle);
    if (tx === undefined) return new Reject(this.policy.badHandleError, `${R}: unknown handle ${hex(d.handle)} (v1.0 §11.6)`);
    if (!tx.complete) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: handle ${hex(d.handle)} is not fully sent (v1.0 §11.6)`);
    const me = tx.borrowers.find((b) => b.id === caller);
    if (me === undefined) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: ${hex(caller)} is not a borrower of ${hex(d.handle)} (v1.0 §11.6; ACS relinquish_state_machine_2)`);
    const clear = (d.flags & FFA_RELINQUISH_FLAG_CLEAR) !== 0;
    if (clear && tx.kind === 'share') {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: zero-after-relinquish on shared memory (v1.0 §11.6; ACS share_relinquish_input_checks)`);
    }
    if (me.retrievals === 0) return new Reject(this.policy.notRetrievedError, `${R}: ${hex(caller)} holds no retrieval of ${hex(d.handle)} (v1.0 §11.6)`);
    if (me.pending !== null) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: ${hex(caller)} has not fetched every fragment of ${hex(d.handle)} (HF)`);
    if (clear && ffaPermData(me.granted) === FFA_DATA_ACCESS_RO) {
      return new Reject(FFA_RET_DENIED, `${R}: zero-after-relinquish with read-only access (v1.0 §11.6; ACS lend_retrieve_input_checks)`);
    }
    me.retrievals--;
    if (clear) tx.clearOnRelinquish = true;
    // Zero once the last borrower lets go (v1.0 §11.6: any borrower's request counts; ACS relinquish_state_machine_4).
    if (tx.clearOnRelinquish && tx.borrowers.every((b) => b.retrievals === 0)) {
      this.zeroPages(tx.pages);
      tx.clearOnRelinquish = false;
    }
    setResult(regs, FFA_SUCCESS);
    return undefined;
  }

  private reclaim(caller: number, regs: Int32Array): Reject | undefined {
    const R = 'FFA_MEM_RECLAIM';
    const handle = ffaHandle(w(regs, 1), w(regs, 2));
    const flags = w(regs, 3);
    if ((flags & ~FFA_MEM_RECLAIM_CLEAR) !== 0 || (this.policy.reclaimFlagsUnsupported && flags !== 0)) {
      // Bit 1 (time slicing) is not supported; bits [31:2] MBZ (v1.0 §11.7; ACS reclaim_input_error_checks).
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: flags ${hex(flags)} (v1.0 §11.7)`);
    }
    const tx = this.txs.get(handle);
    if (tx === undefined) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: unknown handle ${hex(handle)} (v1.0 §11.7; ACS reclaim_input_error_checks)`);
    if (!(tx.sender === caller || (caller === 0 && !this.secureEndpoint(tx.sender)))) {
      return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: ${hex(caller)} does not own ${hex(handle)} (v1.0 §11.7)`);
    }
    if (!tx.complete) {
      if (!this.policy.reclaimAbortsIncomplete) return new Reject(FFA_RET_INVALID_PARAMETERS, `${R}: handle ${hex(handle)} is not fully sent (HF, TF-A)`);
      // The owner abandons a transaction whose fragments are still arriving: no page changed yet.
      this.txs.delete(handle);
      setResult(regs, FFA_SUCCESS);
      return undefined;
    }
    const holder = tx.borrowers.find((b) => b.retrievals > 0);
    if (holder !== undefined) {
      return new Reject(FFA_RET_DENIED, `${R}: ${hex(holder.id)} has not relinquished ${hex(handle)} (v1.0 §11.7; ACS reclaim_input_error_checks)`);
    }
    for (const p of tx.pages) this.setPage(p, { owner: tx.sender, state: 'owned', handle: null });
    if ((flags & FFA_MEM_RECLAIM_CLEAR) !== 0) this.zeroPages(tx.pages);
    this.txs.delete(handle);
    setResult(regs, FFA_SUCCESS);
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------

  private maxRetrievals(): number {
    return 2 ** (this.policy.retrievalsLog2 + 1) - 1;
  }

  private senderAllowed(caller: number, sender: number): boolean {
    if (sender === caller) return true;
    // The NS endpoint 0 (host or hypervisor) may send for a VM it speaks for (HF: any NWd ID).
    return caller === 0 && !this.secureEndpoint(sender);
  }

  private advanceHandle(): void {
    // Bit 63 stays 0: SPMC-allocated (HF FFA_MEMORY_HANDLE_ALLOCATOR_SPMC); all-ones is never reached.
    this.nextHandle = (this.nextHandle + 1n) & 0x7fff_ffff_ffff_ffffn;
  }

  /** The RAM region wholly holding [pa, pa + len), or undefined (MMIO, holes, ranges across regions). */
  private ramRegion(pa: number, len: number): Region | undefined {
    const region = this.bus.regionOf(pa);
    if (region !== Region.Dram && region !== Region.SecureRam) return undefined;
    if (!this.bus.accessible(pa, len, true) || this.bus.regionOf(pa + len - 1) !== region) return undefined;
    return region;
  }

  /** RX must be free before the SPMC writes it (ffa-abi.md §7.1): HF BUSY, TF-A DENIED. */
  private rxNotFree(mb: Mailbox): Reject | undefined {
    if (mb.state === RX_EMPTY) return undefined;
    return new Reject(this.policy.rxFullError, `RX buffer is not free (state ${mb.state}): the endpoint has not released it (ffa-abi.md §7.1)`);
  }

  /** A private copy of the first `len` bytes of TX, or null when TX is not RAM. */
  private readTx(mb: Mailbox, len: number): Uint8Array | null {
    const view = this.bus.ram(mb.tx, Math.max(len, 1));
    if (view === null) return null;
    this.chargeCopy(len);
    return view.slice(0, len);
  }

  /**
   * Writes the next RX-sized piece of `bytes` from `offset` into RX, zeroes the rest of RX (v1.3
   * §4.10 as HF quotes it: no stale content), marks RX full. Returns its length, or null when RX is
   * not RAM. Pieces are multiples of 16 bytes, so fragments end on constituent boundaries.
   */
  private writeRx(mb: Mailbox, bytes: Uint8Array, offset: number): number | null {
    const size = mb.pages * FFA_PAGE_SIZE;
    if (this.bus.ram(mb.rx, size) === null) return null;
    const len = Math.min(bytes.length - offset, size);
    const out = new Uint8Array(size);
    out.set(bytes.subarray(offset, offset + len));
    this.bus.load(mb.rx, out);
    this.chargeCopy(size);
    mb.state = RX_FULL;
    return len;
  }

  private zeroPages(pages: readonly number[]): void {
    for (const p of pages) this.bus.load(p * FFA_PAGE_SIZE, ZERO_PAGE);
    this.chargeCopy(pages.length * FFA_PAGE_SIZE);
  }

  private chargeCopy(bytes: number): void {
    if (bytes > 0) this.host.charge(Math.ceil(bytes / this.copyBytesPerCycle));
  }

  /** Runs a descriptor decoder; its DescriptorError becomes a Reject with the error's status. */
  private decode<T>(f: () => T): T | Reject {
    try {
      return f();
    } catch (e) {
      if (e instanceof DescriptorError) return new Reject(e.code, `descriptor ${e.message} (v1.0 §5.12; v1.1 §10.11?)`);
      throw e;
    }
  }

  /** The one way page records change; illegal transitions are recorded for checkInvariants. */
  private setPage(p: number, next: PageRecord): void {
    const prev = this.pages.get(p);
    const from: PageState = prev?.state ?? 'owned';
    let legal: boolean;
    if (from === 'owned') {
      // a send by the owner, or an assignment of an owned page
      legal = next.state === 'owned' ? next.handle === null : next.handle !== null && (prev === undefined || prev.owner === next.owner);
    } else if (next.state === 'owned') {
      // a reclaim by the owner, or a donation completing to its receiver
      legal = next.handle === null && (prev!.owner === next.owner || from === 'donated');
    } else {
      legal = false; // shared/lent/donated straight into another non-owned state
    }
    if (!legal) {
      this.violations.push(`illegal transition of page ${hex(p * FFA_PAGE_SIZE)}: ${from} (owner ${hex(prev?.owner ?? 0)}) -> ${next.state} (owner ${hex(next.owner)})`);
    }
    this.pages.set(p, next);
  }

  // -------------------------------------------------------------------------------------------
  // Snapshots (machine/snapshot.ts; cold path). Every field of the page table and of each
  // transaction is written by name, in the maps' insertion order (which later iteration sees).
  // -------------------------------------------------------------------------------------------

  saveTo(w: StateWriter): void {
    w.str(this.policy.name); w.f64(this.version); w.f64(this.copyBytesPerCycle);
    w.str(this.lastReject);
    w.u64(this.nextHandle);
    w.strs(this.violations);
    w.u32(this.pages.size);
    for (const [p, rec] of this.pages) {
      w.f64(p); w.i32(rec.owner); w.u8(SNAP_PAGE_STATES.indexOf(rec.state)); w.opt(rec.handle, (h) => w.u64(h));
    }
    const pending = (x: PendingResponse | null): void => w.opt(x, (q) => { w.bytes(q.bytes); w.f64(q.offset); });
    w.u32(this.txs.size);
    for (const tx of this.txs.values()) {
      w.u64(tx.handle); w.u8(SNAP_KINDS.indexOf(tx.kind)); w.i32(tx.sender); w.i32(tx.caller); w.f64(tx.total);
      w.opt(tx.buf, (b) => w.bytes(b)); w.f64(tx.filled); w.f64(tx.layout); w.bool(tx.complete);
      w.u64(tx.tag); w.f64(tx.flags); w.f64(tx.attributes); w.bool(tx.ns);
      w.u32(tx.constituents.length);
      for (const c of tx.constituents) { w.u64(c.address); w.f64(c.pageCount); }
      w.u32(tx.pages.length);
      for (const p of tx.pages) w.f64(p);
      w.u32(tx.borrowers.length);
      for (const b of tx.borrowers) {
        w.i32(b.id); w.f64(b.permissions); w.f64(b.emadFlags); w.opt(b.impdef, (x) => w.bytes(x));
        w.f64(b.retrievals); w.f64(b.granted); pending(b.pending);
      }
      w.bool(tx.clearOnRelinquish);
      pending(tx.hypPending);
    }
  }

  readFrom(r: StateReader): () => void {
    r.cfgStr('memory policy', this.policy.name);
    r.cfgNum('memory version', this.version);
    r.cfgNum('memory copyBytesPerCycle', this.copyBytesPerCycle);
    const lastReject = r.str('lastReject');
    const nextHandle = r.u64('nextHandle');
    const violations = r.strs('violations', 1 << 20);
    const pages = new Map<number, PageRecord>();
    const np = r.count('page records', 1 << 24);
    for (let i = 0; i < np; i++) {
      const p = r.f64('page frame');
      const owner = r.i32('page owner');
      const st = SNAP_PAGE_STATES[r.u8('page state')];
      if (st === undefined) throw new SnapshotError('INVALID', `${r.component}: page ${i}: unknown page state`);
      const handle = r.opt('page handle', () => r.u64('page handle'));
      pages.set(p, { owner, state: st, handle });
    }
    const pending = (f: string): PendingResponse | null => r.opt(f, () => ({ bytes: r.bytes(`${f} bytes`), offset: r.f64(`${f} offset`) }));
    const txs = new Map<bigint, Transaction>();
    const nt = r.count('transactions', MAX_TRANSACTIONS);
    for (let i = 0; i < nt; i++) {
      const handle = r.u64('tx handle');
      const kind = SNAP_KINDS[r.u8('tx kind')];
      if (kind === undefined) throw new SnapshotError('INVALID', `${r.component}: transaction ${i}: unknown kind`);
      const sender = r.i32('tx sender'), caller = r.i32('tx caller'), total = r.f64('tx total');
      const buf = r.opt('tx buf', () => r.bytes('tx buf'));
      const filled = r.f64('tx filled'), layout = r.f64('tx layout'), complete = r.bool('tx complete');
      const tag = r.u64('tx tag'), flags = r.f64('tx flags'), attributes = r.f64('tx attributes'), ns = r.bool('tx ns');
      const constituents: MemRegionConstituent[] = [];
      const nc = r.count('tx constituents', 1 << 20);
      for (let k = 0; k < nc; k++) constituents.push({ address: r.u64('constituent address'), pageCount: r.f64('constituent pageCount') });
      const txPages: number[] = [];
      const npg = r.count('tx pages', 1 << 24);
      for (let k = 0; k < npg; k++) txPages.push(r.f64('tx page'));
      const borrowers: Borrower[] = [];
      const nb = r.count('tx borrowers', 1 << 16);
      for (let k = 0; k < nb; k++) {
        const id = r.i32('borrower id'), permissions = r.f64('borrower permissions'), emadFlags = r.f64('borrower emadFlags');
        const impdef = r.opt('borrower impdef', () => r.bytes('borrower impdef')) ?? undefined;
        const retrievals = r.f64('borrower retrievals'), granted = r.f64('borrower granted');
        borrowers.push({ id, permissions, emadFlags, impdef, retrievals, granted, pending: pending('borrower pending') });
      }
      const clearOnRelinquish = r.bool('tx clearOnRelinquish');
      const hypPending = pending('tx hypPending');
      txs.set(handle, {
        handle, kind, sender, caller, total, buf, filled, layout, complete, tag, flags, attributes, ns, constituents,
        pages: txPages, borrowers, clearOnRelinquish, hypPending,
      });
    }
    return () => {
      this.lastReject = lastReject;
      this.nextHandle = nextHandle;
      this.violations.length = 0; this.violations.push(...violations);
      this.pages.clear(); for (const [k, v] of pages) this.pages.set(k, v);
      this.txs.clear(); for (const [k, v] of txs) this.txs.set(k, v);
    };
  }
}

/** Snapshot encodings of the page states and transaction kinds (index = the stored byte). */
const SNAP_PAGE_STATES: readonly PageState[] = ['owned', 'shared', 'lent', 'donated'];
const SNAP_KINDS: readonly SendKind[] = ['share', 'lend', 'donate'];

/** HF ffa_memory_attributes_validate: Normal WB or Device-nGnRnE, inner shareable. */
function hafniumAttributes(a: number): boolean {
  const type = ffaMemAttrType(a);
  const cache = ffaMemAttrCacheability(a);
  return (
    ffaMemAttrShareability(a) === FFA_MEM_SHARE_INNER &&
    ((type === FFA_MEM_TYPE_NORMAL && cache === FFA_MEM_CACHE_WRITE_BACK) || (type === FFA_MEM_TYPE_DEVICE && cache === FFA_MEM_DEV_NGNRNE))
  );
}

/** Page frame numbers of a mailbox's RX and TX buffers. */
function mailboxPages(mb: Mailbox): Set<number> {
  const s = new Set<number>();
  for (let i = 0; i < mb.pages; i++) {
    s.add(Math.floor(mb.tx / FFA_PAGE_SIZE) + i);
    s.add(Math.floor(mb.rx / FFA_PAGE_SIZE) + i);
  }
  return s;
}
