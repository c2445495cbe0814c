/**
 * Routing and UNDEFINED/trap decisions, apart from taking (DESIGN practice 6/7; QEMU's pre_hvc/pre_smc).
 * Each function answers "where does this go?" from the PSTATE and the routing controls; the caller
 * then calls takeException. Nothing here writes state.
 */
import * as L from '../state/layout.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { HCR_EL2, IMPL_ELS, PSTATE_DAIF, PSTATE_EL, SCR_EL3, SCTLR_EL } = L;

/** HCR_EL2 and SCR_EL3 bits used by routing (Arm ARM D24.2.62, D24.2.169). */
export const HCR_FMO = 1 << 3, HCR_IMO = 1 << 4, HCR_AMO = 1 << 5, HCR_TWI = 1 << 13, HCR_TWE = 1 << 14,
  HCR_TSC = 1 << 19, HCR_TGE = 1 << 27, HCR_HCD = 1 << 29, HCR_RW = 1 << 31;
export const SCR_NS = 1 << 0, SCR_IRQ = 1 << 1, SCR_FIQ = 1 << 2, SCR_EA = 1 << 3, SCR_SMD = 1 << 7,
  SCR_HCE = 1 << 8, SCR_RW = 1 << 10, SCR_TWI = 1 << 12, SCR_TWE = 1 << 13, SCR_EEL2 = 1 << 18;
/** SCTLR_EL1.nTWI (bit 16), nTWE (bit 18), UMA (bit 9). */
export const SCTLR_NTWI = 1 << 16, SCTLR_NTWE = 1 << 18, SCTLR_UMA = 1 << 9;

/** Routing outcomes that are not a target EL. */
export const UNDEFINED = -1;
/** SMC outcome: trapped to EL2 by HCR_EL2.TSC (preferred return = the SMC itself). */
export const SMC_TRAP_EL2 = -2;

export function haveEl(s: Int32Array, el: number): boolean { return (s[IMPL_ELS]! & (1 << el)) !== 0; }

/**
 * ASL EL2Enabled(): EL2 implemented and enabled in the current Security state. This model has no
 * FEAT_SEL2, so Secure EL2 is never enabled (SCR_EL3.EEL2 is RES0): EL2 is enabled iff NS=1 (or no EL3).
 */
export function el2Enabled(s: Int32Array): boolean {
  if (!haveEl(s, 2)) return false;
  if (!haveEl(s, 3)) return true;
  return (s[SCR_EL3]! & SCR_NS) !== 0;
}

/** Effective HCR_EL2 (Arm ARM D24.2.62): reads as 0 when EL2 is not enabled in the current Security state. */
export function effectiveHcr(s: Int32Array): number {
  return el2Enabled(s) ? s[HCR_EL2]! : 0;
}

/**
 * Target of an exception that the architecture routes "to EL1 from EL0" (UNDEFINED, SVC, aborts,
 * alignment...): EL0 goes to EL1, or to EL2 when EL2 is enabled and HCR_EL2.TGE is 1 (Arm ARM D1.4.5
 * RDPLSC; ASL AArch64.TakeException callers). Exceptions at EL1 and above stay at the current EL.
 */
export function syncTargetEl(s: Int32Array): number {
  const el = s[PSTATE_EL]!;
  if (el !== 0) return el;
  return (effectiveHcr(s) & HCR_TGE) !== 0 ? 2 : 1;
}

/**
 * HVC (Arm ARM C6.2.174, D1.4.9 RRWKMY): UNDEFINED at EL0, at EL1 when EL2 is not enabled, when EL3
 * is implemented and SCR_EL3.HCE is 0, when EL3 is not implemented and HCR_EL2.HCD is 1; otherwise the
 * hypervisor call is taken to EL2 (EL3 when executed at EL3).
 */
export function routeHvc(s: Int32Array): number {
  const el = s[PSTATE_EL]!;
  if (el === 0 || !haveEl(s, 2)) return UNDEFINED;
  if (el === 1 && !el2Enabled(s)) return UNDEFINED;
  if (haveEl(s, 3)) { if ((s[SCR_EL3]! & SCR_HCE) === 0) return UNDEFINED; }
  else if ((s[HCR_EL2]! & HCR_HCD) !== 0) return UNDEFINED;
  return el === 3 ? 3 : 2;
}

