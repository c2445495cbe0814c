/**
 * SpmcMemory (src/firmware/spmc/memory.ts) against DEN0077A and the ff-a-acs memory tests, each
 * case naming the ACS test (or reference rule) it mirrors.
 *
 * Harness: SpmcMemory: a real Bus, endpoints (host 0, SP1..SP3), their RX/TX pairs, and
 * helpers that write descriptors into TX with the descriptors.ts encoders and call handle() on a
 * register file shaped like the CPU state (Xn low half at [2n], high half at [2n+1]).
 */
import { describe, expect, it } from 'vitest';
import {
  FFA_ERROR,
  FFA_MEM_DONATE,
  FFA_MEM_DONATE_64,
  FFA_MEM_FRAG_RX,
  FFA_MEM_FRAG_TX,
  FFA_MEM_LEND,
  FFA_MEM_LEND_64,
  FFA_MEM_OP_PAUSE,
  FFA_MEM_RECLAIM,
  FFA_MEM_RELINQUISH,
  FFA_MEM_RETRIEVE_REQ,
  FFA_MEM_RETRIEVE_REQ_64,
  FFA_MEM_RETRIEVE_RESP,
  FFA_MEM_SHARE,
  FFA_MEM_SHARE_64,
  FFA_RET_BUSY,
  FFA_RET_DENIED,
  FFA_RET_INVALID_PARAMETERS,
  FFA_RET_NOT_SUPPORTED,
  FFA_SUCCESS,
  FFA_VERSION_1_0,
  FFA_VERSION_1_1,
  FFA_VERSION_1_2,
  ffaHandle,
  ffaHandleHi,
  ffaHandleLo,
  ffaStatusName,
} from '../../../src/ffa/abi.js';
import {
  FFA_DATA_ACCESS_RO,
  FFA_DATA_ACCESS_RW,
  FFA_INSTRUCTION_ACCESS_NX,
  FFA_INSTRUCTION_ACCESS_X,
  FFA_MEM_ATTR_NORMAL_WB_INNER,
  FFA_MEM_ATTR_NS,
  FFA_MEM_FLAG_CLEAR,
  FFA_MEM_FLAG_CLEAR_RELINQUISH,
  FFA_MEM_FLAG_TIME_SLICE,
  FFA_MEM_FLAG_TYPE_DONATE,
  FFA_MEM_FLAG_TYPE_LEND,
  FFA_MEM_FLAG_TYPE_SHARE,
  FFA_MEM_RECLAIM_CLEAR,
  type EndpointMemAccessSpec,
  type MemRegionConstituent,
  type MemTransaction,
  type MemTransactionSpec,
  decodeMemTransaction,
  encodeMemRelinquish,
  encodeMemRetrieveRequest,
  encodeMemTransaction,
  ffaMemPermissions,
} from '../../../src/ffa/descriptors.js';
import { Bus } from '../../../src/memory/bus.js';
import { RX_EMPTY, RX_FULL, RX_OTHER_WORLD_OWNED, SpmcMemory, type Mailbox, type SpmcMemoryHost } from '../../../src/firmware/spmc/memory.js';

const HOST = 0;
const SPMC = 0x8000;
const SP1 = 0x8001;
const SP2 = 0x8002;
const SP3 = 0x8003;

/** Non-secure DRAM the host owns by default, and secure RAM the SPs own by default. */
const NS_MEM = 0x4010_0000;
const S_MEM = 0x0e10_0000;
const PAGE = 4096;
const FIRST_HANDLE = 0xffff_ffc0n;

const RW = ffaMemPermissions(FFA_DATA_ACCESS_RW, 0);

interface Result {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  w4: number;
  /** x0..x7 upper halves all zero. */
  upperZero: boolean;
}

class World {
  readonly bus = new Bus();
  readonly mem: SpmcMemory;
  readonly mb = new Map<number, Mailbox>();
  /** Cycles the module charged to its host (buffer copies). */
  cycles = 0;

  constructor(opts: { policy?: string; version?: number; versions?: Partial<Record<number, number>>; rxPages?: number } = {}) {
    // The SPMC side of the contract (spmc/core.ts implements SpmcMemoryHost).
    const host: SpmcMemoryHost = {
      bus: this.bus,
      spmcId: SPMC,
      partitionIds: () => [SP1, SP2, SP3],
      mailboxOf: (id) => this.mb.get(id) ?? null,
      charge: (c) => (this.cycles += c),
    };
    this.mem = new SpmcMemory(host, opts.policy !== undefined ? { policy: opts.policy } : {});
    const v = opts.version ?? FFA_VERSION_1_2;
    const pages = opts.rxPages ?? 1;
    // The host's pair in NS DRAM, the SPs' pairs in secure RAM.
    this.mb.set(HOST, { tx: 0x4000_0000, rx: 0x4000_0000 + pages * PAGE, pages, version: opts.versions?.[HOST] ?? v, state: RX_EMPTY });
    [SP1, SP2, SP3].forEach((sp, i) => {
      const base = 0x0e00_0000 + i * 2 * pages * PAGE;
      this.mb.set(sp, { tx: base, rx: base + pages * PAGE, pages, version: opts.versions?.[sp] ?? v, state: RX_EMPTY });
    });
  }

  mailbox(id: number): Mailbox {
    return this.mb.get(id)!;
  }

  version(id: number): number {
    return this.mailbox(id).version;
  }

  /** Calls handle(fid) for `caller` with w1..w7 = args; `hi` sets upper halves of x1..x7. */
  call(fid: number, caller: number, args: number[] = [], hi: number[] = [], mailbox: Mailbox | null | undefined = undefined): Result {
    const regs = new Int32Array(36);
    regs[0] = fid | 0;
    args.forEach((a, i) => (regs[2 * (i + 1)] = a | 0));
    hi.forEach((a, i) => (regs[2 * (i + 1) + 1] = a | 0));
    const handled = this.mem.handle(fid, caller, regs, mailbox === undefined ? (this.mb.get(caller) ?? null) : mailbox);
    expect(handled).toBe(true);
    let upperZero = true;
    for (let i = 1; i < 16; i += 2) if (regs[i] !== 0) upperZero = false;
    return { w0: regs[0]! >>> 0, w1: regs[2]! >>> 0, w2: regs[4]! >>> 0, w3: regs[6]! >>> 0, w4: regs[8]! >>> 0, upperZero };
  }

  writeTx(id: number, bytes: Uint8Array): void {
    this.bus.load(this.mailbox(id).tx, bytes);
  }

  readRx(id: number, len: number): Uint8Array {
    return this.bus.ram(this.mailbox(id).rx, len)!.slice();
  }

  releaseRx(id: number): void {
    this.mailbox(id).state = RX_EMPTY;
  }

  /** Sends `spec` (encoded at the caller's version, or `bytes` as given) with FFA_MEM_SHARE/LEND/DONATE. */
  send(fid: number, caller: number, spec: MemTransactionSpec | Uint8Array, opts: { total?: number; frag?: number } = {}): Result {
    const bytes = spec instanceof Uint8Array ? spec : encodeMemTransaction(spec, this.version(caller));
    this.writeTx(caller, bytes);
    const total = opts.total ?? bytes.length;
    return this.call(fid, caller, [total, opts.frag ?? total, 0, 0]);
  }

  share(caller: number, spec: MemTransactionSpec | Uint8Array, opts: { total?: number; frag?: number } = {}): Result {
    return this.send(FFA_MEM_SHARE, caller, spec, opts);
  }
  lend(caller: number, spec: MemTransactionSpec | Uint8Array, opts: { total?: number; frag?: number } = {}): Result {
    return this.send(FFA_MEM_LEND, caller, spec, opts);
  }
  donate(caller: number, spec: MemTransactionSpec | Uint8Array, opts: { total?: number; frag?: number } = {}): Result {
    return this.send(FFA_MEM_DONATE, caller, spec, opts);
  }

  /** A retrieve request from `caller` for `handle` sent by `sender`. */
  retrieve(
    caller: number,
    handle: bigint,
    sender: number,
    receivers: readonly EndpointMemAccessSpec[],
    extra: { tag?: bigint; flags?: number; attributes?: number; total?: number } = {},
  ): Result {
    const bytes = encodeMemRetrieveRequest({ sender, handle, receivers, ...extra }, this.version(caller));
    this.writeTx(caller, bytes);
    const total = extra.total ?? bytes.length;
    return this.call(FFA_MEM_RETRIEVE_REQ, caller, [total, total, 0, 0]);
  }

  relinquish(caller: number, handle: bigint, flags = 0, endpoints: number[] = [caller]): Result {
    this.writeTx(caller, encodeMemRelinquish({ handle, flags, endpoints }));
    return this.call(FFA_MEM_RELINQUISH, caller);
  }

  reclaim(caller: number, handle: bigint, flags = 0): Result {
    return this.call(FFA_MEM_RECLAIM, caller, [ffaHandleLo(handle), ffaHandleHi(handle), flags]);
  }

  /** Decodes the RETRIEVE_RESP descriptor the caller's RX holds (whole, unfragmented). */
  response(caller: number, r: Result): MemTransaction {
    return decodeMemTransaction(this.readRx(caller, r.w2), 0, r.w2, this.version(caller), { kind: 'retrieve-resp' });
  }

