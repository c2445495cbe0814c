/**
 * The embedding API (DESIGN practice 11): Unicorn's verbs in TypeScript form over one Machine.
 *
 *   const emu = createMachine({ dramSize: 64 << 20 });
 *   emu.memWrite(0x4000_0000n, code);
 *   emu.regWrite('pc', 0x4000_0000n);
 *   emu.hookAdd(HookType.FfaCall, (e) => console.log(e.name, e.sender, e.receiver));
 *   const r = emu.emuStart({ count: 1_000_000 });
 *
 * Values at this edge are BigInt (addresses, registers); counts are numbers. Failures throw
 * A64elException with an A64elError code; guest behaviour never throws (a run returns why it stopped).
 * No Node imports: this bundles for browsers.
 */
import * as L from '../state/layout.js';
import * as M from '../memory/map.js';
import { Machine, StopReason } from '../machine/machine.js';
import type { MachineConfig } from '../machine/config.js';
import { loadElf as placeElf, loadRaw as placeRaw } from '../machine/load.js';
import { SnapshotError, restoreSnapshot, saveSnapshot } from '../machine/snapshot.js';
import { LoaderError, type LoadedImage } from '../loader/elf.js';
import type { NativeComponent } from '../firmware/component.js';
import { SCR_NS } from '../exceptions/routing.js';
import { TraceRecorder, type TraceRecorderOptions } from '../trace/recorder.js';
import { A64elError, A64elException, fail } from './errors.js';
import { regRead, regWrite, setElSp, sysRegIndexByName, readSysRegByIndex, writeSysRegByIndex, sysRegNames, CORE_REGISTER_NAMES } from './registers.js';
import { type HookCallback, type HookEvent, type HookHandle, HookManager, type HookRange, HookType, type MemInvalidEvent } from './hooks.js';

/** Why emuStart returned. */
export type StopCause =
  | 'exit'          // the guest called semihosting SYS_EXIT (exitCode set)
  | 'count'         // the instruction budget ran out
  | 'cycles'        // the cycle budget ran out
  | 'until'         // PC reached `until` (not executed)
  | 'breakpoint'    // PC reached a breakpoint (not executed)
  | 'step'          // one step done (step())
  | 'stopped'       // emuStop() (from a hook, or between runs)
  | 'timeout'       // timeoutMs elapsed
  | 'halted'        // WFI/WFE with nothing that could wake the PE
  | 'native-stuck'; // a native component left the PE where it found it (a component bug)

export interface EmuStartOptions {
  /** Set PC to this first (default: run from the current PC). */
  begin?: bigint;
  /** Stop before executing the instruction at this address. */
  until?: bigint;
  /** Instruction budget (default 100 000 000). */
  count?: number;
  /** Cycle budget: stop once the cycle counter has advanced this much. */
  cycles?: number;
  /** Wall-clock budget in milliseconds (checked every 1024 blocks). */
  timeoutMs?: number;
  /**
   * A breakpoint at the start address does not fire for the first instruction (default true, so a
   * run started on a breakpoint makes progress). A debugger resuming a sliced run passes false.
   */
  skipBreakpointAtStart?: boolean;
}

export interface EmuResult {
  stop: StopCause;
  /** Semihosting exit status when stop is 'exit', else null. */
  exitCode: number | null;
  /** Instructions retired by this call. */
  instructions: number;
  /** The cycle counter after the run (total, not this run's share). */
  cycles: number;
  /** PC after the run. */
  pc: bigint;
  /** The breakpoint address when stop is 'breakpoint'. */
  breakpoint?: bigint;
}

export interface MemRegion {
  begin: bigint;
  /** Inclusive. */
  end: bigint;
  name: string;
  kind: 'ram' | 'mmio';
  /** Accessible from Secure state only. */
  secureOnly: boolean;
}

/** Handlers of a user MMIO region (mmioMap): offsets are from the region's start. */
export interface MmioHandlers {
  read?(offset: bigint, size: number): bigint | number;
  write?(offset: bigint, size: number, value: bigint): void;
}

export interface LoadOptions {
  /** Name for messages (default 'image'). */
  name?: string;
  /** Start at this EL (PSTATE.EL, SP_ELx selected); default: leave PSTATE as it is. */
  el?: 0 | 1 | 2 | 3;
  /** For el < 3: the Security state to start in (SCR_EL3.NS = !secure). */
  secure?: boolean;
  /** Point VBAR_EL<n> at a symbol of the image (or an address): the image is that EL's vector code. */
  vectors?: { el: 1 | 2 | 3; at: string | bigint };
  /** Do not set the PC to the entry point (load only). */
  noEntry?: boolean;
}

