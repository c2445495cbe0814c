/**
 * FF-A (Arm DEN0077A) and SMCCC/PSCI constants, name tables and register-field helpers.
 *
 * Everything here is plain numbers: the FF-A hot path (direct messages) reads w0..w17 and switches on
 * these constants without allocating. Name tables are for vectors, traces and error messages.
 *
 * Citations. "v1.0 §8.4" is FF-A v1.0 (DEN0077A issue A), "v1.1 §13.8" is FF-A v1.1 (EAC0/REL0),
 * "v1.2 §15.4" is FF-A v1.2. The spec PDFs were not at hand: each number was checked against a source
 * that quotes it (the ff-a-acs rule tables for v1.0, v1.1 and v1.2, Hafnium and Linux comments, see
 * /work/shared/reference/ffa-abi.md). A number followed by "?" was inferred from its neighbours in
 * those tables and is UNVERIFIED; the ABI name is the reliable key into the spec.
 * "ref §2" points at the project's reference notes, ffa-abi.md, where no spec section is known.
 */

// ---------------------------------------------------------------------------------------------
// SMCCC function ID fields (Arm DEN0028, "Function Identifier"; arch-and-cycles.md §7.1)
// ---------------------------------------------------------------------------------------------

/** DEN0028: bit 31 set = fast call. */
export const SMCCC_FAST_CALL = 0x80000000;
/** DEN0028: bit 30 set = SMC64/HVC64 calling convention. */
export const SMCCC_SMC64 = 0x40000000;
/** DEN0028 v1.3: bit 16 = SVE live-state hint; a callee masks it off before dispatch. */
export const SMCCC_SVE_HINT = 0x00010000;
/** DEN0028: bits [29:24] = owning entity number. */
export const SMCCC_OEN_SHIFT = 24;
export const SMCCC_OEN_MASK = 0x3f;
/** DEN0028: OEN 0, Arm architecture calls (SMCCC_VERSION ...). */
export const SMCCC_OEN_ARCH = 0;
/** DEN0028: OEN 4, standard secure service calls (PSCI, FF-A ...). */
export const SMCCC_OEN_STANDARD = 4;
/** DEN0028: bits [23:17] must be zero in a fast-call function ID (TF-A answers SMC_UNK otherwise). */
export const SMCCC_FAST_MBZ_MASK = 0x00fe0000;

/** Bits [15:0]: the function number. */
export function smcccFunctionNumber(w0: number): number {
  return w0 & 0xffff;
}
/** Bits [29:24]: the owning entity number. */
export function smcccOwner(w0: number): number {
  return (w0 >>> SMCCC_OEN_SHIFT) & SMCCC_OEN_MASK;
}
export function smcccIsFastCall(w0: number): boolean {
  return (w0 & SMCCC_FAST_CALL) !== 0;
}
export function smcccIsSmc64(w0: number): boolean {
  return (w0 & SMCCC_SMC64) !== 0;
}
/** The function ID with the SVE hint (bit 16) cleared, as Hafnium and TF-A do before decoding. */
export function smcccStripSveHint(w0: number): number {
  return (w0 & ~SMCCC_SVE_HINT) >>> 0;
}
/** False for a fast call whose bits [23:17] are not zero (DEN0028; TF-A `runtime_svc.c`). */
export function smcccFastCallIdValid(w0: number): boolean {
  return !smcccIsFastCall(w0) || (w0 & SMCCC_FAST_MBZ_MASK) === 0;
}

// ---------------------------------------------------------------------------------------------
// SMCCC and PSCI function IDs and return codes
// ---------------------------------------------------------------------------------------------

/** DEN0028 §7 "SMCCC_VERSION": returns (major << 16) | minor. */
export const SMCCC_VERSION = 0x80000000;
/** DEN0028 §7 "SMCCC_ARCH_FEATURES": w1 = queried function ID. */
export const SMCCC_ARCH_FEATURES = 0x80000001;
/** DEN0028 v1.2 "SMCCC_ARCH_SOC_ID". */
export const SMCCC_ARCH_SOC_ID = 0x80000002;
/** DEN0028 "SMCCC_ARCH_WORKAROUND_1" (Spectre v2). */
export const SMCCC_ARCH_WORKAROUND_1 = 0x80008000;
/** DEN0028 "SMCCC_ARCH_WORKAROUND_2" (SSBD). */
export const SMCCC_ARCH_WORKAROUND_2 = 0x80007fff;
/** DEN0028 "SMCCC_ARCH_WORKAROUND_3" (Spectre-BHB). */
export const SMCCC_ARCH_WORKAROUND_3 = 0x80003fff;

/** DEN0028 return codes (int32, sign-extended by TF-A and KVM into x0). */
export const SMCCC_SUCCESS = 0;
export const SMCCC_NOT_SUPPORTED = -1;
export const SMCCC_NOT_REQUIRED = -2;
export const SMCCC_INVALID_PARAMETER = -3;

