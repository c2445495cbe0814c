/**
 * Data processing, immediate (Arm ARM C4.1.92): ADD/SUB(S) (immediate), move wide.
 */
import * as L from '../../state/layout.js';
import * as A from '../alu64.js';
import { Status } from '../context.js';
import { regSp, regZrWrite } from '../regs.js';

/** ADD/ADDS/SUB/SUBS (immediate): imm12, optionally LSL #12; Rn may be SP; Rd is SP unless S=1. */
export function execAddSubImm(s: Int32Array, w: number): Status {
  const sf = w >>> 31, sub = (w >>> 30) & 1, setFlags = (w >>> 29) & 1;
  const imm = ((w >>> 10) & 0xfff) << (((w >>> 22) & 1) * 12);
  const n = regSp((w >>> 5) & 31);
  const rd = w & 31;
  const d = setFlags ? regZrWrite(rd) : regSp(rd);
  let lo: number, hi: number;
  if (sf) {
    lo = sub ? A.addWithCarry64(s[n]!, s[n + 1]!, ~imm, -1, 1) : A.addWithCarry64(s[n]!, s[n + 1]!, imm, 0, 0);
    hi = A.hi;
  } else {
    lo = sub ? A.addWithCarry32(s[n]!, ~imm, 1) : A.addWithCarry32(s[n]!, imm, 0);
    hi = 0;
  }
  s[d] = lo; s[d + 1] = hi;
  if (setFlags) setNzcv(s);
  return Status.Next;
}

/** Copy the flags of the last AddWithCarry into the NZCV slots. */
export function setNzcv(s: Int32Array): void {
  s[L.NF] = A.flagN << 31;
  s[L.ZF] = A.flagZ ? 0 : 1;
  s[L.CF] = A.flagC;
  s[L.VF] = A.flagV << 31;
}

/** MOVN/MOVZ/MOVK: imm16 << (hw*16); MOVK keeps the other bits; 32-bit forms zero the top half. */
export function execMoveWide(s: Int32Array, w: number): Status {
  const sf = w >>> 31, opc = (w >>> 29) & 3, hw = (w >>> 21) & 3;
  if (!sf && hw >= 2) return Status.Undefined;   // hw<1> = 1 with sf = 0 is UNALLOCATED
  const imm = (w >>> 5) & 0xffff;
  const d = regZrWrite(w & 31);
  const shift = (hw & 1) * 16;
  let lo: number, hi: number;
  if (opc === 3) {            // MOVK
    lo = s[d]!; hi = sf ? s[d + 1]! : 0;
    if (hw < 2) lo = (lo & ~(0xffff << shift)) | (imm << shift);
    else hi = (hi & ~(0xffff << shift)) | (imm << shift);
  } else {
    lo = hw < 2 ? imm << shift : 0;
    hi = hw >= 2 ? imm << shift : 0;
    if (opc === 0) { lo = ~lo; hi = sf ? ~hi : 0; }   // MOVN
  }
  s[d] = lo; s[d + 1] = sf ? hi : 0;
  return Status.Next;
}
