/**
 * Behaviour `echo` (vector-format.md "partitions"): FFA_MSG_SEND_DIRECT_REQ is answered with
 * FFA_MSG_SEND_DIRECT_RESP of the same width (w3-w7 / x3-x7 unchanged), DIRECT_REQ2 with DIRECT_RESP2
 * (x4-x17 unchanged); w1 has sender and receiver swapped, w2 is 0.
 */
import * as A from '../../ffa/abi.js';
import { DirectKind, type PartitionBehaviour } from './api.js';
import { type SnapshotState, StateReader, StateWriter } from '../../state/snapshot-codec.js';
// FF-A IDs as module constants: V8 folds these into the code, while an imported binding is a load
// through its module cell on every use (docs/speed.md, "module constants").
const { FFA_MSG_SEND_DIRECT_RESP, FFA_MSG_SEND_DIRECT_RESP2, FFA_MSG_SEND_DIRECT_RESP_64 } = A;

export class EchoBehaviour implements PartitionBehaviour, SnapshotState {
  readonly name = 'echo';

  onDirectRequest(s: Int32Array, kind: DirectKind): void {
    // Response FID: REQ_32 0x8400006F -> RESP_32 0x84000070, REQ_64 -> RESP_64, REQ2 0xC400008D -> RESP2.
    s[0] = kind === DirectKind.Req32 ? FFA_MSG_SEND_DIRECT_RESP | 0
      : kind === DirectKind.Req64 ? FFA_MSG_SEND_DIRECT_RESP_64 | 0 : FFA_MSG_SEND_DIRECT_RESP2 | 0;
    s[1] = 0;
    // w1 = receiver << 16 | sender (v1.0 §10.3: the responder is the sender of the response).
    const w1 = s[2]!;
    s[2] = (w1 << 16) | (w1 >>> 16);
    s[3] = 0;
    // w2 = 0 (partition message); for RESP2 x2/x3 are reserved (MBZ) instead of w2 flags.
    s[4] = 0; s[5] = 0;
    if (kind === DirectKind.Req2) { s[6] = 0; s[7] = 0; }
  }

  /** Echo keeps no state: an empty, versioned payload (snapshots; state/snapshot-codec.ts). */
  saveState(): Uint8Array { return new StateWriter(1).finish(); }
  loadState(bytes: Uint8Array): void { new StateReader('echo behaviour', 1, bytes).end(); }
}
