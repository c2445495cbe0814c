/**
 * Example: a secure partition written in TypeScript (a key-value store), registered in an FF-A world
 * with its own endpoint ID and UUID, found by the host with FFA_PARTITION_INFO_GET and used with
 * FFA_MSG_SEND_DIRECT_REQ_64.
 * Run: npx tsx docs/examples/custom-partition.ts
 *
 * The partition implements `PartitionBehaviour` (src/firmware/partitions/api.ts): the world hosts it
 * as a native component at S-EL0 under the S-EL1 SPMC (or at S-EL1 under the EL3 SPMC), which runs
 * the FF-A partition loop (FFA_MSG_WAIT, then one response per request) through real exceptions.
 * The behaviour only computes: a request arrives in x0-x17 and the response is written in place.
 *
 * The service's protocol (ours, carried in the FF-A direct message payload, DEN0077A v1.2 §15.2):
 *   x3 = operation: 1 PUT (x4 key, x5 value), 2 GET (x4 key), 3 DELETE (x4 key), 4 COUNT
 *   answer: FFA_MSG_SEND_DIRECT_RESP_64 with x3 = status (0, or an FF-A status code as an int64),
 *           x4 = the value (GET), the previous value (PUT, DELETE) or the number of entries (COUNT).
 * Service-level failures (unknown key, store full, bad operation) are answered with a direct
 * response carrying the status, as Hafnium's and TF-A's test partitions do: a partition handling a
 * direct request owes its caller a DIRECT_RESP (v1.2 §8.3, the DIR_REQ runtime model). Requests that
 * are wrong at the FF-A level never reach the partition: the SPMC refuses them with FFA_ERROR
 * (an unknown receiver: INVALID_PARAMETERS; DIRECT_REQ2 to a partition whose properties lack bit 9:
 * DENIED; v1.2 §15.2, §15.4, Table 6.1 partition properties). With pKVM at EL2 the DIRECT_REQ2 does
 * not even get that far: pKVM refuses FF-A v1.2's optional ABIs with NOT_SUPPORTED (Linux
 * arch/arm64/kvm/hyp/nvhe/ffa.c, ffa_call_supported).
 */
import { DirectKind, FFA, type PartitionBehaviour, createWorld, wrapMachine } from '../../src/index.js';

/** The key-value store: 16 entries of 64-bit keys and values, kept as 32-bit halves (no BigInt, no allocation per request). */
export class KvStore implements PartitionBehaviour {
  readonly name = 'kv-store';
  static readonly PUT = 1; static readonly GET = 2; static readonly DELETE = 3; static readonly COUNT = 4;
  private readonly keys = new Int32Array(32);     // [lo, hi] per entry; key 0 marks a free slot
  private readonly values = new Int32Array(32);
  private count = 0;

  onDirectRequest(r: Int32Array, kind: DirectKind): void {
    // Register slots: x(n) is r[2n] (low half) and r[2n + 1] (high half).
    const op = r[6]!, klo = r[8]!, khi = r[9]!, vlo = r[10]!, vhi = r[11]!;
    // Answer with the response of the request's width (REQ_32 -> RESP_32, REQ_64 -> RESP_64, v1.2 §15.3).
    r[0] = kind === DirectKind.Req32 ? FFA.FFA_MSG_SEND_DIRECT_RESP | 0 : FFA.FFA_MSG_SEND_DIRECT_RESP_64 | 0; r[1] = 0;
    const w1 = r[2]!;
    r[2] = (w1 << 16) | (w1 >>> 16); r[3] = 0;           // w1 = receiver << 16 | sender, swapped (v1.2 §15.3)
    r[4] = 0; r[5] = 0;                                   // w2 = 0: a partition message, not a framework one
    for (let i = 6; i < 16; i++) r[i] = 0;                // x3-x7 (x8-x17 arrive zero and stay so)
    if (kind !== DirectKind.Req64) return this.status(r, FFA.FFA_RET_NOT_SUPPORTED);   // 64-bit keys need x registers
    if (op === KvStore.COUNT) { r[8] = this.count; return; }
    if (op < KvStore.PUT || op > KvStore.DELETE) return this.status(r, FFA.FFA_RET_NOT_SUPPORTED);
    if ((klo | khi) === 0) return this.status(r, FFA.FFA_RET_INVALID_PARAMETERS);      // key 0 is reserved
    let slot = -1, free = -1;
    for (let i = 0; i < 16; i++) {
      if (this.keys[2 * i] === klo && this.keys[2 * i + 1] === khi) { slot = i; break; }
      if (free < 0 && (this.keys[2 * i]! | this.keys[2 * i + 1]!) === 0) free = i;
    }
    if (slot >= 0) { r[8] = this.values[2 * slot]!; r[9] = this.values[2 * slot + 1]!; }
    if (op === KvStore.GET) { if (slot < 0) this.status(r, FFA.FFA_RET_NO_DATA); return; }
    if (op === KvStore.DELETE) {
      if (slot < 0) return this.status(r, FFA.FFA_RET_NO_DATA);
      this.keys[2 * slot] = 0; this.keys[2 * slot + 1] = 0; this.count--;
      return;
    }
    if (slot < 0) {                                       // PUT of a new key
      if (free < 0) return this.status(r, FFA.FFA_RET_NO_MEMORY);
      slot = free; this.count++;
      this.keys[2 * slot] = klo; this.keys[2 * slot + 1] = khi;
    }
    this.values[2 * slot] = vlo; this.values[2 * slot + 1] = vhi;
  }

