/**
 * The fast trap paths against the generic ones: HVC round trips to native pKVM, FFA_MSG_SEND_DIRECT_REQ_64
 * round trips host -> (pKVM ->) EL3 -> SPMC -> echo partition -> back, and the boot-order scenarios, each
 * run five ways that must end in exactly the same place:
 *  - plain:        the plain run loop, no observers (every fast path on: translated traces that take
 *                  exceptions inline, native dispatch, the SPMD's one-pass world switch, remembered
 *                  decodes of the words native code issues);
 *  - observed:     the same loop with exception entry/return observers installed;
 *  - instrumented: the instrumented loop (exec/run-hooked.ts, selected by installing RunHooks that
 *                  observe nothing) with the observers;
 *  - generic:      the plain loop with the fast paths of the firmware replaced by their definitions
 *                  (SavedContext.switchTo = save + restore, the machine's issued-word decode = decode());
 *  - interpreted:  the plain loop without translation (no trace takes an exception inline or calls a
 *                  native component from inside itself: the run loop enters every component).
 * Compared: the whole CPU state buffer (registers, PSTATE, system registers, cycles, instret, cycles per
 * EL and world), all of memory and every component's state (World.saveSnapshot), and for the
 * scenarios the report. The observers must see every hop: per HVC round trip one exception entry and
 * one return; per direct request 4 entries and 4 returns through pKVM (TSC trap, pKVM's SMC, the
 * partition's SVC, the SPMC's SMC; ERETs into the SPMC, the partition, pKVM and the host), 3 and 3
 * without it, 3 and 3 through pKVM to the EL3 SPMC (DESIGN "The flow of one trap").
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { type World, createWorld } from '../../src/machine/world.js';
import { Machine, StopReason } from '../../src/machine/machine.js';
import type { RunHooks } from '../../src/exec/run-hooked.js';
import { SavedContext } from '../../src/firmware/context.js';
import { decode } from '../../src/decode/decoder.js';
import { FFA_MSG_SEND_DIRECT_RESP_64, FFA_VERSION, FFA_VERSION_1_2 } from '../../src/ffa/abi.js';
import { LOOP_PA } from '../../src/cli/bench.js';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.js';
import { runScenario } from '../../src/scenarios/run.js';
import { scenarioWorldSpec, worldBackendFor } from '../../src/scenarios/world-backend.js';

type Way = 'plain' | 'observed' | 'instrumented' | 'generic' | 'interpreted';
const WAYS: readonly Way[] = ['plain', 'observed', 'instrumented', 'generic', 'interpreted'];

const HVC0 = 0xd4000002 | 0, SMC0 = 0xd4000003 | 0, SUBS_X19_1 = 0xf1000673 | 0;
const bne = (k: number): number => (0x54000001 | ((-k & 0x7ffff) << 5)) | 0;
// movz x0, #0x6f; movk x0, #0xc400, lsl #16 (x0 = FFA_MSG_SEND_DIRECT_REQ_64); movz x1, #0x8001
const FFA_LOOP = [0xd2800de0 | 0, 0xf2b88000 | 0, 0xd2900021 | 0, SMC0, SUBS_X19_1, bne(5)];
const HVC_LOOP = [HVC0, SUBS_X19_1, bne(2)];

function words(ws: readonly number[]): Uint8Array {
  const b = new Uint8Array(4 * ws.length);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
  return b;
}

/** RunHooks that observe nothing: installing them selects the instrumented loop for every run. */
function noHooks(m: Machine): RunHooks {
  return {
    codePages: new Uint8Array(1 << 20), codeAll: false, code: () => false, blockOn: false, block: () => false,
    fetchInvalid: () => false, execCtx: m, stopPending: false,
  };
}

interface Counts { entries: number; returns: number }

