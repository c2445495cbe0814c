/**
 * WFI/WFE traps, ASL AArch64.CheckForWFxTrap: the HCR_EL2.TWx trap applies at EL0/EL1 whenever EL2 is
 * enabled and the PE is not in Host (IsInHost needs HCR_EL2.E2H=1; no FEAT_VHE here), so TGE=1 with
 * E2H=0 still traps. Found by the QEMU differential campaign (seed 2026, scenario 1031).
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.js';
import * as L from '../../src/state/layout.js';

const WFI = 0xd503207f | 0, WFE = 0xd503205f | 0;
const HCR_RW = 1 << 31, HCR_TGE = 1 << 27, HCR_TWI = 1 << 13, HCR_TWE = 1 << 14;

function at(el: number, hcr: number, sctlrEl1: number, word: number): Machine {
  const m = new Machine();
  const s = m.cpu.s;
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, word, true);
  m.loadBytes(0x40000000, bytes);
  s[L.SCR_EL3] = 0x531;                 // NS, RW, HCE, RES1
  s[L.HCR_EL2] = hcr;
  s[L.SCTLR_EL + 2] = sctlrEl1;
  s[L.VBAR_EL + 4] = 0x40001000;        // EL2 vectors (never executed: budget 1)
  s[L.VBAR_EL + 2] = 0x40002000;
  s[L.PSTATE_EL] = el;
  s[L.PSTATE_SP] = el === 0 ? 0 : 1;
  m.pc = 0x40000000n;
  return m;
}

describe('WFx traps (AArch64.CheckForWFxTrap)', () => {
  it('WFI at EL0 with TGE=1, E2H=0, TWI=1 and SCTLR_EL1.nTWI=1 traps to EL2 (EC 0x01, ELR = the WFI)', () => {
    const m = at(0, HCR_RW | HCR_TGE | HCR_TWI, 1 << 16, WFI);
    m.run({ maxInstructions: 1 });
    expect(m.el).toBe(2);
    expect(m.cpu.get64(L.ESR_EL + 4)).toBe(0x07e00000n);
    expect(m.cpu.get64(L.ELR_EL + 4)).toBe(0x40000000n);
  });

  it('WFE at EL1 with TWE=1 traps to EL2 with TI=01', () => {
    const m = at(1, HCR_RW | HCR_TWE, 1 << 18, WFE);
    m.run({ maxInstructions: 1 });
    expect(m.el).toBe(2);
    expect(m.cpu.get64(L.ESR_EL + 4)).toBe(0x07e00001n);
  });

  it('WFI at EL0 with SCTLR_EL1.nTWI=0 and TGE=1 is taken to EL2 (EL0 exceptions routed by TGE)', () => {
    const m = at(0, HCR_RW | HCR_TGE, 0, WFI);
    m.run({ maxInstructions: 1 });
    expect(m.el).toBe(2);
    expect(m.cpu.get64(L.ESR_EL + 4)).toBe(0x07e00000n);
  });

  it('WFI at EL0 with nTWI=1 and no HCR/SCR trap does not trap (low-power state: the run halts)', () => {
    const m = at(0, HCR_RW, 1 << 16, WFI);
    const r = m.run({ maxInstructions: 1 });
    expect(m.el).toBe(0);
    expect(r.reason).toBe(3);   // StopReason.Halted
  });
});