export interface AttachOptions {
  /** Point VBAR_EL<component.el> at the component (default true for EL1-EL3 components). */
  vectors?: boolean;
}

const DEFAULT_COUNT = 100_000_000;

/** The embedding API over one Machine. */
export class Emulator {
  readonly machine: Machine;
  private readonly hooks: HookManager;
  private running = false;
  private stopFlag = false;
  private readonly mmio: { begin: bigint; end: bigint; handle: HookHandle }[] = [];
  private recorder: TraceRecorder | null = null;

  constructor(machine: Machine) {
    this.machine = machine;
    this.hooks = new HookManager({ machine, stopRequested: () => this.stopFlag });
  }

  // ---- memory ----

  /** The physical memory map: RAM regions, the PL011, and user MMIO regions. */
  memRegions(): MemRegion[] {
    const r = (begin: number, size: number, name: string, kind: 'ram' | 'mmio', secureOnly: boolean): MemRegion =>
      ({ begin: BigInt(begin), end: BigInt(begin + size - 1), name, kind, secureOnly });
    const out = [
      r(M.FLASH_BASE, M.FLASH_SIZE, 'secure flash', 'ram', true),
      r(M.UART_BASE, M.UART_SIZE, 'PL011 UART', 'mmio', false),
      r(M.SECURE_RAM_BASE, M.SECURE_RAM_SIZE, 'secure RAM', 'ram', true),
      r(M.DRAM_BASE, this.machine.bus.dramSize, 'DRAM', 'ram', false),
    ];
    for (const m of this.mmio) out.push({ begin: m.begin, end: m.end, name: `user MMIO #${m.handle.id}`, kind: 'mmio', secureOnly: false });
    return out.sort((a, b) => (a.begin < b.begin ? -1 : 1));
  }

  /** RAM chunks covering [addr, addr+len), or null if some byte has no RAM. */
  private ramChunks(addr: bigint, len: number): { pa: number; n: number }[] | null {
    if (!Number.isSafeInteger(len) || len < 0) fail(A64elError.ArgInvalid, `length ${len}`);
    if (addr < 0n || addr + BigInt(len) > 0x1_0000_0000n) return null;
    const bus = this.machine.bus;
    const out: { pa: number; n: number }[] = [];
    let a = Number(addr), left = len;
    while (left > 0) {
      // Grow the chunk page by page while it stays inside one region.
      const first = bus.ram(a, 1);
      if (first === null) return null;
      let n = Math.min(left, 4096 - (a & 0xfff));
      while (n < left && bus.ram(a, Math.min(left, n + 4096)) !== null) n = Math.min(left, n + 4096);
      out.push({ pa: a, n });
      a += n; left -= n;
    }
    return out;
  }

  /** Read `len` bytes of physical memory (RAM only; security is not checked: a debugger's view). */
  memRead(addr: bigint, len: number): Uint8Array {
    const chunks = this.ramChunks(addr, len);
    if (chunks === null) fail(A64elError.ReadUnmapped, `[0x${addr.toString(16)}, +${len})`);
    const out = new Uint8Array(len);
    let o = 0;
    for (const c of chunks) { out.set(this.machine.bus.ram(c.pa, c.n)!, o); o += c.n; }
    return out;
  }

  /** Write bytes to physical memory (RAM only); decoded instructions on the pages are invalidated. */
  memWrite(addr: bigint, bytes: Uint8Array): void {
    const chunks = this.ramChunks(addr, bytes.length);
    if (chunks === null) fail(A64elError.WriteUnmapped, `[0x${addr.toString(16)}, +${bytes.length})`);
    let o = 0;
    for (const c of chunks) { this.machine.bus.load(c.pa, bytes.subarray(o, o + c.n)); o += c.n; }
  }

