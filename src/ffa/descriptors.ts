/**
 * FF-A descriptors in memory: encoders and validating decoders for the little-endian, packed
 * structures that travel through RX/TX buffers (DEN0077A v1.0 ch.5, v1.1 ch.10/13; ffa-abi.md §5-6).
 *
 * This is the cold path (RX/TX copies, memory transactions): it allocates freely and uses
 * @solana/buffer-layout for the fixed-size parts. Decoders take `(bytes, offset, length, version)`,
 * where `offset` is where the descriptor starts in `bytes` and `length` how many bytes of it the
 * caller vouches for (the fragment length, say); every offset inside a descriptor is relative to its
 * start. They throw a `DescriptorError` naming the field (`emad[1].composite_offset`) and the FF-A
 * status the SPMC should return. Encoders build canonical descriptors that their decoders accept;
 * their optional raw overrides write a chosen value into one field (and nothing else), so tests can
 * build malformed descriptors on purpose.
 */
import { Layout, blob, struct, u16, u32, u8 } from '@solana/buffer-layout';
import {
  FFA_RET_INVALID_PARAMETERS,
  FFA_VERSION_1_0,
  FFA_VERSION_1_1,
  FFA_VERSION_1_2,
  ffaPartitionPropertiesMask,
  ffaVersionString,
  versionMajor,
  versionMinor,
} from './abi.js';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** A descriptor the SPMC must refuse: `field` is a path into it, `code` the FF-A status to return. */
export class DescriptorError extends Error {
  override readonly name = 'DescriptorError';
  constructor(
    /** Path of the offending field, e.g. `emad[1].composite_offset`. */
    readonly field: string,
    /** What is wrong with it. */
    readonly detail: string,
    /** FF-A status code (negative), INVALID_PARAMETERS unless stated. */
    readonly code: number = FFA_RET_INVALID_PARAMETERS,
  ) {
    super(`${field}: ${detail}`);
  }
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DescriptorError };

