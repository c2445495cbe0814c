/**
 * Instruction-semantics differential test, generator side (docs/fidelity.md section 1).
 *
 * A case is a short straight-line-or-forward-branching A64 sequence with random initial X0-X30, SP,
 * NZCV and a random data region. Words are drawn from every testable row of the decode table
 * (src/decode/a64-table.ts): random field values, then rejected unless `decodeRow(word)` is that very
 * row (so words decoding to another row, or failing the row's decode-time UNDEFINED checks, never
 * appear). Rows that cannot be compared with a bare CPU are left out (KIND_EXCLUDED says why).
 *
 * The generator is guided by a64el itself: it steps a64el one instruction at a time and constrains
 * the next word from the current registers, so that every memory access is aligned and inside the
 * data region (a64el's MMU-off memory is Device memory, where unaligned accesses fault; Unicorn's is
 * not), writeback never names the transfer register (CONSTRAINED UNPREDICTABLE, Arm ARM C6.2 LDR/STR
 * (immediate) "if wback && n == t && n != 31"), and branches only go forward inside the sequence.
 * The sequence a64el then runs for the comparison is run afresh from the initial state in one go.
 */
import { DECODE_ROWS, decodeRow } from '../../src/decode/decoder.js';
import { type CompiledRow, rowFields } from '../../src/decode/compile.js';
import { Op, OpClass } from '../../src/decode/ops.js';
import { Machine } from '../../src/machine/machine.js';
import * as L from '../../src/state/layout.js';
import { packNzcv, unpackNzcv } from '../../src/state/cpu-state.js';
import { Rng, mixSeed } from './rng.js';

export const CODE_BASE = 0x4000_0000;
export const DATA_BASE = 0x4000_1000;
/** Bytes of random data at DATA_BASE; the rest of the data page starts as zeros. */
export const DATA_SIZE = 0x400;
export const PAGE = 0x1000;
export const MAX_SLOTS = 24;

/** How a row is generated. */
export type Kind =
  | 'dp' | 'branch' | 'barrier' | 'hint' | 'prfm'
  | 'ld-uimm' | 'ld-simm' | 'ld-pre' | 'ld-post' | 'ld-reg' | 'ld-lit' | 'ld-acqrel'
  | 'pair-off' | 'pair-pre' | 'pair-post'
  | 'excl-ld' | 'excl-st' | 'atomic';

/** Rows left out, by reason (reported in docs/fidelity.md). */
export const KIND_EXCLUDED: Readonly<Record<string, string>> = {
  indirect: 'BR/BLR/RET: the target is a register value; only forward in-sequence direct branches are generated',
  eret: 'ERET: exception return (the exception model is compared against QEMU instead)',
  exception: 'SVC/HVC/SMC/BRK/HLT: exception generating (compared against QEMU instead)',
  system: 'MSR/MRS, MSR (immediate), DC/IC/TLBI/AT: system state that differs between the two models by design (IMPLEMENTATION DEFINED ID/reset values)',
  unknown: 'a row class this generator does not know yet',
};

export interface RowInfo { row: CompiledRow; kind: Kind | null; excluded?: string; fields: Map<string, number[]> }

