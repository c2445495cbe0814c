/**
 * The Machine facade: one PE, the virt memory map, the interpreter, and the native components bound
 * to code windows. This is the one place that wires components to ELs (DESIGN "Which way imports run").
 */
import * as L from '../state/layout.js';
import { CpuState, isSecure } from '../state/cpu-state.js';
import { Bus } from '../memory/bus.js';
import { CONSOLE_KEEP, latin1 } from '../memory/pl011.js';
import { decode, opClasses } from '../decode/decoder.js';
import { opCycleTable } from '../timing/profile.js';
import { PipelineModel } from '../timing/pipeline.js';
import { PipelineRun } from '../timing/pipeline-run.js';
import { type CyclesByEl, cyclesByEl } from '../timing/accounting.js';
import { type ExecContext, NATIVE_PC_HI, type NativeCode, type RunVariant, Status, StopReason } from '../exec/context.js';
import { PredecodeCache } from '../exec/predecode.js';
import { type ReturnPoint, execute, run } from '../exec/interpreter.js';
import { type RunHooks, type RunLimits, runHooked } from '../exec/run-hooked.js';
import { undefinedInstruction } from '../exec/raise.js';
import { type MachineConfig, type ResolvedConfig, resolveConfig } from './config.js';

export { StopReason };

export const STOP_REASON_NAMES: Readonly<Record<number, string>> = {
  [StopReason.None]: 'none', [StopReason.Exit]: 'exit', [StopReason.Budget]: 'instruction-budget',
  [StopReason.Halted]: 'halted', [StopReason.Requested]: 'requested', [StopReason.Returned]: 'returned',
  [StopReason.NativeStuck]: 'native-stuck', [StopReason.CycleBudget]: 'cycle-budget',
};

export interface RunResult {
  reason: StopReason;
  /** Semihosting exit code when reason is Exit. */
  exitCode: number;
  instructions: number;
  cycles: number;
}

/** Reset values not zero (Arm ARM D24 reset values; QEMU virt where the ARM leaves them UNKNOWN). */
const SCR_RES1 = 0x30;

export class Machine implements ExecContext {
  readonly config: ResolvedConfig;
  readonly cpu: CpuState;
  readonly bus: Bus;
  readonly opCycles: Int32Array;
  /** The pipeline timing model's loop (config timing.model 'pipeline'), or null for the fixed-cost model. */
  readonly pipeline: RunVariant | null;
  readonly natives: (NativeCode | undefined)[] = [];
  readonly cache: PredecodeCache;
  stopReason: StopReason = StopReason.None;
  exitCode = 0;
  semihosting: boolean;
  /** Semihosting console output (SYS_WRITEC/WRITE0/WRITE). */
  private semiOut: number[] = [];
  onSemihostByte: ((b: number) => void) | null = null;
  /** Instructions left for the current top-level run (shared by nested native calls). */
  private budget = 0;
  private depth = 0;
  /**
   * Instrumentation (code/block/memory hooks, breakpoints) for the embedding API (src/api): when
   * null and the run has no cycle budget or single step, runs take the plain loop (no cost).
   */
  hooks: RunHooks | null = null;
  /** Limits of the current top-level run (null = none: the plain loop may run). */
  private limits: RunLimits | null = null;
  private noHooks: RunHooks | null = null;

  constructor(config: MachineConfig = {}) {
    this.config = resolveConfig(config);
    this.cpu = new CpuState();
    this.bus = config.bus ?? new Bus(this.config.dramSize);
    this.cache = new PredecodeCache(this.bus);
    this.opCycles = opCycleTable(this.config.timing, opClasses());
    this.pipeline = this.config.timingModel === 'pipeline'
      ? new PipelineRun(new PipelineModel(this.config.timing, this.opCycles, opClasses())) : null;
    this.cpu.exceptionEntryCycles = this.config.timing.exceptionEntry;
    this.cpu.exceptionReturnCycles = this.config.timing.exceptionReturn;
    this.cpu.cpuHz = this.config.timing.cpuHz;
    this.semihosting = this.config.semihosting;
    this.resetCpu();
  }

