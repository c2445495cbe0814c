/**
 * Test-only harness for the pKVM component: a Machine with the native host (NS-EL1), pKVM (EL2) and
 * FakeEl3Spmc, a TEST DOUBLE for the EL3 monitor + SPMD + SPMC (one FF-A v1.2 SPMC, one partition
 * 0x8001 that echoes direct requests). The fake answers at EL3 without a world switch; it exists so
 * pKVM can be tested before src/machine/world.ts lands, and records every call it receives so tests
 * can check what the secure side saw (for instance: never a host RX/TX PA).
 */
import * as L from '../../../src/state/layout.js';
import { Machine, StopReason } from '../../../src/machine/machine.js';
import { NativeComponent, CALL_SITES } from '../../../src/firmware/component.js';
import { HostCaller, HostSite } from '../../../src/firmware/host/caller.js';
import { Pkvm, type PkvmOptions, PKVM_INIT_HCALL, PKVM_PROT_FINALIZE_HCALL } from '../../../src/firmware/el2/pkvm.js';
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
export class FakeEl3Spmc extends NativeComponent {
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

/** The NS-EL1 host: HostCaller plus an entry point (the stub boot ERETs there) and memory accesses. */
export class TestHost extends HostCaller {
  onEntry: (() => void) | null = null;
  entered = 0;

  override onResume(pcLo: number): void {
    if (pcLo === HostSite.Entry) { this.entered++; this.onEntry?.(); return; }
    super.onResume(pcLo);
  }

  /** Issue SMC #imm (or HVC) with x0-x17 = args (missing = 0); returns x0-x17 afterwards. */
  invoke(args: readonly (number | bigint)[], conduit: 'smc' | 'hvc' = 'smc', imm = 0): { x: bigint[]; stop: StopReason; exception: { ec: number; esr: number } | null } {
    this.setArgs(args.map((a) => (typeof a === 'bigint' ? a : BigInt(a >>> 0))));
    const r = conduit === 'smc' ? this.smc(imm) : this.hvc(imm);
    const x: bigint[] = [];
    for (let i = 0; i < 18; i++) x.push(this.getX(i));
    return { x, stop: r.stop, exception: r.exception };
  }

  /** Execute one instruction word at EL1 (a load/store the tests build), from a dedicated site. */
  exec(word: number): StopReason { return this.call(word, CALL_SITES + 0x200); }
}

/** LDR X0, [X1] / STR X0, [X1] (A64 LDR/STR immediate, unsigned offset 0). */
export const LDR_X0_X1 = 0xf9400020 | 0;
export const STR_X0_X1 = 0xf9000020 | 0;

export interface World {
  m: Machine;
  host: TestHost;
  pkvm: Pkvm;
  el3: FakeEl3Spmc;
  /** Host HVC __pkvm_init; returns x0, x1. */
  init(): bigint[];
  /** Host HVC __pkvm_prot_finalize. */
  finalize(): bigint[];
  /** One host SMC; returns x0-x17. */
  smc(...args: (number | bigint)[]): bigint[];
}

/** Build the machine and run the EL2 stub boot until the host is entered at NS-EL1. */
export function makeWorld(opts: PkvmOptions = {}, setup?: (el3: FakeEl3Spmc) => void): World {
  const m = new Machine({});
  const host = new TestHost();
  host.attach(m);
  const pkvm = new Pkvm(opts);
  pkvm.attach(m);
  const el3 = new FakeEl3Spmc(m);
  el3.attach(m);
  setup?.(el3);
  const s = m.cpu.s;
  s[L.SCR_EL3] = 0x30 | SCR_NS | SCR_HCE | SCR_RW;
  m.cpu.set64(L.VBAR_EL + 6, el3.vectorBase);
  m.cpu.set64(L.VBAR_EL + 2, host.vectorBase);
  pkvm.setHostEntry(HostSite.Entry, host.pcHi);
  // The world builder's job: enter the NS world at EL2h at pKVM's boot entry, everything masked.
  s[L.PSTATE_EL] = 2; s[L.PSTATE_SP] = 1; s[L.PSTATE_DAIF] = 0x3c0;
  m.pc = pkvm.entryAddress;
  host.onEntry = () => m.stop();
  const r = m.run({ maxInstructions: 1000 });
  if (r.reason !== StopReason.Requested || host.entered !== 1) throw new Error(`boot did not reach the host (stop ${r.reason})`);
  return {
    m, host, pkvm, el3,
    init: () => host.invoke([PKVM_INIT_HCALL], 'hvc').x.slice(0, 2),
    finalize: () => host.invoke([PKVM_PROT_FINALIZE_HCALL], 'hvc').x.slice(0, 2),
    smc: (...args) => host.invoke(args).x,
  };
}

/** makeWorld + __pkvm_init (+ finalize): the vector format's `pkvm-ready`. */
export function readyWorld(opts: PkvmOptions = {}, setup?: (el3: FakeEl3Spmc) => void, finalize = true): World {
  const w = makeWorld(opts, setup);
  const r = w.init();
  if (r[0] !== 0n || r[1] !== 0n) throw new Error(`__pkvm_init failed: ${r}`);
  if (finalize) w.finalize();
  return w;
}
