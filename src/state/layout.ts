/**
 * Named offsets into the one ArrayBuffer that holds all architectural state of a PE
 * (DESIGN.md practice 3; the shape of QEMU's CPUARMState and v86's global pointers).
 *
 * Every offset is an index into an Int32Array/Uint32Array view (4-byte words). 64-bit registers
 * are two consecutive words, low half first (little-endian, so a BigUint64Array view at offset/2
 * reads the same value at the API edge). Banked registers are arrays indexed by EL: `ELR_EL + 2*el`.
 * A snapshot of the PE is `buffer.slice(0)`.
 */

/** General-purpose register slots, 2 words each. Slots 0-30 are X0-X30. */
export const X = 0;
/** Slot 31 reads as zero: the decoder maps a register field of 31 that means XZR here. */
export const ZR_SLOT = 31;
/** Slot 32 is the live stack pointer (SP_ELx selected by PSTATE.{EL,SP}); field 31 meaning SP maps here. */
export const SP_SLOT = 32;
/** Slot 33 is a write sink: results written to XZR go here and are never read. */
export const SINK_SLOT = 33;
export const GPR_SLOTS = 34;

let o = GPR_SLOTS * 2;
const word = () => o++;
const dword = () => { if (o & 1) o++; const r = o; o += 2; return r; };
const bank4 = () => { if (o & 1) o++; const r = o; o += 8; return r; };

/** Program counter (64-bit). */
export const PC = dword();

/**
 * NZCV kept as four slots the QEMU way (DESIGN practice 5): N is bit 31 of NF, Z is set iff
 * ZF == 0, C is CF (0/1), V is bit 31 of VF. Packed only for MRS NZCV, SPSR and traces.
 */
export const NF = word();
export const ZF = word();
export const CF = word();
export const VF = word();

/** PSTATE fields other than NZCV (Arm ARM D1.4 / C5.2). */
export const PSTATE_EL = word();      // 0..3
export const PSTATE_SP = word();      // SPSel: 0 = SP_EL0, 1 = SP_ELx
export const PSTATE_DAIF = word();    // bits 9:6 as in the DAIF register (D=9 A=8 I=7 F=6)
export const PSTATE_IL = word();      // illegal execution state
export const PSTATE_SS = word();      // software step
export const PSTATE_PAN = word();
/** Event register (WFE/SEV), and whether the PE sits in WFI/WFE low-power state. */
export const EVENT_REG = word();
export const HALTED = word();

/** Banked by EL (index 0..3, 2 words each). SP_EL[n] holds the SP of EL n while it is not live. */
export const SP_EL = bank4();
export const ELR_EL = bank4();        // ELR_EL1..3 (index 0 unused)
export const SPSR_EL = bank4();
export const ESR_EL = bank4();
export const FAR_EL = bank4();
export const VBAR_EL = bank4();
export const SCTLR_EL = bank4();
export const TPIDR_EL = bank4();      // TPIDR_EL0..EL3

export const TPIDRRO_EL0 = dword();
export const HCR_EL2 = dword();
export const SCR_EL3 = dword();
export const MDCR_EL2 = dword();
export const MDCR_EL3 = dword();
export const CPTR_EL2 = dword();
export const CPTR_EL3 = dword();
export const HSTR_EL2 = dword();
export const MIDR_EL1 = dword();
export const MPIDR_EL1 = dword();
export const VPIDR_EL2 = dword();
export const VMPIDR_EL2 = dword();
export const CNTFRQ_EL0 = dword();
export const CNTKCTL_EL1 = dword();
export const CNTHCTL_EL2 = dword();
export const CNTVOFF_EL2 = dword();
export const PMCR_EL0 = dword();
export const PMUSERENR_EL0 = dword();
export const PMCNTENSET_EL0 = dword();
export const PMCCFILTR_EL0 = dword();
/** PMCCNTR_EL0 as a float64 slot: the counter reads PMCCNTR_BASE + CYCLES while enabled, PMCCNTR_BASE while not. */
export const PMCCNTR_BASE = dword();
export const VTTBR_EL2 = dword();
export const VTCR_EL2 = dword();
export const TCR_EL = bank4();
export const TTBR0_EL = bank4();
export const MAIR_EL = bank4();
export const CONTEXTIDR_EL1 = dword();
export const CPACR_EL1 = dword();
export const ACTLR_EL = bank4();
export const AFSR0_EL = bank4();
export const AFSR1_EL = bank4();
export const HPFAR_EL2 = dword();
export const ICC_SRE_EL = bank4();

/**
 * SIMD&FP register file (Arm ARM B1.2.1 "Registers in AArch64 Execution state"): V0-V31, 128 bits
 * each, 4 words per register, least significant word first (V[n] word k = bits [32k+31:32k]), so
 * Bn/Hn/Sn/Dn are the low bytes of Vn. 8-byte aligned: D[n] is a float64/BigUint64 slot at V + 4n.
 */
export const V = (() => { if (o & 1) o++; const r = o; o += 32 * 4; return r; })();
/** FPCR and FPSR (C5.2.7, C5.2.8): 64-bit registers, the upper halves RES0. */
export const FPCR = dword();
export const FPSR = dword();

/** Local exclusive monitor (single PE): valid flag and the marked physical address. */
export const EXCL_VALID = word();
export const EXCL_ADDR = dword();

/** Implemented Exception levels as a bit mask (bit n = ELn), an IMPLEMENTATION DEFINED choice. */
export const IMPL_ELS = word();

/** External interrupt lines raised through the API: bit 0 IRQ, bit 1 FIQ, bit 2 SError. */
export const IRQ_LINES = word();

/**
 * Counters as float64 slots (exact integers up to 2^53): cycles charged by the timing model and
 * instructions retired. Offsets are in words; the Float64Array view index is offset / 2.
 */
export const CYCLES = dword();
export const INSTRET = dword();
/** Cycle count at the last change of EL or world (for CYCLES_BY_EL). */
export const CYCLES_MARK = dword();

/** Cycles spent per EL and world: 8 float64 slots, index = el + 4 * (secure ? 1 : 0). */
export const CYCLES_BY_EL = (() => { if (o & 1) o++; const r = o; o += 16; return r; })();

/** Total size of the state buffer in words (rounded up to 8 bytes). */
export const STATE_WORDS = (o + 1) & ~1;
export const STATE_BYTES = STATE_WORDS * 4;

/** Offsets whose 64-bit value lives in a float64 slot instead of two int32 halves. */
export const FLOAT_SLOTS: readonly number[] = [CYCLES, INSTRET, CYCLES_MARK, PMCCNTR_BASE];
