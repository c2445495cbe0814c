/**
 * Machine snapshots: everything a run depends on, in one versioned byte array, so that restoring a
 * snapshot (into this machine or a fresh one built the same way) and running on gives the same final
 * state and cycle count as running straight through.
 *
 * Format (little-endian):
 *   0   "A64ELSNP"                 magic
 *   8   u32 format version         SNAPSHOT_VERSION
 *   12  u32 state layout hash      FNV-1a over state/layout.ts's named offsets (a layout change
 *                                  invalidates old snapshots instead of misreading them)
 *   16  u32 section count
 *   20  u32 0
 *   24  sections, each: u32 tag, u32 0, u64 payload length, payload, zero padding to 8 bytes
 * Sections:
 *   Meta (1)      JSON: memory size, implemented ELs, timing profile, semihosting, native component
 *                 names, exit code and stop reason of the last run, instructions left of the run
 *                 budget (host calls made between runs spend it)
 *   Cpu (2)       the CPU state buffer (state/layout.ts), as is
 *   Ram (3)       per RAM region: u32 region index, u32 page count, then (u32 page index, 4096 bytes)
 *                 for each page that is not all zero
 *   Uart (4)      the PL011's registers (u32 count, then (u32 offset, u32 value) pairs) and its
 *                 output so far (u32 length, bytes)
 *   Semihost (5)  the semihosting console output so far
 *   Component (6) u32 native index, u32 name length, name (UTF-8, padded to 4), then the bytes of
 *                 the component's saveState() (state/snapshot-codec.ts: magic, the component's own
 *                 format version, its configuration, its state). Every native component must
 *                 implement SnapshotState -- one without state says so with an empty payload -- and
 *                 saving a machine with one that does not is refused (UNSUPPORTED), so no state is
 *                 ever silently left out
 * The predecode cache is not saved: it is cleared on restore (a cache, not state).
 * No Node imports: this module bundles for browsers.
 */
import * as L from '../state/layout.js';
import type { Machine } from './machine.js';
import { StopReason } from '../exec/context.js';
import { SnapshotError, type SnapshotState, hasSnapshotState } from '../state/snapshot-codec.js';

export const SNAPSHOT_MAGIC = 'A64ELSNP';
export const SNAPSHOT_VERSION = 1;

export const enum SectionTag { Meta = 1, Cpu = 2, Ram = 3, Uart = 4, Semihost = 5, Component = 6 }

// The component-state contract and its codec live with the CPU state (state/snapshot-codec.ts), so
// firmware components can implement it without importing the machine.
export { SnapshotError, type SnapshotErrorCode, type SnapshotState, hasSnapshotState } from '../state/snapshot-codec.js';

interface Meta {
  dramSize: number;
  implementedEls: number;
  timing: string;
  semihosting: boolean;
  stateBytes: number;
  natives: string[];
  exitCode: number;
  stopReason: number;
  /** Instructions left of the run budget (host calls between runs spend it: Machine.setBudget). */
  budget?: number;
}

/** FNV-1a over the sorted names and values of the layout's exports. */
export function layoutHash(): number {
  let h = 0x811c9dc5;
  const mix = (text: string): void => {
    for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  };
  const layout = L as unknown as Record<string, unknown>;
  for (const k of Object.keys(layout).sort()) mix(`${k}=${JSON.stringify(layout[k])};`);
  return h >>> 0;
}

/** UART register offsets that hold state (not DR, FR, ICR or the ID registers). */
const UART_STATE_OFFSETS: readonly number[] = (() => {
  const out: number[] = [];
  for (let off = 4; off < 0xfe0; off += 4) if (off !== 0x018 && off !== 0x044) out.push(off);
  return out;
})();

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;
  add(b: Uint8Array): void { this.chunks.push(b); this.size += b.length; }
  u32s(...v: number[]): void {
    const b = new Uint8Array(4 * v.length);
    const dv = new DataView(b.buffer);
    v.forEach((x, i) => dv.setUint32(4 * i, x >>> 0, true));
    this.add(b);
  }
  get length(): number { return this.size; }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) { out.set(c, o); o += c.length; }
    return out;
  }
}

/** Page `p` of a region (as one Int32Array view of the whole region) is all zero. */
function isZeroPage(words: Int32Array, p: number): boolean {
  const end = (p + 1) << 10;
  for (let i = p << 10; i < end; i += 8) {
    if ((words[i]! | words[i + 1]! | words[i + 2]! | words[i + 3]! | words[i + 4]! | words[i + 5]! | words[i + 6]! | words[i + 7]!) !== 0) return false;
  }
  return true;
}
function wordsOf(mem: Uint8Array): Int32Array { return new Int32Array(mem.buffer, mem.byteOffset, mem.length >>> 2); }

