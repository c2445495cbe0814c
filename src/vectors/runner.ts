/**
 * Call-vector runner and the dispatcher for every kind of vector (vector-format.md).
 *
 *   runCallVector(vector)      run one parsed call vector
 *   runVector(vector)          run one parsed vector of either kind (image vectors: image-runner.ts)
 * This module imports nothing from Node, so it bundles for browsers (docs/api.md "In the browser").
 * The Node side, which reads vector and image files and walks directories (runVectorFile,
 * runVectors, collectVectorFiles), is vectors/files.ts.
 *
 * A call vector runs on a fresh machine built from its `machine` spec (machine/world.ts, through
 * world-adapter.ts), booted from reset within the step budget:
 *  - boot "reset" (or el2 "none"): firmware and SPMC up, EL2 holds pKVM's stub (or nothing), the host
 *    entered at NS-EL1;
 *  - boot "pkvm-ready" with el2 "pkvm": the same, then the host issues the two hypercalls Linux's
 *    `kvm_arm_init` and `finalize_pkvm` issue: HVC `__pkvm_init` (x0 = 0xC6000001) and HVC
 *    `__pkvm_prot_finalize` (x0 = 0xC6000007). The `{"pkvm": "init"|"finalize"}` steps issue the
 *    same hypercalls from the runner, and fail unless they return x0 = 0 (SMCCC success), x1 = 0.
 * Each `smc`/`hvc` step loads x0-x17 (unnamed registers 0), executes SMC #imm / HVC #imm from the
 * host at NS-EL1 through the real exception path, and compares the named registers once control is
 * back at EL1; `capture` keeps registers for later `$NAME` references (zero-extended or truncated to
 * the width of the register they are used in).
 *
 * Memory steps are the host's own data accesses, made at the bus as Non-secure physical accesses
 * with pKVM's host stage-2 check applied (Bus.stage2Check, installed when pKVM finalises): before
 * `__pkvm_prot_finalize` (and with el2 "none") the host may touch any NS memory; afterwards a page
 * the host does not own (the hyp carve-out) faults, which fails the step with a message naming the
 * address and the fault. Nothing is executed for them: no instructions or cycles are charged, and a
 * fault is not delivered to EL2 (the runner reports it instead of letting pKVM inject an abort).
 *
 * The first failing step fails the vector; the result names the step (index and JSON path), the
 * register, expected and actual values in hex with FF-A / SMCCC names where they apply. A runaway
 * call (no return to EL1 within the per-step instruction budget) is a failed step too.
 */
import * as L from '../state/layout.js';
import { isSecure } from '../state/cpu-state.js';
import { type Machine, STOP_REASON_NAMES, StopReason } from '../machine/machine.js';
import { ffaStatusName, smcFunctionName } from '../ffa/abi.js';
import { EC_NAMES } from '../exceptions/kinds.js';
import type { HostCaller } from '../firmware/host/caller.js';
import { PKVM_INIT_HCALL, PKVM_PROT_FINALIZE_HCALL } from '../firmware/el2/consts.js';
import {
  type CallStep, type CallVector, type CaptureRef, type MachineSpec, type MemoryStep, type ParsedVector, type PkvmStep, type Step,
} from './parse.js';
import { type VectorResult, runImageVector } from './image-runner.js';
import { type VectorWorld, createVectorWorld } from './world-adapter.js';

export type { VectorWorld } from './world-adapter.js';

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/** Where and how a call vector failed (absent when it passed or could not be parsed). */
export interface StepFailure {
  /** 0-based index of the failing step; -1 when the machine could not be built or booted. */
  index: number;
  /** JSON path of the step (`steps[3]`), or `machine` for a boot failure. */
  path: string;
  /** Register (`w2`, `x0`), `exception`, `memory`, `pkvm` or `call` (the call did not return). */
  what: string;
  /** Expected and actual values as the message prints them (when a comparison failed). */
  expected?: string;
  actual?: string;
}

/** The outcome of one vector file; a superset of image-runner's VectorResult. */
export interface VectorRunResult extends VectorResult {
  /** 'call' or 'image', or 'invalid' for a file that could not be read or parsed. */
  kind: 'call' | 'image' | 'invalid';
  /** Steps that ran and passed (call vectors). */
  stepsPassed: number;
  /** Total steps in the vector (call vectors). */
  steps: number;
  /** The first failing step (call vectors), or null. */
  failedStep: StepFailure | null;
}

