/**
 * The decode table (src/decode/a64-table.ts) as data: well-formed rows, no ambiguous overlaps, every
 * Op id has a row and an execute case, rows sharing an id share a timing class, every row decodes to
 * itself, and the decode-time UNDEFINED checks. Words for named instructions come from GNU as.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { A64_TABLE } from '../../src/decode/a64-table.js';
import { compileRow, rowsOverlap } from '../../src/decode/compile.js';
import { DECODE_ROWS, decode, decodeRow, matchRow } from '../../src/decode/decoder.js';
import { HAVE_BINUTILS, assembleWords } from '../helpers/asm.js';

/** Op member names in declaration order (index = numeric id), parsed from ops.ts. */
function opNames(): string[] {
  const src = readFileSync('src/decode/ops.ts', 'utf8');
  const body = src.slice(src.indexOf('export const enum Op {') + 'export const enum Op {'.length);
  const text = body.slice(0, body.indexOf('\n}')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return text.split(',').map((t) => t.trim().split('=')[0]!.trim()).filter((t) => t.length > 0);
}
const NAMES = opNames();
const COUNT = NAMES.indexOf('COUNT');

describe('decode table rows', () => {
  it('Op enum parses (Undefined = 0, COUNT last)', () => {
    expect(NAMES[0]).toBe('Undefined');
    expect(COUNT).toBe(NAMES.length - 1);
    expect(COUNT).toBeGreaterThan(100);
  });

  it('every row has 32 characters from the documented alphabet and 5-bit register fields', () => {
    for (const row of A64_TABLE) {
      expect(row.bits, row.name).toMatch(/^[01zoShinmdtakcfNrsxybpC]{32}$/);
      for (const reg of ['n', 'd', 'm', 't', 'a', 'k']) {
        const count = [...row.bits].filter((c) => c === reg).length;
        if (count > 0) {
          expect(count, `${row.name}: field ${reg}`).toBe(5);
          expect(row.bits, `${row.name}: field ${reg} contiguous`).toContain(reg.repeat(5));
        }
      }
    }
  });

  it('no two rows overlap (so there is never an ambiguity, even between different fixed-bit counts)', () => {
    const rows = A64_TABLE.map(compileRow);
    const clashes: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        if (rowsOverlap(rows[i]!, rows[j]!)) clashes.push(`${rows[i]!.name} (${rows[i]!.fixed}) / ${rows[j]!.name} (${rows[j]!.fixed})`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('row names are unique', () => {
    const seen = new Set<string>();
    for (const row of A64_TABLE) {
      expect(seen.has(row.name), row.name).toBe(false);
      seen.add(row.name);
    }
  });

  it('every Op id has a row, and rows sharing an id share a timing class', () => {
    const cls = new Map<number, number>();
    for (const row of A64_TABLE) {
      expect(row.id).toBeGreaterThan(0);
      expect(row.id).toBeLessThan(COUNT);
      const c = cls.get(row.id);
      if (c !== undefined) expect(row.cls, `${row.name} shares ${NAMES[row.id]}`).toBe(c);
      cls.set(row.id, row.cls);
    }
    const missing = NAMES.slice(1, COUNT).filter((_, i) => !cls.has(i + 1));
    expect(missing).toEqual([]);
  });

  it('every Op id has a case in execute() (interpreter.ts)', () => {
    const src = readFileSync('src/exec/interpreter.ts', 'utf8');
    const fn = src.slice(src.indexOf('export function execute('), src.indexOf('export function run('));
    const cases = new Set([...fn.matchAll(/case Op\.(\w+):/g)].map((m) => m[1]!));
    const missing = NAMES.slice(1, COUNT).filter((n) => !cases.has(n));
    expect(missing).toEqual([]);
    for (const c of cases) expect(NAMES, `case Op.${c}`).toContain(c);
  });

  it('every row decodes to itself: its fixed bits with random fields (unless its decode check rejects the word)', () => {
    let seed = 0x9e3779b9;
    const rnd = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
    for (const row of DECODE_ROWS) {
      let hits = 0;
      for (let i = 0; i < 64; i++) {
        const w = ((rnd() & ~row.mask) | row.value) >>> 0;
        expect(matchRow(w)?.name, `0x${w.toString(16)}`).toBe(row.name);
        const d = decodeRow(w);
        if (d !== undefined) { expect(d.name).toBe(row.name); hits++; }
      }
      expect(hits, `${row.name} never passes its check`).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(!HAVE_BINUTILS)('decode of assembled instructions', () => {
  const cases: [string, string][] = [
    ['add x0, x1, #1', 'ADD (immediate)'], ['cmp w1, #4', 'SUBS (immediate)'], ['mov sp, x1', 'ADD (immediate)'],
    ['mov x0, #0x10000', 'MOVZ'], ['mov x0, #-1', 'MOVN'], ['movk w0, #1', 'MOVK'], ['mov x0, #0xff00ff00ff00ff00', 'ORR (immediate)'],
    ['tst x1, #1', 'ANDS (immediate)'], ['lsl x0, x1, #3', 'UBFM'], ['asr w0, w1, #3', 'SBFM'], ['bfi x0, x1, #3, #4', 'BFM'],
    ['ror x0, x1, #3', 'EXTR'], ['adr x0, .', 'ADR'], ['adrp x0, .', 'ADRP'],
    ['mov x0, x1', 'ORR (shifted register)'], ['mvn w0, w1', 'ORN (shifted register)'], ['bics x0, x1, x2, ror #3', 'BICS (shifted register)'],
    ['neg x0, x1', 'SUB (shifted register)'], ['cmp x0, w1, sxtw', 'SUBS (extended register)'], ['add sp, sp, x1', 'ADD (extended register)'],
    ['ngc x0, x1', 'SBC'], ['ccmp x1, #3, #4, ne', 'CCMP (immediate)'], ['ccmn w1, w2, #0, eq', 'CCMN (register)'],
    ['cset x0, eq', 'CSINC'], ['cneg x0, x1, mi', 'CSNEG'], ['mul x0, x1, x2', 'MADD'], ['umull x0, w1, w2', 'UMADDL'],
    ['smulh x0, x1, x2', 'SMULH'], ['udiv w0, w1, w2', 'UDIV'], ['lsl x0, x1, x2', 'LSLV'], ['rev w0, w1', 'REV (32-bit)'],
    ['rev x0, x1', 'REV (64-bit)'], ['rev32 x0, x1', 'REV32'], ['clz x0, x1', 'CLZ'],
    ['b .', 'B'], ['bl .', 'BL'], ['b.ne .', 'B.cond'], ['cbz w0, .', 'CBZ'], ['tbnz x0, #63, .', 'TBNZ'],
    ['br x1', 'BR'], ['blr x1', 'BLR'], ['ret', 'RET'], ['eret', 'ERET'],
    ['svc #1', 'SVC'], ['hvc #1', 'HVC'], ['smc #1', 'SMC'], ['brk #1', 'BRK'], ['hlt #1', 'HLT'],
    ['wfi', 'HINT'], ['isb', 'ISB'], ['dsb sy', 'DSB'], ['dmb ish', 'DMB'], ['clrex', 'CLREX'],
    ['msr daifset, #2', 'MSR (immediate)'], ['msr sctlr_el1, x0', 'MSR (register)'], ['mrs x0, currentel', 'MRS'],
    ['dc zva, x0', 'DC ZVA'], ['dc civac, x0', 'DC CIVAC'], ['ic iallu', 'IC IALLU'], ['tlbi vmalle1is', 'TLBI VMALLE1IS'],
    ['tlbi ipas2e1is, x0', 'TLBI IPAS2E1IS'], ['at s12e0w, x0', 'AT S12E0W'],
    ['ldr x0, [x1]', 'LDR (immediate, unsigned offset, 64-bit)'], ['ldrsb w0, [x1, #1]', 'LDRSB (immediate, unsigned offset, 32-bit)'],
    ['ldr w0, [x1], #4', 'LDR (immediate, post-index, 32-bit)'], ['strh w0, [x1, #-2]!', 'STRH (immediate, pre-index, 32-bit)'],
    ['ldursw x0, [x1, #-3]', 'LDURSW (64-bit)'], ['sttrb w0, [x1]', 'STTRB (32-bit)'], ['ldr x0, [x1, w2, sxtw #3]', 'LDR (register, 64-bit)'],
    ['prfm pldl1keep, [x0]', 'PRFM (immediate)'], ['prfum pldl1keep, [x0, #1]', 'PRFUM'], ['prfm pldl1keep, [x0, x1]', 'PRFM (register)'],
    ['ldr x0, .', 'LDR (literal, 64-bit)'], ['ldrsw x0, .', 'LDRSW (literal)'], ['prfm pldl1keep, .', 'PRFM (literal)'],
    ['stp x29, x30, [sp, #-16]!', 'STP (pre-index, 64-bit)'], ['ldp w0, w1, [x2], #8', 'LDP (post-index, 32-bit)'],
    ['ldpsw x0, x1, [x2]', 'LDPSW (signed offset)'], ['ldnp x0, x1, [x2]', 'LDNP (64-bit)'],
    ['ldxr w0, [x1]', 'LDXR (32-bit)'], ['stlxrb w0, w1, [x2]', 'STLXRB'], ['ldaxp x0, x1, [x2]', 'LDAXP (64-bit)'],
    ['stxp w0, w1, w2, [x3]', 'STXP (32-bit)'], ['ldarh w0, [x1]', 'LDARH'], ['stlr x0, [x1]', 'STLR (64-bit)'],
  ];
  it('each assembles to a word that decodes to the named row', () => {
    const words = assembleWords(cases.map((c) => c[0]).join('\n'));
    expect(words.length).toBe(cases.length);
    cases.forEach(([insn, name], i) => expect(decodeRow(words[i]!)?.name, insn).toBe(name));
  });
});

describe('decode-time UNDEFINED checks (decode pseudocode)', () => {
  const undef: [string, number][] = [
    ['ORR X, N=1 imms=111111 (all-ones element)', 0xb240fc00],
    ['AND W, N=1', 0x12400000],
    ['EOR W, imms=111111, N=0', 0x5200fc00 | 0x3f << 10],
    ['ANDS X, N=0 imms=111110 (len 0)', 0xf200f800],
    ['SBFM X with N=0', 0x93000000],
    ['UBFM W with immr<5>', 0x53200000],
    ['BFM W with N=1', 0x33400000],
    ['EXTR X with N=0', 0x93800000],
    ['EXTR W with imms<5>', 0x13808000],
    ['MOVZ W hw=2', 0x52c00000],
    ['MOVK W hw=3', 0x72e00000],
    ['AND W shifted imm6<5>', 0x0a008000],
    ['ADD shifted shift=11', 0x8bc00000],
    ['SUBS W shifted imm6<5>', 0x6b008000],
    ['ADD extended imm3=5', 0x8b201400],
    ['ADD extended imm3=7', 0x8b201c00],
    ['LDR register option=000', 0xf8600800],
    ['STRB register option=100', 0x38208800],
    ['PRFM register option=001', 0xf8a02800],
    ['LDP X Rt == Rt2', 0xa9400421],
    ['LDPSW Rt == Rt2', 0x69400421],
    ['LDNP W Rt == Rt2', 0x28400421],
    ['LDXP Rt == Rt2', 0xc87f0401],
    ['STXR Rs == Rt', 0xc8017c01],
    ['STXR Rs == Rn', 0xc8007c01],
    ['STLXP Rs == Rt2', 0xc822fc01 & ~(31 << 10) | (2 << 10)],
  ];
  for (const [name, w] of undef) it(name, () => expect(decode(w >>> 0)).toBe(0));
  it('the valid neighbours of those words decode', () => {
    for (const w of [0xb240f800, 0x12000000, 0x93400000, 0x52a00000, 0x8b000000, 0x8b201000, 0xf8604800, 0xa9400821, 0xc87f0801, 0xc8027c01, 0xc8007fe1]) {
      expect(decode(w >>> 0), `0x${w.toString(16)}`).not.toBe(0);
    }
  });
  it('STXR with Rs == Rn == 31 (SP base, WZR status) is allowed', () => {
    expect(decode(0xc81f7fe1)).not.toBe(0);   // STXR WZR, X1, [SP]
  });
});
