/**
 * FF-A call-sequence fuzzer (fast-check): random worlds (pKVM or no hypervisor; SPMC at S-EL1 or
 * EL3; spec/Hafnium/TF-A policy; FF-A 1.1/1.2; booted ready or from reset), each driven by a random
 * sequence of host actions: any FF-A function ID from the table with random and hostile arguments,
 * RX/TX maps on every interesting address, memory sends built with src/ffa/descriptors.ts (valid,
 * then optionally corrupted), fragments, reclaims, partition discovery, direct requests that make
 * two steerable partitions (test/robust/agent.ts) retrieve, relinquish and send memory, pKVM
 * hypercalls, and host loads/stores on the same addresses.
 *
 * After every action (test/robust/harness.ts):
 *  - the call came back to the host (or raised an exception at the host's EL1): no hang, no host JS
 *    exception, no hyp_panic;
 *  - every invariant holds (components' checkInvariants, legal pKVM transitions, no host PA as the
 *    NS mailbox at the SPMC under pKVM, NWd-sent pages SHARED_OWNED at pKVM, hyp pages unreachable);
 *  - a refused call (w0 = FFA_ERROR) changed nothing (a refused FFA_MEM_FRAG_TX may drop its
 *    transaction);
 *  - a host load from a page the host does not own returned no data, a store wrote nothing.
 *
 * Used by test/robust/ffa-fuzz.test.ts (CI share) and tools/fuzz/ffa.ts (`npm run fuzz:ffa`).
 */
import fc from 'fast-check';
import * as A from '../../src/ffa/abi.js';
import { StopReason } from '../../src/machine/machine.js';
import { createWorld, type World } from '../../src/machine/world.js';
import { encodeMemTransaction } from '../../src/ffa/descriptors.js';
import { Region } from '../../src/memory/bus.js';
import {
  LDR_X0_X1, STR_X0_X1, diffSnapshots, fidOf, hostCall, hostExec, invariants, lentButHostAccessible,
  preInitMailbox, preInitShares, snapshot, warningsSince,
} from '../../test/robust/harness.js';
import { AGENT_PROPERTIES, Agent, OP_CALL, OP_MAP, OP_RELINQUISH, OP_RETRIEVE, OP_RX_RELEASE, OP_SEND } from '../../test/robust/agent.js';

// ---------------------------------------------------------------------------------------------
// Worlds
// ---------------------------------------------------------------------------------------------

export interface WorldConfig {
  el2: 'pkvm' | 'none';
  spmc: 's-el1' | 'el3';
  policy: 'spec' | 'hafnium' | 'tf-a';
  spmcVersion: number;
  boot: 'pkvm-ready' | 'reset';
}

/** 4 MiB of DRAM: pKVM's page audits stay cheap; the host pages below are inside it. */
const DRAM_SIZE = 4 << 20;
const DRAM_BASE = 0x4000_0000, DRAM_END = DRAM_BASE + DRAM_SIZE;
const UUID_A = 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb';
const UUID_B = '6b6b1f3a-0c4e-4d2a-9e3b-5a7c8d9e0f10';
const AGENT_BUFS = [[0x0ef0_0000, 0x0ef0_1000], [0x0ef0_2000, 0x0ef0_3000]] as const;

interface Live {
  w: World;
  cfg: WorldConfig;
  /** Handles seen in results (FFA_SUCCESS w2/w3 of a send, FFA_MEM_FRAG_RX w1/w2). */
  handles: bigint[];
  /** Addresses the actions pick from (index modulo length). */
  addrs: bigint[];
  fromBeforeInit: boolean;
  /** Pages the host sent before __pkvm_init (page frame -> handle). */
  sharedBeforeInit: Map<number, bigint>;
}

