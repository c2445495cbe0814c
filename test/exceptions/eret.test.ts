/**
 * ERET (Arm ARM D1.4.4, C6.2.80; ASL AArch64.ExceptionReturn, IllegalExceptionReturn, ELFromSPSR,
 * AArch64.CheckIllegalState; reference arch-and-cycles.md 5.1-5.3).
 * Illegal return: PC <- ELR, PSTATE.IL <- 1, EL and SP unchanged, NZCV/DAIF from SPSR; the next
 * instruction takes an Illegal Execution state exception (EC 0x0E) whose SPSR records IL=1.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { CODE, HCR_DEFAULT, SCR_NS_DEFAULT, SP, VBAR, esrOf, setup, type SetupOptions } from '../helpers/el-harness.js';

const C = BigInt(CODE);
/** ERET at CODE; the return address CODE + 8 holds a NOP. */
const CODE_ERET = 'eret; nop; nop; nop';
const TARGET = C + 8n;
const SPSR_IL = 1n << 20n;

function eretWith(spsr: bigint, o: Omit<SetupOptions, 'code'>) {
  const h = setup({ ...o, code: CODE_ERET });
  const el = o.el ?? 1;
  h.m.cpu.set64(L.SPSR_EL + 2 * el, spsr);
  h.m.cpu.set64(L.ELR_EL + 2 * el, TARGET);
  return h;
}

interface IllegalCase { row: string; el: number; spsr: bigint; o?: Omit<SetupOptions, 'code' | 'el'> }

// NZCV = 0b1001 and DAIF = 0b0100 (A) in every SPSR below, so "NZCV/DAIF from SPSR" is visible.
const FLAGS = 0x9000_0100n;
const CASES: IllegalCase[] = [
  { row: '1: target EL2 above current EL1', el: 1, spsr: FLAGS | 0x9n },
  { row: '1: target EL3 above current EL2', el: 2, spsr: FLAGS | 0xdn },
  { row: '2: target EL2 not implemented', el: 3, spsr: FLAGS | 0x9n, o: { implementedEls: 0b1011 } },
  { row: '3: reserved M[3:0]=0b0110 (M[1]=1)', el: 1, spsr: FLAGS | 0x6n },
  { row: '3: reserved M[3:0]=0b0010 (M[1]=1)', el: 2, spsr: FLAGS | 0x2n },
  { row: '3: M[3:0]=0b0001 (EL0 with SP_ELx)', el: 1, spsr: FLAGS | 0x1n },
  { row: '4: target EL2 with SCR_EL3.NS=0 (no FEAT_SEL2)', el: 3, spsr: FLAGS | 0x9n, o: { scr: SCR_NS_DEFAULT & ~1n } },
  { row: '5: target EL1 from EL2 with HCR_EL2.TGE=1', el: 2, spsr: FLAGS | 0x5n, o: { hcr: HCR_DEFAULT | (1n << 27n) } },
  { row: '5: target EL1 from EL3 (NS=1) with HCR_EL2.TGE=1', el: 3, spsr: FLAGS | 0x5n, o: { hcr: HCR_DEFAULT | (1n << 27n) } },
  { row: '6: AArch64 SPSR but SCR_EL3.RW=0 (EL2 is AArch32)', el: 3, spsr: FLAGS | 0x9n, o: { scr: SCR_NS_DEFAULT & ~(1n << 10n) } },
  { row: '6: AArch64 SPSR to EL1 but SCR_EL3.RW=0', el: 3, spsr: FLAGS | 0x5n, o: { scr: SCR_NS_DEFAULT & ~(1n << 10n) } },
  { row: '6: AArch64 SPSR to EL1 but HCR_EL2.RW=0', el: 2, spsr: FLAGS | 0x5n, o: { hcr: 0n } },
  { row: '6: AArch64 SPSR to EL0 but HCR_EL2.RW=0 (EL0 checked against EL1\'s width)', el: 2, spsr: FLAGS | 0x0n, o: { hcr: 0n } },
  { row: '7: SPSR.M[4]=1 (AArch32 User) and no AArch32', el: 1, spsr: FLAGS | 0x10n },
  { row: '7: SPSR.M[4]=1 (AArch32 Hyp) from EL2', el: 2, spsr: FLAGS | 0x1an },
];

