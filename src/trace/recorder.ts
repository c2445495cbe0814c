/**
 * Records exception entries and returns, SMC/HVC calls paired with their results, and world
 * switches into a TraceRing, from the CPU's exception observers (shared through observers.ts).
 * Recording allocates nothing; decoding (names, BigInt) happens at export (perfetto.ts, text.ts).
 */
import * as L from '../state/layout.js';
import { type CpuState, isSecure } from '../state/cpu-state.js';
import { SCR_NS } from '../exceptions/routing.js';
import { addExceptionListener } from './observers.js';
import { Conduit, PendingCalls, callConduit, callReturnPoint, retHi, retLo } from './calls.js';
import { EventFlag, EventKind, TraceRing } from './ring.js';

export interface TraceRecorderOptions {
  /** Ring capacity in events (rounded up to a power of two; default 65536). */
  capacity?: number;
}

export class TraceRecorder {
  readonly ring: TraceRing;
  /** Core clock of the traced CPU (for cycles -> time). */
  readonly cpuHz: number;
  private readonly pending = new PendingCalls();
  private nextCallId = 1;
  private lastNs = 0;
  private detach: (() => void) | null = null;

  constructor(readonly cpu: CpuState, opts: TraceRecorderOptions = {}) {
    this.ring = new TraceRing(opts.capacity);
    this.cpuHz = cpu.cpuHz;
  }

  get recording(): boolean { return this.detach !== null; }

  /** Start recording (records a Start event with the current EL, world and PC). */
  start(): this {
    if (this.detach !== null) return this;
    const s = this.cpu.s;
    this.lastNs = s[L.SCR_EL3]! & SCR_NS;
    this.mark(EventKind.Start);
    this.detach = addExceptionListener(this.cpu, {
      entry: (c, fromEl, fromSecure, targetEl, offset, esr) => this.onEntry(c, fromEl, fromSecure, targetEl, offset, esr),
      ret: (c, fromEl, fromSecure, illegal) => this.onReturn(c, fromEl, fromSecure, illegal),
    });
    return this;
  }

  /** Stop recording (records an End event). */
  stop(): this {
    if (this.detach === null) return this;
    this.detach();
    this.detach = null;
    this.mark(EventKind.End);
    return this;
  }

  private mark(kind: EventKind): void {
    const s = this.cpu.s, r = this.ring;
    const i = r.next();
    const el = s[L.PSTATE_EL]!, sec = isSecure(s);
    r.kind[i] = kind; r.fromEl[i] = el; r.toEl[i] = el;
    r.flags[i] = sec ? EventFlag.FromSecure | EventFlag.ToSecure : 0;
    r.vec[i] = 0; r.esr[i] = 0; r.callId[i] = 0;
    r.pc[2 * i] = s[L.PC]!; r.pc[2 * i + 1] = s[L.PC + 1]!;
    r.elr[2 * i] = 0; r.elr[2 * i + 1] = 0;
    r.cycles[i] = this.cpu.cycles;
    this.copyArgs(i);
  }

  private copyArgs(i: number): void {
    const s = this.cpu.s, a = this.ring.args, o = 8 * i;
    for (let k = 0; k < 8; k++) a[o + k] = s[L.X + k]!;
  }

  private onEntry(cpu: CpuState, fromEl: number, fromSecure: boolean, targetEl: number, offset: number, esr: number): void {
    const s = cpu.s, r = this.ring;
    const conduit = callConduit(offset, esr);
    const i = r.next();
    let flags = (fromSecure ? EventFlag.FromSecure : 0) | (isSecure(s) ? EventFlag.ToSecure : 0);
    let id = 0;
    if (conduit !== Conduit.None) {
      id = this.nextCallId++;
      callReturnPoint(cpu, conduit, targetEl);
      this.pending.push(fromEl, fromSecure, retLo, retHi, id);
      flags |= EventFlag.Call | (conduit === Conduit.Hvc ? EventFlag.Hvc : 0);
    }
    r.kind[i] = EventKind.Entry; r.fromEl[i] = fromEl; r.toEl[i] = targetEl; r.flags[i] = flags;
    r.vec[i] = offset; r.esr[i] = esr; r.callId[i] = id;
    r.pc[2 * i] = s[L.PC]!; r.pc[2 * i + 1] = s[L.PC + 1]!;
    r.elr[2 * i] = s[L.ELR_EL + 2 * targetEl]!; r.elr[2 * i + 1] = s[L.ELR_EL + 2 * targetEl + 1]!;
    r.cycles[i] = cpu.cycles;
    this.copyArgs(i);
  }

  private onReturn(cpu: CpuState, fromEl: number, fromSecure: boolean, illegal: boolean): void {
    const s = cpu.s, r = this.ring;
    const toEl = s[L.PSTATE_EL]!, toSecure = isSecure(s);
    const pcLo = s[L.PC]!, pcHi = s[L.PC + 1]!;
    if (fromEl === 3 && toEl < 3) {
      const ns = s[L.SCR_EL3]! & SCR_NS;
      if (ns !== this.lastNs) {
        this.lastNs = ns;
        const w = r.next();
        r.kind[w] = EventKind.WorldSwitch; r.fromEl[w] = 3; r.toEl[w] = toEl;
        r.flags[w] = EventFlag.FromSecure | (toSecure ? EventFlag.ToSecure : 0);
        r.vec[w] = 0; r.esr[w] = 0; r.callId[w] = 0;
        r.pc[2 * w] = pcLo; r.pc[2 * w + 1] = pcHi; r.elr[2 * w] = 0; r.elr[2 * w + 1] = 0;
        r.cycles[w] = cpu.cycles;
        this.copyArgs(w);
      }
    }
    const id = illegal ? -1 : this.pending.match(toEl, toSecure, pcLo, pcHi);
    const i = r.next();
    r.kind[i] = EventKind.Return; r.fromEl[i] = fromEl; r.toEl[i] = toEl;
    r.flags[i] = (fromSecure ? EventFlag.FromSecure : 0) | (toSecure ? EventFlag.ToSecure : 0) |
      (illegal ? EventFlag.Illegal : 0) | (id > 0 ? EventFlag.Call : 0);
    r.vec[i] = 0; r.esr[i] = 0; r.callId[i] = id > 0 ? id : 0;
    r.pc[2 * i] = pcLo; r.pc[2 * i + 1] = pcHi; r.elr[2 * i] = 0; r.elr[2 * i + 1] = 0;
    r.cycles[i] = cpu.cycles;
    this.copyArgs(i);
  }
}
