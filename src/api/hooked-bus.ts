/**
 * Memory hooks without touching the memory hot path: while memory hooks exist, the instrumented loop
 * (exec/run-hooked.ts) hands instruction handlers a context whose `bus` is this wrapper; it forwards
 * every access to the real Bus and reports it. Without memory hooks handlers see the machine and its
 * Bus exactly as before. Native components keep using the real Bus: their accesses are not reported.
 */
import type { Bus } from '../memory/bus.js';
import { FAULT_ADDRESS_SIZE, FAULT_EXTERNAL, Region } from '../memory/bus.js';
import type { ExecContext, NativeCode, StopReason } from '../exec/context.js';
import type { CpuState } from '../state/cpu-state.js';

/** What the wrapper reports to (the hook manager). */
export interface MemoryObserver {
  /** Read hooks exist. */
  readOn: boolean;
  writeOn: boolean;
  invalidOn: boolean;
  /** After a successful read of `size` bytes at lo:hi; the value is vlo:vhi. */
  onRead(lo: number, hi: number, size: number, vlo: number, vhi: number): void;
  /** Before a write. */
  onWrite(lo: number, hi: number, size: number, vlo: number, vhi: number): void;
  /**
   * An access to an address with no RAM or device. Returns true when a hook handled it: for a read
   * the value is in `invalidLo/invalidHi`; a handled write is dropped.
   */
  onInvalid(write: boolean, lo: number, hi: number, size: number, vlo: number, vhi: number): boolean;
  invalidLo: number;
  invalidHi: number;
}

/** Is a fault value "nothing at this address" (as opposed to alignment, security or stage 2)? */
function unmapped(bus: Bus, fault: number, lo: number, hi: number): boolean {
  if (fault !== FAULT_EXTERNAL && fault !== FAULT_ADDRESS_SIZE) return false;
  return hi !== 0 || bus.regionOf(lo >>> 0) === Region.None;
}

export class HookedBus {
  hi = 0;
  fault = 0;
  constructor(readonly inner: Bus, private readonly obs: MemoryObserver) {}

  // Pass-throughs (the rest of Bus's public surface, for code that reaches past the access methods).
  get flash(): Uint8Array { return this.inner.flash; }
  get sram(): Uint8Array { return this.inner.sram; }
  get dram(): Uint8Array { return this.inner.dram; }
  get uart(): Bus['uart'] { return this.inner.uart; }
  get dramSize(): number { return this.inner.dramSize; }
  get codePages(): Uint8Array { return this.inner.codePages; }
  get onCodeWrite(): Bus['onCodeWrite'] { return this.inner.onCodeWrite; }
  get stage2Check(): Bus['stage2Check'] { return this.inner.stage2Check; }
  ram(pa: number, len: number): Uint8Array | null { return this.inner.ram(pa, len); }
  accessible(pa: number, len: number, secure: boolean): boolean { return this.inner.accessible(pa, len, secure); }
  regionOf(pa: number): Region { return this.inner.regionOf(pa); }
  load(pa: number, bytes: Uint8Array): void { this.inner.load(pa, bytes); }
  reset(): void { this.inner.reset(); }

  read(lo: number, hi: number, size: number, secure: boolean): number {
    const b = this.inner, o = this.obs;
    const v = b.read(lo, hi, size, secure);
    this.fault = b.fault;
    if (b.fault === 0) {
      if (o.readOn) o.onRead(lo, hi, size, v | 0, 0);
      return v;
    }
    if (o.invalidOn && unmapped(b, b.fault, lo, hi) && o.onInvalid(false, lo, hi, size, 0, 0)) {
      this.fault = 0;
      const m = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
      return (o.invalidLo & m) >>> 0;
    }
    return v;
  }

  read64(lo: number, hi: number, secure: boolean): number {
    const b = this.inner, o = this.obs;
    const v = b.read64(lo, hi, secure);
    this.fault = b.fault; this.hi = b.hi;
    if (b.fault === 0) {
      if (o.readOn) o.onRead(lo, hi, 8, v, b.hi);
      return v;
    }
    if (o.invalidOn && unmapped(b, b.fault, lo, hi) && o.onInvalid(false, lo, hi, 8, 0, 0)) {
      this.fault = 0; this.hi = o.invalidHi | 0;
      return o.invalidLo | 0;
    }
    return v;
  }

  write(lo: number, hi: number, size: number, value: number, secure: boolean): void {
    const b = this.inner, o = this.obs;
    if (o.writeOn) o.onWrite(lo, hi, size, value, 0);
    b.write(lo, hi, size, value, secure);
    this.fault = b.fault;
    if (b.fault !== 0 && o.invalidOn && unmapped(b, b.fault, lo, hi) && o.onInvalid(true, lo, hi, size, value, 0)) this.fault = 0;
  }

  write64(lo: number, hi: number, vlo: number, vhi: number, secure: boolean): void {
    const b = this.inner, o = this.obs;
    if (o.writeOn) o.onWrite(lo, hi, 8, vlo, vhi);
    b.write64(lo, hi, vlo, vhi, secure);
    this.fault = b.fault;
    if (b.fault !== 0 && o.invalidOn && unmapped(b, b.fault, lo, hi) && o.onInvalid(true, lo, hi, 8, vlo, vhi)) this.fault = 0;
  }
}

/**
 * The context instruction handlers get while memory hooks exist: the machine's, with the hooked bus.
 * Stop requests and semihosting go to the machine.
 */
export class HookedContext implements ExecContext {
  readonly bus: Bus;
  constructor(private readonly m: ExecContext, bus: HookedBus) {
    // HookedBus implements Bus's whole public surface (the private helpers are not reachable).
    this.bus = bus as unknown as Bus;
  }
  get cpu(): CpuState { return this.m.cpu; }
  get opCycles(): Int32Array { return this.m.opCycles; }
  get natives(): (NativeCode | undefined)[] { return this.m.natives; }
  get stopReason(): StopReason { return this.m.stopReason; }
  set stopReason(r: StopReason) { this.m.stopReason = r; }
  get exitCode(): number { return this.m.exitCode; }
  set exitCode(c: number) { this.m.exitCode = c; }
  get semihosting(): boolean { return this.m.semihosting; }
  semihostOut(byte: number): void { this.m.semihostOut(byte); }
}
