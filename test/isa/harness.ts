/**
 * ISA test harness: assemble a snippet with the real assembler, run it on a fresh Machine at EL3
 * (Secure, MMU off) from DRAM, and read back the architectural state.
 *
 * Image layout at BASE (0x40000000): the vector table at +0x800 (VBAR_EL1/2/3 all point there; every
 * entry branches to the exit stub), the snippet at +0x1000, then the exit stub. The snippet falls
 * through into the stub, which saves x0/x1, exits through semihosting SYS_EXIT, and the harness
 * restores x0/x1: only x17 is clobbered. So a run ends at the end of the snippet or at the first
 * exception; `exc` tells which (ESR/ELR/FAR of the target EL are then in the state).
 */
import * as L from '../../src/state/layout.js';
import { packNzcv, unpackNzcv } from '../../src/state/cpu-state.js';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { assemble } from '../helpers/asm.js';

export { HAVE_BINUTILS, assemble, assembleWords, asmWord } from '../helpers/asm.js';

export const BASE = 0x4000_0000;
export const VECTORS = BASE + 0x800;
export const CODE = BASE + 0x1000;
/** A scratch data area tests may use (64 KiB, zeroed, 16-byte aligned). */
export const DATA = 0x4010_0000;
/** DRAM per test machine: 8 MiB, so DRAM ends at DRAM_END. */
export const DRAM_SIZE = 8 << 20;
export const DRAM_END = BASE + DRAM_SIZE;

const STUB = `
__exit:
  adr x17, __save
  stp x0, x1, [x17]
  mov w0, #0x18
  add x1, x17, #16
  hlt #0xf000
  .balign 16
__save: .quad 0, 0, 0x20026, 0
`;

function image(snippet: string): string {
  let v = '';
  for (let i = 0; i < 16; i++) v += `  .org 0x${(0x800 + i * 0x80).toString(16)}\n  b __exit\n`;
  return `  b __code\n${v}  .org 0x1000\n__code:\n${snippet}\n  b __exit\n  .ltorg\n${STUB}`;
}

export interface RunOptions {
  /** Initial X registers (index 0..30, 31 = SP). */
  x?: Record<number, bigint | number>;
  /** Initial NZCV as a 4-bit value (N = 8, Z = 4, C = 2, V = 1). */
  nzcv?: number;
  /** Memory to preload: address -> bytes. */
  mem?: Record<number, Uint8Array | number[]>;
  /** Instruction budget (default 10000). */
  max?: number;
  /** Exception level to start at (default 3). EL0 starts on SP_EL0, others on SP_ELx. */
  el?: number;
  /** Extra state setup before the run. */
  setup?: (m: Machine) => void;
}

export interface RunResult {
  m: Machine;
  /** The first exception taken during the run (target EL and ESR), or null. */
  exc: { target: number; esr: number } | null;
  reason: StopReason;
  x(n: number): bigint;
  w(n: number): bigint;
  sp(): bigint;
  nzcv(): number;
  /** ESR/ELR/FAR of EL3 (where exceptions at EL3 go). */
  esr(): number;
  elr(): bigint;
  far(): bigint;
  read64(addr: number): bigint;
  read32(addr: number): number;
  read8(addr: number): number;
}

/** Assemble `snippet`, run it at EL3 from CODE, return the final state. */
export function run(snippet: string, opts: RunOptions = {}): RunResult {
  const m = new Machine({ dramSize: DRAM_SIZE });
  const bytes = assemble(image(snippet), BASE);
  m.loadBytes(BASE, bytes);
  const s = m.cpu.s;
  for (let el = 1; el <= 3; el++) { s[L.VBAR_EL + 2 * el] = VECTORS; s[L.VBAR_EL + 2 * el + 1] = 0; }
  m.writeX(32, BigInt(DATA + 0x8000));   // the live SP (SP_EL3): 16-byte aligned, inside DATA
  for (const [k, v] of Object.entries(opts.x ?? {})) {
    const n = Number(k);
    m.writeX(n === 31 ? 32 : n, BigInt.asUintN(64, BigInt(v)));
  }
  if (opts.el !== undefined) { s[L.PSTATE_EL] = opts.el; s[L.PSTATE_SP] = opts.el === 0 ? 0 : 1; }
  if (opts.nzcv !== undefined) unpackNzcv(s, (opts.nzcv & 15) << 28);
  for (const [a, b] of Object.entries(opts.mem ?? {})) m.loadBytes(Number(a), Uint8Array.from(b));
  let exc: { target: number; esr: number } | null = null;
  m.cpu.onExceptionEntry = (_cpu, _from, _secure, target, _offset, esr) => { exc ??= { target, esr: esr >>> 0 }; };
  opts.setup?.(m);
  m.pc = BigInt(CODE);
  const r = m.run({ maxInstructions: opts.max ?? 10_000 });
  if (r.reason === StopReason.Exit) {
    // The stub saved x0/x1 in __save, the last 32 bytes of the image.
    const u = m.bus.ram(BASE + bytes.length - 32, 16)!;
    const md = new DataView(u.buffer, u.byteOffset, 16);
    m.writeX(0, md.getBigUint64(0, true));
    m.writeX(1, md.getBigUint64(8, true));
  }
  const ram = (a: number, n: number): DataView => { const u = m.bus.ram(a, n)!; return new DataView(u.buffer, u.byteOffset, n); };
  return {
    m, reason: r.reason, exc,
    x: (n) => m.readX(n === 31 ? 32 : n),
    w: (n) => m.readX(n) & 0xffffffffn,
    sp: () => m.readX(32),
    nzcv: () => packNzcv(s) >>> 28,
    esr: () => s[L.ESR_EL + 6]! >>> 0,
    elr: () => m.cpu.get64(L.ELR_EL + 6),
    far: () => m.cpu.get64(L.FAR_EL + 6),
    read64: (a) => ram(a, 8).getBigUint64(0, true),
    read32: (a) => ram(a, 4).getUint32(0, true),
    read8: (a) => ram(a, 1).getUint8(0),
  };
}
