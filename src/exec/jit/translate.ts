/**
 * Block translation: a straight-line run of predecoded instructions of one code page becomes one
 * JavaScript function (`new Function`), built ONLY from decoded numeric fields (register numbers,
 * immediates, constants computed here, all emitted as integer literals): no guest bytes ever reach the
 * generated text as text. The interpreter stays the fallback (and the single-step and hooked loops).
 *
 * Shape of a block (the interpreter's inner loop, unrolled):
 *  - the general-purpose registers and NZCV slots the block touches live in locals, loaded at entry
 *    and stored back at every exit and before every call that may look at the state;
 *  - data processing and branches are emitted inline, bit-for-bit what the handlers in exec/ops/*
 *    write (flag slots included, in the same representation);
 *  - HVC/SMC/SVC (Arm ARM D1.4.2, ASL AArch64.TakeException) and an ERET whose SPSR.M and ELR the
 *    trace itself wrote (ASL AArch64.ExceptionReturn, legal by IllegalExceptionReturn) are emitted
 *    inline with routing, vector and banks fixed at translation, behind a run-time guard on every
 *    word those decisions read (PSTATE.EL/SPSel, IMPL_ELS, SCR_EL3, HCR_EL2, VBAR_ELx, SCTLR_EL1.SPAN,
 *    ELR/SPSR.M, no exception observer); MRS/MSR of plain storage system registers likewise behind an
 *    EL guard. A failed guard runs the interpreter's handler. After an inline entry or return the
 *    trace goes on at the vector or return address, in another page if it must (the plain run loop
 *    only: mayLoop === 2), after the checks the interpreter makes at a block start. When the vector
 *    is a native component's (firmware/component.ts), the trace calls it in place, as the run loop
 *    would at its next block start, and goes on after the trap if the component returned there
 *    (Gen.nativeInline; the plain run loop only);
 *  - everything else (loads and stores, other system instructions, BRK/HLT ...) calls the
 *    interpreter's `execute` with PC, cycles and instret exact at that point, and leaves the block on
 *    any status but Next (Sync: PC + 4; Undefined: EC 0x00; Stop: ctx.stopReason is set);
 *  - cycles and instret are charged per instruction before it executes, as the interpreter does, so an
 *    instruction that faults mid-block is counted and the exception sees exact counters;
 *  - a block whose last instruction branches (or returns from an exception) back to its own start
 *    iterates in place while at least one more pass fits the budget, no interrupt line is up and no
 *    stop was requested (the checks the interpreter makes at every block start), at most MAX_PASSES
 *    passes per call. A store into any page of the block (its page.gen moves) ends the block after
 *    that store; a trace entering another page checks that page's gen first.
 */
import * as L from '../../state/layout.js';
import * as A from '../alu64.js';
import { Op } from '../../decode/ops.js';
import { decode } from '../../decode/decoder.js';
import { type ExecContext, type NativeCode, NATIVE_PC_HI, NATIVE_PC_HI_MASK, StopReason } from '../context.js';
import type { CodePage, PredecodeCache } from '../predecode.js';
import { undefinedInstruction } from '../raise.js';
import { Ec, VectorGroup } from '../../exceptions/kinds.js';
import { esrImm16 } from '../../exceptions/syndrome.js';
import { SMC_TRAP_EL2, UNDEFINED, routeHvc, routeSmc, routeSvc } from '../../exceptions/routing.js';
import { IllegalReturn, checkIllegalReturn, exceptionReturn } from '../../exceptions/eret.js';
import { ACCESS_OK, Rule, SYSREG_TABLE, checkSysRegAccess, sysRegIndex } from '../../state/sysregs.js';
import { execEret, execExceptionGen } from '../ops/system.js';
import { type BlockFn, JitBlock, NO_BLOCK } from './block.js';

/** The interpreter's per-Op dispatch, passed in by interpreter.ts (it imports this module). */
export type ExecuteFn = (ctx: ExecContext, op: number, w: number) => number;

/** Longest block, in instructions. */
const MAX_BLOCK = 96;
/** Passes a self-looping block makes per call at most (see Gen.emit). */
const MAX_PASSES = 1024;

// Status codes (exec/context.ts Status; a const enum there, repeated as numbers in generated text).
const ST_SYNC = 3, ST_UNDEFINED = 5;

const enum Kind {
  /** Emitted inline, never leaves the block except as its last instruction (a branch). */
  Inline,
  /** Ends the block: a branch (inline). */
  Branch,
  /** A load or store: `execute` with exact state, may fault. */
  Mem,
  /** Anything else: `execute`, may end the block. */
  Generic,
  /** HVC/SMC/SVC taken inline behind a guard (TrapPlan); the handler when the guard fails. */
  Trap,
  /** ERET taken inline behind a guard (EretPlan); the handler when the guard fails. */
  Eret,
  /** MRS/MSR of a storage system register inline behind an EL guard (SysPlan). */
  Sys,
}

function kindOf(op: Op, w: number): Kind {
  switch (op) {
    case Op.ADD_imm: case Op.ADDS_imm: case Op.SUB_imm: case Op.SUBS_imm:
    case Op.AND_imm: case Op.ORR_imm: case Op.EOR_imm: case Op.ANDS_imm:
    case Op.MOVN: case Op.MOVZ: case Op.MOVK:
    case Op.SBFM: case Op.BFM: case Op.UBFM:
    case Op.ADR: case Op.ADRP:
    case Op.AND_reg: case Op.BIC_reg: case Op.ORR_reg: case Op.ORN_reg:
    case Op.EOR_reg: case Op.EON_reg: case Op.ANDS_reg: case Op.BICS_reg:
    case Op.ADD_sreg: case Op.ADDS_sreg: case Op.SUB_sreg: case Op.SUBS_sreg:
    case Op.CSEL: case Op.CSINC: case Op.CSINV: case Op.CSNEG:
    case Op.DMB: case Op.DSB: case Op.CLREX:
      return Kind.Inline;
    case Op.HINT: {
      const crmOp2 = (w >>> 5) & 0x7f;   // WFE, WFI, SEV, SEVL have effects: generic
      return crmOp2 >= 2 && crmOp2 <= 5 ? Kind.Generic : Kind.Inline;
    }
    case Op.B: case Op.BL: case Op.B_cond: case Op.CBZ: case Op.CBNZ: case Op.TBZ: case Op.TBNZ:
    case Op.BR: case Op.BLR: case Op.RET:
      return Kind.Branch;
    case Op.LDR_lit: case Op.LD_uimm: case Op.ST_uimm: case Op.LD_unscaled: case Op.ST_unscaled:
    case Op.LD_unpriv: case Op.ST_unpriv: case Op.LD_post: case Op.ST_post: case Op.LD_pre: case Op.ST_pre:
    case Op.LD_reg: case Op.ST_reg: case Op.LDP_off: case Op.STP_off: case Op.LDP_post: case Op.STP_post:
    case Op.LDP_pre: case Op.STP_pre:
      return Kind.Mem;
    default:
      return Kind.Generic;
  }
}

/** Loads and stores that write memory (a store into the block's own page ends the block). */
function isStore(op: Op): boolean {
  return op === Op.ST_uimm || op === Op.ST_unscaled || op === Op.ST_unpriv || op === Op.ST_post || op === Op.ST_pre ||
    op === Op.ST_reg || op === Op.STP_off || op === Op.STP_post || op === Op.STP_pre;
}

/** An integer literal for generated text (the only way numbers enter it). */
function n(v: number): string {
  if (!Number.isInteger(v)) throw new Error(`jit: non-integer constant ${v}`);
  return v < 0 ? `(${v})` : String(v);
}
const i32 = (v: number): string => n(v | 0);

/** Register field value -> state slot (layout.ts): 31 is XZR (slot 31) or SP (slot 32); writes to XZR go to the sink (33). */
const zrRead = (r: number): number => r;
const zrWrite = (r: number): number => (r === 31 ? L.SINK_SLOT : r);
const spSlot = (r: number): number => (r === 31 ? L.SP_SLOT : r);

interface Insn {
  op: Op; w: number; pc: number; kind: Kind; cyc: number;
  /**
   * A branch in the middle of a trace: taken, the block goes on with its target (the next insn); an
   * inline exception entry or return: the block goes on at the vector or return address.
   */
  cont: boolean;
  /** Index (into the block's pages) of the page this instruction is on, and of the page it goes on in (cont). */
  page: number; nextPage: number;
  /** The last instruction, going back to the block's start (a loop). */
  loopBack: boolean;
  trap: TrapPlan | null; eret: EretPlan | null; sys: SysPlan | null;
  /** An inline HVC/SMC/SVC whose vector is a native component's: its index in the block's natives (q<k>), else -1. */
  nat: number;
  /** The component's ERET (deferred to the trace) is made inline. */
  natEret: boolean;
}

/** What the generated text refers to (bound as constants of the outer function). */
export interface JitEnv {
  s: Int32Array;
  f: Float64Array;
  /** Also C = ctx.cpu in the text (exception observers, entry/return cycles). */
  ctx: ExecContext;
  /** The block's code pages (p<k> = P[k] in the text; the first is the start page), for their gen. */
  P: CodePage[];
  X: ExecuteFn;
  U: typeof undefinedInstruction;
  /** The handlers of SVC/HVC/SMC/BRK/HLT and ERET, called directly (no dispatch on the Op). */
  G: typeof execExceptionGen;
  R: typeof execEret;
  /** The native components the block's inline traps enter (q<k> = Q[k] in the text). */
  Q: NativeCode[];
  /** AArch64.ExceptionReturn (a deferred ERET whose inline guard failed). */
  E: typeof exceptionReturn;
}

