/**
 * The loop (DESIGN practice 9, TinyEMU's shape): checks that only change at block boundaries
 * (budget, pending interrupts, native code, PC alignment, illegal state, page lookup) run at the start
 * of a block; the inner loop executes sequential instructions from one predecoded page and leaves on
 * any non-sequential status. Handlers return a Status; nothing here throws for guest behaviour.
 */
import * as L from '../state/layout.js';
import { isSecure } from '../state/cpu-state.js';
import { takeException } from '../exceptions/take.js';
import { VectorType } from '../exceptions/kinds.js';
import { ESR_ILLEGAL_STATE, ESR_PC_ALIGN } from '../exceptions/syndrome.js';
import { routePhysicalInterrupt, syncTargetEl } from '../exceptions/routing.js';
import { FAULT_EXTERNAL, FAULT_ADDRESS_SIZE } from '../memory/bus.js';
import { decode } from '../decode/decoder.js';
import { Op } from '../decode/ops.js';
import { type ExecContext, NATIVE_PC_HI, NATIVE_PC_HI_MASK, Status, StopReason } from './context.js';
import type { CodePage, PredecodeCache } from './predecode.js';
import type { JitBlock } from './jit/block.js';
import { translateBlock } from './jit/translate.js';
import { instructionAbort, undefinedInstruction } from './raise.js';
import { execBCond, execBImm, execBranchReg, execCompareBranch, execTestBranch } from './ops/branch.js';
import { execAddSubImm, execAdr, execBitfield, execExtr, execLogicalImm, execMoveWide } from './ops/dp-imm.js';
import {
  execAddSubCarry, execAddSubExt, execAddSubShift, execCondCompare, execCondSelect, execDataProc1, execDataProc2,
  execLogicalReg, execMulAdd,
} from './ops/dp-reg.js';
import {
  execLdarOrLdxr, execLdpOffset, execLdpPost, execLdpPre, execLdPost, execLdPre, execLdReg, execLdrLiteral, execLdUimm,
  execLdUnscaled, execLdxp, execPrefetch, execStlr, execStpOffset, execStpPost, execStpPre, execStPost, execStPre,
  execStReg, execStUimm, execStUnscaled, execStxp, execStxr,
} from './ops/ldst.js';
import { execBarrier, execEret, execExceptionGen, execHint, execMsrImm } from './ops/system.js';
import {
  execDupElement, execDupGeneral, execExt, execFmovGeneral, execFmovImm, execFmovReg, execFpLdrLiteral, execFpLdstPost,
  execFpLdstPre, execFpLdstReg, execFpLdstUimm, execFpLdstUnscaled, execFpPairOffset, execFpPairPost, execFpPairPre,
  execInsElement, execInsGeneral, execMrsMsr, execSimdAddSub, execSimdLogic, execSimdModImm, execSmov, execUmov, execUnallocated,
} from './ops/fp-simd.js';
import { execCas, execCasp, execLdAtomic, execSwp } from './ops/atomics.js';
import { execCrc32 } from './ops/crc32.js';
import { execAt, execDcSw, execDcVa, execDcZva, execIcAll, execIcIvau, execTlbiEl1, execTlbiEl2, execTlbiEl3 } from './ops/system-maint.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { CYCLES, FAR_EL, INSTRET, IRQ_LINES, PC, PSTATE_EL, PSTATE_IL } = L;

/** A place a nested run stops at: native code waiting for its call to return (machine/native.ts). */
export interface ReturnPoint { el: number; lo: number; hi: number }

/**
 * Execute one instruction: the per-Op dispatch (a `switch` on small integer ids, DESIGN practice 2).
 */
