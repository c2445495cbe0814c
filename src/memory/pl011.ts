/**
 * PL011 UART (Arm PrimeCell UART TRM DDI0183): the data register transmits, the flag register reports an
 * always-empty transmit FIFO; the identification registers read as a PL011. Receive is not modelled.
 */
export const UARTDR = 0x000, UARTFR = 0x018, UARTIBRD = 0x024, UARTFBRD = 0x028, UARTLCR_H = 0x02c,
  UARTCR = 0x030, UARTIMSC = 0x038, UARTRIS = 0x03c, UARTMIS = 0x040, UARTICR = 0x044;
/** UARTFR: TXFE (bit 7) and RXFE (bit 4) set: transmit FIFO empty, nothing received. */
const FR_IDLE = 0x90;
/** UARTPeriphID0-3 and UARTPCellID0-3 at 0xFE0-0xFFC. */
const ID_REGS = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl011 {
  private readonly regs = new Uint32Array(0x1000 >> 2);
  /** Bytes transmitted so far (guest output), the first CONSOLE_KEEP of them. */
  private out: number[] = [];
  /** Bytes transmitted but not kept (past CONSOLE_KEEP); `onByte` still saw them. */
  dropped = 0;
  /** Called with each transmitted byte, if set (e.g. to stream to stdout). */
  onByte: ((b: number) => void) | null = null;

  constructor() { this.reset(); }

  reset(): void {
    this.regs.fill(0);
    this.regs[UARTCR >> 2] = 0x300;
    this.out = [];
    this.dropped = 0;
  }

  read(offset: number): number {
    if (offset === UARTFR) return FR_IDLE;
    if (offset === UARTDR) return 0;
    if (offset >= 0xfe0) return ID_REGS[(offset - 0xfe0) >> 2]!;
    return this.regs[offset >> 2]!;
  }

  write(offset: number, value: number): void {
    if (offset === UARTDR) {
      const b = value & 0xff;
      if (this.out.length < CONSOLE_KEEP) this.out.push(b); else this.dropped++;
      if (this.onByte !== null) this.onByte(b);
      return;
    }
    if (offset === UARTICR || offset >= 0xfe0 || offset === UARTFR) return;
    this.regs[offset >> 2] = value >>> 0;
  }

  /**
   * Everything transmitted, as text (Latin-1 bytes). Built in chunks: spreading the whole array into
   * one String.fromCharCode call overflows the JS stack once a guest has printed a few hundred KiB.
   */
  text(): string { return latin1(this.out); }
  bytes(): Uint8Array { return Uint8Array.from(this.out); }
  clearOutput(): void { this.out = []; this.dropped = 0; }
}

/**
 * Guest console output kept for text()/bytes() (PL011 and semihosting each): 16 MiB. A guest printing
 * in a loop would otherwise grow the array until the JS engine aborts (an invalid array size is a
 * fatal V8 error, not an exception). Streaming (`onByte`) sees every byte.
 */
export const CONSOLE_KEEP = 16 << 20;

/** Bytes (0-255) as a Latin-1 string, CHUNK at a time (each call's argument list stays small). */
export function latin1(bytes: readonly number[]): string {
  const CHUNK = 8192;
  if (bytes.length <= CHUNK) return String.fromCharCode(...bytes);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) parts.push(String.fromCharCode(...bytes.slice(i, i + CHUNK)));
  return parts.join('');
}
