/**
 * SIMD&FP: the access traps and the subset firmware uses (Arm ARM C7; ASL aarch64/instrs/memory/
 * single/simdfp, vector/transfer, vector/logical, float/move-fp-imm, ...). The register file lives in
 * the state buffer (state/layout.ts V, FPCR, FPSR): V[n] is 4 words, least significant first.
 *
 * Every handler first runs ASL CheckFPAdvSIMDEnabled64 (exceptions/fp-access.ts), before any other
 * check (SP alignment, memory): a disabled access takes EC 0x07 to EL1, EL2 or EL3 with ELR = the
 * instruction. Words of the SIMD&FP encoding space that no row implements (every FP arithmetic,
 * most of Advanced SIMD) reach `execFpSpaceUnimplemented` through Op.Undefined: they trap like the
 * rest when access is disabled and are UNDEFINED when it is enabled (docs/fidelity.md, known limits).
 *
 * Memory: the MMU is off, so data accesses are Device-nGnRnE and an access not aligned to its size
 * (16 bytes for Q) takes an Alignment fault (Arm ARM B2.5.2); the bus faults the smaller accesses,
 * Q accesses check their 16-byte alignment here. A faulting access writes no register and no base.
 * Hot path: no allocation (values move through locals and the state words).
 */
import * as L from '../../state/layout.js';
import { isSecure } from '../../state/cpu-state.js';
import { ESR_FP_ACCESS, ESR_UNKNOWN } from '../../exceptions/syndrome.js';
import { fpAccessTrapTarget, fpTrapTgeToEl2 } from '../../exceptions/fp-access.js';
import { FAULT_ALIGNMENT } from '../../memory/bus.js';
import * as A from '../alu64.js';
import { type ExecContext, Status } from '../context.js';
import { dataAbort, syncException } from '../raise.js';
import { regZrRead, regZrWrite } from '../regs.js';
import { baseSlot } from './ldst.js';
import { execSysRegMove } from './system.js';

const V0 = L.V;

/**
 * FPCR bits that hold state (the rest RES0): AHP, DN, FZ, RMode, Stride, Len (26:16). FZ16 (bit 19) is
 * RES0: ID_AA64PFR0_EL1.FP = 0 says no FEAT_FP16. No trapped floating-point exceptions (IDE..IOE RES0).
 */
export const FPCR_MASK = 0x07f70000;
/** FPSR bits that hold state: QC (27), IDC (7), IXC, UFC, OFC, DZC, IOC (4:0). N/Z/C/V (31:28) are RES0 without AArch32. */
export const FPSR_MASK = 0x0800009f;

// ---- the access check ----

/**
 * ASL CheckFPAdvSIMDEnabled64: true when SIMD&FP may execute now; otherwise the trap has been taken
 * (EC 0x07 with CV=1 COND=0b1110 to the EL fp-access.ts names; a trap to EL1 from EL0 under
 * HCR_EL2.TGE = 1 goes to EL2 as EC 0x00) and the caller returns Status.Exception.
 */
export function fpEnabled(ctx: ExecContext): boolean {
  const s = ctx.cpu.s;
  const t = fpAccessTrapTarget(s);
  if (t === 0) return true;
  if (t === 1 && fpTrapTgeToEl2(s)) syncException(ctx.cpu, 2, ESR_UNKNOWN);
  else syncException(ctx.cpu, t, ESR_FP_ACCESS);
  return false;
}

/**
 * Whether `w` lies in the SIMD&FP encoding space (Arm ARM C4.1 top-level op0 and C4.1.94 V = 1):
 * data processing op0 = x111; Advanced SIMD load/store multiple/single structures; LDR (literal),
 * load/store pair and load/store register classes with V = 1.
 */
export function inFpSpace(w: number): boolean {
  if ((w & 0x0e000000) === 0x0e000000) return true;             // op0 = x111: scalar FP and Advanced SIMD
  if ((w & 0xbe000000) === 0x0c000000) return true;             // 0x00110x: SIMD load/store structures
  if ((w & 0x3f000000) === 0x1c000000) return true;             // 011100: LDR (literal, SIMD&FP)
  if ((w & 0x3c000000) === 0x2c000000) return true;             // 1011: load/store pair, V = 1
  return (w & 0x3c000000) === 0x3c000000;                       // 1111: load/store register, V = 1
}