function classify(row: CompiledRow): { kind: Kind | null; excluded?: string } {
  switch (row.id) {
    case Op.B: case Op.BL: case Op.B_cond: case Op.CBZ: case Op.CBNZ: case Op.TBZ: case Op.TBNZ: return { kind: 'branch' };
    case Op.BR: case Op.BLR: case Op.RET: return { kind: null, excluded: 'indirect' };
    case Op.ERET: return { kind: null, excluded: 'eret' };
    case Op.SVC: case Op.HVC: case Op.SMC: case Op.BRK: case Op.HLT: return { kind: null, excluded: 'exception' };
    case Op.HINT: return { kind: 'hint' };
    case Op.CLREX: case Op.DSB: case Op.DMB: case Op.ISB: return { kind: 'barrier' };
    case Op.MSR_imm: case Op.MSR_reg: case Op.MRS: case Op.DC_ZVA: case Op.DC_VA: case Op.DC_SW:
    case Op.IC_ALL: case Op.IC_IVAU: case Op.TLBI_EL1: case Op.TLBI_EL2: case Op.TLBI_EL3: case Op.AT:
      return { kind: null, excluded: 'system' };
    case Op.LDXR: case Op.LDXP: return { kind: 'excl-ld' };
    case Op.STXR: case Op.STXP: return { kind: 'excl-st' };
    case Op.LDAR: case Op.STLR: return { kind: 'ld-acqrel' };
    case Op.LDR_lit: return { kind: 'ld-lit' };
    case Op.PRFM: return { kind: 'prfm' };
    case Op.LD_uimm: case Op.ST_uimm: return { kind: 'ld-uimm' };
    case Op.LD_unscaled: case Op.ST_unscaled: case Op.LD_unpriv: case Op.ST_unpriv: return { kind: 'ld-simm' };
    case Op.LD_pre: case Op.ST_pre: return { kind: 'ld-pre' };
    case Op.LD_post: case Op.ST_post: return { kind: 'ld-post' };
    case Op.LD_reg: case Op.ST_reg: return { kind: 'ld-reg' };
    case Op.LDP_off: case Op.STP_off: return { kind: 'pair-off' };
    case Op.LDP_pre: case Op.STP_pre: return { kind: 'pair-pre' };
    case Op.LDP_post: case Op.STP_post: return { kind: 'pair-post' };
    // SIMD&FP loads/stores: the same addressing kinds, access sizes by accessBytes (V = 1)
    case Op.FP_LDR_lit: return { kind: 'ld-lit' };
    case Op.FP_LD_uimm: case Op.FP_ST_uimm: return { kind: 'ld-uimm' };
    case Op.FP_LD_unscaled: case Op.FP_ST_unscaled: return { kind: 'ld-simm' };
    case Op.FP_LD_pre: case Op.FP_ST_pre: return { kind: 'ld-pre' };
    case Op.FP_LD_post: case Op.FP_ST_post: return { kind: 'ld-post' };
    case Op.FP_LD_reg: case Op.FP_ST_reg: return { kind: 'ld-reg' };
    case Op.FP_LDP_off: case Op.FP_STP_off: return { kind: 'pair-off' };
    case Op.FP_LDP_pre: case Op.FP_STP_pre: return { kind: 'pair-pre' };
    case Op.FP_LDP_post: case Op.FP_STP_post: return { kind: 'pair-post' };
    // FEAT_LSE: the base register must point at an aligned location in the data region
    case Op.CAS: case Op.CASP: case Op.SWP: case Op.LD_ATOMIC: return { kind: 'atomic' };
    default: break;
  }
  // Rows added after this file was written: data processing is safe with random fields.
  if (row.cls === OpClass.Alu || row.cls === OpClass.Mul || row.cls === OpClass.Div) return { kind: 'dp' };
  return { kind: null, excluded: 'unknown' };
}

/** Every row of the decode table with its generation kind (null = excluded). */
export function tableRows(): RowInfo[] {
  return DECODE_ROWS.map((row) => ({ row, ...classify(row), fields: rowFields(row) }));
}

// ---- field helpers ----

function setField(info: RowInfo, word: number, letter: string, value: number): number {
  const pos = info.fields.get(letter);
  if (pos === undefined) return word;
  let w = word;
  for (let j = 0; j < pos.length; j++) {
    const bit = pos[pos.length - 1 - j]!;
    w = ((value >>> j) & 1) !== 0 ? (w | (1 << bit)) : (w & ~(1 << bit));
  }
  return w >>> 0;
}

export function getField(info: RowInfo, word: number, letter: string): number {
  const pos = info.fields.get(letter);
  if (pos === undefined) return -1;
  let v = 0;
  for (const bit of pos) v = v * 2 + ((word >>> bit) & 1);
  return v;
}

