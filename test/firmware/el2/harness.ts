/**
 * Test-only harness for the pKVM component, with two backends behind one `World` interface:
 *  - 'world': the real system from src/machine/world.ts (EL3 monitor + SPMD + S-EL1 SPMC + echo
 *    partition 0x8001), booted from reset; SMCs reaching EL3 from the Normal world are recorded at
 *    exception entry, the SPMC's endpoint-0 state is read from its tables;
 *  - 'fake': FakeEl3Spmc, a TEST DOUBLE for EL3 + SPMD + SPMC answering at EL3 without a world switch,
 *    with knobs to make the secure side misbehave (refuse versions, preset mailboxes, fail reclaims...)
 *    for the paths the real SPMC does not take.
 */
import * as L from '../../../src/state/layout.js';
import { Machine, StopReason } from '../../../src/machine/machine.js';
import { NativeComponent, CALL_SITES } from '../../../src/firmware/component.js';
import { HostCaller, HostSite } from '../../../src/firmware/host/caller.js';
import { Pkvm, type PkvmOptions, PKVM_INIT_HCALL, PKVM_PROT_FINALIZE_HCALL } from '../../../src/firmware/el2/pkvm.js';
import type { ExceptionObserver } from '../../../src/state/cpu-state.js';
import { type WorldSpec, createWorld } from '../../../src/machine/world.js';
import { RX_EMPTY } from '../../../src/firmware/spmc/memory.js';
import { SCR_HCE, SCR_NS, SCR_RW } from '../../../src/exceptions/routing.js';
import * as A from '../../../src/ffa/abi.js';
import { encodePartitionInfo, parseUuid } from '../../../src/ffa/descriptors.js';

export const M64 = (1n << 64n) - 1n;
export const u64 = (v: number | bigint): bigint => BigInt.asUintN(64, BigInt(v));
export const sx = (v: number): bigint => BigInt.asUintN(64, BigInt(v | 0));
/** An FF-A error code as pKVM writes it in x2: sign-extended. */
export const ERR = (code: number): bigint => sx(code);
export const U = (v: number): bigint => BigInt(v >>> 0);

export const PART_ID = 0x8001;
export const PART_UUID = 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb';
/** Host pages used by the tests (vector-format.md: 0x40000000-0x40FFFFFF are free for vectors). */
export const HOST_TX = 0x4000_1000;
export const HOST_RX = 0x4000_2000;
export const SHARE_PA = 0x4001_0000;

export interface SpmcCall { x: bigint[]; fromEl: number }

/** TEST DOUBLE: EL3 + SPMD + SPMC answering FF-A for endpoint 0 (NS), PSCI and SMCCC basics. */
export class FakeEl3Spmc extends NativeComponent implements SpmcObserver {
  readonly name = 'fake-el3-spmc';
  readonly el = 3;
  readonly secure = true;
  readonly calls: SpmcCall[] = [];
  /** What the SPMC implements (FFA_VERSION reply). */
  version = A.FFA_VERSION_1_2;
  /** Refuse FFA_VERSION entirely (a NOT_SUPPORTED SPMC). */
  versionNotSupported = false;
  /** Endpoint 0: negotiated version, and whether its negotiation phase is over (DEN0077A 13.2.2). */
  ep0Version: number | null = null;
  ep0Closed = false;
  mailbox: { tx: number; rx: number } | null = null;
  rxFull = false;
  /** FFA_FEATURES(RXTX_MAP_64) w2 (minimum buffer size code). */
  rxtxMinSize = 0;
  /** Fragment size for RETRIEVE_RESP / FRAG_RX. */
  fragSize = 4096;
  /** Reply to MEM_RECLAIM with this error (0 = success). */
  reclaimError = 0;
  /** Reply to MEM_SHARE/LEND with this error (0 = success). */
  shareError = 0;
  readonly memory = new Map<bigint, { bytes: Uint8Array; total: number; received: number }>();
  private nextHandle = 1n;

  constructor(private readonly machine: Machine) { super(); }

  private x(n: number): bigint { return this.p.cpu.x(n); }
  private w(n: number): number { return Number(this.x(n) & 0xffffffffn); }
  private ret(regs: readonly bigint[]): void { for (let i = 0; i < 18; i++) this.p.cpu.setX(i, regs[i] ?? 0n); }
  private err(code: number): void { this.ret([U(A.FFA_ERROR), 0n, U(code)]); }   // an SPMC may zero-extend w2
  private ok(...rest: bigint[]): void { this.ret([U(A.FFA_SUCCESS), ...rest]); }
  private ram(pa: number, len: number): Uint8Array {
    const r = this.machine.bus.ram(pa, len);
    if (r === null) throw new Error(`fake SPMC: 0x${pa.toString(16)} is not RAM`);
    return r;
  }