export function build(cfg: WorldConfig): Live {
  const agents = AGENT_BUFS.map(([tx, rx]) => new Agent(tx, rx));
  const w = createWorld({
    el2: cfg.el2, spmc: cfg.spmc, spmcVersion: cfg.spmcVersion, boot: cfg.boot,
    policy: { spmc: cfg.policy },
    machineConfig: { dramSize: DRAM_SIZE },
    partitions: [
      { id: 0x8001, uuid: UUID_A, properties: AGENT_PROPERTIES, impl: { kind: 'native', behaviour: agents[0]! } },
      { id: 0x8002, uuid: UUID_B, properties: AGENT_PROPERTIES, impl: { kind: 'native', behaviour: agents[1]! } },
    ],
  });
  for (const a of agents) { a.bus = w.machine.bus; a.version = cfg.spmcVersion; }
  w.boot();
  const carve = DRAM_END - 20 * 4096;
  const addrs = [
    0x4001_0000, 0x4001_1000, 0x4001_2000, 0x4001_3000,                      // host TX/RX, spare pair
    0x4010_0000, 0x4010_1000, 0x4010_2000, 0x4010_3000, 0x4010_4000, 0x4010_0800,
    carve, carve + 0x1000, carve + 0x2000, carve + 0x3000, DRAM_END - 0x1000, // pKVM carve-out (pgt, TX, RX, desc, last)
    DRAM_END, DRAM_BASE - 0x1000, 0x0e00_0000, 0x0ef0_0000, 0x0ef0_2000, 0x0ef1_0000, 0x0900_0000, 0,
    0x8000_0000, 0xffff_f000,
  ].map((a) => BigInt(a));
  addrs.push(0x1_0000_0000n, 0xffff_ffff_ffff_f000n);
  return { w, cfg, handles: [], addrs, fromBeforeInit: false, sharedBeforeInit: new Map() };
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

/** A value: a literal, an address from the pool, a known handle's half, or an endpoint pair. */
type Val =
  | { k: 'lit'; v: bigint }
  | { k: 'addr'; i: number }
  | { k: 'hlo'; i: number }
  | { k: 'hhi'; i: number };

export type Action =
  | { t: 'call'; conduit: 'smc' | 'hvc'; fid: number; args: Val[] }
  | { t: 'version'; v: number }
  | { t: 'map'; tx: number; rx: number; pages: number }
  | { t: 'send'; kind: 'share' | 'lend' | 'donate'; smc64: boolean; layout: number; sender: number; receivers: number[];
      perm: number; attrs: number; flags: number; cons: { a: number; off: number; pages: number }[];
      frag: 'whole' | 'split' | 'short' | 'long'; corrupt: null | { at: number; v: number }; x3: boolean }
  | { t: 'frag'; h: number; cons: { a: number; pages: number }[]; len: 'right' | 'odd' | 'big'; w4: number }
  | { t: 'reclaim'; h: number; flags: number; forged: boolean }
  | { t: 'simple'; fid: number; w1: number }
  | { t: 'pig'; uuid: 'nil' | 'a' | 'odd'; flags: number }
  | { t: 'agent'; sp: number; op: number; h: number; owner: number; perm: number; a: number; pages: number; fid: number }
  | { t: 'direct'; w1: number; fid: number }
  | { t: 'touch'; store: boolean; a: number; off: number }
  | { t: 'hyp'; which: 'init' | 'finalize' | 'other'; x0: number }
  /** A well-formed lifecycle (so deep states are reached): map buffers, send a host page to a partition, it retrieves, relinquishes, the host reclaims; each step checked as an action of its own. */
  | { t: 'flow'; kind: 'share' | 'lend'; sp: number; page: number; pages: number; retrieve: boolean; relinquish: boolean; reclaim: boolean; touch: boolean };

const FFA_IDS: number[] = [];
for (const f of A.FFA_FUNCTIONS) { if (f.smc32 !== undefined) FFA_IDS.push(f.smc32); if (f.smc64 !== undefined) FFA_IDS.push(f.smc64); }
const EXTRA_IDS = [0x84000091, 0x840000ff, 0xc40000fe, 0x8401_0063, 0x8400_0063 | A.SMCCC_SVE_HINT, 0xc400_006f | A.SMCCC_SVE_HINT,
  A.SMCCC_VERSION, A.SMCCC_ARCH_FEATURES, 0x8200_0000, 0xc600_0001, 0x8400_0000];

const lit = (v: bigint | number): Val => ({ k: 'lit', v: BigInt.asUintN(64, BigInt(v)) });
const valArb: fc.Arbitrary<Val> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0n, 1n, 2n, 16n, 0x1000n, 0xffffn, 0x8001n, 0x8002n, 0x8000n, 0x80010000n, 0x80028001n,
    0x10002n, 0xffff_ffffn, 0xffff_fffen, 0x8000_0000n, 1n << 63n, (1n << 64n) - 1n).map(lit) },
  { weight: 3, arbitrary: fc.nat(40).map((i): Val => ({ k: 'addr', i })) },
  { weight: 1, arbitrary: fc.nat(8).map((i): Val => ({ k: 'hlo', i })) },
  { weight: 1, arbitrary: fc.nat(8).map((i): Val => ({ k: 'hhi', i })) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(lit) },
  { weight: 1, arbitrary: fc.nat().map(lit) },
);

