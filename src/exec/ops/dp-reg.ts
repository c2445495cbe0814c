/**
 * Data processing, register (Arm ARM C4.1.95): logical and add/subtract (shifted register),
 * add/subtract (extended register), with carry, conditional compare and select, 1-, 2- and
 * 3-source. Register 31 is XZR everywhere except Rn and (non-flag-setting) Rd of the extended-register
 * add/subtract, where it is SP. Decode-time UNDEFINED cases never reach these handlers (decoder.ts).
 */
import * as L from '../../state/layout.js';
import { unpackNzcv } from '../../state/cpu-state.js';
import * as A from '../alu64.js';
import { Status } from '../context.js';
import { regSp, regZrWrite } from '../regs.js';
import { condHolds, setNzLogical, setNzcvFromAlu } from './flags.js';

/** ASL ShiftReg for 64 bits: LSL, LSR, ASR, ROR by amount (0..63). High half in A.hi. */
function shift64(lo: number, hi: number, type: number, amount: number): number {
  switch (type) {
    case 0: return A.lsl64(lo, hi, amount);
    case 1: return A.lsr64(lo, hi, amount);
    case 2: return A.asr64(lo, hi, amount);
    default: return A.ror64(lo, hi, amount);
  }
}

/** ASL ShiftReg for 32 bits (amount 0..31). */
function shift32(x: number, type: number, amount: number): number {
  switch (type) {
    case 0: return x << amount;
    case 1: return (x >>> amount) | 0;
    case 2: return x >> amount;
    default: return A.ror32(x, amount);
  }
}

/** AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register), opc:N in bits 30:29 and 21; ROR allowed. */
export function execLogicalReg(s: Int32Array, w: number): Status {
  const m = ((w >>> 16) & 31) << 1, n = ((w >>> 5) & 31) << 1;
  const d = regZrWrite(w & 31);
  const type = (w >>> 22) & 3, amount = (w >>> 10) & 63;
  const opc = (w >>> 29) & 3;
  if ((w >>> 31) !== 0) {
    let ylo = shift64(s[m]!, s[m + 1]!, type, amount), yhi = A.hi;
    if ((w & (1 << 21)) !== 0) { ylo = ~ylo; yhi = ~yhi; }
    const xlo = s[n]!, xhi = s[n + 1]!;
    let lo: number, hi: number;
    switch (opc) {
      case 1: lo = xlo | ylo; hi = xhi | yhi; break;
      case 2: lo = xlo ^ ylo; hi = xhi ^ yhi; break;
      default: lo = xlo & ylo; hi = xhi & yhi; break;
    }
    s[d] = lo; s[d + 1] = hi;
    if (opc === 3) setNzLogical(s, lo, hi);
  } else {
    let y = shift32(s[m]!, type, amount);
    if ((w & (1 << 21)) !== 0) y = ~y;
    const x = s[n]!;
    const r = opc === 1 ? x | y : opc === 2 ? x ^ y : x & y;
    s[d] = r; s[d + 1] = 0;
    if (opc === 3) setNzLogical(s, r, r);
  }
  return Status.Next;
}

/**
 * Result of ADD/SUB(S) of (xlo:xhi) and (ylo:yhi) into word offset d (64- or 32-bit), flags when S.
 * SUB is x + NOT(y) + 1 (ASL AddWithCarry).
 */
function addSub(s: Int32Array, w: number, d: number, xlo: number, xhi: number, ylo: number, yhi: number): void {
  const sub = (w >>> 30) & 1, setFlags = (w >>> 29) & 1;
  if ((w >>> 31) !== 0) {
    let lo: number;
    if (setFlags === 0) lo = sub !== 0 ? A.sub64(xlo, xhi, ylo, yhi) : A.add64(xlo, xhi, ylo, yhi);
    else lo = sub !== 0 ? A.addWithCarry64(xlo, xhi, ~ylo, ~yhi, 1) : A.addWithCarry64(xlo, xhi, ylo, yhi, 0);
    s[d] = lo; s[d + 1] = A.hi;
  } else {
    let r: number;
    if (setFlags === 0) r = sub !== 0 ? (xlo - ylo) | 0 : (xlo + ylo) | 0;
    else r = sub !== 0 ? A.addWithCarry32(xlo, ~ylo, 1) : A.addWithCarry32(xlo, ylo, 0);
    s[d] = r; s[d + 1] = 0;
  }
  if (setFlags !== 0) setNzcvFromAlu(s);
}

