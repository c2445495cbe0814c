/**
 * Branches (Arm ARM C6.2): B, BL, B.cond for every condition and flag value (the C1.2.4 table),
 * CBZ/CBNZ at 32 and 64 bits, TBZ/TBNZ on low and high bits, BR/BLR/RET.
 */
import { describe, expect, it } from 'vitest';
import { CODE, HAVE_BINUTILS, run } from './harness.js';

/** Arm ARM Table C1-1, condition codes, as predicates on N, Z, C, V. */
const COND: [string, (n: number, z: number, c: number, v: number) => boolean][] = [
  ['eq', (_n, z) => z === 1], ['ne', (_n, z) => z === 0], ['cs', (_n, _z, c) => c === 1], ['cc', (_n, _z, c) => c === 0],
  ['mi', (n) => n === 1], ['pl', (n) => n === 0], ['vs', (_n, _z, _c, v) => v === 1], ['vc', (_n, _z, _c, v) => v === 0],
  ['hi', (_n, z, c) => c === 1 && z === 0], ['ls', (_n, z, c) => !(c === 1 && z === 0)],
  ['ge', (n, _z, _c, v) => n === v], ['lt', (n, _z, _c, v) => n !== v],
  ['gt', (n, z, _c, v) => z === 0 && n === v], ['le', (n, z, _c, v) => !(z === 0 && n === v)],
  ['al', () => true], ['nv', () => true],
];

describe.skipIf(!HAVE_BINUTILS)('B.cond', () => {
  for (const [cond, holds] of COND) {
    it(`b.${cond} for all 16 NZCV values`, () => {
      // GNU as refuses "b.nv"; its encoding is cond = 1111 (0x5400006f for +12, label 1).
      const br = cond === 'nv' ? '.inst 0x5400006f' : `b.${cond} 1f`;
      for (let nzcv = 0; nzcv < 16; nzcv++) {
        const r = run(`${br}\n mov x0, #0\n b 2f\n1: mov x0, #1\n2: nop`, { nzcv, x: { 0: 7n } });
        const want = holds(nzcv >> 3, (nzcv >> 2) & 1, (nzcv >> 1) & 1, nzcv & 1);
        expect(r.x(0), `b.${cond} with NZCV=${nzcv.toString(2).padStart(4, '0')}`).toBe(want ? 1n : 0n);
        expect(r.nzcv()).toBe(nzcv);
      }
    });
  }
});

describe.skipIf(!HAVE_BINUTILS)('B, BL, BR, BLR, RET', () => {
  it('B forward and backward; BL links PC + 4', () => {
    const r = run(`
      b 2f
    1: mov x1, #1
      b 3f
    2: bl 1b
    3: nop`, {});
    expect(r.x(1)).toBe(1n);
    expect(r.x(30)).toBe(BigInt(CODE + 16));
  });
  it('BR / BLR / RET', () => {
    const r = run(`
      adr x2, 1f
      br x2
      mov x0, #99
    1: adr x3, 2f
      blr x3
      mov x4, #4
      b 3f
    2: mov x5, #5
      ret
    3: nop`, {});
    expect(r.x(0)).toBe(0n);
    expect(r.x(4)).toBe(4n);
    expect(r.x(5)).toBe(5n);
    expect(r.x(30)).toBe(BigInt(CODE + 20));
  });
  it('BLR X30 branches to the old X30 (target read before the link is written)', () => {
    const r = run(`
      adr x30, 1f
      blr x30
      mov x0, #1
    1: mov x1, #1`, {});
    expect(r.x(0)).toBe(0n);
    expect(r.x(1)).toBe(1n);
    expect(r.x(30)).toBe(BigInt(CODE + 8));
  });
  it('RET Xn', () => {
    const r = run('adr x9, 1f\n ret x9\n mov x0, #1\n1: nop', {});
    expect(r.x(0)).toBe(0n);
  });
});

describe.skipIf(!HAVE_BINUTILS)('CBZ/CBNZ/TBZ/TBNZ', () => {
  const taken = (insn: string, x0: bigint): bigint => run(`${insn}, 1f\n mov x9, #0\n b 2f\n1: mov x9, #1\n2: nop`, { x: { 0: x0, 9: 7n } }).x(9);
  it('CBZ/CBNZ compare 32 or 64 bits', () => {
    expect(taken('cbz w0', 0x1_0000_0000n)).toBe(1n);
    expect(taken('cbz x0', 0x1_0000_0000n)).toBe(0n);
    expect(taken('cbnz x0', 0x1_0000_0000n)).toBe(1n);
    expect(taken('cbnz w0', 0x1_0000_0000n)).toBe(0n);
    expect(taken('cbz xzr', 5n)).toBe(1n);
  });
  it('TBZ/TBNZ test bits 0, 31, 32, 63', () => {
    expect(taken('tbnz x0, #0', 1n)).toBe(1n);
    expect(taken('tbz x0, #0', 1n)).toBe(0n);
    expect(taken('tbnz w0, #31', 0x8000_0000n)).toBe(1n);
    expect(taken('tbnz x0, #32', 0x1_0000_0000n)).toBe(1n);
    expect(taken('tbz x0, #32', 0x0_ffff_ffffn)).toBe(1n);
    expect(taken('tbnz x0, #63', 0x8000_0000_0000_0000n)).toBe(1n);
    expect(taken('tbz x0, #63', 0x7fff_ffff_ffff_ffffn)).toBe(1n);
  });
  it('TBZ/CBZ backward offsets', () => {
    const r = run('b 2f\n1: mov x1, #1\n b 3f\n2: tbz x0, #5, 1b\n3: nop', { x: { 0: 0n } });
    expect(r.x(1)).toBe(1n);
    const r2 = run('b 2f\n1: mov x1, #1\n b 3f\n2: cbnz w0, 1b\n3: nop', { x: { 0: 2n } });
    expect(r2.x(1)).toBe(1n);
  });
});
