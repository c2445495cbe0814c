/**
 * World snapshots (machine/snapshot.ts, state/snapshot-codec.ts, world.saveSnapshot/restoreSnapshot):
 * a world saved between host calls (or in the middle of its boot) and restored into a NEW world built
 * with the same options runs on exactly as the original: same results of every later call, same CPU
 * state, memory, cycle count and the same state bytes of every component. The contract is the one
 * docs/api.md states ("Restoring and running on gives the same final state and cycle count as running
 * straight through"); the comparisons are against a world that ran straight through, never against
 * stored output.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as A from '../../src/ffa/abi.js';
import * as L from '../../src/state/layout.js';
import { encodeMemRelinquish, encodeMemRetrieveRequest, encodeMemTransaction } from '../../src/ffa/descriptors.js';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { createWorld, type World, type WorldSpec, type WorldPartitionSpec } from '../../src/machine/world.js';
import { parseSnapshot, saveSnapshot } from '../../src/machine/snapshot.js';
import { SnapshotFileError, readSnapshotFile, restoreSnapshotFile, saveSnapshotFile, writeSnapshotFile } from '../../src/machine/snapshot-file.js';
import { SnapshotError, StateReader, StateWriter, hasSnapshotState, type SnapshotState } from '../../src/state/snapshot-codec.js';
import { NativeComponent } from '../../src/firmware/component.js';
import { NativePartition } from '../../src/firmware/partitions/native.js';
import { DirectKind, type PartitionBehaviour, type PartitionServices } from '../../src/firmware/partitions/api.js';
import { EchoBehaviour } from '../../src/firmware/partitions/echo.js';
import type { Bus } from '../../src/memory/bus.js';
import { HostConduit, type Conduit, type HostCallRecord } from '../../src/firmware/host/conduit.js';
import type { HostMemory } from '../../src/firmware/host/ffa-driver.js';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.js';
import { runScenario } from '../../src/scenarios/run.js';
import { hostMemory, scenarioWorldSpec, worldBackendFor } from '../../src/scenarios/world-backend.js';
import type { ScenarioBackend } from '../../src/scenarios/run.js';
import type { ScenarioDef } from '../../src/scenarios/builtin.js';
import { HostKernel } from '../../src/firmware/host/kernel.js';
import { loadImage } from '../firmware/spmc/helpers.js';
import { LDR_X0_X1, hostExec } from '../robust/harness.js';

// ---------------------------------------------------------------------------------------------
// A borrower partition the host steers (its FF-A calls are real nested SVC/SMCs to its SPMC)
// ---------------------------------------------------------------------------------------------

const OP_MAP = 1, OP_RETRIEVE = 2, OP_RELINQUISH = 3, OP_RX_RELEASE = 4;
const SP_BUFS: Record<number, [number, number]> = { 0x8001: [0x0ef0_0000, 0x0ef0_1000], 0x8002: [0x0ef0_2000, 0x0ef0_3000] };
const BORROWER_PROPERTIES = A.FFA_PARTITION_DIRECT_REQ_RECV | A.FFA_PARTITION_DIRECT_REQ_SEND | A.FFA_PARTITION_AARCH64_EXEC |
  A.FFA_PARTITION_DIRECT_REQ2_RECV | A.FFA_PARTITION_DIRECT_REQ2_SEND;

function set(s: Int32Array, n: number, v: number | bigint): void {
  const x = BigInt.asUintN(64, BigInt(v));
  s[2 * n] = Number(x & 0xffffffffn) | 0; s[2 * n + 1] = Number(x >> 32n) | 0;
}
function get(s: Int32Array, n: number): bigint { return (BigInt(s[2 * n + 1]! >>> 0) << 32n) | BigInt(s[2 * n]! >>> 0); }

/**
 * DIRECT_REQ_64 with x3 = op: 1 map its RX/TX, 2 retrieve (x4 handle, x5 permissions), 3 relinquish
 * (x4 handle), 4 RX_RELEASE; answers DIRECT_RESP_64 with x3 = op, x4/x5 = w0/w2 of its call. Other
 * requests are echoed. It keeps no state of its own beyond its configuration (checked on restore).
 */
class Borrower implements PartitionBehaviour, SnapshotState {
  readonly name = 'borrower';
  bus: Bus | null = null;
  constructor(readonly tx: number, readonly rx: number, readonly version: number) {}

  private call(s: Int32Array, svc: PartitionServices, fid: number, ...args: (number | bigint)[]): void {
    s.fill(0, 0, 36);
    set(s, 0, fid);
    args.forEach((v, i) => set(s, 1 + i, v));
    svc.ffaCall();
  }

  onDirectRequest(s: Int32Array, kind: DirectKind, sender: number, svc: PartitionServices): void {
    if (kind !== DirectKind.Req64) { new EchoBehaviour().onDirectRequest(s, kind); return; }
    const op = Number(get(s, 3) & 0xffn), a4 = get(s, 4), a5 = get(s, 5);
    const self = svc.endpointId;
    switch (op) {
      case OP_MAP: this.call(s, svc, A.FFA_RXTX_MAP_64, this.tx, this.rx, 1); break;
      case OP_RETRIEVE: {
        const d = encodeMemRetrieveRequest({ sender: 0, handle: a4, receivers: [{ receiver: self, permissions: Number(a5 & 0xffn) }] }, this.version);
        this.bus!.load(this.tx, d);
        this.call(s, svc, A.FFA_MEM_RETRIEVE_REQ_64, d.length, d.length, 0, 0);
        break;
      }
      case OP_RELINQUISH:
        this.bus!.load(this.tx, encodeMemRelinquish({ handle: a4, flags: 0, endpoints: [self] }));
        this.call(s, svc, A.FFA_MEM_RELINQUISH);
        break;
      case OP_RX_RELEASE: this.call(s, svc, A.FFA_RX_RELEASE); break;
      default: new EchoBehaviour().onDirectRequest(s, kind); return;
    }
    const w0 = get(s, 0) & 0xffffffffn, w2 = get(s, 2) & 0xffffffffn;
    s.fill(0, 0, 36);
    set(s, 0, A.FFA_MSG_SEND_DIRECT_RESP_64);
    set(s, 1, ((self << 16) | sender) >>> 0);
    set(s, 3, op); set(s, 4, w0); set(s, 5, w2);
  }

