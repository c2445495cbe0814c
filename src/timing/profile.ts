/**
 * Timing profiles: data, each figure with its source or marked as an assumption (reference
 * arch-and-cycles.md section 8; docs/timing.md has the calibration tables). The profiles themselves
 * live in profiles/*.ts; this module holds their shape, the registry and the per-Op cost table.
 *
 * Two models read a profile:
 *  - fixed (default): `classCycles[class]` (or `opCycles[op]`) per instruction retired, plus
 *    `exceptionEntry` per exception taken and `exceptionReturn` per ERET. Memory accesses are folded
 *    into the load/store classes (one L1 hit per access).
 *  - pipeline (timing/pipeline.ts): the same numbers read as result latencies (classes that write a
 *    register) or issue occupancy (classes that do not), plus `pipeline` (issue width, branch
 *    penalties). Exception entry and return cost the same in both.
 */
import { Op, OpClass } from '../decode/ops.js';
import { GENERIC_PROFILE } from './profiles/generic.js';
import { CORTEX_A57_PROFILE } from './profiles/cortex-a57.js';
import { NEOVERSE_N1_PROFILE } from './profiles/neoverse-n1.js';

/** Names of OpClass members, for profile data files. */
export const OpClassName = {
  Alu: OpClass.Alu, Mul: OpClass.Mul, Div: OpClass.Div, Branch: OpClass.Branch,
  BranchIndirect: OpClass.BranchIndirect, Load: OpClass.Load, Store: OpClass.Store,
  LoadPair: OpClass.LoadPair, StorePair: OpClass.StorePair, Exclusive: OpClass.Exclusive,
  SysRegRead: OpClass.SysRegRead, SysRegWrite: OpClass.SysRegWrite, Barrier: OpClass.Barrier,
  ExceptionGen: OpClass.ExceptionGen, Eret: OpClass.Eret, Nop: OpClass.Nop,
} as const;
export type ClassName = keyof typeof OpClassName;

/**
 * Instructions a profile may cost apart from their class, where one class is too coarse: cache
 * maintenance by VA (a write-back to the point of coherency) is not an ISB.
 */
export const OpName = {
  ISB: Op.ISB, DSB: Op.DSB, DMB: Op.DMB, CLREX: Op.CLREX,
  DC_VA: Op.DC_VA, DC_SW: Op.DC_SW, DC_ZVA: Op.DC_ZVA, IC_ALL: Op.IC_ALL, IC_IVAU: Op.IC_IVAU,
  TLBI_EL1: Op.TLBI_EL1, TLBI_EL2: Op.TLBI_EL2, TLBI_EL3: Op.TLBI_EL3, AT: Op.AT,
  MSR_imm: Op.MSR_imm, MSR_reg: Op.MSR_reg, MRS: Op.MRS, HINT: Op.HINT,
  SVC: Op.SVC, HVC: Op.HVC, SMC: Op.SMC, BRK: Op.BRK, HLT: Op.HLT, ERET: Op.ERET,
  UDIV: Op.UDIV, SDIV: Op.SDIV, SMULH: Op.SMULH, UMULH: Op.UMULH,
} as const;
export type OpOverrideName = keyof typeof OpName;

/** The in-order pipeline model's own parameters (timing/pipeline.ts). */
export interface PipelineParams {
  /** Instructions issued per cycle (1 or 2). */
  issueWidth: 1 | 2;
  /** Fetch bubble after a correctly predicted taken branch (B, BL, RET, backward conditional). */
  takenBranchPenalty: number;
  /** Cycles lost when the static prediction (backward taken, forward not taken) is wrong. */
  mispredictPenalty: number;
  /** BR/BLR: no target predictor is modelled, so the target is known only at execute. */
  indirectBranchPenalty: number;
}

