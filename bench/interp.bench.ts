/**
 * Interpreter throughput (MIPS) on the ALU loop of aesthetics.md Part 4:
 *   loop: ADD X1, X1, #1; SUBS X0, X0, #1; B.NE loop; BRK #0
 * real A64 words (GNU as), 64-bit semantics, NZCV computed by every SUBS, through the full
 * Machine (predecode cache, timing charge, block loop). Also a load/store-heavy loop
 * (STP/LDP pre/post-index, LDR/STR, CBNZ) as a second figure.
 *
 * Run: npx tsx bench/interp.bench.ts
 *
 * Reports tinybench's wall-clock figures and, because shared CI machines are noisy, the best of 20
 * runs measured in process CPU time (process.cpuUsage), which is what to compare across changes.
 */
import { Bench } from 'tinybench';
import { Machine } from '../src/machine/machine.js';

const BASE = 0x4000_0000;
const ITER = 1_000_000;

function image(words: number[]): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
  return b;
}

// loop: add x1, x1, #1 ; subs x0, x0, #1 ; b.ne loop ; brk #0
const ALU = image([0x91000421, 0xf1000400, 0x54ffffc1, 0xd4200000]);
// loop: stp x1, x2, [sp, #-16]! ; ldp x3, x4, [sp], #16 ; str x3, [x5, #8] ; ldr x6, [x5, #8] ;
//       add x1, x1, x6 ; sub x0, x0, #1 ; cbnz x0, loop ; brk #0
const LDST = image([0xa9bf0be1, 0xa8c113e3, 0xf90004a3, 0xf94004a6, 0x8b060021, 0xd1000400, 0xb5ffff40, 0xd4200000]);

function machine(code: Uint8Array): Machine {
  const m = new Machine({ dramSize: 16 << 20 });
  m.loadBytes(BASE, code);
  return m;
}

function runLoop(m: Machine, perIter: number): number {
  m.pc = BigInt(BASE);
  m.writeX(0, BigInt(ITER));
  m.writeX(1, 0n);
  m.writeX(5, BigInt(BASE + 0x10000));
  m.writeX(32, BigInt(BASE + 0x20000));
  const r = m.run({ maxInstructions: perIter * ITER });
  if (r.instructions !== perIter * ITER) throw new Error(`ran ${r.instructions} instructions, expected ${perIter * ITER}`);
  return r.instructions;
}

const alu = machine(ALU);
const ldst = machine(LDST);
const bench = new Bench({ time: 3000, warmupTime: 1000 });
bench.add(`ALU loop (add/subs/b.ne), ${3 * ITER / 1e6}M insns`, () => { runLoop(alu, 3); });
bench.add(`load/store loop (stp/ldp/str/ldr/add/sub/cbnz), ${7 * ITER / 1e6}M insns`, () => { runLoop(ldst, 7); });
await bench.run();

/** Best-of-n MIPS in process CPU time. */
function cpuMips(m: Machine, perIter: number, n = 20): number {
  let best = Infinity;
  for (let k = 0; k < n; k++) {
    const c = process.cpuUsage();
    runLoop(m, perIter);
    const u = process.cpuUsage(c);
    best = Math.min(best, (u.user + u.system) / 1000);
  }
  return perIter * ITER / best / 1000;
}

console.log(`Node ${process.version}, V8 ${process.versions.v8}, ${process.platform}/${process.arch}`);
for (const [i, task] of bench.tasks.entries()) {
  const res = task.result;
  if (res === undefined || !('latency' in res)) { console.log(task.name, 'failed'); continue; }
  const insns = (i === 0 ? 3 : 7) * ITER;
  const ms = res.latency.mean;
  const best = res.latency.min;
  const cpu = cpuMips(i === 0 ? alu : ldst, i === 0 ? 3 : 7);
  console.log(`${task.name}: wall mean ${ms.toFixed(1)} ms -> ${(insns / ms / 1000).toFixed(1)} MIPS (wall best ${(insns / best / 1000).toFixed(1)}); ` +
    `CPU-time best of 20: ${cpu.toFixed(1)} MIPS`);
}
