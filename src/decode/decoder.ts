/**
 * Instruction word -> Op id, from the compiled table. Called once per word (the result is cached by
 * exec/predecode.ts), so a short bucket scan is fine.
 */
import { A64_TABLE } from './a64-table.js';
import { type CompiledRow, compileTable } from './compile.js';
import { Op, type OpClass } from './ops.js';

const INDEX = compileTable(A64_TABLE);

/** Decode one instruction word to its Op id (Op.Undefined if no row matches). */
export function decode(word: number): Op {
  const w = word >>> 0;
  const bucket = INDEX.buckets[w >>> 21]!;
  for (let i = 0; i < bucket.length; i++) {
    const row = INDEX.rows[bucket[i]!]!;
    if (((w & row.mask) >>> 0) === row.value) return row.id;
  }
  return Op.Undefined;
}

/** The table row for an Op id (for disassembly, classes, tests). */
export function rowOf(op: Op): CompiledRow | undefined {
  return ROW_BY_OP[op];
}

const ROW_BY_OP: CompiledRow[] = [];
for (const r of INDEX.rows) ROW_BY_OP[r.id] = r;

/** Timing class per Op id (index = Op). */
export function opClasses(): Int32Array {
  const out = new Int32Array(Op.COUNT);
  for (const r of INDEX.rows) out[r.id] = r.cls as OpClass;
  return out;
}

export const DECODE_ROWS: readonly CompiledRow[] = INDEX.rows;
