/**
 * Instruction-word fuzzer (fast-check): random 32-bit words, and words built from the decode table's
 * rows with random fields (so implemented encodings are hit, not only UNALLOCATED space), executed by
 * the interpreter at every EL and world (EL0/EL1 Secure and Non-secure, EL2 Non-secure, EL3) with
 * random general-purpose registers, stack pointers, flags, interrupt masks and routing controls
 * (HCR_EL2, SCR_EL3, SCTLR_ELx), random exception vectors that may hold more random code, and
 * sometimes a pending IRQ/FIQ. Each word runs with a budget of a few instructions.
 *
 * Every run must end in an architectural outcome: the run returns (budget, WFI halt, semihosting
 * exit) without a JS exception and quickly; every exception taken has a known EC (exceptions/kinds.ts
 * EC_NAMES) and goes to an implemented EL no lower than the one it came from, at a valid vector
 * offset; PSTATE stays in range; the cycle and instruction counters stay finite and do not go back.
 *
 * Used by test/robust/insn-fuzz.test.ts (CI share) and tools/fuzz/insn.ts (`npm run fuzz:insn`).
 */
import fc from 'fast-check';
import * as L from '../../src/state/layout.js';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { DECODE_ROWS } from '../../src/decode/decoder.js';
import { EC_NAMES } from '../../src/exceptions/kinds.js';

/** Exception vector bases: RAM (NS, secure), flash, the UART, misaligned, nothing. */
const VBARS = [0x4020_0000, 0x0e20_0000, 0, 0x0900_0000, 0x4020_0004, 0xdead_0000];

export interface InsnCase {
  word: number;
  /** Words after it and at the vectors (random code the run may reach). */
  more: number[];
  el: 0 | 1 | 2 | 3;
  secure: boolean;
  /**
   * Seeds the rest of the start state (registers, flags, masks, routing controls, vectors, pending
   * interrupts, PC) through a small PRNG: generating 30-odd 64-bit values per case with fast-check
   * costs more than running the case. 0 is the plainest state (shrinking heads there).
   */
  salt: number;
}

const ROWS = DECODE_ROWS.map((r) => ({ mask: r.mask >>> 0, value: r.value >>> 0 }));

/** A word from a decode-table row with its free bits random, or a fully random word. */
export const wordArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
  { weight: 3, arbitrary: fc.tuple(fc.nat(ROWS.length - 1), fc.integer({ min: 0, max: 0xffff_ffff })).map(([i, r]) => {
    const row = ROWS[i]!;
    return ((row.value & row.mask) | (r & ~row.mask)) >>> 0;
  }) },
  // exception generating, system and hint space, where routing and traps live
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x3f_ffff }).map((r) => (0xd400_0000 | ((r & 0x1f_ffff) << 0)) >>> 0) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f_ffff }).map((r) => (0xd500_0000 | r) >>> 0) },
  { weight: 1, arbitrary: fc.constantFrom(0xd69f03e0, 0xd503207f, 0xd503205f, 0xd45e0000, 0xd4000003, 0xd4000002, 0xd4000001, 0xd4200000) },
);

export const caseArb: fc.Arbitrary<InsnCase> = fc.record({
  word: wordArb,
  more: fc.array(wordArb, { minLength: 4, maxLength: 4 }),
  el: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
  secure: fc.boolean(),
  salt: fc.integer({ min: 0, max: 0x7fff_ffff }),
});

/** splitmix32: the start state from a case's salt. */
function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const REG_POOL = [0n, 0x4000_0000n, 0x4010_0000n, 0x4010_0ff8n, 0x4010_1000n, 0x0e00_0000n, 0x0e10_0000n, 0x0900_0000n,
  0x4800_0000n, 0x4000_0001n, 0x18n, 0x20026n, 0xffff_ffff_ffff_fff8n, 0x8000_0000_0000_0000n, 0x7fffn];
