/**
 * Example: snapshot a run half-way, restore it into a fresh machine, and finish there.
 * Run: npx tsx docs/examples/snapshot.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMachine } from '../../src/index.js';

export function main(log: (line: string) => void = console.log): { same: boolean; bytes: number } {
  const image = readFileSync(join(import.meta.dirname, '../../firmware-images/build/smc-roundtrip.elf'));
  const straight = createMachine();
  straight.loadElf(image);
  const a = straight.emuStart();

  const first = createMachine();
  first.loadElf(image);
  first.emuStart({ count: 5000 });
  const snap = first.contextSave();                 // a Uint8Array: store it, send it, diff it
  const second = createMachine();
  second.contextRestore(snap);
  const b = second.emuStart();

  const same = a.stop === b.stop && a.exitCode === b.exitCode && a.cycles === b.cycles && straight.uartText() === second.uartText();
  log(`snapshot ${snap.length} bytes; straight: ${a.stop} ${a.exitCode} at ${a.cycles} cycles; ` +
    `restored: ${b.stop} ${b.exitCode} at ${b.cycles} cycles; same: ${same}`);
  return { same, bytes: snap.length };
}

if (import.meta.url === `file://${process.argv[1]}`) main();
