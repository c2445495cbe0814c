/**
 * Partition runtime states and models (DEN0077A v1.1 ch.7-8 / v1.2 ch.8; ffa-abi.md 7.3-7.4):
 * FFA_MSG_WAIT, FFA_RUN, FFA_YIELD, FFA_INTERRUPT, FFA_ERROR, partition-to-partition direct requests,
 * call chains, and the secure virtual instance ABIs partitions call (ID_GET, SPM_ID_GET, FEATURES,
 * CONSOLE_LOG). The partitions are native behaviours written for these tests.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import type { World, WorldPartitionSpec } from '../../../src/machine/world.js';
import { DirectKind, type PartitionBehaviour, type PartitionServices } from '../../../src/firmware/partitions/api.js';
import { EchoBehaviour } from '../../../src/firmware/partitions/echo.js';
import { RtState } from '../../../src/firmware/spmc/endpoints.js';
import { SPMC_PLACEMENTS, UUID1, UUID2, bootWorld, expectError, expectSuccess, smc, version } from './helpers.js';

const SEND = A.FFA_PARTITION_DIRECT_REQ_RECV | A.FFA_PARTITION_DIRECT_REQ_SEND | A.FFA_PARTITION_AARCH64_EXEC |
  A.FFA_PARTITION_DIRECT_REQ2_RECV | A.FFA_PARTITION_DIRECT_REQ2_SEND;

function set(s: Int32Array, n: number, v: number | bigint): void {
  const x = BigInt.asUintN(64, BigInt(v));
  s[2 * n] = Number(x & 0xffffffffn) | 0; s[2 * n + 1] = Number(x >> 32n) | 0;
}
function get(s: Int32Array, n: number): bigint { return (BigInt(s[2 * n + 1]! >>> 0) << 32n) | BigInt(s[2 * n]! >>> 0); }
function clear(s: Int32Array): void { s.fill(0, 0, 36); }

/** Respond to `sender` with DIRECT_RESP_64 carrying x3..x7. */
function respond(s: Int32Array, self: number, sender: number, ...vals: (number | bigint)[]): void {
  clear(s);
  set(s, 0, A.FFA_MSG_SEND_DIRECT_RESP_64);
  set(s, 1, (self << 16) | sender);
  vals.forEach((v, i) => set(s, 3 + i, v));
}

/** On a request, asks `w3` (another partition) with DIRECT_REQ_64 and reports its answer: x3 = its w0,
 *  x4 = its w2, x5 = its x3, x6 = its x4. w3 = 0: just echo. w3 = 0xFFFF: FFA_RUN `runTarget` instead. */
class Relay implements PartitionBehaviour {
  readonly name = 'relay';
  onDirectRequest(s: Int32Array, kind: DirectKind, sender: number, svc: PartitionServices): void {
    const target = s[6]! & 0xffff;
    if (target === 0) { new EchoBehaviour().onDirectRequest(s, kind); return; }
    const self = svc.endpointId;
    clear(s);
    if (target === 0xffff) {
      set(s, 0, A.FFA_RUN);
      set(s, 1, (this.runTarget << 16) >>> 0);
    } else {
      set(s, 0, A.FFA_MSG_SEND_DIRECT_REQ_64);
      set(s, 1, (self << 16) | target);
      set(s, 3, this.next);
      set(s, 4, 0xabc);
    }
    svc.ffaCall();
    const a = [get(s, 0) & 0xffffffffn, get(s, 2) & 0xffffffffn, get(s, 3), get(s, 4)];
    respond(s, self, sender, ...a);
  }
  /** What the relayed-to partition is asked to do (its w3). */
  constructor(readonly next = 0, readonly runTarget = 0) {}
}

