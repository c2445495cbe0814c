/**
 * Disassembly in GNU objdump syntax (for traces and mismatch reports), generated from the decode
 * table: the row a word decodes to gives the mnemonic (the first word of its Arm ARM name) and the
 * handler id picks the operand format; the Arm ARM "preferred disassembly" aliases (MOV, CMP, LSL,
 * UBFX, CSET, MUL...) are applied as GNU objdump applies them. Operand text matches objdump for the
 * common forms, except that mnemonic and operands are separated by one space (objdump: a tab) and
 * objdump's trailing comments (`// #65535`, `// eq = none`) and `<symbol>` annotations are not produced;
 * branch targets print as `0x...` (objdump on raw binaries), or `.+0x..` without a PC. Known differences
 * (test/decode/disasm.test.ts): system registers outside state/sysregs.ts print as s<op0>_<op1>_c<n>_c<m>_<op2>;
 * LDAR/LDARB/LDARH with should-be-one fields not all ones, and LDPSW with writeback into a data
 * register, print as instructions (this model executes them, see exec/ops/ldst.ts) where objdump
 * says undefined.
 * Cold path: allocation is fine here.
 */
import { SYSREG_TABLE, sysRegKey } from '../state/sysregs.js';
import { decodeRow } from './decoder.js';
import { Op } from './ops.js';

const COND = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
const SHIFT = ['lsl', 'lsr', 'asr', 'ror'];
const EXTEND = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];
const BARRIER: Record<number, string> = { 15: 'sy', 14: 'st', 13: 'ld', 11: 'ish', 10: 'ishst', 9: 'ishld', 7: 'nsh', 6: 'nshst', 5: 'nshld', 3: 'osh', 2: 'oshst', 1: 'oshld' };
const HINTS: Record<number, string> = {
  0: 'nop', 1: 'yield', 2: 'wfe', 3: 'wfi', 4: 'sev', 5: 'sevl', 7: 'xpaclri', 8: 'pacia1716', 10: 'pacib1716',
  12: 'autia1716', 14: 'autib1716', 16: 'esb', 17: 'psb csync', 18: 'tsb csync', 20: 'csdb', 22: 'clearbhb', 24: 'paciaz', 25: 'paciasp',
  26: 'pacibz', 27: 'pacibsp', 28: 'autiaz', 29: 'autiasp', 30: 'autibz', 31: 'autibsp', 32: 'bti', 34: 'bti c', 36: 'bti j', 38: 'bti jc',
};
/** SYS operations that take no register operand (printed without Xt, whatever Rt holds, as objdump does). */
const NO_RT = /^(IC IALLU|IC IALLUIS|TLBI (VMALL|ALLE))/;

const hex = (v: number | bigint): string => '#0x' + v.toString(16);
const dec = (v: number): string => '#' + v;
const x = (r: number, sp = false): string => (r === 31 ? (sp ? 'sp' : 'xzr') : 'x' + r);
const wr = (r: number, sp = false): string => (r === 31 ? (sp ? 'wsp' : 'wzr') : 'w' + r);
const reg = (sf: number, r: number, sp = false): string => (sf ? x(r, sp) : wr(r, sp));
const f = (w: number, hi: number, lo: number): number => (w >>> lo) & ((2 ** (hi - lo + 1)) - 1);
const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

function target(pc: bigint | undefined, off: number): string {
  if (pc === undefined) return off < 0 ? `.-0x${(-off).toString(16)}` : `.+0x${off.toString(16)}`;
  return '0x' + BigInt.asUintN(64, pc + BigInt(off)).toString(16);
}

/** ASL DecodeBitMasks(N, imms, immr, TRUE).wmask as a BigInt of `width` bits, or null if reserved. */
function bitMask(n: number, imms: number, immr: number, width: number): bigint | null {
  const combined = (n << 6) | (~imms & 63);
  const len = 31 - Math.clz32(combined);
  if (len < 1 || (1 << len) > width) return null;
  const levels = (1 << len) - 1;
  const s = imms & levels, r = immr & levels, esize = 1 << len;
  if (s === levels) return null;
  const elemMask = (1n << BigInt(esize)) - 1n;
  const welem = (1n << BigInt(s + 1)) - 1n;
  const rot = r === 0 ? welem : ((welem >> BigInt(r)) | (welem << BigInt(esize - r))) & elemMask;
  let out = 0n;
  for (let i = 0; i < width; i += esize) out |= rot << BigInt(i);
  return out;
}

