/**
 * Randomized differential test of every data-processing row of the decode table against the ASL
 * transliteration in reference.ts: random field values (biased to corner values) and random register
 * contents, one word at a time through the real decode + execute path. Words the decode pseudocode
 * makes UNDEFINED must decode to Op.Undefined (and raise EC 0x00 when run).
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { packNzcv, unpackNzcv } from '../../src/state/cpu-state.js';
import { Machine } from '../../src/machine/machine.js';
import { decode } from '../../src/decode/decoder.js';
import { DECODE_ROWS } from '../../src/decode/decoder.js';
import { execute } from '../../src/exec/interpreter.js';
import { Status } from '../../src/exec/context.js';
import { OpClass } from '../../src/decode/ops.js';
import { type RefState, refExec } from './reference.js';

let seed = 0x1234567;
function rnd32(): number {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed;
}
const CORNERS = [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0x80000000ffffffffn];
function rnd64(): bigint {
  const r = rnd32() % 4;
  if (r === 0) return CORNERS[rnd32() % CORNERS.length]!;
  return (BigInt(rnd32()) << 32n) | BigInt(rnd32());
}

/** A random word for `row`: free bits random, small register numbers favoured so 31 and overlaps occur. */
function wordFor(row: { mask: number; value: number; bits: string }): number {
  let w = (rnd32() & ~row.mask) | row.value;
  // Registers: bias fields n, m, d, a to {0..3, 30, 31}.
  for (const letter of ['n', 'm', 'd', 'a']) {
    const i = row.bits.indexOf(letter);
    if (i < 0 || rnd32() % 2 === 0) continue;
    const lo = 31 - row.bits.lastIndexOf(letter);
    const choices = [0, 1, 2, 3, 30, 31];
    const v = choices[rnd32() % choices.length]!;
    w = (w & ~(31 << lo)) | (v << lo);
  }
  return w >>> 0;
}

const DP_CLASSES = new Set<number>([OpClass.Alu, OpClass.Mul, OpClass.Div]);
// SIMD&FP rows (op0 = x111) work on the V registers and are tested in fp-simd.test.ts.
const DP_ROWS = DECODE_ROWS.filter((r) => DP_CLASSES.has(r.cls) && (r.value & 0x0e000000) !== 0x0e000000);

describe('data processing vs the ASL reference (random)', () => {
  const m = new Machine();
  const s = m.cpu.s;
  for (const row of DP_ROWS) {
    it(`${row.name}: 400 random words`, () => {
      let checked = 0;
      for (let i = 0; i < 400; i++) {
        const w = wordFor(row);
        const st: RefState = { x: Array.from({ length: 31 }, rnd64), sp: rnd64() & ~15n, nzcv: rnd32() & 15, pc: 0x40001000n + BigInt(rnd32() & 0xffffc) };
        const ref = refExec(w, st);
        if (ref === 'skip') continue;
        const op = decode(w);
        if (ref === 'undef') {
          expect(op, `0x${w.toString(16)} should be UNDEFINED`).toBe(0);
          continue;
        }
        expect(op, `0x${w.toString(16)} decodes`).not.toBe(0);
        for (let r = 0; r < 31; r++) m.writeX(r, st.x[r]!);
        m.writeX(32, st.sp);
        unpackNzcv(s, st.nzcv << 28);
        m.pc = st.pc;
        const status = execute(m, op, w | 0);
        expect(status).toBe(Status.Next);
        const got = { x: Array.from({ length: 31 }, (_, r) => m.readX(r)), sp: m.readX(32), nzcv: packNzcv(s) >>> 28, zr: s[L.X + 62]! | s[L.X + 63]! };
        const want = { x: ref.x, sp: ref.sp, nzcv: ref.nzcv, zr: 0 };
        if (got.sp !== want.sp || got.nzcv !== want.nzcv || got.zr !== 0 || got.x.some((v, r) => v !== want.x[r])) {
          expect(got, `word 0x${w.toString(16).padStart(8, '0')} (${row.name})`).toEqual(want);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(50);
    });
  }
});