  /** x3 = an FF-A status code, sign-extended to 64 bits. */
  private status(r: Int32Array, code: number): void { r[6] = code; r[7] = code < 0 ? -1 : 0; }
}

export const KV_ID = 0x8002;
export const KV_UUID = '6c2a1f9e-3b7d-4e51-9a0c-7f4d2b8e1a35';

export interface PartitionInfo { id: number; executionContexts: number; properties: number; uuid: string }
export interface CustomPartitionResult {
  /** FFA_PARTITION_INFO_GET with the Nil UUID: every partition. */
  all: PartitionInfo[];
  /** FFA_PARTITION_INFO_GET by our UUID: the descriptors found in the RX buffer. */
  found: PartitionInfo[];
  /** Descriptor size reported in w3 (v1.1+: 24 bytes). */
  descriptorSize: number;
  /** Each direct request: what was asked, w0 of the answer (name), x3 (status) and x4. */
  calls: { what: string; w0: string; w1: number; status: bigint; x4: bigint }[];
  /** Requests the SPMC refused before the partition ran: [what, FFA_ERROR code]. */
  refused: [string, number][];
}

export function main(opts: { el2?: 'pkvm' | 'none'; spmc?: 's-el1' | 'el3' } = {}, log: (line: string) => void = console.log): CustomPartitionResult {
  const store = new KvStore();
  const world = createWorld({
    el2: opts.el2 ?? 'pkvm', spmc: opts.spmc ?? 's-el1',
    partitions: [
      { id: 0x8001, uuid: 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb', behaviour: 'echo' },
      {
        id: KV_ID, uuid: KV_UUID, executionContexts: 1,
        // Receives direct requests (bit 0), AArch64 (bit 8); not DIRECT_REQ2 (bit 9 clear).
        properties: FFA.FFA_PARTITION_DIRECT_REQ_RECV | FFA.FFA_PARTITION_AARCH64_EXEC,
        impl: { kind: 'native', behaviour: store },
      },
    ],
  });
  const emu = wrapMachine(world.machine);
  world.boot();
  const name = (w0: bigint): string => FFA.ffaFunctionName(Number(w0 & 0xffffffffn)) ?? `0x${w0.toString(16)}`;
  const smc = (args: bigint[]): bigint[] => world.smc(args).x;

  // FF-A setup as Linux's driver does it: FFA_VERSION, then RX/TX buffers (one 4 KiB page each, in
  // host DRAM; vector-format.md "memory available to vectors").
  const v = smc([BigInt(FFA.FFA_VERSION), 0x10002n]);
  log(`FFA_VERSION(1.2) -> 0x${v[0]!.toString(16)}`);
  const TX = 0x4010_0000n, RX = 0x4010_1000n;
  const map = smc([BigInt(FFA.FFA_RXTX_MAP_64), TX, RX, 1n]);
  if ((map[0]! & 0xffffffffn) !== BigInt(FFA.FFA_SUCCESS)) throw new Error(`FFA_RXTX_MAP_64 failed: ${name(map[0]!)} ${BigInt.asIntN(32, map[2]!)}`);

  // FFA_PARTITION_INFO_GET (v1.2 §13.8): the UUID's 16 bytes in w1-w4 as little-endian words (all
  // zero: the Nil UUID, every partition); the answer is FFA_SUCCESS_32 with w2 = count, w3 =
  // descriptor size, and the descriptors in our RX buffer, which we release afterwards (§13.5).
  let descriptorSize = 0;
  const partitionInfo = (uuid: string): PartitionInfo[] => {
    const hex = uuid.replace(/-/g, '');
    const words = [0, 1, 2, 3].map((i) => BigInt(parseInt(hex.slice(8 * i, 8 * i + 8).match(/../g)!.reverse().join(''), 16)));
    const x = smc([BigInt(FFA.FFA_PARTITION_INFO_GET), ...words, 0n]);
    if ((x[0]! & 0xffffffffn) !== BigInt(FFA.FFA_SUCCESS)) throw new Error(`FFA_PARTITION_INFO_GET failed: ${name(x[0]!)} ${BigInt.asIntN(32, x[2]!)}`);
    const count = Number(x[2]!);
    descriptorSize = Number(x[3]!);
    const rx = emu.memRead(RX, count * descriptorSize);
    smc([BigInt(FFA.FFA_RX_RELEASE)]);
    const dv = new DataView(rx.buffer, rx.byteOffset, rx.byteLength);
    const out: PartitionInfo[] = [];
    for (let i = 0; i < count; i++) {
      // Partition information descriptor (v1.1 Table 13.37): ID u16, execution contexts u16, properties u32, UUID [16].
      const o = i * descriptorSize;
      const u = Array.from(rx.subarray(o + 8, o + 24), (b) => b.toString(16).padStart(2, '0')).join('');
      out.push({
        id: dv.getUint16(o, true), executionContexts: dv.getUint16(o + 2, true), properties: dv.getUint32(o + 4, true),
        uuid: `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`,
      });
    }
    return out;
  };
  const NIL = '00000000-0000-0000-0000-000000000000';
  const all = partitionInfo(NIL);
  for (const p of all) log(`partition 0x${p.id.toString(16)} uuid ${p.uuid} properties 0x${p.properties.toString(16)}`);
  // Asked by UUID, the SPMC returns the matching partitions with the UUID field zero (v1.1 §13.8: it
  // is only filled in for a Nil-UUID query; TF-A and Hafnium do the same).
  const found = partitionInfo(KV_UUID);
  log(`FFA_PARTITION_INFO_GET(${KV_UUID}) -> ${found.map((p) => `0x${p.id.toString(16)}`).join(', ')}`);
  const target = found[0];
  if (found.length !== 1 || target === undefined) throw new Error(`expected one partition with UUID ${KV_UUID}, found ${found.length}`);

  // Direct requests from the host (endpoint 0) to the partition it found.
  const calls: CustomPartitionResult['calls'] = [];
  const req = (what: string, op: number, key = 0n, value = 0n, fid = FFA.FFA_MSG_SEND_DIRECT_REQ_64): void => {
    const x = smc([BigInt(fid), BigInt(target.id), 0n, BigInt(op), key, value]);
    const w0 = name(x[0]!);
    // The status is x3, or w3 for a 32-bit response (SMC32: the upper halves are not part of it).
    const status = w0 === 'FFA_MSG_SEND_DIRECT_RESP' ? BigInt.asIntN(32, x[3]!) : BigInt.asIntN(64, x[3]!);
    const c = { what, w0, w1: Number(x[1]! & 0xffffffffn), status, x4: x[4]! };
    calls.push(c);
    log(`${what.padEnd(22)} -> ${c.w0} w1=0x${c.w1.toString(16).padStart(8, '0')} status=${c.status} x4=0x${c.x4.toString(16)}`);
  };
  req('PUT 7 = 0xcafe', KvStore.PUT, 7n, 0xcafen);
  req('PUT 2^63+1 = 42', KvStore.PUT, (1n << 63n) + 1n, 42n);
  req('GET 7', KvStore.GET, 7n);
  req('PUT 7 = 0xbeef', KvStore.PUT, 7n, 0xbeefn);
  req('GET 2^63+1', KvStore.GET, (1n << 63n) + 1n);
  req('COUNT', KvStore.COUNT);
  req('DELETE 7', KvStore.DELETE, 7n);
  req('GET 7 (deleted)', KvStore.GET, 7n);
  req('PUT key 0', KvStore.PUT, 0n, 1n);
  req('operation 9', 9);
  req('GET 7 by DIRECT_REQ_32', KvStore.GET, 7n, 0n, FFA.FFA_MSG_SEND_DIRECT_REQ);

  // FF-A-level mistakes: the SPMC answers FFA_ERROR and the partition never runs.
  const refused: [string, number][] = [];
  const refuse = (what: string, args: bigint[]): void => {
    const x = smc(args);
    const code = name(x[0]!) === 'FFA_ERROR' ? Number(BigInt.asIntN(32, x[2]!)) : 0;
    refused.push([what, code]);
    log(`${what.padEnd(22)} -> ${name(x[0]!)}(${FFA.ffaStatusName(code) ?? code})`);
  };
  refuse('REQ_64 to 0x8009', [BigInt(FFA.FFA_MSG_SEND_DIRECT_REQ_64), 0x8009n, 0n, 2n, 7n]);
  refuse('REQ2 to the store', [BigInt(FFA.FFA_MSG_SEND_DIRECT_REQ2), BigInt(KV_ID), 0n, 0n, 2n, 7n]);
  log(`the partition handled ${calls.length} requests; world policy ${world.spec.policy.spmc}, SPMC ${world.spec.spmc}, EL2 ${world.spec.el2}`);
  return { all, found, descriptorSize, calls, refused };
}

if (import.meta.url === `file://${process.argv[1]}`) main();
