/**
 * Parser for test vectors, format 1 (/work/shared/vector-format.md). `parseVector` validates the
 * document against the schema (schema.ts), then resolves every value into numbers: register values,
 * addresses, hex byte strings, the machine configuration with its defaults filled in.
 *
 * Every failure is a VectorError whose message is `FILE: JSON.PATH: what is wrong`, e.g.
 * `v.json: steps[3].expect.w2: unknown name "FOO"`: no stack traces for vector authors.
 *
 * Values kept symbolic: `"$NAME"` (a value captured by an earlier step) stays a CaptureRef for the
 * runner to substitute; the parser only checks that an earlier step captures NAME.
 */
import { ffaFunctionId, ffaStatusValue, parseFfaVersion, smcccValue } from '../ffa/abi.js';
import {
  FFA_SPMD_ID,
  FFA_VERSION_1_0,
  FFA_VERSION_1_1,
  FFA_VERSION_1_2,
  ffaIsSecureId,
} from '../ffa/abi.js';
import { formatUuid, parseUuid } from '../ffa/descriptors.js';
import {
  type BootKind, DEFAULT_PARTITION_ID, DEFAULT_PARTITION_UUID, type DirectReqBeforeVersionPolicy, type El2Kind, type MachineSpec,
  type PartitionBehaviour, type PartitionSpec, type SpmcKind, type SpmcPolicy, defaultMachineSpec, defaultPartitionProperties,
} from '../machine/spec.js';
import {
  CAPTURE_NAME_PATTERN,
  REG_NAME_PATTERN,
  checkMachineShape,
  checkVectorShape,
  joinJsonPath,
} from './schema.js';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** A malformed vector. `message` is `FILE: PATH: detail` (or `FILE: detail` for the whole document). */
export class VectorError extends Error {
  override readonly name = 'VectorError';
  constructor(
    readonly file: string,
    /** JSON path such as `steps[3].expect.w2`; '' for the document. */
    readonly path: string,
    readonly detail: string,
  ) {
    super(path === '' ? `${file}: ${detail}` : `${file}: ${path}: ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type {
  BootKind, DirectReqBeforeVersionPolicy, El2Kind, MachineSpec, PartitionBehaviour, PartitionSpec, SpmcKind, SpmcPolicy,
} from '../machine/spec.js';

/** `"$NAME"`: the value an earlier step captured under NAME. */
export interface CaptureRef {
  readonly capture: string;
}

/** A register value: bigint for x registers, unsigned 32-bit number for w registers, or a capture. */
export type RegValue = bigint | number | CaptureRef;

/** A register with the value to load into it (`smc`/`hvc`) or to compare against (`expect`). */
export type RegSetting =
  | { name: string; index: number; width: 64; value: bigint | CaptureRef }
  | { name: string; index: number; width: 32; value: number | CaptureRef };

/** A register expectation: only the bits set in `mask` are compared (all of the width by default). */
export type RegCheck =
  | { name: string; index: number; width: 64; value: bigint | CaptureRef; mask: bigint }
  | { name: string; index: number; width: 32; value: number | CaptureRef; mask: number };

/** `"capture": {"NAME": "w2"}`: after the call, keep that register's value as NAME. */
export interface Capture {
  name: string;
  reg: string;
  index: number;
  width: 32 | 64;
}

export interface CallStep {
  kind: 'smc' | 'hvc';
  /** JSON path of the step, `steps[3]`, for reports. */
  path: string;
  /** Immediate of SMC #imm / HVC #imm (default 0). */
  imm: number;
  /** Registers to load; the others are 0. */
  regs: RegSetting[];
  /** Registers to check once EL1 runs again. */
  expect: RegCheck[];
  /** The call must instead raise this exception at the host. */
  exception?: { el: number; ec: number };
  captures: Capture[];
}

export interface PkvmStep {
  kind: 'pkvm';
  path: string;
  action: 'init' | 'finalize';
}

export interface MemoryStep {
  kind: 'write' | 'expectMemory';
  path: string;
  /** Physical address, inside the host window for vectors. */
  addr: number;
  bytes: Uint8Array;
}

export type Step = CallStep | PkvmStep | MemoryStep;

interface VectorBase {
  /** The file name given to parseVector, used in every message. */
  file: string;
  name: string;
  description?: string;
  source?: string;
}

export interface CallVector extends VectorBase {
  kind: 'call';
  machine: MachineSpec;
  steps: Step[];
}

export type UartExpect = { exact: string } | { contains: string };

export interface ImageVector extends VectorBase {
  kind: 'image';
  /** ELF path as written, relative to the vector file (the runner resolves it). */
  image: string;
  maxInstructions: number;
  expect: { exitCode?: number; uart?: UartExpect };
}

export type ParsedVector = CallVector | ImageVector;

// ---------------------------------------------------------------------------------------------
// Defaults and limits
// ---------------------------------------------------------------------------------------------

/** vector-format.md "memory available to vectors": host-owned pages free for vectors. */
export const VECTOR_MEMORY_BASE = 0x4000_0000;
export const VECTOR_MEMORY_END = 0x4100_0000; // exclusive
/** maxInstructions when an image vector does not give one (the contract names no default). */
export const DEFAULT_MAX_INSTRUCTIONS = 100_000_000;
export { DEFAULT_PARTITION_ID, DEFAULT_PARTITION_UUID, defaultMachineSpec, defaultPartitionProperties } from '../machine/spec.js';

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const REG_NAME_RE = new RegExp(REG_NAME_PATTERN);
const CAPTURE_REF_RE = new RegExp(`^\\$(${CAPTURE_NAME_PATTERN.slice(1, -1)})$`);
const HEX_RE = /^0[xX][0-9a-fA-F]+$/;
const NEG_DEC_RE = /^-[0-9]+$/;
const POS_DEC_RE = /^[0-9]+$/;

/**
 * The value of a symbolic name: an FF-A function ("FFA_VERSION"), an FF-A status
 * ("INVALID_PARAMETERS", negative), or an SMCCC/PSCI name ("SMCCC_VERSION", "SMCCC_NOT_SUPPORTED").
 */
export function resolveSymbol(name: string): number | undefined {
  return ffaFunctionId(name) ?? ffaStatusValue(name) ?? smcccValue(name);
}

class Ctx {
  constructor(
    readonly file: string,
    /** Capture names defined by the steps before the current one. */
    readonly captured: Set<string> = new Set(),
  ) {}
  fail(path: string, detail: string): never {
    throw new VectorError(this.file, path, detail);
  }
}

/**
 * Resolves a literal (number, hex string, negative decimal string, or, when `names` is set, a symbol)
 * into an unsigned value of `bits` bits; negative values become their two's complement.
 */
function resolveLiteral(ctx: Ctx, raw: unknown, bits: number, path: string, names: boolean): bigint {
  let v: bigint;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) ctx.fail(path, `${raw} is not exact as a JSON number; write it as a hex string`);
    v = BigInt(raw);
  } else if (typeof raw === 'string') {
    if (HEX_RE.test(raw)) {
      v = BigInt(raw);
    } else if (NEG_DEC_RE.test(raw)) {
      v = BigInt(raw);
    } else if (POS_DEC_RE.test(raw)) {
      return ctx.fail(path, `"${raw}": a decimal string must be negative; write ${raw} as a number or as hex`);
    } else if (names && /^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) {
      const s = resolveSymbol(raw);
      if (s === undefined) return ctx.fail(path, `unknown name "${raw}"`);
      v = BigInt(s);
    } else {
      const expected = names ? 'a number, hex string, negative decimal or known name' : 'a number or hex string';
      return ctx.fail(path, `"${raw}" is not ${expected}`);
    }
  } else {
    return ctx.fail(path, `must be an integer or a string`);
  }
  const limit = 1n << BigInt(bits);
  if (v >= limit) ctx.fail(path, `${show(raw)} does not fit in ${bits} bits`);
  if (v < -(limit >> 1n)) ctx.fail(path, `${show(raw)} is below the ${bits}-bit two's complement range`);
  return BigInt.asUintN(bits, v);
}

function show(raw: unknown): string {
  return typeof raw === 'string' ? `"${raw}"` : String(raw);
}

function regInfo(name: string): { index: number; width: 32 | 64 } {
  return { index: Number(name.slice(1)), width: name[0] === 'x' ? 64 : 32 };
}

/** A register value: a literal or symbol of the register's width, or "$NAME". */
function resolveRegValue(ctx: Ctx, raw: unknown, width: 32 | 64, path: string): bigint | CaptureRef {
  if (typeof raw === 'string' && raw.startsWith('$')) {
    const m = CAPTURE_REF_RE.exec(raw);
    if (m === null) ctx.fail(path, `"${raw}" is not a capture reference ("$NAME")`);
    const name = m[1]!;
    if (!ctx.captured.has(name)) ctx.fail(path, `"${raw}" is not captured by an earlier step`);
    return { capture: name };
  }
  return resolveLiteral(ctx, raw, width, path, true);
}

function narrow(v: bigint | CaptureRef): number | CaptureRef {
  return typeof v === 'bigint' ? Number(v) : v;
}

function parseRegs(ctx: Ctx, obj: Record<string, unknown>, path: string): RegSetting[] {
  const out: RegSetting[] = [];
  const byIndex = new Map<number, string>();
  for (const [name, raw] of Object.entries(obj)) {
    const p = joinJsonPath(path, name);
    const { index, width } = regInfo(name);
    const other = byIndex.get(index);
    if (other !== undefined) ctx.fail(p, `register ${index} is already given as ${other}`);
    byIndex.set(index, name);
    const v = resolveRegValue(ctx, raw, width, p);
    out.push(width === 64 ? { name, index, width, value: v } : { name, index, width, value: narrow(v) });
  }
  return out.sort((a, b) => a.index - b.index);
}

function parseExpect(ctx: Ctx, obj: Record<string, unknown>, path: string): Pick<CallStep, 'expect' | 'exception'> {
  const expect: RegCheck[] = [];
  let exception: CallStep['exception'];
  for (const [name, raw] of Object.entries(obj)) {
    const p = joinJsonPath(path, name);
    if (name === 'exception') {
      const e = raw as { el: number; ec: unknown };
      const ec = Number(resolveLiteral(ctx, e.ec, 32, joinJsonPath(p, 'ec'), false));
      if (ec > 0x3f) ctx.fail(joinJsonPath(p, 'ec'), `${show(e.ec)} is not an exception class (0x00..0x3f)`);
      exception = { el: e.el, ec };
      continue;
    }
    const { index, width } = regInfo(name);
    let value: bigint | CaptureRef;
    let mask: bigint;
    if (raw !== null && typeof raw === 'object') {
      const vm = raw as { value: unknown; mask: unknown };
      value = resolveRegValue(ctx, vm.value, width, joinJsonPath(p, 'value'));
      mask = resolveLiteral(ctx, vm.mask, width, joinJsonPath(p, 'mask'), false);
    } else {
      value = resolveRegValue(ctx, raw, width, p);
      mask = (1n << BigInt(width)) - 1n;
    }
    if (width === 64) expect.push({ name, index, width, value, mask });
    else expect.push({ name, index, width, value: narrow(value), mask: Number(mask) });
  }
  expect.sort((a, b) => a.index - b.index || b.width - a.width);
  const result: Pick<CallStep, 'expect' | 'exception'> = { expect };
  if (exception !== undefined) result.exception = exception;
  return result;
}

function parseCaptures(ctx: Ctx, obj: Record<string, unknown>, path: string): Capture[] {
  return Object.entries(obj).map(([name, reg]) => {
    const r = String(reg);
    if (!REG_NAME_RE.test(r)) ctx.fail(joinJsonPath(path, name), `"${r}" is not a register`); // the schema checks it first
    const { index, width } = regInfo(r);
    return { name, reg: r, index, width };
  });
}

/** An address: number or hex string, within 64 bits. */
function parseAddress(ctx: Ctx, raw: unknown, path: string): bigint {
  if (typeof raw === 'string' && !HEX_RE.test(raw)) ctx.fail(path, `"${raw}" is not an address (a number or "0x..." hex)`);
  if (typeof raw === 'number' && raw < 0) ctx.fail(path, `${raw} is not an address`);
  return resolveLiteral(ctx, raw, 64, path, false);
}

/** Bytes from hex text; whitespace between digits is allowed. */
function parseHexBytes(ctx: Ctx, raw: string, path: string): Uint8Array {
  const digits = raw.replace(/\s+/g, '');
  const bad = /[^0-9a-fA-F]/.exec(digits);
  if (bad !== null) ctx.fail(path, `"${bad[0]}" is not a hex digit`);
  if (digits.length === 0) ctx.fail(path, 'no bytes given');
  if (digits.length % 2 !== 0) ctx.fail(path, `${digits.length} hex digits: an odd count does not make whole bytes`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function parseMemoryStep(
  ctx: Ctx,
  kind: 'write' | 'expectMemory',
  op: { addr: unknown; hex: string },
  path: string,
): MemoryStep {
  const p = joinJsonPath(path, kind);
  const addr = parseAddress(ctx, op.addr, joinJsonPath(p, 'addr'));
  const bytes = parseHexBytes(ctx, op.hex, joinJsonPath(p, 'hex'));
  const end = addr + BigInt(bytes.length);
  if (addr < BigInt(VECTOR_MEMORY_BASE) || end > BigInt(VECTOR_MEMORY_END)) {
    ctx.fail(
      joinJsonPath(p, 'addr'),
      `0x${addr.toString(16)}..0x${(end - 1n).toString(16)} is outside the host memory free for vectors ` +
        `(0x${VECTOR_MEMORY_BASE.toString(16)}..0x${(VECTOR_MEMORY_END - 1).toString(16)})`,
    );
  }
  return { kind, path, addr: Number(addr), bytes };
}

// ---------------------------------------------------------------------------------------------
// Machine
// ---------------------------------------------------------------------------------------------

interface MachineJson {
  el2?: El2Kind;
  spmc?: SpmcKind;
  spmcVersion?: '1.0' | '1.1' | '1.2';
  partitions?: Array<{
    id: unknown;
    uuid: string;
    behaviour: PartitionBehaviour;
    executionContexts?: number;
    properties?: unknown;
  }>;
  spmcId?: unknown;
  smcccVersion?: string;
  psciVersion?: string;
  policy?: { spmc?: SpmcPolicy; directReqBeforeVersion?: DirectReqBeforeVersionPolicy };
  boot?: BootKind;
}

const SPMC_VERSIONS: Record<string, number> = { '1.0': FFA_VERSION_1_0, '1.1': FFA_VERSION_1_1, '1.2': FFA_VERSION_1_2 };

function parseMachine(ctx: Ctx, m: MachineJson | undefined): MachineSpec {
  const spec = defaultMachineSpec();
  if (m === undefined) return spec;
  if (m.el2 !== undefined) spec.el2 = m.el2;
  if (m.spmc !== undefined) spec.spmc = m.spmc;
  if (m.spmcVersion !== undefined) spec.spmcVersion = SPMC_VERSIONS[m.spmcVersion]!;
  if (m.boot !== undefined) spec.boot = m.boot;
  if (m.policy?.spmc !== undefined) spec.policy.spmc = m.policy.spmc;
  if (m.policy?.directReqBeforeVersion !== undefined) spec.policy.directReqBeforeVersion = m.policy.directReqBeforeVersion;
  for (const key of ['smcccVersion', 'psciVersion'] as const) {
    const text = m[key];
    if (text === undefined) continue;
    const v = parseFfaVersion(text);
    if (v === undefined) ctx.fail(`machine.${key}`, `"${text}" is out of range (major <= 32767, minor <= 65535)`);
    spec[key] = v;
  }
  if (m.spmcId !== undefined) {
    const id = Number(resolveLiteral(ctx, m.spmcId, 16, 'machine.spmcId', false));
    if (!ffaIsSecureId(id) || id === FFA_SPMD_ID) {
      ctx.fail('machine.spmcId', `0x${id.toString(16)} is not an SPMC ID (bit 15 set, not the SPMD's 0xffff)`);
    }
    spec.spmcId = id;
  }
  spec.partitions = (m.partitions ?? [{ id: DEFAULT_PARTITION_ID, uuid: DEFAULT_PARTITION_UUID, behaviour: 'echo' }]).map(
    (p, i) => {
      const path = `machine.partitions[${i}]`;
      const id = Number(resolveLiteral(ctx, p.id, 16, `${path}.id`, false));
      if (!ffaIsSecureId(id) || id === FFA_SPMD_ID) {
        ctx.fail(`${path}.id`, `0x${id.toString(16)} is not a secure partition ID (bit 15 set, not 0xffff)`);
      }
      const uuid = parseUuid(p.uuid);
      const out: PartitionSpec = {
        id,
        uuid,
        uuidText: formatUuid(uuid),
        behaviour: p.behaviour,
        executionContexts: p.executionContexts ?? 1,
        properties:
          p.properties === undefined
            ? defaultPartitionProperties(spec.spmcVersion)
            : Number(resolveLiteral(ctx, p.properties, 32, `${path}.properties`, false)),
      };
      return out;
    },
  );
  const ids = new Map<number, number>();
  spec.partitions.forEach((p, i) => {
    const path = `machine.partitions[${i}].id`;
    if (p.id === spec.spmcId) ctx.fail(path, `0x${p.id.toString(16)} is the SPMC's own ID`);
    const j = ids.get(p.id);
    if (j !== undefined) ctx.fail(path, `0x${p.id.toString(16)} is already partition ${j}'s ID`);
    ids.set(p.id, i);
  });
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

interface StepJson {
  smc?: Record<string, unknown>;
  hvc?: Record<string, unknown>;
  expect?: Record<string, unknown>;
  imm?: unknown;
  capture?: Record<string, unknown>;
  pkvm?: 'init' | 'finalize';
  write?: { addr: unknown; hex: string };
  expectMemory?: { addr: unknown; hex: string };
}

function parseSteps(ctx: Ctx, steps: StepJson[], machine: MachineSpec): Step[] {
  let initDone = machine.el2 === 'pkvm' && machine.boot === 'pkvm-ready';
  let finalized = initDone;
  const byWhom = machine.boot === 'pkvm-ready' ? 'machine.boot "pkvm-ready"' : 'by an earlier step';
  return steps.map((s, i): Step => {
    const path = `steps[${i}]`;
    if (s.smc !== undefined || s.hvc !== undefined) {
      const kind = s.smc !== undefined ? 'smc' : 'hvc';
      const regs = parseRegs(ctx, (s.smc ?? s.hvc)!, joinJsonPath(path, kind));
      const imm = s.imm === undefined ? 0 : Number(resolveLiteral(ctx, s.imm, 16, joinJsonPath(path, 'imm'), false));
      const { expect, exception } = parseExpect(ctx, s.expect ?? {}, joinJsonPath(path, 'expect'));
      const captures = parseCaptures(ctx, s.capture ?? {}, joinJsonPath(path, 'capture'));
      for (const c of captures) ctx.captured.add(c.name); // visible from the next step on
      const step: CallStep = { kind, path, imm, regs, expect, captures };
      if (exception !== undefined) step.exception = exception;
      return step;
    }
    if (s.pkvm !== undefined) {
      const p = joinJsonPath(path, 'pkvm');
      if (machine.el2 !== 'pkvm') ctx.fail(p, `needs machine.el2 "pkvm" (it is "${machine.el2}")`);
      if (s.pkvm === 'init') {
        if (initDone) ctx.fail(p, `pKVM is already initialised (${byWhom})`);
        initDone = true;
      } else {
        if (!initDone) ctx.fail(p, '"finalize" before {"pkvm": "init"}');
        if (finalized) ctx.fail(p, `pKVM is already finalised (${byWhom})`);
        finalized = true;
      }
      return { kind: 'pkvm', path, action: s.pkvm };
    }
    if (s.write !== undefined) return parseMemoryStep(ctx, 'write', s.write, path);
    return parseMemoryStep(ctx, 'expectMemory', s.expectMemory!, path);
  });
}

/**
 * Where the first JSON syntax error in `text` is, found by a small recursive-descent scan (engine
 * messages differ between Node versions and do not always give a position). -1 if none is found.
 */
function jsonSyntaxError(text: string): { at: number; what: string } | undefined {
  let i = 0;
  const LITERAL = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;
  const fail = (what?: string): never => {
    throw { at: i, what: what ?? (i >= text.length ? 'unexpected end of text' : `unexpected ${JSON.stringify(text[i])}`) };
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): void => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('control character in a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail('bad escape in a string');
        }
        continue;
      }
      i++;
    }
    fail('unterminated string');
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail('expected a property name in double quotes');
          str();
          ws();
          if (text[i] !== ':') fail('expected ":"');
          i++;
        }
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail(`expected "," or "${close}"`);
      }
    }
    if (c === '"') return str();
    LITERAL.lastIndex = i;
    const m = LITERAL.exec(text);
    if (m === null) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail('unexpected text after the JSON value');
    return undefined;
  } catch (e) {
    return e as { at: number; what: string };
  }
}

