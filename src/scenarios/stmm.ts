/**
 * A StandaloneMM-like partition behaviour for the scenarios, and the host side of its protocol.
 *
 * Real EFI variable services over StMM use MM_COMMUNICATE with a shared buffer (edk2, U-Boot's FF-A
 * MM transport); what function ID width, buffer and status codes a firmware uses at runtime is
 * UNVERIFIED (reference pkvm-ffa.md 7(d), 9). The scenarios need only "a direct request to the StMM
 * partition, answered with an EFI status", so the protocol here is a register-only stand-in:
 *
 *   request  FFA_MSG_SEND_DIRECT_REQ_64  x3 = STMM_GET_VARIABLE_SIZE, x4..x6 = the variable name,
 *                                        ASCII, little-endian, zero padded (up to 24 characters)
 *   response FFA_MSG_SEND_DIRECT_RESP_64 x3 = EFI status, x4 = the variable's size in bytes
 *
 * A size query for an existing variable returns EFI_BUFFER_TOO_SMALL with its size (what GetVariable
 * does with a zero-sized buffer); an absent one EFI_NOT_FOUND; an unknown request EFI_UNSUPPORTED.
 */
import * as A from '../ffa/abi.js';
import { EFI_BUFFER_TOO_SMALL, EFI_ERROR_BIT, EFI_NOT_FOUND, type EfiVarService } from '../firmware/host/kernel.js';
import { DirectKind, type PartitionBehaviour } from '../firmware/partitions/api.js';
import { type SnapshotState, StateReader, StateWriter } from '../state/snapshot-codec.js';

/** x3 of a GetVariable size query. */
export const STMM_GET_VARIABLE_SIZE = 0x5354_4d01n;
export const EFI_UNSUPPORTED = EFI_ERROR_BIT | 3n;

/** The partition's variables (name -> size in bytes): db and dbx present, the shim's MOK lists absent. */
export const STMM_DEFAULT_VARIABLES: Readonly<Record<string, number>> = { db: 0x3a2, dbx: 0x2a4c };

/** Name -> x4..x6. */
export function encodeVariableName(name: string): bigint[] {
  if (name.length > 24 || !/^[\x20-\x7e]*$/.test(name)) throw new RangeError(`variable name "${name}" is not up to 24 printable ASCII characters`);
  const out = [0n, 0n, 0n];
  for (let i = 0; i < name.length; i++) out[i >> 3]! |= BigInt(name.charCodeAt(i)) << BigInt(8 * (i & 7));
  return out;
}

/** x4..x6 -> name. */
export function decodeVariableName(words: readonly bigint[]): string {
  let s = '';
  for (let i = 0; i < 24; i++) {
    const c = Number((words[i >> 3]! >> BigInt(8 * (i & 7))) & 0xffn);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

const get64 = (r: Int32Array, n: number): bigint => (BigInt(r[2 * n + 1]! >>> 0) << 32n) | BigInt(r[2 * n]! >>> 0);
const set64 = (r: Int32Array, n: number, v: bigint): void => {
  const x = BigInt.asUintN(64, v);
  r[2 * n] = Number(x & 0xffffffffn) | 0;
  r[2 * n + 1] = Number(x >> 32n) | 0;
};

/** The partition side (behaviour "stmm"). A cold path: it allocates freely. */
export class StmmBehaviour implements PartitionBehaviour, SnapshotState {
  readonly name = 'stmm';
  /** Requests seen: variable names, in order. */
  readonly seen: string[] = [];

  constructor(private readonly variables: Readonly<Record<string, number>> = STMM_DEFAULT_VARIABLES) {}

  onDirectRequest(r: Int32Array, kind: DirectKind): void {
    const w1 = r[2]!;
    const op = get64(r, 3);
    let status = EFI_UNSUPPORTED, size = 0n;
    if (kind !== DirectKind.Req2 && op === STMM_GET_VARIABLE_SIZE) {
      const name = decodeVariableName([get64(r, 4), get64(r, 5), get64(r, 6)]);
      this.seen.push(name);
      const n = this.variables[name];
      if (n === undefined) status = EFI_NOT_FOUND;
      else { status = EFI_BUFFER_TOO_SMALL; size = BigInt(n); }
    }
    r[0] = kind === DirectKind.Req32 ? A.FFA_MSG_SEND_DIRECT_RESP | 0 : kind === DirectKind.Req64 ? A.FFA_MSG_SEND_DIRECT_RESP_64 | 0 : A.FFA_MSG_SEND_DIRECT_RESP2 | 0;
    r[1] = 0;
    r[2] = (w1 << 16) | (w1 >>> 16); r[3] = 0;
    r[4] = 0; r[5] = 0;
    for (let i = 3; i < 18; i++) set64(r, i, 0n);
    set64(r, 3, status);
    set64(r, 4, size);
  }

  /** Snapshots (state/snapshot-codec.ts): the variables it was built with (checked), then what it saw. */
  saveState(): Uint8Array {
    const w = new StateWriter(1);
    const names = Object.keys(this.variables).sort();
    w.strs(names); for (const n of names) w.f64(this.variables[n]!);
    w.strs(this.seen);
    return w.finish();
  }
  loadState(bytes: Uint8Array): void {
    const r = new StateReader('stmm behaviour', 1, bytes);
    const names = Object.keys(this.variables).sort();
    const snapNames = r.strs('variables', 1 << 16);
    if (snapNames.join('\0') !== names.join('\0')) r.mismatch('variables', snapNames, names);
    for (const n of names) r.cfgNum(`variable ${n} size`, this.variables[n]!);
    const seen = r.strs('seen', 1 << 24);
    r.end();
    this.seen.length = 0; this.seen.push(...seen);
  }
}

/** The host side: how load_uefi_certs' firmware asks partition `partition` for a variable. */
export function stmmVarService(partition: number): EfiVarService {
  return {
    partition,
    request: (name) => [STMM_GET_VARIABLE_SIZE, ...encodeVariableName(name)],
    status: (reply) => reply[0] ?? EFI_UNSUPPORTED,
  };
}