  fill(pa: number, len: number, value: number): void {
    this.bus.ram(pa, len)!.fill(value);
  }

  bytesAt(pa: number, len: number): Uint8Array {
    return this.bus.ram(pa, len)!.slice();
  }

  /** The owner-side records of `count` pages from `pa` (undefined = never claimed). */
  states(pa: number, count: number): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) out.push(this.mem.pageInfo(pa + i * PAGE));
    return out;
  }

  expectClean(): void {
    expect(this.mem.checkInvariants()).toEqual([]);
  }
}

function handleOf(r: Result): bigint {
  expect(r.w0, `expected FFA_SUCCESS, got ${show(r)}`).toBe(FFA_SUCCESS);
  return ffaHandle(r.w2, r.w3);
}

function show(r: Result): string {
  return r.w0 === FFA_ERROR ? `FFA_ERROR(${ffaStatusName(r.w2) ?? r.w2})` : `0x${r.w0.toString(16)} w1=${r.w1} w2=${r.w2} w3=${r.w3}`;
}

/** Asserts FFA_ERROR with `code` (a negative FF-A status). */
function expectError(r: Result, code: number): void {
  expect(r.w0 === FFA_ERROR ? ffaStatusName(r.w2) : show(r)).toBe(ffaStatusName(code));
  expect(r.w2 | 0).toBe(code);
  expect(r.upperZero).toBe(true);
}

/** A canonical transaction spec: host-style sender, one RW receiver, normal WB inner-shareable. */
function shareSpec(
  sender: number,
  receivers: number[],
  constituents: MemRegionConstituent[],
  extra: Partial<MemTransactionSpec> = {},
): MemTransactionSpec {
  return {
    sender,
    attributes: FFA_MEM_ATTR_NORMAL_WB_INNER,
    tag: 0x1234n,
    receivers: receivers.map((receiver) => ({ receiver, permissions: RW })),
    constituents,
    ...extra,
  };
}

/** One constituent of `pages` pages at `pa`. */
function at(pa: number, pageCount = 1): MemRegionConstituent {
  return { address: BigInt(pa), pageCount };
}

// ---------------------------------------------------------------------------------------------
// More helpers
// ---------------------------------------------------------------------------------------------

const NX = ffaMemPermissions(FFA_DATA_ACCESS_RW, FFA_INSTRUCTION_ACCESS_NX);
const RO = ffaMemPermissions(FFA_DATA_ACCESS_RO, 0);

/** Runs `f`, expects FFA_ERROR(code), and checks the pages' owner-side state did not move. */
function rejects(w: World, code: number, pages: Array<[number, number]>, f: () => Result): void {
  const before = pages.map(([pa, n]) => w.states(pa, n));
  expectError(f(), code);
  expect(pages.map(([pa, n]) => w.states(pa, n))).toEqual(before);
  w.expectClean();
}

/** Shares `pages` host pages at NS_MEM with SP1 and returns the handle. */
function hostShare(w: World, pages = 1, receivers = [SP1]): bigint {
  return handleOf(w.share(HOST, shareSpec(HOST, receivers, [at(NS_MEM, pages)])));
}

/** `n` discontiguous one-page constituents from `base`, every other page. */
function scattered(base: number, n: number): MemRegionConstituent[] {
  return Array.from({ length: n }, (_, i) => at(base + 2 * i * PAGE));
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

describe('FFA_MEM_SHARE round trip (ACS ffa_mem_share, share_state_machine)', () => {
  it('shares, retrieves, relinquishes and reclaims, with the page states and the RX descriptor per spec', () => {
    const w = new World();
    w.fill(NS_MEM, 2 * PAGE, 0xab);
    const r = w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM, 2)]));
    expect(r.upperZero).toBe(true);
    const h = handleOf(r);
    expect(h).toBe(FIRST_HANDLE); // bit 63 clear: allocated by the SPMC
    expect(w.states(NS_MEM, 2)).toEqual([
      { owner: HOST, state: 'shared', handle: h },
      { owner: HOST, state: 'shared', handle: h },
    ]);
    w.expectClean();

    const rr = w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n });
    expect(rr.w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expect(rr.w1).toBe(rr.w2); // total == fragment: one piece
    expect(w.mailbox(SP1).state).toBe(RX_FULL);
    const resp = w.response(SP1, rr);
    expect(resp.sender).toBe(HOST);
    expect(resp.handle).toBe(h);
    expect(resp.tag).toBe(0x1234n);
    expect(resp.flags).toBe(FFA_MEM_FLAG_TYPE_SHARE);
    // v1.1 §10.10.4.1: NS bit set for non-secure memory; v1.0 §5.11.3: shares are NX.
    expect(resp.attributes).toBe(FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS);
    expect(resp.receivers).toHaveLength(1);
    expect(resp.receivers[0]!.receiver).toBe(SP1);
    expect(resp.receivers[0]!.permissions).toBe(NX);
    expect(resp.composite!.constituents).toEqual([at(NS_MEM, 2)]);
    expect(w.mem.retrievals(h)).toEqual(new Map([[SP1, 1]]));

    // ACS reclaim_input_error_checks: reclaim before the borrower relinquished -> DENIED.
    rejects(w, FFA_RET_DENIED, [[NS_MEM, 2]], () => w.reclaim(HOST, h));

    expect(w.relinquish(SP1, h).w0).toBe(FFA_SUCCESS);
    const rc = w.reclaim(HOST, h);
    expect(rc.w0).toBe(FFA_SUCCESS);
    expect(rc.upperZero).toBe(true);
    expect(w.states(NS_MEM, 2)).toEqual([
      { owner: HOST, state: 'owned', handle: null },
      { owner: HOST, state: 'owned', handle: null },
    ]);
    expect(w.mem.hasHandle(h)).toBe(false);
    expect(w.bytesAt(NS_MEM, 2 * PAGE).every((b) => b === 0xab)).toBe(true); // nothing zeroed
    expect(w.cycles).toBeGreaterThan(0); // TX/RX copies are charged to the SPMC
    w.expectClean();
    // The handle is gone: a second reclaim is an unknown handle.
    expectError(w.reclaim(HOST, h), FFA_RET_INVALID_PARAMETERS);
  });

  it('_64 forms work, and handles keep counting into the upper half (bit 63 stays clear)', () => {
    const w = new World();
    let last = 0n;
    for (let i = 0; i < 65; i++) {
      const bytes = encodeMemTransaction(shareSpec(HOST, [SP1], [at(NS_MEM)]), w.version(HOST));
      w.writeTx(HOST, bytes);
      last = handleOf(w.call(FFA_MEM_SHARE_64, HOST, [bytes.length, bytes.length, 0, 0]));
      expect(w.reclaim(HOST, last).w0).toBe(FFA_SUCCESS);
    }
    expect(last).toBe(FIRST_HANDLE + 64n);
    expect(ffaHandleHi(last)).toBe(1);
    expect(last & (1n << 63n)).toBe(0n);
    w.expectClean();
  });
});

describe('FFA_MEM_LEND (ACS ffa_mem_lend, lend_state_machine_1, relinquish_state_machine_4)', () => {
  it('lends to two borrowers, reclaim waits for both relinquishes', () => {
    const w = new World();
    const h = handleOf(w.lend(HOST, shareSpec(HOST, [SP1, SP2], [at(NS_MEM, 3)])));
    expect(w.states(NS_MEM, 1)).toEqual([{ owner: HOST, state: 'lent', handle: h }]);
    const list = [
      { receiver: SP1, permissions: RW },
      { receiver: SP2, permissions: RW },
    ];
    const r1 = w.retrieve(SP1, h, HOST, list, { tag: 0x1234n });
    expect(r1.w0).toBe(FFA_MEM_RETRIEVE_RESP);
    // ACS lend_input_error_checks3 / lend_retrieve_input_checks5: multi-borrower lend reports NX.
    expect(w.response(SP1, r1).receivers[0]!.permissions).toBe(NX);
    expect(w.response(SP1, r1).flags).toBe(FFA_MEM_FLAG_TYPE_LEND);
    expect(w.retrieve(SP2, h, HOST, list, { tag: 0x1234n }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expect(w.relinquish(SP1, h).w0).toBe(FFA_SUCCESS);
    rejects(w, FFA_RET_DENIED, [[NS_MEM, 3]], () => w.reclaim(HOST, h));
    expect(w.relinquish(SP2, h).w0).toBe(FFA_SUCCESS);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
    expect(w.states(NS_MEM, 3).every((s) => (s as { state: string }).state === 'owned')).toBe(true);
    w.expectClean();
  });

  it('single-borrower lend: the borrower must name instruction access, X refused on NS memory (v1.0 §5.11.3)', () => {
    const w = new World();
    const h = handleOf(w.lend(HOST, shareSpec(HOST, [SP1], [at(NS_MEM)], { attributes: 0 })));
    expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n }), FFA_RET_INVALID_PARAMETERS);
    w.releaseRx(SP1);
    const X = ffaMemPermissions(FFA_DATA_ACCESS_RW, FFA_INSTRUCTION_ACCESS_X);
    expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: X }], { tag: 0x1234n }), FFA_RET_INVALID_PARAMETERS);
    const r = w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: NX }], { tag: 0x1234n });
    expect(r.w0).toBe(FFA_MEM_RETRIEVE_RESP);
    // The sender left the attributes to the relayer: it reports normal WB inner-shareable RAM.
    expect(w.response(SP1, r).attributes).toBe(FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS);
    w.expectClean();
  });
});

