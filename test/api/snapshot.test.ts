/**
 * contextSave/contextRestore (machine/snapshot.ts): stopping anywhere, saving, restoring into a
 * fresh machine and running on gives the same final state, cycle count and output as running
 * straight through (property-based, fast-check, over every committed image and random split
 * points); the format is versioned and refuses what does not fit.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { A64elError, A64elException, createMachine, SNAPSHOT_VERSION, type Emulator } from '../../src/index.js';

const DIR = join(import.meta.dirname, '../../firmware-images/build');
const IMAGES = readdirSync(DIR).filter((f) => f.endsWith('.elf')).sort();
const bytesOf = new Map(IMAGES.map((f) => [f, new Uint8Array(readFileSync(join(DIR, f)))]));

/** 16 MiB of DRAM keeps save/restore of the whole RAM fast; the images use far less. */
const CONFIG = { dramSize: 16 << 20 };

function boot(image: string): Emulator {
  const emu = createMachine(CONFIG);
  emu.loadElf(bytesOf.get(image)!, { name: image });
  return emu;
}

interface Final { state: string; cycles: number; instructions: number; uart: string; semi: string; stop: string; exit: number | null }
function final(emu: Emulator, stop: string, exit: number | null): Final {
  return {
    state: Buffer.from(new Uint8Array(emu.machine.cpu.buffer)).toString('hex'), cycles: emu.cycles, instructions: emu.instructions,
    uart: emu.uartText(), semi: emu.semihostText(), stop, exit,
  };
}

const straight = new Map<string, Final>();
function straightRun(image: string): Final {
  let f = straight.get(image);
  if (f === undefined) {
    const emu = boot(image);
    const r = emu.emuStart({ count: 5_000_000 });
    f = final(emu, r.stop, r.exitCode);
    straight.set(image, f);
  }
  return f;
}

describe('snapshots', () => {
  it('property: split anywhere (by instructions or cycles), save, restore in a fresh machine, run on = straight run', () => {
    fc.assert(fc.property(
      fc.constantFrom(...IMAGES), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(),
      (image, where, byCycles) => {
        const want = straightRun(image);
        const first = boot(image);
        const r1 = byCycles
          ? first.emuStart({ cycles: Math.max(1, Math.floor(where * want.cycles)) })
          : first.emuStart({ count: Math.max(1, Math.floor(where * want.instructions)) });
        const snap = first.contextSave();
        const second = createMachine(CONFIG);                  // nothing loaded: everything comes from the snapshot
        second.contextRestore(snap);
        const r2 = r1.stop === 'exit' ? r1 : second.emuStart({ count: 5_000_000 });
        const got = final(r1.stop === 'exit' ? first : second, r2.stop, r2.exitCode);
        expect(got).toEqual(want);
      },
    ), { numRuns: 30, seed: 0x5eed });
  });

  it('restoring into the same machine rolls it back (run, save, run on, restore, run on again: same end)', () => {
    const emu = boot('smc-roundtrip.elf');
    emu.emuStart({ count: 5000 });
    const snap = emu.contextSave();
    const a = emu.emuStart();
    const endA = final(emu, a.stop, a.exitCode);
    emu.contextRestore(snap);
    const b = emu.emuStart();
    expect(final(emu, b.stop, b.exitCode)).toEqual(endA);
  });

  it('keeps only non-zero pages; the header is versioned', () => {
    const emu = boot('el-drop.elf');
    const snap = emu.contextSave();
    expect(new TextDecoder().decode(snap.subarray(0, 8))).toBe('A64ELSNP');
    expect(new DataView(snap.buffer, snap.byteOffset).getUint32(8, true)).toBe(SNAPSHOT_VERSION);
    expect(snap.length).toBeLessThan(64 * 1024);               // 16 MiB of DRAM, a few pages used
  });

  it('refuses what is not a snapshot, another version, another machine; a refused restore changes nothing', () => {
    const emu = boot('el-drop.elf');
    const snap = emu.contextSave();
    const code = (f: () => void): A64elError => { try { f(); } catch (e) { return (e as A64elException).code; } return A64elError.Ok; };
    const target = createMachine(CONFIG);
    target.regWrite('x7', 77n);
    expect(code(() => target.contextRestore(new Uint8Array(10)))).toBe(A64elError.SnapshotInvalid);
    const bad = snap.slice(); bad[0] = 0x58;
    expect(code(() => target.contextRestore(bad))).toBe(A64elError.SnapshotInvalid);
    const v2 = snap.slice(); new DataView(v2.buffer).setUint32(8, SNAPSHOT_VERSION + 1, true);
    expect(code(() => target.contextRestore(v2))).toBe(A64elError.SnapshotVersion);
    const layout = snap.slice(); new DataView(layout.buffer).setUint32(12, 0xdeadbeef, true);
    expect(code(() => target.contextRestore(layout))).toBe(A64elError.SnapshotVersion);
    expect(code(() => target.contextRestore(snap.subarray(0, snap.length - 100)))).toBe(A64elError.SnapshotInvalid);
    expect(code(() => createMachine({ dramSize: 32 << 20 }).contextRestore(snap))).toBe(A64elError.SnapshotMismatch);
    expect(code(() => createMachine({ ...CONFIG, implementedEls: 0b0011 }).contextRestore(snap))).toBe(A64elError.SnapshotMismatch);
    expect(target.regRead('x7')).toBe(77n);
  });
});