/** PSCI (Arm DEN0022) function IDs: OEN 4, function numbers 0x00-0x1F (arch-and-cycles.md §7.4). */
export const PSCI_VERSION = 0x84000000; // DEN0022 §5.1.1 PSCI_VERSION
export const PSCI_CPU_SUSPEND = 0x84000001; // DEN0022 CPU_SUSPEND
export const PSCI_CPU_SUSPEND_64 = 0xc4000001;
export const PSCI_CPU_OFF = 0x84000002; // DEN0022 CPU_OFF
export const PSCI_CPU_ON = 0x84000003; // DEN0022 CPU_ON
export const PSCI_CPU_ON_64 = 0xc4000003;
export const PSCI_AFFINITY_INFO = 0x84000004; // DEN0022 AFFINITY_INFO
export const PSCI_AFFINITY_INFO_64 = 0xc4000004;
export const PSCI_MIGRATE = 0x84000005; // DEN0022 MIGRATE
export const PSCI_MIGRATE_64 = 0xc4000005;
export const PSCI_MIGRATE_INFO_TYPE = 0x84000006; // DEN0022 MIGRATE_INFO_TYPE
export const PSCI_MIGRATE_INFO_UP_CPU = 0x84000007; // DEN0022 MIGRATE_INFO_UP_CPU
export const PSCI_MIGRATE_INFO_UP_CPU_64 = 0xc4000007;
export const PSCI_SYSTEM_OFF = 0x84000008; // DEN0022 SYSTEM_OFF
export const PSCI_SYSTEM_RESET = 0x84000009; // DEN0022 SYSTEM_RESET
export const PSCI_FEATURES = 0x8400000a; // DEN0022 v1.0 PSCI_FEATURES
export const PSCI_CPU_FREEZE = 0x8400000b; // DEN0022 v1.0 CPU_FREEZE
export const PSCI_CPU_DEFAULT_SUSPEND = 0x8400000c; // DEN0022 v1.0 CPU_DEFAULT_SUSPEND
export const PSCI_CPU_DEFAULT_SUSPEND_64 = 0xc400000c;
export const PSCI_NODE_HW_STATE = 0x8400000d; // DEN0022 v1.0 NODE_HW_STATE
export const PSCI_NODE_HW_STATE_64 = 0xc400000d;
export const PSCI_SYSTEM_SUSPEND = 0x8400000e; // DEN0022 v1.0 SYSTEM_SUSPEND
export const PSCI_SYSTEM_SUSPEND_64 = 0xc400000e;
export const PSCI_SET_SUSPEND_MODE = 0x8400000f; // DEN0022 v1.0 PSCI_SET_SUSPEND_MODE
export const PSCI_STAT_RESIDENCY = 0x84000010; // DEN0022 v1.0 PSCI_STAT_RESIDENCY
export const PSCI_STAT_RESIDENCY_64 = 0xc4000010;
export const PSCI_STAT_COUNT = 0x84000011; // DEN0022 v1.0 PSCI_STAT_COUNT
export const PSCI_STAT_COUNT_64 = 0xc4000011;
export const PSCI_SYSTEM_RESET2 = 0x84000012; // DEN0022 v1.1 SYSTEM_RESET2
export const PSCI_SYSTEM_RESET2_64 = 0xc4000012;
export const PSCI_MEM_PROTECT = 0x84000013; // DEN0022 v1.1 MEM_PROTECT
export const PSCI_MEM_PROTECT_CHECK_RANGE = 0x84000014; // DEN0022 v1.1 MEM_PROTECT_CHECK_RANGE
export const PSCI_MEM_PROTECT_CHECK_RANGE_64 = 0xc4000014;
export const PSCI_SYSTEM_OFF2 = 0x84000015; // DEN0022 v1.3 SYSTEM_OFF2
export const PSCI_SYSTEM_OFF2_64 = 0xc4000015;

/** PSCI return codes (DEN0022 "Return error codes"; only -1 is confirmed by the reference notes). */
export const PSCI_RET_SUCCESS = 0;
export const PSCI_RET_NOT_SUPPORTED = -1;
export const PSCI_RET_INVALID_PARAMETERS = -2;
export const PSCI_RET_DENIED = -3;
export const PSCI_RET_ALREADY_ON = -4;
export const PSCI_RET_ON_PENDING = -5;
export const PSCI_RET_INTERNAL_FAILURE = -6;
export const PSCI_RET_NOT_PRESENT = -7;
export const PSCI_RET_DISABLED = -8;
export const PSCI_RET_INVALID_ADDRESS = -9;

/** PSCI owns standard-service function numbers 0x00-0x1F (DEN0022; pKVM relays these first). */
export function isPsciFunction(w0: number): boolean {
  return smcccIsFastCall(w0) && smcccOwner(w0) === SMCCC_OEN_STANDARD && smcccFunctionNumber(w0) <= 0x1f;
}

// ---------------------------------------------------------------------------------------------
// FF-A function IDs (ref §2)
// ---------------------------------------------------------------------------------------------

/** v1.0 §7?: every FF-A ABI is a fast call, OEN 4: 0x84000000 | fn (SMC32), 0xC4000000 | fn (SMC64). */
export const FFA_SMC32_BASE = 0x84000000;
export const FFA_SMC64_BASE = 0xc4000000;
/** Function numbers 0x60..0xFF are FF-A (pKVM `is_ffa_call` since 2024; TF-A `is_ffa_fid`: 0x60..0x97). */
export const FFA_MIN_FUNC_NUM = 0x60;
export const FFA_MAX_FUNC_NUM = 0xff;

// Status reporting: v1.0 ch.7? (FFA_ERROR / FFA_SUCCESS / FFA_INTERRUPT); 64-bit ERROR/INTERRUPT from v1.3.
export const FFA_ERROR = 0x84000060; // v1.0 §7? FFA_ERROR: w2 = status code
export const FFA_ERROR_64 = 0xc4000060; // v1.3 FFA_ERROR_64 (ref §2)
export const FFA_SUCCESS = 0x84000061; // v1.0 §7? FFA_SUCCESS_32
export const FFA_SUCCESS_64 = 0xc4000061; // v1.0 §7? FFA_SUCCESS_64
export const FFA_INTERRUPT = 0x84000062; // v1.0 §7? FFA_INTERRUPT: w1 = endpoint << 16 | vCPU
export const FFA_INTERRUPT_64 = 0xc4000062; // v1.3 FFA_INTERRUPT_64 (ref §2)

// Setup and discovery: v1.0 ch.8 (v1.1/v1.2 ch.13).
export const FFA_VERSION = 0x84000063; // v1.0 §8.1, v1.2 §13.2 FFA_VERSION (result in w0 itself)
export const FFA_FEATURES = 0x84000064; // v1.0 §8.2, v1.1 §13.3? FFA_FEATURES
export const FFA_RX_RELEASE = 0x84000065; // v1.0 §8.3 FFA_RX_RELEASE
export const FFA_RXTX_MAP = 0x84000066; // v1.0 §8.4 FFA_RXTX_MAP_32
export const FFA_RXTX_MAP_64 = 0xc4000066; // v1.0 §8.4 FFA_RXTX_MAP_64
export const FFA_RXTX_UNMAP = 0x84000067; // v1.0 §8.5 FFA_RXTX_UNMAP
export const FFA_PARTITION_INFO_GET = 0x84000068; // v1.0 §8.6, v1.1 §13.8 FFA_PARTITION_INFO_GET
export const FFA_ID_GET = 0x84000069; // v1.0 §8.7 FFA_ID_GET

