/**
 * `a64el run IMAGE` and `a64el start`: load an image into a fresh Machine, run it, report.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as L from '../state/layout.js';
import { type CpuState, isSecure, packNzcv } from '../state/cpu-state.js';
import { EC_NAMES } from '../exceptions/kinds.js';
import { LoaderError } from '../loader/elf.js';
import { Machine, type RunResult, STOP_REASON_NAMES, StopReason } from '../machine/machine.js';
import { loadElf, loadRaw } from '../machine/load.js';
import { describePlace, describeStop } from '../machine/stop-text.js';
import { PROFILES, type TimingModel } from '../timing/profile.js';
import { formatCyclesByEl } from '../timing/accounting.js';
import { type CliIo, EXIT_BUDGET, EXIT_STOPPED, EXIT_USAGE, LineBuffer } from './io.js';
import { TraceFile, splitTraceOption } from './trace-file.js';

export const DEFAULT_MAX_INSTRUCTIONS = 100_000_000;

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;
const hex32 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
const worldName = (secure: boolean): string => (secure ? 'Secure' : 'Non-secure');

function usage(message: string): Error {
  return Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_A64EL' });
}

function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text) || !Number.isSafeInteger(n) || n <= 0) {
    throw usage(`${what} must be a positive integer, got "${text}"`);
  }
  return n;
}

export interface RunOptions {
  image: string;
  maxInstructions: number;
  /** `--max-cycles N`: stop once the cycle counter advanced by N (exit status 124). */
  maxCycles?: number;
  /** Wall-clock limit for the guest run, ms (`--timeout`: main.ts passes the deadline in A64EL_DEADLINE). */
  timeoutMs?: number;
  json: boolean;
  trace: boolean;
  /** Load a flat binary at this address instead of parsing ELF. */
  raw?: bigint;
  /** Print the cycles spent per EL and world at the end (stderr). */
  cycles?: boolean;
  /** Timing profile name (default generic) and model (default fixed). */
  timing?: string;
  timingModel?: TimingModel;
  /** `--trace FILE`: record the run and write FILE (Chrome trace JSON for *.json, else text). */
  traceFile?: string;
  /** `--gdb PORT`: serve the GDB remote protocol on 127.0.0.1:PORT before running (cli/gdb.ts). */
  gdbPort?: number;
  /** `--gdb-timeout S`: give up waiting for GDB (and close an idle session) after S seconds. */
  gdbTimeoutMs?: number;
}

/** `a64el run IMAGE [--max-instructions N] [--json] [--trace [FILE]] [--raw ADDR] [--cycles] [--timing NAME] [--timing-model M] [--gdb PORT [--gdb-timeout S]]` */
export function runCommand(argvIn: string[], io: CliIo): number | Promise<number> {
  const { argv, traceFile } = splitTraceOption(argvIn);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'max-instructions': { type: 'string' },
      'max-cycles': { type: 'string' },
      json: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      raw: { type: 'string' },
      cycles: { type: 'boolean', default: false },
      timing: { type: 'string' },
      'timing-model': { type: 'string' },
      gdb: { type: 'string' },
      'gdb-timeout': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw usage(`expected one IMAGE, got ${positionals.length}`);
  const opts: RunOptions = {
    image: positionals[0]!,
    maxInstructions: values['max-instructions'] === undefined ? DEFAULT_MAX_INSTRUCTIONS
      : parseCount(values['max-instructions'], '--max-instructions'),
    json: values.json === true,
    trace: values.trace === true,
    cycles: values.cycles === true,
  };
  if (values['max-cycles'] !== undefined) opts.maxCycles = parseCount(values['max-cycles'], '--max-cycles');
  // The wall-clock guard of main.ts (--timeout): stop the guest at the deadline and say where it is.
  const deadline = Number(process.env['A64EL_DEADLINE'] ?? NaN);
  if (Number.isFinite(deadline)) opts.timeoutMs = Math.max(1, deadline - Date.now());
  if (values.timing !== undefined) {
    if (PROFILES[values.timing] === undefined) throw usage(`--timing must be one of ${Object.keys(PROFILES).join(', ')}, got "${values.timing}"`);
    opts.timing = values.timing;
  }
  const model = values['timing-model'];
  if (model !== undefined) {
    if (model !== 'fixed' && model !== 'pipeline') throw usage(`--timing-model must be fixed or pipeline, got "${model}"`);
    opts.timingModel = model;
  }
  if (values.raw !== undefined) {
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(values.raw)) throw usage(`--raw ADDR must be a number, got "${values.raw}"`);
    opts.raw = BigInt(values.raw);
  }
  if (traceFile !== undefined) {
    if (traceFile === '') throw usage('--trace= needs a file name');
    opts.traceFile = traceFile;
  }
  if (values['gdb-timeout'] !== undefined) opts.gdbTimeoutMs = parseCount(values['gdb-timeout'], '--gdb-timeout') * 1000;
  if (values.gdb !== undefined) {
    const port = Number(values.gdb);
    if (!/^[0-9]+$/.test(values.gdb) || port > 65535) throw usage(`--gdb PORT must be a TCP port (0-65535; 0 = any free one), got "${values.gdb}"`);
    opts.gdbPort = port;
    // The GDB server and the embedding API it drives load only for --gdb (a plain run starts faster).
    return import('./gdb.js').then((m) => m.debugImage(opts, io));
  }
  return runImage(opts, io);
}

