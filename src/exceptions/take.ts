/**
 * AArch64.TakeException (Arm ARM D1.4.2 RDQXFW/RWTXBY; ASL J1 AArch64.TakeException): the one way
 * into an exception. Routing (routing.ts) has already chosen the target EL; this writes SPSR, ELR,
 * ESR, masks DAIF, selects SP_ELx and branches to the vector.
 */
import * as L from '../state/layout.js';
import { type CpuState, accountElCycles, getPsrFromPstate, isSecure, restoreSp, saveSp } from '../state/cpu-state.js';
import { VectorGroup, VectorType } from './kinds.js';

/** SCTLR_EL1.SPAN (bit 23): 0 = PSTATE.PAN is set on exception entry to EL1 (FEAT_PAN). */
const SCTLR_SPAN = 1 << 23;

/**
 * Take an exception to `target` (>= current EL). `retLo/retHi` is the preferred return address
 * (D1.4.1: this instruction or the next, decided by the caller). ESR is written only for synchronous
 * exceptions and SError (RDQXFW). FAR, where architecturally written, is set by the caller first.
 */
export function takeException(cpu: CpuState, target: number, type: VectorType, esrValue: number,
  retLo: number, retHi: number): void {
  const s = cpu.s;
  const from = s[L.PSTATE_EL]!;
  const fromSecure = isSecure(s);
  accountElCycles(s, cpu.f);

  // Vector offset: lower EL (all ELs are AArch64 here), or current EL with SP_EL0 / SP_ELx.
  const group = target > from ? VectorGroup.LowerA64 : (s[L.PSTATE_SP] ? VectorGroup.CurrentSpx : VectorGroup.CurrentSp0);
  const offset = group + type;

  const spsr = getPsrFromPstate(s);
  saveSp(s);
  const b = 2 * target;
  s[L.ELR_EL + b] = retLo; s[L.ELR_EL + b + 1] = retHi;
  s[L.SPSR_EL + b] = spsr; s[L.SPSR_EL + b + 1] = 0;
  if (type === VectorType.Sync || type === VectorType.SError) { s[L.ESR_EL + b] = esrValue; s[L.ESR_EL + b + 1] = 0; }

  // New PSTATE (RWTXBY): EL, SP=1, DAIF all masked, IL=0, SS=0; NZCV unchanged.
  s[L.PSTATE_EL] = target;
  s[L.PSTATE_SP] = 1;
  s[L.PSTATE_DAIF] = 0x3c0;
  s[L.PSTATE_IL] = 0;
  s[L.PSTATE_SS] = 0;
  if (target === 1 && (s[L.SCTLR_EL + 2]! & SCTLR_SPAN) === 0) s[L.PSTATE_PAN] = 1;
  restoreSp(s);

  // PC = VBAR_ELx[63:11] : offset[10:0].
  s[L.PC] = (s[L.VBAR_EL + b]! & ~0x7ff) | offset;
  s[L.PC + 1] = s[L.VBAR_EL + b + 1]!;
  s[L.HALTED] = 0;

  const ci = L.CYCLES >> 1;
  cpu.f[ci] = cpu.f[ci]! + cpu.exceptionEntryCycles;
  if (cpu.onExceptionEntry !== null) cpu.onExceptionEntry(cpu, from, fromSecure, target, offset, esrValue);
}
