/**
 * 64-bit integer arithmetic for the A64 interpreter, on 32-bit halves.
 *
 * Representation: a 64-bit value is a pair (lo, hi) of JS numbers, each the
 * 32-bit half in int32 form (`x | 0`). Inputs may also be given in uint32 form
 * (`x >>> 0`); every result is returned in int32 form (never -0).
 *
 * Calling convention (hot path, no allocation): a function returns the low
 * half of its result and stores the high half in the exported live binding
 * `hi`; the *WithCarry functions also store NZCV in `flagN`..`flagV`.
 * Callers must read those bindings immediately after the call, before
 * calling anything else in this module.
 *
 * Function names and semantics follow the Arm ASL (Arm ARM, DDI 0487,
 * shared pseudocode J1 and the A64 instruction pseudocode) where one exists.
 */

/** High half (int32 form) of the last 64-bit result. */
export let hi = 0;
/** NZCV from the last addWithCarry32/addWithCarry64 call, each 0 or 1. */
export let flagN = 0;
export let flagZ = 0;
export let flagC = 0;
export let flagV = 0;

/** Results of the last successful decodeBitMasks call (int32 halves). */
export let wmaskLo = 0;
export let wmaskHi = 0;
export let tmaskLo = 0;
export let tmaskHi = 0;

const TWO32 = 4294967296;

// ---------------------------------------------------------------------------
// Add / subtract
// ---------------------------------------------------------------------------

/**
 * ASL AddWithCarry(x, y, carry_in) for N = 64:
 *   unsigned_sum = UInt(x) + UInt(y) + UInt(carry_in);
 *   signed_sum   = SInt(x) + SInt(y) + UInt(carry_in);
 *   result = unsigned_sum<N-1:0>;
 *   n = result<N-1>; z = IsZero(result);
 *   c = UInt(result) == unsigned_sum ? '0' : '1';
 *   v = SInt(result) == signed_sum ? '0' : '1';
 * SUB/SUBS/CMP pass (NOT(y), 1); SBC passes (NOT(y), C).
 * carryIn must be 0 or 1. Returns result low half; high half in `hi`.
 */
export function addWithCarry64(alo: number, ahi: number, blo: number, bhi: number, carryIn: number): number {
  const l = (alo >>> 0) + (blo >>> 0) + carryIn; // < 2^33, exact
  const h = (ahi >>> 0) + (bhi >>> 0) + (l > 0xffffffff ? 1 : 0);
  const rlo = l | 0;
  const rhi = h | 0;
  hi = rhi;
  flagN = rhi >>> 31;
  flagZ = (rlo | rhi) === 0 ? 1 : 0;
  flagC = h > 0xffffffff ? 1 : 0;
  // Signed overflow: operands have the same sign and the result's differs.
  flagV = (~(ahi ^ bhi) & (ahi ^ rhi)) >>> 31;
  return rlo;
}

/** ASL AddWithCarry(x, y, carry_in) for N = 32. Returns the int32 result; sets NZCV (not `hi`). */
export function addWithCarry32(a: number, b: number, carryIn: number): number {
  const s = (a >>> 0) + (b >>> 0) + carryIn; // < 2^33, exact
  const r = s | 0;
  flagN = r >>> 31;
  flagZ = r === 0 ? 1 : 0;
  flagC = s > 0xffffffff ? 1 : 0;
  flagV = (~(a ^ b) & (a ^ r)) >>> 31;
  return r;
}

/** 64-bit x + y modulo 2^64, flags untouched (ADD without S). High half in `hi`. */
export function add64(alo: number, ahi: number, blo: number, bhi: number): number {
  const l = (alo >>> 0) + (blo >>> 0);
  hi = (ahi + bhi + (l > 0xffffffff ? 1 : 0)) | 0;
  return l | 0;
}

/** 64-bit x - y modulo 2^64, flags untouched (SUB without S). High half in `hi`. */
export function sub64(alo: number, ahi: number, blo: number, bhi: number): number {
  const l = (alo >>> 0) - (blo >>> 0);
  hi = (ahi - bhi - (l < 0 ? 1 : 0)) | 0;
  return l | 0;
}