/** The RAM regions of the bus, in a fixed order (index = region number in the Ram section). */
function ramRegions(m: Machine): Uint8Array[] { return [m.bus.flash, m.bus.sram, m.bus.dram]; }

/** The Uart section, checked: (register offset, value) pairs at offsets that hold state, and the output. */
function parseUart(sec: { data: Uint8Array } | undefined): { regs: [number, number][]; out: Uint8Array } | null {
  if (sec === undefined) return null;
  const d = sec.data, dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const bad = (why: string): never => { throw new SnapshotError('INVALID', `Uart section: ${why}`); };
  if (d.length < 4) bad('too short');
  const n = dv.getUint32(0, true);
  if (n > UART_STATE_OFFSETS.length || 8 + 8 * n > d.length) bad(`${n} registers do not fit`);
  const regs: [number, number][] = [];
  for (let k = 0; k < n; k++) {
    const off = dv.getUint32(4 + 8 * k, true);
    if (!UART_STATE_OFFSETS.includes(off)) bad(`offset 0x${off.toString(16)} is not a PL011 state register`);
    regs.push([off, dv.getUint32(8 + 8 * k, true)]);
  }
  const o = 4 + 8 * n, len = dv.getUint32(o, true);
  if (o + 4 + len > d.length) bad(`output of ${len} bytes past the end`);
  return { regs, out: d.subarray(o + 4, o + 4 + len) };
}

/** Save the machine's state. */
export function saveSnapshot(m: Machine): Uint8Array {
  if (m.inNestedRun()) {
    throw new SnapshotError('UNSUPPORTED', 'cannot save inside a nested run (a host or native component call waiting for its reply continues on the JS stack): save between calls');
  }
  const sections: { tag: SectionTag; data: Uint8Array }[] = [];
  const enc = new TextEncoder();
  const meta: Meta = {
    dramSize: m.config.dramSize,
    implementedEls: m.config.implementedEls,
    timing: m.config.timing.name,
    semihosting: m.semihosting,
    stateBytes: L.STATE_BYTES,
    natives: m.natives.map((n) => n?.name ?? ''),
    exitCode: m.exitCode,
    stopReason: m.stopReason,
    budget: m.budgetLeft(),
  };
  sections.push({ tag: SectionTag.Meta, data: enc.encode(JSON.stringify(meta)) });
  sections.push({ tag: SectionTag.Cpu, data: new Uint8Array(m.cpu.buffer.slice(0)) });
  ramRegions(m).forEach((mem, region) => {
    const w = new Writer();
    const pages: number[] = [];
    const words = wordsOf(mem);
    for (let p = 0; p < mem.length >>> 12; p++) if (!isZeroPage(words, p)) pages.push(p);
    w.u32s(region, pages.length);
    for (const p of pages) { w.u32s(p); w.add(mem.slice(p << 12, (p + 1) << 12)); }
    sections.push({ tag: SectionTag.Ram, data: w.bytes() });
  });
  {
    const u = m.bus.uart, w = new Writer();
    w.u32s(UART_STATE_OFFSETS.length);
    for (const off of UART_STATE_OFFSETS) w.u32s(off, u.read(off));
    const out = u.bytes();
    w.u32s(out.length);
    w.add(out);
    sections.push({ tag: SectionTag.Uart, data: w.bytes() });
  }
  sections.push({ tag: SectionTag.Semihost, data: m.semihostBytes() });
  m.natives.forEach((n, i) => {
    if (n === undefined) return;
    if (!hasSnapshotState(n)) {
      throw new SnapshotError('UNSUPPORTED', `native component "${n.name}" (native ${i}) does not implement SnapshotState (saveState/loadState), so the machine cannot be saved`);
    }
    const w = new Writer();
    const name = enc.encode(n.name);
    w.u32s(i, name.length);
    const padded = new Uint8Array((name.length + 3) & ~3);
    padded.set(name);
    w.add(padded);
    w.add(n.saveState());
    sections.push({ tag: SectionTag.Component, data: w.bytes() });
  });

  const out = new Writer();
  const head = new Uint8Array(24);
  head.set(enc.encode(SNAPSHOT_MAGIC), 0);
  const hv = new DataView(head.buffer);
  hv.setUint32(8, SNAPSHOT_VERSION, true);
  hv.setUint32(12, layoutHash(), true);
  hv.setUint32(16, sections.length, true);
  out.add(head);
  for (const s of sections) {
    const h = new Uint8Array(16);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, s.tag, true);
    dv.setBigUint64(8, BigInt(s.data.length), true);
    out.add(h);
    out.add(s.data);
    const pad = (8 - (s.data.length & 7)) & 7;
    if (pad > 0) out.add(new Uint8Array(pad));
  }
  return out.bytes();
}

