/**
 * Loads and stores (Arm ARM C4.1.94, ASL aarch64/instrs/memory). Addresses are physical (stage 1 is
 * not modelled); every access goes through the bus, whose Device-memory rule makes any unaligned
 * access an Alignment fault. A faulting access raises a Data Abort (exec/raise.ts) before any register
 * is written: destination registers and the writeback base keep their values.
 *
 * Register 31 is SP as the base (Rn) and XZR as data (Rt, Rt2), offset register (Rm) and exclusive
 * status (Rs). With Rn = 31 the SP alignment check (ASL CheckSPAlignment) comes first.
 *
 * CONSTRAINED UNPREDICTABLE choices (Arm ARM K1.2, each an allowed option):
 * - Load with writeback and Rn == Rt (Rn != 31): Constraint_WBSUPPRESS, Rt gets the loaded value,
 *   the base is not written back. Same for a load pair with Rn == Rt or Rn == Rt2.
 * - Store with writeback and Rn == Rt (Rn != 31): Constraint_NONE, the value stored is the base
 *   register's value before the writeback. Same for a store pair.
 * - Load pair with Rt == Rt2, LDXP with Rt == Rt2, STXR with Rs == Rt or Rs == Rn (Rn != 31),
 *   STXP with Rs == Rt/Rt2/Rn: UNDEFINED (decoder.ts Check.*).
 * - Should-be-one Rs/Rt2 fields of LDXR/LDAR/STLR with other values: executed as if all ones.
 *
 * Exclusives (single PE, ASL AArch64.ExclusiveMonitorsPass): LDXR marks the exact address in the
 * local monitor (EXCL_VALID/EXCL_ADDR); STXR first checks alignment (Alignment fault, WnR = 1, even
 * when the monitor would fail), then passes iff the monitor is valid and marks the same address
 * (IMPLEMENTATION DEFINED granule: the exact address; the access size is not compared), clears the
 * monitor whether it passed or not, stores only on a pass, and writes Ws = 0 (pass) or 1 (fail).
 * Ordinary stores do not clear the local monitor (IMPLEMENTATION DEFINED; single PE).
 */
import * as L from '../../state/layout.js';
import { isSecure } from '../../state/cpu-state.js';
import { ESR_SP_ALIGN } from '../../exceptions/syndrome.js';
import { syncTargetEl } from '../../exceptions/routing.js';
import { FAULT_ALIGNMENT } from '../../memory/bus.js';
import * as A from '../alu64.js';
import { type ExecContext, Status } from '../context.js';
import { dataAbort, syncException } from '../raise.js';
import { regSp, regZrWrite } from '../regs.js';

const SP_LO = L.X + 2 * L.SP_SLOT;

/**
 * ASL CheckSPAlignment, called when SP is the base and SP<3:0> != 0: faults when SCTLR_ELx.SA (bit 3)
 * is set, or at EL0 SCTLR_EL1.SA0 (bit 4) (no FEAT_VHE, so EL0 is never "in host").
 */
function spAlignmentFaults(s: Int32Array): boolean {
  const el = s[L.PSTATE_EL]!;
  return el === 0 ? (s[L.SCTLR_EL + 2]! & 0x10) !== 0 : (s[L.SCTLR_EL + 2 * el]! & 0x08) !== 0;
}

/**
 * The base register's state slot (Rn; 31 = the current SP), or -1 when SP is the base, misaligned and
 * checked: then the SP alignment fault (EC 0x26, ISS 0) has been taken, to the EL a synchronous
 * exception from here goes to, and the handler returns Status.Exception with nothing else done.
 * Shared by every load/store family (ops/atomics.ts, ops/fp-simd.ts).
 */
export function baseSlot(ctx: ExecContext, w: number): number {
  const rn = (w >>> 5) & 31;
  if (rn === 31) {
    const s = ctx.cpu.s;
    if ((s[SP_LO]! & 15) !== 0 && spAlignmentFaults(s)) { syncException(ctx.cpu, syncTargetEl(s), ESR_SP_ALIGN); return -1; }
  }
  return regSp(rn);
}

/** Write back base slot `b` = lo:hi + off (|off| < 2^31). */
function writeback(s: Int32Array, b: number, lo: number, hi: number, off: number): void {
  const sum = (lo >>> 0) + off;
  s[b + 1] = sum > 0xffffffff ? (hi + 1) | 0 : sum < 0 ? (hi - 1) | 0 : hi;
  s[b] = sum | 0;
}