/** 64-bit two's-complement negation (NEG without S). High half in `hi`. */
export function neg64(xlo: number, xhi: number): number {
  const lo = -xlo | 0;
  hi = (~xhi + (lo === 0 ? 1 : 0)) | 0;
  return lo;
}

// ---------------------------------------------------------------------------
// Shifts and rotates (ASL LSL, LSR, ASR, ROR with shift in 0..N-1)
// ---------------------------------------------------------------------------

/** ASL LSL(x, shift) for N = 64; shift is taken modulo 64. High half in `hi`. */
export function lsl64(xlo: number, xhi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    hi = xhi | 0;
    return xlo | 0;
  }
  if (n < 32) {
    hi = (xhi << n) | (xlo >>> (32 - n));
    return xlo << n;
  }
  hi = xlo << (n - 32);
  return 0;
}

/** ASL LSR(x, shift) for N = 64; shift is taken modulo 64. High half in `hi`. */
export function lsr64(xlo: number, xhi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    hi = xhi | 0;
    return xlo | 0;
  }
  if (n < 32) {
    hi = (xhi >>> n) | 0;
    return (xlo >>> n) | (xhi << (32 - n));
  }
  hi = 0;
  return (xhi >>> (n - 32)) | 0;
}

/** ASL ASR(x, shift) for N = 64; shift is taken modulo 64. High half in `hi`. */
export function asr64(xlo: number, xhi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    hi = xhi | 0;
    return xlo | 0;
  }
  if (n < 32) {
    hi = xhi >> n;
    return (xlo >>> n) | (xhi << (32 - n));
  }
  hi = xhi >> 31;
  return xhi >> (n - 32);
}

/** ASL ROR(x, shift) for N = 64; shift is taken modulo 64. High half in `hi`. */
export function ror64(xlo: number, xhi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    hi = xhi | 0;
    return xlo | 0;
  }
  if (n === 32) {
    hi = xlo | 0;
    return xhi | 0;
  }
  if (n < 32) {
    hi = (xhi >>> n) | (xlo << (32 - n));
    return (xlo >>> n) | (xhi << (32 - n));
  }
  const m = n - 32;
  hi = (xlo >>> m) | (xhi << (32 - m));
  return (xhi >>> m) | (xlo << (32 - m));
}

/** ASL ROR(x, shift) for N = 32; shift is taken modulo 32. Returns int32. */
export function ror32(x: number, n: number): number {
  n &= 31;
  // For n = 0 both terms are x (JS shift counts are mod 32), so the OR is x.
  return (x >>> n) | (x << (32 - n));
}

// ---------------------------------------------------------------------------
// Multiplication (ASL MADD/MSUB, SMULH/UMULH, SMADDL/UMADDL)
// ---------------------------------------------------------------------------