// CPU cycle management: v1.0 ch.9 (v1.2 ch.14); 64-bit forms from v1.3.
export const FFA_MSG_WAIT = 0x8400006b; // v1.0 §9.1, v1.2 §14.1 FFA_MSG_WAIT
export const FFA_MSG_WAIT_64 = 0xc400006b; // v1.3 (ref §2)
export const FFA_YIELD = 0x8400006c; // v1.0 §9.2 FFA_YIELD
export const FFA_YIELD_64 = 0xc400006c; // v1.3 (ref §2)
export const FFA_RUN = 0x8400006d; // v1.0 §9.3 FFA_RUN: w1 = endpoint << 16 | vCPU
export const FFA_RUN_64 = 0xc400006d; // v1.3 (ref §2)
export const FFA_NORMAL_WORLD_RESUME = 0x8400007c; // v1.0 §9.4? FFA_NORMAL_WORLD_RESUME
export const FFA_NORMAL_WORLD_RESUME_64 = 0xc400007c; // v1.3 (ref §2)

// Messaging: v1.0 ch.10 (v1.1/v1.2 ch.15).
export const FFA_MSG_POLL = 0x8400006a; // v1.0 §10.4 FFA_MSG_POLL (deprecated in v1.1)
export const FFA_MSG_SEND = 0x8400006e; // v1.0 §10.1 FFA_MSG_SEND (replaced by FFA_MSG_SEND2)
export const FFA_MSG_SEND_DIRECT_REQ = 0x8400006f; // v1.0 §10.2, v1.1 §15.2 FFA_MSG_SEND_DIRECT_REQ_32
export const FFA_MSG_SEND_DIRECT_REQ_64 = 0xc400006f; // v1.0 §10.2 FFA_MSG_SEND_DIRECT_REQ_64
export const FFA_MSG_SEND_DIRECT_RESP = 0x84000070; // v1.0 §10.3 FFA_MSG_SEND_DIRECT_RESP_32
export const FFA_MSG_SEND_DIRECT_RESP_64 = 0xc4000070; // v1.0 §10.3 FFA_MSG_SEND_DIRECT_RESP_64

// Memory management: v1.0 ch.11 (transactions) and ch.12 (fragmentation).
export const FFA_MEM_DONATE = 0x84000071; // v1.0 §11.1 FFA_MEM_DONATE_32
export const FFA_MEM_DONATE_64 = 0xc4000071; // v1.0 §11.1 FFA_MEM_DONATE_64
export const FFA_MEM_LEND = 0x84000072; // v1.0 §11.2 FFA_MEM_LEND_32
export const FFA_MEM_LEND_64 = 0xc4000072; // v1.0 §11.2 FFA_MEM_LEND_64
export const FFA_MEM_SHARE = 0x84000073; // v1.0 §11.3 FFA_MEM_SHARE_32
export const FFA_MEM_SHARE_64 = 0xc4000073; // v1.0 §11.3 FFA_MEM_SHARE_64
export const FFA_MEM_RETRIEVE_REQ = 0x84000074; // v1.0 §11.4 FFA_MEM_RETRIEVE_REQ_32
export const FFA_MEM_RETRIEVE_REQ_64 = 0xc4000074; // v1.0 §11.4 FFA_MEM_RETRIEVE_REQ_64
export const FFA_MEM_RETRIEVE_RESP = 0x84000075; // v1.0 §11.5? FFA_MEM_RETRIEVE_RESP
export const FFA_MEM_RELINQUISH = 0x84000076; // v1.0 §11.6 FFA_MEM_RELINQUISH
export const FFA_MEM_RECLAIM = 0x84000077; // v1.0 §11.7 FFA_MEM_RECLAIM
export const FFA_MEM_OP_PAUSE = 0x84000078; // v1.0 §11.8? FFA_MEM_OP_PAUSE (nobody implements it)
export const FFA_MEM_OP_RESUME = 0x84000079; // v1.0 §11.9? FFA_MEM_OP_RESUME (nobody implements it)
export const FFA_MEM_FRAG_RX = 0x8400007a; // v1.0 ch.12? FFA_MEM_FRAG_RX
export const FFA_MEM_FRAG_TX = 0x8400007b; // v1.0 ch.12? FFA_MEM_FRAG_TX

// v1.1 additions.
export const FFA_NOTIFICATION_BITMAP_CREATE = 0x8400007d; // v1.1 §17.1 FFA_NOTIFICATION_BITMAP_CREATE
export const FFA_NOTIFICATION_BITMAP_DESTROY = 0x8400007e; // v1.1 §17.2 FFA_NOTIFICATION_BITMAP_DESTROY
export const FFA_NOTIFICATION_BIND = 0x8400007f; // v1.1 §17.3 FFA_NOTIFICATION_BIND
export const FFA_NOTIFICATION_UNBIND = 0x84000080; // v1.1 §17.4 FFA_NOTIFICATION_UNBIND
export const FFA_NOTIFICATION_SET = 0x84000081; // v1.1 §17.5 FFA_NOTIFICATION_SET
export const FFA_NOTIFICATION_GET = 0x84000082; // v1.1 §17.6 FFA_NOTIFICATION_GET
export const FFA_NOTIFICATION_INFO_GET = 0x84000083; // v1.1 §17.7 FFA_NOTIFICATION_INFO_GET_32
export const FFA_NOTIFICATION_INFO_GET_64 = 0xc4000083; // v1.1 §17.7 FFA_NOTIFICATION_INFO_GET_64
export const FFA_RX_ACQUIRE = 0x84000084; // v1.1 §13.4? FFA_RX_ACQUIRE (hypervisor -> SPMC only)
export const FFA_SPM_ID_GET = 0x84000085; // v1.1 §13.9 FFA_SPM_ID_GET
export const FFA_MSG_SEND2 = 0x84000086; // v1.1 §15.1 FFA_MSG_SEND2
export const FFA_SECONDARY_EP_REGISTER = 0x84000087; // v1.1 FFA_SECONDARY_EP_REGISTER_32 (section ?)
export const FFA_SECONDARY_EP_REGISTER_64 = 0xc4000087; // v1.1 FFA_SECONDARY_EP_REGISTER_64 (section ?)
export const FFA_MEM_PERM_GET = 0x84000088; // v1.1 FFA_MEM_PERM_GET_32 (S-EL0 only; section ?)
export const FFA_MEM_PERM_GET_64 = 0xc4000088; // v1.1 FFA_MEM_PERM_GET_64 (section ?)
export const FFA_MEM_PERM_SET = 0x84000089; // v1.1 FFA_MEM_PERM_SET_32 (S-EL0 only; section ?)
export const FFA_MEM_PERM_SET_64 = 0xc4000089; // v1.1 FFA_MEM_PERM_SET_64 (section ?)

