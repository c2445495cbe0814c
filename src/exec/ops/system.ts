/**
 * Exception generation, exception return, hints, barriers and system-register moves
 * (Arm ARM C4.1.93, C5.2, C6.2). Routing decisions come from exceptions/routing.ts.
 */
import * as L from '../../state/layout.js';
import { takeException } from '../../exceptions/take.js';
import { exceptionReturn } from '../../exceptions/eret.js';
import { Ec, VectorType } from '../../exceptions/kinds.js';
import { esrImm16, esrWfx } from '../../exceptions/syndrome.js';
import { SMC_TRAP_EL2, UNDEFINED, routeHvc, routeSmc, routeSvc, routeWfxTrap, syncTargetEl } from '../../exceptions/routing.js';
import { ACCESS_OK, checkSysRegAccess, readSysReg, sysRegHi, sysRegIndex, writeSysReg } from '../../state/sysregs.js';
import { restoreSp, saveSp } from '../../state/cpu-state.js';
import { type ExecContext, Status, StopReason } from '../context.js';
import { syncException, sysRegTrap, undefinedInstruction } from '../raise.js';
import { regZrRead, regZrWrite } from '../regs.js';
import { semihostingCall } from '../semihosting.js';

/** Preferred return = next instruction (SVC/HVC/SMC executed): PC + 4 with carry. */
function takeCall(ctx: ExecContext, target: number, esrValue: number): Status {
  const s = ctx.cpu.s;
  const lo = (s[L.PC]! >>> 0) + 4;
  takeException(ctx.cpu, target, VectorType.Sync, esrValue, lo | 0, lo > 0xffffffff ? (s[L.PC + 1]! + 1) | 0 : s[L.PC + 1]!);
  return Status.Exception;
}

/** SVC/HVC/SMC/BRK/HLT (C6.2; reference arch-and-cycles.md 4.2-4.4). */
export function execExceptionGen(ctx: ExecContext, w: number): Status {
  const cpu = ctx.cpu, s = cpu.s;
  const imm = (w >>> 5) & 0xffff;
  switch (((w >>> 21) & 7) << 2 | (w & 3)) {
    case 0b000_01: // SVC: ASL AArch64.CallSupervisor, ELR = next instruction
      return takeCall(ctx, routeSvc(s), esrImm16(Ec.Svc64, imm));
    case 0b000_10: { // HVC: ASL AArch64.CallHypervisor
      const t = routeHvc(s);
      if (t === UNDEFINED) return undefinedInstruction(cpu);
      return takeCall(ctx, t, esrImm16(Ec.Hvc64, imm));
    }
    case 0b000_11: { // SMC: ASL AArch64.CheckForSMCUndefOrTrap then CallSecureMonitor
      const t = routeSmc(s);
      if (t === UNDEFINED) return undefinedInstruction(cpu);
      if (t === SMC_TRAP_EL2) return syncException(cpu, 2, esrImm16(Ec.Smc64, imm));   // trap: ELR = the SMC
      return takeCall(ctx, 3, esrImm16(Ec.Smc64, imm));
    }
    case 0b001_00: // BRK: EC 0x3C, ELR = the BRK itself (D1.4.1)
      return syncException(cpu, syncTargetEl(s), esrImm16(Ec.Brk64, imm));
    case 0b010_00: // HLT: semihosting trap (HLT #0xF000) when enabled and not at EL0 (QEMU refuses EL0)
      if (imm === 0xf000 && ctx.semihosting && s[L.PSTATE_EL] !== 0) return semihostingCall(ctx);
      return undefinedInstruction(cpu);   // halting debug is not enabled: HLT is UNDEFINED (C6.2.115)
  }
  return undefinedInstruction(cpu);
}

/** ERET (C6.2.80): UNDEFINED at EL0; otherwise AArch64.ExceptionReturn. */
export function execEret(ctx: ExecContext): Status {
  const cpu = ctx.cpu;
  if (cpu.s[L.PSTATE_EL] === 0) return undefinedInstruction(cpu);
  exceptionReturn(cpu);
  return Status.Exception;
}

