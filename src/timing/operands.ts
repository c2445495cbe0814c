/**
 * Register operands of a decoded instruction, for the pipeline model's scoreboard: which registers
 * an instruction reads and writes, from the same word and Op id the interpreter executes. Fields are
 * the decode table's letters (decode/a64-table.ts): d = Rd/Rt (bits 4:0), n = Rn (9:5), m = Rm
 * (20:16), t = Rt2 / a = Ra (14:10), k = Rs (20:16).
 *
 * Scoreboard slots: 0-30 = X0-X30, SP_SLOT = the stack pointer, FLAGS = NZCV. A register field of 31
 * is SP where the encoding says so (ADD/SUB immediate and extended, logical immediate Rd, every
 * load/store base) and XZR otherwise; XZR is no dependency.
 */
import { Op } from '../decode/ops.js';

export const SP_SLOT = 31;
export const FLAGS = 32;
export const SLOTS = 33;
/** No register. */
export const NONE = -1;

/** Up to 4 source slots (NONE-padded). */
export const src = new Int8Array(4);
/** Up to 3 destination slots (NONE-padded). */
export const dst = new Int8Array(3);
/**
 * For each destination: 1 if it is a base-register writeback or a flag result (available after the
 * ALU latency), 0 if it is the instruction's main result (available after the class latency).
 */
export const dstAlu = new Int8Array(3);

/** Register or XZR (no dependency). */
const rz = (r: number): number => (r === 31 ? NONE : r);

function set(s0: number, s1: number, s2: number, s3: number, d0: number, d1: number, d2: number, a0: number, a1: number, a2: number): void {
  src[0] = s0; src[1] = s1; src[2] = s2; src[3] = s3;
  dst[0] = d0; dst[1] = d1; dst[2] = d2;
  dstAlu[0] = a0; dstAlu[1] = a1; dstAlu[2] = a2;
}