  saveState(): Uint8Array {
    const w = new StateWriter(1);
    w.f64(this.tx); w.f64(this.rx); w.f64(this.version);
    return w.finish();
  }
  loadState(bytes: Uint8Array): void {
    const r = new StateReader('borrower', 1, bytes);
    r.cfgNum('tx', this.tx); r.cfgNum('rx', this.rx); r.cfgNum('version', this.version);
    r.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Worlds and host actions
// ---------------------------------------------------------------------------------------------

interface Config {
  el2: 'pkvm' | 'none';
  spmc: 's-el1' | 'el3';
  policy: 'spec' | 'hafnium' | 'tf-a';
  directReq: 'reject' | 'forward';
  spmcVersion: number;
  boot: 'pkvm-ready' | 'reset';
  /** Partition 0x8002 is an A64 image (interpreted echo) instead of a native borrower. */
  imageSp: boolean;
}

const UUID_A = 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb';
const UUID_B = '17b862a4-1806-4faf-86b3-089a58353861';
const DRAM_SIZE = 4 << 20;
const HOST_TX = 0x4001_0000, HOST_RX = 0x4001_1000, HOST_PAGES = 0x4010_0000;
const IMAGE = { 's-el1': 'echo-sp-sel0.elf', el3: 'echo-sp-sel1.elf' } as const;
const imageBytes = { 's-el1': loadImage(IMAGE['s-el1']), el3: loadImage(IMAGE.el3) };

function spec(c: Config): WorldSpec {
  const parts: WorldPartitionSpec[] = [
    { id: 0x8001, uuid: UUID_A, properties: BORROWER_PROPERTIES, impl: { kind: 'native', behaviour: new Borrower(...SP_BUFS[0x8001]!, c.spmcVersion) } },
    c.imageSp
      ? { id: 0x8002, uuid: UUID_B, impl: { kind: 'image', bytes: imageBytes[c.spmc] } }
      : { id: 0x8002, uuid: UUID_B, properties: BORROWER_PROPERTIES, impl: { kind: 'native', behaviour: new Borrower(...SP_BUFS[0x8002]!, c.spmcVersion) } },
  ];
  return {
    el2: c.el2, spmc: c.spmc, spmcVersion: c.spmcVersion, boot: c.boot,
    policy: { spmc: c.policy, directReqBeforeVersion: c.directReq },
    machineConfig: { dramSize: DRAM_SIZE },
    partitions: parts,
  };
}

/** A new world for `c` (the borrowers get its bus), not booted. */
function build(c: Config): World {
  const w = createWorld(spec(c));
  for (const p of w.partitions) if (p.component?.behaviour instanceof Borrower) p.component.behaviour.bus = w.machine.bus;
  return w;
}

type Action =
  | { t: 'version'; v: number }
  | { t: 'map' } | { t: 'unmap' } | { t: 'rxrel' } | { t: 'idget' }
  | { t: 'features'; fid: number }
  | { t: 'pig'; flags: number }
  | { t: 'direct'; fid: number; to: number }
  | { t: 'send'; lend: boolean; page: number; pages: number; to: number }
  | { t: 'sp'; sp: number; op: number; h: number; perm: number }
  | { t: 'reclaim'; h: number; flags: number }
  | { t: 'hyp'; which: 'init' | 'finalize' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('version' as const), v: fc.constantFrom(A.FFA_VERSION_1_2, A.FFA_VERSION_1_1, A.FFA_VERSION_1_0, 0x20000) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'map' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'unmap' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'rxrel' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'idget' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('features' as const), fid: fc.constantFrom(A.FFA_RXTX_MAP_64, A.FFA_MEM_SHARE_64, A.FFA_MEM_RETRIEVE_REQ_64, A.FFA_MSG_SEND_DIRECT_REQ2) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('pig' as const), flags: fc.constantFrom(0, 1) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('direct' as const),
    fid: fc.constantFrom(A.FFA_MSG_SEND_DIRECT_REQ, A.FFA_MSG_SEND_DIRECT_REQ_64, A.FFA_MSG_SEND_DIRECT_REQ2), to: fc.constantFrom(0x8001, 0x8002) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('send' as const), lend: fc.boolean(), page: fc.nat(5), pages: fc.integer({ min: 1, max: 2 }), to: fc.constantFrom(0x8001, 0x8002) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('sp' as const), sp: fc.constantFrom(0x8001, 0x8002),
    op: fc.constantFrom(OP_MAP, OP_RETRIEVE, OP_RETRIEVE, OP_RELINQUISH, OP_RX_RELEASE), h: fc.nat(4), perm: fc.constantFrom(0x02, 0x06) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reclaim' as const), h: fc.nat(4), flags: fc.constantFrom(0, 0, 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hyp' as const), which: fc.constantFrom('init' as const, 'finalize' as const) }) },
);

const configArb: fc.Arbitrary<Config> = fc.record({
  el2: fc.constantFrom('pkvm' as const, 'none' as const),
  spmc: fc.constantFrom('s-el1' as const, 'el3' as const),
  policy: fc.constantFrom('spec' as const, 'hafnium' as const, 'tf-a' as const),
  directReq: fc.constantFrom('reject' as const, 'forward' as const),
  spmcVersion: fc.constantFrom(A.FFA_VERSION_1_2, A.FFA_VERSION_1_1),
  boot: fc.constantFrom('pkvm-ready' as const, 'reset' as const),
  imageSp: fc.boolean(),
});