// v1.2 additions.
export const FFA_CONSOLE_LOG = 0x8400008a; // v1.2 §13.12 FFA_CONSOLE_LOG_32
export const FFA_CONSOLE_LOG_64 = 0xc400008a; // v1.2 §13.12 FFA_CONSOLE_LOG_64
export const FFA_PARTITION_INFO_GET_REGS = 0xc400008b; // v1.2 §13.9 FFA_PARTITION_INFO_GET_REGS (SMC64 only)
export const FFA_PARTITION_INFO_GET_REGS_64 = FFA_PARTITION_INFO_GET_REGS;
export const FFA_EL3_INTR_HANDLE = 0x8400008c; // v1.2 FFA_EL3_INTR_HANDLE (SPMC -> SPMD; section ?)
export const FFA_MSG_SEND_DIRECT_REQ2 = 0xc400008d; // v1.2 §15.4 FFA_MSG_SEND_DIRECT_REQ2 (SMC64 only)
export const FFA_MSG_SEND_DIRECT_REQ2_64 = FFA_MSG_SEND_DIRECT_REQ2;
export const FFA_MSG_SEND_DIRECT_RESP2 = 0xc400008e; // v1.2 §15.5 FFA_MSG_SEND_DIRECT_RESP2 (SMC64 only)
export const FFA_MSG_SEND_DIRECT_RESP2_64 = FFA_MSG_SEND_DIRECT_RESP2;

// v1.3 additions (ref §2; HF places NS_RES_INFO_GET in v1.3, TF-A groups it with v1.2).
export const FFA_NS_RES_INFO_GET = 0xc400008f; // v1.3 FFA_NS_RES_INFO_GET (SMC64 only)
export const FFA_NS_RES_INFO_GET_64 = FFA_NS_RES_INFO_GET;
export const FFA_ABORT = 0x84000090; // v1.3 FFA_ABORT_32
export const FFA_ABORT_64 = 0xc4000090; // v1.3 FFA_ABORT_64

/** FF-A version words (v1.0 §8.1: bit 31 MBZ, major [30:16], minor [15:0]). */
export const FFA_VERSION_1_0 = 0x00010000;
export const FFA_VERSION_1_1 = 0x00010001;
export const FFA_VERSION_1_2 = 0x00010002;
export const FFA_VERSION_1_3 = 0x00010003;

/** One row of the function table: a function number and the widths it exists in. */
export interface FfaFunctionInfo {
  /** Spec name without width suffix, e.g. "FFA_RXTX_MAP". */
  readonly base: string;
  /** Function number, bits [15:0] of the ID (0x60..0xFF). */
  readonly fn: number;
  /** SMC32 ID, if the function has one. */
  readonly smc32?: number;
  /** SMC64 ID, if the function has one. */
  readonly smc64?: number;
  /** FF-A version that introduced the SMC32 form (or the only form). */
  readonly since: number;
  /** FF-A version that introduced the SMC64 form, when later than `since`. */
  readonly since64?: number;
}

const V10 = FFA_VERSION_1_0;
const V11 = FFA_VERSION_1_1;
const V12 = FFA_VERSION_1_2;
const V13 = FFA_VERSION_1_3;

