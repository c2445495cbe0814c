/**
 * AArch64.TakeException (Arm ARM D1.4.2 RDQXFW/RWTXBY; ASL J1 AArch64.TakeException): the one way
 * into an exception. Routing (routing.ts) has already chosen the target EL; this writes SPSR, ELR,
 * ESR, masks DAIF, selects SP_ELx and branches to the vector.
 */
import * as L from '../state/layout.js';
import type { CpuState } from '../state/cpu-state.js';
import { VectorGroup, VectorType } from './kinds.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { CF, CYCLES, CYCLES_MARK, ELR_EL, ESR_EL, HALTED, NF, PC, PSTATE_DAIF, PSTATE_EL, PSTATE_IL, PSTATE_PAN,
  PSTATE_SP, PSTATE_SS, SCR_EL3, SCTLR_EL, SPSR_EL, SP_EL, SP_SLOT, VBAR_EL, VF, X, ZF } = L;

// The kinds as module constants too (a const enum from another file is an object load with isolatedModules).
const SYNC = VectorType.Sync, SERROR = VectorType.SError;
const LOWER_A64 = VectorGroup.LowerA64, CURRENT_SPX = VectorGroup.CurrentSpx, CURRENT_SP0 = VectorGroup.CurrentSp0;

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
  const from = s[PSTATE_EL]!;
  const fromSecure = from === 3 || (s[SCR_EL3]! & 1) === 0;   // isSecure()
  // accountElCycles(): the cycles since the last change of EL or world go to the one being left.
  const now = f[CYC]!;
  const bucket = CYCLES_BY_EL + from + (fromSecure ? 4 : 0);
  f[bucket] = f[bucket]! + now - f[MARK]!;
  f[MARK] = now;

  // Vector offset: lower EL (all ELs are AArch64 here), or current EL with SP_EL0 / SP_ELx.
  const spSel = s[PSTATE_SP]!;
  const offset = (target > from ? LOWER_A64 : (spSel ? CURRENT_SPX : CURRENT_SP0)) + type;

  // GetPSRFromPSTATE (cpu-state.ts getPsrFromPstate, NZCV packed as packNzcv does).
  const spsr = ((s[NF]! >>> 31) << 31 | (s[ZF] === 0 ? 1 : 0) << 30 | (s[CF]! & 1) << 29 | (s[VF]! >>> 31) << 28 |
    (s[PSTATE_PAN]! & 1) << 22 | (s[PSTATE_SS]! & 1) << 21 | (s[PSTATE_IL]! & 1) << 20 |
    (s[PSTATE_DAIF]! & 0x3c0) | from << 2 | (spSel & 1));
  // saveSp(): the live SP back to SP_EL[from] (or SP_EL0).
  const save = SP_EL + 2 * (spSel ? from : 0);
  s[save] = s[SP]!; s[save + 1] = s[SP + 1]!;
  const b = 2 * target;
  s[ELR_EL + b] = retLo; s[ELR_EL + b + 1] = retHi;
  s[SPSR_EL + b] = spsr; s[SPSR_EL + b + 1] = 0;
  if (type === SYNC || type === SERROR) { s[ESR_EL + b] = esrValue; s[ESR_EL + b + 1] = 0; }

  // New PSTATE (RWTXBY): EL, SP=1, DAIF all masked, IL=0, SS=0; NZCV unchanged.
  s[PSTATE_EL] = target;
  s[PSTATE_SP] = 1;
  s[PSTATE_DAIF] = 0x3c0;
  s[PSTATE_IL] = 0;
  s[PSTATE_SS] = 0;
  if (target === 1 && (s[SCTLR_EL + 2]! & SCTLR_SPAN) === 0) s[PSTATE_PAN] = 1;
  // restoreSp(): SP_ELx of the target.
  s[SP] = s[SP_EL + b]!; s[SP + 1] = s[SP_EL + b + 1]!;

  // PC = VBAR_ELx[63:11] : offset[10:0].
  s[PC] = (s[VBAR_EL + b]! & ~0x7ff) | offset;
  s[PC + 1] = s[VBAR_EL + b + 1]!;
  s[HALTED] = 0;

  f[CYC] = f[CYC]! + cpu.exceptionEntryCycles;
  if (cpu.onExceptionEntry !== null) cpu.onExceptionEntry(cpu, from, fromSecure, target, offset, esrValue);
}

const CYC = CYCLES >> 1, MARK = CYCLES_MARK >> 1, CYCLES_BY_EL = L.CYCLES_BY_EL >> 1;
const SP = X + 2 * SP_SLOT;