describe('illegal exception return (Arm ARM D1.4.4.2; ASL IllegalExceptionReturn; reference 5.2 rows 1-7)', () => {
  for (const c of CASES) {
    for (const spsel of [1, 0]) {
      it(`row ${c.row} (at EL${c.el}, SPSel=${spsel})`, () => {
        const h = eretWith(c.spsr, { el: c.el, spsel, nzcv: 0x6000_0000, daif: 0x3c0, ...c.o });
        const sp0 = h.sp;
        h.step(1);
        // D1.4.4.2 / reference 5.3: PC <- ELR, IL <- 1, EL and SP unchanged, NZCV and DAIF from SPSR.
        expect(h.returns).toEqual([{ from: c.el, fromSecure: h.returns[0]!.fromSecure, illegal: true }]);
        expect(h.pc).toBe(TARGET);
        expect(h.il).toBe(1);
        expect(h.el).toBe(c.el);
        expect(h.spsel).toBe(spsel);
        expect(h.sp).toBe(sp0);
        expect(h.m.cpu.nzcv).toBe(0x9000_0000);
        expect(h.daif).toBe(0x100);
        expect(h.entries).toEqual([]);

        // The next instruction takes EC 0x0E (ISS 0) at the current EL (EL > 0), ELR = its address.
        h.step(1);
        const group = spsel ? 0x200 : 0x000;
        expect(h.entry).toMatchObject({ from: c.el, target: c.el, offset: group, esr: esrOf(0x0e) });
        expect(h.esr(c.el)).toBe(0x3a00_0000n);
        expect(h.elr(c.el)).toBe(TARGET);
        // SPSR records IL=1 with the state the illegal return left (NZCV/DAIF from the old SPSR).
        expect(h.spsr(c.el)).toBe(0x9000_0100n | SPSR_IL | BigInt((c.el << 2) | spsel));
        // Exception entry clears IL, so the handler (a NOP here) runs normally.
        expect(h.il).toBe(0);
        expect(h.pc).toBe(BigInt(VBAR[c.el]! + group + 4));
      });
    }
  }

  it('a legal ERET copies SPSR.IL: EL0 code then takes EC 0x0E to EL1 (ASL AArch64.CheckIllegalState)', () => {
    const h = eretWith(SPSR_IL | 0x0n, { el: 1 });
    h.step(1);
    expect(h.returns[0]!.illegal).toBe(false);
    expect(h.el).toBe(0);
    expect(h.il).toBe(1);
    h.step(1);
    expect(h.entry).toMatchObject({ from: 0, target: 1, offset: 0x400, esr: esrOf(0x0e) });
    expect(h.elr(1)).toBe(TARGET);
    expect(h.spsr(1)).toBe(SPSR_IL);
  });

  it('EL0 in illegal state with HCR_EL2.TGE=1: EC 0x0E goes to EL2', () => {
    const h = eretWith(SPSR_IL | 0x0n, { el: 2, hcr: HCR_DEFAULT | (1n << 27n) });
    h.step(2);
    expect(h.entry).toMatchObject({ from: 0, target: 2, offset: 0x400, esr: esrOf(0x0e) });
  });

  it('any instruction, even one that would trap or branch, takes EC 0x0E first', () => {
    const h = setup({ el: 1, code: 'eret; nop; svc #0' });
    h.m.cpu.set64(L.SPSR_EL + 2, 0x9n);       // EL2h from EL1: row 1
    h.m.cpu.set64(L.ELR_EL + 2, C + 8n);      // the SVC
    h.step(2);
    expect(h.entries[0]).toMatchObject({ target: 1, esr: esrOf(0x0e) });
    expect(h.elr(1)).toBe(C + 8n);
  });
});