/** A load with writeback has Rn == Rt (Rn != 31): Constraint_WBSUPPRESS (file comment). */
function loadOverlap(w: number): boolean {
  const rn = (w >>> 5) & 31;
  return rn === (w & 31) && rn !== 31;
}

/** lo:hi + off: the low half is returned, the high half left in `eaHi`. */
let eaHi = 0;
function offset(lo: number, hi: number, off: number): number {
  const sum = (lo >>> 0) + off;
  eaHi = sum > 0xffffffff ? (hi + 1) | 0 : sum < 0 ? (hi - 1) | 0 : hi;
  return sum | 0;
}

/**
 * The load of a load/store-register instruction at lo:hi: size (bits 31:30) and opc (bits 23:22)
 * select LDRB/LDRH/LDR W/LDR X (zero-extend), LDRSB/LDRSH to X (opc 10) or W (opc 11), LDRSW.
 */
function load(ctx: ExecContext, w: number, lo: number, hi: number): Status {
  const s = ctx.cpu.s, bus = ctx.bus;
  const secure = isSecure(s);
  let vlo: number, vhi: number;
  switch (((w >>> 28) & 0xc) | ((w >>> 22) & 3)) {
    case 0b1101: vlo = bus.read64(lo, hi, secure); vhi = bus.hi; break;
    case 0b1001: vlo = bus.read(lo, hi, 4, secure) | 0; vhi = 0; break;
    case 0b0101: vlo = bus.read(lo, hi, 2, secure); vhi = 0; break;
    case 0b0001: vlo = bus.read(lo, hi, 1, secure); vhi = 0; break;
    case 0b0010: vlo = (bus.read(lo, hi, 1, secure) << 24) >> 24; vhi = vlo >> 31; break;
    case 0b0011: vlo = (bus.read(lo, hi, 1, secure) << 24) >> 24; vhi = 0; break;
    case 0b0110: vlo = (bus.read(lo, hi, 2, secure) << 16) >> 16; vhi = vlo >> 31; break;
    case 0b0111: vlo = (bus.read(lo, hi, 2, secure) << 16) >> 16; vhi = 0; break;
    case 0b1010: vlo = bus.read(lo, hi, 4, secure) | 0; vhi = vlo >> 31; break;
    default: return Status.Undefined;   // unallocated size:opc (no table row reaches here)
  }
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, bus.fault);
  const d = regZrWrite(w & 31);
  s[d] = vlo; s[d + 1] = vhi;
  return Status.Next;
}

/** The store of a load/store-register instruction: STRB/STRH/STR W/STR X by size (Rt = 31 is XZR). */
function store(ctx: ExecContext, w: number, lo: number, hi: number): Status {
  const s = ctx.cpu.s, bus = ctx.bus;
  const secure = isSecure(s);
  const t = (w & 31) << 1;
  const size = w >>> 30;
  if (size === 3) bus.write64(lo, hi, s[t]!, s[t + 1]!, secure);
  else bus.write(lo, hi, 1 << size, s[t]!, secure);
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  return Status.Next;
}

// ---- Load/store register: one handler per addressing mode, loads and stores apart ----

/** LDR* (immediate, unsigned offset): Xn|SP + imm12 << size. */
export function execLdUimm(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const sum = (s[b]! >>> 0) + (((w >>> 10) & 0xfff) << (w >>> 30));
  return load(ctx, w, sum | 0, sum > 0xffffffff ? (s[b + 1]! + 1) | 0 : s[b + 1]!);
}

/** STR* (immediate, unsigned offset). */
export function execStUimm(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const sum = (s[b]! >>> 0) + (((w >>> 10) & 0xfff) << (w >>> 30));
  return store(ctx, w, sum | 0, sum > 0xffffffff ? (s[b + 1]! + 1) | 0 : s[b + 1]!);
}

/** LDUR, LDTR and variants (unscaled / unprivileged: Xn|SP + simm9; with the MMU off unprivileged = ordinary). */
export function execLdUnscaled(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, (w << 11) >> 23);
  return load(ctx, w, lo, eaHi);
}

/** STUR, STTR and variants. */
export function execStUnscaled(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, (w << 11) >> 23);
  return store(ctx, w, lo, eaHi);
}

/** LDR* (immediate, post-index): access at Xn|SP, then Xn|SP += simm9 (suppressed if Rn == Rt). */
export function execLdPost(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = s[b]!, hi = s[b + 1]!;
  const st = load(ctx, w, lo, hi);
  if (st === Status.Next && !loadOverlap(w)) writeback(s, b, lo, hi, (w << 11) >> 23);
  return st;
}

