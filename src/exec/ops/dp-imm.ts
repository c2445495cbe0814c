/**
 * Data processing, immediate (Arm ARM C4.1.92): PC-relative addressing, ADD/SUB(S) (immediate),
 * logical (immediate), move wide, bitfield, extract. Decode-time UNDEFINED cases (reserved bitmask
 * immediates, sf/N mismatches, hw<1> with sf = 0) never reach these handlers (decoder.ts checks).
 */
import * as L from '../../state/layout.js';
import * as A from '../alu64.js';
import { Status } from '../context.js';
import { regSp, regZrWrite } from '../regs.js';
import { setNzLogical, setNzcvFromAlu } from './flags.js';

/** Kept for callers of the previous API: copy the last AddWithCarry's flags into NZCV. */
export const setNzcv = setNzcvFromAlu;

/** ADR / ADRP: Xd = PC + imm21, or (PC AND NOT 0xFFF) + imm21 * 4096. Rd = 31 is XZR. */
export function execAdr(s: Int32Array, w: number): Status {
  const d = regZrWrite(w & 31);
  const imm = (((w << 8) >> 13) << 2) | ((w >>> 29) & 3);   // immhi:immlo, sign-extended 21 bits
  let lo: number;
  if ((w >>> 31) === 0) lo = A.add64(s[L.PC]!, s[L.PC + 1]!, imm, imm >> 31);
  else lo = A.add64(s[L.PC]! & ~0xfff, s[L.PC + 1]!, imm << 12, imm >> 20);
  s[d] = lo; s[d + 1] = A.hi;
  return Status.Next;
}

/** ADD/ADDS/SUB/SUBS (immediate): imm12, optionally LSL #12; Rn may be SP; Rd is SP unless S = 1. */
export function execAddSubImm(s: Int32Array, w: number): Status {
  const sf = w >>> 31, sub = (w >>> 30) & 1, setFlags = (w >>> 29) & 1;
  const imm = ((w >>> 10) & 0xfff) << (((w >>> 22) & 1) * 12);
  const n = regSp((w >>> 5) & 31);
  const rd = w & 31;
  if (setFlags === 0) {
    const d = regSp(rd);
    if (sf !== 0) {
      const nlo = s[n]! >>> 0, nhi = s[n + 1]!;
      const r = sub !== 0 ? nlo - imm : nlo + imm;   // exact: |imm| < 2^24
      s[d + 1] = r < 0 ? (nhi - 1) | 0 : r > 0xffffffff ? (nhi + 1) | 0 : nhi;
      s[d] = r | 0;
    } else {
      s[d] = sub !== 0 ? (s[n]! - imm) | 0 : (s[n]! + imm) | 0;
      s[d + 1] = 0;
    }
    return Status.Next;
  }
  // ADDS/SUBS (CMN/CMP): AddWithCarry(Rn, imm or NOT(imm), 0 or 1) with the flags written straight into
  // the NZCV slots. The immediate is non-negative and < 2^24, so its high half (and sign) is 0:
  // C = unsigned carry out, V = (x and y agree in sign, r differs) for ADD, (x and y differ, r differs
  // from x) for SUB, both reduced with sign(y) = 0.
  const d = regZrWrite(rd);
  if (sf !== 0) {
    const xlo = s[n]! >>> 0, xhi = s[n + 1]!;
    let rlo: number, rhi: number;
    if (sub !== 0) {
      const l = xlo - imm;
      rlo = l | 0; rhi = l < 0 ? (xhi - 1) | 0 : xhi;
      s[L.CF] = l < 0 && xhi === 0 ? 0 : 1;
      s[L.VF] = xhi & (xhi ^ rhi);
    } else {
      const l = xlo + imm;
      rlo = l | 0; rhi = l > 0xffffffff ? (xhi + 1) | 0 : xhi;
      s[L.CF] = l > 0xffffffff && xhi === -1 ? 1 : 0;
      s[L.VF] = ~xhi & (xhi ^ rhi);
    }
    s[L.NF] = rhi; s[L.ZF] = rlo | rhi;
    s[d] = rlo; s[d + 1] = rhi;
  } else {
    const x = s[n]! | 0;
    let r: number;
    if (sub !== 0) { const l = (x >>> 0) - imm; r = l | 0; s[L.CF] = l < 0 ? 0 : 1; s[L.VF] = x & (x ^ r); }
    else { const l = (x >>> 0) + imm; r = l | 0; s[L.CF] = l > 0xffffffff ? 1 : 0; s[L.VF] = ~x & (x ^ r); }
    s[L.NF] = r; s[L.ZF] = r;
    s[d] = r; s[d + 1] = 0;
  }
  return Status.Next;
}