  /** Architectural reset (Arm ARM D1.2 "Reset"): EL3h, all interrupts masked, PC = 0. */
  resetCpu(): void {
    const s = this.cpu.s;
    s.fill(0);
    // NZCV are UNKNOWN at reset; use 0 as QEMU does. The Z slot holds "Z set iff ZF == 0", so a
    // zero-filled buffer would mean Z=1 (layout.ts).
    s[L.ZF] = 1;
    s[L.IMPL_ELS] = this.config.implementedEls;
    s[L.PSTATE_EL] = highestEl(this.config.implementedEls);
    s[L.PSTATE_SP] = 1;
    s[L.PSTATE_DAIF] = 0x3c0;
    s[L.SCR_EL3] = SCR_RES1;
    // SCTLR_ELx RES1 bits of Armv8.0 (D24.2.1xx); M, C, I = 0: MMU and caches off.
    s[L.SCTLR_EL + 2] = 0x30d00800;
    s[L.SCTLR_EL + 4] = 0x30c50830;
    s[L.SCTLR_EL + 6] = 0x30c50830;
    s[L.MIDR_EL1] = this.config.midr;
    s[L.VPIDR_EL2] = this.config.midr;
    s[L.MPIDR_EL1] = 0x80000000 | 0;     // bit 31 RES1, Aff0 = 0, uniprocessor bit U = 0
    s[L.VMPIDR_EL2] = 0x80000000 | 0;
    s[L.CNTFRQ_EL0] = this.config.cntfrq;
    s[L.CNTHCTL_EL2] = 3;                // EL1PCTEN, EL1PCEN: EL1 counter access not trapped
    s[L.PMCR_EL0] = 0;
    // Memory is not reset: decoded instructions and translated blocks stay valid (they depend on the
    // bytes alone, and every write that changes a code page invalidates it).
  }

  // ---- running ----

  /**
   * Run from the current state until a stop condition. `maxCycles` stops once the cycle counter has
   * advanced by that much (checked per instruction; a native component's work counts as one step);
   * `singleStep` stops after one instruction, one exception taken at a block boundary or one native
   * entry. Both select the instrumented loop for this run (exec/run-hooked.ts).
   */
  run(opts: { maxInstructions?: number; maxCycles?: number; singleStep?: boolean; timeoutMs?: number } = {}): RunResult {
    const max = opts.maxInstructions ?? 100_000_000;
    const i0 = this.cpu.instructions;
    this.budget = max;
    this.depth = 0;
    this.limits = opts.maxCycles === undefined && opts.singleStep !== true && opts.timeoutMs === undefined ? null : {
      cycleLimit: opts.maxCycles === undefined ? Infinity : this.cpu.cycles + opts.maxCycles,
      stepLimit: opts.singleStep === true ? 1 : 0,
      deadline: opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs,
    };
    const reason = this.runLoop(null);
    this.limits = null;
    return { reason, exitCode: this.exitCode, instructions: this.cpu.instructions - i0, cycles: this.cpu.cycles };
  }

  /**
   * Refill the instruction budget that the next nested calls spend (executeAndReturn: the host's
   * SMC/HVC between top-level runs, as the vector runner makes them). run() sets its own budget.
   */
  setBudget(n: number): void {
    if (!(n >= 0)) throw new RangeError(`setBudget: ${n} is not a non-negative instruction count`);
    this.budget = n;
  }

  /** Instructions left of the budget the next nested calls spend (part of a snapshot). */
  budgetLeft(): number { return this.budget; }
  /**
   * Inside a nested run (a native component's or the host's call waiting for its reply): the rest of
   * that call lives on the JS stack, so no snapshot can be taken here (machine/snapshot.ts).
   */
  inNestedRun(): boolean { return this.depth > 0; }

  /** Cycles spent at each EL and world so far (timing/accounting.ts); they sum to the cycle count. */
  cyclesByEl(): CyclesByEl { return cyclesByEl(this.cpu); }

  /** Request the current run to stop at the next block boundary. */
  stop(): void { this.stopReason = StopReason.Requested; }

  private runLoop(ret: ReturnPoint | null): StopReason {
    const i0 = this.cpu.f[L.INSTRET >> 1]!;
    const hooks = this.hooks, limits = this.depth === 0 ? this.limits : null;
    const reason = hooks === null && limits === null ? run(this, this.cache, this.budget, ret)
      : runHooked(this, this.cache, this.budget, ret, hooks ?? this.plainHooks(), limits ?? NO_LIMITS, this.depth > 0);
    this.budget -= this.cpu.f[L.INSTRET >> 1]! - i0;
    return reason;
  }

  /**
   * Execute `word` as if it were the instruction at the current PC (used by native code to issue
   * SMC/HVC/SVC and others through the real decode, routing and trap path), then run until control
   * comes back to the next instruction at this EL (a nested run). Returns Returned when it did, or why
   * it did not (budget, exit, stop request).
   */
  executeAndReturn(word: number): StopReason {
    const cpu = this.cpu, s = cpu.s;
    const el = s[L.PSTATE_EL]!;
    const lo = (s[L.PC]! + 4) | 0, hi = s[L.PC + 1]!;
    const op = this.decodeIssued(word);
    const f = cpu.f;
    f[L.CYCLES >> 1] = f[L.CYCLES >> 1]! + this.opCycles[op]!;
    let st = execute(this, op, word);
    if (st === Status.Undefined) st = undefinedInstruction(cpu);
    if (st === Status.Next || st === Status.Sync) { s[L.PC] = lo; return StopReason.Returned; }
    if (st === Status.Stop) return this.stopReason;
    if (s[L.PC] === lo && s[L.PC + 1] === hi && s[L.PSTATE_EL] === el) return StopReason.Returned;
    if (this.depth > 64) return StopReason.NativeStuck;
    this.depth++;
    const saved = this.stopReason;
    const r = this.runLoop({ el, lo, hi });
    this.depth--;
    if (r === StopReason.Returned) this.stopReason = saved;
    return r;
  }

