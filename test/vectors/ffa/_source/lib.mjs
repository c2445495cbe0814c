// Source of the FF-A call vectors: `node test/vectors/ffa/_source/main.mjs` rewrites the JSON files.
// Every expectation is written by hand in these files from DEN0077A and the reference notes (never
// taken from a64el's output); the helpers below only format register values and descriptor bytes
// (layouts from reference ffa-abi.md section 6). The JSON files are the contract; edit here, rerun,
// and review the JSON diff.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/vectors/ffa: this directory's parent. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const all = [];
export function vec(area, name, v) {
  const out = { format: 'a64el-vector/1', name, ...v };
  all.push({ area, name, out });
}
export function writeAll() {
  const names = new Set();
  for (const { area, name, out } of all) {
    if (names.has(name)) throw new Error('duplicate ' + name);
    names.add(name);
    const p = `${ROOT}/${area}/${name}.json`;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, JSON.stringify(out, null, 2) + '\n');
  }
  return all.length;
}

export const h32 = (v) => '0x' + (v >>> 0).toString(16).padStart(8, '0');
export const h64 = (v) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
export const ver = (maj, min) => h32((maj << 16) | min);
export const V10 = ver(1, 0), V11 = ver(1, 1), V12 = ver(1, 2);

// ---- steps ----
export const smc = (regs, expect, extra = {}) => ({ smc: regs, expect, ...extra });
export const hvc = (regs, expect, extra = {}) => ({ hvc: regs, expect, ...extra });
export const version = (req, ret, more = {}) => smc({ x0: 'FFA_VERSION', w1: req }, { w0: ret, ...more });
export const err = (code, more = {}) => ({ w0: 'FFA_ERROR', w2: code, ...more });
export const OK = { w0: 'FFA_SUCCESS' };
export const TX = 0x40010000, RX = 0x40011000;
export const map = (tx = TX, rx = RX, n = 1, expect = { w0: 'FFA_SUCCESS' }) =>
  smc({ x0: 'FFA_RXTX_MAP_64', x1: h64(tx), x2: h64(rx), w3: n }, expect);
export const unmap = (expect = { w0: 'FFA_SUCCESS' }, w1 = 0) => smc({ x0: 'FFA_RXTX_UNMAP', w1: h32(w1) }, expect);
export const rxRelease = (expect = { w0: 'FFA_SUCCESS' }) => smc({ x0: 'FFA_RX_RELEASE' }, expect);
export const idGet = (expect = { w0: 'FFA_SUCCESS', w2: '0x00000000' }) => smc({ x0: 'FFA_ID_GET' }, expect);
export const features = (fid, expect, w2) => smc(w2 === undefined ? { x0: 'FFA_FEATURES', w1: fid } : { x0: 'FFA_FEATURES', w1: fid, w2 }, expect);
export const pkvmInit = { pkvm: 'init' };
export const pkvmFinalize = { pkvm: 'finalize' };
export const write = (addr, bytes) => ({ write: { addr: h32(addr), hex: hex(bytes) } });
export const expectMem = (addr, bytes) => ({ expectMemory: { addr: h32(addr), hex: hex(bytes) } });

// ---- UUIDs ----
export const UUID_A = 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb'; // the default partition's
export const UUID_B = '6b6b1f3a-0c4e-4d2a-9e3b-5a7c8d9e0f10';
export const UUID_C = '0d5c8a4e-7f21-4b9a-a3c6-2e1f0b9d8c7a';
export function uuidBytes(t) {
  const s = t.replace(/-/g, '');
  return Array.from({ length: 16 }, (_, i) => parseInt(s.slice(2 * i, 2 * i + 2), 16));
}
const le32 = (b, o) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
/** w1..w4 of FFA_PARTITION_INFO_GET (vector-format.md "UUIDs"). */
export function uuidW(t) { const b = uuidBytes(t); return [0, 4, 8, 12].map((o) => h32(le32(b, o))); }
/** The 64-bit pair (x lo = bytes 0-7, x hi = bytes 8-15, little-endian). */
export function uuidX(t) {
  const b = uuidBytes(t);
  const lo = (BigInt(le32(b, 4)) << 32n) | BigInt(le32(b, 0));
  const hi = (BigInt(le32(b, 12)) << 32n) | BigInt(le32(b, 8));
  return [h64(lo), h64(hi)];
}
export function pig(uuid, flags, expect) {
  const regs = { x0: 'FFA_PARTITION_INFO_GET' };
  if (uuid) { const w = uuidW(uuid); regs.w1 = w[0]; regs.w2 = w[1]; regs.w3 = w[2]; regs.w4 = w[3]; }
  if (flags) regs.w5 = h32(flags);
  return smc(regs, expect);
}

