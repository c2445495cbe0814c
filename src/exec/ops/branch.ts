/**
 * Branches (Arm ARM C4.1.93, C6.2): B, BL, B.cond, BR, BLR, RET. PC-relative targets are computed on
 * 32-bit halves with carry into the high half.
 */
import * as L from '../../state/layout.js';
import { conditionHolds } from '../alu64.js';
import { Status } from '../context.js';
import { regZrRead } from '../regs.js';

/** PC += sign-extended byte offset `off` (|off| < 2^31), with carry/borrow into the high half. */
export function branchRelative(s: Int32Array, off: number): void {
  const lo = s[L.PC]! >>> 0;
  const sum = lo + off;
  s[L.PC] = sum | 0;
  if (sum > 0xffffffff) s[L.PC + 1] = (s[L.PC + 1]! + 1) | 0;
  else if (sum < 0) s[L.PC + 1] = (s[L.PC + 1]! - 1) | 0;
}

/** X30 = PC + 4 (BL, BLR). */
function link(s: Int32Array): void {
  const lo = (s[L.PC]! >>> 0) + 4;
  s[L.X + 60] = lo | 0;
  s[L.X + 61] = lo > 0xffffffff ? (s[L.PC + 1]! + 1) | 0 : s[L.PC + 1]!;
}

/** B / BL: imm26 * 4. */
export function execBImm(s: Int32Array, w: number): Status {
  if ((w >>> 31) !== 0) link(s);
  branchRelative(s, (w << 6) >> 4);
  return Status.Branch;
}

/** B.cond: imm19 * 4 when ConditionHolds(cond). */
export function execBCond(s: Int32Array, w: number): Status {
  if (!conditionHolds(w & 15, s[L.NF]! >>> 31, s[L.ZF] === 0 ? 1 : 0, s[L.CF]! & 1, s[L.VF]! >>> 31)) return Status.Next;
  branchRelative(s, (w << 8) >> 11);
  return Status.Branch;
}

/** BR / BLR / RET: PC = Xn (read before X30 is written, for BLR X30). */
export function execBranchReg(s: Int32Array, w: number): Status {
  const n = regZrRead((w >>> 5) & 31);
  const lo = s[n]!, hi = s[n + 1]!;
  if (((w >>> 21) & 3) === 1) link(s);     // BLR
  s[L.PC] = lo; s[L.PC + 1] = hi;
  return Status.Branch;
}
