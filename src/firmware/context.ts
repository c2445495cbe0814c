/**
 * Saved execution contexts as fixed slices of the state buffer (DESIGN practice 3 and 10): the
 * words a context switch must preserve are listed once, as word offsets into the layout, and copied
 * word by word into a preallocated Int32Array. Saving or restoring allocates nothing.
 *
 * Two shapes:
 *  - `El1Context`: what EL3 keeps per world (TF-A `cpu_context_t`: gp_regs + el1_sysregs + el3_state
 *    with ELR_EL3/SPSR_EL3; `cm_el1_sysregs_context_save/restore`), used by the SPMD world switch
 *    and by the EL3 SPMC for each S-EL1 partition.
 *  - `El0Context`: what an S-EL1 SPMC keeps per S-EL0 partition: GPRs, SP_EL0, the EL0 thread
 *    registers, and ELR_EL1/SPSR_EL1 (where the partition resumes).
 *
 * GPRs come first (words 0..61 = x0..x30), so `restore(s, k)` can skip the first k registers: the
 * ones that carry a message into the context being resumed.
 */
import * as L from '../state/layout.js';
import type { StateReader, StateWriter } from '../state/snapshot-codec.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { ACTLR_EL, AFSR0_EL, AFSR1_EL, CNTKCTL_EL1, CONTEXTIDR_EL1, CPACR_EL1, ELR_EL, ESR_EL, FAR_EL, MAIR_EL,
  PMUSERENR_EL0, SCTLR_EL, SPSR_EL, SP_EL, TCR_EL, TPIDRRO_EL0, TPIDR_EL, TTBR0_EL, VBAR_EL, X } = L;

/** Word offsets of x0..x30 (two words each): state words 0..61. */
const GPR_WORDS = 62;
if (X !== 0) throw new Error('context.ts expects the GPRs at state word 0');

function offsets(regs64: readonly number[]): Int32Array {
  const out = new Int32Array(GPR_WORDS + 2 * regs64.length);
  for (let i = 0; i < GPR_WORDS; i++) out[i] = X + i;
  regs64.forEach((off, i) => { out[GPR_WORDS + 2 * i] = off; out[GPR_WORDS + 2 * i + 1] = off + 1; });
  return out;
}

/**
 * EL1 system registers of one Security state (TF-A `el1_sysregs_t`, the subset this PE models),
 * plus SP_EL0 and the EL3 return state of that world.
 */
const EL1_REGS: readonly number[] = [
  SP_EL + 0, SP_EL + 2,
  ELR_EL + 2, SPSR_EL + 2, ESR_EL + 2, FAR_EL + 2, VBAR_EL + 2, SCTLR_EL + 2,
  ACTLR_EL + 2, CPACR_EL1, TCR_EL + 2, TTBR0_EL + 2, MAIR_EL + 2, CONTEXTIDR_EL1,
  AFSR0_EL + 2, AFSR1_EL + 2, TPIDR_EL + 0, TPIDR_EL + 2, TPIDRRO_EL0, CNTKCTL_EL1,
  PMUSERENR_EL0,
  // el3_state: where this world resumes and with which PSTATE.
  ELR_EL + 6, SPSR_EL + 6,
];

/** An S-EL0 partition's context as its S-EL1 partition manager keeps it. */
const EL0_REGS: readonly number[] = [
  SP_EL + 0, TPIDR_EL + 0, TPIDRRO_EL0,
  ELR_EL + 2, SPSR_EL + 2,
];

const EL1_OFFS = offsets(EL1_REGS);
const EL0_OFFS = offsets(EL0_REGS);

/** Copies between the state and words[GPR_WORDS...] of a context. */
interface SysCopy { save(s: Int32Array, w: Int32Array): void; restore(s: Int32Array, w: Int32Array): void }
const sysCopies = new Map<string, SysCopy>();

