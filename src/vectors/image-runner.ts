/**
 * Image vectors (vector-format.md, "Image vectors"): run an ELF firmware image from reset at EL3 and
 * compare what it printed on the PL011 and the semihosting exit status with the vector's `expect`.
 *
 * Parsing and validation are parse.ts's (parseVector, shared with call vectors). This module runs a
 * parsed image vector and defines the result every vector runner returns, so a dispatcher (`runVector`
 * in vectors/runner.ts, `runVectorFile` in vectors/files.ts) parses a file once and hands it to the
 * runner of its kind:
 *   runImageVector(vector, { readImage })   run one parsed image vector -> VectorResult (never throws)
 *   imagePathOf(vector)                     where the vector's `image` is, relative to its file
 * It imports nothing from Node, so it bundles for browsers (docs/api.md "In the browser"): the
 * caller hands in the image's bytes through `readImage`. Reading vector and image files from disk
 * (runImageVectorFile, runVectorFile) is the Node side's, in vectors/files.ts.
 */
import { Machine, StopReason } from '../machine/machine.js';
import type { MachineConfig } from '../machine/config.js';
import { loadElf } from '../machine/load.js';
import { describePlace, describeStop } from '../machine/stop-text.js';
import type { ImageVector } from './parse.js';

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
  /** Called with the machine once the image is loaded, before it runs from reset (a trace recorder attaches here). */
  onMachine?: (m: Machine) => void;
  /**
   * Returns the bytes of the image at `path` (imagePathOf(vector): the vector's `image` joined to
   * its file's directory) or throws an Error naming the path. On Node, vectors/files.ts readImageFile
   * reads it from disk; a page hands in bytes it fetched. Absent: the vector fails, naming the image.
   */
  readImage?: (path: string) => Uint8Array;
}

/**
 * The path of a vector's image: `image` as written when absolute, else joined to the directory of
 * the vector's file (vector-format.md: `image` is relative to the vector file). Plain '/' joins, so
 * it needs no path module.
 */
export function imagePathOf(v: ImageVector): string {
  if (v.image.startsWith('/')) return v.image;
  const slash = Math.max(v.file.lastIndexOf('/'), v.file.lastIndexOf('\\'));
  return slash < 0 ? v.image : `${v.file.slice(0, slash + 1)}${v.image}`;
}

/** Run a parsed image vector. Never throws for guest behaviour or a bad image: the result says. */
export function runImageVector(v: ImageVector, opts: RunImageOptions = {}): VectorResult {
  const result: VectorResult = { name: v.name, file: v.file, passed: false, message: '', uart: '', exitCode: null, instructions: 0, cycles: 0 };
  const machine = new Machine(opts.machine);
  if (opts.onUartByte !== undefined) machine.bus.uart.onByte = opts.onUartByte;
  const image = imagePathOf(v);
  try {
    if (opts.readImage === undefined) throw new Error(`${image}: no image reader was given (RunImageOptions.readImage) to read the file`);
    loadElf(machine, opts.readImage(image), image);
  } catch (err) {
    result.message = `cannot load the image: ${err instanceof Error ? err.message : String(err)}`;
    return result;
  }
  opts.onMachine?.(machine);
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

/** A failed result for a vector that could not be parsed or run. */
export function errorResult(file: string, err: unknown, name = file): VectorResult {
  return { name, file, passed: false, message: err instanceof Error ? err.message : String(err), uart: '', exitCode: null, instructions: 0, cycles: 0 };
}
