/**
 * The A64 decode table: the single source of truth for which encodings exist (DESIGN practice 1;
 * the shape of dynarmic's a64.inc and QEMU's a64.decode). One row per encoding: `bits` spells the
 * 32-bit word from bit 31 to bit 0; `0`/`1` are fixed bits, letters are fields (any value).
 * Where two rows match, the one with more fixed bits wins (compile.ts); rows with the same number of
 * fixed bits never overlap (test/decode/table.test.ts). `check` names the decode-time UNDEFINED
 * conditions beyond the fixed bits (ops.ts `Check`, evaluated in decoder.ts). Encodings not listed
 * decode as Op.Undefined and raise EC 0x00. Unimplemented groups are listed as comments with the reason.
 *
 * Field letters (also read by disasm.ts and the tests): z=sf, o=op, S=set-flags, h=shift/hw,
 * i=imm, n=Rn, d=Rd/Rt, m=Rm, t=Rt2, a=Ra, k=Rs (exclusive status), c=cond, f=nzcv, N=N, r=immr,
 * s=imms, x=option, y=S (register-offset shift), b=b5:b40, p=opc/op1/op2, C=CRn/CRm.
 *
 * Section numbers are those of the Arm ARM (DDI 0487) A64 encoding index, C4.1.
 */
import { Check, Op, OpClass } from './ops.js';

export interface EncodingRow {
  id: Op;
  /** Arm ARM mnemonic and form, e.g. 'ADD (immediate)'. The first word is the mnemonic. */
  name: string;
  bits: string;
  cls: OpClass;
  /** Decode-time UNDEFINED conditions beyond the fixed bits (default Check.None). */
  check?: Check;
}



// ---- Generators for the regular load/store and system-instruction families (still one row each) ----

/** Load/store register: [size, opc, immediate-form mnemonic, unscaled (LDUR) mnemonic, unprivileged (LDTR) mnemonic, Rt width]. */
const LDST_SINGLE: readonly (readonly [string, string, string, string, string, string])[] = [
  ['00', '00', 'STRB', 'STURB', 'STTRB', '32-bit'],
  ['00', '01', 'LDRB', 'LDURB', 'LDTRB', '32-bit'],
  ['00', '10', 'LDRSB', 'LDURSB', 'LDTRSB', '64-bit'],
  ['00', '11', 'LDRSB', 'LDURSB', 'LDTRSB', '32-bit'],
  ['01', '00', 'STRH', 'STURH', 'STTRH', '32-bit'],
  ['01', '01', 'LDRH', 'LDURH', 'LDTRH', '32-bit'],
  ['01', '10', 'LDRSH', 'LDURSH', 'LDTRSH', '64-bit'],
  ['01', '11', 'LDRSH', 'LDURSH', 'LDTRSH', '32-bit'],
  ['10', '00', 'STR', 'STUR', 'STTR', '32-bit'],
  ['10', '01', 'LDR', 'LDUR', 'LDTR', '32-bit'],
  ['10', '10', 'LDRSW', 'LDURSW', 'LDTRSW', '64-bit'],
  ['11', '00', 'STR', 'STUR', 'STTR', '64-bit'],
  ['11', '01', 'LDR', 'LDUR', 'LDTR', '64-bit'],
  // size 11 opc 10 is PRFM: only unsigned-offset, unscaled (PRFUM) and register forms exist.
  ['11', '10', 'PRFM', 'PRFUM', '', ''],
  // size 10 opc 11 and size 11 opc 11 are unallocated (FP/SIMD uses V = 1).
];

function ldstSingleRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [size, opc, mn, umn, tmn, width] of LDST_SINGLE) {
    const w = width === '' ? '' : `, ${width}`;
    if (mn === 'PRFM') {
      rows.push({ id: Op.PRFM, name: 'PRFM (immediate)', bits: `${size}111001${opc}iiiiiiiiiiiinnnnnddddd`, cls: OpClass.Nop });
      rows.push({ id: Op.PRFM, name: 'PRFUM', bits: `${size}111000${opc}0iiiiiiiii00nnnnnddddd`, cls: OpClass.Nop });
      rows.push({ id: Op.PRFM, name: 'PRFM (register)', bits: `${size}111000${opc}1mmmmmxxxy10nnnnnddddd`, cls: OpClass.Nop, check: Check.RegOffset });
      continue;
    }
    const st = opc === '00';
    const cls = st ? OpClass.Store : OpClass.Load;
    const imm = `${mn} (immediate`;
    rows.push({ id: st ? Op.ST_uimm : Op.LD_uimm, name: `${imm}, unsigned offset${w})`, bits: `${size}111001${opc}iiiiiiiiiiiinnnnnddddd`, cls });
    rows.push({ id: st ? Op.ST_post : Op.LD_post, name: `${imm}, post-index${w})`, bits: `${size}111000${opc}0iiiiiiiii01nnnnnddddd`, cls });
    rows.push({ id: st ? Op.ST_pre : Op.LD_pre, name: `${imm}, pre-index${w})`, bits: `${size}111000${opc}0iiiiiiiii11nnnnnddddd`, cls });
    rows.push({ id: st ? Op.ST_unscaled : Op.LD_unscaled, name: `${umn} (${width})`, bits: `${size}111000${opc}0iiiiiiiii00nnnnnddddd`, cls });
    rows.push({ id: st ? Op.ST_unpriv : Op.LD_unpriv, name: `${tmn} (${width})`, bits: `${size}111000${opc}0iiiiiiiii10nnnnnddddd`, cls });
    rows.push({ id: st ? Op.ST_reg : Op.LD_reg, name: `${mn} (register${w})`, bits: `${size}111000${opc}1mmmmmxxxy10nnnnnddddd`, cls, check: Check.RegOffset });
  }
  return rows;
}