/** High 32 bits of the unsigned 32x32 -> 64 product, int32 form. */
function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1; // each partial product < 2^32: exact
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/**
 * Low 64 bits of x * y (the product term of ASL MADD/MSUB/MUL:
 * result = UInt(operand3) + UInt(operand1) * UInt(operand2), truncated to 64).
 * Signedness does not matter for the low half. High half in `hi`.
 */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): number {
  const lo = Math.imul(alo, blo);
  // Cross terms only contribute their low 32 bits to the high half.
  hi = (mulhu32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  return lo;
}

/**
 * ASL UMULH: result = UInt(operand1) * UInt(operand2); X[d] = result<127:64>.
 * Returns the low half of result<127:64>; its high half in `hi`.
 */
export function umulh64(alo: number, ahi: number, blo: number, bhi: number): number {
  // Schoolbook on 32-bit limbs; word sums stay < 2^35, exact in doubles.
  const p00h = mulhu32(alo, blo) >>> 0;
  const p01l = Math.imul(alo, bhi) >>> 0;
  const p01h = mulhu32(alo, bhi) >>> 0;
  const p10l = Math.imul(ahi, blo) >>> 0;
  const p10h = mulhu32(ahi, blo) >>> 0;
  const p11l = Math.imul(ahi, bhi) >>> 0;
  const p11h = mulhu32(ahi, bhi) >>> 0;
  const w1 = p00h + p01l + p10l;
  const w2 = p01h + p10h + p11l + ((w1 / TWO32) | 0);
  hi = (p11h + ((w2 / TWO32) | 0)) | 0;
  return w2 | 0;
}

/**
 * ASL SMULH: result = SInt(operand1) * SInt(operand2); X[d] = result<127:64>.
 * Computed from the unsigned high product: for two's-complement operands,
 * hi_s = hi_u - (x < 0 ? y : 0) - (y < 0 ? x : 0)  (mod 2^64).
 * Returns the low half; high half in `hi`.
 */
export function smulh64(alo: number, ahi: number, blo: number, bhi: number): number {
  let rlo = umulh64(alo, ahi, blo, bhi);
  let rhi = hi;
  if ((ahi | 0) < 0) {
    const l = (rlo >>> 0) - (blo >>> 0);
    rhi = (rhi - bhi - (l < 0 ? 1 : 0)) | 0;
    rlo = l | 0;
  }
  if ((bhi | 0) < 0) {
    const l = (rlo >>> 0) - (alo >>> 0);
    rhi = (rhi - ahi - (l < 0 ? 1 : 0)) | 0;
    rlo = l | 0;
  }
  hi = rhi;
  return rlo;
}

/** Unsigned 32x32 -> 64 product (product term of ASL UMADDL/UMULL). High half in `hi`. */
export function umull32(a: number, b: number): number {
  hi = mulhu32(a, b);
  return Math.imul(a, b);
}

/** Signed 32x32 -> 64 product (product term of ASL SMADDL/SMULL). High half in `hi`. */
export function smull32(a: number, b: number): number {
  hi = (mulhu32(a, b) - ((a | 0) < 0 ? b >>> 0 : 0) - ((b | 0) < 0 ? a >>> 0 : 0)) | 0;
  return Math.imul(a, b);
}

// ---------------------------------------------------------------------------
// Division (ASL UDIV/SDIV):
//   if IsZero(operand2) then result = 0;
//   else result = RoundTowardsZero(Real(Int(operand1, unsigned)) / Real(Int(operand2, unsigned)));
// ---------------------------------------------------------------------------

/** ASL UDIV for datasize 64. Quotient low half returned; high half in `hi`. */
export function udiv64(alo: number, ahi: number, blo: number, bhi: number): number {
  const al = alo >>> 0;
  const ah = ahi >>> 0;
  const bl = blo >>> 0;
  const bh = bhi >>> 0;
  if (bh === 0 && bl === 0) {
    hi = 0;
    return 0;
  }
  if (ah < 0x200000) {
    // Dividend < 2^53: both exact as doubles (or divisor > dividend, giving 0),
    // and floor(fl(a / b)) == floor(a / b) for integers below 2^53.
    const q = Math.floor((ah * TWO32 + al) / (bh * TWO32 + bl));
    hi = (q / TWO32) | 0;
    return q | 0;
  }
  if (bh === 0) {
    // 64 / 32: long division in base 2^16 keeps every step below 2^48.
    const qh = Math.floor(ah / bl);
    let r = ah - qh * bl;
    let t = r * 65536 + (al >>> 16);
    const q1 = Math.floor(t / bl);
    r = t - q1 * bl;
    t = r * 65536 + (al & 0xffff);
    const q0 = Math.floor(t / bl);
    hi = qh | 0;
    return (q1 * 65536 + q0) | 0;
  }
  // Divisor >= 2^32, so the quotient is < 2^32. The double estimate is within
  // +-1 of the true quotient; start one below it (never above the truth), then
  // step up while the remainder is still >= divisor (at most twice).
  let q = Math.floor((ah * TWO32 + al) / (bh * TWO32 + bl)) - 1;
  if (q < 0) q = 0;
  const pl = mul64(q, 0, bl, bh) >>> 0; // q * b <= a < 2^64: exact
  const ph = hi >>> 0;
  let rl = al - pl;
  let rh = ah - ph;
  if (rl < 0) {
    rl += TWO32;
    rh -= 1;
  }
  while (rh > bh || (rh === bh && rl >= bl)) {
    rl -= bl;
    rh -= bh;
    if (rl < 0) {
      rl += TWO32;
      rh -= 1;
    }
    q++;
  }
  hi = 0;
  return q | 0;
}

/**
 * ASL SDIV for datasize 64 (rounds toward zero; x / 0 = 0;
 * INT64_MIN / -1 = INT64_MIN by wrap-around). Quotient low half; high in `hi`.
 */
export function sdiv64(alo: number, ahi: number, blo: number, bhi: number): number {
  if ((blo | bhi) === 0) {
    hi = 0;
    return 0;
  }
  const negate = (ahi ^ bhi) < 0;
  if ((ahi | 0) < 0) {
    alo = -alo | 0;
    ahi = ~ahi + (alo === 0 ? 1 : 0);
  }
  if ((bhi | 0) < 0) {
    blo = -blo | 0;
    bhi = ~bhi + (blo === 0 ? 1 : 0);
  }
  // Magnitudes as unsigned (INT64_MIN stays 2^63 when read unsigned).
  let ql = udiv64(alo, ahi, blo, bhi);
  let qh = hi;
  if (negate) {
    ql = -ql | 0;
    qh = (~qh + (ql === 0 ? 1 : 0)) | 0;
  }
  hi = qh;
  return ql;
}

/** ASL UDIV for datasize 32. Returns int32. */
export function udiv32(a: number, b: number): number {
  // x/0 -> Infinity or NaN, both ToInt32 to 0; the quotient is < 2^32 and
  // exact under truncation since both operands are below 2^53.
  return ((a >>> 0) / (b >>> 0)) | 0;
}

/** ASL SDIV for datasize 32. Returns int32. */
export function sdiv32(a: number, b: number): number {
  // `| 0` truncates toward zero; x/0 -> 0; INT32_MIN / -1 = 2^31 wraps to INT32_MIN.
  return ((a | 0) / (b | 0)) | 0;
}

// ---------------------------------------------------------------------------
// Bit counting (ASL CountLeadingZeroBits, CountLeadingSignBits)
// ---------------------------------------------------------------------------

/** ASL CountLeadingZeroBits for N = 64. Returns the count only (0..64); `hi` untouched. */
export function clz64(xlo: number, xhi: number): number {
  return xhi !== 0 ? Math.clz32(xhi) : 32 + Math.clz32(xlo);
}

/**
 * ASL CountLeadingSignBits(x) = CountLeadingZeroBits(x<N-1:1> EOR x<N-2:0>)
 * for N = 64: count of bits below the sign bit equal to it (0..63); `hi` untouched.
 */
export function cls64(xlo: number, xhi: number): number {
  // y = x EOR ASR(x, 1) has bit 63 clear and bits 62..0 = x<63:1> EOR x<62:0>.
  const yhi = xhi ^ (xhi >> 1);
  if (yhi !== 0) return Math.clz32(yhi) - 1;
  return 31 + Math.clz32(xlo ^ ((xlo >>> 1) | (xhi << 31)));
}

/** ASL CountLeadingZeroBits for N = 32 (0..32). */
export function clz32(x: number): number {
  return Math.clz32(x);
}

/** ASL CountLeadingSignBits for N = 32 (0..31). */
export function cls32(x: number): number {
  return Math.clz32(x ^ (x >> 1)) - 1;
}

// ---------------------------------------------------------------------------
// Bit and byte reversal (ASL RBIT: BitReverse; REV/REV16/REV32: Reverse of
// bytes within containers of 64/16/32 bits)
// ---------------------------------------------------------------------------

/** ASL BitReverse for N = 32 (RBIT Wd). Returns int32. */
export function rbit32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return (x >>> 16) | (x << 16);
}

