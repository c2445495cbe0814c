/**
 * Arm Cortex-A57 at 900 MHz: the big cluster of the Juno r1 board on which TF-A's PSCI_VERSION
 * latency was published (TF-A docs/perf/psci-performance-juno.rst, TF master c38b36d of 2017-01-31:
 * 520 ns on the lead CPU, 720 ns on the other A57; reference arch-and-cycles.md 8.1 A1).
 *
 * Per-class figures are LLVM's Cortex-A57 scheduling model (llvm/lib/Target/AArch64/
 * AArch64SchedA57.td, read at llvm-project 1d7cce3f; the same numbers from `llvm-mca-14
 * -mcpu=cortex-a57 -instruction-info` on this machine), which encodes Arm's Cortex-A57 Software
 * Optimization Guide: the fixed model charges a result-writing instruction its latency and any
 * other its issue throughput (RThroughput, rounded up to whole cycles). LLVM has no usable figure
 * for MRS/MSR/barriers/exceptions (reference 8.1 A7): those are assumptions below, and one figure,
 * the cache clean to the point of coherency, is fitted to the anchor (docs/timing.md "Calibration").
 */
import type { TimingProfile } from '../profile.js';

export const CORTEX_A57_PROFILE: TimingProfile = {
  name: 'cortex-a57',
  description: 'Cortex-A57 @ 900 MHz (Juno r1 big cluster); calibrated to TF-A PSCI_VERSION (2017)',
  cpuHz: 900_000_000,
  classCycles: {
    Alu: 1, Mul: 5, Div: 35, Branch: 1, BranchIndirect: 2, Load: 4, Store: 1, LoadPair: 4, StorePair: 2,
    Exclusive: 4, SysRegRead: 3, SysRegWrite: 3, Barrier: 14, ExceptionGen: 1, Eret: 1, Nop: 1,
  },
  opCycles: {
    DC_VA: 340,
  },
  exceptionEntry: 13,
  exceptionReturn: 12,
  pipeline: { issueWidth: 2, takenBranchPenalty: 1, mispredictPenalty: 14, indirectBranchPenalty: 14 },
  native: {
    el3Dispatch: 242,
    worldSwitch: 160,
    el2HostSmc: 80,
    el2FfaHandler: 40,
    spmcDispatch: 60,
    partitionHandler: 20,
    hostCall: 10,
    copyBytesPerCycle: 8,
  },
  sources: [
    'Calibration: TF-A PSCI_VERSION on Juno r1 Cortex-A57 @ 900 MHz, 520-720 ns = 468-648 cycles (TF-A docs/perf/psci-performance-juno.rst; reference 8.1 A1); the metric is EXIT_PSCI - ENTER_PSCI (TF-A std_svc_setup.c, TFTF test_pmf_rt_instr.c)',
    'Per-class figures: LLVM AArch64SchedA57.td (llvm-project 1d7cce3f) / llvm-mca-14 -mcpu=cortex-a57',
  ],
  provenance: {
    cpuHz: 'PUBLISHED: Juno r1 Cortex-A57 cluster 900 MHz nominal (TF-A psci-performance-juno.rst, "Method")',
    'classCycles.Alu': 'PUBLISHED: LLVM A57 WriteI latency 1 (AArch64SchedA57.td)',
    'classCycles.Mul': 'PUBLISHED: LLVM A57 WriteIM64 latency 5 (W-form 3)',
    'classCycles.Div': 'PUBLISHED: LLVM A57 WriteID64 35 (W-form 19), non-pipelined',
    'classCycles.Branch': 'PUBLISHED: LLVM A57 WriteBr 1',
    'classCycles.BranchIndirect': 'PUBLISHED: LLVM A57 BLR 2 cycles (A57Write_2cyc_1B_1I)',
    'classCycles.Load': 'PUBLISHED: LLVM A57 WriteLD 4, LoadLatency 4',
    'classCycles.Store': 'PUBLISHED: LLVM A57 WriteST 1',
    'classCycles.LoadPair': 'PUBLISHED: LLVM A57 LDP latency 4 (llvm-mca-14)',
    'classCycles.StorePair': 'PUBLISHED: LLVM A57 STP (X) RThroughput 2: two micro-ops on the one store pipe (llvm-mca-14)',
    'classCycles.Exclusive': 'PUBLISHED: LLVM A57 LDXR latency 4 (STXR 5)',
    'classCycles.SysRegRead': 'ASSUMPTION: plain MRS at the top of reference 8.4 range 1-3; LLVM has 1 as a placeholder (reference 8.1 A7)',
    'classCycles.SysRegWrite': 'ASSUMPTION: plain MSR, reference 8.4 range 1-3',
    'classCycles.Barrier': 'ASSUMPTION: ISB/DSB/DMB drain and refill the pipeline ~ LLVM A57 MispredictPenalty 14 ("Fetch + Decode/Rename/Dispatch + Branch")',
    'classCycles.ExceptionGen': 'DERIVED: issue slot only (LLVM 1); the exception cost is exceptionEntry',
    'classCycles.Eret': 'DERIVED: issue slot only (LLVM 1); the return cost is exceptionReturn',
    'classCycles.Nop': 'PUBLISHED: LLVM A57 NOP RThroughput 0.33, rounded up to one cycle',
    'opCycles.DC_VA': 'FITTED: the one free figure, DC CIVAC of a dirty line to the point of coherency (then DSB), solved so that psci-version-tf2017 el3_window_cycles = 558, the middle of A1 (468-648). 340 cycles = 378 ns: Juno DRAM write-back plus what a cacheless model cannot see (the published call is a single call on a CPU just powered up by CPU_ON, so EL3 lines are cold)',
    exceptionEntry: 'ASSUMPTION: the Cortex-A15 trap figure (generic profile, ASPLOS 2014, UNVERIFIED digits): the A57 pipeline is of the same depth (LLVM MispredictPenalty 14 vs A15 15); no A57 figure found (reference 8.3)',
    exceptionReturn: 'ASSUMPTION: as exceptionEntry',
    'pipeline.issueWidth': 'DERIVED: A57 decodes 3 per cycle (LLVM IssueWidth 3); the in-order model allows at most 2',
    'pipeline.takenBranchPenalty': 'ASSUMPTION: one fetch bubble',
    'pipeline.mispredictPenalty': 'PUBLISHED: LLVM A57 MispredictPenalty 14',
    'pipeline.indirectBranchPenalty': 'ASSUMPTION: as a mispredict (no target predictor modelled)',
    'native.el3Dispatch': 'DERIVED: psci-version-tf2017-noinstr round trip (268) minus the SMC issue slot and exceptionEntry/Return (1 + 13 + 12): the A64 TF-A fast-SMC path without instrumentation, ERET issue included (a native component returns with exceptionReturn only), docs/timing.md',
    'native.worldSwitch': 'ASSUMPTION: generic figure, not calibrated (no published FF-A figure, reference 8.3)',
    'native.el2HostSmc': 'ASSUMPTION: generic figure, not calibrated',
    'native.el2FfaHandler': 'ASSUMPTION: generic figure, not calibrated',
    'native.spmcDispatch': 'ASSUMPTION: generic figure, not calibrated',
    'native.partitionHandler': 'ASSUMPTION: generic figure, not calibrated',
    'native.hostCall': 'ASSUMPTION: generic figure, not calibrated',
    'native.copyBytesPerCycle': 'ASSUMPTION: one 8-byte store per cycle (LLVM A57 WriteST 1)',
  },
};