function randomWord(info: RowInfo, rng: Rng): number {
  return ((rng.u32() & ~info.row.mask) | info.row.value) >>> 0;
}

// ---- the case ----

export interface CaseInput {
  index: number;
  seed: number;
  /** Code words, slot i at CODE_BASE + 4 i; the run ends at CODE_BASE + 4 * words.length. */
  words: number[];
  /** Row name per slot ('' for filler words that are never executed). */
  rows: string[];
  /** Instructions executed (the count Unicorn is given). */
  executed: number;
  x: bigint[];
  sp: bigint;
  nzcv: number;
  data: Uint8Array;
  /** V0-V31 (128-bit each); zeros when absent. */
  v?: bigint[];
}

/** Final state of a run, as compared. */
export interface CaseState {
  x: bigint[];
  sp: bigint;
  nzcv: number;
  pc: bigint;
  /** V0-V31. */
  v: bigint[];
  /** Data-page bytes that differ from the initial page: [offset, hex]. */
  mem: [number, string][];
}

/** a64el raised an exception on a word the generator considered valid. */
export interface A64Exception {
  caseIndex: number;
  slot: number;
  word: number;
  row: string;
  esr: number;
  targetEl: number;
  /** The state just before the word (to ask Unicorn what it does with it). */
  before: { x: bigint[]; sp: bigint; nzcv: number; data: Uint8Array; v: bigint[] };
}

export interface Generated { input: CaseInput; stepState: CaseState; exceptions: A64Exception[]; generationNote?: string }

const SPECIALS: readonly bigint[] = [
  0n, 1n, 2n, 0xffff_ffff_ffff_ffffn, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffffn,
  0x7fff_ffffn, 0x8000_0000n, 0x1_0000_0000n, 0xffff_ffff_8000_0000n, 0xffn, 0xffffn, 0x8000n, 0x80n,
  0x5555_5555_5555_5555n, 0xaaaa_aaaa_aaaa_aaaan, 0x0000_0000_ffff_fffen, 63n, 64n, 32n, 31n,
];

function pointer(rng: Rng, align: number): bigint {
  return BigInt(DATA_BASE + Math.floor(rng.int(DATA_SIZE) / align) * align);
}

function randomValue(rng: Rng): bigint {
  const r = rng.int(100);
  if (r < 30) return pointer(rng, rng.pick([8, 8, 8, 16, 4, 2, 1]));
  if (r < 50) return BigInt.asUintN(64, BigInt(rng.range(-64, 256)) * (rng.chance(0.5) ? 8n : 1n));
  if (r < 65) return rng.pick(SPECIALS);
  if (r < 80) return BigInt(rng.u32());
  return rng.u64();
}

export function initialState(rng: Rng): { x: bigint[]; sp: bigint; nzcv: number; data: Uint8Array; v: bigint[] } {
  const x: bigint[] = [];
  for (let i = 0; i < 31; i++) x.push(randomValue(rng));
  const sp = pointer(rng, rng.chance(0.85) ? 16 : 8);
  const nzcv = (rng.bits(4) << 28) >>> 0;
  const data = new Uint8Array(DATA_SIZE);
  for (let i = 0; i < DATA_SIZE; i += 4) {
    const v = rng.u32();
    data[i] = v; data[i + 1] = v >>> 8; data[i + 2] = v >>> 16; data[i + 3] = v >>> 24;
  }
  // Some zero and all-ones stretches: sign/zero-extension edges.
  for (let k = rng.int(4); k > 0; k--) {
    const at = rng.int(DATA_SIZE - 8);
    data.fill(rng.chance(0.5) ? 0 : 0xff, at, Math.min(DATA_SIZE, at + rng.range(1, 64)));
  }
  // V0-V31: random 128-bit values, some zero, some with equal halves (element edge cases).
  const v: bigint[] = [];
  for (let i = 0; i < 32; i++) {
    const r = rng.int(10);
    v.push(r === 0 ? 0n : r === 1 ? (1n << 128n) - 1n : r === 2 ? (rng.u64() << 64n) | 0n : (rng.u64() << 64n) | rng.u64());
  }
  return { x, sp, nzcv, data, v };
}

