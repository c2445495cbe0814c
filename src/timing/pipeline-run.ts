/**
 * The interpreter loop with the pipeline timing model: a copy of exec/interpreter.ts `run` whose only
 * differences are marked PIPELINE: an instruction is charged what PipelineModel.issue says instead
 * of its fixed cost, branches and exceptions are reported back to the model, and every exception
 * taken at a block boundary flushes it. `run` hands a whole run to this copy when the Machine was
 * built with the pipeline model (ExecContext.pipeline), so the fixed-cost loop pays nothing for it.
 *
 * This is the one timing module that imports exec/ (DESIGN "Which way imports run": exec -> timing);
 * exec reaches it only through the ExecContext.pipeline interface and the Machine wires it.
 * test/timing/pipeline.test.ts runs every bundled image through both loops and checks that the
 * architectural results (output, exit code, instructions retired) agree, so the copies cannot drift
 * apart unnoticed.
 */
import * as L from '../state/layout.js';
import { isSecure } from '../state/cpu-state.js';
import { takeException } from '../exceptions/take.js';
import { VectorType } from '../exceptions/kinds.js';
import { ESR_ILLEGAL_STATE, ESR_PC_ALIGN } from '../exceptions/syndrome.js';
import { routePhysicalInterrupt, syncTargetEl } from '../exceptions/routing.js';
import { FAULT_EXTERNAL, FAULT_ADDRESS_SIZE } from '../memory/bus.js';
import { decode } from '../decode/decoder.js';
import { type ExecContext, NATIVE_PC_HI, NATIVE_PC_HI_MASK, type RunVariant, Status, StopReason } from '../exec/context.js';
import type { PredecodeCache } from '../exec/predecode.js';
import { instructionAbort, undefinedInstruction } from '../exec/raise.js';
import { type ReturnPoint, execute } from '../exec/interpreter.js';
import type { PipelineModel } from './pipeline.js';

export class PipelineRun implements RunVariant {
  constructor(readonly model: PipelineModel) {}

  run(ctx: ExecContext, cache: PredecodeCache, maxInstructions: number, ret: ReturnPoint | null): StopReason {
    const cpu = ctx.cpu, s = cpu.s, f = cpu.f;
    const pipe = this.model;   // PIPELINE
    const CYC = L.CYCLES >> 1, INS = L.INSTRET >> 1;
    let remaining = maxInstructions;
    // Block starts that retire no instruction are bounded separately (as in interpreter.ts run).
    let spins = 2 * maxInstructions + 16;
    ctx.stopReason = StopReason.None;

    for (;;) {
      // ---- block start ----
      if (ctx.stopReason !== StopReason.None) return ctx.stopReason;
      let pcLo = s[L.PC]!, pcHi = s[L.PC + 1]!;
      if (ret !== null && pcLo === ret.lo && pcHi === ret.hi && s[L.PSTATE_EL] === ret.el) return StopReason.Returned;
      if (remaining <= 0 || --spins < 0) return StopReason.Budget;

      if (s[L.IRQ_LINES] !== 0) {
        const lines = s[L.IRQ_LINES]!;
        const fiq = (lines & 2) !== 0 ? routePhysicalInterrupt(s, true) : -1;
        const irq = fiq < 0 && (lines & 1) !== 0 ? routePhysicalInterrupt(s, false) : -1;
        if (fiq >= 0 || irq >= 0) {
          takeException(cpu, fiq >= 0 ? fiq : irq, fiq >= 0 ? VectorType.Fiq : VectorType.Irq, 0, pcLo, pcHi);
          pipe.flush();   // PIPELINE
          continue;
        }
      }

      if ((pcHi & NATIVE_PC_HI_MASK) === NATIVE_PC_HI) {
        const nat = ctx.natives[pcHi & 0xff];
        if (nat !== undefined && nat.el === s[L.PSTATE_EL] && nat.secure === isSecure(s)) {
          nat.enter(pcLo);
          pipe.flush();   // PIPELINE: native code charged its own cycles and left by an exception or ERET
          if (s[L.PC] === pcLo && s[L.PC + 1] === pcHi && ctx.stopReason === StopReason.None) return StopReason.NativeStuck;
          continue;
        }
      }

      if ((pcLo & 3) !== 0) {
        const t = syncTargetEl(s);
        s[L.FAR_EL + 2 * t] = pcLo; s[L.FAR_EL + 2 * t + 1] = pcHi;
        takeException(cpu, t, VectorType.Sync, ESR_PC_ALIGN, pcLo, pcHi);
        pipe.flush();   // PIPELINE
        continue;
      }

      const page = pcHi === 0 ? cache.page(pcLo >>> 0) : undefined;
      if (page === undefined || (page.secureOnly && !isSecure(s))) {
        instructionAbort(cpu, pcHi !== 0 && (pcHi >>> 0) >= 0x10000 ? FAULT_ADDRESS_SIZE : FAULT_EXTERNAL);
        pipe.flush();   // PIPELINE
        continue;
      }
      if (s[L.PSTATE_IL] !== 0) {
        takeException(cpu, s[L.PSTATE_EL] === 0 ? syncTargetEl(s) : s[L.PSTATE_EL]!, VectorType.Sync, ESR_ILLEGAL_STATE, pcLo, pcHi);
        pipe.flush();   // PIPELINE
        continue;
      }

      // ---- inner loop: sequential instructions within this page ----
      const ops = page.ops, words = page.words;
      let idx = (pcLo & 0xfff) >>> 2;
      for (;;) {
        const w = words[idx]!;
        let op = ops[idx]! - 1;
        if (op < 0) { op = decode(w); ops[idx] = op + 1; }
        const now = f[CYC]!;
        f[CYC] = now + pipe.issue(op, w, now);   // PIPELINE
        f[INS] = f[INS]! + 1;
        remaining--;
        const st = execute(ctx, op, w);
        if (st === Status.Next) {
          pipe.resolve(op, w, false, false);   // PIPELINE: a conditional branch not taken
          pcLo = (pcLo + 4) | 0;
          s[L.PC] = pcLo;
          if (++idx === 1024 || remaining <= 0) {
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
        if (st === Status.Undefined) { undefinedInstruction(cpu); pipe.flush(); break; }   // PIPELINE
        if (st === Status.Stop) return ctx.stopReason;
        pipe.resolve(op, w, st === Status.Branch, st === Status.Exception);   // PIPELINE
        break;   // Branch or Exception: PC already written
      }
    }
  }
}