describe('FFA_MEM_DONATE (ACS donate_state_machine_1, donate_retrieve_input_checks6)', () => {
  it('moves ownership at the retrieval; the new owner donates it back', () => {
    const w = new World();
    const donateSpec = (from: number, to: number): MemTransactionSpec => ({
      sender: from,
      receivers: [{ receiver: to, permissions: 0 }], // v1.0 §5.11.2: data access unspecified
      constituents: [at(S_MEM, 2)],
    });
    const h = handleOf(w.donate(SP1, donateSpec(SP1, SP2)));
    expect(w.states(S_MEM, 1)).toEqual([{ owner: SP1, state: 'donated', handle: h }]);
    w.expectClean();
    const X = ffaMemPermissions(FFA_DATA_ACCESS_RW, FFA_INSTRUCTION_ACCESS_X);
    const r = w.retrieve(SP2, h, SP1, [{ receiver: SP2, permissions: X }]);
    expect(r.w0).toBe(FFA_MEM_RETRIEVE_RESP);
    const resp = w.response(SP2, r);
    expect(resp.flags).toBe(FFA_MEM_FLAG_TYPE_DONATE);
    expect(resp.receivers[0]!.permissions).toBe(X); // secure memory may be executable
    expect(resp.attributes & FFA_MEM_ATTR_NS).toBe(0);
    expect(w.states(S_MEM, 2)).toEqual([
      { owner: SP2, state: 'owned', handle: null },
      { owner: SP2, state: 'owned', handle: null },
    ]);
    // Donated memory cannot be relinquished or reclaimed: the handle is gone.
    expect(w.mem.hasHandle(h)).toBe(false);
    expectError(w.reclaim(SP1, h), FFA_RET_INVALID_PARAMETERS);
    // The old owner no longer owns it.
    rejects(w, FFA_RET_DENIED, [[S_MEM, 2]], () => w.share(SP1, shareSpec(SP1, [SP3], [at(S_MEM)])));
    // Donate it back and retrieve: SP1 owns it again.
    w.releaseRx(SP2);
    const back = handleOf(w.donate(SP2, donateSpec(SP2, SP1)));
    expect(w.retrieve(SP1, back, SP2, [{ receiver: SP1, permissions: NX }]).w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expect(w.mem.pageInfo(S_MEM)).toEqual({ owner: SP1, state: 'owned', handle: null });
    w.expectClean();
  });

  it('a donation not yet retrieved can be reclaimed (HF)', () => {
    const w = new World();
    const h = handleOf(w.donate(SP1, { sender: SP1, receivers: [{ receiver: SP2, permissions: 0 }], constituents: [at(S_MEM)] }));
    expect(w.reclaim(SP1, h).w0).toBe(FFA_SUCCESS);
    expect(w.mem.pageInfo(S_MEM)).toEqual({ owner: SP1, state: 'owned', handle: null });
    w.expectClean();
  });
});

// ---------------------------------------------------------------------------------------------
// Bad descriptors and calls: the right status, nothing changed
// ---------------------------------------------------------------------------------------------

describe('send validation (ACS share/lend/donate_input_error_checks*)', () => {
  const spec = (extra: Partial<MemTransactionSpec> = {}): MemTransactionSpec => shareSpec(HOST, [SP1], [at(NS_MEM, 2)], extra);
  const PAGES: Array<[number, number]> = [[NS_MEM, 4]];

  it('register arguments: x3/w4 MBZ, fragment > total, fragment beyond TX, no mailbox', () => {
    const w = new World();
    const bytes = encodeMemTransaction(spec(), w.version(HOST));
    w.writeTx(HOST, bytes);
    const n = bytes.length;
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.call(FFA_MEM_SHARE, HOST, [n, n, 0x4000_0000, 0]));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.call(FFA_MEM_SHARE, HOST, [n, n, 0, 1]));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.call(FFA_MEM_SHARE_64, HOST, [n, n, 0, 0], [0, 0, 1]));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.call(FFA_MEM_SHARE, HOST, [n, n + 16, 0, 0]));
    // ACS share_input_error_checks1: total length beyond the TX buffer.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.call(FFA_MEM_SHARE, HOST, [8192, 8192, 0, 0]));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.call(FFA_MEM_SHARE, HOST, [n, n, 0, 0], [], null));
    // Refused sends use up no handle. SMC32: the upper half of x3 is not looked at.
    expect(handleOf(w.call(FFA_MEM_SHARE, HOST, [n, n, 0, 0], [0, 0, 0xdead]))).toBe(FIRST_HANDLE);
  });

  it('offsets past the descriptor, lengths that disagree with the descriptor', () => {
    const w = new World();
    const v = w.version(HOST);
    // Composite offset beyond the descriptor.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () =>
      w.share(HOST, encodeMemTransaction({ ...spec(), receivers: [{ receiver: SP1, permissions: RW, compositeOffset: 0x800 }] }, v)),
    );
    // EMAD array offset beyond the descriptor (v1.1+ header field).
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, encodeMemTransaction({ ...spec(), overrides: { emadOffset: 0x400 } }, v)));
    // EMAD count larger than the array.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, encodeMemTransaction({ ...spec(), overrides: { emadCount: 40 } }, v)));
    // Range count larger than the constituents present.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, encodeMemTransaction({ ...spec(), overrides: { addressRangeCount: 2 } }, v)));
    const bytes = encodeMemTransaction(spec(), v);
    // Total (and fragment) longer than the descriptor: trailing bytes are not constituents.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, bytes, { total: bytes.length + 16 }));
    // Total claims a second fragment the first does not account for.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, bytes, { total: bytes.length + 16, frag: bytes.length }));
    // Truncated: the last constituent is cut off.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, bytes, { total: bytes.length - 16 }));
    // A fragmented first fragment must hold the composite header.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, bytes, { total: bytes.length, frag: 48 }));
  });

  it('page counts: wrong total, sums past 2^32, ranges past 2^64, empty constituents', () => {
    const w = new World();
    const v = w.version(HOST);
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, encodeMemTransaction({ ...spec(), overrides: { totalPageCount: 3 } }, v)));
    // 0xFFFFFFFF + 0xFFFFFFFF pages: the 32-bit total cannot match, however it wraps.
    const huge = shareSpec(HOST, [SP1], [at(NS_MEM, 0xffff_ffff), at(NS_MEM + 0x1000_0000, 0xffff_ffff)], {
      overrides: { totalPageCount: 0xffff_fffe },
    });
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, encodeMemTransaction(huge, v)));
    const wrap = shareSpec(HOST, [SP1], [{ address: 0xffff_ffff_ffff_f000n, pageCount: 2 }]);
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, encodeMemTransaction(wrap, v)));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM, 0), at(NS_MEM + PAGE)])));
    // A range running off the end of DRAM is not memory the host owns.
    rejects(w, FFA_RET_DENIED, PAGES, () => w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM, 0x10_0000)])));
  });

  it('overlapping constituents and the same page twice (TF-A overlapping_memory_regions, HF)', () => {
    const w = new World();
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM), at(NS_MEM)])));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM + PAGE), at(NS_MEM, 2)])));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.lend(HOST, shareSpec(HOST, [SP1, SP2], [at(NS_MEM, 3), at(NS_MEM + 2 * PAGE)])));
    // Adjacent is fine.
    expect(w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM + PAGE), at(NS_MEM)])).w0).toBe(FFA_SUCCESS);
  });

  it('sender spoofing -> DENIED (ACS share_input_error_checks1, lend_input_error_checks1 step 2)', () => {
    const w = new World();
    rejects(w, FFA_RET_DENIED, [[S_MEM, 1]], () => w.share(SP1, shareSpec(SP2, [SP3], [at(S_MEM)])));
    rejects(w, FFA_RET_DENIED, PAGES, () => w.share(HOST, shareSpec(SP1, [SP2], [at(NS_MEM)])));
  });

  it('receivers: invalid ID, the sender itself, twice, none, the SPMC (v1.0 §5.12.3; ACS share_input_error_checks)', () => {
    const w = new World();
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, shareSpec(HOST, [0x7fff], [at(NS_MEM)])));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, shareSpec(HOST, [0x8009], [at(NS_MEM)])));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, shareSpec(HOST, [SPMC], [at(NS_MEM)])));
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[S_MEM, 1]], () => w.share(SP1, shareSpec(SP1, [SP1], [at(S_MEM)])));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, shareSpec(HOST, [SP1, SP1], [at(NS_MEM)])));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, shareSpec(HOST, [], [at(NS_MEM)])));
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[S_MEM, 1]], () =>
      w.donate(SP1, { sender: SP1, receivers: [{ receiver: SP2, permissions: 0 }, { receiver: SP3, permissions: 0 }], constituents: [at(S_MEM)] }),
    );
  });

  it('directions the SPMC does not relay -> DENIED (v1.2 MM supplement §1.4; ACS share_input_error_checks1 step 3)', () => {
    const w = new World();
    rejects(w, FFA_RET_DENIED, [[S_MEM, 1]], () => w.share(SP1, shareSpec(SP1, [HOST], [at(S_MEM)])));
    rejects(w, FFA_RET_DENIED, [[S_MEM, 1]], () => w.lend(SP1, shareSpec(SP1, [SP2, HOST], [at(S_MEM)])));
  });

  it('flags: zero on SHARE, time slicing, MBZ bits (ACS share_input_error_checks, v1.0 §5.12.4.1)', () => {
    const w = new World();
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, spec({ flags: FFA_MEM_FLAG_CLEAR })));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, spec({ flags: FFA_MEM_FLAG_TIME_SLICE })));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, spec({ flags: FFA_MEM_FLAG_TYPE_SHARE })));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.lend(HOST, { ...spec({ flags: 0x8000_0000 }), attributes: 0 }));
  });

  it('permissions and attributes per ABI (v1.0 §5.11.2-5.11.4; ACS donate/lend_input_error_checks1, mem_security_state_ns_bit_*_invalid)', () => {
    const w = new World();
    const X = ffaMemPermissions(FFA_DATA_ACCESS_RW, FFA_INSTRUCTION_ACCESS_X);
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, { ...spec(), receivers: [{ receiver: SP1, permissions: NX }] }));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.lend(HOST, { ...spec({ attributes: 0 }), receivers: [{ receiver: SP1, permissions: X }] }));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, { ...spec(), receivers: [{ receiver: SP1, permissions: 0 }] }));
    const donate = (perm: number, attributes = 0) => () =>
      w.donate(SP1, { sender: SP1, attributes, receivers: [{ receiver: SP2, permissions: perm }], constituents: [at(S_MEM)] });
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[S_MEM, 1]], donate(RW));
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[S_MEM, 1]], donate(0, FFA_MEM_ATTR_NORMAL_WB_INNER));
    // Single-borrower lend: the owner must leave the type unspecified.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.lend(HOST, spec()));
    // Share: the owner must specify it; reserved encodings are invalid; HF takes only WB inner.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, spec({ attributes: 0 })));
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, spec({ attributes: 0x20 })));
    rejects(w, FFA_RET_DENIED, PAGES, () => w.share(HOST, spec({ attributes: 0x2e })));
    // NS bit MBZ from v1.1.
    rejects(w, FFA_RET_INVALID_PARAMETERS, PAGES, () => w.share(HOST, spec({ attributes: FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS })));
    // The 'spec' policy accepts legal non-WB attributes (ACS share_cache_attr sender side).
    const s = new World({ policy: 'spec' });
    expect(s.share(HOST, spec({ attributes: 0x26 })).w0).toBe(FFA_SUCCESS);
  });

  it('memory the sender does not own or cannot send -> DENIED (v1.0 §5.6-5.8, §2.10; ACS *_state_machine_*)', () => {
    const w = new World();
    // An SP does not own NS DRAM; the host does not own secure RAM.
    rejects(w, FFA_RET_DENIED, PAGES, () => w.share(SP1, shareSpec(SP1, [SP2], [at(NS_MEM)])));
    rejects(w, FFA_RET_DENIED, [[S_MEM, 1]], () => w.share(HOST, shareSpec(HOST, [SP1], [at(S_MEM)])));
    // MMIO (the UART) and holes.
    rejects(w, FFA_RET_DENIED, PAGES, () => w.share(HOST, shareSpec(HOST, [SP1], [at(0x0900_0000)])));
    rejects(w, FFA_RET_DENIED, PAGES, () => w.share(HOST, shareSpec(HOST, [SP1], [at(0x2000_0000)])));
    rejects(w, FFA_RET_DENIED, PAGES, () => w.share(HOST, shareSpec(HOST, [SP1], [{ address: 0x1_4000_0000n, pageCount: 1 }])));
    // The caller's own RX/TX buffers (TFT test_ffa_rxtx_map_memory_share_fail).
    rejects(w, FFA_RET_DENIED, [[0x4000_0000, 2]], () => w.share(HOST, shareSpec(HOST, [SP1], [at(0x4000_1000)])));
    // Secure and non-secure pages in one transaction.
    w.mem.assignMemory(SP1, NS_MEM + 8 * PAGE, 1);
    rejects(w, FFA_RET_DENIED, [[S_MEM, 1]], () => w.share(SP1, shareSpec(SP1, [SP2], [at(S_MEM), at(NS_MEM + 8 * PAGE)])));
  });

  it('memory already shared, lent or donated, even partly -> DENIED (ACS share_state_machine_1..5, lend_state_machine_2..6, donate_state_machine_2..5)', () => {
    for (const first of ['share', 'lend'] as const) {
      for (const second of ['share', 'lend', 'donate'] as const) {
        const w = new World();
        const s1 = shareSpec(SP1, [SP2, SP3], [at(S_MEM, 2)]);
        const h = handleOf(first === 'share' ? w.share(SP1, s1) : w.lend(SP1, s1));
        // Lower 4K of the 8K region, to another or the same borrower (share_state_machine_4).
        const part =
          second === 'donate'
            ? { sender: SP1, receivers: [{ receiver: SP2, permissions: 0 }], constituents: [at(S_MEM)] }
            : shareSpec(SP1, [SP2], [at(S_MEM)], second === 'lend' ? { attributes: 0 } : {});
        rejects(w, FFA_RET_DENIED, [[S_MEM, 2]], () => (second === 'share' ? w.share(SP1, part) : second === 'lend' ? w.lend(SP1, part) : w.donate(SP1, part)));
        expect(w.mem.hasHandle(h)).toBe(true);
      }
    }
  });

  it('assignMemory gives secure RAM to one SP (manifest regions)', () => {
    const w = new World();
    w.mem.assignMemory(SP2, S_MEM, 2);
    rejects(w, FFA_RET_DENIED, [[S_MEM, 2]], () => w.share(SP1, shareSpec(SP1, [SP3], [at(S_MEM)])));
    expect(w.share(SP2, shareSpec(SP2, [SP3], [at(S_MEM)])).w0).toBe(FFA_SUCCESS);
    expect(() => w.mem.assignMemory(SP1, S_MEM, 1)).toThrow(RangeError);
    expect(() => w.mem.assignMemory(SP1, 0x0900_0000, 1)).toThrow(RangeError);
    w.expectClean();
  });

  it('the hypervisor (0) may send for a VM it speaks for; that VM cannot be an SP', () => {
    const w = new World();
    const h = handleOf(w.share(HOST, shareSpec(0x0005, [SP1], [at(NS_MEM)])));
    expect(w.mem.pageInfo(NS_MEM)).toEqual({ owner: 5, state: 'shared', handle: h });
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });
});