/** A word no row decodes: in the SIMD&FP space the access check comes first, then UNDEFINED. */
export function execUnallocated(ctx: ExecContext, w: number): Status {
  if (inFpSpace(w) && !fpEnabled(ctx)) return Status.Exception;
  return Status.Undefined;
}

// ---- register file helpers ----

/** Write V[d] = w0..w3 (the whole register). */
function setV(s: Int32Array, d: number, w0: number, w1: number, w2: number, w3: number): void {
  const b = V0 + 4 * d;
  s[b] = w0; s[b + 1] = w1; s[b + 2] = w2; s[b + 3] = w3;
}

/** lo:hi + off (|off| < 2^31): low half returned, high half in `eaHi`. */
let eaHi = 0;
function offset(lo: number, hi: number, off: number): number {
  const sum = (lo >>> 0) + off;
  eaHi = sum > 0xffffffff ? (hi + 1) | 0 : sum < 0 ? (hi - 1) | 0 : hi;
  return sum | 0;
}

/** The element read by readElem: 4 words, least significant first. */
let e0 = 0, e1 = 0, e2 = 0, e3 = 0;

/** Read `bytes` (1, 2, 4, 8, 16) at lo:hi into e0..e3 (zero-extended). Returns the bus fault value (0 = none). */
function readElem(ctx: ExecContext, bytes: number, lo: number, hi: number, secure: boolean): number {
  const bus = ctx.bus;
  e1 = 0; e2 = 0; e3 = 0;
  switch (bytes) {
    case 1: case 2: case 4: e0 = bus.read(lo, hi, bytes, secure) | 0; break;
    case 8: e0 = bus.read64(lo, hi, secure); e1 = bus.hi; break;
    default:
      if ((lo & 15) !== 0) return FAULT_ALIGNMENT;
      e0 = bus.read64(lo, hi, secure); e1 = bus.hi;
      if (bus.fault === 0) { e2 = bus.read64((lo + 8) | 0, hi, secure); e3 = bus.hi; }
  }
  return bus.fault;
}

/**
 * Load `bytes` at lo:hi into V[t], zero-extended to 128 bits (ASL V[t] = ZeroExtend(data)). Returns
 * Status.Next, or raises the Data Abort (V[t] unchanged).
 */
function loadV(ctx: ExecContext, t: number, bytes: number, lo: number, hi: number): Status {
  const fault = readElem(ctx, bytes, lo, hi, isSecure(ctx.cpu.s));
  if (fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, fault);
  setV(ctx.cpu.s, t, e0, e1, e2, e3);
  return Status.Next;
}

/** Store the low `bytes` of V[t] at lo:hi. A 16-byte store is 16-aligned, so both halves share a page. */
function storeV(ctx: ExecContext, t: number, bytes: number, lo: number, hi: number): Status {
  const bus = ctx.bus, s = ctx.cpu.s;
  const secure = isSecure(s);
  const b = V0 + 4 * t;
  switch (bytes) {
    case 1: case 2: case 4: bus.write(lo, hi, bytes, s[b]!, secure); break;
    case 8: bus.write64(lo, hi, s[b]!, s[b + 1]!, secure); break;
    default:
      if ((lo & 15) !== 0) return dataAbort(ctx.cpu, lo, hi, true, FAULT_ALIGNMENT);
      bus.write64(lo, hi, s[b]!, s[b + 1]!, secure);
      if (bus.fault === 0) bus.write64((lo + 8) | 0, hi, s[b + 2]!, s[b + 3]!, secure);
  }
  if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  return Status.Next;
}

/** Access size log2 of a load/store register (SIMD&FP): opc<1>:size (4 = Q). */
function scaleOf(w: number): number { return (((w >>> 23) & 1) << 2) | (w >>> 30); }

function access(ctx: ExecContext, w: number, lo: number, hi: number): Status {
  const bytes = 1 << scaleOf(w);
  return ((w >>> 22) & 1) !== 0 ? loadV(ctx, w & 31, bytes, lo, hi) : storeV(ctx, w & 31, bytes, lo, hi);
}

