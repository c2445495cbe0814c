/**
 * FF-A memory sharing through the pKVM proxy (reference pkvm-ffa.md §4.6-§4.8): MEM_SHARE/LEND checks
 * and page transitions, fragmentation with FRAG_TX, MEM_RECLAIM through the hypervisor retrieve request
 * and FRAG_RX, and the rollbacks.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { FFA_DATA_ACCESS_RW, FFA_MEM_ATTR_NORMAL_WB_INNER, encodeMemTransaction, type MemRegionConstituent } from '../../../src/ffa/descriptors.js';
import { PageState } from '../../../src/memory/stage2.js';
import { BACKENDS, type Backend, ERR, HOST_RX, HOST_TX, M64, PART_ID, SHARE_PA, U, type World, readyOn, readyWorld, LDR_X0_X1 } from './harness.js';
import { StopReason } from '../../../src/machine/machine.js';

const FFA_ERROR = U(A.FFA_ERROR), FFA_SUCCESS = U(A.FFA_SUCCESS);
const INVALID = M64 - 1n;

function ready(kind: Backend, setup?: Parameters<typeof readyWorld>[1]): World {
  const w = kind === 'fake' ? readyWorld({}, setup) : readyOn(kind);
  w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2);
  expect(w.smc(A.FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1)[0]).toBe(FFA_SUCCESS);
  return w;
}

function pages(pa: number, n: number): MemRegionConstituent[] { return [{ address: BigInt(pa), pageCount: n }]; }

/**
 * A v1.2 transaction descriptor as Linux's driver builds it: sender 0, one receiver with RW, for a SHARE
 * the memory attributes Normal WB inner-shareable (the owner must give them, v1.0 §5.11.4); a LEND to a
 * single borrower leaves them unspecified.
 */
function descriptor(constituents: MemRegionConstituent[], over: Parameters<typeof encodeMemTransaction>[0] extends infer T ? Partial<T> : never = {}): Uint8Array {
  return encodeMemTransaction({ sender: 0, attributes: FFA_MEM_ATTR_NORMAL_WB_INNER, receivers: [{ receiver: PART_ID, permissions: FFA_DATA_ACCESS_RW }], constituents, ...over }, A.FFA_VERSION_1_2);
}

function writeTx(w: World, bytes: Uint8Array): void { w.m.bus.ram(HOST_TX, bytes.length)!.set(bytes); }

function share(w: World, d: Uint8Array, fid = A.FFA_MEM_SHARE_64, fraglen = d.length): bigint[] {
  writeTx(w, d.subarray(0, fraglen));
  return w.smc(fid, d.length, fraglen, 0, 0);
}

const state = (w: World, pa: number) => w.pkvm.stage2!.hostState(pa);

