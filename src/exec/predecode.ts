/**
 * Decode once, execute many (DESIGN practice 2): per 4 KiB physical page, an Int32Array of Op ids
 * (stored +1; 0 = not decoded yet) and an Int32Array view of the page's memory for fetching words.
 * A store to a page with decoded entries clears them (Bus.codePages / onCodeWrite), and with them the
 * page's translated blocks (exec/jit): `gen` counts those invalidations, so a block running when its
 * own page is written notices and stops.
 */
import type { Bus } from '../memory/bus.js';
import type { JitBlock } from './jit/block.js';

export interface CodePage {
  /** Op id + 1 per instruction slot, 0 = not decoded. */
  readonly ops: Int32Array;
  /** The page's memory as 1024 little-endian words (a view: sees every write). */
  readonly words: Int32Array;
  /** The page is in a Secure-only region (instruction fetch from Non-secure state faults). */
  readonly secureOnly: boolean;
  /** Physical page number (pa >>> 12). */
  readonly pn: number;
  /** Invalidations so far (code writes, clear()). */
  gen: number;
  /** Translated blocks by start slot (exec/jit), null until the first one; dropped on invalidation. */
  blocks: (JitBlock | undefined)[] | null;
  /** Block-start counts by slot (exec/jit: a start is translated after it ran `threshold` times). */
  hits: Uint8Array | null;
}

export class PredecodeCache {
  /** Two levels (pa[31:22], pa[21:12]): dense arrays, so a lookup is two indexed loads. */
  private readonly dirs: ((CodePage | undefined)[] | undefined)[] = new Array<(CodePage | undefined)[] | undefined>(1024).fill(undefined);
  private readonly all: CodePage[] = [];
  /**
   * Block translation (exec/jit): a block start is translated after it ran this many times (1..255);
   * 0 = interpret only. Set it before running (tests compare both).
   */
  jitThreshold = 32;

  constructor(private readonly bus: Bus) {
    bus.onCodeWrite = (pn) => { const p = this.dirs[pn >>> 10]?.[pn & 1023]; if (p !== undefined) invalidate(p); };
  }

  /**
   * The code page holding physical address `pa` (< 4 GiB), or undefined if no RAM backs it.
   * Marks the page so writes invalidate it.
   */
  page(pa: number): CodePage | undefined {
    const pn = pa >>> 12;
    let dir = this.dirs[pn >>> 10];
    let p = dir?.[pn & 1023];
    if (p === undefined) {
      const mem = this.bus.ram(pn << 12 >>> 0, 4096);
      if (mem === null) return undefined;
      p = {
        ops: new Int32Array(1024),
        words: new Int32Array(mem.buffer, mem.byteOffset, 1024),
        secureOnly: !this.bus.accessible(pn << 12 >>> 0, 4096, false),
        pn, gen: 0, blocks: null, hits: null,
      };
      if (dir === undefined) { dir = new Array<CodePage | undefined>(1024).fill(undefined); this.dirs[pn >>> 10] = dir; }
      dir[pn & 1023] = p;
      this.all.push(p);
    }
    this.bus.codePages[pn] = 1;
    return p;
  }

  /** Drop every decoded entry and translated block (after loading an image, or a snapshot restore). */
  clear(): void {
    for (const p of this.all) invalidate(p);
  }
}

function invalidate(p: CodePage): void {
  p.ops.fill(0);
  p.gen++;
  p.blocks = null;
  p.hits = null;
}
