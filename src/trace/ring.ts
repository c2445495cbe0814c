/**
 * The trace event ring buffer: preallocated typed arrays, one column per field, written by the
 * recorder (recorder.ts) without allocating. When full, the oldest events are overwritten and counted
 * in `dropped`. Readers get decoded `TraceEvent` objects (export time, not recording time).
 */

/** Event kinds. */
export const enum EventKind {
  /** Where the trace starts: the PE's EL, world and PC when recording began. */
  Start = 1,
  /** An exception entry (AArch64.TakeException). */
  Entry = 2,
  /** An exception return (ERET), legal or illegal. */
  Return = 3,
  /** SCR_EL3.NS differs at an ERET from EL3 from its value at the previous one: a world switch. */
  WorldSwitch = 4,
  /** Where the trace ends (TraceRecorder.stop / export): the PE's state at that moment. */
  End = 5,
}

/** Flag bits. */
export const enum EventFlag {
  FromSecure = 1,
  ToSecure = 2,
  Illegal = 4,
  /** Entry: an SMC/HVC call (callId set); Return: the result of call callId. */
  Call = 8,
  Hvc = 16,
}

/** One decoded event. 64-bit values are BigInt (export-time convenience). */
export interface TraceEvent {
  kind: EventKind;
  /** Cycle counter at the event (after the entry/return cost was charged). */
  cycles: number;
  fromEl: number;
  fromSecure: boolean;
  toEl: number;
  toSecure: boolean;
  /** Entry: vector offset (0x000-0x780). */
  vectorOffset: number;
  /** Entry: ESR written (sync/SError), else 0. */
  esr: number;
  /** PC after the event (the vector, the ERET target). */
  pc: bigint;
  /** Entry: ELR written (the preferred return address). */
  elr: bigint;
  illegal: boolean;
  /** Call id (1, 2, ...) for a call entry or its result, else 0. */
  callId: number;
  /** Entry of a call: 'smc' | 'hvc'. */
  conduit: 'smc' | 'hvc' | null;
  /** x0..x3 at the event (the call's arguments at entry, the results at its return). */
  x: [bigint, bigint, bigint, bigint];
}

const ARGS = 8;   // x0..x3 as lo/hi halves

export class TraceRing {
  readonly capacity: number;
  private readonly mask: number;
  readonly kind: Uint8Array;
  readonly fromEl: Uint8Array;
  readonly toEl: Uint8Array;
  readonly flags: Uint8Array;
  readonly vec: Uint16Array;
  readonly esr: Int32Array;
  readonly pc: Int32Array;      // lo, hi
  readonly elr: Int32Array;     // lo, hi
  readonly callId: Int32Array;
  readonly cycles: Float64Array;
  readonly args: Int32Array;    // x0..x3 lo/hi
  /** Events written in total (the newest is at (written - 1) & mask). */
  written = 0;

  /** `capacity` is rounded up to a power of two (default 65536 events, about 4.5 MiB). */
  constructor(capacity = 1 << 16) {
    let c = 16;
    while (c < capacity) c <<= 1;
    this.capacity = c;
    this.mask = c - 1;
    this.kind = new Uint8Array(c);
    this.fromEl = new Uint8Array(c);
    this.toEl = new Uint8Array(c);
    this.flags = new Uint8Array(c);
    this.vec = new Uint16Array(c);
    this.esr = new Int32Array(c);
    this.pc = new Int32Array(2 * c);
    this.elr = new Int32Array(2 * c);
    this.callId = new Int32Array(c);
    this.cycles = new Float64Array(c);
    this.args = new Int32Array(ARGS * c);
  }

  /** Events currently held. */
  get size(): number { return Math.min(this.written, this.capacity); }
  /** Events overwritten because the ring was full. */
  get dropped(): number { return Math.max(0, this.written - this.capacity); }

  /** Claim the next slot; the caller fills the columns at the returned index. */
  next(): number { return this.written++ & this.mask; }

  clear(): void { this.written = 0; }

  /** Decode the event at ring index `i`. */
  event(i: number): TraceEvent {
    const fl = this.flags[i]!;
    const a = ARGS * i;
    const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    return {
      kind: this.kind[i]! as EventKind,
      cycles: this.cycles[i]!,
      fromEl: this.fromEl[i]!,
      fromSecure: (fl & EventFlag.FromSecure) !== 0,
      toEl: this.toEl[i]!,
      toSecure: (fl & EventFlag.ToSecure) !== 0,
      vectorOffset: this.vec[i]!,
      esr: this.esr[i]! >>> 0,
      pc: u64(this.pc[2 * i]!, this.pc[2 * i + 1]!),
      elr: u64(this.elr[2 * i]!, this.elr[2 * i + 1]!),
      illegal: (fl & EventFlag.Illegal) !== 0,
      callId: this.callId[i]!,
      conduit: this.kind[i] === EventKind.Entry && (fl & EventFlag.Call) !== 0 ? ((fl & EventFlag.Hvc) !== 0 ? 'hvc' : 'smc') : null,
      x: [u64(this.args[a]!, this.args[a + 1]!), u64(this.args[a + 2]!, this.args[a + 3]!),
        u64(this.args[a + 4]!, this.args[a + 5]!), u64(this.args[a + 6]!, this.args[a + 7]!)],
    };
  }

  /** The held events, oldest first. */
  events(): TraceEvent[] {
    const out: TraceEvent[] = [];
    const n = this.size;
    for (let k = this.written - n; k < this.written; k++) out.push(this.event(k & this.mask));
    return out;
  }
}