const HCRS = [0, 1 << 31, (1 << 31) | (1 << 19), (1 << 31) | (1 << 27), (1 << 31) | 0x18, (1 << 31) | 1, (1 << 31) | (1 << 13) | (1 << 14)];
const SCRS = [0x531, 0x5b1, 0x431, 0x530, 0x531, 0x3531, 0x53f];

/** The start state a salt stands for. */
function startState(salt: number): { regs: bigint[]; nzcv: number; daif: number; spsel: number; hcr: number; scr: number; sctlr: number; vbar: number; irq: number; pcOff: number } {
  const r = prng(salt);
  const plain = salt === 0;
  const regs: bigint[] = [];
  for (let i = 0; i < 32; i++) {
    const k = plain ? 1 : r() % 6;
    regs.push(k < 3 ? (BigInt(r()) << 32n) | BigInt(r()) : k < 5 ? REG_POOL[r() % REG_POOL.length]! : 0x4010_0000n + BigInt((r() & 0x3ff) * 8));
  }
  return {
    regs,
    nzcv: plain ? 0 : r() & 15,
    daif: plain ? 15 : r() & 15,
    spsel: plain ? 1 : r() & 1,
    hcr: plain ? HCRS[1]! : r() % 5 === 0 ? r() | 0 : HCRS[r() % HCRS.length]!,
    scr: plain ? SCRS[0]! : r() % 5 === 0 ? r() | 0 : SCRS[r() % SCRS.length]!,
    sctlr: plain || r() % 5 !== 0 ? -1 : r() | 0,
    vbar: plain ? VBARS[0]! : VBARS[r() % 10 < 6 ? r() % 2 : r() % VBARS.length]!,
    irq: plain || r() % 7 !== 0 ? 0 : r() & 3,
    pcOff: plain ? 0 : (r() & 0x3fe) * 4,
  };
}

export interface InsnFuzzStats {
  words: number;
  /** Runs by stop reason name. */
  stops: Record<string, number>;
  /** Exceptions taken, by EC (hex) for synchronous ones, or IRQ/FIQ/SError. */
  exceptions: Record<string, number>;
  /** Instructions retired in all runs. */
  retired: number;
  /** By (EL, world) of the start state. */
  contexts: Record<string, number>;
  /** The slowest single run, in ms. */
  slowestMs: number;
}

export function newInsnStats(): InsnFuzzStats {
  return { words: 0, stops: {}, exceptions: {}, retired: 0, contexts: {}, slowestMs: 0 };
}

const STOP_NAMES: Record<number, string> = { 1: 'exit', 2: 'budget', 3: 'halted', 4: 'requested', 5: 'returned', 6: 'native-stuck', 7: 'cycle-budget' };
const NS_CODE = 0x4010_0000, S_CODE = 0x0e10_0000;

const BUDGET = 6;
/** A run longer than this is a hang: each run is a handful of instructions (ms; generous, for loaded CI hosts and GC pauses). */
export const SLOW_MS = 2000;

/** One machine, reused: reset and set up per case. */
export class InsnRunner {
  readonly m = new Machine({ dramSize: 16 << 20 });
  private seen: { from: number; target: number; offset: number; esr: number }[] = [];
  /** The last run's result (null before the first, or when it threw). */
  last: { reason: number; instructions: number } | null = null;
  /** The state right after reset: restoring it is Machine.resetCpu() without dropping the predecode cache. */
  private readonly resetState: Int32Array;

  constructor() {
    this.m.resetCpu();
    this.resetState = this.m.cpu.s.slice();
    this.m.cpu.onExceptionEntry = (_c, from, _sec, target, offset, esr) => { this.seen.push({ from, target, offset, esr: esr >>> 0 }); };
  }

  /** Run one case; returns null or what went wrong. Never throws. */
  run(c: InsnCase, stats: InsnFuzzStats): string | null { return this.runWithBudget(c, stats, BUDGET); }