/** Runs a decoder and returns its DescriptorError instead of throwing it (other errors propagate). */
export function tryDecode<T>(decode: () => T): DecodeResult<T> {
  try {
    return { ok: true, value: decode() };
  } catch (e) {
    if (e instanceof DescriptorError) return { ok: false, error: e };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Field constants (v1.0 §5.11-5.12, v1.1 §10.10; ffa-abi.md §6.2-6.6)
// ---------------------------------------------------------------------------------------------

/** Memory access permissions, bits [1:0]: data access (v1.0 §5.11.2). */
export const FFA_DATA_ACCESS_NOT_SPECIFIED = 0;
export const FFA_DATA_ACCESS_RO = 1;
export const FFA_DATA_ACCESS_RW = 2;
export const FFA_DATA_ACCESS_RESERVED = 3;
/** Memory access permissions, bits [3:2]: instruction access (v1.0 §5.11.3). */
export const FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED = 0;
export const FFA_INSTRUCTION_ACCESS_NX = 1;
export const FFA_INSTRUCTION_ACCESS_X = 2;
export const FFA_INSTRUCTION_ACCESS_RESERVED = 3;
/** Memory access permissions bits [7:4] are SBZ. */
export const FFA_MEM_PERM_MBZ_MASK = 0xf0;

export function ffaMemPermissions(data: number, instruction: number): number {
  return (data & 3) | ((instruction & 3) << 2);
}
export function ffaPermData(permissions: number): number {
  return permissions & 3;
}
export function ffaPermInstruction(permissions: number): number {
  return (permissions >>> 2) & 3;
}

/** EMAD flags bit 0: non-retrieval borrower (ref §6.2); bits [7:1] SBZ. */
export const FFA_EMAD_FLAG_NON_RETRIEVAL_BORROWER = 1;

/** Memory region attributes (v1.0 Table 44 / §5.11.4; v1.1 §10.10.4.1 for the NS bit). */
export const FFA_MEM_ATTR_SHAREABILITY_SHIFT = 0;
export const FFA_MEM_ATTR_CACHEABILITY_SHIFT = 2;
export const FFA_MEM_ATTR_TYPE_SHIFT = 4;
export const FFA_MEM_TYPE_NOT_SPECIFIED = 0;
export const FFA_MEM_TYPE_DEVICE = 1;
export const FFA_MEM_TYPE_NORMAL = 2;
export const FFA_MEM_TYPE_RESERVED = 3;
export const FFA_MEM_CACHE_NON_CACHEABLE = 1; // normal memory
export const FFA_MEM_CACHE_WRITE_BACK = 3; // normal memory
export const FFA_MEM_DEV_NGNRNE = 0; // device memory
export const FFA_MEM_DEV_NGNRE = 1;
export const FFA_MEM_DEV_NGRE = 2;
export const FFA_MEM_DEV_GRE = 3;
export const FFA_MEM_SHARE_NON_SHAREABLE = 0;
export const FFA_MEM_SHARE_OUTER = 2;
export const FFA_MEM_SHARE_INNER = 3;
/** Bit 6 (v1.1): non-secure; set by the relayer in RETRIEVE_RESP only. */
export const FFA_MEM_ATTR_NS = 1 << 6;
/** Normal, write-back, inner shareable: what Linux sends for FFA_MEM_SHARE. */
export const FFA_MEM_ATTR_NORMAL_WB_INNER = 0x2f;

export function ffaMemAttributes(type: number, cacheability: number, shareability: number, ns = false): number {
  return (
    ((type & 3) << FFA_MEM_ATTR_TYPE_SHIFT) |
    ((cacheability & 3) << FFA_MEM_ATTR_CACHEABILITY_SHIFT) |
    ((shareability & 3) << FFA_MEM_ATTR_SHAREABILITY_SHIFT) |
    (ns ? FFA_MEM_ATTR_NS : 0)
  );
}
export function ffaMemAttrType(attributes: number): number {
  return (attributes >>> FFA_MEM_ATTR_TYPE_SHIFT) & 3;
}
export function ffaMemAttrCacheability(attributes: number): number {
  return (attributes >>> FFA_MEM_ATTR_CACHEABILITY_SHIFT) & 3;
}
export function ffaMemAttrShareability(attributes: number): number {
  return (attributes >>> FFA_MEM_ATTR_SHAREABILITY_SHIFT) & 3;
}

/** Memory transaction descriptor flags (v1.0 §5.12.4.1; ffa-abi.md §6.5). */
export const FFA_MEM_FLAG_CLEAR = 1 << 0; // send: zero before giving; retrieve: zero before retrieval
export const FFA_MEM_FLAG_TIME_SLICE = 1 << 1;
export const FFA_MEM_FLAG_CLEAR_RELINQUISH = 1 << 2; // retrieve request only
export const FFA_MEM_FLAG_TYPE_SHIFT = 3; // retrieve request/response: transaction type, bits [4:3]
export const FFA_MEM_FLAG_TYPE_MASK = 3 << FFA_MEM_FLAG_TYPE_SHIFT;
export const FFA_MEM_FLAG_TYPE_UNSPECIFIED = 0 << FFA_MEM_FLAG_TYPE_SHIFT;
export const FFA_MEM_FLAG_TYPE_SHARE = 1 << FFA_MEM_FLAG_TYPE_SHIFT;
export const FFA_MEM_FLAG_TYPE_LEND = 2 << FFA_MEM_FLAG_TYPE_SHIFT;
export const FFA_MEM_FLAG_TYPE_DONATE = 3 << FFA_MEM_FLAG_TYPE_SHIFT;
export const FFA_MEM_FLAG_ALIGN_HINT_SHIFT = 5; // retrieve request: bits [8:5]
export const FFA_MEM_FLAG_ALIGN_HINT_MASK = 0xf << FFA_MEM_FLAG_ALIGN_HINT_SHIFT;
export const FFA_MEM_FLAG_ALIGN_HINT_VALID = 1 << 9;
export const FFA_MEM_FLAG_BYPASS_MULTI_BORROWER = 1 << 10; // v1.2 retrieve request

/** FFA_MEM_RECLAIM w3 and relinquish-descriptor flags. */
export const FFA_MEM_RECLAIM_CLEAR = 1 << 0;
export const FFA_MEM_RECLAIM_TIME_SLICE = 1 << 1;
export const FFA_RELINQUISH_FLAG_CLEAR = 1 << 0;
export const FFA_RELINQUISH_FLAG_TIME_SLICE = 1 << 1;

/** The 4 KiB granule every FF-A page count and constituent address is expressed in. */
export const FFA_PAGE_SIZE = 4096;

// ---------------------------------------------------------------------------------------------
// Layout plumbing
// ---------------------------------------------------------------------------------------------

/** A little-endian unsigned 64-bit field as a bigint (buffer-layout's nu64 rounds above 2^53). */
class U64 extends Layout<bigint> {
  constructor(property?: string) {
    super(8, property);
  }
  override decode(b: Uint8Array, offset = 0): bigint {
    return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset, true);
  }
  override encode(src: bigint, b: Uint8Array, offset = 0): number {
    if (typeof src !== 'bigint' || src < 0n || src > 0xffff_ffff_ffff_ffffn) {
      throw new RangeError(`${this.property ?? 'u64'}: ${String(src)} is not an unsigned 64-bit value`);
    }
    new DataView(b.buffer, b.byteOffset, b.byteLength).setBigUint64(offset, src, true);
    return 8;
  }
}
const u64 = (property: string): U64 => new U64(property);

/** A decoded blob field as a fresh Uint8Array (buffer-layout's Blob returns a Buffer view). */
function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

interface PartitionInfoV10Raw {
  id: number;
  executionContexts: number;
  properties: number;
}
interface PartitionInfoV11Raw extends PartitionInfoV10Raw {
  uuid: Uint8Array;
}
const PARTITION_INFO_V1_0 = struct<PartitionInfoV10Raw>([u16('id'), u16('executionContexts'), u32('properties')]);
const PARTITION_INFO_V1_1 = struct<PartitionInfoV11Raw>([
  u16('id'),
  u16('executionContexts'),
  u32('properties'),
  blob(16, 'uuid'),
]);

interface MtdHeaderV10Raw {
  sender: number;
  attributes: number;
  reserved3: number;
  flags: number;
  handle: bigint;
  tag: bigint;
  reserved24: number;
  emadCount: number;
}
const MTD_HEADER_V1_0 = struct<MtdHeaderV10Raw>([
  u16('sender'),
  u8('attributes'),
  u8('reserved3'),
  u32('flags'),
  u64('handle'),
  u64('tag'),
  u32('reserved24'),
  u32('emadCount'),
]);

interface MtdHeaderV11Raw {
  sender: number;
  attributes: number;
  flags: number;
  handle: bigint;
  tag: bigint;
  emadSize: number;
  emadCount: number;
  emadOffset: number;
  reserved36: Uint8Array;
}
const MTD_HEADER_V1_1 = struct<MtdHeaderV11Raw>([
  u16('sender'),
  u16('attributes'),
  u32('flags'),
  u64('handle'),
  u64('tag'),
  u32('emadSize'),
  u32('emadCount'),
  u32('emadOffset'),
  blob(12, 'reserved36'),
]);

interface EmadRaw {
  receiver: number;
  permissions: number;
  flags: number;
  compositeOffset: number;
}
interface EmadV10Raw extends EmadRaw {
  reserved8: bigint;
}
interface EmadV12Raw extends EmadRaw {
  impdef: Uint8Array;
  reserved24: bigint;
}
const EMAD_V1_0 = struct<EmadV10Raw>([
  u16('receiver'),
  u8('permissions'),
  u8('flags'),
  u32('compositeOffset'),
  u64('reserved8'),
]);
const EMAD_V1_2 = struct<EmadV12Raw>([
  u16('receiver'),
  u8('permissions'),
  u8('flags'),
  u32('compositeOffset'),
  blob(16, 'impdef'),
  u64('reserved24'),
]);

interface CompositeRaw {
  totalPageCount: number;
  addressRangeCount: number;
  reserved8: bigint;
}
const COMPOSITE = struct<CompositeRaw>([u32('totalPageCount'), u32('addressRangeCount'), u64('reserved8')]);

interface ConstituentRaw {
  address: bigint;
  pageCount: number;
  reserved12: number;
}
const CONSTITUENT = struct<ConstituentRaw>([u64('address'), u32('pageCount'), u32('reserved12')]);

interface RelinquishRaw {
  handle: bigint;
  flags: number;
  endpointCount: number;
}
const RELINQUISH = struct<RelinquishRaw>([u64('handle'), u32('flags'), u32('endpointCount')]);

interface RxTxRaw {
  endpointId: number;
  reserved2: number;
  rxOffset: number;
  txOffset: number;
  pad: number;
}
const ENDPOINT_RXTX = struct<RxTxRaw>([
  u16('endpointId'),
  u16('reserved2'),
  u32('rxOffset'),
  u32('txOffset'),
  u32('pad'),
]);
const U16 = u16();

/** Sizes in bytes (ffa-abi.md §5.1, §6). */
export const FFA_PARTITION_INFO_SIZE_V1_0 = 8;
export const FFA_PARTITION_INFO_SIZE_V1_1 = 24;
export const FFA_MTD_HEADER_SIZE_V1_0 = 32;
export const FFA_MTD_HEADER_SIZE_V1_1 = 48;
export const FFA_EMAD_SIZE_V1_0 = 16;
export const FFA_EMAD_SIZE_V1_2 = 32;
export const FFA_COMPOSITE_HEADER_SIZE = 16;
export const FFA_CONSTITUENT_SIZE = 16;
export const FFA_RELINQUISH_HEADER_SIZE = 16;
export const FFA_ENDPOINT_RXTX_SIZE = 16;

/** Which descriptor layout a version word selects; only v1.0-v1.2 layouts are implemented. */
function layoutMinor(version: number): 0 | 1 | 2 {
  const minor = versionMinor(version);
  if (versionMajor(version) !== 1 || minor > 2 || (version & 0x80000000) !== 0) {
    throw new RangeError(`FF-A descriptors for version ${ffaVersionString(version)} are not implemented (1.0-1.2 are)`);
  }
  return minor as 0 | 1 | 2;
}

/** Throws RangeError when an encoder input does not fit its field. */
function checkUint(field: string, value: number, bits: 8 | 16 | 32): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${field}: ${value} does not fit in ${bits} bits`);
  }
}

/** The window [offset, offset + length) of `bytes` a decoder may read. */
function checkWindow(bytes: Uint8Array, offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new RangeError(`descriptor offset ${offset} outside a ${bytes.length}-byte buffer`);
  }
  if (!Number.isInteger(length) || length < 0 || length > bytes.length - offset) {
    throw new DescriptorError('length', `${length} bytes from offset ${offset} overrun the ${bytes.length}-byte buffer`);
  }
}

/** Throws unless [start, start + size) lies inside [0, length), with no arithmetic overflow. */
function need(field: string, start: number, size: number, length: number, what: string): void {
  if (start > length || size > length - start) {
    throw new DescriptorError(field, `${what} at offset ${start} (${size} bytes) overruns the ${length}-byte descriptor`);
  }
}

function hex(v: number | bigint): string {
  return `0x${v.toString(16)}`;
}

function allZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

// ---------------------------------------------------------------------------------------------
// UUIDs (vector-format.md "UUIDs"; ffa-abi.md §5.1 "UUID <-> registers")
// ---------------------------------------------------------------------------------------------

const UUID_RE = /^([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})$/;

/** The 16 bytes of a textual UUID, in text order. Throws SyntaxError when the text is malformed. */
export function parseUuid(text: string): Uint8Array {
  const m = UUID_RE.exec(text);
  if (m === null) throw new SyntaxError(`"${text}" is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  const digits = m.slice(1).join('');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case text form of 16 UUID bytes. */
export function formatUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a UUID has 16 bytes, not ${bytes.length}`);
  const h = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The Nil UUID (all zero): "every partition" in FFA_PARTITION_INFO_GET, "any service" in DIRECT_REQ2. */
export const NIL_UUID: Uint8Array = new Uint8Array(16);

export function uuidIsNil(bytes: Uint8Array): boolean {
  return allZero(bytes);
}

export function uuidEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The four 32-bit words (w1..w4 of FFA_PARTITION_INFO_GET): bytes 0-3, 4-7, 8-11, 12-15, each loaded
 * little-endian, as Linux's driver does. `a1a2a3a4-b1b2-...` gives w1 = 0xa4a3a2a1.
 */
export function uuidToWords(bytes: Uint8Array): [number, number, number, number] {
  if (bytes.length !== 16) throw new RangeError(`a UUID has 16 bytes, not ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return [dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true), dv.getUint32(12, true)];
}