const pageCount = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 0x10, 0x400, 0x80000, 0xffff_ffff) });
const endpoint = fc.constantFrom(0x8001, 0x8002, 0, 5, 0x8000, 0x8005, 0xffff);
const versions = fc.constantFrom(A.FFA_VERSION_1_0, A.FFA_VERSION_1_1, A.FFA_VERSION_1_2, A.FFA_VERSION_1_3, 0x20000, 0x80010002, 0);

export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('call' as const), conduit: fc.constantFrom('smc' as const, 'smc' as const, 'smc' as const, 'hvc' as const),
    fid: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...FFA_IDS) }, { weight: 1, arbitrary: fc.constantFrom(...EXTRA_IDS) },
      { weight: 1, arbitrary: fc.integer({ min: 0x60, max: 0xff }).map((n) => (0x84000000 | n) >>> 0) }),
    args: fc.array(valArb, { maxLength: 17 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('version' as const), v: versions }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('map' as const), tx: fc.nat(40), rx: fc.nat(40),
    pages: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(0, 2, 16, 17, 0x40, 0xffff_ffff) }) }) },
  { weight: 8, arbitrary: fc.record({
    t: fc.constant('send' as const), kind: fc.constantFrom('share' as const, 'share' as const, 'lend' as const, 'donate' as const), smc64: fc.boolean(),
    layout: fc.constantFrom(A.FFA_VERSION_1_2, A.FFA_VERSION_1_2, A.FFA_VERSION_1_1, A.FFA_VERSION_1_0),
    sender: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: endpoint }),
    receivers: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0x8001, 0x8002).map((r) => [r]) }, { weight: 1, arbitrary: fc.array(endpoint, { minLength: 1, maxLength: 3 }) }),
    perm: fc.oneof({ weight: 6, arbitrary: fc.constant(0x02) }, { weight: 1, arbitrary: fc.nat(0xff) }),
    attrs: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0x2f, 0) }, { weight: 1, arbitrary: fc.nat(0xff) }),
    flags: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, 2, 4, 0x18) }),
    cons: fc.array(fc.record({ a: fc.nat(40), off: fc.constantFrom(0, 0, 0, 0x1000, 0x800), pages: pageCount }), { minLength: 1, maxLength: 3 }),
    frag: fc.constantFrom('whole' as const, 'whole' as const, 'whole' as const, 'split' as const, 'short' as const, 'long' as const),
    corrupt: fc.option(fc.record({ at: fc.nat(160), v: fc.constantFrom(0, 1, 2, 16, 32, 48, 0x1000, 0xfff0, 0xffff_fff0, 0xffff_ffff, 0x8001) }), { freq: 4 }),
    x3: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('frag' as const), h: fc.nat(8),
    cons: fc.array(fc.record({ a: fc.nat(40), pages: pageCount }), { minLength: 1, maxLength: 2 }),
    len: fc.constantFrom('right' as const, 'right' as const, 'odd' as const, 'big' as const), w4: fc.constantFrom(0, 0, 0x80010000, 0x10000) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('reclaim' as const), h: fc.nat(8), flags: fc.constantFrom(0, 0, 0, 1, 2, 4), forged: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('simple' as const),
    fid: fc.constantFrom(A.FFA_RX_RELEASE, A.FFA_RXTX_UNMAP, A.FFA_ID_GET, A.FFA_SPM_ID_GET, A.FFA_RX_ACQUIRE, A.FFA_FEATURES),
    w1: fc.constantFrom(0, 0, 5, 0x80010000, 0x8001, A.FFA_RXTX_MAP_64, A.FFA_MEM_SHARE_64) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('pig' as const), uuid: fc.constantFrom('nil' as const, 'a' as const, 'odd' as const), flags: fc.constantFrom(0, 0, 1, 2) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('agent' as const), sp: fc.constantFrom(0x8001, 0x8002),
    op: fc.constantFrom(OP_MAP, OP_RETRIEVE, OP_RETRIEVE, OP_RELINQUISH, OP_RX_RELEASE, OP_SEND, OP_CALL), h: fc.nat(8),
    owner: fc.constantFrom(0, 0, 0x8001, 0x8002), perm: fc.constantFrom(0x02, 0x06, 0x01, 0x0a, 0x00),
    a: fc.nat(40), pages: pageCount, fid: fc.constantFrom(...FFA_IDS) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('direct' as const),
    w1: fc.constantFrom(0x8001, 0x8002, 0x80028001, 0x80018001, 0x8005, 0x8000, 0, 1, 0x58001, 0xffff),
    fid: fc.constantFrom(A.FFA_MSG_SEND_DIRECT_REQ, A.FFA_MSG_SEND_DIRECT_REQ_64, A.FFA_MSG_SEND_DIRECT_REQ2, A.FFA_MSG_SEND_DIRECT_RESP_64) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('touch' as const), store: fc.boolean(), a: fc.nat(40), off: fc.constantFrom(0, 8, 0xff8) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('flow' as const), kind: fc.constantFrom('share' as const, 'lend' as const),
    sp: fc.constantFrom(0x8001, 0x8002), page: fc.nat(6), pages: fc.integer({ min: 1, max: 3 }),
    retrieve: fc.boolean(), relinquish: fc.boolean(), reclaim: fc.boolean(), touch: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hyp' as const), which: fc.constantFrom('init' as const, 'finalize' as const, 'other' as const),
    x0: fc.constantFrom(0xc6000000, 0xc6000002, 0xc6000006, 0xc6000008, 0x8400_0000, 0, 0xbad) }) },
);