// ---- bytes ----
export function hex(bytes) {
  const parts = [];
  for (let i = 0; i < bytes.length; i += 16) parts.push(bytes.slice(i, i + 16).map((b) => b.toString(16).padStart(2, '0')).join(''));
  return parts.join(' ');
}
export const u8 = (v) => [v & 0xff];
export const u16 = (v) => [v & 0xff, (v >>> 8) & 0xff];
export const u32 = (v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
export const u64 = (v) => { const b = BigInt(v); return [...u32(Number(b & 0xffffffffn)), ...u32(Number(b >> 32n))]; };
export const zeros = (n) => new Array(n).fill(0);

/** Partition information descriptor (ffa-abi.md 5.1): v1.0 8 bytes, v1.1+ 24 bytes. */
export function partInfo(id, ctx, props, uuid /* text or null for zeros */, v10 = false) {
  const b = [...u16(id), ...u16(ctx), ...u32(props)];
  if (v10) return b;
  return [...b, ...(uuid ? uuidBytes(uuid) : zeros(16))];
}

/**
 * Memory transaction descriptor (ffa-abi.md section 6), layout by FF-A version:
 *  v1.2: 48-byte header, EMADs of 32 bytes at offset 48; v1.1: EMADs of 16 bytes at 48;
 *  v1.0: 32-byte header (attributes u8), EMADs of 16 bytes at 32.
 * The composite descriptor follows the EMAD array; constituents follow it.
 * opts: { v: '1.2'|'1.1'|'1.0', sender, attrs, flags, tag, receivers: [{id, perm, flags}],
 *         composite: {totalPages?, count?}, constituents: [{addr, pages}] }
 * Returns the full byte array (every constituent).
 */
export function memDesc(o) {
  const v = o.v ?? '1.2';
  const emadSize = v === '1.2' ? 32 : 16;
  const hdr = v === '1.0' ? 32 : 48;
  const receivers = o.receivers ?? [{ id: 0x8001, perm: 0x02, flags: 0 }];
  const compOff = hdr + emadSize * receivers.length;
  const cons = o.constituents;
  const b = [];
  b.push(...u16(o.sender ?? 0));
  if (v === '1.0') b.push(...u8(o.attrs ?? 0), 0); else b.push(...u16(o.attrs ?? 0));
  b.push(...u32(o.flags ?? 0), ...u64(o.handle ?? 0), ...u64(o.tag ?? 0));
  if (v === '1.0') {
    b.push(...u32(0), ...u32(receivers.length));
  } else {
    b.push(...u32(emadSize), ...u32(receivers.length), ...u32(hdr), ...zeros(12));
  }
  for (const r of receivers) {
    b.push(...u16(r.id), ...u8(r.perm), ...u8(r.flags ?? 0), ...u32(r.compOff ?? compOff), ...zeros(emadSize - 8));
  }
  const totalPages = o.composite?.totalPages ?? cons.reduce((s, c) => s + c.pages, 0);
  const count = o.composite?.count ?? cons.length;
  b.push(...u32(totalPages), ...u32(count), ...zeros(8));
  for (const c of cons) b.push(...u64(c.addr), ...u32(c.pages), ...u32(0));
  if (b.length !== compOff + 16 + 16 * cons.length) throw new Error('descriptor length');
  return b;
}
export const constituentBytes = (c) => [...u64(c.addr), ...u32(c.pages), ...u32(0)];