// ---------------------------------------------------------------------------------------------
// Retrieve
// ---------------------------------------------------------------------------------------------

describe('FFA_MEM_RETRIEVE_REQ validation (ACS *_retrieve_input_checks*)', () => {
  it('sender, handle, tag, borrower list, type, lengths, composite offsets', () => {
    const w = new World();
    const h = hostShare(w, 1, [SP1]);
    const me = [{ receiver: SP1, permissions: RW }];
    const tag = { tag: 0x1234n };
    // ACS share_retrieve_input_checks: wrong sender -> DENIED; invalid handle/tag -> INVALID_PARAMETERS.
    expectError(w.retrieve(SP1, h, SP2, me, tag), FFA_RET_DENIED);
    expectError(w.retrieve(SP1, h + 0x10_0000_0000n, HOST, me, tag), FFA_RET_INVALID_PARAMETERS);
    expectError(w.retrieve(SP1, h, HOST, me, { tag: 7n }), FFA_RET_INVALID_PARAMETERS);
    // Total beyond the TX buffer; fragmented request; x3 != 0.
    expectError(w.retrieve(SP1, h, HOST, me, { ...tag, total: 8192 }), FFA_RET_INVALID_PARAMETERS);
    w.writeTx(SP1, encodeMemRetrieveRequest({ sender: HOST, handle: h, tag: 0x1234n, receivers: me }, w.version(SP1)));
    expectError(w.call(FFA_MEM_RETRIEVE_REQ, SP1, [96, 80, 0, 0]), FFA_RET_INVALID_PARAMETERS);
    expectError(w.call(FFA_MEM_RETRIEVE_REQ, SP1, [80, 80, 0x1000, 0]), FFA_RET_INVALID_PARAMETERS);
    // Wrong transaction type; alignment hint; receiver-chosen composite.
    expectError(w.retrieve(SP1, h, HOST, me, { ...tag, flags: FFA_MEM_FLAG_TYPE_LEND }), FFA_RET_INVALID_PARAMETERS);
    expectError(w.retrieve(SP1, h, HOST, me, { ...tag, flags: 0x11 << 5 }), FFA_RET_INVALID_PARAMETERS);
    expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW, compositeOffset: 0x60 }], tag), FFA_RET_INVALID_PARAMETERS);
    // Not a borrower (ACS lend_retrieve_input_checks7); listing a borrower the sender did not name -> DENIED (HF).
    expectError(w.retrieve(SP2, h, HOST, [{ receiver: SP2, permissions: RW }], tag), FFA_RET_INVALID_PARAMETERS);
    expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP3, permissions: RW }], tag), FFA_RET_DENIED);
    // Zeroing flags on a share (ACS share_retrieve_input_checks).
    expectError(w.retrieve(SP1, h, HOST, me, { ...tag, flags: FFA_MEM_FLAG_CLEAR }), FFA_RET_INVALID_PARAMETERS);
    expectError(w.retrieve(SP1, h, HOST, me, { ...tag, flags: FFA_MEM_FLAG_CLEAR_RELINQUISH }), FFA_RET_INVALID_PARAMETERS);
    // NS bit MBZ in the request (ACS mem_security_state_ns_bit_retrieve_check).
    expectError(w.retrieve(SP1, h, HOST, me, { ...tag, attributes: FFA_MEM_ATTR_NS }), FFA_RET_INVALID_PARAMETERS);
    // Instruction access on a share must be unspecified.
    expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: NX }], tag), FFA_RET_INVALID_PARAMETERS);
    expect(w.mem.retrievals(h).size).toBe(0);
    expect(w.retrieve(SP1, h, HOST, me, tag).w0).toBe(FFA_MEM_RETRIEVE_RESP);
    w.expectClean();
  });

  it('permissions: RO asked of RW is granted, RW asked of RO is DENIED (ACS share_rw_retrieve_ro, share_ro_retrieve_rw)', () => {
    const w = new World();
    const rw = hostShare(w);
    const r = w.retrieve(SP1, rw, HOST, [{ receiver: SP1, permissions: RO }], { tag: 0x1234n });
    expect(w.response(SP1, r).receivers[0]!.permissions).toBe(ffaMemPermissions(FFA_DATA_ACCESS_RO, FFA_INSTRUCTION_ACCESS_NX));
    const ro = handleOf(w.share(HOST, { ...shareSpec(HOST, [SP2], [at(NS_MEM + 4 * PAGE)]), receivers: [{ receiver: SP2, permissions: RO }] }));
    expectError(w.retrieve(SP2, ro, HOST, [{ receiver: SP2, permissions: RW }], { tag: 0x1234n }), FFA_RET_DENIED);
    expect(w.retrieve(SP2, ro, HOST, [{ receiver: SP2, permissions: 0 }], { tag: 0x1234n }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
  });

  it('attribute precedence (v1.0 §5.11.4; ACS share_cache_attr, share_shareability_attr) under the spec policy', () => {
    const w = new World({ policy: 'spec' });
    const me = [{ receiver: SP1, permissions: RW }];
    // Sender: normal, non-cacheable, outer shareable.
    const nc = handleOf(w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM)], { attributes: 0x26 })));
    expectError(w.retrieve(SP1, nc, HOST, me, { tag: 0x1234n, attributes: 0x2e }), FFA_RET_DENIED); // write-back > non-cacheable
    expectError(w.retrieve(SP1, nc, HOST, me, { tag: 0x1234n, attributes: 0x20 }), FFA_RET_INVALID_PARAMETERS); // reserved cacheability
    for (const asked of [0x27 /* NC inner < outer */, 0x14 /* Device-nGnRE < Normal */]) {
      const r = w.retrieve(SP1, nc, HOST, me, { tag: 0x1234n, attributes: asked });
      expect(w.response(SP1, r).attributes).toBe(asked | FFA_MEM_ATTR_NS);
      w.releaseRx(SP1);
    }
    // Sender: normal WB non-shareable; the borrower may not ask for outer (ACS lend_shareability_attr).
    const nsh = handleOf(w.share(HOST, shareSpec(HOST, [SP2], [at(NS_MEM + PAGE)], { attributes: 0x2c })));
    expectError(w.retrieve(SP2, nsh, HOST, [{ receiver: SP2, permissions: RW }], { tag: 0x1234n, attributes: 0x2e }), FFA_RET_DENIED);
    // Under HF, anything but Normal WB inner-shareable is refused outright.
    const hf = new World();
    const h = hostShare(hf);
    expectError(hf.retrieve(SP1, h, HOST, me, { tag: 0x1234n, attributes: 0x14 }), FFA_RET_DENIED);
    expect(hf.retrieve(SP1, h, HOST, me, { tag: 0x1234n, attributes: 0x2f }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
  });

  it('RX buffer still owned by the endpoint -> BUSY (HF) / DENIED (TF-A)', () => {
    for (const [policy, code] of [['hafnium', FFA_RET_BUSY], ['tf-a', FFA_RET_DENIED]] as const) {
      const w = new World({ policy });
      const h = hostShare(w);
      w.mailbox(SP1).state = RX_FULL;
      expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n }), code);
      w.mailbox(SP1).state = RX_OTHER_WORLD_OWNED;
      expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n }), code);
      w.releaseRx(SP1);
      expect(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
      expect(w.mailbox(SP1).state).toBe(RX_FULL);
    }
  });

  it('outstanding retrievals: one under HF; 2^(N+1)-1 advertised by FFA_FEATURES under spec (ACS lend_multiple_retrievals)', () => {
    const hf = new World();
    const h = hostShare(hf);
    const me = [{ receiver: SP1, permissions: RW }];
    expect(hf.mem.featureProperties(FFA_MEM_RETRIEVE_REQ, SP1, 2)).toEqual({ w2: 6, w3: 0 });
    expect(hf.mem.features(FFA_MEM_RETRIEVE_REQ, SP1, 2)).toBe(6);
    expect(hf.retrieve(SP1, h, HOST, me, { tag: 0x1234n }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
    hf.releaseRx(SP1);
    expectError(hf.retrieve(SP1, h, HOST, me, { tag: 0x1234n }), FFA_RET_DENIED);

    const w = new World({ policy: 'spec' });
    const f = w.mem.featureProperties(FFA_MEM_RETRIEVE_REQ_64, SP1, 2) as { w2: number; w3: number };
    const count = 2 ** ((f.w3 & 0xff) + 1) - 1;
    expect(count).toBe(15);
    const lent = handleOf(w.lend(HOST, shareSpec(HOST, [SP1], [at(NS_MEM)], { attributes: 0, flags: FFA_MEM_FLAG_CLEAR })));
    for (let i = 0; i < count; i++) {
      expect(w.retrieve(SP1, lent, HOST, [{ receiver: SP1, permissions: NX }], { tag: 0x1234n }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
      w.releaseRx(SP1);
      if (i === 0) {
        // Zero-before-retrieval once already retrieved -> INVALID_PARAMETERS.
        expectError(w.retrieve(SP1, lent, HOST, [{ receiver: SP1, permissions: NX }], { tag: 0x1234n, flags: FFA_MEM_FLAG_CLEAR }), FFA_RET_INVALID_PARAMETERS);
      }
    }
    expectError(w.retrieve(SP1, lent, HOST, [{ receiver: SP1, permissions: NX }], { tag: 0x1234n }), FFA_RET_DENIED);
    for (let i = 0; i < count; i++) {
      expectError(w.reclaim(HOST, lent), FFA_RET_DENIED);
      expect(w.relinquish(SP1, lent).w0).toBe(FFA_SUCCESS);
    }
    expect(w.reclaim(HOST, lent).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });

  it('v1.2 EMAD impdef must match the sender\'s and is echoed (ACS mem_*_impdef)', () => {
    const w = new World();
    const impdef = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const h = handleOf(w.share(HOST, { ...shareSpec(HOST, [SP1], [at(NS_MEM)]), receivers: [{ receiver: SP1, permissions: RW, impdef }] }));
    expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n }), FFA_RET_INVALID_PARAMETERS);
    const r = w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW, impdef }], { tag: 0x1234n });
    expect(w.response(SP1, r).receivers[0]!.impdef).toEqual(impdef);
  });
});

