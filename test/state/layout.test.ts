/**
 * The state layout (DESIGN practice 3; src/state/layout.ts): every named slot has a known size, no two
 * slots overlap, every 64-bit slot sits at an 8-byte aligned offset (so Float64Array / BigUint64Array
 * views at offset/2 see it), everything fits in STATE_WORDS, and a snapshot is a copy that restores.
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { CpuState } from '../../src/state/cpu-state.js';
import { Machine } from '../../src/machine/machine.js';
import { CODE, setup } from '../helpers/el-harness.js';

/** Size in 32-bit words of each exported slot. A new slot must be added here (the test says so). */
const SIZES: Record<string, number> = {
  X: L.GPR_SLOTS * 2,
  PC: 2, NF: 1, ZF: 1, CF: 1, VF: 1,
  PSTATE_EL: 1, PSTATE_SP: 1, PSTATE_DAIF: 1, PSTATE_IL: 1, PSTATE_SS: 1, PSTATE_PAN: 1, EVENT_REG: 1, HALTED: 1,
  EXCL_VALID: 1, EXCL_ADDR: 2, IMPL_ELS: 1, IRQ_LINES: 1,
  CYCLES: 2, INSTRET: 2, CYCLES_MARK: 2, CYCLES_BY_EL: 16,
};
/** Banked-by-EL arrays: 4 x 64 bits. */
const BANKS = ['SP_EL', 'ELR_EL', 'SPSR_EL', 'ESR_EL', 'FAR_EL', 'VBAR_EL', 'SCTLR_EL', 'TPIDR_EL', 'TCR_EL', 'TTBR0_EL',
  'MAIR_EL', 'ACTLR_EL', 'AFSR0_EL', 'AFSR1_EL', 'ICC_SRE_EL'];
/** Exports that are not slots. */
const NOT_SLOTS = new Set(['ZR_SLOT', 'SP_SLOT', 'SINK_SLOT', 'GPR_SLOTS', 'STATE_WORDS', 'STATE_BYTES', 'FLOAT_SLOTS']);

function slots(): { name: string; off: number; size: number }[] {
  const out: { name: string; off: number; size: number }[] = [];
  for (const [name, off] of Object.entries(L)) {
    if (NOT_SLOTS.has(name) || typeof off !== 'number') continue;
    // Remaining unnamed exports are 64-bit system registers (one dword).
    const size = SIZES[name] ?? (BANKS.includes(name) ? 8 : 2);
    out.push({ name, off, size });
  }
  return out.sort((a, b) => a.off - b.off);
}

describe('state layout (DESIGN practice 3)', () => {
  it('every export is a known kind of slot: single words are listed, others are 64-bit', () => {
    // Guard: a slot added as word() without an entry in SIZES would be mistaken for a dword here;
    // check that every assumed-dword slot really has 2 words before the next slot.
    const all = slots();
    for (let i = 0; i < all.length - 1; i++) {
      const a = all[i]!, b = all[i + 1]!;
      if (SIZES[a.name] === undefined && !BANKS.includes(a.name)) {
        expect(b.off - a.off, `${a.name} looks like a 64-bit slot (add it to SIZES otherwise)`).toBeGreaterThanOrEqual(2);
      }
    }
    expect(all.length).toBeGreaterThan(60);
  });

  it('no two slots overlap and all fit inside STATE_WORDS', () => {
    const all = slots();
    for (let i = 0; i < all.length - 1; i++) {
      const a = all[i]!, b = all[i + 1]!;
      expect(a.off + a.size, `${a.name} [${a.off}, +${a.size}) overlaps ${b.name} at ${b.off}`).toBeLessThanOrEqual(b.off);
    }
    const last = all[all.length - 1]!;
    expect(last.off + last.size).toBeLessThanOrEqual(L.STATE_WORDS);
    expect(L.STATE_BYTES).toBe(L.STATE_WORDS * 4);
    expect(L.STATE_BYTES % 8).toBe(0);
  });

  it('64-bit slots (and banks and float64 counters) start at an even word: 8-byte aligned', () => {
    for (const s of slots()) {
      if (s.size >= 2) expect(s.off % 2, `${s.name} at word ${s.off}`).toBe(0);
    }
    for (const f of L.FLOAT_SLOTS) expect(f % 2).toBe(0);
  });

  it('GPR slots: X0-X30 at 2n, XZR slot 31, live SP slot 32, write sink 33', () => {
    expect(L.X).toBe(0);
    expect([L.ZR_SLOT, L.SP_SLOT, L.SINK_SLOT, L.GPR_SLOTS]).toEqual([31, 32, 33, 34]);
  });

  it('a 64-bit slot read as two halves equals a BigUint64Array view at offset/2 (little-endian)', () => {
    const cpu = new CpuState();
    cpu.set64(L.ELR_EL + 2 * 2, 0x0123_4567_89ab_cdefn);
    expect(new BigUint64Array(cpu.buffer)[(L.ELR_EL + 4) / 2]).toBe(0x0123_4567_89ab_cdefn);
    cpu.f[L.CYCLES >> 1] = 12345;
    expect(cpu.cycles).toBe(12345);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => new CpuState(new ArrayBuffer(L.STATE_BYTES + 8))).toThrow(RangeError);
  });
});

describe('snapshot = copy (DESIGN practice 3)', () => {
  it('snapshot is an independent copy; restore brings every word back', () => {
    const cpu = new CpuState();
    for (let i = 0; i < cpu.s.length; i++) cpu.s[i] = (i * 2654435761) | 0;
    const snap = cpu.snapshot();
    const copy = new Int32Array(snap.slice(0));
    cpu.s.fill(0);
    expect(new Int32Array(snap)).toEqual(copy);    // the snapshot did not change with the state
    cpu.restore(snap);
    expect(cpu.s).toEqual(copy);
  });

  it('running from a restored snapshot repeats the same execution exactly', () => {
    const h = setup({ el: 0, code: 'add x1, x1, #1; svc #0; add x2, x2, #3' });
    const start = h.m.cpu.snapshot();
    h.step(2);
    const after = new Int32Array(h.m.cpu.snapshot());
    h.m.cpu.restore(start);
    expect(h.m.cpu.pc).toBe(BigInt(CODE));
    h.step(2);
    expect(new Int32Array(h.m.cpu.snapshot())).toEqual(after);
    expect(h.el).toBe(1);
    expect(h.x(1)).toBe(1n);
  });

  it('a fresh Machine resets to EL3h, DAIF masked, SCR_EL3 RES1 bits (D1.2 reset)', () => {
    const m = new Machine();
    expect(m.el).toBe(3);
    expect(m.cpu.s[L.PSTATE_SP]).toBe(1);
    expect(m.cpu.s[L.PSTATE_DAIF]).toBe(0x3c0);
    expect(m.cpu.get64(L.SCR_EL3)).toBe(0x30n);
    expect(m.secure).toBe(true);
  });
});

describe('reset PSTATE', () => {
  it('NZCV read 0 after reset (UNKNOWN in the Arm ARM; 0 as QEMU), not Z=1 from a zero-filled ZF slot', () => {
    const m = new Machine();
    expect(m.cpu.nzcv).toBe(0);
    m.resetCpu();
    expect(m.cpu.nzcv).toBe(0);
  });
});
