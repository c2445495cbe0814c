/**
 * Test harness for the exception model: a Machine with A64 code (assembled by GNU as) at CODE in
 * non-secure DRAM, a vector table per EL filled with NOPs, the PE placed at a chosen EL/SPSel/world,
 * and observers recording every exception entry and return. A test runs real instruction words with
 * `step(n)` and then reads the architectural state.
 */
import * as L from '../../src/state/layout.js';
import { restoreSp, saveSp, unpackNzcv } from '../../src/state/cpu-state.js';
import { Machine } from '../../src/machine/machine.js';
import { SYSREG_TABLE } from '../../src/state/sysregs.js';
import { assemble, word } from './a64asm.js';

export { assemble, word };

export const CODE = 0x4000_0000;
/** VBAR_EL1..3 (2 KiB aligned, Arm ARM D1.4.1); index = EL. */
export const VBAR = [0, 0x4001_0000, 0x4002_0000, 0x4003_0000] as const;
/** Initial SP_EL0..SP_EL3: distinct, so a test can tell which one is live. */
export const SP = [0x4008_0000n, 0x4009_0000n, 0x400a_0000n, 0x400b_0000n] as const;
const NOP = 0xd503201f;

/** SCR_EL3 for a Non-secure lower world with HVC enabled, EL2 AArch64 (NS | RES1 | HCE | RW). */
export const SCR_NS_DEFAULT = 0x531n;
/** HCR_EL2 with EL1 AArch64 (RW). */
export const HCR_DEFAULT = 1n << 31n;

export interface Entry { from: number; fromSecure: boolean; target: number; offset: number; esr: number }
export interface Return { from: number; fromSecure: boolean; illegal: boolean }

export interface SetupOptions {
  /** Exception level to start at (default 1). */
  el?: number;
  /** PSTATE.SP (default 1, SP_ELx; forced 0 at EL0). */
  spsel?: number;
  /** Code to place at CODE (assembly source, ';' or newline separated). */
  code: string;
  scr?: bigint;
  hcr?: bigint;
  /** PSTATE.DAIF bits 9:6 (default 0x3c0, all masked). */
  daif?: number;
  /** NZCV in bits 31:28 (default 0). */
  nzcv?: number;
  /** Implemented ELs (Machine config, default 0b1111). */
  implementedEls?: number;
  /** Extra system registers by name, e.g. { SCTLR_EL1: 0x30d00a00n }. */
  sys?: Record<string, bigint>;
}

export class Harness {
  readonly m: Machine;
  readonly entries: Entry[] = [];
  readonly returns: Return[] = [];

  constructor(o: SetupOptions) {
    this.m = new Machine(o.implementedEls === undefined ? {} : { implementedEls: o.implementedEls });
    const cpu = this.m.cpu, s = cpu.s;
    const words = assemble(o.code);
    const bytes = new Uint8Array(words.buffer.slice(0));
    this.m.loadBytes(CODE, bytes);
    for (let el = 1; el <= 3; el++) this.m.loadBytes(VBAR[el], new Uint8Array(new Uint32Array(0x800 / 4).fill(NOP).buffer));
    cpu.set64(L.SCR_EL3, o.scr ?? SCR_NS_DEFAULT);
    cpu.set64(L.HCR_EL2, o.hcr ?? HCR_DEFAULT);
    for (let el = 1; el <= 3; el++) cpu.set64(L.VBAR_EL + 2 * el, BigInt(VBAR[el]));
    for (let el = 0; el <= 3; el++) cpu.set64(L.SP_EL + 2 * el, SP[el]);
    for (const [name, v] of Object.entries(o.sys ?? {})) this.setSys(name, v);
    const el = o.el ?? 1;
    s[L.PSTATE_EL] = el;
    s[L.PSTATE_SP] = el === 0 ? 0 : (o.spsel ?? 1);
    s[L.PSTATE_DAIF] = o.daif ?? 0x3c0;
    unpackNzcv(s, o.nzcv ?? 0);
    restoreSp(s);
    cpu.pc = BigInt(CODE);
    cpu.onExceptionEntry = (_c, from, fromSecure, target, offset, esr) => { this.entries.push({ from, fromSecure, target, offset, esr: esr >>> 0 }); };
    cpu.onExceptionReturn = (_c, from, fromSecure, illegal) => { this.returns.push({ from, fromSecure, illegal }); };
  }

