/**
 * ERET: AArch64.ExceptionReturn with the illegal-return checks of IllegalExceptionReturn/ELFromSPSR
 * (Arm ARM D1.4.4; reference arch-and-cycles.md 5.2/5.3).
 */
import * as L from '../state/layout.js';
import type { CpuState } from '../state/cpu-state.js';
import * as R from './routing.js';
import { el2Enabled, haveEl } from './routing.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { CF, CYCLES, CYCLES_MARK, ELR_EL, EVENT_REG, EXCL_VALID, HCR_EL2, IMPL_ELS, NF, PC, PSTATE_DAIF,
  PSTATE_EL, PSTATE_IL, PSTATE_PAN, PSTATE_SP, PSTATE_SS, SCR_EL3, SPSR_EL, SP_EL, SP_SLOT, VF, X, ZF } = L;
const { HCR_RW, HCR_TGE, SCR_NS, SCR_RW } = R;

/**
 * Why a return is illegal, or LEGAL. Numbers follow the rows of reference 5.2, in the order the ASL
 * checks them.
 */
export const enum IllegalReturn {
  Legal = 0,
  TargetAboveCurrent = 1,
  TargetNotImplemented = 2,
  ReservedMode = 3,
  El2NotEnabledSecure = 4,
  El1WithTge = 5,
  WidthMismatch = 6,
  Aarch32 = 7,
}

/** ASL IllegalExceptionReturn(spsr) evaluated at the current EL. */
export function checkIllegalReturn(s: Int32Array, spsr: number): IllegalReturn {
  const cur = s[PSTATE_EL]!;
  const m = spsr & 0x1f;
  if ((m & 0x10) !== 0) return IllegalReturn.Aarch32;  // M[4]=1: AArch32, not supported by this PE
  const target = (m >>> 2) & 3;
  if ((m & 2) !== 0 || m === 1) return IllegalReturn.ReservedMode;     // M[1]=1, or EL0 with SP=1
  if (target > cur) return IllegalReturn.TargetAboveCurrent;
  const impl = s[IMPL_ELS]!;
  if ((impl & (1 << target)) === 0) return IllegalReturn.TargetNotImplemented;
  if (target === 2 || target < cur) {
    const scr = s[SCR_EL3]!;
    const el3 = (impl & 8) !== 0;
    // Target EL2 in Secure state without FEAT_SEL2 (SCR_EL3.NS=0): EL2 is not enabled there.
    if (target === 2 && el3 && (scr & SCR_NS) === 0) return IllegalReturn.El2NotEnabledSecure;
    if (target === 1 && el2EnabledFor(s, cur) && (s[HCR_EL2]! & HCR_TGE) !== 0) return IllegalReturn.El1WithTge;
    // Register width: the target EL must be configured AArch64 (SCR_EL3.RW for the EL below EL3, HCR_EL2.RW for EL1).
    if (target < cur) {
      if (cur === 3 && target < 3 && el3 && (scr & SCR_RW) === 0) return IllegalReturn.WidthMismatch;
      if (cur >= 2 && target <= 1 && el2EnabledFor(s, cur) && (s[HCR_EL2]! & HCR_RW) === 0) return IllegalReturn.WidthMismatch;
    }
  } else if (target === 1 && el2EnabledFor(s, cur) && (s[HCR_EL2]! & HCR_TGE) !== 0) {
    // Target EL1 with EL2 enabled in the target Security state and HCR_EL2.TGE=1 (ERET from EL1 to EL1).
    return IllegalReturn.El1WithTge;
  }
  return IllegalReturn.Legal;
}

/**
 * checkIllegalReturn, remembered: its answer depends only on SPSR.M[4:0], the current EL, the
 * implemented ELs and SCR_EL3.{NS,RW}, HCR_EL2.{TGE,RW} (the reads above), so it is computed once per
 * combination of those 15 bits and looked up afterwards (the checks were ~12% of an HVC round trip).
 * The table holds answer + 1 (0 = not computed yet).
 */