// ---------------------------------------------------------------------------------------------
// Relinquish, reclaim, zeroing
// ---------------------------------------------------------------------------------------------

describe('FFA_MEM_RELINQUISH (ACS share_relinquish_input_checks, relinquish_state_machine_*)', () => {
  it('descriptor and state rules', () => {
    const w = new World();
    const h = hostShare(w);
    expectError(w.relinquish(SP1, h), FFA_RET_INVALID_PARAMETERS); // nothing retrieved yet (HF)
    expect(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expectError(w.relinquish(SP2, h), FFA_RET_INVALID_PARAMETERS); // not a borrower (relinquish_state_machine_2)
    expectError(w.relinquish(SP1, h, 0, []), FFA_RET_INVALID_PARAMETERS); // endpoint count 0
    expectError(w.relinquish(SP1, h, 0, [SP2]), FFA_RET_INVALID_PARAMETERS); // not the caller
    expectError(w.relinquish(SP1, h, 0, [SP1, SP2]), FFA_RET_INVALID_PARAMETERS); // stream endpoints
    expectError(w.relinquish(SP1, h, FFA_MEM_FLAG_CLEAR), FFA_RET_INVALID_PARAMETERS); // zeroing shared memory
    expectError(w.relinquish(SP1, h, 0x4), FFA_RET_INVALID_PARAMETERS); // MBZ flag bits
    expectError(w.relinquish(SP1, h + 1n), FFA_RET_INVALID_PARAMETERS); // unknown handle
    expect(w.relinquish(SP1, h).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });

  it('unknown handle -> DENIED under OP-TEE, not retrieved -> DENIED under spec', () => {
    const o = new World({ policy: 'optee' });
    expectError(o.relinquish(SP1, 5n), FFA_RET_DENIED);
    const s = new World({ policy: 'spec' });
    expectError(s.relinquish(SP1, hostShare(s)), FFA_RET_DENIED);
  });

  it('zero after relinquish: the flag, or bit 2 of the retrieve request, read-only refused (ACS relinquish_state_machine_3, lend_retrieve_input_checks)', () => {
    const w = new World();
    w.fill(NS_MEM, PAGE, 0x5a);
    const h = handleOf(w.lend(HOST, shareSpec(HOST, [SP1], [at(NS_MEM)], { attributes: 0 })));
    expect(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: NX }], { tag: 0x1234n }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expect(w.relinquish(SP1, h, FFA_MEM_FLAG_CLEAR).w0).toBe(FFA_SUCCESS);
    expect(w.bytesAt(NS_MEM, PAGE).every((b) => b === 0)).toBe(true);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);

    w.fill(NS_MEM, PAGE, 0x5a);
    w.releaseRx(SP1);
    const h2 = handleOf(w.lend(HOST, shareSpec(HOST, [SP1], [at(NS_MEM)], { attributes: 0 })));
    expect(w.retrieve(SP1, h2, HOST, [{ receiver: SP1, permissions: NX }], { tag: 0x1234n, flags: FFA_MEM_FLAG_CLEAR_RELINQUISH }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expect(w.bytesAt(NS_MEM, PAGE).every((b) => b === 0x5a)).toBe(true);
    expect(w.relinquish(SP1, h2).w0).toBe(FFA_SUCCESS);
    expect(w.bytesAt(NS_MEM, PAGE).every((b) => b === 0)).toBe(true);
    expect(w.reclaim(HOST, h2).w0).toBe(FFA_SUCCESS);

    // Read-only borrower: zeroing flags refused at retrieval and relinquish.
    w.releaseRx(SP1);
    const ro = handleOf(w.lend(HOST, { ...shareSpec(HOST, [SP1], [at(NS_MEM)], { attributes: 0 }), receivers: [{ receiver: SP1, permissions: RO }] }));
    const roNx = ffaMemPermissions(FFA_DATA_ACCESS_RO, FFA_INSTRUCTION_ACCESS_NX);
    expectError(w.retrieve(SP1, ro, HOST, [{ receiver: SP1, permissions: roNx }], { tag: 0x1234n, flags: FFA_MEM_FLAG_CLEAR_RELINQUISH }), FFA_RET_DENIED);
    expect(w.retrieve(SP1, ro, HOST, [{ receiver: SP1, permissions: roNx }], { tag: 0x1234n }).w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expectError(w.relinquish(SP1, ro, FFA_MEM_FLAG_CLEAR), FFA_RET_DENIED);
    expect(w.relinquish(SP1, ro).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });
});

describe('FFA_MEM_RECLAIM (ACS reclaim_input_error_checks, reclaim_zero_flag)', () => {
  it('handle, owner and flag checks', () => {
    const w = new World();
    const h = hostShare(w);
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[NS_MEM, 1]], () => w.reclaim(HOST, h + 0x10_0000_0000n)); // hi + 0x10
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[NS_MEM, 1]], () => w.reclaim(HOST, h, 0x4));
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[NS_MEM, 1]], () => w.reclaim(HOST, h, FFA_MEM_FLAG_TIME_SLICE));
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[NS_MEM, 1]], () => w.reclaim(SP1, h)); // not the owner
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });

  it('zero flags: at send (LEND) and at reclaim', () => {
    const w = new World();
    w.fill(NS_MEM, 2 * PAGE, 0x77);
    const h = handleOf(w.lend(HOST, shareSpec(HOST, [SP1], [at(NS_MEM)], { attributes: 0, flags: FFA_MEM_FLAG_CLEAR })));
    expect(w.bytesAt(NS_MEM, PAGE).every((b) => b === 0)).toBe(true);
    expect(w.bytesAt(NS_MEM + PAGE, PAGE).every((b) => b === 0x77)).toBe(true);
    // Retrieval with zeroing reports it in the RETRIEVE_RESP flags (ACS lend_retrieve_input_checks1-3).
    const r = w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: NX }], { tag: 0x1234n, flags: FFA_MEM_FLAG_CLEAR });
    expect(w.response(SP1, r).flags).toBe(FFA_MEM_FLAG_TYPE_LEND | FFA_MEM_FLAG_CLEAR);
    expect(w.relinquish(SP1, h).w0).toBe(FFA_SUCCESS);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);

    const s = handleOf(w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM + PAGE)])));
    // The sender did not allow zeroing: a borrower asking for it is DENIED (v1.0 §5.12.4.1) -- on a lend.
    w.releaseRx(SP1);
    const l = handleOf(w.lend(HOST, shareSpec(HOST, [SP2], [at(NS_MEM + 4 * PAGE)], { attributes: 0 })));
    expectError(w.retrieve(SP2, l, HOST, [{ receiver: SP2, permissions: NX }], { tag: 0x1234n, flags: FFA_MEM_FLAG_CLEAR }), FFA_RET_DENIED);
    expect(w.reclaim(HOST, s, FFA_MEM_RECLAIM_CLEAR).w0).toBe(FFA_SUCCESS);
    expect(w.bytesAt(NS_MEM + PAGE, PAGE).every((b) => b === 0)).toBe(true);
    w.expectClean();
  });

  it('TF-A: reclaim flags unsupported', () => {
    const w = new World({ policy: 'tf-a' });
    const h = hostShare(w);
    expectError(w.reclaim(HOST, h, FFA_MEM_RECLAIM_CLEAR), FFA_RET_INVALID_PARAMETERS);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
  });
});

