/**
 * SMC/HVC calls seen from the exception model: a call is an exception entry with EC 0x17 (SMC) or
 * 0x16 (HVC); its result is the register state when control comes back to the caller, i.e. the first
 * ERET that lands at the caller's EL and Security state on the instruction after the call. Calls may
 * be forwarded (host -> EL2 -> EL3 -> SPMC) and need not return in LIFO order (an SPMC's
 * FFA_MSG_SEND_DIRECT_RESP "returns" with the next request), so pending calls are a small set
 * searched newest first, kept in typed arrays (recording allocates nothing).
 */
import * as L from '../state/layout.js';
import type { CpuState } from '../state/cpu-state.js';
import { isFfaFunction, smcFunctionName } from '../ffa/abi.js';

export const EC_HVC64 = 0x16;
export const EC_SMC64 = 0x17;

/** How a call was made. */
export const enum Conduit { None = 0, Smc = 1, Hvc = 2 }

/** Track name of an (EL, Security state) pair: "EL1 NS", "EL2", "EL3", "S-EL1"... */
export function trackName(el: number, secure: boolean): string {
  if (el === 3) return 'EL3';
  if (secure) return `S-EL${el}`;
  return el === 2 ? 'EL2' : `EL${el} NS`;
}

/**
 * The conduit of an exception entry (the observer's offset and ESR), or Conduit.None when it is not
 * an SMC/HVC call.
 */
export function callConduit(offset: number, esr: number): Conduit {
  if ((offset & 0x180) !== 0) return Conduit.None;       // IRQ/FIQ/SError columns
  const ec = esr >>> 26;
  return ec === EC_SMC64 ? Conduit.Smc : ec === EC_HVC64 ? Conduit.Hvc : Conduit.None;
}

/** Low/high half of the caller's return address after `callReturnPoint`. */
export let retLo = 0, retHi = 0;

/**
 * The address control returns to when the call completes (the instruction after the SMC/HVC),
 * from ELR_ELx of the target: an SMC trapped to EL2 by HCR_EL2.TSC has ELR = the SMC itself
 * (Arm ARM D1.4.1 preferred return), every other SMC/HVC has ELR = the next instruction.
 * Result in retLo/retHi.
 */
export function callReturnPoint(cpu: CpuState, conduit: Conduit, targetEl: number): void {
  const s = cpu.s;
  let lo = s[L.ELR_EL + 2 * targetEl]!, hi = s[L.ELR_EL + 2 * targetEl + 1]!;
  if (conduit === Conduit.Smc && targetEl === 2) {
    const sum = (lo >>> 0) + 4;
    lo = sum | 0;
    if (sum > 0xffffffff) hi = (hi + 1) | 0;
  }
  retLo = lo; retHi = hi;
}

/** Display name of a function ID: the FF-A or SMCCC/PSCI name, else hex. */
export function callName(fid: number): string {
  return smcFunctionName(fid >>> 0) ?? `0x${(fid >>> 0).toString(16).padStart(8, '0')}`;
}

/** True when w0 is in the FF-A function range (DEN0077A: fast call, standard service, 0x60-0xFF). */
export function isFfaCall(fid: number): boolean { return isFfaFunction(fid | 0); }

/**
 * Calls waiting for their result, newest last. When full, the oldest is forgotten (a call that never
 * returns: PSCI CPU_OFF, SYSTEM_OFF...).
 */
export class PendingCalls {
  private readonly el: Uint8Array;
  private readonly sec: Uint8Array;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly id: Int32Array;
  private n = 0;

  constructor(readonly capacity = 64) {
    this.el = new Uint8Array(capacity);
    this.sec = new Uint8Array(capacity);
    this.lo = new Int32Array(capacity);
    this.hi = new Int32Array(capacity);
    this.id = new Int32Array(capacity);
  }

  get size(): number { return this.n; }

  /** A call from (el, secure) that returns to lo:hi. */
  push(el: number, secure: boolean, lo: number, hi: number, id: number): void {
    if (this.n === this.capacity) {
      this.el.copyWithin(0, 1); this.sec.copyWithin(0, 1); this.lo.copyWithin(0, 1); this.hi.copyWithin(0, 1); this.id.copyWithin(0, 1);
      this.n--;
    }
    const i = this.n++;
    this.el[i] = el; this.sec[i] = secure ? 1 : 0; this.lo[i] = lo; this.hi[i] = hi; this.id[i] = id;
  }

  /** The id of the newest pending call returning to (el, secure, lo:hi), removed; -1 if none. */
  match(el: number, secure: boolean, lo: number, hi: number): number {
    const sv = secure ? 1 : 0;
    for (let i = this.n - 1; i >= 0; i--) {
      if (this.lo[i] === lo && this.hi[i] === hi && this.el[i] === el && this.sec[i] === sv) {
        const id = this.id[i]!;
        const last = this.n - 1;
        if (i < last) {
          this.el.copyWithin(i, i + 1, this.n); this.sec.copyWithin(i, i + 1, this.n); this.lo.copyWithin(i, i + 1, this.n);
          this.hi.copyWithin(i, i + 1, this.n); this.id.copyWithin(i, i + 1, this.n);
        }
        this.n--;
        return id;
      }
    }
    return -1;
  }

  clear(): void { this.n = 0; }
}
