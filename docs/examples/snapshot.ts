/**
 * Example: snapshot a run half-way, restore it into a fresh machine, and finish there; then the same
 * for a whole FF-A world (EL3 monitor + SPMD, S-EL1 SPMC, a partition, pKVM, the host).
 * Run: npx tsx docs/examples/snapshot.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FFA, createMachine, createWorld, type WorldSpec } from '../../src/index.js';

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

  // A world: negotiate FF-A, save, restore into a new world built with the same spec, send a direct
  // request in both. (Node: saveSnapshotFile/restoreSnapshotFile in src/machine/snapshot-file.ts.)
  const spec: WorldSpec = { el2: 'pkvm', spmc: 's-el1' };
  const w1 = createWorld(spec);
  w1.boot();
  w1.smc([BigInt(FFA.FFA_VERSION), 0x10002n]);
  const worldSnap = w1.saveSnapshot();
  const w2 = createWorld(spec);
  w2.restoreSnapshot(worldSnap);
  const req = [BigInt(FFA.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001n, 0n, 3n, 4n, 5n];
  const r1 = w1.smc(req), r2 = w2.smc(req);
  const worldSame = r1.x.every((v, i) => v === r2.x[i]) && w1.machine.cpu.cycles === w2.machine.cpu.cycles;
  log(`world snapshot ${worldSnap.length} bytes; DIRECT_REQ_64 answered 0x${r2.x[0]!.toString(16)} at ${w2.machine.cpu.cycles} cycles ` +
    `in the restored world, same as the original: ${worldSame}`);
  return { same: same && worldSame, bytes: snap.length };
}

if (import.meta.url === `file://${process.argv[1]}`) main();
