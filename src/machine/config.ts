/**
 * IMPLEMENTATION DEFINED choices in one place (DESIGN practice 12).
 */
import { DEFAULT_DRAM_SIZE } from '../memory/map.js';
import type { Bus } from '../memory/bus.js';
import { type TimingModel, type TimingOption, type TimingProfile, resolveTiming } from '../timing/profile.js';

export interface MachineConfig {
  /** Non-secure DRAM at 0x40000000, bytes (default 128 MiB, as `-m 128M`). */
  dramSize?: number;
  /**
   * Build on this Bus instead of allocating one (pools that run many short-lived machines; the
   * caller resets its memory between machines). Its DRAM size overrides `dramSize`.
   */
  bus?: Bus;
  /**
   * Timing profile name or object (default 'generic'), or `{ profile, model }` where model is
   * 'fixed' (default: a cost per instruction class) or 'pipeline' (timing/pipeline.ts).
   */
  timing?: TimingOption;
  /** Implemented ELs as a mask, bit n = ELn (default 0b1111: EL0-EL3). EL0 and EL1 are always implemented. */
  implementedEls?: number;
  /** HLT #0xF000 is a semihosting call (default true, as QEMU with -semihosting). */
  semihosting?: boolean;
  /** CNTFRQ_EL0 reset value (default 62.5 MHz, QEMU virt's generic timer). */
  cntfrq?: number;
  /** MIDR_EL1 value (default Cortex-A57 r1p0-like 0x411FD070). */
  midr?: number;
}

export interface ResolvedConfig {
  dramSize: number;
  timing: TimingProfile;
  timingModel: TimingModel;
  implementedEls: number;
  semihosting: boolean;
  cntfrq: number;
  midr: number;
}

export function resolveConfig(c: MachineConfig = {}): ResolvedConfig {
  const { profile: timing, model: timingModel } = resolveTiming(c.timing);
  const els = (c.implementedEls ?? 0b1111) | 0b0011;
  return {
    dramSize: c.bus?.dramSize ?? c.dramSize ?? DEFAULT_DRAM_SIZE,
    timing,
    timingModel,
    implementedEls: els,
    semihosting: c.semihosting ?? true,
    cntfrq: c.cntfrq ?? 62_500_000,
    midr: c.midr ?? 0x411fd070,
  };
}