/** Yields on each request; when resumed (FFA_SUCCESS), echoes the saved request. */
class Yielder implements PartitionBehaviour {
  readonly name = 'yielder';
  private readonly saved = new Int32Array(36);
  private kind = DirectKind.Req64;
  yieldResult = 0;
  constructor(private readonly timeout = 0x1234) {}
  onDirectRequest(s: Int32Array, kind: DirectKind): void {
    this.saved.set(s.subarray(0, 36));
    this.kind = kind;
    clear(s);
    set(s, 0, A.FFA_YIELD);
    set(s, 2, this.timeout);   // timeout hint, low (v1.1+)
  }
  onOtherMessage(s: Int32Array): boolean {
    const fid = s[0]! >>> 0;
    if (fid !== A.FFA_SUCCESS && fid !== A.FFA_ERROR) return false;
    this.yieldResult = fid === A.FFA_ERROR ? s[4]! : 0;
    s.set(this.saved);
    new EchoBehaviour().onDirectRequest(s, this.kind);
    if (fid === A.FFA_ERROR) set(s, 4, this.yieldResult);
    return true;
  }
}

/** Runs a script of FF-A calls while handling a request and reports each result's w0/w2 in x3.. . */
class Prober implements PartitionBehaviour {
  readonly name = 'prober';
  constructor(private readonly calls: readonly (readonly (number | bigint)[])[], private readonly report: 'w0' | 'w2' | 'both' = 'both') {}
  onDirectRequest(s: Int32Array, _k: DirectKind, sender: number, svc: PartitionServices): void {
    const out: bigint[] = [];
    for (const c of this.calls) {
      clear(s);
      c.forEach((v, i) => set(s, i, v));
      svc.ffaCall();
      const w0 = get(s, 0) & 0xffffffffn, w2 = get(s, 2) & 0xffffffffn;
      out.push(this.report === 'w0' ? w0 : this.report === 'w2' ? w2 : (w0 << 32n) | w2);
    }
    respond(s, svc.endpointId, sender, ...out);
  }
}

/** Responds in a chosen wrong way first; when refused, records the error and answers properly. */
class BadResponder implements PartitionBehaviour {
  readonly name = 'bad-responder';
  refused = 0;
  private sender = 0;
  private self = 0;
  constructor(private readonly bad: (s: Int32Array, self: number, sender: number) => void) {}
  onDirectRequest(s: Int32Array, _k: DirectKind, sender: number, svc: PartitionServices): void {
    this.sender = sender; this.self = svc.endpointId;
    this.bad(s, svc.endpointId, sender);
  }
  onOtherMessage(s: Int32Array): boolean {
    if ((s[0]! >>> 0) !== A.FFA_ERROR) return false;
    this.refused = s[4]!;
    respond(s, this.self, this.sender, 0xde, BigInt.asUintN(64, BigInt(this.refused)));
    return true;
  }
}

const native = (id: number, uuid: string, behaviour: PartitionBehaviour, properties = SEND): WorldPartitionSpec =>
  ({ id, uuid, properties, impl: { kind: 'native', behaviour } });

function state(w: World, id: number): RtState {
  const ep = w.spmc!.ep;
  return ep.state[ep.slotOf(id)]! as RtState;
}

