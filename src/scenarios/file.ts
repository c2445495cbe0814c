/**
 * User-defined scenarios from a JSON file, format "a64el-scenarios/1". Each scenario starts from a
 * built-in one (`base`, default "v7.1-rc2") and changes what it names:
 *
 * ```json
 * {
 *   "format": "a64el-scenarios/1",
 *   "scenarios": [
 *     {
 *       "name": "uefi-at-late-sync-only",
 *       "title": "the revert plus load_uefi_certs at late_initcall_sync",
 *       "base": "device-initcall",
 *       "placements": {
 *         "load_uefi_certs": "late_sync",
 *         "ffa_init": { "level": "device", "linkOrder": "drivers:22" },
 *         "tpm_crb_ffa_init": null
 *       },
 *       "policy": { "directReqBeforeVersion": "reject" }
 *     }
 *   ]
 * }
 * ```
 *
 * Fields of a scenario (all but `name` optional):
 * | field | meaning |
 * |---|---|
 * | `name` | unique, letters/digits/`.`/`_`/`-`; not a built-in name |
 * | `title`, `description` | free text for the report |
 * | `base` | a built-in scenario to start from (default `v7.1-rc2`) |
 * | `ffaRootDevice` | RFC 2/3: ffa_init registers a root driver whose probe defers until pKVM is finalised |
 * | `kvmInitInFinalize` | RFC 1/3: kvm_init() moves into finalize_pkvm |
 * | `placements` | initcall name -> placement. A placement is a phase name (`"rootfs"`, `"late_sync"`: the link order stays), `null` (not built in), or `{ "level", "sync"?, "linkOrder"? }` where `linkOrder` is a number (directory rank * 100 + position), `"dir"` or `"dir:position"` with dir one of init, arch, kernel, mm, fs, security, crypto, block, drivers, net, virt |
 * | `policy.directReqBeforeVersion` | `"reject"` (upstream pKVM) or `"forward"` |
 * | `policy.spmc` | `"spec"`, `"hafnium"` or `"tf-a"` |
 *
 * Initcall names: arm_ffa_bus_init, ffa_root_device_init, kvm_arm_init, finalize_pkvm, ffa_init,
 * tpm_crb_ffa_init, load_uefi_certs, deferred_probe_initcall. Levels: pure, core, postcore, arch,
 * subsys, fs, rootfs, device, late; rootfs has no _sync variant.
 * Errors name the file and the JSON path: `my.json: scenarios[0].placements.ffa_init.level: ...`.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { INITCALL_IDS, type InitcallId } from '../firmware/host/kernel.js';
import {
  INITCALL_LEVELS, INITCALL_PHASES, LINK_DIRS, LINK_DIR_STRIDE, type LinkDir, type Placement, linkOrder, parsePhase,
  validatePlacement,
} from '../firmware/host/initcalls.js';
import { formatJsonPath, joinJsonPath } from '../vectors/schema.js';
import { BUILTIN_SCENARIOS, type ScenarioDef, builtinScenario, cloneScenario } from './builtin.js';

export const SCENARIO_FORMAT = 'a64el-scenarios/1';

/** A malformed scenario file: `message` is `FILE: PATH: detail`. */
export class ScenarioFileError extends Error {
  override readonly name = 'ScenarioFileError';
  constructor(readonly file: string, readonly path: string, readonly detail: string) {
    super(path === '' ? `${file}: ${detail}` : `${file}: ${path}: ${detail}`);
  }
}

const LINK_ORDER_TEXT = `^(${LINK_DIRS.join('|')})(:[0-9]{1,2})?$`;

