/**
 * JSON schema of test-vector format 1 (/work/shared/vector-format.md, "a64el-vector/1"), and the
 * translation of a schema failure into a message that names the JSON path.
 *
 * The schema checks shape: which fields exist, their JSON types, enumerations. What a value means
 * (a register value naming an FF-A function, a capture defined by an earlier step, an address in the
 * host window) is parse.ts's job. Objects the contract closes have `additionalProperties: false`:
 * the top level, `machine`, `policy`, partitions, every kind of step, `expect`, `exception`,
 * `{"value","mask"}`, write/expectMemory operands, and the image vector's `expect`.
 *
 * Branching uses if/then/else on the key that names the kind (never oneOf), so a failure reports the
 * error inside the branch the author meant, not "must match exactly one schema".
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

export const VECTOR_FORMAT = 'a64el-vector/1';

/** Register names in REGS and expect: x0..x17 (64-bit) and w0..w17 (32-bit). */
export const REG_NAME_PATTERN = '^[xw](?:[0-9]|1[0-7])$';
/** Capture names: "$NAME" refers to them. */
export const CAPTURE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const MAJOR_MINOR_PATTERN = '^[0-9]{1,5}\\.[0-9]{1,5}$';

// The machine description's value sets live with the machine (machine/spec.ts).
export {
  MACHINE_BOOT, MACHINE_EL2, MACHINE_SPMC, PARTITION_BEHAVIOURS, POLICY_DIRECT_REQ_BEFORE_VERSION, POLICY_SPMC,
} from '../machine/spec.js';
import {
  MACHINE_BOOT, MACHINE_EL2, MACHINE_SPMC, PARTITION_BEHAVIOURS, POLICY_DIRECT_REQ_BEFORE_VERSION, POLICY_SPMC,
} from '../machine/spec.js';
export const MACHINE_SPMC_VERSIONS = ['1.0', '1.1', '1.2'] as const;
export const STEP_KINDS = ['smc', 'hvc', 'pkvm', 'write', 'expectMemory'] as const;

/** A scalar value: a JSON integer or a string (hex, negative decimal, a name, "$NAME"). */
const scalar = { type: ['integer', 'string'] };

const expectValue = {
  type: ['integer', 'string', 'object'],
  if: { type: 'object' },
  then: {
    title: '{"value","mask"}',
    type: 'object',
    required: ['value', 'mask'],
    additionalProperties: false,
    properties: { value: scalar, mask: scalar },
  },
};

const regs = {
  title: 'registers',
  type: 'object',
  patternProperties: { [REG_NAME_PATTERN]: scalar },
  additionalProperties: false,
};

const expectRegs = {
  title: 'registers',
  type: 'object',
  patternProperties: { [REG_NAME_PATTERN]: expectValue },
  properties: {
    exception: {
      title: 'exception',
      type: 'object',
      required: ['el', 'ec'],
      additionalProperties: false,
      properties: {
        el: { type: 'integer', minimum: 0, maximum: 3 },
        ec: scalar,
      },
    },
  },
  additionalProperties: false,
};

const captures = {
  title: 'captures',
  type: 'object',
  patternProperties: {
    [CAPTURE_NAME_PATTERN]: { type: 'string', pattern: REG_NAME_PATTERN, description: 'a register name (x0..x17, w0..w17)' },
  },
  additionalProperties: false,
};

function callStep(kind: 'smc' | 'hvc'): object {
  return {
    title: `${kind} step`,
    type: 'object',
    required: [kind],
    additionalProperties: false,
    properties: {
      [kind]: regs,
      expect: expectRegs,
      imm: scalar,
      capture: captures,
    },
  };
}

const memoryOperand = {
  type: 'object',
  required: ['addr', 'hex'],
  additionalProperties: false,
  properties: {
    addr: scalar,
    hex: { type: 'string' },
  },
};

const unknownStep = { title: 'unknown step', not: {} };

