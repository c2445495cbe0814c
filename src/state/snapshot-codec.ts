/**
 * The one binary encoding every snapshottable component uses for its private state (machine/snapshot.ts
 * stores the bytes in its Component sections). Explicit and versioned: each payload starts with the
 * component's own format version, every field is written by name in a fixed order with a fixed width
 * (DataView, little-endian), and reading checks the version, the bounds and that nothing is left over.
 * Nothing is JSON of whole objects, so a field added to a component cannot silently go missing from
 * (or be misread out of) its snapshot: its encoder must name it.
 *
 * Configuration a component was built with is written too (`cfg*` fields): restoring into a component
 * built with other options is refused with SnapshotError MISMATCH naming the component and the field.
 *
 * Restores are two-phase: a reader decodes everything into locals and returns an `apply` closure, so a
 * refused payload changes nothing (StatePart.readFrom).
 *
 * Cold paths only (save/restore); no Node imports (bundles for browsers).
 */

/** Why a snapshot (or one component's payload) was refused. */
export type SnapshotErrorCode = 'INVALID' | 'VERSION' | 'MISMATCH' | 'UNSUPPORTED';

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(readonly code: SnapshotErrorCode, message: string) { super(message); }
}

/** A native component (or a partition behaviour) that saves and restores its own state. */
export interface SnapshotState {
  saveState(): Uint8Array;
  /** Restore from saveState() bytes; throws SnapshotError and changes nothing when they do not fit. */
  loadState(bytes: Uint8Array): void;
}

export function hasSnapshotState(x: unknown): x is SnapshotState {
  const o = x as Partial<SnapshotState> | null;
  return o !== null && typeof o === 'object' && typeof o.saveState === 'function' && typeof o.loadState === 'function';
}

/** A piece of a component's state (an SPMC core inside the monitor, a saved context ...). */
export interface StatePart {
  saveTo(w: StateWriter): void;
  /** Decode this part; returns the closure that installs it (nothing changes before it runs). */
  readFrom(r: StateReader): () => void;
}

const MAGIC = 0x54534341; // "ACST" little-endian: an a64el component state payload

export class StateWriter {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  private n = 0;

  /** Starts a payload: magic, the component's format version. */
  constructor(version: number) { this.u32(MAGIC); this.u32(version); }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }

  u8(v: number): void { this.room(1); this.dv.setUint8(this.n, v); this.n += 1; }
  bool(v: boolean): void { this.u8(v ? 1 : 0); }
  u32(v: number): void { this.room(4); this.dv.setUint32(this.n, v >>> 0, true); this.n += 4; }
  i32(v: number): void { this.room(4); this.dv.setInt32(this.n, v | 0, true); this.n += 4; }
  /** Any JS number (counters, physical addresses, -1 sentinels), exactly. */
  f64(v: number): void { this.room(8); this.dv.setFloat64(this.n, v, true); this.n += 8; }
  u64(v: bigint): void { this.room(8); this.dv.setBigUint64(this.n, BigInt.asUintN(64, v), true); this.n += 8; }
  bytes(b: Uint8Array): void { this.u32(b.length); this.room(b.length); this.buf.set(b, this.n); this.n += b.length; }
  str(s: string): void { this.bytes(new TextEncoder().encode(s)); }
  /** A presence byte, then the value when present. */
  opt<T>(v: T | null | undefined, put: (v: T) => void): void { this.bool(v !== null && v !== undefined); if (v !== null && v !== undefined) put(v); }
  i32s(a: Int32Array): void { this.u32(a.length); for (let i = 0; i < a.length; i++) this.i32(a[i]!); }
  u8s(a: Uint8Array): void { this.bytes(a); }
  u16s(a: Uint16Array): void { this.u32(a.length); for (let i = 0; i < a.length; i++) { this.room(2); this.dv.setUint16(this.n, a[i]!, true); this.n += 2; } }
  strs(a: readonly string[]): void { this.u32(a.length); for (const s of a) this.str(s); }
  /** A nested payload (a behaviour's saveState bytes). */
  part(b: Uint8Array): void { this.bytes(b); }

  finish(): Uint8Array { return this.buf.slice(0, this.n); }
}

export class StateReader {
  private readonly dv: DataView;
  private n = 0;

  /**
   * `component` names the component in errors; `version` is the format this build writes (a payload
   * of another version is refused: VERSION).
   */
  constructor(readonly component: string, version: number, private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (b.length < 8 || this.dv.getUint32(0, true) !== MAGIC) throw new SnapshotError('INVALID', `${component}: not a component state payload`);
    const v = this.dv.getUint32(4, true);
    if (v !== version) throw new SnapshotError('VERSION', `${component}: state format version ${v}, this build reads ${version}`);
    this.n = 8;
  }

  private need(k: number, field: string): void {
    if (this.n + k > this.b.length) throw new SnapshotError('INVALID', `${this.component}: ${field}: payload ends early (offset ${this.n}, ${k} bytes wanted)`);
  }