describe.each(SPMC_PLACEMENTS)('partition lifecycle, SPMC at %s', (spmc) => {
  const boot = (partitions: WorldPartitionSpec[], policy: 'spec' | 'hafnium' | 'tf-a' = 'spec', spmcVersion = A.FFA_VERSION_1_2) => {
    const w = bootWorld({ spmc, partitions, policy: { spmc: policy }, spmcVersion });
    version(w, spmcVersion);
    return w;
  };

  it('after boot every partition is WAITING (its FFA_MSG_WAIT ended initialisation)', () => {
    const w = boot([native(0x8001, UUID1, new EchoBehaviour()), native(0x8002, UUID2, new EchoBehaviour())]);
    expect(state(w, 0x8001)).toBe(RtState.Waiting);
    expect(state(w, 0x8002)).toBe(RtState.Waiting);
  });

  it('a failed initialisation (FFA_ERROR in SP_INIT) leaves the partition aborted: requests get ABORTED', () => {
    const failing: PartitionBehaviour = { name: 'fails', onInit: () => false, onDirectRequest: () => undefined };
    const w = boot([native(0x8001, UUID1, failing), native(0x8002, UUID2, new EchoBehaviour())]);
    expect(state(w, 0x8001)).toBe(RtState.Aborted);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]), A.FFA_RET_ABORTED);
    expect(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8002]).w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
  });

  it('FFA_RUN on a waiting partition: it gets FFA_RUN, waits again, and the NWd gets FFA_MSG_WAIT', () => {
    const w = boot([native(0x8001, UUID1, new EchoBehaviour())]);
    const r = smc(w, [A.FFA_RUN, 0x8001_0000]);
    expect(r.w(0)).toBe(A.FFA_MSG_WAIT);
    for (let i = 1; i < 8; i++) expect(r.w(i)).toBe(0);
    expect(state(w, 0x8001)).toBe(RtState.Waiting);
  });

  it('FFA_RUN errors: unknown endpoint, vCPU other than this PE, a NWd endpoint -> INVALID_PARAMETERS', () => {
    const w = boot([native(0x8001, UUID1, new EchoBehaviour())]);
    expectError(smc(w, [A.FFA_RUN, 0x8009_0000]), A.FFA_RET_INVALID_PARAMETERS);
    expectError(smc(w, [A.FFA_RUN, 0x8001_0001]), A.FFA_RET_INVALID_PARAMETERS);
    expectError(smc(w, [A.FFA_RUN, 0x0001_0000]), A.FFA_RET_INVALID_PARAMETERS);
  });

  it('FFA_YIELD while handling a request: the NWd gets FFA_YIELD, the partition is BLOCKED (BUSY to others), FFA_RUN resumes it', () => {
    const y = new Yielder();
    const w = boot([native(0x8001, UUID1, y)]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 77]);
    expect([r.w(0), r.w(1), r.w(2), r.w(3)]).toEqual([A.FFA_YIELD, 0x8001_0000, 0x1234, 0]);
    expect(state(w, 0x8001)).toBe(RtState.Blocked);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 1]), A.FFA_RET_BUSY);
    const done = smc(w, [A.FFA_RUN, 0x8001_0000]);
    expect([done.w(0), done.w(1)]).toEqual([A.FFA_MSG_SEND_DIRECT_RESP_64, 0x8001_0000]);
    expect(done.x[3]).toBe(77n);
    expect(state(w, 0x8001)).toBe(RtState.Waiting);
  });

  it('a v1.0 partition may not yield while handling a direct request (spec: DENIED; ACS v1.0)', () => {
    const y = new Yielder(0);
    const w = boot([native(0x8001, UUID1, y, A.FFA_PARTITION_DIRECT_REQ_RECV)], 'spec', A.FFA_VERSION_1_0);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, 5]);
    expect(r.w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP);
    expect(r.w(4) | 0).toBe(A.FFA_RET_DENIED);
  });

  it('TF-A has no FFA_YIELD: the partition\'s call is NOT_SUPPORTED', () => {
    const y = new Yielder();
    const w = boot([native(0x8001, UUID1, y)], 'tf-a');
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 5]);
    expect(r.w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
    expect(r.w(4) | 0).toBe(A.FFA_RET_NOT_SUPPORTED);
  });

  it('a Non-secure interrupt preempts the partition: FFA_INTERRUPT to the NWd, BUSY meanwhile, FFA_RUN resumes it', () => {
    const w = boot([native(0x8001, UUID1, new EchoBehaviour())]);
    w.machine.setIrqLine('irq', true);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 99]);
    expect([r.w(0), r.w(1), r.w(2)]).toEqual([A.FFA_INTERRUPT, 0x8001_0000, 0]);
    expect(state(w, 0x8001)).toBe(RtState.Preempted);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 1]), A.FFA_RET_BUSY);
    w.machine.setIrqLine('irq', false);
    const done = smc(w, [A.FFA_RUN, 0x8001_0000]);
    expect([done.w(0), done.w(1)]).toEqual([A.FFA_MSG_SEND_DIRECT_RESP_64, 0x8001_0000]);
    expect(done.x[3]).toBe(99n);
    expect(state(w, 0x8001)).toBe(RtState.Waiting);
  });

  it.each(['spec', 'tf-a'] as const)('FFA_ERROR from a partition handling a request cancels it: the requester gets the error (%s; TF-A ffa_error_handler)', (policy) => {
    const failer: PartitionBehaviour = {
      name: 'failer',
      onDirectRequest(s) { clear(s); set(s, 0, A.FFA_ERROR); set(s, 2, BigInt.asUintN(32, BigInt(A.FFA_RET_RETRY))); },
    };
    const w = boot([native(0x8001, UUID1, failer)], policy);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]), A.FFA_RET_RETRY);
    expect(state(w, 0x8001)).toBe(RtState.Waiting);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]), A.FFA_RET_RETRY);
  });

  it('Hafnium answers a partition\'s FFA_ERROR outside SP_INIT with NOT_SUPPORTED; the request stays pending until it responds', () => {
    // ffa_cpu_cycles_error_32: only FFA_ERROR(ABORTED) during initialisation is acted on.
    const b = new BadResponder((s) => { clear(s); set(s, 0, A.FFA_ERROR); set(s, 2, BigInt.asUintN(32, BigInt(A.FFA_RET_RETRY))); });
    const w = boot([native(0x8001, UUID1, b)], 'hafnium');
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]);
    expect(r.w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
    expect([r.w(3), r.w(4) | 0]).toEqual([0xde, A.FFA_RET_NOT_SUPPORTED]);
    expect(b.refused).toBe(A.FFA_RET_NOT_SUPPORTED);
    expect(state(w, 0x8001)).toBe(RtState.Waiting);
  });

  it('responses are checked: to the origin only, with the matching ABI, w2 = 0; refused ones get an FFA_ERROR', () => {
    const cases: [string, (s: Int32Array, self: number, sender: number) => void, number][] = [
      ['wrong receiver', (s, self) => respond(s, self, 0x0007), A.FFA_RET_DENIED],
      ['RESP2 to a REQ', (s, self, sender) => { respond(s, self, sender); set(s, 0, A.FFA_MSG_SEND_DIRECT_RESP2); }, A.FFA_RET_DENIED],
      ['w2 != 0', (s, self, sender) => { respond(s, self, sender); set(s, 2, 1); }, A.FFA_RET_INVALID_PARAMETERS],
      ['spoofed responder', (s, _self, sender) => respond(s, 0x8002, sender), A.FFA_RET_INVALID_PARAMETERS],
      ['x8 != 0 from a v1.2 responder', (s, self, sender) => { respond(s, self, sender); set(s, 8, 1); }, A.FFA_RET_INVALID_PARAMETERS],
      ['MSG_WAIT instead', (s) => { clear(s); set(s, 0, A.FFA_MSG_WAIT); }, A.FFA_RET_DENIED],
    ];
    for (const [what, bad, code] of cases) {
      const b = new BadResponder(bad);
      const w = boot([native(0x8001, UUID1, b), native(0x8002, UUID2, new EchoBehaviour())]);
      const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]);
      expect(r.w(0), what).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
      expect(r.w(3), what).toBe(0xde);
      expect(r.w(4) | 0, what).toBe(code);
    }
  });

  it('partition-to-partition: A asks B while handling the NWd\'s request (Hafnium, spec)', () => {
    const w = boot([native(0x8001, UUID1, new Relay(0)), native(0x8002, UUID2, new EchoBehaviour())]);
    const hops: number[] = [];
    w.machine.cpu.onExceptionEntry = (_c, from) => { hops.push(from); };
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x8002]);
    w.machine.cpu.onExceptionEntry = null;
    expect([r.w(0), r.w(1)]).toEqual([A.FFA_MSG_SEND_DIRECT_RESP_64, 0x8001_0000]);
    // A's report of B's answer: DIRECT_RESP_64, w2 = 0, B echoed x3 = 0 and x4 = 0xabc.
    expect(r.x.slice(3, 7)).toEqual([BigInt(A.FFA_MSG_SEND_DIRECT_RESP_64), 0n, 0n, 0xabcn]);
    // Four calls into the partition manager: NWd -> A -> B -> A -> NWd.
    expect(hops.length).toBe(spmc === 's-el1' ? 5 : 4);
  });

  it('TF-A EL3 SPMC: an SP may not send a direct request to another SP (INVALID_PARAMETERS)', () => {
    const w = boot([native(0x8001, UUID1, new Relay(0)), native(0x8002, UUID2, new EchoBehaviour())], 'tf-a');
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x8002]);
    expect([r.w(3), r.w(4) | 0]).toEqual([A.FFA_ERROR, A.FFA_RET_INVALID_PARAMETERS]);
  });

  it('a sender without the "sends direct requests" property: DENIED', () => {
    const w = boot([native(0x8001, UUID1, new Relay(0), A.FFA_PARTITION_DIRECT_REQ_RECV), native(0x8002, UUID2, new EchoBehaviour())]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x8002]);
    expect([r.w(3), r.w(4) | 0]).toEqual([A.FFA_ERROR, A.FFA_RET_DENIED]);
  });

  it('a request back into the call chain: the requester is not waiting -> BUSY (rule 7 before the cycle check)', () => {
    // NWd -> A (relay to B, telling B to relay to A) -> B -> A: A is BLOCKED.
    const w = boot([native(0x8001, UUID1, new Relay(0x8001)), native(0x8002, UUID2, new Relay(0))]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x8002]);
    expect(r.w(0)).toBe(A.FFA_MSG_SEND_DIRECT_RESP_64);
    // A's report of B's answer: B responded (RESP_64) with x3 = FFA_ERROR, x4 = BUSY from its request to A.
    expect([Number(r.x[3]), Number(r.x[4])]).toEqual([A.FFA_MSG_SEND_DIRECT_RESP_64, 0]);
    expect([Number(r.x[5] & 0xffffffffn), Number(BigInt.asIntN(32, r.x[6]!))]).toEqual([A.FFA_ERROR, A.FFA_RET_BUSY]);
    expect(state(w, 0x8001)).toBe(RtState.Waiting);
    expect(state(w, 0x8002)).toBe(RtState.Waiting);
  });

  it('FFA_RUN of a partition in the caller\'s call chain: DENIED', () => {
    // NWd -> A -> B; B runs A (blocked in its request to B).
    const w = boot([native(0x8001, UUID1, new Relay(0xffff)), native(0x8002, UUID2, new Relay(0, 0x8001))]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x8002]);
    expect([Number(r.x[5] & 0xffffffffn), Number(BigInt.asIntN(32, r.x[6]!))]).toEqual([A.FFA_ERROR, A.FFA_RET_DENIED]);
  });

  it('secure virtual instance calls: ID_GET, SPM_ID_GET, VERSION, FEATURES, PARTITION_INFO_GET_REGS', () => {
    const p = new Prober([
      [A.FFA_ID_GET], [A.FFA_SPM_ID_GET], [A.FFA_FEATURES, A.FFA_MSG_WAIT], [A.FFA_FEATURES, A.FFA_RX_ACQUIRE],
      [A.FFA_VERSION, A.FFA_VERSION_1_2],
    ], 'both');
    const w = boot([native(0x8001, UUID1, p)]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]);
    const ok = BigInt(A.FFA_SUCCESS) << 32n, er = BigInt(A.FFA_ERROR) << 32n;
    expect(r.x.slice(3, 8)).toEqual([
      ok | 0x8001n,                                   // its own ID
      ok | 0x8000n,                                   // the SPMC's
      ok,                                             // MSG_WAIT: a secure instance ABI
      er | 0xffffffffn,                               // RX_ACQUIRE: hypervisor only
      (BigInt(A.FFA_VERSION_1_2) << 32n),             // w0 = the version, w2 = 0
    ]);
  });

  it('FFA_CONSOLE_LOG (v1.2): characters to the secure console; count 0 or too many: INVALID_PARAMETERS', () => {
    const text = 'hello from SP';
    const packed: bigint[] = [];
    for (let i = 0; i < text.length; i += 8) {
      let v = 0n;
      for (let k = 0; k < 8 && i + k < text.length; k++) v |= BigInt(text.charCodeAt(i + k)) << BigInt(8 * k);
      packed.push(v);
    }
    const p = new Prober([
      [A.FFA_CONSOLE_LOG_64, text.length, ...packed],
      [A.FFA_CONSOLE_LOG, 2, 0x0a21],                 // "!\n"
      [A.FFA_CONSOLE_LOG, 0],
      [A.FFA_CONSOLE_LOG, 25],
      [A.FFA_CONSOLE_LOG_64, 129],
    ], 'w2');
    const w = boot([native(0x8001, UUID1, p)]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]);
    expect(r.x.slice(3, 8).map((v) => Number(BigInt.asIntN(32, v)))).toEqual([0, 0, A.FFA_RET_INVALID_PARAMETERS, A.FFA_RET_INVALID_PARAMETERS, A.FFA_RET_INVALID_PARAMETERS]);
    expect(w.consoleLog()).toBe('hello from SP!\n');
    // Not from the NWd.
    expectError(smc(w, [A.FFA_CONSOLE_LOG, 1, 0x41]), A.FFA_RET_NOT_SUPPORTED);
  });

  it('a partition maps its own RX/TX in secure RAM (second map DENIED) and discovers partitions into it (BUSY until released)', () => {
    const RXS = 0x0e80_0000n, TXS = 0x0e80_1000n;
    const p = new Prober([
      [A.FFA_RXTX_MAP_64, TXS, RXS, 1],
      [A.FFA_RXTX_MAP_64, TXS, RXS, 1],
      [A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0],
      [A.FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0],
      [A.FFA_RX_RELEASE],
    ], 'both');
    const w = boot([native(0x8001, UUID1, p), native(0x8002, UUID2, new EchoBehaviour())]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]);
    const ok = BigInt(A.FFA_SUCCESS) << 32n, er = BigInt(A.FFA_ERROR) << 32n;
    expect(r.x.slice(3, 8)).toEqual([ok, er | 0xfffffffan, ok | 2n, er | 0xfffffffcn, ok]);
    const rx = w.machine.bus.ram(Number(RXS), 48)!;
    expect([rx[0]! | (rx[1]! << 8), rx[24]! | (rx[25]! << 8)]).toEqual([0x8001, 0x8002]);
    expect(w.spmc!.mailboxOf(0x8001)!.rx).toBe(Number(RXS));
  });

  it('PSCI from the secure world is an unknown call (TF-A psci_smc_handler); SMCCC arch calls are answered', () => {
    const p = new Prober([[A.PSCI_VERSION], [A.SMCCC_VERSION]], 'w0');
    const w = boot([native(0x8001, UUID1, p)]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]);
    if (spmc === 'el3') {
      // An S-EL1 partition's SMC reaches the monitor.
      expect([r.x[3], r.x[4]]).toEqual([0xffffffffn, 0x10002n]);
    } else {
      // An S-EL0 partition's SVC reaches its SPMC, which implements FF-A only.
      expect([r.x[3], r.x[4]]).toEqual([BigInt(A.FFA_ERROR), BigInt(A.FFA_ERROR)]);
    }
  });

  it('MBZ registers of FFA_YIELD (w4-w7) and FFA_MSG_WAIT (w1, w3-w7, x8-x17 at v1.2) are checked first; a waiting call while handling a request is DENIED', () => {
    const p = new Prober([
      [A.FFA_YIELD, 0, 0, 0, 1],
      [A.FFA_MSG_WAIT, 1],
      [A.FFA_MSG_WAIT, 0, 0, 0, 0, 0, 0, 0, 1],
      [A.FFA_MSG_WAIT, 0, 2],
      [A.FFA_MSG_WAIT],
    ], 'w2');
    const w = boot([native(0x8001, UUID1, p)]);
    const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]);
    expect(r.x.slice(3, 8).map((v) => Number(BigInt.asIntN(32, v)))).toEqual([
      A.FFA_RET_INVALID_PARAMETERS, A.FFA_RET_INVALID_PARAMETERS, A.FFA_RET_INVALID_PARAMETERS,
      A.FFA_RET_INVALID_PARAMETERS, A.FFA_RET_DENIED,
    ]);
  });
});

describe('the S-EL1 SPMC and partition faults', () => {
  it('a partition that faults at S-EL0 is aborted; its requester gets ABORTED', () => {
    // UDF: an all-zero word, UNDEFINED (Arm ARM C6.2.387). Placed as a raw image at its entry.
    const w = bootWorld({
      spmc: 's-el1',
      partitions: [
        { id: 0x8001, uuid: UUID1, impl: { kind: 'image', bytes: new Uint8Array(4), loadAddress: 0x0e10_0000n } },
        { id: 0x8002, uuid: UUID2 },
      ],
    });
    expect(state(w, 0x8001)).toBe(RtState.Aborted);
    expect(w.spmcComponent!.faults[0]!.esr >>> 26).toBe(0x00);
    expectError(smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001]), A.FFA_RET_ABORTED);
    expectSuccess(smc(w, [A.FFA_ID_GET]), 0);
  });
});