  /**
   * Map a device at [begin, begin+size) where the physical map has nothing: data accesses by guest
   * instructions call `read`/`write` (instruction fetches from it still fault). Built on invalid-memory
   * hooks, so it selects the instrumented loop while mapped. Returns a handle for mmioUnmap.
   */
  mmioMap(begin: bigint, size: number, handlers: MmioHandlers): HookHandle {
    if (!Number.isSafeInteger(size) || size <= 0 || begin < 0n) fail(A64elError.ArgInvalid, `MMIO region 0x${begin.toString(16)} +${size}`);
    const end = begin + BigInt(size) - 1n;
    for (const r of this.memRegions()) {
      if (begin <= r.end && r.begin <= end) fail(A64elError.MapOverlap, `[0x${begin.toString(16)}, 0x${end.toString(16)}] overlaps ${r.name}`);
    }
    const handle = this.hooks.add(HookType.MemReadInvalid | HookType.MemWriteInvalid, (e: HookEvent) => {
      const ev = e as MemInvalidEvent;
      const off = ev.address - begin;
      if (ev.type === HookType.MemReadInvalid) { ev.value = BigInt(handlers.read?.(off, ev.size) ?? 0); return true; }
      handlers.write?.(off, ev.size, ev.value);
      return true;
    }, { begin, end });
    this.mmio.push({ begin, end, handle });
    return handle;
  }

  mmioUnmap(handle: HookHandle): void {
    const i = this.mmio.findIndex((m) => m.handle.id === handle.id);
    if (i < 0) fail(A64elError.HookInvalid, `no MMIO mapping #${handle.id}`);
    this.mmio.splice(i, 1);
    this.hooks.del(handle);
  }

  // ---- registers ----

  /** Read a register by name (see api/registers.ts for the names). */
  regRead(name: string): bigint { return regRead(this.machine.cpu, name); }
  /** Write a register by name. */
  regWrite(name: string, value: bigint): void { regWrite(this.machine.cpu, name, value); }
  regReadBatch(names: readonly string[]): bigint[] { return names.map((n) => this.regRead(n)); }
  regWriteBatch(values: Readonly<Record<string, bigint>>): void { for (const [n, v] of Object.entries(values)) this.regWrite(n, v); }
  /** Read a system register by its table name (ESR_EL2, SCR_EL3, ...), without access checks. */
  sysRegRead(name: string): bigint {
    const i = sysRegIndexByName(name);
    if (i < 0) fail(A64elError.RegInvalid, `no system register "${name}"`);
    return readSysRegByIndex(this.machine.cpu, i);
  }
  sysRegWrite(name: string, value: bigint): void {
    const i = sysRegIndexByName(name);
    if (i < 0) fail(A64elError.RegInvalid, `no system register "${name}"`);
    writeSysRegByIndex(this.machine.cpu, i, value);
  }
  /** Core register names accepted by regRead. */
  regNames(): readonly string[] { return CORE_REGISTER_NAMES; }
  sysRegNames(): string[] { return sysRegNames(); }

  get pc(): bigint { return this.machine.cpu.pc; }
  get el(): number { return this.machine.cpu.el; }
  get secure(): boolean { return this.machine.cpu.secure; }
  get cycles(): number { return this.machine.cpu.cycles; }
  get instructions(): number { return this.machine.cpu.instructions; }
  uartText(): string { return this.machine.uartText(); }
  semihostText(): string { return this.machine.semihostText(); }
  /** Raise or lower an interrupt line; taken at the next block boundary if routed and unmasked. */
  irqSet(line: 'irq' | 'fiq', level: boolean): void { this.machine.setIrqLine(line, level); }

  // ---- running ----

  /** Run until a stop condition (see EmuStartOptions and StopCause). */
  emuStart(opts: EmuStartOptions = {}): EmuResult { return this.runWith(opts, false); }

  /** Execute one instruction (or take one pending exception, or run one native component entry). */
  step(): EmuResult { return this.runWith({}, true); }

  /**
   * Stop the current run: from a code hook, before that hook's instruction executes; from any other
   * hook, after the current instruction. Outside a run it does nothing.
   */
  emuStop(): void {
    if (!this.running) return;
    this.stopFlag = true;
    this.machine.stop();
  }

  get isRunning(): boolean { return this.running; }