// ---- load/store register (SIMD&FP) ----

/** LDR/STR (immediate, SIMD&FP, unsigned offset): Xn|SP + imm12 << scale. */
export function execFpLdstUimm(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const sum = (s[b]! >>> 0) + (((w >>> 10) & 0xfff) * (1 << scaleOf(w)));
  return access(ctx, w, sum | 0, sum > 0xffffffff ? (s[b + 1]! + 1) | 0 : s[b + 1]!);
}

/** LDUR/STUR (SIMD&FP): Xn|SP + simm9. */
export function execFpLdstUnscaled(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, (w << 11) >> 23);
  return access(ctx, w, lo, eaHi);
}

/** LDR/STR (immediate, SIMD&FP, post-index): access at Xn|SP, then Xn|SP += simm9. */
export function execFpLdstPost(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = s[b]!, hi = s[b + 1]!;
  const st = access(ctx, w, lo, hi);
  if (st === Status.Next) { const nlo = offset(lo, hi, (w << 11) >> 23); s[b] = nlo; s[b + 1] = eaHi; }
  return st;
}

/** LDR/STR (immediate, SIMD&FP, pre-index): Xn|SP += simm9, access there. */
export function execFpLdstPre(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, (w << 11) >> 23), hi = eaHi;
  const st = access(ctx, w, lo, hi);
  if (st === Status.Next) { s[b] = lo; s[b + 1] = hi; }
  return st;
}

/** LDR/STR (register, SIMD&FP): Xn|SP + ExtendReg(Rm, option, S ? scale : 0). */
export function execFpLdstReg(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const m = ((w >>> 16) & 31) << 1;
  const olo = A.extendReg64(s[m]!, s[m + 1]!, (w >>> 13) & 7, ((w >>> 12) & 1) !== 0 ? scaleOf(w) : 0);
  const lo = A.add64(s[b]!, s[b + 1]!, olo, A.hi);
  return access(ctx, w, lo, A.hi);
}

/** LDR (literal, SIMD&FP): opc 00 S, 01 D, 10 Q at PC + imm19 * 4. */
export function execFpLdrLiteral(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[L.PC]!, s[L.PC + 1]!, ((w << 8) >> 13) << 2);
  return loadV(ctx, w & 31, 4 << (w >>> 30), lo, eaHi);
}

// ---- load/store pair (SIMD&FP) ----

/** Saved first element of a page-crossing store pair (restored when the second element faults). */
let sv0 = 0, sv1 = 0, sv2 = 0, sv3 = 0;

/** LDP/STP/LDNP/STNP (SIMD&FP) at lo:hi: opc 00 S, 01 D, 10 Q; Rt at the lower address. */
function pair(ctx: ExecContext, w: number, lo: number, hi: number): Status {
  const s = ctx.cpu.s, bus = ctx.bus;
  const secure = isSecure(s);
  const bytes = 4 << (w >>> 30);
  const t = w & 31, t2 = (w >>> 10) & 31;
  const lo2 = offset(lo, hi, bytes), hi2 = eaHi;
  if (((w >>> 22) & 1) !== 0) {
    // Both elements are read before either register is written; the first fault is reported.
    let fault = readElem(ctx, bytes, lo, hi, secure);
    if (fault !== 0) return dataAbort(ctx.cpu, lo, hi, false, fault);
    const a0 = e0, a1 = e1, a2 = e2, a3 = e3;
    fault = readElem(ctx, bytes, lo2, hi2, secure);
    if (fault !== 0) return dataAbort(ctx.cpu, lo2, hi2, false, fault);
    setV(s, t, a0, a1, a2, a3);
    setV(s, t2, e0, e1, e2, e3);
    return Status.Next;
  }
  const crosses = ((lo ^ lo2) & ~0xfff) !== 0 || hi !== hi2;
  if (crosses) {
    // Keep the first element's old bytes, to undo it if the second faults (a faulting instruction
    // leaves memory as it was; within a page both fault or neither does).
    if (bytes === 4) sv0 = bus.read(lo, hi, 4, secure);
    else { sv0 = bus.read64(lo, hi, secure); sv1 = bus.hi; if (bytes === 16 && bus.fault === 0) { sv2 = bus.read64((lo + 8) | 0, hi, secure); sv3 = bus.hi; } }
    if (bus.fault !== 0) return dataAbort(ctx.cpu, lo, hi, true, bus.fault);
  }
  const st = storeV(ctx, t, bytes, lo, hi);
  if (st !== Status.Next) return st;
  if (!crosses) return storeV(ctx, t2, bytes, lo2, hi2);
  // The second element, with the undo of the first on a fault.
  const b = V0 + 4 * t2;
  if (bytes === 4) bus.write(lo2, hi2, 4, s[b]!, secure);
  else if (bytes === 8) bus.write64(lo2, hi2, s[b]!, s[b + 1]!, secure);
  else if ((lo2 & 15) !== 0) bus.fault = FAULT_ALIGNMENT;
  else { bus.write64(lo2, hi2, s[b]!, s[b + 1]!, secure); if (bus.fault === 0) bus.write64((lo2 + 8) | 0, hi2, s[b + 2]!, s[b + 3]!, secure); }
  if (bus.fault !== 0) {
    const fault = bus.fault;
    if (bytes === 4) bus.write(lo, hi, 4, sv0, secure);
    else { bus.write64(lo, hi, sv0, sv1, secure); if (bytes === 16) bus.write64((lo + 8) | 0, hi, sv2, sv3, secure); }
    return dataAbort(ctx.cpu, lo2, hi2, true, fault);
  }
  return Status.Next;
}