/** STR* (immediate, post-index). */
export function execStPost(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = s[b]!, hi = s[b + 1]!;
  const st = store(ctx, w, lo, hi);
  if (st === Status.Next) writeback(s, b, lo, hi, (w << 11) >> 23);
  return st;
}

/** LDR* (immediate, pre-index): Xn|SP += simm9 first (suppressed if Rn == Rt), access there. */
export function execLdPre(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, (w << 11) >> 23), hi = eaHi;
  const st = load(ctx, w, lo, hi);
  if (st === Status.Next && !loadOverlap(w)) { s[b] = lo; s[b + 1] = hi; }
  return st;
}

/** STR* (immediate, pre-index). */
export function execStPre(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, (w << 11) >> 23), hi = eaHi;
  const st = store(ctx, w, lo, hi);
  if (st === Status.Next) { s[b] = lo; s[b + 1] = hi; }
  return st;
}

/** Register-offset address: Xn|SP + ExtendReg(Rm, option, S ? size : 0); high half in eaHi. */
function regOffsetAddress(s: Int32Array, w: number, b: number): number {
  const m = ((w >>> 16) & 31) << 1;
  const olo = A.extendReg64(s[m]!, s[m + 1]!, (w >>> 13) & 7, ((w >>> 12) & 1) !== 0 ? w >>> 30 : 0);
  const lo = A.add64(s[b]!, s[b + 1]!, olo, A.hi);
  eaHi = A.hi;
  return lo;
}

/** LDR* (register): [Xn|SP, (W|X)m{, extend {#amount}}]. */
export function execLdReg(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const lo = regOffsetAddress(ctx.cpu.s, w, b);
  return load(ctx, w, lo, eaHi);
}

/** STR* (register). */
export function execStReg(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const lo = regOffsetAddress(ctx.cpu.s, w, b);
  return store(ctx, w, lo, eaHi);
}

/** LDR (literal) W/X and LDRSW (literal): PC + imm19 * 4. */
export function execLdrLiteral(ctx: ExecContext, w: number): Status {
  const cpu = ctx.cpu, s = cpu.s, bus = ctx.bus;
  const lo = offset(s[L.PC]!, s[L.PC + 1]!, ((w << 8) >> 13) << 2), hi = eaHi;
  const secure = isSecure(s);
  const opc = w >>> 30;
  let vlo: number, vhi: number;
  if (opc === 1) { vlo = bus.read64(lo, hi, secure); vhi = bus.hi; }
  else { vlo = bus.read(lo, hi, 4, secure) | 0; vhi = opc === 2 ? vlo >> 31 : 0; }
  if (bus.fault !== 0) return dataAbort(cpu, lo, hi, false, bus.fault);
  const d = regZrWrite(w & 31);
  s[d] = vlo; s[d + 1] = vhi;
  return Status.Next;
}

/** PRFM (all forms) and PRFUM: a hint with no architectural effect; it never faults. */
export function execPrefetch(): Status {
  return Status.Next;
}

// ---- Load/store pair ----

/**
 * LDP/LDPSW/LDNP at lo:hi: opc 00 two words, 01 two sign-extended words (LDPSW), 10 two doublewords.
 * Both elements are read before either register is written.
 */
function loadPair(ctx: ExecContext, w: number, lo: number, hi: number): Status {
  const s = ctx.cpu.s, bus = ctx.bus;
  const secure = isSecure(s);
  const opc = w >>> 30;
  let alo: number, ahi: number, blo: number, bhi: number;
  if (opc === 2) {
    alo = bus.read64(lo, hi, secure); ahi = bus.hi;
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, bus.fault);
    const lo2 = offset(lo, hi, 8), hi2 = eaHi;
    blo = bus.read64(lo2, hi2, secure); bhi = bus.hi;
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo2, hi2, false, bus.fault);
  } else {
    alo = bus.read(lo, hi, 4, secure) | 0;
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, bus.fault);
    const lo2 = offset(lo, hi, 4), hi2 = eaHi;
    blo = bus.read(lo2, hi2, 4, secure) | 0;
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo2, hi2, false, bus.fault);
    ahi = opc === 1 ? alo >> 31 : 0; bhi = opc === 1 ? blo >> 31 : 0;
  }
  const d = regZrWrite(w & 31), d2 = regZrWrite((w >>> 10) & 31);
  s[d] = alo; s[d + 1] = ahi;
  s[d2] = blo; s[d2 + 1] = bhi;
  return Status.Next;
}