/** What the host driver remembers between calls (handles it was given). Plain data: copied across a split. */
interface Driver { handles: bigint[] }

const M32 = 0xffff_ffffn;

/** One host action as a real SMC/HVC from NS-EL1; returns x0..x17 (or the exception it raised). */
function act(w: World, d: Driver, a: Action): bigint[] {
  const m = w.machine;
  m.setBudget(2_000_000);
  const handle = (i: number): bigint => d.handles.length === 0 ? 0xffff_ffc0n + BigInt(i) : d.handles[i % d.handles.length]!;
  let args: bigint[];
  let hvc = false;
  switch (a.t) {
    case 'version': args = [BigInt(A.FFA_VERSION), BigInt(a.v)]; break;
    case 'map': args = [BigInt(A.FFA_RXTX_MAP_64), BigInt(HOST_TX), BigInt(HOST_RX), 1n]; break;
    case 'unmap': args = [BigInt(A.FFA_RXTX_UNMAP), 0n]; break;
    case 'rxrel': args = [BigInt(A.FFA_RX_RELEASE)]; break;
    case 'idget': args = [BigInt(A.FFA_ID_GET)]; break;
    case 'features': args = [BigInt(A.FFA_FEATURES), BigInt(a.fid)]; break;
    case 'pig': args = [BigInt(A.FFA_PARTITION_INFO_GET), 0n, 0n, 0n, 0n, BigInt(a.flags)]; break;
    case 'direct': args = [BigInt(a.fid), BigInt(a.to), 0n, 0x1234n, 5n, 6n, 7n, 8n]; break;
    case 'send': {
      const desc = encodeMemTransaction({
        sender: 0, attributes: a.lend ? 0 : 0x2f, flags: 0,
        receivers: [{ receiver: a.to, permissions: 0x02 }],
        constituents: [{ address: BigInt(HOST_PAGES + 0x1000 * a.page), pageCount: a.pages }],
      }, A.FFA_VERSION_1_2);
      // The host writes its TX page as the host (stage 2 applies).
      for (let i = 0; i < desc.length; i++) m.bus.write(HOST_TX + i, 0, 1, desc[i]!, false);
      args = [BigInt(a.lend ? A.FFA_MEM_LEND_64 : A.FFA_MEM_SHARE_64), BigInt(desc.length), BigInt(desc.length), 0n, 0n];
      break;
    }
    case 'sp': args = [BigInt(A.FFA_MSG_SEND_DIRECT_REQ_64), BigInt(a.sp), 0n, BigInt(a.op), handle(a.h), BigInt(a.perm)]; break;
    case 'reclaim': { const h = handle(a.h); args = [BigInt(A.FFA_MEM_RECLAIM), h & M32, h >> 32n, BigInt(a.flags)]; break; }
    case 'hyp': args = [a.which === 'init' ? 0xc6000001n : 0xc6000007n]; hvc = true; break;
  }
  const r = hvc ? w.hvc(args) : w.smc(args);
  const x = r.x;
  if (a.t === 'send' && Number(x[0]! & M32) >>> 0 === A.FFA_SUCCESS) {
    const h = ((x[3]! & M32) << 32n) | (x[2]! & M32);
    if (!d.handles.includes(h)) d.handles.push(h);
  }
  return [BigInt(r.stop), BigInt(r.exception?.esr ?? -1), ...x];
}

function boot(w: World): void { w.boot(); }

/** Each native component's state bytes, by name. */
function componentStates(w: World): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const n of w.machine.natives) if (n !== undefined && hasSnapshotState(n)) out.set(n.name, n.saveState());
  return out;
}

function expectSameWorld(a: World, b: World): void {
  // CPU state buffer (registers, system registers, cycle and instruction counters) ...
  expect(new Uint8Array(b.machine.cpu.buffer)).toEqual(new Uint8Array(a.machine.cpu.buffer));
  expect(b.machine.cpu.cycles).toBe(a.machine.cpu.cycles);
  // ... memory ...
  for (const k of ['flash', 'sram', 'dram'] as const) expect(Buffer.compare(b.machine.bus[k], a.machine.bus[k])).toBe(0);
  expect(b.machine.bus.stage2Check === null).toBe(a.machine.bus.stage2Check === null);
  // ... every component's own state ...
  const sa = componentStates(a), sb = componentStates(b);
  expect([...sb.keys()]).toEqual([...sa.keys()]);
  for (const [name, bytes] of sa) expect({ name, bytes: Buffer.from(sb.get(name)!).toString('hex') }).toEqual({ name, bytes: Buffer.from(bytes).toString('hex') });
  // ... and the whole snapshot (UART, budget, stop reason too).
  expect(Buffer.compare(b.saveSnapshot(), a.saveSnapshot())).toBe(0);
}

// ---------------------------------------------------------------------------------------------
// Every component can be saved
// ---------------------------------------------------------------------------------------------