// ---------------------------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------------------------

describe('descriptor layouts by negotiated version', () => {
  it('v1.0 sender; v1.1 and v1.0 borrowers get their own layouts (NS bit only from v1.1)', () => {
    const w = new World({ versions: { [HOST]: FFA_VERSION_1_0, [SP1]: FFA_VERSION_1_1, [SP2]: FFA_VERSION_1_0 } });
    const spec = shareSpec(HOST, [SP1, SP2], [at(NS_MEM, 2), at(NS_MEM + 8 * PAGE)]);
    const bytes = encodeMemTransaction(spec, FFA_VERSION_1_0);
    expect(bytes.length).toBe(32 + 2 * 16 + 16 + 2 * 16);
    const h = handleOf(w.lend(HOST, bytes));
    const list = [
      { receiver: SP1, permissions: RW },
      { receiver: SP2, permissions: RW },
    ];
    const r1 = w.retrieve(SP1, h, HOST, list, { tag: 0x1234n });
    const d1 = w.response(SP1, r1);
    expect(d1.emadOffset).toBe(48);
    expect(d1.emadSize).toBe(16);
    expect(d1.attributes).toBe(FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS);
    expect(d1.composite!.constituents).toEqual(spec.constituents);
    const r2 = w.retrieve(SP2, h, HOST, list, { tag: 0x1234n });
    const d2 = w.response(SP2, r2);
    expect(d2.emadOffset).toBe(32);
    expect(d2.attributes).toBe(FFA_MEM_ATTR_NORMAL_WB_INNER);
    expect(d2.composite!.totalPageCount).toBe(3);
    expect(w.relinquish(SP1, h).w0).toBe(FFA_SUCCESS);
    expect(w.relinquish(SP2, h).w0).toBe(FFA_SUCCESS);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });

  it('v1.1 sender, v1.2 borrower: 32-byte EMADs in the response; a v1.2 layout from a v1.1 caller is refused', () => {
    const w = new World({ versions: { [HOST]: FFA_VERSION_1_1, [SP1]: FFA_VERSION_1_2 } });
    const h = handleOf(w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM)])));
    const d = w.response(SP1, w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n }));
    expect(d.emadSize).toBe(32);
    expect(d.receivers[0]!.impdef).toEqual(new Uint8Array(16));
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[NS_MEM + PAGE, 1]], () =>
      w.share(HOST, encodeMemTransaction(shareSpec(HOST, [SP1], [at(NS_MEM + PAGE)]), FFA_VERSION_1_2)),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Fragmentation
// ---------------------------------------------------------------------------------------------