  onException(offset: number): void {
    if (offset !== 0x400) throw new Error(`fake EL3: unexpected vector offset 0x${offset.toString(16)}`);
    const fromEl = (this.s[L.SPSR_EL + 6]! >>> 2) & 3;
    const x: bigint[] = [];
    for (let i = 0; i < 18; i++) x.push(this.x(i));
    this.calls.push({ x, fromEl });
    this.dispatch(Number(x[0]! & 0xffffffffn) & ~0x10000);
    this.eret();
  }

  private closePhase(fid: number): void {
    if (A.isFfaFunction(fid) && fid >>> 0 !== A.FFA_VERSION) this.ep0Closed = true;
  }

  private dispatch(fid: number): void {
    const id = fid >>> 0;
    this.closePhase(id);
    switch (id) {
      case A.SMCCC_VERSION: this.ret([0x10002n]); return;
      case A.PSCI_VERSION: this.ret([0x10001n]); return;
      case A.PSCI_FEATURES: this.ret([0n]); return;
      case A.FFA_VERSION: {
        const req = this.w(1);
        if (this.versionNotSupported) { this.ret([M64]); return; }
        if (this.ep0Closed && this.ep0Version !== null && req !== this.ep0Version) { this.ret([M64]); return; }
        this.ep0Version = Math.min(req, this.version);
        this.ret([BigInt(this.version)]);
        return;
      }
      case A.FFA_ID_GET: this.ok(0n, 0n); return;
      case A.FFA_FEATURES: {
        const f = this.w(1);
        if (f === A.FFA_RXTX_MAP_64) this.ok(0n, BigInt(this.rxtxMinSize));
        else if ([A.FFA_MSG_SEND_DIRECT_REQ_64, A.FFA_MEM_SHARE_64, A.FFA_MEM_LEND_64, A.FFA_PARTITION_INFO_GET].includes(f)) this.ok();
        else this.err(A.FFA_RET_NOT_SUPPORTED);
        return;
      }
      case A.FFA_RXTX_MAP_64: {
        if (this.mailbox !== null) { this.err(A.FFA_RET_DENIED); return; }
        this.mailbox = { tx: Number(this.x(1)), rx: Number(this.x(2)) };
        this.ok();
        return;
      }
      case A.FFA_RXTX_UNMAP:
        if (this.mailbox === null) { this.err(A.FFA_RET_INVALID_PARAMETERS); return; }
        this.mailbox = null; this.rxFull = false; this.ok(); return;
      case A.FFA_PARTITION_INFO_GET: {
        if ((this.w(5) & 1) !== 0) { this.ok(0n, 1n, 0n); return; }
        if (this.mailbox === null || this.rxFull) { this.err(A.FFA_RET_BUSY); return; }
        const d = encodePartitionInfo([{ id: PART_ID, executionContexts: 1, properties: 0x301, uuid: parseUuid(PART_UUID) }], A.FFA_VERSION_1_2);
        this.ram(this.mailbox.rx, d.length).set(d);
        this.rxFull = true;
        this.ok(0n, 1n, BigInt(d.length));
        return;
      }
      case A.FFA_RX_RELEASE:
        if (!this.rxFull) { this.err(A.FFA_RET_DENIED); return; }
        this.rxFull = false; this.ok(); return;
      case A.FFA_MSG_SEND_DIRECT_REQ: case A.FFA_MSG_SEND_DIRECT_REQ_64: {
        const w1 = this.w(1);
        if ((w1 & 0xffff) !== PART_ID) { this.err(A.FFA_RET_INVALID_PARAMETERS); return; }
        const resp = id === A.FFA_MSG_SEND_DIRECT_REQ ? A.FFA_MSG_SEND_DIRECT_RESP : A.FFA_MSG_SEND_DIRECT_RESP_64;
        const mask = id === A.FFA_MSG_SEND_DIRECT_REQ ? 0xffffffffn : M64;
        this.ret([U(resp), BigInt(((w1 & 0xffff) << 16 | (w1 >>> 16)) >>> 0), 0n,
          this.x(3) & mask, this.x(4) & mask, this.x(5) & mask, this.x(6) & mask, this.x(7) & mask]);
        return;
      }
      case A.FFA_MEM_SHARE_64: case A.FFA_MEM_LEND_64: {
        if (this.shareError !== 0) { this.err(this.shareError); return; }
        if (this.mailbox === null) { this.err(A.FFA_RET_DENIED); return; }
        const len = this.w(1), frag = this.w(2);
        const bytes = new Uint8Array(len);
        bytes.set(this.ram(this.mailbox.tx, frag));
        const h = this.nextHandle++;
        this.memory.set(h, { bytes, total: len, received: frag });
        if (frag < len) this.ret([U(A.FFA_MEM_FRAG_RX), h & 0xffffffffn, h >> 32n, BigInt(frag)]);
        else this.ok(0n, h & 0xffffffffn, h >> 32n);
        return;
      }
      case A.FFA_MEM_FRAG_TX: {
        const h = (BigInt(this.w(2)) << 32n) | BigInt(this.w(1));
        const m = this.memory.get(h);
        if (m === undefined || this.mailbox === null) { this.err(A.FFA_RET_INVALID_PARAMETERS); return; }
        const frag = this.w(3);
        m.bytes.set(this.ram(this.mailbox.tx, frag), m.received);
        m.received += frag;
        if (m.received < m.total) this.ret([U(A.FFA_MEM_FRAG_RX), h & 0xffffffffn, h >> 32n, BigInt(m.received)]);
        else this.ok(0n, h & 0xffffffffn, h >> 32n);
        return;
      }
      case A.FFA_MEM_RETRIEVE_REQ_64: {
        if (this.mailbox === null) { this.err(A.FFA_RET_DENIED); return; }
        if (this.rxFull) { this.err(A.FFA_RET_BUSY); return; }
        const tx = this.ram(this.mailbox.tx, 48);
        const dv = new DataView(tx.buffer, tx.byteOffset, 48);
        const h = dv.getBigUint64(8, true);
        const m = this.memory.get(h);
        if (m === undefined) { this.err(A.FFA_RET_INVALID_PARAMETERS); return; }
        const frag = Math.min(this.fragSize, m.total);
        this.ram(this.mailbox.rx, frag).set(m.bytes.subarray(0, frag));
        this.rxFull = true;
        this.ret([U(A.FFA_MEM_RETRIEVE_RESP), BigInt(m.total), BigInt(frag)]);
        return;
      }
      case A.FFA_MEM_FRAG_RX: {
        const h = (BigInt(this.w(2)) << 32n) | BigInt(this.w(1));
        const m = this.memory.get(h);
        if (m === undefined || this.mailbox === null) { this.err(A.FFA_RET_INVALID_PARAMETERS); return; }
        if (this.rxFull) { this.err(A.FFA_RET_BUSY); return; }
        const off = this.w(3);
        const frag = Math.min(this.fragSize, m.total - off);
        this.ram(this.mailbox.rx, frag).set(m.bytes.subarray(off, off + frag));
        this.rxFull = true;
        this.ret([U(A.FFA_MEM_FRAG_TX), h & 0xffffffffn, h >> 32n, BigInt(frag)]);
        return;
      }
      case A.FFA_MEM_RECLAIM: {
        const h = (BigInt(this.w(2)) << 32n) | BigInt(this.w(1));
        if (this.reclaimError !== 0) { this.err(this.reclaimError); return; }
        if (!this.memory.delete(h)) { this.err(A.FFA_RET_INVALID_PARAMETERS); return; }
        this.ok();
        return;
      }
    }
    if (A.isFfaFunction(id)) { this.err(A.FFA_RET_NOT_SUPPORTED); return; }
    this.ret([M64]);   // SMC_UNK
  }