interface Parsed { meta: Meta; sections: { tag: number; data: Uint8Array }[] }

/** Parse and check a snapshot's framing (not yet whether it fits a machine). */
export function parseSnapshot(bytes: Uint8Array): Parsed {
  if (!(bytes instanceof Uint8Array) || bytes.length < 24) throw new SnapshotError('INVALID', 'too short to be a snapshot');
  const dec = new TextDecoder();
  if (dec.decode(bytes.subarray(0, 8)) !== SNAPSHOT_MAGIC) throw new SnapshotError('INVALID', 'bad magic (not an a64el snapshot)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== SNAPSHOT_VERSION) throw new SnapshotError('VERSION', `format version ${version}, this build reads ${SNAPSHOT_VERSION}`);
  const hash = dv.getUint32(12, true);
  if (hash !== layoutHash()) {
    throw new SnapshotError('VERSION', `CPU state layout hash 0x${hash.toString(16)} differs from this build's 0x${layoutHash().toString(16)}`);
  }
  const count = dv.getUint32(16, true);
  const sections: { tag: number; data: Uint8Array }[] = [];
  let o = 24;
  for (let i = 0; i < count; i++) {
    if (o + 16 > bytes.length) throw new SnapshotError('INVALID', `section ${i}: header past the end`);
    const tag = dv.getUint32(o, true);
    const len = dv.getBigUint64(o + 8, true);
    if (len > BigInt(bytes.length - o - 16)) throw new SnapshotError('INVALID', `section ${i}: length past the end`);
    const n = Number(len);
    sections.push({ tag, data: bytes.subarray(o + 16, o + 16 + n) });
    o += 16 + ((n + 7) & ~7);
  }
  const metaSec = sections.find((s) => s.tag === SectionTag.Meta);
  if (metaSec === undefined) throw new SnapshotError('INVALID', 'no Meta section');
  let meta: Meta;
  try { meta = JSON.parse(dec.decode(metaSec.data)) as Meta; } catch { throw new SnapshotError('INVALID', 'Meta section is not JSON'); }
  const num = (k: keyof Meta): boolean => typeof meta[k] === 'number' && Number.isFinite(meta[k]);
  const bad = (['dramSize', 'implementedEls', 'stateBytes', 'exitCode', 'stopReason'] as const).find((k) => !num(k)) ??
    (meta.budget !== undefined && !num('budget') ? 'budget' : undefined) ??
    (!Array.isArray(meta.natives) || !meta.natives.every((n) => typeof n === 'string') ? 'natives' : undefined);
  if (bad !== undefined) throw new SnapshotError('INVALID', `Meta section: field ${bad} is missing or of the wrong type`);
  return { meta, sections };
}

/**
 * Restore `bytes` into `m`. The machine must be built alike: same memory size and implemented ELs,
 * and the same native components attached in the same order (their names are checked). Throws
 * SnapshotError; on error the machine is unchanged.
 */
export function restoreSnapshot(m: Machine, bytes: Uint8Array): void {
  const { meta, sections } = parseSnapshot(bytes);
  if (meta.stateBytes !== L.STATE_BYTES) throw new SnapshotError('VERSION', `state buffer of ${meta.stateBytes} bytes, this build has ${L.STATE_BYTES}`);
  if (meta.dramSize !== m.config.dramSize) throw new SnapshotError('MISMATCH', `snapshot DRAM size ${meta.dramSize}, machine ${m.config.dramSize}`);
  if (meta.implementedEls !== m.config.implementedEls) throw new SnapshotError('MISMATCH', `snapshot implemented ELs 0b${meta.implementedEls.toString(2)}, machine 0b${m.config.implementedEls.toString(2)}`);
  const names = m.natives.map((n) => n?.name ?? '');
  if (meta.natives.length !== names.length || meta.natives.some((n, i) => n !== names[i])) {
    throw new SnapshotError('MISMATCH', `snapshot native components [${meta.natives.join(', ')}], machine [${names.join(', ')}]`);
  }
  const cpu = sections.find((s) => s.tag === SectionTag.Cpu);
  if (cpu === undefined || cpu.data.length !== L.STATE_BYTES) throw new SnapshotError('INVALID', 'no CPU section of the right size');
  const regions = ramRegions(m);
  // Check every RAM section before writing anything.
  const ram: { mem: Uint8Array; pages: { p: number; data: Uint8Array }[] }[] = [];
  for (const s of sections.filter((x) => x.tag === SectionTag.Ram)) {
    const dv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    if (s.data.length < 8) throw new SnapshotError('INVALID', 'short Ram section');
    const region = dv.getUint32(0, true), count = dv.getUint32(4, true);
    const mem = regions[region];
    if (mem === undefined) throw new SnapshotError('INVALID', `Ram section for unknown region ${region}`);
    if (s.data.length !== 8 + count * 4100) throw new SnapshotError('INVALID', `Ram section ${region}: size does not match ${count} pages`);
    const pages: { p: number; data: Uint8Array }[] = [];
    for (let i = 0; i < count; i++) {
      const o = 8 + i * 4100;
      const p = dv.getUint32(o, true);
      if ((p + 1) << 12 > mem.length || p >= 1 << 20) throw new SnapshotError('MISMATCH', `Ram section ${region}: page ${p} outside the region`);
      pages.push({ p, data: s.data.subarray(o + 4, o + 4100) });
    }
    ram.push({ mem, pages });
  }
  const comps: { i: number; data: Uint8Array }[] = [];
  for (const s of sections.filter((x) => x.tag === SectionTag.Component)) {
    if (s.data.length < 8) throw new SnapshotError('INVALID', 'short Component section');
    const dv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const i = dv.getUint32(0, true), nl = dv.getUint32(4, true);
    if (8 + ((nl + 3) & ~3) > s.data.length) throw new SnapshotError('INVALID', `Component section ${i}: name past the end`);
    const name = new TextDecoder().decode(s.data.subarray(8, 8 + nl));
    const n = m.natives[i];
    if (n === undefined || n.name !== name || !hasSnapshotState(n)) throw new SnapshotError('MISMATCH', `component state for "${name}" (native ${i}) has no matching component`);
    if (comps.some((c) => c.i === i)) throw new SnapshotError('INVALID', `two state sections for "${name}" (native ${i})`);
    comps.push({ i, data: s.data.subarray(8 + ((nl + 3) & ~3)) });
  }
  m.natives.forEach((n, i) => {
    if (n !== undefined && hasSnapshotState(n) && !comps.some((c) => c.i === i)) {
      throw new SnapshotError('INVALID', `the snapshot holds no state for native component "${n.name}" (native ${i})`);
    }
  });

  const uart = parseUart(sections.find((x) => x.tag === SectionTag.Uart));

  // Components first: each checks its payload against its configuration and may refuse it. If one
  // does, the ones already restored get their previous state back, so a refused restore changes
  // nothing; the machine's own state is applied only after every component accepted.
  const undo: { n: SnapshotState; bytes: Uint8Array }[] = [];
  try {
    for (const c of comps) {
      const n = m.natives[c.i] as unknown as SnapshotState;
      const before = n.saveState();
      n.loadState(c.data.slice());
      undo.push({ n, bytes: before });
    }
  } catch (e) {
    for (const u of undo.reverse()) u.n.loadState(u.bytes);
    throw e;
  }

  // Apply.
  m.cpu.restore(cpu.data.slice().buffer);
  // Pages the snapshot does not hold are zero: clear only those that are not (filling whole regions
  // would make the OS back every untouched page of flash and secure RAM with real memory).
  for (const mem of regions) {
    const words = wordsOf(mem), held = new Set<number>();
    for (const r of ram) if (r.mem === mem) for (const pg of r.pages) held.add(pg.p);
    for (let p = 0; p < mem.length >>> 12; p++) if (!held.has(p) && !isZeroPage(words, p)) mem.fill(0, p << 12, (p + 1) << 12);
  }
  for (const r of ram) for (const pg of r.pages) r.mem.set(pg.data, pg.p << 12);
  m.cache.clear();
  const u = m.bus.uart;
  u.reset();
  if (uart !== null) {
    for (const [off, v] of uart.regs) u.write(off, v);
    const hook = u.onByte;
    u.onByte = null;
    for (let k = 0; k < uart.out.length; k++) u.write(0, uart.out[k]!);
    u.onByte = hook;
  }
  const semi = sections.find((s) => s.tag === SectionTag.Semihost);
  m.setSemihostBytes(semi === undefined ? new Uint8Array(0) : semi.data);
  m.exitCode = meta.exitCode;
  m.stopReason = typeof meta.stopReason === 'number' ? meta.stopReason as StopReason : StopReason.None;
  if (typeof meta.budget === 'number' && meta.budget >= 0) m.setBudget(meta.budget);
}