// ---- a64el set-up ----

/**
 * How a64el runs the compared sequence: the interpreter alone, or with every block translated by the
 * JIT (src/exec/jit) on its first execution, so both execution engines are compared with Unicorn.
 */
export type Engine = 'interp' | 'jit';

/** A machine with small DRAM (the cases use two pages), reused across cases. */
export function newMachine(engine: Engine = 'interp'): Machine {
  const m = new Machine({ dramSize: 0x10_0000 });
  const cache = m.cache as { jitThreshold?: number };
  if (cache.jitThreshold !== undefined) cache.jitThreshold = engine === 'jit' ? 1 : 0;
  return m;
}

/** The engine case `index` runs on: odd cases use the JIT. */
export function engineOf(index: number): Engine { return (index & 1) !== 0 ? 'jit' : 'interp'; }

const baselines = new WeakMap<Machine, Int32Array>();

/**
 * Put `m` at EL1h Non-secure (Unicorn's reset state: CurrentEL=1, SPSel=1, DAIF masked) with the case
 * state. The reset state is computed once per machine and copied in (Machine.resetCpu also clears the
 * predecode cache, which is slow to do per case; Bus.load invalidates the pages we rewrite instead).
 */
export function setUp(m: Machine, words: readonly number[], st: { x: readonly bigint[]; sp: bigint; nzcv: number; data: Uint8Array; v?: readonly bigint[] }): void {
  const s = m.cpu.s;
  let base = baselines.get(m);
  if (base === undefined) {
    m.resetCpu();
    s[L.PSTATE_EL] = 1;
    s[L.PSTATE_SP] = 1;
    s[L.PSTATE_DAIF] = 0x3c0;
    s[L.SCR_EL3] = 0x30 | 1 | (1 << 10);     // RES1, NS, RW: EL1 is Non-secure AArch64
    s[L.HCR_EL2] = 0x8000_0000 | 0;          // HCR_EL2.RW: EL1 is AArch64; no traps
    s[L.CPACR_EL1] = 3 << 20;                 // CPACR_EL1.FPEN = 11: SIMD&FP not trapped (Unicorn does not trap it)
    base = s.slice();
    baselines.set(m, base);
  }
  s.set(base);
  for (let i = 0; i < 31; i++) m.cpu.setX(i, st.x[i]!);
  m.cpu.setX(L.SP_SLOT, st.sp);
  unpackNzcv(s, st.nzcv);
  for (let n = 0; n < 32; n++) {
    const q = st.v?.[n] ?? 0n;
    for (let k = 0; k < 4; k++) m.cpu.u[L.V + 4 * n + k] = Number((q >> BigInt(32 * k)) & 0xffffffffn);
  }
  const code = new Uint8Array(PAGE);
  const dv = new DataView(code.buffer);
  words.forEach((w, i) => dv.setUint32(4 * i, w, true));
  m.bus.load(CODE_BASE, code);
  const page = new Uint8Array(PAGE);
  page.set(st.data);
  m.bus.load(DATA_BASE, page);
  // Bus.load invalidates predecoded code pages (PredecodeCache.clear() walks a sparse array: slow).
  m.cpu.pc = BigInt(CODE_BASE);
}

function initialPage(data: Uint8Array): Uint8Array { const p = new Uint8Array(PAGE); p.set(data); return p; }

export function changedRuns(before: Uint8Array, after: Uint8Array): [number, string][] {
  const runs: [number, string][] = [];
  for (let i = 0; i < after.length;) {
    if (before[i] === after[i]) { i++; continue; }
    let j = i;
    while (j < after.length && before[j] !== after[j]) j++;
    runs.push([i, Buffer.from(after.subarray(i, j)).toString('hex')]);
    i = j;
  }
  return runs;
}