export const configArb: fc.Arbitrary<WorldConfig> = fc.record({
  el2: fc.constantFrom('pkvm' as const, 'pkvm' as const, 'none' as const),
  spmc: fc.constantFrom('s-el1' as const, 's-el1' as const, 'el3' as const),
  policy: fc.constantFrom('spec' as const, 'hafnium' as const, 'tf-a' as const),
  spmcVersion: fc.constantFrom(A.FFA_VERSION_1_2, A.FFA_VERSION_1_2, A.FFA_VERSION_1_1),
  boot: fc.constantFrom('pkvm-ready' as const, 'pkvm-ready' as const, 'pkvm-ready' as const, 'reset' as const),
});

// ---------------------------------------------------------------------------------------------
// Running one action
// ---------------------------------------------------------------------------------------------

const M32 = 0xffff_ffffn;
const TX = 0x4001_0000;

function addr(l: Live, i: number): bigint { return l.addrs[i % l.addrs.length]!; }
function handle(l: Live, i: number): bigint { return l.handles.length === 0 ? 0xffff_ffc0n + BigInt(i) : l.handles[i % l.handles.length]!; }
function val(l: Live, v: Val): bigint {
  switch (v.k) {
    case 'lit': return v.v;
    case 'addr': return addr(l, v.i);
    case 'hlo': return handle(l, v.i) & M32;
    case 'hhi': return handle(l, v.i) >> 32n;
  }
}

/** Bytes into the host's TX page as the host writes them (bus, stage 2 applied); false if it faulted. */
function writeTx(l: Live, bytes: Uint8Array): void {
  const bus = l.w.machine.bus;
  for (let i = 0; i < bytes.length && i < 4096; i++) bus.write(TX + i, 0, 1, bytes[i]!, false);
}

interface Step { args: bigint[]; conduit: 'smc' | 'hvc' }

