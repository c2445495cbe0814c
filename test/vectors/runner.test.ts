/**
 * The call-vector runner's own behaviour (src/vectors/runner.ts), on small stand-in machines so each
 * property is tested alone: register comparison and its messages (names, hex, masks), captures,
 * exception expectations, the per-step budget for a runaway call, host memory accesses refused by a
 * stage-2 check, bad files, the dispatcher's summary and the reporters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/state/layout.js';
import { Machine } from '../../src/machine/machine.js';
import { NativeComponent } from '../../src/firmware/component.js';
import { HostCaller } from '../../src/firmware/host/caller.js';
import { HCR_RW, SCR_NS, SCR_RW, SCR_HCE } from '../../src/exceptions/routing.js';
import { stage2Fault } from '../../src/memory/bus.js';
import { parseVector, type CallVector } from '../../src/vectors/parse.js';
import { describeValue, runCallVector, summaryLine } from '../../src/vectors/runner.js';
import { runVectorFile, runVectors } from '../../src/vectors/files.js';
import { formatJunit, formatText } from '../../src/vectors/reporters.js';
import { type VectorWorld, setVectorWorldFactory } from '../../src/vectors/world-adapter.js';

/** A scripted EL3: answers every SMC with `reply(x)` (x0-x17 in, x0-x17 out). */
class ScriptedEl3 extends NativeComponent {
  readonly name = 'scripted-el3';
  readonly el = 3;
  readonly secure = true;
  calls = 0;
  constructor(private readonly reply: (x: bigint[]) => bigint[]) { super(); }
  onException(): void {
    this.calls++;
    const cpu = this.p.cpu;
    const x: bigint[] = [];
    for (let i = 0; i < 18; i++) x.push(cpu.x(i));
    const out = this.reply(x);
    for (let i = 0; i < 18; i++) cpu.setX(i, out[i] ?? 0n);
    this.eret();
  }
}

/** Host at NS-EL1 with no EL2 (HVC UNDEFINED unless `hce`), EL3 = `el3` (native) or A64 at `el3Vbar`. */
function standIn(el3: ScriptedEl3 | { vbar: bigint }, hce = false): VectorWorld {
  const m = new Machine({});
  const host = new HostCaller();
  host.attach(m);
  const s = m.cpu.s;
  if (el3 instanceof ScriptedEl3) { el3.attach(m); m.cpu.set64(L.VBAR_EL + 6, el3.vectorBase); }
  else m.cpu.set64(L.VBAR_EL + 6, el3.vbar);
  m.cpu.set64(L.VBAR_EL + 2, host.vectorBase);
  s[L.SCR_EL3] = 0x30 | SCR_NS | SCR_RW | (hce ? SCR_HCE : 0);
  s[L.HCR_EL2] = HCR_RW; // EL1 is AArch64 (EL2 is implemented, so HCR_EL2.RW decides)
  s[L.PSTATE_EL] = 1; s[L.PSTATE_SP] = 1; s[L.PSTATE_DAIF] = 0x3c0;
  return { machine: m, host };
}

const vector = (steps: unknown[], machine: object = { el2: 'none' }): CallVector =>
  parseVector(JSON.stringify({ format: 'a64el-vector/1', name: 't', machine, steps }), 't.json') as CallVector;

const echoPlusOne = (x: bigint[]): bigint[] => [x[0]! + 1n, ...x.slice(1)];

afterEach(() => setVectorWorldFactory(null));

