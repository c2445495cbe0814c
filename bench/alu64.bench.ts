/**
 * Micro-benchmark: 64-bit AddWithCarry on int32 halves (src/exec/alu64.ts)
 * versus the same operation on BigInt register values, plus UMULH and UDIV
 * for reference.
 *
 * Run (Node 20 cannot strip TS types, so build src to dist/, then compile this
 * file into the git-ignored .a64el-tmp/, a sibling of dist/, so that the
 * relative import below still resolves, and run it with plain node):
 *   npx tsc -p . && npx tsc bench/alu64.bench.ts --outDir .a64el-tmp \
 *     --target es2022 --module nodenext --moduleResolution nodenext \
 *     --strict --skipLibCheck --types node && node .a64el-tmp/alu64.bench.js
 * Do not use vite-node for this: its module transform turns the live-binding
 * reads (alu.hi, alu.flagN...) into getter calls and runs ~10x slower.
 */
import { Bench } from 'tinybench';
import * as alu from '../dist/exec/alu64.js';

const BATCH = 1024; // operations per task call, so call overhead is amortised
const M64 = (1n << 64n) - 1n;

// Deterministic operands (xorshift32), as halves and as BigInt.
let seed = 0x2545f491;
const rnd = (): number => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
};
const aLo = new Int32Array(BATCH);
const aHi = new Int32Array(BATCH);
const bLo = new Int32Array(BATCH);
const bHi = new Int32Array(BATCH);
const cIn = new Int32Array(BATCH);
const aBig: bigint[] = [];
const bBig: bigint[] = [];
const cBig: bigint[] = [];
for (let i = 0; i < BATCH; i++) {
  aLo[i] = rnd() | 0;
  aHi[i] = rnd() | 0;
  bLo[i] = rnd() | 0;
  bHi[i] = i % 4 === 0 ? 0 : rnd() >>> (i % 32) | 0; // mixed divisor sizes
  cIn[i] = i & 1;
  aBig.push((BigInt(aHi[i]! >>> 0) << 32n) | BigInt(aLo[i]! >>> 0));
  bBig.push((BigInt(bHi[i]! >>> 0) << 32n) | BigInt(bLo[i]! >>> 0));
  cBig.push(BigInt(i & 1));
}

// ---- BigInt peer (written to be fast, not a literal ASL transcription) ----
let bN = 0;
let bZ = 0;
let bC = 0;
let bV = 0;
function addWithCarry64Big(x: bigint, y: bigint, carry: bigint): bigint {
  const sum = x + y + carry;
  const r = sum & M64;
  bN = Number(r >> 63n);
  bZ = r === 0n ? 1 : 0;
  bC = sum > M64 ? 1 : 0;
  bV = Number((~(x ^ y) & (x ^ r)) >> 63n) & 1;
  return r;
}

// ---- correctness cross-check before timing ----
for (let i = 0; i < BATCH; i++) {
  const lo = alu.addWithCarry64(aLo[i]!, aHi[i]!, bLo[i]!, bHi[i]!, cIn[i]!);
  const r = addWithCarry64Big(aBig[i]!, bBig[i]!, cBig[i]!);
  const got = (BigInt(alu.hi >>> 0) << 32n) | BigInt(lo >>> 0);
  if (got !== r || alu.flagN !== bN || alu.flagZ !== bZ || alu.flagC !== bC || alu.flagV !== bV) {
    throw new Error(`mismatch at ${i}`);
  }
}

let sink = 0;
let sinkBig = 0n;

const bench = new Bench({ time: 1000, warmupTime: 250 });
bench
  .add('addWithCarry64 (int32 halves)', () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) {
      const lo = alu.addWithCarry64(aLo[i]!, aHi[i]!, bLo[i]!, bHi[i]!, cIn[i]!);
      acc = (acc + (lo ^ alu.hi) + ((alu.flagN << 3) | (alu.flagZ << 2) | (alu.flagC << 1) | alu.flagV)) | 0;
    }
    sink ^= acc;
  })
  .add('addWithCarry64 (BigInt)', () => {
    let acc = 0n;
    let f = 0;
    for (let i = 0; i < BATCH; i++) {
      acc ^= addWithCarry64Big(aBig[i]!, bBig[i]!, cBig[i]!);
      f = (f + ((bN << 3) | (bZ << 2) | (bC << 1) | bV)) | 0;
    }
    sinkBig ^= acc;
    sink ^= f;
  })
  .add('umulh64 (int32 halves)', () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) acc = (acc + (alu.umulh64(aLo[i]!, aHi[i]!, bLo[i]!, bHi[i]!) ^ alu.hi)) | 0;
    sink ^= acc;
  })
  .add('umulh64 (BigInt)', () => {
    let acc = 0n;
    for (let i = 0; i < BATCH; i++) acc ^= (aBig[i]! * bBig[i]!) >> 64n;
    sinkBig ^= acc;
  })
  .add('udiv64 (int32 halves)', () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) acc = (acc + (alu.udiv64(aLo[i]!, aHi[i]!, bLo[i]!, bHi[i]!) ^ alu.hi)) | 0;
    sink ^= acc;
  })
  .add('udiv64 (BigInt)', () => {
    let acc = 0n;
    for (let i = 0; i < BATCH; i++) {
      const b = bBig[i]!;
      acc ^= b === 0n ? 0n : aBig[i]! / b;
    }
    sinkBig ^= acc;
  });

await bench.run();

const opsPerSec = new Map<string, number>();
for (const task of bench.tasks) {
  const res = task.result;
  if (res.state !== 'completed') throw new Error(`${task.name}: ${res.state}`);
  opsPerSec.set(task.name, (BATCH * 1000) / res.period);
}

const fmt = (x: number): string => `${(x / 1e6).toFixed(1)} M ops/s`;
console.log(`Node ${process.version}, ${BATCH} ops per task call`);
for (const [name, ops] of opsPerSec) console.log(`${name.padEnd(32)} ${fmt(ops).padStart(16)}`);
for (const op of ['addWithCarry64', 'umulh64', 'udiv64']) {
  const ratio = opsPerSec.get(`${op} (int32 halves)`)! / opsPerSec.get(`${op} (BigInt)`)!;
  console.log(`${op}: halves / BigInt = ${ratio.toFixed(1)}x`);
}
if (sink === 0x7fffffff && sinkBig === 1n) console.log('(sink)');