/** imm7 scaled by the element size (4 << opc). */
function pairOffset(w: number): number { return ((w << 10) >> 25) * (4 << (w >>> 30)); }

/** LDP/STP/LDNP/STNP (SIMD&FP, signed offset). */
export function execFpPairOffset(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, pairOffset(w));
  return pair(ctx, w, lo, eaHi);
}

/** LDP/STP (SIMD&FP, post-index). */
export function execFpPairPost(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = s[b]!, hi = s[b + 1]!;
  const st = pair(ctx, w, lo, hi);
  if (st === Status.Next) { const nlo = offset(lo, hi, pairOffset(w)); s[b] = nlo; s[b + 1] = eaHi; }
  return st;
}

/** LDP/STP (SIMD&FP, pre-index). */
export function execFpPairPre(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const b = baseSlot(ctx, w);
  if (b < 0) return Status.Exception;
  const s = ctx.cpu.s;
  const lo = offset(s[b]!, s[b + 1]!, pairOffset(w)), hi = eaHi;
  const st = pair(ctx, w, lo, hi);
  if (st === Status.Next) { s[b] = lo; s[b + 1] = hi; }
  return st;
}

// ---- moves ----

/** FMOV (general): sf:ftype:rmode:opcode selects W<-S, S<-W, X<-D, D<-X, X<-V.D[1], V.D[1]<-X. */
export function execFmovGeneral(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const d = w & 31, n = (w >>> 5) & 31;
  const toFp = (w >>> 16) & 1;
  const upper = ((w >>> 19) & 3) === 1;          // rmode 01: V.D[1]
  const sf = w >>> 31;
  if (toFp === 0) {
    const b = V0 + 4 * n + (upper ? 2 : 0);
    const r = regZrWrite(d);
    s[r] = s[b]!; s[r + 1] = sf !== 0 ? s[b + 1]! : 0;
    return Status.Next;
  }
  const r = regZrRead(n);
  const b = V0 + 4 * d;
  if (upper) { s[b + 2] = s[r]!; s[b + 3] = s[r + 1]!; return Status.Next; }   // Vpart[d, 1]: D[0] kept
  setV(s, d, s[r]!, sf !== 0 ? s[r + 1]! : 0, 0, 0);
  return Status.Next;
}

/** FMOV (register): S (ftype 00) or D (01), upper bits of Vd zeroed. */
export function execFmovReg(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const b = V0 + 4 * ((w >>> 5) & 31);
  setV(s, w & 31, s[b]!, ((w >>> 22) & 1) !== 0 ? s[b + 1]! : 0, 0, 0);
  return Status.Next;
}