function illegalReturnOf(s: Int32Array, spsr: number, cur: number): IllegalReturn {
  const scr = s[SCR_EL3]!, hcr = s[HCR_EL2]!;
  const key = (spsr & 0x1f) | cur << 5 | (s[IMPL_ELS]! & 0xf) << 7 | (scr & SCR_NS) << 11 | ((scr >>> 10) & 1) << 12 |
    ((hcr >>> 27) & 1) << 13 | (hcr >>> 31) << 14;
  const v = ILLEGAL_RETURN[key]!;
  if (v !== 0) return v - 1;
  const why = checkIllegalReturn(s, spsr);
  ILLEGAL_RETURN[key] = why + 1;
  return why;
}
const ILLEGAL_RETURN = new Uint8Array(1 << 15);

/** EL2 enabled in the Security state an ERET from `cur` returns to (at EL3 the target state is SCR_EL3.NS). */
function el2EnabledFor(s: Int32Array, cur: number): boolean {
  if (cur === 3) return haveEl(s, 2) && (s[SCR_EL3]! & SCR_NS) !== 0;
  return el2Enabled(s);
}

/**
 * ERET at EL1..3 (the EL0 UNDEFINED case is decided by the caller). Legal: PSTATE from SPSR, PC from
 * ELR. Illegal (D1.4.4.2): PC from ELR, PSTATE.IL=1, EL and SP unchanged, NZCV/DAIF/PAN from SPSR.
 * Both clear the local exclusive monitor and set the event register. Returns the check result.
 */
export function exceptionReturn(cpu: CpuState): IllegalReturn {
  const s = cpu.s, f = cpu.f;
  const cur = s[PSTATE_EL]!;
  const fromSecure = cur === 3 || (s[SCR_EL3]! & 1) === 0;   // isSecure()
  const b = 2 * cur;
  const spsr = s[SPSR_EL + b]!;
  const elrLo = s[ELR_EL + b]!, elrHi = s[ELR_EL + b + 1]!;
  const why = illegalReturnOf(s, spsr, cur);
  // accountElCycles(): the cycles since the last change of EL or world go to the one being left.
  const now = f[CYC]!;
  const bucket = CYCLES_BY_EL + cur + (fromSecure ? 4 : 0);
  f[bucket] = f[bucket]! + now - f[MARK]!;
  f[MARK] = now;

  // unpackNzcv()
  s[NF] = (spsr >>> 31) << 31;
  s[ZF] = (spsr >>> 30) & 1 ? 0 : 1;
  s[CF] = (spsr >>> 29) & 1;
  s[VF] = ((spsr >>> 28) & 1) << 31;
  s[PSTATE_DAIF] = spsr & 0x3c0;
  s[PSTATE_PAN] = (spsr >>> 22) & 1;
  if (why === IllegalReturn.Legal) {
    // saveSp(), the new EL and SPSel, restoreSp().
    const spSel = s[PSTATE_SP]!;
    const save = SP_EL + 2 * (spSel ? cur : 0);
    s[save] = s[SP]!; s[save + 1] = s[SP + 1]!;
    const el = (spsr >>> 2) & 3, sp = spsr & 1;
    s[PSTATE_EL] = el;
    s[PSTATE_SP] = sp;
    s[PSTATE_IL] = (spsr >>> 20) & 1;
    s[PSTATE_SS] = (spsr >>> 21) & 1;
    const load = SP_EL + 2 * (sp ? el : 0);
    s[SP] = s[load]!; s[SP + 1] = s[load + 1]!;
  } else {
    s[PSTATE_IL] = 1;
  }
  s[PC] = elrLo; s[PC + 1] = elrHi;
  s[EXCL_VALID] = 0;
  s[EVENT_REG] = 1;
  f[CYC] = f[CYC]! + cpu.exceptionReturnCycles;
  if (cpu.onExceptionReturn !== null) cpu.onExceptionReturn(cpu, cur, fromSecure, why !== IllegalReturn.Legal);
  return why;
}

const CYC = CYCLES >> 1, MARK = CYCLES_MARK >> 1, CYCLES_BY_EL = L.CYCLES_BY_EL >> 1;
const SP = X + 2 * SP_SLOT;
