/**
 * Instruction ids: one per row of the decode table (a64-table.ts). Numbering is internal; names follow
 * the Arm ARM mnemonic + form (DESIGN practice 1/15). `Op.Undefined` (0) is "no row matched".
 * Keep this a `const enum` so `switch (op)` compiles to a jump table.
 */
export const enum Op {
  Undefined = 0,
  // Data processing, immediate
  ADD_imm, ADDS_imm, SUB_imm, SUBS_imm,
  MOVN, MOVZ, MOVK,
  // Branches, exception generation, system
  B, BL, B_cond, BR, BLR, RET, ERET,
  SVC, HVC, SMC, BRK, HLT,
  HINT, // NOP, YIELD, WFE, WFI, SEV, SEVL and other hints
  CLREX, DSB, DMB, ISB,
  MSR_imm, MSR_reg, MRS,
  // Loads and stores
  LDR_imm_unsigned, STR_imm_unsigned,
  /** One past the last id (array sizes). */
  COUNT,
}

/** Instruction classes: the timing model charges cycles per class (timing/profile.ts). */
export const enum OpClass {
  Alu = 0, Mul, Div, Branch, BranchIndirect, Load, Store, LoadPair, StorePair, Exclusive,
  SysRegRead, SysRegWrite, Barrier, ExceptionGen, Eret, Nop, Count,
}
