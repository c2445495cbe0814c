/**
 * IMPLEMENTATION DEFINED choices in one place (DESIGN practice 12).
 */
import { DEFAULT_DRAM_SIZE } from '../memory/map.js';
import { GENERIC, PROFILES, type TimingProfile } from '../timing/profile.js';

export interface MachineConfig {
  /** Non-secure DRAM at 0x40000000, bytes (default 128 MiB, as `-m 128M`). */
  dramSize?: number;
  /** Timing profile name or object (default 'generic'). */
  timing?: string | TimingProfile;
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
  implementedEls: number;
  semihosting: boolean;
  cntfrq: number;
  midr: number;
}

export function resolveConfig(c: MachineConfig = {}): ResolvedConfig {
  let timing: TimingProfile;
  if (c.timing === undefined) timing = GENERIC;
  else if (typeof c.timing === 'string') {
    const p = PROFILES[c.timing];
    if (p === undefined) throw new RangeError(`unknown timing profile "${c.timing}" (known: ${Object.keys(PROFILES).join(', ')})`);
    timing = p;
  } else timing = c.timing;
  const els = (c.implementedEls ?? 0b1111) | 0b0011;
  return {
    dramSize: c.dramSize ?? DEFAULT_DRAM_SIZE,
    timing,
    implementedEls: els,
    semihosting: c.semihosting ?? true,
    cntfrq: c.cntfrq ?? 62_500_000,
    midr: c.midr ?? 0x411fd070,
  };
}
