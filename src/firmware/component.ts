/**
 * The one contract every native firmware component keeps (DESIGN practice 8; pKVM's
 * handle(ctx) -> handled | forward): it *is* the code on an EL's vectors. When the PE takes an
 * exception to that EL (PC = its vector base + offset), `onException(offset)` runs on the
 * architectural state (ESR/ELR/SPSR/x0-x17) and must leave by
 *   - `eret()`: a real exception return (with its cycles), or
 *   - issuing an instruction (SMC/HVC/SVC) that takes the next exception: `issueTail` (the reply comes
 *     back later at `onResume(site + 4)`) or `call` (a nested run until control is back here).
 * A component never calls another component: every hop is an exception entry or an ERET.
 */
import * as L from '../state/layout.js';
import type { CpuState } from '../state/cpu-state.js';
import type { Bus } from '../memory/bus.js';
import { exceptionReturn } from '../exceptions/eret.js';
import type { NativeCode, StopReason } from '../exec/context.js';
import type { TimingProfile } from '../timing/profile.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { CYCLES, ELR_EL, ESR_EL, PC } = L;

/** What a native component needs from the machine (implemented by machine/machine.ts). */
export interface NativePlatform {
  readonly cpu: CpuState;
  readonly bus: Bus;
  readonly config: { readonly timing: TimingProfile };
  attachNative(code: NativeCode): number;
  /** Execute `word` at the current PC, then run until control returns to PC+4 at this EL. */
  executeAndReturn(word: number): StopReason;
  /** Execute `word` at the current PC and return at once (the exception it takes runs later). */
  executeOnly(word: number): void;
}

/** Instruction words native code issues (reference arch-and-cycles.md 6.5). */
export const enum Insn {
  SMC0 = 0xd4000003 | 0,
  HVC0 = 0xd4000002 | 0,
  SVC0 = 0xd4000001 | 0,
}
export function smcWord(imm: number): number { return (0xd4000003 | ((imm & 0xffff) << 5)) | 0; }
export function hvcWord(imm: number): number { return (0xd4000002 | ((imm & 0xffff) << 5)) | 0; }
export function svcWord(imm: number): number { return (0xd4000001 | ((imm & 0xffff) << 5)) | 0; }

/** Start of the call-site area in a component's code window (vectors occupy 0x000-0x7FF). */
export const CALL_SITES = 0x1000;

export abstract class NativeComponent implements NativeCode {
  abstract readonly name: string;
  abstract readonly el: number;
  abstract readonly secure: boolean;
  protected p!: NativePlatform;
  protected s!: Int32Array;
  /** The counters' float64 view (cpu.f), bound at attach. */
  protected f!: Float64Array;
  /** High half of this component's code window (its PC and vector base). */
  pcHi = 0;
  id = -1;

  /** Bind to a machine. The machine (not the component) decides which VBAR points here. */
  attach(p: NativePlatform): void {
    this.p = p;
    this.s = p.cpu.s;
    this.f = p.cpu.f;
    this.id = p.attachNative(this);
    this.pcHi = (0xfff0_0000 | this.id) | 0;
  }

  /** The VBAR_ELx value that makes this component the code on the EL's vectors. */
  get vectorBase(): bigint { return BigInt(this.pcHi >>> 0) << 32n; }
  /** Address of a call site in this component's window (for ELRs and entry points). */
  siteAddress(site: number): bigint { return (BigInt(this.pcHi >>> 0) << 32n) | BigInt(site >>> 0); }

  enter(pcLo: number): void {
    this.deferEret = 0;
    if ((pcLo >>> 0) < 0x800) this.onException(pcLo);
    else this.onResume(pcLo);
  }

  /**
   * `enter` for translated code (exec/jit/translate.ts nativeInline): an `eret()` of this entry only
   * records the return, and the caller makes it (the same AArch64.ExceptionReturn, inline) at once
   * when this returns true. Exact because `eret()` is a component's last action on the state.
   */
  enterDeferringEret(pcLo: number): boolean {
    this.deferEret = 1;
    if ((pcLo >>> 0) < 0x800) this.onException(pcLo);
    else this.onResume(pcLo);
    const d = this.deferEret;
    this.deferEret = 0;
    return d === 2;
  }

  /** An exception was taken to this component's EL; `offset` is the vector offset (0x400 = sync, lower EL). */
  abstract onException(offset: number): void;

  /** Control came back to `pcLo` (= a call site + 4) after `issueTail`, or to an entry point. */
  onResume(pcLo: number): void {
    throw new Error(`${this.name}: no code at resume address 0x${(pcLo >>> 0).toString(16)}`);
  }

  // ---- helpers on the architectural state (allocation-free) ----

  /**
   * 0, or 1 while `enterDeferringEret` runs (2 once `eret()` was deferred): see there. `enter` clears
   * it (an entry from the run loop, also after an entry that threw), `call` for its nested run.
   */
  private deferEret = 0;

  /** ERET from this EL (AArch64.ExceptionReturn). */
  protected eret(): void {
    if (this.deferEret !== 0) { this.deferEret = 2; return; }
    exceptionReturn(this.p.cpu);
  }

  /** ELR_ELx += 4 for this EL (skip a trapped instruction, as kvm_skip_host_instr does). */
  protected skipInstruction(): void {
    const s = this.s, o = ELR_EL + 2 * this.el;
    const lo = (s[o]! >>> 0) + 4;
    s[o] = lo | 0;
    if (lo > 0xffffffff) s[o + 1] = (s[o + 1]! + 1) | 0;
  }

  /** ESR_ELx of this EL. */
  protected esr(): number { return this.s[ESR_EL + 2 * this.el]!; }

  /** Low / high half of Xn. */
  protected xlo(n: number): number { return this.s[2 * n]!; }
  protected xhi(n: number): number { return this.s[2 * n + 1]!; }
  protected setX(n: number, lo: number, hi: number): void { this.s[2 * n] = lo; this.s[2 * n + 1] = hi; }
  /** Write a 32-bit value zero-extended (a W register result). */
  protected setW(n: number, v: number): void { this.s[2 * n] = v; this.s[2 * n + 1] = 0; }
  /** Write a negative status sign-extended to 64 bits (SMCCC/FF-A error codes in X registers). */
  protected setXs(n: number, v: number): void { this.s[2 * n] = v; this.s[2 * n + 1] = v < 0 ? -1 : 0; }

  /** Charge cycles for the work this native code models. */
  protected charge(cycles: number): void {
    const f = this.f, i = CYCLES >> 1;
    f[i] = f[i]! + cycles;
  }

  /** Place the PC at a call site of this component (before issuing an instruction from there). */
  protected atSite(site: number): void { this.s[PC] = site; this.s[PC + 1] = this.pcHi; }

  /** Issue `word` from `site`; the reply arrives later at onResume(site + 4). */
  protected issueTail(word: number, site: number): void {
    this.atSite(site);
    this.p.executeOnly(word);
  }

  /**
   * Issue `word` from `site` and wait (a nested run) until control is back at site + 4. Returns the
   * stop reason: StopReason.Returned (5) when the call came back.
   */
  protected call(word: number, site: number): StopReason {
    this.atSite(site);
    const defer = this.deferEret;
    this.deferEret = 0;
    const r = this.p.executeAndReturn(word);
    this.deferEret = defer;
    return r;
  }
}