describe('fragmentation (v1.0 ch.12: FFA_MEM_FRAG_TX / FFA_MEM_FRAG_RX)', () => {
  const N = 300; // 300 constituents: 4896-byte v1.2 descriptor, more than one 4 KiB TX/RX page

  it('a send in two fragments, then a retrieve response in two fragments', () => {
    const w = new World();
    const cons = scattered(NS_MEM, N);
    const bytes = encodeMemTransaction(shareSpec(HOST, [SP1], cons), FFA_VERSION_1_2);
    expect(bytes.length).toBe(48 + 32 + 16 + 16 * N);
    w.writeTx(HOST, bytes.subarray(0, PAGE));
    const f = w.call(FFA_MEM_SHARE, HOST, [bytes.length, PAGE, 0, 0]);
    expect(f.w0).toBe(FFA_MEM_FRAG_RX);
    const h = ffaHandle(f.w1, f.w2);
    expect(h).toBe(FIRST_HANDLE);
    expect(f.w3).toBe(PAGE);
    expect(f.w4).toBe(0); // sender 0 in [31:16]
    expect(w.mem.pageInfo(NS_MEM)).toBeUndefined(); // nothing changes until the last fragment
    w.expectClean();

    // FRAG_TX errors leave the transaction waiting.
    const rest = bytes.subarray(PAGE);
    w.writeTx(HOST, rest);
    expectError(w.call(FFA_MEM_FRAG_TX, HOST, [ffaHandleLo(h) + 1, ffaHandleHi(h), rest.length, 0]), FFA_RET_INVALID_PARAMETERS);
    expectError(w.call(FFA_MEM_FRAG_TX, SP1, [ffaHandleLo(h), ffaHandleHi(h), rest.length, 0]), FFA_RET_INVALID_PARAMETERS);
    expectError(w.call(FFA_MEM_FRAG_TX, HOST, [ffaHandleLo(h), ffaHandleHi(h), 8, 0]), FFA_RET_INVALID_PARAMETERS);
    expectError(w.call(FFA_MEM_FRAG_TX, HOST, [ffaHandleLo(h), ffaHandleHi(h), rest.length + 16, 0]), FFA_RET_INVALID_PARAMETERS);
    expectError(w.call(FFA_MEM_FRAG_TX, HOST, [ffaHandleLo(h), ffaHandleHi(h), rest.length, 0x1234]), FFA_RET_INVALID_PARAMETERS);
    // Retrieve, relinquish and reclaim of a handle still being sent.
    expectError(w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n }), FFA_RET_INVALID_PARAMETERS);
    w.releaseRx(SP1);
    expectError(w.reclaim(HOST, h), FFA_RET_INVALID_PARAMETERS);

    const done = w.call(FFA_MEM_FRAG_TX, HOST, [ffaHandleLo(h), ffaHandleHi(h), rest.length, 0]);
    expect(handleOf(done)).toBe(h);
    expect(w.mem.pageInfo(NS_MEM + 2 * (N - 1) * PAGE)).toEqual({ owner: HOST, state: 'shared', handle: h });
    expect(w.mem.pageInfo(NS_MEM + PAGE)).toBeUndefined();
    expectError(w.call(FFA_MEM_FRAG_TX, HOST, [ffaHandleLo(h), ffaHandleHi(h), 16, 0]), FFA_RET_INVALID_PARAMETERS); // complete
    w.expectClean();

    // The response does not fit SP1's one-page RX: RETRIEVE_RESP, then FRAG_RX/FRAG_TX.
    const r = w.retrieve(SP1, h, HOST, [{ receiver: SP1, permissions: RW }], { tag: 0x1234n });
    expect(r.w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expect(r.w1).toBe(48 + 32 + 16 + 16 * N);
    expect(r.w2).toBe(PAGE);
    const whole = new Uint8Array(r.w1);
    whole.set(w.readRx(SP1, PAGE));
    const fragRx = (off: number, caller = SP1, w4 = 0) => w.call(FFA_MEM_FRAG_RX, caller, [ffaHandleLo(h), ffaHandleHi(h), off, w4]);
    expectError(fragRx(PAGE), FFA_RET_BUSY); // RX not released yet
    w.releaseRx(SP1);
    expectError(fragRx(PAGE - 16), FFA_RET_INVALID_PARAMETERS); // wrong offset
    expectError(fragRx(PAGE, SP2), FFA_RET_INVALID_PARAMETERS); // not a borrower
    expectError(w.relinquish(SP1, h), FFA_RET_INVALID_PARAMETERS); // not every fragment fetched
    const t = fragRx(PAGE);
    expect(t.w0).toBe(FFA_MEM_FRAG_TX);
    expect(ffaHandle(t.w1, t.w2)).toBe(h);
    expect(t.w3).toBe(r.w1 - PAGE);
    whole.set(w.readRx(SP1, t.w3), PAGE);
    expect(w.readRx(SP1, PAGE).subarray(t.w3).every((b) => b === 0)).toBe(true); // RX tail zeroed
    const d = decodeMemTransaction(whole, 0, whole.length, FFA_VERSION_1_2, { kind: 'retrieve-resp' });
    expect(d.composite!.constituents).toEqual(cons);
    w.releaseRx(SP1);
    expectError(fragRx(r.w1), FFA_RET_INVALID_PARAMETERS); // nothing left
    expect(w.relinquish(SP1, h).w0).toBe(FFA_SUCCESS);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });

  it('a fragmented send whose last fragment names a page already lent fails as a whole', () => {
    const w = new World();
    const taken = NS_MEM + 2 * (N - 1) * PAGE;
    handleOf(w.lend(HOST, shareSpec(HOST, [SP2], [at(taken)], { attributes: 0 })));
    const bytes = encodeMemTransaction(shareSpec(HOST, [SP1], scattered(NS_MEM, N)), FFA_VERSION_1_2);
    w.writeTx(HOST, bytes.subarray(0, PAGE));
    const f = w.call(FFA_MEM_SHARE, HOST, [bytes.length, PAGE, 0, 0]);
    const h = ffaHandle(f.w1, f.w2);
    w.writeTx(HOST, bytes.subarray(PAGE));
    rejects(w, FFA_RET_DENIED, [[NS_MEM, 2 * N]], () => w.call(FFA_MEM_FRAG_TX, HOST, [f.w1, f.w2, bytes.length - PAGE, 0]));
    expect(w.mem.hasHandle(h)).toBe(false);
  });

  it('a fragmented send with bad header fields is refused at the first fragment', () => {
    const w = new World();
    const bytes = encodeMemTransaction(shareSpec(SP1, [SP2], scattered(NS_MEM, N)), FFA_VERSION_1_2);
    w.writeTx(HOST, bytes.subarray(0, PAGE));
    rejects(w, FFA_RET_DENIED, [[NS_MEM, 4]], () => w.call(FFA_MEM_SHARE, HOST, [bytes.length, PAGE, 0, 0])); // spoofed sender
    rejects(w, FFA_RET_INVALID_PARAMETERS, [[NS_MEM, 4]], () => w.call(FFA_MEM_SHARE, HOST, [bytes.length, PAGE - 8, 0, 0])); // not a multiple of 16
    expect(w.mem.hasHandle(FIRST_HANDLE)).toBe(false);
  });

  it('RECLAIM of a send still in progress: INVALID_PARAMETERS (HF/TF-A), or an abort under spec', () => {
    const w = new World({ policy: 'spec' });
    const bytes = encodeMemTransaction(shareSpec(HOST, [SP1], scattered(NS_MEM, N)), FFA_VERSION_1_2);
    w.writeTx(HOST, bytes.subarray(0, PAGE));
    const f = w.call(FFA_MEM_SHARE, HOST, [bytes.length, PAGE, 0, 0]);
    const h = ffaHandle(f.w1, f.w2);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
    expect(w.mem.hasHandle(h)).toBe(false);
    expectError(w.call(FFA_MEM_FRAG_TX, HOST, [f.w1, f.w2, bytes.length - PAGE, 0]), FFA_RET_INVALID_PARAMETERS);
    w.expectClean();
  });
});

// ---------------------------------------------------------------------------------------------
// Hypervisor retrieve request (pKVM's reclaim path)
// ---------------------------------------------------------------------------------------------

