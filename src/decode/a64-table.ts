/**
 * The A64 decode table: the single source of truth for which encodings exist (DESIGN practice 1;
 * the shape of dynarmic's a64.inc and QEMU's a64.decode). One row per encoding: `bits` spells the
 * 32-bit word from bit 31 to bit 0; `0`/`1` are fixed bits, letters are fields (any value).
 * Where two rows match, the one with more fixed bits wins (compile.ts). Encodings not listed decode
 * as Op.Undefined and raise EC 0x00. Unimplemented classes are listed as comments with the reason.
 *
 * Field letters used in `bits` (also read by disasm): z=sf, o=op, S=set-flags, h=shift/hw, i=imm,
 * n=Rn, d=Rd/Rt, m=Rm, t=Rt2, c=cond, N=N, r=immr, s=imms, x=option, b=b5/b40, p=opc/op1/op2, C=CRn/CRm.
 */
import { Op, OpClass } from './ops.js';

export interface EncodingRow {
  id: Op;
  /** Arm ARM mnemonic and form, e.g. 'ADD (immediate)'. */
  name: string;
  bits: string;
  cls: OpClass;
}

export const A64_TABLE: readonly EncodingRow[] = [
  // C4.1.92 Data processing -- immediate
  { id: Op.ADD_imm, name: 'ADD (immediate)', bits: 'z00100010hiiiiiiiiiiiinnnnnddddd', cls: OpClass.Alu },
  { id: Op.ADDS_imm, name: 'ADDS (immediate)', bits: 'z01100010hiiiiiiiiiiiinnnnnddddd', cls: OpClass.Alu },
  { id: Op.SUB_imm, name: 'SUB (immediate)', bits: 'z10100010hiiiiiiiiiiiinnnnnddddd', cls: OpClass.Alu },
  { id: Op.SUBS_imm, name: 'SUBS (immediate)', bits: 'z11100010hiiiiiiiiiiiinnnnnddddd', cls: OpClass.Alu },
  { id: Op.MOVN, name: 'MOVN', bits: 'z00100101hhiiiiiiiiiiiiiiiiddddd', cls: OpClass.Alu },
  { id: Op.MOVZ, name: 'MOVZ', bits: 'z10100101hhiiiiiiiiiiiiiiiiddddd', cls: OpClass.Alu },
  { id: Op.MOVK, name: 'MOVK', bits: 'z11100101hhiiiiiiiiiiiiiiiiddddd', cls: OpClass.Alu },

  // C4.1.93 Branches, exception generating and system instructions
  { id: Op.B, name: 'B', bits: '000101iiiiiiiiiiiiiiiiiiiiiiiiii', cls: OpClass.Branch },
  { id: Op.BL, name: 'BL', bits: '100101iiiiiiiiiiiiiiiiiiiiiiiiii', cls: OpClass.Branch },
  { id: Op.B_cond, name: 'B.cond', bits: '01010100iiiiiiiiiiiiiiiiiii0cccc', cls: OpClass.Branch },
  { id: Op.BR, name: 'BR', bits: '1101011000011111000000nnnnn00000', cls: OpClass.BranchIndirect },
  { id: Op.BLR, name: 'BLR', bits: '1101011000111111000000nnnnn00000', cls: OpClass.BranchIndirect },
  { id: Op.RET, name: 'RET', bits: '1101011001011111000000nnnnn00000', cls: OpClass.BranchIndirect },
  { id: Op.ERET, name: 'ERET', bits: '11010110100111110000001111100000', cls: OpClass.Eret },
  { id: Op.SVC, name: 'SVC', bits: '11010100000iiiiiiiiiiiiiiii00001', cls: OpClass.ExceptionGen },
  { id: Op.HVC, name: 'HVC', bits: '11010100000iiiiiiiiiiiiiiii00010', cls: OpClass.ExceptionGen },
  { id: Op.SMC, name: 'SMC', bits: '11010100000iiiiiiiiiiiiiiii00011', cls: OpClass.ExceptionGen },
  { id: Op.BRK, name: 'BRK', bits: '11010100001iiiiiiiiiiiiiiii00000', cls: OpClass.ExceptionGen },
  { id: Op.HLT, name: 'HLT', bits: '11010100010iiiiiiiiiiiiiiii00000', cls: OpClass.ExceptionGen },
  // C6.2 HINT space (CRm:op2): NOP, YIELD, WFE, WFI, SEV, SEVL; other hints execute as NOP.
  { id: Op.HINT, name: 'HINT', bits: '11010101000000110010CCCCppp11111', cls: OpClass.Nop },
  { id: Op.CLREX, name: 'CLREX', bits: '11010101000000110011CCCC01011111', cls: OpClass.Barrier },
  { id: Op.DSB, name: 'DSB', bits: '11010101000000110011CCCC10011111', cls: OpClass.Barrier },
  { id: Op.DMB, name: 'DMB', bits: '11010101000000110011CCCC10111111', cls: OpClass.Barrier },
  { id: Op.ISB, name: 'ISB', bits: '11010101000000110011CCCC11011111', cls: OpClass.Barrier },
  // MSR (immediate): op0=00, CRn=0100, Rt=11111
  { id: Op.MSR_imm, name: 'MSR (immediate)', bits: '1101010100000ppp0100CCCCppp11111', cls: OpClass.SysRegWrite },
  { id: Op.MSR_reg, name: 'MSR (register)', bits: '110101010001pppppppppppppppddddd', cls: OpClass.SysRegWrite },
  { id: Op.MRS, name: 'MRS', bits: '110101010011pppppppppppppppddddd', cls: OpClass.SysRegRead },

  // C4.1.94 Loads and stores
  { id: Op.LDR_imm_unsigned, name: 'LDR (immediate, unsigned offset)', bits: '1z11100101iiiiiiiiiiiinnnnnddddd', cls: OpClass.Load },
  { id: Op.STR_imm_unsigned, name: 'STR (immediate, unsigned offset)', bits: '1z11100100iiiiiiiiiiiinnnnnddddd', cls: OpClass.Store },
];