describe.each(BACKENDS)('FFA_MEM_SHARE / FFA_MEM_LEND (ref §4.6) (%s)', (kind: Backend) => {
  it('shares the constituents (OWNED -> SHARED_OWNED) and forwards the 64-bit ID with x3 = x4 = 0', () => {
    const w = ready(kind);
    const d = descriptor([...pages(SHARE_PA, 2), ...pages(SHARE_PA + 0x8000, 1)]);
    const n = w.el3.calls.length;
    const x = share(w, d, A.FFA_MEM_SHARE);          // the 32-bit ID from the host
    expect(x[0]).toBe(FFA_SUCCESS);                  // the handle in w2/w3 is the SPMC's choice
    expect(w.el3.calls.slice(n).map((c) => c.x.slice(0, 5))).toEqual([[U(A.FFA_MEM_SHARE_64), BigInt(d.length), BigInt(d.length), 0n, 0n]]);
    for (const pa of [SHARE_PA, SHARE_PA + 0x1000, SHARE_PA + 0x8000]) expect(state(w, pa)).toBe(PageState.SharedOwned);
    expect(state(w, SHARE_PA + 0x2000)).toBe(PageState.Owned);
    expect(w.pkvm.beliefs().protectedPages).toEqual([HOST_TX, HOST_RX, SHARE_PA, SHARE_PA + 0x1000, SHARE_PA + 0x8000].sort((a, b) => a - b));
    // The host keeps access to pages it shares (their host stage-2 mapping stays).
    w.host.putX(1, BigInt(SHARE_PA));
    expect(w.exec(LDR_X0_X1)).toBe(StopReason.Returned);
    expect(w.host.exceptionsCaught).toBe(0);
    // The SPMC read the descriptor from the hyp TX buffer, not the host's.
    expect(w.el3.mailbox!.tx).toBe(w.pkvm.layout()!.hypTx);
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it('LEND behaves the same and is forwarded as MEM_LEND_64', () => {
    const w = ready(kind);
    const n = w.el3.calls.length;
    expect(share(w, descriptor(pages(SHARE_PA, 1), { attributes: 0 }), A.FFA_MEM_LEND)[0]).toBe(FFA_SUCCESS);
    expect(w.el3.calls[n]!.x[0]).toBe(U(A.FFA_MEM_LEND_64));
  });

  it('register checks: x3, w4, fraglen > len, fraglen > 4 KiB, fraglen < 80 -> INVALID_PARAMETERS, no SMC', () => {
    const w = ready(kind);
    const d = descriptor(pages(SHARE_PA, 1));
    writeTx(w, d);
    const n = w.el3.calls.length;
    const L = d.length;
    for (const args of [[L, L, 0x1000, 0], [L, L, 0, 1], [L, L + 16, 0, 0], [8192, 4112, 0, 0], [64, 64, 0, 0], [79, 79, 0, 0]]) {
      expect(w.smc(A.FFA_MEM_SHARE_64, ...args).slice(0, 3), String(args)).toEqual([FFA_ERROR, 0n, INVALID]);
    }
    expect(w.el3.calls.length).toBe(n);
    expect(state(w, SHARE_PA)).toBe(PageState.Owned);
  });

  it('len above the descriptor buffer (17 pages) -> NO_MEMORY', () => {
    const w = ready(kind);
    const d = descriptor(pages(SHARE_PA, 1));
    writeTx(w, d);
    expect(w.smc(A.FFA_MEM_SHARE_64, 17 * 4096 + 16, d.length, 0, 0).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_NO_MEMORY)]);
  });

  it('descriptor checks: ep_count != 1, sender != 0, composite offset 0 or out of the fragment, ragged constituents', () => {
    const w = ready(kind);
    const two = encodeMemTransaction({ sender: 0, attributes: FFA_MEM_ATTR_NORMAL_WB_INNER, receivers: [{ receiver: PART_ID, permissions: 2 }, { receiver: 0x8002, permissions: 2 }], constituents: pages(SHARE_PA, 1) }, A.FFA_VERSION_1_2);
    expect(share(w, two).slice(0, 3)).toEqual([FFA_ERROR, 0n, INVALID]);
    expect(share(w, descriptor(pages(SHARE_PA, 1), { sender: 5 })).slice(0, 3)).toEqual([FFA_ERROR, 0n, INVALID]);
    const noComposite = encodeMemTransaction({ sender: 0, attributes: FFA_MEM_ATTR_NORMAL_WB_INNER, receivers: [{ receiver: PART_ID, permissions: 2, compositeOffset: 0 }], constituents: pages(SHARE_PA, 1) }, A.FFA_VERSION_1_2);
    expect(share(w, noComposite).slice(0, 3)).toEqual([FFA_ERROR, 0n, INVALID]);
    const far = encodeMemTransaction({ sender: 0, attributes: FFA_MEM_ATTR_NORMAL_WB_INNER, receivers: [{ receiver: PART_ID, permissions: 2, compositeOffset: 0x2000 }], constituents: pages(SHARE_PA, 1) }, A.FFA_VERSION_1_2);
    expect(share(w, far).slice(0, 3)).toEqual([FFA_ERROR, 0n, INVALID]);
    const d = descriptor(pages(SHARE_PA, 1));
    writeTx(w, d);
    expect(w.smc(A.FFA_MEM_SHARE_64, d.length + 8, d.length - 8, 0, 0).slice(0, 3)).toEqual([FFA_ERROR, 0n, INVALID]);
    expect(state(w, SHARE_PA)).toBe(PageState.Owned);
  });

  it('no host TX buffer -> INVALID_PARAMETERS', () => {
    const w = readyOn(kind);
    w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2);
    expect(share(w, descriptor(pages(SHARE_PA, 1))).slice(0, 3)).toEqual([FFA_ERROR, 0n, INVALID]);
  });

  it('pages the host does not own -> DENIED, earlier ranges rolled back, no SMC', () => {
    const w = ready(kind);
    const lay = w.pkvm.layout()!;
    const n = w.el3.calls.length;
    // hyp page
    expect(share(w, descriptor([...pages(SHARE_PA, 1), ...pages(lay.hypRx, 1)])).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_DENIED)]);
    // a page listed twice
    expect(share(w, descriptor([...pages(SHARE_PA, 2), ...pages(SHARE_PA + 0x1000, 1)])).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_DENIED)]);
    // the host's own RX buffer (SHARED_OWNED with the hyp)
    expect(share(w, descriptor(pages(HOST_RX, 1))).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_DENIED)]);
    // unaligned constituent, and memory outside DRAM
    expect(share(w, descriptor(pages(0x1000_0000, 1))).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_DENIED)]);
    expect(w.el3.calls.length).toBe(n);
    expect(state(w, SHARE_PA)).toBe(PageState.Owned);
    expect(state(w, SHARE_PA + 0x1000)).toBe(PageState.Owned);
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it.skipIf(kind === 'world')("EL3 refuses: pages back to OWNED and EL3's registers returned unchanged", () => {
    const w = ready(kind, (el3) => { el3.shareError = A.FFA_RET_NO_MEMORY; });
    const x = share(w, descriptor(pages(SHARE_PA, 3)));
    expect([x[0], x[2]]).toEqual([FFA_ERROR, U(A.FFA_RET_NO_MEMORY)]);   // zero-extended, as the SPMC wrote it
    expect(state(w, SHARE_PA + 0x2000)).toBe(PageState.Owned);
  });
});

