/**
 * The instrumented loop (exec/run-hooked.ts) must behave exactly like the plain one: every committed
 * firmware image runs to the same final CPU state, cycle count and output with no hooks, with hooks
 * that observe everything (code, block, memory, exceptions), with a cycle budget split, and one
 * single step at a time through the API. This is what keeps the two loops from drifting apart.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HookType, createMachine, type Emulator } from '../../src/index.js';

const DIR = join(import.meta.dirname, '../../firmware-images/build');
const IMAGES = readdirSync(DIR).filter((f) => f.endsWith('.elf')).sort();

function boot(image: string): Emulator {
  const emu = createMachine();
  emu.loadElf(readFileSync(join(DIR, image)), { name: image });
  return emu;
}

function fingerprint(emu: Emulator): { state: string; cycles: number; instructions: number; uart: string; semi: string } {
  const buf = new Uint8Array(emu.machine.cpu.buffer);
  return { state: Buffer.from(buf).toString('hex'), cycles: emu.cycles, instructions: emu.instructions, uart: emu.uartText(), semi: emu.semihostText() };
}

describe('instrumented loop = plain loop on every committed image', () => {
  it('finds the images', () => { expect(IMAGES.length).toBeGreaterThanOrEqual(13); });

  for (const image of IMAGES) {
    it(image, () => {
      const plain = boot(image);
      const r0 = plain.emuStart({ count: 2_000_000 });
      expect(plain.machine.hooks).toBeNull();
      const want = fingerprint(plain);

      // Everything hooked (and counted, so the hooks demonstrably ran).
      const hooked = boot(image);
      let code = 0, blocks = 0, reads = 0, writes = 0, exc = 0;
      hooked.hookAdd(HookType.Code, () => { code++; });
      hooked.hookAdd(HookType.Block, () => { blocks++; });
      hooked.hookAdd(HookType.MemRead, () => { reads++; });
      hooked.hookAdd(HookType.MemWrite, () => { writes++; });
      hooked.hookAdd(HookType.Exception | HookType.Call, () => { exc++; });
      const r1 = hooked.emuStart({ count: 2_000_000 });
      expect(hooked.machine.hooks).not.toBeNull();
      expect(r1.stop).toBe(r0.stop);
      expect(fingerprint(hooked)).toEqual(want);
      expect(code).toBe(want.instructions);
      expect(blocks).toBeGreaterThan(0);
      expect(reads + writes).toBeGreaterThan(0);
      expect(exc).toBeGreaterThan(0);

      // Translated blocks inside the instrumented loop: a code hook far away and a deadline keep the
      // instrumented loop selected while nothing on the image's pages is hooked.
      const jitted = boot(image);
      jitted.machine.cache.jitThreshold = 1;
      let far = 0;
      jitted.hookAdd(HookType.Code, () => { far++; }, { begin: 0x4700_0000n, end: 0x4700_0fffn });
      const r2 = jitted.emuStart({ count: 2_000_000, timeoutMs: 600_000 });
      expect(r2.stop).toBe(r0.stop);
      expect(fingerprint(jitted)).toEqual(want);
      expect(far).toBe(0);

      // Cycle budgets: run in slices of 997 cycles until it exits.
      const sliced = boot(image);
      let r = sliced.emuStart({ cycles: 997 });
      let slices = 1;
      while (r.stop === 'cycles') { r = sliced.emuStart({ cycles: 997 }); slices++; }
      expect(r.stop).toBe(r0.stop);
      expect(slices).toBeGreaterThan(3);
      expect(fingerprint(sliced)).toEqual(want);
    });
  }

  it('single steps reach the same end (el-drop)', () => {
    const plain = boot('el-drop.elf');
    plain.emuStart();
    const want = fingerprint(plain);
    const stepped = boot('el-drop.elf');
    let n = 0;
    for (;;) {
      const r = stepped.step();
      n++;
      if (r.stop !== 'step') { expect(r.stop).toBe('exit'); break; }
    }
    expect(fingerprint(stepped)).toEqual(want);
    expect(n).toBeGreaterThanOrEqual(want.instructions);
  });
});