/** ASL BitReverse for N = 64 (RBIT Xd). High half in `hi`. */
export function rbit64(xlo: number, xhi: number): number {
  const lo = rbit32(xhi);
  hi = rbit32(xlo);
  return lo;
}

/** REV Wd: reverse the 4 bytes of a 32-bit value. Returns int32. */
export function rev32(x: number): number {
  return (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24);
}

/** REV Xd (REV64): reverse the 8 bytes of a 64-bit value. High half in `hi`. */
export function rev64(xlo: number, xhi: number): number {
  const lo = rev32(xhi);
  hi = rev32(xlo);
  return lo;
}

/** REV16 Wd: swap the bytes within each 16-bit halfword. Returns int32. */
export function rev16_32(x: number): number {
  return ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
}

/** REV16 Xd: swap the bytes within each of the four halfwords. High half in `hi`. */
export function rev16_64(xlo: number, xhi: number): number {
  hi = rev16_32(xhi);
  return rev16_32(xlo);
}

/** REV32 Xd: reverse the bytes within each 32-bit word. High half in `hi`. */
export function rev32_64(xlo: number, xhi: number): number {
  hi = rev32(xhi);
  return rev32(xlo);
}

// ---------------------------------------------------------------------------
// ASL DecodeBitMasks
// ---------------------------------------------------------------------------