describe('register checks', () => {
  it('passes when the named registers match; names the failing register with FF-A names and hex', () => {
    const world = standIn(new ScriptedEl3(() => [0x84000060n, 0n, 0n]));
    const v = vector([{ smc: { x0: 'FFA_ID_GET' }, expect: { w0: 'FFA_ERROR', w2: 'INVALID_PARAMETERS' } }]);
    const r = runCallVector(v, { createWorld: () => world });
    expect(r.passed).toBe(false);
    expect(r.failedStep).toMatchObject({ index: 0, path: 'steps[0]', what: 'w2' });
    expect(r.message).toContain('steps[0] (SMC #0 FFA_ID_GET): w2: expected INVALID_PARAMETERS (0xfffffffe), got 0x00000000');
    expect(r.message).toContain('w0=FFA_ERROR (0x84000060)');
  });

  it('compares x registers on 64 bits and w registers on the low 32, with masks', () => {
    const el3 = new ScriptedEl3(() => [0xffff_ffff_0001_0002n, 0xabcd_0000_0000_0001n]);
    const ok = vector([{ smc: { x0: '0x84000063' }, expect: { w0: '0x00010002', w1: 1, x1: { value: '0xabcd000000000000', mask: '0xffff000000000000' } } }]);
    expect(runCallVector(ok, { createWorld: () => standIn(el3) }).passed).toBe(true);
    const bad = vector([{ smc: { x0: '0x84000063' }, expect: { x0: '0x0000000000010002' } }]);
    const r = runCallVector(bad, { createWorld: () => standIn(new ScriptedEl3(() => [0xffff_ffff_0001_0002n])) });
    expect(r.message).toContain('x0: expected 0x0000000000010002, got 0xffffffff00010002');
    const masked = vector([{ smc: { x0: '0x84000063' }, expect: { w2: { value: 0, mask: '0xffff' } } }]);
    const rm = runCallVector(masked, { createWorld: () => standIn(new ScriptedEl3(() => [0n, 0n, 0x0001_0010n])) });
    expect(rm.message).toContain('w2 & 0x0000ffff: expected 0x00000000, got 0x00000010');
  });

  it('loads unnamed registers as 0 and captured values into later steps', () => {
    const seen: bigint[][] = [];
    const el3 = new ScriptedEl3((x) => { seen.push(x); return [0x84000061n, 0n, 0x1234n, 0xdead_beefn]; });
    const v = vector([
      { smc: { x0: 'FFA_MEM_SHARE_64', w1: 112, w2: 112 }, expect: { w0: 'FFA_SUCCESS' }, capture: { LO: 'w2', HI: 'x3' } },
      { smc: { x0: 'FFA_MEM_RECLAIM', w1: '$LO', w2: '$HI' }, expect: { w2: '$LO', w3: '$HI' } },
    ]);
    const r = runCallVector(v, { createWorld: () => standIn(el3) });
    expect(r.passed, r.message).toBe(true);
    expect(seen[0]!.slice(3)).toEqual(new Array(15).fill(0n));
    expect(seen[1]![1]).toBe(0x1234n);
    expect(seen[1]![2]).toBe(0xdead_beefn);
  });

  it('uses SMC #imm', () => {
    const el3 = new ScriptedEl3(() => []);
    const world = standIn(el3);
    const v = vector([{ smc: { x0: 1 }, imm: 5, expect: {} }]);
    expect(runCallVector(v, { createWorld: () => world }).passed).toBe(true);
    expect((world.machine.cpu.s[L.ESR_EL + 6]! & 0xffff)).toBe(5);
  });
});