/** HINT space: NOP, YIELD, WFE, WFI, SEV, SEVL; unallocated hints execute as NOP (C6.2.112). */
export function execHint(ctx: ExecContext, w: number): Status {
  const s = ctx.cpu.s;
  const crmOp2 = (w >>> 5) & 0x7f;
  switch (crmOp2) {
    case 2: // WFE
    case 3: { // WFI
      const isWfe = crmOp2 === 2;
      if (isWfe && s[L.EVENT_REG] !== 0) { s[L.EVENT_REG] = 0; return Status.Next; }
      if (!isWfe && s[L.IRQ_LINES] !== 0) return Status.Next;   // a pending interrupt wakes WFI at once
      const trap = routeWfxTrap(s, isWfe);   // ASL AArch64.CheckForWFxTrap
      if (trap !== 0) return syncException(ctx.cpu, trap, esrWfx(isWfe));
      // Low-power state with nothing modelled that could wake the PE: stop, PC past the WFx (a later
      // interrupt resumes after it, as a woken WFI completes).
      s[L.HALTED] = 1;
      const lo = (s[L.PC]! >>> 0) + 4;
      s[L.PC] = lo | 0;
      if (lo > 0xffffffff) s[L.PC + 1] = (s[L.PC + 1]! + 1) | 0;
      ctx.stopReason = StopReason.Halted;
      return Status.Stop;
    }
    case 4: case 5: s[L.EVENT_REG] = 1; return Status.Next;   // SEV, SEVL (single PE)
  }
  return Status.Next;
}

/** CLREX clears the local exclusive monitor; DSB/DMB/ISB have no architectural effect in this model. */
export function execBarrier(ctx: ExecContext, w: number): Status {
  if (((w >>> 5) & 7) === 2) ctx.cpu.s[L.EXCL_VALID] = 0;
  return ((w >>> 5) & 7) === 6 ? Status.Sync : Status.Next;   // ISB ends the block (context synchronization)
}

/**
 * MSR (immediate) to PSTATE fields (C6.2.230; reference 6.2): SPSel (EL1+), DAIFSet/DAIFClr (EL0 traps
 * unless SCTLR_EL1.UMA), PAN. Other fields are not implemented here: UNDEFINED.
 */
export function execMsrImm(ctx: ExecContext, w: number): Status {
  const cpu = ctx.cpu, s = cpu.s;
  const op1 = (w >>> 16) & 7, op2 = (w >>> 5) & 7, crm = (w >>> 8) & 15;
  const el = s[L.PSTATE_EL]!;
  if (op1 === 0 && el === 0) return undefinedInstruction(cpu);
  if (op1 === 0 && op2 === 5) { saveSp(s); s[L.PSTATE_SP] = crm & 1; restoreSp(s); return Status.Sync; }
  if (op1 === 0 && op2 === 4) { s[L.PSTATE_PAN] = crm & 1; return Status.Next; }
  if (op1 === 3 && (op2 === 6 || op2 === 7)) {
    if (el === 0) {
      const t = syncTargetEl(s);
      if ((s[L.SCTLR_EL + 2 * t]! & (1 << 9)) === 0) return sysRegTrap(cpu, t, w, false);
    }
    if (op2 === 6) s[L.PSTATE_DAIF] |= crm << 6; else s[L.PSTATE_DAIF] &= ~(crm << 6);
    return Status.Sync;
  }
  return undefinedInstruction(cpu);
}

/** MRS / MSR (register) through the system-register table (state/sysregs.ts). */
export function execSysRegMove(ctx: ExecContext, w: number): Status {
  const cpu = ctx.cpu, s = cpu.s;
  const read = ((w >>> 21) & 1) === 1;
  const idx = sysRegIndex(w);
  if (idx < 0) return undefinedInstruction(cpu);
  const access = checkSysRegAccess(s, idx, read);
  if (access !== ACCESS_OK) return sysRegTrap(cpu, access, w, read);
  const t = w & 31;
  if (read) {
    const lo = readSysReg(cpu, idx);
    const d = regZrWrite(t);
    s[d] = lo; s[d + 1] = sysRegHi;
    return Status.Next;
  }
  const r = regZrRead(t);
  return writeSysReg(cpu, idx, s[r]!, s[r + 1]!) ? Status.Sync : Status.Next;
}
