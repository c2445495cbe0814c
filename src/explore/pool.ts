/**
 * A faster real backend for many runs: every run still gets a fresh world (createWorld: new Machine,
 * new EL3 monitor, SPMD, SPMC, partitions, pKVM, host; booted from reset), but all of them are built
 * on one Bus (MachineConfig.bus), so the 208 MiB of RAM is not allocated and freed per run. That
 * allocation (and the GC it provokes) is most of a run's cost; the components themselves are cheap.
 *
 * The Bus must look new to every run:
 * - its registers and hooks are reset (PL011, code-page flags, the stage-2 check pKVM installs, the
 *   last fault);
 * - RAM is zeroed where runs write. Runs write very little (the host's FF-A buffers from
 *   HOST_PAGE_POOL up, pKVM's carve-out at the top of DRAM), so only those windows are cleared before
 *   each run, and the whole of RAM is checked for anything else after every chunk of runs. A page
 *   found dirty there is added to the windows and the chunk is run again, so no result ever comes from
 *   a run that may have seen a previous run's memory.
 */
import { HYP_CARVEOUT_PAGES } from '../firmware/el2/consts.js';
import { createWorld } from '../machine/world.js';
import { Bus } from '../memory/bus.js';
import { DRAM_BASE, FLASH_BASE, SECURE_RAM_BASE } from '../memory/map.js';
import type { ScenarioDef } from '../scenarios/builtin.js';
import type { BackendFactory, ScenarioBackend } from '../scenarios/run.js';
import { HOST_PAGE_POOL, scenarioWorldSpec, worldBackendFor } from '../scenarios/world-backend.js';

const PAGE = 4096;
/** Bytes cleared from HOST_PAGE_POOL up before each run (the host's bump allocator starts there). */
const HOST_WINDOW = 256 << 10;
/** Granule of the dirty-memory check (a chunk compared with zeros in one native call). */
const SCAN_CHUNK = 1 << 16;

interface Window { region: Uint8Array; offset: number; length: number }

export interface PoolStats {
  /** Runs built on the shared Bus. */
  runs: number;
  /** Whole-RAM checks made. */
  checks: number;
  /** Pages found dirty outside the windows (and added to them), as physical addresses. */
  learnedPages: string[];
  /** Runs made again because a check found memory outside the windows. */
  reruns: number;
}

export class WorldPool {
  readonly bus: Bus;
  private readonly windows: Window[] = [];
  private readonly zero = Buffer.alloc(SCAN_CHUNK);
  readonly stats: PoolStats = { runs: 0, checks: 0, learnedPages: [], reruns: 0 };

  constructor() {
    this.bus = new Bus();
    const dram = this.bus.dram;
    this.windows.push({ region: dram, offset: HOST_PAGE_POOL - DRAM_BASE, length: HOST_WINDOW });
    const carve = Math.max(HYP_CARVEOUT_PAGES * PAGE, 1 << 20);
    this.windows.push({ region: dram, offset: dram.length - carve, length: carve });
  }

  /** Make the Bus look new: registers, hooks, and the RAM windows runs write. */
  reset(): void {
    const b = this.bus;
    for (const w of this.windows) w.region.fill(0, w.offset, w.offset + w.length);
    b.uart.reset();
    b.uart.onByte = null;
    b.codePages.fill(0);
    b.onCodeWrite = null;
    b.stage2Check = null;
    b.fault = 0;
    b.hi = 0;
  }

  /** Physical addresses of the RAM pages that are not all zero (after reset(): pages outside the windows). */
  dirtyPages(): number[] {
    this.stats.checks++;
    const out: number[] = [];
    const regions: [Uint8Array, number][] = [[this.bus.dram, DRAM_BASE], [this.bus.sram, SECURE_RAM_BASE], [this.bus.flash, FLASH_BASE]];
    for (const [u8, base] of regions) {
      const buf = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
      for (let off = 0; off < buf.length; off += SCAN_CHUNK) {
        const n = Math.min(SCAN_CHUNK, buf.length - off);
        if (buf.compare(this.zero, 0, n, off, off + n) === 0) continue;
        for (let p = off; p < off + n; p += PAGE) {
          if (buf.compare(this.zero, 0, PAGE, p, p + PAGE) !== 0) out.push(base + p);
        }
      }
    }
    return out;
  }

  /** Clear these pages before every run from now on. */
  learn(pages: readonly number[]): void {
    for (const pa of pages) {
      this.stats.learnedPages.push(`0x${pa.toString(16)}`);
      const [region, base] = pa >= DRAM_BASE ? [this.bus.dram, DRAM_BASE] : pa >= SECURE_RAM_BASE ? [this.bus.sram, SECURE_RAM_BASE] : [this.bus.flash, FLASH_BASE];
      this.windows.push({ region, offset: pa - base, length: PAGE });
    }
  }

  /** The scenario backend: a fresh, booted world on the shared Bus. */
  readonly backend: BackendFactory = (def: ScenarioDef): ScenarioBackend => {
    this.reset();
    this.stats.runs++;
    const world = createWorld({ ...scenarioWorldSpec(def), machineConfig: { bus: this.bus } });
    world.boot({ pkvmInit: false });
    return worldBackendFor(world);
  };

  /**
   * Run a chunk of jobs on the shared Bus, then check all RAM. If a page outside the windows was
   * written, learn it and run the whole chunk again (the runs after the writer may have read it).
   */
  runChunk<T>(jobs: readonly (() => T)[]): T[] {
    for (let attempt = 0; ; attempt++) {
      const out = jobs.map((j) => j());
      this.reset();
      const dirty = this.dirtyPages();
      if (dirty.length === 0) return out;
      if (attempt >= 3) throw new Error(`explore pool: RAM outside the reset windows keeps changing (${dirty.slice(0, 4).map((p) => `0x${p.toString(16)}`).join(', ')}...)`);
      this.learn(dirty);
      for (const w of this.windows) w.region.fill(0, w.offset, w.offset + w.length);
      this.stats.reruns += jobs.length;
    }
  }
}