describe('exceptions and runaway calls', () => {
  it('expects an UNDEFINED HVC at EL1 when EL2 is not implemented/enabled', () => {
    const v = vector([{ hvc: { x0: 'FFA_VERSION' }, expect: { exception: { el: 1, ec: '0x00' } } }]);
    expect(runCallVector(v, { createWorld: () => standIn(new ScriptedEl3(echoPlusOne)) }).passed).toBe(true);
    const wrong = vector([{ hvc: { x0: 'FFA_VERSION' }, expect: { w0: 0 } }]);
    const r = runCallVector(wrong, { createWorld: () => standIn(new ScriptedEl3(echoPlusOne)) });
    expect(r.message).toMatch(/raised an exception at EL1 \(EC 0x00 Unknown reason/);
    const missing = vector([{ smc: { x0: 1 }, expect: { exception: { el: 1, ec: '0x00' } } }]);
    const rm = runCallVector(missing, { createWorld: () => standIn(new ScriptedEl3(echoPlusOne)) });
    expect(rm.message).toContain('but the call returned normally');
  });

  it('fails a step whose call never comes back within the step budget, with where the PE is', () => {
    const world = standIn({ vbar: 0x0e00_0000n });
    world.machine.bus.load(0x0e00_0400, new Uint8Array([0x00, 0x00, 0x00, 0x14])); // B . at the lower-EL sync vector
    const v = vector([{ smc: { x0: 1 }, expect: {} }, { smc: { x0: 2 }, expect: {} }]);
    const r = runCallVector(v, { createWorld: () => world, stepBudget: 5000 });
    expect(r.passed).toBe(false);
    expect(r.failedStep).toMatchObject({ index: 0, what: 'call' });
    expect(r.message).toContain('did not return to the host within the step budget of 5000 instructions');
    expect(r.message).toContain('PC=0x000000000e000400 at EL3 (Secure)');
    expect(r.stepsPassed).toBe(0);
  });

  it('turns an exception thrown by a component into a failed step', () => {
    const v = vector([{ smc: { x0: 1 }, expect: {} }]);
    const r = runCallVector(v, { createWorld: () => standIn(new ScriptedEl3(() => { throw new Error('boom'); })) });
    expect(r.passed).toBe(false);
    expect(r.message).toBe('steps[0]: internal error in the emulator: boom');
  });

  it('reports a machine that cannot be built', () => {
    const v = vector([{ smc: { x0: 1 }, expect: {} }]);
    const r = runCallVector(v, { createWorld: () => { throw new Error('no SPMC'); } });
    expect(r.failedStep).toMatchObject({ index: -1, path: 'machine' });
    expect(r.message).toContain('cannot build or boot the machine');
  });
});

describe('memory steps', () => {
  it('writes and reads back host memory; reports the first differing byte', () => {
    const world = standIn(new ScriptedEl3(echoPlusOne));
    const ok = vector([{ write: { addr: '0x40001000', hex: '01 02 03 04' } }, { expectMemory: { addr: '0x40001000', hex: '01020304' } }]);
    expect(runCallVector(ok, { createWorld: () => world }).passed).toBe(true);
    const bad = vector([{ write: { addr: '0x40001000', hex: '01020304' } }, { expectMemory: { addr: '0x40001000', hex: '01020305' } }]);
    const r = runCallVector(bad, { createWorld: () => standIn(new ScriptedEl3(echoPlusOne)) });
    expect(r.failedStep).toMatchObject({ index: 1, what: 'memory' });
    expect(r.message).toContain('first difference at 0x40001003 (offset 3): expected byte 0x05, got 0x04');
  });

  it('fails a host write the stage-2 check refuses, naming the address and the fault', () => {
    const world = standIn(new ScriptedEl3(echoPlusOne));
    world.machine.bus.stage2Check = (pa) => (pa >= 0x4000_2000 && pa < 0x4000_3000 ? stage2Fault(0x07) : 0);
    const v = vector([{ write: { addr: '0x40001ffe', hex: 'aabbccdd' } }]);
    const r = runCallVector(v, { createWorld: () => world });
    expect(r.passed).toBe(false);
    expect(r.message).toContain('the host may not write 0x40002000: stage-2 translation fault, level 3');
    expect(r.message).toContain('(2 bytes before it were written)');
  });
});

describe('files and the dispatcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a64el-vectors-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'a-good.json'), JSON.stringify({ format: 'a64el-vector/1', name: 'good', machine: { el2: 'none' }, steps: [{ smc: { x0: 1 }, expect: { x0: 2 } }] }));
  writeFileSync(join(dir, 'b-bad.json'), JSON.stringify({ format: 'a64el-vector/1', name: 'bad', steps: [{ smc: { x0: 1 }, expect: { w2: 'NOPE' } }] }));
  writeFileSync(join(dir, 'sub', 'c-broken.json'), '{ "format": "a64el-vector/1", ');
  writeFileSync(join(dir, 'sub', 'd-fails.json'), JSON.stringify({ format: 'a64el-vector/1', name: 'fails', machine: { el2: 'none' }, steps: [{ smc: { x0: 1 }, expect: { x0: 3 } }] }));

  it('gives the parser message (file and JSON path) for a bad vector, never a stack, and runs the others', () => {
    setVectorWorldFactory(() => standIn(new ScriptedEl3(echoPlusOne)));
    const s = runVectors([dir]);
    expect(s.results.map((r) => r.name)).toEqual(['good', join(dir, 'b-bad.json'), join(dir, 'sub', 'c-broken.json'), 'fails']);
    const [good, bad, broken, fails] = s.results;
    expect(good!.passed).toBe(true);
    expect(bad!.kind).toBe('invalid');
    expect(bad!.message).toBe(`${join(dir, 'b-bad.json')}: steps[0].expect.w2: unknown name "NOPE"`);
    expect(broken!.message).toMatch(/c-broken\.json: invalid JSON at line 1/);
    expect(fails!.failedStep?.what).toBe('x0');
    for (const r of s.results) expect(r.message).not.toMatch(/\n\s+at /);
    expect(s.summary).toBe('1 passed, 3 failed');
    expect(summaryLine(s.results)).toBe(s.summary);
  });

  it('reports missing paths and unreadable files', () => {
    const s = runVectors([join(dir, 'nope.json'), join(dir, 'nope-dir')]);
    expect(s.missing).toHaveLength(2);
    expect(runVectorFile(join(dir, 'nope.json')).message).toContain('cannot read the file');
  });

  it('formats text and JUnit reports', () => {
    setVectorWorldFactory(() => standIn(new ScriptedEl3(echoPlusOne)));
    const s = runVectors([dir]);
    const text = formatText(s.results);
    expect(text).toMatch(/^PASS good \(1 steps, /);
    expect(text).toContain('FAIL fails (');
    expect(text.trimEnd().split('\n').at(-1)).toBe('1 passed, 3 failed');
    expect(formatText(s.results, { verbose: false })).not.toContain('PASS');
    const xml = formatJunit(s.results);
    expect(xml).toContain('<testsuite name="a64el-vectors" tests="4" failures="3"');
    expect(xml).toContain('type="invalid-vector"');
    expect(xml).toContain('unknown name &quot;NOPE&quot;');
  });
});

describe('value names', () => {
  it('names function IDs in x0/w0 and status codes anywhere, zero- or sign-extended', () => {
    expect(describeValue(0x84000061n, 32, 0)).toBe('FFA_SUCCESS (0x84000061)');
    expect(describeValue(0xfffffffen, 32, 2)).toBe('INVALID_PARAMETERS (0xfffffffe)');
    expect(describeValue(0xffff_ffff_ffff_fffan, 64, 2)).toBe('DENIED (0xfffffffffffffffa)');
    expect(describeValue(0x0000_0000_ffff_fffcn, 64, 2)).toBe('BUSY (0x00000000fffffffc)');
    expect(describeValue(0xffff_ffff_ffff_ffffn, 64, 0)).toBe('SMCCC_NOT_SUPPORTED/NOT_SUPPORTED (-1) (0xffffffffffffffff)');
    expect(describeValue(0x10002n, 32, 0)).toBe('0x00010002');
    expect(describeValue(0x84000061n, 32, 3)).toBe('0x84000061');
  });
});