export function readState(m: Machine, data: Uint8Array): CaseState {
  const x: bigint[] = [];
  for (let i = 0; i < 31; i++) x.push(m.cpu.x(i));
  const page = m.bus.ram(DATA_BASE, PAGE)!;
  return { x, sp: m.cpu.x(L.SP_SLOT), nzcv: packNzcv(m.cpu.s), pc: m.cpu.pc, v: readV(m), mem: changedRuns(initialPage(data), page) };
}

/** V0-V31 of `m` as 128-bit values. */
export function readV(m: Machine): bigint[] {
  const out: bigint[] = [];
  for (let n = 0; n < 32; n++) {
    let q = 0n;
    for (let k = 3; k >= 0; k--) q = (q << 32n) | BigInt(m.cpu.u[L.V + 4 * n + k]!);
    out.push(q);
  }
  return out;
}

// ---- guided word choice ----

/** Current register n (0..30, 31 = SP) as a data-region pointer, or -1. */
function ptr(m: Machine, n: number): number {
  const s = m.cpu.s;
  const slot = n === 31 ? L.SP_SLOT : n;
  if (s[L.X + 2 * slot + 1] !== 0) return -1;
  const v = s[L.X + 2 * slot]! >>> 0;
  return v >= DATA_BASE && v < DATA_BASE + DATA_SIZE ? v : -1;
}

/** Register n (0..31, 31 = XZR) as a small signed offset, or NaN; `w32` reads it as a W register (unsigned or signed). */
function smallOffset(m: Machine, n: number, option: number): number {
  if (n === 31) return 0;
  const s = m.cpu.s;
  const lo = s[L.X + 2 * n]!, hi = s[L.X + 2 * n + 1]!;
  switch (option) {
    case 0b010: return (lo >>> 0) < 0x1_0000 ? lo >>> 0 : NaN;                      // UXTW
    case 0b110: return lo >= -0x1_0000 && lo < 0x1_0000 ? lo : NaN;                  // SXTW
    default:                                                                            // LSL/UXTX, SXTX
      if (hi === 0 && lo >= 0 && lo < 0x1_0000) return lo;
      if (hi === -1 && lo < 0 && lo >= -0x1_0000) return lo;
      return NaN;
  }
}

function alignedIn(rng: Rng, lo: number, hi: number, align: number): number {
  const a = Math.ceil(lo / align), b = Math.floor(hi / align);
  if (a > b) return NaN;
  // Bias toward the ends and small offsets: they find more edge bugs.
  return align * (rng.chance(0.2) ? a : rng.chance(0.1) ? b : rng.range(a, b));
}

const REGION_END = DATA_BASE + DATA_SIZE;

/** Access size in bytes of a load/store row (by its fixed size/opc bits). */
function accessBytes(info: RowInfo, kind: Kind, w: number): number {
  const top = info.row.value >>> 30;
  const simd = ((info.row.value >>> 26) & 1) === 1 && kind !== 'atomic';
  if (kind === 'atomic') return info.row.id === Op.CASP ? 8 << ((w >>> 30) & 1) : 1 << (w >>> 30);
  if (simd) {
    if (kind === 'ld-lit' || kind.startsWith('pair')) return 4 << top;      // S, D, Q
    return 1 << ((((info.row.value >>> 23) & 1) << 2) | top);               // opc<1>:size, 16 = Q
  }
  if (kind === 'ld-lit') return top === 1 ? 8 : 4;
  if (kind === 'pair-off' || kind === 'pair-pre' || kind === 'pair-post') return top === 2 ? 8 : 4;
  if (info.row.id === Op.LDXP || info.row.id === Op.STXP) return 2 << top;   // both registers: 8 or 16 bytes
  return 1 << top;
}

/**
 * A word of `info`'s row constrained by the current a64el state for slot `slot` of `slots`,
 * or NaN when this row cannot be placed here.
 */
/**
 * The local exclusive monitor as the generator tracks it. Store-exclusives are generated only where
 * the Arm ARM fixes the outcome (B2.9.5): monitor Open Access (fails, no store), or Exclusive Access
 * for exactly the marked address and size with no other store in between (succeeds). A mismatching
 * address or size, or a plain store to the marked block in between, leave the result IMPLEMENTATION
 * DEFINED / CONSTRAINED UNPREDICTABLE (and Unicorn's monitor compares values), so they are avoided.
 */
