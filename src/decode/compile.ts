/**
 * Compile the declarative table into mask/value pairs and a bucket index (DESIGN practice 1).
 * Buckets are keyed by bits [31:21] (2048); each bucket lists the rows whose fixed bits in that range
 * agree with the key, most-specific (most fixed bits) first.
 */
import type { EncodingRow } from './a64-table.js';

export interface CompiledRow extends EncodingRow { mask: number; value: number; fixed: number }

/** The fields compileRow copies: this fails to compile when EncodingRow gains one it would drop. */
type CopiedField = 'id' | 'name' | 'bits' | 'cls' | 'check';
const everyFieldCopied: [keyof EncodingRow] extends [CopiedField] ? true : never = true;
void everyFieldCopied;

export function compileRow(row: EncodingRow): CompiledRow {
  const bits = row.bits;
  if (bits.length !== 32) throw new Error(`decode table: ${row.name}: bits must be 32 characters, got ${bits.length}`);
  let mask = 0, value = 0, fixed = 0;
  for (let i = 0; i < 32; i++) {
    const ch = bits.charCodeAt(i);   // '0' is 48, '1' is 49
    if (ch === 48 || ch === 49) {
      mask |= 1 << (31 - i); fixed++;
      if (ch === 49) value |= 1 << (31 - i);
    }
  }
  // Every field spelled out rather than `...row`: this runs once per row at start-up, in cold code,
  // where an object spread costs ~10x a literal (~2 ms of `a64el run` for the table; docs/speed.md
  // "Start-up"), and all rows get one shape. A new EncodingRow field must be copied here too.
  const out: CompiledRow = { id: row.id, name: row.name, bits, cls: row.cls, mask: mask >>> 0, value: value >>> 0, fixed };
  if (row.check !== undefined) out.check = row.check;
  return out;
}

export interface DecodeIndex { rows: CompiledRow[]; buckets: Int16Array[] }

/** The rows of `table` compiled, most fixed bits first (stable: equal counts keep table order). */
export function compileRows(table: readonly EncodingRow[]): CompiledRow[] {
  return table.map(compileRow).sort((a, b) => b.fixed - a.fixed);
}

/** Indices into `rows` of the rows whose fixed bits in [31:21] agree with `key` (bits [31:21]). */
export function bucketFor(rows: readonly CompiledRow[], key: number): Int16Array {
  const hiBits = (key << 21) >>> 0;
  const list: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const m = (row.mask & 0xffe00000) >>> 0;
    if (((hiBits & m) >>> 0) === ((row.value & m) >>> 0)) list.push(r);
  }
  return Int16Array.from(list);
}

export function compileTable(table: readonly EncodingRow[]): DecodeIndex {
  const rows = compileRows(table);
  const buckets: Int16Array[] = [];
  for (let key = 0; key < 2048; key++) buckets.push(bucketFor(rows, key));
  return { rows, buckets };
}

/** True when some word matches both rows (their fixed bits agree wherever both are fixed). */
export function rowsOverlap(a: CompiledRow, b: CompiledRow): boolean {
  return ((a.value ^ b.value) & a.mask & b.mask) === 0;
}

/** Field letters of a row: bit positions of each letter, msb first (for disassembly and tests). */
export function rowFields(row: EncodingRow): Map<string, number[]> {
  const fields = new Map<string, number[]>();
  for (let i = 0; i < 32; i++) {
    const ch = row.bits[i]!;
    if (ch === '0' || ch === '1') continue;
    const list = fields.get(ch) ?? [];
    list.push(31 - i);
    fields.set(ch, list);
  }
  return fields;
}

/** Value of field `letter` in `word` (bits concatenated msb first), or -1 if the row has no such field. */
export function fieldValue(row: EncodingRow, word: number, letter: string): number {
  let v = -1;
  for (let i = 0; i < 32; i++) {
    if (row.bits[i] !== letter) continue;
    v = ((v < 0 ? 0 : v) * 2) + ((word >>> (31 - i)) & 1);
  }
  return v;
}