/** One step: the kind is chosen by the key present, in STEP_KINDS order. */
const step = {
  type: 'object',
  if: { type: 'object', required: ['smc'] },
  then: callStep('smc'),
  else: {
    if: { type: 'object', required: ['hvc'] },
    then: callStep('hvc'),
    else: {
      if: { type: 'object', required: ['pkvm'] },
      then: {
        type: 'object',
        additionalProperties: false,
        properties: { pkvm: { enum: ['init', 'finalize'] } },
      },
      else: {
        if: { type: 'object', required: ['write'] },
        then: { type: 'object', additionalProperties: false, properties: { write: memoryOperand } },
        else: {
          if: { type: 'object', required: ['expectMemory'] },
          then: { type: 'object', additionalProperties: false, properties: { expectMemory: memoryOperand } },
          else: unknownStep,
        },
      },
    },
  },
};

const partition = {
  title: 'partition',
  type: 'object',
  required: ['id', 'uuid', 'behaviour'],
  additionalProperties: false,
  properties: {
    id: scalar,
    uuid: { type: 'string', pattern: UUID_PATTERN, description: 'a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' },
    behaviour: { enum: [...PARTITION_BEHAVIOURS] },
    executionContexts: { type: 'integer', minimum: 1, maximum: 0xffff },
    properties: scalar,
  },
};

export const MACHINE_SCHEMA = {
  title: 'machine',
  type: 'object',
  additionalProperties: false,
  properties: {
    el2: { enum: [...MACHINE_EL2] },
    spmc: { enum: [...MACHINE_SPMC] },
    spmcVersion: { enum: [...MACHINE_SPMC_VERSIONS] },
    partitions: { type: 'array', items: partition },
    spmcId: scalar,
    smcccVersion: { type: 'string', pattern: MAJOR_MINOR_PATTERN, description: 'a version "major.minor"' },
    psciVersion: { type: 'string', pattern: MAJOR_MINOR_PATTERN, description: 'a version "major.minor"' },
    policy: {
      title: 'policy',
      type: 'object',
      additionalProperties: false,
      properties: {
        spmc: { enum: [...POLICY_SPMC] },
        directReqBeforeVersion: { enum: [...POLICY_DIRECT_REQ_BEFORE_VERSION] },
      },
    },
    boot: { enum: [...MACHINE_BOOT] },
  },
};

const common = {
  format: { const: VECTOR_FORMAT },
  name: { type: 'string', minLength: 1 },
  description: { type: 'string' },
  source: { type: 'string' },
};

export const CALL_VECTOR_SCHEMA = {
  title: 'call vector',
  type: 'object',
  required: ['format', 'name', 'steps'],
  additionalProperties: false,
  properties: {
    ...common,
    machine: MACHINE_SCHEMA,
    steps: { type: 'array', minItems: 1, items: step },
  },
};

export const IMAGE_VECTOR_SCHEMA = {
  title: 'image vector',
  type: 'object',
  required: ['format', 'name', 'image', 'expect'],
  additionalProperties: false,
  properties: {
    ...common,
    image: { type: 'string', minLength: 1 },
    maxInstructions: { type: 'integer', minimum: 1 },
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        exitCode: { type: 'integer', minimum: -2147483648, maximum: 4294967295 },
        uart: {
          type: ['string', 'object'],
          if: { type: 'object' },
          then: {
            type: 'object',
            required: ['contains'],
            additionalProperties: false,
            properties: { contains: { type: 'string' } },
          },
        },
      },
    },
  },
};

/** The whole format: a call vector if it has `steps`, an image vector if it has `image`. */
export const VECTOR_SCHEMA = {
  $id: 'https://a64el.invalid/vector-format-1.json',
  type: 'object',
  if: { type: 'object', required: ['steps'] },
  then: CALL_VECTOR_SCHEMA,
  else: {
    if: { type: 'object', required: ['image'] },
    then: IMAGE_VECTOR_SCHEMA,
    else: { title: 'neither kind', not: {} },
  },
};

let compiledVector: ValidateFunction | undefined;
let compiledMachine: ValidateFunction | undefined;