const placementSchema = {
  title: 'placement',
  type: ['null', 'string', 'object'],
  if: { type: 'string' },
  then: { enum: INITCALL_PHASES.map((p) => p.name) },
  else: {
    if: { type: 'object' },
    then: {
      type: 'object',
      required: ['level'],
      additionalProperties: false,
      properties: {
        level: { enum: [...INITCALL_LEVELS] },
        sync: { type: 'boolean' },
        linkOrder: {
          type: ['integer', 'string'],
          if: { type: 'string' },
          then: { type: 'string', pattern: LINK_ORDER_TEXT, description: 'a link position ("drivers" or "drivers:22")' },
          else: { type: 'integer', minimum: 0, maximum: LINK_DIRS.length * LINK_DIR_STRIDE - 1 },
        },
      },
    },
  },
};

const scenarioSchema = {
  title: 'scenario',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]+$', description: 'a name of letters, digits, ".", "_" or "-"' },
    title: { type: 'string' },
    description: { type: 'string' },
    base: { enum: BUILTIN_SCENARIOS.map((s) => s.name) },
    ffaRootDevice: { type: 'boolean' },
    kvmInitInFinalize: { type: 'boolean' },
    placements: {
      title: 'placements',
      type: 'object',
      properties: Object.fromEntries(INITCALL_IDS.map((id) => [id, placementSchema])),
      additionalProperties: false,
    },
    policy: {
      title: 'policy',
      type: 'object',
      additionalProperties: false,
      properties: {
        directReqBeforeVersion: { enum: ['reject', 'forward'] },
        spmc: { enum: ['spec', 'hafnium', 'tf-a'] },
      },
    },
  },
};

export const SCENARIO_FILE_SCHEMA = {
  title: 'scenario file',
  type: 'object',
  required: ['format', 'scenarios'],
  additionalProperties: false,
  properties: {
    format: { const: SCENARIO_FORMAT },
    scenarios: { type: 'array', minItems: 1, items: scenarioSchema },
  },
};

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, verbose: true }).compile(SCENARIO_FILE_SCHEMA);
  return compiled;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

function describe(err: ErrorObject, data: unknown): { path: string; message: string } {
  const path = formatJsonPath(pointerSegments(err.instancePath), data);
  const p = err.params as Record<string, unknown>;
  const title = (err.parentSchema as { title?: string } | undefined)?.title;
  switch (err.keyword) {
    case 'required': return { path: joinJsonPath(path, String(p.missingProperty)), message: 'required field missing' };
    case 'additionalProperties':
      if (title === 'placements') {
        return { path: joinJsonPath(path, String(p.additionalProperty)), message: `unknown initcall (expected one of ${INITCALL_IDS.join(', ')})` };
      }
      return { path: joinJsonPath(path, String(p.additionalProperty)), message: `unknown field${title !== undefined ? ` in ${title}` : ''}` };
    case 'type': return { path, message: `must be ${String(p.type).split(',').join(' or ')}, not ${show(err.data)}` };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(show).join(', ');
      return { path, message: `unknown value ${show(err.data)} (expected one of ${allowed})` };
    }
    case 'const': return { path, message: `must be ${show(p.allowedValue)}, not ${show(err.data)}` };
    case 'pattern': {
      const what = (err.parentSchema as { description?: string } | undefined)?.description ?? `matching ${String(p.pattern)}`;
      return { path, message: `${show(err.data)} is not ${what}` };
    }
    case 'minimum': case 'maximum': return { path, message: `${show(err.data)} is out of range (${err.keyword} ${String(p.limit)})` };
    case 'minItems': return { path, message: `must have at least ${String(p.limit)} item(s)` };
    default: return { path, message: err.message ?? `fails ${err.keyword}` };
  }
}

interface RawPlacement { level: Placement['level']; sync?: boolean; linkOrder?: number | string }
interface RawScenario {
  name: string; title?: string; description?: string; base?: string; ffaRootDevice?: boolean; kvmInitInFinalize?: boolean;
  placements?: Record<string, null | string | RawPlacement>;
  policy?: { directReqBeforeVersion?: 'reject' | 'forward'; spmc?: 'spec' | 'hafnium' | 'tf-a' };
}