/** ADD/ADDS/SUB/SUBS (shifted register): LSL/LSR/ASR by imm6; all registers XZR at 31. */
export function execAddSubShift(s: Int32Array, w: number): Status {
  const m = ((w >>> 16) & 31) << 1, n = ((w >>> 5) & 31) << 1;
  const type = (w >>> 22) & 3, amount = (w >>> 10) & 63;
  const d = regZrWrite(w & 31);
  if ((w >>> 31) !== 0) {
    const ylo = shift64(s[m]!, s[m + 1]!, type, amount);
    addSub(s, w, d, s[n]!, s[n + 1]!, ylo, A.hi);
  } else {
    addSub(s, w, d, s[n]!, 0, shift32(s[m]!, type, amount), 0);
  }
  return Status.Next;
}

/**
 * ADD/ADDS/SUB/SUBS (extended register): Rm extended by option (UXTB..SXTX) and shifted left by
 * imm3 (0..4). Rn = 31 is SP; Rd = 31 is SP for ADD/SUB and XZR for ADDS/SUBS; Rm = 31 is XZR.
 */
export function execAddSubExt(s: Int32Array, w: number): Status {
  const m = ((w >>> 16) & 31) << 1;
  const n = regSp((w >>> 5) & 31);
  const option = (w >>> 13) & 7, amount = (w >>> 10) & 7;
  const d = ((w >>> 29) & 1) !== 0 ? regZrWrite(w & 31) : regSp(w & 31);
  if ((w >>> 31) !== 0) {
    const ylo = A.extendReg64(s[m]!, s[m + 1]!, option, amount);
    addSub(s, w, d, s[n]!, s[n + 1]!, ylo, A.hi);
  } else {
    addSub(s, w, d, s[n]!, 0, A.extendReg32(s[m]!, option, amount), 0);
  }
  return Status.Next;
}

/** ADC/ADCS/SBC/SBCS: Rn + Rm + C, or Rn + NOT(Rm) + C. */
export function execAddSubCarry(s: Int32Array, w: number): Status {
  const m = ((w >>> 16) & 31) << 1, n = ((w >>> 5) & 31) << 1;
  const d = regZrWrite(w & 31);
  const sub = (w >>> 30) & 1, setFlags = (w >>> 29) & 1;
  const c = s[L.CF]! & 1;
  if ((w >>> 31) !== 0) {
    const ylo = sub !== 0 ? ~s[m]! : s[m]!, yhi = sub !== 0 ? ~s[m + 1]! : s[m + 1]!;
    const lo = A.addWithCarry64(s[n]!, s[n + 1]!, ylo, yhi, c);
    s[d] = lo; s[d + 1] = A.hi;
  } else {
    const r = A.addWithCarry32(s[n]!, sub !== 0 ? ~s[m]! : s[m]!, c);
    s[d] = r; s[d + 1] = 0;
  }
  if (setFlags !== 0) setNzcvFromAlu(s);
  return Status.Next;
}

/**
 * CCMN/CCMP (register and immediate): if ConditionHolds(cond), NZCV = flags of Rn + y (CCMN) or
 * Rn - y (CCMP), y = Rm or imm5; otherwise NZCV = the nzcv immediate.
 */
export function execCondCompare(s: Int32Array, w: number): Status {
  if (!condHolds(s, (w >>> 12) & 15)) { unpackNzcv(s, (w & 15) << 28); return Status.Next; }
  const n = ((w >>> 5) & 31) << 1;
  const sub = (w >>> 30) & 1;
  let ylo: number, yhi: number;
  if ((w & (1 << 11)) !== 0) { ylo = (w >>> 16) & 31; yhi = 0; }
  else { const m = ((w >>> 16) & 31) << 1; ylo = s[m]!; yhi = s[m + 1]!; }
  if ((w >>> 31) !== 0) {
    if (sub !== 0) A.addWithCarry64(s[n]!, s[n + 1]!, ~ylo, ~yhi, 1);
    else A.addWithCarry64(s[n]!, s[n + 1]!, ylo, yhi, 0);
  } else if (sub !== 0) A.addWithCarry32(s[n]!, ~ylo, 1);
  else A.addWithCarry32(s[n]!, ylo, 0);
  setNzcvFromAlu(s);
  return Status.Next;
}

/** CSEL/CSINC/CSINV/CSNEG: Rd = cond ? Rn : f(Rm), f = identity, +1, NOT, negate. */
export function execCondSelect(s: Int32Array, w: number): Status {
  const m = ((w >>> 16) & 31) << 1, n = ((w >>> 5) & 31) << 1;
  const d = regZrWrite(w & 31);
  const sf = w >>> 31;
  let lo: number, hi: number;
  if (condHolds(s, (w >>> 12) & 15)) { lo = s[n]!; hi = s[n + 1]!; }
  else {
    lo = s[m]!; hi = s[m + 1]!;
    const inv = (w >>> 30) & 1, inc = (w >>> 10) & 1;
    if (inv !== 0) { lo = ~lo; hi = ~hi; }
    if (inc !== 0) { lo = (lo + 1) | 0; if (lo === 0) hi = (hi + 1) | 0; }   // CSINC: +1; CSNEG: NOT + 1
  }
  s[d] = lo; s[d + 1] = sf !== 0 ? hi : 0;
  return Status.Next;
}

