/**
 * Registers by name at the API edge (BigInt values, DESIGN practice 4). Names are case-insensitive:
 *   x0-x30, w0-w30 (low 32 bits; writes zero-extend), xzr/wzr, fp (x29), lr (x30),
 *   sp (the live stack pointer), sp_el0-sp_el3 (banked, whichever is live), pc,
 *   nzcv (bits 31:28), daif (bits 9:6), currentel (EL << 2), spsel, el (0-3),
 *   cpsr / pstate (PSTATE in SPSR form, as GDB's cpsr: NZCV, PAN, SS, IL, DAIF, M[3:0]),
 *   cycles, instructions (read-only counters),
 *   and every system register of the table in state/sysregs.ts by its name (ESR_EL2, SCR_EL3 ...).
 * System registers are read and written the way the debugger sees them: no access checks and no
 * traps, reset-value/RES0/RES1 masks as an MSR would apply them.
 */
import * as L from '../state/layout.js';
import { type CpuState, getPsrFromPstate, packNzcv, restoreSp, saveSp, unpackNzcv } from '../state/cpu-state.js';
import { Rule, SYSREG_TABLE, readSysReg, sysRegHi, writeSysReg } from '../state/sysregs.js';
import { A64elError, fail } from './errors.js';

/** Names of the core registers (not system registers), in GDB's aarch64 order first. */
export const CORE_REGISTER_NAMES: readonly string[] = [
  ...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'cpsr',
  ...Array.from({ length: 31 }, (_, i) => `w${i}`), 'xzr', 'wzr', 'fp', 'lr',
  'sp_el0', 'sp_el1', 'sp_el2', 'sp_el3', 'nzcv', 'daif', 'currentel', 'spsel', 'el', 'pstate', 'cycles', 'instructions',
];

const sysIndex = new Map<string, number>(SYSREG_TABLE.map((r, i) => [r.name.toLowerCase(), i]));

/** Names of the system registers (the sysreg table's spelling). */
export function sysRegNames(): string[] { return SYSREG_TABLE.map((r) => r.name); }

/** Row index of a system register by name (case-insensitive), or -1. */
export function sysRegIndexByName(name: string): number { return sysIndex.get(name.toLowerCase()) ?? -1; }

/** Which bank holds the live SP. */
function liveBank(s: Int32Array): number { return s[L.PSTATE_SP]! ? s[L.PSTATE_EL]! : 0; }

/** Read the system register at table index `idx` (no access checks). */
export function readSysRegByIndex(cpu: CpuState, idx: number): bigint {
  const r = SYSREG_TABLE[idx]!;
  const s = cpu.s;
  if (r.rule === Rule.SpEl0 || r.rule === Rule.SpEl1 || r.rule === Rule.SpEl2) {
    const bank = r.rule === Rule.SpEl0 ? 0 : r.rule === Rule.SpEl1 ? 1 : 2;
    return bank === liveBank(s) ? cpu.get64(L.X + 2 * L.SP_SLOT) : cpu.get64(L.SP_EL + 2 * bank);
  }
  const lo = readSysReg(cpu, idx);
  return (BigInt(sysRegHi >>> 0) << 32n) | BigInt(lo >>> 0);
}

const READ_ONLY_RULES = new Set<Rule>([Rule.ReadOnly, Rule.Const, Rule.CurrentEl, Rule.Counter, Rule.Dczid]);

/** Write the system register at table index `idx` (no access checks; RES0/RES1 applied). */
export function writeSysRegByIndex(cpu: CpuState, idx: number, value: bigint): void {
  const r = SYSREG_TABLE[idx]!;
  const s = cpu.s;
  if (READ_ONLY_RULES.has(r.rule)) fail(A64elError.RegReadOnly, r.name);
  const v = BigInt.asUintN(64, value);
  const lo = Number(v & 0xffffffffn) | 0, hi = Number(v >> 32n) | 0;
  if (r.rule === Rule.SpEl0 || r.rule === Rule.SpEl1 || r.rule === Rule.SpEl2) {
    const bank = r.rule === Rule.SpEl0 ? 0 : r.rule === Rule.SpEl1 ? 1 : 2;
    const off = bank === liveBank(s) ? L.X + 2 * L.SP_SLOT : L.SP_EL + 2 * bank;
    s[off] = lo; s[off + 1] = hi;
    return;
  }
  if ((r.rule === Rule.Midr || r.rule === Rule.Mpidr) && r.off >= 0) { s[r.off] = lo; s[r.off + 1] = hi; return; }
  writeSysReg(cpu, idx, lo, hi);
}