/** Load/store pair: [opc, L, mnemonic, width]; modes 001 post, 010 signed offset, 011 pre, 000 no-allocate. */
function ldstPairRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  const pairs: readonly (readonly [string, string, string, string])[] = [
    ['00', '0', 'STP', '32-bit'], ['00', '1', 'LDP', '32-bit'], ['01', '1', 'LDPSW', ''],
    ['10', '0', 'STP', '64-bit'], ['10', '1', 'LDP', '64-bit'],
    // opc 01 L 0 is STGP (FEAT_MTE, not implemented); opc 11 is unallocated.
  ];
  for (const [opc, l, mn, width] of pairs) {
    const cls = l === '1' ? OpClass.LoadPair : OpClass.StorePair;
    const check = l === '1' ? Check.LoadPair : Check.None;
    const w = width === '' ? '' : `, ${width}`;
    const ld = l === '1';
    rows.push({ id: ld ? Op.LDP_post : Op.STP_post, name: `${mn} (post-index${w})`, bits: `${opc}1010001${l}iiiiiiitttttnnnnnddddd`, cls, check });
    rows.push({ id: ld ? Op.LDP_off : Op.STP_off, name: `${mn} (signed offset${w})`, bits: `${opc}1010010${l}iiiiiiitttttnnnnnddddd`, cls, check });
    rows.push({ id: ld ? Op.LDP_pre : Op.STP_pre, name: `${mn} (pre-index${w})`, bits: `${opc}1010011${l}iiiiiiitttttnnnnnddddd`, cls, check });
    if (mn !== 'LDPSW') {
      // LDNP/STNP: the signed-offset pair with a non-temporal hint (no hint in a cacheless model).
      rows.push({ id: ld ? Op.LDP_off : Op.STP_off, name: `${mn === 'LDP' ? 'LDNP' : 'STNP'} (${width})`, bits: `${opc}1010000${l}iiiiiiitttttnnnnnddddd`, cls, check });
    }
  }
  return rows;
}

/** Exclusives and acquire/release: size 00 B, 01 H, 10 W, 11 X. Rs/Rt2 of the forms that do not use them are should-be-one fields, ignored. */
function exclusiveRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  const sizes: readonly (readonly [string, string])[] = [['00', 'B'], ['01', 'H'], ['10', ' (32-bit)'], ['11', ' (64-bit)']];
  for (const [sz, suf] of sizes) {
    const b = suf.startsWith(' ') ? '' : suf, w = suf.startsWith(' ') ? suf : '';
    rows.push({ id: Op.STXR, name: `STXR${b}${w}`, bits: `${sz}001000000kkkkk0tttttnnnnnddddd`, cls: OpClass.Exclusive, check: Check.StoreExcl });
    rows.push({ id: Op.STXR, name: `STLXR${b}${w}`, bits: `${sz}001000000kkkkk1tttttnnnnnddddd`, cls: OpClass.Exclusive, check: Check.StoreExcl });
    rows.push({ id: Op.LDXR, name: `LDXR${b}${w}`, bits: `${sz}001000010kkkkk0tttttnnnnnddddd`, cls: OpClass.Exclusive });
    rows.push({ id: Op.LDXR, name: `LDAXR${b}${w}`, bits: `${sz}001000010kkkkk1tttttnnnnnddddd`, cls: OpClass.Exclusive });
    rows.push({ id: Op.STLR, name: `STLR${b}${w}`, bits: `${sz}001000100kkkkk1tttttnnnnnddddd`, cls: OpClass.Store });
    rows.push({ id: Op.LDAR, name: `LDAR${b}${w}`, bits: `${sz}001000110kkkkk1tttttnnnnnddddd`, cls: OpClass.Load });
    // o2=1, o0=0: LDLAR/STLLR (FEAT_LOR, not implemented). o2=1, o1=1: CAS* (FEAT_LSE, not implemented).
  }
  for (const [sz, w] of [['10', '32-bit'], ['11', '64-bit']] as const) {
    rows.push({ id: Op.STXP, name: `STXP (${w})`, bits: `1${sz[1]}001000001kkkkk0tttttnnnnnddddd`, cls: OpClass.Exclusive, check: Check.StoreExclPair });
    rows.push({ id: Op.STXP, name: `STLXP (${w})`, bits: `1${sz[1]}001000001kkkkk1tttttnnnnnddddd`, cls: OpClass.Exclusive, check: Check.StoreExclPair });
    rows.push({ id: Op.LDXP, name: `LDXP (${w})`, bits: `1${sz[1]}001000011kkkkk0tttttnnnnnddddd`, cls: OpClass.Exclusive, check: Check.LoadExclPair });
    rows.push({ id: Op.LDXP, name: `LDAXP (${w})`, bits: `1${sz[1]}001000011kkkkk1tttttnnnnnddddd`, cls: OpClass.Exclusive, check: Check.LoadExclPair });
    // size 0x with o1=1: CASP (FEAT_LSE, not implemented).
  }
  return rows;
}

const bin = (v: number, n: number): string => v.toString(2).padStart(n, '0');

/** A SYS-space system instruction (op0 = 01, L = 0): DC, IC, TLBI, AT. Rt is a field. */
function sys(id: Op, name: string, op1: number, crn: number, crm: number, op2: number, cls: OpClass): EncodingRow {
  return { id, name, bits: `1101010100001${bin(op1, 3)}${bin(crn, 4)}${bin(crm, 4)}${bin(op2, 3)}ddddd`, cls };
}