  private runWith(opts: EmuStartOptions, single: boolean): EmuResult {
    if (this.running) fail(A64elError.Busy, 'emuStart/step from inside a hook');
    const count = opts.count ?? DEFAULT_COUNT;
    if (!Number.isSafeInteger(count) || count <= 0) fail(A64elError.ArgInvalid, `count ${count}`);
    if (opts.cycles !== undefined && !(opts.cycles > 0)) fail(A64elError.ArgInvalid, `cycles ${opts.cycles}`);
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs >= 0)) fail(A64elError.ArgInvalid, `timeoutMs ${opts.timeoutMs}`);
    const m = this.machine;
    if (opts.begin !== undefined) m.cpu.pc = opts.begin;
    this.running = true;
    this.stopFlag = false;
    this.hooks.beginRun(opts.until, opts.skipBreakpointAtStart === false ? null : m.cpu.pc);
    let r;
    try {
      // The instrumented loop charges the fixed per-class costs: with the pipeline timing model it
      // would count cycles differently from a plain run, so it is refused rather than silently wrong.
      if (m.pipeline != null && (m.hooks !== null || opts.cycles !== undefined || opts.timeoutMs !== undefined || single)) {
        fail(A64elError.Unsupported, 'code/block/memory hooks, breakpoints, until, cycle budgets, timeouts and single steps ' +
          'use the fixed-cost loop: not available with the pipeline timing model (timing.model "pipeline")');
      }
      r = m.run({
        maxInstructions: count,
        ...(opts.cycles === undefined ? {} : { maxCycles: opts.cycles }),
        ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
        ...(single ? { singleStep: true } : {}),
      });
    } finally {
      this.running = false;
      this.hooks.endRun();
    }
    const out: EmuResult = { stop: 'stopped', exitCode: null, instructions: r.instructions, cycles: r.cycles, pc: m.cpu.pc };
    switch (r.reason) {
      case StopReason.Exit: out.stop = 'exit'; out.exitCode = r.exitCode; break;
      case StopReason.Budget: out.stop = single ? 'step' : 'count'; break;
      case StopReason.CycleBudget: out.stop = 'cycles'; break;
      case StopReason.Halted: out.stop = 'halted'; break;
      case StopReason.NativeStuck: out.stop = 'native-stuck'; break;
      default:
        if (this.hooks.hitBreakpoint !== null) { out.stop = 'breakpoint'; out.breakpoint = this.hooks.hitBreakpoint; }
        else if (this.hooks.hitUntil) out.stop = 'until';
        else if (this.stopFlag) out.stop = 'stopped';
        else if (opts.timeoutMs !== undefined) out.stop = 'timeout';
        else out.stop = 'stopped';
    }
    this.stopFlag = false;
    return out;
  }

  // ---- hooks ----

  /**
   * Add a hook: `type` is one HookType or several OR-ed together; `range` limits it to addresses
   * [begin, end] (inclusive; which address depends on the type, see HookType). Returns a handle.
   */
  hookAdd<T extends HookType>(type: T, cb: HookCallback<T>, range: HookRange = {}): HookHandle {
    return this.hooks.add(type, cb as (e: HookEvent) => boolean | void, range);
  }
  /** Remove a hook. Throws HookInvalid for an unknown handle. */
  hookDel(handle: HookHandle): void {
    if (this.mmio.some((m) => m.handle.id === handle.id)) { this.mmioUnmap(handle); return; }
    this.hooks.del(handle);
  }
  /** Stop before executing the instruction at `addr` (not fired for the instruction a run starts at). */
  breakpointAdd(addr: bigint): void { this.hooks.breakpointAdd(addr); }
  /** Remove a breakpoint; returns whether there was one. */
  breakpointDel(addr: bigint): boolean { return this.hooks.breakpointDel(addr); }
  breakpoints(): bigint[] { return this.hooks.breakpointList(); }

  // ---- images and components ----

  /** Load an ELF image into RAM (physical addresses); sets PC to its entry unless noEntry. */
  loadElf(bytes: Uint8Array, opts: LoadOptions = {}): LoadedImage {
    const name = opts.name ?? 'image';
    const pc = this.machine.cpu.pc;
    let image: LoadedImage;
    try {
      image = placeElf(this.machine, bytes, name);
    } catch (err) {
      if (err instanceof LoaderError) fail(A64elError.ImageInvalid, err.message);
      throw err;
    }
    this.afterLoad(image, opts, pc);
    return image;
  }

  /** Load a flat binary at `addr`; sets PC to `addr` unless noEntry. */
  loadRaw(bytes: Uint8Array, addr: bigint, opts: LoadOptions = {}): LoadedImage {
    const pc = this.machine.cpu.pc;
    let image: LoadedImage;
    try {
      image = placeRaw(this.machine, bytes, addr, opts.name ?? 'raw image');
    } catch (err) {
      if (err instanceof LoaderError) fail(A64elError.ImageInvalid, err.message);
      throw err;
    }
    this.afterLoad(image, opts, pc);
    return image;
  }

  private afterLoad(image: LoadedImage, opts: LoadOptions, oldPc: bigint): void {
    const cpu = this.machine.cpu, s = cpu.s;
    if (opts.noEntry === true) cpu.pc = oldPc;
    if (opts.vectors !== undefined) {
      const at = opts.vectors.at;
      let va: bigint;
      if (typeof at === 'bigint') va = at;
      else {
        const sym = image.symbols?.get(at);
        if (sym === undefined) fail(A64elError.ImageInvalid, `no symbol "${at}" in the image`);
        va = sym;
      }
      if ((va & 0x7ffn) !== 0n) fail(A64elError.ArgInvalid, `vector table at 0x${va.toString(16)} is not 2 KiB aligned`);
      cpu.set64(L.VBAR_EL + 2 * opts.vectors.el, va);
    }
    if (opts.el !== undefined) {
      if ((s[L.IMPL_ELS]! & (1 << opts.el)) === 0) fail(A64elError.ArgInvalid, `EL${opts.el} is not implemented`);
      if (opts.secure !== undefined && opts.el < 3) s[L.SCR_EL3] = opts.secure ? s[L.SCR_EL3]! & ~SCR_NS : s[L.SCR_EL3]! | SCR_NS;
      setElSp(cpu, opts.el, 1);
    }
  }

  /**
   * Attach a native (TypeScript) component: it becomes the code on its EL's vectors (VBAR_EL<el> =
   * its vector base) unless `vectors: false`. Returns its native id.
   */
  attachComponent(component: NativeComponent, opts: AttachOptions = {}): number {
    if (this.running) fail(A64elError.Busy, 'attachComponent during a run');
    try {
      component.attach(this.machine);
    } catch (err) {
      fail(A64elError.ComponentInvalid, err instanceof Error ? err.message : String(err));
    }
    if (opts.vectors !== false && component.el >= 1 && component.el <= 3) this.machine.cpu.set64(L.VBAR_EL + 2 * component.el, component.vectorBase);
    return component.id;
  }

  // ---- context ----

  /**
   * Save the whole machine (CPU state, non-zero RAM pages, UART and semihosting output, the state of
   * native components that implement SnapshotState) as bytes: machine/snapshot.ts.
   */
  contextSave(): Uint8Array {
    if (this.running) fail(A64elError.Busy, 'contextSave during a run');
    try {
      return saveSnapshot(this.machine);
    } catch (err) {
      // A native component without SnapshotState cannot be saved (its state would be lost).
      if (err instanceof SnapshotError) fail(A64elError.Unsupported, err.message);
      throw err;
    }
  }

  /** Restore bytes from contextSave (this machine, or one built alike). */
  contextRestore(bytes: Uint8Array): void {
    if (this.running) fail(A64elError.Busy, 'contextRestore during a run');
    try {
      restoreSnapshot(this.machine, bytes);
    } catch (err) {
      if (err instanceof SnapshotError) {
        fail(err.code === 'VERSION' ? A64elError.SnapshotVersion : err.code === 'MISMATCH' ? A64elError.SnapshotMismatch
          : err.code === 'UNSUPPORTED' ? A64elError.Unsupported : A64elError.SnapshotInvalid, err.message);
      }
      throw err;
    }
  }

  // ---- traces ----

  /** Start recording a trace (trace/recorder.ts); export it with trace/index.ts. */
  traceStart(opts: TraceRecorderOptions = {}): TraceRecorder {
    this.recorder?.stop();
    this.recorder = new TraceRecorder(this.machine.cpu, opts).start();
    return this.recorder;
  }
  /** Stop the trace started by traceStart and return it (null if none). */
  traceStop(): TraceRecorder | null {
    const r = this.recorder;
    r?.stop();
    this.recorder = null;
    return r;
  }
}

/** Create a machine (QEMU virt memory map, EL0-EL3 by default) and its API. */
export function createMachine(config: MachineConfig = {}): Emulator {
  try {
    return new Emulator(new Machine(config));
  } catch (err) {
    if (err instanceof A64elException) throw err;
    return fail(A64elError.ArgInvalid, err instanceof Error ? err.message : String(err));
  }
}

/** The API over an existing Machine (one built with its firmware world, say). */
export function wrapMachine(machine: Machine): Emulator { return new Emulator(machine); }