/** Install what `way` needs; returns the observer counts and an undo. */
function setUp(m: Machine, way: Way): { counts: Counts; undo: () => void } {
  const counts: Counts = { entries: 0, returns: 0 };
  const undo: (() => void)[] = [];
  if (way !== 'plain' && way !== 'generic') {
    m.cpu.onExceptionEntry = () => { counts.entries++; };
    m.cpu.onExceptionReturn = () => { counts.returns++; };
    undo.push(() => { m.cpu.onExceptionEntry = null; m.cpu.onExceptionReturn = null; });
  }
  if (way === 'instrumented') {
    m.hooks = noHooks(m);
    undo.push(() => { m.hooks = null; });
  }
  if (way === 'interpreted') {
    const t = m.cache.jitThreshold;
    m.cache.jitThreshold = 0;
    undo.push(() => { m.cache.jitThreshold = t; });
  }
  if (way === 'generic') {
    const proto = SavedContext.prototype as unknown as { switchTo: SavedContext['switchTo'] };
    const sw = proto.switchTo;
    proto.switchTo = function (this: SavedContext, s: Int32Array, next: SavedContext, firstGpr: number): void {
      this.save(s); next.restore(s, firstGpr);
    };
    const mp = Machine.prototype as unknown as { decodeIssued: (w: number) => number };
    const di = mp.decodeIssued;
    mp.decodeIssued = (w: number) => decode(w);
    undo.push(() => { proto.switchTo = sw; mp.decodeIssued = di; });
  }
  return { counts, undo: () => { for (const u of undo.reverse()) u(); } };
}

/** The booted world of the benchmarks with a loop at LOOP_PA (bench.ts hvcPkvmWorkload / ffaDirectWorkload). */
type Kind = 'hvc' | 'ffa-pkvm' | 'ffa-direct' | 'ffa-el3-spmc';

function loopWorld(kind: Kind): World {
  const el2 = kind === 'ffa-direct' ? 'none' : 'pkvm';
  const w = createWorld({ el2, boot: el2 === 'pkvm' ? 'pkvm-ready' : 'reset', spmc: kind === 'ffa-el3-spmc' ? 'el3' : 's-el1' });
  w.boot();
  if (kind !== 'hvc') {
    const v = w.smc([BigInt(FFA_VERSION), BigInt(FFA_VERSION_1_2)]);
    expect(v.x[0]).toBe(BigInt(FFA_VERSION_1_2));
  }
  w.machine.loadBytes(LOOP_PA, words(kind === 'hvc' ? HVC_LOOP : FFA_LOOP));
  const s = w.machine.cpu.s;
  for (let i = 0; i < 36; i++) s[i] = 0;
  return w;
}

/** n iterations of the loop at NS EL1 (the budget ends right after the last, untaken B.NE). */
function runLoop(w: World, n: number, len: number): void {
  const m = w.machine, s = m.cpu.s;
  s[L.PC] = LOOP_PA; s[L.PC + 1] = 0;
  s[2 * 19] = n; s[2 * 19 + 1] = 0;
  const r = m.run({ maxInstructions: n * len });
  expect(r.reason).toBe(StopReason.Budget);
  expect(s[L.PC]).toBe(LOOP_PA + 4 * len);
  expect(s[L.PSTATE_EL]).toBe(1);
  expect(s[2 * 19]).toBe(0);
}

interface End { state: Int32Array; snapshot: Uint8Array; counts: Counts }

function expectSameEnd(a: End, b: End, what: string): void {
  const diff: string[] = [];
  for (let i = 0; i < a.state.length && diff.length < 8; i++) {
    if (a.state[i] !== b.state[i]) diff.push(`word ${i}: ${a.state[i]} vs ${b.state[i]}`);
  }
  expect(diff, `${what}: CPU state`).toEqual([]);
  expect(b.snapshot.length, `${what}: snapshot length`).toBe(a.snapshot.length);
  expect(Buffer.from(b.snapshot).equals(Buffer.from(a.snapshot)), `${what}: memory and component state (snapshot bytes)`).toBe(true);
}

