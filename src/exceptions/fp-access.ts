/**
 * Advanced SIMD and floating-point access traps (ASL AArch64.CheckFPAdvSIMDEnabled,
 * AArch64.CheckFPAdvSIMDTrap, AArch64.AdvSIMDFPAccessTrap; Arm ARM D24.2 CPACR_EL1.FPEN,
 * CPTR_EL2.TFP, CPTR_EL3.TFP). Like routing.ts this only answers "where does it go?"; nothing here
 * writes state. No FEAT_VHE (IsInHost() is FALSE), no FEAT_SEL2 (EL2 is enabled only in Non-secure
 * state), no SVE/SME (their traps do not exist here).
 */
import * as L from '../state/layout.js';
import { el2Enabled, haveEl } from './routing.js';

const { CPACR_EL1, CPTR_EL2, CPTR_EL3, PSTATE_EL } = L;

/** CPACR_EL1.FPEN (bits 21:20), CPTR_EL2.TFP / CPTR_EL3.TFP (bit 10). */
export const CPACR_FPEN_SHIFT = 20, CPTR_TFP = 1 << 10;

/**
 * The EL an SIMD&FP instruction executed now traps to, or 0 when it may execute. In the architectural
 * order: CPACR_EL1.FPEN at EL0/EL1 (x0 traps both, 01 traps EL0, 11 traps neither) -> EL1; then
 * CPTR_EL2.TFP at EL0/EL1/EL2 when EL2 is enabled in the current Security state -> EL2; then
 * CPTR_EL3.TFP below and at EL3 -> EL3. The first enabled check wins.
 *
 * A trap "to EL1" from EL0 with HCR_EL2.TGE = 1 is taken to EL2 with EC 0x00 instead of 0x07 (ASL
 * AArch64.AdvSIMDFPAccessTrap: route_to_el2 reports Exception_Uncategorized): `fpTrapTgeToEl2` says so.
 */
export function fpAccessTrapTarget(s: Int32Array): number {
  const el = s[PSTATE_EL]!;
  if (el <= 1) {
    const fpen = (s[CPACR_EL1]! >>> CPACR_FPEN_SHIFT) & 3;
    if ((fpen & 1) === 0 || (fpen === 1 && el === 0)) return 1;
  }
  if (el <= 2 && el2Enabled(s) && (s[CPTR_EL2]! & CPTR_TFP) !== 0) return 2;
  if (haveEl(s, 3) && (s[CPTR_EL3]! & CPTR_TFP) !== 0) return 3;
  return 0;
}

/** ASL AArch64.AdvSIMDFPAccessTrap(EL1): with EL2 enabled and HCR_EL2.TGE = 1 it goes to EL2 as EC 0x00. */
export function fpTrapTgeToEl2(s: Int32Array): boolean {
  return el2Enabled(s) && (s[L.HCR_EL2]! & (1 << 27)) !== 0;
}
