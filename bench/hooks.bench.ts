/**
 * "No hooks installed = no cost" (DESIGN practice 11), measured on the ALU loop of aesthetics.md
 * Part 4 (loop: ADD X1,X1,#1; SUBS X0,X0,#1; B.NE loop; BRK #0), 3M instructions per task call:
 *   plain                 a Machine, no API object: the plain loop (with the block JIT, exec/jit)
 *   plain, a second one   the same on another Machine: the noise between two identical machines
 *   plain, JIT off        the interpreter alone: what the instrumented loop is the twin of
 *   api, no hooks         the same through createMachine(): still the plain loop
 *   hooks added+deleted   code, memory and exception hooks added then deleted: back to the plain loop
 *   exception hook        an FF-A/exception hook (CPU observers only): the plain loop
 *   code hook elsewhere   a code hook on another page: the instrumented loop, no callbacks
 *   cycle budget          emuStart({ cycles }) far away: the instrumented loop, no hooks
 *   memory hook elsewhere a MemWrite hook on another range: instrumented loop + hooked bus
 *   code hook on the loop a callback per instruction (an allocation + a BigInt each)
 * It prints MIPS per variant and each variant's time relative to "plain". The instrumented loop never
 * enters JIT-translated blocks, so its cost is measured against "JIT off" as much as against "plain".
 *
 * Run: npx tsx bench/hooks.bench.ts
 * (or, without tsx: npx tsc -p . && npx tsc bench/hooks.bench.ts --outDir .a64el-tmp --target es2022
 *  --module nodenext --moduleResolution nodenext --strict --skipLibCheck --types node && node
 *  .a64el-tmp/bench/hooks.bench.js -- the import below then needs ../dist instead of ../src.)
 */
import { Bench } from 'tinybench';
import { Machine } from '../src/machine/machine.js';
import { HookType, createMachine, type Emulator } from '../src/index.js';

const BASE = 0x4000_0000;
const ITER = 1_000_000;
const INSNS = 3 * ITER;

function image(words: number[]): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
  return b;
}
// loop: add x1, x1, #1 ; subs x0, x0, #1 ; b.ne loop ; brk #0   (GNU as encodings)
const ALU = image([0x91000421, 0xf1000400, 0x54ffffc1, 0xd4200000]);

function plainMachine(): Machine {
  const m = new Machine({ dramSize: 16 << 20 });
  m.loadBytes(BASE, ALU);
  return m;
}
function emu(): Emulator {
  const e = createMachine({ dramSize: 16 << 20 });
  e.memWrite(BigInt(BASE), ALU);
  return e;
}

function runPlain(m: Machine): void {
  m.pc = BigInt(BASE);
  m.writeX(0, BigInt(ITER));
  const r = m.run({ maxInstructions: INSNS });
  if (r.instructions !== INSNS) throw new Error(`ran ${r.instructions}`);
}
function runEmu(e: Emulator, extra: { cycles?: number } = {}): void {
  e.regWrite('x0', BigInt(ITER));
  const r = e.emuStart({ begin: BigInt(BASE), count: INSNS, ...extra });
  if (r.instructions !== INSNS) throw new Error(`ran ${r.instructions} (${r.stop})`);
}

const plain = plainMachine();
const plain2 = plainMachine();                 // a second one: how much two identical machines differ
const interp = plainMachine();
interp.cache.jitThreshold = 0;                 // the interpreter alone (what the instrumented loop is a twin of)
const apiNoHooks = emu();
const addedDeleted = emu();
for (const h of [
  addedDeleted.hookAdd(HookType.Code, () => {}),
  addedDeleted.hookAdd(HookType.Mem, () => {}),
  addedDeleted.hookAdd(HookType.Exception | HookType.Ffa, () => {}),
]) addedDeleted.hookDel(h);
const excHook = emu();
excHook.hookAdd(HookType.Exception | HookType.Ffa, () => {});
const codeElsewhere = emu();
codeElsewhere.hookAdd(HookType.Code, () => {}, { begin: 0x4100_0000n, end: 0x4100_0fffn });
const cycleBudget = emu();
const memElsewhere = emu();
memElsewhere.hookAdd(HookType.MemWrite, () => {}, { begin: 0x4100_0000n, end: 0x4100_0fffn });
const codeOnLoop = emu();
let seen = 0;
codeOnLoop.hookAdd(HookType.Code, () => { seen++; }, { begin: BigInt(BASE), end: BigInt(BASE + 15) });

// "added+deleted" must have run hooked at least once before its hooks were deleted, so that the
// handlers' inline caches have seen the hooked context: re-create that history explicitly.
{
  const h = addedDeleted.hookAdd(HookType.Mem | HookType.Code, () => {});
  runEmu(addedDeleted);
  addedDeleted.hookDel(h);
  if (addedDeleted.machine.hooks !== null) throw new Error('hooks left installed');
}

const variants: [string, () => void][] = [
  ['plain (Machine, no API)', () => runPlain(plain)],
  ['plain, a second Machine', () => runPlain(plain2)],
  ['plain, JIT off (interpreter)', () => runPlain(interp)],
  ['api, no hooks', () => runEmu(apiNoHooks)],
  ['hooks added+deleted', () => runEmu(addedDeleted)],
  ['exception/FF-A hook only', () => runEmu(excHook)],
  ['code hook on another page', () => runEmu(codeElsewhere)],
  ['cycle budget (no hooks)', () => runEmu(cycleBudget, { cycles: 1e12 })],
  ['MemWrite hook on another range', () => runEmu(memElsewhere)],
  ['code hook on the loop', () => runEmu(codeOnLoop)],
];

// 1. tinybench, one task per variant (median latency reported: the machine may be shared and noisy).
const bench = new Bench({ time: 1500, warmupTime: 300 });
for (const [name, fn] of variants) bench.add(name, fn);
await bench.run();
const tb = new Map<string, number>();
for (const task of bench.tasks) {
  const res = task.result;
  if (res.state !== 'completed') throw new Error(`${task.name}: ${res.state}`);
  tb.set(task.name, INSNS / (res.latency.p50! * 1000));
}

// 2. Interleaved rounds (every variant once per round, so load changes hit all alike): median ms.
const ROUNDS = Number(process.env['ROUNDS'] ?? 15);
const times = new Map<string, number[]>(variants.map(([n]) => [n, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of variants) {
    const t0 = performance.now();
    fn();
    times.get(name)!.push(performance.now() - t0);
  }
}
const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };

const base = median(times.get(variants[0]![0])!);
console.log(`Node ${process.version}; ALU loop, ${INSNS / 1e6}M instructions per call; ${ROUNDS} interleaved rounds`);
console.log(`${'variant'.padEnd(34)} ${'tinybench p50'.padStart(14)} ${'interleaved'.padStart(12)}  time vs plain`);
for (const [name] of variants) {
  const ms = median(times.get(name)!);
  console.log(`${name.padEnd(34)} ${(tb.get(name)!).toFixed(1).padStart(9)} MIPS ${(INSNS / (ms * 1000)).toFixed(1).padStart(7)} MIPS  x${(ms / base).toFixed(2)}`);
}
if (seen === 0) console.log('(code hook never ran?)');
