/**
 * Regression tests for failures the robustness work found (docs/robustness.md lists them). Each names
 * what broke and the rule.
 */
import { describe, expect, it } from 'vitest';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { loadRaw } from '../../src/machine/load.js';
import { assemble } from '../helpers/a64asm.js';

describe('guest console output of any size can be read back', () => {
  // String.fromCharCode(...bytes) spread every byte into one call: past a few hundred KiB of guest
  // output the JS stack overflowed (RangeError) in Machine.uartText() / semihostText(), so `a64el run
  // --json` and the image-vector runner died with an internal error. Nothing a guest prints may break
  // the emulator.
  it('600 000 bytes written to the PL011 by a guest loop', () => {
    const words = assemble('movz x0, #0x0900, lsl #16; movz w1, #0x41; movz x2, #0x27c0; movk x2, #0x9, lsl #16; 1: strb w1, [x0]; subs x2, x2, #1; b.ne 1b; 2: b 2b');
    const m = new Machine();
    loadRaw(m, new Uint8Array(words.buffer), 0x4000_0000n);
    expect(m.run({ maxInstructions: 2_000_000 }).reason).toBe(StopReason.Budget);
    const t = m.uartText();
    expect(t.length).toBe(600_000);
    expect(t.startsWith('AAAA') && t.endsWith('AAAA')).toBe(true);
  });

  it('1 000 000 bytes of semihosting console output', () => {
    const m = new Machine();
    for (let i = 0; i < 1_000_000; i++) m.semihostOut(0x30 + (i % 10));
    const t = m.semihostText();
    expect(t.length).toBe(1_000_000);
    expect(t.slice(0, 12)).toBe('012345678901');
  });
});
