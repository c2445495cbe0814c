/**
 * Physical memory: RAM regions as typed arrays, the PL011, and the faults an access can raise.
 * MMU off (a non-goal to model stage 1), so addresses are physical. Data accesses with stage 1 off are
 * Device-nGnRnE (Arm ARM D8.2.11 / B2.x "behaviour of accesses when stage 1 is disabled"), so every
 * unaligned data access takes an Alignment fault (DFSC 0x21) -- QEMU does not model this.
 *
 * Accessors allocate nothing: a 64-bit read returns the low half and leaves the high half in `hi`; a
 * failed access returns 0 and leaves a nonzero fault status in `fault` (DFSC/IFSC value + 1, so 0 means
 * no fault). Callers check `fault` after each access.
 */
import { Pl011 } from './pl011.js';
import * as M from './map.js';

/** Region ids (index into the region tables). */
export const enum Region { None = 0, Flash = 1, SecureRam = 2, Dram = 3, Uart = 4 }

/** Fault values stored in Bus.fault: FSC + 1. */
export const FAULT_NONE = 0;
export const FAULT_ADDRESS_SIZE = 0x00 + 1;  // Address size fault, level 0 (PA above PARange)
export const FAULT_EXTERNAL = 0x10 + 1;      // Synchronous External abort (no device / secure-only region)
export const FAULT_ALIGNMENT = 0x21 + 1;
/**
 * Flag on a fault value: the access failed at stage 2 (the pKVM host stage 2), not at the bus.
 * `(FSC + 1) | FAULT_STAGE2` is routed to EL2 as a Data Abort from a lower EL (EC 0x24) with FAR_EL2
 * and HPFAR_EL2 (exec/raise.ts dataAbort; Arm ARM D1.4.x "stage 2 aborts are taken to EL2").
 */
export const FAULT_STAGE2 = 0x100;
/** A stage-2 fault value for a DFSC (Translation L3 = 0x07, Permission L3 = 0x0F ...). */
export function stage2Fault(fsc: number): number { return ((fsc & 0x3f) + 1) | FAULT_STAGE2; }

export class Bus {
  readonly flash: Uint8Array;
  readonly sram: Uint8Array;
  readonly dram: Uint8Array;
  readonly uart = new Pl011();
  readonly dramSize: number;
  private readonly views: { u8: Uint8Array; dv: DataView; i32: Int32Array; base: number; size: number; secureOnly: boolean }[];
  /** High half of the last 64-bit read. */
  hi = 0;
  /** Fault status of the last access (FAULT_* = FSC + 1), 0 if it succeeded. */
  fault = 0;
  /**
   * Code-page tracking for the predecode cache: a flag byte per 4 KiB physical page below 4 GiB; a write
   * to a flagged page calls `onCodeWrite(page)` (DESIGN practice 2).
   */
  readonly codePages = new Uint8Array(1 << 20);
  onCodeWrite: ((page: number) => void) | null = null;
  /**
   * Host-side access checks for non-secure DRAM data accesses (pKVM host stage 2 once finalised):
   * returns a fault value (FAULT_*, usually `stage2Fault(fsc)`), or 0 to allow. null = no check (no
   * cost). The installer decides which ELs it applies to (stage 2 does not translate EL2's own accesses).
   */
  stage2Check: ((pa: number, write: boolean) => number) | null = null;

  constructor(dramSize: number = M.DEFAULT_DRAM_SIZE) {
    if (dramSize <= 0 || dramSize % 4096 !== 0 || dramSize > 0xc000_0000) {
      throw new RangeError(`DRAM size must be a positive multiple of 4096 up to 3 GiB, got ${dramSize}`);
    }
    this.dramSize = dramSize;
    this.flash = new Uint8Array(M.FLASH_SIZE);
    this.sram = new Uint8Array(M.SECURE_RAM_SIZE);
    this.dram = new Uint8Array(dramSize);
    const mk = (u8: Uint8Array, base: number, secureOnly: boolean) => ({
      u8, dv: new DataView(u8.buffer), i32: new Int32Array(u8.buffer), base, size: u8.length, secureOnly,
    });
    // Order = lookup order; DRAM first (the common case).
    this.views = [mk(this.dram, M.DRAM_BASE, false), mk(this.sram, M.SECURE_RAM_BASE, true), mk(this.flash, M.FLASH_BASE, true)];
  }