/**
 * Parse and check a scenario document (already parsed JSON). `file` names it in errors.
 * @throws ScenarioFileError naming the file and JSON path
 */
export function parseScenarios(data: unknown, file: string): ScenarioDef[] {
  const v = validator();
  if (!v(data)) {
    const errors = v.errors ?? [];
    const err = errors.find((e) => e.keyword !== 'if') ?? errors[0];
    if (err === undefined) throw new ScenarioFileError(file, '', 'does not conform to a64el-scenarios/1');
    const d = describe(err, data);
    throw new ScenarioFileError(file, d.path, d.message);
  }
  const raw = (data as { scenarios: RawScenario[] }).scenarios;
  const seen = new Set<string>();
  return raw.map((r, i) => {
    const at = `scenarios[${i}]`;
    if (builtinScenario(r.name) !== undefined) throw new ScenarioFileError(file, `${at}.name`, `"${r.name}" is a built-in scenario's name`);
    if (seen.has(r.name)) throw new ScenarioFileError(file, `${at}.name`, `"${r.name}" is defined twice`);
    seen.add(r.name);
    const base = cloneScenario(builtinScenario(r.base ?? 'v7.1-rc2')!);
    const def: ScenarioDef = {
      ...base,
      name: r.name,
      title: r.title ?? `${base.name}, modified`,
      ffaRootDevice: r.ffaRootDevice ?? base.ffaRootDevice,
      kvmInitInFinalize: r.kvmInitInFinalize ?? base.kvmInitInFinalize,
      policy: { ...base.policy, ...r.policy },
    };
    if (r.description !== undefined) def.description = r.description;
    else delete def.description;
    for (const [id, p] of Object.entries(r.placements ?? {})) {
      const path = `${at}.placements.${id}`;
      def.placements[id as InitcallId] = resolvePlacement(p, base.placements[id as InitcallId] ?? null, id as InitcallId, file, path);
    }
    if (!def.ffaRootDevice) {
      if (r.placements?.['ffa_root_device_init'] != null) {
        throw new ScenarioFileError(file, `${at}.placements.ffa_root_device_init`, 'placed, but ffaRootDevice is false (the root device exists only with RFC 2/3)');
      }
      def.placements.ffa_root_device_init = null;
    } else if (def.placements.ffa_root_device_init === null && r.placements?.['ffa_root_device_init'] === undefined) {
      def.placements.ffa_root_device_init = { level: 'subsys', sync: false, linkOrder: linkOrder('drivers', 21) };
    }
    return def;
  });
}

function resolvePlacement(p: null | string | RawPlacement, base: Placement | null, id: InitcallId, file: string, path: string): Placement | null {
  if (p === null) return null;
  const fallbackOrder = base?.linkOrder ?? 0;
  let out: Placement;
  if (typeof p === 'string') {
    const ph = parsePhase(p)!;
    out = { level: ph.level, sync: ph.sync, linkOrder: fallbackOrder };
  } else {
    let order = fallbackOrder;
    if (typeof p.linkOrder === 'number') order = p.linkOrder;
    else if (typeof p.linkOrder === 'string') {
      const [dir, idx] = p.linkOrder.split(':');
      order = linkOrder(dir as LinkDir, idx === undefined ? fallbackOrder % LINK_DIR_STRIDE : Number(idx));
    }
    out = { level: p.level, sync: p.sync ?? false, linkOrder: order };
  }
  const why = validatePlacement(out);
  if (why !== undefined) throw new ScenarioFileError(file, typeof p === 'string' ? path : `${path}.sync`, `${id}: ${why}`);
  return out;
}

/**
 * Read and parse a scenario file.
 * @throws ScenarioFileError (unreadable file, bad JSON, or a schema/semantic error with its path)
 */
export function loadScenarioFile(file: string): ScenarioDef[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioFileError(file, '', `cannot read: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ScenarioFileError(file, '', `not JSON: ${(e as Error).message}`);
  }
  return parseScenarios(data, file);
}