/** [base name, smc32 ID or 0, smc64 ID or 0, since, since64?]; ref §2 is the source of every row. */
const FUNCTION_ROWS: ReadonlyArray<readonly [string, number, number, number, number?]> = [
  ['FFA_ERROR', FFA_ERROR, FFA_ERROR_64, V10, V13],
  ['FFA_SUCCESS', FFA_SUCCESS, FFA_SUCCESS_64, V10],
  ['FFA_INTERRUPT', FFA_INTERRUPT, FFA_INTERRUPT_64, V10, V13],
  ['FFA_VERSION', FFA_VERSION, 0, V10],
  ['FFA_FEATURES', FFA_FEATURES, 0, V10],
  ['FFA_RX_RELEASE', FFA_RX_RELEASE, 0, V10],
  ['FFA_RXTX_MAP', FFA_RXTX_MAP, FFA_RXTX_MAP_64, V10],
  ['FFA_RXTX_UNMAP', FFA_RXTX_UNMAP, 0, V10],
  ['FFA_PARTITION_INFO_GET', FFA_PARTITION_INFO_GET, 0, V10],
  ['FFA_ID_GET', FFA_ID_GET, 0, V10],
  ['FFA_MSG_POLL', FFA_MSG_POLL, 0, V10],
  ['FFA_MSG_WAIT', FFA_MSG_WAIT, FFA_MSG_WAIT_64, V10, V13],
  ['FFA_YIELD', FFA_YIELD, FFA_YIELD_64, V10, V13],
  ['FFA_RUN', FFA_RUN, FFA_RUN_64, V10, V13],
  ['FFA_MSG_SEND', FFA_MSG_SEND, 0, V10],
  ['FFA_MSG_SEND_DIRECT_REQ', FFA_MSG_SEND_DIRECT_REQ, FFA_MSG_SEND_DIRECT_REQ_64, V10],
  ['FFA_MSG_SEND_DIRECT_RESP', FFA_MSG_SEND_DIRECT_RESP, FFA_MSG_SEND_DIRECT_RESP_64, V10],
  ['FFA_MEM_DONATE', FFA_MEM_DONATE, FFA_MEM_DONATE_64, V10],
  ['FFA_MEM_LEND', FFA_MEM_LEND, FFA_MEM_LEND_64, V10],
  ['FFA_MEM_SHARE', FFA_MEM_SHARE, FFA_MEM_SHARE_64, V10],
  ['FFA_MEM_RETRIEVE_REQ', FFA_MEM_RETRIEVE_REQ, FFA_MEM_RETRIEVE_REQ_64, V10],
  ['FFA_MEM_RETRIEVE_RESP', FFA_MEM_RETRIEVE_RESP, 0, V10],
  ['FFA_MEM_RELINQUISH', FFA_MEM_RELINQUISH, 0, V10],
  ['FFA_MEM_RECLAIM', FFA_MEM_RECLAIM, 0, V10],
  ['FFA_MEM_OP_PAUSE', FFA_MEM_OP_PAUSE, 0, V10],
  ['FFA_MEM_OP_RESUME', FFA_MEM_OP_RESUME, 0, V10],
  ['FFA_MEM_FRAG_RX', FFA_MEM_FRAG_RX, 0, V10],
  ['FFA_MEM_FRAG_TX', FFA_MEM_FRAG_TX, 0, V10],
  ['FFA_NORMAL_WORLD_RESUME', FFA_NORMAL_WORLD_RESUME, FFA_NORMAL_WORLD_RESUME_64, V10, V13],
  ['FFA_NOTIFICATION_BITMAP_CREATE', FFA_NOTIFICATION_BITMAP_CREATE, 0, V11],
  ['FFA_NOTIFICATION_BITMAP_DESTROY', FFA_NOTIFICATION_BITMAP_DESTROY, 0, V11],
  ['FFA_NOTIFICATION_BIND', FFA_NOTIFICATION_BIND, 0, V11],
  ['FFA_NOTIFICATION_UNBIND', FFA_NOTIFICATION_UNBIND, 0, V11],
  ['FFA_NOTIFICATION_SET', FFA_NOTIFICATION_SET, 0, V11],
  ['FFA_NOTIFICATION_GET', FFA_NOTIFICATION_GET, 0, V11],
  ['FFA_NOTIFICATION_INFO_GET', FFA_NOTIFICATION_INFO_GET, FFA_NOTIFICATION_INFO_GET_64, V11],
  ['FFA_RX_ACQUIRE', FFA_RX_ACQUIRE, 0, V11],
  ['FFA_SPM_ID_GET', FFA_SPM_ID_GET, 0, V11],
  ['FFA_MSG_SEND2', FFA_MSG_SEND2, 0, V11],
  ['FFA_SECONDARY_EP_REGISTER', FFA_SECONDARY_EP_REGISTER, FFA_SECONDARY_EP_REGISTER_64, V11],
  ['FFA_MEM_PERM_GET', FFA_MEM_PERM_GET, FFA_MEM_PERM_GET_64, V11],
  ['FFA_MEM_PERM_SET', FFA_MEM_PERM_SET, FFA_MEM_PERM_SET_64, V11],
  ['FFA_CONSOLE_LOG', FFA_CONSOLE_LOG, FFA_CONSOLE_LOG_64, V12],
  ['FFA_PARTITION_INFO_GET_REGS', 0, FFA_PARTITION_INFO_GET_REGS, V12],
  ['FFA_EL3_INTR_HANDLE', FFA_EL3_INTR_HANDLE, 0, V12],
  ['FFA_MSG_SEND_DIRECT_REQ2', 0, FFA_MSG_SEND_DIRECT_REQ2, V12],
  ['FFA_MSG_SEND_DIRECT_RESP2', 0, FFA_MSG_SEND_DIRECT_RESP2, V12],
  ['FFA_NS_RES_INFO_GET', 0, FFA_NS_RES_INFO_GET, V13],
  ['FFA_ABORT', FFA_ABORT, FFA_ABORT_64, V13],
];

/** The FF-A function table, one row per function number, in function-number order. */
export const FFA_FUNCTIONS: readonly FfaFunctionInfo[] = FUNCTION_ROWS.map(([base, s32, s64, since, since64]) => {
  const row: { -readonly [K in keyof FfaFunctionInfo]: FfaFunctionInfo[K] } = {
    base,
    fn: (s32 || s64) & 0xffff,
    since,
  };
  if (s32) row.smc32 = s32;
  if (s64) row.smc64 = s64;
  if (since64 !== undefined) row.since64 = since64;
  return Object.freeze(row);
});

const nameById = new Map<number, string>();
const idByName = new Map<string, number>();
const infoById = new Map<number, FfaFunctionInfo>();
for (const f of FFA_FUNCTIONS) {
  if (f.smc32 !== undefined) {
    nameById.set(f.smc32, f.base);
    idByName.set(f.base, f.smc32);
    idByName.set(`${f.base}_32`, f.smc32);
    infoById.set(f.smc32, f);
  }
  if (f.smc64 !== undefined) {
    // A function that exists only as SMC64 keeps the spec's bare name; `_64` is accepted too.
    const name = f.smc32 === undefined ? f.base : `${f.base}_64`;
    nameById.set(f.smc64, name);
    idByName.set(`${f.base}_64`, f.smc64);
    if (f.smc32 === undefined) idByName.set(f.base, f.smc64);
    infoById.set(f.smc64, f);
  }
}

/**
 * The name of an FF-A function ID: "FFA_RXTX_MAP" (SMC32), "FFA_RXTX_MAP_64" (SMC64),
 * "FFA_MSG_SEND_DIRECT_REQ2" (SMC64-only functions keep their bare spec name). The ID must match
 * exactly: strip the SVE hint first if it may be set.
 */
export function ffaFunctionName(id: number): string | undefined {
  return nameById.get(id >>> 0);
}

/**
 * The ID for a name, as vector-format.md defines it: `FFA_X` is the SMC32 ID, `FFA_X_64` the SMC64
 * ID, and a function that exists only as SMC64 answers to both. `FFA_X_32` is accepted as another
 * spelling of the SMC32 ID (Hafnium's and TF-A's naming).
 */
export function ffaFunctionId(name: string): number | undefined {
  return idByName.get(name);
}

/** The table row for an FF-A function ID, or undefined for an unallocated one. */
export function ffaFunctionInfo(id: number): FfaFunctionInfo | undefined {
  return infoById.get(id >>> 0);
}

/** The FF-A version that introduced this function ID (its width included), or undefined. */
export function ffaFunctionMinVersion(id: number): number | undefined {
  const f = infoById.get(id >>> 0);
  if (f === undefined) return undefined;
  return (id >>> 0) === f.smc64 && f.since64 !== undefined ? f.since64 : f.since;
}

/**
 * True when w0 lies in the FF-A range: fast call, OEN 4, function number 0x60..0xFF. Bit 30 (SMC64)
 * and bits [23:16] are not looked at, as pKVM's `is_ffa_call` (ref §1).
 */
