/**
 * disassemble() against GNU objdump on the same words (words from GNU as), plus the table-driven
 * property that every row's disassembly starts with its mnemonic or a documented alias.
 */
import { describe, expect, it } from 'vitest';
import { disassemble } from '../../src/decode/disasm.js';
import { DECODE_ROWS, decodeRow } from '../../src/decode/decoder.js';
import { HAVE_BINUTILS, assembleWords, objdumpWords } from '../helpers/asm.js';

const VMA = 0x4000_0000;

const SOURCE = `
  .arch armv8.2-a
  add x0, x1, #0x10
  add x0, x1, #1, lsl #12
  adds w0, w1, #4095
  sub sp, sp, #0x100
  cmp x1, #1
  cmn w2, #3
  mov x0, sp
  mov sp, x1
  and x0, x1, #0xff00
  orr w0, w1, #0x55555555
  eor x0, x1, #0x8000000000000001
  ands x0, x1, #0xf0
  tst w1, #1
  mov x0, #0x5555555555555555
  orr x0, xzr, #0xffff
  mov x0, #0x12340000
  mov x0, #-2
  mov w0, #0xffff
  movn w0, #0xffff
  movz x0, #0, lsl #16
  movk x0, #0x12, lsl #32
  adr x0, .
  adrp x0, .
  lsl x0, x1, #3
  lsr w0, w1, #31
  asr x0, x1, #63
  ubfx x0, x1, #4, #8
  sbfx x0, x1, #4, #8
  ubfiz x0, x1, #4, #8
  sbfiz x0, x1, #4, #8
  bfi x0, x1, #4, #8
  bfxil w0, w1, #2, #3
  bfc x0, #4, #8
  sxtb x0, w1
  sxth w0, w1
  sxtw x0, w1
  uxtb w0, w1
  uxth w0, w1
  extr x0, x1, x2, #3
  ror w0, w1, #5
  b .+8
  bl .-8
  b.ne .+16
  b.hi .-4
  cbz w0, .+8
  cbnz x3, .-12
  tbz x3, #40, .+20
  tbnz w1, #3, .+4
  br x1
  blr x2
  ret
  ret x1
  eret
  svc #0
  hvc #0x1234
  smc #1
  brk #0x3e8
  hlt #0xf000
  nop
  yield
  wfe
  wfi
  sev
  sevl
  hint #0x45
  isb
  isb #5
  dsb sy
  dsb ish
  dmb ishld
  dmb oshst
  ssbb
  pssbb
  clrex
  msr daifset, #2
  msr daifclr, #0xf
  msr spsel, #0
  msr pan, #1
  mrs x0, currentel
  mrs x1, nzcv
  msr sctlr_el1, x2
  mrs x3, dczid_el0
  mrs x0, s3_0_c15_c2_0
  dc zva, x0
  dc civac, x1
  dc isw, x2
  ic iallu
  ic ialluis
  ic ivau, x3
  tlbi vmalle1
  tlbi vae1, x0
  tlbi alle3
  tlbi ipas2e1is, x4
  at s1e1r, x5
  ldr x0, [x1]
  ldr x0, [x1, #16]
  ldr w0, [sp, #4092]
  ldrb w0, [x1, #4095]
  ldrsb x0, [x1, #1]
  ldrsh w0, [x1, #2]
  ldrsw x0, [x1, #4]
  strh w0, [x1, #2]
  ldr x0, [x1, #-8]!
  str x0, [x1], #-256
  ldrb w0, [x1], #1
  ldur x0, [x1, #1]
  sturb w0, [x1, #-1]
  ldursw x0, [x1, #-4]
  ldtrsb w0, [x1, #-1]
  sttr x0, [x1, #255]
  ldr x0, [x1, x2]
  ldr x0, [x1, x2, lsl #3]
  ldr w2, [x3, w4, sxtw #2]
  ldr w0, [x1, w2, uxtw]
  ldrb w0, [x1, x2, lsl #0]
  ldrb w0, [x1, w2, sxtw]
  strh w0, [x1, x2, sxtx #1]
  prfm pldl1keep, [x0]
  prfm pstl3strm, [x0, #8]
  prfum plil2keep, [x0, #1]
  prfm pldl2strm, [x0, x1]
  ldr x0, .+8
  ldr w0, .-4
  ldrsw x0, .+16
  prfm pldl1keep, .+4
  stp x29, x30, [sp, #-16]!
  ldp x29, x30, [sp], #16
  ldp w0, w1, [x2, #8]
  ldpsw x0, x1, [x2, #-8]
  stp w0, w1, [x2]
  ldnp x0, x1, [x2, #16]
  stnp w0, w1, [x2, #-4]
  ldxr w0, [x1]
  ldaxr x0, [sp]
  stxr w2, x3, [x4]
  stlxrb w2, w3, [x4]
  ldxrh w0, [x1]
  ldar x0, [x1]
  ldarb w0, [x1]
  stlr w0, [x1]
  stlrh w0, [x1]
  ldxp w0, w1, [x2]
  ldaxp x0, x1, [x2]
  stxp w0, x1, x2, [x3]
  stlxp w0, w1, w2, [x3]
  mov x0, x1
  mov w0, w1
  mvn x0, x1, lsl #2
  and x0, x1, x2, ror #3
  bic w0, w1, w2
  orn x0, x1, x2, asr #1
  eon x0, x1, x2
  ands w0, w1, w2, lsr #31
  bics x0, x1, x2
  tst x1, x2
  add x0, x1, x2, lsl #3
  sub w0, w1, w2, asr #31
  neg x0, x1
  negs w0, w1
  cmp x1, x2, lsl #3
  cmn w1, w2
  add x0, sp, x1
  add x0, sp, w1, uxtw
  add x0, x1, x2, uxtx
  add w0, wsp, w1
  add w0, w1, w2, uxtw
  add x0, sp, x1, lsl #2
  add x0, x1, w2, sxtw #2
  sub sp, sp, x1
  cmp sp, x1
  adds x0, sp, x1
  cmn x1, w2, uxtb
  adc x0, x1, x2
  adcs w0, w1, w2
  sbc x0, x1, x2
  sbcs w0, w1, w2
  ngc x0, x1
  ngcs w0, w1
  ccmp x1, #3, #4, ne
  ccmn w1, w2, #0, eq
  ccmp x1, x2, #0xf, al
  csel x0, x1, x2, eq
  csinc w0, w1, w2, lt
  csinv x0, x1, x2, ge
  csneg x0, x1, x2, mi
  cset w0, hi
  csetm x0, lo
  cinc x0, x1, eq
  cinv x0, x1, ne
  cneg w0, w1, vs
  madd x0, x1, x2, x3
  msub w0, w1, w2, w3
  mul x0, x1, x2
  mneg w0, w1, w2
  smaddl x0, w1, w2, x3
  smsubl x0, w1, w2, x3
  umaddl x0, w1, w2, x3
  umsubl x0, w1, w2, x3
  smull x0, w1, w2
  umull x0, w1, w2
  smnegl x0, w1, w2
  umnegl x0, w1, w2
  smulh x0, x1, x2
  umulh x0, x1, x2
  udiv w0, w1, w2
  sdiv x0, x1, x2
  lsl x0, x1, x2
  lsr w0, w1, w2
  asr x0, x1, x2
  ror w0, w1, w2
  rbit x0, x1
  rev16 w0, w1
  rev32 x0, x1
  rev x0, x1
  rev w0, w1
  clz x0, x1
  cls w0, w1
  udf #0
  udf #4660
  .inst 0xb240fc00
`;

