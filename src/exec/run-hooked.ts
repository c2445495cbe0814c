/**
 * The instrumented twin of `run` (interpreter.ts), selected once per run by the machine only when
 * something needs it: a code/block/memory hook, a breakpoint, a cycle budget or a single step
 * (DESIGN practice 11: "no hooks installed = no cost", Unicorn's "instrument only where a hook
 * exists"). The plain `run` is untouched, so a machine without hooks runs exactly as before.
 *
 * The block-start checks mirror `run` one for one (interrupts, native code, PC alignment, fetch,
 * illegal state); test/api/hooked-run.test.ts runs every committed image both ways and requires the
 * same state and cycle count, so the two cannot drift apart unnoticed.
 *
 * Per instruction this loop adds: a code-hook check when the current page has hooks (per-page bits,
 * as Unicorn marks translation blocks), the cycle budget, and a stop-request check after each
 * instruction (so a hook's stop takes effect at once, not at the next block).
 *
 * Blocks translated by the JIT (exec/jit) are entered, as `run` enters them, when nothing needs to
 * see single instructions there: no code hook or breakpoint on the page, no block or memory hooks
 * (a translated block reaches the real bus), no cycle budget and no single step. A wall-clock
 * deadline bounds each entry to JIT_CHUNK instructions, so it is still looked at often.
 */
import * as L from '../state/layout.js';
import { isSecure } from '../state/cpu-state.js';
import { takeException } from '../exceptions/take.js';
import { VectorType } from '../exceptions/kinds.js';
import { ESR_ILLEGAL_STATE, ESR_PC_ALIGN } from '../exceptions/syndrome.js';
import { routePhysicalInterrupt, syncTargetEl } from '../exceptions/routing.js';
import { FAULT_EXTERNAL, FAULT_ADDRESS_SIZE } from '../memory/bus.js';
import { decode } from '../decode/decoder.js';
import { type ExecContext, NATIVE_PC_HI, NATIVE_PC_HI_MASK, Status, StopReason } from './context.js';
import type { PredecodeCache } from './predecode.js';
import { instructionAbort, undefinedInstruction } from './raise.js';
import { type ReturnPoint, execute, translateAt } from './interpreter.js';

/** Most instructions one JIT block entry may retire while a deadline is set (~1 ms of a tight loop). */
const JIT_CHUNK = 1 << 20;

/** What the instrumented loop calls out to. Built by the embedding API (src/api/hooks.ts). */
export interface RunHooks {
  /**
   * Per 4 KiB physical page below 4 GiB (index pa >>> 12): nonzero when a code hook or breakpoint
   * covers some address of the page. Instructions on other pages run without calling `code`.
   */
  readonly codePages: Uint8Array;
  /** A code hook covers every address (no range): call `code` for every instruction. */
  codeAll: boolean;
  /** Called before the instruction at pcLo:pcHi executes; true = stop before executing it. */
  code(pcLo: number, pcHi: number, word: number): boolean;
  /** Block hooks exist: call `block` at each block start (a run of sequential instructions). */
  blockOn: boolean;
  /** Called at a block start on guest code; true = stop before executing the block. */
  block(pcLo: number, pcHi: number): boolean;
  /**
   * Called before an Instruction Abort for a fetch from an address with no RAM; true = handled (the
   * callback changed the PC or mapped something), re-check from the block start.
   */
  fetchInvalid(pcLo: number, pcHi: number): boolean;
  /** The context handed to `execute` (the machine itself, or a wrapper with a hooked bus). */
  readonly execCtx: ExecContext;
  /**
   * A stop asked for while a native component's nested run was executing (a nested run cannot stop
   * without failing the component's call): the top-level run stops at its next block start.
   */
  stopPending: boolean;
}

/** Stop limits of one instrumented run. */
export interface RunLimits {
  /** Stop (StopReason.CycleBudget) once CYCLES reaches this; Infinity = no cycle budget. */
  cycleLimit: number;
  /**
   * Stop (StopReason.Budget) after this many steps, 0 = no limit. A step is one retired instruction,
   * one exception taken at a block boundary (interrupt, PC alignment, fetch abort, illegal state) or
   * one entry into native code (which runs to completion): what a debugger's `stepi` shows.
   */
  stepLimit: number;
  /** Stop (StopReason.Requested) at a block start after this Date.now() time; Infinity = none. */
  deadline: number;
}

