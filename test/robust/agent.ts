/**
 * A secure partition the host can steer (tests and fuzzing only): on each direct request it makes
 * the FF-A calls a borrower makes (map its own RX/TX in secure RAM, retrieve a handle, relinquish
 * it, release RX) or any call the host asks for, and answers with DIRECT_RESP_64:
 *   request  x3 = op, x4.. = op arguments
 *   response x3 = op, x4 = w0 of the last call, x5 = w2 of the last call (the status on FFA_ERROR),
 *            x6 = w3 of the last call
 * Ops: 1 map RX/TX, 2 retrieve (x4 = handle, x5 = owner ID, x6 = permissions), 3 relinquish (x4 =
 * handle), 4 RX_RELEASE, 5 share/lend (x4 = 0 share / 1 lend, x5 = address, x6 = pages, x7 = receiver),
 * 6 any call (x4 = function ID, x5..x7 = x1..x3), anything else: echo.
 * A call that gives the CPU away (FFA_ERROR, FFA_YIELD, FFA_MSG_WAIT, FFA_RUN, a direct response,
 * FFA_ABORT ...) is not made nested (PartitionServices.ffaCall cannot unwind through the Normal
 * world): the agent issues it as its answer to the request instead, and when control comes back
 * (onOtherMessage) it answers the request it still holds, if any, with DIRECT_RESP_64.
 */
import * as A from '../../src/ffa/abi.js';
import type { Bus } from '../../src/memory/bus.js';
import { DirectKind, type PartitionBehaviour, type PartitionServices } from '../../src/firmware/partitions/api.js';
import { EchoBehaviour } from '../../src/firmware/partitions/echo.js';
import { encodeMemRelinquish, encodeMemRetrieveRequest, encodeMemTransaction } from '../../src/ffa/descriptors.js';

export const OP_MAP = 1, OP_RETRIEVE = 2, OP_RELINQUISH = 3, OP_RX_RELEASE = 4, OP_SEND = 5, OP_CALL = 6;

/** ABIs that switch away from the caller (DEN0077A v1.2 ch.8 runtime models): issued as the answer, never nested. */
const SWITCHING = new Set<number>([
  A.FFA_ERROR, A.FFA_ERROR | 0x40000000, A.FFA_SUCCESS, A.FFA_SUCCESS_64, A.FFA_INTERRUPT, A.FFA_YIELD, A.FFA_MSG_WAIT, A.FFA_RUN,
  A.FFA_MSG_SEND_DIRECT_RESP, A.FFA_MSG_SEND_DIRECT_RESP_64, A.FFA_MSG_SEND_DIRECT_RESP2, A.FFA_NORMAL_WORLD_RESUME,
  A.FFA_ABORT, A.FFA_ABORT_64, A.FFA_MEM_RETRIEVE_RESP, A.FFA_MEM_FRAG_RX, A.FFA_EL3_INTR_HANDLE,
].map((x) => x >>> 0));

/** Partition properties that let the agent send and receive direct requests (v1.2 bits 0, 1, 8, 9, 10). */
export const AGENT_PROPERTIES = A.FFA_PARTITION_DIRECT_REQ_RECV | A.FFA_PARTITION_DIRECT_REQ_SEND | A.FFA_PARTITION_AARCH64_EXEC |
  A.FFA_PARTITION_DIRECT_REQ2_RECV | A.FFA_PARTITION_DIRECT_REQ2_SEND;

function set(s: Int32Array, n: number, v: number | bigint): void {
  const x = BigInt.asUintN(64, BigInt(v));
  s[2 * n] = Number(x & 0xffffffffn) | 0; s[2 * n + 1] = Number(x >> 32n) | 0;
}
function get(s: Int32Array, n: number): bigint { return (BigInt(s[2 * n + 1]! >>> 0) << 32n) | BigInt(s[2 * n]! >>> 0); }

export class Agent implements PartitionBehaviour {
  readonly name = 'agent';
  /** Set once the world exists (before boot). */
  bus: Bus | null = null;
  /** FF-A version the descriptors use (the SPMC's). */
  version = A.FFA_VERSION_1_2;

  /** The sender of a request this agent answered with a switching call instead of a response. */
  private pending: number | null = null;
  /** How many times the agent gave the CPU away instead of responding. */
  switched = 0;

