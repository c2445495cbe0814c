/**
 * Image vectors (vector-format.md, "Image vectors"): run an ELF firmware image from reset at EL3 and
 * compare what it printed on the PL011 and the semihosting exit status with the vector's `expect`.
 *
 * The module has three layers so a `runVectorFile(path)` dispatcher can pick the kind of vector and
 * call the matching runner (call vectors plug in beside this one):
 *   parseImageVector(json, file)  validate -> ImageVector, or throw VectorError naming file + JSON path
 *   runImageVector(vector)        run one parsed vector -> VectorResult (never throws)
 *   runImageVectorFile(path)      read + parse + run; a malformed file is a failed VectorResult
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as L from '../state/layout.js';
import { isSecure } from '../state/cpu-state.js';
import { Machine, STOP_REASON_NAMES, StopReason } from '../machine/machine.js';
import type { MachineConfig } from '../machine/config.js';
import { loadElf } from '../machine/load.js';

export const VECTOR_FORMAT = 'a64el-vector/1';
/** Budget when a vector does not give maxInstructions. */
export const DEFAULT_MAX_INSTRUCTIONS = 10_000_000;

/** A malformed vector: the message names the file and the JSON path (`expect.uart: ...`). */
export class VectorError extends Error {
  override readonly name = 'VectorError';
  constructor(readonly file: string, readonly path: string, readonly detail: string) {
    super(`${file}: ${path === '' ? '' : `${path}: `}${detail}`);
  }
}

export type UartExpectation = string | { contains: string };

export interface ImageVector {
  /** The vector file (for messages). */
  file: string;
  name: string;
  description?: string;
  source?: string;
  /** The image path, resolved against the vector file's directory. */
  image: string;
  maxInstructions: number;
  expect: { exitCode?: number; uart?: UartExpectation };
}

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

const IMAGE_KEYS = new Set(['format', 'name', 'description', 'source', 'image', 'maxInstructions', 'expect']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the JSON object is an image vector (it names an `image`), as opposed to a call vector. */
export function isImageVector(json: unknown): boolean {
  return isObject(json) && 'image' in json;
}

/** Validate an image vector; unknown or malformed fields throw VectorError (vector-format.md). */
export function parseImageVector(json: unknown, file: string): ImageVector {
  const bad = (path: string, detail: string): never => { throw new VectorError(file, path, detail); };
  if (!isObject(json)) return bad('', 'a vector must be a JSON object');
  for (const k of Object.keys(json)) if (!IMAGE_KEYS.has(k)) bad(k, 'unknown field in an image vector');
  if (json['format'] !== VECTOR_FORMAT) bad('format', `must be "${VECTOR_FORMAT}", got ${JSON.stringify(json['format'])}`);
  const str = (k: string, required: boolean): string | undefined => {
    const v = json[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v === '') return bad(k, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const name = str('name', true)!;
  const description = str('description', false);
  const source = str('source', false);
  const image = str('image', true)!;
  let maxInstructions = DEFAULT_MAX_INSTRUCTIONS;
  if (json['maxInstructions'] !== undefined) {
    const m = json['maxInstructions'];
    if (typeof m !== 'number' || !Number.isSafeInteger(m) || m <= 0) bad('maxInstructions', `must be a positive integer, got ${JSON.stringify(m)}`);
    maxInstructions = m as number;
  }
  const e = json['expect'];
  if (!isObject(e)) return bad('expect', 'must be an object with exitCode and/or uart');
  const expect: ImageVector['expect'] = {};
  for (const k of Object.keys(e)) {
    if (k === 'exitCode') {
      const c = e[k];
      if (typeof c !== 'number' || !Number.isSafeInteger(c)) bad('expect.exitCode', `must be an integer, got ${JSON.stringify(c)}`);
      expect.exitCode = c as number;
    } else if (k === 'uart') {
      const u = e[k];
      if (typeof u === 'string') expect.uart = u;
      else if (isObject(u)) {
        for (const uk of Object.keys(u)) if (uk !== 'contains') bad(`expect.uart.${uk}`, 'unknown field (only "contains")');
        if (typeof u['contains'] !== 'string') bad('expect.uart.contains', `must be a string, got ${JSON.stringify(u['contains'])}`);
        expect.uart = { contains: u['contains'] as string };
      } else bad('expect.uart', 'must be a string or {"contains": string}');
    } else bad(`expect.${k}`, 'unknown field (image vectors expect exitCode and uart)');
  }
  if (expect.exitCode === undefined && expect.uart === undefined) bad('expect', 'must give exitCode or uart');
  const v: ImageVector = { file, name, image: resolve(dirname(file), image), maxInstructions, expect };
  if (description !== undefined) v.description = description;
  if (source !== undefined) v.source = source;
  return v;
}

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/** Where the PE is: "PC=0x... at EL1 (Non-secure)". */
export function describePlace(machine: Machine): string {
  const s = machine.cpu.s;
  return `PC=${hex64(machine.cpu.pc)} at EL${s[L.PSTATE_EL]} (${isSecure(s) ? 'Secure' : 'Non-secure'})`;
}

/** Why a run stopped without a semihosting exit, as one sentence. */
export function describeStop(machine: Machine, reason: StopReason, budget: number): string {
  const place = describePlace(machine);
  switch (reason) {
    case StopReason.Budget: return `reached maxInstructions (${budget}) without exiting: ${place}`;
    case StopReason.Halted: return `halted in WFI/WFE with nothing to wake the PE: ${place}`;
    default: return `stopped (${STOP_REASON_NAMES[reason] ?? reason}) without exiting: ${place}`;
  }
}

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
  try {
    loadElf(machine, readImage(v.image), v.image);
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
  if (typeof u === 'string' && result.uart !== u) problems.push(firstDifference(result.uart, u));
  if (typeof u === 'object' && !result.uart.includes(u.contains)) problems.push(`UART text does not contain ${JSON.stringify(u.contains)}`);
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

/** Read a JSON vector file; throws VectorError for unreadable files and bad JSON. */
export function readVectorJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new VectorError(path, '', `cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new VectorError(path, '', `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A failed result for a vector that could not be parsed or run. */
export function errorResult(file: string, err: unknown, name = file): VectorResult {
  return { name, file, passed: false, message: err instanceof Error ? err.message : String(err), uart: '', exitCode: null, instructions: 0, cycles: 0 };
}

/** Read, validate and run one image vector file. */
export function runImageVectorFile(path: string, opts: RunImageOptions = {}): VectorResult {
  let v: ImageVector;
  try {
    v = parseImageVector(readVectorJson(path), path);
  } catch (err) {
    return errorResult(path, err);
  }
  return runImageVector(v, opts);
}
