/**
 * The native secure-partition API: what a partition written in TypeScript implements. A partition is
 * hosted by `NativePartition` (native.ts), a NativeComponent at S-EL0 (under the S-EL1 SPMC, FF-A
 * calls by SVC #0) or S-EL1 (under the EL3 SPMC, calls by SMC #0). The host runs the FF-A message loop
 * (FFA_MSG_WAIT, then a response per request) through real exceptions; the behaviour only computes.
 */

/** Which direct-request ABI delivered a message (v1.0 §10.2, v1.2 §15.4). */
export const enum DirectKind {
  Req32 = 0,
  Req64 = 1,
  Req2 = 2,
}

/** FF-A calls a behaviour may make while it handles a message (a nested SVC/SMC to its SPMC). */
export interface PartitionServices {
  /** This partition's endpoint ID. */
  readonly endpointId: number;
  /**
   * Issue an FF-A call with x0-x17 as currently set in `regs` and wait for its answer (for example a
   * direct request to another partition). `regs` holds the answer afterwards. Nested: a cold path.
   * The answer must come back to this partition without control passing through the Normal world
   * (a nested run unwinds in order): do not FFA_YIELD or get preempted inside it; return the call as
   * the handler's result instead (onOtherMessage then gets the answer).
   */
  ffaCall(): void;
}

export interface PartitionBehaviour {
  readonly name: string;
  /**
   * A direct request arrived in x0-x17 (slots 0..35 of `regs`, low half first). Write the response
   * in place: x0 = the response FID (or FFA_ERROR / FFA_YIELD ...), and the other registers as that
   * ABI defines. Allocation-free on the hot path.
   */
  onDirectRequest(regs: Int32Array, kind: DirectKind, sender: number, svc: PartitionServices): void;
  /**
   * Initialisation before the first FFA_MSG_WAIT (optional). Returning false reports a failed
   * initialisation: the partition calls FFA_ERROR instead of FFA_MSG_WAIT (v1.2 §8.3 SP_INIT).
   */
  onInit?(svc: PartitionServices): boolean | void;
  /**
   * A message that is not a direct request arrived (FFA_RUN, FFA_SUCCESS after FFA_YIELD, FFA_ERROR
   * refusing the partition's last call ...). Write the next call into `regs` and return true, or
   * return false to wait for the next message (FFA_MSG_WAIT). Optional: without it the partition
   * waits again.
   */
  onOtherMessage?(regs: Int32Array, svc: PartitionServices): boolean;
}

/** A behaviour by name (vector-format.md `behaviour`). */
export type BehaviourFactory = (id: number) => PartitionBehaviour;