export interface VectorRunSummary {
  results: VectorRunResult[];
  passed: number;
  failed: number;
  /** `N passed, M failed` */
  summary: string;
  /** FILE|DIR arguments that do not exist. */
  missing: string[];
}

/** Per-step instruction budget: a call that does not come back to EL1 within it fails the step. */
export const DEFAULT_STEP_BUDGET = 10_000_000;


export interface RunCallOptions {
  /** Instructions allowed per step (and for the boot). Default DEFAULT_STEP_BUDGET. */
  stepBudget?: number;
  /** Build the world for a machine spec (default: machine/world.ts through world-adapter.ts). */
  createWorld?: (spec: MachineSpec, budget: number, onMachine?: (m: Machine) => void) => VectorWorld;
  /** Image vectors: the bytes of the image at a path (image-runner.ts RunImageOptions.readImage). */
  readImage?: (path: string) => Uint8Array;
  /**
   * Called with the vector's machine once it exists and before anything runs on it (before a call
   * vector's boot, before an image vector's reset): where a trace recorder attaches (vectors/trace.ts).
   */
  onMachine?: (m: Machine) => void;
  /** Called before each call-vector step runs (step markers in traces). */
  onStep?: (index: number, step: Step) => void;
}

// ---------------------------------------------------------------------------------------------
// Values and names
// ---------------------------------------------------------------------------------------------

const M32 = 0xffff_ffffn;

function hexOf(v: bigint, width: 32 | 64): string {
  return `0x${BigInt.asUintN(width, v).toString(16).padStart(width / 4, '0')}`;
}

/**
 * FF-A / SMCCC name of a register value, if one applies: x0/w0 may hold a function ID (FFA_SUCCESS,
 * FFA_MSG_SEND_DIRECT_RESP_64...), any register a status code (NOT_SUPPORTED...) as a negative 32-bit
 * value, zero- or sign-extended in an x register.
 */
export function valueName(v: bigint, width: 32 | 64, reg: number): string | undefined {
  const lo = Number(v & M32);
  const hi = width === 64 ? BigInt.asUintN(64, v) >> 32n : 0n;
  if (reg === 0 && hi === 0n) {
    const fn = smcFunctionName(lo);
    if (fn !== undefined) return fn;
  }
  if (hi === 0n || hi === M32) {
    const st = ffaStatusName(lo | 0);
    if (st !== undefined) return reg === 0 && hi === M32 && lo === 0xffffffff ? 'SMCCC_NOT_SUPPORTED/NOT_SUPPORTED (-1)' : st;
  }
  return undefined;
}

/** `INVALID_PARAMETERS (0xfffffffe)` or `0x00000000`. */
export function describeValue(v: bigint, width: 32 | 64, reg: number): string {
  const h = hexOf(v, width);
  const n = valueName(v, width, reg);
  return n === undefined ? h : `${n} (${h})`;
}

function regName(width: 32 | 64, index: number): string { return `${width === 64 ? 'x' : 'w'}${index}`; }

// ---------------------------------------------------------------------------------------------
// The call-vector run
// ---------------------------------------------------------------------------------------------

class StepFailed extends Error {
  constructor(readonly failure: StepFailure, message: string) { super(message); }
}

interface Captured { value: bigint; width: 32 | 64 }

class CallRun {
  readonly captures = new Map<string, Captured>();
  constructor(readonly world: VectorWorld, readonly budget: number) {}

  get machine(): Machine { return this.world.machine; }
  get host(): HostCaller { return this.world.host; }

  resolve(v: bigint | number | CaptureRef, width: 32 | 64): bigint {
    if (typeof v === 'object') {
      const c = this.captures.get(v.capture);
      if (c === undefined) throw new Error(`capture $${v.capture} has no value`); // the parser prevents it
      return BigInt.asUintN(width, c.value);
    }
    return BigInt.asUintN(width, typeof v === 'number' ? BigInt(v >>> 0) : v);
  }

  /** Where the PE is, for runaway messages. */
  place(): string {
    const s = this.machine.cpu.s;
    return `PC=${hexOf(this.machine.cpu.pc, 64)} at EL${s[L.PSTATE_EL]} (${isSecure(s) ? 'Secure' : 'Non-secure'})`;
  }

