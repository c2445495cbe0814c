/**
 * Arm Neoverse N1 at 2.6 GHz (N1SDP: two dual-core N1 clusters; clock UNVERIFIED), on which TF-A
 * publishes PSCI_VERSION latency per release (TF-A docs/perf/data/n1sdp/{previous,current}/
 * test_rt_instr_psci_version_parallel.csv, TF-A 2.13 and 2.14: 120-340 ns; reference
 * arch-and-cycles.md 8.1 A3).
 *
 * Per-class figures are LLVM's Neoverse N1 scheduling model (llvm/lib/Target/AArch64/
 * AArch64SchedNeoverseN1.td at llvm-project 02cec0a4, which cites the Arm Neoverse N1 Software
 * Optimization Guide); LLVM 14 on this machine still maps neoverse-n1 to the A57 model, so the
 * figures come from the newer source. The same rules as cortex-a57.ts apply.
 */
import type { TimingProfile } from '../profile.js';

export const NEOVERSE_N1_PROFILE: TimingProfile = {
  name: 'neoverse-n1',
  description: 'Neoverse N1 @ 2.6 GHz (N1SDP, clock UNVERIFIED); calibrated to TF-A 2.13/2.14 PSCI_VERSION',
  cpuHz: 2_600_000_000,
  classCycles: {
    Alu: 1, Mul: 4, Div: 20, Branch: 1, BranchIndirect: 1, Load: 4, Store: 1, LoadPair: 4, StorePair: 1,
    Exclusive: 4, SysRegRead: 3, SysRegWrite: 3, Barrier: 11, ExceptionGen: 1, Eret: 1, Nop: 1,
  },
  opCycles: {
    DC_VA: 370,
  },
  exceptionEntry: 10,
  exceptionReturn: 9,
  pipeline: { issueWidth: 2, takenBranchPenalty: 1, mispredictPenalty: 11, indirectBranchPenalty: 11 },
  native: {
    el3Dispatch: 297,
    worldSwitch: 160,
    el2HostSmc: 80,
    el2FfaHandler: 40,
    spmcDispatch: 60,
    partitionHandler: 20,
    hostCall: 10,
    copyBytesPerCycle: 16,
  },
  sources: [
    'Calibration: TF-A 2.13/2.14 PSCI_VERSION on N1SDP, 120-340 ns, median 240 ns = 624 cycles at 2.6 GHz (TF-A docs/perf/data/n1sdp/*/test_rt_instr_psci_version_parallel.csv; reference 8.1 A3)',
    'Per-class figures: LLVM AArch64SchedNeoverseN1.td (llvm-project 02cec0a4)',
  ],
  provenance: {
    cpuHz: 'ASSUMPTION: N1SDP N1 cores at 2.6 GHz (reference 8.1 A3: clock UNVERIFIED)',
    'classCycles.Alu': 'PUBLISHED: LLVM N1 WriteI 1 (N1Write_1c_1I)',
    'classCycles.Mul': 'PUBLISHED: LLVM N1 WriteIM64 latency 4 (W-form 2)',
    'classCycles.Div': 'PUBLISHED: LLVM N1 WriteID64 latency 20 (W-form 12)',
    'classCycles.Branch': 'PUBLISHED: LLVM N1 WriteBr 1',
    'classCycles.BranchIndirect': 'PUBLISHED: LLVM N1 WriteBrReg 1, BLR 1',
    'classCycles.Load': 'PUBLISHED: LLVM N1 WriteLD 4, LoadLatency 4',
    'classCycles.Store': 'PUBLISHED: LLVM N1 WriteST 1 (N1Write_1c_1L_1D)',
    'classCycles.LoadPair': 'PUBLISHED: LLVM N1 WriteLDHi 4',
    'classCycles.StorePair': 'PUBLISHED: LLVM N1 WriteSTP 1 cycle on two L pipes (N1Write_1c_2L_1D)',
    'classCycles.Exclusive': 'ASSUMPTION: as Load',
    'classCycles.SysRegRead': 'ASSUMPTION: as cortex-a57 (reference 8.4 range 1-3, top)',
    'classCycles.SysRegWrite': 'ASSUMPTION: as cortex-a57 (reference 8.4 range 1-3, top)',
    'classCycles.Barrier': 'ASSUMPTION: drain and refill ~ LLVM N1 MispredictPenalty 11',
    'classCycles.ExceptionGen': 'DERIVED: issue slot only; the exception cost is exceptionEntry',
    'classCycles.Eret': 'DERIVED: issue slot only; the return cost is exceptionReturn',
    'classCycles.Nop': 'ASSUMPTION: one issue slot',
    'opCycles.DC_VA': 'FITTED: the one free figure, DC CIVAC of a dirty line to the point of coherency, solved so that psci-version el3_window_cycles = 624, the median of the eight A3 samples (240 ns). 370 cycles = 142 ns at 2.6 GHz',
    exceptionEntry: 'ASSUMPTION: the A15/A57 trap figure scaled by pipeline refill, 13 x 11/14 (LLVM MispredictPenalty N1 11, A57 14); no N1 figure found (reference 8.3)',
    exceptionReturn: 'ASSUMPTION: 12 x 11/14, as exceptionEntry',
    'pipeline.issueWidth': 'DERIVED: N1 decodes 4 per cycle; the in-order model allows at most 2',
    'pipeline.takenBranchPenalty': 'ASSUMPTION: one fetch bubble',
    'pipeline.mispredictPenalty': 'PUBLISHED: LLVM N1 MispredictPenalty 11',
    'pipeline.indirectBranchPenalty': 'ASSUMPTION: as a mispredict (no target predictor modelled)',
    'native.el3Dispatch': 'DERIVED: psci-version-noinstr round trip (317) minus the SMC issue slot and exceptionEntry/Return (1 + 10 + 9): the TF-A v2.14 fast-SMC path without instrumentation, ERET issue included, docs/timing.md',
    'native.worldSwitch': 'ASSUMPTION: generic figure, not calibrated (no published FF-A figure, reference 8.3)',
    'native.el2HostSmc': 'ASSUMPTION: generic figure, not calibrated',
    'native.el2FfaHandler': 'ASSUMPTION: generic figure, not calibrated',
    'native.spmcDispatch': 'ASSUMPTION: generic figure, not calibrated',
    'native.partitionHandler': 'ASSUMPTION: generic figure, not calibrated',
    'native.hostCall': 'ASSUMPTION: generic figure, not calibrated',
    'native.copyBytesPerCycle': 'ASSUMPTION: two 8-byte stores per cycle (LLVM N1: two L pipes)',
  },
};
