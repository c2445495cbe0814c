/**
 * ISS builders for the syndromes this model reports (Arm ARM D24.2.45, ESR_ELx ISS encodings).
 */
import { Ec, esr } from './kinds.js';

/** SVC/HVC/SMC/BRK: ISS = imm16 (Arm ARM D24.2.45, "ISS encoding for an exception from HVC or SVC"). */
export function esrImm16(ec: Ec, imm16: number): number { return esr(ec, imm16 & 0xffff); }

/** Unknown reason: EC 0x00, ISS 0. */
export const ESR_UNKNOWN = esr(Ec.Unknown, 0);
/** Illegal Execution state: EC 0x0E, ISS 0. */
export const ESR_ILLEGAL_STATE = esr(Ec.IllegalState, 0);
/** PC alignment fault: EC 0x22, ISS 0. */
export const ESR_PC_ALIGN = esr(Ec.PcAlign, 0);
/** SP alignment fault: EC 0x26, ISS 0. */
export const ESR_SP_ALIGN = esr(Ec.SpAlign, 0);

/**
 * Data Abort ISS with ISV=0 (no instruction syndrome): WnR[6], DFSC[5:0] (D24.2.45 "ISS encoding for an
 * exception from a Data Abort"). `sameEl` selects EC 0x25 over 0x24.
 */
export function esrDataAbort(sameEl: boolean, write: boolean, dfsc: number): number {
  return esr(sameEl ? Ec.DataAbortSame : Ec.DataAbortLower, (write ? 1 << 6 : 0) | (dfsc & 0x3f));
}

/** Instruction Abort ISS: IFSC[5:0]. */
export function esrInstrAbort(sameEl: boolean, ifsc: number): number {
  return esr(sameEl ? Ec.InstrAbortSame : Ec.InstrAbortLower, ifsc & 0x3f);
}

/**
 * MSR/MRS trap (EC 0x18) ISS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Dir[0]
 * (Dir 1 = read).
 */
export function esrSysReg(op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: boolean): number {
  return esr(Ec.SysReg, (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0));
}

/** WFI/WFE trap (EC 0x01): CV=1, COND=0b1110, TI[1:0] (0 WFI, 1 WFE). */
export function esrWfx(isWfe: boolean): number {
  return esr(Ec.WfxTrap, (1 << 24) | (0xe << 20) | (isWfe ? 1 : 0));
}

/**
 * Advanced SIMD / floating-point access trap (EC 0x07, D24.2.45 "ISS encoding for an exception from an
 * access to SVE, Advanced SIMD or floating-point functionality"): CV=1, COND=0b1110 (ASL
 * ConditionSyndrome() for an A64 instruction), the rest RES0. QEMU reports the same
 * (syn_fp_access_trap(1, 0xe, ...)).
 */
export const ESR_FP_ACCESS = esr(Ec.FpAccess, (1 << 24) | (0xe << 20));
