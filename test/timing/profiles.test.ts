/**
 * Timing profiles as data (src/timing/profiles/*.ts): the registry, every figure with a source, the
 * per-Op cost table, and the `timing` config option.
 */
import { describe, expect, it } from 'vitest';
import { GENERIC, OpClassName, OpName, PROFILES, type TimingProfile, opCycleTable, resolveTiming } from '../../src/timing/profile.js';
import { opClasses } from '../../src/decode/decoder.js';
import { Op } from '../../src/decode/ops.js';
import { Machine } from '../../src/machine/machine.js';

/** Every numeric leaf of a profile as [path, value]. */
function figures(p: TimingProfile): [string, number][] {
  const out: [string, number][] = [['cpuHz', p.cpuHz], ['exceptionEntry', p.exceptionEntry], ['exceptionReturn', p.exceptionReturn]];
  for (const [group, obj] of [['classCycles', p.classCycles], ['opCycles', p.opCycles ?? {}], ['pipeline', p.pipeline ?? {}], ['native', p.native]] as const) {
    for (const [k, v] of Object.entries(obj)) out.push([`${group}.${k}`, v as number]);
  }
  return out;
}

describe('profile registry', () => {
  it('lists generic, cortex-a57 and neoverse-n1 under their own names', () => {
    expect(Object.keys(PROFILES).sort()).toEqual(['cortex-a57', 'generic', 'neoverse-n1']);
    for (const [name, p] of Object.entries(PROFILES)) expect(p.name).toBe(name);
    expect(PROFILES['generic']).toBe(GENERIC);
  });

  it('clocks: generic 1 GHz, Juno A57 900 MHz, N1SDP 2.6 GHz', () => {
    expect(PROFILES['generic']!.cpuHz).toBe(1e9);
    expect(PROFILES['cortex-a57']!.cpuHz).toBe(900e6);
    expect(PROFILES['neoverse-n1']!.cpuHz).toBe(2.6e9);
    expect(PROFILES['neoverse-n1']!.provenance!['cpuHz']).toMatch(/UNVERIFIED/);
  });

  for (const p of Object.values(PROFILES)) {
    it(`${p.name}: every figure has a provenance entry of a known kind`, () => {
      const prov = p.provenance ?? {};
      const missing = figures(p).filter(([k]) => prov[k] === undefined).map(([k]) => k);
      expect(missing).toEqual([]);
      for (const [k, v] of Object.entries(prov)) {
        expect(v, k).toMatch(/^(PUBLISHED|DERIVED|ASSUMPTION|FITTED): /);
        expect(figures(p).some(([f]) => f === k), `provenance for a figure that does not exist: ${k}`).toBe(true);
      }
    });

    it(`${p.name}: every class has a non-negative integer cost; pipeline width 1 or 2`, () => {
      expect(Object.keys(p.classCycles).sort()).toEqual(Object.keys(OpClassName).sort());
      for (const [k, v] of figures(p)) expect(Number.isInteger(v) && v >= 0, `${k} = ${v}`).toBe(true);
      expect([1, 2]).toContain(p.pipeline!.issueWidth);
    });
  }

  it('each profile fits at most one figure per anchor (FITTED entries)', () => {
    const fitted = (p: TimingProfile) => Object.entries(p.provenance ?? {}).filter(([, v]) => v.startsWith('FITTED')).map(([k]) => k);
    expect(fitted(PROFILES['cortex-a57']!)).toEqual(['opCycles.DC_VA']);
    expect(fitted(PROFILES['neoverse-n1']!)).toEqual(['opCycles.DC_VA']);
    // The generic profile's one anchor (27 cycles) fixes entry + return together.
    expect(fitted(PROFILES['generic']!).sort()).toEqual(['exceptionEntry', 'exceptionReturn']);
  });
});

describe('per-Op cost table', () => {
  it('classCycles by class, opCycles overrides single Ops, Undefined costs an ALU slot', () => {
    const a57 = PROFILES['cortex-a57']!;
    const t = opCycleTable(a57, opClasses());
    expect(t[Op.ADD_imm]).toBe(a57.classCycles.Alu);
    expect(t[Op.LD_uimm]).toBe(a57.classCycles.Load);
    expect(t[Op.STP_off]).toBe(a57.classCycles.StorePair);
    expect(t[Op.DSB]).toBe(a57.classCycles.Barrier);
    expect(t[Op.DC_VA]).toBe(a57.opCycles!.DC_VA);
    expect(t[Op.Undefined]).toBe(a57.classCycles.Alu);
  });

  it('rejects an unknown opCycles key', () => {
    const bad = { ...GENERIC, opCycles: { NOPE: 3 } } as unknown as TimingProfile;
    expect(() => opCycleTable(bad, opClasses())).toThrow(/unknown opCycles key "NOPE"/);
  });

  it('OpName covers only real Ops', () => {
    for (const v of Object.values(OpName)) expect(v).toBeGreaterThan(0);
  });
});

describe('the timing option', () => {
  it('a name, a profile object, or { profile, model }; default generic/fixed', () => {
    expect(resolveTiming(undefined)).toEqual({ profile: GENERIC, model: 'fixed' });
    expect(resolveTiming('cortex-a57').profile.name).toBe('cortex-a57');
    expect(resolveTiming(PROFILES['neoverse-n1']).profile.name).toBe('neoverse-n1');
    expect(resolveTiming({ model: 'pipeline' })).toEqual({ profile: GENERIC, model: 'pipeline' });
    expect(resolveTiming({ profile: 'cortex-a57', model: 'pipeline' }).profile.name).toBe('cortex-a57');
    expect(() => resolveTiming('a72')).toThrow(/unknown timing profile "a72" \(known: generic, cortex-a57, neoverse-n1\)/);
    expect(() => resolveTiming({ model: 'ooo' as never })).toThrow(/unknown timing model/);
  });

  it('Machine: fixed model has no loop variant (the hook costs nothing); pipeline installs one', () => {
    expect(new Machine().pipeline).toBeNull();
    expect(new Machine({ timing: 'cortex-a57' }).pipeline).toBeNull();
    const m = new Machine({ timing: { profile: 'cortex-a57', model: 'pipeline' } });
    expect(m.pipeline).not.toBeNull();
    expect(m.config.timingModel).toBe('pipeline');
    expect(m.cpu.cpuHz).toBe(900e6);
  });
});