/**
 * Whether MOVZ or MOVN can build `v` (`width` bits): all bits outside one 16-bit halfword are zero, or
 * all are one. ORR (immediate) with Rn = XZR prints as MOV only when they cannot (GNU binutils checks
 * the value; the ASL MoveWidePreferred test is stricter for some rotated MOVN-able values).
 */
function wideConstant(v: bigint, width: number): boolean {
  const all = (1n << BigInt(width)) - 1n;
  for (let hw = 0; hw < width; hw += 16) {
    const outside = all & ~(0xffffn << BigInt(hw));
    if ((v & outside) === 0n || (~v & outside) === 0n) return true;
  }
  return false;
}

function sysRegName(op0: number, op1: number, crn: number, crm: number, op2: number): string {
  const key = sysRegKey(op0, op1, crn, crm, op2);
  for (const r of SYSREG_TABLE) if (sysRegKey(r.op0, r.op1, r.crn, r.crm, r.op2) === key) return r.name.toLowerCase();
  return `s${op0}_${op1}_c${crn}_c${crm}_${op2}`;
}

function memOffset(base: string, off: number): string {
  return off === 0 ? `[${base}]` : `[${base}, ${dec(off)}]`;
}

function prfop(rt: number): string {
  const type = rt >> 3, tgt = (rt >> 1) & 3, pol = rt & 1;
  if (type > 2 || tgt > 2) return '#0x' + rt.toString(16).padStart(2, '0');
  return ['pld', 'pli', 'pst'][type]! + 'l' + (tgt + 1) + (pol ? 'strm' : 'keep');
}

/** Load/store register: Rt width from size:opc (64-bit for X loads/stores, LDRSx to X, LDRSW). */
function ldstRt(w: number): string {
  const size = w >>> 30, opc = f(w, 23, 22);
  const is64 = size === 3 || (opc === 2 && size !== 3);
  return is64 ? x(w & 31) : wr(w & 31);
}

/** Disassemble one A64 instruction word. `pc` (the word's address) resolves PC-relative targets. */
export function disassemble(word: number, pc?: bigint): string {
  const w = word >>> 0;
  const row = decodeRow(w);
  if (row === undefined) {
    if (w >>> 16 === 0) return `udf ${dec(w & 0xffff)}`;
    return `.inst 0x${w.toString(16).padStart(8, '0')} ; undefined`;
  }
  const mn = row.name.split(' ')[0]!.toLowerCase();
  const ops = operands(row.id, row.name, mn, w, pc);
  return ops[1] === '' ? ops[0] : `${ops[0]} ${ops[1]}`;
}

