import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkOrder } from '../../src/firmware/host/initcalls.js';
import { builtinScenario } from '../../src/scenarios/builtin.js';
import { ScenarioFileError, loadScenarioFile, parseScenarios } from '../../src/scenarios/file.js';

const doc = (scenarios: unknown[]): unknown => ({ format: 'a64el-scenarios/1', scenarios });
const fail = (data: unknown): string => {
  try { parseScenarios(data, 'my.json'); } catch (e) { expect(e).toBeInstanceOf(ScenarioFileError); return (e as Error).message; }
  throw new Error('expected a ScenarioFileError');
};

describe('scenario files', () => {
  it('start from a base and change placements and policies', () => {
    const [s] = parseScenarios(doc([{
      name: 'mine', base: 'device-initcall',
      placements: { load_uefi_certs: 'late_sync', ffa_init: { level: 'device', linkOrder: 'drivers:3' }, tpm_crb_ffa_init: null },
      policy: { directReqBeforeVersion: 'forward' },
    }]), 'my.json');
    expect(s!.name).toBe('mine');
    expect(s!.placements.load_uefi_certs).toEqual({ level: 'late', sync: true, linkOrder: linkOrder('security', 0) });
    expect(s!.placements.ffa_init).toEqual({ level: 'device', sync: false, linkOrder: linkOrder('drivers', 3) });
    expect(s!.placements.tpm_crb_ffa_init).toBeNull();
    expect(s!.placements.kvm_arm_init).toEqual(builtinScenario('device-initcall')!.placements.kvm_arm_init);
    expect(s!.policy).toEqual({ directReqBeforeVersion: 'forward', spmc: 'spec' });
    expect(s!.ffaRootDevice).toBe(false);
    expect(s!.placements.ffa_root_device_init).toBeNull();
  });

  it('gives the root device its default placement when a scenario turns RFC 2/3 on', () => {
    const [s] = parseScenarios(doc([{ name: 'r', ffaRootDevice: true }]), 'f.json');
    expect(s!.placements.ffa_root_device_init).toEqual({ level: 'subsys', sync: false, linkOrder: linkOrder('drivers', 21) });
  });

  it('name the file and the JSON path in errors', () => {
    expect(fail({ format: 'x', scenarios: [] })).toBe('my.json: format: must be "a64el-scenarios/1", not "x"');
    expect(fail(doc([{ name: 'a', placements: { ffa_init: { level: 'soon' } } }])))
      .toMatch(/^my\.json: scenarios\[0\]\.placements\.ffa_init\.level: unknown value "soon"/);
    expect(fail(doc([{ name: 'a', placements: { ffa_init: 'rootfs_sync' } }])))
      .toMatch(/^my\.json: scenarios\[0\]\.placements\.ffa_init: unknown value "rootfs_sync"/);
    expect(fail(doc([{ name: 'a', placements: { ffa_init: { level: 'rootfs', sync: true } } }])))
      .toBe('my.json: scenarios[0].placements.ffa_init.sync: ffa_init: rootfs has no _sync variant (include/linux/init.h defines no rootfs_initcall_sync)');
    expect(fail(doc([{ name: 'a', placements: { nope: 'late' } }]))).toMatch(/^my\.json: scenarios\[0\]\.placements\.nope: unknown initcall/);
    expect(fail(doc([{ name: 'a', placements: { ffa_init: { level: 'late', linkOrder: 'drivers:x' } } }])))
      .toMatch(/scenarios\[0\]\.placements\.ffa_init\.linkOrder: "drivers:x" is not a link position/);
    expect(fail(doc([{ name: 'a', polcy: {} }]))).toBe('my.json: scenarios[0].polcy: unknown field in scenario');
    expect(fail(doc([{ name: 'rfc' }]))).toBe('my.json: scenarios[0].name: "rfc" is a built-in scenario\'s name');
    expect(fail(doc([{ name: 'a' }, { name: 'a' }]))).toBe('my.json: scenarios[1].name: "a" is defined twice');
    expect(fail(doc([{ name: 'a', placements: { ffa_root_device_init: 'subsys' } }]))).toMatch(/ffaRootDevice is false/);
    expect(fail(doc([{ name: 'a', base: 'nope' }]))).toMatch(/^my\.json: scenarios\[0\]\.base: unknown value "nope"/);
  });

  it('read files, reporting unreadable and non-JSON ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64el-scen-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(doc([{ name: 'x', base: 'rfc' }])));
    expect(loadScenarioFile(good).map((s) => s.name)).toEqual(['x']);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => loadScenarioFile(bad)).toThrow(/bad\.json: not JSON/);
    expect(() => loadScenarioFile(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read/);
  });
});