export interface Monitor { open: boolean; addr: number; bytes: number; dirty: boolean }

function guidedWord(info: RowInfo, m: Machine, rng: Rng, slot: number, slots: number, mon: Monitor): number {
  const kind = info.kind!;
  let w = randomWord(info, rng);
  const f = (letter: string, v: number): void => { w = setField(info, w, letter, v); };
  switch (kind) {
    case 'dp': case 'barrier': case 'prfm':
      if (info.row.id === Op.SMULH || info.row.id === Op.UMULH) f('a', 31);   // Ra: should-be-one
      return w;
    case 'hint': {
      const crm = getField(info, w, 'C'), op2 = getField(info, w, 'p');
      if (crm === 0 && (op2 === 2 || op2 === 3)) return NaN;   // WFE, WFI: may halt, not compared
      return w;
    }
    case 'branch': {
      const k = rng.range(1, slots - slot);   // target slot in (slot, slots]
      f('i', k);
      return w;
    }
    default: break;
  }
  const B = accessBytes(info, kind, w);
  const t = getField(info, w, 'd'), t2 = getField(info, w, 't');
  if (kind === 'ld-lit') {
    const pc = CODE_BASE + 4 * slot;
    // Only bytes already final when this word executes: slots 0..slot (written), or past the end (zeros).
    const written = CODE_BASE + 4 * (slot + 1), end = CODE_BASE + 4 * slots;
    const target = rng.chance(0.7) ? alignedIn(rng, CODE_BASE, written - B, B) : alignedIn(rng, end, CODE_BASE + PAGE - B, B);
    if (Number.isNaN(target)) return NaN;
    f('i', ((target - pc) / 4) & 0x7ffff);
    return w;
  }
  // Base register: a current pointer into the data region.
  const bases: number[] = [];
  for (let n = 0; n < 32; n++) if (ptr(m, n) >= 0) bases.push(n);
  if (bases.length === 0) return NaN;
  if (kind === 'excl-ld' || kind === 'excl-st' || kind === 'atomic') {
    // Exclusives need the address aligned to the whole access (pairs: both registers), Arm ARM B2.9.
    const ok = bases.filter((n) => {
      const v = ptr(m, n);
      if (v % B !== 0 || v + B > REGION_END) return false;
      if (kind === 'excl-st' && mon.open) return !mon.dirty && v === mon.addr && B === mon.bytes;
      // An atomic's memory write may clear the monitor (IMPLEMENTATION DEFINED): not while it is open.
      if (kind === 'atomic' && mon.open) return false;
      return true;
    });
    if (ok.length === 0) return NaN;
    f('n', rng.pick(ok));
    if (kind === 'atomic') return w;
    if (kind === 'excl-ld') { f('k', 31); if (info.row.id === Op.LDXR) f('t', 31); }   // should-be-one fields
    else if (info.row.id === Op.STXR) f('t', 31);
    return w;
  }
  const wback = kind === 'ld-pre' || kind === 'ld-post' || kind === 'pair-pre' || kind === 'pair-post';
  const pair = kind.startsWith('pair');
  for (let attempt = 0; attempt < 8; attempt++) {
    const n = rng.pick(bases);
    // CONSTRAINED UNPREDICTABLE: writeback with n == t (or t2) and n != 31 (Arm ARM C6.2 LDR/STR/LDP/STP (immediate)).
    if (wback && n !== 31 && (n === t || (pair && n === t2))) continue;
    const v = ptr(m, n);
    const span = pair ? 2 * B : B;
    f('n', n);
    switch (kind) {
      case 'ld-acqrel':
        if (v % B !== 0 || v + B > REGION_END) continue;
        f('k', 31); f('t', 31);   // Rs, Rt2: should-be-one
        return w;
      case 'ld-uimm': {
        if (v % B !== 0) continue;
        const addr = alignedIn(rng, v, Math.min(REGION_END - B, v + 4095 * B), B);
        if (Number.isNaN(addr)) continue;
        f('i', (addr - v) / B);
        return w;
      }
      case 'ld-simm': case 'ld-pre': {
        const addr = alignedIn(rng, Math.max(DATA_BASE, v - 256), Math.min(REGION_END - B, v + 255), B);
        if (Number.isNaN(addr)) continue;
        f('i', (addr - v) & 0x1ff);
        return w;
      }
      case 'ld-post':
        if (v % B !== 0 || v + B > REGION_END) continue;
        f('i', rng.range(-256, 255) & 0x1ff);
        return w;
      case 'pair-off': case 'pair-pre': {
        if (v % B !== 0) continue;
        const addr = alignedIn(rng, Math.max(DATA_BASE, v - 64 * B), Math.min(REGION_END - span, v + 63 * B), B);
        if (Number.isNaN(addr)) continue;
        f('i', ((addr - v) / B) & 0x7f);
        return w;
      }
      case 'pair-post':
        if (v % B !== 0 || v + span > REGION_END) continue;
        f('i', rng.range(-64, 63) & 0x7f);
        return w;
      case 'ld-reg': {
        const opts: [number, number, number][] = [];
        for (let mm = 0; mm < 32; mm++) {
          for (const option of [0b010, 0b011, 0b110, 0b111]) {
            const off = smallOffset(m, mm, option);
            if (Number.isNaN(off)) continue;
            for (const sh of [0, 1]) {
              const addr = v + off * (sh ? B : 1);
              if (addr >= DATA_BASE && addr + B <= REGION_END && addr % B === 0) opts.push([mm, option, sh]);
            }
          }
        }
        if (opts.length === 0) continue;
        const [mm, option, sh] = rng.pick(opts);
        f('m', mm); f('x', option); f('y', sh);
        return w;
      }
      default: return NaN;
    }
  }
  return NaN;
}

