/**
 * The host's SMCCC conduit with a recorder: every call goes out as a real SMC or HVC from EL1 through
 * HostCaller (decode, routing, traps, pKVM, EL3, the SPMC), and comes back as a `HostCallRecord`:
 * registers in and out, cycles, the EL path it took (from the CPU's exception entry/return
 * observers) and which EL produced the answer.
 *
 * `Conduit` is the interface the host-kernel model codes against, so the driver logic can be unit
 * tested with a scripted conduit and no machine.
 */
import type { CpuState } from '../../state/cpu-state.js';
import { isSecure } from '../../state/cpu-state.js';
import * as L from '../../state/layout.js';
import type { HostCaller } from './caller.js';

/** An EL as the report prints it: EL0..EL3 in Non-secure state, S-EL0..S-EL2 in Secure state. */
export type ElLabel = 'EL0' | 'EL1' | 'EL2' | 'EL3' | 'S-EL0' | 'S-EL1' | 'S-EL2';

export function elLabel(el: number, secure: boolean): ElLabel {
  if (el === 3) return 'EL3';
  return `${secure ? 'S-' : ''}EL${el}` as ElLabel;
}

/** One SMC/HVC the host issued. Registers are 64-bit values, x0..x17. */
export interface HostCallRecord {
  /** Sequence number within the run (0-based). */
  seq: number;
  conduit: 'smc' | 'hvc';
  /** Who issued it: an initcall or driver ("ffa_init", "tpm_crb_ffa probe"). */
  caller: string;
  args: bigint[];
  result: bigint[];
  /** CPU cycle counter before the call, and cycles the call took (entry to return at EL1). */
  cycleStart: number;
  cycles: number;
  /** The ELs that ran, in order: ["EL1","EL2","EL3","S-EL1","EL3","EL2","EL1"]. */
  path: ElLabel[];
  /** The EL whose registers came back unchanged to EL1 (the one that produced the reply). */
  answeredBy: ElLabel;
  /** An exception the call raised at EL1 instead of returning (UNDEFINED HVC...), or null. */
  exception: { ec: number; esr: number } | null;
}

/** What the host-kernel model needs from its conduit. */
export interface Conduit {
  /** Issue SMC #0 with x0..x17 = args (missing = 0); return the record (result = x0..x17 after). */
  smc(args: readonly bigint[], caller: string): HostCallRecord;
  /** Issue HVC #0 likewise. */
  hvc(args: readonly bigint[], caller: string): HostCallRecord;
  /** Current cycle count (for log lines). */
  cycles(): number;
}

/** One hop seen by the observers: the EL that handed control on, the EL that got it, and x0..x7 then. */
interface Hop {
  from: ElLabel;
  to: ElLabel;
  regs: Int32Array;
}

const REPLY_WORDS = 16; // x0..x7 as halves: enough to tell a reply from a request

/**
 * A Conduit over a HostCaller. It installs exception observers on the CPU (chaining any that were
 * there) and keeps every call record in `records`. `dispose()` restores the previous observers.
 */
export class HostConduit implements Conduit {
  readonly records: HostCallRecord[] = [];
  private readonly cpu: CpuState;
  private path: ElLabel[] | null = null;
  private hops: Hop[] = [];
  private readonly prevEntry: CpuState['onExceptionEntry'];
  private readonly prevReturn: CpuState['onExceptionReturn'];
  /** Called after each record is made (logging, live traces). */
  onRecord: ((r: HostCallRecord) => void) | null = null;

  constructor(private readonly host: HostCaller, cpu: CpuState) {
    this.cpu = cpu;
    this.prevEntry = cpu.onExceptionEntry;
    this.prevReturn = cpu.onExceptionReturn;
    cpu.onExceptionEntry = (c, fromEl, fromSecure, targetEl, off, esr) => {
      this.prevEntry?.(c, fromEl, fromSecure, targetEl, off, esr);
      if (this.path === null) return;
      const to = elLabel(targetEl, isSecure(c.s));
      this.hops.push({ from: elLabel(fromEl, fromSecure), to, regs: c.s.slice(L.X, L.X + REPLY_WORDS) });
      this.path.push(to);
    };
    cpu.onExceptionReturn = (c, fromEl, fromSecure, illegal) => {
      this.prevReturn?.(c, fromEl, fromSecure, illegal);
      if (this.path === null) return;
      const to = elLabel(c.s[L.PSTATE_EL]!, isSecure(c.s));
      this.hops.push({ from: elLabel(fromEl, fromSecure), to, regs: c.s.slice(L.X, L.X + REPLY_WORDS) });
      this.path.push(to);
    };
  }

  dispose(): void {
    this.cpu.onExceptionEntry = this.prevEntry;
    this.cpu.onExceptionReturn = this.prevReturn;
  }

  cycles(): number { return this.cpu.cycles; }

  smc(args: readonly bigint[], caller: string): HostCallRecord { return this.issue('smc', args, caller); }
  hvc(args: readonly bigint[], caller: string): HostCallRecord { return this.issue('hvc', args, caller); }

  private issue(conduit: 'smc' | 'hvc', args: readonly bigint[], caller: string): HostCallRecord {
    const host = this.host;
    host.setArgs(args);
    const full: bigint[] = [];
    for (let i = 0; i < 18; i++) full.push(host.getX(i));
    const start = this.cpu.cycles;
    this.path = ['EL1'];
    this.hops = [];
    const r = conduit === 'smc' ? host.smc() : host.hvc();
    const path = this.path;
    this.path = null;
    const result: bigint[] = [];
    for (let i = 0; i < 18; i++) result.push(host.getX(i));
    const rec: HostCallRecord = {
      seq: this.records.length,
      conduit,
      caller,
      args: full,
      result,
      cycleStart: start,
      cycles: this.cpu.cycles - start,
      path,
      answeredBy: answerer(this.hops, this.cpu.s),
      exception: r.exception === null ? null : { ec: r.exception.ec, esr: r.exception.esr },
    };
    this.records.push(rec);
    this.onRecord?.(rec);
    return rec;
  }
}

/**
 * The EL that produced the reply. The reply is what came back to EL1 (x0..x7); the hops at the end of
 * the path that carried it unchanged are the candidates, deepest first. A candidate EL answered if the
 * request it last received was the host's own request (x0..x7 as issued): a call pKVM passes through
 * is answered by the SPMC (S-EL1), while one pKVM handles itself (the gate, FFA_VERSION, RXTX_MAP with
 * its own buffers) is answered by EL2 even when its reply happens to equal what EL3 told it. If no
 * candidate saw the host's request unchanged, the EL that returned to EL1 answered.
 */
function answerer(hops: readonly Hop[], s: Int32Array): ElLabel {
  const same = (a: Int32Array, b: ArrayLike<number>, off: number): boolean => {
    for (let k = 0; k < REPLY_WORDS; k++) if (a[k] !== b[off + k]) return false;
    return true;
  };
  if (hops.length === 0) return 'EL1';
  let start = hops.length;
  while (start > 0 && same(hops[start - 1]!.regs, s, L.X)) start--;
  if (start === hops.length) return hops[hops.length - 1]!.from;
  const request = hops[0]!.regs;
  for (let i = start; i < hops.length; i++) {
    const el = hops[i]!.from;
    for (let j = i - 1; j >= 0; j--) {
      if (hops[j]!.to !== el) continue;
      if (same(hops[j]!.regs, request, 0)) return el;
      break;
    }
  }
  return hops[hops.length - 1]!.from;
}