export function isFfaFunction(w0: number): boolean {
  const fn = w0 & 0xffff;
  return (
    (w0 & SMCCC_FAST_CALL) !== 0 &&
    ((w0 >>> SMCCC_OEN_SHIFT) & SMCCC_OEN_MASK) === SMCCC_OEN_STANDARD &&
    fn >= FFA_MIN_FUNC_NUM &&
    fn <= FFA_MAX_FUNC_NUM
  );
}

// ---------------------------------------------------------------------------------------------
// FF-A status codes (v1.0 ch.7? "Error status codes"; ref §3)
// ---------------------------------------------------------------------------------------------

/** The status codes are negative int32 values, in w2 of FFA_ERROR (zero-extended in x2 by an SPMC). */
export const FFA_RET_SUCCESS = 0;
export const FFA_RET_NOT_SUPPORTED = -1; // v1.0
export const FFA_RET_INVALID_PARAMETERS = -2; // v1.0
export const FFA_RET_NO_MEMORY = -3; // v1.0
export const FFA_RET_BUSY = -4; // v1.0
export const FFA_RET_INTERRUPTED = -5; // v1.0
export const FFA_RET_DENIED = -6; // v1.0
export const FFA_RET_RETRY = -7; // v1.0
export const FFA_RET_ABORTED = -8; // v1.0
export const FFA_RET_NO_DATA = -9; // v1.1 (FFA_NOTIFICATION_INFO_GET with nothing pending)
export const FFA_RET_NOT_READY = -10; // v1.2 (Hafnium; UNVERIFIED which ABIs return it, ref §3)

const STATUS_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['NOT_SUPPORTED', FFA_RET_NOT_SUPPORTED],
  ['INVALID_PARAMETERS', FFA_RET_INVALID_PARAMETERS],
  ['NO_MEMORY', FFA_RET_NO_MEMORY],
  ['BUSY', FFA_RET_BUSY],
  ['INTERRUPTED', FFA_RET_INTERRUPTED],
  ['DENIED', FFA_RET_DENIED],
  ['RETRY', FFA_RET_RETRY],
  ['ABORTED', FFA_RET_ABORTED],
  ['NO_DATA', FFA_RET_NO_DATA],
  ['NOT_READY', FFA_RET_NOT_READY],
];
const statusByName = new Map<string, number>(STATUS_NAMES);
const statusNameByValue = new Map<number, string>(STATUS_NAMES.map(([n, v]) => [v, n]));

/**
 * The name of a status code ("INVALID_PARAMETERS"), given as the negative int32 or as its 32-bit
 * (0xFFFFFFFE) or 64-bit sign-extended (bigint) register image. 0 is not a status: undefined.
 */
export function ffaStatusName(code: number | bigint): string | undefined {
  const v = typeof code === 'bigint' ? Number(BigInt.asIntN(32, code)) : code | 0;
  return statusNameByValue.get(v);
}

/** The negative value of a status name ("DENIED" -> -6), names as vector-format.md lists them. */
export function ffaStatusValue(name: string): number | undefined {
  return statusByName.get(name);
}

/** All status names, for messages and schemas. */
export const FFA_STATUS_NAMES: readonly string[] = STATUS_NAMES.map(([n]) => n);

// ---------------------------------------------------------------------------------------------
// SMCCC / PSCI name table
// ---------------------------------------------------------------------------------------------

const SMCCC_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['SMCCC_VERSION', SMCCC_VERSION],
  ['SMCCC_ARCH_FEATURES', SMCCC_ARCH_FEATURES],
  ['SMCCC_ARCH_SOC_ID', SMCCC_ARCH_SOC_ID],
  ['SMCCC_ARCH_WORKAROUND_1', SMCCC_ARCH_WORKAROUND_1],
  ['SMCCC_ARCH_WORKAROUND_2', SMCCC_ARCH_WORKAROUND_2],
  ['SMCCC_ARCH_WORKAROUND_3', SMCCC_ARCH_WORKAROUND_3],
  ['PSCI_VERSION', PSCI_VERSION],
  ['PSCI_CPU_SUSPEND', PSCI_CPU_SUSPEND],
  ['PSCI_CPU_SUSPEND_64', PSCI_CPU_SUSPEND_64],
  ['PSCI_CPU_OFF', PSCI_CPU_OFF],
  ['PSCI_CPU_ON', PSCI_CPU_ON],
  ['PSCI_CPU_ON_64', PSCI_CPU_ON_64],
  ['PSCI_AFFINITY_INFO', PSCI_AFFINITY_INFO],
  ['PSCI_AFFINITY_INFO_64', PSCI_AFFINITY_INFO_64],
  ['PSCI_MIGRATE', PSCI_MIGRATE],
  ['PSCI_MIGRATE_64', PSCI_MIGRATE_64],
  ['PSCI_MIGRATE_INFO_TYPE', PSCI_MIGRATE_INFO_TYPE],
  ['PSCI_MIGRATE_INFO_UP_CPU', PSCI_MIGRATE_INFO_UP_CPU],
  ['PSCI_MIGRATE_INFO_UP_CPU_64', PSCI_MIGRATE_INFO_UP_CPU_64],
  ['PSCI_SYSTEM_OFF', PSCI_SYSTEM_OFF],
  ['PSCI_SYSTEM_RESET', PSCI_SYSTEM_RESET],
  ['PSCI_FEATURES', PSCI_FEATURES],
  ['PSCI_CPU_FREEZE', PSCI_CPU_FREEZE],
  ['PSCI_CPU_DEFAULT_SUSPEND', PSCI_CPU_DEFAULT_SUSPEND],
  ['PSCI_CPU_DEFAULT_SUSPEND_64', PSCI_CPU_DEFAULT_SUSPEND_64],
  ['PSCI_NODE_HW_STATE', PSCI_NODE_HW_STATE],
  ['PSCI_NODE_HW_STATE_64', PSCI_NODE_HW_STATE_64],
  ['PSCI_SYSTEM_SUSPEND', PSCI_SYSTEM_SUSPEND],
  ['PSCI_SYSTEM_SUSPEND_64', PSCI_SYSTEM_SUSPEND_64],
  ['PSCI_SET_SUSPEND_MODE', PSCI_SET_SUSPEND_MODE],
  ['PSCI_STAT_RESIDENCY', PSCI_STAT_RESIDENCY],
  ['PSCI_STAT_RESIDENCY_64', PSCI_STAT_RESIDENCY_64],
  ['PSCI_STAT_COUNT', PSCI_STAT_COUNT],
  ['PSCI_STAT_COUNT_64', PSCI_STAT_COUNT_64],
  ['PSCI_SYSTEM_RESET2', PSCI_SYSTEM_RESET2],
  ['PSCI_SYSTEM_RESET2_64', PSCI_SYSTEM_RESET2_64],
  ['PSCI_MEM_PROTECT', PSCI_MEM_PROTECT],
  ['PSCI_MEM_PROTECT_CHECK_RANGE', PSCI_MEM_PROTECT_CHECK_RANGE],
  ['PSCI_MEM_PROTECT_CHECK_RANGE_64', PSCI_MEM_PROTECT_CHECK_RANGE_64],
  ['PSCI_SYSTEM_OFF2', PSCI_SYSTEM_OFF2],
  ['PSCI_SYSTEM_OFF2_64', PSCI_SYSTEM_OFF2_64],
];
/** Return-code names accepted next to the function names (vector-format.md: SMCCC_NOT_SUPPORTED). */
const SMCCC_VALUE_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['SMCCC_SUCCESS', SMCCC_SUCCESS],
  ['SMCCC_NOT_SUPPORTED', SMCCC_NOT_SUPPORTED],
  ['SMCCC_NOT_REQUIRED', SMCCC_NOT_REQUIRED],
  ['SMCCC_INVALID_PARAMETER', SMCCC_INVALID_PARAMETER],
];
const smcccIdByName = new Map<string, number>([...SMCCC_NAMES, ...SMCCC_VALUE_NAMES]);
const smcccNameById = new Map<number, string>(SMCCC_NAMES.map(([n, v]) => [v, n]));

