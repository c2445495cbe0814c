/**
 * The generic default: a simple in-order core at 1 GHz whose exception round trip is the Cortex-A15
 * trap of Dall & Nieh, ASPLOS 2014 (27 cycles for EL1 -> EL2 -> EL1 with nothing saved; reference
 * arch-and-cycles.md 8.2, digits UNVERIFIED). Calibrated by firmware-images/timing/hvc-bare.S:
 * HVC (1) + exceptionEntry (13) + ERET (1) + exceptionReturn (12) = 27. The other figures are team
 * assumptions (reference 8.4). docs/timing.md has the tables.
 */
import type { TimingProfile } from '../profile.js';

export const GENERIC_PROFILE: TimingProfile = {
  name: 'generic',
  description: 'In-order core at 1 GHz; trap round trip after ASPLOS 2014 (27 cycles)',
  cpuHz: 1_000_000_000,
  classCycles: {
    Alu: 1, Mul: 3, Div: 12, Branch: 1, BranchIndirect: 2, Load: 4, Store: 1, LoadPair: 4, StorePair: 2,
    Exclusive: 4, SysRegRead: 2, SysRegWrite: 3, Barrier: 10, ExceptionGen: 1, Eret: 1, Nop: 1,
  },
  exceptionEntry: 13,
  exceptionReturn: 12,
  pipeline: { issueWidth: 1, takenBranchPenalty: 1, mispredictPenalty: 15, indirectBranchPenalty: 15 },
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
    'HVC + exceptionEntry + ERET + exceptionReturn = 27: Dall & Nieh, KVM/ARM, ASPLOS 2014, Cortex-A15 trap round trip (UNVERIFIED digits, reference arch-and-cycles.md 8.2); calibrated by firmware-images/timing/hvc-bare.S',
    'load-to-use 4, barriers 10, sysreg 2-3: assumptions (reference arch-and-cycles.md 8.4)',
  ],
  provenance: {
    cpuHz: 'ASSUMPTION: a round 1 GHz',
    'classCycles.Alu': 'ASSUMPTION: single-cycle integer ALU',
    'classCycles.Mul': 'ASSUMPTION: a 3-cycle pipelined multiplier',
    'classCycles.Div': 'ASSUMPTION: an iterative divider, ~12 cycles',
    'classCycles.Branch': 'ASSUMPTION: one cycle (the fixed model has no branch penalties)',
    'classCycles.BranchIndirect': 'ASSUMPTION: one cycle more than a direct branch',
    'classCycles.Load': 'ASSUMPTION: L1 load-to-use 4 (reference 8.4 "generic")',
    'classCycles.Store': 'ASSUMPTION: one L1 store per cycle (reference 8.4)',
    'classCycles.LoadPair': 'ASSUMPTION: as Load (reference 8.4)',
    'classCycles.StorePair': 'ASSUMPTION: two stores',
    'classCycles.Exclusive': 'ASSUMPTION: as Load',
    'classCycles.SysRegRead': 'ASSUMPTION: plain MRS 1-3 (reference 8.4)',
    'classCycles.SysRegWrite': 'ASSUMPTION: plain MSR 1-3 (reference 8.4)',
    'classCycles.Barrier': 'ASSUMPTION: ISB/DSB 5-20 (reference 8.4)',
    'classCycles.ExceptionGen': 'DERIVED: issue slot only; the exception cost is exceptionEntry (LLVM models give SVC/HVC/SMC latency 1, reference 8.1 A7)',
    'classCycles.Eret': 'DERIVED: issue slot only; the return cost is exceptionReturn (reference 8.1 A7)',
    'classCycles.Nop': 'ASSUMPTION: one issue slot',
    exceptionEntry: 'FITTED: 27-cycle Cortex-A15 trap round trip (ASPLOS 2014, UNVERIFIED digits) minus HVC and ERET issue (1 + 1), split 13 entry + 12 return (the return has no syndrome to write)',
    exceptionReturn: 'FITTED: see exceptionEntry',
    'pipeline.issueWidth': 'ASSUMPTION: scalar in-order',
    'pipeline.takenBranchPenalty': 'ASSUMPTION: one fetch bubble',
    'pipeline.mispredictPenalty': 'ASSUMPTION: Cortex-A15 15-stage integer pipeline (Arm product brief, UNVERIFIED here): refill ~ depth',
    'pipeline.indirectBranchPenalty': 'ASSUMPTION: as a mispredict (no target predictor modelled)',
    'native.el3Dispatch': 'ASSUMPTION: 32 STP/LDP (reference 8.1 A5) + ~40 dispatch instructions; compare psci-version round trip in docs/timing.md',
    'native.worldSwitch': 'ASSUMPTION: ~20 MRS + 20 MSR of EL1 context plus GPRs (TF-A cm_el1_sysregs_context_save/restore)',
    'native.el2HostSmc': 'ASSUMPTION: host context save/restore plus handle_host_smc decoding',
    'native.el2FfaHandler': 'ASSUMPTION: FF-A proxy gate and switch',
    'native.spmcDispatch': 'ASSUMPTION: FF-A dispatch and direct-message routing',
    'native.partitionHandler': 'ASSUMPTION: a trivial partition handler',
    'native.hostCall': 'ASSUMPTION: building SMC arguments and reading results',
    'native.copyBytesPerCycle': 'ASSUMPTION: one 8-byte store per cycle',
  },
};