describe.each(BACKENDS)('fragmented transactions: FRAG_TX (ref §4.7) and RECLAIM with FRAG_RX (ref §4.8) (%s)', (kind: Backend) => {
  const N = 300;
  const many = () => Array.from({ length: N }, (_v, i) => ({ address: BigInt(SHARE_PA + i * 0x1000), pageCount: 1 }));

  /** Share N pages in two fragments; returns the handle. */
  function shareFragmented(w: World): bigint {
    const d = descriptor(many());
    expect(d.length).toBe(96 + N * 16);
    const first = 96 + 250 * 16;                        // 4096
    let x = share(w, d, A.FFA_MEM_SHARE_64, first);
    expect([x[0], x[3]]).toEqual([U(A.FFA_MEM_FRAG_RX), BigInt(first)]);
    expect(state(w, SHARE_PA + 249 * 0x1000)).toBe(PageState.SharedOwned);
    expect(state(w, SHARE_PA + 250 * 0x1000)).toBe(PageState.Owned);
    writeTx(w, d.subarray(first));
    x = w.smc(A.FFA_MEM_FRAG_TX, x[1]!, x[2]!, d.length - first, 0);
    expect(x[0]).toBe(FFA_SUCCESS);
    expect(state(w, SHARE_PA + 299 * 0x1000)).toBe(PageState.SharedOwned);
    return (x[3]! << 32n) | x[2]!;
  }

  it('FRAG_TX shares the next constituents and forwards x1-x4', () => {
    const w = ready(kind);
    const h = shareFragmented(w);
    const last = w.el3.calls[w.el3.calls.length - 1]!;
    expect(last.x.slice(0, 5)).toEqual([U(A.FFA_MEM_FRAG_TX), h & 0xffffffffn, h >> 32n, 800n, 0n]);
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it('FRAG_TX checks: fraglen > 4 KiB or not a multiple of 16 -> INVALID; a bad page -> RECLAIM to EL3, DENIED', () => {
    const w = ready(kind);
    expect(w.smc(A.FFA_MEM_FRAG_TX, 1, 0, 4112, 0).slice(0, 3)).toEqual([FFA_ERROR, 0n, INVALID]);
    expect(w.smc(A.FFA_MEM_FRAG_TX, 1, 0, 24, 0).slice(0, 3)).toEqual([FFA_ERROR, 0n, INVALID]);
    const d = descriptor(many());
    const x = share(w, d, A.FFA_MEM_SHARE_64, 4096);
    // Second fragment names a hyp page: DENIED, and pKVM reclaims the whole transaction at EL3.
    const bad = new Uint8Array(32);
    const dv = new DataView(bad.buffer);
    dv.setBigUint64(0, BigInt(SHARE_PA + 400 * 0x1000), true); dv.setUint32(8, 1, true);
    dv.setBigUint64(16, BigInt(w.pkvm.layout()!.desc), true); dv.setUint32(24, 1, true);
    writeTx(w, bad);
    const n = w.el3.calls.length;
    expect(w.smc(A.FFA_MEM_FRAG_TX, x[1]!, x[2]!, 32, 0).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_DENIED)]);
    expect(w.el3.calls.slice(n).map((c) => c.x.slice(0, 4))).toEqual([[U(A.FFA_MEM_RECLAIM), x[1]!, x[2]!, 0n]]);
    expect(state(w, SHARE_PA + 400 * 0x1000)).toBe(PageState.Owned);     // this fragment rolled back
    expect(state(w, SHARE_PA)).toBe(PageState.SharedOwned);              // earlier fragments leak (documented)
  });

  it('RECLAIM: hypervisor retrieve request (48-byte header, sender 0, handle), FRAG_RX loop, RX_RELEASEs, then RECLAIM and unshare', () => {
    // The fake hands the retrieve response out in 2 KiB fragments; the real SPMC fills the 4 KiB RX.
    const frag = kind === 'fake' ? 2048 : 4096;
    const w = ready(kind, (el3) => { el3.fragSize = frag; });
    const h = shareFragmented(w);
    const n = w.el3.calls.length;
    const x = w.smc(A.FFA_MEM_RECLAIM, h & 0xffffffffn, h >> 32n, 0);
    expect(x.slice(0, 3)).toEqual([FFA_SUCCESS, 0n, 0n]);
    const seen = w.el3.calls.slice(n).map((c) => [c.x[0], c.x[1], c.x[2], c.x[3], c.x[4]]);
    const REL = [U(A.FFA_RX_RELEASE), 0n, 0n, 0n, 0n];
    const want = [[U(A.FFA_MEM_RETRIEVE_REQ_64), 48n, 48n, 0n, 0n], REL];
    for (let off = frag; off < 96 + N * 16; off += frag) want.push([U(A.FFA_MEM_FRAG_RX), h & 0xffffffffn, h >> 32n, BigInt(off), 0n], REL);
    want.push([U(A.FFA_MEM_RECLAIM), h & 0xffffffffn, h >> 32n, 0n, 0n]);
    expect(seen).toEqual(want);
    for (let i = 0; i < N; i++) expect(state(w, SHARE_PA + i * 0x1000)).toBe(PageState.Owned);
    const hdr = w.m.bus.ram(w.pkvm.layout()!.hypTx, 48)!;
    const dv = new DataView(hdr.buffer, hdr.byteOffset, 48);
    expect(dv.getUint16(0, true)).toBe(0);
    expect(dv.getBigUint64(8, true)).toBe(h);
    expect(w.pkvm.beliefs().protectedPages).toEqual([HOST_TX, HOST_RX]);
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it.skipIf(kind === 'world')("RECLAIM refused by EL3 (or an unknown handle): EL3's registers, pages stay SHARED_OWNED", () => {
    const w = ready(kind);
    share(w, descriptor(pages(SHARE_PA, 2)));
    w.el3.reclaimError = A.FFA_RET_DENIED;
    let x = w.smc(A.FFA_MEM_RECLAIM, 1, 0, 0);
    expect([x[0], x[2]]).toEqual([FFA_ERROR, U(A.FFA_RET_DENIED)]);
    expect(state(w, SHARE_PA)).toBe(PageState.SharedOwned);
    w.el3.reclaimError = 0;
    x = w.smc(A.FFA_MEM_RECLAIM, 99, 0, 0);
    expect([x[0], x[2]]).toEqual([FFA_ERROR, U(A.FFA_RET_INVALID_PARAMETERS)]);
    expect(w.smc(A.FFA_MEM_RECLAIM, 1, 0, 0)[0]).toBe(FFA_SUCCESS);
    expect(state(w, SHARE_PA + 0x1000)).toBe(PageState.Owned);
  });

  it('RECLAIM works without host buffers (only the hyp mailbox is used)', () => {
    const w = ready(kind);
    share(w, descriptor(pages(SHARE_PA, 1)));
    expect(w.smc(A.FFA_RXTX_UNMAP, 0)[0]).toBe(FFA_SUCCESS);
    // The hyp mailbox is gone at the SPMC too: the retrieve request fails there and that error comes back
    // (DENIED from the fake, INVALID_PARAMETERS from the real SPMC); the pages stay shared.
    const x = w.smc(A.FFA_MEM_RECLAIM, 1, 0, 0);
    expect(x[0]).toBe(FFA_ERROR);
    expect(w.el3.callsTo(A.FFA_MEM_RECLAIM)).toHaveLength(0);
    expect(state(w, SHARE_PA)).toBe(PageState.SharedOwned);
  });
});