  /**
   * Find the RAM region holding [pa, pa+size) for an access from the given Security state; returns the
   * region's index into `views`, -1 for the UART, or -2 with `fault` set.
   */
  private locate(lo: number, hi: number, size: number, secure: boolean): number {
    if (hi !== 0) { this.fault = (hi >>> 0) >= (1 << (M.PA_BITS - 32)) ? FAULT_ADDRESS_SIZE : FAULT_EXTERNAL; return -2; }
    const pa = lo >>> 0;
    for (let i = 0; i < this.views.length; i++) {
      const v = this.views[i]!;
      const off = pa - v.base;
      if (off >= 0 && off + size <= v.size) {
        if (v.secureOnly && !secure) break;
        return i;
      }
    }
    if (pa - M.UART_BASE >= 0 && pa - M.UART_BASE < M.UART_SIZE) return -1;
    this.fault = FAULT_EXTERNAL;
    return -2;
  }

  /** Read `size` (1, 2, 4) bytes zero-extended; returns the value as uint32 (in a JS number). */
  read(lo: number, hi: number, size: number, secure: boolean): number {
    this.fault = 0;
    if ((lo & (size - 1)) !== 0) { this.fault = FAULT_ALIGNMENT; return 0; }
    const pa = lo >>> 0;
    // Fast path: DRAM.
    const doff = pa - M.DRAM_BASE;
    if (hi === 0 && doff >= 0 && doff < this.dramSize) {
      if (this.stage2Check !== null && !secure) { const f = this.stage2Check(pa, false); if (f !== 0) { this.fault = f; return 0; } }
      const d = this.dram;
      if (size === 4) return (d[doff]! | d[doff + 1]! << 8 | d[doff + 2]! << 16 | d[doff + 3]! << 24) >>> 0;
      if (size === 1) return d[doff]!;
      return d[doff]! | d[doff + 1]! << 8;
    }
    const r = this.locate(lo, hi, size, secure);
    if (r === -2) return 0;
    if (r === -1) return size === 4 ? this.uart.read(pa - M.UART_BASE) >>> 0 : this.uart.read((pa - M.UART_BASE) & ~3) >>> (8 * (pa & 3)) & (size === 1 ? 0xff : 0xffff);
    const v = this.views[r]!;
    const off = pa - v.base;
    if (size === 4) return v.dv.getUint32(off, true);
    if (size === 1) return v.u8[off]!;
    return v.dv.getUint16(off, true);
  }

  /** Read 8 bytes: returns the low half, high half in `hi`. */
  read64(lo: number, hi: number, secure: boolean): number {
    this.fault = 0;
    if ((lo & 7) !== 0) { this.fault = FAULT_ALIGNMENT; this.hi = 0; return 0; }
    const l = this.read(lo, hi, 4, secure);
    if (this.fault !== 0) { this.hi = 0; return 0; }
    this.hi = this.read(lo + 4, hi, 4, secure) | 0;
    return l | 0;
  }

  write(lo: number, hi: number, size: number, value: number, secure: boolean): void {
    this.fault = 0;
    if ((lo & (size - 1)) !== 0) { this.fault = FAULT_ALIGNMENT; return; }
    const pa = lo >>> 0;
    const doff = pa - M.DRAM_BASE;
    if (hi === 0 && doff >= 0 && doff < this.dramSize) {
      if (this.stage2Check !== null && !secure) { const f = this.stage2Check(pa, true); if (f !== 0) { this.fault = f; return; } }
      if (this.codePages[pa >>> 12] !== 0) this.codeWritten(pa >>> 12);
      const d = this.dram;
      d[doff] = value;
      if (size >= 2) { d[doff + 1] = value >>> 8; if (size === 4) { d[doff + 2] = value >>> 16; d[doff + 3] = value >>> 24; } }
      return;
    }
    const r = this.locate(lo, hi, size, secure);
    if (r === -2) return;
    if (r === -1) { this.uart.write((pa - M.UART_BASE) & ~3, size === 4 ? value >>> 0 : (value & (size === 1 ? 0xff : 0xffff)) << (8 * (pa & 3))); return; }
    if (this.codePages[pa >>> 12] !== 0) this.codeWritten(pa >>> 12);
    const v = this.views[r]!;
    const off = pa - v.base;
    if (size === 4) v.dv.setUint32(off, value >>> 0, true);
    else if (size === 1) v.u8[off] = value;
    else v.dv.setUint16(off, value & 0xffff, true);
  }