export interface TimingProfile {
  name: string;
  description: string;
  /** Core clock, used to derive the generic timer count (CNTPCT = cycles * CNTFRQ / cpuHz). */
  cpuHz: number;
  /** Cycles per instruction class, indexed by OpClass. */
  classCycles: Record<ClassName, number>;
  /** Per-instruction overrides of classCycles (OpName). */
  opCycles?: Partial<Record<OpOverrideName, number>>;
  exceptionEntry: number;
  exceptionReturn: number;
  /** Parameters of the pipeline model (defaults: DEFAULT_PIPELINE). */
  pipeline?: PipelineParams;
  /**
   * Cycles charged by native firmware components for the work their A64 counterparts would do
   * (the instructions between vector entry and ERET/SMC), keyed by component activity.
   */
  native: NativeCosts;
  /** Where the figures come from, in short. */
  sources: string[];
  /**
   * Where each figure comes from, keyed by its path in this object ('classCycles.Load',
   * 'opCycles.DC_VA', 'pipeline.mispredictPenalty', 'native.el3Dispatch', 'cpuHz'...). Every entry
   * starts with its kind: 'PUBLISHED', 'DERIVED', 'ASSUMPTION' or 'FITTED' (test/timing checks that
   * every number has one).
   */
  provenance?: Record<string, string>;
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

/** Pipeline parameters of a profile that has none: a scalar in-order core (ASSUMPTION). */
export const DEFAULT_PIPELINE: PipelineParams = {
  issueWidth: 1, takenBranchPenalty: 1, mispredictPenalty: 8, indirectBranchPenalty: 8,
};

/** The generic default (profiles/generic.ts). */
export const GENERIC: TimingProfile = GENERIC_PROFILE;

/** Every bundled profile by name (MachineConfig `timing: 'cortex-a57'`, `a64el run --timing`). */
export const PROFILES: Record<string, TimingProfile> = {
  [GENERIC_PROFILE.name]: GENERIC_PROFILE,
  [CORTEX_A57_PROFILE.name]: CORTEX_A57_PROFILE,
  [NEOVERSE_N1_PROFILE.name]: NEOVERSE_N1_PROFILE,
};

/** Which cycle model a Machine runs. */
export type TimingModel = 'fixed' | 'pipeline';

/** MachineConfig `timing`: a profile (by name or as data), or a profile and a model. */
export type TimingOption = string | TimingProfile | { profile?: string | TimingProfile; model?: TimingModel };

/** Resolve a `timing` option to a profile and a model (default: generic, fixed). */
export function resolveTiming(t: TimingOption | undefined): { profile: TimingProfile; model: TimingModel } {
  if (t === undefined) return { profile: GENERIC, model: 'fixed' };
  if (typeof t === 'string') return { profile: profileByName(t), model: 'fixed' };
  if ('classCycles' in t) return { profile: t, model: 'fixed' };
  const p = t.profile === undefined ? GENERIC : typeof t.profile === 'string' ? profileByName(t.profile) : t.profile;
  const model = t.model ?? 'fixed';
  if (model !== 'fixed' && model !== 'pipeline') throw new RangeError(`unknown timing model "${String(model)}" (known: fixed, pipeline)`);
  return { profile: p, model };
}

export function profileByName(name: string): TimingProfile {
  const p = PROFILES[name];
  if (p === undefined) throw new RangeError(`unknown timing profile "${name}" (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}

/** Per-Op cycle costs from a profile and the Op->class table (classCycles, then opCycles overrides). */
export function opCycleTable(profile: TimingProfile, classes: Int32Array): Int32Array {
  const byClass = new Int32Array(OpClass.Count);
  for (const [k, v] of Object.entries(profile.classCycles)) byClass[OpClassName[k as ClassName]] = v;
  const out = new Int32Array(classes.length);
  for (let i = 0; i < classes.length; i++) out[i] = byClass[classes[i]!]!;
  for (const [k, v] of Object.entries(profile.opCycles ?? {})) {
    const op = OpName[k as OpOverrideName];
    if (op === undefined) throw new RangeError(`timing profile ${profile.name}: unknown opCycles key "${k}"`);
    out[op] = v!;
  }
  // An unallocated encoding still occupies an issue slot before it raises UNDEFINED.
  out[0] = byClass[OpClass.Alu]!;
  return out;
}