/**
 * DecodeBitMasks(N, imms, immr, TRUE, 64).wmask by N:immr:imms (bits 22:10 of the word), filled the
 * first time each value is executed (LOGIMM_SET). Entries of reserved encodings are never used (the
 * decoder rejects them). For N = 0 the element is replicated to 64 bits, so the 32-bit forms use the
 * low half.
 */
const LOGIMM_LO = new Int32Array(8192);
const LOGIMM_HI = new Int32Array(8192);
const LOGIMM_SET = new Uint8Array(8192);

function logImm(k: number): void {
  if (A.decodeBitMasks(k >>> 12, k & 63, (k >>> 6) & 63, true, 64)) { LOGIMM_LO[k] = A.wmaskLo; LOGIMM_HI[k] = A.wmaskHi; }
  LOGIMM_SET[k] = 1;
}

/** AND/ORR/EOR/ANDS (immediate). Rn = 31 is XZR; Rd = 31 is SP, except for ANDS (XZR). */
export function execLogicalImm(s: Int32Array, w: number): Status {
  const k = (w >>> 10) & 0x1fff;
  const n = ((w >>> 5) & 31) << 1;
  const opc = (w >>> 29) & 3;
  const sf = w >>> 31;
  if (LOGIMM_SET[k] === 0) logImm(k);
  const ilo = LOGIMM_LO[k]!, ihi = LOGIMM_HI[k]!;
  const xlo = s[n]!, xhi = s[n + 1]!;
  let lo: number, hi: number;
  switch (opc) {
    case 0: case 3: lo = xlo & ilo; hi = xhi & ihi; break;
    case 1: lo = xlo | ilo; hi = xhi | ihi; break;
    default: lo = xlo ^ ilo; hi = xhi ^ ihi; break;
  }
  if (sf === 0) hi = 0;
  if (opc === 3) {
    const d = regZrWrite(w & 31);
    s[d] = lo; s[d + 1] = hi;
    setNzLogical(s, lo, sf !== 0 ? hi : lo);
  } else {
    const d = regSp(w & 31);
    s[d] = lo; s[d + 1] = hi;
  }
  return Status.Next;
}

/** MOVN/MOVZ/MOVK: imm16 << (hw*16); MOVK keeps the other bits; 32-bit forms zero the top half. */
export function execMoveWide(s: Int32Array, w: number): Status {
  const sf = w >>> 31, opc = (w >>> 29) & 3, hw = (w >>> 21) & 3;
  const imm = (w >>> 5) & 0xffff;
  const d = regZrWrite(w & 31);
  const shift = (hw & 1) * 16;
  let lo: number, hi: number;
  if (opc === 3) {            // MOVK (Rd = 31: the result is discarded, what it read does not matter)
    lo = s[d]!; hi = sf ? s[d + 1]! : 0;
    if (hw < 2) lo = (lo & ~(0xffff << shift)) | (imm << shift);
    else hi = (hi & ~(0xffff << shift)) | (imm << shift);
  } else {
    lo = hw < 2 ? imm << shift : 0;
    hi = hw >= 2 ? imm << shift : 0;
    if (opc === 0) { lo = ~lo; hi = sf ? ~hi : 0; }   // MOVN
  }
  s[d] = lo; s[d + 1] = sf ? hi : 0;
  return Status.Next;
}

/** Ones(k) in the low half (k = 0..64). */
function onesLo(k: number): number { return k >= 32 ? -1 : ((1 << k) - 1) | 0; }
/** Ones(k) in the high half (k = 0..64). */
function onesHi(k: number): number { return k <= 32 ? 0 : k >= 64 ? -1 : ((1 << (k - 32)) - 1) | 0; }

