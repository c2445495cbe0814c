/**
 * CRC32B/H/W/X and CRC32CB/H/W/X (FEAT_CRC32; Arm ARM C6.2 CRC32*, ASL Poly32Mod2 on bit-reversed
 * operands). The ASL's BitReverse/Poly32Mod2/BitReverse is the reflected CRC update, LSB first, with
 * no pre- or post-inversion: polynomial 0x04C11DB7 (reflected 0xEDB88320) or, for CRC32C, 0x1EDC6F41
 * (reflected 0x82F63B78). Byte tables are built once at load; the handler allocates nothing.
 */
import { regZrRead, regZrWrite } from '../regs.js';
import { Status } from '../context.js';

function table(poly: number): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (poly & -(c & 1));
    t[i] = c;
  }
  return t;
}
const CRC32 = table(0xedb88320 | 0), CRC32C = table(0x82f63b78 | 0);

/** Fold `bytes` (1..4) of v, least significant first, into acc. */
function fold(t: Int32Array, acc: number, v: number, bytes: number): number {
  let c = acc;
  for (let i = 0; i < bytes; i++) c = (c >>> 8) ^ t[(c ^ (v >>> (8 * i))) & 0xff]!;
  return c;
}

/** Wd = CRC32{C}(Wn, Rm<size-1:0>): sz (bits 11:10) 0 B, 1 H, 2 W, 3 X; C = bit 12. */
export function execCrc32(s: Int32Array, w: number): Status {
  const t = ((w >>> 12) & 1) !== 0 ? CRC32C : CRC32;
  const sz = (w >>> 10) & 3;
  const m = regZrRead((w >>> 16) & 31);
  let acc = s[regZrRead((w >>> 5) & 31)]!;
  if (sz === 3) { acc = fold(t, acc, s[m]!, 4); acc = fold(t, acc, s[m + 1]!, 4); }
  else acc = fold(t, acc, s[m]!, 1 << sz);
  const d = regZrWrite(w & 31);
  s[d] = acc; s[d + 1] = 0;
  return Status.Next;
}
