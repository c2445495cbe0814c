/**
 * Exclusives and acquire/release, single PE (Arm ARM B2.9, ASL AArch64.ExclusiveMonitorsPass): the
 * local monitor in EXCL_VALID/EXCL_ADDR, STXR status 0 on success and 1 on failure, alignment to the
 * access size (pairs: to the pair size) checked before the monitor.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { DATA, HAVE_BINUTILS, run } from './harness.js';

const D = BigInt(DATA);
const mem = { [DATA]: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] };

describe.skipIf(!HAVE_BINUTILS)('LDXR/STXR', () => {
  it('LDXR then STXR to the same address succeeds (status 0) and stores', () => {
    const r = run('ldxr x1, [x0]\n add x1, x1, #1\n stxr w2, x1, [x0]', { x: { 0: D, 2: 7n }, mem });
    expect(r.x(2)).toBe(0n);
    expect(r.read64(DATA)).toBe(0x0807_0605_0403_0202n);
    expect(r.m.cpu.s[L.EXCL_VALID]).toBe(0);
  });
  it('STXR without a preceding LDXR fails (status 1) and does not store', () => {
    const r = run('stxr w2, x1, [x0]', { x: { 0: D, 1: 0xffn }, mem });
    expect(r.x(2)).toBe(1n);
    expect(r.read64(DATA)).toBe(0x0807_0605_0403_0201n);
  });
  it('STXR to another address fails and clears the monitor, so a retry at the marked address fails too', () => {
    const r = run('ldxr x1, [x0]\n stxr w2, x1, [x3]\n stxr w4, x1, [x0]', { x: { 0: D, 3: D + 8n }, mem });
    expect(r.x(2)).toBe(1n);
    expect(r.x(4)).toBe(1n);
  });
  it('CLREX clears the monitor', () => {
    const r = run('ldaxr w1, [x0]\n clrex\n stlxr w2, w1, [x0]', { x: { 0: D }, mem });
    expect(r.x(2)).toBe(1n);
  });
  it('byte and halfword forms; a second STXR after a success fails', () => {
    const r = run('ldxrb w1, [x0, #0]\n stxrb w2, w3, [x0]\n stxrb w4, w3, [x0]\n ldaxrh w5, [x6]\n stlxrh w7, w3, [x6]',
      { x: { 0: D + 1n, 3: 0xeeeen, 6: D + 6n }, mem });
    expect(r.x(1)).toBe(2n);
    expect([r.x(2), r.x(4), r.x(7)]).toEqual([0n, 1n, 0n]);
    expect(r.x(5)).toBe(0x0807n);
    expect(r.read64(DATA)).toBe(0xeeee_0605_0403_ee01n);
  });
  it('status register Ws = WZR is discarded; the 32-bit status zero-extends', () => {
    const r = run('ldxr w1, [x0]\n stxr wzr, w1, [x0]\n mov x2, xzr\n ldxr w1, [x0]\n stxr w3, w1, [x0]', { x: { 0: D, 3: 0xffff_ffff_ffff_ffffn }, mem });
    expect(r.x(2)).toBe(0n);
    expect(r.x(3)).toBe(0n);
  });
  it('exclusives are aligned to their size: LDXR unaligned faults (DFSC 0x21, WnR 0)', () => {
    const r = run('ldxr x1, [x0]', { x: { 0: D + 4n, 1: 9n } });
    expect(r.esr()).toBe(0x9600_0021);
    expect(r.far()).toBe(D + 4n);
    expect(r.x(1)).toBe(9n);
    expect(r.m.cpu.s[L.EXCL_VALID]).toBe(0);
  });
  it('STXR unaligned faults before the monitor check, even with no reservation; Ws unchanged', () => {
    const r = run('stxr w2, w1, [x0]', { x: { 0: D + 2n, 2: 5n } });
    expect(r.esr()).toBe(0x9600_0061);
    expect(r.far()).toBe(D + 2n);
    expect(r.x(2)).toBe(5n);
  });
  it('STXR with Rs == Rt or Rs == Rn is UNDEFINED (CONSTRAINED UNPREDICTABLE choice)', () => {
    expect(run('.inst 0xc8017c01').exc?.esr).toBe(0x0200_0000);   // STXR W1, X1, [X0]
    expect(run('.inst 0xc8007c01', { x: { 0: D } }).exc?.esr).toBe(0x0200_0000);   // STXR W0, X1, [X0]
    expect(run('stxr w1, x2, [sp]').exc).toBeNull();              // a plain STXR (fails: no reservation)
  });
});

describe.skipIf(!HAVE_BINUTILS)('LDXP/STXP', () => {
  it('64-bit pair: success stores Rt low, Rt2 high', () => {
    const r = run('ldxp x1, x2, [x0]\n stxp w3, x2, x1, [x0]', { x: { 0: D }, mem });
    expect(r.x(1)).toBe(0x0807_0605_0403_0201n);
    expect(r.x(2)).toBe(0x100f_0e0d_0c0b_0a09n);
    expect(r.x(3)).toBe(0n);
    expect(r.read64(DATA)).toBe(0x100f_0e0d_0c0b_0a09n);
    expect(r.read64(DATA + 8)).toBe(0x0807_0605_0403_0201n);
  });
  it('32-bit pair; STLXP failure', () => {
    const r = run('ldaxp w1, w2, [x0]\n clrex\n stlxp w3, w1, w2, [x0]', { x: { 0: D + 8n }, mem });
    expect(r.x(1)).toBe(0x0c0b_0a09n);
    expect(r.x(2)).toBe(0x100f_0e0dn);
    expect(r.x(3)).toBe(1n);
  });
  it('pairs must be aligned to the pair size: 64-bit at 8 mod 16 and 32-bit at 4 mod 8 fault', () => {
    expect(run('ldxp x1, x2, [x0]', { x: { 0: D + 8n } }).esr()).toBe(0x9600_0021);
    expect(run('ldxp w1, w2, [x0]', { x: { 0: D + 4n } }).esr()).toBe(0x9600_0021);
    expect(run('stxp w3, x1, x2, [x0]', { x: { 0: D + 8n } }).esr()).toBe(0x9600_0061);
  });
  it('LDXP with Rt == Rt2 is UNDEFINED', () => {
    expect(run('.inst 0xc87f0401', { x: { 0: D } }).exc?.esr).toBe(0x0200_0000);   // LDXP X1, X1, [X0]
  });
});

describe.skipIf(!HAVE_BINUTILS)('LDAR/STLR', () => {
  it('all sizes, no monitor effect', () => {
    const r = run('ldarb w1, [x0]\n ldarh w2, [x0]\n ldar w3, [x0]\n ldar x4, [x0]\n stlrb w5, [x6]\n stlrh w5, [x6, #0]\n stlr x5, [x7]',
      { x: { 0: D, 5: 0x1122_3344_5566_7788n, 6: D + 0x20n, 7: D + 0x28n }, mem });
    expect([r.x(1), r.x(2), r.x(3), r.x(4)]).toEqual([1n, 0x0201n, 0x0403_0201n, 0x0807_0605_0403_0201n]);
    expect(r.read64(DATA + 0x20)).toBe(0x7788n);
    expect(r.read64(DATA + 0x28)).toBe(0x1122_3344_5566_7788n);
    expect(r.m.cpu.s[L.EXCL_VALID]).toBe(0);
  });
  it('unaligned LDAR/STLR fault', () => {
    expect(run('ldar w1, [x0]', { x: { 0: D + 2n } }).esr()).toBe(0x9600_0021);
    expect(run('stlrh w1, [x0]', { x: { 0: D + 1n } }).esr()).toBe(0x9600_0061);
  });
});