  u8(field: string): number { this.need(1, field); const v = this.dv.getUint8(this.n); this.n += 1; return v; }
  bool(field: string): boolean {
    const v = this.u8(field);
    if (v > 1) throw new SnapshotError('INVALID', `${this.component}: ${field}: ${v} is not a boolean`);
    return v === 1;
  }
  u32(field: string): number { this.need(4, field); const v = this.dv.getUint32(this.n, true); this.n += 4; return v; }
  i32(field: string): number { this.need(4, field); const v = this.dv.getInt32(this.n, true); this.n += 4; return v; }
  f64(field: string): number { this.need(8, field); const v = this.dv.getFloat64(this.n, true); this.n += 8; return v; }
  u64(field: string): bigint { this.need(8, field); const v = this.dv.getBigUint64(this.n, true); this.n += 8; return v; }
  bytes(field: string, max = 1 << 30): Uint8Array {
    const len = this.u32(field);
    if (len > max) throw new SnapshotError('INVALID', `${this.component}: ${field}: length ${len} above ${max}`);
    this.need(len, field);
    const out = this.b.slice(this.n, this.n + len);
    this.n += len;
    return out;
  }
  str(field: string): string { return new TextDecoder().decode(this.bytes(field)); }
  opt<T>(field: string, get: () => T): T | null { return this.bool(`${field} present`) ? get() : null; }
  /** A count of items, bounded so a corrupt payload cannot ask for a huge allocation. */
  count(field: string, max: number): number {
    const c = this.u32(field);
    if (c > max) throw new SnapshotError('INVALID', `${this.component}: ${field}: count ${c} above ${max}`);
    return c;
  }
  /** An Int32Array of exactly `expect` words when given (a fixed-size table: MISMATCH otherwise). */
  i32s(field: string, expect?: number): Int32Array {
    const len = this.u32(field);
    if (expect !== undefined && len !== expect) this.mismatch(field, len, expect);
    this.need(4 * len, field);
    const out = new Int32Array(len);
    for (let i = 0; i < len; i++) out[i] = this.dv.getInt32(this.n + 4 * i, true);
    this.n += 4 * len;
    return out;
  }
  u8s(field: string, expect?: number): Uint8Array {
    const out = this.bytes(field);
    if (expect !== undefined && out.length !== expect) this.mismatch(field, out.length, expect);
    return out;
  }
  u16s(field: string, expect?: number): Uint16Array {
    const len = this.u32(field);
    if (expect !== undefined && len !== expect) this.mismatch(field, len, expect);
    this.need(2 * len, field);
    const out = new Uint16Array(len);
    for (let i = 0; i < len; i++) out[i] = this.dv.getUint16(this.n + 2 * i, true);
    this.n += 2 * len;
    return out;
  }
  strs(field: string, max: number): string[] {
    const c = this.count(field, max);
    const out: string[] = [];
    for (let i = 0; i < c; i++) out.push(this.str(`${field}[${i}]`));
    return out;
  }
  part(field: string): Uint8Array { return this.bytes(field); }

  /** Configuration field: the snapshot's value must equal this component's (MISMATCH otherwise). */
  cfgNum(field: string, mine: number): void { const v = this.f64(field); if (!Object.is(v, mine)) this.mismatch(field, v, mine); }
  cfgU32(field: string, mine: number): void { const v = this.u32(field); if (v !== mine) this.mismatch(field, v, mine); }
  cfgBool(field: string, mine: boolean): void { const v = this.bool(field); if (v !== mine) this.mismatch(field, v, mine); }
  cfgU64(field: string, mine: bigint): void { const v = this.u64(field); if (v !== BigInt.asUintN(64, mine)) this.mismatch(field, v, mine); }
  cfgStr(field: string, mine: string): void { const v = this.str(field); if (v !== mine) this.mismatch(field, v, mine); }

  mismatch(field: string, snap: unknown, mine: unknown): never {
    const show = (x: unknown): string => (typeof x === 'number' && Number.isInteger(x) && Math.abs(x) > 9 ? `0x${x.toString(16)}` : typeof x === 'bigint' ? `0x${x.toString(16)}` : JSON.stringify(x));
    throw new SnapshotError('MISMATCH', `${this.component}: ${field} is ${show(snap)} in the snapshot but ${show(mine)} in this component (built with other options)`);
  }

  /** Every byte must have been read. */
  end(): void {
    if (this.n !== this.b.length) throw new SnapshotError('INVALID', `${this.component}: ${this.b.length - this.n} bytes left over after the last field`);
  }
}

/** Writers for config fields (mirroring StateReader.cfg*): the same encodings as the plain ones. */
export function cfgNum(w: StateWriter, v: number): void { w.f64(v); }
export function cfgBool(w: StateWriter, v: boolean): void { w.bool(v); }
export function cfgU64(w: StateWriter, v: bigint): void { w.u64(v); }
export function cfgStr(w: StateWriter, v: string): void { w.str(v); }

/** saveState()/loadState() of a whole component from its StatePart. */
export function savePart(version: number, part: StatePart): Uint8Array {
  const w = new StateWriter(version);
  part.saveTo(w);
  return w.finish();
}
export function loadPart(component: string, version: number, part: StatePart, bytes: Uint8Array): void {
  const r = new StateReader(component, version, bytes);
  const apply = part.readFrom(r);
  r.end();
  apply();
}