  /** Execute `word` as the instruction at the current PC and return (no nested run). */
  executeOnly(word: number): void {
    const cpu = this.cpu, s = cpu.s;
    const op = this.decodeIssued(word);
    const f = cpu.f;
    f[L.CYCLES >> 1] = f[L.CYCLES >> 1]! + this.opCycles[op]!;
    const st = execute(this, op, word);
    if (st === Status.Undefined) undefinedInstruction(cpu);
    else if (st === Status.Next || st === Status.Sync) s[L.PC] = (s[L.PC]! + 4) | 0;
  }

  /**
   * decode() of a word native code issues, remembered per word & 3 (SVC, HVC and SMC differ there):
   * components issue the same few words on every call, and decode walks the encoding table.
   */
  private decodeIssued(word: number): number {
    const k = word & 3;
    if (this.issuedWord[k] === word && this.issuedOp[k]! >= 0) return this.issuedOp[k]!;
    const op = decode(word);
    this.issuedWord[k] = word; this.issuedOp[k] = op;
    return op;
  }
  private readonly issuedWord = new Int32Array(4);
  private readonly issuedOp = new Int32Array(4).fill(-1);

  /** A RunHooks that observes nothing (a cycle budget or single step without hooks). */
  private plainHooks(): RunHooks {
    if (this.noHooks === null) {
      this.noHooks = {
        codePages: new Uint8Array(1 << 20), codeAll: false, code: () => false, blockOn: false, block: () => false,
        fetchInvalid: () => false, execCtx: this, stopPending: false,
      };
    }
    return this.noHooks;
  }

  // ---- native components ----

  /** Bind native code; returns its id (its code window is PC high half NATIVE_PC_HI | id). */
  attachNative(code: NativeCode): number {
    const id = this.natives.length;
    if (id > 0xff) throw new RangeError('too many native components');
    this.natives.push(code);
    return id;
  }

  /** High half of the PC window of native code `id`. */
  static nativePcHi(id: number): number { return NATIVE_PC_HI | id; }

  // ---- memory and registers at the API edge ----

  /** Load bytes at a physical address (loader path). */
  loadBytes(pa: number, bytes: Uint8Array): void { this.bus.load(pa, bytes); }

  readX(n: number): bigint { return this.cpu.x(n); }
  writeX(n: number, v: bigint): void { this.cpu.setX(n, v); }
  get pc(): bigint { return this.cpu.pc; }
  set pc(v: bigint) { this.cpu.pc = v; }
  get el(): number { return this.cpu.el; }
  get secure(): boolean { return isSecure(this.cpu.s); }

  semihostOut(byte: number): void {
    // Keep the first CONSOLE_KEEP bytes (pl011.ts): unbounded guest output must not exhaust the host.
    if (this.semiOut.length < CONSOLE_KEEP) this.semiOut.push(byte);
    if (this.onSemihostByte !== null) this.onSemihostByte(byte);
  }
  /** Text written by the guest through semihosting. */
  semihostText(): string { return latin1(this.semiOut); }
  /** Semihosting console bytes so far, and replacing them (snapshot restore; no onSemihostByte calls). */
  semihostBytes(): Uint8Array { return Uint8Array.from(this.semiOut); }
  setSemihostBytes(bytes: Uint8Array): void { this.semiOut = Array.from(bytes); }
  /** Text written by the guest to the PL011. */
  uartText(): string { return this.bus.uart.text(); }

  /** Raise or lower an interrupt line (bit 0 IRQ, bit 1 FIQ). Taken at the next block boundary if routed and unmasked. */
  setIrqLine(line: 'irq' | 'fiq', level: boolean): void {
    const bit = line === 'irq' ? 1 : 2;
    const s = this.cpu.s;
    s[L.IRQ_LINES] = level ? s[L.IRQ_LINES]! | bit : s[L.IRQ_LINES]! & ~bit;
  }
}

const NO_LIMITS: RunLimits = { cycleLimit: Infinity, stepLimit: 0, deadline: Infinity };

function highestEl(mask: number): number { return mask & 8 ? 3 : mask & 4 ? 2 : 1; }
