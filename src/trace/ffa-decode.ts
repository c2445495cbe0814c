/**
 * Decoding SMC/HVC calls and their results for people (traces, API hook events): function names
 * from ffa/abi.ts, sender/receiver of the messages that carry them in w1 (DEN0077A: direct
 * messages, FFA_MSG_SEND, FFA_RUN/FFA_INTERRUPT target info), and the result word.
 */
import * as A from '../ffa/abi.js';
import { callName, isFfaCall } from './calls.js';

/** FF-A functions whose w1 is sender << 16 | receiver. */
const W1_SENDER_RECEIVER = new Set<number>([
  A.FFA_MSG_SEND_DIRECT_REQ, A.FFA_MSG_SEND_DIRECT_REQ_64, A.FFA_MSG_SEND_DIRECT_RESP, A.FFA_MSG_SEND_DIRECT_RESP_64,
  A.FFA_MSG_SEND_DIRECT_REQ2, A.FFA_MSG_SEND_DIRECT_RESP2, A.FFA_MSG_SEND,
]);

export interface DecodedCall {
  /** "FFA_MSG_SEND_DIRECT_REQ_64", "PSCI_VERSION", or the ID in hex. */
  name: string;
  fid: number;
  ffa: boolean;
  /** Endpoint IDs when the function carries them in w1 (else undefined). */
  sender?: number;
  receiver?: number;
}

/** Decode a call from w0 (function ID) and w1. */
export function decodeCall(w0: number, w1: number): DecodedCall {
  const fid = w0 >>> 0;
  const out: DecodedCall = { name: callName(fid), fid, ffa: isFfaCall(fid) };
  if (W1_SENDER_RECEIVER.has(fid)) { out.sender = A.ffaSender(w1); out.receiver = A.ffaReceiver(w1); }
  return out;
}

/**
 * The result of call `fid` as text, from x0 and w2: "FFA_SUCCESS_64", "FFA_ERROR(DENIED)",
 * "FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000", "v1.2" for FFA_VERSION, a number for SMCCC/PSCI.
 */
export function describeResult(fid: number, x0: bigint, w1: number, w2: number): string {
  const r0 = Number(x0 & 0xffffffffn) >>> 0;
  if (fid >>> 0 === A.FFA_VERSION) {
    return (r0 | 0) < 0 ? 'NOT_SUPPORTED' : `v${A.ffaVersionString(r0)}`;
  }
  if (r0 === A.FFA_ERROR || r0 === A.FFA_ERROR_64) return `FFA_ERROR(${A.ffaStatusName(w2 | 0) ?? (w2 | 0)})`;
  const name = A.ffaFunctionName(r0);
  if (name !== undefined) {
    if (W1_SENDER_RECEIVER.has(r0)) return `${name} ${hex16(A.ffaSender(w1))}->${hex16(A.ffaReceiver(w1))}`;
    return name;
  }
  const v = BigInt.asIntN(64, x0);
  return v < 0n ? v.toString() : `0x${x0.toString(16)}`;
}

/** The name of an FF-A status (x2 of FFA_ERROR), if `x0` is FFA_ERROR. */
export function resultError(x0: bigint, w2: number): string | undefined {
  const r0 = Number(x0 & 0xffffffffn) >>> 0;
  if (r0 !== A.FFA_ERROR && r0 !== A.FFA_ERROR_64) return undefined;
  return A.ffaStatusName(w2 | 0) ?? String(w2 | 0);
}

export const hex16 = (v: number): string => `0x${(v & 0xffff).toString(16).padStart(4, '0')}`;