describe('hypervisor retrieve request (pkvm-ffa.md §4.8, ffa-abi.md §6.8)', () => {
  /** pKVM's `struct ffa_mem_region` with sender_id 0 and the handle, everything else zero. */
  const bareRequest = (h: bigint, version: number, extra: Partial<MemTransactionSpec> = {}) =>
    encodeMemTransaction({ sender: 0, handle: h, receivers: [], ...extra, overrides: { emadSize: 0, emadOffset: 0, ...extra.overrides } }, version);

  it('returns the full descriptor in the hypervisor RX and does not hold up the reclaim', () => {
    const w = new World({ version: FFA_VERSION_1_1 });
    const h = handleOf(w.share(HOST, shareSpec(HOST, [SP1], [at(NS_MEM, 2), at(NS_MEM + 4 * PAGE)])));
    const req = bareRequest(h, FFA_VERSION_1_1);
    expect(req.length).toBe(48);
    w.writeTx(HOST, req);
    const r = w.call(FFA_MEM_RETRIEVE_REQ_64, HOST, [48, 48, 0, 0]);
    expect(r.w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expect(r.w1).toBe(r.w2);
    expect(w.mailbox(HOST).state).toBe(RX_FULL);
    const d = w.response(HOST, r);
    expect(d.sender).toBe(HOST);
    expect(d.handle).toBe(h);
    expect(d.receivers.map((e) => [e.receiver, e.permissions])).toEqual([[SP1, RW]]);
    expect(d.composite!.constituents).toEqual([at(NS_MEM, 2), at(NS_MEM + 4 * PAGE)]);
    expect(d.composite!.totalPageCount).toBe(3);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });

  it('fragments a large response through FRAG_RX from the hypervisor (x4 = 0, the host)', () => {
    const w = new World({ version: FFA_VERSION_1_1 });
    const cons = scattered(NS_MEM, 300);
    const bytes = encodeMemTransaction(shareSpec(HOST, [SP1], cons), FFA_VERSION_1_1);
    w.writeTx(HOST, bytes.subarray(0, PAGE));
    const f = w.call(FFA_MEM_SHARE_64, HOST, [bytes.length, PAGE, 0, 0]);
    w.writeTx(HOST, bytes.subarray(PAGE));
    const h = handleOf(w.call(FFA_MEM_FRAG_TX, HOST, [f.w1, f.w2, bytes.length - PAGE, 0]));
    w.writeTx(HOST, bareRequest(h, FFA_VERSION_1_1));
    const r = w.call(FFA_MEM_RETRIEVE_REQ_64, HOST, [48, 48, 0, 0]);
    expect(r.w0).toBe(FFA_MEM_RETRIEVE_RESP);
    expect(r.w2).toBe(PAGE);
    const whole = new Uint8Array(r.w1);
    whole.set(w.readRx(HOST, PAGE));
    w.releaseRx(HOST);
    // A second hypervisor retrieval while this one is in progress.
    expectError(w.call(FFA_MEM_RETRIEVE_REQ_64, HOST, [48, 48, 0, 0]), FFA_RET_DENIED);
    expectError(w.call(FFA_MEM_FRAG_RX, HOST, [f.w1, f.w2, PAGE, 0x5_0000]), FFA_RET_INVALID_PARAMETERS); // not the sender
    const t = w.call(FFA_MEM_FRAG_RX, HOST, [f.w1, f.w2, PAGE, 0]);
    expect(t.w0).toBe(FFA_MEM_FRAG_TX);
    whole.set(w.readRx(HOST, t.w3), PAGE);
    expect(PAGE + t.w3).toBe(r.w1);
    expect(decodeMemTransaction(whole, 0, whole.length, FFA_VERSION_1_1, { kind: 'retrieve-resp' }).composite!.constituents).toEqual(cons);
    expect(w.reclaim(HOST, h).w0).toBe(FFA_SUCCESS);
    w.expectClean();
  });

  it('rejects requests that are not the bare form, from SPs, or for unknown handles', () => {
    const w = new World({ version: FFA_VERSION_1_1 });
    const h = hostShare(w);
    w.writeTx(HOST, bareRequest(h, FFA_VERSION_1_1, { tag: 1n }));
    expectError(w.call(FFA_MEM_RETRIEVE_REQ_64, HOST, [48, 48, 0, 0]), FFA_RET_INVALID_PARAMETERS);
    w.writeTx(HOST, bareRequest(h, FFA_VERSION_1_1, { sender: SP1 }));
    expectError(w.call(FFA_MEM_RETRIEVE_REQ_64, HOST, [48, 48, 0, 0]), FFA_RET_INVALID_PARAMETERS);
    w.writeTx(HOST, bareRequest(h + 1n, FFA_VERSION_1_1));
    expectError(w.call(FFA_MEM_RETRIEVE_REQ_64, HOST, [48, 48, 0, 0]), FFA_RET_INVALID_PARAMETERS);
    w.writeTx(SP1, bareRequest(h, FFA_VERSION_1_1));
    expectError(w.call(FFA_MEM_RETRIEVE_REQ_64, SP1, [48, 48, 0, 0]), FFA_RET_INVALID_PARAMETERS);
    // SP-sent transactions are not the hypervisor's to inspect.
    const sp = handleOf(w.share(SP1, shareSpec(SP1, [SP2], [at(S_MEM)])));
    w.writeTx(HOST, bareRequest(sp, FFA_VERSION_1_1));
    expectError(w.call(FFA_MEM_RETRIEVE_REQ_64, HOST, [48, 48, 0, 0]), FFA_RET_INVALID_PARAMETERS);
    expect(w.mailbox(HOST).state).toBe(RX_EMPTY);
  });
});

// ---------------------------------------------------------------------------------------------
// Dispatch, FFA_FEATURES, invariants
// ---------------------------------------------------------------------------------------------

describe('dispatch and FFA_FEATURES', () => {
  it('handle() returns false, touching nothing, for IDs that are not memory ABIs', () => {
    const w = new World();
    for (const fid of [0x84000063, 0x8400006f, 0xc400006f, 0x84000088, 0xc4000077, 0xc400007b, 0x84000070, 0x8400007c]) {
      const regs = new Int32Array(36).fill(0x11);
      expect(w.mem.handle(fid, HOST, regs, w.mailbox(HOST))).toBe(false);
      expect(regs.every((x) => x === 0x11)).toBe(true);
    }
  });

  it('the SVE hint bit (16) is ignored', () => {
    const w = new World();
    const h = hostShare(w);
    const regs = new Int32Array(36);
    regs[2] = ffaHandleLo(h) | 0;
    regs[4] = ffaHandleHi(h) | 0;
    expect(w.mem.handle(FFA_MEM_RECLAIM | 0x10000, HOST, regs, null)).toBe(true);
    expect(regs[0]! >>> 0).toBe(FFA_SUCCESS);
  });

  it('FEATURES agrees with handle() per policy', () => {
    const hf = new World();
    expect(hf.mem.featureProperties(FFA_MEM_SHARE, HOST, 0)).toEqual({ w2: 0, w3: 0 });
    expect(hf.mem.features(FFA_MEM_SHARE, HOST, 0)).toBe(0);
    expect(hf.mem.features(FFA_MEM_DONATE_64, SP1, 0)).toBe(0);
    expect(hf.mem.features(FFA_MEM_SHARE, HOST, 1)).toBe(FFA_RET_NOT_SUPPORTED);
    expect(hf.mem.featureProperties(FFA_MEM_SHARE, HOST, 1)).toBe('not-supported');
    expect(hf.mem.features(FFA_MEM_RELINQUISH, SP1, 0)).toBe(0);
    expect(hf.mem.features(FFA_MEM_FRAG_TX, HOST, 0)).toBe(0);
    expect(hf.mem.features(FFA_MEM_OP_PAUSE, HOST, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    expect(hf.mem.featureProperties(0x8400006f, HOST, 0)).toBeUndefined();
    expect(hf.mem.features(0x8400006f, HOST, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    expectError(hf.call(FFA_MEM_OP_PAUSE, HOST, [1, 0]), FFA_RET_NOT_SUPPORTED);
    expectError(hf.call(FFA_MEM_RETRIEVE_RESP, SP1, [64, 64]), FFA_RET_NOT_SUPPORTED);

    const tfa = new World({ policy: 'tf-a' });
    expect(tfa.mem.features(FFA_MEM_DONATE, SP1, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    expectError(tfa.donate(SP1, { sender: SP1, receivers: [{ receiver: SP2, permissions: 0 }], constituents: [at(S_MEM)] }), FFA_RET_NOT_SUPPORTED);
    // TF-A EL3 SPMC: SPs do not send memory.
    expectError(tfa.share(SP1, shareSpec(SP1, [SP2], [at(S_MEM)])), FFA_RET_INVALID_PARAMETERS);
    // TF-A reports memory ABIs by world (spmc_main.c ffa_features_handler).
    expect(tfa.mem.features(FFA_MEM_SHARE_64, HOST, 0)).toBe(0);
    expect(tfa.mem.features(FFA_MEM_SHARE_64, SP1, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    expect(tfa.mem.features(FFA_MEM_FRAG_RX, SP1, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    expect(tfa.mem.features(FFA_MEM_FRAG_TX, SP1, 0)).toBe(0);
    expect(tfa.mem.features(FFA_MEM_RELINQUISH, SP1, 0)).toBe(0);
    expect(tfa.mem.features(FFA_MEM_RELINQUISH, HOST, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    expect(tfa.mem.features(FFA_MEM_RETRIEVE_RESP, HOST, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    // RETRIEVE_REQ: the NWd may not ask for NS-bit handling; a v1.1+ SP must.
    expect(tfa.mem.featureProperties(FFA_MEM_RETRIEVE_REQ_64, HOST, 0)).toEqual({ w2: 0, w3: 0 });
    expect(tfa.mem.features(FFA_MEM_RETRIEVE_REQ_64, HOST, 2)).toBe(FFA_RET_NOT_SUPPORTED);
    expect(tfa.mem.features(FFA_MEM_RETRIEVE_REQ_64, SP1, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    expect(tfa.mem.featureProperties(FFA_MEM_RETRIEVE_REQ_64, SP1, 2)).toEqual({ w2: 2, w3: 0 });
    // The NWd is never a borrower: RELINQUISH from it is INVALID_PARAMETERS (spmc_ffa_mem_relinquish).
    expectError(tfa.relinquish(HOST, hostShare(tfa)), FFA_RET_INVALID_PARAMETERS);
    expect(tfa.mem.lastReject).toMatch(/partitions only/);
    const optee = new World({ policy: 'optee' });
    expect(optee.mem.features(FFA_MEM_LEND_64, HOST, 0)).toBe(FFA_RET_NOT_SUPPORTED);
    expectError(optee.lend(HOST, shareSpec(HOST, [SP1], [at(NS_MEM)], { attributes: 0 })), FFA_RET_NOT_SUPPORTED);
  });

  it('checkInvariants catches a page lent away with no transaction behind it', () => {
    const w = new World();
    hostShare(w);
    w.expectClean();
    (w.mem as unknown as { pages: Map<number, unknown> }).pages.set((NS_MEM + 9 * PAGE) / PAGE, { owner: HOST, state: 'lent', handle: 99n });
    expect(w.mem.checkInvariants().length).toBeGreaterThan(0);
  });
});