/** Load and run one image as described in README.md "CLI"; returns the exit status. */
export function runImage(opts: RunOptions, io: CliIo): number {
  return execImage(opts, io).status;
}

/** A machine with the image loaded and the consoles wired, ready to run (or why not: an exit status). */
export interface PreparedRun {
  machine: Machine;
  uart: LineBuffer | null;
  semi: LineBuffer;
  trace: TraceFile | null;
}

/** Create the machine, load the image, wire the guest consoles and traces (`a64el run` and `--gdb`). */
export function prepareRun(opts: RunOptions, io: CliIo): PreparedRun | { status: number } {
  const machine = new Machine({ timing: { profile: opts.timing ?? 'generic', model: opts.timingModel ?? 'fixed' } });
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(opts.image);
  } catch (err) {
    const code = (err as { code?: string }).code;
    io.err(`a64el: ${opts.image}: cannot read the file${code ? ` (${code})` : ''}\n`);
    return { status: EXIT_USAGE };
  }
  try {
    if (opts.raw !== undefined) loadRaw(machine, bytes, opts.raw, opts.image);
    else loadElf(machine, bytes, opts.image);
  } catch (err) {
    if (err instanceof LoaderError) { io.err(`a64el: ${err.message}\n`); return { status: EXIT_USAGE }; }
    throw err;
  }

  // Guest console: PL011 to stdout (or into the JSON), semihosting console to stderr as QEMU does.
  const uart = opts.json ? null : new LineBuffer((c) => io.out(c));
  const semi = new LineBuffer((c) => io.err(c));
  if (uart !== null) machine.bus.uart.onByte = uart.push;
  machine.onSemihostByte = semi.push;
  if (opts.trace) attachTrace(machine.cpu, (line) => { uart?.flush(); io.err(line); });
  const trace = opts.traceFile === undefined ? null : new TraceFile(machine.cpu, opts.traceFile);
  return { machine, uart, semi, trace };
}

/** After the run: flush consoles, write the trace file, report; returns the exit status. */
export function finishRun(p: PreparedRun, result: RunResult, opts: RunOptions, io: CliIo): number {
  const { machine, uart, semi } = p;
  uart?.flush();
  semi.flush();
  if (p.trace !== null) {
    try { io.err(p.trace.write()); } catch (err) { io.err(`a64el: cannot write the trace file ${p.trace.path}: ${err instanceof Error ? err.message : String(err)}\n`); }
  }

  if (opts.json) io.out(`${JSON.stringify(stateJson(machine, result), null, 2)}\n`);
  if (opts.cycles) io.err(`a64el: ${result.cycles} cycles (${machine.config.timing.name}, ${machine.config.timingModel}); ${formatCyclesByEl(machine.cyclesByEl())}\n`);
  // Exit statuses are 8 bits, as for QEMU, whose process exits with the guest's code.
  if (result.reason === StopReason.Exit) return result.exitCode & 0xff;
  // A limit (instructions, cycles, wall clock) ends a guest that does not exit: 124, as timeout(1).
  const timedOut = result.reason === StopReason.Requested && opts.timeoutMs !== undefined;
  const why = result.reason === StopReason.CycleBudget ? `reached --max-cycles (${opts.maxCycles}) without exiting: ${describePlace(machine)}`
    : timedOut ? `reached the wall-clock limit (--timeout) without exiting: ${describePlace(machine)}`
    : describeStop(machine, result.reason, opts.maxInstructions);
  io.err(`a64el: ${opts.image}: ${why}, after ${result.instructions} instructions\n`);
  return result.reason === StopReason.Budget || result.reason === StopReason.CycleBudget || timedOut ? EXIT_BUDGET : EXIT_STOPPED;
}

