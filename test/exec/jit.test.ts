/**
 * Block translation (src/exec/jit) against the interpreter: the same program run with translation on
 * (threshold 1: every block start is translated the first time it runs, so translated code runs almost
 * everything) and off must end in exactly the same state -- the whole state buffer (registers, NZCV
 * slots in their representation, PSTATE, system registers, cycles, instret, cycles per EL), the same
 * memory, UART and semihosting text and stop reason.
 *  - every firmware image (firmware-images/build, timing/build, bench/build with a small N);
 *  - the booted world (pKVM, SPMD, SPMC, echo partition) running the benchmark loops;
 *  - random straight-line data-processing blocks from the decode table (inline and helper-called
 *    rows), in a self-loop, with loads/stores, a faulting load, a store into the block's own page and
 *    a store that rewrites the next instruction, each run to many different instruction budgets.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as L from '../../src/state/layout.js';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { loadElf } from '../../src/machine/load.js';
import { DECODE_ROWS, decode } from '../../src/decode/decoder.js';
import { OpClass } from '../../src/decode/ops.js';
import { JitBlock } from '../../src/exec/jit/block.js';
import { ffaDirectWorkload, hvcPkvmWorkload, patchIterations } from '../../src/cli/bench.js';
import { HAVE_BINUTILS, assembleWords } from '../helpers/asm.js';
import { CALL_SITES, Insn, NativeComponent } from '../../src/firmware/component.js';

const root = join(import.meta.dirname, '..', '..');

interface Outcome { state: Int32Array; reason: StopReason; exit: number; uart: string; semi: string; ram: Uint8Array }

function outcome(m: Machine, reason: StopReason, ramBase: number, ramLen: number): Outcome {
  return { state: m.cpu.s.slice(), reason, exit: m.exitCode, uart: m.uartText(), semi: m.semihostText(), ram: m.bus.ram(ramBase, ramLen)!.slice() };
}

function expectSame(a: Outcome, b: Outcome, what: string): void {
  expect(b.reason, `${what}: stop reason`).toBe(a.reason);
  expect(b.uart, `${what}: UART`).toBe(a.uart);
  expect(b.semi, `${what}: semihosting`).toBe(a.semi);
  expect(b.exit, `${what}: exit code`).toBe(a.exit);
  const diff: string[] = [];
  for (let i = 0; i < a.state.length && diff.length < 8; i++) {
    if (a.state[i] !== b.state[i]) diff.push(`word ${i}: ${a.state[i]} vs ${b.state[i]}`);
  }
  expect(diff, `${what}: state differs (interpreter vs translated)`).toEqual([]);
  let firstRam = -1;
  for (let i = 0; i < a.ram.length; i++) if (a.ram[i] !== b.ram[i]) { firstRam = i; break; }
  expect(firstRam, `${what}: memory differs`).toBe(-1);
}

/** Translated blocks that exist in the machine's cache (to check the JIT really ran). */
function translatedBlocks(m: Machine): number {
  let k = 0;
  const cache = m.cache as unknown as { all: { blocks: (JitBlock | undefined)[] | null }[] };
  for (const p of cache.all) for (const b of p.blocks ?? []) if (b !== undefined && b.pa >= 0) k++;
  return k;
}

// ---------------------------------------------------------------------------------------------
// Firmware images
// ---------------------------------------------------------------------------------------------

function elfs(dir: string): string[] {
  const d = join(root, dir);
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.elf')).sort().map((f) => join(d, f)) : [];
}

function runElf(bytes: Uint8Array, threshold: number): { o: Outcome; blocks: number } {
  const m = new Machine();
  m.cache.jitThreshold = threshold;
  loadElf(m, bytes, 'image');
  const r = m.run({ maxInstructions: 20_000_000 });
  return { o: outcome(m, r.reason, 0x4000_0000, 0x10_0000), blocks: translatedBlocks(m) };
}