/**
 * The copies for one shape, as straight-line code (`w[62] = s[82]; ...`): the offsets are this file's
 * layout constants, so the generated text holds only integers from the tables above. An indexed gather
 * through `sys` was the most expensive part of a world switch. Hosts without code generation (CSP)
 * get the loops.
 */
function sysCopy(sys: Int32Array): SysCopy {
  const key = sys.join(',');
  let c = sysCopies.get(key);
  if (c !== undefined) return c;
  try {
    let save = '', restore = '';
    sys.forEach((o, i) => {
      save += `w[${GPR_WORDS + i}] = s[${o | 0}];\n`;
      restore += `s[${o | 0}] = w[${GPR_WORDS + i}];\n`;
    });
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    c = { save: new Function('s', 'w', save) as SysCopy['save'], restore: new Function('s', 'w', restore) as SysCopy['restore'] };
  } catch {
    c = {
      save(s: Int32Array, w: Int32Array): void { for (let i = 0; i < sys.length; i++) w[GPR_WORDS + i] = s[sys[i]!]!; },
      restore(s: Int32Array, w: Int32Array): void { for (let i = 0; i < sys.length; i++) s[sys[i]!] = w[GPR_WORDS + i]!; },
    };
  }
  sysCopies.set(key, c);
  return c;
}

type SwapFn = (s: Int32Array, save: Int32Array, restore: Int32Array) => void;
const swapCopies = new Map<string, SwapFn | null>();

/** The straight-line switch of SavedContext.switchTo for one shape (`offs`) and first restored GPR. */
function swapCopy(offs: Int32Array, firstGpr: number): SwapFn | null {
  const key = `${offs.join(',')}|${firstGpr}`;
  let f = swapCopies.get(key);
  if (f !== undefined) return f;
  try {
    let body = '';
    offs.forEach((o, i) => {
      body += `w[${i}] = s[${o | 0}];`;
      if (i >= GPR_WORDS || i >= 2 * firstGpr) body += ` s[${o | 0}] = r[${i}];`;
      body += '\n';
    });
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    f = new Function('s', 'w', 'r', body) as SwapFn;
  } catch {
    f = null;
  }
  swapCopies.set(key, f);
  return f;
}

/**
 * A saved context: `offs[i]` is the state word that `words[i]` holds. The GPRs are state words 0..61
 * in order (layout.ts: X = 0) and move as one block copy (TypedArray.set on views made once); the
 * other words go through their offsets (`sys`). Saving or restoring allocates nothing after the
 * first use with a given state buffer and first restored register.
 */

/** Where a partition starts: entry point and initial stack pointer (its first context). */
export interface PartitionEntry {
  entry: bigint;
  sp: bigint;
}

export class SavedContext {
  readonly words: Int32Array;
  /** State offsets of words[GPR_WORDS...]. */
  private readonly sys: Int32Array;
  /** The state buffer the views below look at, and its GPR words [2k, 62) by k (made on first use). */
  private view: Int32Array | null = null;
  private readonly stateGprs: (Int32Array | undefined)[] = [];
  /** words[2k, 62) by k. */
  private readonly savedGprs: (Int32Array | undefined)[] = [];

  /** The copies of the words after the GPRs (shared by every context of this shape). */
  private readonly copy: SysCopy;

  constructor(private readonly offs: Int32Array) {
    this.words = new Int32Array(offs.length);
    this.sys = offs.slice(GPR_WORDS);
    this.copy = sysCopy(this.sys);
  }

  /** Copy the live state into this context. */
  save(s: Int32Array): void {
    const w = this.words;
    w.set(this.stateGprsFrom(s, 0), 0);
    this.copy.save(s, w);
  }

  /** Copy this context into the live state, skipping x0..x(firstGpr-1) (they carry a message). */
  restore(s: Int32Array, firstGpr = 0): void {
    const w = this.words;
    if (firstGpr < 31) {
      this.stateGprsFrom(s, firstGpr);   // (re)binds the views to s
      let v = this.savedGprs[firstGpr];
      if (v === undefined) { v = w.subarray(2 * firstGpr, GPR_WORDS); this.savedGprs[firstGpr] = v; }
      s.set(v, 2 * firstGpr);
    }
    this.copy.restore(s, w);
  }