describe('every native component of a world implements SnapshotState', () => {
  const classes = new Set<string>();
  const combos: WorldSpec[] = [];
  for (const el2 of ['pkvm', 'none'] as const) {
    for (const spmc of ['s-el1', 'el3', 'none'] as const) {
      for (const boot of ['pkvm-ready', 'reset'] as const) {
        // Policies change fields, not classes: each SPMC policy once, both pKVM gate policies.
        for (const [policy, directReqBeforeVersion] of [['spec', 'reject'], ['hafnium', 'forward'], ['tf-a', 'reject']] as const) {
          combos.push({ el2, spmc, boot, policy: { spmc: policy, directReqBeforeVersion }, machineConfig: { dramSize: DRAM_SIZE } });
        }
        // Partition kinds: built-in echo (default), a registered behaviour, a native object, an image.
        if (spmc !== 'none') {
          combos.push({ el2, spmc, boot, machineConfig: { dramSize: DRAM_SIZE }, partitions: [
            { id: 0x8001, uuid: UUID_A, behaviour: 'echo' },
            { id: 0x8002, uuid: UUID_B, impl: { kind: 'image', bytes: imageBytes[spmc] } },
            { id: 0x8003, uuid: '11111111-2222-3333-4444-555555555555', impl: { kind: 'native', behaviour: new Borrower(0x0ef0_4000, 0x0ef0_5000, A.FFA_VERSION_1_2) } },
          ] });
        }
      }
    }
  }

  it(`in all ${combos.length} option combinations: saveState -> loadState -> saveState is the identity`, () => {
    for (const s of combos) {
      const w = createWorld(s);
      w.boot();
      for (const n of w.machine.natives) {
        expect(n, `${JSON.stringify(s.el2)} ${s.spmc}: native without SnapshotState`).toSatisfy(hasSnapshotState);
        classes.add((n as object).constructor.name);
        if (n instanceof NativePartition) expect(n.behaviour, `behaviour ${n.behaviour.name}`).toSatisfy(hasSnapshotState);
        const st = n as unknown as SnapshotState;
        const bytes = st.saveState();
        st.loadState(bytes);
        expect(Buffer.compare(st.saveState(), bytes)).toBe(0);
      }
      // The machine snapshot round-trips too (every fourth combination: a save scans all of RAM).
      if (combos.indexOf(s) % 4 === 0) {
        const snap = w.saveSnapshot();
        w.restoreSnapshot(snap);
        expect(Buffer.compare(w.saveSnapshot(), snap)).toBe(0);
      }
    }
    expect([...classes].sort()).toEqual(['El3Monitor', 'NativePartition', 'Pkvm', 'Sel1Spmc', 'WorldHost']);
  });

  it('a partition behaviour without SnapshotState makes saving refuse (UNSUPPORTED), naming it', () => {
    const plain: PartitionBehaviour = { name: 'plain', onDirectRequest(s) { new EchoBehaviour().onDirectRequest(s, DirectKind.Req32); } };
    const w = createWorld({ machineConfig: { dramSize: DRAM_SIZE }, partitions: [{ id: 0x8001, uuid: UUID_A, impl: { kind: 'native', behaviour: plain } }] });
    w.boot();
    expect(() => w.saveSnapshot()).toThrowError(SnapshotError);
    try { w.saveSnapshot(); } catch (e) {
      expect((e as SnapshotError).code).toBe('UNSUPPORTED');
      expect((e as Error).message).toMatch(/behaviour "plain" does not implement SnapshotState/);
    }
  });

  it('saving from inside a host call (a partition handling it) is refused: the call continues on the JS stack', () => {
    let world: World | null = null;
    let seen: unknown = null;
    const saver: PartitionBehaviour & SnapshotState = {
      name: 'saver',
      onDirectRequest(s, kind) {
        try { world!.saveSnapshot(); } catch (e) { seen = e; }
        new EchoBehaviour().onDirectRequest(s, kind);
      },
      saveState: () => new StateWriter(1).finish(),
      loadState: (b) => { new StateReader('saver', 1, b).end(); },
    };
    world = createWorld({ machineConfig: { dramSize: DRAM_SIZE }, partitions: [{ id: 0x8001, uuid: UUID_A, impl: { kind: 'native', behaviour: saver } }] });
    world.boot();
    world.smc([BigInt(A.FFA_VERSION), BigInt(A.FFA_VERSION_1_2)]);
    const r = world.smc([BigInt(A.FFA_MSG_SEND_DIRECT_REQ), 0x8001n]);
    expect(Number(r.x[0]! & M32) >>> 0).toBe(A.FFA_MSG_SEND_DIRECT_RESP);
    expect(seen).toBeInstanceOf(SnapshotError);
    expect((seen as SnapshotError).code).toBe('UNSUPPORTED');
    expect(world.saveSnapshot().length).toBeGreaterThan(0);   // between calls it works
  });

  it('a native component without SnapshotState makes saving a machine refuse (UNSUPPORTED)', () => {
    class Stateless extends NativeComponent {
      readonly name = 'no-state'; readonly el = 1; readonly secure = false;
      onException(): void { this.eret(); }
    }
    const m = new Machine();
    new Stateless().attach(m);
    expect(() => saveSnapshot(m)).toThrowError(/native component "no-state" \(native 0\) does not implement SnapshotState/);
  });
});

// ---------------------------------------------------------------------------------------------
// Restores that do not fit
// ---------------------------------------------------------------------------------------------