/** Inverse of uuidToWords. */
export function uuidFromWords(w1: number, w2: number, w3: number, w4: number): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, w1 >>> 0, true);
  dv.setUint32(4, w2 >>> 0, true);
  dv.setUint32(8, w3 >>> 0, true);
  dv.setUint32(12, w4 >>> 0, true);
  return out;
}

/**
 * The 64-bit register pair (x2/x3 of DIRECT_REQ2, x1/x2 of PARTITION_INFO_GET_REGS): bytes 0-7 and
 * 8-15 loaded little-endian, so lo = w2 << 32 | w1 and hi = w4 << 32 | w3.
 */
export function uuidToRegPair(bytes: Uint8Array): [bigint, bigint] {
  if (bytes.length !== 16) throw new RangeError(`a UUID has 16 bytes, not ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return [dv.getBigUint64(0, true), dv.getBigUint64(8, true)];
}

/** Inverse of uuidToRegPair. */
export function uuidFromRegPair(lo: bigint, hi: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt.asUintN(64, lo), true);
  dv.setBigUint64(8, BigInt.asUintN(64, hi), true);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Partition information descriptor (v1.0 Table 82: 8 B; v1.1 Table 13.34: 24 B with UUID)
// ---------------------------------------------------------------------------------------------

export interface PartitionInfo {
  /** Partition (endpoint) ID. */
  id: number;
  /** Execution context count (or the proxy ID of a dependent peripheral, v1.1). */
  executionContexts: number;
  /** Partition properties (abi.ts FFA_PARTITION_*). */
  properties: number;
  /** v1.1+: the partition's UUID (Nil when the query named a UUID); absent in v1.0 descriptors. */
  uuid?: Uint8Array;
}

/** Bytes per partition information descriptor at a version: 8 for v1.0, 24 for v1.1 and v1.2. */
export function partitionInfoSize(version: number): number {
  return layoutMinor(version) === 0 ? FFA_PARTITION_INFO_SIZE_V1_0 : FFA_PARTITION_INFO_SIZE_V1_1;
}

/** Encodes descriptors back to back. v1.0 drops the UUID; v1.1+ writes Nil when `uuid` is absent. */
export function encodePartitionInfo(infos: readonly PartitionInfo[], version: number): Uint8Array {
  const size = partitionInfoSize(version);
  const out = new Uint8Array(size * infos.length);
  infos.forEach((p, i) => {
    checkUint(`[${i}].id`, p.id, 16);
    checkUint(`[${i}].executionContexts`, p.executionContexts, 16);
    checkUint(`[${i}].properties`, p.properties, 32);
    if (size === FFA_PARTITION_INFO_SIZE_V1_0) {
      PARTITION_INFO_V1_0.encode(p, out, i * size);
    } else {
      const uuid = p.uuid ?? NIL_UUID;
      if (uuid.length !== 16) throw new RangeError(`[${i}].uuid: 16 bytes expected`);
      PARTITION_INFO_V1_1.encode({ ...p, uuid }, out, i * size);
    }
  });
  return out;
}

/**
 * Decodes `count` descriptors (default: as many as `length` holds, which must then be a whole
 * number of them). Properties bits the version does not define must be zero.
 */
export function decodePartitionInfo(
  bytes: Uint8Array,
  offset: number,
  length: number,
  version: number,
  count?: number,
): PartitionInfo[] {
  checkWindow(bytes, offset, length);
  const size = partitionInfoSize(version);
  if (count === undefined) {
    if (length % size !== 0) {
      throw new DescriptorError('length', `${length} is not a multiple of the ${size}-byte descriptor`);
    }
    count = length / size;
  } else if (count > Math.floor(length / size)) {
    throw new DescriptorError('count', `${count} descriptors of ${size} bytes overrun ${length} bytes`);
  }
  const mask = ffaPartitionPropertiesMask(version);
  const out: PartitionInfo[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + i * size;
    if (size === FFA_PARTITION_INFO_SIZE_V1_0) {
      const r = PARTITION_INFO_V1_0.decode(bytes, at);
      out.push({ id: r.id, executionContexts: r.executionContexts, properties: r.properties });
    } else {
      const r = PARTITION_INFO_V1_1.decode(bytes, at);
      out.push({
        id: r.id,
        executionContexts: r.executionContexts,
        properties: r.properties,
        uuid: copyBytes(r.uuid),
      });
    }
    const props = out[i]!.properties;
    if ((props & ~mask) !== 0) {
      throw new DescriptorError(
        `[${i}].properties`,
        `${hex(props >>> 0)} sets bits reserved at v${ffaVersionString(version)} (defined: ${hex(mask)})`,
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Composite and constituent memory region descriptors (v1.0 Table 39; ffa-abi.md §6.3)
// ---------------------------------------------------------------------------------------------

export interface MemRegionConstituent {
  /** Base address, 4 KiB aligned (IPA, PA or VA depending on the instance). */
  address: bigint;
  /** Size in 4 KiB pages. */
  pageCount: number;
}

export interface CompositeMemRegion {
  /** Sum of the constituents' page counts. */
  totalPageCount: number;
  constituents: MemRegionConstituent[];
}

/** Optional raw field values for building malformed composites; layout is unchanged. */
export interface CompositeOverrides {
  totalPageCount?: number;
  addressRangeCount?: number;
}

function compositeSize(n: number): number {
  return FFA_COMPOSITE_HEADER_SIZE + n * FFA_CONSTITUENT_SIZE;
}

function sumPages(constituents: readonly MemRegionConstituent[]): number {
  return constituents.reduce((s, c) => s + c.pageCount, 0);
}

function writeComposite(
  out: Uint8Array,
  at: number,
  constituents: readonly MemRegionConstituent[],
  overrides: CompositeOverrides,
  path: string,
): void {
  const total = overrides.totalPageCount ?? sumPages(constituents);
  const count = overrides.addressRangeCount ?? constituents.length;
  checkUint(`${path}.total_page_count`, total, 32);
  checkUint(`${path}.address_range_count`, count, 32);
  COMPOSITE.encode({ totalPageCount: total, addressRangeCount: count, reserved8: 0n }, out, at);
  constituents.forEach((c, j) => {
    checkUint(`${path}.constituents[${j}].page_count`, c.pageCount, 32);
    CONSTITUENT.encode({ address: c.address, pageCount: c.pageCount, reserved12: 0 }, out, at + compositeSize(j));
  });
}

/** Encodes a composite memory region descriptor with its constituents (16 + 16 * N bytes). */
export function encodeCompositeMemRegion(
  constituents: readonly MemRegionConstituent[],
  overrides: CompositeOverrides = {},
): Uint8Array {
  const out = new Uint8Array(compositeSize(constituents.length));
  writeComposite(out, 0, constituents, overrides, 'composite');
  return out;
}

/**
 * Decodes the composite at `at` (relative to the descriptor at `base`), checking that it and its
 * constituents fit in `length`, reserved fields are zero, constituents are page aligned and do not
 * wrap, and total_page_count equals the sum of the constituents' page counts.
 */
function readComposite(bytes: Uint8Array, base: number, at: number, length: number, path: string): CompositeMemRegion {
  need(path, at, FFA_COMPOSITE_HEADER_SIZE, length, 'composite memory region descriptor');
  const h = COMPOSITE.decode(bytes, base + at);
  if (h.reserved8 !== 0n) throw new DescriptorError(`${path}.reserved_8`, `MBZ, is ${hex(h.reserved8)}`);
  const room = Math.floor((length - at - FFA_COMPOSITE_HEADER_SIZE) / FFA_CONSTITUENT_SIZE);
  if (h.addressRangeCount > room) {
    throw new DescriptorError(
      `${path}.address_range_count`,
      `${h.addressRangeCount} constituents do not fit: the descriptor has room for ${room}`,
    );
  }
  const constituents: MemRegionConstituent[] = [];
  let sum = 0;
  for (let j = 0; j < h.addressRangeCount; j++) {
    const p = `${path}.constituents[${j}]`;
    const c = CONSTITUENT.decode(bytes, base + at + compositeSize(j));
    if (c.reserved12 !== 0) throw new DescriptorError(`${p}.reserved_12`, `MBZ, is ${hex(c.reserved12)}`);
    if (c.address % BigInt(FFA_PAGE_SIZE) !== 0n) {
      throw new DescriptorError(`${p}.address`, `${hex(c.address)} is not 4 KiB aligned`);
    }
    if (c.address + BigInt(c.pageCount) * BigInt(FFA_PAGE_SIZE) > 1n << 64n) {
      throw new DescriptorError(`${p}.page_count`, `${c.pageCount} pages from ${hex(c.address)} wrap past 2^64`);
    }
    sum += c.pageCount; // < 2^32 * 2^32: exact in a double
    constituents.push({ address: c.address, pageCount: c.pageCount });
  }
  if (sum !== h.totalPageCount) {
    throw new DescriptorError(
      `${path}.total_page_count`,
      `${h.totalPageCount} differs from the sum of the constituents' page counts (${sum})`,
    );
  }
  return { totalPageCount: h.totalPageCount, constituents };
}