/** Ones(k) in the low k bits, 1 <= k <= 32, int32 form. */
function ones32(k: number): number {
  return (-1 >>> (32 - k)) | 0;
}

/**
 * ASL DecodeBitMasks(immN, imms, immr, immediate, M):
 *   len = HighestSetBit(immN:NOT(imms)); if len < 1 then UNDEFINED;
 *   assert M >= (1 << len);
 *   levels = ZeroExtend(Ones(len), 6);
 *   if immediate && (imms AND levels) == levels then UNDEFINED;
 *   s = UInt(imms AND levels); r = UInt(immr AND levels);
 *   diff = s - r; esize = 1 << len; d = UInt(diff<len-1:0>);
 *   welem = ZeroExtend(Ones(s + 1), esize); telem = ZeroExtend(Ones(d + 1), esize);
 *   wmask = Replicate(ROR(welem, r), M); tmask = Replicate(telem, M);
 *
 * Returns false when the encoding is reserved: len < 1, the immediate
 * all-ones element, or an element wider than M (immN = 1 with M = 32, where
 * the ASL assert fails and the decoders make the instruction UNDEFINED).
 * Otherwise sets wmaskLo/wmaskHi/tmaskLo/tmaskHi (Hi halves 0 when M = 32)
 * and returns true. The instruction-level checks of the bitfield group
 * (sf/N agreement, immr<5>/imms<5> for 32-bit) are the caller's.
 */
export function decodeBitMasks(n: number, imms: number, immr: number, immediate: boolean, datasize: 32 | 64): boolean {
  const combined = ((n & 1) << 6) | (~imms & 0x3f);
  const len = 31 - Math.clz32(combined); // HighestSetBit; -1 when zero
  if (len < 1) return false;
  if (len === 6 && datasize !== 64) return false;
  const levels = (1 << len) - 1;
  const s = imms & levels;
  if (immediate && s === levels) return false;
  const r = immr & levels;
  const d = (s - r) & levels;

  if (len === 6) {
    // esize 64: welem = Ones(s + 1), ROR by r over 64 bits; telem = Ones(d + 1).
    let wl: number;
    let wh: number;
    if (s < 32) {
      wl = ones32(s + 1);
      wh = 0;
    } else {
      wl = -1;
      wh = ones32(s - 31);
    }
    wmaskLo = ror64(wl, wh, r);
    wmaskHi = hi;
    if (d < 32) {
      tmaskLo = ones32(d + 1);
      tmaskHi = 0;
    } else {
      tmaskLo = -1;
      tmaskHi = ones32(d - 31);
    }
    return true;
  }

  // esize <= 32: build one element in the low esize bits, then replicate.
  const esize = 1 << len;
  const welem = ones32(s + 1);
  let w = r === 0 ? welem : (welem >>> r) | (welem << (esize - r));
  let t = ones32(d + 1);
  if (esize < 32) {
    w &= (1 << esize) - 1;
    for (let e = esize; e < 32; e <<= 1) {
      w |= w << e;
      t |= t << e;
    }
  }
  wmaskLo = w;
  tmaskLo = t;
  if (datasize === 64) {
    wmaskHi = w;
    tmaskHi = t;
  } else {
    wmaskHi = 0;
    tmaskHi = 0;
  }
  return true;
}

// ---------------------------------------------------------------------------
// ASL ExtendReg
// ---------------------------------------------------------------------------