/**
 * Run like `run`, with hooks and limits. Returns why it stopped. `nested` is true for a native
 * component's nested run: there a hook's stop request is deferred to the top-level run
 * (hooks.stopPending), since stopping would fail the component's call.
 */
export function runHooked(ctx: ExecContext, cache: PredecodeCache, maxInstructions: number, ret: ReturnPoint | null,
  hooks: RunHooks, limits: RunLimits, nested: boolean): StopReason {
  const cpu = ctx.cpu, s = cpu.s, f = cpu.f;
  const opCycles = ctx.opCycles;
  const xctx = hooks.execCtx;
  const codePages = hooks.codePages;
  const CYC = L.CYCLES >> 1, INS = L.INSTRET >> 1;
  const cycleLimit = limits.cycleLimit;
  let steps = limits.stepLimit > 0 ? limits.stepLimit : Infinity;
  const deadline = limits.deadline;
  let clock = 0;
  let remaining = maxInstructions;
  // As in run: block starts that retire no instruction (native code, an exception taken at fetch)
  // spend no budget, so a loop of them is bounded separately, one spin per block start.
  let spins = 2 * maxInstructions + 16;
  // Translated blocks may run where no instruction needs to be seen one by one (see the header).
  const jitOk = cache.jitThreshold > 0 && xctx === ctx && !hooks.blockOn && cycleLimit === Infinity && steps === Infinity;
  const jitThreshold = cache.jitThreshold;
  const mayLoop = ret === null;
  ctx.stopReason = StopReason.None;

  for (;;) {
    // ---- block start (as in run) ----
    if (ctx.stopReason !== StopReason.None) {
      if (!nested || ctx.stopReason !== StopReason.Requested) return ctx.stopReason;
      hooks.stopPending = true;
      ctx.stopReason = StopReason.None;
    }
    if (hooks.stopPending && !nested) { hooks.stopPending = false; return StopReason.Requested; }
    if (deadline !== Infinity && ++clock >= 1024) {
      clock = 0;
      if (Date.now() >= deadline) return StopReason.Requested;
    }
    let pcLo = s[L.PC]!, pcHi = s[L.PC + 1]!;
    if (ret !== null && pcLo === ret.lo && pcHi === ret.hi && s[L.PSTATE_EL] === ret.el) return StopReason.Returned;
    if (remaining <= 0 || --spins < 0) return StopReason.Budget;
    if (steps <= 0) return StopReason.Budget;
    if (f[CYC]! >= cycleLimit) return StopReason.CycleBudget;

    if (s[L.IRQ_LINES] !== 0) {
      const lines = s[L.IRQ_LINES]!;
      const fiq = (lines & 2) !== 0 ? routePhysicalInterrupt(s, true) : -1;
      const irq = fiq < 0 && (lines & 1) !== 0 ? routePhysicalInterrupt(s, false) : -1;
      if (fiq >= 0 || irq >= 0) {
        takeException(cpu, fiq >= 0 ? fiq : irq, fiq >= 0 ? VectorType.Fiq : VectorType.Irq, 0, pcLo, pcHi);
        steps--;
        continue;
      }
    }

    if ((pcHi & NATIVE_PC_HI_MASK) === NATIVE_PC_HI) {
      const nat = ctx.natives[pcHi & 0xff];
      if (nat !== undefined && nat.el === s[L.PSTATE_EL] && nat.secure === isSecure(s)) {
        nat.enter(pcLo);
        if (s[L.PC] === pcLo && s[L.PC + 1] === pcHi && ctx.stopReason === StopReason.None) return StopReason.NativeStuck;
        steps--;
        continue;
      }
    }

    if ((pcLo & 3) !== 0) {
      const t = syncTargetEl(s);
      s[L.FAR_EL + 2 * t] = pcLo; s[L.FAR_EL + 2 * t + 1] = pcHi;
      takeException(cpu, t, VectorType.Sync, ESR_PC_ALIGN, pcLo, pcHi);
      steps--;
      continue;
    }

    const page = pcHi === 0 ? cache.page(pcLo >>> 0) : undefined;
    if (page === undefined || (page.secureOnly && !isSecure(s))) {
      if (page === undefined && hooks.fetchInvalid(pcLo, pcHi)) continue;
      instructionAbort(cpu, pcHi !== 0 && (pcHi >>> 0) >= 0x10000 ? FAULT_ADDRESS_SIZE : FAULT_EXTERNAL);
      steps--;
      continue;
    }
    if (s[L.PSTATE_IL] !== 0) {
      takeException(cpu, s[L.PSTATE_EL] === 0 ? syncTargetEl(s) : s[L.PSTATE_EL]!, VectorType.Sync, ESR_ILLEGAL_STATE, pcLo, pcHi);
      steps--;
      continue;
    }

    if (hooks.blockOn && hooks.block(pcLo, pcHi)) {
      if (!nested) return ctx.stopReason === StopReason.None ? StopReason.Requested : ctx.stopReason;
      hooks.stopPending = true;
    }
    const hooked = hooks.codeAll || codePages[pcLo >>> 12] !== 0;
    let idx = (pcLo & 0xfff) >>> 2;

    // ---- a translated block where nothing is hooked (as in run) ----
    if (jitOk && !hooked) {
      const blocks = page.blocks;
      let b = blocks !== null ? blocks[idx] : undefined;
      if (b === undefined) {
        let hits = page.hits;
        if (hits === null) { hits = new Uint8Array(1024); page.hits = hits; }
        if (++hits[idx]! >= jitThreshold) b = translateAt(ctx, cache, page, idx);
      }
      const budget = deadline === Infinity ? remaining : Math.min(remaining, JIT_CHUNK);
      if (b !== undefined && budget >= b.len) {
        const ran = b.fn(budget, mayLoop);
        remaining -= ran;
        // The deadline is looked at every 1024 block starts; a translated block may have retired up
        // to JIT_CHUNK instructions, so count those too (else 1024 x JIT_CHUNK between two looks).
        clock += ran;
        continue;
      }
    }

    // ---- inner loop: sequential instructions within this page ----
    const ops = page.ops, words = page.words;
    for (;;) {
      const w = words[idx]!;
      if (hooked) {
        if (hooks.code(pcLo, pcHi, w)) {
          if (!nested) return ctx.stopReason === StopReason.None ? StopReason.Requested : ctx.stopReason;
          hooks.stopPending = true;
        }
        // The hook wrote the PC (regWrite('pc')): go where it points, from the block start.
        if (s[L.PC] !== pcLo || s[L.PC + 1] !== pcHi) break;
      }
      let op = ops[idx]! - 1;
      if (op < 0) { op = decode(w); ops[idx] = op + 1; }
      f[CYC] = f[CYC]! + opCycles[op]!;
      f[INS] = f[INS]! + 1;
      remaining--;
      steps--;
      const st = execute(xctx, op, w);
      if (st === Status.Next) {
        pcLo = (pcLo + 4) | 0;
        s[L.PC] = pcLo;
        if (++idx === 1024 || remaining <= 0 || steps <= 0 || f[CYC]! >= cycleLimit || ctx.stopReason !== StopReason.None || hooks.stopPending) {
          if (pcLo === 0) s[L.PC + 1] = (s[L.PC + 1]! + 1) | 0;
          break;
        }
        continue;
      }
      if (st === Status.Sync) {
        const lo = (pcLo >>> 0) + 4;
        s[L.PC] = lo | 0;
        if (lo > 0xffffffff) s[L.PC + 1] = (s[L.PC + 1]! + 1) | 0;
        break;
      }
      if (st === Status.Undefined) { undefinedInstruction(cpu); break; }
      if (st === Status.Stop) return ctx.stopReason;
      break;
    }
  }
}