/** Decodes a standalone composite memory region descriptor. */
export function decodeCompositeMemRegion(
  bytes: Uint8Array,
  offset: number,
  length: number,
  version: number,
): CompositeMemRegion {
  layoutMinor(version);
  checkWindow(bytes, offset, length);
  return readComposite(bytes, offset, 0, length, 'composite');
}

// ---------------------------------------------------------------------------------------------
// Memory transaction descriptor, EMADs, retrieve requests (v1.0 §5.12; v1.1 §10.11?; ffa-abi.md §6)
// ---------------------------------------------------------------------------------------------

/** Endpoint memory access descriptor (16 B in v1.0/v1.1, 32 B in v1.2). */
export interface EndpointMemAccess {
  /** Receiver endpoint ID. */
  receiver: number;
  /** Memory access permissions (data bits [1:0], instruction bits [3:2]). */
  permissions: number;
  /** EMAD flags (bit 0: non-retrieval borrower). */
  flags: number;
  /** Offset of the composite from the start of the transaction descriptor; 0 = none given. */
  compositeOffset: number;
  /** v1.2 (32-byte EMAD) only: the 16-byte implementation-defined value. */
  impdef?: Uint8Array;
}

export interface MemTransaction {
  /** Sender (owner) endpoint ID. */
  sender: number;
  /** Memory region attributes (u8 in v1.0, u16 from v1.1). */
  attributes: number;
  flags: number;
  handle: bigint;
  tag: bigint;
  /** Size of each EMAD: 16, or 32 for the v1.2 layout. v1.0 has no field; 16 is reported. */
  emadSize: number;
  /** Where the EMAD array starts: 32 in v1.0 (fixed), the header field from v1.1. */
  emadOffset: number;
  receivers: EndpointMemAccess[];
  /** The composite all receivers point at, absent when every composite offset is 0. */
  composite?: CompositeMemRegion & { offset: number };
  /** Bytes the descriptor spans: the end of its last structure. */
  length: number;
}

