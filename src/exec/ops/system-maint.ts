/**
 * SYS-space maintenance instructions (Arm ARM C5.3-C5.5, C6.2.SYS): DC, IC, TLBI, AT. The model has no
 * caches and no TLBs, so cache and TLB maintenance has no effect beyond its access checks: UNDEFINED
 * below the instruction's EL, and the EC 0x18 traps (SCTLR_EL1.UCI/DZE at EL0, HCR_EL2.TPCP/TPU/TSW/
 * TTLB/TDZ to EL2), in the order of each instruction's accessibility pseudocode. No FEAT_VHE/NV/FGT.
 *
 * DC ZVA writes zeros: with the MMU off the data access is to Device-nGnRnE memory (Arm ARM D8.2.12.1,
 * "Behavior when stage 1 address translation is disabled"), and DC ZVA to any Device memory takes an
 * Alignment fault (C6.2 DC ZVA; QEMU issue #3005 records that hardware does, QEMU does not). So it
 * zeroes the DCZID_EL0-sized block only when the regime's SCTLR_ELx.M is 1 (or HCR_EL2.DC = 1 for
 * EL1&0), which this model reads as identity-mapped Normal memory; otherwise it faults with
 * DFSC 0x21, WnR = 1 and FAR = Xt.
 *
 * AT (address translation) is UNDEFINED in this model: the state layout has no PAR_EL1 to report into.
 */
import * as L from '../../state/layout.js';
import { isSecure } from '../../state/cpu-state.js';
import { DCZID_BS } from '../../state/sysregs.js';
import { effectiveHcr, haveEl, HCR_TGE } from '../../exceptions/routing.js';
import { FAULT_ALIGNMENT } from '../../memory/bus.js';
import { type ExecContext, Status } from '../context.js';
import { dataAbort, sysRegTrap } from '../raise.js';

const HCR_DC = 1 << 12, HCR_TSW = 1 << 22, HCR_TPCP = 1 << 23, HCR_TPU = 1 << 24, HCR_TTLB = 1 << 25, HCR_TDZ = 1 << 28;
const SCTLR_DZE = 1 << 14, SCTLR_UCI = 1 << 26;

/** Target of an EL0 trap controlled by SCTLR_EL1 (UCI, DZE): EL1, or EL2 when HCR_EL2.TGE = 1. */
function el0Target(hcr: number): number { return (hcr & HCR_TGE) !== 0 ? 2 : 1; }

/** Trap of this SYS instruction (EC 0x18, Dir = 0) to `target`. */
function trap(ctx: ExecContext, target: number, w: number): Status { return sysRegTrap(ctx.cpu, target, w, false); }

/** DC IVAC / CVAC / CVAU / CIVAC. IVAC (op1 = 0) is UNDEFINED at EL0; the others need SCTLR_EL1.UCI there. */
export function execDcVa(ctx: ExecContext, w: number): Status {
  const s = ctx.cpu.s;
  const el = s[L.PSTATE_EL]!;
  if (el >= 2) return Status.Next;
  const hcr = effectiveHcr(s);
  const ivac = ((w >>> 16) & 7) === 0;
  if (el === 0) {
    if (ivac) return Status.Undefined;
    if ((s[L.SCTLR_EL + 2]! & SCTLR_UCI) === 0) return trap(ctx, el0Target(hcr), w);
  }
  const cvau = ((w >>> 8) & 15) === 11;
  if ((hcr & (cvau ? HCR_TPU : HCR_TPCP)) !== 0) return trap(ctx, 2, w);
  return Status.Next;
}

/** DC ISW / CSW / CISW: UNDEFINED at EL0; HCR_EL2.TSW traps EL1. */
export function execDcSw(ctx: ExecContext, w: number): Status {
  const s = ctx.cpu.s;
  const el = s[L.PSTATE_EL]!;
  if (el === 0) return Status.Undefined;
  if (el === 1 && (effectiveHcr(s) & HCR_TSW) !== 0) return trap(ctx, 2, w);
  return Status.Next;
}

/** IC IALLU / IALLUIS: UNDEFINED at EL0; HCR_EL2.TPU traps EL1. */
export function execIcAll(ctx: ExecContext, w: number): Status {
  const s = ctx.cpu.s;
  const el = s[L.PSTATE_EL]!;
  if (el === 0) return Status.Undefined;
  if (el === 1 && (effectiveHcr(s) & HCR_TPU) !== 0) return trap(ctx, 2, w);
  return Status.Next;
}

