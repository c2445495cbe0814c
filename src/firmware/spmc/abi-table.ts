/**
 * The one table that says which FF-A ABIs this SPMC implements, for whom, from which version: both
 * the dispatcher (core.ts) and FFA_FEATURES read it, so they cannot disagree (DEN0077A v1.1 §13.3
 * FFA_FEATURES: "NOT_SUPPORTED if the interface is not implemented or not available at this
 * instance"; ffa-abi.md 5.1 "Which instances ... accept"). Built once per SPMC from its configuration
 * (version, policy, SMCCC version); memory ABIs (0x71..0x7B) belong to spmc/memory.ts and are not here.
 */
import * as A from '../../ffa/abi.js';

/** Caller instances (bit mask). */
export const FROM_NWD = 1;
export const FROM_SP = 2;
export const FROM_ANY = FROM_NWD | FROM_SP;

export type SpmcPolicy = 'spec' | 'hafnium' | 'tf-a';

export interface AbiRow {
  readonly fid: number;
  /** FF-A version that introduced it (the caller's negotiated version must be at least this). */
  readonly since: number;
  /** Who may call it. */
  readonly callers: number;
  /** Status for a caller outside `callers` (default NOT_SUPPORTED). */
  readonly deny: number;
  /**
   * A status/return form (FFA_ERROR, FFA_SUCCESS, FFA_INTERRUPT): FFA_FEATURES reports it to every
   * instance (the SPMC produces it), whoever may *invoke* it (Hafnium and TF-A both do this).
   */
  readonly returnForm: boolean;
  /** The version gate is applied by the handler itself (Hafnium's DENIED for DIRECT_REQ2). */
  readonly lateVersionCheck: boolean;
}

function row(fid: number, since: number, callers: number, extra: Partial<AbiRow> = {}): AbiRow {
  return { fid, since, callers, deny: A.FFA_RET_NOT_SUPPORTED, returnForm: false, lateVersionCheck: false, ...extra };
}

/** Index into the row array: function number, plus 256 for SMC64. */
export function abiIndex(fid: number): number { return (fid & 0xff) | ((fid >>> 22) & 0x100); }

/** Builds the table: an array of 512 rows (null = not implemented). */
export function buildAbiTable(spmcVersion: number, policy: SpmcPolicy, smcccVersion: number): (AbiRow | null)[] {
  const V10 = A.FFA_VERSION_1_0, V11 = A.FFA_VERSION_1_1, V12 = A.FFA_VERSION_1_2;
  const rows: AbiRow[] = [
    // Status and return forms (v1.0 ch.7?/v1.1 §13.x). Invoked by an SP, FFA_ERROR ends its init or
    // cancels its direct request (ffa-abi.md 7.3, 7.4); from the NWd the SPMD refuses it.
    row(A.FFA_ERROR, V10, FROM_SP, { returnForm: true }),
    row(A.FFA_SUCCESS, V10, 0, { returnForm: true }),
    row(A.FFA_SUCCESS_64, V10, 0, { returnForm: true }),
    row(A.FFA_INTERRUPT, V10, 0, { returnForm: true }),
    // Setup and discovery (v1.0 ch.8, v1.1/v1.2 ch.13).
    // FFA_VERSION is callable with no version yet (TF-A's NS endpoint starts at FFA_VERSION_NULL).
    row(A.FFA_VERSION, 0, FROM_ANY),
    row(A.FFA_FEATURES, V10, FROM_ANY),
    row(A.FFA_RX_RELEASE, V10, FROM_ANY),
    row(A.FFA_RXTX_MAP_64, V10, FROM_ANY),
    row(A.FFA_RXTX_UNMAP, V10, FROM_ANY),
    row(A.FFA_PARTITION_INFO_GET, V10, FROM_ANY),
    row(A.FFA_ID_GET, V10, FROM_ANY),
    row(A.FFA_SPM_ID_GET, V11, FROM_ANY),
    // CPU cycle management (v1.0 ch.9, v1.2 ch.14). MSG_WAIT/YIELD are secure virtual instance ABIs.
    row(A.FFA_MSG_WAIT, V10, FROM_SP),
    // Direct messaging (v1.0 §10.2-10.3, v1.2 §15.4-15.5). The NWd is never the receiver of a direct
    // request here, so a response from it is INVALID_PARAMETERS (Hafnium, TF-A; ACS v1.1 expects an
    // FFA_ERROR).
    row(A.FFA_MSG_SEND_DIRECT_REQ, V10, FROM_ANY),
    row(A.FFA_MSG_SEND_DIRECT_REQ_64, V10, FROM_ANY),
    row(A.FFA_MSG_SEND_DIRECT_RESP, V10, FROM_SP, { deny: A.FFA_RET_INVALID_PARAMETERS }),
    row(A.FFA_MSG_SEND_DIRECT_RESP_64, V10, FROM_SP, { deny: A.FFA_RET_INVALID_PARAMETERS }),
    row(A.FFA_MSG_SEND_DIRECT_REQ2, V12, FROM_ANY, { lateVersionCheck: policy === 'hafnium' }),
    row(A.FFA_MSG_SEND_DIRECT_RESP2, V12, FROM_SP, { deny: A.FFA_RET_INVALID_PARAMETERS }),
    // v1.2 §13.12 FFA_CONSOLE_LOG: from partitions only (the TF-A SPMD never forwards it from the NWd).
    row(A.FFA_CONSOLE_LOG, V12, FROM_SP),
    row(A.FFA_CONSOLE_LOG_64, V12, FROM_SP),
  ];
  // FFA_RXTX_MAP_32: Hafnium implements only the SMC64 form (ffa-abi.md 8).
  if (policy !== 'hafnium') rows.push(row(A.FFA_RXTX_MAP, V10, FROM_ANY));
  // FFA_YIELD: the TF-A EL3 SPMC has no handler for it (spmc_main.c spmc_smc_handler).
  if (policy !== 'tf-a') rows.push(row(A.FFA_YIELD, V10, FROM_SP));
  // v1.1 §13.? FFA_RX_ACQUIRE: the hypervisor (NS physical instance) takes a VM's RX buffer. The TF-A
  // EL3 SPMC implements neither the call nor its FEATURES entry (spmc_smc_handler and
  // ffa_features_handler default to NOT_SUPPORTED).
  if (policy !== 'tf-a') rows.push(row(A.FFA_RX_ACQUIRE, V11, FROM_NWD));
  // FFA_RUN: TF-A EL3 SPMC accepts it from the NWd only and answers an SP with INVALID_PARAMETERS
  // (ffa_run_handler); Hafnium also lets an SP resume a preempted or yielded SP (cpu_cycles.c).
  rows.push(policy === 'tf-a'
    ? row(A.FFA_RUN, V10, FROM_NWD, { deny: A.FFA_RET_INVALID_PARAMETERS })
    : row(A.FFA_RUN, V10, FROM_ANY));
  // v1.2 §13.9? FFA_PARTITION_INFO_GET_REGS uses x8-x17: SMCCC v1.2 or later (TF-A SPMD checks it).
  if (smcccVersion >= 0x10002) rows.push(row(A.FFA_PARTITION_INFO_GET_REGS, V12, FROM_ANY));

  const table: (AbiRow | null)[] = new Array<AbiRow | null>(512).fill(null);
  for (const r of rows) {
    // An SPMC of version v implements only ABIs defined at v or earlier.
    if (r.since > spmcVersion) continue;
    table[abiIndex(r.fid)] = r;
  }
  return table;
}