describe('restoring into a world built with other options', () => {
  const base: Config = { el2: 'pkvm', spmc: 's-el1', policy: 'spec', directReq: 'reject', spmcVersion: A.FFA_VERSION_1_2, boot: 'pkvm-ready', imageSp: false };
  const a = build(base);
  boot(a);
  const d: Driver = { handles: [] };
  act(a, d, { t: 'version', v: A.FFA_VERSION_1_2 });
  act(a, d, { t: 'map' });
  act(a, d, { t: 'send', lend: false, page: 1, pages: 1, to: 0x8001 });
  const snap = a.saveSnapshot();

  const cases: [string, Partial<Config>, RegExp][] = [
    ['SPMC policy', { policy: 'tf-a' }, /^spmc-sel1: policy is "spec" in the snapshot but "tf-a"/],
    ['pKVM direct-request policy', { directReq: 'forward' }, /^pkvm: directReqBeforeVersion forward is false in the snapshot but true/],
    // The first component to check its configuration names it: here partition 0x8001's behaviour.
    ['SPMC version', { spmcVersion: A.FFA_VERSION_1_1 }, /^borrower: version is 0x10002 in the snapshot but 0x10001 in this component/],
    ['partition implementation', { imageSp: true }, /native components \[.*sp-8002-borrower.*\], machine \[/],
    ['no pKVM', { el2: 'none' }, /native components/],
    ['EL3 SPMC', { spmc: 'el3' }, /native components/],
  ];
  for (const [what, change, msg] of cases) {
    it(`${what}: MISMATCH naming the component and field; the world is unchanged`, () => {
      const b = build({ ...base, ...change });
      boot(b);
      const before = b.saveSnapshot();
      let err: unknown;
      try { b.restoreSnapshot(snap); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SnapshotError);
      expect((err as SnapshotError).code).toBe('MISMATCH');
      expect((err as Error).message).toMatch(msg);
      expect(Buffer.compare(b.saveSnapshot(), before)).toBe(0);
    });
  }

  it('a partition UUID or DRAM size that differs is named too', () => {
    const b = createWorld({ ...spec(base), partitions: [spec(base).partitions![0]!, { ...spec(base).partitions![1]!, uuid: UUID_A }] });
    expect(() => b.restoreSnapshot(snap)).toThrowError(/spmc-sel1: partition 0x8002 uuid word 0 is/);
    const c = createWorld({ ...spec(base), machineConfig: { dramSize: 8 << 20 } });
    expect(() => c.restoreSnapshot(snap)).toThrowError(/DRAM size/);
  });

  it('damaged snapshots (random bytes changed, cut short): SnapshotError or a consistent restore, never another error; refused = unchanged (fast-check)', () => {
    const b = build(base);
    boot(b);
    const before = b.saveSnapshot();
    let refused = 0;
    // Byte offsets of everything but RAM page contents (headers, Meta, CPU, UART, component states).
    const structural: number[] = [];
    for (let i = 0; i < 24; i++) structural.push(i);
    for (const sec of parseSnapshot(snap).sections) {
      const off = sec.data.byteOffset - snap.byteOffset;
      for (let i = off - 16; i < off; i++) structural.push(i);
      if (sec.tag !== 3) for (let i = off; i < off + sec.data.length; i++) structural.push(i);
    }
    fc.assert(fc.property(
      fc.array(fc.record({ at: fc.oneof(fc.nat(snap.length - 1), fc.constantFrom(...structural)), v: fc.nat(255) }), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat(snap.length), { freq: 4 }),
      (edits, cut) => {
        const bad = snap.slice(0, cut ?? snap.length);
        for (const e of edits) if (e.at < bad.length) bad[e.at] = e.v;
        try {
          b.restoreSnapshot(bad);
        } catch (e) {
          expect(e).toBeInstanceOf(SnapshotError);
          expect(Buffer.compare(b.saveSnapshot(), before)).toBe(0);
          refused++;
          return;
        }
        // Accepted (a changed register or RAM byte is a valid snapshot): it is a whole state; put ours back.
        b.restoreSnapshot(before);
      },
    ), { numRuns: 150 });
    expect(refused).toBeGreaterThan(0);
  });

  it('a damaged UART or Meta section is refused (INVALID) before anything changes', () => {
    const b = build(base);
    boot(b);
    const before = b.saveSnapshot();
    const sections = parseSnapshot(snap).sections;
    const at = (tag: number): number => sections.find((x) => x.tag === tag)!.data.byteOffset - snap.byteOffset;
    const uart = snap.slice();
    uart[at(4) + 2] = 0x7f;                                // the register count
    expect(() => b.restoreSnapshot(uart)).toThrowError(/^Uart section: \d+ registers do not fit/);
    const meta = snap.slice();
    const text = new TextDecoder().decode(sections.find((x) => x.tag === 1)!.data);
    const i = text.indexOf('"natives":[');
    meta.set(new TextEncoder().encode('"nativez":['), at(1) + i);   // still JSON, natives missing
    expect(() => b.restoreSnapshot(meta)).toThrowError(/Meta section: field natives/);
    expect(Buffer.compare(b.saveSnapshot(), before)).toBe(0);
  });

  it('a damaged component payload is refused (INVALID) and changes nothing', () => {
    const p = parseSnapshot(snap);
    const comp = p.sections.find((s) => s.tag === 6 /* Component */)!;
    const bad = snap.slice();
    // Truncate the first component's declared payload length by 4 bytes (its last field goes missing).
    const off = comp.data.byteOffset - snap.byteOffset;
    const dv = new DataView(bad.buffer);
    dv.setBigUint64(off - 8, BigInt(comp.data.length - 4), true);
    const b = build(base);
    boot(b);
    const before = b.saveSnapshot();
    expect(() => b.restoreSnapshot(bad)).toThrowError(SnapshotError);
    expect(Buffer.compare(b.saveSnapshot(), before)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// pKVM's host stage 2 lives outside RAM (page states, the bus check): it comes back with the world
// ---------------------------------------------------------------------------------------------

describe('the host stage 2 is restored with pKVM', () => {
  const cfg: Config = { el2: 'pkvm', spmc: 's-el1', policy: 'spec', directReq: 'reject', spmcVersion: A.FFA_VERSION_1_2, boot: 'pkvm-ready', imageSp: false };

  it('a finalised world restored into a new one: the host still cannot read a hyp page (stage-2 abort), can read its own', () => {
    const a = build(cfg);
    boot(a);
    const carve = a.pkvm!.layout()!.carveOut;
    const b = build({ ...cfg, boot: 'reset' });   // a world that never initialised pKVM: no stage 2 at all
    boot(b);
    expect(b.machine.bus.stage2Check).toBeNull();
    b.restoreSnapshot(a.saveSnapshot());
    expect(b.pkvm!.beliefs().finalised).toBe(true);
    expect(b.pkvm!.pageState(carve)).toEqual({ host: 'NOPAGE', hyp: 'OWNED', pins: 0 });
    const hyp = hostExec(b, LDR_X0_X1, 0x5151n, BigInt(carve));
    expect(hyp.stop).toBe(StopReason.Returned);
    expect(hyp.exception?.ec).toBe(0x25);                 // Data Abort, same EL (pKVM injects it into the host)
    expect(hyp.x0).toBe(0x5151n);                         // no data
    expect(hostExec(b, LDR_X0_X1, 0n, BigInt(HOST_PAGES)).exception).toBeNull();
    expect(b.pkvm!.checkInvariants()).toEqual([]);
  });

  it('a world restored from before __pkvm_init drops the stage-2 check of the world it replaces', () => {
    const early = build({ ...cfg, boot: 'reset' });
    boot(early);
    const snap = early.saveSnapshot();
    const b = build(cfg);
    boot(b);
    expect(b.machine.bus.stage2Check).not.toBeNull();
    b.restoreSnapshot(snap);
    expect(b.machine.bus.stage2Check).toBeNull();
    expect(b.pkvm!.beliefs().initialised).toBe(false);
    expect(b.pkvm!.pageState(b.machine.bus.dramSize + 0x4000_0000 - 0x1000)).toBeNull();
    expectSameWorld(early, b);
  });
});

// ---------------------------------------------------------------------------------------------
// The property: split anywhere, restore into a new world, finish there
// ---------------------------------------------------------------------------------------------

describe('snapshot, restore into a new world, run on = run straight through', () => {
  // 2 x 25 cases (two blocks keep each synchronous stretch short on a shared machine).
  for (const spmc of ['s-el1', 'el3'] as const) it(`random worlds (SPMC at ${spmc}) and random host call sequences, split after any call (fast-check)`, () => {
    fc.assert(fc.property(configArb.map((c) => ({ ...c, spmc })), fc.array(actionArb, { minLength: 1, maxLength: 10 }), fc.nat(), (cfg, actions, kRaw) => {
      const k = kRaw % (actions.length + 1);
      // Straight through.
      const a = build(cfg);
      boot(a);
      const da: Driver = { handles: [] };
      const ra = actions.map((x) => act(a, da, x));
      // k calls, snapshot to bytes, a NEW world restored from them, the rest there.
      const b = build(cfg);
      boot(b);
      const db: Driver = { handles: [] };
      for (let i = 0; i < k; i++) act(b, db, actions[i]!);
      const snap = b.saveSnapshot();
      const c = build(cfg);
      c.restoreSnapshot(snap);
      const dc: Driver = { handles: [...db.handles] };
      const rc = actions.slice(k).map((x) => act(c, dc, x));
      expect(rc).toEqual(ra.slice(k));
      expectSameWorld(a, c);
      expect(c.systemEvent).toBe(a.systemEvent);
    }), { numRuns: 25 });
  });

  it('the memory-sharing life cycle split at every step (share, retrieve, relinquish, reclaim, lend)', () => {
    for (const cfg of [
      { el2: 'pkvm', spmc: 's-el1', policy: 'hafnium', directReq: 'reject', spmcVersion: A.FFA_VERSION_1_2, boot: 'pkvm-ready', imageSp: false },
      { el2: 'none', spmc: 'el3', policy: 'tf-a', directReq: 'reject', spmcVersion: A.FFA_VERSION_1_2, boot: 'pkvm-ready', imageSp: true },
    ] as Config[]) {
      const seq: Action[] = [
        { t: 'version', v: A.FFA_VERSION_1_2 }, { t: 'map' }, { t: 'sp', sp: 0x8001, op: OP_MAP, h: 0, perm: 0 },
        { t: 'send', lend: false, page: 0, pages: 2, to: 0x8001 },
        { t: 'sp', sp: 0x8001, op: OP_RETRIEVE, h: 0, perm: 0x02 }, { t: 'sp', sp: 0x8001, op: OP_RX_RELEASE, h: 0, perm: 0 },
        { t: 'sp', sp: 0x8001, op: OP_RELINQUISH, h: 0, perm: 0 }, { t: 'reclaim', h: 0, flags: 0 },
        { t: 'send', lend: true, page: 3, pages: 1, to: 0x8001 },
        { t: 'sp', sp: 0x8001, op: OP_RETRIEVE, h: 1, perm: 0x06 }, { t: 'pig', flags: 0 }, { t: 'rxrel' },
        { t: 'direct', fid: A.FFA_MSG_SEND_DIRECT_REQ2, to: 0x8002 },
      ];
      const a = build(cfg);
      boot(a);
      const da: Driver = { handles: [] };
      const ra = seq.map((x) => act(a, da, x));
      // The sequence does what it says (so the split points cover live transactions).
      expect(da.handles.length).toBe(2);
      expect(Number(ra[4]![2 + 4]! & M32) >>> 0).toBe(A.FFA_MEM_RETRIEVE_RESP);
      expect(Number(ra[7]![2]! & M32) >>> 0).toBe(A.FFA_SUCCESS);
      for (let k = 0; k <= seq.length; k++) {
        const b = build(cfg);
        boot(b);
        const db: Driver = { handles: [] };
        for (let i = 0; i < k; i++) act(b, db, seq[i]!);
        const c = build(cfg);
        c.restoreSnapshot(b.saveSnapshot());
        const dc: Driver = { handles: [...db.handles] };
        expect(seq.slice(k).map((x) => act(c, dc, x))).toEqual(ra.slice(k));
        expectSameWorld(a, c);
      }
    }
  });

  it('split in the middle of the boot from reset (image partitions run as instructions)', () => {
    for (const spmc of ['s-el1', 'el3'] as const) {
      const cfg: Config = { el2: 'pkvm', spmc, policy: 'spec', directReq: 'reject', spmcVersion: A.FFA_VERSION_1_2, boot: 'pkvm-ready', imageSp: true };
      const a = build(cfg);
      boot(a);
      const total = a.machine.cpu.instructions;
      expect(total).toBeGreaterThan(10);
      const tail: Action[] = [{ t: 'version', v: A.FFA_VERSION_1_2 }, { t: 'direct', fid: A.FFA_MSG_SEND_DIRECT_REQ_64, to: 0x8002 }];
      const da: Driver = { handles: [] };
      const ra = tail.map((x) => act(a, da, x));
      for (const k of [1, Math.floor(total / 3), total - 1]) {
        const b = build(cfg);
        b.machine.resetCpu();
        b.machine.cpu.set64(L.PC, b.monitor.entryAddress);
        expect(b.machine.run({ maxInstructions: k }).reason).toBe(StopReason.Budget);
        const c = build(cfg);
        c.restoreSnapshot(b.saveSnapshot());
        // Finish the boot run where it stopped, then what boot() does after it.
        expect(c.machine.run({ maxInstructions: 10_000_000 }).reason).toBe(StopReason.Requested);
        expect(c.host.entered).toBe(true);
        c.pkvmInit();
        c.pkvmFinalize();
        const dc: Driver = { handles: [] };
        expect(tail.map((x) => act(c, dc, x))).toEqual(ra);
        expect(c.machine.cpu.instructions).toBe(a.machine.cpu.instructions);
        expect(c.machine.cpu.cycles).toBe(a.machine.cpu.cycles);
        // The boot budget left differs (two runs instead of one); everything else is the same.
        a.machine.setBudget(0); c.machine.setBudget(0);
        expectSameWorld(a, c);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A boot-order scenario snapshotted in the middle of the host kernel's boot
// ---------------------------------------------------------------------------------------------

describe('boot-order scenarios snapshotted mid-boot give the same report', () => {
  /** Run `def`, moving to a restored copy of the world after the host kernel's k-th call. */
  function runSplit(def: (typeof BUILTIN_SCENARIOS)[number], k: number): ReturnType<typeof runScenario> {
    return runScenario(def, {
      backend: (d) => {
        const ws = scenarioWorldSpec(d);
        let world = createWorld(ws);
        world.boot({ pkvmInit: false });
        let inner = new HostConduit(world.host, world.machine.cpu);
        // The kernel's page allocator is its own state (it lives on): one allocator; reads go to the live world.
        const alloc = hostMemory(world.machine.bus);
        let reader = alloc;
        let calls = 0;
        const after = (r: HostCallRecord): HostCallRecord => {
          if (++calls === k) {
            const snap = world.saveSnapshot();
            const next = createWorld(ws);
            next.restoreSnapshot(snap);
            const conduit = new HostConduit(next.host, next.machine.cpu);
            conduit.records.push(...inner.records);
            inner.dispose();
            world = next; inner = conduit; reader = hostMemory(next.machine.bus);
          }
          return r;
        };
        const conduit: Conduit = {
          smc: (a, c) => after(inner.smc(a, c)),
          hvc: (a, c) => after(inner.hvc(a, c)),
          cycles: () => world.machine.cpu.cycles,
        };
        const mem: HostMemory = { read: (pa, len) => reader.read(pa, len), allocPages: (b) => alloc.allocPages(b), freePages: (pa, b) => alloc.freePages(pa, b) };
        const be = worldBackendFor(world);
        return {
          ...be, conduit, mem,
          pkvmView: (pages) => worldBackendFor(world).pkvmView(pages),
          spmcView: () => worldBackendFor(world).spmcView(),
          cycles: () => world.machine.cpu.cycles,
          cyclesByEl: () => worldBackendFor(world).cyclesByEl!(),
          dispose: () => inner.dispose(),
        };
      },
    });
  }
  const strip = (r: ReturnType<typeof runScenario>): unknown => ({ ...r, wallMs: 0 });

  for (const def of BUILTIN_SCENARIOS.slice(0, 2)) {
    it(`${def.name}: split after the 1st, a middle and the last-but-one host call`, () => {
      const straight = runScenario(def);
      const n = straight.calls.length;
      expect(n).toBeGreaterThan(3);
      for (const k of [1, Math.floor(n / 2), n - 1]) expect(strip(runSplit(def, k))).toEqual(strip(straight));
    });
  }
});

describe('the host kernel model snapshotted in the middle of its boot (journal replay)', () => {
  class Stop extends Error {}
  const kernelFor = (be: ScenarioBackend, def: ScenarioDef): HostKernel => new HostKernel(
    { conduit: be.conduit, mem: be.mem, protectedKvm: be.protectedKvm, pkvm: be.pkvm, efi: be.efi },
    { ffaRootDevice: def.ffaRootDevice, kvmInitInFinalize: def.kvmInitInFinalize, placements: def.placements },
  );
  const view = (k: HostKernel): unknown => JSON.parse(JSON.stringify({
    dmesg: k.dmesg, initcalls: k.initcalls, records: k.records, beliefs: k.beliefs(), ffa: k.ffa.beliefs(),
  }, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)));

  /** Boot `def`'s kernel until it is about to make host call k, save world and kernel, stop. */
  function saveAt(def: ScenarioDef, k: number): { world: Uint8Array; kernel: Uint8Array; records: HostCallRecord[] } {
    const w = createWorld(scenarioWorldSpec(def));
    w.boot({ pkvmInit: false });
    const be = worldBackendFor(w);
    let n = 0, saved: { world: Uint8Array; kernel: Uint8Array; records: HostCallRecord[] } | null = null;
    // eslint-disable-next-line prefer-const
    let kernel: HostKernel;
    const gate = (): void => {
      if (n++ !== k) return;
      saved = { world: w.saveSnapshot(), kernel: kernel.saveState(), records: [...(be.conduit as HostConduit).records] };
      throw new Stop();
    };
    const conduit: Conduit = {
      smc: (a, c) => { gate(); return be.conduit.smc(a, c); },
      hvc: (a, c) => { gate(); return be.conduit.hvc(a, c); },
      cycles: () => be.conduit.cycles(),
    };
    kernel = kernelFor({ ...be, conduit }, def);
    expect(() => kernel.boot()).toThrowError(Stop);
    be.dispose?.();
    return saved!;
  }

  for (const def of BUILTIN_SCENARIOS.slice(0, 3)) {
    it(`${def.name}: a new world and a new kernel restored at calls 0, 1, half-way and last go on exactly as straight through`, () => {
      const w = createWorld(scenarioWorldSpec(def));
      w.boot({ pkvmInit: false });
      const be = worldBackendFor(w);
      const straight = kernelFor(be, def);
      straight.boot();
      be.dispose?.();
      const n = straight.records.length;
      expect(n).toBeGreaterThan(3);
      for (const k of [0, 1, Math.floor(n / 2), n - 1]) {
        const snap = saveAt(def, k);
        const w2 = createWorld(scenarioWorldSpec(def));
        w2.restoreSnapshot(snap.world);
        const be2 = worldBackendFor(w2);
        (be2.conduit as HostConduit).records.push(...snap.records);  // the conduit numbers calls on from there
        const kernel = kernelFor(be2, def);
        kernel.loadState(snap.kernel);
        kernel.boot();
        be2.dispose?.();
        expect(view(kernel)).toEqual(view(straight));
        expectSameWorld(w, w2);
      }
    });
  }

  it('a kernel built with another boot order refuses the journal (MISMATCH naming the initcall); one that booted refuses any', () => {
    const [a, b] = BUILTIN_SCENARIOS;
    const snap = saveAt(a!, 2);
    const w2 = createWorld(scenarioWorldSpec(b!));
    const other = kernelFor(worldBackendFor(w2), b!);
    expect(() => other.loadState(snap.kernel)).toThrowError(/^host kernel: (ffa_init|kvm_arm_init|finalize_pkvm|ffa_root_device_init|ffaRootDevice|kvmInitInFinalize)/);
    const w3 = createWorld(scenarioWorldSpec(a!));
    w3.boot({ pkvmInit: false });
    const booted = kernelFor(worldBackendFor(w3), a!);
    booted.boot();
    expect(() => booted.loadState(snap.kernel)).toThrowError(/has started its boot/);
  });
});

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

describe('snapshot files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a64el-world-snap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cfg: Config = { el2: 'pkvm', spmc: 'el3', policy: 'hafnium', directReq: 'forward', spmcVersion: A.FFA_VERSION_1_2, boot: 'pkvm-ready', imageSp: true };

  it('save to a file, restore a new world from it, run on = straight through', () => {
    const seq: Action[] = [{ t: 'version', v: A.FFA_VERSION_1_2 }, { t: 'map' }, { t: 'send', lend: false, page: 2, pages: 1, to: 0x8001 },
      { t: 'sp', sp: 0x8001, op: OP_MAP, h: 0, perm: 0 }, { t: 'sp', sp: 0x8001, op: OP_RETRIEVE, h: 0, perm: 0x02 }, { t: 'pig', flags: 1 }];
    const a = build(cfg); boot(a);
    const da: Driver = { handles: [] };
    const ra = seq.map((x) => act(a, da, x));
    const b = build(cfg); boot(b);
    const db: Driver = { handles: [] };
    for (let i = 0; i < 3; i++) act(b, db, seq[i]!);
    const path = join(dir, 'world.snap');
    writeFileSync(path, 'an older snapshot');
    saveSnapshotFile(b, path);
    expect(readdirSync(dir)).toEqual(['world.snap']);   // the temporary file is gone
    expect(Buffer.compare(readFileSync(path), b.saveSnapshot())).toBe(0);
    const c = build(cfg);
    restoreSnapshotFile(c, path);
    const dc: Driver = { handles: [...db.handles] };
    expect(seq.slice(3).map((x) => act(c, dc, x))).toEqual(ra.slice(3));
    expectSameWorld(a, c);
  });

  it('a write that fails leaves no file and no temporary file behind, with a clear error', () => {
    const missing = join(dir, 'no-such-dir', 'w.snap');
    expect(() => writeSnapshotFile(missing, new Uint8Array(16))).toThrowError(SnapshotFileError);
    expect(() => writeSnapshotFile(missing, new Uint8Array(16))).toThrowError(`cannot write snapshot ${missing}: directory ${join(dir, 'no-such-dir')}: no such file or directory`);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    // The target is a directory: the data is written, the rename fails, the temporary file is removed.
    const target = join(dir, 'target-is-a-dir');
    mkdirSync(target);
    const before = readdirSync(dir).sort();
    expect(() => writeSnapshotFile(target, new Uint8Array(64))).toThrowError(`cannot write snapshot ${target}: is a directory`);
    expect(readdirSync(dir).sort()).toEqual(before);
    rmSync(target, { recursive: true });
  });

  it('reading a missing or foreign file fails with a clear error and changes nothing', () => {
    const w = build(cfg); boot(w);
    const before = w.saveSnapshot();
    expect(() => readSnapshotFile(join(dir, 'absent.snap'))).toThrowError(`cannot read snapshot ${join(dir, 'absent.snap')}: no such file or directory`);
    const foreign = join(dir, 'foreign.snap');
    writeFileSync(foreign, 'not a snapshot at all, just text');
    expect(() => restoreSnapshotFile(w, foreign)).toThrowError(/bad magic/);
    expect(Buffer.compare(w.saveSnapshot(), before)).toBe(0);
  });
});