/** [mnemonic, operands] for a decoded word. */
function operands(id: Op, name: string, mn: string, w: number, pc: bigint | undefined): [string, string] {
  const sf = w >>> 31;
  const rd = w & 31, rn = f(w, 9, 5), rm = f(w, 20, 16);
  const R = (r: number, sp = false): string => reg(sf, r, sp);
  switch (id) {
    // ---- data processing, immediate ----
    case Op.ADR: return ['adr', `${x(rd)}, ${target(pc, sext((f(w, 23, 5) << 2) | f(w, 30, 29), 21))}`];
    case Op.ADRP: {
      const imm = sext((f(w, 23, 5) << 2) | f(w, 30, 29), 21);
      const t = pc === undefined ? `.+0x${(imm * 4096).toString(16)}` : '0x' + BigInt.asUintN(64, (pc & ~0xfffn) + BigInt(imm) * 4096n).toString(16);
      return ['adrp', `${x(rd)}, ${t}`];
    }
    case Op.ADD_imm: case Op.ADDS_imm: case Op.SUB_imm: case Op.SUBS_imm: {
      const imm = f(w, 21, 10), sh = f(w, 22, 22);
      const immText = hex(imm) + (sh ? ', lsl #12' : '');
      const S = id === Op.ADDS_imm || id === Op.SUBS_imm;
      if (id === Op.ADD_imm && imm === 0 && sh === 0 && (rd === 31 || rn === 31)) return ['mov', `${R(rd, true)}, ${R(rn, true)}`];
      if (S && rd === 31) return [id === Op.ADDS_imm ? 'cmn' : 'cmp', `${R(rn, true)}, ${immText}`];
      return [mn, `${R(rd, !S)}, ${R(rn, true)}, ${immText}`];
    }
    case Op.AND_imm: case Op.ORR_imm: case Op.EOR_imm: case Op.ANDS_imm: {
      const n = f(w, 22, 22), immr = f(w, 21, 16), imms = f(w, 15, 10);
      const imm = bitMask(n, imms, immr, sf ? 64 : 32) ?? 0n;
      if (id === Op.ANDS_imm && rd === 31) return ['tst', `${R(rn)}, ${hex(imm)}`];
      if (id === Op.ORR_imm && rn === 31 && !wideConstant(imm, sf ? 64 : 32)) return ['mov', `${R(rd, true)}, ${hex(imm)}`];
      return [mn, `${R(rd, id !== Op.ANDS_imm)}, ${R(rn)}, ${hex(imm)}`];
    }
    case Op.MOVN: case Op.MOVZ: case Op.MOVK: {
      const imm = f(w, 20, 5), hw = f(w, 22, 21);
      const width = sf ? 64 : 32;
      if (id === Op.MOVZ && !(imm === 0 && hw !== 0)) return ['mov', `${R(rd)}, ${hex(BigInt(imm) << BigInt(hw * 16))}`];
      if (id === Op.MOVN && !(imm === 0 && hw !== 0) && !(sf === 0 && imm === 0xffff)) {
        const v = ~(BigInt(imm) << BigInt(hw * 16)) & ((1n << BigInt(width)) - 1n);
        return ['mov', `${R(rd)}, ${hex(v)}`];
      }
      return [mn, `${R(rd)}, ${hex(imm)}${hw ? `, lsl #${hw * 16}` : ''}`];
    }
    case Op.SBFM: case Op.BFM: case Op.UBFM: {
      const immr = f(w, 21, 16), imms = f(w, 15, 10), width = sf ? 64 : 32;
      const d = R(rd), s = R(rn);
      if (id === Op.SBFM) {
        if (imms === width - 1) return ['asr', `${d}, ${s}, ${dec(immr)}`];
        if (imms < immr) return ['sbfiz', `${d}, ${s}, ${dec(width - immr)}, ${dec(imms + 1)}`];
        if (immr === 0 && (imms === 7 || imms === 15 || (imms === 31 && sf))) return [imms === 7 ? 'sxtb' : imms === 15 ? 'sxth' : 'sxtw', `${d}, ${wr(rn)}`];
        return ['sbfx', `${d}, ${s}, ${dec(immr)}, ${dec(imms - immr + 1)}`];
      }
      if (id === Op.UBFM) {
        if (imms !== width - 1 && imms + 1 === immr) return ['lsl', `${d}, ${s}, ${dec(width - 1 - imms)}`];
        if (imms === width - 1) return ['lsr', `${d}, ${s}, ${dec(immr)}`];
        if (imms < immr) return ['ubfiz', `${d}, ${s}, ${dec(width - immr)}, ${dec(imms + 1)}`];
        if (sf === 0 && immr === 0 && (imms === 7 || imms === 15)) return [imms === 7 ? 'uxtb' : 'uxth', `${d}, ${wr(rn)}`];
        return ['ubfx', `${d}, ${s}, ${dec(immr)}, ${dec(imms - immr + 1)}`];
      }
      if (imms < immr) {
        if (rn === 31) return ['bfc', `${d}, ${dec(width - immr)}, ${dec(imms + 1)}`];
        return ['bfi', `${d}, ${s}, ${dec(width - immr)}, ${dec(imms + 1)}`];
      }
      return ['bfxil', `${d}, ${s}, ${dec(immr)}, ${dec(imms - immr + 1)}`];
    }
    case Op.EXTR: {
      const lsb = f(w, 15, 10);
      if (rn === rm) return ['ror', `${R(rd)}, ${R(rn)}, ${dec(lsb)}`];
      return ['extr', `${R(rd)}, ${R(rn)}, ${R(rm)}, ${dec(lsb)}`];
    }

    // ---- branches, exception generation, system ----
    case Op.B: case Op.BL: return [mn, target(pc, sext(f(w, 25, 0), 26) * 4)];
    case Op.B_cond: return [`b.${COND[w & 15]}`, target(pc, sext(f(w, 23, 5), 19) * 4)];
    case Op.CBZ: case Op.CBNZ: return [mn, `${R(rd)}, ${target(pc, sext(f(w, 23, 5), 19) * 4)}`];
    case Op.TBZ: case Op.TBNZ: {
      const bit = (f(w, 31, 31) << 5) | f(w, 23, 19);
      return [mn, `${bit >= 32 ? x(rd) : wr(rd)}, ${dec(bit)}, ${target(pc, sext(f(w, 18, 5), 14) * 4)}`];
    }
    case Op.BR: case Op.BLR: return [mn, x(rn)];
    case Op.RET: return ['ret', rn === 30 ? '' : x(rn)];
    case Op.ERET: return ['eret', ''];
    case Op.SVC: case Op.HVC: case Op.SMC: case Op.BRK: case Op.HLT: return [mn, hex(f(w, 20, 5))];
    case Op.HINT: {
      const k = f(w, 11, 5);
      const h = HINTS[k];
      return h !== undefined ? [h, ''] : ['hint', hex(k)];
    }
    case Op.CLREX: { const crm = f(w, 11, 8); return crm === 15 ? ['clrex', ''] : ['clrex', hex(crm)]; }
    case Op.ISB: { const crm = f(w, 11, 8); return crm === 15 ? ['isb', ''] : ['isb', hex(crm)]; }
    case Op.DSB: case Op.DMB: {
      const crm = f(w, 11, 8);
      if (id === Op.DSB && crm === 0) return ['ssbb', ''];
      if (id === Op.DSB && crm === 4) return ['pssbb', ''];
      const o = BARRIER[crm];
      return [mn, o ?? '#0x' + crm.toString(16).padStart(2, '0')];
    }
    case Op.MSR_imm: {
      // PSTATE fields objdump names: DAIFSet/DAIFClr (imm4), and the 1-bit fields with CRm <= 1.
      // Any other op1:op2 (or a 1-bit field with a larger immediate) prints as the register form.
      const op1 = f(w, 18, 16), op2 = f(w, 7, 5), crm = f(w, 11, 8);
      const key = op1 * 8 + op2;
      if (op1 === 0 && op2 <= 2 && crm === 0) return [['cfinv', 'xaflag', 'axflag'][op2]!, ''];   // FEAT_FlagM/FlagM2
      const field = key === 30 ? 'daifset' : key === 31 ? 'daifclr'
        : crm > 1 ? undefined : ({ 5: 'spsel', 4: 'pan', 3: 'uao', 8: 'allint', 26: 'dit', 25: 'ssbs', 28: 'tco' } as Record<number, string>)[key];
      if (field === undefined) return ['msr', `s0_${op1}_c4_c${crm}_${op2}, xzr`];
      return ['msr', `${field}, ${hex(crm)}`];
    }
    case Op.MRS: case Op.MSR_reg: {
      const nm = sysRegName(2 + f(w, 19, 19), f(w, 18, 16), f(w, 15, 12), f(w, 11, 8), f(w, 7, 5));
      return id === Op.MRS ? ['mrs', `${x(rd)}, ${nm}`] : ['msr', `${nm}, ${x(rd)}`];
    }
    case Op.DC_ZVA: case Op.DC_VA: case Op.DC_SW: case Op.IC_ALL: case Op.IC_IVAU:
    case Op.TLBI_EL1: case Op.TLBI_EL2: case Op.TLBI_EL3: case Op.AT: {
      const [m, op] = name.toLowerCase().split(' ');
      return [m!, NO_RT.test(name) ? op! : `${op}, ${x(rd)}`];
    }

    // ---- loads and stores ----
    case Op.LDR_lit: {
      const t = w >>> 30 === 1 ? x(rd) : w >>> 30 === 2 ? x(rd) : wr(rd);
      return [w >>> 30 === 2 ? 'ldrsw' : 'ldr', `${t}, ${target(pc, sext(f(w, 23, 5), 19) * 4)}`];
    }
    case Op.PRFM: {
      const p = prfop(rd);
      if (name === 'PRFM (literal)') return ['prfm', `${p}, ${target(pc, sext(f(w, 23, 5), 19) * 4)}`];
      if (name === 'PRFUM') return ['prfum', `${p}, ${memOffset(x(rn, true), sext(f(w, 20, 12), 9))}`];
      if (name === 'PRFM (register)') return ['prfm', `${p}, ${regOffset(w)}`];
      return ['prfm', `${p}, ${memOffset(x(rn, true), f(w, 21, 10) * 8)}`];
    }
    case Op.LD_uimm: case Op.ST_uimm:
      return [mn, `${ldstRt(w)}, ${memOffset(x(rn, true), f(w, 21, 10) << (w >>> 30))}`];
    case Op.LD_unscaled: case Op.ST_unscaled: case Op.LD_unpriv: case Op.ST_unpriv:
      return [mn, `${ldstRt(w)}, ${memOffset(x(rn, true), sext(f(w, 20, 12), 9))}`];
    case Op.LD_post: case Op.ST_post:
      return [mn, `${ldstRt(w)}, [${x(rn, true)}], ${dec(sext(f(w, 20, 12), 9))}`];
    case Op.LD_pre: case Op.ST_pre:
      return [mn, `${ldstRt(w)}, [${x(rn, true)}, ${dec(sext(f(w, 20, 12), 9))}]!`];
    case Op.LD_reg: case Op.ST_reg:
      return [mn, `${ldstRt(w)}, ${regOffset(w)}`];
    case Op.LDP_off: case Op.STP_off: case Op.LDP_post: case Op.STP_post: case Op.LDP_pre: case Op.STP_pre: {
      const opc = w >>> 30;
      const t = opc === 0 ? wr : x;
      const off = sext(f(w, 21, 15), 7) << (opc === 2 ? 3 : 2);
      const base = x(rn, true);
      const addr = id === Op.LDP_post || id === Op.STP_post ? `[${base}], ${dec(off)}`
        : id === Op.LDP_pre || id === Op.STP_pre ? `[${base}, ${dec(off)}]!` : memOffset(base, off);
      return [mn, `${t(rd)}, ${t(f(w, 14, 10))}, ${addr}`];
    }
    case Op.LDXR: case Op.LDAR: case Op.STLR:
      return [mn, `${w >>> 30 === 3 ? x(rd) : wr(rd)}, [${x(rn, true)}]`];
    case Op.STXR:
      return [mn, `${wr(rm)}, ${w >>> 30 === 3 ? x(rd) : wr(rd)}, [${x(rn, true)}]`];
    case Op.LDXP: { const t = (w >>> 30) & 1 ? x : wr; return [mn, `${t(rd)}, ${t(f(w, 14, 10))}, [${x(rn, true)}]`]; }
    case Op.STXP: { const t = (w >>> 30) & 1 ? x : wr; return [mn, `${wr(rm)}, ${t(rd)}, ${t(f(w, 14, 10))}, [${x(rn, true)}]`]; }

    // ---- data processing, register ----
    case Op.AND_reg: case Op.BIC_reg: case Op.ORR_reg: case Op.ORN_reg:
    case Op.EOR_reg: case Op.EON_reg: case Op.ANDS_reg: case Op.BICS_reg: {
      const type = f(w, 23, 22), amount = f(w, 15, 10);
      const sh = amount === 0 && type === 0 ? '' : `, ${SHIFT[type]} ${dec(amount)}`;
      if (id === Op.ORR_reg && rn === 31 && amount === 0 && type === 0) return ['mov', `${R(rd)}, ${R(rm)}`];
      if (id === Op.ORN_reg && rn === 31) return ['mvn', `${R(rd)}, ${R(rm)}${sh}`];
      if (id === Op.ANDS_reg && rd === 31) return ['tst', `${R(rn)}, ${R(rm)}${sh}`];
      return [mn, `${R(rd)}, ${R(rn)}, ${R(rm)}${sh}`];
    }
    case Op.ADD_sreg: case Op.ADDS_sreg: case Op.SUB_sreg: case Op.SUBS_sreg: {
      const type = f(w, 23, 22), amount = f(w, 15, 10);
      const sh = amount === 0 && type === 0 ? '' : `, ${SHIFT[type]} ${dec(amount)}`;
      if ((id === Op.SUBS_sreg || id === Op.ADDS_sreg) && rd === 31) return [id === Op.SUBS_sreg ? 'cmp' : 'cmn', `${R(rn)}, ${R(rm)}${sh}`];
      if ((id === Op.SUB_sreg || id === Op.SUBS_sreg) && rn === 31) return [id === Op.SUB_sreg ? 'neg' : 'negs', `${R(rd)}, ${R(rm)}${sh}`];
      return [mn, `${R(rd)}, ${R(rn)}, ${R(rm)}${sh}`];
    }
    case Op.ADD_ereg: case Op.ADDS_ereg: case Op.SUB_ereg: case Op.SUBS_ereg: {
      const option = f(w, 15, 13), amount = f(w, 12, 10);
      const S = id === Op.ADDS_ereg || id === Op.SUBS_ereg;
      const mReg = sf && (option & 3) === 3 ? x(rm) : wr(rm);
      const spForm = (rd === 31 && !S) || rn === 31;
      const ext = spForm && option === (sf ? 3 : 2) ? (amount === 0 ? '' : `, lsl ${dec(amount)}`) : `, ${EXTEND[option]}${amount ? ' ' + dec(amount) : ''}`;
      if (S && rd === 31) return [id === Op.ADDS_ereg ? 'cmn' : 'cmp', `${R(rn, true)}, ${mReg}${ext}`];
      return [mn, `${R(rd, !S)}, ${R(rn, true)}, ${mReg}${ext}`];
    }
    case Op.ADC: case Op.ADCS: case Op.SBC: case Op.SBCS:
      if ((id === Op.SBC || id === Op.SBCS) && rn === 31) return [id === Op.SBC ? 'ngc' : 'ngcs', `${R(rd)}, ${R(rm)}`];
      return [mn, `${R(rd)}, ${R(rn)}, ${R(rm)}`];
    case Op.CCMN_reg: case Op.CCMP_reg:
      return [mn, `${R(rn)}, ${R(rm)}, ${hex(w & 15)}, ${COND[f(w, 15, 12)]}`];
    case Op.CCMN_imm: case Op.CCMP_imm:
      return [mn, `${R(rn)}, ${hex(rm)}, ${hex(w & 15)}, ${COND[f(w, 15, 12)]}`];
    case Op.CSEL: case Op.CSINC: case Op.CSINV: case Op.CSNEG: {
      const cond = f(w, 15, 12);
      const inv = COND[cond ^ 1]!;
      if (id !== Op.CSEL && (cond >> 1) !== 7 && rn === rm) {
        if (id === Op.CSINC && rn === 31) return ['cset', `${R(rd)}, ${inv}`];
        if (id === Op.CSINV && rn === 31) return ['csetm', `${R(rd)}, ${inv}`];
        return [id === Op.CSINC ? 'cinc' : id === Op.CSINV ? 'cinv' : 'cneg', `${R(rd)}, ${R(rn)}, ${inv}`];
      }
      return [mn, `${R(rd)}, ${R(rn)}, ${R(rm)}, ${COND[cond]}`];
    }
    case Op.MADD: case Op.MSUB: {
      const ra = f(w, 14, 10);
      if (ra === 31) return [id === Op.MADD ? 'mul' : 'mneg', `${R(rd)}, ${R(rn)}, ${R(rm)}`];
      return [mn, `${R(rd)}, ${R(rn)}, ${R(rm)}, ${R(ra)}`];
    }
    case Op.SMADDL: case Op.SMSUBL: case Op.UMADDL: case Op.UMSUBL: {
      const ra = f(w, 14, 10);
      if (ra === 31) {
        const alias = id === Op.SMADDL ? 'smull' : id === Op.SMSUBL ? 'smnegl' : id === Op.UMADDL ? 'umull' : 'umnegl';
        return [alias, `${x(rd)}, ${wr(rn)}, ${wr(rm)}`];
      }
      return [mn, `${x(rd)}, ${wr(rn)}, ${wr(rm)}, ${x(ra)}`];
    }
    case Op.SMULH: case Op.UMULH: case Op.UDIV: case Op.SDIV: return [mn, `${R(rd)}, ${R(rn)}, ${R(rm)}`];
    case Op.LSLV: case Op.LSRV: case Op.ASRV: case Op.RORV: return [mn.slice(0, 3), `${R(rd)}, ${R(rn)}, ${R(rm)}`];
    case Op.RBIT: case Op.REV16: case Op.REV32: case Op.REV: case Op.CLZ: case Op.CLS: return [mn, `${R(rd)}, ${R(rn)}`];
    case Op.CRC32: return [mn, `${wr(rd)}, ${wr(rn)}, ${(w >>> 10 & 3) === 3 ? x(rm) : wr(rm)}`];

    // ---- atomics (FEAT_LSE): A/L suffixes from the fields, B/H from size ----
    case Op.CAS: case Op.SWP: case Op.LD_ATOMIC: {
      const size = w >>> 30;
      const acq = id === Op.CAS ? f(w, 22, 22) : f(w, 23, 23), rel = id === Op.CAS ? f(w, 15, 15) : f(w, 22, 22);
      const sfx = (acq ? 'a' : '') + (rel ? 'l' : '') + (size === 0 ? 'b' : size === 1 ? 'h' : '');
      const r = (n: number): string => (size === 3 ? x(n) : wr(n));
      const base = `[${x(rn, true)}]`;
      if (id === Op.LD_ATOMIC) {
        const op = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin'][f(w, 14, 12)]!;
        if (rd === 31 && !acq) return [`st${op}${sfx}`, `${r(rm)}, ${base}`];
        return [`ld${op}${sfx}`, `${r(rm)}, ${r(rd)}, ${base}`];
      }
      return [(id === Op.CAS ? 'cas' : 'swp') + sfx, `${r(rm)}, ${r(rd)}, ${base}`];
    }
    case Op.CASP: {
      const r = f(w, 30, 30) ? x : wr;
      const sfx = (f(w, 22, 22) ? 'a' : '') + (f(w, 15, 15) ? 'l' : '');
      return [`casp${sfx}`, `${r(rm)}, ${r(rm + 1)}, ${r(rd)}, ${r(rd + 1)}, [${x(rn, true)}]`];
    }

    // ---- SIMD&FP ----
    case Op.FP_LD_uimm: case Op.FP_ST_uimm: case Op.FP_LD_unscaled: case Op.FP_ST_unscaled:
    case Op.FP_LD_post: case Op.FP_ST_post: case Op.FP_LD_pre: case Op.FP_ST_pre: case Op.FP_LD_reg: case Op.FP_ST_reg: {
      const scale = (f(w, 23, 23) << 2) | (w >>> 30);
      const t = 'bhsdq'[scale]! + rd;
      const base = x(rn, true), simm = sext(f(w, 20, 12), 9);
      switch (id) {
        case Op.FP_LD_uimm: case Op.FP_ST_uimm: return [mn, `${t}, ${memOffset(base, f(w, 21, 10) * (1 << scale))}`];
        case Op.FP_LD_post: case Op.FP_ST_post: return [mn, `${t}, [${base}], ${dec(simm)}`];
        case Op.FP_LD_pre: case Op.FP_ST_pre: return [mn, `${t}, [${base}, ${dec(simm)}]!`];
        case Op.FP_LD_reg: case Op.FP_ST_reg: return [mn, `${t}, ${regOffset(w, scale)}`];
        default: return [mn, `${t}, ${memOffset(base, simm)}`];
      }
    }
    case Op.FP_LDR_lit: return ['ldr', `${'sdq'[w >>> 30]}${rd}, ${target(pc, sext(f(w, 23, 5), 19) * 4)}`];
    case Op.FP_LDP_off: case Op.FP_STP_off: case Op.FP_LDP_post: case Op.FP_STP_post: case Op.FP_LDP_pre: case Op.FP_STP_pre: {
      const opc = w >>> 30, r = 'sdq'[opc]!;
      const off = sext(f(w, 21, 15), 7) * (4 << opc);
      const base = x(rn, true);
      const addr = id === Op.FP_LDP_post || id === Op.FP_STP_post ? `[${base}], ${dec(off)}`
        : id === Op.FP_LDP_pre || id === Op.FP_STP_pre ? `[${base}, ${dec(off)}]!` : memOffset(base, off);
      return [mn, `${r}${rd}, ${r}${f(w, 14, 10)}, ${addr}`];
    }
    case Op.FMOV_gen: {
      const toFp = f(w, 16, 16), sf = w >>> 31, top = f(w, 19, 19) === 1;
      const v = top ? (n: number): string => `v${n}.d[1]` : (n: number): string => (sf ? 'd' : 's') + n;
      const g = sf ? x : wr;
      return ['fmov', toFp ? `${v(rd)}, ${g(rn)}` : `${g(rd)}, ${v(rn)}`];
    }
    case Op.FMOV_reg: { const r = f(w, 22, 22) ? 'd' : 's'; return ['fmov', `${r}${rd}, ${r}${rn}`]; }
    case Op.FMOV_imm: return ['fmov', `${f(w, 22, 22) ? 'd' : 's'}${rd}, #${fpImm(f(w, 20, 13))}`];
    case Op.SIMD_MODIMM: {
      const q = f(w, 30, 30), op = f(w, 29, 29), cmode = f(w, 15, 12);
      const imm8 = (f(w, 18, 16) << 5) | f(w, 9, 5);
      if (cmode === 15) return ['fmov', `v${rd}.${op ? '2d' : q ? '4s' : '2s'}, #${fpImm(imm8)}`];
      if (cmode === 14) {
        if (op === 0) return ['movi', `v${rd}.${q ? '16b' : '8b'}, ${hex(imm8)}`];
        let v = 0n;
        for (let i = 0; i < 8; i++) if ((imm8 >> i) & 1) v |= 0xffn << BigInt(8 * i);
        return ['movi', `${q ? `v${rd}.2d` : `d${rd}`}, ${hex(v)}`];
      }
      const mnem = (cmode & 1) === 0 || (cmode & 14) === 12 ? (op ? 'mvni' : 'movi') : (op ? 'bic' : 'orr');
      if ((cmode & 14) === 12) return [mnem, `v${rd}.${q ? '4s' : '2s'}, ${hex(imm8)}, msl #${(cmode & 1) ? 16 : 8}`];
      const half = (cmode & 8) !== 0;
      const amount = 8 * ((cmode >> 1) & (half ? 1 : 3));
      const arr = half ? (q ? '8h' : '4h') : (q ? '4s' : '2s');
      return [mnem, `v${rd}.${arr}, ${hex(imm8)}${amount ? `, lsl #${amount}` : ''}`];
    }
    case Op.SIMD_LOGIC: {
      const arr = f(w, 30, 30) ? '16b' : '8b';
      if (name === 'ORR (vector)' && rn === rm) return ['mov', `v${rd}.${arr}, v${rn}.${arr}`];
      return [mn, `v${rd}.${arr}, v${rn}.${arr}, v${rm}.${arr}`];
    }
    case Op.SIMD_ADDSUB: {
      const arr = ['8b', '16b', '4h', '8h', '2s', '4s', '1d', '2d'][(f(w, 23, 22) << 1) | f(w, 30, 30)]!;
      return [mn, `v${rd}.${arr}, v${rn}.${arr}, v${rm}.${arr}`];
    }
    case Op.EXT: {
      const arr = f(w, 30, 30) ? '16b' : '8b';
      return ['ext', `v${rd}.${arr}, v${rn}.${arr}, v${rm}.${arr}, #${f(w, 14, 11)}`];
    }
    case Op.DUP_gen: case Op.INS_gen: case Op.UMOV: case Op.SMOV: case Op.DUP_elem: case Op.INS_elem: {
      const imm5 = f(w, 20, 16), sz = 31 - Math.clz32(imm5 & -imm5), idx = imm5 >> (sz + 1);
      const q = f(w, 30, 30), el = 'bhsd'[sz]!;
      if (id === Op.DUP_elem) return ['dup', `v${rd}.${[q ? '16b' : '8b', q ? '8h' : '4h', q ? '4s' : '2s', '2d'][sz]}, v${rn}.${el}[${idx}]`];
      if (id === Op.INS_elem) return ['mov', `v${rd}.${el}[${idx}], v${rn}.${el}[${f(w, 14, 11) >> sz}]`];
      if (id === Op.DUP_gen) return ['dup', `v${rd}.${[q ? '16b' : '8b', q ? '8h' : '4h', q ? '4s' : '2s', '2d'][sz]}, ${sz === 3 ? x(rn) : wr(rn)}`];
      if (id === Op.INS_gen) return ['mov', `v${rd}.${el}[${idx}], ${sz === 3 ? x(rn) : wr(rn)}`];
      if (id === Op.UMOV) return sz >= 2 ? ['mov', `${sz === 3 ? x(rd) : wr(rd)}, v${rn}.${el}[${idx}]`] : ['umov', `${wr(rd)}, v${rn}.${el}[${idx}]`];
      return ['smov', `${q ? x(rd) : wr(rd)}, v${rn}.${el}[${idx}]`];
    }
    default: return [mn, ''];
  }
}

/** ASL VFPExpandImm(imm8) as objdump prints it: %.18e (exact: every value has at most 5 significant bits). */
function fpImm(imm8: number): string {
  // exponent NOT(b6):Replicate(b6):b5:b4 unbiased: b6 = 0 gives 1..4, b6 = 1 gives -3..0
  const e = (imm8 >> 4) & 3, n = (imm8 >> 6) & 1 ? e - 3 : e + 1;
  const v = (imm8 >> 7 ? -1 : 1) * ((16 + (imm8 & 15)) / 16) * 2 ** n;
  const [m, ex] = v.toExponential(18).split('e');
  const en = Number(ex);
  return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
}

/** `[Xn|SP, Rm{, extend {#amount}}]` of a register-offset load/store. */
function regOffset(w: number, scale = w >>> 30): string {
  const option = f(w, 15, 13), S = f(w, 12, 12), size = scale;
  const rm = f(w, 20, 16), rn = f(w, 9, 5);
  const m = (option & 1) === 1 ? x(rm) : wr(rm);
  const amount = S ? size : 0;
  let ext: string;
  if (option === 3) ext = S ? `, lsl ${dec(amount)}` : '';
  else ext = `, ${EXTEND[option]}${S ? ' ' + dec(amount) : ''}`;
  return `[${x(rn, true)}, ${m}${ext}]`;
}