function newAjv(): Ajv {
  // strictRequired is off: the if-branches test `required` keys they do not declare, by design.
  return new Ajv({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
}

/** The compiled validator for whole vectors (compiled once, on first use). */
export function vectorValidator(): ValidateFunction {
  compiledVector ??= newAjv().compile(VECTOR_SCHEMA);
  return compiledVector;
}

/** A located schema failure: `path` like `steps[3].expect.w2` ('' for the document itself). */
export interface SchemaProblem {
  path: string;
  message: string;
}

function firstProblem(validate: ValidateFunction, data: unknown, prefix: string): SchemaProblem | undefined {
  if (validate(data)) return undefined;
  const errors = validate.errors ?? [];
  // With allErrors off, the first error is the innermost one; if/then wrappers come after it.
  const err = errors.find((e) => e.keyword !== 'if') ?? errors[0];
  if (err === undefined) return { path: prefix, message: 'does not conform to the vector format' };
  const problem = describeError(err, data);
  if (err.keyword === 'type' && problem.path === '' && prefix === '') {
    problem.message = `a vector must be a JSON object, not ${jsonType(err.data)}`;
  }
  if (prefix !== '' && problem.path === '') problem.path = prefix;
  else if (prefix !== '') problem.path = problem.path.startsWith('[') ? prefix + problem.path : `${prefix}.${problem.path}`;
  return problem;
}

/** Validates the shape of a parsed JSON document; undefined when it conforms. */
export function checkVectorShape(data: unknown): SchemaProblem | undefined {
  return firstProblem(vectorValidator(), data, '');
}

/** Validates a `machine` object on its own; paths start with `machine`. */
export function checkMachineShape(data: unknown): SchemaProblem | undefined {
  compiledMachine ??= newAjv().compile(MACHINE_SCHEMA);
  return firstProblem(compiledMachine, data, 'machine');
}

/** Splits a JSON pointer into its unescaped segments. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Renders segments as `steps[3].expect.w2`, walking `data` to tell array indexes from keys. */
export function formatJsonPath(segments: readonly (string | number)[], data?: unknown): string {
  let out = '';
  let node: unknown = data;
  for (const seg of segments) {
    const key = String(seg);
    if (Array.isArray(node) || typeof seg === 'number') {
      out += `[${key}]`;
    } else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) {
      out += out === '' ? key : `.${key}`;
    } else {
      out += `[${JSON.stringify(key)}]`;
    }
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

/** `path` extended by one object key. */
export function joinJsonPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a fractional number';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeError(err: ErrorObject, data: unknown): SchemaProblem {
  const path = formatJsonPath(pointerSegments(err.instancePath), data);
  const title = (err.parentSchema as { title?: string } | undefined)?.title;
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return { path: joinJsonPath(path, String(p.missingProperty)), message: 'required field missing' };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const at = joinJsonPath(path, key);
      if (title === 'registers') return { path: at, message: 'unknown register (x0..x17, w0..w17)' };
      if (title === 'captures') return { path: at, message: 'not a capture name (letters, digits, _)' };
      return { path: at, message: `unknown field${title !== undefined ? ` in ${title}` : ''}` };
    }
    case 'type': {
      const want = String(p.type).split(',').join(' or ');
      return { path, message: `must be ${want}, not ${jsonType(err.data)}` };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(show).join(', ');
      return { path, message: `unknown value ${show(err.data)} (expected one of ${allowed})` };
    }
    case 'const':
      return { path, message: `must be ${show(p.allowedValue)}, not ${show(err.data)}` };
    case 'pattern': {
      const described = (err.parentSchema as { description?: string } | undefined)?.description;
      const what = described ?? `matching ${String(p.pattern)}`;
      return { path, message: `${show(err.data)} is not ${what}` };
    }
    case 'minimum':
    case 'maximum':
      return { path, message: `${show(err.data)} is out of range (${err.keyword} ${String(p.limit)})` };
    case 'minItems':
      return { path, message: `must have at least ${String(p.limit)} item(s)` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'not':
      if (title === 'unknown step') {
        return { path, message: `unknown step: expected one of ${STEP_KINDS.map((k) => `"${k}"`).join(', ')}` };
      }
      if (title === 'neither kind') {
        return { path, message: 'neither a call vector ("steps") nor an image vector ("image")' };
      }
      return { path, message: err.message ?? 'is not allowed' };
    default:
      return { path, message: err.message ?? `fails ${err.keyword}` };
  }
}