/** Which ABI carries the descriptor: selects the flags and composite rules (ffa-abi.md §6.5, §7.6). */
export type MemTransactionKind = 'donate' | 'lend' | 'share' | 'retrieve-req' | 'retrieve-resp';

export interface MemTransactionDecodeOptions {
  /** Apply the rules of this ABI as well as the structural ones. */
  kind?: MemTransactionKind;
  /**
   * Required alignment of composite offsets. Default 8, a64el's reading of the spec; Hafnium and
   * TF-A require 16 (pass 16 for those policies). Encoders always place composites 16-aligned.
   */
  compositeAlignment?: number;
}

/** Input to encodeMemTransaction; unset fields get their canonical value. */
export interface MemTransactionSpec {
  sender: number;
  attributes?: number;
  flags?: number;
  handle?: bigint;
  tag?: bigint;
  receivers: readonly EndpointMemAccessSpec[];
  /** The memory region; omit for retrieve requests that leave the addresses to the relayer. */
  constituents?: readonly MemRegionConstituent[];
  /** Raw header/composite field values (the layout stays canonical), for malformed descriptors. */
  overrides?: {
    emadSize?: number;
    emadOffset?: number;
    emadCount?: number;
    totalPageCount?: number;
    addressRangeCount?: number;
  };
}

export interface EndpointMemAccessSpec {
  receiver: number;
  permissions: number;
  flags?: number;
  /** v1.2 only; 16 bytes, zero when absent. */
  impdef?: Uint8Array;
  /** Raw composite offset for this EMAD (default: where the composite is placed, or 0). */
  compositeOffset?: number;
}

/** EMAD size a version's encoder uses. */
export function emadSize(version: number): number {
  return layoutMinor(version) >= 2 ? FFA_EMAD_SIZE_V1_2 : FFA_EMAD_SIZE_V1_0;
}

/** Header size at a version: 32 bytes in v1.0, 48 from v1.1. */
export function memTransactionHeaderSize(version: number): number {
  return layoutMinor(version) === 0 ? FFA_MTD_HEADER_SIZE_V1_0 : FFA_MTD_HEADER_SIZE_V1_1;
}

/**
 * Encodes a memory transaction descriptor: header, EMAD array right after it (offset 32 in v1.0, 48
 * from v1.1), then, if constituents are given, one composite 16-byte aligned after the EMADs that
 * every EMAD points at. The bytes are what FFA_MEM_SHARE/LEND/DONATE and FFA_MEM_RETRIEVE_REQ/RESP
 * carry in the TX/RX buffer.
 */
export function encodeMemTransaction(spec: MemTransactionSpec, version: number): Uint8Array {
  const minor = layoutMinor(version);
  const ov = spec.overrides ?? {};
  const headerSize = memTransactionHeaderSize(version);
  const size = emadSize(version);
  const n = spec.receivers.length;
  const emadsEnd = headerSize + n * size;
  const compositeAt = spec.constituents === undefined ? 0 : alignUp(emadsEnd, 16);
  const total = spec.constituents === undefined ? emadsEnd : compositeAt + compositeSize(spec.constituents.length);
  const out = new Uint8Array(total);

  const attributes = spec.attributes ?? 0;
  const flags = spec.flags ?? 0;
  checkUint('sender_id', spec.sender, 16);
  checkUint('attributes', attributes, minor === 0 ? 8 : 16);
  checkUint('flags', flags, 32);
  const emadCount = ov.emadCount ?? n;
  checkUint('emad_count', emadCount, 32);
  const common = { sender: spec.sender, attributes, flags, handle: spec.handle ?? 0n, tag: spec.tag ?? 0n, emadCount };
  if (minor === 0) {
    MTD_HEADER_V1_0.encode({ ...common, reserved3: 0, reserved24: 0 }, out, 0);
  } else {
    const emadSizeField = ov.emadSize ?? size;
    const emadOffsetField = ov.emadOffset ?? headerSize;
    checkUint('emad_size', emadSizeField, 32);
    checkUint('emad_offset', emadOffsetField, 32);
    MTD_HEADER_V1_1.encode(
      { ...common, emadSize: emadSizeField, emadOffset: emadOffsetField, reserved36: new Uint8Array(12) },
      out,
      0,
    );
  }

  spec.receivers.forEach((r, i) => {
    const p = `emad[${i}]`;
    const compositeOffset = r.compositeOffset ?? compositeAt;
    checkUint(`${p}.receiver_id`, r.receiver, 16);
    checkUint(`${p}.permissions`, r.permissions, 8);
    checkUint(`${p}.flags`, r.flags ?? 0, 8);
    checkUint(`${p}.composite_offset`, compositeOffset, 32);
    const emad = { receiver: r.receiver, permissions: r.permissions, flags: r.flags ?? 0, compositeOffset };
    const at = headerSize + i * size;
    if (size === FFA_EMAD_SIZE_V1_2) {
      const impdef = r.impdef ?? new Uint8Array(16);
      if (impdef.length !== 16) throw new RangeError(`${p}.impdef: 16 bytes expected`);
      EMAD_V1_2.encode({ ...emad, impdef, reserved24: 0n }, out, at);
    } else {
      if (r.impdef !== undefined) throw new RangeError(`${p}.impdef: only v1.2 EMADs carry one`);
      EMAD_V1_0.encode({ ...emad, reserved8: 0n }, out, at);
    }
  });

  if (spec.constituents !== undefined) {
    const co: CompositeOverrides = {};
    if (ov.totalPageCount !== undefined) co.totalPageCount = ov.totalPageCount;
    if (ov.addressRangeCount !== undefined) co.addressRangeCount = ov.addressRangeCount;
    writeComposite(out, compositeAt, spec.constituents, co, 'composite');
  }
  return out;
}

