/**
 * The Non-secure EL1 host as native code: it issues SMC/HVC (and anything else) from EL1 through the
 * real decode, routing and trap path, and catches the exceptions that come back to its own EL1
 * vectors (an UNDEFINED HVC, a data abort from stage 2...). Test vectors and the host-kernel model
 * (firmware/host/kernel.ts) drive the machine through it.
 */
import * as L from '../../state/layout.js';
import { StopReason } from '../../exec/context.js';
import { NativeComponent, CALL_SITES, hvcWord, smcWord, svcWord } from '../component.js';
import { SnapshotError, type SnapshotState, type StateReader, type StateWriter, loadPart, savePart } from '../../state/snapshot-codec.js';

/** The outcome of one host call. */
export interface HostCallResult {
  /** StopReason.Returned (5) when control came back to the host normally. */
  stop: StopReason;
  /** Set when the call raised an exception at the host's own EL1 instead of returning. */
  exception: { el: number; ec: number; esr: number } | null;
}

/** Call sites in the host's code window: one per conduit, so ELR values in traces say which. */
export const enum HostSite { Smc = CALL_SITES, Hvc = CALL_SITES + 0x10, Svc = CALL_SITES + 0x20, Entry = CALL_SITES + 0x100 }

export class HostCaller extends NativeComponent implements SnapshotState {
  readonly name = 'host';
  readonly el = 1;
  readonly secure = false;
  /** The exception taken to EL1 during the last call, if any (reset by each call). */
  private caught: { el: number; ec: number; esr: number } | null = null;
  /** Number of exceptions the host caught (its vectors ran). */
  exceptionsCaught = 0;

  /** Issue `SMC #imm` from EL1 with x0-x17 as currently set; results are in x0-x17 afterwards. */
  smc(imm = 0): HostCallResult { return this.issue(smcWord(imm), HostSite.Smc); }
  /** Issue `HVC #imm` from EL1. */
  hvc(imm = 0): HostCallResult { return this.issue(hvcWord(imm), HostSite.Hvc); }
  /** Issue `SVC #imm` from EL1 (taken at EL1 itself: lands on the host's own vector). */
  svc(imm = 0): HostCallResult { return this.issue(svcWord(imm), HostSite.Svc); }

  private issue(word: number, site: number): HostCallResult {
    this.caught = null;
    this.charge(this.p.config.timing.native.hostCall);
    const stop = this.call(word, site);
    return { stop, exception: this.caught };
  }

  /** Registers at the API edge (the host's view of x0-x17). */
  getX(n: number): bigint { return (BigInt(this.s[2 * n + 1]! >>> 0) << 32n) | BigInt(this.s[2 * n]! >>> 0); }
  putX(n: number, v: bigint): void {
    const x = BigInt.asUintN(64, v);
    this.s[2 * n] = Number(x & 0xffffffffn) | 0;
    this.s[2 * n + 1] = Number(x >> 32n) | 0;
  }
  /** Set x0-x17 from an array (missing entries are 0), as SMCCC v1.2 callers do. */
  setArgs(args: readonly bigint[]): void { for (let i = 0; i < 18; i++) this.putX(i, args[i] ?? 0n); }

  /**
   * An exception came to EL1 (the host's vectors). The host records it and resumes after the
   * instruction that caused it (a fixup, as Linux does for an UNDEFINED SMC/HVC probe), so the call
   * that raised it completes with `exception` set.
   */
  onException(offset: number): void {
    const s = this.s;
    const esr = s[L.ESR_EL + 2]!;
    this.caught = { el: 1, ec: (esr >>> 26) & 0x3f, esr };
    this.exceptionsCaught++;
    if ((offset & 0x180) === 0) {
      // Synchronous: ELR is the faulting instruction (UNDEFINED, abort) or the next one (SVC).
      const ec = (esr >>> 26) & 0x3f;
      if (ec !== 0x15) this.skipInstruction();
    }
    this.eret();
  }

  // ---- snapshots (machine/snapshot.ts; cold path) ----

  /** Format version of saveState(); subclasses with state of their own extend saveTo/readFrom. */
  static readonly STATE_VERSION = 1;
  saveState(): Uint8Array { return savePart(HostCaller.STATE_VERSION, this); }
  loadState(bytes: Uint8Array): void { loadPart(this.name, HostCaller.STATE_VERSION, this, bytes); }

  saveTo(w: StateWriter): void {
    w.opt(this.caught, (c) => { w.f64(c.el); w.f64(c.ec); w.i32(c.esr); });
    w.f64(this.exceptionsCaught);
  }

  readFrom(r: StateReader): () => void {
    const caught = r.opt('caught', () => ({ el: r.f64('caught el'), ec: r.f64('caught ec'), esr: r.i32('caught esr') }));
    const n = r.f64('exceptionsCaught');
    if (!(n >= 0)) throw new SnapshotError('INVALID', `${this.name}: exceptionsCaught ${n}`);
    return () => { this.caught = caught; this.exceptionsCaught = n; };
  }
}