  /** Issue SMC/HVC #imm from the host with x0-x17 = args; a call that does not come back fails. */
  issue(kind: 'smc' | 'hvc', imm: number, args: bigint[], index: number, path: string, label: string): ReturnType<HostCaller['smc']> {
    // The host's nested calls (HostCaller.smc/hvc -> executeAndReturn) spend the machine's budget.
    this.machine.setBudget(this.budget);
    this.host.setArgs(args);
    const before = this.machine.cpu.instructions;
    const r = kind === 'smc' ? this.host.smc(imm) : this.host.hvc(imm);
    if (r.stop !== StopReason.Returned && r.exception === null) {
      const used = this.machine.cpu.instructions - before;
      const why = r.stop === StopReason.Budget
        ? `did not return to the host within the step budget of ${this.budget} instructions (runaway: ${used} executed)`
        : `did not return to the host: ${STOP_REASON_NAMES[r.stop] ?? `stop ${r.stop}`} after ${used} instructions`;
      throw new StepFailed({ index, path, what: 'call' }, `${path} (${label}): ${why}; PE at ${this.place()}`);
    }
    return r;
  }

  callStep(step: CallStep, index: number): void {
    const args: bigint[] = new Array<bigint>(18).fill(0n);
    for (const r of step.regs) args[r.index] = this.resolve(r.value, r.width);
    const fn = smcFunctionName(Number(args[0]! & M32));
    const label = `${step.kind.toUpperCase()} #${step.imm}${fn !== undefined ? ` ${fn}` : ` x0=${hexOf(args[0]!, 64)}`}`;
    const r = this.issue(step.kind, step.imm, args, index, step.path, label);
    const at = `${step.path} (${label})`;

    if (step.exception !== undefined) {
      const want = step.exception;
      if (r.exception === null) {
        throw new StepFailed(
          { index, path: step.path, what: 'exception', expected: `EL${want.el} EC 0x${want.ec.toString(16).padStart(2, '0')}`, actual: 'returned' },
          `${at}: expected an exception at EL${want.el} with EC 0x${want.ec.toString(16).padStart(2, '0')} (${ecName(want.ec)}), ` +
            `but the call returned normally; ${this.regsSummary(step)}`,
        );
      }
      if (r.exception.el !== want.el || r.exception.ec !== want.ec) {
        throw new StepFailed(
          { index, path: step.path, what: 'exception', expected: `EL${want.el} EC 0x${want.ec.toString(16)}`, actual: `EL${r.exception.el} EC 0x${r.exception.ec.toString(16)}` },
          `${at}: expected an exception at EL${want.el} with EC 0x${want.ec.toString(16).padStart(2, '0')} (${ecName(want.ec)}), ` +
            `got EL${r.exception.el} EC 0x${r.exception.ec.toString(16).padStart(2, '0')} (${ecName(r.exception.ec)}, ESR 0x${(r.exception.esr >>> 0).toString(16)})`,
        );
      }
    } else if (r.exception !== null) {
      const e = r.exception;
      throw new StepFailed(
        { index, path: step.path, what: 'exception', expected: 'return', actual: `EL${e.el} EC 0x${e.ec.toString(16)}` },
        `${at}: the call raised an exception at EL${e.el} (EC 0x${e.ec.toString(16).padStart(2, '0')} ${ecName(e.ec)}, ` +
          `ESR 0x${(e.esr >>> 0).toString(16)}) instead of returning`,
      );
    }

    for (const c of step.expect) {
      const actual = BigInt.asUintN(c.width, this.host.getX(c.index));
      const want = this.resolve(c.value, c.width);
      const mask = BigInt.asUintN(c.width, typeof c.mask === 'number' ? BigInt(c.mask >>> 0) : c.mask);
      if ((actual & mask) === (want & mask)) continue;
      const full = mask === (c.width === 64 ? 0xffff_ffff_ffff_ffffn : M32);
      const reg = full ? c.name : `${c.name} & ${hexOf(mask, c.width)}`;
      const expected = describeValue(want & mask, c.width, c.index);
      const got = describeValue(full ? actual : actual & mask, c.width, c.index);
      throw new StepFailed(
        { index, path: step.path, what: c.name, expected, actual: got },
        `${at}: ${reg}: expected ${expected}, got ${got}; ${this.regsSummary(step)}`,
      );
    }
    for (const cap of step.captures) {
      const v = this.host.getX(cap.index);
      this.captures.set(cap.name, { value: cap.width === 32 ? v & M32 : v, width: cap.width });
    }
  }