  /**
   * A context switch in one pass: save the live state into this context, then restore `next` (a
   * context of the same shape) without x0..x(firstGpr-1), exactly as `save(s); next.restore(s,
   * firstGpr)`: every state word is read for the save before the restore writes it. One generated
   * straight-line function per shape and firstGpr (measured ~20% cheaper than the two copies, which
   * go through TypedArray.set twice); hosts without code generation get the two copies.
   */
  switchTo(s: Int32Array, next: SavedContext, firstGpr: number): void {
    let f = this.swaps[firstGpr];
    if (f === undefined) { f = swapCopy(this.offs, firstGpr); this.swaps[firstGpr] = f; }
    if (f === null || next.offs !== this.offs) { this.save(s); next.restore(s, firstGpr); return; }
    f(s, this.words, next.words);
  }
  /** The generated switches of this shape, by firstGpr (null: no code generation here). */
  private readonly swaps: (SwapFn | null | undefined)[] = [];

  /** The view of s[2k, 62). */
  private stateGprsFrom(s: Int32Array, k: number): Int32Array {
    if (this.view !== s) { this.view = s; this.stateGprs.length = 0; }
    let v = this.stateGprs[k];
    if (v === undefined) { v = s.subarray(2 * k, GPR_WORDS); this.stateGprs[k] = v; }
    return v;
  }

  /** A saved register by its state offset (cold path: setup and tests). */
  get(off: number): number {
    const i = this.indexOf(off);
    return this.words[i]!;
  }

  /** Set a saved 64-bit register (two words at `off`) in the context (cold path: initial contexts). */
  set64(off: number, lo: number, hi: number): void {
    const i = this.indexOf(off);
    this.words[i] = lo;
    this.words[i + 1] = hi;
  }

  /** Set a saved Xn. */
  setX(n: number, lo: number, hi: number): void { this.words[2 * n] = lo; this.words[2 * n + 1] = hi; }
  /** Zero everything. */
  clear(): void { this.words.fill(0); }

  private indexOf(off: number): number {
    const o = this.offs;
    for (let i = 0; i < o.length; i++) if (o[i] === off) return i;
    throw new RangeError(`state word ${off} is not part of this context`);
  }

  // ---- snapshots (machine/snapshot.ts; cold path) ----

  /** The saved words (its shape is fixed by its register list, so only the values are written). */
  saveTo(w: StateWriter): void { w.i32s(this.words); }
  /** Decode saved words of this shape (a payload for another shape is MISMATCH). */
  readFrom(r: StateReader, field: string): () => void {
    const v = r.i32s(field, this.words.length);
    return () => { this.words.set(v); };
  }
}

/** A context of one world (or S-EL1 partition) as EL3 saves it. */
export function el1Context(): SavedContext { return new SavedContext(EL1_OFFS); }
/** A context of one S-EL0 partition as an S-EL1 SPMC saves it. */
export function el0Context(): SavedContext { return new SavedContext(EL0_OFFS); }

/** The state words an EL1 world context covers (tests check what a world switch preserves). */
export const EL1_CONTEXT_REGS: readonly number[] = EL1_REGS;

/** SPSR values used for first entries (Arm ARM C5.2.18 SPSR_ELx: M[3:0], DAIF bits 9:6). */
export const SPSR_EL0T = 0x0;
export const SPSR_EL1H = 0x5;
export const SPSR_EL2H = 0x9;
export const SPSR_DAIF_MASKED = 0x3c0;

/** SCTLR_EL1 reset value with RES1 bits of Armv8.0 (as machine.resetCpu writes it). */
export const SCTLR_EL1_RESET = 0x30d00800;
