/**
 * What the interpreter needs from the machine: state, memory, per-Op cycle costs, the native
 * components bound to code addresses, and the semihosting/stop plumbing. `machine/` builds it.
 */
import type { CpuState } from '../state/cpu-state.js';
import type { Bus } from '../memory/bus.js';
import type { PredecodeCache } from './predecode.js';
import type { ReturnPoint } from './interpreter.js';

/** Handler status codes (DESIGN practice 7: status codes, not throws). */
export const enum Status {
  /** Sequential: PC += 4, stay in the block. */
  Next = 0,
  /** PC was written (branch): end the block. */
  Branch = 1,
  /** An exception was taken (state already updated): end the block. */
  Exception = 2,
  /** PC += 4 and end the block: routing, masking or SP changed (MSR DAIF/HCR/SCR...). */
  Sync = 3,
  /** Stop the run: the handler set ctx.stopReason (semihosting exit, WFI with nothing to wake it). */
  Stop = 4,
  /** The encoding is UNALLOCATED/UNDEFINED in this state: the loop raises EC 0x00. */
  Undefined = 5,
}

/** Why a run stopped. */
export const enum StopReason {
  None = 0,
  /** Semihosting SYS_EXIT / SYS_EXIT_EXTENDED. */
  Exit = 1,
  /** The instruction budget ran out. */
  Budget = 2,
  /** WFI/WFE with nothing that could wake the PE. */
  Halted = 3,
  /** Machine.stop() or a hook asked to stop. */
  Requested = 4,
  /** A nested native call reached its return address. */
  Returned = 5,
  /** A native component left the PE where it found it (an emulator bug in that component). */
  NativeStuck = 6,
  /** The cycle budget ran out. */
  CycleBudget = 7,
}

/**
 * Code that *is* the program at some addresses: a native (TypeScript) firmware component. The PE
 * "executes" it when PC enters its address window (see machine/native.ts): it must leave by an
 * exception return or by taking an exception (DESIGN practice 8), never by returning with PC unchanged.
 */
export interface NativeCode {
  readonly name: string;
  /** The EL this code runs at; executing it at another EL is an instruction abort. */
  readonly el: number;
  /** Secure (true) or Non-secure (false) world. */
  readonly secure: boolean;
  enter(pcLo: number): void;
}

export interface ExecContext {
  readonly cpu: CpuState;
  readonly bus: Bus;
  /** Cycles charged per Op id (timing profile). */
  readonly opCycles: Int32Array;
  /** Native code by id: PC high half NATIVE_PC_HI | id selects the component. */
  readonly natives: (NativeCode | undefined)[];
  /** Set by handlers returning Status.Stop. */
  stopReason: StopReason;
  /** Semihosting exit status (SYS_EXIT). */
  exitCode: number;
  /** Whether HLT #0xF000 is a semihosting call (QEMU -semihosting). */
  semihosting: boolean;
  /** Console output from semihosting SYS_WRITEC/SYS_WRITE0/SYS_WRITE. */
  semihostOut(byte: number): void;
  /**
   * A variant of the loop that runs instead of `run` when set: the pipeline timing model
   * (timing/pipeline-run.ts). Undefined or null = the fixed-cost loop, at no cost.
   */
  readonly pipeline?: RunVariant | null;
}

/** A loop with the contract of interpreter.ts `run` (the pipeline timing model provides one). */
export interface RunVariant {
  run(ctx: ExecContext, cache: PredecodeCache, maxInstructions: number, ret: ReturnPoint | null): StopReason;
}

/**
 * Native code lives at PCs whose high half is NATIVE_PC_HI | id: above the 48-bit physical address
 * space, so no guest fetch can reach real memory there.
 */
export const NATIVE_PC_HI = 0xfff0_0000 | 0;
export const NATIVE_PC_HI_MASK = 0xfff0_0000 | 0;