/**
 * SMC (ASL AArch64.CheckForSMCUndefOrTrap; Arm ARM C6.2.371): UNDEFINED at EL0; at EL1 with EL2
 * enabled and HCR_EL2.TSC=1 it traps to EL2 (priority 25, before SCR_EL3.SMD at 27); UNDEFINED without
 * EL3 or with SCR_EL3.SMD=1; otherwise a Secure Monitor Call to EL3.
 */
export function routeSmc(s: Int32Array): number {
  const el = s[PSTATE_EL]!;
  if (el === 0) return UNDEFINED;
  if (el === 1 && (effectiveHcr(s) & HCR_TSC) !== 0) return haveEl(s, 3) ? SMC_TRAP_EL2 : UNDEFINED;
  if (!haveEl(s, 3)) return UNDEFINED;
  if ((s[SCR_EL3]! & SCR_SMD) !== 0) return UNDEFINED;
  return 3;
}

/** SVC (ASL AArch64.CallSupervisor): EL0 to EL1 (EL2 with TGE), otherwise the current EL. */
export function routeSvc(s: Int32Array): number {
  return syncTargetEl(s);
}

/**
 * WFI/WFE traps (ASL AArch64.CheckForWFxTrap): EL0 with SCTLR_EL1.nTWx=0 -> EL1 (EL2 when TGE routes
 * EL0 exceptions there); EL0/EL1 with EL2 enabled, not in Host (IsInHost needs HCR_EL2.E2H=1, and
 * this PE has no FEAT_VHE) and HCR_EL2.TWx -> EL2; below EL3 with SCR_EL3.TWx -> EL3. Returns the
 * target EL or 0 when not trapped.
 */
export function routeWfxTrap(s: Int32Array, isWfe: boolean): number {
  const el = s[PSTATE_EL]!;
  const hcr = effectiveHcr(s);
  if (el === 0 && (s[SCTLR_EL + 2]! & (isWfe ? SCTLR_NTWE : SCTLR_NTWI)) === 0) return (hcr & HCR_TGE) !== 0 ? 2 : 1;
  if (el <= 1 && (hcr & (isWfe ? HCR_TWE : HCR_TWI)) !== 0) return 2;
  if (el < 3 && haveEl(s, 3) && (s[SCR_EL3]! & (isWfe ? SCR_TWE : SCR_TWI)) !== 0) return 3;
  return 0;
}

/**
 * Physical IRQ/FIQ target (Arm ARM Table D1-12 RNMMXK; ASL AArch64.TakePhysicalIRQException) and
 * masking (D1.4.6.4). Returns the target EL, or -1 when the interrupt is not taken now (stays pending).
 * `fiq` selects FIQ (SCR_EL3.FIQ, HCR_EL2.FMO, PSTATE.F) over IRQ.
 */
export function routePhysicalInterrupt(s: Int32Array, fiq: boolean): number {
  const el = s[PSTATE_EL]!;
  const scr = haveEl(s, 3) ? s[SCR_EL3]! : 0;
  const hcr = effectiveHcr(s);
  let target: number;
  if ((scr & (fiq ? SCR_FIQ : SCR_IRQ)) !== 0) target = 3;
  else if (el === 3) return -1;
  else if (el2Enabled(s) && (el === 2 || (hcr & (HCR_TGE | (fiq ? HCR_FMO : HCR_IMO))) !== 0)) {
    // From EL2 with TGE=0 and IMO/FMO=0 the interrupt is not taken (Table D1-12, last row, "C").
    if (el === 2 && (hcr & (HCR_TGE | (fiq ? HCR_FMO : HCR_IMO))) === 0) return -1;
    target = 2;
  } else target = 1;
  if (target < el) return -1;
  const masked = (s[PSTATE_DAIF]! & (fiq ? 0x40 : 0x80)) !== 0;
  if (target === el) return masked ? -1 : target;
  // Target above the current EL: EL3 and EL2 are not masked by PSTATE (no FEAT_VHE here);
  // EL1 from EL0 is masked by PSTATE.
  if (target === 1 && masked) return -1;
  return target;
}