/** The name of an SMCCC architecture call or PSCI function ID. */
export function smcccFunctionName(id: number): string | undefined {
  return smcccNameById.get(id >>> 0);
}

/**
 * The value of an SMCCC/PSCI name: a function ID ("PSCI_VERSION" -> 0x84000000) or an SMCCC return
 * code ("SMCCC_NOT_SUPPORTED" -> -1).
 */
export function smcccValue(name: string): number | undefined {
  return smcccIdByName.get(name);
}

/** The name of any known function ID (FF-A first, then SMCCC/PSCI): for traces. */
export function smcFunctionName(id: number): string | undefined {
  return ffaFunctionName(id) ?? smcccFunctionName(id);
}

// ---------------------------------------------------------------------------------------------
// Register fields (ref §1; Hafnium's ffa_sender/ffa_receiver/ffa_vm_vcpu accessors)
// ---------------------------------------------------------------------------------------------

/** Sender endpoint ID from w1 of a direct message / MSG_SEND / notification bind: bits [31:16]. */
export function ffaSender(w1: number): number {
  return (w1 >>> 16) & 0xffff;
}
/** Receiver endpoint ID from w1: bits [15:0]. */
export function ffaReceiver(w1: number): number {
  return w1 & 0xffff;
}
/** w1 = sender << 16 | receiver (unsigned). */
export function ffaSenderReceiver(sender: number, receiver: number): number {
  return (((sender & 0xffff) << 16) | (receiver & 0xffff)) >>> 0;
}
/** Target info (FFA_RUN, FFA_INTERRUPT, FFA_YIELD, FFA_ERROR w1): endpoint << 16 | vCPU index. */
export function ffaTargetInfo(endpoint: number, vcpu: number): number {
  return ffaSenderReceiver(endpoint, vcpu);
}
export function ffaTargetEndpoint(w1: number): number {
  return (w1 >>> 16) & 0xffff;
}
export function ffaTargetVcpu(w1: number): number {
  return w1 & 0xffff;
}

/** Memory handle from two 32-bit halves (lo first, as FFA_SUCCESS w2/w3 and FRAG_RX w1/w2 carry it). */
export function ffaHandle(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
export function ffaHandleLo(handle: bigint): number {
  return Number(handle & 0xffffffffn);
}
export function ffaHandleHi(handle: bigint): number {
  return Number((handle >> 32n) & 0xffffffffn);
}
/** Handle bit 63: 1 = allocated by the hypervisor, 0 = by the SPMC (Hafnium; ref §5.3). */
export const FFA_HANDLE_ALLOCATOR_HYPERVISOR = 1n << 63n;
/** ref §5.3: the invalid handle. */
export const FFA_HANDLE_INVALID = 0xffff_ffff_ffff_ffffn;

/** v1.0 §10.2: w2 bit 31 of DIRECT_REQ/RESP marks a framework message; bits [7:0] give its type. */
export const FFA_FWK_MSG_BIT = 0x80000000;
export const FFA_FWK_MSG_TYPE_MASK = 0xff;
/** Framework message types (ref §5.2). */
export const FFA_FWK_MSG_PSCI_REQ = 0;
export const FFA_FWK_MSG_WARM_BOOT_REQ = 1;
export const FFA_FWK_MSG_PM_RESP = 2;
export const FFA_FWK_MSG_VM_CREATED_REQ = 4;
export const FFA_FWK_MSG_VM_CREATED_RESP = 5;
export const FFA_FWK_MSG_VM_DESTROYED_REQ = 6;
export const FFA_FWK_MSG_VM_DESTROYED_RESP = 7;
export const FFA_FWK_MSG_VERSION_REQ = 8; // TF-A SPMD <-> S-EL1/S-EL2 SPMC, implementation-defined
export const FFA_FWK_MSG_VERSION_RESP = 9;

/** FFA_FEATURES w1: bit 31 set = function ID; clear = feature ID in [7:0] (v1.1 §13.3?). */
export const FFA_FEATURES_FUNC_ID_BIT = 0x80000000;
export const FFA_FEATURE_NPI = 1; // notification pending interrupt
export const FFA_FEATURE_SRI = 2; // schedule receiver interrupt
export const FFA_FEATURE_MEI = 3; // managed exit interrupt

/** FFA_PARTITION_INFO_GET w5 bit 0 (v1.1 §13.8): return the count only. */
export const FFA_PARTITION_INFO_GET_COUNT_FLAG = 1;

// ---------------------------------------------------------------------------------------------
// Versions (v1.0 §8.1.2; v1.1 §13.2.1 compatibility; v1.2 §13.2.2 negotiation)
// ---------------------------------------------------------------------------------------------

/** The version word for major.minor: bit 31 MBZ, major in [30:16], minor in [15:0]. */
export function ffaVersion(major: number, minor: number): number {
  if (!Number.isInteger(major) || major < 0 || major > 0x7fff) {
    throw new RangeError(`FF-A major version ${major} out of range`);
  }
  if (!Number.isInteger(minor) || minor < 0 || minor > 0xffff) {
    throw new RangeError(`FF-A minor version ${minor} out of range`);
  }
  return ((major << 16) | minor) >>> 0;
}
/** Major version, bits [30:16]. */
export function versionMajor(v: number): number {
  return (v >>> 16) & 0x7fff;
}
/** Minor version, bits [15:0]. */
export function versionMinor(v: number): number {
  return v & 0xffff;
}
/** A version word is well formed when bit 31 is clear (FFA_VERSION with bit 31 set -> NOT_SUPPORTED). */
export function ffaVersionValid(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0x7fffffff;
}
/**
 * v1.1 §13.2.1: a caller at version `caller` is compatible with a callee at `callee` iff the majors are
 * equal and the callee's minor is >= the caller's. Either word with bit 31 set is incompatible.
 */
export function ffaVersionsCompatible(caller: number, callee: number): boolean {
  return (
    ffaVersionValid(caller) &&
    ffaVersionValid(callee) &&
    versionMajor(caller) === versionMajor(callee) &&
    versionMinor(callee) >= versionMinor(caller)
  );
}
/** "1.2" for 0x00010002. */
export function ffaVersionString(v: number): string {
  return `${versionMajor(v)}.${versionMinor(v)}`;
}
/** 0x00010002 for "1.2"; undefined when the text is not "major.minor" within range. */
export function parseFfaVersion(text: string): number | undefined {
  const m = /^(\d{1,5})\.(\d{1,5})$/.exec(text);
  if (m === null) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > 0x7fff || minor > 0xffff) return undefined;
  return ffaVersion(major, minor);
}