/** ASL VFPExpandImm(imm8), single precision: exp = NOT(b6):Replicate(b6,5):imm8<5:4>, frac = imm8<3:0>:Zeros(19). */
function vfpImm32(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  const exp = ((b6 ^ 1) << 7) | (b6 ? 0x7c : 0) | ((imm8 >>> 4) & 3);
  return ((imm8 >>> 7) << 31) | (exp << 23) | ((imm8 & 15) << 19);
}

/** ASL VFPExpandImm(imm8), double precision, high word (the low word is 0): exp = NOT(b6):Replicate(b6,8):imm8<5:4>. */
function vfpImm64Hi(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  const exp = ((b6 ^ 1) << 10) | (b6 ? 0x3fc : 0) | ((imm8 >>> 4) & 3);
  return ((imm8 >>> 7) << 31) | (exp << 20) | ((imm8 & 15) << 16);
}

/** FMOV (scalar, immediate): ASL VFPExpandImm(imm8) for S (ftype 00) or D (01). */
export function execFmovImm(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const imm8 = (w >>> 13) & 0xff;
  if (((w >>> 22) & 1) === 0) setV(ctx.cpu.s, w & 31, vfpImm32(imm8), 0, 0, 0);
  else setV(ctx.cpu.s, w & 31, 0, vfpImm64Hi(imm8), 0, 0);
  return Status.Next;
}

/** ASL AdvSIMDExpandImm low/high 32 bits (op, cmode, imm8); cmode 1111 (FMOV) has no row here. */
let immHi = 0;
function expandImm(op: number, cmode: number, imm8: number): number {
  let v: number;
  switch (cmode >>> 1) {
    case 0: v = imm8; break;
    case 1: v = imm8 << 8; break;
    case 2: v = imm8 << 16; break;
    case 3: v = imm8 << 24; break;
    case 4: v = imm8 | (imm8 << 16); break;
    case 5: v = (imm8 << 8) | (imm8 << 24); break;
    case 6: v = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff; break;
    default: {
      if (op === 0) { v = imm8 * 0x01010101; break; }
      // op = 1, cmode = 1110: each bit of imm8 selects a byte of ones (imm8<7> is the top byte)
      let lo = 0, hi = 0;
      for (let i = 0; i < 4; i++) { if ((imm8 >>> i) & 1) lo |= 0xff << (8 * i); if ((imm8 >>> (i + 4)) & 1) hi |= 0xff << (8 * i); }
      immHi = hi;
      return lo;
    }
  }
  immHi = v | 0;
  return v | 0;
}

/** MOVI, MVNI, ORR (vector, immediate), BIC (vector, immediate): Advanced SIMD modified immediate. */
export function execSimdModImm(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const q = (w >>> 30) & 1, op = (w >>> 29) & 1, cmode = (w >>> 12) & 15;
  const imm8 = (((w >>> 16) & 7) << 5) | ((w >>> 5) & 31);
  const lo = expandImm(op, cmode, imm8), hi = immHi;
  const d = w & 31, b = V0 + 4 * d;
  if (cmode === 15) {
    // FMOV (vector, immediate): op 0 single precision (2S/4S), op 1 double precision (2D, Q = 1).
    if (op === 0) { const v = vfpImm32(imm8); setV(s, d, v, v, q ? v : 0, q ? v : 0); }
    else { const h = vfpImm64Hi(imm8); setV(s, d, 0, h, 0, h); }
    return Status.Next;
  }
  const isMove = cmode === 14 || (cmode & 1) === 0 || (cmode & 14) === 12;   // MOVI/MVNI (cmode 110x is MOVI/MVNI MSL)
  if (isMove) {
    const inv = op === 1 && cmode !== 14;   // MVNI; op 1 with cmode 1110 is MOVI (64-bit)
    const l = inv ? ~lo : lo, h = inv ? ~hi : hi;
    setV(s, d, l, h, q ? l : 0, q ? h : 0);
    return Status.Next;
  }
  // ORR (op 0) / BIC (op 1), cmode 0xx1 or 10x1
  if (op === 0) setV(s, d, s[b]! | lo, s[b + 1]! | hi, q ? s[b + 2]! | lo : 0, q ? s[b + 3]! | hi : 0);
  else setV(s, d, s[b]! & ~lo, s[b + 1]! & ~hi, q ? s[b + 2]! & ~lo : 0, q ? s[b + 3]! & ~hi : 0);
  return Status.Next;
}

