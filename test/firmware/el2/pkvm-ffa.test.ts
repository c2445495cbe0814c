/**
 * The pKVM FF-A proxy at register level: reference pkvm-ffa.md §7(b) rows b1-b16, the gate (§4 step 2),
 * scenario (c) under both policies, handle_host_smc's checks (§2), the deny list (§1.1, §4.2), RX/TX
 * mapping with page-state transitions (§4.3-§4.4), PARTITION_INFO_GET (§4.5).
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../../src/state/layout.js';
import * as A from '../../../src/ffa/abi.js';
import { HostSite } from '../../../src/firmware/host/caller.js';
import { PageState } from '../../../src/memory/stage2.js';
import { decodePartitionInfo, parseUuid } from '../../../src/ffa/descriptors.js';
import { BACKENDS, type Backend, ERR, HOST_RX, HOST_TX, M64, PART_ID, PART_UUID, U, type World, build, readyOn, readyWorld } from './harness.js';

const FFA_ERROR = U(A.FFA_ERROR), FFA_SUCCESS = U(A.FFA_SUCCESS);
const zeros = (from: number, x: bigint[]) => x.slice(from);
const z = (n: number) => new Array<bigint>(n).fill(0n);

function negotiate(w: World): bigint[] { return w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2); }
function mapBuffers(w: World): bigint[] { return w.smc(A.FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1); }

describe.each(BACKENDS)('scenario (b): hyp init, then the host driver through the proxy (%s)', (kind: Backend) => {
  it('b1-b16 in order, with the hyp and SPMC states afterwards', () => {
    const w = readyOn(kind);
    // b1 (at init): one FFA_VERSION(1.2) from EL2.
    expect(w.el3.calls.map((c) => [c.fromEl, c.x[0], c.x[1]])).toEqual([[2, U(A.FFA_VERSION), 0x10002n]]);
    expect(w.pkvm.beliefs().hypFfaVersion).toBe(0x10002);

    // b2: host FFA_VERSION(1.2): no version SMC; post_init ID_GET + FEATURES(RXTX_MAP_64); negotiated.
    let n = w.el3.calls.length;
    let x = negotiate(w);
    expect(x[0]).toBe(0x10002n);
    expect(zeros(1, x)).toEqual(z(17));
    expect(w.el3.calls.slice(n).map((c) => [c.fromEl, c.x[0], c.x[1]])).toEqual([
      [2, U(A.FFA_ID_GET), 0n], [2, U(A.FFA_FEATURES), U(A.FFA_RXTX_MAP_64)]]);
    expect(w.pkvm.beliefs()).toMatchObject({ negotiated: true, hostVersion: 0x10002 });

    // b3: FFA_ID_GET forwarded: the SPMC answers from EL1's point of view (the SMC came from EL2).
    n = w.el3.calls.length;
    x = w.smc(A.FFA_ID_GET);
    expect([x[0], x[2]]).toEqual([FFA_SUCCESS, 0n]);
    expect(w.el3.calls.slice(n)).toHaveLength(1);
    expect(w.el3.calls[n]!.fromEl).toBe(2);

    // b4: FEATURES(RXTX_MAP_64) forwarded, not special-cased.
    n = w.el3.calls.length;
    x = w.smc(A.FFA_FEATURES, A.FFA_RXTX_MAP_64);
    expect([x[0], x[2] & 3n]).toEqual([FFA_SUCCESS, 0n]);        // min buffer size 4 KiB (bits [31:16] may give a max)
    expect(w.el3.calls.slice(n).map((c) => c.x[1])).toEqual([U(A.FFA_RXTX_MAP_64)]);

    // b5: RXTX_MAP_64: EL3 gets the hyp's buffers; host pages become SHARED_OWNED / SHARED_BORROWED.
    n = w.el3.calls.length;
    x = mapBuffers(w);
    expect([x[0], x[1], x[2]]).toEqual([FFA_SUCCESS, 0n, 0n]);
    const lay = w.pkvm.layout()!;
    expect(w.el3.calls.slice(n).map((c) => [c.x[0], c.x[1], c.x[2], c.x[3]])).toEqual([
      [U(A.FFA_RXTX_MAP_64), BigInt(lay.hypTx), BigInt(lay.hypRx), 1n]]);
    const st = w.pkvm.stage2!;
    for (const pa of [HOST_TX, HOST_RX]) {
      expect(st.hostState(pa)).toBe(PageState.SharedOwned);
      expect(st.hypState(pa)).toBe(PageState.SharedBorrowed);
      expect(st.pinCount(pa)).toBe(1);
    }

    // b6: FEATURES(MEM_LEND_64) answered at EL2: SUCCESS, w2 = 0, no SMC.
    n = w.el3.calls.length;
    x = w.smc(A.FFA_FEATURES, A.FFA_MEM_LEND_64);
    expect(x).toEqual([FFA_SUCCESS, ...z(17)]);
    expect(w.el3.calls.length).toBe(n);

    // b7: FEATURES(DIRECT_REQ2), FEATURES(DIRECT_RESP2): NOT_SUPPORTED at EL2, sign-extended.
    for (const f of [A.FFA_MSG_SEND_DIRECT_REQ2, A.FFA_MSG_SEND_DIRECT_RESP2]) {
      x = w.smc(A.FFA_FEATURES, f);
      expect(x).toEqual([FFA_ERROR, 0n, M64, ...z(15)]);
    }
    // b8: FEATURES(NOTIFICATION_BITMAP_CREATE): NOT_SUPPORTED.
    expect(w.smc(A.FFA_FEATURES, A.FFA_NOTIFICATION_BITMAP_CREATE).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64]);
    expect(w.el3.calls.length).toBe(n);

    // b9: FEATURES(2) and (1) (SRI, NPI): feature IDs, passed through; the fake SPMC says NOT_SUPPORTED.
    for (const f of [2, 1]) {
      x = w.smc(A.FFA_FEATURES, f);
      expect([x[0], x[2]]).toEqual([FFA_ERROR, U(A.FFA_RET_NOT_SUPPORTED)]);   // the SPMC's zero-extended w2
    }
    expect(w.el3.calls.length).toBe(n + 2);

    // b10: FEATURES(PARTITION_INFO_GET_REGS): NOT_SUPPORTED at EL2.
    expect(w.smc(A.FFA_FEATURES, A.FFA_PARTITION_INFO_GET_REGS).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64]);

    // b11: PARTITION_INFO_GET count only: EL3's registers as they are, nothing copied.
    w.m.bus.ram(HOST_RX, 24)!.fill(0xee);
    n = w.el3.calls.length;
    x = w.smc(A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 1);
    expect([x[0], x[2], x[3]]).toEqual([FFA_SUCCESS, 1n, 0n]);
    expect(w.el3.calls.slice(n).map((c) => c.x.slice(0, 6))).toEqual([[U(A.FFA_PARTITION_INFO_GET), 0n, 0n, 0n, 0n, 1n]]);
    expect([...w.m.bus.ram(HOST_RX, 4)!]).toEqual([0xee, 0xee, 0xee, 0xee]);

    // b12: PARTITION_INFO_GET: 24 bytes from the hyp RX into the host RX.
    x = w.smc(A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
    expect([x[0], x[2], x[3]]).toEqual([FFA_SUCCESS, 1n, 24n]);
    const infos = decodePartitionInfo(w.m.bus.ram(HOST_RX, 24)!, 0, 24, A.FFA_VERSION_1_2);
    expect(infos[0]!.id).toBe(PART_ID);
    expect([...infos[0]!.uuid!]).toEqual([...parseUuid(PART_UUID)]);
    expect(w.m.bus.ram(HOST_RX + 24, 1)![0]).toBe(0);          // exactly 24 bytes copied (the rest was 0)

    // b13: RX_RELEASE passed through (releases the hyp RX at the SPMC).
    expect(w.el3.rxFull).toBe(true);
    expect(w.smc(A.FFA_RX_RELEASE)[0]).toBe(FFA_SUCCESS);
    expect(w.el3.rxFull).toBe(false);

    // b14: DIRECT_REQ_64 forwarded with x0-x17 unchanged; the echo comes back.
    n = w.el3.calls.length;
    const args = [A.FFA_MSG_SEND_DIRECT_REQ_64, PART_ID, 0, 0xd0n, 0xd1n, 0xd2n, 0xd3n, 0x1234_5678_9abc_def0n, 0x88n, 0x99n];
    x = w.smc(...args);
    expect(x.slice(0, 8)).toEqual([U(A.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001_0000n, 0n, 0xd0n, 0xd1n, 0xd2n, 0xd3n, 0x1234_5678_9abc_def0n]);
    expect(w.el3.calls[n]!.x.slice(0, 10)).toEqual(args.map((a) => (typeof a === 'bigint' ? a : BigInt(a >>> 0))));

    // b15: a second VERSION with a lower minor: NOT_SUPPORTED in x0, no SMC.
    n = w.el3.calls.length;
    x = w.smc(A.FFA_VERSION, A.FFA_VERSION_1_1);
    expect(x).toEqual([M64, ...z(17)]);
    // b16: a second VERSION(1.2): 1.2, no SMC.
    x = w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2);
    expect(x).toEqual([0x10002n, ...z(17)]);
    expect(w.el3.calls.length).toBe(n);

    // Afterwards (ref §7(b)): negotiated; host TX/RX pinned; the SPMC's endpoint-0 mailbox is the hyp's.
    const b = w.pkvm.beliefs();
    expect(b).toMatchObject({ negotiated: true, hostBuffers: { tx: HOST_TX, rx: HOST_RX, pages: 1 }, hypMailboxRegistered: true });
    expect(b.protectedPages).toEqual([HOST_TX, HOST_RX]);
    expect(b).toMatchObject({ hypMailbox: { tx: lay.hypTx, rx: lay.hypRx }, trapsHostSmc: true, directReqBeforeVersion: 'reject' });
    expect(w.pkvm.pageState(HOST_RX)).toEqual({ host: 'SHARED_OWNED', hyp: 'SHARED_BORROWED', pins: 1 });
    expect(w.pkvm.pageState(lay.hypRx)).toEqual({ host: 'NOPAGE', hyp: 'OWNED', pins: 0 });
    expect(w.el3.mailbox).toEqual({ tx: lay.hypTx, rx: lay.hypRx });
    expect(w.pkvm.checkInvariants()).toEqual([]);
    // Invariant: the SPMC never saw the host's TX or RX PA in any register of any call.
    for (const c of w.el3.calls) for (const r of c.x) expect([BigInt(HOST_TX), BigInt(HOST_RX)]).not.toContain(r);
  });
});

describe.each(BACKENDS)('the gate (ref §4 step 2) (%s)', (kind: Backend) => {
  const ids = [A.FFA_MSG_SEND_DIRECT_REQ_64, A.FFA_MSG_SEND_DIRECT_REQ, A.FFA_RX_RELEASE, A.FFA_ID_GET, A.FFA_FEATURES,
    A.FFA_RUN, A.FFA_SUCCESS, A.FFA_ERROR, A.FFA_RXTX_MAP_64, A.FFA_MEM_SHARE_64, A.FFA_MEM_RECLAIM, A.FFA_RXTX_UNMAP,
    A.FFA_NOTIFICATION_INFO_GET_64, A.FFA_MSG_SEND_DIRECT_REQ2, 0x840000ff];
  it.each(ids.map((id) => [A.ffaFunctionName(id) ?? id.toString(16), id]))('%s before negotiation: FFA_ERROR(-2), x2 sign-extended, x3-x17 = 0, ELR += 4', (_n, id) => {
    const w = readyOn(kind);
    const n = w.el3.calls.length;
    const junk = Array.from({ length: 17 }, (_v, i) => 0x1111_0000_0000_0000n + BigInt(i));
    const x = w.smc(id as number, ...junk);
    expect(x).toEqual([FFA_ERROR, 0n, M64 - 1n, ...z(15)]);
    expect(w.el3.calls.length).toBe(n);
    expect(w.m.pc).toBe(w.host.siteAddress(HostSite.Smc) + 4n);
    expect(w.pkvm.beliefs().negotiated).toBe(false);
  });

  it('also gates an FF-A ID carrying the SMCCC hint bit; FFA_VERSION with the hint passes', () => {
    const w = readyOn(kind);
    expect(w.smc(A.FFA_ID_GET | 0x10000).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    expect(w.smc(A.FFA_VERSION | 0x10000, A.FFA_VERSION_1_2)[0]).toBe(0x10002n);
  });

  it('does not gate non-FF-A calls: SMCCC_VERSION is forwarded with x0-x17 unchanged', () => {
    const w = readyOn(kind);
    const n = w.el3.calls.length;
    const x = w.smc(A.SMCCC_VERSION, 7, 8);
    expect(x[0]).toBe(0x10002n);
    expect(w.el3.calls[n]!.x.slice(0, 3)).toEqual([U(A.SMCCC_VERSION), 7n, 8n]);
  });
});

describe.each(BACKENDS)('scenario (c): DIRECT_REQ before the host negotiated (%s)', (kind: Backend) => {
  it("policy 'reject' (upstream): -2, the SPMC is not called, a later VERSION still negotiates", () => {
    const w = readyOn(kind, { directReqBeforeVersion: 'reject' });
    const n = w.el3.calls.length;
    for (const id of [A.FFA_MSG_SEND_DIRECT_REQ_64, A.FFA_MSG_SEND_DIRECT_REQ]) {
      const x = w.smc(id, PART_ID, 0, 0x1234);
      expect(x).toEqual([FFA_ERROR, 0n, M64 - 1n, ...z(15)]);
    }
    expect(w.el3.calls.length).toBe(n);
    expect(w.el3.ep0Closed).toBe(false);
    expect(negotiate(w)[0]).toBe(0x10002n);
    expect(w.pkvm.beliefs().negotiated).toBe(true);
    const x = w.smc(A.FFA_MSG_SEND_DIRECT_REQ_64, PART_ID, 0, 0x1234);
    expect([x[0], x[1], x[3]]).toEqual([U(A.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001_0000n, 0x1234n]);
  });

  it("policy 'forward': DIRECT_REQ (32 and 64) reach the SPMC; DIRECT_REQ2 stays NOT_SUPPORTED; the rest is gated", () => {
    const w = readyOn(kind, { directReqBeforeVersion: 'forward' });
    let x = w.smc(A.FFA_MSG_SEND_DIRECT_REQ_64, PART_ID, 0, 0x1234);
    expect([x[0], x[1], x[3]]).toEqual([U(A.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001_0000n, 0x1234n]);
    x = w.smc(A.FFA_MSG_SEND_DIRECT_REQ, PART_ID, 0, 0x55);
    expect([x[0], x[1], x[3]]).toEqual([U(A.FFA_MSG_SEND_DIRECT_RESP), 0x8001_0000n, 0x55n]);
    // DIRECT_REQ2 passes the permissive gate too but meets the deny list: NOT_SUPPORTED, not forwarded.
    const n = w.el3.calls.length;
    expect(w.smc(A.FFA_MSG_SEND_DIRECT_REQ2, PART_ID)).toEqual([FFA_ERROR, 0n, M64, ...z(15)]);
    expect(w.el3.calls.length).toBe(n);
    // Everything else is still gated.
    expect(w.smc(A.FFA_ID_GET).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    // The SPMC's negotiation phase for endpoint 0 is now over (its first non-VERSION ABI).
    expect(w.el3.ep0Closed).toBe(true);
    expect(w.pkvm.beliefs().negotiated).toBe(false);
    // Consequence 1: VERSION(1.2) negotiates as usual (post_init ID_GET + FEATURES).
    expect(negotiate(w)[0]).toBe(0x10002n);
    expect(w.smc(A.FFA_MSG_SEND_DIRECT_REQ2, PART_ID).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64]);
  });

  it("policy 'forward', consequence 2: a downgrade to 1.1 is forwarded and refused by a conformant SPMC", () => {
    const w = readyOn(kind, { directReqBeforeVersion: 'forward' });
    w.smc(A.FFA_MSG_SEND_DIRECT_REQ_64, PART_ID, 0, 1);
    const n = w.el3.calls.length;
    const x = w.smc(A.FFA_VERSION, A.FFA_VERSION_1_1);
    // EL3's registers come back as they are: the fake sign-extends -1, the TF-A-like SPMD zero-extends
    // it (w0 = 0xFFFFFFFF); the newest pKVM recognises both ((s32)x0 == -1), the Linux driver too.
    expect(x[0] & 0xffffffffn).toBe(0xffffffffn);
    expect(w.el3.calls.slice(n).map((c) => [c.x[0], c.x[1]])).toEqual([[U(A.FFA_VERSION), U(A.FFA_VERSION_1_1)]]);
    expect(w.pkvm.beliefs()).toMatchObject({ negotiated: false, hypFfaVersion: 0x10002 });
  });

  it('a downgrade before anything else negotiates 1.1: the hyp asks EL3 first and takes the host version', () => {
    const w = readyOn(kind);
    const x = w.smc(A.FFA_VERSION, A.FFA_VERSION_1_1);
    expect(x[0]).toBe(U(A.FFA_VERSION_1_1));
    expect(w.pkvm.beliefs()).toMatchObject({ negotiated: true, hypFfaVersion: A.FFA_VERSION_1_1, hostVersion: A.FFA_VERSION_1_1 });
  });
});

describe.each(BACKENDS)('FFA_VERSION edge cases (ref §4.1) (%s)', (kind: Backend) => {
  it('major != 1: x0 = -1 and no negotiation; bit 31 is not checked (0x80010002 negotiates)', () => {
    const w = readyOn(kind);
    expect(w.smc(A.FFA_VERSION, 0x0002_0000)).toEqual([M64, ...z(17)]);
    expect(w.pkvm.beliefs().negotiated).toBe(false);
    expect(w.smc(A.FFA_VERSION, 0x8001_0002)[0]).toBe(0x10002n);
    expect(w.pkvm.beliefs().negotiated).toBe(true);
  });

  it('a higher minor gets the hyp version back', () => {
    const w = readyOn(kind);
    expect(w.smc(A.FFA_VERSION, 0x0001_0005)[0]).toBe(0x10002n);
  });

  it.skipIf(kind === 'world')('post_init failure (min RXTX size 64 KiB) answers NOT_SUPPORTED and leaves the host free to retry', () => {
    const w = readyWorld({}, (el3) => { el3.rxtxMinSize = 1; });
    expect(negotiate(w)[0]).toBe(M64);
    expect(w.pkvm.beliefs().negotiated).toBe(false);
    w.el3.rxtxMinSize = 0;
    expect(negotiate(w)[0]).toBe(0x10002n);
  });
});

describe.each(BACKENDS)('handle_host_smc checks (ref §2, newest snapshot) (%s)', (kind: Backend) => {
  it('SMC with imm16 != 0: x0 = SMCCC_RET_NOT_SUPPORTED, nothing forwarded, ELR += 4', () => {
    const w = readyOn(kind);
    const n = w.el3.calls.length;
    const r = w.invoke([A.SMCCC_VERSION, 5], 'smc', 1);
    expect(r.x[0]).toBe(M64);
    expect(r.x[1]).toBe(5n);
    expect(w.el3.calls.length).toBe(n);
    expect(w.m.cpu.get64(L.ELR_EL + 4)).toBe(w.host.siteAddress(HostSite.Smc) + 4n);
  });

  it('non-zero x0[63:32]: NOT_SUPPORTED, even for an FF-A ID', () => {
    const w = readyOn(kind);
    const n = w.el3.calls.length;
    expect(w.smc((1n << 32n) | BigInt(A.FFA_VERSION), A.FFA_VERSION_1_2)[0]).toBe(M64);
    expect(w.el3.calls.length).toBe(n);
  });

  it.skipIf(kind === 'world')("snapshot 'mainline': no imm16/upper-bit checks; a wide x0 is forwarded as it is", () => {
    const w = readyWorld({ snapshot: 'mainline' });
    const n = w.el3.calls.length;
    const r = w.invoke([A.SMCCC_VERSION], 'smc', 1);
    expect(r.x[0]).toBe(0x10002n);
    w.smc((1n << 32n) | BigInt(A.SMCCC_VERSION));
    expect(w.el3.calls.slice(n).map((c) => c.x[0])).toEqual([U(A.SMCCC_VERSION), (1n << 32n) | U(A.SMCCC_VERSION)]);
  });

  it('PSCI is relayed first: x0 = result, x1-x3 = 0, x4-x17 preserved', () => {
    const w = readyOn(kind);
    const x = w.smc(A.PSCI_VERSION, 1, 2, 3, 4, 5);
    expect(x.slice(0, 6)).toEqual([0x10001n, 0n, 0n, 0n, 4n, 5n]);
    // 32-bit CPU_ON is not in the relay's table: NOT_SUPPORTED without an SMC.
    const n = w.el3.calls.length;
    expect(w.smc(A.PSCI_CPU_ON, 0, 0, 0)[0]).toBe(M64);
    // CPU_ON_64 for an MPIDR that is not this PE: INVALID_PARAMETERS (-2) without an SMC.
    expect(w.smc(A.PSCI_CPU_ON_64, 0x100, 0x4000_0000, 0)[0]).toBe(M64 - 1n);
    expect(w.el3.calls.length).toBe(n);
  });
});

describe.each(BACKENDS)('deny list (ffa_call_supported, newest snapshot) (%s)', (kind: Backend) => {
  const denied = [A.FFA_MEM_RETRIEVE_REQ_64, A.FFA_MEM_RETRIEVE_REQ, A.FFA_MEM_RETRIEVE_RESP, A.FFA_MEM_RELINQUISH,
    A.FFA_MEM_OP_PAUSE, A.FFA_MEM_OP_RESUME, A.FFA_MEM_FRAG_RX, A.FFA_MEM_DONATE, A.FFA_MEM_DONATE_64, A.FFA_MSG_SEND,
    A.FFA_MSG_POLL, A.FFA_MSG_WAIT, A.FFA_MSG_SEND_DIRECT_RESP, A.FFA_MSG_SEND_DIRECT_RESP_64, A.FFA_RXTX_MAP,
    A.FFA_NOTIFICATION_BITMAP_CREATE, A.FFA_NOTIFICATION_BITMAP_DESTROY, A.FFA_NOTIFICATION_BIND,
    A.FFA_NOTIFICATION_UNBIND, A.FFA_NOTIFICATION_SET, A.FFA_NOTIFICATION_GET, A.FFA_NOTIFICATION_INFO_GET,
    A.FFA_MSG_SEND_DIRECT_REQ2, A.FFA_MSG_SEND_DIRECT_RESP2, A.FFA_CONSOLE_LOG, A.FFA_PARTITION_INFO_GET_REGS];
  it('answers NOT_SUPPORTED (x2 = -1 sign-extended) for each, as a call and in FFA_FEATURES, without an SMC', () => {
    const w = readyOn(kind);
    negotiate(w);
    const n = w.el3.calls.length;
    for (const id of denied) {
      expect(w.smc(id, 1, 2, 3), A.ffaFunctionName(id)).toEqual([FFA_ERROR, 0n, M64, ...z(15)]);
      expect(w.smc(A.FFA_FEATURES, id), A.ffaFunctionName(id)).toEqual([FFA_ERROR, 0n, M64, ...z(15)]);
    }
    expect(w.el3.calls.length).toBe(n);
  });

  it('passes through what is not listed: NOTIFICATION_INFO_GET_64, SPM_ID_GET, RUN, unallocated 0x8400008F', () => {
    const w = readyOn(kind);
    negotiate(w);
    for (const id of [A.FFA_NOTIFICATION_INFO_GET_64, A.FFA_SPM_ID_GET, A.FFA_RUN, 0x8400008f, 0x84ab0063]) {
      const n = w.el3.calls.length;
      w.smc(id, 9);
      expect(w.el3.calls.slice(n).map((c) => [c.x[0], c.x[1]])).toEqual([[U(id), 9n]]);
    }
  });

  it.skipIf(kind === 'world')("snapshot 'mainline' lets DIRECT_RESP_64 through", () => {
    const w = readyWorld({ snapshot: 'mainline' });
    negotiate(w);
    const n = w.el3.calls.length;
    w.smc(A.FFA_MSG_SEND_DIRECT_RESP_64, 0x1);
    expect(w.el3.calls.length).toBe(n + 1);
  });
});

describe.each(BACKENDS)('FFA_RXTX_MAP / UNMAP (ref §4.3, §4.4) (%s)', (kind: Backend) => {
  it('rejects page counts other than 1 and unaligned buffers with -2; the 32-bit MAP is NOT_SUPPORTED', () => {
    const w = readyOn(kind);
    negotiate(w);
    const n = w.el3.calls.length;
    expect(w.smc(A.FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 2).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    expect(w.smc(A.FFA_RXTX_MAP_64, HOST_TX + 8, HOST_RX, 1).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    expect(w.smc(A.FFA_RXTX_MAP, HOST_TX, HOST_RX, 1).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64]);
    expect(w.el3.calls.length).toBe(n);
  });

  it('a second map is DENIED (-6) without an SMC', () => {
    const w = readyOn(kind);
    negotiate(w);
    mapBuffers(w);
    const n = w.el3.calls.length;
    expect(w.smc(A.FFA_RXTX_MAP_64, 0x4000_3000, 0x4000_4000, 1).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_DENIED)]);
    expect(w.el3.calls.length).toBe(n);
  });

  it('a host page the host does not own (the hyp TX) is refused with -2 and the hyp mailbox unmapped again', () => {
    const w = readyOn(kind);
    negotiate(w);
    const lay = w.pkvm.layout()!;
    const n = w.el3.calls.length;
    expect(w.smc(A.FFA_RXTX_MAP_64, lay.hypTx, HOST_RX, 1).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    expect(w.el3.calls.slice(n).map((c) => c.x[0])).toEqual([U(A.FFA_RXTX_MAP_64), U(A.FFA_RXTX_UNMAP)]);
    expect(w.el3.mailbox).toBeNull();
    expect(w.pkvm.beliefs()).toMatchObject({ hostBuffers: null, hypMailboxRegistered: false });
    // TX == RX: the RX share fails, TX is unshared again.
    expect(w.smc(A.FFA_RXTX_MAP_64, HOST_TX, HOST_TX, 1).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    expect(w.pkvm.stage2!.hostState(HOST_TX)).toBe(PageState.Owned);
    // Outside DRAM.
    expect(w.smc(A.FFA_RXTX_MAP_64, 0x1000_0000, HOST_RX, 1).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it.skipIf(kind === 'world')('an SPMC refusal of the hyp mailbox comes back as its own status, sign-extended', () => {
    const w = readyWorld({}, (el3) => { el3.mailbox = { tx: 0x4080_0000, rx: 0x4080_1000 }; });
    negotiate(w);
    expect(mapBuffers(w).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_DENIED)]);
    expect(w.pkvm.stage2!.hostState(HOST_TX)).toBe(PageState.Owned);
  });

  it('UNMAP: w1 must be 0 and buffers must exist; afterwards pages are OWNED again and the SPMC mailbox is gone', () => {
    const w = readyOn(kind);
    negotiate(w);
    expect(w.smc(A.FFA_RXTX_UNMAP, 0).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    mapBuffers(w);
    expect(w.smc(A.FFA_RXTX_UNMAP, 1 << 16).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    expect(w.smc(A.FFA_RXTX_UNMAP, 0)).toEqual([FFA_SUCCESS, ...z(17)]);
    for (const pa of [HOST_TX, HOST_RX]) {
      expect(w.pkvm.stage2!.hostState(pa)).toBe(PageState.Owned);
      expect(w.pkvm.stage2!.hypState(pa)).toBe(PageState.NoPage);
      expect(w.pkvm.stage2!.pinCount(pa)).toBe(0);
    }
    expect(w.el3.mailbox).toBeNull();
    expect(w.pkvm.beliefs()).toMatchObject({ hostBuffers: null, hypMailboxRegistered: false, protectedPages: [] });
    expect(mapBuffers(w)[0]).toBe(FFA_SUCCESS);       // and can be mapped again
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });
});

describe.each(BACKENDS)('FFA_PARTITION_INFO_GET (ref §4.5) (%s)', (kind: Backend) => {
  it('BUSY (-4) without a host RX buffer, no SMC', () => {
    const w = readyOn(kind);
    negotiate(w);
    const n = w.el3.calls.length;
    expect(w.smc(A.FFA_PARTITION_INFO_GET).slice(0, 3)).toEqual([FFA_ERROR, 0n, ERR(A.FFA_RET_BUSY)]);
    expect(w.el3.calls.length).toBe(n);
  });

  it("an SPMC error comes back as EL3's registers (zero-extended w2 here)", () => {
    const w = readyOn(kind);
    negotiate(w);
    mapBuffers(w);
    w.smc(A.FFA_PARTITION_INFO_GET);                   // leaves the hyp RX full at the SPMC
    const x = w.smc(A.FFA_PARTITION_INFO_GET);
    expect([x[0], x[2]]).toEqual([FFA_ERROR, U(A.FFA_RET_BUSY)]);
  });
});

describe.each(BACKENDS)('boot orders (ref §7(a), (a′)) (%s)', (kind: Backend) => {
  it("(a) the host driver runs before __pkvm_init: it reaches EL3 directly, then every call is gated; the hyp's beliefs disagree with the SPMC's", () => {
    const w = build(kind);
    // a1-a3 with TSC = 0: straight to EL3.
    expect(w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2)[0]).toBe(0x10002n);
    expect(w.smc(A.FFA_ID_GET)[0]).toBe(FFA_SUCCESS);
    expect(w.smc(A.FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1)[0]).toBe(FFA_SUCCESS);
    expect(w.el3.calls.every((c) => c.fromEl === 1)).toBe(true);
    expect(w.el3.mailbox).toEqual({ tx: HOST_TX, rx: HOST_RX });     // the SPMC maps the host's pages
    // a6: hyp_ffa_init; the (fake, spec-conformant) SPMC accepts the same version again.
    expect(w.init()).toEqual([0n, 0n]);
    w.finalize();                                                    // a7
    // a8: everything but VERSION is gated.
    const n = w.el3.calls.length;
    expect(w.smc(A.FFA_MSG_SEND_DIRECT_REQ_64, PART_ID, 0, 1)).toEqual([FFA_ERROR, 0n, M64 - 1n, ...z(15)]);
    expect(w.smc(A.FFA_RX_RELEASE).slice(0, 3)).toEqual([FFA_ERROR, 0n, M64 - 1n]);
    expect(w.el3.calls.length).toBe(n);
    const b = w.pkvm.beliefs();
    expect(b).toMatchObject({ hypFfaVersion: 0x10002, negotiated: false, hostBuffers: null, hypMailboxRegistered: false });
    // pKVM believes the SPMC's mailbox pages are plain host-owned memory.
    expect(w.pkvm.pageState(HOST_TX)).toEqual({ host: 'OWNED', hyp: 'NOPAGE', pins: 0 });
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it("(a′) the driver after kvm_arm_init but before finalize_pkvm: the (b) results, and the pages stay pinned after finalisation", () => {
    const w = readyOn(kind, {}, false);
    expect(negotiate(w)[0]).toBe(0x10002n);
    expect(mapBuffers(w)[0]).toBe(FFA_SUCCESS);
    expect(w.smc(A.FFA_PARTITION_INFO_GET).slice(2, 4)).toEqual([1n, 24n]);
    expect(w.finalize()).toEqual([0n, 0n]);
    expect(w.pkvm.pageState(HOST_TX)).toEqual({ host: 'SHARED_OWNED', hyp: 'SHARED_BORROWED', pins: 1 });
    const x = w.smc(A.FFA_MSG_SEND_DIRECT_REQ_64, PART_ID, 0, 7);
    expect([x[0], x[3]]).toEqual([U(A.FFA_MSG_SEND_DIRECT_RESP_64), 7n]);
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });
});
