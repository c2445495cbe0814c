import { describe, expect, it } from 'vitest';
import {
  type CallStep,
  type CallVector,
  type ImageVector,
  type MemoryStep,
  VectorError,
  defaultMachineSpec,
  defaultPartitionProperties,
  parseMachineSpec,
  parseVector,
  resolveSymbol,
} from '../../src/vectors/parse.js';
import { checkVectorShape, formatJsonPath } from '../../src/vectors/schema.js';

const FILE = 'vectors/example.json';

// The call vector of vector-format.md, verbatim.
const CONTRACT_CALL_VECTOR = `{
  "format": "a64el-vector/1",
  "name": "pkvm-gate-rejects-direct-req-before-version",
  "description": "pKVM answers any FF-A call but FFA_VERSION with INVALID_PARAMETERS until the host negotiates",
  "source": "DEN0077A v1.2 13.2.2; Linux arch/arm64/kvm/hyp/nvhe/ffa.c",
  "machine": {
    "el2": "pkvm",
    "spmc": "s-el1",
    "spmcVersion": "1.2",
    "partitions": [{ "id": "0x8001", "uuid": "b4b5671e-4a90-4fe1-b81f-fb13dae1dacb", "behaviour": "echo" }],
    "policy": { "directReqBeforeVersion": "reject" },
    "boot": "pkvm-ready"
  },
  "steps": [
    { "smc": { "x0": "FFA_MSG_SEND_DIRECT_REQ_64", "w1": "0x00008001", "x3": "0x1234" },
      "expect": { "w0": "FFA_ERROR", "w2": "INVALID_PARAMETERS" } },
    { "smc": { "x0": "FFA_VERSION", "w1": "0x00010002" }, "expect": { "w0": "0x00010002" } },
    { "smc": { "x0": "FFA_MSG_SEND_DIRECT_REQ_64", "w1": "0x00008001", "x3": "0x1234" },
      "expect": { "w0": "FFA_MSG_SEND_DIRECT_RESP_64", "w1": "0x80010000", "x3": "0x1234" } }
  ]
}`;

// The image vector of vector-format.md, verbatim.
const CONTRACT_IMAGE_VECTOR = `{
  "format": "a64el-vector/1",
  "name": "smc-trapped-by-tsc-elr-points-at-smc",
  "image": "../../firmware-images/build/trap-tsc.elf",
  "maxInstructions": 1000000,
  "expect": { "exitCode": 0, "uart": "ELR_EL2=0000000040000104\\nPASS\\n" }
}`;

/** A call vector with the given steps (and machine). */
function callVector(steps: unknown[], machine?: unknown): string {
  const doc: Record<string, unknown> = { format: 'a64el-vector/1', name: 't' };
  if (machine !== undefined) doc.machine = machine;
  doc.steps = steps;
  return JSON.stringify(doc);
}

function call(text: string): CallVector {
  const v = parseVector(text, FILE);
  expect(v.kind).toBe('call');
  return v as CallVector;
}

function firstStep(step: unknown, machine?: unknown): CallStep {
  return call(callVector([step], machine)).steps[0] as CallStep;
}