/** One word of AND/BIC/ORR/ORN (U = 0, size) or EOR/BSL/BIT/BIF (U = 1, size) (ASL vector/logical). */
function logic(sel: number, dv: number, nv: number, mv: number): number {
  switch (sel) {
    case 0: return nv & mv;              // AND
    case 1: return nv & ~mv;             // BIC
    case 2: return nv | mv;              // ORR
    case 3: return nv | ~mv;             // ORN
    case 4: return nv ^ mv;              // EOR
    case 5: return mv ^ ((mv ^ nv) & dv);   // BSL: operand1 = Vm, operand3 = Vd
    case 6: return dv ^ ((dv ^ nv) & mv);   // BIT: operand1 = Vd, operand3 = Vm
    default: return dv ^ ((dv ^ nv) & ~mv); // BIF: operand3 = NOT(Vm)
  }
}

/** AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF (vector): 64 bits (Q = 0, upper half zeroed) or 128. */
export function execSimdLogic(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const sel = (((w >>> 29) & 1) << 2) | ((w >>> 22) & 3);
  const bd = V0 + 4 * (w & 31), bn = V0 + 4 * ((w >>> 5) & 31), bm = V0 + 4 * ((w >>> 16) & 31);
  const r0 = logic(sel, s[bd]!, s[bn]!, s[bm]!), r1 = logic(sel, s[bd + 1]!, s[bn + 1]!, s[bm + 1]!);
  if (((w >>> 30) & 1) === 0) { setV(s, w & 31, r0, r1, 0, 0); return Status.Next; }
  const r2 = logic(sel, s[bd + 2]!, s[bn + 2]!, s[bm + 2]!), r3 = logic(sel, s[bd + 3]!, s[bn + 3]!, s[bm + 3]!);
  setV(s, w & 31, r0, r1, r2, r3);
  return Status.Next;
}

/** Element size log2 in bytes from imm5 (lowest set bit: 0 B, 1 H, 2 S, 3 D). */
function esizeOf(imm5: number): number { return 31 - Math.clz32(imm5 & -imm5); }

/** DUP (general): replicate the low esize bits of Rn over 64 (Q = 0) or 128 bits. */
export function execDupGeneral(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const sz = esizeOf((w >>> 16) & 31);
  const r = regZrRead((w >>> 5) & 31);
  let lo = s[r]!, hi: number;
  if (sz === 0) { lo = (lo & 0xff) * 0x01010101 | 0; hi = lo; }
  else if (sz === 1) { lo = (lo & 0xffff) | (lo << 16); hi = lo; }
  else if (sz === 2) hi = lo;
  else hi = s[r + 1]!;
  const q = (w >>> 30) & 1;
  setV(s, w & 31, lo, hi, q ? lo : 0, q ? hi : 0);
  return Status.Next;
}

/** INS (general): element imm5 of Vd = the low esize bits of Rn; other elements kept. */
export function execInsGeneral(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const imm5 = (w >>> 16) & 31, sz = esizeOf(imm5), idx = imm5 >>> (sz + 1);
  const r = regZrRead((w >>> 5) & 31);
  const b = V0 + 4 * (w & 31);
  if (sz === 3) { s[b + 2 * idx] = s[r]!; s[b + 2 * idx + 1] = s[r + 1]!; return Status.Next; }
  if (sz === 2) { s[b + idx] = s[r]!; return Status.Next; }
  const bits = 8 << sz, perWord = 32 / bits;
  const wi = b + ((idx / perWord) | 0), sh = (idx % perWord) * bits;
  const mask = (bits === 8 ? 0xff : 0xffff) << sh;
  s[wi] = (s[wi]! & ~mask) | ((s[r]! << sh) & mask);
  return Status.Next;
}