/** Exception-generating instructions and ERET: worth a block of their own (they are most of a trap loop). */
function isTrap(op: Op): boolean {
  return op === Op.SVC || op === Op.HVC || op === Op.SMC || op === Op.BRK || op === Op.HLT || op === Op.ERET;
}

/**
 * The state words an inline exception entry, exception return or system-register move depends on
 * besides PSTATE (routing: ASL AArch64.CallHypervisor / CheckForSMCUndefOrTrap / CallSupervisor; the
 * return checks of IllegalExceptionReturn; the sysreg access checks of ELR/SPSR-like registers), as
 * seen when the block was translated. Generated code compares them at run time before each inline
 * path (a guard) and takes the interpreter's handler instead when any differs.
 */
interface Spec { el: number; sp: number; impl: number; scr: number; hcr: number }

/** HVC/SMC/SVC taken inline (AArch64.TakeException with everything fixed by the guard folded). */
interface TrapPlan {
  from: number; spSel: number; target: number; esr: number;
  /** Preferred return (ELR): the next instruction, or the SMC itself when HCR_EL2.TSC traps it. */
  retLo: number; retHi: number;
  /** Vector address (VBAR_ELx[63:11] : offset) and the VBAR words it was computed from. */
  vecLo: number; vecHi: number; vbarLo: number; vbarHi: number;
  /** SCTLR_EL1.SPAN when the target is EL1 (PAN set on entry), else -1 (not looked at). */
  span: number;
  fromSecure: boolean;
}

/** ERET taken inline: a return whose SPSR.M and ELR this trace wrote itself (so the checks fold). */
interface EretPlan {
  el: number; spSel: number; fromSecure: boolean; spsrM: number;
  elrLo: number; elrHi: number; target: number; targetSp: number;
  /** ELR not written by this trace: read at run time, and the block ends there (PC = ELR). */
  dynamic: boolean;
}

/** MRS/MSR of a storage system register accessible at the speculated EL (ELR, SPSR, ESR, FAR, TPIDR ...). */
interface SysPlan { el: number; off: number; read: boolean; rt: number; res0Lo: number; res0Hi: number; res1Lo: number; res1Hi: number }

const SCTLR_SPAN = 1 << 23;

/**
 * Translate the block starting at slot `idx` of `page` (PC = page base + 4 * idx, PC[63:32] = 0).
 * Returns NO_BLOCK when there is nothing worth translating there. With `cache`, a trace may also go
 * on through exception entries and returns it can take inline, into the vector's (or the return
 * address's) page.
 */
export function translateBlock(ctx: ExecContext, page: CodePage, idx: number, execute: ExecuteFn, cache?: PredecodeCache): JitBlock {
  const s0 = ctx.cpu.s;
  const startPc = ((page.pn << 12) >>> 0) + 4 * idx;
  const insns: Insn[] = [];
  const pages: CodePage[] = [page];
  let cur = page, pi = 0;
  let base = (page.pn << 12) >>> 0;
  const spec: Spec = { el: s0[L.PSTATE_EL]!, sp: s0[L.PSTATE_SP]!, impl: s0[L.IMPL_ELS]!, scr: s0[L.SCR_EL3]!, hcr: s0[L.HCR_EL2]! };
  // What this trace itself wrote (compile-time facts): ELR_ELx and SPSR_ELx.M by EL, GPR constants.
  const elr: ([number, number] | null)[] = [null, null, null, null];
  const spsrM: (number | null)[] = [null, null, null, null];
  const known = new Map<number, [number, number]>();
  let loops = false;
  // A trace: straight runs joined at direct branches whose target is on the current page and not yet
  // in the block (the taken side continues in the block, the other side leaves it), and at exception
  // entries/returns taken inline whose target is known here.
  const seen = new Set<number>();
  const natives: NativeCode[] = [], natIds: number[] = [];
  /** Go on at `target` (after an inline exception entry or return): true if the trace continues there. */
  const follow = (x: Insn, lo: number, hi: number, secure: boolean): boolean => {
    if (hi !== 0 || cache === undefined) return false;
    const t = lo >>> 0;
    const pn = t >>> 12;
    let k = pages.findIndex((p) => p.pn === pn);
    const p = k >= 0 ? pages[k]! : cache.page(t);
    if (p === undefined || (p.secureOnly && !secure)) return false;
    if (t === startPc) { x.loopBack = true; loops = true; return false; }
    if (seen.has(t)) return false;
    if (k < 0) { k = pages.length; pages.push(p); }
    x.cont = true; x.nextPage = k;
    cur = p; pi = k; base = (p.pn << 12) >>> 0;
    i = (t & 0xfff) >>> 2;
    return true;
  };
  let i = idx;
  while (i < 1024 && insns.length < MAX_BLOCK && !seen.has(base + 4 * i)) {
    seen.add(base + 4 * i);
    const w = cur.words[i]!;
    let op = cur.ops[i]! - 1;
    if (op < 0) { op = decode(w); cur.ops[i] = op + 1; }
    if (op === Op.Undefined) break;
    const kind = kindOf(op, w);
    const x: Insn = { op, w, pc: base + 4 * i, kind, cyc: ctx.opCycles[op]!, cont: false, page: pi, nextPage: -1, loopBack: false, trap: null, eret: null, sys: null, nat: -1, natEret: false };
    insns.push(x);
    if (cache !== undefined && (op === Op.HVC || op === Op.SMC || op === Op.SVC)) {
      const plan = planTrap(s0, spec, x);
      if (plan !== null) {
        x.kind = Kind.Trap; x.trap = plan;
        spec.el = plan.target; spec.sp = 1;
        elr[plan.target] = [plan.retLo, plan.retHi];
        spsrM[plan.target] = (plan.from << 2) | plan.spSel;
        const secure = plan.target === 3 || (spec.scr & 1) === 0;
        // The vector is a native component's (the run loop would enter it at the next block start:
        // PC in its window, at its EL and world): the block calls it in place, and goes on at the
        // instruction after the trap when that is where the component returned (checked at run time).
        const nat = (plan.vecHi & NATIVE_PC_HI_MASK) === NATIVE_PC_HI ? ctx.natives[plan.vecHi & 0xff] : undefined;
        if (nat !== undefined && nat.el === plan.target && nat.secure === secure) {
          let k = natives.indexOf(nat);
          if (k < 0) { k = natives.length; natives.push(nat); natIds.push(plan.vecHi & 0xff); }
          x.nat = k;
          // A component that can leave its ERET to the caller (firmware/component.ts enterDeferringEret), and
          // the return to the EL and SPSel the trap came from is legal here: the trace makes it inline.
          const m = (plan.from << 2) | plan.spSel;
          x.natEret = 'enterDeferringEret' in nat && checkIllegalReturn(scratch(s0, { ...spec, el: plan.target, sp: 1 }), m) === IllegalReturn.Legal;
          // What the component does is not known here: the return to EL/SPSel as before the trap is
          // checked at run time; every register and ELR/SPSR may have changed.
          spec.el = plan.from; spec.sp = plan.spSel;
          elr.fill(null); spsrM.fill(null); known.clear();
          const [nl, nh] = pcPlus(x.pc, 4);
          if (follow(x, nl, nh, plan.fromSecure)) continue;
          break;
        }
        if (follow(x, plan.vecLo, plan.vecHi, secure)) continue;
        break;
      }
    }
    if (cache !== undefined && op === Op.ERET) {
      // SPSR.M not written by this trace: speculate it is what SPSR_ELx holds now (a block starting at
      // a vector sees the SPSR of the exception just taken), behind the same run-time guard.
      const e = elr[spec.el], m = spsrM[spec.el] ?? (s0[L.SPSR_EL + 2 * spec.el]! & 31);
      const plan = planEret(s0, spec, e ?? [0, 0], m, e == null);
      if (plan !== null) {
        x.kind = Kind.Eret; x.eret = plan;
        if (plan.dynamic) break;
        spec.el = plan.target; spec.sp = plan.targetSp;
        const secure = plan.target === 3 || (spec.scr & 1) === 0;
        if (follow(x, plan.elrLo, plan.elrHi, secure)) continue;
        break;
      }
    }
    if (op === Op.MRS || op === Op.MSR_reg) {
      const plan = planSys(s0, spec, w);
      if (plan !== null) {
        x.kind = Kind.Sys; x.sys = plan;
        const rslot = plan.rt;
        if (plan.read) {
          known.delete(rslot);
          const r = SYSREG_TABLE[sysRegIndex(w)]!;
          const elOf = r.off >= L.ELR_EL && r.off < L.ELR_EL + 8 ? (r.off - L.ELR_EL) >> 1 : -1;
          if (elOf >= 0 && elr[elOf] != null && rslot !== 31) known.set(rslot, elr[elOf]!);
        } else {
          const v = rslot === 31 ? [0, 0] as [number, number] : known.get(rslot) ?? null;
          if (plan.off >= L.ELR_EL && plan.off < L.ELR_EL + 8) elr[(plan.off - L.ELR_EL) >> 1] = v === null ? null : [(v[0] & ~plan.res0Lo) | plan.res1Lo, (v[1] & ~plan.res0Hi) | plan.res1Hi];
          if (plan.off >= L.SPSR_EL && plan.off < L.SPSR_EL + 8) spsrM[(plan.off - L.SPSR_EL) >> 1] = v === null ? null : ((v[0] & ~plan.res0Lo) | plan.res1Lo) & 0x1f;
        }
        i++;
        continue;
      }
    }
    trackConstants(known, x);
    if (kind === Kind.Branch) {
      const t = branchTarget(x);
      if (t < 0 || (t >>> 12) !== cur.pn) break;
      if (t === startPc) { x.loopBack = true; loops = true; break; }
      if (seen.has(t)) break;
      x.cont = true; x.nextPage = pi;
      i = (t & 0xfff) >>> 2;
      continue;
    }
    if (kind === Kind.Generic) {
      // A helper may write any system register (MSR ends the block below) or take an exception.
      elr.fill(null); spsrM.fill(null);
      if (endsBlock(op, w)) break;
    }
    i++;
  }
  if (insns.length === 0 || !insns.some((x) => x.kind !== Kind.Mem && x.kind !== Kind.Generic || isTrap(x.op))) return NO_BLOCK;
  const last = insns[insns.length - 1]!;
  last.cont = false;   // (the trace may have stopped right after a branch it meant to follow)
  if (!last.loopBack || insns.some((x) => x.kind === Kind.Generic)) { loops = false; last.loopBack = false; }
  for (const x of insns) if (x !== last) x.loopBack = false;
  const g = new Gen(insns, loops, pages.map((p) => p.gen), spec0(s0), natIds);
  const body = g.emit();
  const env: JitEnv = { s: ctx.cpu.s, f: ctx.cpu.f, ctx, P: pages, X: execute, U: undefinedInstruction, G: execExceptionGen, R: execEret, Q: natives, E: exceptionReturn };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  // The environment arrives as parameters of the outer function (closure variables that need no
  // hole check on each use, as `const`s would).
  const make = new Function('s', 'f', 'ctx', 'P', 'X', 'U', 'G', 'R', 'Q', 'E', body) as
    (s: Int32Array, f: Float64Array, ctx: ExecContext, P: CodePage[], X: ExecuteFn, U: JitEnv['U'], G: JitEnv['G'], R: JitEnv['R'], Q: NativeCode[], E: JitEnv['E']) => BlockFn;
  return new JitBlock(make(env.s, env.f, env.ctx, env.P, env.X, env.U, env.G, env.R, env.Q, env.E), insns.length, startPc, loops);
}