describe('trap round trips: fast paths end where the generic paths do', () => {
  const cases: { kind: Kind; n: number; hops: number }[] = [
    { kind: 'hvc', n: 20_000, hops: 1 },
    { kind: 'ffa-pkvm', n: 3_000, hops: 4 },
    { kind: 'ffa-direct', n: 3_000, hops: 3 },
    // The SPMC at EL3 (partitions at S-EL1): TSC trap, pKVM's SMC, the partition's SMC; ERETs into the
    // partition, pKVM and the host.
    { kind: 'ffa-el3-spmc', n: 3_000, hops: 3 },
  ];
  for (const { kind, n, hops } of cases) {
    it(`${kind}: ${n} round trips in three runs, five ways`, () => {
      const ends = new Map<Way, End>();
      for (const way of WAYS) {
        const w = loopWorld(kind);
        const { counts, undo } = setUp(w.machine, way);
        try {
          // Three runs of different lengths: translation kicks in during the first, later runs enter
          // translated code from the start.
          for (const k of [7, n - 107, 100]) runLoop(w, k, kind === 'hvc' ? HVC_LOOP.length : FFA_LOOP.length);
        } finally { undo(); }
        const s = w.machine.cpu.s;
        if (kind === 'hvc') expect(s[0], 'x0 = SMCCC NOT_SUPPORTED').toBe(-1);
        else {
          expect(s[0] >>> 0, 'x0 = FFA_MSG_SEND_DIRECT_RESP_64').toBe(FFA_MSG_SEND_DIRECT_RESP_64);
          expect(s[2], 'w1 = 0x8001 -> 0').toBe(0x8001 << 16);
        }
        ends.set(way, { state: s.slice(), snapshot: w.saveSnapshot(), counts });
      }
      const plain = ends.get('plain')!;
      for (const way of WAYS) expectSameEnd(plain, ends.get(way)!, `${kind} ${way}`);
      // Every hop is seen by the observers, in both loops.
      for (const way of ['observed', 'instrumented'] as const) {
        expect(ends.get(way)!.counts, `${kind} ${way}: observed hops`).toEqual({ entries: hops * n, returns: hops * n });
      }
    }, 120_000);
  }
});

describe('HVC to pKVM from a translated trace: budgets ending anywhere, interrupt lines', () => {
  // The plain loop calls pKVM from inside the translated loop (translate.ts nativeInline); runs whose
  // budget ends at every point of a round trip (before the HVC, between the entry and pKVM, after the
  // ERET), and runs with an interrupt line up (masked at NS EL1, so the run goes on) must end as
  // the interpreter ends them.
  it('plain = interpreted after each of 40 runs of odd budgets', () => {
    const ends: End[][] = [];
    for (const way of ['plain', 'interpreted'] as const) {
      const w = loopWorld('hvc');
      const { counts, undo } = setUp(w.machine, way);
      const m = w.machine, s = m.cpu.s;
      const seen: End[] = [];
      try {
        s[L.PC] = LOOP_PA; s[L.PC + 1] = 0;
        s[2 * 19] = 1_000_000; s[2 * 19 + 1] = 0;
        let seedv = 12345;
        for (let k = 0; k < 40; k++) {
          seedv = (seedv * 1103515245 + 12345) & 0x7fffffff;
          if (k % 10 === 5) s[L.IRQ_LINES] = 1;
          if (k % 10 === 8) s[L.IRQ_LINES] = 0;
          const r = m.run({ maxInstructions: 1 + (seedv % 5000) });
          expect(r.reason).toBe(StopReason.Budget);
          seen.push({ state: s.slice(), snapshot: w.saveSnapshot(), counts });
        }
      } finally { undo(); }
      ends.push(seen);
    }
    for (let k = 0; k < 40; k++) expectSameEnd(ends[0]![k]!, ends[1]![k]!, `run ${k}`);
  }, 120_000);
});

describe('boot-order scenarios: fast paths end where the generic paths do', () => {
  for (const def of BUILTIN_SCENARIOS) {
    it(def.name, () => {
      const ends = new Map<Way, End & { report: string }>();
      for (const way of WAYS) {
        const world = createWorld(scenarioWorldSpec(def));
        const { counts, undo } = setUp(world.machine, way);
        let report = '';
        try {
          world.boot({ pkvmInit: false });
          const r = runScenario(def, { backend: () => worldBackendFor(world) });
          report = JSON.stringify({ ...r, wallMs: 0 });
        } finally { undo(); }
        ends.set(way, { state: world.machine.cpu.s.slice(), snapshot: world.saveSnapshot(), counts, report });
      }
      const plain = ends.get('plain')!;
      for (const way of WAYS) {
        const e = ends.get(way)!;
        expectSameEnd(plain, e, `${def.name} ${way}`);
        expect(e.report, `${def.name} ${way}: report`).toBe(plain.report);
      }
      // Both loops show the observers the same hops, and there are some.
      expect(ends.get('observed')!.counts.entries).toBeGreaterThan(20);
      expect(ends.get('instrumented')!.counts).toEqual(ends.get('observed')!.counts);
    }, 120_000);
  }
});