/**
 * ASL ExtendReg(reg, exttype, shift, N = 64) applied to a register value:
 *   len = Min(len(exttype), N - shift);
 *   return Extend(val<len-1:0> : Zeros(shift), N, unsigned(exttype));
 * i.e. zero/sign-extend the low 8/16/32/64 bits, then LSL by shift (0..4).
 * option is the ASL DecodeRegExtend encoding:
 *   0 UXTB, 1 UXTH, 2 UXTW, 3 UXTX, 4 SXTB, 5 SXTH, 6 SXTW, 7 SXTX.
 * High half in `hi`.
 */
export function extendReg64(xlo: number, xhi: number, option: number, shift: number): number {
  let lo: number;
  let h: number;
  switch (option & 7) {
    case 0: lo = xlo & 0xff; h = 0; break;
    case 1: lo = xlo & 0xffff; h = 0; break;
    case 2: lo = xlo | 0; h = 0; break;
    case 4: lo = (xlo << 24) >> 24; h = lo >> 31; break;
    case 5: lo = (xlo << 16) >> 16; h = lo >> 31; break;
    case 6: lo = xlo | 0; h = lo >> 31; break;
    default: lo = xlo | 0; h = xhi | 0; break; // UXTX, SXTX
  }
  if (shift === 0) {
    hi = h;
    return lo;
  }
  hi = (h << shift) | (lo >>> (32 - shift));
  return lo << shift;
}

/**
 * ASL ExtendReg for N = 32 (32-bit ADD/SUB extended register): extend the
 * low 8/16/32 bits of x, then LSL by shift (0..4), truncated to 32 bits.
 * Returns int32.
 */
export function extendReg32(x: number, option: number, shift: number): number {
  let v: number;
  switch (option & 7) {
    case 0: v = x & 0xff; break;
    case 1: v = x & 0xffff; break;
    case 4: v = (x << 24) >> 24; break;
    case 5: v = (x << 16) >> 16; break;
    default: v = x | 0; break; // UXTW, UXTX, SXTW, SXTX
  }
  return v << shift;
}

// ---------------------------------------------------------------------------
// ASL ConditionHolds
// ---------------------------------------------------------------------------

/**
 * ASL ConditionHolds(cond) with PSTATE.{N,Z,C,V} passed as 0/1:
 *   case cond<3:1> of
 *     '000' Z; '001' C; '010' N; '011' V; '100' C && !Z;
 *     '101' N == V; '110' N == V && !Z; '111' TRUE;
 *   if cond<0> == '1' && cond != '1111' then result = !result;
 */
export function conditionHolds(cond: number, n: number, z: number, c: number, v: number): boolean {
  let result: boolean;
  switch ((cond >>> 1) & 7) {
    case 0: result = z !== 0; break;
    case 1: result = c !== 0; break;
    case 2: result = n !== 0; break;
    case 3: result = v !== 0; break;
    case 4: result = c !== 0 && z === 0; break;
    case 5: result = n === v; break;
    case 6: result = n === v && z === 0; break;
    default: result = true; break;
  }
  if ((cond & 1) !== 0 && (cond & 15) !== 15) result = !result;
  return result;
}

/**
 * For each cond (0..15), a 16-bit set of the NZCV values (N = bit 3 ... V =
 * bit 0, as in PSTATE.NZCV<31:28>) for which ConditionHolds(cond) is TRUE.
 * Built once at module load from conditionHolds.
 */
const COND_TABLE = new Uint16Array(16);
for (let cond = 0; cond < 16; cond++) {
  let mask = 0;
  for (let nzcv = 0; nzcv < 16; nzcv++) {
    if (conditionHolds(cond, (nzcv >> 3) & 1, (nzcv >> 2) & 1, (nzcv >> 1) & 1, nzcv & 1)) mask |= 1 << nzcv;
  }
  COND_TABLE[cond] = mask;
}

/** ConditionHolds(cond) from a packed 4-bit NZCV (N = bit 3, V = bit 0); table lookup. */
export function conditionHoldsNZCV(cond: number, nzcv: number): boolean {
  return ((COND_TABLE[cond & 15] >>> (nzcv & 15)) & 1) !== 0;
}
