/**
 * Advanced SIMD and floating-point access traps (Arm ARM D24.2 CPACR_EL1.FPEN, CPTR_EL2.TFP,
 * CPTR_EL3.TFP; ASL AArch64.CheckFPAdvSIMDEnabled, AArch64.CheckFPAdvSIMDTrap,
 * AArch64.AdvSIMDFPAccessTrap): the order of the checks, the target EL, TGE routing of EL0 traps
 * (EC 0x00 at EL2), the syndrome (EC 0x07, IL, CV=1, COND=0b1110), ELR = the instruction, and that
 * every part of the SIMD&FP encoding space is covered: implemented rows, the unimplemented ones
 * (FADD, LD1), loads/stores (literal, pair), FMOV general and MRS/MSR FPCR/FPSR.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.js';
import * as L from '../../src/state/layout.js';
import { sysRegIndex, writeSysReg, readSysReg, sysRegHi } from '../../src/state/sysregs.js';
import { HAVE_BINUTILS, asmWord } from '../helpers/asm.js';

const CODE = 0x4000_0000;
const HCR_RW = 1 << 31, HCR_TGE = 1 << 27;
const SCR_NS_EL2 = 0x531;              // NS, RES1, HCE, RW
const SCR_SECURE = 0x430;              // RES1, RW (NS = 0)
const FPEN = (v: number): number => v << 20;
const TFP = 1 << 10;
/** EC 0x07 | IL | CV | COND=0b1110 (D24.2.45; QEMU syn_fp_access_trap(1, 0xe, ...)). */
const ESR_FP = 0x1fe00000;
/** EC 0x00 | IL: the TGE-routed form (AArch64.AdvSIMDFPAccessTrap, route_to_el2). */
const ESR_UNKNOWN = 0x02000000;

interface Setup { el: number; cpacr?: number; cptr2?: number; cptr3?: number; scr?: number; hcr?: number; sp?: number; sctlr?: number }

function at(o: Setup, word: number): Machine {
  const m = new Machine();
  const s = m.cpu.s;
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, word | 0, true);
  m.loadBytes(CODE, bytes);
  s[L.SCR_EL3] = o.scr ?? SCR_NS_EL2;
  s[L.HCR_EL2] = o.hcr ?? HCR_RW;
  s[L.CPACR_EL1] = o.cpacr ?? 0;
  s[L.CPTR_EL2] = o.cptr2 ?? 0;
  s[L.CPTR_EL3] = o.cptr3 ?? 0;
  for (let el = 1; el <= 3; el++) s[L.VBAR_EL + 2 * el] = 0x4001_0000 + 0x1000 * el;
  if (o.sctlr !== undefined) s[L.SCTLR_EL + 2 * Math.max(o.el, 1)] = o.sctlr;
  s[L.PSTATE_EL] = o.el;
  s[L.PSTATE_SP] = o.el === 0 ? 0 : 1;
  m.cpu.setX(32, BigInt(o.sp ?? 0x4008_0000));   // live SP
  m.cpu.setX(1, 0x4008_0000n);
  m.pc = BigInt(CODE);
  return m;
}

/** Run one instruction; returns [EL after, ESR at that EL, ELR at that EL] or null when no exception. */
function trapOf(o: Setup, word: number): [number, number, bigint] | null {
  const m = at(o, word);
  let taken: [number, number] | null = null;
  m.cpu.onExceptionEntry = (_c, _f, _s, target, _off, esr) => { taken ??= [target, esr >>> 0]; };
  m.run({ maxInstructions: 1 });
  if (taken === null) return null;
  const [t, esr] = taken;
  return [t, esr, m.cpu.get64(L.ELR_EL + 2 * t)];
}