/** Turn an action into the host call it makes (after preparing TX), or null for a touch. */
function prepare(l: Live, a: Action): Step | null {
  switch (a.t) {
    case 'call': return { conduit: a.conduit, args: [BigInt(a.fid >>> 0), ...a.args.map((v) => val(l, v))] };
    case 'version': return { conduit: 'smc', args: [BigInt(A.FFA_VERSION), BigInt(a.v >>> 0)] };
    case 'map': return { conduit: 'smc', args: [BigInt(A.FFA_RXTX_MAP_64), addr(l, a.tx), addr(l, a.rx), BigInt(a.pages >>> 0)] };
    case 'send': {
      let d: Uint8Array;
      try {
        d = encodeMemTransaction({
          sender: a.sender & 0xffff, attributes: a.layout === A.FFA_VERSION_1_0 ? a.attrs & 0x3f : a.attrs, flags: a.flags,
          receivers: a.receivers.map((r) => ({ receiver: r, permissions: a.perm })),
          constituents: a.cons.map((c) => ({ address: BigInt.asUintN(64, addr(l, c.a) + BigInt(c.off)), pageCount: c.pages >>> 0 })),
        }, a.layout);
      } catch {
        d = new Uint8Array(64);
      }
      if (a.corrupt !== null && a.corrupt.at + 4 <= d.length) new DataView(d.buffer).setUint32(a.corrupt.at & ~3, a.corrupt.v >>> 0, true);
      writeTx(l, d);
      const total = d.length;
      const frag = a.frag === 'whole' ? total : a.frag === 'split' ? Math.max(16, (total - 16) & ~15)
        : a.frag === 'short' ? 40 : total + 16;
      const fid = a.kind === 'share' ? (a.smc64 ? A.FFA_MEM_SHARE_64 : A.FFA_MEM_SHARE)
        : a.kind === 'lend' ? (a.smc64 ? A.FFA_MEM_LEND_64 : A.FFA_MEM_LEND) : (a.smc64 ? A.FFA_MEM_DONATE_64 : A.FFA_MEM_DONATE);
      return { conduit: 'smc', args: [BigInt(fid), BigInt(total), BigInt(frag), a.x3 ? BigInt(TX) : 0n, 0n] };
    }
    case 'frag': {
      const bytes = new Uint8Array(16 * a.cons.length);
      const dv = new DataView(bytes.buffer);
      a.cons.forEach((c, i) => { dv.setBigUint64(16 * i, addr(l, c.a), true); dv.setUint32(16 * i + 8, c.pages >>> 0, true); });
      writeTx(l, bytes);
      const len = a.len === 'right' ? bytes.length : a.len === 'odd' ? bytes.length + 8 : 0x2000;
      const h = handle(l, a.h);
      return { conduit: 'smc', args: [BigInt(A.FFA_MEM_FRAG_TX), h & M32, h >> 32n, BigInt(len), BigInt(a.w4 >>> 0)] };
    }
    case 'reclaim': {
      const h = a.forged ? handle(l, a.h) ^ (1n << 63n) : handle(l, a.h);
      return { conduit: 'smc', args: [BigInt(A.FFA_MEM_RECLAIM), h & M32, h >> 32n, BigInt(a.flags)] };
    }
    case 'simple': return { conduit: 'smc', args: [BigInt(a.fid >>> 0), BigInt(a.w1 >>> 0)] };
    case 'pig': {
      const u = a.uuid === 'nil' ? [0n, 0n, 0n, 0n] : a.uuid === 'a' ? [0x1e67b5b4n, 0xe14f904an, 0x13fb1fb8n, 0xcbdae1dan] : [1n, 0n, 0n, 0n];
      return { conduit: 'smc', args: [BigInt(A.FFA_PARTITION_INFO_GET), ...u, BigInt(a.flags)] };
    }
    case 'agent': {
      const h = handle(l, a.h);
      const extra: bigint[] = a.op === OP_RETRIEVE ? [h, BigInt(a.owner), BigInt(a.perm)]
        : a.op === OP_RELINQUISH ? [h]
        : a.op === OP_SEND ? [BigInt(a.perm & 1), addr(l, a.a), BigInt(a.pages >>> 0), BigInt(a.sp === 0x8001 ? 0x8002 : 0x8001)]
        : a.op === OP_CALL ? [BigInt(a.fid >>> 0), addr(l, a.a), BigInt(a.pages >>> 0), 0n] : [];
      return { conduit: 'smc', args: [BigInt(A.FFA_MSG_SEND_DIRECT_REQ_64), BigInt(a.sp), 0n, BigInt(a.op), ...extra] };
    }
    case 'direct': return { conduit: 'smc', args: [BigInt(a.fid >>> 0), BigInt(a.w1 >>> 0), 0n, 0x1234n, 5n, 6n, 7n, 8n] };
    case 'hyp': {
      const x0 = a.which === 'init' ? 0xc6000001 : a.which === 'finalize' ? 0xc6000007 : a.x0;
      return { conduit: 'hvc', args: [BigInt(x0 >>> 0)] };
    }
    case 'touch': case 'flow': return null;
  }
}

