/**
 * Raising synchronous exceptions from instruction handlers: route (exceptions/routing.ts), build the
 * syndrome (exceptions/syndrome.ts), take (exceptions/take.ts). Each returns Status.Exception.
 */
import * as L from '../state/layout.js';
import { takeException } from '../exceptions/take.js';
import { VectorType } from '../exceptions/kinds.js';
import { ESR_UNKNOWN, esrDataAbort, esrInstrAbort, esrSysReg } from '../exceptions/syndrome.js';
import { el2Enabled, syncTargetEl } from '../exceptions/routing.js';
import { FAULT_STAGE2 } from '../memory/bus.js';
import type { CpuState } from '../state/cpu-state.js';
import { Status } from './context.js';

/** UNDEFINED instruction: EC 0x00 to EL1 from EL0 (EL2 with TGE), else the current EL; ELR = this insn. */
export function undefinedInstruction(cpu: CpuState): Status {
  const s = cpu.s;
  takeException(cpu, syncTargetEl(s), VectorType.Sync, ESR_UNKNOWN, s[L.PC]!, s[L.PC + 1]!);
  return Status.Exception;
}

/** Take a synchronous exception with the given ESR to `target`; ELR = this instruction. */
export function syncException(cpu: CpuState, target: number, esrValue: number): Status {
  const s = cpu.s;
  takeException(cpu, target, VectorType.Sync, esrValue, s[L.PC]!, s[L.PC + 1]!);
  return Status.Exception;
}

/**
 * Data Abort for a failed access at VA lo:hi (ASL AArch64.DataAbort): to EL1 from EL0 (EL2 with TGE),
 * else the current EL; SCR_EL3.EA routes external aborts to EL3. FAR = the faulting address.
 * `fault` is the bus fault value (FSC + 1); with FAULT_STAGE2 set (pKVM host stage 2) the abort is a
 * stage-2 fault and goes to EL2 (stage2DataAbort).
 */
export function dataAbort(cpu: CpuState, lo: number, hi: number, write: boolean, fault: number): Status {
  const s = cpu.s;
  if ((fault & FAULT_STAGE2) !== 0 && s[L.PSTATE_EL]! <= 1 && el2Enabled(s)) return stage2DataAbort(cpu, lo, hi, write, (fault & 0xff) - 1);
  const fsc = (fault & 0xff) - 1;
  let target = syncTargetEl(s);
  if (fsc === 0x10 && (s[L.IMPL_ELS]! & 8) !== 0 && (s[L.SCR_EL3]! & 8) !== 0) target = 3;
  const b = 2 * target;
  s[L.FAR_EL + b] = lo; s[L.FAR_EL + b + 1] = hi;
  takeException(cpu, target, VectorType.Sync, esrDataAbort(target === s[L.PSTATE_EL], write, fsc), s[L.PC]!, s[L.PC + 1]!);
  return Status.Exception;
}

/**
 * Stage-2 Data Abort (ASL AArch64.Abort: a second-stage fault from EL0/EL1 with EL2 enabled is routed
 * to EL2): EC 0x24 (Data Abort from a lower EL), ISS WnR + DFSC with ISV=0 (no instruction syndrome is
 * reported; S1PTW=0, FnV=0), FAR_EL2 = the VA, HPFAR_EL2.FIPA[43:4] = IPA[47:12] (Arm ARM D24.2.xx
 * HPFAR_EL2; NS, bit 63, is 0: the IPA space is Non-secure). Stage 1 is off, so VA = IPA = PA.
 */
export function stage2DataAbort(cpu: CpuState, lo: number, hi: number, write: boolean, fsc: number): Status {
  const s = cpu.s;
  s[L.FAR_EL + 4] = lo; s[L.FAR_EL + 5] = hi;
  s[L.HPFAR_EL2] = ((lo >>> 8) | (hi << 24)) & ~0xf;
  s[L.HPFAR_EL2 + 1] = (hi >>> 8) & 0xfff;
  takeException(cpu, 2, VectorType.Sync, esrDataAbort(false, write, fsc), s[L.PC]!, s[L.PC + 1]!);
  return Status.Exception;
}

/** Instruction Abort at the current PC (ASL AArch64.InstructionAbort). FAR = PC. */
export function instructionAbort(cpu: CpuState, fault: number): Status {
  const s = cpu.s;
  const fsc = fault - 1;
  let target = syncTargetEl(s);
  if (fsc === 0x10 && (s[L.IMPL_ELS]! & 8) !== 0 && (s[L.SCR_EL3]! & 8) !== 0) target = 3;
  const b = 2 * target;
  s[L.FAR_EL + b] = s[L.PC]!; s[L.FAR_EL + b + 1] = s[L.PC + 1]!;
  takeException(cpu, target, VectorType.Sync, esrInstrAbort(target === s[L.PSTATE_EL], fsc), s[L.PC]!, s[L.PC + 1]!);
  return Status.Exception;
}

/** MSR/MRS trap (EC 0x18) to `target`, or UNDEFINED when target < 0. */
export function sysRegTrap(cpu: CpuState, target: number, word: number, read: boolean): Status {
  if (target < 0) return undefinedInstruction(cpu);
  const op0 = (word >>> 19) & 3, op1 = (word >>> 16) & 7, crn = (word >>> 12) & 15, crm = (word >>> 8) & 15,
    op2 = (word >>> 5) & 7, rt = word & 31;
  return syncException(cpu, target, esrSysReg(op0, op1, crn, crm, op2, rt, read));
}