describe.skipIf(!HAVE_BINUTILS)('SIMD&FP access traps', () => {
  const words: Record<string, number> = HAVE_BINUTILS ? {
    'fmov d0, x1': asmWord('fmov d0, x1'),
    'fmov x0, v1.d[1]': asmWord('fmov x0, v1.d[1]'),
    'ldr q0, [x1]': asmWord('ldr q0, [x1]'),
    'ldr d0, .+8 (literal)': asmWord('ldr d0, .+8'),
    'stp q0, q1, [x1]': asmWord('stp q0, q1, [x1]'),
    'movi v0.2d, #0': asmWord('movi v0.2d, #0'),
    'orr v0.16b, v1.16b, v2.16b': asmWord('orr v0.16b, v1.16b, v2.16b'),
    'fadd d0, d1, d2 (no row)': asmWord('fadd d0, d1, d2'),
    'ld1 {v0.16b}, [x1] (no row)': asmWord('ld1 {v0.16b}, [x1]'),
    'mrs x0, fpcr': asmWord('mrs x0, fpcr'),
    'msr fpsr, x0': asmWord('msr fpsr, x0'),
  } : {};

  for (const [name, w] of Object.entries(words)) {
    it(`${name}: CPACR_EL1.FPEN = 00 at EL1 -> EL1, EC 0x07, ELR = the instruction`, () => {
      expect(trapOf({ el: 1, cpacr: FPEN(0) }, w)).toEqual([1, ESR_FP, BigInt(CODE)]);
    });
    it(`${name}: CPTR_EL2.TFP at NS EL1 -> EL2; CPTR_EL3.TFP at EL2 -> EL3`, () => {
      expect(trapOf({ el: 1, cpacr: FPEN(3), cptr2: TFP }, w)).toEqual([2, ESR_FP, BigInt(CODE)]);
      expect(trapOf({ el: 2, cpacr: FPEN(0), cptr3: TFP }, w)).toEqual([3, ESR_FP, BigInt(CODE)]);
    });
  }

  it('FPEN = 01 traps EL0 only; 10 traps EL0 and EL1 (x0); 11 traps neither', () => {
    const w = words['fmov d0, x1']!;
    expect(trapOf({ el: 0, cpacr: FPEN(1) }, w)).toEqual([1, ESR_FP, BigInt(CODE)]);
    expect(trapOf({ el: 1, cpacr: FPEN(1) }, w)).toBeNull();
    expect(trapOf({ el: 0, cpacr: FPEN(2) }, w)).toEqual([1, ESR_FP, BigInt(CODE)]);
    expect(trapOf({ el: 1, cpacr: FPEN(2) }, w)).toEqual([1, ESR_FP, BigInt(CODE)]);
    expect(trapOf({ el: 0, cpacr: FPEN(3) }, w)).toBeNull();
  });

  it('EL0 trap "to EL1" with HCR_EL2.TGE = 1 goes to EL2 as EC 0x00 (AArch64.AdvSIMDFPAccessTrap route_to_el2)', () => {
    expect(trapOf({ el: 0, cpacr: FPEN(0), hcr: HCR_RW | HCR_TGE }, words['ldr q0, [x1]']!)).toEqual([2, ESR_UNKNOWN, BigInt(CODE)]);
    expect(trapOf({ el: 0, cpacr: FPEN(0), hcr: HCR_RW | HCR_TGE }, words['mrs x0, fpcr']!)).toEqual([2, ESR_UNKNOWN, BigInt(CODE)]);
    // CPTR_EL2.TFP itself reports EC 0x07 at EL2 whatever TGE says.
    expect(trapOf({ el: 0, cpacr: FPEN(3), cptr2: TFP, hcr: HCR_RW | HCR_TGE }, words['fmov d0, x1']!)).toEqual([2, ESR_FP, BigInt(CODE)]);
  });

  it('the checks run in the architectural order: CPACR_EL1 before CPTR_EL2 before CPTR_EL3', () => {
    const w = words['fmov d0, x1']!;
    expect(trapOf({ el: 1, cpacr: FPEN(0), cptr2: TFP, cptr3: TFP }, w)?.[0]).toBe(1);
    expect(trapOf({ el: 0, cpacr: FPEN(3), cptr2: TFP, cptr3: TFP }, w)?.[0]).toBe(2);
    expect(trapOf({ el: 0, cpacr: FPEN(3), cptr3: TFP }, w)?.[0]).toBe(3);
    expect(trapOf({ el: 1, cpacr: FPEN(3), cptr3: TFP }, w)?.[0]).toBe(3);
  });

  it('CPTR_EL2.TFP applies only where EL2 is enabled: not at Secure EL1 (no FEAT_SEL2), always at EL2', () => {
    const w = words['fmov d0, x1']!;
    expect(trapOf({ el: 1, cpacr: FPEN(3), cptr2: TFP, scr: SCR_SECURE }, w)).toBeNull();
    expect(trapOf({ el: 1, cpacr: FPEN(3), cptr2: TFP, cptr3: TFP, scr: SCR_SECURE }, w)?.[0]).toBe(3);
    expect(trapOf({ el: 2, cptr2: TFP }, w)).toEqual([2, ESR_FP, BigInt(CODE)]);
  });

  it('CPTR_EL3.TFP traps EL3 itself; CPACR_EL1 and CPTR_EL2 do not apply at EL2/EL3', () => {
    const w = words['ldr q0, [x1]']!;
    expect(trapOf({ el: 3, cptr3: TFP }, w)).toEqual([3, ESR_FP, BigInt(CODE)]);
    expect(trapOf({ el: 3, cpacr: FPEN(0), cptr2: TFP }, w)).toBeNull();
    expect(trapOf({ el: 2, cpacr: FPEN(0) }, w)).toBeNull();
  });

  it('the access check comes before the SP alignment check (ASL: CheckFPEnabled64, then CheckSPAlignment)', () => {
    const w = asmWord('ldr q0, [sp]');
    const sctlrSa = 0x30d00800 | 8;
    expect(trapOf({ el: 1, cpacr: FPEN(0), sp: 0x4008_0008, sctlr: sctlrSa }, w)).toEqual([1, ESR_FP, BigInt(CODE)]);
    // Enabled: the SP alignment fault (EC 0x26) is what remains.
    expect(trapOf({ el: 1, cpacr: FPEN(3), sp: 0x4008_0008, sctlr: sctlrSa }, w)?.[1]).toBe(0x9a000000);
  });

  it('an unimplemented SIMD&FP instruction is UNDEFINED (EC 0x00) when access is enabled; integer words never trap', () => {
    expect(trapOf({ el: 1, cpacr: FPEN(3) }, words['fadd d0, d1, d2 (no row)']!)).toEqual([1, ESR_UNKNOWN, BigInt(CODE)]);
    // An unallocated word outside the SIMD&FP space stays EC 0x00 with FP disabled.
    expect(trapOf({ el: 1, cpacr: FPEN(0) }, 0x00000000)).toEqual([1, ESR_UNKNOWN, BigInt(CODE)]);
    expect(trapOf({ el: 1, cpacr: FPEN(0) }, asmWord('add x0, x1, x2'))).toBeNull();
  });
});

