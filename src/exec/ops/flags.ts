/**
 * NZCV helpers shared by the handlers (DESIGN practice 5: four slots, N and V in bit 31 of NF/VF,
 * Z set iff ZF == 0, C = CF as 0/1).
 */
import * as L from '../../state/layout.js';
import * as A from '../alu64.js';

/** Copy the flags of the last alu64 addWithCarry32/64 into the NZCV slots. */
export function setNzcvFromAlu(s: Int32Array): void {
  s[L.NF] = A.flagN << 31;
  s[L.ZF] = A.flagZ ? 0 : 1;
  s[L.CF] = A.flagC;
  s[L.VF] = A.flagV << 31;
}

/** Flags of a logical operation (ANDS/BICS/TST): N, Z from the result; C = V = 0. 32-bit: pass hi = lo. */
export function setNzLogical(s: Int32Array, lo: number, hi: number): void {
  s[L.NF] = hi;
  s[L.ZF] = lo | hi;
  s[L.CF] = 0;
  s[L.VF] = 0;
}

/**
 * ASL ConditionHolds(cond) read straight from the flag slots:
 *   '000' Z; '001' C; '010' N; '011' V; '100' C && !Z; '101' N == V; '110' N == V && !Z; '111' TRUE;
 *   cond<0> = 1 inverts, except for '1111'.
 */
export function condHolds(s: Int32Array, cond: number): boolean {
  let r: boolean;
  switch ((cond >>> 1) & 7) {
    case 0: r = s[L.ZF] === 0; break;
    case 1: r = s[L.CF] !== 0; break;
    case 2: r = s[L.NF]! < 0; break;
    case 3: r = s[L.VF]! < 0; break;
    case 4: r = s[L.CF] !== 0 && s[L.ZF] !== 0; break;
    case 5: r = (s[L.NF]! ^ s[L.VF]!) >= 0; break;
    case 6: r = (s[L.NF]! ^ s[L.VF]!) >= 0 && s[L.ZF] !== 0; break;
    default: return true;
  }
  return (cond & 1) !== 0 ? !r : r;
}
