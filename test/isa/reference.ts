/**
 * A reference model of the A64 data-processing instructions, transliterated from the Arm ASL
 * (Arm ARM DDI 0487, C6.2 "Operation" sections and the shared pseudocode J1) on BigInt values.
 * It is deliberately naive (no halves, no tables) so it shares no code or shortcuts with src/exec:
 * the randomized tests execute the same word on both and compare.
 *
 * `refExec` returns 'undef' where the decode pseudocode says UNDEFINED, 'skip' for encodings it does
 * not model, or the new state.
 */
export interface RefState { x: bigint[]; sp: bigint; nzcv: number; pc: bigint }

const M64 = (1n << 64n) - 1n;
const mask = (n: number): bigint => (1n << BigInt(n)) - 1n;
const uint = (v: bigint, n: number): bigint => v & mask(n);
const sint = (v: bigint, n: number): bigint => BigInt.asIntN(n, v);
const bit = (w: number, i: number): number => (w >>> i) & 1;
const bits = (w: number, hi: number, lo: number): number => (w >>> lo) & ((1 << (hi - lo + 1)) - 1);

/** ASL AddWithCarry(x, y, carry_in) -> [result, nzcv]. */
export function addWithCarry(x: bigint, y: bigint, carry: number, n: number): [bigint, number] {
  const usum = uint(x, n) + uint(y, n) + BigInt(carry);
  const ssum = sint(x, n) + sint(y, n) + BigInt(carry);
  const result = uint(usum, n);
  const N = Number(result >> BigInt(n - 1)) & 1;
  const Z = result === 0n ? 1 : 0;
  const C = result === usum ? 0 : 1;
  const V = sint(result, n) === ssum ? 0 : 1;
  return [result, (N << 3) | (Z << 2) | (C << 1) | V];
}

function ror(x: bigint, r: number, n: number): bigint {
  const rr = BigInt(r % n);
  if (rr === 0n) return uint(x, n);
  return uint((x >> rr) | (x << (BigInt(n) - rr)), n);
}

function replicate(x: bigint, esize: number, n: number): bigint {
  let r = 0n;
  for (let i = 0; i < n; i += esize) r |= uint(x, esize) << BigInt(i);
  return r;
}

/** ASL DecodeBitMasks(immN, imms, immr, immediate, M) -> [wmask, tmask] or null (UNDEFINED). */
export function decodeBitMasks(immN: number, imms: number, immr: number, immediate: boolean, m: number): [bigint, bigint] | null {
  const combined = (immN << 6) | (~imms & 63);
  let len = -1;
  for (let i = 6; i >= 0; i--) if ((combined >> i) & 1) { len = i; break; }
  if (len < 1) return null;
  if (m < (1 << len)) return null;
  const levels = (1 << len) - 1;
  if (immediate && (imms & levels) === levels) return null;
  const s = imms & levels, r = immr & levels;
  const diff = (s - r) & levels;
  const esize = 1 << len;
  const d = diff;
  const welem = mask(s + 1);
  const telem = mask(d + 1);
  return [replicate(ror(welem, r, esize), esize, m), replicate(telem, esize, m)];
}

/** ASL ShiftReg. */
function shiftReg(x: bigint, type: number, amount: number, n: number): bigint {
  const a = BigInt(amount);
  switch (type) {
    case 0: return uint(x << a, n);
    case 1: return uint(x, n) >> a;
    case 2: return uint(sint(x, n) >> a, n);
    default: return ror(uint(x, n), amount, n);
  }
}

/** ASL ExtendReg. */
function extendReg(x: bigint, option: number, shift: number, n: number): bigint {
  const unsigned = (option & 4) === 0;
  const len = Math.min(8 << (option & 3), n - shift);
  const v = uint(x, len);
  const ext = unsigned ? v : uint(sint(v, len), n);
  return uint(ext << BigInt(shift), n);
}

/** ASL ConditionHolds on a packed NZCV (N = bit 3). */
export function conditionHolds(cond: number, nzcv: number): boolean {
  const N = (nzcv >> 3) & 1, Z = (nzcv >> 2) & 1, C = (nzcv >> 1) & 1, V = nzcv & 1;
  let r: boolean;
  switch (cond >> 1) {
    case 0: r = Z === 1; break;
    case 1: r = C === 1; break;
    case 2: r = N === 1; break;
    case 3: r = V === 1; break;
    case 4: r = C === 1 && Z === 0; break;
    case 5: r = N === V; break;
    case 6: r = N === V && Z === 0; break;
    default: r = true;
  }
  if ((cond & 1) === 1 && cond !== 15) r = !r;
  return r;
}

