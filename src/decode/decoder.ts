/**
 * Instruction word -> Op id, from the compiled table. Called once per word (the result is cached by
 * exec/predecode.ts), so a short bucket scan plus the row's decode-time check is fine; handlers can
 * then assume every field combination they see is allocated.
 */
import { A64_TABLE } from './a64-table.js';
import { type CompiledRow, bucketFor, compileRows } from './compile.js';
import { Check, Op, type OpClass } from './ops.js';

/**
 * The compiled rows, and the bucket index (compile.ts) built one bucket at a time as words with new
 * bits [31:21] are decoded (building all 2048 up front was most of the CLI's start-up).
 */
const ROWS = compileRows(A64_TABLE);
const BUCKETS: (Int16Array | undefined)[] = new Array<Int16Array | undefined>(2048).fill(undefined);

/** Each row's mask and value as int32 (the rows keep them as uint32): the match stays in int32 arithmetic. */
const MASKS = Int32Array.from(ROWS, (r) => r.mask | 0);
const VALUES = Int32Array.from(ROWS, (r) => r.value | 0);

/** The table row matching `word` by its fixed bits (before the decode-time check), or undefined. */
export function matchRow(word: number): CompiledRow | undefined {
  const w = word | 0;
  const key = (w >>> 21) & 0x7ff;
  let bucket = BUCKETS[key];
  if (bucket === undefined) { bucket = bucketFor(ROWS, key); BUCKETS[key] = bucket; }
  for (let i = 0; i < bucket.length; i++) {
    const r = bucket[i]!;
    if ((w & MASKS[r]!) === VALUES[r]) return ROWS[r];
  }
  return undefined;
}

/** The row `word` decodes to, or undefined when it is UNDEFINED (no row, or the row's check fails). */
export function decodeRow(word: number): CompiledRow | undefined {
  const row = matchRow(word);
  if (row === undefined) return undefined;
  return row.check === undefined || row.check === Check.None || checkPasses(row.check, word | 0) ? row : undefined;
}

/** Decode one instruction word to its Op id (Op.Undefined if no row matches or the decode says UNDEFINED). */
export function decode(word: number): Op {
  const row = decodeRow(word);
  return row === undefined ? Op.Undefined : row.id;
}

/**
 * The decode pseudocode's UNDEFINED conditions (ops.ts `Check`). Returns true when the word is a valid
 * instance of its row.
 */
export function checkPasses(check: Check, w: number): boolean {
  const sf = w >>> 31;
  switch (check) {
    case Check.None: return true;
    case Check.MoveWide: return sf === 1 || ((w >>> 22) & 1) === 0;
    case Check.LogicalImm: {
      const n = (w >>> 22) & 1, imms = (w >>> 10) & 63;
      if (sf === 0 && n === 1) return false;
      return bitMaskValid(n, imms);
    }
    case Check.Bitfield: {
      const n = (w >>> 22) & 1;
      if (n !== sf) return false;
      return sf === 1 || ((w >>> 21) & 1) === 0 && ((w >>> 15) & 1) === 0;   // immr<5>, imms<5>
    }
    case Check.Extr: {
      const n = (w >>> 22) & 1;
      if (n !== sf) return false;
      return sf === 1 || ((w >>> 15) & 1) === 0;   // imms<5>
    }
    case Check.LogicalShift: return sf === 1 || ((w >>> 15) & 1) === 0;
    case Check.AddSubShift: return ((w >>> 22) & 3) !== 3 && (sf === 1 || ((w >>> 15) & 1) === 0);
    case Check.AddSubExt: return ((w >>> 10) & 7) <= 4;
    case Check.RegOffset: return ((w >>> 14) & 1) === 1;   // option<1>
    case Check.LoadPair: case Check.LoadExclPair: return (w & 31) !== ((w >>> 10) & 31);
    case Check.StoreExcl: {
      const s = (w >>> 16) & 31, t = w & 31, n = (w >>> 5) & 31;
      return s !== t && (s !== n || n === 31);
    }
    case Check.SimdDup: {
      const imm5 = (w >>> 16) & 31;
      if ((imm5 & 15) === 0) return false;
      return (imm5 & 15) !== 8 || ((w >>> 30) & 1) === 1;
    }
    case Check.SimdIns: return ((w >>> 16) & 15) !== 0;
    case Check.SimdUmov: {
      const imm5 = (w >>> 16) & 31, q = (w >>> 30) & 1;
      if ((imm5 & 15) === 0) return false;
      return q === 1 ? (imm5 & 15) === 8 : (imm5 & 7) !== 0;
    }
    case Check.SimdSmov: {
      const imm5 = (w >>> 16) & 31, q = (w >>> 30) & 1;
      if ((imm5 & 3) !== 0) return true;                 // B or H
      return q === 1 && (imm5 & 7) === 4;                // S to X only
    }
    case Check.Casp: return (((w >>> 16) | w) & 1) === 0;
    case Check.SimdNo1D: return ((w >>> 30) & 1) === 1 || ((w >>> 22) & 3) !== 3;
    case Check.SimdExt: return ((w >>> 30) & 1) === 1 || ((w >>> 14) & 1) === 0;
    case Check.StoreExclPair: {
      const s = (w >>> 16) & 31, t = w & 31, t2 = (w >>> 10) & 31, n = (w >>> 5) & 31;
      return s !== t && s !== t2 && (s !== n || n === 31);
    }
  }
  return true;
}

/**
 * The UNDEFINED cases of ASL DecodeBitMasks(immN, imms, immr, immediate = TRUE):
 * len = HighestSetBit(immN:NOT(imms)) must be >= 1, and imms<len-1:0> must not be all ones.
 */
export function bitMaskValid(n: number, imms: number): boolean {
  const combined = (n << 6) | (~imms & 63);
  const len = 31 - Math.clz32(combined);
  if (len < 1) return false;
  const levels = (1 << len) - 1;
  return (imms & levels) !== levels;
}

/** The table row for an Op id (the first row of its family, for classes and tests). */
export function rowOf(op: Op): CompiledRow | undefined {
  return ROW_BY_OP[op];
}

const ROW_BY_OP: CompiledRow[] = [];
for (const r of ROWS) if (ROW_BY_OP[r.id] === undefined) ROW_BY_OP[r.id] = r;

/** Timing class per Op id (index = Op). Rows sharing an id share its class (the first row's). */
export function opClasses(): Int32Array {
  const out = new Int32Array(Op.COUNT);
  for (let i = 0; i < Op.COUNT; i++) { const r = ROW_BY_OP[i]; if (r !== undefined) out[i] = r.cls as OpClass; }
  return out;
}

export const DECODE_ROWS: readonly CompiledRow[] = ROWS;