/** Fill `src`/`dst`/`dstAlu` for `op` executing word `w`. */
export function operands(op: Op, w: number): void {
  const d = w & 31, n = (w >>> 5) & 31, m = (w >>> 16) & 31, t2 = (w >>> 10) & 31;
  const N = NONE;
  switch (op) {
    // ---- data processing, immediate ----
    case Op.ADR: case Op.ADRP: case Op.MOVN: case Op.MOVZ: return set(N, N, N, N, rz(d), N, N, 0, 0, 0);
    case Op.MOVK: return set(rz(d), N, N, N, rz(d), N, N, 0, 0, 0);
    case Op.ADD_imm: case Op.SUB_imm: return set(n, N, N, N, d, N, N, 0, 0, 0);
    case Op.ADDS_imm: case Op.SUBS_imm: return set(n, N, N, N, rz(d), FLAGS, N, 0, 1, 0);
    case Op.AND_imm: case Op.ORR_imm: case Op.EOR_imm: return set(rz(n), N, N, N, d, N, N, 0, 0, 0);
    case Op.ANDS_imm: return set(rz(n), N, N, N, rz(d), FLAGS, N, 0, 1, 0);
    case Op.SBFM: case Op.UBFM: return set(rz(n), N, N, N, rz(d), N, N, 0, 0, 0);
    case Op.BFM: return set(rz(n), rz(d), N, N, rz(d), N, N, 0, 0, 0);
    case Op.EXTR: return set(rz(n), rz(m), N, N, rz(d), N, N, 0, 0, 0);
    // ---- branches, exception generating, system ----
    case Op.B: return set(N, N, N, N, N, N, N, 0, 0, 0);
    case Op.BL: return set(N, N, N, N, 30, N, N, 1, 0, 0);
    case Op.B_cond: return set(FLAGS, N, N, N, N, N, N, 0, 0, 0);
    case Op.CBZ: case Op.CBNZ: case Op.TBZ: case Op.TBNZ: return set(rz(d), N, N, N, N, N, N, 0, 0, 0);
    case Op.BR: case Op.RET: return set(rz(n), N, N, N, N, N, N, 0, 0, 0);
    case Op.BLR: return set(rz(n), N, N, N, 30, N, N, 1, 0, 0);
    case Op.MSR_reg: return set(rz(d), N, N, N, N, N, N, 0, 0, 0);
    case Op.MRS: return set(N, N, N, N, rz(d), N, N, 0, 0, 0);
    case Op.DC_ZVA: case Op.DC_VA: case Op.DC_SW: case Op.IC_IVAU: case Op.TLBI_EL1: case Op.TLBI_EL2:
    case Op.TLBI_EL3: case Op.AT:
      return set(rz(d), N, N, N, N, N, N, 0, 0, 0);
    // ---- loads and stores ----
    case Op.LDR_lit: return set(N, N, N, N, rz(d), N, N, 0, 0, 0);
    case Op.LD_uimm: case Op.LD_unscaled: case Op.LD_unpriv: case Op.LDXR: case Op.LDAR:
      return set(n, N, N, N, rz(d), N, N, 0, 0, 0);
    case Op.LD_post: case Op.LD_pre: return set(n, N, N, N, rz(d), n, N, 0, 1, 0);
    case Op.LD_reg: return set(n, rz(m), N, N, rz(d), N, N, 0, 0, 0);
    case Op.ST_uimm: case Op.ST_unscaled: case Op.ST_unpriv: case Op.STLR:
      return set(n, rz(d), N, N, N, N, N, 0, 0, 0);
    case Op.ST_post: case Op.ST_pre: return set(n, rz(d), N, N, n, N, N, 1, 0, 0);
    case Op.ST_reg: return set(n, rz(m), rz(d), N, N, N, N, 0, 0, 0);
    case Op.LDP_off: case Op.LDXP: return set(n, N, N, N, rz(d), rz(t2), N, 0, 0, 0);
    case Op.LDP_post: case Op.LDP_pre: return set(n, N, N, N, rz(d), rz(t2), n, 0, 0, 1);
    case Op.STP_off: return set(n, rz(d), rz(t2), N, N, N, N, 0, 0, 0);
    case Op.STP_post: case Op.STP_pre: return set(n, rz(d), rz(t2), N, n, N, N, 1, 0, 0);
    case Op.STXR: return set(n, rz(d), N, N, rz(m), N, N, 0, 0, 0);
    case Op.STXP: return set(n, rz(d), rz(t2), N, rz(m), N, N, 0, 0, 0);
    // ---- data processing, register ----
    case Op.AND_reg: case Op.BIC_reg: case Op.ORR_reg: case Op.ORN_reg: case Op.EOR_reg: case Op.EON_reg:
    case Op.ADD_sreg: case Op.SUB_sreg: case Op.LSLV: case Op.LSRV: case Op.ASRV: case Op.RORV:
    case Op.UDIV: case Op.SDIV: case Op.SMULH: case Op.UMULH:
      return set(rz(n), rz(m), N, N, rz(d), N, N, 0, 0, 0);
    case Op.ANDS_reg: case Op.BICS_reg: case Op.ADDS_sreg: case Op.SUBS_sreg:
      return set(rz(n), rz(m), N, N, rz(d), FLAGS, N, 0, 1, 0);
    case Op.ADD_ereg: case Op.SUB_ereg: return set(n, rz(m), N, N, d, N, N, 0, 0, 0);
    case Op.ADDS_ereg: case Op.SUBS_ereg: return set(n, rz(m), N, N, rz(d), FLAGS, N, 0, 1, 0);
    case Op.ADC: case Op.SBC: return set(rz(n), rz(m), FLAGS, N, rz(d), N, N, 0, 0, 0);
    case Op.ADCS: case Op.SBCS: return set(rz(n), rz(m), FLAGS, N, rz(d), FLAGS, N, 0, 1, 0);
    case Op.CCMN_reg: case Op.CCMP_reg: return set(rz(n), rz(m), FLAGS, N, FLAGS, N, N, 1, 0, 0);
    case Op.CCMN_imm: case Op.CCMP_imm: return set(rz(n), FLAGS, N, N, FLAGS, N, N, 1, 0, 0);
    case Op.CSEL: case Op.CSINC: case Op.CSINV: case Op.CSNEG: return set(rz(n), rz(m), FLAGS, N, rz(d), N, N, 0, 0, 0);
    case Op.MADD: case Op.MSUB: case Op.SMADDL: case Op.SMSUBL: case Op.UMADDL: case Op.UMSUBL:
      return set(rz(n), rz(m), rz(t2), N, rz(d), N, N, 0, 0, 0);
    case Op.RBIT: case Op.REV16: case Op.REV32: case Op.REV: case Op.CLZ: case Op.CLS:
      return set(rz(n), N, N, N, rz(d), N, N, 0, 0, 0);
    // ERET, SVC/HVC/SMC/BRK/HLT, HINT, CLREX/DSB/DMB/ISB, MSR (immediate), IC IALLU, PRFM, Undefined
    default: return set(N, N, N, N, N, N, N, 0, 0, 0);
  }
}
