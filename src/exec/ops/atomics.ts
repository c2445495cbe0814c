/**
 * Atomic memory operations (FEAT_LSE; Arm ARM C6.2 CAS, CASP, SWP, LDADD/LDCLR/LDEOR/LDSET/LDSMAX/
 * LDSMIN/LDUMAX/LDUMIN and their ST* aliases; ASL MemAtomic, MemAtomicCompareAndSwap). One PE: an
 * atomic is a read then a write with nothing in between, and acquire/release order is program order.
 *
 * Faults (the bus rules of ldst.ts apply: with the MMU off the memory is Device, so an address not
 * aligned to the whole access -- 8 bytes for CASP W, 16 for CASP X -- takes an Alignment fault):
 * a fault on the read is reported with WnR = 0, a fault on the write (a pKVM stage-2 read-only page)
 * with WnR = 1 (ESR_ELx ISS WnR: "the read / the write of the location generated the abort"). Either
 * way the instruction has no effect: no register and no memory is written (memory is written last
 * but one, the destination register last). A CAS whose comparison fails does not write memory, so it
 * takes no write fault (C6.2 CAS: the architecture *permits* writing the value read back; not writing
 * is the other allowed behaviour; docs/fidelity.md).
 *
 * Register 31 is SP as the base and XZR as data (Rs, Rt, and Rs+1/Rt+1 of CASP).
 */
import { isSecure } from '../../state/cpu-state.js';
import { FAULT_ALIGNMENT } from '../../memory/bus.js';
import * as A from '../alu64.js';
import { type ExecContext, Status } from '../context.js';
import { dataAbort } from '../raise.js';
import { regZrRead, regZrWrite } from '../regs.js';
import { baseSlot } from './ldst.js';

/** Read `bytes` (1, 2, 4, 8) zero-extended: low half returned, high half in `rdHi`; bus.fault says whether it failed. */
let rdHi = 0;
function read(ctx: ExecContext, lo: number, hi: number, bytes: number, secure: boolean): number {
  const bus = ctx.bus;
  if (bytes === 8) { const v = bus.read64(lo, hi, secure); rdHi = bus.hi; return v; }
  rdHi = 0;
  return bus.read(lo, hi, bytes, secure) | 0;
}

function write(ctx: ExecContext, lo: number, hi: number, bytes: number, vlo: number, vhi: number, secure: boolean): void {
  if (bytes === 8) ctx.bus.write64(lo, hi, vlo, vhi, secure);
  else ctx.bus.write(lo, hi, bytes, vlo, secure);
}

/** Value truncated to `bytes` (1, 2, 4): the low half; 8: unchanged. */
function trunc(v: number, bytes: number): number {
  return bytes === 1 ? v & 0xff : bytes === 2 ? v & 0xffff : v;
}

/** Sign-extend a `bytes`-wide value (1, 2, 4) to int32. */
function sext(v: number, bytes: number): number {
  return bytes === 1 ? (v << 24) >> 24 : bytes === 2 ? (v << 16) >> 16 : v | 0;
}

/** a < b for `bytes`-wide values, signed or unsigned (a = alo:ahi, b = blo:bhi; the high halves only matter for 8). */
function less(alo: number, ahi: number, blo: number, bhi: number, bytes: number, signed: boolean): boolean {
  if (bytes === 8) {
    if (ahi !== bhi) return signed ? ahi < bhi : (ahi >>> 0) < (bhi >>> 0);
    return (alo >>> 0) < (blo >>> 0);
  }
  return signed ? sext(alo, bytes) < sext(blo, bytes) : (trunc(alo, bytes) >>> 0) < (trunc(blo, bytes) >>> 0);
}

/** Result high half of atomicOp (8-byte accesses). */
let opHi = 0;
/** ASL MemAtomic op on old (olo:ohi) and the register value (slo:shi): opc = o3:opc (0..7; 8 = SWP). */
function atomicOp(opc: number, olo: number, ohi: number, slo: number, shi: number, bytes: number): number {
  let lo: number, hi: number;
  switch (opc) {
    case 0: lo = A.add64(olo, ohi, slo, shi); hi = A.hi; break;          // LDADD
    case 1: lo = olo & ~slo; hi = ohi & ~shi; break;                     // LDCLR
    case 2: lo = olo ^ slo; hi = ohi ^ shi; break;                       // LDEOR
    case 3: lo = olo | slo; hi = ohi | shi; break;                       // LDSET
    case 4: case 5: case 6: case 7: {                                    // LDSMAX, LDSMIN, LDUMAX, LDUMIN
      const signed = opc < 6, max = (opc & 1) === 0;
      const oldLess = less(olo, ohi, slo, shi, bytes, signed);
      const takeS = max ? oldLess : !oldLess && !(olo === slo && (bytes !== 8 || ohi === shi));
      lo = takeS ? slo : olo; hi = takeS ? shi : ohi;
      break;
    }
    default: lo = slo; hi = shi;                                         // SWP
  }
  opHi = bytes === 8 ? hi : 0;
  return trunc(lo, bytes);
}