/** runImage, also returning the run's result (null when the image could not be loaded). */
export function execImage(opts: RunOptions, io: CliIo): { status: number; result: RunResult | null } {
  const p = prepareRun(opts, io);
  if ('status' in p) return { status: p.status, result: null };
  const result = p.machine.run({
    maxInstructions: opts.maxInstructions,
    ...(opts.maxCycles !== undefined ? { maxCycles: opts.maxCycles } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  return { status: finishRun(p, result, opts, io), result };
}

/** Trace lines for exception entries and returns (cpu.onExceptionEntry / onExceptionReturn). */
export function attachTrace(cpu: CpuState, write: (line: string) => void): void {
  const kinds = ['Sync', 'IRQ', 'FIQ', 'SError'];
  cpu.onExceptionEntry = (c, fromEl, fromSecure, targetEl, offset, esr) => {
    const kind = kinds[(offset >>> 7) & 3]!;
    const syn = kind === 'Sync' || kind === 'SError'
      ? ` ESR=${hex32(esr)} (EC 0x${(esr >>> 26).toString(16).padStart(2, '0')} ${EC_NAMES[esr >>> 26] ?? 'other'})` : '';
    const elr = c.get64(L.ELR_EL + 2 * targetEl);
    write(`[${c.cycles}] exception ${kind} EL${fromEl}(${worldName(fromSecure)}) -> EL${targetEl} vector +0x${offset.toString(16).padStart(3, '0')}${syn} ELR=${hex64(elr)}\n`);
  };
  cpu.onExceptionReturn = (c, fromEl, fromSecure, illegal) => {
    const to = illegal ? `illegal return, stays at EL${c.el} with PSTATE.IL=1` : `EL${c.el}(${worldName(c.secure)})`;
    write(`[${c.cycles}] eret EL${fromEl}(${worldName(fromSecure)}) -> ${to} PC=${hex64(c.pc)}\n`);
  };
}

/** The final state as JSON (README.md "CLI"): 64-bit values as 0x-prefixed 16-digit hex strings. */
export function stateJson(machine: Machine, result: RunResult): Record<string, unknown> {
  const cpu = machine.cpu, s = cpu.s;
  const el = s[L.PSTATE_EL]!;
  const liveBank = s[L.PSTATE_SP]! ? el : 0;
  const out: Record<string, unknown> = {};
  for (let n = 0; n <= 30; n++) out[`x${n}`] = hex64(cpu.x(n));
  out['pc'] = hex64(cpu.pc);
  for (let n = 0; n <= 3; n++) {
    // The live SP slot holds the selected stack pointer; the bank holds the others.
    out[`sp_el${n}`] = hex64(n === liveBank ? cpu.x(L.SP_SLOT) : cpu.get64(L.SP_EL + 2 * n));
  }
  out['nzcv'] = hex32(packNzcv(s));
  out['daif'] = hex32(s[L.PSTATE_DAIF]! & 0x3c0);
  out['currentel'] = hex32(el << 2);
  out['el'] = el;
  out['spsel'] = s[L.PSTATE_SP]! & 1;
  out['secure'] = isSecure(s);
  for (let n = 1; n <= 3; n++) {
    for (const [name, off] of [['elr', L.ELR_EL], ['spsr', L.SPSR_EL], ['esr', L.ESR_EL], ['far', L.FAR_EL], ['vbar', L.VBAR_EL]] as const) {
      out[`${name}_el${n}`] = hex64(cpu.get64(off + 2 * n));
    }
  }
  out['hcr_el2'] = hex64(cpu.get64(L.HCR_EL2));
  out['scr_el3'] = hex64(cpu.get64(L.SCR_EL3));
  out['cycles'] = cpu.cycles;
  out['cyclesByEl'] = machine.cyclesByEl();
  out['timing'] = { profile: machine.config.timing.name, model: machine.config.timingModel };
  out['instructions'] = cpu.instructions;
  out['stopReason'] = STOP_REASON_NAMES[result.reason] ?? String(result.reason);
  out['exitCode'] = result.reason === StopReason.Exit ? result.exitCode : null;
  out['uart'] = machine.uartText();
  out['semihosting'] = machine.semihostText();
  return out;
}

/** The demo image shipped in the package: firmware-images/build/el-drop.elf. */
export function demoImagePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));   // dist/cli (or src/cli under a TS runner)
  return join(here, '..', '..', 'firmware-images', 'build', 'el-drop.elf');
}

/** `a64el start`: run the bundled demo image and print its output (README.md). */
export function startCommand(argv: string[], io: CliIo): number {
  parseArgs({ args: argv, strict: true, allowPositionals: false, options: {} });
  const image = demoImagePath();
  io.out(`a64el: running the demo image ${relative(process.cwd(), image) || image}\n` +
    `(EL3 -> EL2 -> EL1 -> EL0 by ERET, then SVC back to EL1; QEMU virt memory map)\n\n`);
  const { status, result } = execImage({ image, maxInstructions: 1_000_000, json: false, trace: false }, io);
  if (result !== null) {
    io.out(`\na64el: guest exit status ${status} after ${result.instructions} instructions, ${result.cycles} cycles\n`);
  }
  return status;
}