/** Update the tracked monitor after `w` executed (`before` = the state before it, for the base register). */
function trackMonitor(mon: Monitor, info: RowInfo, w: number, before: Int32Array): void {
  const id = info.row.id;
  if (info.kind === 'excl-ld') {
    const n = (w >>> 5) & 31, slot = n === 31 ? L.SP_SLOT : n;
    mon.open = true; mon.addr = before[L.X + 2 * slot]! >>> 0; mon.dirty = false;
    mon.bytes = id === Op.LDXP ? 2 << (w >>> 30) : 1 << (w >>> 30);
  } else if (info.kind === 'excl-st' || (id === Op.CLREX)) {
    mon.open = false;
  } else if (mon.open && (info.row.cls === OpClass.Store || info.row.cls === OpClass.StorePair)) {
    mon.dirty = true;   // a plain store while the monitor is open: the next STXR's result is not fixed
  }
}

// ---- generation ----

export interface GenOptions { /** Only rows whose name matches (for focused campaigns). */ rowFilter?: RegExp }

export class Generator {
  readonly rows: RowInfo[];
  readonly testable: RowInfo[];
  private readonly fillers: RowInfo[];
  private readonly m = newMachine();
  private readonly saved = new Int32Array(L.STATE_WORDS);
  private readonly savedPage = new Uint8Array(PAGE);
  private lastExc: { esr: number; target: number } | null = null;

  constructor(opts: GenOptions = {}) {
    this.rows = tableRows();
    this.testable = this.rows.filter((r) => r.kind !== null && (opts.rowFilter === undefined || opts.rowFilter.test(r.row.name)));
    this.fillers = this.rows.filter((r) => r.kind === 'dp');
    this.m.cpu.onExceptionEntry = (_cpu, _from, _sec, target, _off, esr) => { this.lastExc = { esr, target }; };
  }