export function execute(ctx: ExecContext, op: Op, w: number): Status {
  const s = ctx.cpu.s;
  switch (op) {
    // Data processing -- immediate
    case Op.ADR: case Op.ADRP: return execAdr(s, w);
    case Op.ADD_imm: case Op.ADDS_imm: case Op.SUB_imm: case Op.SUBS_imm: return execAddSubImm(s, w);
    case Op.AND_imm: case Op.ORR_imm: case Op.EOR_imm: case Op.ANDS_imm: return execLogicalImm(s, w);
    case Op.MOVN: case Op.MOVZ: case Op.MOVK: return execMoveWide(s, w);
    case Op.SBFM: case Op.BFM: case Op.UBFM: return execBitfield(s, w);
    case Op.EXTR: return execExtr(s, w);
    // Branches, exception generating and system
    case Op.B: case Op.BL: return execBImm(s, w);
    case Op.B_cond: return execBCond(s, w);
    case Op.CBZ: case Op.CBNZ: return execCompareBranch(s, w);
    case Op.TBZ: case Op.TBNZ: return execTestBranch(s, w);
    case Op.BR: case Op.BLR: case Op.RET: return execBranchReg(s, w);
    case Op.ERET: return execEret(ctx);
    case Op.SVC: case Op.HVC: case Op.SMC: case Op.BRK: case Op.HLT: return execExceptionGen(ctx, w);
    case Op.HINT: return execHint(ctx, w);
    case Op.CLREX: case Op.DSB: case Op.DMB: case Op.ISB: return execBarrier(ctx, w);
    case Op.MSR_imm: return execMsrImm(ctx, w);
    case Op.MSR_reg: case Op.MRS: return execMrsMsr(ctx, w);   // FPCR/FPSR: SIMD&FP access check first
    case Op.DC_ZVA: return execDcZva(ctx, w);
    case Op.DC_VA: return execDcVa(ctx, w);
    case Op.DC_SW: return execDcSw(ctx, w);
    case Op.IC_ALL: return execIcAll(ctx, w);
    case Op.IC_IVAU: return execIcIvau(ctx, w);
    case Op.TLBI_EL1: return execTlbiEl1(ctx, w);
    case Op.TLBI_EL2: return execTlbiEl2(ctx);
    case Op.TLBI_EL3: return execTlbiEl3(ctx);
    case Op.AT: return execAt();
    // Loads and stores
    case Op.LDR_lit: return execLdrLiteral(ctx, w);
    case Op.PRFM: return execPrefetch();
    case Op.LD_uimm: return execLdUimm(ctx, w);
    case Op.ST_uimm: return execStUimm(ctx, w);
    case Op.LD_unscaled: case Op.LD_unpriv: return execLdUnscaled(ctx, w);
    case Op.ST_unscaled: case Op.ST_unpriv: return execStUnscaled(ctx, w);
    case Op.LD_post: return execLdPost(ctx, w);
    case Op.ST_post: return execStPost(ctx, w);
    case Op.LD_pre: return execLdPre(ctx, w);
    case Op.ST_pre: return execStPre(ctx, w);
    case Op.LD_reg: return execLdReg(ctx, w);
    case Op.ST_reg: return execStReg(ctx, w);
    case Op.LDP_off: return execLdpOffset(ctx, w);
    case Op.STP_off: return execStpOffset(ctx, w);
    case Op.LDP_post: return execLdpPost(ctx, w);
    case Op.STP_post: return execStpPost(ctx, w);
    case Op.LDP_pre: return execLdpPre(ctx, w);
    case Op.STP_pre: return execStpPre(ctx, w);
    case Op.LDXR: return execLdarOrLdxr(ctx, w, true);
    case Op.LDAR: return execLdarOrLdxr(ctx, w, false);
    case Op.STXR: return execStxr(ctx, w);
    case Op.STLR: return execStlr(ctx, w);
    case Op.LDXP: return execLdxp(ctx, w);
    case Op.STXP: return execStxp(ctx, w);
    // Data processing -- register
    case Op.AND_reg: case Op.BIC_reg: case Op.ORR_reg: case Op.ORN_reg:
    case Op.EOR_reg: case Op.EON_reg: case Op.ANDS_reg: case Op.BICS_reg: return execLogicalReg(s, w);
    case Op.ADD_sreg: case Op.ADDS_sreg: case Op.SUB_sreg: case Op.SUBS_sreg: return execAddSubShift(s, w);
    case Op.ADD_ereg: case Op.ADDS_ereg: case Op.SUB_ereg: case Op.SUBS_ereg: return execAddSubExt(s, w);
    case Op.ADC: case Op.ADCS: case Op.SBC: case Op.SBCS: return execAddSubCarry(s, w);
    case Op.CCMN_reg: case Op.CCMP_reg: case Op.CCMN_imm: case Op.CCMP_imm: return execCondCompare(s, w);
    case Op.CSEL: case Op.CSINC: case Op.CSINV: case Op.CSNEG: return execCondSelect(s, w);
    case Op.MADD: case Op.MSUB: case Op.SMADDL: case Op.SMSUBL:
    case Op.SMULH: case Op.UMADDL: case Op.UMSUBL: case Op.UMULH: return execMulAdd(s, w);
    case Op.UDIV: case Op.SDIV: case Op.LSLV: case Op.LSRV: case Op.ASRV: case Op.RORV: return execDataProc2(s, w);
    case Op.RBIT: case Op.REV16: case Op.REV32: case Op.REV: case Op.CLZ: case Op.CLS: return execDataProc1(s, w);
    case Op.CRC32: return execCrc32(s, w);
    // Atomic memory operations (FEAT_LSE)
    case Op.CAS: return execCas(ctx, w);
    case Op.CASP: return execCasp(ctx, w);
    case Op.SWP: return execSwp(ctx, w);
    case Op.LD_ATOMIC: return execLdAtomic(ctx, w);
    // SIMD&FP: every handler runs the access check (CPACR_EL1/CPTR_EL2/CPTR_EL3) first
    case Op.FP_LD_uimm: case Op.FP_ST_uimm: return execFpLdstUimm(ctx, w);
    case Op.FP_LD_unscaled: case Op.FP_ST_unscaled: return execFpLdstUnscaled(ctx, w);
    case Op.FP_LD_post: case Op.FP_ST_post: return execFpLdstPost(ctx, w);
    case Op.FP_LD_pre: case Op.FP_ST_pre: return execFpLdstPre(ctx, w);
    case Op.FP_LD_reg: case Op.FP_ST_reg: return execFpLdstReg(ctx, w);
    case Op.FP_LDR_lit: return execFpLdrLiteral(ctx, w);
    case Op.FP_LDP_off: case Op.FP_STP_off: return execFpPairOffset(ctx, w);
    case Op.FP_LDP_post: case Op.FP_STP_post: return execFpPairPost(ctx, w);
    case Op.FP_LDP_pre: case Op.FP_STP_pre: return execFpPairPre(ctx, w);
    case Op.FMOV_gen: return execFmovGeneral(ctx, w);
    case Op.FMOV_reg: return execFmovReg(ctx, w);
    case Op.FMOV_imm: return execFmovImm(ctx, w);
    case Op.SIMD_MODIMM: return execSimdModImm(ctx, w);
    case Op.SIMD_LOGIC: return execSimdLogic(ctx, w);
    case Op.DUP_gen: return execDupGeneral(ctx, w);
    case Op.INS_gen: return execInsGeneral(ctx, w);
    case Op.UMOV: return execUmov(ctx, w);
    case Op.SMOV: return execSmov(ctx, w);
    case Op.DUP_elem: return execDupElement(ctx, w);
    case Op.INS_elem: return execInsElement(ctx, w);
    case Op.EXT: return execExt(ctx, w);
    case Op.SIMD_ADDSUB: return execSimdAddSub(ctx, w);
    // No row: in the SIMD&FP encoding space the access trap comes before UNDEFINED
    case Op.Undefined: return execUnallocated(ctx, w);
    default: return Status.Undefined;
  }
}