  /** The first result registers, for context in a failure message: `returned w0=FFA_ERROR (0x84000060) w1=... w2=... w3=...`. */
  regsSummary(step: CallStep): string {
    const w64 = step.expect.some((c) => c.width === 64);
    const parts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const v = this.host.getX(i);
      const width: 32 | 64 = w64 ? 64 : 32;
      parts.push(`${regName(width, i)}=${describeValue(width === 32 ? v & M32 : v, width, i)}`);
    }
    return `returned ${parts.join(' ')}`;
  }

  pkvmStep(step: PkvmStep, index: number): void {
    this.hypercall(step.action, index, step.path);
  }

  /** `__pkvm_init` or `__pkvm_prot_finalize` from the host, as Linux issues them. */
  hypercall(action: 'init' | 'finalize', index: number, path: string): void {
    const id = action === 'init' ? PKVM_INIT_HCALL : PKVM_PROT_FINALIZE_HCALL;
    const name = action === 'init' ? '__pkvm_init' : '__pkvm_prot_finalize';
    const args = new Array<bigint>(18).fill(0n);
    args[0] = BigInt(id >>> 0);
    const r = this.issue('hvc', 0, args, index, path, `HVC #0 ${name}`);
    if (r.exception !== null) {
      throw new StepFailed(
        { index, path, what: 'pkvm', expected: 'x0 = 0, x1 = 0', actual: `exception EC 0x${r.exception.ec.toString(16)}` },
        `${path} (pkvm ${action}): HVC ${name} raised an exception at EL1 (EC 0x${r.exception.ec.toString(16).padStart(2, '0')} ${ecName(r.exception.ec)})`,
      );
    }
    const x0 = this.host.getX(0), x1 = this.host.getX(1);
    if (x0 !== 0n || x1 !== 0n) {
      throw new StepFailed(
        { index, path, what: 'pkvm', expected: 'x0 = 0, x1 = 0', actual: `x0 = ${hexOf(x0, 64)}, x1 = ${hexOf(x1, 64)}` },
        `${path} (pkvm ${action}): ${name} failed: x0 = ${describeValue(x0, 64, 0)}, x1 = ${hexOf(x1, 64)} (expected x0 = 0, x1 = 0)`,
      );
    }
  }

  memoryStep(step: MemoryStep, index: number): void {
    const bus = this.machine.bus;
    const bytes = step.bytes;
    if (step.kind === 'write') {
      for (let i = 0; i < bytes.length; i++) {
        const pa = step.addr + i;
        bus.write(pa, 0, 1, bytes[i]!, false);
        if (bus.fault !== 0) {
          throw new StepFailed(
            { index, path: step.path, what: 'memory', expected: 'write allowed', actual: faultName(bus.fault) },
            `${step.path} (write ${bytes.length} bytes at ${hexOf(BigInt(step.addr), 32)}): the host may not write ${hexOf(BigInt(pa), 32)}: ` +
              `${faultName(bus.fault)}${i > 0 ? ` (${i} bytes before it were written)` : ''}`,
          );
        }
      }
      return;
    }
    const got = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const pa = step.addr + i;
      got[i] = bus.read(pa, 0, 1, false);
      if (bus.fault !== 0) {
        throw new StepFailed(
          { index, path: step.path, what: 'memory', expected: 'read allowed', actual: faultName(bus.fault) },
          `${step.path} (expectMemory at ${hexOf(BigInt(step.addr), 32)}): the host may not read ${hexOf(BigInt(pa), 32)}: ${faultName(bus.fault)}`,
        );
      }
    }
    const first = bytes.findIndex((b, i) => got[i] !== b);
    if (first < 0) return;
    const from = first - (first % 16);
    const to = Math.min(bytes.length, from + 16);
    const expected = hexBytes(bytes.subarray(from, to));
    const actual = hexBytes(got.subarray(from, to));
    throw new StepFailed(
      { index, path: step.path, what: 'memory', expected, actual },
      `${step.path} (expectMemory ${bytes.length} bytes at ${hexOf(BigInt(step.addr), 32)}): first difference at ` +
        `${hexOf(BigInt(step.addr + first), 32)} (offset ${first}): expected byte 0x${bytes[first]!.toString(16).padStart(2, '0')}, ` +
        `got 0x${got[first]!.toString(16).padStart(2, '0')}; bytes ${from}..${to - 1}: expected ${expected}, got ${actual}`,
    );
  }
}