  /** Calls with a given function ID (after the hint bit is cleared). */
  callsTo(fid: number): SpmcCall[] {
    return this.calls.filter((c) => (Number(c.x[0]! & 0xffffffffn) & ~0x10000) >>> 0 === fid >>> 0);
  }
}

/** The NS-EL1 host: HostCaller plus an entry point (the stub boot ERETs there). */
export class TestHost extends HostCaller {
  onEntry: (() => void) | null = null;
  entered = 0;

  override onResume(pcLo: number): void {
    if (pcLo === HostSite.Entry) {
      this.s[L.VBAR_EL + 2] = 0; this.s[L.VBAR_EL + 3] = this.pcHi;   // the kernel's own vectors
      this.entered++; this.onEntry?.(); return;
    }
    super.onResume(pcLo);
  }
}

/** LDR X0, [X1] / STR X0, [X1] (A64 LDR/STR immediate, unsigned offset 0). */
export const LDR_X0_X1 = 0xf9400020 | 0;
export const STR_X0_X1 = 0xf9000020 | 0;
/** The host call site tests execute loads/stores from. */
export const EXEC_SITE = CALL_SITES + 0x200;

/** What the secure side saw and believes: the fake's fields, or a view of the real SPMC. */
export interface SpmcObserver {
  /** SMCs that reached EL3 from the Non-secure world, with x0-x17 at entry. */
  readonly calls: SpmcCall[];
  callsTo(fid: number): SpmcCall[];
  /** Endpoint 0's mailbox at the SPMC. */
  readonly mailbox: { tx: number; rx: number } | null;
  /** Endpoint 0's RX buffer is full (owned by the NS side until RX_RELEASE). */
  readonly rxFull: boolean;
  /** Endpoint 0's negotiation phase is over. */
  readonly ep0Closed: boolean;
}

