/**
 * The machine a vector or a world runs on (vector-format.md `machine`): which EL2 and SPMC, the
 * SPMC's FF-A version and partitions, SMCCC/PSCI versions, policies, how it boots, and the defaults
 * the contract gives. machine/world.ts builds worlds from it; vectors/parse.ts resolves a vector's
 * `machine` object into it (and re-exports it for vector users).
 */
import {
  FFA_DEFAULT_SPMC_ID, FFA_PARTITION_AARCH64_EXEC, FFA_PARTITION_DIRECT_REQ2_RECV, FFA_PARTITION_DIRECT_REQ_RECV,
  FFA_VERSION_1_2, versionMinor,
} from '../ffa/abi.js';
import { parseUuid } from '../ffa/descriptors.js';

export const MACHINE_EL2 = ['pkvm', 'none'] as const;
export const MACHINE_SPMC = ['s-el1', 'el3', 'none'] as const;
export const MACHINE_BOOT = ['pkvm-ready', 'reset'] as const;
export const POLICY_SPMC = ['spec', 'hafnium', 'tf-a'] as const;
export const POLICY_DIRECT_REQ_BEFORE_VERSION = ['reject', 'forward'] as const;
/** Partition behaviours the contract defines. Add new ones here and in the SPMC's partition table. */
export const PARTITION_BEHAVIOURS = ['echo'] as const;

export type El2Kind = (typeof MACHINE_EL2)[number];
export type SpmcKind = (typeof MACHINE_SPMC)[number];
export type BootKind = (typeof MACHINE_BOOT)[number];
export type SpmcPolicy = (typeof POLICY_SPMC)[number];
export type DirectReqBeforeVersionPolicy = (typeof POLICY_DIRECT_REQ_BEFORE_VERSION)[number];
export type PartitionBehaviour = (typeof PARTITION_BEHAVIOURS)[number];

export interface PartitionSpec {
  /** Endpoint ID (bit 15 set: a secure partition). */
  id: number;
  /** The UUID's 16 bytes in text order. */
  uuid: Uint8Array;
  /** The UUID as text, lower case. */
  uuidText: string;
  behaviour: PartitionBehaviour;
  executionContexts: number;
  /** Partition properties (abi.ts FFA_PARTITION_*), defaulted from spmcVersion when not given. */
  properties: number;
}

export interface MachineSpec {
  el2: El2Kind;
  spmc: SpmcKind;
  /** FF-A version word the SPMC implements (0x00010002 for "1.2"). */
  spmcVersion: number;
  partitions: PartitionSpec[];
  /** The SPMC's endpoint ID (FFA_SPM_ID_GET). */
  spmcId: number;
  /** What SMCCC_VERSION returns, (major << 16) | minor. */
  smcccVersion: number;
  /** What PSCI_VERSION returns, (major << 16) | minor. */
  psciVersion: number;
  policy: { spmc: SpmcPolicy; directReqBeforeVersion: DirectReqBeforeVersionPolicy };
  boot: BootKind;
}

/** The default partition's UUID: the contract gives none, so a64el uses the one of its example. */
export const DEFAULT_PARTITION_UUID = 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb';
export const DEFAULT_PARTITION_ID = 0x8001;

/**
 * Default partition properties for an SPMC version (vector-format.md): receives direct requests
 * (bit 0), plus AArch64 (bit 8) from v1.1, plus DIRECT_REQ2 receipt (bit 9) from v1.2.
 */
export function defaultPartitionProperties(spmcVersion: number): number {
  const minor = versionMinor(spmcVersion);
  let p = FFA_PARTITION_DIRECT_REQ_RECV;
  if (minor >= 1) p |= FFA_PARTITION_AARCH64_EXEC;
  if (minor >= 2) p |= FFA_PARTITION_DIRECT_REQ2_RECV;
  return p;
}

/** The machine a vector without `machine` runs on (a fresh object each call). */
export function defaultMachineSpec(): MachineSpec {
  const spmcVersion = FFA_VERSION_1_2;
  return {
    el2: 'pkvm',
    spmc: 's-el1',
    spmcVersion,
    partitions: [defaultPartition(spmcVersion)],
    spmcId: FFA_DEFAULT_SPMC_ID,
    smcccVersion: 0x10002,
    psciVersion: 0x10001,
    policy: { spmc: 'spec', directReqBeforeVersion: 'reject' },
    boot: 'pkvm-ready',
  };
}

function defaultPartition(spmcVersion: number): PartitionSpec {
  return {
    id: DEFAULT_PARTITION_ID,
    uuid: parseUuid(DEFAULT_PARTITION_UUID),
    uuidText: DEFAULT_PARTITION_UUID,
    behaviour: 'echo',
    executionContexts: 1,
    properties: defaultPartitionProperties(spmcVersion),
  };
}