  get s(): Int32Array { return this.m.cpu.s; }

  /** Run n instructions (an exception taken at a block boundary does not count as one). */
  step(n = 1): this { this.m.run({ maxInstructions: n }); return this; }

  get pc(): bigint { return this.m.cpu.pc; }
  get el(): number { return this.s[L.PSTATE_EL]!; }
  get spsel(): number { return this.s[L.PSTATE_SP]!; }
  get daif(): number { return this.s[L.PSTATE_DAIF]! & 0x3c0; }
  get il(): number { return this.s[L.PSTATE_IL]!; }
  /** The live stack pointer. */
  get sp(): bigint { return this.m.cpu.x(L.SP_SLOT); }
  x(n: number): bigint { return this.m.cpu.x(n); }
  setX(n: number, v: bigint): this { this.m.cpu.setX(n, v); return this; }

  elr(el: number): bigint { return this.m.cpu.get64(L.ELR_EL + 2 * el); }
  spsr(el: number): bigint { return this.m.cpu.get64(L.SPSR_EL + 2 * el); }
  esr(el: number): bigint { return this.m.cpu.get64(L.ESR_EL + 2 * el); }
  far(el: number): bigint { return this.m.cpu.get64(L.FAR_EL + 2 * el); }
  /** SP_ELn: the live SP when n is the selected stack pointer, else the banked value. */
  spOf(n: number): bigint {
    const s = this.s;
    const live = s[L.PSTATE_SP] ? s[L.PSTATE_EL]! : 0;
    return n === live ? this.sp : this.m.cpu.get64(L.SP_EL + 2 * n);
  }

  /** Write a storage-backed system register by its table name (SCTLR_EL1, CNTKCTL_EL1...). */
  setSys(name: string, v: bigint): this {
    const row = SYSREG_TABLE.find((r) => r.name === name);
    if (row === undefined || row.off < 0) throw new Error(`no storage for system register ${name}`);
    this.m.cpu.set64(row.off, v);
    return this;
  }
  sys(name: string): bigint {
    const row = SYSREG_TABLE.find((r) => r.name === name);
    if (row === undefined || row.off < 0) throw new Error(`no storage for system register ${name}`);
    return this.m.cpu.get64(row.off);
  }

  /** Change PSTATE.SP the way MSR SPSel does (live SP saved and reloaded). */
  setSpsel(v: number): this { saveSp(this.s); this.s[L.PSTATE_SP] = v; restoreSp(this.s); return this; }

  /** Raise/lower a physical interrupt line. */
  irq(line: 'irq' | 'fiq', level = true): this { this.m.setIrqLine(line, level); return this; }

  /** The only exception entry recorded (fails loudly if there were none or several). */
  get entry(): Entry {
    if (this.entries.length !== 1) throw new Error(`expected exactly one exception entry, got ${JSON.stringify(this.entries)}`);
    return this.entries[0]!;
  }
}

export function setup(o: SetupOptions): Harness { return new Harness(o); }

/** ESR value EC:IL=1:ISS (Arm ARM D24.2.45). */
export function esrOf(ec: number, iss = 0): number { return ((ec << 26) | (1 << 25) | iss) >>> 0; }
/** SPSR value for an exception taken from `el` with SPSel `sp`, DAIF bits and NZCV. */
export function spsrOf(el: number, sp: number, daif = 0x3c0, nzcv = 0, extra = 0): bigint {
  return BigInt(((nzcv | extra | daif | (el << 2) | sp) >>> 0));
}
