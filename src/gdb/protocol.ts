/**
 * GDB remote serial protocol framing (GDB manual, "Remote Protocol": "Overview" and "Packets"):
 *   $<payload>#<checksum>   checksum = sum of the payload bytes mod 256, two lowercase hex digits
 *   '}' escapes the next byte (XOR 0x20); '*' + (n + 29) repeats the previous byte n more times
 *   '+' / '-' acknowledge (until QStartNoAckMode), a bare 0x03 byte is an interrupt request.
 * Payloads are handled as "binary strings" (one char per byte, latin1) so X packets survive.
 */

export type ReaderEvent =
  | { kind: 'packet'; payload: string; checksumOk: boolean }
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'interrupt' };

const enum St { Idle, Body, Escape, Sum1, Sum2 }

/** Incremental packet parser: feed bytes, get events. */
export class PacketReader {
  private st = St.Idle;
  private body: number[] = [];
  private sum = 0;
  private hi = 0;
  /** Packets larger than this are dropped (a confused peer must not grow memory without bound). */
  constructor(private readonly maxPacket = 1 << 20) {}

  feed(chunk: Uint8Array): ReaderEvent[] {
    const out: ReaderEvent[] = [];
    for (const b of chunk) {
      switch (this.st) {
        case St.Idle:
          if (b === 0x24) { this.st = St.Body; this.body = []; this.sum = 0; }       // '$'
          else if (b === 0x2b) out.push({ kind: 'ack' });                           // '+'
          else if (b === 0x2d) out.push({ kind: 'nack' });                          // '-'
          else if (b === 0x03) out.push({ kind: 'interrupt' });
          break;
        case St.Body:
          if (b === 0x23) { this.st = St.Sum1; break; }                             // '#'
          this.sum = (this.sum + b) & 0xff;
          if (b === 0x7d) { this.st = St.Escape; break; }                           // '}'
          if (b === 0x2a && this.body.length > 0) {                                 // '*': run length
            this.st = St.Escape;
            this.body.push(-1);                                                     // marker: next byte is a count
            break;
          }
          this.push(b);
          break;
        case St.Escape:
          this.sum = (this.sum + b) & 0xff;
          if (this.body[this.body.length - 1] === -1) {
            this.body.pop();
            const prev = this.body[this.body.length - 1]!;
            for (let n = b - 29; n > 0; n--) this.push(prev);
          } else this.push(b ^ 0x20);
          this.st = St.Body;
          break;
        case St.Sum1:
          this.hi = hexVal(b);
          this.st = St.Sum2;
          break;
        case St.Sum2: {
          const given = (this.hi << 4) | hexVal(b);
          const payload = String.fromCharCode(...this.body.slice(0, this.maxPacket));
          out.push({ kind: 'packet', payload, checksumOk: given === this.sum && this.body.length <= this.maxPacket });
          this.st = St.Idle;
          this.body = [];
          break;
        }
      }
    }
    return out;
  }

  private push(b: number): void { if (this.body.length <= this.maxPacket) this.body.push(b); }
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return 0x100;    // never matches a checksum
}

/** Frame a payload (binary string) as a packet, escaping '$', '#', '}' and '*'. */
export function encodePacket(payload: string): string {
  let body = '';
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const c = payload.charCodeAt(i) & 0xff;
    if (c === 0x24 || c === 0x23 || c === 0x7d || c === 0x2a) {
      body += '}' + String.fromCharCode(c ^ 0x20);
      sum = (sum + 0x7d + (c ^ 0x20)) & 0xff;
    } else {
      body += String.fromCharCode(c);
      sum = (sum + c) & 0xff;
    }
  }
  return `$${body}#${sum.toString(16).padStart(2, '0')}`;
}

/** Bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Hex text to bytes; null if malformed. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A value as `bytes` little-endian bytes in hex (GDB's register encoding for a little-endian target). */
export function leHex(v: bigint, bytes: number): string {
  let s = '';
  let x = BigInt.asUintN(8 * bytes, v);
  for (let i = 0; i < bytes; i++) { s += Number(x & 0xffn).toString(16).padStart(2, '0'); x >>= 8n; }
  return s;
}

/** Little-endian hex bytes to a value; null if malformed. */
export function parseLeHex(text: string): bigint | null {
  const b = fromHex(text);
  if (b === null) return null;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** Text as hex (qRcmd output, O packets). */
export function textToHex(text: string): string { return toHex(new TextEncoder().encode(text)); }
