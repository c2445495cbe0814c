/**
 * ERET: AArch64.ExceptionReturn with the illegal-return checks of IllegalExceptionReturn/ELFromSPSR
 * (Arm ARM D1.4.4; reference arch-and-cycles.md 5.2/5.3).
 */
import * as L from '../state/layout.js';
import { type CpuState, accountElCycles, isSecure, restoreSp, saveSp, unpackNzcv } from '../state/cpu-state.js';
import { HCR_RW, HCR_TGE, SCR_NS, SCR_RW, el2Enabled, haveEl } from './routing.js';

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
  const cur = s[L.PSTATE_EL]!;
  const m = spsr & 0x1f;
  if ((m & 0x10) !== 0) return IllegalReturn.Aarch32;  // M[4]=1: AArch32, not supported by this PE
  const target = (m >>> 2) & 3;
  if ((m & 2) !== 0 || m === 1) return IllegalReturn.ReservedMode;     // M[1]=1, or EL0 with SP=1
  if (target > cur) return IllegalReturn.TargetAboveCurrent;
  if (!haveEl(s, target)) return IllegalReturn.TargetNotImplemented;
  const scr = s[L.SCR_EL3]!;
  // Target EL2 in Secure state without FEAT_SEL2 (SCR_EL3.NS=0): EL2 is not enabled there.
  if (target === 2 && haveEl(s, 3) && (scr & SCR_NS) === 0) return IllegalReturn.El2NotEnabledSecure;
  // Target EL1 with EL2 enabled in the target Security state and HCR_EL2.TGE=1.
  if (target === 1 && el2EnabledFor(s, cur) && (s[L.HCR_EL2]! & HCR_TGE) !== 0) return IllegalReturn.El1WithTge;
  // Register width: the target EL must be configured AArch64 (SCR_EL3.RW for the EL below EL3, HCR_EL2.RW for EL1).
  if (target < cur) {
    if (cur === 3 && target < 3 && haveEl(s, 3) && (scr & SCR_RW) === 0) return IllegalReturn.WidthMismatch;
    if (cur >= 2 && target <= 1 && el2EnabledFor(s, cur) && (s[L.HCR_EL2]! & HCR_RW) === 0) return IllegalReturn.WidthMismatch;
  }
  return IllegalReturn.Legal;
}

/** EL2 enabled in the Security state an ERET from `cur` returns to (at EL3 the target state is SCR_EL3.NS). */
function el2EnabledFor(s: Int32Array, cur: number): boolean {
  if (cur === 3) return haveEl(s, 2) && (s[L.SCR_EL3]! & SCR_NS) !== 0;
  return el2Enabled(s);
}

/**
 * ERET at EL1..3 (the EL0 UNDEFINED case is decided by the caller). Legal: PSTATE from SPSR, PC from
 * ELR. Illegal (D1.4.4.2): PC from ELR, PSTATE.IL=1, EL and SP unchanged, NZCV/DAIF/PAN from SPSR.
 * Both clear the local exclusive monitor and set the event register. Returns the check result.
 */
export function exceptionReturn(cpu: CpuState): IllegalReturn {
  const s = cpu.s;
  const cur = s[L.PSTATE_EL]!;
  const fromSecure = isSecure(s);
  const b = 2 * cur;
  const spsr = s[L.SPSR_EL + b]!;
  const elrLo = s[L.ELR_EL + b]!, elrHi = s[L.ELR_EL + b + 1]!;
  const why = checkIllegalReturn(s, spsr);
  accountElCycles(s, cpu.f);

  unpackNzcv(s, spsr);
  s[L.PSTATE_DAIF] = spsr & 0x3c0;
  s[L.PSTATE_PAN] = (spsr >>> 22) & 1;
  if (why === IllegalReturn.Legal) {
    saveSp(s);
    s[L.PSTATE_EL] = (spsr >>> 2) & 3;
    s[L.PSTATE_SP] = spsr & 1;
    s[L.PSTATE_IL] = (spsr >>> 20) & 1;
    s[L.PSTATE_SS] = (spsr >>> 21) & 1;
    restoreSp(s);
  } else {
    s[L.PSTATE_IL] = 1;
  }
  s[L.PC] = elrLo; s[L.PC + 1] = elrHi;
  s[L.EXCL_VALID] = 0;
  s[L.EVENT_REG] = 1;
  const ci = L.CYCLES >> 1;
  cpu.f[ci] = cpu.f[ci]! + cpu.exceptionReturnCycles;
  if (cpu.onExceptionReturn !== null) cpu.onExceptionReturn(cpu, cur, fromSecure, why !== IllegalReturn.Legal);
  return why;
}