/** Attribute bits that must be zero: v1.0 u8 bits [7:6]; v1.1+ bits [15:7], and NS except in RETRIEVE_RESP. */
function attributesMbz(minor: number, kind: MemTransactionKind | undefined): number {
  if (minor === 0) return 0xc0;
  return kind === 'retrieve-resp' ? 0xff80 : 0xff80 | FFA_MEM_ATTR_NS;
}

/** Flag bits defined per ABI (ffa-abi.md §6.5); the others are MBZ. */
function flagsDefined(minor: number, kind: MemTransactionKind): number {
  switch (kind) {
    case 'donate':
    case 'lend':
    case 'share':
      return FFA_MEM_FLAG_CLEAR | FFA_MEM_FLAG_TIME_SLICE;
    case 'retrieve-req':
      return (
        FFA_MEM_FLAG_CLEAR |
        FFA_MEM_FLAG_TIME_SLICE |
        FFA_MEM_FLAG_CLEAR_RELINQUISH |
        FFA_MEM_FLAG_TYPE_MASK |
        FFA_MEM_FLAG_ALIGN_HINT_MASK |
        FFA_MEM_FLAG_ALIGN_HINT_VALID |
        (minor >= 2 ? FFA_MEM_FLAG_BYPASS_MULTI_BORROWER : 0)
      );
    case 'retrieve-resp':
      return FFA_MEM_FLAG_CLEAR | FFA_MEM_FLAG_TYPE_MASK;
  }
}

/**
 * Decodes and validates a memory transaction descriptor (send, retrieve request or response).
 *
 * Structural checks, always: header, EMAD array and composite inside `length` without overflow;
 * reserved fields and MBZ bits zero; v1.1+ emad_size 16 (or 32 at v1.2) and emad_offset >= 48 and
 * 16-aligned; permissions without reserved encodings; no receiver listed twice; every non-zero
 * composite offset equal, aligned, after the EMAD array; constituents page aligned and summing to
 * total_page_count. With `kind`: the flags that ABI defines, and for DONATE/LEND/SHARE at least one
 * receiver (exactly one for DONATE), a composite, no receiver equal to the sender, and no zero-memory
 * flag on SHARE; for a retrieve request, no zeroing flags when it names a SHARE.
 */