/** Agent operations whose inner call the SPMC may refuse, leaving the outer DIRECT_RESP a success. */
function recordHandles(l: Live, a: Action, x: bigint[]): void {
  const w0 = Number(x[0]! & M32) >>> 0;
  let h: bigint | null = null;
  if (a.t === 'send' && w0 === A.FFA_SUCCESS) h = ((x[3]! & M32) << 32n) | (x[2]! & M32);
  else if (a.t === 'send' && w0 === A.FFA_MEM_FRAG_RX) h = ((x[2]! & M32) << 32n) | (x[1]! & M32);
  else if (a.t === 'agent' && a.op === OP_SEND && w0 === A.FFA_MSG_SEND_DIRECT_RESP_64 && Number(x[4]! & M32) >>> 0 === A.FFA_SUCCESS) {
    h = ((x[6]! & M32) << 32n) | (x[5]! & M32);
  }
  if (h !== null && !l.handles.includes(h)) { l.handles.push(h); if (l.handles.length > 16) l.handles.shift(); }
}

export interface FfaFuzzStats {
  worlds: number;
  calls: number;
  touches: number;
  refused: number;
  succeeded: number;
  /** Calls by function name (or hex ID). */
  byFunction: Record<string, number>;
  /** Calls not refused (w0 is not FFA_ERROR), by function. */
  okByFunction: Record<string, number>;
  /** Partition-side operations (agent.ts) that succeeded, by name. */
  secureSideOk: Record<string, number>;
  /** Status codes of refusals. */
  byStatus: Record<string, number>;
  /** Actions after which a page lent/donated by the host was still host-accessible (the reported LEND gap). */
  lentAccessible: number;
  /** Actions after which the SPMC held a mailbox the host mapped before __pkvm_init (scenario (a)). */
  preInitMailbox: number;
  /** Actions after which the SPMC held host pages shared before __pkvm_init, unknown to pKVM. */
  preInitShares: number;
  /** Upstream pKVM WARN_ONs the host triggered (harness.ts HOST_TRIGGERABLE_WARNINGS), by message. */
  upstreamWarnings: Record<string, number>;
  /** Actions after which pKVM was in a state upstream Linux reaches (harness.ts UPSTREAM_STATES), by message. */
  upstreamStates: Record<string, number>;
}

export function newStats(): FfaFuzzStats {
  return { worlds: 0, calls: 0, touches: 0, refused: 0, succeeded: 0, byFunction: {}, okByFunction: {}, secureSideOk: {}, byStatus: {}, lentAccessible: 0, preInitMailbox: 0, preInitShares: 0, upstreamWarnings: {}, upstreamStates: {} };
}

/**
 * Run one world through `actions`; returns null, or the first violation (with the action index).
 * Never throws: a JS exception out of the emulator is a violation too.
 */
export function runSequence(cfg: WorldConfig, actions: readonly Action[], stats: FfaFuzzStats): string | null {
  let l: Live;
  try {
    l = build(cfg);
  } catch (e) {
    return `boot of ${JSON.stringify(cfg)} threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
  }
  stats.worlds++;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    try {
      const v = runAction(l, a, stats);
      if (v !== null) return `action ${i} ${JSON.stringify(a, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))}: ${v}`;
    } catch (e) {
      return `action ${i} ${JSON.stringify(a, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))}: host exception: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
    }
  }
  return null;
}

/** Run a 'flow' macro: its steps are actions of their own (each checked). */
function runFlow(l: Live, a: Extract<Action, { t: 'flow' }>, stats: FfaFuzzStats): string | null {
  const page = 4 + a.page;   // host pages 0x40100000.. in the address pool
  const steps: Action[] = [
    { t: 'version', v: A.FFA_VERSION_1_2 },
    { t: 'map', tx: 0, rx: 1, pages: 1 },
    { t: 'agent', sp: a.sp, op: OP_MAP, h: 0, owner: 0, perm: 0, a: 0, pages: 0, fid: 0 },
    { t: 'send', kind: a.kind, smc64: true, layout: A.FFA_VERSION_1_2, sender: 0, receivers: [a.sp], perm: 0x02, attrs: a.kind === 'share' ? 0x2f : 0,
      flags: 0, cons: [{ a: page, off: 0, pages: a.pages }], frag: 'whole', corrupt: null, x3: false },
  ];
  for (const st of steps) { const v = runAction(l, st, stats); if (v !== null) return `flow step ${st.t}: ${v}`; }
  const h = l.handles.length - 1;
  if (h < 0) return null;
  const more: Action[] = [];
  if (a.retrieve) {
    more.push({ t: 'agent', sp: a.sp, op: OP_RETRIEVE, h, owner: 0, perm: a.kind === 'share' ? 0x02 : 0x06, a: 0, pages: 0, fid: 0 });
    more.push({ t: 'agent', sp: a.sp, op: OP_RX_RELEASE, h, owner: 0, perm: 0, a: 0, pages: 0, fid: 0 });
  }
  if (a.touch) more.push({ t: 'touch', store: true, a: page, off: 8 });
  if (a.relinquish) more.push({ t: 'agent', sp: a.sp, op: OP_RELINQUISH, h, owner: 0, perm: 0, a: 0, pages: 0, fid: 0 });
  if (a.reclaim) more.push({ t: 'reclaim', h, flags: 0, forged: false });
  for (const st of more) { const v = runAction(l, st, stats); if (v !== null) return `flow step ${st.t}: ${v}`; }
  return null;
}