/** JSON.parse, with a failure located by line and column. */
function parseJson(ctx: Ctx, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const where = jsonSyntaxError(text);
    if (where === undefined) return ctx.fail('', `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
    const before = text.slice(0, where.at);
    const line = before.split('\n').length;
    const col = where.at - before.lastIndexOf('\n');
    return ctx.fail('', `invalid JSON at line ${line}, column ${col}: ${where.what}`);
  }
}

/**
 * Parses and validates one vector file's text. `fileName` is only used in messages (and kept in
 * the result); resolving `image` against it is the runner's business.
 */
export function parseVector(text: string, fileName: string): ParsedVector {
  const ctx = new Ctx(fileName);
  const data = parseJson(ctx, text);
  const problem = checkVectorShape(data);
  if (problem !== undefined) ctx.fail(problem.path, problem.message);
  const doc = data as Record<string, unknown>;
  const base: VectorBase = { file: fileName, name: doc.name as string };
  if (typeof doc.description === 'string') base.description = doc.description;
  if (typeof doc.source === 'string') base.source = doc.source;

  if (Array.isArray(doc.steps)) {
    const machine = parseMachine(ctx, doc.machine as MachineJson | undefined);
    return { ...base, kind: 'call', machine, steps: parseSteps(ctx, doc.steps as StepJson[], machine) };
  }
  const e = doc.expect as { exitCode?: number; uart?: string | { contains: string } };
  const expect: ImageVector['expect'] = {};
  if (e.exitCode !== undefined) expect.exitCode = e.exitCode;
  if (e.uart !== undefined) expect.uart = typeof e.uart === 'string' ? { exact: e.uart } : { contains: e.uart.contains };
  return {
    ...base,
    kind: 'image',
    image: doc.image as string,
    maxInstructions: (doc.maxInstructions as number | undefined) ?? DEFAULT_MAX_INSTRUCTIONS,
    expect,
  };
}

/**
 * Resolves a `machine` object alone (as a vector would have it) into a MachineSpec with defaults, for
 * embedders that configure a machine from JSON. Errors name `machine.*` paths.
 */
export function parseMachineSpec(machine: unknown, fileName = '<machine>'): MachineSpec {
  const ctx = new Ctx(fileName);
  if (machine === undefined) return defaultMachineSpec();
  const problem = checkMachineShape(machine);
  if (problem !== undefined) ctx.fail(problem.path, problem.message);
  return parseMachine(ctx, machine as MachineJson);
}