function spec0(s: Int32Array): Spec {
  return { el: s[L.PSTATE_EL]!, sp: s[L.PSTATE_SP]!, impl: s[L.IMPL_ELS]!, scr: s[L.SCR_EL3]!, hcr: s[L.HCR_EL2]! };
}

/** A scratch copy of the state with the speculated PSTATE.EL/SPSel and routing words (for the routing and check functions). */
function scratch(s0: Int32Array, spec: Spec): Int32Array {
  const sc = s0.slice();
  sc[L.PSTATE_EL] = spec.el; sc[L.PSTATE_SP] = spec.sp;
  sc[L.IMPL_ELS] = spec.impl; sc[L.SCR_EL3] = spec.scr; sc[L.HCR_EL2] = spec.hcr;
  return sc;
}

/** HVC/SMC/SVC routed as the interpreter would route it in the speculated state, or null (UNDEFINED: the handler). */
function planTrap(s0: Int32Array, spec: Spec, x: Insn): TrapPlan | null {
  const sc = scratch(s0, spec);
  const imm = (x.w >>> 5) & 0xffff;
  let target: number, ec: Ec, self = false;
  if (x.op === Op.HVC) { target = routeHvc(sc); ec = Ec.Hvc64; }
  else if (x.op === Op.SMC) {
    target = routeSmc(sc); ec = Ec.Smc64;
    if (target === SMC_TRAP_EL2) { target = 2; self = true; }
  } else { target = routeSvc(sc); ec = Ec.Svc64; }
  if (target === UNDEFINED || target < 0) return null;
  const from = spec.el, spSel = spec.sp;
  const offset = target > from ? VectorGroup.LowerA64 : spSel ? VectorGroup.CurrentSpx : VectorGroup.CurrentSp0;
  const vbarLo = s0[L.VBAR_EL + 2 * target]!, vbarHi = s0[L.VBAR_EL + 2 * target + 1]!;
  const [retLo, retHi] = self ? [x.pc | 0, 0] : pcPlus(x.pc, 4);
  return {
    from, spSel, target, esr: esrImm16(ec, imm), retLo, retHi,
    vecLo: (vbarLo & ~0x7ff) | offset, vecHi: vbarHi, vbarLo, vbarHi,
    span: target === 1 ? s0[L.SCTLR_EL + 2]! & SCTLR_SPAN : -1,
    fromSecure: from === 3 || (spec.scr & 1) === 0,
  };
}

/** ERET with SPSR.M and ELR known (written by this trace): legal in the speculated state, or null. */
function planEret(s0: Int32Array, spec: Spec, e: [number, number], m: number, dynamic: boolean): EretPlan | null {
  if (spec.el === 0) return null;
  const sc = scratch(s0, spec);
  if (checkIllegalReturn(sc, m) !== IllegalReturn.Legal) return null;
  return {
    el: spec.el, spSel: spec.sp, fromSecure: spec.el === 3 || (spec.scr & 1) === 0, spsrM: m,
    elrLo: e[0], elrHi: e[1], target: (m >>> 2) & 3, targetSp: m & 1, dynamic,
  };
}

/** MRS/MSR of a plain storage register (no side effects, no block end) accessible at the speculated EL, or null. */
function planSys(s0: Int32Array, spec: Spec, w: number): SysPlan | null {
  const idx = sysRegIndex(w);
  if (idx < 0) return null;
  const r = SYSREG_TABLE[idx]!;
  if (r.rule !== Rule.Plain && r.rule !== Rule.El2Reg && r.rule !== Rule.El3Reg) return null;
  const read = ((w >>> 21) & 1) === 1;
  if (!read && (r.off === L.HCR_EL2 || r.off === L.SCR_EL3 || r.off === L.VBAR_EL + 2 || r.off === L.VBAR_EL + 4 || r.off === L.VBAR_EL + 6 || r.off === L.SCTLR_EL + 2)) return null;
  const sc = scratch(s0, spec);
  if (checkSysRegAccess(sc, idx, read) !== ACCESS_OK) return null;
  const m0 = r.res0 ?? 0n, m1 = r.res1 ?? 0n;
  return {
    el: spec.el, off: r.off, read, rt: w & 31,
    res0Lo: Number(m0 & 0xffffffffn) | 0, res0Hi: Number(m0 >> 32n) | 0, res1Lo: Number(m1 & 0xffffffffn) | 0, res1Hi: Number(m1 >> 32n) | 0,
  };
}

/** Register constants the trace knows (for an ERET to a return address computed in registers, as `mrs; add; msr elr`). */
function trackConstants(known: Map<number, [number, number]>, x: Insn): void {
  const w = x.w;
  switch (x.op) {
    case Op.B: case Op.B_cond: case Op.CBZ: case Op.CBNZ: case Op.TBZ: case Op.TBNZ:
    case Op.DMB: case Op.DSB: case Op.CLREX: case Op.HINT:
      return;
    case Op.ADD_imm: case Op.SUB_imm: {
      const rd = w & 31, rn = (w >>> 5) & 31;
      const v = rn !== 31 ? known.get(rn) : undefined;
      if ((w >>> 31) !== 0 && rd !== 31 && v !== undefined) {
        const imm = ((w >>> 10) & 0xfff) << (((w >>> 22) & 1) * 12);
        const lo = (x.op === Op.ADD_imm ? A.add64(v[0], v[1], imm, 0) : A.sub64(v[0], v[1], imm, 0)) | 0;
        known.set(rd, [lo, A.hi | 0]);
        return;
      }
      break;
    }
  }
  known.clear();
}

/** Generic instructions after which the block always ends (they branch, trap or stop). */
function endsBlock(op: Op, w: number): boolean {
  switch (op) {
    case Op.ERET: case Op.SVC: case Op.HVC: case Op.SMC: case Op.BRK: case Op.HLT: case Op.ISB:
    case Op.MSR_imm: case Op.MSR_reg:
      return true;
    case Op.HINT: return ((w >>> 5) & 0x7f) === 2 || ((w >>> 5) & 0x7f) === 3;   // WFE, WFI
  }
  return false;
}

/** Target of a PC-relative branch when it lies below 4 GiB, or -1 (register branches, carries). */
function branchTarget(x: Insn): number {
  const w = x.w;
  let off: number;
  switch (x.op) {
    case Op.B: case Op.BL: off = (w << 6) >> 4; break;
    case Op.B_cond: case Op.CBZ: case Op.CBNZ: off = ((w << 8) >> 13) << 2; break;
    case Op.TBZ: case Op.TBNZ: off = ((w << 13) >> 18) << 2; break;
    default: return -1;
  }
  const [lo, hi] = pcPlus(x.pc, off);
  return hi === 0 ? lo >>> 0 : -1;
}

/** 64-bit PC value (lo, hi) of a 33-bit sum pc + off computed with the interpreter's carry rules. */
function pcPlus(pc: number, off: number): [number, number] {
  const sum = pc + off;   // pc < 2^32, |off| < 2^28
  return [sum | 0, sum > 0xffffffff ? 1 : sum < 0 ? -1 : 0];
}

class Gen {
  private readonly out: string[] = [];
  /** Slots read or written (loaded at entry), and written (stored at exits). */
  private readonly used = new Set<number>();
  private readonly written = new Set<number>();
  private flagsUsed = false;
  private flagsWritten = false;
  /** Cycles and instructions charged since the last flush to f[] (compile time). */
  private pendC = 0;
  private pendI = 0;
  /** Instructions of this pass executed so far, including the current one. */
  private done = 0;
  /** A loop block that calls helpers: counters are flushed every iteration. */
  private readonly flushMode: boolean;
  private tmp = 0;
  private readonly cycPerPass: number;