/**
 * STP/STNP at lo:hi (opc 00 words, 10 doublewords). A pair inside one 4 KiB page faults on its first
 * element or not at all (regions and stage-2 checks are page-granular, alignment is the same for both),
 * so only a pair that crosses a page needs the old first element restored when the second faults.
 */
function storePair(ctx: ExecContext, w: number, lo: number, hi: number): Status {
  const s = ctx.cpu.s, bus = ctx.bus;
  const secure = isSecure(s);
  const t = (w & 31) << 1, t2 = ((w >>> 10) & 31) << 1;
  const is64 = (w >>> 31) !== 0;
  const esize = is64 ? 8 : 4;
  const lo2 = offset(lo, hi, esize), hi2 = eaHi;
  const crosses = ((lo ^ lo2) & ~0xfff) !== 0 || hi !== hi2;
  let olo = 0, ohi = 0;
  if (crosses) {
    if (is64) { olo = bus.read64(lo, hi, secure); ohi = bus.hi; } else olo = bus.read(lo, hi, 4, secure);
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  }
  if (is64) bus.write64(lo, hi, s[t]!, s[t + 1]!, secure); else bus.write(lo, hi, 4, s[t]!, secure);
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  if (is64) bus.write64(lo2, hi2, s[t2]!, s[t2 + 1]!, secure); else bus.write(lo2, hi2, 4, s[t2]!, secure);
  if (bus.fault !== 0) {
    const fault = bus.fault;
    if (is64) bus.write64(lo, hi, olo, ohi, secure); else bus.write(lo, hi, 4, olo, secure);
    return dataAbort(ctx.cpu, lo2, hi2, true, fault);
  }
  return Status.Next;
}

/** imm7 scaled by the element size: 4 bytes for opc 00/01, 8 for opc 10. */
function pairOffset(w: number): number {
  return ((w << 10) >> 25) << (2 + (w >>> 31));
}

/** LDP/LDPSW/LDNP (signed offset). */
export function execLdpOffset(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, pairOffset(w));
  return loadPair(ctx, w, lo, eaHi);
}

/** STP/STNP (signed offset). */
export function execStpOffset(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, pairOffset(w));
  return storePair(ctx, w, lo, eaHi);
}

/** Rn overlaps a data register of a pair (Rn != 31): the CONSTRAINED UNPREDICTABLE writeback case. */
function pairOverlap(w: number): boolean {
  const rn = (w >>> 5) & 31;
  return rn !== 31 && (rn === (w & 31) || rn === ((w >>> 10) & 31));
}

/** LDP/LDPSW (post-index). */
export function execLdpPost(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = s[b]!, hi = s[b + 1]!;
  const st = loadPair(ctx, w, lo, hi);
  if (st === Status.Next && !pairOverlap(w)) writeback(s, b, lo, hi, pairOffset(w));
  return st;
}

/** STP (post-index). */
export function execStpPost(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = s[b]!, hi = s[b + 1]!;
  const st = storePair(ctx, w, lo, hi);
  if (st === Status.Next) writeback(s, b, lo, hi, pairOffset(w));
  return st;
}

/** LDP/LDPSW (pre-index). */
export function execLdpPre(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, pairOffset(w)), hi = eaHi;
  const st = loadPair(ctx, w, lo, hi);
  if (st === Status.Next && !pairOverlap(w)) { s[b] = lo; s[b + 1] = hi; }
  return st;
}

/** STP (pre-index). */
export function execStpPre(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, pairOffset(w)), hi = eaHi;
  const st = storePair(ctx, w, lo, hi);
  if (st === Status.Next) { s[b] = lo; s[b + 1] = hi; }
  return st;
}

// ---- Exclusives, load-acquire, store-release ----

/**
 * LDXR/LDAXR (mark = true: load, then mark the local monitor) and LDAR (mark = false: an ordinary
 * aligned load here; acquire is program order on one PE). B/H/W/X by size.
 */
export function execLdarOrLdxr(ctx: ExecContext, w: number, mark: boolean): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s, bus = ctx.bus;
  const lo = s[b]!, hi = s[b + 1]!;
  const size = w >>> 30;
  const secure = isSecure(s);
  let vlo: number, vhi = 0;
  if (size === 3) { vlo = bus.read64(lo, hi, secure); vhi = bus.hi; } else vlo = bus.read(lo, hi, 1 << size, secure) | 0;
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, bus.fault);
  if (mark) { s[L.EXCL_VALID] = 1; s[L.EXCL_ADDR] = lo; s[L.EXCL_ADDR + 1] = hi; }
  const d = regZrWrite(w & 31);
  s[d] = vlo; s[d + 1] = vhi;
  return Status.Next;
}

