/**
 * Exceptions as data (DESIGN practice 6): exception classes (ESR_ELx.EC, Arm ARM D24.2.45),
 * vector-table columns (Arm ARM D1.4.1.6) and the preferred-return rule of each kind (D1.4.1).
 */

/** ESR_ELx.EC values used by this model (Arm ARM D24.2.45, "EC, bits [31:26]"). */
export const enum Ec {
  Unknown = 0x00,
  WfxTrap = 0x01,
  /** Access to SVE, Advanced SIMD or floating-point functionality trapped by CPACR_EL1.FPEN, CPTR_EL2.TFP, CPTR_EL3.TFP. */
  FpAccess = 0x07,
  IllegalState = 0x0e,
  Svc64 = 0x15,
  Hvc64 = 0x16,
  Smc64 = 0x17,
  SysReg = 0x18,
  InstrAbortLower = 0x20,
  InstrAbortSame = 0x21,
  PcAlign = 0x22,
  DataAbortLower = 0x24,
  DataAbortSame = 0x25,
  SpAlign = 0x26,
  SError = 0x2f,
  Brk64 = 0x3c,
}

/** Offset of the exception type inside a vector-table group (Arm ARM D1.4.1.6 RRYXCL). */
export const enum VectorType {
  Sync = 0x000,
  Irq = 0x080,
  Fiq = 0x100,
  SError = 0x180,
}

/** Vector-table group offsets (Arm ARM D1.4.1.6): current EL with SP_EL0, with SP_ELx, lower EL AArch64. */
export const enum VectorGroup {
  CurrentSp0 = 0x000,
  CurrentSpx = 0x200,
  LowerA64 = 0x400,
  LowerA32 = 0x600,
}

/** ESR.IL: 1 for every exception from an A64 instruction and the cases that force it (D24.2.45). */
export const ESR_IL = 1 << 25;

/** Build an ESR value: EC:IL:ISS (ISS2 is not modelled). */
export function esr(ec: number, iss: number): number {
  return ((ec << 26) | ESR_IL | (iss & 0x1ffffff)) | 0;
}

/** Fault status codes for DFSC/IFSC (Arm ARM D24.2.45, "DFSC, bits [5:0]"). */
export const enum Fsc {
  AddressSizeL0 = 0x00,
  TranslationL0 = 0x04,
  SyncExternal = 0x10,
  Alignment = 0x21,
}

export const EC_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Unknown reason', 0x01: 'WFI/WFE trap', 0x07: 'SIMD/FP access trap', 0x0e: 'Illegal Execution state', 0x15: 'SVC (AArch64)',
  0x16: 'HVC (AArch64)', 0x17: 'SMC (AArch64)', 0x18: 'MSR/MRS/system instruction trap',
  0x20: 'Instruction Abort from a lower EL', 0x21: 'Instruction Abort from the same EL',
  0x22: 'PC alignment fault', 0x24: 'Data Abort from a lower EL', 0x25: 'Data Abort from the same EL',
  0x26: 'SP alignment fault', 0x2f: 'SError', 0x3c: 'BRK (AArch64)',
};
