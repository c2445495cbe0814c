/**
 * AArch64.TakeException (Arm ARM D1.4.2 RDQXFW/RWTXBY; ASL J1 AArch64.TakeException): the one way
 * into an exception. Routing (routing.ts) has already chosen the target EL; this writes SPSR, ELR,
 * ESR, masks DAIF, selects SP_ELx and branches to the vector.
 */
import * as L from '../state/layout.js';
import type { CpuState } from '../state/cpu-state.js';
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
  const s = cpu.s, f = cpu.f;
  const from = s[L.PSTATE_EL]!;
  const fromSecure = from === 3 || (s[L.SCR_EL3]! & 1) === 0;   // isSecure()
  // accountElCycles(): the cycles since the last change of EL or world go to the one being left.
  const now = f[CYC]!;
  const bucket = CYCLES_BY_EL + from + (fromSecure ? 4 : 0);
  f[bucket] = f[bucket]! + now - f[MARK]!;
  f[MARK] = now;

  // Vector offset: lower EL (all ELs are AArch64 here), or current EL with SP_EL0 / SP_ELx.
  const spSel = s[L.PSTATE_SP]!;
  const offset = (target > from ? VectorGroup.LowerA64 : (spSel ? VectorGroup.CurrentSpx : VectorGroup.CurrentSp0)) + type;

  // GetPSRFromPSTATE (cpu-state.ts getPsrFromPstate, NZCV packed as packNzcv does).
  const spsr = ((s[L.NF]! >>> 31) << 31 | (s[L.ZF] === 0 ? 1 : 0) << 30 | (s[L.CF]! & 1) << 29 | (s[L.VF]! >>> 31) << 28 |
    (s[L.PSTATE_PAN]! & 1) << 22 | (s[L.PSTATE_SS]! & 1) << 21 | (s[L.PSTATE_IL]! & 1) << 20 |
    (s[L.PSTATE_DAIF]! & 0x3c0) | from << 2 | (spSel & 1));
  // saveSp(): the live SP back to SP_EL[from] (or SP_EL0).
  const save = L.SP_EL + 2 * (spSel ? from : 0);
  s[save] = s[SP]!; s[save + 1] = s[SP + 1]!;
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
  // restoreSp(): SP_ELx of the target.
  s[SP] = s[L.SP_EL + b]!; s[SP + 1] = s[L.SP_EL + b + 1]!;

  // PC = VBAR_ELx[63:11] : offset[10:0].
  s[L.PC] = (s[L.VBAR_EL + b]! & ~0x7ff) | offset;
  s[L.PC + 1] = s[L.VBAR_EL + b + 1]!;
  s[L.HALTED] = 0;

  f[CYC] = f[CYC]! + cpu.exceptionEntryCycles;
  if (cpu.onExceptionEntry !== null) cpu.onExceptionEntry(cpu, from, fromSecure, target, offset, esrValue);
}

const CYC = L.CYCLES >> 1, MARK = L.CYCLES_MARK >> 1, CYCLES_BY_EL = L.CYCLES_BY_EL >> 1;
const SP = L.X + 2 * L.SP_SLOT;