function ecName(ec: number): string {
  return EC_NAMES[ec] ?? 'unknown EC';
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** A bus fault value (FSC + 1, stage-2 flag 0x100) in words. */
function faultName(fault: number): string {
  const stage2 = (fault & 0x100) !== 0;
  const fsc = ((fault & 0xff) - 1) & 0x3f;
  const kind = (fsc & 0x3c) === 0x04 ? `translation fault, level ${fsc & 3}`
    : (fsc & 0x3c) === 0x0c ? `permission fault, level ${fsc & 3}`
    : (fsc & 0x3c) === 0x08 ? `access flag fault, level ${fsc & 3}`
    : fsc === 0x10 ? 'synchronous external abort'
    : fsc === 0x21 ? 'alignment fault'
    : (fsc & 0x3c) === 0x00 ? `address size fault, level ${fsc & 3}`
    : `fault status 0x${fsc.toString(16)}`;
  return `${stage2 ? 'stage-2 ' : ''}${kind} (FSC 0x${fsc.toString(16).padStart(2, '0')}${stage2 ? ', pKVM host stage 2' : ''})`;
}

export function emptyResult(v: { name: string; file: string }, kind: VectorRunResult['kind'], steps = 0): VectorRunResult {
  return { name: v.name, file: v.file, kind, passed: false, message: '', uart: '', exitCode: null, instructions: 0, cycles: 0, stepsPassed: 0, steps, failedStep: null };
}

/** Run one parsed call vector. Never throws: a failure (or an emulator exception) is in the result. */
export function runCallVector(v: CallVector, opts: RunCallOptions = {}): VectorRunResult {
  const result = emptyResult(v, 'call', v.steps.length);
  const budget = opts.stepBudget ?? DEFAULT_STEP_BUDGET;
  const make = opts.createWorld ?? createVectorWorld;
  let run: CallRun | null = null;
  let i0 = 0;
  try {
    let world: VectorWorld;
    try {
      world = make(v.machine, budget, opts.onMachine);
    } catch (err) {
      throw new StepFailed({ index: -1, path: 'machine', what: 'boot' }, `machine: cannot build or boot the machine (boot "${v.machine.boot}"): ${errText(err)}`);
    }
    run = new CallRun(world, budget);
    i0 = world.machine.cpu.instructions;
    v.steps.forEach((step, index) => {
      opts.onStep?.(index, step);
      try {
        switch (step.kind) {
          case 'smc': case 'hvc': run!.callStep(step, index); break;
          case 'pkvm': run!.pkvmStep(step, index); break;
          case 'write': case 'expectMemory': run!.memoryStep(step, index); break;
        }
      } catch (err) {
        if (err instanceof StepFailed) throw err;
        // An exception out of the emulator (a component bug): this step fails, nothing crashes.
        throw new StepFailed({ index, path: step.path, what: 'internal' }, `${step.path}: internal error in the emulator: ${errText(err)}`);
      }
      result.stepsPassed++;
    });
    result.passed = true;
    result.message = 'ok';
  } catch (err) {
    if (err instanceof StepFailed) {
      result.failedStep = err.failure;
      result.message = err.message;
    } else {
      result.message = `internal error in the emulator: ${errText(err)}`;
    }
  }
  if (run !== null) {
    result.instructions = run.machine.cpu.instructions - i0;
    result.cycles = run.machine.cpu.cycles;
    result.uart = run.machine.uartText();
  }
  return result;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Run one parsed vector of either kind. */
export function runVector(v: ParsedVector, opts: RunCallOptions = {}): VectorRunResult {
  if (v.kind === 'call') return runCallVector(v, opts);
  const r = runImageVector(v, {
    ...(opts.readImage === undefined ? {} : { readImage: opts.readImage }),
    ...(opts.onMachine === undefined ? {} : { onMachine: opts.onMachine }),
  });
  return { ...r, kind: 'image', stepsPassed: 0, steps: 0, failedStep: null };
}

/** `N passed, M failed` */
export function summaryLine(results: readonly VectorRunResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  return `${passed} passed, ${results.length - passed} failed`;
}
