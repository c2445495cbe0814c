/**
 * Instruction ids: the handler a decoded word runs (DESIGN practice 1/15). Names follow the Arm ARM
 * mnemonic + form. Most ids have exactly one row in the decode table (a64-table.ts); a few handler ids
 * cover a family of rows that differ only in fields the handler reads anyway (the load/store
 * addressing modes: one id per mode, one row per mnemonic; DC/IC/TLBI: one id per access rule, one row
 * per operation). `Op.Undefined` (0) is "no row matched, or the decode pseudocode says UNDEFINED".
 * Keep this a `const enum` so `switch (op)` compiles to a jump table.
 */
export const enum Op {
  Undefined = 0,

  // ---- Data processing -- immediate (C4.1.92) ----
  ADR, ADRP,
  ADD_imm, ADDS_imm, SUB_imm, SUBS_imm,
  AND_imm, ORR_imm, EOR_imm, ANDS_imm,
  MOVN, MOVZ, MOVK,
  SBFM, BFM, UBFM,
  EXTR,

  // ---- Branches, exception generating and system instructions (C4.1.93) ----
  B, BL, B_cond, CBZ, CBNZ, TBZ, TBNZ,
  BR, BLR, RET, ERET,
  SVC, HVC, SMC, BRK, HLT,
  HINT, // NOP, YIELD, WFE, WFI, SEV, SEVL and the other (NOP-executing) hints
  CLREX, DSB, DMB, ISB,
  MSR_imm, MSR_reg, MRS,
  /** DC ZVA: zero a DCZID_EL0-sized block. */
  DC_ZVA,
  /** DC IVAC/CVAC/CVAU/CIVAC: by VA (no-ops here, with their EL checks). */
  DC_VA,
  /** DC ISW/CSW/CISW: by set/way. */
  DC_SW,
  /** IC IALLU, IC IALLUIS. */
  IC_ALL,
  /** IC IVAU. */
  IC_IVAU,
  /** TLBI operations of the EL1&0 regime (op1 = 0), of EL2 (op1 = 4), of EL3 (op1 = 6). */
  TLBI_EL1, TLBI_EL2, TLBI_EL3,
  /** AT S1E1R...: address translation (UNDEFINED in this model: no PAR_EL1, see system-maint.ts). */
  AT,

  // ---- Loads and stores (C4.1.94) ----
  /** LDR (literal) W/X, LDRSW (literal). */
  LDR_lit,
  /** PRFM (literal, immediate, register) and PRFUM: a hint, no access, never faults. */
  PRFM,
  /** Load/store register by addressing mode, loads and stores apart (timing class); handlers switch on size:opc. */
  LD_uimm, ST_uimm, LD_unscaled, ST_unscaled, LD_post, ST_post, LD_pre, ST_pre, LD_reg, ST_reg, LD_unpriv, ST_unpriv,
  /** Load/store pair (LDP/LDPSW/LDNP, STP/STNP): signed offset (and no-allocate), post-, pre-index. */
  LDP_off, STP_off, LDP_post, STP_post, LDP_pre, STP_pre,
  /** Exclusives and acquire/release (the acquire/release forms share the handler: single PE, in order). */
  LDXR, STXR, LDXP, STXP, LDAR, STLR,

  // ---- Data processing -- register (C4.1.95) ----
  AND_reg, BIC_reg, ORR_reg, ORN_reg, EOR_reg, EON_reg, ANDS_reg, BICS_reg,
  ADD_sreg, ADDS_sreg, SUB_sreg, SUBS_sreg,
  ADD_ereg, ADDS_ereg, SUB_ereg, SUBS_ereg,
  ADC, ADCS, SBC, SBCS,
  CCMN_reg, CCMP_reg, CCMN_imm, CCMP_imm,
  CSEL, CSINC, CSINV, CSNEG,
  MADD, MSUB, SMADDL, SMSUBL, SMULH, UMADDL, UMSUBL, UMULH,
  UDIV, SDIV, LSLV, LSRV, ASRV, RORV,
  RBIT, REV16, REV32, REV, CLZ, CLS,
  /** CRC32B/H/W/X and CRC32CB/H/W/X (FEAT_CRC32). */
  CRC32,

  // ---- Atomic memory operations (FEAT_LSE, C4.1.94 "Atomic memory operations", "Compare and swap") ----
  /** CAS, CASA, CASL, CASAL (B/H/W/X). */
  CAS,
  /** CASP, CASPA, CASPL, CASPAL (W/X pairs). */
  CASP,
  /** SWP{A}{L}{B,H}. */
  SWP,
  /** LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN{A}{L}{B,H} (ST* aliases: Rt = ZR). */
  LD_ATOMIC,

  // ---- SIMD&FP (C4.1.94 loads/stores with V = 1, C4.1.96-C4.1.97 data processing) ----
  /** LDR/STR (immediate, SIMD&FP) B/H/S/D/Q by addressing mode, and LDUR/STUR; LDR (register, SIMD&FP). */
  FP_LD_uimm, FP_ST_uimm, FP_LD_unscaled, FP_ST_unscaled, FP_LD_post, FP_ST_post, FP_LD_pre, FP_ST_pre, FP_LD_reg, FP_ST_reg,
  /** LDR (literal, SIMD&FP) S/D/Q. */
  FP_LDR_lit,
  /** LDP/STP/LDNP/STNP (SIMD&FP) S/D/Q. */
  FP_LDP_off, FP_STP_off, FP_LDP_post, FP_STP_post, FP_LDP_pre, FP_STP_pre,
  /** FMOV (general): W<->S, X<->D, X<->V.D[1]. */
  FMOV_gen,
  /** FMOV (register) S/D. */
  FMOV_reg,
  /** FMOV (scalar, immediate) S/D. */
  FMOV_imm,
  /** MOVI, MVNI, ORR (vector, immediate), BIC (vector, immediate): Advanced SIMD modified immediate. */
  SIMD_MODIMM,
  /** AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF (vector, register). */
  SIMD_LOGIC,
  /** DUP (general), INS (general), UMOV, SMOV. */
  DUP_gen, INS_gen, UMOV, SMOV,
  /** DUP (element), INS (element), EXT (vector). */
  DUP_elem, INS_elem, EXT,
  /** ADD (vector), SUB (vector): integer lanes B/H/S/D. */
  SIMD_ADDSUB,

  /** One past the last id (array sizes). */
  COUNT,
}