/** LD<op>/ST<op> (opc 0..7) and SWP (opc 8): Rt = old value, [Xn|SP] = op(old, Rs). */
function memAtomic(ctx: ExecContext, w: number, opc: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s, bus = ctx.bus;
  const secure = isSecure(s);
  const bytes = 1 << (w >>> 30);
  const lo = s[b]!, hi = s[b + 1]!;
  const rs = regZrRead((w >>> 16) & 31);
  const slo = s[rs]!, shi = bytes === 8 ? s[rs + 1]! : 0;
  const olo = read(ctx, lo, hi, bytes, secure), ohi = rdHi;
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, bus.fault);
  const nlo = atomicOp(opc, olo, ohi, slo, shi, bytes);
  write(ctx, lo, hi, bytes, nlo, opHi, secure);
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  const d = regZrWrite(w & 31);
  s[d] = olo; s[d + 1] = ohi;
  return Status.Next;
}

/** LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN (A/L, B/H/W/X), and the ST* aliases. */
export function execLdAtomic(ctx: ExecContext, w: number): Status {
  return memAtomic(ctx, w, (w >>> 12) & 7);
}

/** SWP (A/L, B/H/W/X). */
export function execSwp(ctx: ExecContext, w: number): Status {
  return memAtomic(ctx, w, 8);
}

/** CAS (A/L, B/H/W/X): if [Xn|SP] == Rs then [Xn|SP] = Rt; Rs = the old value. */
export function execCas(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s, bus = ctx.bus;
  const secure = isSecure(s);
  const bytes = 1 << (w >>> 30);
  const lo = s[b]!, hi = s[b + 1]!;
  const rsN = (w >>> 16) & 31;
  const rs = regZrRead(rsN), rt = regZrRead(w & 31);
  const olo = read(ctx, lo, hi, bytes, secure), ohi = rdHi;
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, bus.fault);
  if (olo === trunc(s[rs]!, bytes) && (bytes !== 8 || ohi === s[rs + 1]!)) {
    write(ctx, lo, hi, bytes, s[rt]!, s[rt + 1]!, secure);
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  }
  const d = regZrWrite(rsN);
  s[d] = olo; s[d + 1] = ohi;
  return Status.Next;
}

/**
 * CASP (A/L, W/X): compares the pair Rs:Rs+1 with [Xn|SP] (Rs at the lower address, little-endian),
 * writes Rt:Rt+1 when equal; Rs:Rs+1 = the old pair. The whole pair is one access aligned to its size.
 */
export function execCasp(ctx: ExecContext, w: number): Status {
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s, bus = ctx.bus;
  const secure = isSecure(s);
  const is64 = ((w >>> 30) & 1) !== 0;
  const lo = s[b]!, hi = s[b + 1]!;
  const sN = (w >>> 16) & 31, tN = w & 31;
  const s1 = regZrRead(sN), s2 = regZrRead(sN + 1), t1 = regZrRead(tN), t2 = regZrRead(tN + 1);
  if ((lo & (is64 ? 15 : 7)) !== 0) return dataAbort(ctx.cpu, lo, hi, false, FAULT_ALIGNMENT);
  let alo: number, ahi = 0, blo: number, bhi = 0;
  if (is64) {
    alo = bus.read64(lo, hi, secure); ahi = bus.hi;
    if (bus.fault === 0) { blo = bus.read64((lo + 8) | 0, hi, secure); bhi = bus.hi; } else blo = 0;
  } else {
    alo = bus.read64(lo, hi, secure); blo = bus.hi;
  }
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, bus.fault);
  const equal = is64
    ? alo === s[s1]! && ahi === s[s1 + 1]! && blo === s[s2]! && bhi === s[s2 + 1]!
    : alo === s[s1]! && blo === s[s2]!;
  if (equal) {
    // One aligned block inside a page: the second half cannot fault when the first did not.
    if (is64) {
      bus.write64(lo, hi, s[t1]!, s[t1 + 1]!, secure);
      if (bus.fault === 0) bus.write64((lo + 8) | 0, hi, s[t2]!, s[t2 + 1]!, secure);
    } else bus.write64(lo, hi, s[t1]!, s[t2]!, secure);
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  }
  const d1 = regZrWrite(sN), d2 = regZrWrite(sN + 1);
  s[d1] = alo; s[d1 + 1] = ahi;
  s[d2] = blo; s[d2 + 1] = bhi;
  return Status.Next;
}