/** Element imm5 of V[n] (B/H/S: value; D: low half, high half in `elemHi`). */
let elemHi = 0;
function element(s: Int32Array, n: number, imm5: number, sz: number): number {
  const idx = imm5 >>> (sz + 1);
  const b = V0 + 4 * n;
  if (sz === 3) { elemHi = s[b + 2 * idx + 1]!; return s[b + 2 * idx]!; }
  elemHi = 0;
  if (sz === 2) return s[b + idx]!;
  const bits = 8 << sz, perWord = 32 / bits;
  return (s[b + ((idx / perWord) | 0)]! >>> ((idx % perWord) * bits)) & (bits === 8 ? 0xff : 0xffff);
}

/** Set element idx (size log2 sz: 0 B, 1 H, 2 S, 3 D) of V[d] to lo:hi; the other elements are kept. */
function setElem(s: Int32Array, d: number, idx: number, sz: number, lo: number, hi: number): void {
  const b = V0 + 4 * d;
  if (sz === 3) { s[b + 2 * idx] = lo; s[b + 2 * idx + 1] = hi; return; }
  if (sz === 2) { s[b + idx] = lo; return; }
  const bits = 8 << sz, perWord = 32 / bits;
  const wi = b + ((idx / perWord) | 0), sh = (idx % perWord) * bits;
  const mask = (bits === 8 ? 0xff : 0xffff) << sh;
  s[wi] = (s[wi]! & ~mask) | ((lo << sh) & mask);
}

/** DUP (element, vector): replicate Vn.<T>[index] over 64 (Q = 0) or 128 bits. */
export function execDupElement(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const imm5 = (w >>> 16) & 31, sz = esizeOf(imm5);
  let lo = element(s, (w >>> 5) & 31, imm5, sz), hi = elemHi;
  if (sz === 0) { lo = Math.imul(lo, 0x01010101); hi = lo; }
  else if (sz === 1) { lo = lo | (lo << 16); hi = lo; }
  else if (sz === 2) hi = lo;
  const q = (w >>> 30) & 1;
  setV(s, w & 31, lo, hi, q ? lo : 0, q ? hi : 0);
  return Status.Next;
}

/** INS (element): Vd.<T>[imm5 index] = Vn.<T>[imm4 >> size]; other elements of Vd kept. */
export function execInsElement(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const imm5 = (w >>> 16) & 31, sz = esizeOf(imm5);
  const src = ((w >>> 11) & 15) >>> sz;
  const lo = element(s, (w >>> 5) & 31, src << (sz + 1) | (1 << sz), sz), hi = elemHi;
  setElem(s, w & 31, imm5 >>> (sz + 1), sz, lo, hi);
  return Status.Next;
}

/** Byte i (0..15) of V[n]. */
function vbyte(s: Int32Array, n: number, i: number): number { return (s[V0 + 4 * n + (i >>> 2)]! >>> (8 * (i & 3))) & 0xff; }

/** EXT: bytes imm4.. of Vm:Vn (Vn the low part), 8 (Q = 0) or 16 bytes. Sources are read before Vd is written. */
export function execExt(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const n = (w >>> 5) & 31, m = (w >>> 16) & 31, pos = (w >>> 11) & 15;
  const len = ((w >>> 30) & 1) !== 0 ? 16 : 8;
  let r0 = 0, r1 = 0, r2 = 0, r3 = 0;
  for (let i = 0; i < len; i++) {
    const k = pos + i;
    const byte = k < len ? vbyte(s, n, k) : vbyte(s, m, k - len);
    const sh = 8 * (i & 3);
    switch (i >>> 2) { case 0: r0 |= byte << sh; break; case 1: r1 |= byte << sh; break; case 2: r2 |= byte << sh; break; default: r3 |= byte << sh; }
  }
  setV(s, w & 31, r0, r1, r2, r3);
  return Status.Next;
}

/** One word of lane-wise a + b (sub = false) or a - b (sub = true), lanes of 8 (sz 0), 16 (1) or 32 (2) bits. */
function laneAddSub(a: number, b: number, sz: number, sub: boolean): number {
  if (sz === 2) return sub ? (a - b) | 0 : (a + b) | 0;
  const hi = sz === 0 ? 0x80808080 | 0 : 0x80008000 | 0, lo = ~hi;
  // SWAR: add the low bits of each lane, then fix each lane's top bit without carrying across lanes.
  return sub ? (((a | hi) - (b & lo)) ^ ((a ^ ~b) & hi)) | 0 : (((a & lo) + (b & lo)) ^ ((a ^ b) & hi)) | 0;
}