/** IC IVAU: EL0 needs SCTLR_EL1.UCI; HCR_EL2.TPU traps EL0 and EL1. */
export function execIcIvau(ctx: ExecContext, w: number): Status {
  const s = ctx.cpu.s;
  const el = s[L.PSTATE_EL]!;
  if (el >= 2) return Status.Next;
  const hcr = effectiveHcr(s);
  if (el === 0 && (s[L.SCTLR_EL + 2]! & SCTLR_UCI) === 0) return trap(ctx, el0Target(hcr), w);
  if ((hcr & HCR_TPU) !== 0) return trap(ctx, 2, w);
  return Status.Next;
}

/** TLBI of the EL1&0 regime (op1 = 0): UNDEFINED at EL0; HCR_EL2.TTLB traps EL1. */
export function execTlbiEl1(ctx: ExecContext, w: number): Status {
  const s = ctx.cpu.s;
  const el = s[L.PSTATE_EL]!;
  if (el === 0) return Status.Undefined;
  if (el === 1 && (effectiveHcr(s) & HCR_TTLB) !== 0) return trap(ctx, 2, w);
  return Status.Next;
}

/** TLBI of EL2 / stage 2 (op1 = 4): EL2 and EL3 only, and only when EL2 is implemented. */
export function execTlbiEl2(ctx: ExecContext): Status {
  const s = ctx.cpu.s;
  return s[L.PSTATE_EL]! >= 2 && haveEl(s, 2) ? Status.Next : Status.Undefined;
}

/** TLBI of EL3 (op1 = 6): EL3 only. */
export function execTlbiEl3(ctx: ExecContext): Status {
  return ctx.cpu.s[L.PSTATE_EL] === 3 ? Status.Next : Status.Undefined;
}

/** AT S1E1R...: UNDEFINED in this model (no PAR_EL1). */
export function execAt(): Status {
  return Status.Undefined;
}

/**
 * Whether data accesses of the current translation regime are to Normal memory: stage 1 enabled
 * (SCTLR_ELx.M, read as an identity map to Normal memory), or for EL1&0 HCR_EL2.DC = 1. With
 * HCR_EL2.TGE = 1 the EL1&0 stage 1 is treated as disabled and HCR_EL2.DC as 0.
 */
function dataIsNormal(s: Int32Array): boolean {
  const el = s[L.PSTATE_EL]!;
  if (el >= 2) return (s[L.SCTLR_EL + 2 * el]! & 1) !== 0;
  const hcr = effectiveHcr(s);
  if ((hcr & HCR_TGE) !== 0) return false;
  return (s[L.SCTLR_EL + 2]! & 1) !== 0 || (hcr & HCR_DC) !== 0;
}

/** DC ZVA: traps (SCTLR_EL1.DZE at EL0, HCR_EL2.TDZ), then zero the aligned block holding Xt. */
export function execDcZva(ctx: ExecContext, w: number): Status {
  const cpu = ctx.cpu, s = cpu.s, bus = ctx.bus;
  const el = s[L.PSTATE_EL]!;
  if (el <= 1) {
    const hcr = effectiveHcr(s);
    if (el === 0 && (s[L.SCTLR_EL + 2]! & SCTLR_DZE) === 0) return trap(ctx, el0Target(hcr), w);
    if ((hcr & HCR_TDZ) !== 0) return trap(ctx, 2, w);
  }
  const t = (w & 31) << 1;
  const vlo = s[t]!, vhi = s[t + 1]!;
  if (!dataIsNormal(s)) return dataAbort(cpu, vlo, vhi, true, FAULT_ALIGNMENT);
  const bytes = 4 << DCZID_BS;
  const base = vlo & -bytes;
  const secure = isSecure(s);
  // The block is aligned to its size (<= 2 KiB), so it lies in one page: it faults on the first
  // write or not at all.
  for (let off = 0; off < bytes; off += 8) {
    bus.write64((base + off) | 0, vhi, 0, 0, secure);
    if (bus.fault !== 0) return dataAbort(cpu, vlo, vhi, true, bus.fault);
  }
  return Status.Next;
}