describe('firmware images: translated = interpreted', () => {
  const images = [...elfs('firmware-images/build'), ...elfs('firmware-images/timing/build'), ...elfs('firmware-images/bench/build')];
  it('finds the images', () => { expect(images.length).toBeGreaterThanOrEqual(13); });
  for (const path of images) {
    it(path.slice(root.length + 1), () => {
      let bytes: Uint8Array = readFileSync(path);
      if (path.includes('/bench/')) bytes = patchIterations(bytes, 2000);
      const off = runElf(bytes, 0);
      for (const threshold of [1, 3]) {
        const on = runElf(bytes, threshold);
        expectSame(off.o, on.o, `${path} (threshold ${threshold})`);
        if (threshold === 1) expect(on.blocks, 'some blocks were translated').toBeGreaterThan(0);
      }
      expect(off.blocks).toBe(0);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The world: native components around interpreted loops
// ---------------------------------------------------------------------------------------------

describe('world benchmark loops: translated = interpreted', () => {
  const cases: [string, () => Promise<import('../../src/cli/bench.js').Workload>][] = [
    ['hvc to pKVM', hvcPkvmWorkload],
    ['FF-A direct request through pKVM', () => ffaDirectWorkload('pkvm')],
    ['FF-A direct request without pKVM', () => ffaDirectWorkload('none')],
  ];
  for (const [name, make] of cases) {
    it(name, async () => {
      const res: Outcome[] = [];
      for (const threshold of [0, 1]) {
        const w = await make();
        w.machine.cache.jitThreshold = threshold;
        w.run(300);
        w.run(17);
        res.push(outcome(w.machine, StopReason.Budget, 0x4010_0000, 0x1000));
      }
      expectSame(res[0]!, res[1]!, name);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Random blocks
// ---------------------------------------------------------------------------------------------

let seed = 0x2545f491;
function rnd(): number {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed;
}
const CORNERS = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe];

const DP_ROWS = DECODE_ROWS.filter((r) => r.cls === OpClass.Alu || r.cls === OpClass.Mul || r.cls === OpClass.Div);

/** A random valid word of a data-processing row; registers biased to x0-x7, x30, x31 (never x19-x29). */
function dpWord(row0?: (typeof DP_ROWS)[number]): number {
  for (;;) {
    const row = row0 ?? DP_ROWS[rnd() % DP_ROWS.length]!;
    let w = ((rnd() & ~row.mask) | row.value) >>> 0;
    for (const letter of ['n', 'm', 'd', 'a']) {
      const i = row.bits.indexOf(letter);
      if (i < 0) continue;
      const lo = 31 - row.bits.lastIndexOf(letter);
      const choices = [0, 1, 2, 3, 4, 5, 6, 7, 30, 31];
      w = ((w & ~(31 << lo)) | (choices[rnd() % choices.length]! << lo)) >>> 0;
    }
    if (decode(w | 0) === row.id) return w | 0;
  }
}

const BASE = 0x4000_0000;
const CODE = BASE + 0x1000;      // code page (the vectors are at BASE + 0x800)
const DATA = BASE + 0x10_0000;   // x28 points here

/** Memory instructions (x28 = DATA; x27 = an address with nothing behind it; x26 = a word in the code page). */
const MEM = HAVE_BINUTILS ? {
  plain: assembleWords('ldr x1, [x28, #8]; str x2, [x28, #16]; ldp x3, x4, [x28, #32]; stp x5, x6, [x28, #48]; ' +
    'ldrb w7, [x28, #3]; strh w0, [x28, #6]; ldr x5, [x28], #8; str x6, [x28, #-8]!; ldrsw x2, [x28, #4]'),
  fault: assembleWords('ldr x7, [x27]'),
  ownPage: assembleWords('str x3, [x26]'),
} : null;

// Vectors (current EL, SP_ELx, sync at +0x200): skip the faulting instruction and return.
const VEC = HAVE_BINUTILS ? assembleWords('mrs x17, elr_el3; add x17, x17, #4; msr elr_el3, x17; eret') : [];

/** A forward branch over `skip` instructions: B.cond (random condition), CBZ/CBNZ or TBZ/TBNZ on x0-x3, or B. */
function forwardBranch(skip: number): number {
  const off = skip + 1;
  switch (rnd() % 4) {
    case 0: return (0x54000000 | ((off & 0x7ffff) << 5) | (rnd() % 15)) | 0;                        // b.cond
    case 1: return ((rnd() % 2 ? 0xb4000000 : 0xb5000000) | ((off & 0x7ffff) << 5) | (rnd() % 4)) | 0;  // cbz/cbnz x
    case 2: return ((rnd() % 2 ? 0x36000000 : 0x37000000) | ((rnd() % 32) << 19) | ((off & 0x3fff) << 5) | (rnd() % 4)) | 0;  // tbz/tbnz
    default: return (0x14000000 | (off & 0x3ffffff)) | 0;                                            // b
  }
}

function randomProgram(kind: 'alu' | 'mem' | 'fault' | 'own' | 'branchy'): number[] {
  const k = 1 + (rnd() % 12);
  const body: number[] = [];
  for (let i = 0; i < k; i++) {
    const r = rnd() % 10;
    if (kind !== 'alu' && kind !== 'branchy' && MEM !== null && r < 3) body.push(MEM.plain[rnd() % MEM.plain.length]!);
    else body.push(dpWord());
  }
  if (kind === 'fault' && MEM !== null) body.splice(rnd() % (body.length + 1), 0, MEM.fault[0]!);
  if (kind === 'own' && MEM !== null) body.splice(rnd() % (body.length + 1), 0, MEM.ownPage[0]!);
  if (kind === 'branchy') {
    // Forward branches inside the loop body: translated as traces (taken side continues in the block).
    for (let b = 1 + (rnd() % 3); b > 0; b--) {
      const at = rnd() % (body.length + 1);
      const skip = Math.min(rnd() % 3, body.length - at);
      body.splice(at, 0, forwardBranch(skip));
    }
    if (MEM !== null && rnd() % 2 === 0) body.splice(rnd() % (body.length + 1), 0, MEM.plain[rnd() % MEM.plain.length]!);
    // A store into the code page: the taken side of a later branch must leave the block (page.gen).
    if (MEM !== null && rnd() % 2 === 0) body.splice(rnd() % (body.length + 1), 0, MEM.ownPage[0]!);
  }
  const back = body.length + 1;
  return [...body, 0xf1000673 | 0 /* subs x19, x19, #1 */, (0x54000001 | ((-back & 0x7ffff) << 5)) | 0 /* b.ne start */, 0x14000000 /* b . */];
}

const machines = new Map<number, Machine>();
let translated = 0;

function runProgram(prog: readonly number[], init: Int32Array, budget: number, threshold: number, setup?: (m: Machine) => void): Outcome {
  let m = machines.get(threshold);
  if (m === undefined) { m = new Machine({ dramSize: 4 << 20 }); machines.set(threshold, m); }
  // Fresh state: zero the code page, the vectors and the data window (cheaper than a whole bus reset).
  m.bus.load(BASE, new Uint8Array(0x2000));
  m.bus.ram(DATA - 0x10000, 0x20000)!.fill(0);
  m.resetCpu();
  m.cache.jitThreshold = threshold;
  const s = m.cpu.s;
  const words = new Uint8Array(4 * prog.length);
  const dv = new DataView(words.buffer);
  prog.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
  m.loadBytes(CODE, words);
  const vec = new Uint8Array(4 * VEC.length);
  VEC.forEach((w, i) => new DataView(vec.buffer).setUint32(4 * i, w >>> 0, true));
  m.loadBytes(BASE + 0x800 + 0x200, vec);
  s.set(init.subarray(0, 68));
  s[2 * 31] = 0; s[2 * 31 + 1] = 0;                          // XZR reads as zero
  s[L.NF] = init[68]!; s[L.ZF] = init[69]!; s[L.CF] = init[70]! & 1; s[L.VF] = init[71]!;
  s[L.VBAR_EL + 6] = BASE + 0x800;
  s[2 * 28] = DATA; s[2 * 28 + 1] = 0;
  s[2 * 27] = 0x0800_0000; s[2 * 27 + 1] = 0;              // no RAM there: a data abort
  s[2 * 26] = CODE + 4 * prog.length + 64; s[2 * 26 + 1] = 0;   // a data word in the code page
  s[2 * 19] = 1 + (init[72]! >>> 0) % 40; s[2 * 19 + 1] = 0;
  s[2 * 32] = DATA + 0x8000; s[2 * 32 + 1] = 0;
  setup?.(m);
  m.pc = BigInt(CODE);
  const r = m.run({ maxInstructions: budget });
  translated += translatedBlocks(m);
  return outcome(m, r.reason, DATA - 0x10000, 0x20000);
}

function randomInit(): Int32Array {
  const init = new Int32Array(73);
  for (let i = 0; i < 73; i++) init[i] = rnd() % 3 === 0 ? CORNERS[rnd() % CORNERS.length]! | 0 : rnd() | 0;
  return init;
}

describe('every data-processing row, one instruction at a time: translated = interpreted', () => {
  for (const row of DP_ROWS) {
    it(`${row.name} (${row.bits})`, () => {
      translated = 0;
      for (let i = 0; i < 150; i++) {
        const w = dpWord(row);
        const init = randomInit();
        // [w; b .]: translated as one block; budget 2 = exactly that block.
        const prog = [w, 0x14000000];
        const off = runProgram(prog, init, 2, 0);
        const on = runProgram(prog, init, 2, 1);
        expectSame(off, on, `word 0x${(w >>> 0).toString(16).padStart(8, '0')}`);
      }
      expect(translated).toBeGreaterThanOrEqual(150);
    });
  }
});

describe('random blocks: translated = interpreted', () => {
  const kinds = ['alu', 'mem', 'fault', 'own', 'branchy'] as const;
  for (const kind of kinds) {
    it.skipIf(kind !== 'alu' && !HAVE_BINUTILS)(`${kind}: 100 programs x 4 budgets`, () => {
      translated = 0;
      for (let p = 0; p < 100; p++) {
        const prog = randomProgram(kind);
        const init = randomInit();
        for (const budget of [1 + (rnd() % 7), 5 + (rnd() % 40), 50 + (rnd() % 300), 2000]) {
          const off = runProgram(prog, init, budget, 0);
          const on = runProgram(prog, init, budget, 1);
          const words = prog.map((w) => (w >>> 0).toString(16).padStart(8, '0')).join(' ');
          expectSame(off, on, `program [${words}] budget ${budget}`);
        }
      }
      expect(translated).toBeGreaterThan(100);
    }, 120_000);
  }

  it.skipIf(!HAVE_BINUTILS)('DC ZVA over the rest of the block: the zeroed words run as UNDEFINED at once', () => {
    // dc zva, x25 zeroes the 64-byte block holding instructions 16..31; the translated block must stop
    // after the DC ZVA (it was translated from the old words) as the interpreter re-decodes.
    const prog = [...assembleWords('dc zva, x25'), ...Array.from({ length: 30 }, () => assembleWords('add x1, x1, #1')[0]!), 0x14000000];
    const init = randomInit();
    init[50] = CODE + 64; init[51] = 0;     // x25
    init[2] = 0; init[3] = 0;               // x1
    const mmuOn = (m: Machine): void => { m.cpu.s[L.SCTLR_EL + 6] |= 1; };   // SCTLR_EL3.M: Normal memory, DC ZVA allowed
    for (const budget of [20, 40, 100]) {
      const off = runProgram(prog, init, budget, 0, mmuOn);
      const on = runProgram(prog, init, budget, 1, mmuOn);
      expectSame(off, on, `budget ${budget}`);
      expect(on.state[2]).toBeLessThan(30);   // the zeroed adds did not run
    }
  });

  it.skipIf(!HAVE_BINUTILS)('a store that rewrites the next instruction takes effect at once', () => {
    // x26 -> the add after the str; w5 = "add x1, x1, #7". Interpreted and translated both run the new add.
    const prog = assembleWords('str w5, [x26]; add x1, x1, #1; subs x19, x19, #1; b.ne .-12; b .');
    const add7 = assembleWords('add x1, x1, #7')[0]!;
    for (const threshold of [0, 1, 2]) {
      const m = new Machine({ dramSize: 4 << 20 });
      m.cache.jitThreshold = threshold;
      const b = new Uint8Array(4 * prog.length);
      prog.forEach((w, i) => new DataView(b.buffer).setUint32(4 * i, w >>> 0, true));
      m.loadBytes(CODE, b);
      const s = m.cpu.s;
      s[2 * 26] = CODE + 4; s[2 * 5] = add7; s[2 * 19] = 10; s[2 * 1] = 0;
      m.pc = BigInt(CODE);
      m.run({ maxInstructions: 1000 });
      expect(s[2 * 1], `threshold ${threshold}`).toBe(70);
    }
  });

  it.skipIf(!HAVE_BINUTILS)('reloading code: changed bytes run as written, unchanged pages keep their translations', () => {
    // A loader write is a write to memory: the next fetch sees it (no stale decoded or translated code),
    // whatever ran there before. Only pages whose bytes did not change keep their translated blocks.
    const prog = (k: number): Uint8Array => {
      const w = assembleWords(`add x1, x1, #${k}; subs x19, x19, #1; b.ne .-8; b .`);
      const b = new Uint8Array(4 * w.length);
      w.forEach((x, i) => new DataView(b.buffer).setUint32(4 * i, x >>> 0, true));
      return b;
    };
    const m = new Machine({ dramSize: 4 << 20 });
    m.cache.jitThreshold = 1;
    const go = (code: Uint8Array): number => {
      m.resetCpu();
      m.loadBytes(CODE, code);
      m.cpu.s[2 * 19] = 10;
      m.pc = BigInt(CODE);
      m.run({ maxInstructions: 200 });
      return m.cpu.s[2 * 1]!;
    };
    expect(go(prog(1))).toBe(10);
    const blocks = translatedBlocks(m);
    expect(blocks).toBeGreaterThan(0);
    const page = (m.cache as unknown as { all: { pn: number; blocks: unknown }[] }).all.find((p) => p.pn === CODE >>> 12)!;
    const kept = page.blocks;
    expect(go(prog(1))).toBe(10);                 // same bytes: same blocks, nothing translated again
    expect(page.blocks).toBe(kept);
    expect(go(prog(3))).toBe(30);                 // one immediate changed: the new add runs
    expect(page.blocks).not.toBe(kept);
    m.bus.reset();                                // all memory zeroed: the old code is gone
    m.resetCpu();
    m.pc = BigInt(CODE);
    m.run({ maxInstructions: 1 });                // 0x00000000 is UDF #0: UNDEFINED, taken to EL3
    expect(m.cpu.s[L.ESR_EL + 6]! >>> 26).toBe(0x00);
  });
});

// ---------------------------------------------------------------------------------------------
// Exception entries and returns inside translated traces
// ---------------------------------------------------------------------------------------------

/**
 * A translated trace may take HVC/SMC/SVC and ERET inline (exceptions/take.ts, eret.ts folded behind a
 * guard on PSTATE.EL/SPSel, IMPL_ELS, SCR_EL3, HCR_EL2, VBAR_ELx, ELR/SPSR and the observers) and go on
 * at the vector or return address in another page; MRS/MSR of storage registers run inline behind an
 * EL guard. Each program runs interpreted and translated (threshold 1 and 3) at many budgets, with the
 * whole state (ELR/SPSR/ESR per EL, SP banks, cycles per EL, NZCV slots), memory and stop reason equal.
 */
const EL2V = BASE + 0x2000, EL3V = BASE + 0x3000, EL1V = BASE + 0x4000;   // VBAR_EL2, VBAR_EL3, VBAR_EL1
const SCR_NS = 1, SCR_HCE = 1 << 8, SCR_RW = 1 << 10, HCR_RW = 1 << 31, HCR_TSC = 1 << 19, HCR_IMO = 1 << 4;

interface TrapProgram {
  name: string;
  /** Code at CODE and the synchronous (lower EL: +0x400, current EL SPx: +0x200) and IRQ (+0x480) entries. */
  code: string;
  el2?: { lower?: string; current?: string; irq?: string };
  el3?: { lower?: string; current?: string };
  el1?: { lower?: string; current?: string };
  /** Start state: EL (NS for EL1/EL0), SCR_EL3, HCR_EL2 and anything else. */
  el: number; scr?: number; hcr?: number;
  setup?: (m: Machine) => void;
  /** Run on a machine of its own (the setup installs something resetCpu does not remove). */
  own?: boolean;
}

function bytesOf(ws: readonly number[]): Uint8Array {
  const b = new Uint8Array(4 * ws.length);
  ws.forEach((w, i) => new DataView(b.buffer).setUint32(4 * i, w >>> 0, true));
  return b;
}

const trapMachines = new Map<number, Machine>();

function runTrapProgram(p: TrapProgram, budget: number, threshold: number, seedInit: Int32Array, fresh = false): Outcome {
  const own = fresh || p.own === true;
  let m = own ? undefined : trapMachines.get(threshold);
  if (m === undefined) { m = new Machine({ dramSize: 4 << 20 }); if (!own) trapMachines.set(threshold, m); }
  m.bus.load(BASE, new Uint8Array(0x6000));
  m.bus.ram(DATA - 0x10000, 0x20000)!.fill(0);
  m.resetCpu();
  m.cache.jitThreshold = threshold;
  m.loadBytes(CODE, bytesOf(assembleWords(p.code)));
  const put = (vbar: number, v?: { lower?: string; current?: string; irq?: string }): void => {
    if (v?.lower !== undefined) m!.loadBytes(vbar + 0x400, bytesOf(assembleWords(v.lower)));
    if (v?.current !== undefined) m!.loadBytes(vbar + 0x200, bytesOf(assembleWords(v.current)));
    if (v?.irq !== undefined) m!.loadBytes(vbar + 0x480, bytesOf(assembleWords(v.irq)));
  };
  put(EL2V, p.el2); put(EL3V, p.el3); put(EL1V, p.el1);
  const s = m.cpu.s;
  for (let r = 0; r < 31; r++) { s[2 * r] = seedInit[2 * r]!; s[2 * r + 1] = seedInit[2 * r + 1]!; }
  s[L.NF] = seedInit[68]!; s[L.ZF] = seedInit[69]!; s[L.CF] = seedInit[70]! & 1; s[L.VF] = seedInit[71]!;
  s[2 * 19] = 1 + (seedInit[72]! >>> 0) % 40; s[2 * 19 + 1] = 0;
  s[2 * 28] = DATA; s[2 * 28 + 1] = 0;
  s[L.VBAR_EL + 2] = EL1V; s[L.VBAR_EL + 4] = EL2V; s[L.VBAR_EL + 6] = EL3V;
  // Distinct stacks per EL (SP banking on entry and return), all in RAM.
  for (let e = 0; e < 4; e++) { s[L.SP_EL + 2 * e] = DATA + 0x1000 * (e + 1); s[L.SP_EL + 2 * e + 1] = 0; }
  s[L.SCR_EL3] = p.scr ?? (SCR_NS | SCR_HCE | SCR_RW);
  s[L.HCR_EL2] = p.hcr ?? HCR_RW;
  s[L.PSTATE_EL] = p.el;
  s[L.PSTATE_SP] = p.el === 0 ? 0 : 1;
  s[L.PSTATE_DAIF] = 0x3c0;
  s[2 * 32] = s[L.SP_EL + 2 * (p.el === 0 ? 0 : p.el)]!; s[2 * 32 + 1] = 0;
  p.setup?.(m);
  m.pc = BigInt(CODE);
  const r = m.run({ maxInstructions: budget });
  translated += translatedBlocks(m);
  return outcome(m, r.reason, DATA - 0x10000, 0x20000);
}

const TRAP_PROGRAMS: TrapProgram[] = HAVE_BINUTILS ? [
  { name: 'HVC from EL1, EL2 vector a bare ERET (hvc-loop.elf)', el: 1,
    code: 'hvc #0; subs x19, x19, #1; b.ne .-8; b .', el2: { lower: 'eret' } },
  { name: 'HVC from EL1, the vector reads ELR/SPSR/ESR, sets flags, uses its stack and writes TPIDR_EL2', el: 1,
    code: 'hvc #0x123; adds x1, x1, x2; subs x19, x19, #1; b.ne .-12; b .',
    el2: { lower: 'mrs x17, elr_el2; mrs x18, spsr_el2; mrs x21, esr_el2; add x20, x20, #1; msr tpidr_el2, x20; ' +
      'str x20, [sp, #-16]!; cmp x20, x19; ldr x22, [sp], #16; mrs x23, tpidr_el2; eret' } },
  { name: 'SMC trapped by HCR_EL2.TSC, forwarded to EL3, ELR skipped by mrs/add/msr (smc-fwd.elf)', el: 1, hcr: HCR_RW | HCR_TSC,
    code: 'smc #0; subs x19, x19, #1; b.ne .-8; b .',
    el2: { lower: 'smc #1; mrs x17, elr_el2; add x17, x17, #4; msr elr_el2, x17; eret' }, el3: { lower: 'eret' } },
  { name: 'SMC from EL1 to EL3 (not trapped)', el: 1,
    code: 'smc #7; subs x19, x19, #1; b.ne .-8; b .', el3: { lower: 'mrs x17, esr_el3; eret' } },
  { name: 'SVC from EL0 to EL1 and back', el: 0,
    code: 'svc #3; add x2, x2, #1; subs x19, x19, #1; b.ne .-12; b .', el1: { lower: 'mrs x17, elr_el1; eret' } },
  { name: 'HVC at EL2 to the current-EL vector; SMC at EL3 to EL3', el: 2,
    code: 'hvc #1; subs x19, x19, #1; b.ne .-8; smc #2; b .', el2: { current: 'eret' }, el3: { lower: 'eret' } },
  { name: 'the vector returns to the trace start (ELR - 12 through registers): a loop closed by ERET', el: 1,
    code: 'subs x19, x19, #1; b.eq .+12; hvc #0; b .',
    el2: { lower: 'mrs x17, elr_el2; sub x17, x17, #12; msr elr_el2, x17; eret' } },
  { name: 'the vector writes SPSR (a value not known to the trace): the handler runs the ERET', el: 1,
    code: 'hvc #0; subs x19, x19, #1; b.ne .-8; b .',
    el2: { lower: 'mrs x17, spsr_el2; eor x17, x17, #0x20000000; msr spsr_el2, x17; eret' } },
  { name: 'an EL1 vector of an SVC at EL1 with SP_EL0 selected (current EL, SP0 vector)', el: 1,
    setup: (m) => { m.cpu.s[L.PSTATE_SP] = 0; m.cpu.s[2 * 32] = m.cpu.s[L.SP_EL]!; m.loadBytes(EL1V, bytesOf(assembleWords('mrs x17, elr_el1; eret'))); },
    code: 'svc #0; subs x19, x19, #1; b.ne .-8; b .' },
  { name: 'MRS of an EL2 register at EL1: UNDEFINED (to EL1)', el: 1,
    code: 'mrs x1, elr_el2; subs x19, x19, #1; b.ne .-8; b .', el1: { current: 'mrs x17, elr_el1; add x17, x17, #4; msr elr_el1, x17; eret' } },
  { name: 'HVC with an interrupt pending but masked at EL1 (block starts re-checked)', el: 1,
    setup: (m) => { m.cpu.s[L.IRQ_LINES] = 1; },
    code: 'hvc #0; subs x19, x19, #1; b.ne .-8; b .', el2: { lower: 'eret' } },
  { name: 'HVC with an interrupt pending, routed to EL2 by HCR_EL2.IMO: taken at every block start at EL1 (a livelock)', el: 1, hcr: HCR_RW | HCR_IMO,
    setup: (m) => { m.cpu.s[L.IRQ_LINES] = 1; },
    code: 'hvc #0; subs x19, x19, #1; b.ne .-8; b .', el2: { lower: 'eret', irq: 'add x24, x24, #1; eret' } },
  { name: 'HVC with an interrupt pending: taken once to EL1 (unmasked), whose handler returns with PSTATE.I set', el: 1,
    setup: (m) => {
      m.cpu.s[L.IRQ_LINES] = 1; m.cpu.s[L.PSTATE_DAIF] = 0;
      m.loadBytes(EL1V + 0x280, bytesOf(assembleWords('mrs x17, spsr_el1; orr x17, x17, #0x80; msr spsr_el1, x17; add x24, x24, #1; eret')));
    },
    code: 'hvc #0; subs x19, x19, #1; b.ne .-8; b .', el2: { lower: 'eret' } },
  { name: 'HVC with an exception-entry observer installed (the guard falls back to the handler)', el: 1, own: true,
    setup: (m) => { let k = 0; m.cpu.onExceptionEntry = () => { k++; m.cpu.s[2 * 25] = k; }; m.cpu.onExceptionReturn = () => { m.cpu.s[2 * 26] = k; }; },
    code: 'hvc #0; subs x19, x19, #1; b.ne .-8; b .', el2: { lower: 'eret' } },
  { name: 'HVC UNDEFINED (SCR_EL3.HCE = 0)', el: 1, scr: SCR_NS | SCR_RW,
    code: 'hvc #0; subs x19, x19, #1; b.ne .-8; b .', el1: { current: 'mrs x17, elr_el1; add x17, x17, #4; msr elr_el1, x17; eret' } },
] : [];

describe('exception entries and returns inside translated traces: translated = interpreted', () => {
  for (const p of TRAP_PROGRAMS) {
    it(p.name, () => {
      translated = 0;
      for (let k = 0; k < 6; k++) {
        const init = randomInit();
        for (const budget of [1 + (rnd() % 9), 10 + (rnd() % 40), 60 + (rnd() % 200), 3000]) {
          const off = runTrapProgram(p, budget, 0, init);
          for (const threshold of [1, 3]) {
            const on = runTrapProgram(p, budget, threshold, init);
            expectSame(off, on, `${p.name}: budget ${budget}, threshold ${threshold}`);
          }
        }
      }
      expect(translated).toBeGreaterThan(0);
    });
  }

  it.skipIf(!HAVE_BINUTILS)('the whole smc-fwd round trip is one translated loop (9 instructions through 3 pages)', () => {
    const p = TRAP_PROGRAMS[2]!;
    const init = randomInit();
    init[72] = 39;   // x19 = 40 iterations
    const off = runTrapProgram(p, 100_000, 0, init, true);
    const on = runTrapProgram(p, 100_000, 1, init);
    expectSame(off, on, 'smc-fwd');
    expect(on.state[L.PC]).toBe(CODE + 12);     // done: at the `b .`
    const cache = trapMachines.get(1)!.cache as unknown as { all: { pn: number; blocks: (JitBlock | undefined)[] | null }[] };
    const loop = cache.all.find((pg) => pg.pn === CODE >>> 12)!.blocks![0]!;   // smc; (EL2) smc; (EL3) eret; (EL2) mrs; add; msr; eret; subs; b.ne
    expect(loop.len).toBe(9);
    expect(loop.loops).toBe(true);
  });

  it.skipIf(!HAVE_BINUTILS)('translations kept across runs see changed VBAR, HCR_EL2.TSC and EL (the guards)', () => {
    // The same machine (translations kept: same code bytes) runs the program again with the state the
    // trace was specialised for changed; the guards must send it to the handlers.
    const base = TRAP_PROGRAMS[2]!;   // smc-fwd, translated with TSC = 1
    const variants: TrapProgram[] = [
      base,
      { ...base, hcr: HCR_RW },                                       // TSC = 0: SMC goes to EL3 directly
      { ...base, setup: (m) => { m.cpu.s[L.VBAR_EL + 6] = EL3V + 0x800; m.loadBytes(EL3V + 0x800 + 0x400, bytesOf(assembleWords('add x22, x22, #1; eret'))); } },
      { ...base, el: 2 },                                              // SMC at EL2: to EL3 (lower EL vector)
      { ...base, setup: (m) => { m.cpu.s[L.VBAR_EL + 4] = EL2V + 0x800; m.loadBytes(EL2V + 0x800 + 0x400, bytesOf(assembleWords('mrs x17, elr_el2; add x17, x17, #4; msr elr_el2, x17; eret'))); } },
    ];
    for (let k = 0; k < 3; k++) {
      for (const v of variants) {
        const init = randomInit();
        for (const budget of [7, 50, 400]) {
          const off = runTrapProgram(v, budget, 0, init);
          const on = runTrapProgram(v, budget, 1, init);
          expectSame(off, on, `variant ${variants.indexOf(v)}: budget ${budget}`);
        }
      }
    }
  });

  it.skipIf(!HAVE_BINUTILS)('random routing controls and start ELs: the routing folded at translation is the interpreter\'s', () => {
    // SCR_EL3.{NS, SMD, HCE, RW} and HCR_EL2.{TSC, TGE, RW} decide UNDEFINED, traps, the target EL and
    // whether a return is legal (width mismatch, EL2 not enabled, TGE); every combination must end alike.
    const SCR_SMD = 1 << 7, HCR_TGE = 1 << 27;
    const pool = TRAP_PROGRAMS.filter((p) => p.own !== true && p.setup === undefined);
    const all = { el1: { lower: 'mrs x17, elr_el1; eret', current: 'mrs x17, elr_el1; add x17, x17, #4; msr elr_el1, x17; eret' },
      el2: { lower: 'eret', current: 'mrs x17, elr_el2; add x17, x17, #4; msr elr_el2, x17; eret' },
      el3: { lower: 'eret', current: 'mrs x17, elr_el3; add x17, x17, #4; msr elr_el3, x17; eret' } };
    translated = 0;
    for (let k = 0; k < 300; k++) {
      const base = pool[rnd() % pool.length]!;
      const pick = (bits: number[]): number => bits.reduce((a, b) => (rnd() % 2 ? a | b : a), 0);
      const p: TrapProgram = {
        ...base, ...all, ...(base.el1 ? { el1: base.el1 } : {}), ...(base.el2 ? { el2: base.el2 } : {}), ...(base.el3 ? { el3: base.el3 } : {}),
        el: rnd() % 4,
        scr: pick([SCR_NS, SCR_SMD, SCR_HCE, SCR_RW]), hcr: pick([HCR_RW, HCR_TSC, HCR_TGE]) | 0,
      };
      const init = randomInit();
      for (const budget of [3 + (rnd() % 20), 200]) {
        const off = runTrapProgram(p, budget, 0, init);
        const on = runTrapProgram(p, budget, 1, init);
        expectSame(off, on, `${p.name}: EL${p.el}, SCR 0x${(p.scr ?? 0).toString(16)}, HCR 0x${((p.hcr ?? 0) >>> 0).toString(16)}, budget ${budget}`);
      }
    }
    expect(translated).toBeGreaterThan(0);
  });

  it.skipIf(!HAVE_BINUTILS)('an MRS translated at EL2 and run again at EL1 traps (UNDEFINED) as interpreted', () => {
    const atEl2: TrapProgram = { name: 'mrs at EL2', el: 2, code: 'mrs x1, elr_el2; msr elr_el2, x2; subs x19, x19, #1; b.ne .-12; b .',
      el1: { current: 'mrs x17, elr_el1; add x17, x17, #4; msr elr_el1, x17; eret' } };
    for (const el of [2, 1, 2, 1]) {
      const p = { ...atEl2, el };
      const init = randomInit();
      for (const budget of [5, 100]) {
        const off = runTrapProgram(p, budget, 0, init);
        const on = runTrapProgram(p, budget, 1, init);
        expectSame(off, on, `EL${el}, budget ${budget}`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Native components entered from translated traces
// ---------------------------------------------------------------------------------------------

/**
 * An HVC taken inline whose vector is a native component's (firmware/component.ts): the trace calls
 * the component in place and goes on at the instruction after the HVC when the component came back
 * there at the same EL/SPSel (translate.ts nativeInline). Each behaviour of the component below must
 * end exactly as the interpreter's run loop ends it (it enters the component at the block start at
 * the vector): the whole state, memory, stop reason and the component's own count.
 */
const ADD_X2_1 = 0x91000442 | 0, ADD_X2_2 = 0x91000842 | 0;
type HypMode = 'eret' | 'skip' | 'stuck' | 'forward' | 'tail' | 'irq' | 'write' | 'spsr';

class TestHyp extends NativeComponent {
  readonly name = 'test-hyp';
  readonly el = 2;
  readonly secure = false;
  calls = 0;
  constructor(private readonly mode: HypMode, private readonly rewrite: boolean) { super(); }
  onException(offset: number): void {
    this.calls++;
    this.charge(7);
    this.setX(0, this.calls, offset);
    const k = this.calls;
    switch (this.mode) {
      case 'eret': this.eret(); return;
      // Every 5th call returns past the next instruction (ELR + 4): the trace must not go on.
      case 'skip': if (k % 5 === 0) this.skipInstruction(); this.eret(); return;
      // The 7th call leaves PC at the vector: NativeStuck, as the run loop reports it.
      case 'stuck': if (k !== 7) this.eret(); return;
      // An SMC to EL3 (guest code) and a nested run until it returns here, then ERET.
      case 'forward': this.call(Insn.SMC0, CALL_SITES); this.eret(); return;
      // An SMC to EL3 and no return now: the reply comes back at onResume.
      case 'tail': this.issueTail(Insn.SMC0, CALL_SITES); return;
      // IRQ line up on every 4th call (EL1 takes it unmasked, its handler masks it), down two calls later.
      case 'irq':
        if (k % 4 === 1) this.s[L.IRQ_LINES] = 1;
        else if (k % 4 === 3) this.s[L.IRQ_LINES] = 0;
        this.eret(); return;
      // A store into the code page of the trace (its page.gen moves) on every 3rd call: in the first
      // program it rewrites the instruction after the HVC (add x2, x2, #1 <-> #2), else a word no one runs.
      // SPSR_EL2 rewritten before the ERET: every 4th call M = EL1t (the trace's inline ERET guard
      // fails: AArch64.ExceptionReturn runs), every 6th call SPSR.IL = 1 (an illegal state after it).
      case 'spsr': {
        const o = L.SPSR_EL + 4;
        if (k % 4 === 0) this.s[o] = (this.s[o]! & ~0x1f) | 0x4;
        if (k % 6 === 0) this.s[o] = this.s[o]! | (1 << 20);
        this.eret(); return;
      }
      case 'write':
        if (k % 3 === 0) {
          if (this.rewrite) this.p.bus.write(CODE + 4, 0, 4, (k & 1) !== 0 ? ADD_X2_2 : ADD_X2_1, false);
          else this.p.bus.write(CODE + 0x200, 0, 4, k, false);
        }
        this.eret(); return;
    }
  }
  override onResume(pcLo: number): void {
    if (pcLo === CALL_SITES + 4) { this.eret(); return; }
    super.onResume(pcLo);
  }
}

function runNativeProgram(code: string, mode: HypMode, budget: number, threshold: number, seedInit: Int32Array, observers = false): Outcome & { calls: number; blocks: string[] } {
  const m = new Machine({ dramSize: 4 << 20 });
  m.bus.load(BASE, new Uint8Array(0x6000));
  m.cache.jitThreshold = threshold;
  const hyp = new TestHyp(mode, code.startsWith('hvc #0; add x2, x2, #1;'));
  hyp.attach(m);
  m.loadBytes(CODE, bytesOf(assembleWords(code)));
  m.loadBytes(EL3V + 0x400, bytesOf(assembleWords('mrs x17, esr_el3; add x21, x21, #1; eret')));
  m.loadBytes(EL1V + 0x280, bytesOf(assembleWords('mrs x17, spsr_el1; orr x17, x17, #0x80; msr spsr_el1, x17; add x24, x24, #1; eret')));
  const s = m.cpu.s;
  for (let r = 0; r < 31; r++) { s[2 * r] = seedInit[2 * r]!; s[2 * r + 1] = seedInit[2 * r + 1]!; }
  s[L.NF] = seedInit[68]!; s[L.ZF] = seedInit[69]!; s[L.CF] = seedInit[70]! & 1; s[L.VF] = seedInit[71]!;
  s[2 * 19] = 1 + (seedInit[72]! >>> 0) % 40; s[2 * 19 + 1] = 0;
  s[L.VBAR_EL + 2] = EL1V; s[L.VBAR_EL + 4] = 0; s[L.VBAR_EL + 5] = hyp.pcHi; s[L.VBAR_EL + 6] = EL3V;
  for (let e = 0; e < 4; e++) { s[L.SP_EL + 2 * e] = DATA + 0x1000 * (e + 1); s[L.SP_EL + 2 * e + 1] = 0; }
  s[L.SCR_EL3] = SCR_NS | SCR_HCE | SCR_RW;
  s[L.HCR_EL2] = HCR_RW;
  s[L.PSTATE_EL] = 1; s[L.PSTATE_SP] = 1;
  s[L.PSTATE_DAIF] = mode === 'irq' ? 0 : 0x3c0;
  s[2 * 32] = s[L.SP_EL + 2]!; s[2 * 32 + 1] = 0;
  if (observers) { let k = 0; m.cpu.onExceptionEntry = () => { k++; s[2 * 25] = k; }; m.cpu.onExceptionReturn = () => { s[2 * 26] = k; }; }
  m.pc = BigInt(CODE);
  const r = m.run({ maxInstructions: budget });
  const blocks: string[] = [];
  const cache = m.cache as unknown as { all: { blocks: (JitBlock | undefined)[] | null }[] };
  for (const p of cache.all) for (const b of p.blocks ?? []) if (b !== undefined && b.pa >= 0) blocks.push(b.fn.toString());
  return { ...outcome(m, r.reason, DATA - 0x10000, 0x20000), calls: hyp.calls, blocks };
}

describe('native components entered from translated traces: translated = interpreted', () => {
  const programs = [
    // The block at the HVC goes on after it (a trace); the block after it loops back through it.
    'hvc #0; add x2, x2, #1; subs x19, x19, #1; b.ne .-12; b .',
    // The HVC is followed by a branch back to the block start.
    'subs x19, x19, #1; b.eq .+12; hvc #0x42; b .-12; b .',
  ];
  const modes: HypMode[] = ['eret', 'skip', 'stuck', 'forward', 'tail', 'irq', 'write', 'spsr'];
  const WHAT: Record<HypMode, string> = {
    eret: 'ERETs', skip: 'sometimes returns past the next instruction', stuck: 'once leaves PC at its vector (NativeStuck)',
    forward: 'forwards with SMC and waits (nested run)', tail: 'forwards with SMC as a tail call (reply at onResume)',
    irq: 'raises and lowers an interrupt line', write: 'writes the code page of the trace',
    spsr: 'rewrites SPSR_EL2 (M = EL1t, IL = 1) before its ERET',
  };
  for (const mode of modes) {
    it.skipIf(!HAVE_BINUTILS)(`a component that ${WHAT[mode]}`, () => {
      let inTrace = 0;
      for (const code of programs) {
        for (let k = 0; k < 3; k++) {
          const init = randomInit();
          for (const budget of [1 + (rnd() % 9), 10 + (rnd() % 40), 60 + (rnd() % 200), 3000]) {
            const off = runNativeProgram(code, mode, budget, 0, init);
            for (const threshold of [1, 3]) {
              const on = runNativeProgram(code, mode, budget, threshold, init);
              const what = `${mode}: ${code}: budget ${budget}, threshold ${threshold}`;
              expectSame(off, on, what);
              expect(on.calls, `${what}: component calls`).toBe(off.calls);
              if (on.blocks.some((b) => /\.enter(DeferringEret)?\(/.test(b))) inTrace++;
            }
          }
        }
      }
      // The component was called from inside translated code.
      expect(inTrace).toBeGreaterThan(0);
    });
  }

  it.skipIf(!HAVE_BINUTILS)('with exception observers installed the trace leaves at the HVC (the run loop enters the component)', () => {
    for (const code of programs) {
      const init = randomInit();
      for (const budget of [5, 50, 400]) {
        const off = runNativeProgram(code, 'eret', budget, 0, init, true);
        const on = runNativeProgram(code, 'eret', budget, 1, init, true);
        expectSame(off, on, `observers: ${code}: budget ${budget}`);
        expect(on.calls).toBe(off.calls);
        // The observer saw every entry (the budget may end between an entry and the component's call).
        expect(on.state[2 * 25]! - on.calls, 'observed entries - component calls').toBeGreaterThanOrEqual(0);
        expect(on.state[2 * 25]! - on.calls, 'observed entries - component calls').toBeLessThanOrEqual(1);
      }
    }
  });
});