/** Instruction classes: the timing model charges cycles per class (timing/profile.ts). */
export const enum OpClass {
  Alu = 0, Mul, Div, Branch, BranchIndirect, Load, Store, LoadPair, StorePair, Exclusive,
  SysRegRead, SysRegWrite, Barrier, ExceptionGen, Eret, Nop, Count,
}

/**
 * Decode-time UNDEFINED conditions: the `if ... then UNDEFINED` (and the CONSTRAINED UNPREDICTABLE
 * cases this model resolves as UNDEFINED) of an encoding's decode pseudocode, beyond its fixed bits.
 * A row names the check that applies; decoder.ts evaluates it once per word, so handlers never
 * re-check.
 */
export const enum Check {
  None = 0,
  /** MOVN/MOVZ/MOVK: sf == 0 && hw<1> == 1. */
  MoveWide,
  /** Logical (immediate): sf == 0 && N == 1, or DecodeBitMasks reserved (all-ones element, len < 1). */
  LogicalImm,
  /** SBFM/BFM/UBFM: sf != N, or sf == 0 && (immr<5> || imms<5>). */
  Bitfield,
  /** EXTR: N != sf, or sf == 0 && imms<5>. */
  Extr,
  /** Logical (shifted register): sf == 0 && imm6<5>. */
  LogicalShift,
  /** ADD/SUB (shifted register): shift == 11, or sf == 0 && imm6<5>. */
  AddSubShift,
  /** ADD/SUB (extended register): imm3 > 4. */
  AddSubExt,
  /** Load/store (register offset): option<1> == 0. */
  RegOffset,
  /** Load pair: Rt == Rt2 (CONSTRAINED UNPREDICTABLE, resolved as UNDEFINED). */
  LoadPair,
  /** LDXP/LDAXP: Rt == Rt2 (CONSTRAINED UNPREDICTABLE, resolved as UNDEFINED). */
  LoadExclPair,
  /** STXR/STLXR: Rs == Rt, or Rs == Rn != 31 (CONSTRAINED UNPREDICTABLE, resolved as UNDEFINED). */
  StoreExcl,
  /** STXP/STLXP: Rs == Rt or Rs == Rt2, or Rs == Rn != 31 (as above). */
  StoreExclPair,
  /** DUP (general): imm5<3:0> == 0000, or imm5 == x1000 with Q == 0 (2D needs Q = 1): reserved. */
  SimdDup,
  /** INS (general): imm5<3:0> == 0000 reserved. */
  SimdIns,
  /** UMOV: Q == 0 needs size B/H/S, Q == 1 needs size D. */
  SimdUmov,
  /** SMOV: Q == 0 needs size B/H, Q == 1 needs size B/H/S. */
  SimdSmov,
  /** CASP: Rs and Rt must be even (odd is UNDEFINED, C6.2 CASP). */
  Casp,
  /** EXT: Q == 0 && imm4<3> == 1 is reserved. */
  SimdExt,
  /** Advanced SIMD three same with size = 11 and Q = 0 (1D): reserved. */
  SimdNo1D,
}