describe.skipIf(!HAVE_BINUTILS)('CPTR_EL2.TCPAC / CPTR_EL3.TCPAC (D24.2.32 CPACR_EL1, D24.2.39 CPTR_EL2 accessibility)', () => {
  const TCPAC = 1 << 31;
  /** EC 0x18 | IL | ISS(op0=3, op2=2, op1, CRn=1, Rt=0, CRm, Dir). */
  const esr18 = (op1: number, crm: number, read: boolean): number => (0x62000000 | (3 << 20) | (2 << 17) | (op1 << 14) | (1 << 10) | (crm << 1) | (read ? 1 : 0)) >>> 0;
  it('MRS/MSR CPACR_EL1 at NS EL1 traps to EL2 with CPTR_EL2.TCPAC, else to EL3 with CPTR_EL3.TCPAC', () => {
    expect(trapOf({ el: 1, cptr2: TCPAC, cptr3: TCPAC }, asmWord('mrs x0, cpacr_el1'))).toEqual([2, esr18(0, 0, true), BigInt(CODE)]);
    expect(trapOf({ el: 1, cptr3: TCPAC }, asmWord('msr cpacr_el1, x0'))).toEqual([3, esr18(0, 0, false), BigInt(CODE)]);
    expect(trapOf({ el: 1, cptr2: TCPAC, scr: SCR_SECURE }, asmWord('mrs x0, cpacr_el1'))).toBeNull();   // EL2 not enabled
    expect(trapOf({ el: 2, cptr2: TCPAC, cptr3: TCPAC }, asmWord('mrs x0, cpacr_el1'))?.[0]).toBe(3);
    expect(trapOf({ el: 3, cptr3: TCPAC }, asmWord('mrs x0, cpacr_el1'))).toBeNull();
  });
  it('MRS/MSR CPTR_EL2 at EL2 traps to EL3 with CPTR_EL3.TCPAC', () => {
    expect(trapOf({ el: 2, cptr3: TCPAC }, asmWord('msr cptr_el2, x0'))).toEqual([3, esr18(4, 1, false), BigInt(CODE)]);
    expect(trapOf({ el: 2 }, asmWord('mrs x0, cptr_el2'))).toBeNull();
  });
  it('an MSR CPTR_EL2 that sets TFP takes effect for the next SIMD&FP instruction at EL1 (through the table, not the state)', () => {
    const m = at({ el: 2, cpacr: FPEN(3) }, 0);
    const code = [asmWord('msr cptr_el2, x2'), asmWord('msr elr_el2, x3'), asmWord('msr spsr_el2, x4'), asmWord('eret'), asmWord('fmov d0, x1')];
    const bytes = new Uint8Array(4 * code.length);
    code.forEach((w, i) => new DataView(bytes.buffer).setInt32(4 * i, w | 0, true));
    m.loadBytes(CODE, bytes);
    m.cpu.setX(2, 0x400n); m.cpu.setX(3, BigInt(CODE + 16)); m.cpu.setX(4, 0x3c5n);
    const seen: [number, number][] = [];
    m.cpu.onExceptionEntry = (_c, _f, _s, target, _off, esr) => { seen.push([target, esr >>> 0]); };
    m.run({ maxInstructions: 5 });
    expect(seen).toEqual([[2, ESR_FP]]);
    expect(m.cpu.get64(L.ELR_EL + 4)).toBe(BigInt(CODE + 16));
    expect(m.cpu.get64(L.CPTR_EL2)).toBe(0x37ffn);
  });
});