export function decodeMemTransaction(
  bytes: Uint8Array,
  offset: number,
  length: number,
  version: number,
  options: MemTransactionDecodeOptions = {},
): MemTransaction {
  const minor = layoutMinor(version);
  checkWindow(bytes, offset, length);
  const kind = options.kind;
  const align = options.compositeAlignment ?? 8;
  const headerSize = memTransactionHeaderSize(version);
  need('header', 0, headerSize, length, `${headerSize}-byte memory transaction descriptor header`);

  let sender: number, attributes: number, flags: number, handle: bigint, tag: bigint;
  let emadCount: number, size: number, emadOffset: number;
  if (minor === 0) {
    const h = MTD_HEADER_V1_0.decode(bytes, offset);
    if (h.reserved3 !== 0) throw new DescriptorError('reserved_3', `MBZ, is ${hex(h.reserved3)}`);
    if (h.reserved24 !== 0) throw new DescriptorError('reserved_24', `MBZ, is ${hex(h.reserved24)}`);
    ({ sender, attributes, flags, handle, tag, emadCount } = h);
    size = FFA_EMAD_SIZE_V1_0;
    emadOffset = FFA_MTD_HEADER_SIZE_V1_0;
  } else {
    const h = MTD_HEADER_V1_1.decode(bytes, offset);
    ({ sender, attributes, flags, handle, tag, emadCount } = h);
    size = h.emadSize;
    emadOffset = h.emadOffset;
    if (size !== FFA_EMAD_SIZE_V1_0 && !(minor >= 2 && size === FFA_EMAD_SIZE_V1_2)) {
      throw new DescriptorError(
        'emad_size',
        `${size} is not an EMAD size of v${ffaVersionString(version)} (${minor >= 2 ? '16 or 32' : '16'})`,
      );
    }
    if (emadOffset < FFA_MTD_HEADER_SIZE_V1_1 || emadOffset % 16 !== 0) {
      throw new DescriptorError('emad_offset', `${emadOffset} must be 16-byte aligned and at least 48`);
    }
    if (!allZero(h.reserved36)) {
      throw new DescriptorError('reserved_36', 'MBZ');
    }
  }

  const attrMbz = attributesMbz(minor, kind);
  if ((attributes & attrMbz) !== 0) {
    throw new DescriptorError('attributes', `${hex(attributes)} sets MBZ bits ${hex(attributes & attrMbz)}`);
  }
  if (ffaMemAttrType(attributes) === FFA_MEM_TYPE_RESERVED) {
    throw new DescriptorError('attributes', `${hex(attributes)} uses the reserved memory type 0b11`);
  }
  if (kind !== undefined) {
    const extra = flags & ~flagsDefined(minor, kind);
    if (extra !== 0) {
      throw new DescriptorError('flags', `${hex(flags >>> 0)} sets bits ${hex(extra >>> 0)} that ${kind} leaves MBZ`);
    }
    if (kind === 'share' && (flags & FFA_MEM_FLAG_CLEAR) !== 0) {
      throw new DescriptorError('flags', 'the zero-memory flag is not allowed on FFA_MEM_SHARE');
    }
    if (
      kind === 'retrieve-req' &&
      (flags & FFA_MEM_FLAG_TYPE_MASK) === FFA_MEM_FLAG_TYPE_SHARE &&
      (flags & (FFA_MEM_FLAG_CLEAR | FFA_MEM_FLAG_CLEAR_RELINQUISH)) !== 0
    ) {
      throw new DescriptorError('flags', 'zeroing flags are not allowed when retrieving a share');
    }
  }

  // The EMAD array: count * size bytes from emadOffset, checked by division (no overflow).
  if (emadOffset > length || emadCount > Math.floor((length - emadOffset) / size)) {
    throw new DescriptorError(
      'emad_count',
      `${emadCount} EMADs of ${size} bytes from offset ${emadOffset} overrun the ${length}-byte descriptor`,
    );
  }
  const emadsEnd = emadOffset + emadCount * size;
  const receivers: EndpointMemAccess[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < emadCount; i++) {
    const p = `emad[${i}]`;
    const at = offset + emadOffset + i * size;
    let e: EndpointMemAccess;
    if (size === FFA_EMAD_SIZE_V1_2) {
      const r = EMAD_V1_2.decode(bytes, at);
      if (r.reserved24 !== 0n) throw new DescriptorError(`${p}.reserved_24`, `MBZ, is ${hex(r.reserved24)}`);
      e = {
        receiver: r.receiver,
        permissions: r.permissions,
        flags: r.flags,
        compositeOffset: r.compositeOffset,
        impdef: copyBytes(r.impdef),
      };
    } else {
      const r = EMAD_V1_0.decode(bytes, at);
      if (r.reserved8 !== 0n) throw new DescriptorError(`${p}.reserved_8`, `MBZ, is ${hex(r.reserved8)}`);
      e = { receiver: r.receiver, permissions: r.permissions, flags: r.flags, compositeOffset: r.compositeOffset };
    }
    if ((e.permissions & FFA_MEM_PERM_MBZ_MASK) !== 0) {
      throw new DescriptorError(`${p}.permissions`, `${hex(e.permissions)} sets MBZ bits [7:4]`);
    }
    if (ffaPermData(e.permissions) === FFA_DATA_ACCESS_RESERVED) {
      throw new DescriptorError(`${p}.permissions`, `${hex(e.permissions)} uses the reserved data access 0b11`);
    }
    if (ffaPermInstruction(e.permissions) === FFA_INSTRUCTION_ACCESS_RESERVED) {
      throw new DescriptorError(`${p}.permissions`, `${hex(e.permissions)} uses the reserved instruction access 0b11`);
    }
    if ((e.flags & ~FFA_EMAD_FLAG_NON_RETRIEVAL_BORROWER) !== 0) {
      throw new DescriptorError(`${p}.flags`, `${hex(e.flags)} sets MBZ bits [7:1]`);
    }
    const dup = seen.get(e.receiver);
    if (dup !== undefined) {
      throw new DescriptorError(`${p}.receiver_id`, `${hex(e.receiver)} is already the receiver of emad[${dup}]`);
    }
    seen.set(e.receiver, i);
    if (kind !== undefined && kind !== 'retrieve-resp' && kind !== 'retrieve-req' && e.receiver === sender) {
      throw new DescriptorError(`${p}.receiver_id`, `${hex(e.receiver)} is the sender itself`);
    }
    receivers.push(e);
  }

  if (kind === 'donate' || kind === 'lend' || kind === 'share') {
    if (emadCount === 0) {
      throw new DescriptorError('emad_count', `FFA_MEM_${kind.toUpperCase()} needs at least one receiver`);
    }
    if (kind === 'donate' && emadCount !== 1) {
      throw new DescriptorError('emad_count', `FFA_MEM_DONATE takes exactly one receiver, not ${emadCount}`);
    }
  }

  // One composite, shared by every receiver that names one.
  let compositeOffset = 0;
  let firstWith = -1;
  receivers.forEach((e, i) => {
    const p = `emad[${i}].composite_offset`;
    if (e.compositeOffset === 0) {
      if (kind === 'donate' || kind === 'lend' || kind === 'share' || (kind === 'retrieve-resp' && i === 0)) {
        throw new DescriptorError(p, 'no composite memory region descriptor given');
      }
      return;
    }
    if (firstWith < 0) {
      firstWith = i;
      compositeOffset = e.compositeOffset;
      if (compositeOffset % align !== 0) {
        throw new DescriptorError(p, `${compositeOffset} is not ${align}-byte aligned`);
      }
      if (compositeOffset < emadsEnd) {
        throw new DescriptorError(p, `${compositeOffset} points inside the header or EMAD array (which end at ${emadsEnd})`);
      }
    } else if (e.compositeOffset !== compositeOffset) {
      throw new DescriptorError(p, `${e.compositeOffset} differs from emad[${firstWith}]'s ${compositeOffset}`);
    }
  });

  const result: MemTransaction = {
    sender,
    attributes,
    flags,
    handle,
    tag,
    emadSize: size,
    emadOffset,
    receivers,
    length: Math.max(headerSize, emadsEnd),
  };
  if (firstWith >= 0) {
    const composite = readComposite(bytes, offset, compositeOffset, length, 'composite');
    result.composite = { offset: compositeOffset, ...composite };
    result.length = Math.max(result.length, compositeOffset + compositeSize(composite.constituents.length));
  }
  return result;
}

/** Input to encodeMemRetrieveRequest (ffa-abi.md §6.8). */
export interface MemRetrieveRequestSpec {
  /** The owner's endpoint ID (0 for the host in a hypervisor retrieve request). */
  sender: number;
  handle: bigint;
  tag?: bigint;
  attributes?: number;
  flags?: number;
  /** The borrower list with the permissions asked for; empty for a hypervisor retrieve request. */
  receivers: readonly EndpointMemAccessSpec[];
}

/**
 * A retrieve request: the transaction descriptor layout with the handle set and composite offsets 0
 * (the relayer chooses the addresses). With no receivers (v1.1+) it is the hypervisor retrieve
 * request pKVM sends before FFA_MEM_RECLAIM.
 */
