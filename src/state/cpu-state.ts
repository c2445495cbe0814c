/**
 * The architectural state of one PE: one ArrayBuffer (layout.ts) and typed views over it.
 * Hot paths use `s` (Int32Array) with the named offsets directly; the BigInt accessors here are
 * for the API edge, tests and cold paths only.
 */
import * as L from './layout.js';

export type ExceptionObserver = (cpu: CpuState, fromEl: number, fromSecure: boolean, targetEl: number, vectorOffset: number, esr: number) => void;
export type ReturnObserver = (cpu: CpuState, fromEl: number, fromSecure: boolean, illegal: boolean) => void;

export class CpuState {
  readonly buffer: ArrayBuffer;
  /** Int32 view: the hot-path view (64-bit values as two halves). */
  readonly s: Int32Array;
  /** Uint32 view of the same words. */
  readonly u: Uint32Array;
  /** Float64 view: counters at CYCLES/INSTRET/CYCLES_BY_EL (index = word offset / 2). */
  readonly f: Float64Array;

  /** Cycles charged for taking an exception and for ERET (set from the timing profile). */
  exceptionEntryCycles = 0;
  exceptionReturnCycles = 0;
  /** Core clock (Hz) of the timing profile: the generic timer counts cycles * CNTFRQ / cpuHz. */
  cpuHz = 1_000_000_000;
  /** Optional observers (trace, API hooks); null = no cost. */
  onExceptionEntry: ExceptionObserver | null = null;
  onExceptionReturn: ReturnObserver | null = null;

  constructor(buffer: ArrayBuffer = new ArrayBuffer(L.STATE_BYTES)) {
    if (buffer.byteLength !== L.STATE_BYTES) {
      throw new RangeError(`CPU state buffer must be ${L.STATE_BYTES} bytes, got ${buffer.byteLength}`);
    }
    this.buffer = buffer;
    this.s = new Int32Array(buffer);
    this.u = new Uint32Array(buffer);
    this.f = new Float64Array(buffer);
  }

  /** Read a 64-bit slot (two halves) as an unsigned BigInt (API edge). */
  get64(off: number): bigint {
    return (BigInt(this.u[off + 1]!) << 32n) | BigInt(this.u[off]!);
  }

  /** Write a 64-bit slot from a BigInt (API edge). */
  set64(off: number, v: bigint): void {
    const x = BigInt.asUintN(64, v);
    this.u[off] = Number(x & 0xffffffffn);
    this.u[off + 1] = Number(x >> 32n);
  }

  /** X register n (0..30), or SP for n = 32 (the live SP). */
  x(n: number): bigint { return this.get64(L.X + 2 * n); }
  setX(n: number, v: bigint): void { this.set64(L.X + 2 * n, v); }

  get pc(): bigint { return this.get64(L.PC); }
  set pc(v: bigint) { this.set64(L.PC, v); }

  get el(): number { return this.s[L.PSTATE_EL]!; }

  /** Security state of the current EL: EL3 is Secure; below it, SCR_EL3.NS decides (Arm ARM D1.1). */
  get secure(): boolean { return isSecure(this.s); }

  get cycles(): number { return this.f[L.CYCLES >> 1]!; }
  get instructions(): number { return this.f[L.INSTRET >> 1]!; }

  /** NZCV packed as in the NZCV register / SPSR bits 31:28. */
  get nzcv(): number { return packNzcv(this.s); }

  /** A copy of the whole state (snapshot = copy, DESIGN practice 3). */
  snapshot(): ArrayBuffer { return this.buffer.slice(0); }
  restore(buf: ArrayBuffer): void { new Uint8Array(this.buffer).set(new Uint8Array(buf)); }
}

/** True when the PE is in Secure state: at EL3, or below it with SCR_EL3.NS == 0. */
export function isSecure(s: Int32Array): boolean {
  return s[L.PSTATE_EL] === 3 || (s[L.SCR_EL3]! & 1) === 0;
}

/** NZCV packed into bits 31:28 (ASL PSTATE.<N,Z,C,V>). */
export function packNzcv(s: Int32Array): number {
  return ((s[L.NF]! >>> 31) << 31 | (s[L.ZF] === 0 ? 1 : 0) << 30 | (s[L.CF]! & 1) << 29 |
    (s[L.VF]! >>> 31) << 28) >>> 0;
}

/** Unpack bits 31:28 into the four flag slots. */
export function unpackNzcv(s: Int32Array, v: number): void {
  s[L.NF] = (v >>> 31) << 31;
  s[L.ZF] = (v >>> 30) & 1 ? 0 : 1;
  s[L.CF] = (v >>> 29) & 1;
  s[L.VF] = ((v >>> 28) & 1) << 31;
}

/**
 * ASL GetPSRFromPSTATE for an AArch64 exception: SPSR_ELx bits (low 32; the high bits we do not model
 * are 0). M[3:0] = EL:SP, M[4] = 0 (AArch64).
 */
export function getPsrFromPstate(s: Int32Array): number {
  return (packNzcv(s) | (s[L.PSTATE_PAN]! & 1) << 22 | (s[L.PSTATE_SS]! & 1) << 21 |
    (s[L.PSTATE_IL]! & 1) << 20 | (s[L.PSTATE_DAIF]! & 0x3c0) |
    s[L.PSTATE_EL]! << 2 | (s[L.PSTATE_SP]! & 1)) >>> 0;
}

/**
 * Switch the live SP slot to the stack pointer selected by (el, spsel), saving the old one:
 * QEMU's aarch64_save_sp/aarch64_restore_sp, Arm ARM D1.2.2.1 (EL0 always uses SP_EL0).
 */
export function saveSp(s: Int32Array): void {
  const el = s[L.PSTATE_EL]!;
  const bank = s[L.PSTATE_SP]! ? el : 0;
  s[L.SP_EL + 2 * bank] = s[L.X + 2 * L.SP_SLOT]!;
  s[L.SP_EL + 2 * bank + 1] = s[L.X + 2 * L.SP_SLOT + 1]!;
}
export function restoreSp(s: Int32Array): void {
  const el = s[L.PSTATE_EL]!;
  const bank = s[L.PSTATE_SP]! ? el : 0;
  s[L.X + 2 * L.SP_SLOT] = s[L.SP_EL + 2 * bank]!;
  s[L.X + 2 * L.SP_SLOT + 1] = s[L.SP_EL + 2 * bank + 1]!;
}

/**
 * Charge the cycles since the last mark to the current (EL, world) bucket. Called before any change
 * of EL or Security state, so CYCLES_BY_EL partitions CYCLES exactly.
 */
export function accountElCycles(s: Int32Array, f: Float64Array): void {
  const now = f[L.CYCLES >> 1]!;
  const idx = (L.CYCLES_BY_EL >> 1) + s[L.PSTATE_EL]! + (isSecure(s) ? 4 : 0);
  f[idx] = f[idx]! + now - f[L.CYCLES_MARK >> 1]!;
  f[L.CYCLES_MARK >> 1] = now;
}