describe.skipIf(!HAVE_BINUTILS)('disassemble() vs GNU objdump', () => {
  const lines = SOURCE.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('.arch'));
  const words = assembleWords(SOURCE, VMA);
  const expected = objdumpWords(words, VMA);
  it(`assembled ${lines.length} instructions`, () => {
    expect(words.length).toBe(lines.length);
    expect(expected.length).toBe(lines.length);
  });
  words.forEach((w, i) => {
    it(`${lines[i]} (0x${w.toString(16).padStart(8, '0')})`, () => {
      expect(disassemble(w, BigInt(VMA + 4 * i))).toBe(expected[i]);
    });
  });
});

describe.skipIf(!HAVE_BINUTILS)('disassemble() vs GNU objdump on random words of every row', () => {
  it('32 random words per row agree, apart from the documented differences', () => {
    let seed = 20261125;
    const rnd = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
    const words: number[] = [], names: string[] = [];
    for (const row of DECODE_ROWS) {
      if (row.name === 'MRS' || row.name === 'MSR (register)') continue;   // register names beyond our table
      for (let i = 0; i < 32; i++) {
        const w = ((rnd() & ~row.mask) | row.value) >>> 0;
        if (decodeRow(w) === undefined) continue;
        if (row.name.startsWith('LDAR') && ((w >>> 10) & 0x7c1f) !== 0x7c1f) continue;   // should-be-one Rs/Rt2
        if (row.name.startsWith('LDPSW (p') && ((w >>> 5) & 31) !== 31 && (((w >>> 5) & 31) === (w & 31) || ((w >>> 5) & 31) === ((w >>> 10) & 31))) continue;
        words.push(w); names.push(row.name);
      }
    }
    const od = objdumpWords(words, VMA);
    const bad: string[] = [];
    words.forEach((w, i) => {
      const mine = disassemble(w, BigInt(VMA + 4 * i));
      if (mine !== od[i]) bad.push(`${names[i]}: 0x${w.toString(16).padStart(8, '0')} mine="${mine}" objdump="${od[i]}"`);
    });
    expect(words.length).toBeGreaterThan(7000);
    expect(bad).toEqual([]);
  });
});

describe('disassemble() from the table', () => {
  it('every row disassembles without throwing, starting with a word', () => {
    let seed = 12345;
    const rnd = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
    for (const row of DECODE_ROWS) {
      for (let i = 0; i < 16; i++) {
        const w = ((rnd() & ~row.mask) | row.value) >>> 0;
        const text = disassemble(w, 0x4000_0000n);
        expect(text, row.name).toMatch(/^[a-z.][a-z0-9.]*( |$)/);
        if (decodeRow(w) === undefined) expect(text).toMatch(/^(\.inst|udf)/);
      }
    }
  });
  it('without a PC, branch targets are PC-relative', () => {
    expect(disassemble(0x14000002)).toBe('b .+0x8');
    expect(disassemble(0x17fffffe)).toBe('b .-0x8');
  });
});