/** TLBI operations of Armv8.0 (C5.5): [name, op1, CRm, op2]. FEAT_TLBIOS / FEAT_TLBIRANGE forms are not implemented. */
const TLBI_OPS: readonly (readonly [string, number, number, number])[] = [
  ['VMALLE1IS', 0, 3, 0], ['VAE1IS', 0, 3, 1], ['ASIDE1IS', 0, 3, 2], ['VAAE1IS', 0, 3, 3], ['VALE1IS', 0, 3, 5], ['VAALE1IS', 0, 3, 7],
  ['VMALLE1', 0, 7, 0], ['VAE1', 0, 7, 1], ['ASIDE1', 0, 7, 2], ['VAAE1', 0, 7, 3], ['VALE1', 0, 7, 5], ['VAALE1', 0, 7, 7],
  ['IPAS2E1IS', 4, 0, 1], ['IPAS2LE1IS', 4, 0, 5],
  ['ALLE2IS', 4, 3, 0], ['VAE2IS', 4, 3, 1], ['ALLE1IS', 4, 3, 4], ['VALE2IS', 4, 3, 5], ['VMALLS12E1IS', 4, 3, 6],
  ['IPAS2E1', 4, 4, 1], ['IPAS2LE1', 4, 4, 5],
  ['ALLE2', 4, 7, 0], ['VAE2', 4, 7, 1], ['ALLE1', 4, 7, 4], ['VALE2', 4, 7, 5], ['VMALLS12E1', 4, 7, 6],
  ['ALLE3IS', 6, 3, 0], ['VAE3IS', 6, 3, 1], ['VALE3IS', 6, 3, 5],
  ['ALLE3', 6, 7, 0], ['VAE3', 6, 7, 1], ['VALE3', 6, 7, 5],
];

/** AT operations (C5.5): [name, op1, op2], all CRn=7 CRm=8. */
const AT_OPS: readonly (readonly [string, number, number])[] = [
  ['S1E1R', 0, 0], ['S1E1W', 0, 1], ['S1E0R', 0, 2], ['S1E0W', 0, 3],
  ['S1E2R', 4, 0], ['S1E2W', 4, 1], ['S12E1R', 4, 4], ['S12E1W', 4, 5], ['S12E0R', 4, 6], ['S12E0W', 4, 7],
  ['S1E3R', 6, 0], ['S1E3W', 6, 1],
];


// ---- SIMD&FP loads/stores (V = 1) and atomics (FEAT_LSE) ----

/** Load/store register (SIMD&FP): [size, opc, L/S, register letter]; the access is opc<1>:size (4 = Q). */
const FP_LDST: readonly (readonly [string, string, boolean, string])[] = [
  ['00', '00', false, 'B'], ['00', '01', true, 'B'], ['00', '10', false, 'Q'], ['00', '11', true, 'Q'],
  ['01', '00', false, 'H'], ['01', '01', true, 'H'], ['10', '00', false, 'S'], ['10', '01', true, 'S'],
  ['11', '00', false, 'D'], ['11', '01', true, 'D'],
  // size 01/10/11 with opc 1x are unallocated.
];

function fpLdstRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [size, opc, ld, r] of FP_LDST) {
    const mn = ld ? 'LDR' : 'STR';
    const cls = ld ? OpClass.Load : OpClass.Store;
    rows.push({ id: ld ? Op.FP_LD_uimm : Op.FP_ST_uimm, name: `${mn} (immediate, SIMD&FP, unsigned offset, ${r})`, bits: `${size}111101${opc}iiiiiiiiiiiinnnnnddddd`, cls });
    rows.push({ id: ld ? Op.FP_LD_post : Op.FP_ST_post, name: `${mn} (immediate, SIMD&FP, post-index, ${r})`, bits: `${size}111100${opc}0iiiiiiiii01nnnnnddddd`, cls });
    rows.push({ id: ld ? Op.FP_LD_pre : Op.FP_ST_pre, name: `${mn} (immediate, SIMD&FP, pre-index, ${r})`, bits: `${size}111100${opc}0iiiiiiiii11nnnnnddddd`, cls });
    rows.push({ id: ld ? Op.FP_LD_unscaled : Op.FP_ST_unscaled, name: `${ld ? 'LDUR' : 'STUR'} (SIMD&FP, ${r})`, bits: `${size}111100${opc}0iiiiiiiii00nnnnnddddd`, cls });
    rows.push({ id: ld ? Op.FP_LD_reg : Op.FP_ST_reg, name: `${mn} (register, SIMD&FP, ${r})`, bits: `${size}111100${opc}1mmmmmxxxy10nnnnnddddd`, cls, check: Check.RegOffset });
    // opc 10 (unprivileged) with V = 1 is unallocated.
  }
  for (const [opc, r] of [['00', 'S'], ['01', 'D'], ['10', 'Q']] as const) {
    rows.push({ id: Op.FP_LDR_lit, name: `LDR (literal, SIMD&FP, ${r})`, bits: `${opc}011100iiiiiiiiiiiiiiiiiiiddddd`, cls: OpClass.Load });
    for (const l of ['0', '1']) {
      const ld = l === '1';
      const cls = ld ? OpClass.LoadPair : OpClass.StorePair;
      const check = ld ? Check.LoadPair : Check.None;
      const mn = ld ? 'LDP' : 'STP';
      rows.push({ id: ld ? Op.FP_LDP_off : Op.FP_STP_off, name: `${ld ? 'LDNP' : 'STNP'} (SIMD&FP, ${r})`, bits: `${opc}1011000${l}iiiiiiitttttnnnnnddddd`, cls, check });
      rows.push({ id: ld ? Op.FP_LDP_post : Op.FP_STP_post, name: `${mn} (SIMD&FP, post-index, ${r})`, bits: `${opc}1011001${l}iiiiiiitttttnnnnnddddd`, cls, check });
      rows.push({ id: ld ? Op.FP_LDP_off : Op.FP_STP_off, name: `${mn} (SIMD&FP, signed offset, ${r})`, bits: `${opc}1011010${l}iiiiiiitttttnnnnnddddd`, cls, check });
      rows.push({ id: ld ? Op.FP_LDP_pre : Op.FP_STP_pre, name: `${mn} (SIMD&FP, pre-index, ${r})`, bits: `${opc}1011011${l}iiiiiiitttttnnnnnddddd`, cls, check });
    }
  }
  return rows;
}

/**
 * FEAT_LSE (C4.1.94 "Atomic memory operations", "Compare and swap", "Compare and swap pair").
 * Field letters: p = size, h = A:R (acquire, release) or L/o0, k = Rs.
 */
