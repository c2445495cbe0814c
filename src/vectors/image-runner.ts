/**
 * Image vectors (vector-format.md, "Image vectors"): run an ELF firmware image from reset at EL3 and
 * compare what it printed on the PL011 and the semihosting exit status with the vector's `expect`.
 *
 * Parsing and validation are parse.ts's (parseVector, shared with call vectors). This module runs a
 * parsed image vector and defines the result every vector runner returns, so a dispatcher
 * (`runVectorFile` in vectors/runner.ts) parses a file once and hands it to the runner of its kind:
 *   runImageVector(vector)        run one parsed image vector -> VectorResult (never throws)
 *   runImageVectorFile(path)      read + parse + run; a malformed file is a failed VectorResult
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Machine, StopReason } from '../machine/machine.js';
import type { MachineConfig } from '../machine/config.js';
import { loadElf } from '../machine/load.js';
import { describePlace, describeStop } from '../machine/stop-text.js';
import { type ImageVector, VectorError, parseVector } from './parse.js';

/** The outcome of one vector, of any kind. */
export interface VectorResult {
  name: string;
  file: string;
  passed: boolean;
  /** 'ok' when passed, else what went wrong (first difference, stop place, load error). */
  message: string;
  /** Text the guest wrote to the PL011. */
  uart: string;
  /** Semihosting exit status, or null when the guest did not exit. */
  exitCode: number | null;
  instructions: number;
  cycles: number;
}

// describePlace/describeStop live in machine/stop-text.ts (shared with `a64el run`, which loads no vector code).
export { describePlace, describeStop };

function firstDifference(got: string, want: string): string {
  const g = got.split('\n'), w = want.split('\n');
  for (let i = 0; i < Math.max(g.length, w.length); i++) {
    if (g[i] !== w[i]) {
      const show = (x: string | undefined): string => x === undefined ? '(end of output)' : JSON.stringify(x);
      return `UART text differs at line ${i + 1}: got ${show(g[i])}, expected ${show(w[i])}`;
    }
  }
  return 'UART text differs';
}

export interface RunImageOptions {
  /** Machine configuration (default: EL0-EL3, semihosting on, 128 MiB DRAM). */
  machine?: MachineConfig;
  /** Called with each byte the guest writes to the PL011. */
  onUartByte?: (b: number) => void;
}

/** Run a parsed image vector. Never throws for guest behaviour or a bad image: the result says. */
export function runImageVector(v: ImageVector, opts: RunImageOptions = {}): VectorResult {
  const result: VectorResult = { name: v.name, file: v.file, passed: false, message: '', uart: '', exitCode: null, instructions: 0, cycles: 0 };
  const machine = new Machine(opts.machine);
  if (opts.onUartByte !== undefined) machine.bus.uart.onByte = opts.onUartByte;
  const image = resolve(dirname(v.file), v.image);   // `image` is relative to the vector file
  try {
    loadElf(machine, readImage(image), image);
  } catch (err) {
    result.message = `cannot load the image: ${err instanceof Error ? err.message : String(err)}`;
    return result;
  }
  const run = machine.run({ maxInstructions: v.maxInstructions });
  result.uart = machine.uartText();
  result.instructions = run.instructions;
  result.cycles = run.cycles;
  if (run.reason !== StopReason.Exit) {
    result.message = describeStop(machine, run.reason, v.maxInstructions);
    return result;
  }
  result.exitCode = run.exitCode;
  const problems: string[] = [];
  if (v.expect.exitCode !== undefined && run.exitCode !== v.expect.exitCode) {
    problems.push(`exit code ${run.exitCode}, expected ${v.expect.exitCode}`);
  }
  const u = v.expect.uart;
  if (u !== undefined && 'exact' in u && result.uart !== u.exact) problems.push(firstDifference(result.uart, u.exact));
  if (u !== undefined && 'contains' in u && !result.uart.includes(u.contains)) problems.push(`UART text does not contain ${JSON.stringify(u.contains)}`);
  result.passed = problems.length === 0;
  result.message = result.passed ? 'ok' : problems.join('; ');
  return result;
}

function readImage(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Read a vector file's text; an unreadable file is a VectorError naming it. */
export function readVectorText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new VectorError(path, '', `cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A failed result for a vector that could not be parsed or run. */
export function errorResult(file: string, err: unknown, name = file): VectorResult {
  return { name, file, passed: false, message: err instanceof Error ? err.message : String(err), uart: '', exitCode: null, instructions: 0, cycles: 0 };
}

/** Read, validate and run one image vector file (a call vector here is a failed result). */
export function runImageVectorFile(path: string, opts: RunImageOptions = {}): VectorResult {
  let v;
  try {
    v = parseVector(readVectorText(path), path);
  } catch (err) {
    return errorResult(path, err);
  }
  if (v.kind !== 'image') return errorResult(path, `${path}: not an image vector`, v.name);
  return runImageVector(v, opts);
}
