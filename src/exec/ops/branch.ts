/**
 * Branches (Arm ARM C4.1.93, C6.2): B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET. PC-relative
 * targets are computed on 32-bit halves with carry into the high half.
 */
import * as L from '../../state/layout.js';
import { Status } from '../context.js';
import { condHolds } from './flags.js';

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
  if (!condHolds(s, w & 15)) return Status.Next;
  branchRelative(s, ((w << 8) >> 13) << 2);
  return Status.Branch;
}

/** CBZ / CBNZ: compare Wt/Xt (Rt = 31 is XZR) with zero; imm19 * 4. */
export function execCompareBranch(s: Int32Array, w: number): Status {
  const t = (w & 31) << 1;
  const v = (w >>> 31) !== 0 ? s[t]! | s[t + 1]! : s[t]!;
  if ((v === 0) === (((w >>> 24) & 1) === 0)) { branchRelative(s, ((w << 8) >> 13) << 2); return Status.Branch; }
  return Status.Next;
}

/** TBZ / TBNZ: test bit b5:b40 of Rt (Rt = 31 is XZR); imm14 * 4. */
export function execTestBranch(s: Int32Array, w: number): Status {
  const bit = ((w >>> 26) & 0x20) | ((w >>> 19) & 0x1f);
  const t = (w & 31) << 1;
  const v = bit < 32 ? (s[t]! >>> bit) & 1 : (s[t + 1]! >>> (bit - 32)) & 1;
  if (v === ((w >>> 24) & 1)) { branchRelative(s, ((w << 13) >> 18) << 2); return Status.Branch; }
  return Status.Next;
}

/** BR / BLR / RET: PC = Xn (Rn = 31 is XZR; read before X30 is written, for BLR X30). */
export function execBranchReg(s: Int32Array, w: number): Status {
  const n = ((w >>> 5) & 31) << 1;
  const lo = s[n]!, hi = s[n + 1]!;
  if (((w >>> 21) & 3) === 1) link(s);     // BLR
  s[L.PC] = lo; s[L.PC + 1] = hi;
  return Status.Branch;
}