  /** The same with another instruction budget. */
  runWithBudget(c: InsnCase, stats: InsnFuzzStats, budget: number): string | null {
    const m = this.m;
    try {
      const s = m.cpu.s;
      s.set(this.resetState);
      // Console output is not checked here: drop it so a 10-million-word run does not keep it all.
      if (m.bus.uart.bytes().length > 0) m.bus.uart.clearOutput();
      if (m.semihostBytes().length > 0) m.setSemihostBytes(new Uint8Array(0));
      const st = startState(c.salt);
      const el = c.el;
      const secure = el === 3 || (c.secure && el !== 2);
      s[L.PSTATE_EL] = el;
      s[L.PSTATE_SP] = el === 0 ? 0 : st.spsel;
      s[L.PSTATE_DAIF] = (st.daif << 6) & 0x3c0;
      // SCR_EL3: bits 5:4 RES1; below EL3 the NS bit is the world (at EL3 it stays random: where ERET goes).
      s[L.SCR_EL3] = el === 3 ? st.scr | 0x30 : ((st.scr & ~1) | 0x30 | (secure ? 0 : 1));
      s[L.HCR_EL2] = st.hcr | 0;
      if (st.sctlr !== -1) for (let e = 1; e <= 3; e++) s[L.SCTLR_EL + 2 * e] = st.sctlr | 0;
      for (let i = 0; i < 31; i++) m.cpu.setX(i, st.regs[i]!);
      m.cpu.setX(L.SP_SLOT, st.regs[31]! & ~0xfn);
      for (let e = 0; e < 4; e++) m.cpu.set64(L.SP_EL + 2 * e, st.regs[(e * 7) % 31]! & ~0xfn);
      s[L.NF] = (st.nzcv & 8) !== 0 ? -0x8000_0000 : 0;
      s[L.ZF] = (st.nzcv & 4) !== 0 ? 0 : 1;
      s[L.CF] = (st.nzcv >>> 1) & 1;
      s[L.VF] = (st.nzcv & 1) !== 0 ? -0x8000_0000 : 0;
      const vbar = st.vbar;
      for (let e = 1; e <= 3; e++) m.cpu.set64(L.VBAR_EL + 2 * e, BigInt(vbar >>> 0));
      const codeBase = secure ? S_CODE : NS_CODE;
      const pc = codeBase + st.pcOff;
      const bus = m.bus;
      const code = new Uint8Array(4 * (1 + c.more.length));
      const dv = new DataView(code.buffer);
      dv.setUint32(0, c.word >>> 0, true);
      c.more.forEach((x, i) => dv.setUint32(4 * (i + 1), x >>> 0, true));
      bus.load(pc, code);
      // The vectors (where a RAM VBAR points) hold the same random words.
      if (vbar === 0x4020_0000 || vbar === 0x0e20_0000) for (let off = 0; off < 0x800; off += 0x80) bus.load(vbar + off, code);
      m.cpu.set64(L.PC, BigInt(pc));
      m.setIrqLine('irq', (st.irq & 1) !== 0);
      m.setIrqLine('fiq', (st.irq & 2) !== 0);
      const key = `EL${el}${secure ? 'S' : 'NS'}`;
      stats.contexts[key] = (stats.contexts[key] ?? 0) + 1;
      const cyc0 = m.cpu.cycles, ins0 = m.cpu.instructions;
      this.seen = [];
      const t0 = performance.now();
      this.last = null;
      const r = m.run({ maxInstructions: budget });
      this.last = { reason: r.reason, instructions: r.instructions };
      const dt = performance.now() - t0;
      stats.words++;
      if (dt > stats.slowestMs) stats.slowestMs = dt;
      const stop = STOP_NAMES[r.reason] ?? `stop ${r.reason}`;
      stats.stops[stop] = (stats.stops[stop] ?? 0) + 1;
      stats.retired += r.instructions;
      if (dt > SLOW_MS) return `the run took ${dt.toFixed(0)} ms (a hang)`;
      if (r.reason !== StopReason.Budget && r.reason !== StopReason.Halted && r.reason !== StopReason.Exit) return `run stopped with ${stop}`;
      if (r.instructions > budget) return `${r.instructions} instructions retired with a budget of ${budget}`;
      const f = m.cpu.f;
      for (const slot of [...L.FLOAT_SLOTS, ...Array.from({ length: 8 }, (_v, i) => L.CYCLES_BY_EL + 2 * i)]) {
        const v = f[slot >> 1]!;
        if (!Number.isFinite(v)) return `float slot ${slot} is ${v}`;
      }
      if (m.cpu.cycles < cyc0 || m.cpu.instructions < ins0) return 'the cycle or instruction counter went back';
      const sel = s[L.PSTATE_EL]!;
      if (sel < 0 || sel > 3) return `PSTATE.EL = ${sel}`;
      if ((s[L.PSTATE_SP]! & ~1) !== 0) return `PSTATE.SP = ${s[L.PSTATE_SP]}`;
      if ((s[L.PSTATE_DAIF]! & ~0x3c0) !== 0) return `PSTATE.DAIF = 0x${s[L.PSTATE_DAIF]!.toString(16)}`;
      if (sel === 2 && (s[L.SCR_EL3]! & 1) === 0) return 'at EL2 in the Secure state (no FEAT_SEL2)';
      for (const e of this.seen) {
        const kind = (e.offset >>> 7) & 3;
        if ((e.offset & 0x7f) !== 0 || e.offset > 0x780) return `exception to vector offset 0x${e.offset.toString(16)}`;
        if (e.target < 1 || e.target > 3 || e.target < e.from) return `exception from EL${e.from} to EL${e.target}`;
        if (kind === 0 || kind === 3) {
          const ec = e.esr >>> 26;
          if (kind === 0 && EC_NAMES[ec] === undefined) return `synchronous exception with unknown EC 0x${ec.toString(16)} (ESR 0x${e.esr.toString(16)})`;
          const k = kind === 3 ? 'SError' : `EC 0x${ec.toString(16).padStart(2, '0')}`;
          stats.exceptions[k] = (stats.exceptions[k] ?? 0) + 1;
        } else {
          const k = kind === 1 ? 'IRQ' : 'FIQ';
          stats.exceptions[k] = (stats.exceptions[k] ?? 0) + 1;
        }
      }
      return null;
    } catch (e) {
      return `host exception: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
    }
  }
}

export interface InsnCampaignOptions {
  words: number;
  seed: number;
  /** Cases per fast-check run (default 500). */
  batch?: number;
  onProgress?: (s: InsnFuzzStats) => void;
}

export interface InsnCampaignResult {
  stats: InsnFuzzStats;
  failure: string | null;
  seed: number;
}

const hex = (_k: string, x: unknown): unknown => (typeof x === 'bigint' ? `0x${x.toString(16)}` : typeof x === 'number' && x > 0xffff ? `0x${(x >>> 0).toString(16)}` : x);

export function runInsnCampaign(o: InsnCampaignOptions): InsnCampaignResult {
  const stats = newInsnStats();
  const runner = new InsnRunner();
  const batch = o.batch ?? 500;
  let failed = false;
  let last = '';
  const prop = fc.property(fc.array(caseArb, { minLength: 1, maxLength: batch, size: 'max' }), (cases) => {
    if (!failed && stats.words >= o.words) return true;
    for (const c of cases) {
      const v = runner.run(c, stats);
      if (v !== null) { failed = true; last = `word 0x${(c.word >>> 0).toString(16).padStart(8, '0')} at EL${c.el}${c.secure ? ' (secure)' : ''}: ${v}\ncase: ${JSON.stringify(c, hex)}`; throw new Error(last); }
    }
    o.onProgress?.(stats);
    return true;
  });
  const numRuns = Math.ceil((o.words / (batch / 2)) * 1.5) + 4;
  // The failing word and its start state are named in the message: no shrinking needed.
  const out = fc.check(prop, { seed: o.seed, numRuns, endOnFailure: true });
  return { stats, failure: out.failed ? `seed ${o.seed}, shrunk ${out.numShrinks} times: ${last}` : null, seed: o.seed };
}

// ---------------------------------------------------------------------------------------------
// The block translator (exec/jit): translated code must behave as the interpreter, and the text it
// generates must be built from numbers only (no guest bytes become host code).
// ---------------------------------------------------------------------------------------------

export interface JitCase {
  /** The loop body: these words, then `B` back to the first (so the block gets hot and is translated). */
  body: number[];
  el: 0 | 1 | 2 | 3;
  secure: boolean;
  salt: number;
}

export const jitCaseArb: fc.Arbitrary<JitCase> = fc.record({
  body: fc.array(wordArb, { minLength: 1, maxLength: 12 }),
  el: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
  secure: fc.boolean(),
  salt: fc.integer({ min: 0, max: 0x7fff_ffff }),
});

export interface JitFuzzStats {
  cases: number;
  /** Cases that ended on the block-start bound (cycle counters not compared). */
  spinBounded: number;
  /** Blocks the translator produced (texts checked). */
  translated: number;
  /** Identifiers seen in generated text (for the report). */
  identifiers: string[];
}

/** Identifiers generated text may contain (exec/jit/translate.ts Gen), besides l<n>/h<n>/t<n> locals and p<n> pages. */
const JIT_WORDS = new Set([
  'use', 'strict', 'const', 'let', 'return', 'function', 'block', 'budget', 'mayLoop', 'for', 'if', 'else', 'break', 'continue',
  'E', 's', 'f', 'ctx', 'page', 'X', 'U', 'G', 'R', 'cpu', 'gen', 'st', 'it', 'maxIt', 'Math', 'floor', 'imul', 'clz32', 'nf', 'zf', 'cf', 'vf',
  'true', 'false', 'null', 'undefined', 'stopReason',
  // inline exception entry/return (the block's pages p<n> = P[n], C = ctx.cpu and its fields)
  'cl', 'ch', 'P', 'C', 'now', 'spsr', 'onExceptionEntry', 'onExceptionReturn', 'exceptionEntryCycles', 'exceptionReturnCycles',
  // the generator's fixed temporaries
  'tl', 'th', 'x', 'l', 'r', 'hi', 'lo', 'a', 'ah', 'al', 'b', 'bh', 'bl', 'c', 'd', 'e', 'eh', 'el', 'm', 'mh', 'ml', 'nh', 'nl',
  'u', 'v', 'xh', 'xl', 'y', 'yh', 'yl', 'k', 'ilo', 'ihi', 'keep', 'inv', 'bit', 'pos', 'cond', 'sub', 'o', 'h', 'rl', 'rh',
]);

/** Problems with one generated block text (empty = numbers and known names only). */
export function checkJitText(body: string, seen: Set<string>): string[] {
  const out: string[] = [];
  const code = body.split('\n').map((l) => l.replace(/\/\/.*$/, '')).join('\n');
  const strings = code.match(/["'`][^"'`]*["'`]/g) ?? [];
  for (const q of strings) if (q !== '"use strict"') out.push(`string literal ${q}`);
  for (const id of code.replace(/"use strict"/, '').match(/[A-Za-z_$][\w$]*/g) ?? []) {
    seen.add(id);
    if (!JIT_WORDS.has(id) && !/^[lhtp]\d+$/.test(id)) out.push(`identifier ${id}`);
  }
  return out;
}

/** Two machines, one interpreting only, one translating every block start at once. */
export class JitDiffRunner {
  readonly interp = new InsnRunner();
  readonly jit = new InsnRunner();
  readonly bodies: string[] = [];

  constructor() {
    this.interp.m.cache.jitThreshold = 0;
    this.jit.m.cache.jitThreshold = 1;
  }

  run(c: JitCase, stats: JitFuzzStats, seen: Set<string>): string | null {
    const words = [...c.body];
    words.push((0x1400_0000 | ((-c.body.length) & 0x03ff_ffff)) >>> 0);   // B to the first word
    const budget = 24 * words.length;
    const base: InsnCase = { word: words[0]!, more: words.slice(1), el: c.el, secure: c.secure, salt: c.salt };
    const ignore = newInsnStats();
    const origFunction = globalThis.Function;
    const bodies: string[] = [];
    // Capture the text the translator hands to `new Function` (the second argument).
    const spy = function (this: unknown, ...args: string[]): unknown {
      bodies.push(args[args.length - 1] ?? '');
      return Reflect.construct(origFunction, args) as unknown;
    } as unknown as FunctionConstructor;
    let a: string | null, b: string | null;
    try {
      a = this.interp.runWithBudget(base, ignore, budget);
      (globalThis as { Function: FunctionConstructor }).Function = spy;
      try { b = this.jit.runWithBudget(base, ignore, budget); } finally { (globalThis as { Function: FunctionConstructor }).Function = origFunction; }
    } catch (e) {
      return `host exception: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
    }
    stats.cases++;
    if (a !== null) return `interpreter: ${a}`;
    if (b !== null) return `translated: ${b}`;
    stats.translated += bodies.length;
    for (const body of bodies) {
      const bad = checkJitText(body, seen);
      if (bad.length > 0) return `generated text holds ${bad.slice(0, 4).join(', ')}`;
    }
    const sa = this.interp.m.cpu.s, sb = this.jit.m.cpu.s;
    // A run that ends on the block-start bound (a loop of fetch aborts: Budget with fewer instructions
    // retired than the budget) may stop that loop one exception earlier or later when blocks are
    // translated (a translated block can split an interpreter block in two): compare everything but
    // the cycle counters then (reported: docs/robustness.md).
    const spinBound = (x: { reason: number; instructions: number } | null): boolean => x !== null && x.reason === StopReason.Budget && x.instructions < budget;
    const skip = new Set<number>();
    if (spinBound(this.interp.last) || spinBound(this.jit.last)) {
      stats.spinBounded++;
      for (const slot of [L.CYCLES, L.CYCLES_MARK, L.PMCCNTR_BASE]) { skip.add(slot); skip.add(slot + 1); }
      for (let i = 0; i < 16; i++) skip.add(L.CYCLES_BY_EL + i);
    }
    for (let i = 0; i < sa.length; i++) {
      if (sa[i] !== sb[i] && !skip.has(i)) return `state word ${i} differs: interpreter 0x${(sa[i]! >>> 0).toString(16)}, translated 0x${(sb[i]! >>> 0).toString(16)}`;
    }
    const da = this.interp.m.bus.dram.subarray(0x10_0000, 0x30_0000), db = this.jit.m.bus.dram.subarray(0x10_0000, 0x30_0000);
    for (let i = 0; i < da.length; i++) if (da[i] !== db[i]) return `DRAM byte 0x${(0x4010_0000 + i).toString(16)} differs`;
    return null;
  }
}

export interface JitCampaignResult { stats: JitFuzzStats; failure: string | null; seed: number }

export function runJitCampaign(o: { cases: number; seed: number }): JitCampaignResult {
  const stats: JitFuzzStats = { cases: 0, spinBounded: 0, translated: 0, identifiers: [] };
  const runner = new JitDiffRunner();
  const seen = new Set<string>();
  let failed = false;
  let last = '';
  const prop = fc.property(fc.array(jitCaseArb, { minLength: 1, maxLength: 50, size: 'max' }), (cases) => {
    if (!failed && stats.cases >= o.cases) return true;
    for (const c of cases) {
      const v = runner.run(c, stats, seen);
      if (v !== null) { failed = true; last = `${v}\ncase: ${JSON.stringify(c, hex)}`; throw new Error(last); }
    }
    return true;
  });
  // The failing case is named in the message: no shrinking needed (each shrink step re-runs a batch).
  const out = fc.check(prop, { seed: o.seed, numRuns: Math.ceil(o.cases / 25 * 1.5) + 4, endOnFailure: true });
  stats.identifiers = [...seen].sort();
  return { stats, failure: out.failed ? `seed ${o.seed}, shrunk ${out.numShrinks} times: ${last}` : null, seed: o.seed };
}
