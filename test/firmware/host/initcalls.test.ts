import { describe, expect, it } from 'vitest';
import {
  INITCALL_PHASES, LINK_DIRS, type Initcall, type Placement, comparePlacements, linkDirOf, linkOrder, orderByPlacement,
  parsePhase, phaseIndex, runInitcalls, validatePlacement,
} from '../../../src/firmware/host/initcalls.js';

const at = (level: Placement['level'], sync: boolean, dir: Parameters<typeof linkOrder>[0], i = 0): Placement =>
  ({ level, sync, linkOrder: linkOrder(dir, i) });

describe('initcall phases', () => {
  it('run pure, pure_sync ... fs_sync, rootfs, device, device_sync, late, late_sync', () => {
    expect(INITCALL_PHASES.map((p) => p.name)).toEqual([
      'pure', 'pure_sync', 'core', 'core_sync', 'postcore', 'postcore_sync', 'arch', 'arch_sync', 'subsys', 'subsys_sync',
      'fs', 'fs_sync', 'rootfs', 'device', 'device_sync', 'late', 'late_sync',
    ]);
    expect(INITCALL_PHASES.find((p) => p.name === 'device_sync')?.macro).toBe('device_initcall_sync');
  });

  it('has no rootfs_sync (init.h defines no rootfs_initcall_sync)', () => {
    expect(phaseIndex('rootfs', true)).toBe(-1);
    expect(parsePhase('rootfs_sync')).toBeUndefined();
    expect(validatePlacement({ level: 'rootfs', sync: true, linkOrder: 0 })).toMatch(/no _sync variant/);
    expect(() => orderByPlacement([{ name: 'x', placement: { level: 'rootfs', sync: true, linkOrder: 0 } }])).toThrow(/x: rootfs has no _sync/);
  });

  it('puts rootfs after fs_sync and before device', () => {
    expect(phaseIndex('fs', true)).toBeLessThan(phaseIndex('rootfs', false));
    expect(phaseIndex('rootfs', false)).toBeLessThan(phaseIndex('device', false));
  });
});

describe('link order', () => {
  it('ranks directories init < arch < kernel < mm < fs < security < crypto < block < drivers < net < virt', () => {
    const ranks = LINK_DIRS.map((d) => linkOrder(d));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(LINK_DIRS).toEqual(['init', 'arch', 'kernel', 'mm', 'fs', 'security', 'crypto', 'block', 'drivers', 'net', 'virt']);
    expect(linkDirOf(linkOrder('security', 7))).toBe('security');
    expect(() => linkOrder('arch', 100)).toThrow(RangeError);
  });

  it('orders by phase first, then directory, then declaration position, then input order', () => {
    const items = [
      { name: 'late-drivers', placement: at('late', false, 'drivers') },
      { name: 'late-security', placement: at('late', false, 'security') },
      { name: 'device-sync-arch', placement: at('device', true, 'arch') },
      { name: 'device-drivers-2', placement: at('device', false, 'drivers', 2) },
      { name: 'device-arch', placement: at('device', false, 'arch') },
      { name: 'device-drivers-1', placement: at('device', false, 'drivers', 1) },
      { name: 'rootfs-drivers', placement: at('rootfs', false, 'drivers') },
      { name: 'tie-a', placement: at('late', true, 'drivers', 5) },
      { name: 'tie-b', placement: at('late', true, 'drivers', 5) },
    ];
    expect(orderByPlacement(items).map((i) => i.name)).toEqual([
      'rootfs-drivers', 'device-arch', 'device-drivers-1', 'device-drivers-2', 'device-sync-arch', 'late-security',
      'late-drivers', 'tie-a', 'tie-b',
    ]);
    expect(comparePlacements(at('late', false, 'init'), at('device', true, 'virt'))).toBeGreaterThan(0);
  });
});

describe('runInitcalls', () => {
  it('runs every call once in order, reports returns and goes on after a failure', () => {
    const ran: string[] = [];
    const mk = (name: string, placement: Placement, ret = 0): Initcall => ({ name, placement, fn: () => { ran.push(name); return ret; } });
    const phases: string[] = [];
    const ends: [string, string, number][] = [];
    const out = runInitcalls(
      [mk('c', at('late', true, 'security')), mk('a', at('core', false, 'kernel'), -22), mk('b', at('device', false, 'arch'))],
      { phase: (p) => phases.push(p.name), end: (c, p, r) => ends.push([c.name, p.name, r]) },
    );
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(out.map((o) => o.ret)).toEqual([-22, 0, 0]);
    expect(phases).toHaveLength(17);
    expect(ends).toEqual([['a', 'core', -22], ['b', 'device', 0], ['c', 'late_sync', 0]]);
  });
});
