/**
 * Timing profiles: data, each figure with its source or marked as an assumption
 * (reference arch-and-cycles.md section 8). The fixed-cost model charges `classCycles[class]` per
 * instruction retired, plus `exceptionEntry` per exception taken and `exceptionReturn` per ERET.
 * Memory accesses are folded into the load/store classes (one L1 hit per access).
 */
import { OpClass } from '../decode/ops.js';

export interface TimingProfile {
  name: string;
  description: string;
  /** Core clock, used to derive the generic timer count (CNTPCT = cycles * CNTFRQ / cpuHz). */
  cpuHz: number;
  /** Cycles per instruction class, indexed by OpClass. */
  classCycles: Record<keyof typeof OpClassName, number>;
  exceptionEntry: number;
  exceptionReturn: number;
  /**
   * Cycles charged by native firmware components for the work their A64 counterparts would do
   * (the instructions between vector entry and ERET/SMC), keyed by component activity.
   */
  native: NativeCosts;
  /** Where each figure comes from. */
  sources: string[];
}

export interface NativeCosts {
  /** EL3: save GPRs, decode the function ID, dispatch to a runtime service, restore (TF-A fast SMC path). */
  el3Dispatch: number;
  /** EL3 SPMD: save one world's EL1 system-register and GPR context and restore the other's. */
  worldSwitch: number;
  /** EL2 pKVM: host trap entry/exit (save/restore host context) plus handle_host_smc decoding. */
  el2HostSmc: number;
  /** EL2 pKVM FF-A handler work per call (gate, switch). */
  el2FfaHandler: number;
  /** SPMC: FF-A dispatch and direct-message routing to a partition. */
  spmcDispatch: number;
  /** A native partition's handler. */
  partitionHandler: number;
  /** Host kernel: building the SMC arguments and reading results (arm_smccc_1_2_smc). */
  hostCall: number;
  /** Bytes copied per cycle by memcpy-like work in native components (RX buffer copies). */
  copyBytesPerCycle: number;
}

/** Names of OpClass members, for profile data files. */
export const OpClassName = {
  Alu: OpClass.Alu, Mul: OpClass.Mul, Div: OpClass.Div, Branch: OpClass.Branch,
  BranchIndirect: OpClass.BranchIndirect, Load: OpClass.Load, Store: OpClass.Store,
  LoadPair: OpClass.LoadPair, StorePair: OpClass.StorePair, Exclusive: OpClass.Exclusive,
  SysRegRead: OpClass.SysRegRead, SysRegWrite: OpClass.SysRegWrite, Barrier: OpClass.Barrier,
  ExceptionGen: OpClass.ExceptionGen, Eret: OpClass.Eret, Nop: OpClass.Nop,
} as const;

/**
 * The generic default: a simple in-order core at 1 GHz. Exception entry + ERET = 27 cycles, split
 * 14 + 13, after the Cortex-A15 EL1<->EL2 trap round trip of Dall & Nieh, ASPLOS 2014 (reference 8.2,
 * UNVERIFIED digits); the other figures are team assumptions (reference 8.4).
 */
export const GENERIC: TimingProfile = {
  name: 'generic',
  description: 'In-order core at 1 GHz; trap round trip after ASPLOS 2014 (27 cycles)',
  cpuHz: 1_000_000_000,
  classCycles: {
    Alu: 1, Mul: 3, Div: 12, Branch: 1, BranchIndirect: 2, Load: 4, Store: 1, LoadPair: 4, StorePair: 2,
    Exclusive: 4, SysRegRead: 2, SysRegWrite: 3, Barrier: 10, ExceptionGen: 1, Eret: 1, Nop: 1,
  },
  exceptionEntry: 14,
  exceptionReturn: 13,
  native: {
    // 31 GPR save + restore as STP/LDP pairs ~ 32 instructions (reference 8.1 A5) + dispatch ~ 40.
    el3Dispatch: 120,
    // EL1 sysreg context (~20 MRS + 20 MSR) and GPR context each way; TF-A cm_el1_sysregs_context_*.
    worldSwitch: 160,
    el2HostSmc: 80,
    el2FfaHandler: 40,
    spmcDispatch: 60,
    partitionHandler: 20,
    hostCall: 10,
    copyBytesPerCycle: 8,
  },
  sources: [
    'exceptionEntry+exceptionReturn = 27: Dall & Nieh, KVM/ARM, ASPLOS 2014, Cortex-A15 trap round trip (UNVERIFIED digits, reference arch-and-cycles.md 8.2)',
    'load-to-use 4, barriers 10, sysreg 2-3: assumptions (reference arch-and-cycles.md 8.4)',
  ],
};

export const PROFILES: Record<string, TimingProfile> = { generic: GENERIC };

/** Per-Op cycle costs from a profile and the Op->class table. */
export function opCycleTable(profile: TimingProfile, classes: Int32Array): Int32Array {
  const byClass = new Int32Array(OpClass.Count);
  for (const [k, v] of Object.entries(profile.classCycles)) byClass[OpClassName[k as keyof typeof OpClassName]] = v;
  const out = new Int32Array(classes.length);
  for (let i = 0; i < classes.length; i++) out[i] = byClass[classes[i]!]!;
  // An unallocated encoding still occupies an issue slot before it raises UNDEFINED.
  out[0] = byClass[OpClass.Alu]!;
  return out;
}