describe('SIMD&FP control registers', () => {
  it('reset: CPTR_EL3 = CPTR_EL2 = CPACR_EL1 = 0, as QEMU 7.2 virt shows an EL3 image (FP usable at EL2/EL3, trapped at EL0/EL1)', () => {
    const m = new Machine();
    expect(m.cpu.get64(L.CPTR_EL3)).toBe(0n);
    expect(m.cpu.get64(L.CPTR_EL2)).toBe(0n);
    expect(m.cpu.get64(L.CPACR_EL1)).toBe(0n);
    expect(m.cpu.get64(L.FPCR)).toBe(0n);
    expect(m.cpu.get64(L.FPSR)).toBe(0n);
  });

  it('RES0/RES1 masks on write (D24.2.32 CPACR_EL1, D24.2.39 CPTR_EL2 E2H=0, D24.2.40 CPTR_EL3)', () => {
    const m = new Machine();
    const put = (name: string, enc: number, v: bigint): bigint => {
      const idx = sysRegIndex(enc);
      writeSysReg(m.cpu, idx, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
      const lo = readSysReg(m.cpu, idx);
      return (BigInt(sysRegHi >>> 0) << 32n) | BigInt(lo >>> 0);
    };
    // Encodings of MSR <reg>, X0 (op0:op1:CRn:CRm:op2 at bits 20:5).
    const enc = (op1: number, crn: number, crm: number, op2: number): number => (0xd5180000 | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5)) | 0;
    expect(put('CPACR_EL1', enc(0, 1, 0, 2), 0xffff_ffff_ffff_ffffn)).toBe(0x1030_0000n);
    expect(put('CPTR_EL2', enc(4, 1, 1, 2), 0xffff_ffff_ffff_ffffn)).toBe(0x8010_37ffn);
    expect(put('CPTR_EL2', enc(4, 1, 1, 2), 0n)).toBe(0x33ffn);
    expect(put('CPTR_EL2', enc(4, 1, 1, 2), 0x400n)).toBe(0x37ffn);   // TFP is kept
    expect(put('CPTR_EL3', enc(6, 1, 1, 2), 0xffff_ffff_ffff_ffffn)).toBe(0x8010_0400n);
  });

  it('ID registers report what is implemented: FP/AdvSIMD = 0 (no FP16), LSE Atomic = 0b0010, CRC32 = 0b0001', () => {
    const m = new Machine();
    const read = (enc: number): bigint => { const lo = readSysReg(m.cpu, sysRegIndex(enc)); return (BigInt(sysRegHi >>> 0) << 32n) | BigInt(lo >>> 0); };
    const pfr0 = read(0xd5380400 | 0);     // MRS x0, ID_AA64PFR0_EL1
    expect((pfr0 >> 16n) & 0xfn).toBe(0n);
    expect((pfr0 >> 20n) & 0xfn).toBe(0n);
    const isar0 = read(0xd5380600 | 0);    // MRS x0, ID_AA64ISAR0_EL1
    expect((isar0 >> 20n) & 0xfn).toBe(2n);
    expect((isar0 >> 16n) & 0xfn).toBe(1n);
  });
});