/**
 * SBFM/BFM/UBFM (ASL: bot = (dst AND NOT wmask) OR (ROR(src, R) AND wmask); result =
 * (dst AND NOT tmask) OR (bot AND tmask), sign-filled above for SBFM). Computed in the equivalent
 * two cases: imms >= immr extracts src<imms:immr> to bit 0 (SBFX/UBFX/BFXIL, ASR/LSR), imms < immr
 * inserts src<imms:0> at bit datasize - immr (SBFIZ/UBFIZ/BFI, LSL).
 */
export function execBitfield(s: Int32Array, w: number): Status {
  const opc = (w >>> 29) & 3;
  const r = (w >>> 16) & 63, imms = (w >>> 10) & 63;
  const n = ((w >>> 5) & 31) << 1;
  const d = regZrWrite(w & 31);
  const xlo = s[n]!, xhi = s[n + 1]!;
  let lo: number, hi: number;
  if ((w >>> 31) === 0) {
    let v: number;
    if (imms >= r) {
      const width = imms - r + 1;
      if (opc === 0) v = (xlo << (31 - imms)) >> (31 - imms + r);
      else {
        const m = width >= 32 ? -1 : (1 << width) - 1;
        v = (xlo >>> r) & m;
        if (opc === 1) v = (s[d]! & ~m) | v;
      }
    } else {
      const pos = 32 - r, width = imms + 1;
      if (opc === 0) v = ((xlo << (31 - imms)) >> (31 - imms)) << pos;
      else {
        const m = (((1 << width) - 1) << pos) | 0;
        v = (xlo << pos) & m;
        if (opc === 1) v = (s[d]! & ~m) | v;
      }
    }
    s[d] = v; s[d + 1] = 0;
    return Status.Next;
  }
  if (imms >= r) {
    if (opc === 0) {
      lo = A.lsl64(xlo, xhi, 63 - imms);
      lo = A.asr64(lo, A.hi, 63 - imms + r); hi = A.hi;
    } else {
      const width = imms - r + 1;
      const mlo = onesLo(width), mhi = onesHi(width);
      lo = A.lsr64(xlo, xhi, r) & mlo; hi = A.hi & mhi;
      if (opc === 1) { lo |= s[d]! & ~mlo; hi |= s[d + 1]! & ~mhi; }
    }
  } else {
    const pos = 64 - r;
    if (opc === 0) {
      lo = A.lsl64(xlo, xhi, 63 - imms);
      lo = A.asr64(lo, A.hi, 63 - imms);
      lo = A.lsl64(lo, A.hi, pos); hi = A.hi;
    } else {
      const width = imms + 1;
      const mlo = A.lsl64(onesLo(width), onesHi(width), pos), mhi = A.hi;
      lo = A.lsl64(xlo, xhi, pos) & mlo; hi = A.hi & mhi;
      if (opc === 1) { lo |= s[d]! & ~mlo; hi |= s[d + 1]! & ~mhi; }
    }
  }
  s[d] = lo; s[d + 1] = hi;
  return Status.Next;
}

/** EXTR: (Rn:Rm)<lsb+datasize-1:lsb> (ROR (immediate) when Rn == Rm). */
export function execExtr(s: Int32Array, w: number): Status {
  const m = ((w >>> 16) & 31) << 1, n = ((w >>> 5) & 31) << 1;
  const lsb = (w >>> 10) & 63;
  const d = regZrWrite(w & 31);
  const mlo = s[m]!, mhi = s[m + 1]!, nlo = s[n]!, nhi = s[n + 1]!;
  let lo: number, hi: number;
  if ((w >>> 31) === 0) {
    lo = lsb === 0 ? mlo : (mlo >>> lsb) | (nlo << (32 - lsb));
    hi = 0;
  } else if (lsb === 0) { lo = mlo; hi = mhi; }
  else if (lsb < 32) { lo = (mlo >>> lsb) | (mhi << (32 - lsb)); hi = (mhi >>> lsb) | (nlo << (32 - lsb)); }
  else if (lsb === 32) { lo = mhi; hi = nlo; }
  else { const k = lsb - 32; lo = (mhi >>> k) | (nlo << (32 - k)); hi = (nlo >>> k) | (nhi << (32 - k)); }
  s[d] = lo; s[d + 1] = hi;
  return Status.Next;
}
