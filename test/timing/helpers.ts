/**
 * Helpers for the timing tests: run an image under a profile and model, read the `NAME=<hex>`
 * observations it prints, and build small machines from assembly (GNU as, test/helpers/a64asm.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { loadElf } from '../../src/machine/load.js';
import type { TimingModel } from '../../src/timing/profile.js';
import { type CyclesByEl } from '../../src/timing/accounting.js';
import * as L from '../../src/state/layout.js';
import { restoreSp } from '../../src/state/cpu-state.js';
import { assemble } from '../helpers/a64asm.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BUNDLED_DIR = join(ROOT, 'firmware-images', 'build');
export const TIMING_DIR = join(ROOT, 'firmware-images', 'timing', 'build');
export const PROFILE_NAMES = ['generic', 'cortex-a57', 'neoverse-n1'] as const;
export const MODELS: readonly TimingModel[] = ['fixed', 'pipeline'];

/** Every bundled image: firmware-images/build/NAME.elf and the calibration images, as [label, path]. */
export function bundledImages(): [string, string][] {
  const list = (dir: string, prefix: string): [string, string][] =>
    readdirSync(dir).filter((f) => f.endsWith('.elf')).sort().map((f) => [prefix + f.slice(0, -4), join(dir, f)]);
  return [...list(BUNDLED_DIR, ''), ...list(TIMING_DIR, 'timing/')];
}

export interface ImageRun {
  machine: Machine;
  reason: StopReason;
  exitCode: number;
  cycles: number;
  instructions: number;
  uart: string;
  byEl: CyclesByEl;
  /** The image's `NAME=<16 hex digits>` lines. */
  values: Record<string, number>;
}

export function runImage(path: string, profile: string, model: TimingModel = 'fixed', setup?: (m: Machine) => void): ImageRun {
  const machine = new Machine({ timing: { profile, model } });
  loadElf(machine, readFileSync(path), path);
  setup?.(machine);
  const r = machine.run({ maxInstructions: 20_000_000 });
  const uart = machine.uartText();
  const values: Record<string, number> = {};
  for (const m of uart.matchAll(/^(\w+)=([0-9a-f]{16})$/gm)) values[m[1]!] = Number.parseInt(m[2]!, 16);
  return { machine, reason: r.reason, exitCode: r.exitCode, cycles: r.cycles, instructions: r.instructions, uart, byEl: machine.cyclesByEl(), values };
}

/** A machine with code blocks placed at physical addresses, the PE at `el` (SP_ELx) in `world`. */
export interface Block { at: number; code: string }
export function machineWith(o: { profile?: string; model?: TimingModel; blocks: Block[]; el: number; scr?: bigint; hcr?: bigint; entry: number }): Machine {
  const m = new Machine({ timing: { profile: o.profile ?? 'generic', model: o.model ?? 'fixed' } });
  for (const b of o.blocks) {
    const words = assemble(b.code);
    m.loadBytes(b.at, new Uint8Array(words.buffer.slice(0)));
  }
  const cpu = m.cpu, s = cpu.s;
  cpu.set64(L.SCR_EL3, o.scr ?? 0x531n);          // NS | RES1 | HCE | RW
  cpu.set64(L.HCR_EL2, o.hcr ?? (1n << 31n));      // RW
  for (let el = 0; el <= 3; el++) cpu.set64(L.SP_EL + 2 * el, BigInt(0x4008_0000 + 0x1_0000 * el));
  s[L.PSTATE_EL] = o.el;
  s[L.PSTATE_SP] = o.el === 0 ? 0 : 1;
  restoreSp(s);
  cpu.pc = BigInt(o.entry);
  return m;
}