const LSE_OPS: readonly (readonly [string, string])[] = [
  ['0000', 'LDADD'], ['0001', 'LDCLR'], ['0010', 'LDEOR'], ['0011', 'LDSET'],
  ['0100', 'LDSMAX'], ['0101', 'LDSMIN'], ['0110', 'LDUMAX'], ['0111', 'LDUMIN'],
  // o3 = 1, opc = 100 with A = 1, R = 0 is LDAPR (FEAT_LRCPC, not implemented); other o3 = 1 values are unallocated.
];

function lseRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [o3opc, mn] of LSE_OPS) {
    rows.push({ id: Op.LD_ATOMIC, name: `${mn} (B/H/W/X, A/L)`, bits: `pp111000hh1kkkkk${o3opc}00nnnnnddddd`, cls: OpClass.Exclusive });
  }
  rows.push({ id: Op.SWP, name: 'SWP (B/H/W/X, A/L)', bits: 'pp111000hh1kkkkk100000nnnnnddddd', cls: OpClass.Exclusive });
  rows.push({ id: Op.CAS, name: 'CAS (B/H/W/X, A/L)', bits: 'pp0010001h1kkkkkh11111nnnnnddddd', cls: OpClass.Exclusive });
  rows.push({ id: Op.CASP, name: 'CASP (W/X, A/L)', bits: '0p0010000h1kkkkkh11111nnnnnddddd', cls: OpClass.Exclusive, check: Check.Casp });
  return rows;
}

/** Advanced SIMD modified immediate (C4.1.96): [op, cmode pattern, name]; z = Q, i = a:b:c:d:e:f:g:h, h = shift. */
const MODIMM: readonly (readonly [string, string, string])[] = [
  ['0', '0hh0', 'MOVI (32-bit shifted immediate)'], ['0', '10h0', 'MOVI (16-bit shifted immediate)'],
  ['0', '110h', 'MOVI (32-bit shifting ones)'], ['0', '1110', 'MOVI (8-bit)'], ['1', '1110', 'MOVI (64-bit)'],
  ['1', '0hh0', 'MVNI (32-bit shifted immediate)'], ['1', '10h0', 'MVNI (16-bit shifted immediate)'],
  ['1', '110h', 'MVNI (32-bit shifting ones)'],
  ['0', '0hh1', 'ORR (vector, immediate, 32-bit)'], ['0', '10h1', 'ORR (vector, immediate, 16-bit)'],
  ['1', '0hh1', 'BIC (vector, immediate, 32-bit)'], ['1', '10h1', 'BIC (vector, immediate, 16-bit)'],
  ['0', '1111', 'FMOV (vector, immediate, single)'],
  // op = 1, cmode = 1111: FMOV (vector, immediate, double) with Q = 1 (a row of its own below); Q = 0 is unallocated.
];

function simdRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [op, cmode, name] of MODIMM) {
    rows.push({ id: Op.SIMD_MODIMM, name, bits: `0z${op}0111100000iii${cmode}01iiiiiddddd`, cls: OpClass.Alu });
  }
  rows.push({ id: Op.SIMD_MODIMM, name: 'FMOV (vector, immediate, double)', bits: '0110111100000iii111101iiiiiddddd', cls: OpClass.Alu });
  const logic = [['0', '00', 'AND'], ['0', '01', 'BIC'], ['0', '10', 'ORR'], ['0', '11', 'ORN'],
    ['1', '00', 'EOR'], ['1', '01', 'BSL'], ['1', '10', 'BIT'], ['1', '11', 'BIF']] as const;
  for (const [u, size, mn] of logic) {
    rows.push({ id: Op.SIMD_LOGIC, name: `${mn} (vector)`, bits: `0z${u}01110${size}1mmmmm000111nnnnnddddd`, cls: OpClass.Alu });
  }
  return rows;
}

/** CRC32/CRC32C (C4.1.95 data-processing 2 source, FEAT_CRC32): [sf, C, sz, name]. */
const CRC_ROWS: readonly (readonly [string, string, string, string])[] = [
  ['0', '0', '00', 'CRC32B'], ['0', '0', '01', 'CRC32H'], ['0', '0', '10', 'CRC32W'], ['1', '0', '11', 'CRC32X'],
  ['0', '1', '00', 'CRC32CB'], ['0', '1', '01', 'CRC32CH'], ['0', '1', '10', 'CRC32CW'], ['1', '1', '11', 'CRC32CX'],
  // sf = 0 with sz = 11 and sf = 1 with sz != 11 are unallocated.
];

