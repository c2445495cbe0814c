/**
 * Loads and stores (Arm ARM C4.1.94). Addresses are physical (stage 1 off); a failed access raises a
 * Data Abort with FAR = the address (exec/raise.ts).
 */
import * as L from '../../state/layout.js';
import { isSecure } from '../../state/cpu-state.js';
import { type ExecContext, Status } from '../context.js';
import { dataAbort } from '../raise.js';
import { regSp, regZrRead, regZrWrite } from '../regs.js';

/** LDR/STR (immediate, unsigned offset), 32- and 64-bit: address = Xn|SP + imm12 * size. */
export function execLdStUnsigned(ctx: ExecContext, w: number): Status {
  const cpu = ctx.cpu, s = cpu.s, bus = ctx.bus;
  const is64 = (w >>> 30) & 1;
  const load = (w >>> 22) & 1;
  const n = regSp((w >>> 5) & 31);
  const off = ((w >>> 10) & 0xfff) << (2 + is64);
  const baseLo = s[n]! >>> 0;
  const sum = baseLo + off;
  const lo = sum | 0;
  const hi = sum > 0xffffffff ? (s[n + 1]! + 1) | 0 : s[n + 1]!;
  const secure = isSecure(s);
  const t = w & 31;
  if (load) {
    const d = regZrWrite(t);
    if (is64) {
      const v = bus.read64(lo, hi, secure);
      if (bus.fault !== 0) return dataAbort(cpu, lo, hi, false, bus.fault);
      s[d] = v; s[d + 1] = bus.hi;
    } else {
      const v = bus.read(lo, hi, 4, secure);
      if (bus.fault !== 0) return dataAbort(cpu, lo, hi, false, bus.fault);
      s[d] = v | 0; s[d + 1] = 0;
    }
  } else {
    const r = regZrRead(t);
    if (is64) bus.write64(lo, hi, s[r]!, s[r + 1]!, secure);
    else bus.write(lo, hi, 4, s[r]!, secure);
    if (bus.fault !== 0) return dataAbort(cpu, lo, hi, true, bus.fault);
  }
  return Status.Next;
}
