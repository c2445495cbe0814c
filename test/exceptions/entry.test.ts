/**
 * Exception entry (Arm ARM D1.4.2 RDQXFW/RWTXBY; ASL AArch64.TakeException; reference
 * arch-and-cycles.md 1, 2.1, 2.6, 3, 4.1, 6.1): vector offsets, SPSR/ELR/ESR/FAR contents,
 * DAIF masking, SP selection. Driven by real instruction words through the Machine.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { takeException } from '../../src/exceptions/take.js';
import { VectorType } from '../../src/exceptions/kinds.js';
import { CODE, HCR_DEFAULT, SP, VBAR, esrOf, setup, spsrOf } from '../helpers/el-harness.js';

const C = BigInt(CODE);

describe('vector offsets (Arm ARM D1.4.1.6 RRYXCL; ASL TakeException vect_offset)', () => {
  it('synchronous: current EL with SP_EL0 0x000, with SP_ELx 0x200, from a lower EL (AArch64) 0x400', () => {
    expect(setup({ el: 1, spsel: 0, code: 'svc #0' }).step().entry.offset).toBe(0x000);
    expect(setup({ el: 1, spsel: 1, code: 'svc #0' }).step().entry.offset).toBe(0x200);
    expect(setup({ el: 0, code: 'svc #0' }).step().entry.offset).toBe(0x400);
    expect(setup({ el: 2, spsel: 0, code: 'svc #0' }).step().entry.offset).toBe(0x000);
    expect(setup({ el: 3, spsel: 0, code: 'smc #0' }).step().entry.offset).toBe(0x000);
    expect(setup({ el: 2, spsel: 0, code: 'smc #0' }).step().entry.offset).toBe(0x400);
  });
  it('IRQ +0x080 and FIQ +0x100 in each group', () => {
    const off = (el: number, spsel: number, line: 'irq' | 'fiq') =>
      setup({ el, spsel, code: 'nop', daif: 0 }).irq(line).step().entry.offset;
    expect(off(1, 0, 'irq')).toBe(0x080);
    expect(off(1, 1, 'irq')).toBe(0x280);
    expect(off(0, 0, 'irq')).toBe(0x480);
    expect(off(1, 0, 'fiq')).toBe(0x100);
    expect(off(1, 1, 'fiq')).toBe(0x300);
    expect(off(0, 0, 'fiq')).toBe(0x500);
  });
  it('SError +0x180 (taken directly: no SError source is modelled yet) writes ESR, as synchronous ones do', () => {
    for (const [spsel, el, target, want] of [[0, 1, 1, 0x180], [1, 1, 1, 0x380], [0, 0, 1, 0x580]] as const) {
      const h = setup({ el, spsel, code: 'nop' });
      takeException(h.m.cpu, target, VectorType.SError, esrOf(0x2f), CODE, 0);
      expect(h.entry.offset).toBe(want);
      expect(h.pc).toBe(BigInt(VBAR[target] + want));
      expect(h.esr(target)).toBe(BigInt(esrOf(0x2f)));
    }
  });
  it('PC = VBAR_ELx[63:11] : offset (VBAR low 11 bits are RES0 and ignored)', () => {
    const h = setup({ el: 1, code: 'svc #0' });
    h.m.cpu.set64(L.VBAR_EL + 2, BigInt(VBAR[1]) | 0x7f0n);
    h.step();
    expect(h.pc).toBe(BigInt(VBAR[1] + 0x200));
  });
  it('MSR VBAR_EL1 clears the RES0 bits [10:0]', () => {
    const h = setup({ el: 1, code: 'msr vbar_el1, x1' }).setX(1, 0x4005_07ffn).step();
    expect(h.sys('VBAR_EL1')).toBe(0x4005_0000n);
  });
});

describe('SPSR on entry (Arm ARM C5.2.20-22; ASL GetPSRFromPSTATE)', () => {
  it('records NZCV, DAIF, EL and SP of the interrupted state (M[4]=0: AArch64)', () => {
    const h = setup({ el: 1, spsel: 0, code: 'svc #0', nzcv: 0xa0000000, daif: 0x140 }).step();
    expect(h.spsr(1)).toBe(spsrOf(1, 0, 0x140, 0xa0000000));
  });
  it('EL2h with all flags set, SVC at EL2', () => {
    const h = setup({ el: 2, spsel: 1, code: 'svc #0', nzcv: 0xf0000000, daif: 0 }).step();
    expect(h.spsr(2)).toBe(0xf0000009n);
  });
  it('EL0t from EL0 to EL1 (0x3c0 with DAIF masked; 0x000 with DAIF clear)', () => {
    expect(setup({ el: 0, code: 'svc #0' }).step().spsr(1)).toBe(0x3c0n);
    expect(setup({ el: 0, code: 'svc #0', daif: 0 }).step().spsr(1)).toBe(0x0n);
  });
  it('records PSTATE.PAN (bit 22)', () => {
    const h = setup({ el: 1, code: '.arch armv8.1-a; msr pan, #1; svc #0' }).step(2);
    expect(h.spsr(1) & (1n << 22n)).toBe(1n << 22n);
  });
  it('NZCV are not changed by exception entry (RWTXBY; QEMU 7.2 clears them, reference 9)', () => {
    const h = setup({ el: 1, code: 'svc #0', nzcv: 0x60000000 }).step();
    expect(h.m.cpu.nzcv).toBe(0x60000000);
  });
});

describe('PSTATE after entry (RWTXBY)', () => {
  it('EL = target, SP = 1 (SP_ELx), D=A=I=F=1, IL=0', () => {
    const h = setup({ el: 0, code: 'svc #0', daif: 0 }).step();
    expect(h.el).toBe(1);
    expect(h.spsel).toBe(1);
    expect(h.daif).toBe(0x3c0);
    expect(h.il).toBe(0);
  });
  it('PAN set on entry to EL1 when SCTLR_EL1.SPAN=0, unchanged when SPAN=1', () => {
    const spanClear = setup({ el: 0, code: 'svc #0', sys: { SCTLR_EL1: 0x30500800n } }).step();
    expect(spanClear.s[L.PSTATE_PAN]).toBe(1);
    const spanSet = setup({ el: 0, code: 'svc #0', sys: { SCTLR_EL1: 0x30d00800n } }).step();
    expect(spanSet.s[L.PSTATE_PAN]).toBe(0);
  });
  it('PAN is not changed on entry to EL2 or EL3', () => {
    const h = setup({ el: 1, code: 'smc #0', sys: { SCTLR_EL1: 0x30500800n } }).step();
    expect(h.el).toBe(3);
    expect(h.s[L.PSTATE_PAN]).toBe(0);
  });
});

describe('ELR on entry (Arm ARM D1.4.1 RDPLYN/RVBQMV/RQYCWH; reference 4.1)', () => {
  it('SVC/HVC/SMC executed: next instruction', () => {
    expect(setup({ el: 0, code: 'nop; svc #0' }).step(2).elr(1)).toBe(C + 8n);
    expect(setup({ el: 1, code: 'hvc #0' }).step().elr(2)).toBe(C + 4n);
    expect(setup({ el: 2, code: 'smc #0' }).step().elr(3)).toBe(C + 4n);
  });
  it('BRK: the BRK itself, EC 0x3C with imm16', () => {
    const h = setup({ el: 1, code: 'nop; brk #0x3e8' }).step(2);
    expect(h.elr(1)).toBe(C + 4n);
    expect(h.esr(1)).toBe(BigInt(esrOf(0x3c, 0x3e8)));
  });
  it('UNDEFINED instruction: the instruction itself, EC 0x00, ISS 0, IL 1', () => {
    const h = setup({ el: 1, code: 'nop; udf #0' }).step(2);
    expect(h.elr(1)).toBe(C + 4n);
    expect(h.esr(1)).toBe(0x02000000n);
  });
  it('ERET at EL0 is UNDEFINED (C6.2.80)', () => {
    const h = setup({ el: 0, code: 'eret' }).step();
    expect(h.entry).toMatchObject({ target: 1, offset: 0x400, esr: 0x02000000 });
    expect(h.elr(1)).toBe(C);
  });
});

describe('FAR on entry (Arm ARM RZTSSH: written for aborts and PC alignment only)', () => {
  it('Data Abort (external, no memory at the address) from EL1: EC 0x25, FAR = address, ELR = the load', () => {
    const h = setup({ el: 1, code: 'ldr x0, [x1]' }).setX(1, 0x1000_0000n).step();
    expect(h.entry).toMatchObject({ target: 1, offset: 0x200 });
    expect(h.esr(1)).toBe(BigInt(esrOf(0x25, 0x10)));
    expect(h.far(1)).toBe(0x1000_0000n);
    expect(h.elr(1)).toBe(C);
  });
  it('Data Abort on a store from EL0: EC 0x24 (lower EL) with WnR=1', () => {
    const h = setup({ el: 0, code: 'str x0, [x1, #8]' }).setX(1, 0x1000_0000n).step();
    expect(h.entry).toMatchObject({ target: 1, offset: 0x400 });
    expect(h.esr(1)).toBe(BigInt(esrOf(0x24, (1 << 6) | 0x10)));
    expect(h.far(1)).toBe(0x1000_0008n);
  });
  it('Data Abort with SCR_EL3.EA=1 routes the external abort to EL3', () => {
    const h = setup({ el: 1, code: 'ldr x0, [x1]', scr: 0x531n | 8n }).setX(1, 0x1000_0000n).step();
    expect(h.entry).toMatchObject({ target: 3, offset: 0x400 });
    expect(h.esr(3)).toBe(BigInt(esrOf(0x24, 0x10)));
    expect(h.far(3)).toBe(0x1000_0000n);
  });
  it('Alignment fault (MMU off: Device memory): DFSC 0x21, FAR = the address', () => {
    const h = setup({ el: 1, code: 'ldr x0, [x1]' }).setX(1, BigInt(CODE + 0x1004)).step();
    expect(h.esr(1)).toBe(BigInt(esrOf(0x25, 0x21)));
    expect(h.far(1)).toBe(BigInt(CODE + 0x1004));
  });
  it('PC alignment fault: EC 0x22, ELR = FAR = the misaligned PC (D1.4.10.1)', () => {
    const h = setup({ el: 1, code: 'br x1' }).setX(1, BigInt(CODE + 0x102)).step(2);
    expect(h.entry).toMatchObject({ target: 1, offset: 0x200, esr: esrOf(0x22) });
    expect(h.elr(1)).toBe(BigInt(CODE + 0x102));
    expect(h.far(1)).toBe(BigInt(CODE + 0x102));
  });
  it('Instruction Abort (fetch from no memory) from EL0: EC 0x20, FAR = ELR = the PC', () => {
    const h = setup({ el: 0, code: 'br x1' }).setX(1, 0x2000_0000n).step(2);
    expect(h.entry).toMatchObject({ target: 1, offset: 0x400, esr: esrOf(0x20, 0x10) });
    expect(h.elr(1)).toBe(0x2000_0000n);
    expect(h.far(1)).toBe(0x2000_0000n);
  });
  it('Instruction fetch from Secure-only memory in Non-secure state: Instruction Abort (same EL: EC 0x21)', () => {
    const h = setup({ el: 1, code: 'br x1' }).setX(1, 0x0e00_0000n).step(2);
    expect(h.entry).toMatchObject({ target: 1, offset: 0x200, esr: esrOf(0x21, 0x10) });
    expect(h.far(1)).toBe(0x0e00_0000n);
  });
  it('SVC leaves FAR unchanged (UNKNOWN architecturally; the model keeps it)', () => {
    const h = setup({ el: 0, code: 'svc #0' });
    h.m.cpu.set64(L.FAR_EL + 2, 0x1234n);
    expect(h.step().far(1)).toBe(0x1234n);
  });
});

describe('SP selection (Arm ARM D1.2.2.1, C5.2.18; reference 6.1)', () => {
  it('EL0 uses SP_EL0; entry to EL1 switches to SP_EL1 and keeps SP_EL0 banked', () => {
    const h = setup({ el: 0, code: 'svc #0' });
    expect(h.sp).toBe(SP[0]);
    h.step();
    expect(h.sp).toBe(SP[1]);
    expect(h.spOf(0)).toBe(SP[0]);
  });
  it('EL1t (SPSel=0) running on SP_EL0 takes an exception on SP_EL1', () => {
    const h = setup({ el: 1, spsel: 0, code: 'sub sp, sp, #16; svc #0' });
    expect(h.sp).toBe(SP[0]);
    h.step(2);
    expect(h.sp).toBe(SP[1]);
    expect(h.spOf(0)).toBe(SP[0] - 16n);
  });
  it('entry to EL3 from EL2 uses SP_EL3; SP_EL2 keeps the EL2 value', () => {
    const h = setup({ el: 2, code: 'sub sp, sp, #32; smc #0' }).step(2);
    expect(h.sp).toBe(SP[3]);
    expect(h.spOf(2)).toBe(SP[2] - 32n);
  });
  it('MSR SPSel switches the live SP between SP_EL0 and SP_ELx', () => {
    const h = setup({ el: 2, code: 'msr spsel, #0; mov x0, sp; msr spsel, #1; mov x1, sp' }).step(4);
    expect(h.x(0)).toBe(SP[0]);
    expect(h.x(1)).toBe(SP[2]);
  });
});

describe('HCR_EL2.TGE redirects EL0 exceptions that would go to EL1 (RDPLSC, RJNBTN)', () => {
  it('UNDEFINED at EL0 with TGE=1 -> EL2 with EC 0x00', () => {
    const h = setup({ el: 0, code: 'udf #1', hcr: HCR_DEFAULT | (1n << 27n) }).step();
    expect(h.entry).toMatchObject({ target: 2, offset: 0x400, esr: 0x02000000 });
    expect(h.spsr(2)).toBe(spsrOf(0, 0));
  });
  it('Data Abort at EL0 with TGE=1 -> EL2, FAR_EL2 written', () => {
    const h = setup({ el: 0, code: 'ldr x0, [x1]', hcr: HCR_DEFAULT | (1n << 27n) }).setX(1, 0x1000_0000n).step();
    expect(h.entry).toMatchObject({ target: 2, offset: 0x400, esr: esrOf(0x24, 0x10) });
    expect(h.far(2)).toBe(0x1000_0000n);
  });
});