  constructor(private readonly insns: Insn[], private readonly loops: boolean, private readonly gens: number[], private readonly g0: Spec, private readonly natIds: number[]) {
    // Loops whose pass can end early (a load/store's fault, a branch out of the trace) or that take
    // exceptions (which read the cycle counter) keep their counters exact per instruction; the others
    // count whole passes.
    this.flushMode = loops && insns.some((x) => x.kind === Kind.Mem || x.cont || x.kind === Kind.Trap || x.kind === Kind.Eret);
    this.cycPerPass = insns.reduce((a, x) => a + x.cyc, 0);
  }

  private emitLine(line: string): void { this.out.push(line); }
  /** Any page of the block written since translation (the rest of the block may be stale). */
  private genCheck(): string { return this.gens.map((g, k) => `p${k}.gen !== ${n(g)}`).join(' || '); }
  private t(): string { return `t${this.tmp++}`; }

  // ---- registers ----
  private rl(slot: number): string { this.used.add(slot); return `l${slot}`; }
  private rh(slot: number): string { this.used.add(slot); return `h${slot}`; }
  private wr(slot: number, lo: string, hi: string): void {
    this.used.add(slot); this.written.add(slot);
    this.emitLine(`l${slot} = ${lo}; h${slot} = ${hi};`);
  }
  private flagsRead(): void { this.flagsUsed = true; }
  private setFlags(nf: string, zf: string, cf: string, vf: string): void {
    this.flagsUsed = true; this.flagsWritten = true;
    this.emitLine(`nf = ${nf}; zf = ${zf}; cf = ${cf}; vf = ${vf};`);
  }

  /** Retired-instruction count at this point, as text (runtime for loop blocks). */
  private retired(): string { return this.loops ? `it * ${n(this.insns.length)} + ${n(this.done)}` : n(this.done); }

  private flushCounters(): void {
    if (this.pendC !== 0) this.emitLine(`f[${n(L.CYCLES >> 1)}] += ${n(this.pendC)};`);
    if (this.pendI !== 0) this.emitLine(`f[${n(L.INSTRET >> 1)}] += ${n(this.pendI)};`);
    this.pendC = 0; this.pendI = 0;
  }

  /** Leave the block with registers in locals (stored now), PC = (lo, hi), after `retired` instructions. */
  private exit(pcLo: string, pcHi: string, retired: string, counters: string): void {
    this.emitLine(`@SPILL@ ${counters} s[${n(L.PC)}] = ${pcLo}; s[${n(L.PC + 1)}] = ${pcHi}; return ${retired};`);
  }

  /** Counter text for an exit: pending of this pass (straight blocks, flush-mode loops), or it * pass (pure loops). */
  private exitCounters(): string {
    if (this.loops && !this.flushMode) {
      return `f[${n(L.CYCLES >> 1)}] += it * ${n(this.cycPerPass)}; f[${n(L.INSTRET >> 1)}] += it * ${n(this.insns.length)};`;
    }
    let c = '';
    if (this.pendC !== 0) c += `f[${n(L.CYCLES >> 1)}] += ${n(this.pendC)}; `;
    if (this.pendI !== 0) c += `f[${n(L.INSTRET >> 1)}] += ${n(this.pendI)}; `;
    return c;
  }

  emit(): string {
    const body: string[] = [];
    const N = this.insns.length;
    for (let i = 0; i < N; i++) {
      const x = this.insns[i]!;
      this.done = i + 1;
      if (!(this.loops && !this.flushMode)) { this.pendC += x.cyc; this.pendI += 1; }
      this.emitLine(`// ${(x.pc >>> 0).toString(16)}: op ${n(x.op)}`);
      switch (x.kind) {
        case Kind.Inline: this.inline(x); break;
        case Kind.Branch: this.branch(x, i === N - 1); break;   // (mid-trace branches: x.cont)
        case Kind.Mem: this.helper(x, true); break;
        case Kind.Trap: this.trapInline(x); break;
        case Kind.Eret: this.eretInline(x); break;
        case Kind.Sys: this.sysInline(x); break;
        default: this.helper(x, false); break;
      }
    }
    const lastInsn = this.insns[N - 1]!;
    if (lastInsn.kind !== Kind.Branch && lastInsn.kind !== Kind.Trap && lastInsn.kind !== Kind.Eret) {
      // Fell off the end (page end, an instruction not translated, or the length limit): PC = next.
      const [lo, hi] = pcPlus(lastInsn.pc, 4);
      if (this.loops) throw new Error('jit: a loop block must end in its branch');
      this.exit(n(lo), n(hi), this.retired(), this.exitCounters());
    }
    body.push(...this.out);

    // Entry loads, spill text.
    const slots = [...this.used].sort((a, b) => a - b);
    const decl: string[] = [];
    for (const k of slots) decl.push(`let l${k} = s[${n(2 * k)}], h${k} = s[${n(2 * k + 1)}];`);
    if (this.flagsUsed) decl.push(`let nf = s[${n(L.NF)}], zf = s[${n(L.ZF)}], cf = s[${n(L.CF)}], vf = s[${n(L.VF)}];`);
    let spill = '';
    for (const k of [...this.written].sort((a, b) => a - b)) spill += `s[${n(2 * k)}] = l${k}; s[${n(2 * k + 1)}] = h${k}; `;
    if (this.flagsWritten) spill += `s[${n(L.NF)}] = nf; s[${n(L.ZF)}] = zf; s[${n(L.CF)}] = cf; s[${n(L.VF)}] = vf; `;
    let reload = '';
    for (const k of slots) reload += `l${k} = s[${n(2 * k)}]; h${k} = s[${n(2 * k + 1)}]; `;
    if (this.flagsUsed) reload += `nf = s[${n(L.NF)}]; zf = s[${n(L.ZF)}]; cf = s[${n(L.CF)}]; vf = s[${n(L.VF)}]; `;

    const text: string[] = [];
    // Identical text (the same block translated again after an invalidation, or in another machine)
    // gets V8's already compiled and optimized function back from its compilation cache.
    text.push('"use strict";');
    text.push(`const ${this.gens.map((_g, k) => `p${k} = P[${n(k)}]`).join(', ')}, C = ctx.cpu;`);
    if (this.natIds.length > 0) text.push(`const ${this.natIds.map((_id, k) => `q${k} = Q[${n(k)}]`).join(', ')};`);
    text.push('return function block(budget, mayLoop) {');
    text.push(...decl);
    if (this.loops) {
      // At most MAX_PASSES passes per call: a loop that ran for millions of passes in one call ran in
      // V8's on-stack-replacement code, measured 2x slower than the function optimized for its next
      // call; returning to the run loop now and then (a block start, as the interpreter makes) costs
      // ~0.1% and lets V8 enter the optimized function from the top.
      text.push(`const v = Math.floor(budget / ${n(N)}), maxIt = mayLoop ? (v > ${n(MAX_PASSES)} ? ${n(MAX_PASSES)} : v) : 1;`);
      text.push('let it = 0;');
      text.push('for (;;) {');
    }
    for (const line of body) {
      text.push(line.replace('@SPILL@', spill).replace('@RELOAD@', reload).replace(/@RELOAD_SLOTS:([0-9,]*)@/, (_m, list: string) => {
        let r = '';
        for (const k of list.split(',').filter((v) => v !== '').map(Number)) if (this.used.has(k)) r += `l${k} = s[${n(2 * k)}]; h${k} = s[${n(2 * k + 1)}]; `;
        return r;
      }).replace('@NOSPILL@', ''));
    }
    if (this.loops) text.push('}');
    text.push('};');
    return text.join('\n');
  }

  // ---- calls into the interpreter's handlers ----

  private helper(x: Insn, mem: boolean): void {
    // State exact for the handler (and any exception it takes, and the observers that may run then).
    this.emitLine('@SPILL@');
    this.flushCounters();
    const [nlo, nhi] = pcPlus(x.pc, 4);
    this.emitLine(`s[${n(L.PC)}] = ${i32(x.pc)};`);
    const call = x.op === Op.ERET ? 'R(ctx)' : isTrap(x.op) ? `G(ctx, ${i32(x.w)})` : `X(ctx, ${n(x.op)}, ${i32(x.w)})`;
    this.emitLine(`{ const st = ${call};`);
    // Any status but Next ends the block (state already stored: no spill on these exits).
    this.emitLine(`if (st !== 0) { if (st === ${n(ST_SYNC)}) { s[${n(L.PC)}] = ${n(nlo)}; s[${n(L.PC + 1)}] = ${n(nhi)}; }` +
      ` else if (st === ${n(ST_UNDEFINED)}) U(ctx.cpu); return ${this.retired()}; } }`);
    if (mem) {
      // A load writes Rt (Rt2), a writeback form writes Rn; reload those (and a store into this page ends the block).
      const w = x.w;
      const fields = [w & 31, (w >>> 10) & 31, (w >>> 5) & 31, (w >>> 16) & 31];
      const reload = new Set<number>();
      for (const r of fields) { if (r === 31) { reload.add(31); reload.add(32); reload.add(33); } else reload.add(r); }
      this.emitLine(`@RELOAD_SLOTS:${[...reload].join(',')}@`);
      if (isStore(x.op)) {
        this.emitLine(`if (${this.genCheck()}) { s[${n(L.PC)}] = ${n(nlo)}; s[${n(L.PC + 1)}] = ${n(nhi)}; return ${this.retired()}; }`);
      }
    } else {
      this.emitLine('@RELOAD@');
      // Anything else may also write memory (DC ZVA, exclusives, semihosting): a write into this page
      // means the rest of the block is stale, so it ends here as the interpreter would re-decode.
      this.emitLine(`if (${this.genCheck()}) { s[${n(L.PC)}] = ${n(nlo)}; s[${n(L.PC + 1)}] = ${n(nhi)}; return ${this.retired()}; }`);
    }
  }

  // ---- inline instructions ----