/** Set PSTATE from an SPSR-form value (GDB's cpsr): EL and SPSel move the live SP. */
export function writePstate(cpu: CpuState, v: number): void {
  const s = cpu.s;
  if ((v & 0x10) !== 0) fail(A64elError.ArgInvalid, 'cpsr M[4] = 1 (AArch32) is not supported');
  unpackNzcv(s, v >>> 0);
  s[L.PSTATE_DAIF] = v & 0x3c0;
  s[L.PSTATE_PAN] = (v >>> 22) & 1;
  s[L.PSTATE_SS] = (v >>> 21) & 1;
  s[L.PSTATE_IL] = (v >>> 20) & 1;
  setElSp(cpu, (v >>> 2) & 3, v & 1);
}

/** Change PSTATE.EL / SPSel, banking the live SP (EL0 always uses SP_EL0). */
export function setElSp(cpu: CpuState, el: number, spsel: number): void {
  const s = cpu.s;
  saveSp(s);
  s[L.PSTATE_EL] = el;
  s[L.PSTATE_SP] = el === 0 ? 0 : spsel & 1;
  restoreSp(s);
}

function parseIndex(name: string, prefix: string, max: number): number {
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  if (!/^\d{1,2}$/.test(rest)) return -1;
  const n = Number(rest);
  return n <= max ? n : -1;
}

/** Read a register by name. Throws A64elException(RegInvalid) for an unknown name. */
export function regRead(cpu: CpuState, name: string): bigint {
  const s = cpu.s;
  const n = name.toLowerCase();
  let i = parseIndex(n, 'x', 30);
  if (i >= 0) return cpu.get64(L.X + 2 * i);
  i = parseIndex(n, 'w', 30);
  if (i >= 0) return BigInt(s[L.X + 2 * i]! >>> 0);
  switch (n) {
    case 'xzr': case 'wzr': return 0n;
    case 'fp': return cpu.get64(L.X + 2 * 29);
    case 'lr': return cpu.get64(L.X + 2 * 30);
    case 'sp': return cpu.get64(L.X + 2 * L.SP_SLOT);
    case 'pc': return cpu.get64(L.PC);
    case 'nzcv': return BigInt(packNzcv(s));
    case 'daif': return BigInt(s[L.PSTATE_DAIF]! & 0x3c0);
    case 'currentel': return BigInt(s[L.PSTATE_EL]! << 2);
    case 'spsel': return BigInt(s[L.PSTATE_SP]! & 1);
    case 'el': return BigInt(s[L.PSTATE_EL]!);
    case 'cpsr': case 'pstate': return BigInt(getPsrFromPstate(s));
    case 'cycles': return BigInt(cpu.cycles);
    case 'instructions': return BigInt(cpu.instructions);
    case 'sp_el3': return liveBank(s) === 3 ? cpu.get64(L.X + 2 * L.SP_SLOT) : cpu.get64(L.SP_EL + 6);
  }
  const idx = sysIndex.get(n);
  if (idx !== undefined) return readSysRegByIndex(cpu, idx);
  return fail(A64elError.RegInvalid, name);
}

/** Write a register by name. Throws RegInvalid / RegReadOnly. */
export function regWrite(cpu: CpuState, name: string, value: bigint): void {
  const s = cpu.s;
  const n = name.toLowerCase();
  const v = BigInt.asUintN(64, value);
  let i = parseIndex(n, 'x', 30);
  if (i >= 0) { cpu.set64(L.X + 2 * i, v); return; }
  i = parseIndex(n, 'w', 30);
  if (i >= 0) { cpu.set64(L.X + 2 * i, v & 0xffffffffn); return; }
  switch (n) {
    case 'xzr': case 'wzr': return;
    case 'fp': cpu.set64(L.X + 2 * 29, v); return;
    case 'lr': cpu.set64(L.X + 2 * 30, v); return;
    case 'sp': cpu.set64(L.X + 2 * L.SP_SLOT, v); return;
    case 'pc': cpu.set64(L.PC, v); return;
    case 'nzcv': unpackNzcv(s, Number(v & 0xf0000000n) >>> 0); return;
    case 'daif': s[L.PSTATE_DAIF] = Number(v & 0x3c0n); return;
    case 'spsel': setElSp(cpu, s[L.PSTATE_EL]!, Number(v & 1n)); return;
    case 'el': case 'currentel': {
      const el = n === 'el' ? Number(v) : Number(v >> 2n) & 3;
      if (el > 3 || (s[L.IMPL_ELS]! & (1 << el)) === 0) fail(A64elError.ArgInvalid, `EL${el} is not implemented`);
      setElSp(cpu, el, s[L.PSTATE_SP]!);
      return;
    }
    case 'cpsr': case 'pstate': writePstate(cpu, Number(v & 0xffffffffn)); return;
    case 'cycles': case 'instructions': return fail(A64elError.RegReadOnly, name);
    case 'sp_el3': {
      const off = liveBank(s) === 3 ? L.X + 2 * L.SP_SLOT : L.SP_EL + 6;
      cpu.set64(off, v);
      return;
    }
  }
  const idx = sysIndex.get(n);
  if (idx !== undefined) { writeSysRegByIndex(cpu, idx, v); return; }
  fail(A64elError.RegInvalid, name);
}

