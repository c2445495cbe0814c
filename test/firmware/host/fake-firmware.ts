/**
 * A scripted stand-in for pKVM + EL3 + the SPMC behind the host's Conduit, for unit tests of the
 * host-kernel model without a machine. It follows reference pkvm-ffa.md sections 3, 4 and 7 only as
 * far as the boot orders need (gate, VERSION + post_init, RXTX_MAP via the hyp mailbox, pass-through);
 * the real components are tested in test/scenarios against the world.
 */
import type { Conduit, ElLabel, HostCallRecord } from '../../../src/firmware/host/conduit.js';
import type { HostMemory } from '../../../src/firmware/host/ffa-driver.js';
import * as A from '../../../src/ffa/abi.js';
import { encodePartitionInfo, parseUuid } from '../../../src/ffa/descriptors.js';

const w = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));
const B = (n: number): bigint => BigInt(n >>> 0);
const err = (code: number): bigint[] => [B(A.FFA_ERROR), 0n, BigInt.asUintN(64, BigInt(code))];

export const HVC_PKVM_INIT = 0xc6000001n;
export const HVC_PKVM_FINALIZE = 0xc6000002n;

export class FakeFirmware implements Conduit {
  readonly records: HostCallRecord[] = [];
  readonly ram = new Map<number, Uint8Array>();
  clock = 0;
  // pKVM
  tsc = false;
  finalised = false;
  negotiated = false;
  hypVersion = 0;
  hostBuffers: { tx: number; rx: number } | null = null;
  policy: 'reject' | 'forward' = 'reject';
  // SPMC, endpoint 0
  ep0Version = 0;
  ep0Closed = false;
  ep0ClosedBeforeHostNegotiated = false;
  ep0Mailbox: { tx: number; rx: number; owner: 'host' | 'hyp' } | null = null;
  private rxFull = false;
  private nextPage = 0x40800000;
  readonly partitions = [
    { id: 0x8001, uuid: parseUuid('17b862a4-1806-4faf-86b3-089a58353861') },
    { id: 0x8002, uuid: parseUuid('eaba83d8-baaf-4eaf-8144-f7fdcbe544a7') },
  ];

  readonly mem: HostMemory = {
    read: (pa, len) => (this.ram.get(pa) ?? new Uint8Array(len)).slice(0, len),
    allocPages: (bytes) => { const pa = this.nextPage; this.nextPage += bytes; return pa; },
    freePages: () => {},
  };

  cycles(): number { return this.clock; }

  smc(args: readonly bigint[], caller: string): HostCallRecord {
    const path: ElLabel[] = ['EL1'];
    let result: bigint[];
    let answeredBy: ElLabel;
    if (!this.tsc) {
      path.push('EL3', 'S-EL1', 'EL3', 'EL1');
      result = this.spmc(args, 'host');
      answeredBy = 'S-EL1';
    } else {
      path.push('EL2');
      const r = this.pkvm(args, path);
      result = r.result;
      answeredBy = r.by;
      path.push('EL1');
    }
    return this.record('smc', args, caller, result, path, answeredBy);
  }

  hvc(args: readonly bigint[], caller: string): HostCallRecord {
    const path: ElLabel[] = ['EL1', 'EL2'];
    let result: bigint[] = [0n];
    if (args[0] === HVC_PKVM_INIT) {
      this.tsc = true;
      path.push('EL3', 'S-EL1', 'EL3', 'EL2');
      const v = this.spmc([B(A.FFA_VERSION), B(A.FFA_VERSION_1_2)], 'hyp');
      this.hypVersion = Math.min(w(v[0]), A.FFA_VERSION_1_2);
    } else if (args[0] === HVC_PKVM_FINALIZE) {
      this.finalised = true;
    } else result = [0xffffffffffffffffn];
    path.push('EL1');
    return this.record('hvc', args, caller, result, path, 'EL2');
  }

  private record(conduit: 'smc' | 'hvc', args: readonly bigint[], caller: string, result: bigint[], path: ElLabel[], by: ElLabel): HostCallRecord {
    const full = Array.from({ length: 18 }, (_, i) => args[i] ?? 0n);
    const res = Array.from({ length: 18 }, (_, i) => result[i] ?? 0n);
    const start = this.clock;
    this.clock += 100 * path.length;
    const r: HostCallRecord = { seq: this.records.length, conduit, caller, args: full, result: res, cycleStart: start, cycles: this.clock - start, path, answeredBy: by, exception: null };
    this.records.push(r);
    return r;
  }