  private inline(x: Insn): void {
    const w = x.w;
    const sf = w >>> 31;
    this.emitLine('{');
    switch (x.op) {
      case Op.ADD_imm: case Op.SUB_imm: case Op.ADDS_imm: case Op.SUBS_imm: this.addSubImm(w); break;
      case Op.AND_imm: case Op.ORR_imm: case Op.EOR_imm: case Op.ANDS_imm: this.logicalImm(w); break;
      case Op.MOVN: case Op.MOVZ: case Op.MOVK: this.moveWide(w); break;
      case Op.SBFM: case Op.BFM: case Op.UBFM: this.bitfield(w); break;
      case Op.ADR: case Op.ADRP: {
        const imm = (((w << 8) >> 13) << 2) | ((w >>> 29) & 3);
        const lo = (w >>> 31) === 0 ? A.add64(x.pc | 0, 0, imm, imm >> 31) : A.add64((x.pc & ~0xfff) | 0, 0, imm << 12, imm >> 20);
        this.wr(zrWrite(w & 31), i32(lo), i32(A.hi));
        break;
      }
      case Op.AND_reg: case Op.BIC_reg: case Op.ORR_reg: case Op.ORN_reg:
      case Op.EOR_reg: case Op.EON_reg: case Op.ANDS_reg: case Op.BICS_reg: this.logicalReg(w); break;
      case Op.ADD_sreg: case Op.ADDS_sreg: case Op.SUB_sreg: case Op.SUBS_sreg: this.addSubShift(w); break;
      case Op.CSEL: case Op.CSINC: case Op.CSINV: case Op.CSNEG: this.condSelect(w, sf); break;
      case Op.CLREX: if (((w >>> 5) & 7) === 2) this.emitLine(`s[${n(L.EXCL_VALID)}] = 0;`); break;
      case Op.DMB: case Op.DSB: case Op.HINT: break;   // no architectural effect here (NOP-executing hints)
      default: throw new Error(`jit: op ${x.op} is not inline`);
    }
    this.emitLine('}');
  }

  // 64-bit add/sub are written in int32 arithmetic (every sum or difference of two terms wrapped with
  // `| 0` on its own, carries and borrows from unsigned compares of `>>> 0` values): V8 then keeps
  // everything in Word32 without overflow checks and never deopts a hot loop on overflow or lost
  // precision, as it did with `(x >>> 0) + y` and with three-term sums.

  private addSubImm(w: number): void {
    const sf = w >>> 31, sub = (w >>> 30) & 1, setFlags = (w >>> 29) & 1;
    const imm = ((w >>> 10) & 0xfff) << (((w >>> 22) & 1) * 12);
    const ns = spSlot((w >>> 5) & 31), rd = w & 31;
    const xl = this.rl(ns), xh = this.rh(ns);
    const op = sub ? '-' : '+';
    if (setFlags === 0) {
      const d = spSlot(rd);
      if (sf !== 0) {
        this.emitLine(`const x = ${xl}, xh = ${xh}, r = (x ${op} ${n(imm)}) | 0;`);
        this.wr(d, 'r', sub ? `(x >>> 0) < ${n(imm)} ? (xh - 1) | 0 : xh` : `(r >>> 0) < (x >>> 0) ? (xh + 1) | 0 : xh`);
      } else {
        this.wr(d, `(${xl} ${op} ${n(imm)}) | 0`, '0');
      }
      return;
    }
    const d = zrWrite(rd);
    if (sf !== 0) {
      this.emitLine(`const xh = ${xh}, x = ${xl}, rl = (x ${op} ${n(imm)}) | 0;`);
      if (sub) {
        this.emitLine(`const b = (x >>> 0) < ${n(imm)}, rh = b ? (xh - 1) | 0 : xh;`);
        this.setFlags('rh', 'rl | rh', 'b && xh === 0 ? 0 : 1', 'xh & (xh ^ rh)');
      } else {
        this.emitLine('const c = (rl >>> 0) < (x >>> 0), rh = c ? (xh + 1) | 0 : xh;');
        this.setFlags('rh', 'rl | rh', 'c && xh === -1 ? 1 : 0', '~xh & (xh ^ rh)');
      }
      this.wr(d, 'rl', 'rh');
    } else {
      this.emitLine(`const x = ${xl}, r = (x ${op} ${n(imm)}) | 0;`);
      if (sub) this.setFlags('r', 'r', `(x >>> 0) < ${n(imm)} ? 0 : 1`, 'x & (x ^ r)');
      else this.setFlags('r', 'r', '(r >>> 0) < (x >>> 0) ? 1 : 0', '~x & (x ^ r)');
      this.wr(d, 'r', '0');
    }
  }

  private logicalImm(w: number): void {
    const k = (w >>> 10) & 0x1fff;
    if (!A.decodeBitMasks(k >>> 12, k & 63, (k >>> 6) & 63, true, 64)) throw new Error('jit: reserved bitmask immediate');
    const ilo = A.wmaskLo, ihi = A.wmaskHi;
    const ns = (w >>> 5) & 31;   // Rn = 31 is XZR
    const opc = (w >>> 29) & 3, sf = w >>> 31;
    const o = opc === 1 ? '|' : opc === 2 ? '^' : '&';
    this.emitLine(`const lo = ${this.rl(zrRead(ns))} ${o} ${i32(ilo)};`);
    this.emitLine(sf !== 0 ? `const hi = ${this.rh(zrRead(ns))} ${o} ${i32(ihi)};` : 'const hi = 0;');
    if (opc === 3) {
      this.wr(zrWrite(w & 31), 'lo', 'hi');
      this.setFlags(sf !== 0 ? 'hi' : 'lo', sf !== 0 ? 'lo | hi' : 'lo | lo', '0', '0');
    } else {
      this.wr(spSlot(w & 31), 'lo', 'hi');
    }
  }

  private moveWide(w: number): void {
    const sf = w >>> 31, opc = (w >>> 29) & 3, hw = (w >>> 21) & 3;
    const imm = (w >>> 5) & 0xffff;
    const d = zrWrite(w & 31);
    const shift = (hw & 1) * 16;
    if (opc === 3) {   // MOVK: keeps the other bits (of the sink slot when Rd = 31, as the handler)
      const keep = ~(0xffff << shift) | 0, ins = (imm << shift) | 0;
      const lo = this.rl(d), hi = sf ? this.rh(d) : '0';
      if (hw < 2) this.wr(d, `(${lo} & ${i32(keep)}) | ${i32(ins)}`, sf ? hi : '0');
      else this.wr(d, lo, `(${hi} & ${i32(keep)}) | ${i32(ins)}`);
      return;
    }
    let lo = hw < 2 ? imm << shift : 0;
    let hi = hw >= 2 ? imm << shift : 0;
    if (opc === 0) { lo = ~lo; hi = sf ? ~hi : 0; }
    this.wr(d, i32(lo), sf ? i32(hi) : '0');
  }

  /** 64-bit shift of (lo, hi) by a constant: names of two new constants holding the result. */
  private shift64(lo: string, hi: string, type: number, amount: number): [string, string] {
    const a = amount & 63, rl = this.t(), rh = this.t();
    let el: string, eh: string;
    if (a === 0) { el = `${lo} | 0`; eh = `${hi} | 0`; }
    else if (type === 0) {           // LSL
      if (a < 32) { el = `${lo} << ${a}`; eh = `(${hi} << ${a}) | (${lo} >>> ${32 - a})`; }
      else { el = '0'; eh = `${lo} << ${a - 32}`; }
    } else if (type === 1) {         // LSR
      if (a < 32) { el = `(${lo} >>> ${a}) | (${hi} << ${32 - a})`; eh = `(${hi} >>> ${a}) | 0`; }
      else { el = `(${hi} >>> ${a - 32}) | 0`; eh = '0'; }
    } else if (type === 2) {         // ASR
      if (a < 32) { el = `(${lo} >>> ${a}) | (${hi} << ${32 - a})`; eh = `${hi} >> ${a}`; }
      else { el = `${hi} >> ${a - 32}`; eh = `${hi} >> 31`; }
    } else if (a === 32) { el = `${hi} | 0`; eh = `${lo} | 0`; }   // ROR
    else if (a < 32) { el = `(${lo} >>> ${a}) | (${hi} << ${32 - a})`; eh = `(${hi} >>> ${a}) | (${lo} << ${32 - a})`; }
    else { const m = a - 32; el = `(${hi} >>> ${m}) | (${lo} << ${32 - m})`; eh = `(${lo} >>> ${m}) | (${hi} << ${32 - m})`; }
    this.emitLine(`const ${rl} = ${el}, ${rh} = ${eh};`);
    return [rl, rh];
  }

  /** 32-bit ShiftReg by a constant. */
  private shift32(x: string, type: number, amount: number): string {
    const a = amount & 31, r = this.t();
    let e: string;
    switch (type) {
      case 0: e = `${x} << ${a}`; break;
      case 1: e = `(${x} >>> ${a}) | 0`; break;
      case 2: e = `${x} >> ${a}`; break;
      default: e = `(${x} >>> ${a}) | (${x} << ${32 - a})`; break;
    }
    this.emitLine(`const ${r} = ${e};`);
    return r;
  }