// ---------------------------------------------------------------------------------------------
// Endpoint IDs (v1.0 ch.2-3?, ref §1)
// ---------------------------------------------------------------------------------------------

/** Endpoint ID bit 15: set for secure-world IDs (SPs, SPMC, SPMD), clear for normal-world IDs. */
export const FFA_ID_SECURE_BIT = 0x8000;
/** The ID FFA_ID_GET returns at the non-secure physical instance (host or hypervisor). */
export const FFA_HOST_ID = 0;
/** TF-A's SPMD endpoint ID (SPMD_DIRECT_MSG_ENDPOINT_ID). */
export const FFA_SPMD_ID = 0xffff;
/** The SPMC's endpoint ID in the TF-A/Hafnium manifests (and a64el's default). */
export const FFA_DEFAULT_SPMC_ID = 0x8000;

export function ffaIsSecureId(id: number): boolean {
  return (id & FFA_ID_SECURE_BIT) !== 0;
}
export function ffaIsNormalWorldId(id: number): boolean {
  return (id & FFA_ID_SECURE_BIT) === 0;
}

// ---------------------------------------------------------------------------------------------
// Partition properties (v1.0 Table 82, v1.1 Table 13.34; ref §5.1)
// ---------------------------------------------------------------------------------------------

export const FFA_PARTITION_DIRECT_REQ_RECV = 1 << 0; // v1.0: receives FFA_MSG_SEND_DIRECT_REQ
export const FFA_PARTITION_DIRECT_REQ_SEND = 1 << 1; // v1.0: sends FFA_MSG_SEND_DIRECT_REQ
export const FFA_PARTITION_INDIRECT_MSG = 1 << 2; // v1.0: sends and receives indirect messages
export const FFA_PARTITION_NOTIFICATION = 1 << 3; // v1.1: receives notifications
export const FFA_PARTITION_ID_TYPE_SHIFT = 4; // v1.1: bits [5:4] ID type (UNVERIFIED, ref §5.1)
export const FFA_PARTITION_ID_TYPE_MASK = 0x3 << FFA_PARTITION_ID_TYPE_SHIFT;
export const FFA_PARTITION_ID_TYPE_PE = 0;
export const FFA_PARTITION_ID_TYPE_SEPID_INDEP = 1;
export const FFA_PARTITION_ID_TYPE_SEPID_DEP = 2;
export const FFA_PARTITION_ID_TYPE_AUX = 3;
export const FFA_PARTITION_VM_CREATED = 1 << 6; // v1.1: told about VM creation
export const FFA_PARTITION_VM_DESTROYED = 1 << 7; // v1.1: told about VM destruction
export const FFA_PARTITION_AARCH64_EXEC = 1 << 8; // v1.1: runs in AArch64
export const FFA_PARTITION_DIRECT_REQ2_RECV = 1 << 9; // v1.2: receives FFA_MSG_SEND_DIRECT_REQ2
export const FFA_PARTITION_DIRECT_REQ2_SEND = 1 << 10; // v1.2: sends FFA_MSG_SEND_DIRECT_REQ2
export const FFA_PARTITION_LIVE_ACTIVATION = 1 << 11; // v1.3
export const FFA_PARTITION_LIVE_ACTIVATION_RENDEZVOUS = 1 << 12; // v1.3
export const FFA_PARTITION_SMC64_CYCLE_MGMT = 1 << 13; // v1.3

/**
 * The properties bits defined at a version; the rest are reserved (MBZ). v1.0 defines bits [2:0]
 * (TF-A masks with 0x7), v1.1 bits [8:0], v1.2 bits [10:0], v1.3 bits [13:0]. Hafnium masks v1.1
 * with bits [10:0] as well; a64el follows the version that defined each bit.
 */
export function ffaPartitionPropertiesMask(version: number): number {
  const minor = versionMajor(version) === 1 ? versionMinor(version) : 0xffff;
  if (minor === 0) return 0x7;
  if (minor === 1) return 0x1ff;
  if (minor === 2) return 0x7ff;
  return 0x3fff;
}