  /** Generate case `index` of run `seed` (deterministic for a given table and a64el). */
  generate(seed: number, index: number): Generated {
    const cseed = mixSeed(seed, index);
    const rng = new Rng(cseed);
    const init = initialState(rng);
    const slots = rng.chance(0.3) ? rng.range(1, 8) : rng.range(8, MAX_SLOTS);
    const words: number[] = new Array<number>(slots).fill(0);
    const rows: string[] = new Array<string>(slots).fill('');
    const m = this.m;
    setUp(m, words, init);
    const s = m.cpu.s;
    const word4 = new Uint8Array(4);
    const put = (slotNo: number, w: number): void => {
      word4[0] = w; word4[1] = w >>> 8; word4[2] = w >>> 16; word4[3] = w >>> 24;
      m.bus.load(CODE_BASE + 4 * slotNo, word4);   // invalidates the predecoded page
    };
    const dataPage = m.bus.ram(DATA_BASE, PAGE)!;
    const exceptions: A64Exception[] = [];
    const mon: Monitor = { open: false, addr: 0, bytes: 0, dirty: false };
    let slot = 0, executed = 0, note: string | undefined;
    let attempts = 0;
    while (slot < slots) {
      if (++attempts > 200) { note = `gave up at slot ${slot}`; break; }
      const info = rng.pick(this.testable);
      const w = guidedWord(info, m, rng, slot, slots, mon);
      if (Number.isNaN(w) || decodeRow(w) !== info.row) continue;
      // Place the word and step a64el over it.
      this.saved.set(s);
      this.savedPage.set(dataPage);
      put(slot, w);
      this.lastExc = null;
      m.run({ maxInstructions: 1 });
      if (this.lastExc !== null) {
        const exc: { esr: number; target: number } = this.lastExc;
        s.set(this.saved);
        dataPage.set(this.savedPage);
        const before = {
          x: this.xs(), sp: m.cpu.x(L.SP_SLOT), nzcv: packNzcv(s),
          data: this.savedPage.slice(0, DATA_SIZE), v: readV(m),
        };
        exceptions.push({ caseIndex: index, slot, word: w, row: info.row.name, esr: exc.esr, targetEl: exc.target, before });
        put(slot, 0);
        continue;
      }
      words[slot] = w; rows[slot] = info.row.name;
      executed++;
      trackMonitor(mon, info, w, this.saved);
      attempts = 0;
      const pc = Number(m.cpu.pc - BigInt(CODE_BASE));
      const next = pc / 4;
      if (!Number.isInteger(next) || next <= slot || next > slots) {
        note = `a64el left the sequence: PC=0x${m.cpu.pc.toString(16)} after slot ${slot}`;
        slot = slots;
        break;
      }
      for (let k = slot + 1; k < next; k++) {
        // Skipped by a taken branch: a valid word that must not execute.
        let fw = 0;
        for (let tries = 0; tries < 20 && fw === 0; tries++) {
          const fi = rng.pick(this.fillers);
          const cand = randomWord(fi, rng);
          if (decodeRow(cand) === fi.row) { fw = cand; rows[k] = `(skipped) ${fi.row.name}`; }
        }
        words[k] = fw;
        put(k, fw);
      }
      slot = next;
    }
    const used = note?.startsWith('gave up') ? slot : slots;
    const input: CaseInput = {
      index, seed: cseed, words: words.slice(0, used), rows: rows.slice(0, used), executed,
      x: init.x, sp: init.sp, nzcv: init.nzcv, data: init.data, v: init.v,
    };
    const gen: Generated = { input, stepState: readState(m, init.data), exceptions };
    if (note !== undefined) gen.generationNote = note;
    return gen;
  }

  private xs(): bigint[] { const out: bigint[] = []; for (let i = 0; i < 31; i++) out.push(this.m.cpu.x(i)); return out; }
}

/** Run a case in a64el from its initial state for `count` instructions (default: all) and read the result. */
export function runA64el(m: Machine, c: CaseInput, count = c.executed): CaseState {
  setUp(m, c.words, c);
  if (count > 0) m.run({ maxInstructions: count });
  return readState(m, c.data);
}

export const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;