  private logicalReg(w: number): void {
    const m = (w >>> 16) & 31, ns = (w >>> 5) & 31;
    const d = zrWrite(w & 31);
    const type = (w >>> 22) & 3, amount = (w >>> 10) & 63;
    const opc = (w >>> 29) & 3, inv = (w & (1 << 21)) !== 0;
    const o = opc === 1 ? '|' : opc === 2 ? '^' : '&';
    if ((w >>> 31) !== 0) {
      const [yl, yh] = this.shift64(this.rl(m), this.rh(m), type, amount);
      const nl = this.rl(ns), nh = this.rh(ns);
      this.emitLine(`const lo = ${nl} ${o} ${inv ? `~${yl}` : yl}, hi = ${nh} ${o} ${inv ? `~${yh}` : yh};`);
      this.wr(d, 'lo', 'hi');
      if (opc === 3) this.setFlags('hi', 'lo | hi', '0', '0');
    } else {
      const y = this.shift32(this.rl(m), type, amount);
      this.emitLine(`const r = ${this.rl(ns)} ${o} ${inv ? `~${y}` : y};`);
      this.wr(d, 'r', '0');
      if (opc === 3) this.setFlags('r', 'r | r', '0', '0');
    }
  }

  private addSubShift(w: number): void {
    const m = (w >>> 16) & 31, ns = (w >>> 5) & 31;
    const type = (w >>> 22) & 3, amount = (w >>> 10) & 63;
    const d = zrWrite(w & 31);
    const sub = (w >>> 30) & 1, setFlags = (w >>> 29) & 1;
    if ((w >>> 31) !== 0) {
      const [yl, yh] = this.shift64(this.rl(m), this.rh(m), type, amount);
      const xl = this.rl(ns), xh = this.rh(ns);
      if (setFlags === 0) {
        if (sub) {
          this.emitLine(`const lo = (${xl} - ${yl}) | 0, hi = (((${xh} - ${yh}) | 0) - ((${xl} >>> 0) < (${yl} >>> 0) ? 1 : 0)) | 0;`);
        } else {
          this.emitLine(`const lo = (${xl} + ${yl}) | 0, hi = (((${xh} + ${yh}) | 0) + ((lo >>> 0) < (${xl} >>> 0) ? 1 : 0)) | 0;`);
        }
        this.wr(d, 'lo', 'hi');
      } else {
        // AddWithCarry64(x, sub ? NOT(y) : y, sub), flags as setNzcvFromAlu writes them.
        this.emitLine(`const ah = ${xh}, bl = ${sub ? `~${yl}` : yl}, bh = ${sub ? `~${yh}` : yh};`);
        const cmp = sub ? '<=' : '<';   // carry out of a + b + cin: cin ? s <= a : s < a (unsigned)
        this.emitLine(`const al = ${xl}, rl = (((al + bl) | 0) + ${sub}) | 0, cl = (rl >>> 0) ${cmp} (al >>> 0);`);
        this.emitLine(`const rh = (((ah + bh) | 0) + (cl ? 1 : 0)) | 0, ch = cl ? (rh >>> 0) <= (ah >>> 0) : (rh >>> 0) < (ah >>> 0);`);
        this.setFlags('(rh >>> 31) << 31', '(rl | rh) === 0 ? 0 : 1', 'ch ? 1 : 0', '((~(ah ^ bh) & (ah ^ rh)) >>> 31) << 31');
        this.wr(d, 'rl', 'rh');
      }
    } else {
      const y = this.shift32(this.rl(m), type, amount);
      const xl = this.rl(ns);
      if (setFlags === 0) {
        this.wr(d, `(${xl} ${sub ? '-' : '+'} ${y}) | 0`, '0');
      } else {
        this.emitLine(`const a = ${xl}, b = ${sub ? `~${y}` : y}, r = (((a + b) | 0) + ${sub}) | 0;`);
        this.setFlags('(r >>> 31) << 31', 'r === 0 ? 0 : 1', `(r >>> 0) ${sub ? '<=' : '<'} (a >>> 0) ? 1 : 0`, '((~(a ^ b) & (a ^ r)) >>> 31) << 31');
        this.wr(d, 'r', '0');
      }
    }
  }

  /** ConditionHolds(cond) on the flag locals (exec/ops/flags.ts condHolds). */
  private cond(c: number): string {
    this.flagsRead();
    let r: string;
    switch ((c >>> 1) & 7) {
      case 0: r = 'zf === 0'; break;
      case 1: r = 'cf !== 0'; break;
      case 2: r = 'nf < 0'; break;
      case 3: r = 'vf < 0'; break;
      case 4: r = 'cf !== 0 && zf !== 0'; break;
      case 5: r = '(nf ^ vf) >= 0'; break;
      case 6: r = '(nf ^ vf) >= 0 && zf !== 0'; break;
      default: return 'true';
    }
    return (c & 1) !== 0 ? `!(${r})` : `(${r})`;
  }

  private condSelect(w: number, sf: number): void {
    const m = (w >>> 16) & 31, ns = (w >>> 5) & 31;
    const d = zrWrite(w & 31);
    const inv = (w >>> 30) & 1, inc = (w >>> 10) & 1;
    const c = this.cond((w >>> 12) & 15);
    this.emitLine(`let lo, hi;`);
    this.emitLine(`if (${c}) { lo = ${this.rl(ns)}; hi = ${this.rh(ns)}; }`);
    let e = `else { lo = ${this.rl(m)}; hi = ${this.rh(m)};`;
    if (inv) e += ' lo = ~lo; hi = ~hi;';
    if (inc) e += ' lo = (lo + 1) | 0; if (lo === 0) hi = (hi + 1) | 0;';
    this.emitLine(e + ' }');
    this.wr(d, 'lo', sf !== 0 ? 'hi' : '0');
  }

  /** SBFM/BFM/UBFM, the two cases of exec/ops/dp-imm.ts execBitfield with the constants folded. */
  private bitfield(w: number): void {
    const opc = (w >>> 29) & 3;
    const r = (w >>> 16) & 63, imms = (w >>> 10) & 63;
    const ns = (w >>> 5) & 31;
    const d = zrWrite(w & 31);
    const xl = this.rl(ns);
    if ((w >>> 31) === 0) {
      let e: string;
      if (imms >= r) {
        const width = imms - r + 1;
        if (opc === 0) e = `(${xl} << ${31 - imms}) >> ${31 - imms + r}`;
        else {
          const mk = width >= 32 ? -1 : (1 << width) - 1;
          e = `(${xl} >>> ${r}) & ${i32(mk)}`;
          if (opc === 1) e = `(${this.rl(d)} & ${i32(~mk)}) | (${e})`;
        }
      } else {
        const pos = 32 - r, width = imms + 1;
        if (opc === 0) e = `((${xl} << ${31 - imms}) >> ${31 - imms}) << ${pos}`;
        else {
          const mk = (((1 << width) - 1) << pos) | 0;
          e = `(${xl} << ${pos}) & ${i32(mk)}`;
          if (opc === 1) e = `(${this.rl(d)} & ${i32(~mk)}) | (${e})`;
        }
      }
      this.wr(d, `(${e}) | 0`, '0');
      return;
    }
    const xh = this.rh(ns);
    const ones = (k: number): [number, number] => [k >= 32 ? -1 : ((1 << k) - 1) | 0, k <= 32 ? 0 : k >= 64 ? -1 : ((1 << (k - 32)) - 1) | 0];
    if (imms >= r) {
      if (opc === 0) {
        const [a, b] = this.shift64(xl, xh, 0, 63 - imms);
        const [c, e] = this.shift64(a, b, 2, 63 - imms + r);
        this.wr(d, c, e);
      } else {
        const [ml, mh] = ones(imms - r + 1);
        const [a, b] = this.shift64(xl, xh, 1, r);
        if (opc === 1) this.wr(d, `(${a} & ${i32(ml)}) | (${this.rl(d)} & ${i32(~ml)})`, `(${b} & ${i32(mh)}) | (${this.rh(d)} & ${i32(~mh)})`);
        else this.wr(d, `${a} & ${i32(ml)}`, `${b} & ${i32(mh)}`);
      }
    } else {
      const pos = 64 - r;
      if (opc === 0) {
        const [a, b] = this.shift64(xl, xh, 0, 63 - imms);
        const [c, e] = this.shift64(a, b, 2, 63 - imms);
        const [g, h] = this.shift64(c, e, 0, pos);
        this.wr(d, g, h);
      } else {
        const [o1, o2] = ones(imms + 1);
        const ml = A.lsl64(o1, o2, pos), mh = A.hi;
        const [a, b] = this.shift64(xl, xh, 0, pos);
        if (opc === 1) this.wr(d, `(${a} & ${i32(ml)}) | (${this.rl(d)} & ${i32(~ml)})`, `(${b} & ${i32(mh)}) | (${this.rh(d)} & ${i32(~mh)})`);
        else this.wr(d, `${a} & ${i32(ml)}`, `${b} & ${i32(mh)}`);
      }
    }
  }

  /**
   * Back to the start: one more pass if it fits the budget and nothing is pending (the checks the
   * interpreter makes at a block start). `cond` (a branch's): not taken leaves at `fall`.
   */
  private loopBackTo(tl: string, th: string, cond: string | null, fall: [string, string], extra: string): void {
    this.emitLine('it++;');
    if (this.flushMode) this.flushCounters();
    this.done = 0;
    const ret = this.retired();
    if (cond !== null) {
      this.emitLine(`if (!(${cond})) {`);
      this.exit(fall[0], fall[1], ret, this.exitCounters());
      this.emitLine('}');
    }
    this.emitLine(`if (it >= maxIt || s[${n(L.IRQ_LINES)}] !== 0 || ctx.stopReason !== 0${extra}) {`);
    this.exit(tl, th, ret, this.exitCounters());
    this.emitLine('}');
  }

