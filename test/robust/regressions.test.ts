/**
 * Regression tests for failures the robustness work found (docs/robustness.md lists them). Each names
 * what broke and the rule.
 */
import { describe, expect, it } from 'vitest';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { loadRaw } from '../../src/machine/load.js';
import { assemble } from '../helpers/a64asm.js';
import * as A from '../../src/ffa/abi.js';
import { createWorld } from '../../src/machine/world.js';
import { refillBudget } from './harness.js';

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

describe('guest console output cannot exhaust the host', () => {
  // One HLT #0xF000 SYS_WRITE with length 0x7FFFFFFF looped 2^31 times inside one instruction and
  // grew the output array until V8 aborted the process ("Fatal JavaScript invalid size error"): no
  // exception, no report. Now one call writes at most 1 MiB (the rest is reported not written, as
  // the semihosting spec allows), and each console keeps its first 16 MiB (streaming sees all).
  const writeLoop = (len: bigint, times: number): Machine => {
    // x19 = times; loop: x0 = SYS_WRITE, x1 = the parameter block; HLT #0xF000; x20 = last x0.
    const words = assemble('movz x1, #0x4000, lsl #16; add x1, x1, #0x1000; 1: movz x0, #5; hlt #0xf000; mov x20, x0; subs x19, x19, #1; b.ne 1b; 2: b 2b');
    const m = new Machine();
    loadRaw(m, new Uint8Array(words.buffer), 0x4000_0000n);
    const blk = new DataView(new ArrayBuffer(24));
    blk.setBigUint64(0, 1n, true); blk.setBigUint64(8, 0x4000_0000n, true); blk.setBigUint64(16, len, true);
    m.bus.load(0x4000_1000, new Uint8Array(blk.buffer));
    m.cpu.setX(19, BigInt(times));
    expect(m.run({ maxInstructions: 10 * times + 10 }).reason).toBe(StopReason.Budget);
    return m;
  };

  it('SYS_WRITE of 0x7FFFFFFF bytes writes 1 MiB and returns the rest as not written', () => {
    const t0 = performance.now();
    const m = writeLoop(0x7fff_ffffn, 1);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(m.semihostBytes().length).toBe(1 << 20);
    expect(m.cpu.x(20)).toBe(BigInt(0x7fff_ffff - (1 << 20)));
  });

  it('20 MiB of SYS_WRITE output keeps the first 16 MiB', () => {
    const m = writeLoop(BigInt(1 << 20), 20);
    expect(m.cpu.x(20)).toBe(0n);
    expect(m.semihostBytes().length).toBe(16 << 20);
  });

  it('the PL011 keeps its first 16 MiB and still streams every byte', () => {
    const m = new Machine();
    let streamed = 0;
    m.bus.uart.onByte = () => { streamed++; };
    const n = (16 << 20) + 1000;
    for (let i = 0; i < n; i++) m.bus.uart.write(0, 0x41);
    expect(streamed).toBe(n);
    expect(m.bus.uart.bytes().length).toBe(16 << 20);
    expect(m.bus.uart.dropped).toBe(1000);
  });
});

describe('wall-clock limits hold with translated code', () => {
  // run-hooked looked at the deadline every 1024 block starts, and a translated loop block retires
  // up to JIT_CHUNK (2^20) instructions per start: a guest spinning in `b .` ran about 2^30
  // instructions (seconds) past its deadline. A limit must stop a stuck guest promptly.
  it('a guest spinning in a translated loop stops within a second of its timeoutMs', () => {
    const m = new Machine();
    loadRaw(m, new Uint8Array([0x00, 0x00, 0x00, 0x14]), 0x4000_0000n);   // b .
    const t0 = performance.now();
    const r = m.run({ maxInstructions: 1e12, timeoutMs: 300 });
    expect(r.reason).toBe(StopReason.Requested);
    expect(performance.now() - t0).toBeLessThan(1300);
  });
});

describe('the SMCCC SVE hint never reaches the receiver of a call', () => {
  // DEN0028 v1.3: bit 16 of the function ID is a hint from the caller. With the SPMC at EL3 a
  // direct request made with the hint reached the partition as 0xC401006F, which it did not
  // recognise: it never answered and the host's call ran to its instruction budget (FF-A fuzzer).
  it.each(['el3', 's-el1'] as const)('DIRECT_REQ_64 | hint to an echo partition is answered (SPMC at %s, with and without pKVM)', (spmc) => {
    for (const el2 of ['pkvm', 'none'] as const) {
      const w = createWorld({ el2, spmc });
      w.boot();
      refillBudget(w.machine);
      w.smc([BigInt(A.FFA_VERSION), BigInt(A.FFA_VERSION_1_2)]);
      const r = w.smc([BigInt((A.FFA_MSG_SEND_DIRECT_REQ_64 | A.SMCCC_SVE_HINT) >>> 0), 0x8001n, 0n, 0x1234n]);
      expect(r.stop).toBe(StopReason.Returned);
      expect(r.x[0]! & 0xffff_ffffn).toBe(BigInt(A.FFA_MSG_SEND_DIRECT_RESP_64));
      expect(r.x[3]).toBe(0x1234n);
    }
  });
});