  write64(lo: number, hi: number, vlo: number, vhi: number, secure: boolean): void {
    this.fault = 0;
    if ((lo & 7) !== 0) { this.fault = FAULT_ALIGNMENT; return; }
    // Check both words before writing either (a faulting access has no effect).
    this.read(lo + 4, hi, 4, secure);
    if (this.fault !== 0) return;
    this.write(lo, hi, 4, vlo, secure);
    if (this.fault !== 0) return;
    this.write(lo + 4, hi, 4, vhi, secure);
  }

  private codeWritten(page: number): void {
    this.codePages[page] = 0;
    if (this.onCodeWrite !== null) this.onCodeWrite(page);
  }

  /**
   * The RAM backing [pa, pa+len) as a subarray, for loaders, firmware components and the predecode
   * cache; null if the range is not wholly inside one RAM region. Ignores security (a loader's view).
   */
  ram(pa: number, len: number): Uint8Array | null {
    for (const v of this.views) {
      const off = pa - v.base;
      if (off >= 0 && off + len <= v.size) return v.u8.subarray(off, off + len);
    }
    return null;
  }

  /** True if the physical range lies in a region accessible from the given Security state. */
  accessible(pa: number, len: number, secure: boolean): boolean {
    for (const v of this.views) {
      const off = pa - v.base;
      if (off >= 0 && off + len <= v.size) return secure || !v.secureOnly;
    }
    return false;
  }

  /** Physical address -> region kind (for diagnostics and isolation checks). */
  regionOf(pa: number): Region {
    if (pa - M.DRAM_BASE >= 0 && pa - M.DRAM_BASE < this.dramSize) return Region.Dram;
    if (pa - M.SECURE_RAM_BASE >= 0 && pa - M.SECURE_RAM_BASE < M.SECURE_RAM_SIZE) return Region.SecureRam;
    if (pa >= 0 && pa < M.FLASH_SIZE) return Region.Flash;
    if (pa - M.UART_BASE >= 0 && pa - M.UART_BASE < M.UART_SIZE) return Region.Uart;
    return Region.None;
  }

  /**
   * Copy bytes into physical memory (loader path: no faults). A code page is invalidated only when its
   * bytes change, so reloading the same image keeps its decoded instructions and translated blocks
   * (they depend on nothing but the bytes).
   */
  load(pa: number, bytes: Uint8Array): void {
    const dst = this.ram(pa, bytes.length);
    if (dst === null) throw new RangeError(`cannot load ${bytes.length} bytes at 0x${pa.toString(16)}: not inside one RAM region`);
    for (let p = pa >>> 12; bytes.length > 0 && p <= (pa + bytes.length - 1) >>> 12; p++) {
      if (this.codePages[p] === 0) continue;
      const from = Math.max(p << 12 >>> 0, pa) - pa, to = Math.min((p + 1) * 4096, pa + bytes.length) - pa;
      for (let i = from; i < to; i++) if (dst[i] !== bytes[i]) { this.codeWritten(p); break; }
    }
    dst.set(bytes);
  }

  reset(): void {
    for (let p = 0; p < this.codePages.length; p++) if (this.codePages[p] !== 0) this.codeWritten(p);
    this.flash.fill(0); this.sram.fill(0); this.dram.fill(0); this.uart.reset();
  }
}