  /**
   * After an inline exception entry or return to (tl, th): loop back, go on in the trace after the
   * block-start checks of the interpreter (a stop request, interrupt lines, the next page unchanged,
   * `extra`), or leave. Only the plain run loop (mayLoop === 2) lets a trace go on into another page
   * (the instrumented loop marks hooks per page).
   */
  private afterTransfer(x: Insn, tl: number, th: number, extra: string): void {
    const lo = i32(tl), hi = i32(th);
    if (x.loopBack) { this.loopBackTo(lo, hi, null, [lo, hi], extra); return; }
    const counters = this.exitCounters();
    if (x.cont) {
      const k = x.nextPage;
      const gen = k !== 0 ? ` || p${n(k)}.gen !== ${n(this.gens[k]!)}` : '';
      this.emitLine(`if (mayLoop !== 2 || s[${n(L.IRQ_LINES)}] !== 0 || ctx.stopReason !== 0${gen}${extra}) {`);
      this.exit(lo, hi, this.retired(), counters);
      this.emitLine('}');
      return;
    }
    this.exit(lo, hi, this.retired(), counters);
  }

  /** The guard shared by the inline exception paths: PSTATE.EL/SPSel and the routing words as translated. */
  private guardWords(el: number, sp: number): string {
    const g = this.g0;
    return `s[${n(L.PSTATE_EL)}] !== ${n(el)} || s[${n(L.PSTATE_SP)}] !== ${n(sp)} || s[${n(L.IMPL_ELS)}] !== ${i32(g.impl)} || ` +
      `s[${n(L.SCR_EL3)}] !== ${i32(g.scr)} || s[${n(L.HCR_EL2)}] !== ${i32(g.hcr)}`;
  }

  /** The interpreter's handler instead (guard failed): state stored, the handler, leave. */
  private fallback(x: Insn, call: string): void {
    const [nlo, nhi] = pcPlus(x.pc, 4);
    this.emitLine(`@SPILL@ s[${n(L.PC)}] = ${i32(x.pc)}; { const st = ${call}; if (st === ${n(ST_SYNC)}) { s[${n(L.PC)}] = ${n(nlo)}; s[${n(L.PC + 1)}] = ${n(nhi)}; }` +
      ` else if (st === ${n(ST_UNDEFINED)}) U(ctx.cpu); return ${this.retired()}; }`);
  }

  /** Cycles since the last change of EL or world to the bucket of the one being left (accountElCycles, as take.ts/eret.ts write it). */
  private accountEl(el: number, secure: boolean): void {
    const b = n((L.CYCLES_BY_EL >> 1) + el + (secure ? 4 : 0)), m = n(L.CYCLES_MARK >> 1);
    this.emitLine(`{ const now = f[${n(L.CYCLES >> 1)}]; f[${b}] = f[${b}] + now - f[${m}]; f[${m}] = now; }`);
  }

  /** HVC/SMC/SVC: exceptions/take.ts takeException with the routing, vector and banks fixed by the guard. */
  private trapInline(x: Insn): void {
    const p = x.trap!, t = p.target, b = 2 * t;
    this.flushCounters();
    this.flagsRead();
    let guard = `${this.guardWords(p.from, p.spSel)} || s[${n(L.VBAR_EL + b)}] !== ${i32(p.vbarLo)} || s[${n(L.VBAR_EL + b + 1)}] !== ${i32(p.vbarHi)} || C.onExceptionEntry !== null`;
    if (p.span >= 0) guard += ` || (s[${n(L.SCTLR_EL + 2)}] & ${i32(SCTLR_SPAN)}) !== ${i32(p.span)}`;
    this.emitLine(`if (${guard}) {`);
    this.fallback(x, `G(ctx, ${i32(x.w)})`);
    this.emitLine('}');
    this.accountEl(p.from, p.fromSecure);
    // GetPSRFromPSTATE: NZCV from the flag locals, the rest from the state.
    this.emitLine(`s[${n(L.SPSR_EL + b)}] = ((nf >>> 31) << 31 | (zf === 0 ? 1 : 0) << 30 | (cf & 1) << 29 | (vf >>> 31) << 28 | ` +
      `(s[${n(L.PSTATE_PAN)}] & 1) << 22 | (s[${n(L.PSTATE_SS)}] & 1) << 21 | (s[${n(L.PSTATE_IL)}] & 1) << 20 | ` +
      `(s[${n(L.PSTATE_DAIF)}] & 960) | ${n((p.from << 2) | (p.spSel & 1))}); s[${n(L.SPSR_EL + b + 1)}] = 0;`);
    const save = L.SP_EL + 2 * (p.spSel ? p.from : 0);
    this.emitLine(`s[${n(save)}] = ${this.rl(L.SP_SLOT)}; s[${n(save + 1)}] = ${this.rh(L.SP_SLOT)};`);
    this.emitLine(`s[${n(L.ELR_EL + b)}] = ${i32(p.retLo)}; s[${n(L.ELR_EL + b + 1)}] = ${i32(p.retHi)};`);
    this.emitLine(`s[${n(L.ESR_EL + b)}] = ${i32(p.esr)}; s[${n(L.ESR_EL + b + 1)}] = 0;`);
    this.emitLine(`s[${n(L.PSTATE_EL)}] = ${n(t)}; s[${n(L.PSTATE_SP)}] = 1; s[${n(L.PSTATE_DAIF)}] = 960; s[${n(L.PSTATE_IL)}] = 0; s[${n(L.PSTATE_SS)}] = 0;`);
    if (p.span === 0) this.emitLine(`s[${n(L.PSTATE_PAN)}] = 1;`);
    this.wr(L.SP_SLOT, `s[${n(L.SP_EL + b)}]`, `s[${n(L.SP_EL + b + 1)}]`);
    this.emitLine(`s[${n(L.HALTED)}] = 0; f[${n(L.CYCLES >> 1)}] = f[${n(L.CYCLES >> 1)}] + C.exceptionEntryCycles;`);
    if (x.nat >= 0) { this.nativeInline(x); return; }
    this.afterTransfer(x, p.vecLo, p.vecHi, '');
  }

  /**
   * The exception just taken inline goes to a native component's vector: what the run loop does at
   * the next block starts, in place. Before the call, the checks the run loop makes ahead of a
   * native entry (a stop request, the budget, interrupt lines; any of them: leave at the vector and
   * let the run loop act). The component is the one bound at translation: ctx.natives only grows
   * (machine.ts attachNative), so it is the one the run loop would find there. After it, the run loop's
   * NativeStuck rule (PC still at the vector: ctx.stopReason = NativeStuck, which the run loop
   * returns and clears at its next block start), then the block-start checks at the return
   * address (stop request, interrupt lines, PSTATE.IL, the Security state, every page of the block
   * unchanged: the component may write memory) and that the component came back to the instruction
   * after the trap at the EL and SPSel it was taken from; otherwise leave with PC where it is.
   */
  private nativeInline(x: Insn): void {
    const p = x.trap!, k = x.nat;
    const vl = i32(p.vecLo), vh = i32(p.vecHi);
    const ret = this.retired();
    this.emitLine(`if (mayLoop !== 2 || budget - (${ret}) <= 0 || ctx.stopReason !== 0 || s[${n(L.IRQ_LINES)}] !== 0) {`);
    this.exit(vl, vh, ret, this.exitCounters());
    this.emitLine('}');
    this.emitLine(`@SPILL@ s[${n(L.PC)}] = ${vl}; s[${n(L.PC + 1)}] = ${vh};`);
    if (!x.natEret) this.emitLine(`q${n(k)}.enter(${vl});`);
    else {
      const q = `q${n(k)}`, t = p.target, b = 2 * t, sp = L.X + 2 * L.SP_SLOT;

      // exceptions/eret.ts exceptionReturn of the return to (from, spSel), legal as translated while
      // the guard holds (PSTATE.EL/SPSel, the routing words, SPSR.M, no return observer).
      this.emitLine(`if (${q}.enterDeferringEret(${vl})) {`);
      this.emitLine(`if (${this.guardWords(t, 1)} || (s[${n(L.SPSR_EL + b)}] & 31) !== ${n((p.from << 2) | p.spSel)} || C.onExceptionReturn !== null) E(C); else {`);
      this.emitLine(`const spsr = s[${n(L.SPSR_EL + b)}];`);
      this.accountEl(t, t === 3 || (this.g0.scr & 1) === 0);
      this.emitLine(`s[${n(L.NF)}] = (spsr >>> 31) << 31; s[${n(L.ZF)}] = (spsr >>> 30) & 1 ? 0 : 1; s[${n(L.CF)}] = (spsr >>> 29) & 1; s[${n(L.VF)}] = ((spsr >>> 28) & 1) << 31;`);
      this.emitLine(`s[${n(L.PSTATE_DAIF)}] = spsr & 960; s[${n(L.PSTATE_PAN)}] = (spsr >>> 22) & 1;`);
      this.emitLine(`s[${n(L.SP_EL + b)}] = s[${n(sp)}]; s[${n(L.SP_EL + b + 1)}] = s[${n(sp + 1)}];`);
      this.emitLine(`s[${n(L.PSTATE_EL)}] = ${n(p.from)}; s[${n(L.PSTATE_SP)}] = ${n(p.spSel)}; s[${n(L.PSTATE_IL)}] = (spsr >>> 20) & 1; s[${n(L.PSTATE_SS)}] = (spsr >>> 21) & 1;`);
      const load = L.SP_EL + 2 * (p.spSel ? p.from : 0);
      this.emitLine(`s[${n(sp)}] = s[${n(load)}]; s[${n(sp + 1)}] = s[${n(load + 1)}];`);
      this.emitLine(`s[${n(L.PC)}] = s[${n(L.ELR_EL + b)}]; s[${n(L.PC + 1)}] = s[${n(L.ELR_EL + b + 1)}];`);
      this.emitLine(`s[${n(L.EXCL_VALID)}] = 0; s[${n(L.EVENT_REG)}] = 1; f[${n(L.CYCLES >> 1)}] = f[${n(L.CYCLES >> 1)}] + C.exceptionReturnCycles; } }`);
    }
    this.emitLine(`if (s[${n(L.PC)}] === ${vl} && s[${n(L.PC + 1)}] === ${vh} && ctx.stopReason === 0) { ctx.stopReason = ${n(StopReason.NativeStuck)}; return ${ret}; }`);
    const [nl, nh] = pcPlus(x.pc, 4);
    const g = this.g0;
    this.emitLine(`if (ctx.stopReason !== 0 || s[${n(L.IRQ_LINES)}] !== 0 || s[${n(L.PC)}] !== ${i32(nl)} || s[${n(L.PC + 1)}] !== ${i32(nh)} || ` +
      `s[${n(L.PSTATE_EL)}] !== ${n(p.from)} || s[${n(L.PSTATE_SP)}] !== ${n(p.spSel)} || s[${n(L.PSTATE_IL)}] !== 0 || ` +
      `s[${n(L.SCR_EL3)}] !== ${i32(g.scr)} || ${this.genCheck()}) return ${ret};`);
    this.emitLine('@RELOAD@');
    if (x.loopBack) { this.loopBackTo(i32(nl), i32(nh), null, [i32(nl), i32(nh)], ''); return; }
    if (!x.cont) this.exit(i32(nl), i32(nh), ret, this.exitCounters());
  }