describe('legal exception return (Arm ARM D1.4.4.1; ASL AArch64.ExceptionReturn)', () => {
  it('EL3 -> Non-secure EL2h: EL, SP_EL2, PC, NZCV, DAIF from SPSR_EL3/ELR_EL3', () => {
    const h = eretWith(0x6000_0209n, { el: 3, nzcv: 0 }).step(1);
    expect(h.returns).toEqual([{ from: 3, fromSecure: true, illegal: false }]);
    expect(h.el).toBe(2);
    expect(h.spsel).toBe(1);
    expect(h.sp).toBe(SP[2]);
    expect(h.pc).toBe(TARGET);
    expect(h.m.cpu.nzcv).toBe(0x6000_0000);
    expect(h.daif).toBe(0x200);
    expect(h.il).toBe(0);
    expect(h.m.secure).toBe(false);
  });
  it('EL2 -> EL1t runs on SP_EL0; EL2\'s SP stays banked in SP_EL2', () => {
    const h = eretWith(0x4n, { el: 2 }).step(1);
    expect([h.el, h.spsel, h.sp, h.spOf(2)]).toEqual([1, 0, SP[0], SP[2]]);
  });
  it('EL1 -> EL0t with DAIF clear', () => {
    const h = eretWith(0x0n, { el: 1 }).step(1);
    expect([h.el, h.spsel, h.sp, h.daif]).toEqual([0, 0, SP[0], 0]);
  });
  it('EL3 -> Secure EL1h (SCR_EL3.NS=0)', () => {
    const h = eretWith(0x3c5n, { el: 3, scr: SCR_NS_DEFAULT & ~1n }).step(1);
    expect([h.el, h.m.secure, h.sp]).toEqual([1, true, SP[1]]);
  });
  it('EL3 -> EL3t (same EL, SP_EL0)', () => {
    const h = eretWith(0xcn, { el: 3 }).step(1);
    expect([h.el, h.spsel, h.sp]).toEqual([3, 0, SP[0]]);
  });
  it('sets the event register and clears the local exclusive monitor', () => {
    const h = eretWith(0x5n, { el: 2 });
    h.s[L.EVENT_REG] = 0;
    h.s[L.EXCL_VALID] = 1;
    h.step(1);
    expect(h.s[L.EVENT_REG]).toBe(1);
    expect(h.s[L.EXCL_VALID]).toBe(0);
  });
  it('SVC from EL0 and ERET back restore PC, NZCV, DAIF and SP_EL0 exactly', () => {
    const h = setup({ el: 0, code: 'sub sp, sp, #64; svc #0; nop', nzcv: 0xa000_0000, daif: 0x080 });
    h.m.loadBytes(VBAR[1] + 0x400, new Uint8Array(new Uint32Array([0xd69f03e0]).buffer));   // eret
    h.step(3);
    expect(h.entries.length).toBe(1);
    expect(h.returns).toEqual([{ from: 1, fromSecure: false, illegal: false }]);
    expect(h.el).toBe(0);
    expect(h.pc).toBe(C + 8n);
    expect(h.m.cpu.nzcv).toBe(0xa000_0000);
    expect(h.daif).toBe(0x080);
    expect(h.sp).toBe(SP[0] - 64n);
    expect(h.spOf(1)).toBe(SP[1]);
  });
  it('HVC from EL1 and ERET from EL2 return to the instruction after the HVC', () => {
    const h = setup({ el: 1, code: 'hvc #1; nop' });
    h.m.loadBytes(VBAR[2] + 0x400, new Uint8Array(new Uint32Array([0xd69f03e0]).buffer));
    h.step(2);
    expect([h.el, h.pc]).toEqual([1, C + 4n]);
  });
});
