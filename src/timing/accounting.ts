/**
 * Cycle accounting per Exception level and Security state. The exception code charges the cycles
 * since the last change of EL or world to the bucket being left (cpu-state.ts accountElCycles, called
 * by takeException and exceptionReturn), so CYCLES_BY_EL partitions CYCLES; the bucket of the
 * current EL holds everything up to CYCLES_MARK and the rest is still running.
 */
import * as L from '../state/layout.js';
import { type CpuState, isSecure } from '../state/cpu-state.js';

/** Cycles spent at each EL: Non-secure el0-el2, EL3 (always Secure), Secure sel0/sel1. */
export interface CyclesByEl {
  el0: number;
  el1: number;
  el2: number;
  el3: number;
  sel0: number;
  sel1: number;
  /** Secure EL2: always 0 (no FEAT_SEL2); kept so that the buckets always sum to the total. */
  sel2: number;
}

/** The per-EL buckets of `cpu`, including the cycles run since the last EL change. Sums to cpu.cycles. */
export function cyclesByEl(cpu: CpuState): CyclesByEl {
  const f = cpu.f, s = cpu.s, base = L.CYCLES_BY_EL >> 1;
  const b = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) b[i] = f[base + i]!;
  b[s[L.PSTATE_EL]! + (isSecure(s) ? 4 : 0)]! += f[L.CYCLES >> 1]! - f[L.CYCLES_MARK >> 1]!;
  // Slot 3 (EL3 in Non-secure state) cannot be reached: EL3 is Secure. Fold it in defensively.
  return { el0: b[0]!, el1: b[1]!, el2: b[2]!, el3: b[7]! + b[3]!, sel0: b[4]!, sel1: b[5]!, sel2: b[6]! };
}

/** Sum of the buckets (equals the cycle counter). */
export function totalOf(c: CyclesByEl): number {
  return c.el0 + c.el1 + c.el2 + c.el3 + c.sel0 + c.sel1 + c.sel2;
}

/** One line for humans: `cycles by EL: EL0 12, EL1 340, ... (total N)`, omitting empty Secure buckets. */
export function formatCyclesByEl(c: CyclesByEl): string {
  const parts = [`EL0 ${c.el0}`, `EL1 ${c.el1}`, `EL2 ${c.el2}`, `EL3 ${c.el3}`];
  if (c.sel0 !== 0 || c.sel1 !== 0 || c.sel2 !== 0) parts.push(`S-EL0 ${c.sel0}`, `S-EL1 ${c.sel1}`);
  if (c.sel2 !== 0) parts.push(`S-EL2 ${c.sel2}`);
  return `cycles by EL: ${parts.join(', ')} (total ${totalOf(c)})`;
}