/**
 * Run until a stop condition: the instruction budget (`maxInstructions` more), a Stop status, a
 * stop request (`ctx.stopReason` set from outside), or reaching `ret` (a nested native call's
 * return point). Returns why it stopped.
 *
 * A block start that has run `cache.jitThreshold` times is translated into a JavaScript function
 * (exec/jit/translate.ts) and entered from then on when the budget left covers it; the interpreter
 * below stays the fallback (and what runs when less budget is left than the block is long).
 */
export function run(ctx: ExecContext, cache: PredecodeCache, maxInstructions: number, ret: ReturnPoint | null): StopReason {
  // The pipeline timing model runs its own copy of this loop (timing/pipeline-run.ts).
  const variant = ctx.pipeline;
  if (variant != null) return variant.run(ctx, cache, maxInstructions, ret);
  const cpu = ctx.cpu, s = cpu.s, f = cpu.f;
  const opCycles = ctx.opCycles;
  const codePages = ctx.bus.codePages;
  const CYC = CYCLES >> 1, INS = INSTRET >> 1;
  const jitThreshold = cache.jitThreshold;
  // 2: translated blocks may iterate in place and go on across inline exception entries/returns
  // into other pages (exec/jit/block.ts); 0: no return point may be skipped over.
  const mayLoop = ret === null ? 2 : 0;
  // The budget counts down in `remaining`, kept below 2^30 (with `spins`, below 2^31) so both stay
  // int32: a count beyond that made V8 box them as heap numbers in the loop (allocation on every block
  // start). The rest waits in `rest` and moves over in chunks at block starts, long before `remaining`
  // could run out inside a block, so the chunks never add a block boundary.
  let rest = maxInstructions > BUDGET_CHUNK ? maxInstructions - BUDGET_CHUNK : 0;
  let remaining = maxInstructions - rest;
  // Block starts that retire no instruction (native code, an exception taken at fetch) do not use
  // the instruction budget, so a loop of them (a native component ERETing into an illegal state, a
  // vector that faults on fetch) is bounded separately: every block start spends one spin, and a
  // legitimate run needs at most one per retired instruction.
  let spins = 2 * remaining + 16;   // (+ 2 per instruction moved in from `rest`)
  // The last two code pages fetched from (a loop and the vector it traps to): valid while the bus
  // still marks them as code (a write to a page clears its mark and drops its decoded entries).
  let pageA = null as CodePage | null, pageB = null as CodePage | null;
  ctx.stopReason = STOP_NONE;

  for (;;) {
    // ---- block start ----
    if (ctx.stopReason !== STOP_NONE) {
      // A translated block that entered a native component which left PC at its vector leaves
      // NativeStuck here for this loop to return, as it would have returned it after that entry.
      const r = ctx.stopReason;
      if (r === STOP_STUCK) ctx.stopReason = STOP_NONE;
      return r;
    }
    let pcLo = s[PC]!;
    const pcHi = s[PC + 1]!;
    if (ret !== null && pcLo === ret.lo && pcHi === ret.hi && s[PSTATE_EL] === ret.el) return StopReason.Returned;
    if (remaining < BUDGET_REFILL && rest > 0) { const t = rest < BUDGET_CHUNK ? rest : BUDGET_CHUNK; remaining += t; rest -= t; spins += 2 * t; }
    if (remaining <= 0 || --spins < 0) return StopReason.Budget;

    // Pending physical interrupts (routing.ts: Table D1-12 and masking D1.4.6.4). FIQ before IRQ.
    if (s[IRQ_LINES] !== 0) {
      const lines = s[IRQ_LINES]!;
      const fiq = (lines & 2) !== 0 ? routePhysicalInterrupt(s, true) : -1;
      const irq = fiq < 0 && (lines & 1) !== 0 ? routePhysicalInterrupt(s, false) : -1;
      if (fiq >= 0 || irq >= 0) {
        takeException(cpu, fiq >= 0 ? fiq : irq, fiq >= 0 ? VectorType.Fiq : VectorType.Irq, 0, pcLo, pcHi);
        continue;
      }
    }

    let page: CodePage | undefined;
    if (pcHi === 0) {
      const pn = pcLo >>> 12;
      if (pageA !== null && pageA.pn === pn && codePages[pn] !== 0) page = pageA;
      else if (pageB !== null && pageB.pn === pn && codePages[pn] !== 0) { page = pageB; pageB = pageA; pageA = page; }
      else {
        page = cache.page(pcLo >>> 0);
        if (page !== undefined) { pageB = pageA; pageA = page; }
      }
    } else {
      // Native code (machine/native.ts): PC in a component's window at its EL and world.
      if ((pcHi & NAT_MASK) === NAT_HI) {
        const nat = ctx.natives[pcHi & 0xff];
        if (nat !== undefined && nat.el === s[PSTATE_EL] && nat.secure === isSecure(s)) {
          nat.enter(pcLo);
          if (s[PC] === pcLo && s[PC + 1] === pcHi && ctx.stopReason === STOP_NONE) return StopReason.NativeStuck;
          continue;
        }
      }
      page = undefined;
    }

    // PC alignment fault (D1.4.10.1): ELR and FAR = the misaligned PC.
    if ((pcLo & 3) !== 0) {
      const t = syncTargetEl(s);
      s[FAR_EL + 2 * t] = pcLo; s[FAR_EL + 2 * t + 1] = pcHi;
      takeException(cpu, t, VectorType.Sync, ESR_PC_ALIGN, pcLo, pcHi);
      continue;
    }

    // Fetch: the page must be RAM visible from the current Security state, else an Instruction Abort.
    if (page === undefined || (page.secureOnly && !isSecure(s))) {
      instructionAbort(cpu, pcHi !== 0 && (pcHi >>> 0) >= 0x10000 ? FAULT_ADDRESS_SIZE : FAULT_EXTERNAL);
      continue;
    }
    // Illegal Execution state (ASL AArch64.CheckIllegalState): after PC alignment and fetch aborts.
    if (s[PSTATE_IL] !== 0) {
      takeException(cpu, s[PSTATE_EL] === 0 ? syncTargetEl(s) : s[PSTATE_EL]!, VectorType.Sync, ESR_ILLEGAL_STATE, pcLo, pcHi);
      continue;
    }

    let idx = (pcLo & 0xfff) >>> 2;

    // ---- a translated block, or count towards translating one ----
    if (jitThreshold > 0) {
      const blocks = page.blocks;
      let b = blocks !== null ? blocks[idx] : undefined;
      if (b === undefined) {
        let hits = page.hits;
        if (hits === null) { hits = new Uint8Array(1024); page.hits = hits; }
        if (++hits[idx]! >= jitThreshold) b = translateAt(ctx, cache, page, idx);
      }
      if (b !== undefined && remaining >= b.len) {
        remaining -= b.fn(remaining, mayLoop);
        continue;
      }
    }

    // ---- inner loop: sequential instructions within this page ----
    const ops = page.ops, words = page.words;
    for (;;) {
      const w = words[idx]!;
      let op = ops[idx]! - 1;
      if (op < 0) { op = decode(w); ops[idx] = op + 1; }
      f[CYC] = f[CYC]! + opCycles[op]!;
      f[INS] = f[INS]! + 1;
      remaining--;
      const st = execute(ctx, op, w);
      if (st === ST_NEXT) {
        pcLo = (pcLo + 4) | 0;
        s[PC] = pcLo;
        if (++idx === 1024 || remaining <= 0) {
          if (pcLo === 0) s[PC + 1] = (s[PC + 1]! + 1) | 0;
          break;
        }
        continue;
      }
      if (st === ST_SYNC) {
        const lo = (pcLo >>> 0) + 4;
        s[PC] = lo | 0;
        if (lo > 0xffffffff) s[PC + 1] = (s[PC + 1]! + 1) | 0;
        break;
      }
      if (st === ST_UNDEFINED) { undefinedInstruction(cpu); break; }
      if (st === ST_STOP) return ctx.stopReason;
      break;   // Branch or Exception: PC already written
    }
  }
}