export type Backend = 'fake' | 'world';

export interface World {
  readonly kind: Backend;
  m: Machine;
  host: HostCaller;
  pkvm: Pkvm;
  el3: SpmcObserver;
  /** The test double (null on the real world). */
  fake: FakeEl3Spmc | null;
  /** Host SMC #imm / HVC #imm with x0-x17 = args (missing = 0); x0-x17 afterwards. */
  invoke(args: readonly (number | bigint)[], conduit?: 'smc' | 'hvc', imm?: number): { x: bigint[]; stop: StopReason; exception: { ec: number; esr: number } | null };
  /** Execute one instruction word at NS-EL1 from EXEC_SITE (a host load/store). */
  exec(word: number): StopReason;
  /** Listen to exception entries (the harness owns cpu.onExceptionEntry); returns the remover. */
  onEntry(fn: ExceptionObserver): () => void;
  /** Host HVC __pkvm_init; returns x0, x1. */
  init(): bigint[];
  /** Host HVC __pkvm_prot_finalize; returns x0, x1. */
  finalize(): bigint[];
  /** One host SMC; returns x0-x17. */
  smc(...args: (number | bigint)[]): bigint[];
}

function worldApi(kind: Backend, m: Machine, host: HostCaller, pkvm: Pkvm, el3: SpmcObserver, fake: FakeEl3Spmc | null,
  listeners: ExceptionObserver[]): World {
  const invoke: World['invoke'] = (args, conduit = 'smc', imm = 0) => {
    host.setArgs(args.map((a) => (typeof a === 'bigint' ? a : BigInt(a >>> 0))));
    const r = conduit === 'smc' ? host.smc(imm) : host.hvc(imm);
    const x: bigint[] = [];
    for (let i = 0; i < 18; i++) x.push(host.getX(i));
    return { x, stop: r.stop, exception: r.exception };
  };
  return {
    kind, m, host, pkvm, el3, fake, invoke,
    // NativeComponent.call is protected; tests reach it the way a host kernel model would.
    exec: (word) => (host as unknown as { call(w: number, site: number): StopReason }).call(word, EXEC_SITE),
    onEntry: (fn) => { listeners.push(fn); return () => { const i = listeners.indexOf(fn); if (i >= 0) listeners.splice(i, 1); }; },
    init: () => invoke([PKVM_INIT_HCALL], 'hvc').x.slice(0, 2),
    finalize: () => invoke([PKVM_PROT_FINALIZE_HCALL], 'hvc').x.slice(0, 2),
    smc: (...args) => invoke(args).x,
  };
}

/** Records SMCs arriving at EL3 from the Non-secure world and fans entries out to listeners. */
function installRecorder(m: Machine, calls: SpmcCall[] | null, listeners: ExceptionObserver[]): void {
  m.cpu.onExceptionEntry = (cpu, from, fromSecure, target, offset, esr) => {
    if (calls !== null && target === 3 && !fromSecure && (esr >>> 26) === 0x17) {
      const x: bigint[] = [];
      for (let i = 0; i < 18; i++) x.push(cpu.x(i));
      calls.push({ x, fromEl: from });
    }
    for (const l of listeners) l(cpu, from, fromSecure, target, offset, esr);
  };
}