  /** `tx`/`rx`: this partition's buffers in secure RAM (one page each). */
  constructor(readonly tx: number, readonly rx: number) {}

  private call(s: Int32Array, svc: PartitionServices, fid: number, ...args: (number | bigint)[]): void {
    s.fill(0, 0, 36);
    set(s, 0, fid);
    args.forEach((v, i) => set(s, 1 + i, v));
    svc.ffaCall();
  }

  private put(bytes: Uint8Array): void {
    if (this.bus === null) throw new Error('agent: bus not set');
    this.bus.load(this.tx, bytes);
  }

  onDirectRequest(s: Int32Array, kind: DirectKind, sender: number, svc: PartitionServices): void {
    if (kind !== DirectKind.Req64) { new EchoBehaviour().onDirectRequest(s, kind); return; }
    const op = Number(get(s, 3) & 0xffn);
    const a4 = get(s, 4), a5 = get(s, 5), a6 = get(s, 6), a7 = get(s, 7);
    const self = svc.endpointId;
    switch (op) {
      case OP_MAP: this.call(s, svc, A.FFA_RXTX_MAP_64, this.tx, this.rx, 1); break;
      case OP_RETRIEVE: {
        const d = encodeMemRetrieveRequest({ sender: Number(a5 & 0xffffn), handle: a4, receivers: [{ receiver: self, permissions: Number(a6 & 0xffn) }] }, this.version);
        this.put(d);
        this.call(s, svc, A.FFA_MEM_RETRIEVE_REQ_64, d.length, d.length, 0, 0);
        break;
      }
      case OP_RELINQUISH: {
        this.put(encodeMemRelinquish({ handle: a4, flags: 0, endpoints: [self] }));
        this.call(s, svc, A.FFA_MEM_RELINQUISH);
        break;
      }
      case OP_RX_RELEASE: this.call(s, svc, A.FFA_RX_RELEASE); break;
      case OP_SEND: {
        const lend = a4 !== 0n;
        const d = encodeMemTransaction({
          sender: self, attributes: lend ? 0 : 0x2f,
          receivers: [{ receiver: Number(a7 & 0xffffn), permissions: 0x02 }],
          constituents: [{ address: a5, pageCount: Number(a6 & 0xffffffffn) }],
        }, this.version);
        this.put(d);
        this.call(s, svc, lend ? A.FFA_MEM_LEND_64 : A.FFA_MEM_SHARE_64, d.length, d.length, 0, 0);
        break;
      }
      case OP_CALL: {
        const fid = Number(a4 & 0xffffffffn) >>> 0;
        if (SWITCHING.has((fid & ~A.SMCCC_SVE_HINT) >>> 0)) {
          // Give the CPU away with `fid` as this request's answer; onOtherMessage finishes the request.
          s.fill(0, 0, 36);
          set(s, 0, fid); set(s, 1, a5); set(s, 2, a6); set(s, 3, a7);
          this.pending = sender;
          this.switched++;
          return;
        }
        this.call(s, svc, fid, a5, a6, a7);
        break;
      }
      default: new EchoBehaviour().onDirectRequest(s, kind); return;
    }
    this.respond(s, self, sender, op);
  }

  /** DIRECT_RESP_64 to `sender`: x3 = op, x4/x5/x6 = w0/w2/w3 now in the registers. */
  private respond(s: Int32Array, self: number, sender: number, op: number): void {
    const w0 = get(s, 0) & 0xffffffffn, w2 = get(s, 2) & 0xffffffffn, w3 = get(s, 3) & 0xffffffffn;
    s.fill(0, 0, 36);
    set(s, 0, A.FFA_MSG_SEND_DIRECT_RESP_64);
    set(s, 1, ((self << 16) | sender) >>> 0);
    set(s, 3, op); set(s, 4, w0); set(s, 5, w2); set(s, 6, w3);
  }

  /** Control came back after a switching answer (FFA_ERROR refusing it, FFA_RUN after FFA_YIELD ...). */
  onOtherMessage(s: Int32Array, svc: PartitionServices): boolean {
    if (this.pending === null) return false;
    const sender = this.pending;
    this.pending = null;
    this.respond(s, svc.endpointId, sender, OP_CALL);
    return true;
  }
}