/** STLR (B/H/W/X): an ordinary aligned store here. */
export function execStlr(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  return store(ctx, w, s[b]!, s[b + 1]!);
}

/**
 * ASL AArch64.ExclusiveMonitorsPass for an exclusive store of `bytes` at lo:hi: Alignment fault first,
 * then the local monitor, which is cleared either way. Returns 1 (pass), 0 (fail), or -1 when a fault
 * was raised.
 */
function monitorsPass(ctx: ExecContext, lo: number, hi: number, bytes: number): number {
  const s = ctx.cpu.s;
  if ((lo & (bytes - 1)) !== 0) { dataAbort(ctx.cpu, lo, hi, true, FAULT_ALIGNMENT); return -1; }
  const pass = s[L.EXCL_VALID] !== 0 && s[L.EXCL_ADDR] === lo && s[L.EXCL_ADDR + 1] === hi;
  s[L.EXCL_VALID] = 0;
  return pass ? 1 : 0;
}

/** STXR/STLXR (B/H/W/X): store iff the monitor passes; Ws = 0 on success, 1 on failure. */
export function execStxr(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s, bus = ctx.bus;
  const lo = s[b]!, hi = s[b + 1]!;
  const size = w >>> 30;
  const pass = monitorsPass(ctx, lo, hi, 1 << size);
  if (pass < 0) return Status.Exception;
  if (pass === 1) {
    const t = (w & 31) << 1;
    const secure = isSecure(s);
    if (size === 3) bus.write64(lo, hi, s[t]!, s[t + 1]!, secure); else bus.write(lo, hi, 1 << size, s[t]!, secure);
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  }
  const ws = regZrWrite((w >>> 16) & 31);
  s[ws] = pass ^ 1; s[ws + 1] = 0;
  return Status.Next;
}

/** LDXP/LDAXP (32-bit: two words, 8-byte aligned; 64-bit: two doublewords, 16-byte aligned). */
export function execLdxp(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s, bus = ctx.bus;
  const lo = s[b]!, hi = s[b + 1]!;
  const is64 = ((w >>> 30) & 1) !== 0;
  if ((lo & (is64 ? 15 : 7)) !== 0) return dataAbort(ctx.cpu, lo, hi, false, FAULT_ALIGNMENT);
  const secure = isSecure(s);
  let alo: number, ahi = 0, blo: number, bhi = 0;
  if (is64) {
    alo = bus.read64(lo, hi, secure); ahi = bus.hi;
    if (bus.fault === 0) { blo = bus.read64((lo + 8) | 0, hi, secure); bhi = bus.hi; } else blo = 0;
  } else {
    alo = bus.read(lo, hi, 4, secure) | 0;
    blo = bus.fault === 0 ? bus.read((lo + 4) | 0, hi, 4, secure) | 0 : 0;
  }
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, bus.fault);
  s[L.EXCL_VALID] = 1; s[L.EXCL_ADDR] = lo; s[L.EXCL_ADDR + 1] = hi;
  const d = regZrWrite(w & 31), d2 = regZrWrite((w >>> 10) & 31);
  s[d] = alo; s[d + 1] = ahi;
  s[d2] = blo; s[d2 + 1] = bhi;
  return Status.Next;
}

/** STXP/STLXP: Rt at the lower address, Rt2 above it; Ws = 0 on success, 1 on failure. */
export function execStxp(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s, bus = ctx.bus;
  const lo = s[b]!, hi = s[b + 1]!;
  const is64 = ((w >>> 30) & 1) !== 0;
  const pass = monitorsPass(ctx, lo, hi, is64 ? 16 : 8);
  if (pass < 0) return Status.Exception;
  if (pass === 1) {
    const t = (w & 31) << 1, t2 = ((w >>> 10) & 31) << 1;
    const secure = isSecure(s);
    // The block is aligned to its size, so both halves share a page: the second write cannot fault
    // when the first did not.
    if (is64) {
      bus.write64(lo, hi, s[t]!, s[t + 1]!, secure);
      if (bus.fault === 0) bus.write64((lo + 8) | 0, hi, s[t2]!, s[t2 + 1]!, secure);
    } else {
      bus.write(lo, hi, 4, s[t]!, secure);
      if (bus.fault === 0) bus.write((lo + 4) | 0, hi, 4, s[t2]!, secure);
    }
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  }
  const ws = regZrWrite((w >>> 16) & 31);
  s[ws] = pass ^ 1; s[ws + 1] = 0;
  return Status.Next;
}