/**
 * Data-processing (3 source): MADD/MSUB (Ra +/- Rn * Rm, low 64 or 32 bits), SMADDL/SMSUBL/UMADDL/
 * UMSUBL (Xa +/- Wn * Wm widened), SMULH/UMULH (bits 127:64 of Xn * Xm).
 */
export function execMulAdd(s: Int32Array, w: number): Status {
  const m = ((w >>> 16) & 31) << 1, n = ((w >>> 5) & 31) << 1, a = ((w >>> 10) & 31) << 1;
  const d = regZrWrite(w & 31);
  const sub = (w >>> 15) & 1;
  let plo: number, phi: number;
  switch ((w >>> 21) & 7) {
    case 0:   // MADD/MSUB
      if ((w >>> 31) === 0) {
        const p = Math.imul(s[n]!, s[m]!);
        s[d] = sub !== 0 ? (s[a]! - p) | 0 : (s[a]! + p) | 0; s[d + 1] = 0;
        return Status.Next;
      }
      plo = A.mul64(s[n]!, s[n + 1]!, s[m]!, s[m + 1]!); phi = A.hi;
      break;
    case 1: plo = A.smull32(s[n]!, s[m]!); phi = A.hi; break;    // SMADDL/SMSUBL
    case 5: plo = A.umull32(s[n]!, s[m]!); phi = A.hi; break;    // UMADDL/UMSUBL
    case 2: plo = A.smulh64(s[n]!, s[n + 1]!, s[m]!, s[m + 1]!); s[d] = plo; s[d + 1] = A.hi; return Status.Next;
    default: plo = A.umulh64(s[n]!, s[n + 1]!, s[m]!, s[m + 1]!); s[d] = plo; s[d + 1] = A.hi; return Status.Next;
  }
  const lo = sub !== 0 ? A.sub64(s[a]!, s[a + 1]!, plo, phi) : A.add64(s[a]!, s[a + 1]!, plo, phi);
  s[d] = lo; s[d + 1] = A.hi;
  return Status.Next;
}

/** Data-processing (2 source): UDIV, SDIV (x / 0 = 0), LSLV/LSRV/ASRV/RORV (amount = Rm MOD datasize). */
export function execDataProc2(s: Int32Array, w: number): Status {
  const m = ((w >>> 16) & 31) << 1, n = ((w >>> 5) & 31) << 1;
  const d = regZrWrite(w & 31);
  const opcode = (w >>> 10) & 63;
  let lo: number, hi: number;
  if ((w >>> 31) !== 0) {
    switch (opcode) {
      case 2: lo = A.udiv64(s[n]!, s[n + 1]!, s[m]!, s[m + 1]!); break;
      case 3: lo = A.sdiv64(s[n]!, s[n + 1]!, s[m]!, s[m + 1]!); break;
      default: lo = shift64(s[n]!, s[n + 1]!, opcode & 3, s[m]! & 63); break;
    }
    hi = A.hi;
  } else {
    switch (opcode) {
      case 2: lo = A.udiv32(s[n]!, s[m]!); break;
      case 3: lo = A.sdiv32(s[n]!, s[m]!); break;
      default: lo = shift32(s[n]!, opcode & 3, s[m]! & 31); break;
    }
    hi = 0;
  }
  s[d] = lo; s[d + 1] = hi;
  return Status.Next;
}

/** Data-processing (1 source): RBIT, REV16, REV32, REV, CLZ, CLS. */
export function execDataProc1(s: Int32Array, w: number): Status {
  const n = ((w >>> 5) & 31) << 1;
  const d = regZrWrite(w & 31);
  const x = s[n]!;
  let lo: number, hi: number;
  if ((w >>> 31) !== 0) {
    const xh = s[n + 1]!;
    switch ((w >>> 10) & 7) {
      case 0: lo = A.rbit64(x, xh); hi = A.hi; break;
      case 1: lo = A.rev16_64(x, xh); hi = A.hi; break;
      case 2: lo = A.rev32_64(x, xh); hi = A.hi; break;
      case 3: lo = A.rev64(x, xh); hi = A.hi; break;
      case 4: lo = A.clz64(x, xh); hi = 0; break;
      default: lo = A.cls64(x, xh); hi = 0; break;
    }
  } else {
    switch ((w >>> 10) & 7) {
      case 0: lo = A.rbit32(x); break;
      case 1: lo = A.rev16_32(x); break;
      case 2: lo = A.rev32(x); break;
      case 4: lo = A.clz32(x); break;
      default: lo = A.cls32(x); break;
    }
    hi = 0;
  }
  s[d] = lo; s[d + 1] = hi;
  return Status.Next;
}