function callsTo(calls: SpmcCall[], fid: number): SpmcCall[] {
  return calls.filter((c) => (Number(c.x[0]! & 0xffffffffn) & ~0x10000) >>> 0 === fid >>> 0);
}

/** The fake backend: build the machine and run the EL2 stub boot until the host is entered at NS-EL1. */
export function makeWorld(opts: PkvmOptions = {}, setup?: (el3: FakeEl3Spmc) => void): World {
  const m = new Machine({});
  const host = new TestHost();
  host.attach(m);
  const pkvm = new Pkvm(opts);
  pkvm.attach(m);
  const el3 = new FakeEl3Spmc(m);
  el3.attach(m);
  setup?.(el3);
  const listeners: ExceptionObserver[] = [];
  installRecorder(m, null, listeners);
  const s = m.cpu.s;
  s[L.SCR_EL3] = 0x30 | SCR_NS | SCR_HCE | SCR_RW;
  m.cpu.set64(L.VBAR_EL + 6, el3.vectorBase);
  pkvm.setHostEntry(HostSite.Entry, host.pcHi);
  // The world builder's job: enter the NS world at EL2h at pKVM's boot entry, everything masked.
  s[L.PSTATE_EL] = 2; s[L.PSTATE_SP] = 1; s[L.PSTATE_DAIF] = 0x3c0;
  m.pc = pkvm.entryAddress;
  host.onEntry = () => m.stop();
  const r = m.run({ maxInstructions: 1000 });
  if (r.reason !== StopReason.Requested || host.entered !== 1) throw new Error(`boot did not reach the host (stop ${r.reason})`);
  return worldApi('fake', m, host, pkvm, el3, el3, listeners);
}

/**
 * The real backend: src/machine/world.ts (EL3 monitor + SPMD + S-EL1 SPMC + echo partition 0x8001),
 * booted from reset to the host's entry with pKVM in its stub. Only the options the world spec carries
 * (policy, host SMCCC version) apply.
 */
export function makeRealWorld(opts: PkvmOptions = {}, spec: WorldSpec = {}): World {
  const world = createWorld({
    ...spec,
    policy: { ...(spec.policy ?? {}), ...(opts.directReqBeforeVersion !== undefined ? { directReqBeforeVersion: opts.directReqBeforeVersion } : {}) },
    ...(opts.hostSmcccVersion !== undefined ? { smcccVersion: opts.hostSmcccVersion } : {}),
  });
  const calls: SpmcCall[] = [];
  const listeners: ExceptionObserver[] = [];
  world.boot({ pkvmInit: false });
  installRecorder(world.machine, calls, listeners);
  const core = world.spmc!;
  const view: SpmcObserver = {
    calls,
    callsTo: (fid) => callsTo(calls, fid),
    get mailbox() { const mb = core.ep.mailbox[0]!; return mb.mapped ? { tx: mb.tx, rx: mb.rx } : null; },
    get rxFull() { return core.ep.mailbox[0]!.state !== RX_EMPTY; },
    // The SPMD answers some calls itself (FFA_ID_GET...) and keeps its own record of the NWd's phase.
    get ep0Closed() { return core.ep.negotiated[0] !== 0 || (world.spmd?.nsNegotiated ?? false); },
  };
  return worldApi('world', world.machine, world.host, world.pkvm!, view, null, listeners);
}

/** Build a world on a backend. */
export function build(kind: Backend, opts: PkvmOptions = {}): World {
  return kind === 'fake' ? makeWorld(opts) : makeRealWorld(opts);
}

/** makeWorld + __pkvm_init (+ finalize): the vector format's `pkvm-ready`. */
export function readyWorld(opts: PkvmOptions = {}, setup?: (el3: FakeEl3Spmc) => void, finalize = true): World {
  return ready(makeWorld(opts, setup), finalize);
}

/** The same on a chosen backend. */
export function readyOn(kind: Backend, opts: PkvmOptions = {}, finalize = true): World {
  return ready(build(kind, opts), finalize);
}

function ready(w: World, finalize: boolean): World {
  const r = w.init();
  if (r[0] !== 0n || r[1] !== 0n) throw new Error(`__pkvm_init failed: ${r}`);
  if (finalize) w.finalize();
  return w;
}

/** Both backends, for describe.each. */
export const BACKENDS: readonly Backend[] = ['fake', 'world'];
