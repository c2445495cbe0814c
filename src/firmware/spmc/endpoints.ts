/**
 * SPMC endpoint state (DEN0077A v1.1 ch.7-8 / v1.2 ch.8 "partition runtime states and models";
 * ffa-abi.md 7.4): per endpoint its negotiated version and mailbox; per secure partition its runtime
 * state, runtime model, direct-request origin and who gave it CPU cycles. Plain typed arrays indexed by
 * endpoint slot (0 = the Non-secure endpoint, 1..n = partitions), so the hot path reads integers only.
 */
import { type Mailbox, RX_EMPTY } from './memory.js';

/** Endpoint slot of the Non-secure physical instance (the hypervisor, or the OS without one). */
export const NWD = 0;

/** Partition runtime states (v1.2 §8.2; Hafnium vcpu states WAITING/RUNNING/BLOCKED/PREEMPTED). */
export const enum RtState {
  /** Not yet started (boot has not reached it). */
  Created = 0,
  Waiting = 1,
  Running = 2,
  Blocked = 3,
  Preempted = 4,
  /** Failed initialisation (FFA_ERROR in the init model) or aborted. */
  Aborted = 5,
}

/** Runtime models: how the partition got CPU cycles (v1.2 §8.3; TF-A RT_MODEL_*). */
export const enum RtModel {
  None = 0,
  Init = 1,
  Run = 2,
  DirReq = 3,
}

/** Why a partition is BLOCKED. */
export const enum BlockKind {
  None = 0,
  /** Sent a direct request, waits for the response. */
  Request = 1,
  /** Called FFA_YIELD; resumed by FFA_RUN. */
  Yield = 2,
  /** Gave its cycles to another partition with FFA_RUN. */
  Run = 3,
}

export const STATE_NAMES = ['created', 'waiting', 'running', 'blocked', 'preempted', 'aborted'] as const;
export const MODEL_NAMES = ['none', 'init', 'run', 'dir-req'] as const;

/** A secure partition as configured (the manifest). */
export interface PartitionConfig {
  /** Endpoint ID, bit 15 set (0x8001...). */
  id: number;
  /** The 16 UUID bytes in text order (vector-format.md "UUIDs"). */
  uuid: Uint8Array;
  /** Partition properties (abi.ts FFA_PARTITION_*), before masking by the caller's version. */
  properties: number;
  /** Execution context count reported by FFA_PARTITION_INFO_GET. */
  executionContexts: number;
}

export class EndpointMailbox implements Mailbox {
  tx = 0;
  rx = 0;
  pages = 0;
  version = 0;
  state = RX_EMPTY;
  get mapped(): boolean { return this.pages !== 0; }
  clear(): void { this.tx = 0; this.rx = 0; this.pages = 0; this.state = RX_EMPTY; }
}

export class EndpointTable {
  readonly count: number;
  /** Endpoint ID per slot (slot 0 = 0, the NS endpoint). */
  readonly id: Int32Array;
  /** Negotiated (or manifest) FF-A version; 0 = none (FFA_VERSION_NULL, TF-A's NWd start value). */
  readonly version: Int32Array;
  /** The negotiation phase is over (an ABI other than FFA_VERSION was called). */
  readonly negotiated: Uint8Array;
  readonly mailbox: EndpointMailbox[];
  // --- partitions (slot >= 1) ---
  readonly state: Uint8Array;
  readonly model: Uint8Array;
  /** Slot that sent the direct request being handled (DirReq model), or -1. */
  readonly origin: Int32Array;
  /** Endpoint ID (the w1 sender) of the request being handled. */
  readonly originId: Int32Array;
  /** The request being handled came by DIRECT_REQ2 (so the answer must be DIRECT_RESP2). */
  readonly req2: Uint8Array;
  /** Slot that gave CPU cycles by FFA_RUN (Run model), or -1. */
  readonly runner: Int32Array;
  readonly block: Uint8Array;
  /** Slot this partition waits on (BlockKind.Request / Run), or -1. */
  readonly blockedOn: Int32Array;
  /** UUID as the four PARTITION_INFO_GET words w1..w4 (4 per slot). */
  readonly uuidWords: Int32Array;
  readonly properties: Int32Array;
  readonly contexts: Int32Array;

  constructor(partitions: readonly PartitionConfig[]) {
    const n = partitions.length + 1;
    this.count = n;
    this.id = new Int32Array(n);
    this.version = new Int32Array(n);
    this.negotiated = new Uint8Array(n);
    this.mailbox = Array.from({ length: n }, () => new EndpointMailbox());
    this.state = new Uint8Array(n);
    this.model = new Uint8Array(n);
    this.origin = new Int32Array(n).fill(-1);
    this.originId = new Int32Array(n).fill(-1);
    this.req2 = new Uint8Array(n);
    this.runner = new Int32Array(n).fill(-1);
    this.block = new Uint8Array(n);
    this.blockedOn = new Int32Array(n).fill(-1);
    this.uuidWords = new Int32Array(4 * n);
    this.properties = new Int32Array(n);
    this.contexts = new Int32Array(n);
    partitions.forEach((p, i) => {
      const slot = i + 1;
      this.id[slot] = p.id;
      const dv = new DataView(p.uuid.buffer, p.uuid.byteOffset, 16);
      for (let k = 0; k < 4; k++) this.uuidWords[4 * slot + k] = dv.getInt32(4 * k, true);
      this.properties[slot] = p.properties | 0;
      this.contexts[slot] = p.executionContexts;
    });
  }

  /** Slot of a partition by endpoint ID, or -1 (slot 0 is never returned: it is not a partition). */
  slotOf(id: number): number {
    const ids = this.id;
    for (let i = 1; i < ids.length; i++) if (ids[i] === id) return i;
    return -1;
  }

  /** UUID words of slot equal to (a, b, c, d). */
  uuidIs(slot: number, a: number, b: number, c: number, d: number): boolean {
    const u = this.uuidWords, o = 4 * slot;
    return u[o] === (a | 0) && u[o + 1] === (b | 0) && u[o + 2] === (c | 0) && u[o + 3] === (d | 0);
  }
}
