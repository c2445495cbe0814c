/**
 * Semihosting over HLT #0xF000 (Arm "Semihosting for AArch32 and AArch64", v2): the operation number
 * in W0, the parameter block address in X1, the result in X0. Implemented as QEMU's
 * semihosting/arm-compat-semi.c behaves for these calls.
 */
import * as L from '../state/layout.js';
import { isSecure } from '../state/cpu-state.js';
import { type ExecContext, Status, StopReason } from './context.js';

export const SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_READC = 0x07, SYS_ISERROR = 0x08,
  SYS_CLOCK = 0x10, SYS_TIME = 0x11, SYS_ERRNO = 0x13, SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20,
  SYS_ELAPSED = 0x30, SYS_TICKFREQ = 0x31;
/** Most bytes one SYS_WRITE / SYS_WRITE0 call outputs. */
export const SEMIHOST_WRITE_MAX = 1 << 20;
/** ADP_Stopped_ApplicationExit: the reason code for a normal exit. */
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

/** Execute a semihosting call; PC moves past the HLT unless the call stops the machine. */
export function semihostingCall(ctx: ExecContext): Status {
  const s = ctx.cpu.s;
  const bus = ctx.bus;
  const secure = isSecure(s);
  const op = s[L.X]!;
  const argLo = s[L.X + 2]!, argHi = s[L.X + 3]!;
  const word = (i: number): number => {        // 64-bit parameter-block field i (low 32 bits used)
    const v = bus.read64((argLo + 8 * i) | 0, argHi, secure);
    return bus.fault !== 0 ? -1 : v;
  };
  let result = 0, resultHi = 0;
  switch (op) {
    case SYS_WRITEC: {
      const b = bus.read(argLo, argHi, 1, secure);
      if (bus.fault === 0) ctx.semihostOut(b);
      break;
    }
    case SYS_WRITE0: {
      for (let a = argLo >>> 0, n = 0; n < SEMIHOST_WRITE_MAX; a++, n++) {
        const b = bus.read(a | 0, argHi, 1, secure);
        if (bus.fault !== 0 || b === 0) break;
        ctx.semihostOut(b);
      }
      break;
    }
    case SYS_WRITE: {
      // Block: handle, buffer, length. Handles 1/2 (stdout/stderr) go to the console; returns bytes NOT written.
      // One call writes at most SEMIHOST_WRITE_MAX bytes (as SYS_WRITE0) and reports the rest as not
      // written, which the semihosting spec allows: an unbounded length made one HLT loop 2^31 times
      // and abort the JS engine (nothing a guest does may break the emulator).
      const buf = word(1), len = word(2);
      const n = Math.min(len, SEMIHOST_WRITE_MAX);
      result = len > n ? len - n : 0;
      for (let i = 0; i < n; i++) {
        const b = bus.read((buf + i) | 0, 0, 1, secure);
        if (bus.fault !== 0) { result = len - i; break; }
        ctx.semihostOut(b);
      }
      break;
    }
    case SYS_READC: result = -1; resultHi = -1; break;   // no input
    case SYS_ERRNO: result = 0; break;
    case SYS_ISERROR: result = word(0) < 0 ? 1 : 0; break;
    case SYS_CLOCK: result = Math.floor(ctx.cpu.f[L.CYCLES >> 1]! * 100 / ctx.cpu.cpuHz) | 0; break; // centiseconds
    case SYS_TIME: result = 0; break;   // deterministic: the epoch
    case SYS_ELAPSED: {
      const c = ctx.cpu.f[L.CYCLES >> 1]!;
      bus.write64(argLo, argHi, c % 4294967296 | 0, Math.floor(c / 4294967296) | 0, secure);
      result = bus.fault !== 0 ? -1 : 0; break;
    }
    case SYS_TICKFREQ: result = ctx.cpu.cpuHz | 0; break;
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED: {
      // AArch64: X1 points to {reason, subcode}; QEMU exits with subcode for ApplicationExit, else 1.
      const reason = word(0);
      const code = word(1);
      ctx.exitCode = reason === ADP_STOPPED_APPLICATION_EXIT ? code : 1;
      ctx.stopReason = StopReason.Exit;
      advance(s);
      return Status.Stop;
    }
    default:
      result = -1; resultHi = -1;   // unsupported operation
  }
  s[L.X] = result; s[L.X + 1] = resultHi;
  advance(s);
  return Status.Branch;
}

function advance(s: Int32Array): void {
  const lo = (s[L.PC]! >>> 0) + 4;
  s[L.PC] = lo | 0;
  if (lo > 0xffffffff) s[L.PC + 1] = (s[L.PC + 1]! + 1) | 0;
}