export function encodeMemRetrieveRequest(spec: MemRetrieveRequestSpec, version: number): Uint8Array {
  const s: MemTransactionSpec = {
    sender: spec.sender,
    handle: spec.handle,
    receivers: spec.receivers.map((r) => ({ ...r, compositeOffset: r.compositeOffset ?? 0 })),
  };
  if (spec.tag !== undefined) s.tag = spec.tag;
  if (spec.attributes !== undefined) s.attributes = spec.attributes;
  if (spec.flags !== undefined) s.flags = spec.flags;
  return encodeMemTransaction(s, version);
}

/** decodeMemTransaction with the retrieve-request rules. */
export function decodeMemRetrieveRequest(
  bytes: Uint8Array,
  offset: number,
  length: number,
  version: number,
  options: Omit<MemTransactionDecodeOptions, 'kind'> = {},
): MemTransaction {
  return decodeMemTransaction(bytes, offset, length, version, { ...options, kind: 'retrieve-req' });
}

// ---------------------------------------------------------------------------------------------
// Relinquish descriptor (v1.0 §11.6; ffa-abi.md §6.6)
// ---------------------------------------------------------------------------------------------

export interface MemRelinquish {
  handle: bigint;
  /** Bit 0: zero after relinquish; bit 1: time slicing. */
  flags: number;
  /** Endpoint IDs (the caller's own; Hafnium and OP-TEE require exactly one). */
  endpoints: number[];
}

export function encodeMemRelinquish(r: MemRelinquish, overrides: { endpointCount?: number } = {}): Uint8Array {
  const out = new Uint8Array(FFA_RELINQUISH_HEADER_SIZE + 2 * r.endpoints.length);
  checkUint('flags', r.flags, 32);
  const endpointCount = overrides.endpointCount ?? r.endpoints.length;
  checkUint('endpoint_count', endpointCount, 32);
  RELINQUISH.encode({ handle: r.handle, flags: r.flags, endpointCount }, out, 0);
  r.endpoints.forEach((id, i) => {
    checkUint(`endpoints[${i}]`, id, 16);
    U16.encode(id, out, FFA_RELINQUISH_HEADER_SIZE + 2 * i);
  });
  return out;
}

/** Decodes a relinquish descriptor: the endpoint array inside `length`, flags bits [31:2] zero. */
export function decodeMemRelinquish(bytes: Uint8Array, offset: number, length: number, version: number): MemRelinquish {
  layoutMinor(version);
  checkWindow(bytes, offset, length);
  need('header', 0, FFA_RELINQUISH_HEADER_SIZE, length, '16-byte relinquish descriptor header');
  const h = RELINQUISH.decode(bytes, offset);
  const mbz = h.flags & ~(FFA_RELINQUISH_FLAG_CLEAR | FFA_RELINQUISH_FLAG_TIME_SLICE);
  if (mbz !== 0) throw new DescriptorError('flags', `${hex(h.flags >>> 0)} sets MBZ bits ${hex(mbz >>> 0)}`);
  if (h.endpointCount > Math.floor((length - FFA_RELINQUISH_HEADER_SIZE) / 2)) {
    throw new DescriptorError('endpoint_count', `${h.endpointCount} endpoint IDs overrun the ${length}-byte descriptor`);
  }
  const endpoints: number[] = [];
  for (let i = 0; i < h.endpointCount; i++) endpoints.push(U16.decode(bytes, offset + FFA_RELINQUISH_HEADER_SIZE + 2 * i));
  return { handle: h.handle, flags: h.flags, endpoints };
}

// ---------------------------------------------------------------------------------------------
// Endpoint RX/TX descriptor (v1.1 Table 13.27; ffa-abi.md §6.7)
// ---------------------------------------------------------------------------------------------

/** What a hypervisor writes in its TX buffer for a forwarded FFA_RXTX_MAP (x1 = x2 = w3 = 0). */
export interface EndpointRxTx {
  endpointId: number;
  rx: CompositeMemRegion;
  tx: CompositeMemRegion;
}

/** Encodes the 16-byte header, then the RX composite at 16 and the TX composite after it. */
export function encodeEndpointRxTx(
  d: { endpointId: number; rx: readonly MemRegionConstituent[]; tx: readonly MemRegionConstituent[] },
  version: number,
): Uint8Array {
  if (layoutMinor(version) < 1) throw new RangeError('the endpoint RX/TX descriptor is a v1.1 structure');
  checkUint('endpoint_id', d.endpointId, 16);
  const rxAt = FFA_ENDPOINT_RXTX_SIZE;
  const txAt = rxAt + compositeSize(d.rx.length);
  const out = new Uint8Array(txAt + compositeSize(d.tx.length));
  ENDPOINT_RXTX.encode({ endpointId: d.endpointId, reserved2: 0, rxOffset: rxAt, txOffset: txAt, pad: 0 }, out, 0);
  writeComposite(out, rxAt, d.rx, {}, 'rx');
  writeComposite(out, txAt, d.tx, {}, 'tx');
  return out;
}

/** Decodes it: reserved and pad zero, both composite offsets 8-aligned, past the header, inside `length`. */
export function decodeEndpointRxTx(bytes: Uint8Array, offset: number, length: number, version: number): EndpointRxTx {
  if (layoutMinor(version) < 1) throw new RangeError('the endpoint RX/TX descriptor is a v1.1 structure');
  checkWindow(bytes, offset, length);
  need('header', 0, FFA_ENDPOINT_RXTX_SIZE, length, '16-byte endpoint RX/TX descriptor');
  const h = ENDPOINT_RXTX.decode(bytes, offset);
  if (h.reserved2 !== 0) throw new DescriptorError('reserved_2', `MBZ, is ${hex(h.reserved2)}`);
  if (h.pad !== 0) throw new DescriptorError('reserved_12', `MBZ, is ${hex(h.pad)}`);
  for (const [field, off] of [
    ['rx_offset', h.rxOffset],
    ['tx_offset', h.txOffset],
  ] as const) {
    if (off % 8 !== 0) throw new DescriptorError(field, `${off} is not 8-byte aligned`);
    if (off < FFA_ENDPOINT_RXTX_SIZE) throw new DescriptorError(field, `${off} points inside the 16-byte header`);
  }
  return {
    endpointId: h.endpointId,
    rx: readComposite(bytes, offset, h.rxOffset, length, 'rx'),
    tx: readComposite(bytes, offset, h.txOffset, length, 'tx'),
  };
}

/** The versions whose layouts this module implements. */
export const DESCRIPTOR_VERSIONS: readonly number[] = [FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2];