/** Expects a VectorError naming FILE and `path`, with a detail matching `detail`. */
function bad(text: string, path: string, detail?: RegExp): VectorError {
  let err: unknown;
  try {
    parseVector(text, FILE);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a VectorError at ${path}`).toBeInstanceOf(VectorError);
  const e = err as VectorError;
  expect(e.file).toBe(FILE);
  expect(e.path).toBe(path);
  expect(e.message).toBe(path === '' ? `${FILE}: ${e.detail}` : `${FILE}: ${path}: ${e.detail}`);
  expect(e.message).not.toMatch(/\n\s+at /); // no stack trace in the message
  if (detail !== undefined) expect(e.detail).toMatch(detail);
  return e;
}

const badStep = (step: unknown, path: string, detail?: RegExp, machine?: unknown) =>
  bad(callVector([step], machine), path, detail);

describe('valid vectors from vector-format.md', () => {
  it('the call vector resolves to numbers', () => {
    const v = call(CONTRACT_CALL_VECTOR);
    expect(v.file).toBe(FILE);
    expect(v.name).toBe('pkvm-gate-rejects-direct-req-before-version');
    expect(v.source).toMatch(/13\.2\.2/);
    expect(v.machine).toEqual(defaultMachineSpec());
    expect(v.steps).toHaveLength(3);
    const [s0, s1, s2] = v.steps as CallStep[];
    expect(s0).toEqual({
      kind: 'smc',
      path: 'steps[0]',
      imm: 0,
      regs: [
        { name: 'x0', index: 0, width: 64, value: 0xc400006fn },
        { name: 'w1', index: 1, width: 32, value: 0x8001 },
        { name: 'x3', index: 3, width: 64, value: 0x1234n },
      ],
      expect: [
        { name: 'w0', index: 0, width: 32, value: 0x84000060, mask: 0xffffffff },
        { name: 'w2', index: 2, width: 32, value: 0xfffffffe, mask: 0xffffffff },
      ],
      captures: [],
    });
    expect(s1!.regs).toEqual([
      { name: 'x0', index: 0, width: 64, value: 0x84000063n },
      { name: 'w1', index: 1, width: 32, value: 0x10002 },
    ]);
    expect(s1!.expect).toEqual([{ name: 'w0', index: 0, width: 32, value: 0x10002, mask: 0xffffffff }]);
    expect(s2!.expect.map((c) => [c.name, c.value])).toEqual([
      ['w0', 0xc4000070],
      ['w1', 0x80010000],
      ['x3', 0x1234n],
    ]);
    expect(s2!.expect[2]!.mask).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('the image vector', () => {
    const v = parseVector(CONTRACT_IMAGE_VECTOR, FILE) as ImageVector;
    expect(v).toEqual({
      file: FILE,
      name: 'smc-trapped-by-tsc-elr-points-at-smc',
      kind: 'image',
      image: '../../firmware-images/build/trap-tsc.elf',
      maxInstructions: 1000000,
      expect: { exitCode: 0, uart: { exact: 'ELR_EL2=0000000040000104\nPASS\n' } },
    });
  });

  it('image vector: uart {"contains"}, defaults for the rest', () => {
    const v = parseVector(
      JSON.stringify({ format: 'a64el-vector/1', name: 'i', image: 'a.elf', expect: { uart: { contains: 'PASS' } } }),
      FILE,
    ) as ImageVector;
    expect(v.expect).toEqual({ uart: { contains: 'PASS' } });
    expect(v.maxInstructions).toBeGreaterThan(0);
  });
});

describe('machine defaults (vector-format.md "machine")', () => {
  it('a vector without machine gets every default', () => {
    const m = call(callVector([{ smc: { x0: 'FFA_VERSION' } }])).machine;
    expect(m).toEqual({
      el2: 'pkvm',
      spmc: 's-el1',
      spmcVersion: 0x10002,
      partitions: [
        {
          id: 0x8001,
          uuid: expect.any(Uint8Array),
          uuidText: 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb',
          behaviour: 'echo',
          executionContexts: 1,
          properties: 0x301,
        },
      ],
      spmcId: 0x8000,
      smcccVersion: 0x10002,
      psciVersion: 0x10001,
      policy: { spmc: 'spec', directReqBeforeVersion: 'reject' },
      boot: 'pkvm-ready',
    });
  });

  it('default partition properties follow the SPMC version', () => {
    expect(defaultPartitionProperties(0x10000)).toBe(0x001);
    expect(defaultPartitionProperties(0x10001)).toBe(0x101);
    expect(defaultPartitionProperties(0x10002)).toBe(0x301);
    const m = call(callVector([{ pkvm: 'init' }], { spmcVersion: '1.0', boot: 'reset' })).machine;
    expect(m.spmcVersion).toBe(0x10000);
    expect(m.partitions[0]!.properties).toBe(0x1);
  });

  it('explicit values override, partially', () => {
    const m = parseMachineSpec({
      el2: 'none',
      spmc: 'el3',
      spmcVersion: '1.1',
      spmcId: 0x8010,
      smcccVersion: '1.1',
      psciVersion: '1.0',
      policy: { spmc: 'hafnium' },
      boot: 'reset',
      partitions: [
        { id: '0x8001', uuid: 'B4B5671E-4A90-4FE1-B81F-FB13DAE1DACB', behaviour: 'echo', executionContexts: 4 },
        { id: 0x8002, uuid: '00000000-0000-0000-0000-000000000002', behaviour: 'echo', properties: '0x3' },
      ],
    });
    expect(m.el2).toBe('none');
    expect(m.spmc).toBe('el3');
    expect(m.spmcVersion).toBe(0x10001);
    expect(m.spmcId).toBe(0x8010);
    expect(m.smcccVersion).toBe(0x10001);
    expect(m.psciVersion).toBe(0x10000);
    expect(m.policy).toEqual({ spmc: 'hafnium', directReqBeforeVersion: 'reject' });
    expect(m.boot).toBe('reset');
    expect(m.partitions.map((p) => [p.id, p.uuidText, p.executionContexts, p.properties])).toEqual([
      [0x8001, 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb', 4, 0x101],
      [0x8002, '00000000-0000-0000-0000-000000000002', 1, 0x3],
    ]);
    expect(parseMachineSpec({ partitions: [] }).partitions).toEqual([]);
    expect(parseMachineSpec(undefined)).toEqual(defaultMachineSpec());
  });
});

describe('register values', () => {
  it('numbers, hex, negative decimal: two\'s complement to the register width', () => {
    const s = firstStep({
      smc: { x0: 5, w1: '-2', x2: '-2', w3: -1, x4: '0xFFFFFFFFFFFFFFFF', w5: '0xffffffff', x6: 0, x7: '-9223372036854775808' },
    });
    expect(s.regs.map((r) => r.value)).toEqual([
      5n,
      0xfffffffe,
      0xffff_ffff_ffff_fffen,
      0xffffffff,
      0xffff_ffff_ffff_ffffn,
      0xffffffff,
      0n,
      0x8000_0000_0000_0000n,
    ]);
  });

  it('FF-A function, FF-A status and SMCCC names', () => {
    const s = firstStep({
      smc: {
        w0: 'FFA_RXTX_MAP',
        x1: 'FFA_RXTX_MAP_64',
        x2: 'FFA_MSG_SEND_DIRECT_REQ2',
        x3: 'FFA_MSG_SEND_DIRECT_REQ2_64',
        x4: 'FFA_PARTITION_INFO_GET_REGS',
        w5: 'SMCCC_VERSION',
        w6: 'PSCI_VERSION',
        w7: 'SMCCC_ARCH_FEATURES',
      },
      expect: { w2: 'NOT_SUPPORTED', x2: 'NOT_SUPPORTED', w3: 'NOT_READY', w0: 'SMCCC_NOT_SUPPORTED', x0: 'SMCCC_NOT_SUPPORTED' },
    });
    expect(s.regs.map((r) => r.value)).toEqual([
      0x84000066,
      0xc4000066n,
      0xc400008dn,
      0xc400008dn,
      0xc400008bn,
      0x80000000,
      0x84000000,
      0x80000001,
    ]);
    expect(s.expect.map((c) => [c.name, c.value])).toEqual([
      ['x0', 0xffff_ffff_ffff_ffffn],
      ['w0', 0xffffffff],
      ['x2', 0xffff_ffff_ffff_ffffn],
      ['w2', 0xffffffff],
      ['w3', 0xfffffff6],
    ]);
    expect(resolveSymbol('DENIED')).toBe(-6);
    expect(resolveSymbol('nope')).toBeUndefined();
  });

  it('{"value","mask"} in expect', () => {
    const s = firstStep({ smc: { x0: 'FFA_FEATURES' }, expect: { w2: { value: '0x1', mask: '0x3' }, x3: { value: 0, mask: -1 } } });
    expect(s.expect).toEqual([
      { name: 'w2', index: 2, width: 32, value: 1, mask: 3 },
      { name: 'x3', index: 3, width: 64, value: 0n, mask: 0xffff_ffff_ffff_ffffn },
    ]);
  });

  it('captures stay symbolic for the runner', () => {
    const v = call(
      callVector([
        { smc: { x0: 'FFA_MEM_SHARE_64' }, expect: { w0: 'FFA_SUCCESS' }, capture: { LO: 'w2', HI: 'w3' } },
        { smc: { x0: 'FFA_MEM_RECLAIM', w1: '$LO', w2: '$HI' }, expect: { w0: 'FFA_SUCCESS', x1: { value: '$LO', mask: 0xff } } },
      ]),
    );
    const [s0, s1] = v.steps as CallStep[];
    expect(s0!.captures).toEqual([
      { name: 'LO', reg: 'w2', index: 2, width: 32 },
      { name: 'HI', reg: 'w3', index: 3, width: 32 },
    ]);
    expect(s1!.regs.slice(1).map((r) => r.value)).toEqual([{ capture: 'LO' }, { capture: 'HI' }]);
    expect(s1!.expect[1]).toEqual({ name: 'x1', index: 1, width: 64, value: { capture: 'LO' }, mask: 0xffn });
  });

  it('imm, hvc and exception', () => {
    const s = firstStep({ hvc: { x0: 'FFA_VERSION' }, imm: '0x10', expect: { exception: { el: 1, ec: '0x00' } } }, { el2: 'none' });
    expect(s.kind).toBe('hvc');
    expect(s.imm).toBe(0x10);
    expect(s.exception).toEqual({ el: 1, ec: 0 });
    expect(s.expect).toEqual([]);
    expect(firstStep({ smc: {} }).expect).toEqual([]);
  });
});

describe('other steps', () => {
  it('write and expectMemory: hex with whitespace', () => {
    const v = call(
      callVector([
        { write: { addr: '0x40001000', hex: 'de ad\nbe ef' } },
        { expectMemory: { addr: 0x40fffffe, hex: '0102' } },
      ]),
    );
    const [w, m] = v.steps as MemoryStep[];
    expect(w).toEqual({ kind: 'write', path: 'steps[0]', addr: 0x40001000, bytes: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) });
    expect(m).toEqual({ kind: 'expectMemory', path: 'steps[1]', addr: 0x40fffffe, bytes: Uint8Array.from([1, 2]) });
  });

  it('pkvm init and finalize from boot "reset"', () => {
    const v = call(callVector([{ pkvm: 'init' }, { smc: { x0: 1 } }, { pkvm: 'finalize' }], { boot: 'reset' }));
    expect(v.steps.map((s) => s.kind)).toEqual(['pkvm', 'smc', 'pkvm']);
    expect(v.steps[2]).toEqual({ kind: 'pkvm', path: 'steps[2]', action: 'finalize' });
  });
});

describe('malformed vectors name the file and the JSON path', () => {
  it('bad JSON is located by line and column', () => {
    bad('{\n  "format": "a64el-vector/1",\n  "name": x\n}', '', /invalid JSON at line 3, column 11/);
    bad('', '', /invalid JSON at line 1, column 1: unexpected end of text/);
    bad('{"format": "a64el-vector/1",}', '', /line 1, column 29: expected a property name/);
    bad('{"a": "x', '', /unterminated string/);
    bad('{} {}', '', /column 4: unexpected text after the JSON value/);
    bad('{"a": [1 2]}', '', /column 10: expected "," or "]"/);
    bad('{"a": tru}', '', /column 7: unexpected "t"/);
  });

  it('document level', () => {
    bad('[1]', '', /must be a JSON object/);
    bad('{"format":"a64el-vector/1","name":"t"}', '', /neither a call vector/);
    bad(JSON.stringify({ format: 'a64el-vector/2', name: 't', steps: [{ pkvm: 'init' }] }), 'format', /must be "a64el-vector\/1"/);
    bad(JSON.stringify({ format: 'a64el-vector/1', steps: [{ smc: {} }] }), 'name', /required/);
    bad(JSON.stringify({ format: 'a64el-vector/1', name: 't', steps: [{ smc: {} }], extra: 1 }), 'extra', /unknown field/);
    bad(JSON.stringify({ format: 'a64el-vector/1', name: 't', steps: [] }), 'steps', /at least 1/);
    bad(JSON.stringify({ format: 'a64el-vector/1', name: 't', steps: {} }), 'steps', /must be array/);
    bad(JSON.stringify({ format: 'a64el-vector/1', name: '', steps: [{ smc: {} }] }), 'name', /empty/);
  });

  it('machine fields', () => {
    const m = (machine: unknown, path: string, detail?: RegExp) => bad(callVector([{ smc: {} }], machine), path, detail);
    m({ hypervisor: 'pkvm' }, 'machine.hypervisor', /unknown field/);
    m({ el2: 'kvm' }, 'machine.el2', /unknown value "kvm" \(expected one of "pkvm", "none"\)/);
    m({ spmc: 's-el2' }, 'machine.spmc', /unknown value/);
    m({ spmcVersion: '1.3' }, 'machine.spmcVersion', /unknown value "1.3"/);
    m({ spmcVersion: 1.2 }, 'machine.spmcVersion', /unknown value 1.2/);
    m({ boot: 'warm' }, 'machine.boot', /unknown value/);
    m({ policy: { spmc: 'linux' } }, 'machine.policy.spmc', /unknown value/);
    m({ policy: { other: 1 } }, 'machine.policy.other', /unknown field/);
    m({ smcccVersion: '1' }, 'machine.smcccVersion', /not a version/);
    m({ psciVersion: '99999.0' }, 'machine.psciVersion', /out of range/);
    m({ spmcId: '0x0001' }, 'machine.spmcId', /not an SPMC ID/);
    m({ spmcId: '0x18000' }, 'machine.spmcId', /does not fit in 16 bits/);
    m({ partitions: {} }, 'machine.partitions', /must be array/);
    const U1 = '00000000-0000-0000-0000-000000000001';
    const part = (fields: Record<string, unknown>) => ({ partitions: [{ id: '0x8001', uuid: U1, behaviour: 'echo', ...fields }] });
    const p0 = 'machine.partitions[0]';
    m({ partitions: [{ id: '0x8001', uuid: U1 }] }, `${p0}.behaviour`, /required/);
    m(part({ uuid: 'zz' }), `${p0}.uuid`, /not a UUID/);
    m(part({ behaviour: 'sleep' }), `${p0}.behaviour`, /unknown value "sleep"/);
    m(part({ vcpus: 2 }), `${p0}.vcpus`, /unknown field in partition/);
    m(part({ id: '0x0001' }), `${p0}.id`, /not a secure partition ID/);
    m(part({ id: 'FFA_VERSION' }), `${p0}.id`, /not a number or hex string/);
    m(part({ id: '0x8000' }), `${p0}.id`, /SPMC's own ID/);
    m(part({ executionContexts: 0 }), `${p0}.executionContexts`, /out of range/);
    m(part({ properties: '0x100000000' }), `${p0}.properties`, /32 bits/);
    m(
      {
        partitions: [
          { id: '0x8001', uuid: U1, behaviour: 'echo' },
          { id: 32769, uuid: '00000000-0000-0000-0000-000000000002', behaviour: 'echo' },
        ],
      },
      'machine.partitions[1].id',
      /already partition 0's ID/,
    );
    expect(() => parseMachineSpec({ el2: 'kvm' }, 'cfg.json')).toThrow('cfg.json: machine.el2: unknown value "kvm"');
  });

  it('register names and values', () => {
    badStep({ smc: { x18: 1 } }, 'steps[0].smc.x18', /unknown register/);
    badStep({ smc: { r0: 1 } }, 'steps[0].smc.r0', /unknown register/);
    badStep({ smc: { x0: 1 }, expect: { w18: 0 } }, 'steps[0].expect.w18', /unknown register/);
    badStep({ smc: { x0: 1, w0: 2 } }, 'steps[0].smc.w0', /already given as x0/);
    badStep({ smc: { x0: 'FFA_VERSION' }, expect: { w2: 'FOO' } }, 'steps[0].expect.w2', /^unknown name "FOO"$/);
    badStep({ smc: { x0: 'ffa_version' } }, 'steps[0].smc.x0', /unknown name "ffa_version"/);
    badStep({ smc: { x0: 'FFA_VERSION_64' } }, 'steps[0].smc.x0', /unknown name/);
    badStep({ smc: { x0: '1234' } }, 'steps[0].smc.x0', /decimal string must be negative/);
    badStep({ smc: { x0: '0x' } }, 'steps[0].smc.x0', /is not a number, hex string/);
    badStep({ smc: { x0: '0x12g' } }, 'steps[0].smc.x0', /is not a number, hex string/);
    badStep({ smc: { w1: '0x100000000' } }, 'steps[0].smc.w1', /does not fit in 32 bits/);
    badStep({ smc: { x1: '0x10000000000000000' } }, 'steps[0].smc.x1', /does not fit in 64 bits/);
    badStep({ smc: { w1: -2147483649 } }, 'steps[0].smc.w1', /below the 32-bit/);
    badStep({ smc: { w1: 4294967296 } }, 'steps[0].smc.w1', /does not fit in 32 bits/);
    bad('{"format":"a64el-vector/1","name":"t","steps":[{"smc":{"x1":18446744073709551615}}]}', 'steps[0].smc.x1', /hex string/);
    badStep({ smc: { x1: 1.5 } }, 'steps[0].smc.x1', /must be integer or string, not a fractional number/);
    badStep({ smc: { x1: true } }, 'steps[0].smc.x1', /must be integer or string, not a boolean/);
    badStep({ smc: { x1: null } }, 'steps[0].smc.x1', /not null/);
    badStep({ smc: { x1: { value: 1, mask: 1 } } }, 'steps[0].smc.x1', /not an object/);
    badStep({ smc: [1] }, 'steps[0].smc', /must be object/);
  });

  it('{"value","mask"}', () => {
    badStep({ smc: {}, expect: { w2: { value: 1 } } }, 'steps[0].expect.w2.mask', /required/);
    badStep({ smc: {}, expect: { w2: { value: 1, mask: 1, bits: 2 } } }, 'steps[0].expect.w2.bits', /unknown field/);
    badStep({ smc: {}, expect: { w2: { value: 'FOO', mask: 1 } } }, 'steps[0].expect.w2.value', /unknown name "FOO"/);
    badStep({ smc: {}, expect: { w2: { value: 1, mask: 'FFA_VERSION' } } }, 'steps[0].expect.w2.mask', /not a number or hex string/);
    badStep({ smc: {}, expect: { w2: { value: 1, mask: '0x1ffffffff' } } }, 'steps[0].expect.w2.mask', /32 bits/);
  });

  it('captures', () => {
    badStep({ smc: { w1: '$H' } }, 'steps[0].smc.w1', /"\$H" is not captured by an earlier step/);
    badStep({ smc: {}, expect: { w1: '$H' }, capture: { H: 'w2' } }, 'steps[0].expect.w1', /not captured by an earlier step/);
    badStep({ smc: { w1: '$1x' } }, 'steps[0].smc.w1', /not a capture reference/);
    badStep({ smc: {}, capture: { H: 'q2' } }, 'steps[0].capture.H', /not a register name/);
    badStep({ smc: {}, capture: { '1H': 'w2' } }, 'steps[0].capture["1H"]', /not a capture name/);
    badStep({ smc: {}, capture: { H: 2 } }, 'steps[0].capture.H', /must be string/);
    bad(
      callVector([{ smc: {}, capture: { H: 'w2' } }, { smc: {}, expect: { w1: { value: 0, mask: '$H' } } }]),
      'steps[1].expect.w1.mask',
      /not a number or hex string/,
    );
  });

  it('imm and exception', () => {
    badStep({ smc: {}, imm: 0x10000 }, 'steps[0].imm', /does not fit in 16 bits/);
    badStep({ smc: {}, imm: 'FFA_VERSION' }, 'steps[0].imm', /not a number or hex string/);
    badStep({ smc: {}, expect: { exception: { el: 4, ec: 0 } } }, 'steps[0].expect.exception.el', /out of range/);
    badStep({ smc: {}, expect: { exception: { el: 1 } } }, 'steps[0].expect.exception.ec', /required/);
    badStep({ smc: {}, expect: { exception: { el: 1, ec: '0x40' } } }, 'steps[0].expect.exception.ec', /not an exception class/);
    badStep({ smc: {}, expect: { exception: { el: 1, ec: 0, iss: 0 } } }, 'steps[0].expect.exception.iss', /unknown field/);
  });

  it('step kinds', () => {
    badStep({ smd: { x0: 1 } }, 'steps[0]', /unknown step: expected one of "smc", "hvc", "pkvm", "write", "expectMemory"/);
    badStep({}, 'steps[0]', /unknown step/);
    badStep(3, 'steps[0]', /must be object/);
    badStep({ smc: {}, pkvm: 'init' }, 'steps[0].pkvm', /unknown field in smc step/);
    badStep({ smc: {}, exepct: {} }, 'steps[0].exepct', /unknown field/);
    badStep({ pkvm: 'start' }, 'steps[0].pkvm', /unknown value "start"/);
    badStep({ pkvm: 'init', expect: {} }, 'steps[0].expect', /unknown field/);
  });

  it('pkvm steps must make sense for the machine', () => {
    badStep({ pkvm: 'init' }, 'steps[0].pkvm', /already initialised \(machine.boot "pkvm-ready"\)/);
    badStep({ pkvm: 'finalize' }, 'steps[0].pkvm', /already finalised/);
    badStep({ pkvm: 'init' }, 'steps[0].pkvm', /needs machine.el2 "pkvm"/, { el2: 'none', boot: 'reset' });
    badStep({ pkvm: 'finalize' }, 'steps[0].pkvm', /before \{"pkvm": "init"\}/, { boot: 'reset' });
    bad(callVector([{ pkvm: 'init' }, { pkvm: 'init' }], { boot: 'reset' }), 'steps[1].pkvm', /by an earlier step/);
  });

  it('write and expectMemory', () => {
    badStep({ write: { addr: '0x40000000' } }, 'steps[0].write.hex', /required/);
    badStep({ write: { addr: '0x40000000', hex: '00', size: 1 } }, 'steps[0].write.size', /unknown field/);
    badStep({ write: { addr: 'here', hex: '00' } }, 'steps[0].write.addr', /not an address/);
    badStep({ write: { addr: -1, hex: '00' } }, 'steps[0].write.addr', /not an address/);
    badStep({ write: { addr: '0x50000000', hex: '00' } }, 'steps[0].write.addr', /outside the host memory free for vectors/);
    badStep({ write: { addr: '0x3ffffffe', hex: '0000' } }, 'steps[0].write.addr', /outside/);
    badStep({ expectMemory: { addr: '0x40ffffff', hex: '0000' } }, 'steps[0].expectMemory.addr', /0x40ffffff..0x41000000 is outside/);
    badStep({ write: { addr: '0x40000000', hex: '0g' } }, 'steps[0].write.hex', /"g" is not a hex digit/);
    badStep({ write: { addr: '0x40000000', hex: '0x00' } }, 'steps[0].write.hex', /"x" is not a hex digit/);
    badStep({ write: { addr: '0x40000000', hex: 'abc' } }, 'steps[0].write.hex', /odd count/);
    badStep({ write: { addr: '0x40000000', hex: '  ' } }, 'steps[0].write.hex', /no bytes/);
    badStep({ expectMemory: { addr: '0x40000000', hex: 12 } }, 'steps[0].expectMemory.hex', /must be string/);
  });

  it('image vectors', () => {
    const img = (doc: Record<string, unknown>) => JSON.stringify({ format: 'a64el-vector/1', name: 'i', image: 'a.elf', expect: {}, ...doc });
    bad(img({ maxInstructions: 0 }), 'maxInstructions', /out of range/);
    bad(img({ expect: { uart: { exact: 'x' } } }), 'expect.uart.contains', /required/);
    bad(img({ expect: { uart: { contains: 1 } } }), 'expect.uart.contains', /must be string/);
    bad(img({ expect: { exitCode: 'zero' } }), 'expect.exitCode', /must be integer/);
    bad(img({ expect: { stdout: '' } }), 'expect.stdout', /unknown field/);
    bad(img({ machine: {} }), 'machine', /unknown field in image vector/);
    bad(img({ expect: undefined }), 'expect', /required/);
    bad(img({ steps: [{ smc: {} }] }), 'image', /unknown field in call vector/);
  });
});

describe('schema helpers', () => {
  it('accepts the contract examples and formats paths', () => {
    expect(checkVectorShape(JSON.parse(CONTRACT_CALL_VECTOR))).toBeUndefined();
    expect(checkVectorShape(JSON.parse(CONTRACT_IMAGE_VECTOR))).toBeUndefined();
    expect(formatJsonPath(['steps', '3', 'expect', 'w2'], { steps: [] })).toBe('steps[3].expect.w2');
    expect(formatJsonPath(['capture', 'a b'], {})).toBe('capture["a b"]');
  });
});