  private pkvm(args: readonly bigint[], path: ElLabel[]): { result: bigint[]; by: ElLabel } {
    const fid = w(args[0]);
    const fwd = (): { result: bigint[]; by: ElLabel } => { path.push('EL3', 'S-EL1', 'EL3', 'EL2'); return { result: this.spmc(args, 'host'), by: 'S-EL1' }; };
    if (!A.isFfaFunction(fid)) return fwd();
    if (fid === A.FFA_VERSION) {
      if (!this.negotiated) {
        path.push('EL3', 'S-EL1', 'EL3', 'EL2', 'EL3', 'S-EL1', 'EL3', 'EL2');
        this.spmc([B(A.FFA_ID_GET)], 'hyp');
        this.negotiated = true;
      }
      return { result: [B(this.hypVersion)], by: 'EL2' };
    }
    if (!this.negotiated) {
      const isDirect = fid === A.FFA_MSG_SEND_DIRECT_REQ || fid === A.FFA_MSG_SEND_DIRECT_REQ_64;
      if (!(isDirect && this.policy === 'forward')) return { result: err(A.FFA_RET_INVALID_PARAMETERS), by: 'EL2' };
      return fwd();
    }
    if (fid === A.FFA_RXTX_MAP_64) {
      path.push('EL3', 'S-EL1', 'EL3', 'EL2');
      const r = this.spmc([B(A.FFA_RXTX_MAP_64), 0x7f000000n, 0x7f001000n, 1n], 'hyp');
      if (w(r[0]) !== A.FFA_SUCCESS) return { result: r, by: 'EL2' };
      this.hostBuffers = { tx: Number(args[1]), rx: Number(args[2]) };
      return { result: [B(A.FFA_SUCCESS)], by: 'EL2' };
    }
    if (fid === A.FFA_PARTITION_INFO_GET) {
      path.push('EL3', 'S-EL1', 'EL3', 'EL2');
      const r = this.spmc(args, 'hyp');
      if (w(args[5]) === 0 && w(r[0]) === A.FFA_SUCCESS) this.ram.set(this.hostBuffers!.rx, this.ram.get(0x7f001000)!);
      return { result: r, by: 'EL2' };
    }
    if (fid === A.FFA_FEATURES && (w(args[1]) === A.FFA_PARTITION_INFO_GET_REGS || w(args[1]) === A.FFA_NOTIFICATION_BITMAP_CREATE)) {
      return { result: err(A.FFA_RET_NOT_SUPPORTED), by: 'EL2' };
    }
    return fwd();
  }

  /** The SPMC's view of endpoint 0 (host or hyp: it cannot tell them apart). */
  private spmc(args: readonly bigint[], who: 'host' | 'hyp'): bigint[] {
    const fid = w(args[0]);
    if (fid === A.FFA_VERSION) {
      if (!this.ep0Closed) this.ep0Version = w(args[1]);
      return [B(A.FFA_VERSION_1_2)];
    }
    if (!this.ep0Closed && who === 'host' && !this.negotiated && this.tsc) this.ep0ClosedBeforeHostNegotiated = true;
    this.ep0Closed = true;
    switch (fid) {
      case A.FFA_ID_GET: return [B(A.FFA_SUCCESS), 0n, 0n];
      case A.FFA_FEATURES: {
        const id = w(args[1]);
        if (id === A.FFA_RXTX_MAP_64 || id === A.FFA_MEM_SHARE_64 || id === A.FFA_MEM_LEND_64) return [B(A.FFA_SUCCESS), 0n, 0n];
        return err(A.FFA_RET_NOT_SUPPORTED);
      }
      case A.FFA_RXTX_MAP_64:
        if (this.ep0Mailbox !== null) return err(A.FFA_RET_DENIED);
        this.ep0Mailbox = { tx: Number(args[1]), rx: Number(args[2]), owner: who };
        return [B(A.FFA_SUCCESS)];
      case A.FFA_PARTITION_INFO_GET: {
        if (this.ep0Mailbox === null || this.rxFull) return err(A.FFA_RET_BUSY);
        if (w(args[5]) === 1) return [B(A.FFA_SUCCESS), 0n, B(this.partitions.length), 0n];
        this.ram.set(this.ep0Mailbox.rx, encodePartitionInfo(this.partitions.map((p) => ({ id: p.id, executionContexts: 1, properties: 0x301, uuid: p.uuid })), A.FFA_VERSION_1_2));
        this.rxFull = true;
        return [B(A.FFA_SUCCESS), 0n, B(this.partitions.length), 24n];
      }
      case A.FFA_RX_RELEASE: this.rxFull = false; return [B(A.FFA_SUCCESS)];
      case A.FFA_MSG_SEND_DIRECT_REQ_64: {
        const dst = w(args[1]) & 0xffff;
        if (!this.partitions.some((p) => p.id === dst)) return err(A.FFA_RET_INVALID_PARAMETERS);
        const reply = dst === 0x8002 ? [0x8000000000000005n, 64n, 0n, 0n, 0n] : args.slice(3, 8).map((x) => x ?? 0n);
        return [B(A.FFA_MSG_SEND_DIRECT_RESP_64), B(A.ffaSenderReceiver(dst, w(args[1]) >>> 16)), 0n, ...reply];
      }
      default: return err(A.FFA_RET_NOT_SUPPORTED);
    }
  }
}