/** ADD (vector) / SUB (vector) (U = bit 29): lanes B/H/S/D, 64 (Q = 0, upper half zeroed) or 128 bits. */
export function execSimdAddSub(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const sub = ((w >>> 29) & 1) !== 0, sz = (w >>> 22) & 3, q = (w >>> 30) & 1;
  const bn = V0 + 4 * ((w >>> 5) & 31), bm = V0 + 4 * ((w >>> 16) & 31);
  let r0: number, r1: number, r2 = 0, r3 = 0;
  if (sz === 3) {
    r0 = sub ? A.sub64(s[bn]!, s[bn + 1]!, s[bm]!, s[bm + 1]!) : A.add64(s[bn]!, s[bn + 1]!, s[bm]!, s[bm + 1]!); r1 = A.hi | 0;
    r2 = sub ? A.sub64(s[bn + 2]!, s[bn + 3]!, s[bm + 2]!, s[bm + 3]!) : A.add64(s[bn + 2]!, s[bn + 3]!, s[bm + 2]!, s[bm + 3]!); r3 = A.hi | 0;
  } else {
    r0 = laneAddSub(s[bn]!, s[bm]!, sz, sub); r1 = laneAddSub(s[bn + 1]!, s[bm + 1]!, sz, sub);
    if (q) { r2 = laneAddSub(s[bn + 2]!, s[bm + 2]!, sz, sub); r3 = laneAddSub(s[bn + 3]!, s[bm + 3]!, sz, sub); }
  }
  setV(s, w & 31, r0 | 0, r1, r2 | 0, r3);
  return Status.Next;
}

/** UMOV: Wd/Xd = ZeroExtend(Vn.<T>[index]). */
export function execUmov(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const imm5 = (w >>> 16) & 31;
  const v = element(s, (w >>> 5) & 31, imm5, esizeOf(imm5));
  const d = regZrWrite(w & 31);
  s[d] = v; s[d + 1] = elemHi;
  return Status.Next;
}

/** SMOV: Wd (Q = 0) or Xd (Q = 1) = SignExtend(Vn.<T>[index]). */
export function execSmov(ctx: ExecContext, w: number): Status {
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const imm5 = (w >>> 16) & 31, sz = esizeOf(imm5);
  let v = element(s, (w >>> 5) & 31, imm5, sz);
  if (sz === 0) v = (v << 24) >> 24; else if (sz === 1) v = (v << 16) >> 16;
  const d = regZrWrite(w & 31);
  s[d] = v; s[d + 1] = ((w >>> 30) & 1) !== 0 ? v >> 31 : 0;
  return Status.Next;
}

// ---- FPCR / FPSR ----

/** MRS/MSR encodings (bits 20:5 without op2<0>) of FPCR (op2 = 0) and FPSR (op2 = 1): op0 3, op1 3, CRn 4, CRm 4. */
const FP_SYSREG_KEY = (0b11 << 14 | 0b011 << 11 | 4 << 7 | 4 << 3) >>> 1;

/**
 * MRS/MSR: FPCR and FPSR here (their accessibility pseudocode is the SIMD&FP access check, EC 0x07),
 * every other register through the system-register table (ops/system.ts).
 */
export function execMrsMsr(ctx: ExecContext, w: number): Status {
  const key = (w >>> 5) & 0xffff;
  if ((key >>> 1) !== FP_SYSREG_KEY) return execSysRegMove(ctx, w);
  if (!fpEnabled(ctx)) return Status.Exception;
  const s = ctx.cpu.s;
  const off = (key & 1) === 0 ? L.FPCR : L.FPSR;
  const t = w & 31;
  if (((w >>> 21) & 1) !== 0) {
    const d = regZrWrite(t);
    s[d] = s[off]!; s[d + 1] = 0;
  } else {
    s[off] = s[regZrRead(t)]! & (off === L.FPCR ? FPCR_MASK : FPSR_MASK);
  }
  return Status.Next;
}