function countLeadingZeroBits(x: bigint, n: number): number {
  for (let i = n - 1; i >= 0; i--) if ((x >> BigInt(i)) & 1n) return n - 1 - i;
  return n;
}

/** Execute one data-processing word on a copy of `st`. */
export function refExec(w: number, st: RefState): RefState | 'undef' | 'skip' {
  const x = st.x.slice();
  let sp = st.sp, nzcv = st.nzcv;
  const sf = bit(w, 31);
  const N = sf ? 64 : 32;
  // X[n] reads XZR at 31; Xsp reads SP at 31.
  const rx = (r: number): bigint => (r === 31 ? 0n : x[r]!);
  const rsp = (r: number): bigint => (r === 31 ? sp : x[r]!);
  const wx = (r: number, v: bigint): void => { if (r !== 31) x[r] = uint(v, N) & M64; };
  const wsp = (r: number, v: bigint): void => { if (r === 31) sp = uint(v, N); else x[r] = uint(v, N); };
  const rd = bits(w, 4, 0), rn = bits(w, 9, 5), rm = bits(w, 20, 16);
  const op0 = bits(w, 28, 24);

  // ---- CRC32/CRC32C (C6.2 CRC32*, FEAT_CRC32): ASL BitReverse / Poly32Mod2, bit by bit ----
  if ((w & 0x7fe0e000) === 0x1ac04000) {
    const sz = bits(w, 11, 10), size = 8 << sz;
    if ((sf === 1) !== (sz === 3)) return 'undef';
    const poly = bit(w, 12) ? 0x1edc6f41n : 0x04c11db7n;
    const rev = (v: bigint, n: number): bigint => { let r = 0n; for (let i = 0; i < n; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(n - 1 - i); return r; };
    const acc = rx(rn) & 0xffffffffn, val = rx(rm) & ((1n << BigInt(size)) - 1n);
    let data = (rev(acc, 32) << BigInt(size)) ^ (rev(val, size) << 32n);
    for (let i = 32 + size - 1; i >= 32; i--) if ((data >> BigInt(i)) & 1n) data ^= poly << BigInt(i - 32);
    if (rd !== 31) x[rd] = rev(data & 0xffffffffn, 32);
    return { x, sp, nzcv, pc: st.pc };
  }

  // ---- Data processing -- immediate ----
  if (bits(w, 28, 23) === 0b100010) {            // add/sub immediate
    const op = bit(w, 30), S = bit(w, 29);
    const imm = BigInt(bits(w, 21, 10)) << (bit(w, 22) ? 12n : 0n);
    const op1 = rsp(rn);
    const [res, f] = op ? addWithCarry(op1, ~imm, 1, N) : addWithCarry(op1, imm, 0, N);
    if (S) { nzcv = f; wx(rd, res); } else wsp(rd, res);
    return { x, sp, nzcv, pc: st.pc };
  }
  if (bits(w, 28, 23) === 0b100100) {            // logical immediate
    const opc = bits(w, 30, 29), immN = bit(w, 22);
    if (sf === 0 && immN === 1) return 'undef';
    const bm = decodeBitMasks(immN, bits(w, 15, 10), bits(w, 21, 16), true, N);
    if (bm === null) return 'undef';
    const op1 = uint(rx(rn), N), imm = bm[0];
    let res: bigint;
    switch (opc) { case 0: case 3: res = op1 & imm; break; case 1: res = op1 | imm; break; default: res = op1 ^ imm; }
    if (opc === 3) { nzcv = (Number(res >> BigInt(N - 1)) << 3) | (res === 0n ? 4 : 0); wx(rd, res); } else wsp(rd, res);
    return { x, sp, nzcv, pc: st.pc };
  }
  if (bits(w, 28, 23) === 0b100101) {            // move wide
    const opc = bits(w, 30, 29), hw = bits(w, 22, 21);
    if (opc === 1) return 'skip';
    if (sf === 0 && hw >= 2) return 'undef';
    const pos = BigInt(hw * 16);
    const imm = BigInt(bits(w, 20, 5));
    let res = opc === 3 ? rx(rd) : 0n;
    res = (res & ~(0xffffn << pos)) | (imm << pos);
    if (opc === 0) res = ~res;
    wx(rd, uint(res, N));
    return { x, sp, nzcv, pc: st.pc };
  }
  if (bits(w, 28, 23) === 0b100110) {            // bitfield
    const opc = bits(w, 30, 29), n = bit(w, 22), immr = bits(w, 21, 16), imms = bits(w, 15, 10);
    if (opc === 3) return 'skip';
    if (sf === 1 && n !== 1) return 'undef';
    if (sf === 0 && (n !== 0 || (immr & 32) !== 0 || (imms & 32) !== 0)) return 'undef';
    const bm = decodeBitMasks(n, imms, immr, false, N);
    if (bm === null) return 'undef';
    const [wmask, tmask] = bm;
    const dst = opc === 1 ? uint(rx(rd), N) : 0n;
    const src = uint(rx(rn), N);
    const bot = (dst & ~wmask & mask(N)) | (ror(src, immr, N) & wmask);
    const top = opc === 0 ? (((src >> BigInt(imms)) & 1n) ? mask(N) : 0n) : dst;   // SBFM replicates src<S>
    const res = opc === 2 ? bot & tmask : (top & ~tmask & mask(N)) | (bot & tmask);
    wx(rd, res);
    return { x, sp, nzcv, pc: st.pc };
  }
  if (bits(w, 28, 23) === 0b100111) {            // extract
    if (bits(w, 30, 29) !== 0 || bit(w, 21) !== 0) return 'skip';
    const n = bit(w, 22), lsb = bits(w, 15, 10);
    if (n !== sf) return 'undef';
    if (sf === 0 && lsb >= 32) return 'undef';
    const concat = (uint(rx(rn), N) << BigInt(N)) | uint(rx(rm), N);
    wx(rd, uint(concat >> BigInt(lsb), N));
    return { x, sp, nzcv, pc: st.pc };
  }
  if (bits(w, 28, 24) === 0b10000) {             // ADR/ADRP
    const imm = sint(BigInt((bits(w, 23, 5) << 2) | bits(w, 30, 29)), 21);
    const v = bit(w, 31) ? (st.pc & ~0xfffn) + (imm << 12n) : st.pc + imm;
    if (rd !== 31) x[rd] = uint(v, 64);
    return { x, sp, nzcv, pc: st.pc };
  }

  // ---- Data processing -- register ----
  if (op0 === 0b01010) {                          // logical shifted register
    const opc = bits(w, 30, 29), invert = bit(w, 21), type = bits(w, 23, 22), amount = bits(w, 15, 10);
    if (sf === 0 && amount >= 32) return 'undef';
    let op2 = shiftReg(rx(rm), type, amount, N);
    if (invert) op2 = uint(~op2, N);
    const op1 = uint(rx(rn), N);
    let res: bigint;
    switch (opc) { case 0: case 3: res = op1 & op2; break; case 1: res = op1 | op2; break; default: res = op1 ^ op2; }
    if (opc === 3) nzcv = (Number(res >> BigInt(N - 1)) << 3) | (res === 0n ? 4 : 0);
    wx(rd, res);
    return { x, sp, nzcv, pc: st.pc };
  }
  if (op0 === 0b01011) {                          // add/sub shifted or extended register
    const op = bit(w, 30), S = bit(w, 29);
    if (bit(w, 21) === 0) {
      const type = bits(w, 23, 22), amount = bits(w, 15, 10);
      if (type === 3) return 'undef';
      if (sf === 0 && amount >= 32) return 'undef';
      const op2 = shiftReg(rx(rm), type, amount, N);
      const [res, f] = op ? addWithCarry(rx(rn), ~op2, 1, N) : addWithCarry(rx(rn), op2, 0, N);
      if (S) nzcv = f;
      wx(rd, res);
    } else {
      if (bits(w, 23, 22) !== 0) return 'skip';
      const option = bits(w, 15, 13), shift = bits(w, 12, 10);
      if (shift > 4) return 'undef';
      const op2 = extendReg(rx(rm), option, shift, N);
      const [res, f] = op ? addWithCarry(rsp(rn), ~op2, 1, N) : addWithCarry(rsp(rn), op2, 0, N);
      if (S) { nzcv = f; wx(rd, res); } else wsp(rd, res);
    }
    return { x, sp, nzcv, pc: st.pc };
  }
  if (op0 === 0b11010) {
    const op21 = bits(w, 23, 21);
    if (op21 === 0b000 && bits(w, 15, 10) === 0) {      // ADC/SBC
      const op = bit(w, 30), S = bit(w, 29);
      const y = op ? ~rx(rm) : rx(rm);
      const [res, f] = addWithCarry(rx(rn), y, (nzcv >> 1) & 1, N);
      if (S) nzcv = f;
      wx(rd, res);
      return { x, sp, nzcv, pc: st.pc };
    }
    if (op21 === 0b010 && bit(w, 29) === 1 && bit(w, 10) === 0 && bit(w, 4) === 0) {   // CCMN/CCMP
      const op = bit(w, 30), cond = bits(w, 15, 12);
      const y = bit(w, 11) ? BigInt(rm) : rx(rm);
      if (conditionHolds(cond, nzcv)) nzcv = (op ? addWithCarry(rx(rn), ~y, 1, N) : addWithCarry(rx(rn), y, 0, N))[1];
      else nzcv = bits(w, 3, 0);
      return { x, sp, nzcv, pc: st.pc };
    }
    if (op21 === 0b100 && bit(w, 29) === 0 && bit(w, 11) === 0) {   // conditional select
      const op = bit(w, 30), o2 = bit(w, 10), cond = bits(w, 15, 12);
      let res: bigint;
      if (conditionHolds(cond, nzcv)) res = rx(rn);
      else {
        res = rx(rm);
        if (op) res = ~res;
        if (o2) res = res + 1n;
      }
      wx(rd, uint(res, N));
      return { x, sp, nzcv, pc: st.pc };
    }
    if (op21 === 0b110 && bit(w, 29) === 0) {
      const opcode = bits(w, 15, 10);
      if (bit(w, 30) === 0) {                    // 2 source
        const a = uint(rx(rn), N), b = uint(rx(rm), N);
        let res: bigint;
        switch (opcode) {
          case 2: res = b === 0n ? 0n : a / b; break;
          case 3: { const sa = sint(a, N), sb = sint(b, N); res = sb === 0n ? 0n : sa / sb; break; }   // BigInt / truncates
          case 8: case 9: case 10: case 11: res = shiftReg(a, opcode & 3, Number(b % BigInt(N)), N); break;
          default: return 'skip';
        }
        wx(rd, uint(res, N));
        return { x, sp, nzcv, pc: st.pc };
      }
      if (rm !== 0) return 'skip';               // 1 source
      const a = uint(rx(rn), N);
      let res: bigint;
      const revContainers = (csize: number): bigint => {
        let r = 0n;
        for (let c = 0; c < N; c += csize) {
          const cont = (a >> BigInt(c)) & mask(csize);
          let rc = 0n;
          for (let b = 0; b < csize; b += 8) rc |= ((cont >> BigInt(b)) & 0xffn) << BigInt(csize - 8 - b);
          r |= rc << BigInt(c);
        }
        return r;
      };
      switch (opcode) {
        case 0: { res = 0n; for (let i = 0; i < N; i++) if ((a >> BigInt(i)) & 1n) res |= 1n << BigInt(N - 1 - i); break; }
        case 1: res = revContainers(16); break;
        case 2: res = revContainers(32); break;
        case 3: if (sf === 0) return 'skip'; res = revContainers(64); break;
        case 4: res = BigInt(countLeadingZeroBits(a, N)); break;
        case 5: { const t = ((a >> 1n) ^ a) & mask(N - 1); res = BigInt(countLeadingZeroBits(t, N - 1)); break; }
        default: return 'skip';
      }
      wx(rd, res);
      return { x, sp, nzcv, pc: st.pc };
    }
    return 'skip';
  }
  if (op0 === 0b11011) {                          // 3 source
    if (bits(w, 30, 29) !== 0) return 'skip';
    const op31 = bits(w, 23, 21), o0 = bit(w, 15), ra = bits(w, 14, 10);
    const a = rx(ra);
    let res: bigint;
    switch (op31) {
      case 0: { const p = uint(rx(rn), N) * uint(rx(rm), N); res = o0 ? a - p : a + p; wx(rd, uint(res, N)); return { x, sp, nzcv, pc: st.pc }; }
      case 1: case 5: {
        if (sf === 0) return 'skip';
        const uns = op31 === 5;
        const n1 = uns ? uint(rx(rn), 32) : sint(rx(rn), 32), m1 = uns ? uint(rx(rm), 32) : sint(rx(rm), 32);
        res = o0 ? a - n1 * m1 : a + n1 * m1;
        wx(rd, uint(res, 64));
        return { x, sp, nzcv, pc: st.pc };
      }
      case 2: case 6: {
        if (sf === 0 || o0 === 1) return 'skip';
        const uns = op31 === 6;
        const p = uns ? uint(rx(rn), 64) * uint(rx(rm), 64) : sint(rx(rn), 64) * sint(rx(rm), 64);
        wx(rd, uint(p >> 64n, 64));
        return { x, sp, nzcv, pc: st.pc };
      }
      default: return 'skip';
    }
  }
  return 'skip';
}