export const A64_TABLE: readonly EncodingRow[] = [
  // ======== C4.1.92 Data processing -- immediate ========
  // PC-rel. addressing
  { id: Op.ADR, name: 'ADR', bits: '0ii10000iiiiiiiiiiiiiiiiiiiddddd', cls: OpClass.Alu },
  { id: Op.ADRP, name: 'ADRP', bits: '1ii10000iiiiiiiiiiiiiiiiiiiddddd', cls: OpClass.Alu },
  // Add/subtract (immediate). Bit 23 = 1 is ADDG/SUBG (FEAT_MTE, not implemented).
  { id: Op.ADD_imm, name: 'ADD (immediate)', bits: 'z00100010hiiiiiiiiiiiinnnnnddddd', cls: OpClass.Alu },
  { id: Op.ADDS_imm, name: 'ADDS (immediate)', bits: 'z01100010hiiiiiiiiiiiinnnnnddddd', cls: OpClass.Alu },
  { id: Op.SUB_imm, name: 'SUB (immediate)', bits: 'z10100010hiiiiiiiiiiiinnnnnddddd', cls: OpClass.Alu },
  { id: Op.SUBS_imm, name: 'SUBS (immediate)', bits: 'z11100010hiiiiiiiiiiiinnnnnddddd', cls: OpClass.Alu },
  // Logical (immediate)
  { id: Op.AND_imm, name: 'AND (immediate)', bits: 'z00100100Nrrrrrrssssssnnnnnddddd', cls: OpClass.Alu, check: Check.LogicalImm },
  { id: Op.ORR_imm, name: 'ORR (immediate)', bits: 'z01100100Nrrrrrrssssssnnnnnddddd', cls: OpClass.Alu, check: Check.LogicalImm },
  { id: Op.EOR_imm, name: 'EOR (immediate)', bits: 'z10100100Nrrrrrrssssssnnnnnddddd', cls: OpClass.Alu, check: Check.LogicalImm },
  { id: Op.ANDS_imm, name: 'ANDS (immediate)', bits: 'z11100100Nrrrrrrssssssnnnnnddddd', cls: OpClass.Alu, check: Check.LogicalImm },
  // Move wide (immediate); opc = 01 is unallocated
  { id: Op.MOVN, name: 'MOVN', bits: 'z00100101hhiiiiiiiiiiiiiiiiddddd', cls: OpClass.Alu, check: Check.MoveWide },
  { id: Op.MOVZ, name: 'MOVZ', bits: 'z10100101hhiiiiiiiiiiiiiiiiddddd', cls: OpClass.Alu, check: Check.MoveWide },
  { id: Op.MOVK, name: 'MOVK', bits: 'z11100101hhiiiiiiiiiiiiiiiiddddd', cls: OpClass.Alu, check: Check.MoveWide },
  // Bitfield; opc = 11 is unallocated
  { id: Op.SBFM, name: 'SBFM', bits: 'z00100110Nrrrrrrssssssnnnnnddddd', cls: OpClass.Alu, check: Check.Bitfield },
  { id: Op.BFM, name: 'BFM', bits: 'z01100110Nrrrrrrssssssnnnnnddddd', cls: OpClass.Alu, check: Check.Bitfield },
  { id: Op.UBFM, name: 'UBFM', bits: 'z10100110Nrrrrrrssssssnnnnnddddd', cls: OpClass.Alu, check: Check.Bitfield },
  // Extract; op21 != 00 or o0 = 1 is unallocated
  { id: Op.EXTR, name: 'EXTR', bits: 'z00100111N0mmmmmssssssnnnnnddddd', cls: OpClass.Alu, check: Check.Extr },
  // Not implemented: Add/subtract (immediate, with tags) ADDG/SUBG (FEAT_MTE); Min/max (immediate) (FEAT_CSSC).

  // ======== C4.1.93 Branches, exception generating and system instructions ========
  { id: Op.B, name: 'B', bits: '000101iiiiiiiiiiiiiiiiiiiiiiiiii', cls: OpClass.Branch },
  { id: Op.BL, name: 'BL', bits: '100101iiiiiiiiiiiiiiiiiiiiiiiiii', cls: OpClass.Branch },
  // Conditional branch (immediate); o0 (bit 4) = 1 is BC.cond (FEAT_HBC, not implemented)
  { id: Op.B_cond, name: 'B.cond', bits: '01010100iiiiiiiiiiiiiiiiiii0cccc', cls: OpClass.Branch },
  // Compare and branch, test and branch
  { id: Op.CBZ, name: 'CBZ', bits: 'z0110100iiiiiiiiiiiiiiiiiiiddddd', cls: OpClass.Branch },
  { id: Op.CBNZ, name: 'CBNZ', bits: 'z0110101iiiiiiiiiiiiiiiiiiiddddd', cls: OpClass.Branch },
  { id: Op.TBZ, name: 'TBZ', bits: 'b0110110bbbbbiiiiiiiiiiiiiiddddd', cls: OpClass.Branch },
  { id: Op.TBNZ, name: 'TBNZ', bits: 'b0110111bbbbbiiiiiiiiiiiiiiddddd', cls: OpClass.Branch },
  // Unconditional branch (register). op3 != 0 (BRAA, BLRAA, RETAA, ERETAA...) is FEAT_PAuth, not implemented;
  // DRPS is UNDEFINED outside Debug state.
  { id: Op.BR, name: 'BR', bits: '1101011000011111000000nnnnn00000', cls: OpClass.BranchIndirect },
  { id: Op.BLR, name: 'BLR', bits: '1101011000111111000000nnnnn00000', cls: OpClass.BranchIndirect },
  { id: Op.RET, name: 'RET', bits: '1101011001011111000000nnnnn00000', cls: OpClass.BranchIndirect },
  { id: Op.ERET, name: 'ERET', bits: '11010110100111110000001111100000', cls: OpClass.Eret },
  // Exception generation. DCPS1/2/3 are UNDEFINED outside Debug state (no row).
  { id: Op.SVC, name: 'SVC', bits: '11010100000iiiiiiiiiiiiiiii00001', cls: OpClass.ExceptionGen },
  { id: Op.HVC, name: 'HVC', bits: '11010100000iiiiiiiiiiiiiiii00010', cls: OpClass.ExceptionGen },
  { id: Op.SMC, name: 'SMC', bits: '11010100000iiiiiiiiiiiiiiii00011', cls: OpClass.ExceptionGen },
  { id: Op.BRK, name: 'BRK', bits: '11010100001iiiiiiiiiiiiiiii00000', cls: OpClass.ExceptionGen },
  { id: Op.HLT, name: 'HLT', bits: '11010100010iiiiiiiiiiiiiiii00000', cls: OpClass.ExceptionGen },
  // Hints (C6.2 HINT): NOP, YIELD, WFE, WFI, SEV, SEVL; all other CRm:op2 values (ESB, PSB, CSDB, BTI,
  // PACIASP... of features not implemented) execute as NOP, as the architecture requires.
  { id: Op.HINT, name: 'HINT', bits: '11010101000000110010CCCCppp11111', cls: OpClass.Nop },
  // Barriers. op2 = 001 (DSB nXS, FEAT_XS), 011 (TCOMMIT, FEAT_TME), 111 (SB, FEAT_SB) are not implemented.
  { id: Op.CLREX, name: 'CLREX', bits: '11010101000000110011CCCC01011111', cls: OpClass.Barrier },
  { id: Op.DSB, name: 'DSB', bits: '11010101000000110011CCCC10011111', cls: OpClass.Barrier },
  { id: Op.DMB, name: 'DMB', bits: '11010101000000110011CCCC10111111', cls: OpClass.Barrier },
  { id: Op.ISB, name: 'ISB', bits: '11010101000000110011CCCC11011111', cls: OpClass.Barrier },
  // PSTATE: MSR (immediate), op0 = 00, CRn = 0100, Rt = 11111 (fields other than SPSel, DAIFSet,
  // DAIFClr and PAN are UNDEFINED in system.ts). CFINV/XAFLAG/AXFLAG (FEAT_FlagM) are not implemented.
  { id: Op.MSR_imm, name: 'MSR (immediate)', bits: '1101010100000ppp0100CCCCppp11111', cls: OpClass.SysRegWrite },
  // System instructions (SYS, op0 = 01): the Armv8.0 cache, TLB and address-translation maintenance
  // operations (C5.3-C5.5). Other SYS encodings and all SYSL encodings are UNDEFINED (no row).
  sys(Op.DC_VA, 'DC IVAC', 0, 7, 6, 1, OpClass.Barrier),
  sys(Op.DC_SW, 'DC ISW', 0, 7, 6, 2, OpClass.Barrier),
  sys(Op.DC_SW, 'DC CSW', 0, 7, 10, 2, OpClass.Barrier),
  sys(Op.DC_SW, 'DC CISW', 0, 7, 14, 2, OpClass.Barrier),
  sys(Op.DC_ZVA, 'DC ZVA', 3, 7, 4, 1, OpClass.Store),
  sys(Op.DC_VA, 'DC CVAC', 3, 7, 10, 1, OpClass.Barrier),
  sys(Op.DC_VA, 'DC CVAU', 3, 7, 11, 1, OpClass.Barrier),
  sys(Op.DC_VA, 'DC CIVAC', 3, 7, 14, 1, OpClass.Barrier),
  // DC CVAP (FEAT_DPB), DC CVADP (FEAT_DPB2), DC GVA/GZVA... (FEAT_MTE): not implemented.
  sys(Op.IC_ALL, 'IC IALLUIS', 0, 7, 1, 0, OpClass.Barrier),
  sys(Op.IC_ALL, 'IC IALLU', 0, 7, 5, 0, OpClass.Barrier),
  sys(Op.IC_IVAU, 'IC IVAU', 3, 7, 5, 1, OpClass.Barrier),
  ...AT_OPS.map(([n, op1, op2]) => sys(Op.AT, `AT ${n}`, op1, 7, 8, op2, OpClass.Barrier)),
  ...TLBI_OPS.map(([n, op1, crm, op2]) => sys(op1 === 0 ? Op.TLBI_EL1 : op1 === 4 ? Op.TLBI_EL2 : Op.TLBI_EL3, `TLBI ${n}`, op1, 8, crm, op2, OpClass.Barrier)),
  // System register move (op0 = 1x). Unknown registers are UNDEFINED in system.ts (state/sysregs.ts table).
  { id: Op.MSR_reg, name: 'MSR (register)', bits: '110101010001pppppppppppppppddddd', cls: OpClass.SysRegWrite },
  { id: Op.MRS, name: 'MRS', bits: '110101010011pppppppppppppppddddd', cls: OpClass.SysRegRead },
  // Not implemented: SYSL (no Armv8.0 instruction uses it), SYSP/MSRR/MRRS (FEAT_SYSREG128),
  // WFET/WFIT (FEAT_WFxT), unconditional branch (register) with pointer authentication (FEAT_PAuth).

  // ======== C4.1.94 Loads and stores ========
  // Load/store exclusive, load-acquire/store-release (single PE: acquire/release order is program order)
  ...exclusiveRows(),
  // Load register (literal); V = 1 (FP/SIMD) is not implemented
  { id: Op.LDR_lit, name: 'LDR (literal, 32-bit)', bits: '00011000iiiiiiiiiiiiiiiiiiiddddd', cls: OpClass.Load },
  { id: Op.LDR_lit, name: 'LDR (literal, 64-bit)', bits: '01011000iiiiiiiiiiiiiiiiiiiddddd', cls: OpClass.Load },
  { id: Op.LDR_lit, name: 'LDRSW (literal)', bits: '10011000iiiiiiiiiiiiiiiiiiiddddd', cls: OpClass.Load },
  { id: Op.PRFM, name: 'PRFM (literal)', bits: '11011000iiiiiiiiiiiiiiiiiiiddddd', cls: OpClass.Nop },
  // Load/store pair (no-allocate, post-index, signed offset, pre-index); V = 1 not implemented
  ...ldstPairRows(),
  // Load/store register (unscaled, post-index, unprivileged, pre-index, register offset, unsigned offset)
  ...ldstSingleRows(),
  // SIMD&FP (V = 1): LDR/STR B/H/S/D/Q (immediate, register), LDUR/STUR, LDR (literal) S/D/Q, LDP/STP/LDNP/STNP S/D/Q
  ...fpLdstRows(),
  // Atomic memory operations and compare-and-swap (FEAT_LSE; ID_AA64ISAR0_EL1.Atomic = 0b0010)
  ...lseRows(),
  // Not implemented: load/store multiple/single structures (LD1.../ST1..., SIMD: these words take the SIMD&FP
  // access trap when it is enabled, else UNDEFINED); LDAPR/LDAPUR/STLUR (FEAT_LRCPC/LRCPC2); LDRAA/LDRAB
  // (FEAT_PAuth); LDG/STG/STZG/STGP (FEAT_MTE); LD64B/ST64B (FEAT_LS64); CPY*/SET* (FEAT_MOPS).

  // ======== C4.1.95 Data processing -- register ========
  // Logical (shifted register): opc:N
  { id: Op.AND_reg, name: 'AND (shifted register)', bits: 'z0001010hh0mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.LogicalShift },
  { id: Op.BIC_reg, name: 'BIC (shifted register)', bits: 'z0001010hh1mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.LogicalShift },
  { id: Op.ORR_reg, name: 'ORR (shifted register)', bits: 'z0101010hh0mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.LogicalShift },
  { id: Op.ORN_reg, name: 'ORN (shifted register)', bits: 'z0101010hh1mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.LogicalShift },
  { id: Op.EOR_reg, name: 'EOR (shifted register)', bits: 'z1001010hh0mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.LogicalShift },
  { id: Op.EON_reg, name: 'EON (shifted register)', bits: 'z1001010hh1mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.LogicalShift },
  { id: Op.ANDS_reg, name: 'ANDS (shifted register)', bits: 'z1101010hh0mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.LogicalShift },
  { id: Op.BICS_reg, name: 'BICS (shifted register)', bits: 'z1101010hh1mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.LogicalShift },
  // Add/subtract (shifted register)
  { id: Op.ADD_sreg, name: 'ADD (shifted register)', bits: 'z0001011hh0mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.AddSubShift },
  { id: Op.ADDS_sreg, name: 'ADDS (shifted register)', bits: 'z0101011hh0mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.AddSubShift },
  { id: Op.SUB_sreg, name: 'SUB (shifted register)', bits: 'z1001011hh0mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.AddSubShift },
  { id: Op.SUBS_sreg, name: 'SUBS (shifted register)', bits: 'z1101011hh0mmmmmiiiiiinnnnnddddd', cls: OpClass.Alu, check: Check.AddSubShift },
  // Add/subtract (extended register); opt != 00 is unallocated
  { id: Op.ADD_ereg, name: 'ADD (extended register)', bits: 'z0001011001mmmmmxxxiiinnnnnddddd', cls: OpClass.Alu, check: Check.AddSubExt },
  { id: Op.ADDS_ereg, name: 'ADDS (extended register)', bits: 'z0101011001mmmmmxxxiiinnnnnddddd', cls: OpClass.Alu, check: Check.AddSubExt },
  { id: Op.SUB_ereg, name: 'SUB (extended register)', bits: 'z1001011001mmmmmxxxiiinnnnnddddd', cls: OpClass.Alu, check: Check.AddSubExt },
  { id: Op.SUBS_ereg, name: 'SUBS (extended register)', bits: 'z1101011001mmmmmxxxiiinnnnnddddd', cls: OpClass.Alu, check: Check.AddSubExt },
  // Add/subtract (with carry)
  { id: Op.ADC, name: 'ADC', bits: 'z0011010000mmmmm000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.ADCS, name: 'ADCS', bits: 'z0111010000mmmmm000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.SBC, name: 'SBC', bits: 'z1011010000mmmmm000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.SBCS, name: 'SBCS', bits: 'z1111010000mmmmm000000nnnnnddddd', cls: OpClass.Alu },
  // Conditional compare (register / immediate)
  { id: Op.CCMN_reg, name: 'CCMN (register)', bits: 'z0111010010mmmmmcccc00nnnnn0ffff', cls: OpClass.Alu },
  { id: Op.CCMP_reg, name: 'CCMP (register)', bits: 'z1111010010mmmmmcccc00nnnnn0ffff', cls: OpClass.Alu },
  { id: Op.CCMN_imm, name: 'CCMN (immediate)', bits: 'z0111010010iiiiicccc10nnnnn0ffff', cls: OpClass.Alu },
  { id: Op.CCMP_imm, name: 'CCMP (immediate)', bits: 'z1111010010iiiiicccc10nnnnn0ffff', cls: OpClass.Alu },
  // Conditional select; op2 = 1x is unallocated
  { id: Op.CSEL, name: 'CSEL', bits: 'z0011010100mmmmmcccc00nnnnnddddd', cls: OpClass.Alu },
  { id: Op.CSINC, name: 'CSINC', bits: 'z0011010100mmmmmcccc01nnnnnddddd', cls: OpClass.Alu },
  { id: Op.CSINV, name: 'CSINV', bits: 'z1011010100mmmmmcccc00nnnnnddddd', cls: OpClass.Alu },
  { id: Op.CSNEG, name: 'CSNEG', bits: 'z1011010100mmmmmcccc01nnnnnddddd', cls: OpClass.Alu },
  // Data-processing (3 source). Ra of SMULH/UMULH is a should-be-one field, ignored.
  { id: Op.MADD, name: 'MADD', bits: 'z0011011000mmmmm0aaaaannnnnddddd', cls: OpClass.Mul },
  { id: Op.MSUB, name: 'MSUB', bits: 'z0011011000mmmmm1aaaaannnnnddddd', cls: OpClass.Mul },
  { id: Op.SMADDL, name: 'SMADDL', bits: '10011011001mmmmm0aaaaannnnnddddd', cls: OpClass.Mul },
  { id: Op.SMSUBL, name: 'SMSUBL', bits: '10011011001mmmmm1aaaaannnnnddddd', cls: OpClass.Mul },
  { id: Op.SMULH, name: 'SMULH', bits: '10011011010mmmmm0aaaaannnnnddddd', cls: OpClass.Mul },
  { id: Op.UMADDL, name: 'UMADDL', bits: '10011011101mmmmm0aaaaannnnnddddd', cls: OpClass.Mul },
  { id: Op.UMSUBL, name: 'UMSUBL', bits: '10011011101mmmmm1aaaaannnnnddddd', cls: OpClass.Mul },
  { id: Op.UMULH, name: 'UMULH', bits: '10011011110mmmmm0aaaaannnnnddddd', cls: OpClass.Mul },
  // Data-processing (2 source). PACGA (FEAT_PAuth), SUBP/IRG/GMI (FEAT_MTE), SMAX/UMIN... (FEAT_CSSC) are not
  // implemented. CRC32* (FEAT_CRC32, ID_AA64ISAR0_EL1.CRC32 = 0b0001):
  ...CRC_ROWS.map(([sf, c, sz, name]) => ({ id: Op.CRC32, name, bits: `${sf}0011010110mmmmm010${c}${sz}nnnnnddddd`, cls: OpClass.Alu })),
  { id: Op.UDIV, name: 'UDIV', bits: 'z0011010110mmmmm000010nnnnnddddd', cls: OpClass.Div },
  { id: Op.SDIV, name: 'SDIV', bits: 'z0011010110mmmmm000011nnnnnddddd', cls: OpClass.Div },
  { id: Op.LSLV, name: 'LSLV', bits: 'z0011010110mmmmm001000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.LSRV, name: 'LSRV', bits: 'z0011010110mmmmm001001nnnnnddddd', cls: OpClass.Alu },
  { id: Op.ASRV, name: 'ASRV', bits: 'z0011010110mmmmm001010nnnnnddddd', cls: OpClass.Alu },
  { id: Op.RORV, name: 'RORV', bits: 'z0011010110mmmmm001011nnnnnddddd', cls: OpClass.Alu },
  // Data-processing (1 source). PAC*/AUT*/XPAC* (FEAT_PAuth), ABS/CNT/CTZ (FEAT_CSSC) are not implemented.
  { id: Op.RBIT, name: 'RBIT', bits: 'z101101011000000000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.REV16, name: 'REV16', bits: 'z101101011000000000001nnnnnddddd', cls: OpClass.Alu },
  { id: Op.REV, name: 'REV (32-bit)', bits: '0101101011000000000010nnnnnddddd', cls: OpClass.Alu },
  { id: Op.REV32, name: 'REV32', bits: '1101101011000000000010nnnnnddddd', cls: OpClass.Alu },
  { id: Op.REV, name: 'REV (64-bit)', bits: '1101101011000000000011nnnnnddddd', cls: OpClass.Alu },
  { id: Op.CLZ, name: 'CLZ', bits: 'z101101011000000000100nnnnnddddd', cls: OpClass.Alu },
  { id: Op.CLS, name: 'CLS', bits: 'z101101011000000000101nnnnnddddd', cls: OpClass.Alu },
  // Not implemented: rotate right into flags RMIF and evaluate into flags SETF8/16 (FEAT_FlagM).

  // ======== C4.1.96-C4.1.97 Data processing -- scalar floating-point and Advanced SIMD ========
  // The subset firmware uses (moves, immediates, bitwise). Every other encoding with op0 = x111 (all FP
  // arithmetic, conversions, compares, most of Advanced SIMD) has no row: it takes the SIMD&FP access trap
  // when access is disabled and is UNDEFINED when it is enabled (exec/ops/fp-simd.ts, docs/fidelity.md).
  // SVE/SME (op0 = 0010, 1xx0 with op0<0> = 1 in SME) are not implemented.
  // FMOV (general): sf:0:0:11110:ftype:1:rmode:opcode:000000; H forms (ftype 11) need FEAT_FP16.
  { id: Op.FMOV_gen, name: 'FMOV (general, single to 32-bit)', bits: '0001111000100110000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.FMOV_gen, name: 'FMOV (general, 32-bit to single)', bits: '0001111000100111000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.FMOV_gen, name: 'FMOV (general, double to 64-bit)', bits: '1001111001100110000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.FMOV_gen, name: 'FMOV (general, 64-bit to double)', bits: '1001111001100111000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.FMOV_gen, name: 'FMOV (general, top half of 128 to 64-bit)', bits: '1001111010101110000000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.FMOV_gen, name: 'FMOV (general, 64-bit to top half of 128)', bits: '1001111010101111000000nnnnnddddd', cls: OpClass.Alu },
  // FMOV (register) and FMOV (scalar, immediate), single and double precision
  { id: Op.FMOV_reg, name: 'FMOV (register, single)', bits: '0001111000100000010000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.FMOV_reg, name: 'FMOV (register, double)', bits: '0001111001100000010000nnnnnddddd', cls: OpClass.Alu },
  { id: Op.FMOV_imm, name: 'FMOV (scalar, immediate, single)', bits: '00011110001iiiiiiii10000000ddddd', cls: OpClass.Alu },
  { id: Op.FMOV_imm, name: 'FMOV (scalar, immediate, double)', bits: '00011110011iiiiiiii10000000ddddd', cls: OpClass.Alu },
  // Advanced SIMD copy: DUP (general), INS (general), SMOV, UMOV (z = Q, i = imm5)
  { id: Op.DUP_gen, name: 'DUP (general)', bits: '0z001110000iiiii000011nnnnnddddd', cls: OpClass.Alu, check: Check.SimdDup },
  { id: Op.INS_gen, name: 'INS (general)', bits: '01001110000iiiii000111nnnnnddddd', cls: OpClass.Alu, check: Check.SimdIns },
  { id: Op.SMOV, name: 'SMOV', bits: '0z001110000iiiii001011nnnnnddddd', cls: OpClass.Alu, check: Check.SimdSmov },
  { id: Op.UMOV, name: 'UMOV', bits: '0z001110000iiiii001111nnnnnddddd', cls: OpClass.Alu, check: Check.SimdUmov },
  { id: Op.DUP_elem, name: 'DUP (element, vector)', bits: '0z001110000iiiii000001nnnnnddddd', cls: OpClass.Alu, check: Check.SimdDup },
  { id: Op.INS_elem, name: 'INS (element)', bits: '01101110000iiiii0hhhh1nnnnnddddd', cls: OpClass.Alu, check: Check.SimdIns },
  { id: Op.EXT, name: 'EXT', bits: '0z101110000mmmmm0hhhh0nnnnnddddd', cls: OpClass.Alu, check: Check.SimdExt },
  // Advanced SIMD three same: ADD/SUB (vector), p = size
  { id: Op.SIMD_ADDSUB, name: 'ADD (vector)', bits: '0z001110pp1mmmmm100001nnnnnddddd', cls: OpClass.Alu, check: Check.SimdNo1D },
  { id: Op.SIMD_ADDSUB, name: 'SUB (vector)', bits: '0z101110pp1mmmmm100001nnnnnddddd', cls: OpClass.Alu, check: Check.SimdNo1D },
  // Advanced SIMD modified immediate and three-same logical
  ...simdRows(),
];