function runAction(l: Live, a: Action, stats: FfaFuzzStats): string | null {
  if (a.t === 'flow') return runFlow(l, a, stats);
  const w = l.w;
  const before = snapshot(w);
  const warned = w.pkvm?.warnings.length ?? 0;
  let problems: string[] = [];
  if (a.t === 'touch') {
    stats.touches++;
    const pa = addr(l, a.a) + BigInt(a.off);
    const bus = w.machine.bus;
    const lo = Number(pa & M32);
    const below4g = pa < 0x1_0000_0000n;
    const uart = below4g && bus.regionOf(lo) === Region.Uart;
    const nsMemory = below4g && bus.accessible(lo, 8, false);
    const st = w.pkvm?.stage2 ?? null;
    const stage2Denied = st !== null && w.pkvm!.beliefs().finalised && nsMemory && st.hostAccessFault(lo) >= 0;
    const denied = !uart && (!nsMemory || stage2Denied);
    const ram = below4g ? bus.ram(lo, 8) : null;
    const old = ram === null ? null : ram.slice();
    const r = hostExec(w, a.store ? STR_X0_X1 : LDR_X0_X1, 0x5151_5151_5151_5151n, pa);
    const what = `host ${a.store ? 'store to' : 'load from'} 0x${pa.toString(16)}`;
    if (r.stop !== StopReason.Returned) return `${what} did not return (stop ${r.stop}); pKVM panic: ${w.pkvm?.beliefs().panic ?? 'none'}`;
    if (denied) {
      if (r.exception === null) return `${what} (not the host's) completed`;
      if (!a.store && r.x0 !== 0x5151_5151_5151_5151n) return `a faulting ${what} returned data 0x${r.x0.toString(16)}`;
      if (a.store && ram !== null && old !== null && !ram.every((b, k) => b === old[k])) return `a faulting ${what} changed memory`;
    } else if (!uart && r.exception !== null) {
      return `${what} (the host's own memory) faulted: EC 0x${r.exception.ec.toString(16)}`;
    }
  } else {
    const step = prepare(l, a)!;
    stats.calls++;
    const fid = fidOf(step.args[0]!);
    const name = A.ffaFunctionName(fid) ?? `0x${fid.toString(16)}`;
    stats.byFunction[name] = (stats.byFunction[name] ?? 0) + 1;
    const r = hostCall(w, step.args, step.conduit);
    if (r.stop !== StopReason.Returned && r.exception === null) {
      return `${step.conduit.toUpperCase()} ${name} did not return to the host (stop ${r.stop}); pKVM panic: ${w.pkvm?.beliefs().panic ?? 'none'}; system event: ${w.systemEvent ?? 'none'}`;
    }
    recordHandles(l, a, r.x);
    if (r.exception === null && (Number(r.x[0]! & M32) >>> 0) === A.FFA_ERROR) {
      stats.refused++;
      const code = Number(BigInt.asIntN(32, r.x[2]! & M32));
      const st = A.ffaStatusName(code) ?? String(code);
      stats.byStatus[st] = (stats.byStatus[st] ?? 0) + 1;
      const isFragTx = fid === A.FFA_MEM_FRAG_TX;
      const named = ((step.args[2] ?? 0n) << 32n) | ((step.args[1] ?? 0n) & M32);
      const after = snapshot(w);
      const d = diffSnapshots(before, after, isFragTx ? { ignoreTransactions: true, reclaimedHandle: named } : {});
      if (isFragTx && w.pkvm !== null && before.spmc?.txs.get(named)?.includes('complete') === true && after.spmc?.txs.has(named) === false) {
        const m = 'a refused FFA_MEM_FRAG_TX made pKVM reclaim a complete transaction (its pages stay SHARED_OWNED at pKVM)';
        stats.upstreamStates[m] = (stats.upstreamStates[m] ?? 0) + 1;
      }
      problems = problems.concat(d.map((x) => `refused ${name} (${st}) changed state: ${x}`));
    } else {
      stats.succeeded++;
      if (r.exception === null && (Number(r.x[0]! & M32) >>> 0) !== 0xffff_ffff) stats.okByFunction[name] = (stats.okByFunction[name] ?? 0) + 1;
      if (a.t === 'agent' && (Number(r.x[0]! & M32) >>> 0) === A.FFA_MSG_SEND_DIRECT_RESP_64 && (Number(r.x[4]! & M32) >>> 0) !== A.FFA_ERROR) {
        const op = ['', 'map', 'retrieve', 'relinquish', 'rx-release', 'send', 'call'][a.op] ?? String(a.op);
        stats.secureSideOk[op] = (stats.secureSideOk[op] ?? 0) + 1;
      }
    }
  }
  if (preInitMailbox(w)) l.fromBeforeInit = true;
  if (w.spmc?.ep.mailbox[0]?.mapped !== true) l.fromBeforeInit = false;
  if (l.fromBeforeInit) stats.preInitMailbox++;
  for (const [pfn, h] of preInitShares(w)) l.sharedBeforeInit.set(pfn, h);
  if (l.sharedBeforeInit.size > 0) stats.preInitShares++;
  if (w.pkvm !== null && w.machine.bus.stage2Check !== null && lentButHostAccessible(w).length > 0) stats.lentAccessible++;
  const upstream: string[] = [];
  problems = problems.concat(invariants(w, before, { mailboxFromBeforeInit: l.fromBeforeInit, upstream, sharedBeforeInit: l.sharedBeforeInit }));
  const warn = warningsSince(w, warned);
  for (const m of warn.upstream) stats.upstreamWarnings[m] = (stats.upstreamWarnings[m] ?? 0) + 1;
  for (const m of warn.other) problems.push(`pKVM warning: ${m}`);
  for (const m of upstream) stats.upstreamStates[m] = (stats.upstreamStates[m] ?? 0) + 1;
  return problems.length === 0 ? null : problems.slice(0, 8).join('; ');
}