/**
 * The loop's enum members as module constants: a const enum of another module is an object with
 * isolatedModules, read through the module cell on every use (docs/speed.md "module constants").
 */
const STOP_NONE = StopReason.None, STOP_STUCK = StopReason.NativeStuck;
const NAT_HI = NATIVE_PC_HI, NAT_MASK = NATIVE_PC_HI_MASK;
const ST_NEXT = Status.Next, ST_SYNC = Status.Sync, ST_UNDEFINED = Status.Undefined, ST_STOP = Status.Stop;

/** Budget moved into `remaining` at a time, and the level below which a block start refills it. */
const BUDGET_CHUNK = 1 << 29, BUDGET_REFILL = 1 << 16;

/** Translate the block at slot `idx` of `page` (exec/jit); a host without `new Function` interprets. Also used by exec/run-hooked.ts. */
export function translateAt(ctx: ExecContext, cache: PredecodeCache, page: CodePage, idx: number): JitBlock | undefined {
  let b: JitBlock;
  try {
    b = translateBlock(ctx, page, idx, execute, cache);
  } catch (e) {
    if (e instanceof EvalError) { cache.jitThreshold = 0; return undefined; }   // CSP: no code generation
    throw e;
  }
  let blocks = page.blocks;
  if (blocks === null) { blocks = new Array<JitBlock | undefined>(1024).fill(undefined); page.blocks = blocks; }
  blocks[idx] = b;
  return b;
}