  /** ERET: exceptions/eret.ts exceptionReturn of a legal return to the target this trace wrote (guarded). */
  private eretInline(x: Insn): void {
    const p = x.eret!, b = 2 * p.el;
    this.flushCounters();
    this.flagsRead(); this.flagsWritten = true;
    const elrGuard = p.dynamic ? '' : `s[${n(L.ELR_EL + b)}] !== ${i32(p.elrLo)} || s[${n(L.ELR_EL + b + 1)}] !== ${i32(p.elrHi)} || `;
    this.emitLine(`if (${this.guardWords(p.el, p.spSel)} || ${elrGuard}(s[${n(L.SPSR_EL + b)}] & 31) !== ${n(p.spsrM)} || C.onExceptionReturn !== null) {`);
    this.fallback(x, 'R(ctx)');
    this.emitLine('}');
    this.emitLine('{');
    this.emitLine(`const spsr = s[${n(L.SPSR_EL + b)}];`);
    this.accountEl(p.el, p.fromSecure);
    this.emitLine('nf = (spsr >>> 31) << 31; zf = (spsr >>> 30) & 1 ? 0 : 1; cf = (spsr >>> 29) & 1; vf = ((spsr >>> 28) & 1) << 31;');
    this.emitLine(`s[${n(L.PSTATE_DAIF)}] = spsr & 960; s[${n(L.PSTATE_PAN)}] = (spsr >>> 22) & 1;`);
    const save = L.SP_EL + 2 * (p.spSel ? p.el : 0);
    this.emitLine(`s[${n(save)}] = ${this.rl(L.SP_SLOT)}; s[${n(save + 1)}] = ${this.rh(L.SP_SLOT)};`);
    this.emitLine(`s[${n(L.PSTATE_EL)}] = ${n(p.target)}; s[${n(L.PSTATE_SP)}] = ${n(p.targetSp)}; s[${n(L.PSTATE_IL)}] = (spsr >>> 20) & 1; s[${n(L.PSTATE_SS)}] = (spsr >>> 21) & 1;`);
    const load = L.SP_EL + 2 * (p.targetSp ? p.target : 0);
    this.wr(L.SP_SLOT, `s[${n(load)}]`, `s[${n(load + 1)}]`);
    this.emitLine(`s[${n(L.EXCL_VALID)}] = 0; s[${n(L.EVENT_REG)}] = 1; f[${n(L.CYCLES >> 1)}] = f[${n(L.CYCLES >> 1)}] + C.exceptionReturnCycles;`);
    this.emitLine('}');
    if (p.dynamic) {
      // PC = ELR as it is now: the run loop makes the block-start checks at the return address.
      this.emitLine(`{ const tl = s[${n(L.ELR_EL + b)}], th = s[${n(L.ELR_EL + b + 1)}];`);
      this.exit('tl', 'th', this.retired(), this.exitCounters());
      this.emitLine('}');
      return;
    }
    // A legal return with SPSR.IL = 1 faults at the next block start (ASL AArch64.CheckIllegalState).
    this.afterTransfer(x, p.elrLo, p.elrHi, ` || s[${n(L.PSTATE_IL)}] !== 0`);
  }

  /** MRS/MSR of a storage register: exec/ops/system.ts execSysRegMove at the EL the access was checked for. */
  private sysInline(x: Insn): void {
    const p = x.sys!;
    this.flushCounters();
    // checkSysRegAccess of a Plain/El2Reg/El3Reg row reads PSTATE.EL and IMPL_ELS; SCR_EL3 and HCR_EL2
    // (where trap controls live) are compared too, so a trap added there later stays on the handler.
    const g = this.g0;
    this.emitLine(`if (s[${n(L.PSTATE_EL)}] !== ${n(p.el)} || s[${n(L.IMPL_ELS)}] !== ${i32(g.impl)} || s[${n(L.SCR_EL3)}] !== ${i32(g.scr)} || s[${n(L.HCR_EL2)}] !== ${i32(g.hcr)}) {`);
    this.helper(x, false);
    this.emitLine('} else {');
    if (p.read) this.wr(zrWrite(p.rt), `s[${n(p.off)}]`, `s[${n(p.off + 1)}]`);
    else {
      const r = zrRead(p.rt);
      let lo = this.rl(r), hi = this.rh(r);
      if (p.res0Lo !== 0) lo = `(${lo} & ${i32(~p.res0Lo)})`;
      if (p.res1Lo !== 0) lo = `(${lo} | ${i32(p.res1Lo)})`;
      if (p.res0Hi !== 0) hi = `(${hi} & ${i32(~p.res0Hi)})`;
      if (p.res1Hi !== 0) hi = `(${hi} | ${i32(p.res1Hi)})`;
      this.emitLine(`s[${n(p.off)}] = ${lo}; s[${n(p.off + 1)}] = ${hi};`);
    }
    this.emitLine('}');
  }

  // ---- branches (always the last instruction of a block) ----

  private branch(x: Insn, isLast: boolean): void {
    if (isLast === x.cont) throw new Error('jit: only the last branch of a block may leave it unconditionally');
    const w = x.w;
    const [fl, fh] = pcPlus(x.pc, 4);
    let cond: string | null = null;    // null: always taken
    let target: [string, string];
    switch (x.op) {
      case Op.B: case Op.BL: {
        if (x.op === Op.BL) this.wr(30, n(fl), n(fh));   // X30 = PC + 4
        const [tl, th] = pcPlus(x.pc, (w << 6) >> 4);
        target = [n(tl), n(th)];
        break;
      }
      case Op.B_cond: {
        const c = this.cond(w & 15);
        if (c !== 'true') cond = c;
        const [tl, th] = pcPlus(x.pc, ((w << 8) >> 13) << 2);
        target = [n(tl), n(th)];
        break;
      }
      case Op.CBZ: case Op.CBNZ: {
        const t = zrRead(w & 31);
        const v = (w >>> 31) !== 0 ? `(${this.rl(t)} | ${this.rh(t)})` : this.rl(t);
        cond = ((w >>> 24) & 1) === 0 ? `${v} === 0` : `${v} !== 0`;
        const [tl, th] = pcPlus(x.pc, ((w << 8) >> 13) << 2);
        target = [n(tl), n(th)];
        break;
      }
      case Op.TBZ: case Op.TBNZ: {
        const bit = ((w >>> 26) & 0x20) | ((w >>> 19) & 0x1f);
        const t = zrRead(w & 31);
        const v = bit < 32 ? `((${this.rl(t)} >>> ${bit}) & 1)` : `((${this.rh(t)} >>> ${bit - 32}) & 1)`;
        cond = `${v} === ${(w >>> 24) & 1}`;
        const [tl, th] = pcPlus(x.pc, ((w << 13) >> 18) << 2);
        target = [n(tl), n(th)];
        break;
      }
      default: {   // BR, BLR, RET: PC = Xn (read before X30 is written)
        const ns = zrRead((w >>> 5) & 31);
        this.emitLine(`const tl = ${this.rl(ns)}, th = ${this.rh(ns)};`);
        if (((w >>> 21) & 3) === 1) this.wr(30, n(fl), n(fh));
        target = ['tl', 'th'];
        break;
      }
    }
    if (x.cont) {
      // Mid-trace: not taken leaves the block; taken goes on with the target, after the checks the
      // interpreter makes at a block start (stop request, interrupt lines, a return point pending,
      // this page written since translation).
      const counters = this.exitCounters();
      if (cond !== null) {
        this.emitLine(`if (!(${cond})) {`);
        this.exit(n(fl), n(fh), this.retired(), counters);
        this.emitLine('}');
      }
      this.emitLine(`if (!mayLoop || s[${n(L.IRQ_LINES)}] !== 0 || ctx.stopReason !== 0 || p${n(x.page)}.gen !== ${n(this.gens[x.page]!)}) {`);
      this.exit(target[0], target[1], this.retired(), counters);
      this.emitLine('}');
      return;
    }
    if (this.loops) {
      this.loopBackTo(target[0], target[1], cond, [n(fl), n(fh)], '');
      return;
    }
    const counters = this.exitCounters();
    if (cond !== null) {
      this.emitLine(`if (${cond}) {`);
      this.exit(target[0], target[1], this.retired(), counters);
      this.emitLine('}');
      this.exit(n(fl), n(fh), this.retired(), counters);
    } else {
      this.exit(target[0], target[1], this.retired(), counters);
    }
  }
}