// ---------------------------------------------------------------------------------------------
// The campaign
// ---------------------------------------------------------------------------------------------

export interface FfaCampaignOptions {
  /** Stop once this many host calls were made. */
  calls: number;
  seed: number;
  /** At most this many actions per world (default 800; lengths are uniform, so shrinking can reach 1). */
  maxActions?: number;
  onProgress?: (s: FfaFuzzStats) => void;
}

export interface FfaCampaignResult {
  stats: FfaFuzzStats;
  /** fast-check's report for the first failing world (shrunk), or null. */
  failure: string | null;
  seed: number;
}

/** Run worlds with fast-check until `calls` host calls were made (or a property fails: then shrink). */
export function runFfaCampaign(o: FfaCampaignOptions): FfaCampaignResult {
  const stats = newStats();
  const counting = newStats();
  const maxA = o.maxActions ?? 800;
  const avg = maxA / 2;
  let failed = false;
  let lastViolation = '';
  const prop = fc.property(configArb, fc.array(actionArb, { minLength: 1, maxLength: maxA, size: 'max' }), (cfg, actions) => {
    // Budget spent: later runs are no-ops (but never while shrinking a failure).
    if (!failed && counting.calls + counting.touches >= o.calls) return true;
    const v = runSequence(cfg, actions, counting);
    o.onProgress?.(counting);
    if (v !== null) { failed = true; lastViolation = `${JSON.stringify(cfg)}: ${v}`; throw new Error(lastViolation); }
    return true;
  });
  let failure: string | null = null;
  const numRuns = Math.ceil((o.calls / avg) * 1.6) + 4;
  const out = fc.check(prop, { seed: o.seed, numRuns, endOnFailure: false, verbose: 0 });
  if (out.failed) {
    // The last violation seen belongs to the smallest counterexample fast-check shrank to.
    const ce = out.counterexample === null ? '' : `\nactions: ${JSON.stringify(out.counterexample[1], (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))}`;
    failure = `seed ${o.seed}, shrunk ${out.numShrinks} times: ${lastViolation}${ce}`;
  }
  Object.assign(stats, counting);
  return { stats, failure, seed: o.seed };
}
