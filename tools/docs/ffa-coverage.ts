/**
 * FF-A ABI coverage, measured on the running machine (never written by hand).
 *
 * For every configuration (SPMC version 1.0/1.1/1.2 x placement S-EL1/EL3 x EL2 none/pKVM x SPMC
 * policy spec/hafnium/tf-a) it builds a world with createWorld, boots it from reset, has the host at
 * NS-EL1 negotiate the SPMC's version with FFA_VERSION, and then, for every FF-A function ID of
 * src/ffa/abi.ts FFA_FUNCTIONS (SMC32 and SMC64) and every unallocated ID of the FF-A range
 * (0x60-0xFF, both widths):
 *  1. asks FFA_FEATURES(id) by a real host SMC;
 *  2. invokes the ID itself with neutral arguments (x1-x17 = 0; FFA_VERSION asks for the negotiated
 *     version, FFA_FEATURES asks about FFA_VERSION) and classifies the answer: NOT_SUPPORTED
 *     (FFA_ERROR with w2 = -1, or w0 = -1 for FFA_VERSION and SMCCC calls) or anything else;
 *  3. asks FFA_FEATURES again for every allocated ID: the probe calls must not have changed what the
 *     machine reports (every neutral call is rejected or read-only).
 * FFA_FEATURES saying NOT_SUPPORTED should be equivalent to the call answering NOT_SUPPORTED; every
 * configuration and ID where it is not is a disagreement, listed in docs/ffa-coverage.md and asserted
 * one by one in test/docs/ffa-coverage.test.ts.
 *
 * Writes docs/ffa-coverage.md and the README section "## FF-A coverage":
 *   npx tsx tools/docs/ffa-coverage.ts           (write)
 *   npx tsx tools/docs/ffa-coverage.ts --check   (exit 1 when the committed files are stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as A from '../../src/ffa/abi.js';
import { createWorld } from '../../src/machine/world.js';
import { STOP_REASON_NAMES, StopReason } from '../../src/machine/machine.js';
import { FROM_NWD, FROM_SP, type SpmcPolicy, abiIndex, buildAbiTable } from '../../src/firmware/spmc/abi-table.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOC_PATH = join(ROOT, 'docs', 'ffa-coverage.md');
export const README_PATH = join(ROOT, 'README.md');
export const README_HEADING = '## FF-A coverage';

// ---------------------------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------------------------

export type Placement = 's-el1' | 'el3';
export type El2 = 'none' | 'pkvm';

export const VERSIONS: readonly number[] = [A.FFA_VERSION_1_0, A.FFA_VERSION_1_1, A.FFA_VERSION_1_2];
export const PLACEMENTS: readonly Placement[] = ['s-el1', 'el3'];
export const EL2S: readonly El2[] = ['none', 'pkvm'];
export const POLICIES: readonly SpmcPolicy[] = ['spec', 'hafnium', 'tf-a'];
/** The policy of the summary table (the default of vector-format.md). */
export const MAIN_POLICY: SpmcPolicy = 'spec';

export interface Config {
  readonly placement: Placement;
  readonly el2: El2;
  readonly version: number;
  readonly policy: SpmcPolicy;
}

export function configKey(c: Config): string {
  return `${c.el2 === 'pkvm' ? 'pKVM' : 'no EL2'}, ${placementName(c.placement)} SPMC, v${A.ffaVersionString(c.version)}, ${c.policy}`;
}

function placementName(p: Placement): string { return p === 's-el1' ? 'S-EL1' : 'EL3'; }

export function allConfigs(): Config[] {
  const out: Config[] = [];
  for (const policy of POLICIES) for (const el2 of EL2S) for (const placement of PLACEMENTS) for (const version of VERSIONS) {
    out.push({ placement, el2, version, policy });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// IDs
// ---------------------------------------------------------------------------------------------

/** Every allocated FF-A function ID, in FFA_FUNCTIONS order (SMC32 before SMC64). */
export function allocatedIds(): number[] {
  const ids: number[] = [];
  for (const f of A.FFA_FUNCTIONS) {
    if (f.smc32 !== undefined) ids.push(f.smc32);
    if (f.smc64 !== undefined) ids.push(f.smc64);
  }
  return ids;
}

/** The rest of the FF-A range: function numbers 0x60-0xFF, both widths, not allocated. */
export function unallocatedIds(): number[] {
  const known = new Set(allocatedIds());
  const ids: number[] = [];
  for (const base of [A.FFA_SMC32_BASE, A.FFA_SMC64_BASE]) {
    for (let fn = A.FFA_MIN_FUNC_NUM; fn <= A.FFA_MAX_FUNC_NUM; fn++) {
      const id = (base | fn) >>> 0;
      if (!known.has(id)) ids.push(id);
    }
  }
  return ids;
}

export function idName(id: number): string {
  return A.ffaFunctionName(id) ?? hex(id);
}

function hex(v: number): string { return `0x${(v >>> 0).toString(16).toUpperCase().padStart(8, '0')}`; }

// ---------------------------------------------------------------------------------------------
// Probing
// ---------------------------------------------------------------------------------------------

/** One answer of the machine, classified. */
export interface Answer {
  /** The answer is NOT_SUPPORTED. */
  readonly ns: boolean;
  /** FFA_FEATURES only: the answer is FFA_SUCCESS (a well-formed "supported"). */
  readonly success: boolean;
  /** Short text: "SUCCESS", "NOT_SUPPORTED", "INVALID_PARAMETERS", "v1.2", "FFA_MSG_SEND_DIRECT_RESP" ... */
  readonly text: string;
}

export interface ConfigProbe {
  readonly config: Config;
  /** What the host's FFA_VERSION(version) answered (w0 as text). */
  readonly versionAnswer: string;
  /** The host got the version it asked for (the rest of the probe is meaningful). */
  readonly negotiated: boolean;
  /** pKVM's hyp_ffa_version after `__pkvm_init` (its own FFA_VERSION(1.2) to EL3); null without pKVM. */
  readonly hypVersion: number | null;
  readonly features: ReadonlyMap<number, Answer>;
  readonly calls: ReadonlyMap<number, Answer>;
  /** IDs whose FFA_FEATURES answer changed across the probe calls (must stay empty). */
  readonly unstable: readonly number[];
}

const W = (v: number): bigint => BigInt(v >>> 0);

function classify(x: readonly bigint[], stop: StopReason): Answer {
  if (stop !== StopReason.Returned) return { ns: false, success: false, text: `did not return (${STOP_REASON_NAMES[stop] ?? stop})` };
  const w0 = Number(x[0]! & 0xffffffffn) >>> 0;
  const w2 = Number(x[2]! & 0xffffffffn) | 0;
  if (w0 === 0xffffffff) return { ns: true, success: false, text: 'NOT_SUPPORTED' };
  if (w0 === A.FFA_ERROR) {
    const name = A.ffaStatusName(w2) ?? `FFA_ERROR(${w2})`;
    return { ns: w2 === A.FFA_RET_NOT_SUPPORTED, success: false, text: name };
  }
  if (w0 === A.FFA_SUCCESS || w0 === A.FFA_SUCCESS_64) return { ns: false, success: true, text: 'SUCCESS' };
  if (w0 <= 0x7fffffff && (w0 >>> 16) === 1) return { ns: false, success: false, text: `v${A.ffaVersionString(w0)}` };
  return { ns: false, success: false, text: A.smcFunctionName(w0) ?? hex(w0) };
}

/** The neutral arguments of the probe call for `id`. */
function probeArgs(id: number, version: number): bigint[] {
  if (id === A.FFA_VERSION) return [W(id), W(version)];
  if (id === A.FFA_FEATURES) return [W(id), W(A.FFA_VERSION)];
  return [W(id)];
}

/** Build, boot, negotiate and probe one configuration. */
export function probeConfig(config: Config, ids: readonly number[] = [...allocatedIds(), ...unallocatedIds()]): ConfigProbe {
  const w = createWorld({
    el2: config.el2,
    spmc: config.placement,
    spmcVersion: config.version,
    policy: { spmc: config.policy },
    boot: config.el2 === 'pkvm' ? 'pkvm-ready' : 'reset',
  });
  w.boot();
  const hypVersion = w.pkvm === null ? null : w.pkvm.beliefs().hypFfaVersion;
  const v = w.smc([W(A.FFA_VERSION), W(config.version)]);
  const version = classify(v.x, v.stop);
  const negotiated = v.stop === StopReason.Returned && v.x[0] === W(config.version);
  const ask = (id: number): Answer => {
    const r = w.smc([W(A.FFA_FEATURES), W(id)]);
    return classify(r.x, r.stop);
  };
  const features = new Map<number, Answer>();
  for (const id of ids) features.set(id, ask(id));
  const calls = new Map<number, Answer>();
  for (const id of ids) {
    const r = w.smc(probeArgs(id, config.version));
    calls.set(id, classify(r.x, r.stop));
  }
  const unstable: number[] = [];
  for (const id of allocatedIds()) {
    if (!ids.includes(id)) continue;
    if (ask(id).text !== features.get(id)!.text) unstable.push(id);
  }
  return { config, versionAnswer: version.text, negotiated, hypVersion, features, calls, unstable };
}

export interface Coverage {
  readonly probes: readonly ConfigProbe[];
}

export function collectCoverage(): Coverage {
  return { probes: allConfigs().map((c) => probeConfig(c)) };
}

// ---------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------

/** FFA_FEATURES says "supported" (FFA_SUCCESS) for this ID in this configuration. */
function supported(p: ConfigProbe, id: number): boolean { return p.features.get(id)!.success; }

export interface Disagreement {
  readonly id: number;
  readonly config: Config;
  /** FFA_FEATURES' answer ("SUCCESS", "NOT_SUPPORTED", or something that is neither). */
  readonly features: string;
  /** What the call answered. */
  readonly call: string;
}

/**
 * Every negotiated configuration and ID (allocated or not) where FFA_FEATURES and the call disagree:
 * FEATURES NOT_SUPPORTED and the call answers something else, FEATURES SUCCESS and the call answers
 * NOT_SUPPORTED, or FEATURES answers neither SUCCESS nor NOT_SUPPORTED.
 */
export function disagreements(cov: Coverage): Disagreement[] {
  const out: Disagreement[] = [];
  for (const p of cov.probes) {
    if (!p.negotiated) continue;
    for (const [id, f] of p.features) {
      const c = p.calls.get(id)!;
      const ok = (f.success && !c.ns) || (f.ns && c.ns);
      if (!ok) out.push({ id, config: p.config, features: f.text, call: c.text });
    }
  }
  return out;
}

/** Compact description of a set of configurations ("no EL2 and pKVM, S-EL1 and EL3, v1.0-v1.2, all policies"). */
export function describeConfigs(configs: readonly Config[]): string {
  const key = (c: Config) => `${c.el2}|${c.placement}|${c.version}|${c.policy}`;
  const set = new Set(configs.map(key));
  const parts: string[] = [];
  // Split by EL2 and policy until each group is a full product of placements x versions.
  for (const el2 of EL2S) {
    const inEl2 = configs.filter((c) => c.el2 === el2);
    if (inEl2.length === 0) continue;
    const groups = new Map<string, Config[]>();
    for (const c of inEl2) {
      // Group policies with identical (placement, version) sets.
      const sig = PLACEMENTS.map((pl) => VERSIONS.filter((v) => set.has(`${el2}|${pl}|${v}|${c.policy}`)).join(',')).join(';');
      const g = groups.get(sig) ?? [];
      g.push(c);
      groups.set(sig, g);
    }
    for (const g of groups.values()) {
      const policies = POLICIES.filter((p) => g.some((c) => c.policy === p));
      const byPlacement = PLACEMENTS.map((pl) => ({ pl, versions: VERSIONS.filter((v) => g.some((c) => c.placement === pl && c.version === v)) }))
        .filter((x) => x.versions.length > 0);
      const same = byPlacement.every((x) => x.versions.join() === byPlacement[0]!.versions.join());
      const where = same
        ? `${byPlacement.map((x) => placementName(x.pl)).join('+')} ${versionList(byPlacement[0]!.versions)}`
        : byPlacement.map((x) => `${placementName(x.pl)} ${versionList(x.versions)}`).join(', ');
      parts.push(`${el2 === 'pkvm' ? 'pKVM' : 'no EL2'}: ${where}; ${policies.length === POLICIES.length ? 'all policies' : policies.join('/')}`);
    }
  }
  return parts.join(' | ');
}

function versionList(vs: readonly number[]): string {
  if (vs.length === VERSIONS.length) return 'v1.0-v1.2';
  return vs.map((v) => `v${A.ffaVersionString(v)}`).join('/');
}

/**
 * Why a known disagreement exists, by "NAME|FEATURES answer|call answer". Only the explanation is
 * written by hand; which disagreements exist is measured. A new one shows as "not explained".
 */
const WHY: Readonly<Record<string, string>> = (() => {
  const returnForm = 'a return form: FFA_FEATURES reports it to every instance, as Hafnium and TF-A do; the Normal world cannot invoke it (docs/ffa-policies.md, "Choices made everywhere")';
  const resp = 'a secure-instance ABI: FFA_FEATURES reports it to partitions only (TF-A); invoked from the Normal world it is INVALID_PARAMETERS, as in Hafnium and TF-A (ACS v1.1 expects an FFA_ERROR); pKVM\'s deny list answers NOT_SUPPORTED both ways';
  return {
    'FFA_ERROR|SUCCESS|NOT_SUPPORTED': returnForm,
    'FFA_SUCCESS|SUCCESS|NOT_SUPPORTED': returnForm,
    'FFA_SUCCESS_64|SUCCESS|NOT_SUPPORTED': returnForm,
    'FFA_INTERRUPT|SUCCESS|NOT_SUPPORTED': returnForm,
    'FFA_MSG_SEND_DIRECT_RESP|NOT_SUPPORTED|INVALID_PARAMETERS': resp,
    'FFA_MSG_SEND_DIRECT_RESP_64|NOT_SUPPORTED|INVALID_PARAMETERS': resp,
    'FFA_MSG_SEND_DIRECT_RESP2|NOT_SUPPORTED|INVALID_PARAMETERS': resp,
    'FFA_MEM_RETRIEVE_RESP|SUCCESS|NOT_SUPPORTED': 'implemented as the relayer\'s response and reported by FFA_FEATURES, as Hafnium does; an endpoint cannot invoke it (src/firmware/spmc/memory.ts)',
    'FFA_MEM_RELINQUISH|NOT_SUPPORTED|INVALID_PARAMETERS': 'TF-A\'s EL3 SPMC: FFA_FEATURES offers it to partitions only, and a Normal-world call fails "unsupported relinquish direction" with INVALID_PARAMETERS before anything else (docs/ffa-policies.md)',
    'FFA_NORMAL_WORLD_RESUME|NOT_SUPPORTED|DENIED': 'TF-A\'s SPMD answers DENIED when no secure interrupt is being handled; FFA_FEATURES is the SPMC\'s, which does not implement it (docs/ffa-policies.md)',
  };
})();

/** Disagreements grouped by (ID, FEATURES answer, call answer), in ID order; one line each. */
export function disagreementLines(cov: Coverage): string[] {
  return disagreementGroups(cov).map((g) => `${idName(g.id)}: FFA_FEATURES ${g.features}, call ${g.call} [${describeConfigs(g.configs)}]`);
}

/** The same, each with its explanation (for the doc). */
function explainedDisagreements(cov: Coverage): string[] {
  return disagreementGroups(cov).map((g) => {
    const why = WHY[`${idName(g.id)}|${g.features}|${g.call}`] ?? '**not explained**: a new disagreement';
    return `${idName(g.id)}: FFA_FEATURES ${g.features}, call ${g.call} [${describeConfigs(g.configs)}]\n  - ${why}`;
  });
}

function disagreementGroups(cov: Coverage): { id: number; features: string; call: string; configs: Config[] }[] {
  const groups = new Map<string, { id: number; features: string; call: string; configs: Config[] }>();
  for (const d of disagreements(cov)) {
    const k = `${d.id}|${d.features}|${d.call}`;
    const g = groups.get(k) ?? { id: d.id, features: d.features, call: d.call, configs: [] };
    g.configs.push(d.config);
    groups.set(k, g);
  }
  const order = [...allocatedIds(), ...unallocatedIds()];
  return [...groups.values()]
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id) || a.features.localeCompare(b.features) || a.call.localeCompare(b.call));
}

// ---------------------------------------------------------------------------------------------
// The summary table
// ---------------------------------------------------------------------------------------------

function probeOf(cov: Coverage, c: Config): ConfigProbe {
  const p = cov.probes.find((x) => x.config.placement === c.placement && x.config.el2 === c.el2 && x.config.version === c.version && x.config.policy === c.policy);
  if (p === undefined) throw new Error(`no probe for ${configKey(c)}`);
  return p;
}

function idsOf(f: A.FfaFunctionInfo): number[] {
  const ids: number[] = [];
  if (f.smc32 !== undefined) ids.push(f.smc32);
  if (f.smc64 !== undefined) ids.push(f.smc64);
  return ids;
}

/** "✓", "NOT_SUPPORTED", or "✓ (64-bit only)" ... for one EL2 setting; null when the host could not negotiate. */
function supportText(cov: Coverage, f: A.FfaFunctionInfo, version: number, policy: SpmcPolicy, el2: El2): string | null {
  const ids = idsOf(f);
  const yes: { id: number; pl: Placement }[] = [];
  let total = 0;
  for (const pl of PLACEMENTS) {
    const p = probeOf(cov, { placement: pl, el2, version, policy });
    if (!p.negotiated) return null;
    for (const id of ids) { total++; if (supported(p, id)) yes.push({ id, pl }); }
  }
  if (yes.length === total) return '✓';
  if (yes.length === 0) return 'NOT_SUPPORTED';
  const widthOnly = ids.length === 2 && PLACEMENTS.every((pl) => ids.every((id) => yes.some((y) => y.id === id && y.pl === pl) === yes.some((y) => y.id === id)));
  if (widthOnly) return `✓ (${yes[0]!.id === f.smc64 ? '64' : '32'}-bit only)`;
  const placementOnly = PLACEMENTS.every((pl) => ids.every((id) => yes.some((y) => y.id === id && y.pl === pl) === yes.some((y) => y.pl === pl)));
  if (placementOnly) return `✓ (${placementName(yes[0]!.pl)} SPMC only)`;
  return `✓ (${yes.map((y) => `${idName(y.id)} at ${placementName(y.pl)}`).join(', ')})`;
}

/** The cell for a version: the native answer, then pKVM's when it differs; null parts say "cannot negotiate". */
function cell(cov: Coverage, f: A.FfaFunctionInfo, version: number, policy: SpmcPolicy): string {
  const native = supportText(cov, f, version, policy, 'none');
  const pkvm = supportText(cov, f, version, policy, 'pkvm');
  const n = native ?? 'no negotiation';
  if (pkvm === native) return n;
  return `${n}; pKVM: ${pkvm ?? 'no negotiation'}`;
}

/** Does any negotiated configuration of this policy disagree for one of f's IDs at `version`? */
function disagreesAt(ds: readonly Disagreement[], f: A.FfaFunctionInfo, version: number, policy: SpmcPolicy): boolean {
  const ids = idsOf(f);
  return ds.some((d) => ids.includes(d.id) && d.config.version === version && d.config.policy === policy);
}

/** Notes read from the SPMC's ABI table (src/firmware/spmc/abi-table.ts) at v1.2, spec policy. */
function tableNotes(f: A.FfaFunctionInfo): string[] {
  const table = buildAbiTable(A.FFA_VERSION_1_2, MAIN_POLICY, 0x10002);
  const notes: string[] = [];
  for (const id of idsOf(f)) {
    const r = table[abiIndex(id)];
    if (r === null || r === undefined) continue;
    if (r.returnForm && !notes.includes('a return form')) notes.push('a return form');
    if (!r.returnForm && (r.callers & FROM_NWD) === 0 && (r.callers & FROM_SP) !== 0 && !notes.includes('partitions only')) notes.push('partitions only');
  }
  return notes;
}

function versionsText(vs: readonly number[]): string {
  return vs.length === VERSIONS.length ? '' : ` at ${vs.map((v) => `v${A.ffaVersionString(v)}`).join('/')}`;
}

function policyNotes(cov: Coverage, f: A.FfaFunctionInfo): string[] {
  const notes: string[] = [];
  for (const policy of POLICIES) {
    if (policy === MAIN_POLICY) continue;
    for (const el2 of EL2S) {
      // The versions where this policy's answer differs from the main one (both negotiated), by text.
      const byText = new Map<string, number[]>();
      for (const v of VERSIONS) {
        const mine = supportText(cov, f, v, policy, el2);
        const main = supportText(cov, f, v, MAIN_POLICY, el2);
        if (mine === null || main === null || mine === main) continue;
        const vs = byText.get(mine) ?? [];
        vs.push(v);
        byText.set(mine, vs);
      }
      for (const [text, vs] of byText) notes.push(`\`${policy}\`${el2 === 'pkvm' ? ', pKVM' : ''}${versionsText(vs)}: ${text}`);
    }
  }
  return notes;
}

function disagreementNote(ds: readonly Disagreement[], f: A.FfaFunctionInfo): string[] {
  const ids = idsOf(f);
  const byText = new Map<string, Set<number>>();
  for (const d of ds) {
    if (!ids.includes(d.id) || d.config.policy !== MAIN_POLICY) continue;
    const k = `FEATURES ${d.features === 'SUCCESS' ? '✓' : d.features}, call ${d.call}`;
    const g = byText.get(k) ?? new Set<number>();
    g.add(d.id);
    byText.set(k, g);
  }
  return [...byText.entries()].map(([k, g]) => `† ${g.size === ids.length ? '' : `${[...g].map(idName).join(', ')}: `}${k}`);
}

const TABLE_HEAD = '| Function | ID(s) | v1.0 | v1.1 | v1.2 | Notes |\n|---|---|---|---|---|---|';

/** The compact table: one row per FF-A function, the main policy, both placements, pKVM where it differs. */
export function renderTable(cov: Coverage): string {
  const ds = disagreements(cov);
  const rows: string[] = [TABLE_HEAD];
  for (const f of A.FFA_FUNCTIONS) {
    const cells = VERSIONS.map((v) => cell(cov, f, v, MAIN_POLICY) + (disagreesAt(ds, f, v, MAIN_POLICY) ? ' †' : ''));
    const notes = [...tableNotes(f), ...disagreementNote(ds, f), ...policyNotes(cov, f)];
    rows.push(`| ${f.base} | ${idsOf(f).map(hex).join(', ')} | ${cells.join(' | ')} | ${notes.join('; ')} |`);
  }
  return rows.join('\n');
}

function counts(cov: Coverage): { functions: number; ids: number; configs: number; negotiated: number; unallocated: number } {
  return {
    functions: A.FFA_FUNCTIONS.length,
    ids: allocatedIds().length,
    configs: cov.probes.length,
    negotiated: cov.probes.filter((p) => p.negotiated).length,
    unallocated: unallocatedIds().length,
  };
}

const GENERATED = '<!-- Generated by `npx tsx tools/docs/ffa-coverage.ts` from the running machine: do not edit by hand (test/docs/ffa-coverage.test.ts fails when it is stale). -->';

/** The README section, heading included, ending with one newline. */
export function renderReadmeSection(cov: Coverage): string {
  const n = counts(cov);
  const ds = disagreementLines(cov);
  const failed = cov.probes.filter((p) => !p.negotiated).map((p) => p.config);
  const noNegotiation = failed.length === 0 ? '' : ` The host cannot negotiate its version in ${failed.length} of the ${n.configs}
configurations (${describeConfigs(failed)}); see the doc.`;
  return `${README_HEADING}

${GENERATED}

Measured, not declared: on a booted machine per configuration, the host at NS-EL1 negotiates the SPMC's
version, asks FFA_FEATURES for each of the ${n.ids} FF-A function IDs and invokes each with neutral
arguments. Policy \`${MAIN_POLICY}\`; the S-EL1 and EL3 SPMC placements and both widths agree unless a cell
says otherwise; "pKVM:" is what the host gets through pKVM at EL2 where that differs. "partitions only"
and "a return form" come from the SPMC's ABI table; \`hafnium\`/\`tf-a\` notes are the other SPMC policies
(docs/ffa-policies.md). † = FFA_FEATURES and the call disagree (${ds.length} groups over all configurations,
each explained in the doc).${noNegotiation} Full matrix and every answer: [docs/ffa-coverage.md](docs/ffa-coverage.md).

${renderTable(cov)}
`;
}

// ---------------------------------------------------------------------------------------------
// The full document
// ---------------------------------------------------------------------------------------------

function mark(p: ConfigProbe, id: number): string {
  const f = p.features.get(id)!, c = p.calls.get(id)!;
  if (f.success && !c.ns) return '✓';
  if (f.ns && c.ns) return '·';
  if (f.success) return 'F✓ C✗';
  if (f.ns) return 'F✗ C✓';
  return `F? (${f.text})`;
}

function matrix(cov: Coverage, policy: SpmcPolicy): string {
  const cols: Config[] = [];
  for (const el2 of EL2S) for (const placement of PLACEMENTS) for (const version of VERSIONS) cols.push({ el2, placement, version, policy });
  const head = `| ID | Name | ${cols.map((c) => `${c.el2 === 'pkvm' ? 'pKVM ' : ''}${placementName(c.placement)} ${A.ffaVersionString(c.version)}`).join(' | ')} |`;
  const rule = `|---|---|${cols.map(() => '---').join('|')}|`;
  const rows = [head, rule];
  const probes = cols.map((c) => probeOf(cov, c));
  for (const id of allocatedIds()) {
    rows.push(`| ${hex(id)} | ${idName(id)} | ${probes.map((p) => (p.negotiated ? mark(p, id) : 'n/a')).join(' | ')} |`);
  }
  return rows.join('\n');
}

function answersSection(cov: Coverage): string {
  const lines: string[] = [];
  for (const id of allocatedIds()) {
    const byText = new Map<string, Config[]>();
    for (const p of cov.probes) {
      if (!p.negotiated) continue;
      const t = p.calls.get(id)!.text;
      const g = byText.get(t) ?? [];
      g.push(p.config);
      byText.set(t, g);
    }
    const parts = [...byText.entries()].map(([t, cs]) => (byText.size === 1 ? `${t} (everywhere)` : `${t} [${describeConfigs(cs)}]`));
    lines.push(`- \`${idName(id)}\` (${hex(id)}): ${parts.join('; ')}`);
  }
  return lines.join('\n');
}

function unallocatedSection(cov: Coverage): string {
  const ids = unallocatedIds();
  const odd: string[] = [];
  for (const p of cov.probes) {
    if (!p.negotiated) continue;
    for (const id of ids) {
      const f = p.features.get(id)!, c = p.calls.get(id)!;
      if (!(f.ns && c.ns)) odd.push(`${hex(id)} [${configKey(p.config)}]: FFA_FEATURES ${f.text}, call ${c.text}`);
    }
  }
  const head = `The ${ids.length} unallocated IDs of the FF-A range (function numbers 0x60-0xFF, SMC32 and SMC64,
not in FFA_FUNCTIONS) were probed the same way in every negotiated configuration:`;
  if (odd.length === 0) return `${head} FFA_FEATURES and the call both answer NOT_SUPPORTED for all of them.`;
  return `${head} all answer NOT_SUPPORTED both ways except:\n\n${odd.map((l) => `- ${l}`).join('\n')}`;
}

function configsSection(cov: Coverage): string {
  const rows = ['| Configuration | pKVM hyp_ffa_version after `__pkvm_init` | Host FFA_VERSION answer | Probed |', '|---|---|---|---|'];
  for (const p of cov.probes) {
    const hyp = p.hypVersion === null ? '-' : p.hypVersion === 0 ? '0 (EL3 refused FFA_VERSION(1.2): proxy inert)' : `v${A.ffaVersionString(p.hypVersion)}`;
    rows.push(`| ${configKey(p.config)} | ${hyp} | ${p.versionAnswer} | ${p.negotiated ? 'yes' : 'no: the host did not get its version'} |`);
  }
  return rows.join('\n');
}

function policyDiffSection(cov: Coverage): string {
  const lines: string[] = [];
  for (const policy of POLICIES) {
    if (policy === MAIN_POLICY) continue;
    for (const el2 of EL2S) for (const placement of PLACEMENTS) for (const version of VERSIONS) {
      const mine = probeOf(cov, { el2, placement, version, policy });
      const main = probeOf(cov, { el2, placement, version, policy: MAIN_POLICY });
      if (!mine.negotiated || !main.negotiated) continue;
      const diffs: string[] = [];
      for (const id of allocatedIds()) {
        const a = mark(main, id), b = mark(mine, id);
        const ca = main.calls.get(id)!.text, cb = mine.calls.get(id)!.text;
        if (a !== b || ca !== cb) diffs.push(`\`${idName(id)}\` ${a} ${ca} -> ${b} ${cb}`);
      }
      if (diffs.length > 0) lines.push(`- **${configKey(mine.config)}** (vs \`${MAIN_POLICY}\`): ${diffs.join('; ')}`);
    }
  }
  return lines.join('\n');
}

/** docs/ffa-coverage.md, whole. */
export function renderDoc(cov: Coverage): string {
  const n = counts(cov);
  const ds = explainedDisagreements(cov);
  const notNegotiated = cov.probes.filter((p) => !p.negotiated);
  const unstable = cov.probes.filter((p) => p.unstable.length > 0).map((p) => `${configKey(p.config)}: ${p.unstable.map(idName).join(', ')}`);
  return `# FF-A ABI coverage

${GENERATED}

Measured on the running machine by \`tools/docs/ffa-coverage.ts\`: for each of ${n.configs} configurations
(SPMC version 1.0/1.1/1.2 x placement S-EL1/EL3 x EL2 none/pKVM x SPMC policy ${POLICIES.map((p) => `\`${p}\``).join('/')}),
a world is built with \`createWorld\` and booted from reset (with pKVM: \`boot: "pkvm-ready"\`, so Linux's
\`__pkvm_init\` and \`__pkvm_prot_finalize\` have run); the host at NS-EL1 negotiates the SPMC's version with
FFA_VERSION; then, by real host SMCs, for each of the ${n.ids} allocated FF-A function IDs and the
${n.unallocated} unallocated ones:

1. FFA_FEATURES(id) (w2 = 0);
2. the call itself with neutral arguments: x1-x17 = 0, except FFA_VERSION (asks for the negotiated
   version) and FFA_FEATURES (asks about FFA_VERSION). The answer counts as NOT_SUPPORTED when it is
   FFA_ERROR with w2 = -1, or w0 = -1 (FFA_VERSION, SMCCC);
3. FFA_FEATURES(id) again for every allocated ID: the answers must not have changed (${unstable.length === 0 ? 'they did not' : `they did: ${unstable.join('; ')}`}).

FFA_FEATURES saying NOT_SUPPORTED should be equivalent to the call answering NOT_SUPPORTED.
Everything here is what the Normal world sees; partitions (S-EL0/S-EL1) are not probed.

## Summary (policy \`${MAIN_POLICY}\`)

${renderTable(cov)}

## Where FFA_FEATURES and the call disagree

${ds.length} groups (ID, FFA_FEATURES answer, call answer, configurations), over all negotiated
configurations and policies. test/docs/ffa-coverage.test.ts asserts this exact list.

${ds.map((l) => `- ${l}`).join('\n')}

${unallocatedSection(cov)}

## Configurations

${notNegotiated.length} of ${n.configs} configurations do not give the host the version it asks for; they are left out of
the tables and the disagreement list. pKVM asks EL3 for FFA_VERSION(1.2) once, at \`__pkvm_init\`, and
the host's own FFA_VERSION then only runs \`hyp_ffa_post_init\` (FFA_ID_GET, FFA_FEATURES(RXTX_MAP_64)):
an SPMC that refuses a higher version (\`hafnium\`) leaves hyp_ffa_version at 0 and the host is told
v0.0 (reference pkvm-ffa.md 4.1, "Corner case"); one that answers without recording it (\`tf-a\`,
whose Normal world starts at no version) fails post_init's FFA_FEATURES, so the host gets NOT_SUPPORTED.
A v1.0 SPMC at S-EL1 is answered by the SPMD itself and negotiates.

${configsSection(cov)}

## Full matrix (policy \`${MAIN_POLICY}\`)

✓ = FFA_FEATURES SUCCESS and the call is not NOT_SUPPORTED; · = both NOT_SUPPORTED;
F✓ C✗ = FFA_FEATURES SUCCESS, call NOT_SUPPORTED; F✗ C✓ = FFA_FEATURES NOT_SUPPORTED, call answered
something else; F? = FFA_FEATURES answered neither.

${matrix(cov, MAIN_POLICY)}

## The other policies, where they differ from \`${MAIN_POLICY}\`

Per configuration, each ID whose mark or call answer differs: \`name\` mark answer -> mark answer.

${policyDiffSection(cov)}

## What each probe call answered

Over all negotiated configurations.

${answersSection(cov)}
`;
}

// ---------------------------------------------------------------------------------------------
// README splicing
// ---------------------------------------------------------------------------------------------

/** The README's "## FF-A coverage" section (heading to the next "## " heading), or null. */
export function readmeSection(readme: string): string | null {
  const start = readme.indexOf(`\n${README_HEADING}\n`);
  if (start < 0) return null;
  const from = start + 1;
  const next = readme.indexOf('\n## ', from + README_HEADING.length);
  return (next < 0 ? readme.slice(from) : readme.slice(from, next + 1)).replace(/\n+$/, '\n');
}

/**
 * The README with its "## FF-A coverage" section replaced by `section`, or, when there is none,
 * `section` inserted before `before` (a heading) or appended.
 */
export function spliceReadme(readme: string, section: string, before = '## Layout'): string {
  const old = readmeSection(readme);
  const body = section.endsWith('\n') ? section : `${section}\n`;
  if (old !== null) {
    const at = readme.indexOf(`\n${README_HEADING}\n`) + 1;
    const rest = readme.slice(at + old.length).replace(/^\n+/, '');
    return readme.slice(0, at) + body + (rest.length > 0 ? `\n${rest}` : '');
  }
  const b = readme.indexOf(`\n${before}\n`);
  if (b < 0) return `${readme.replace(/\n*$/, '\n\n')}${body}`;
  return `${readme.slice(0, b + 1)}${body}\n${readme.slice(b + 1)}`;
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const cov = collectCoverage();
  const doc = renderDoc(cov);
  const section = renderReadmeSection(cov);
  const readme = readFileSync(README_PATH, 'utf8');
  const newReadme = spliceReadme(readme, section);
  if (check) {
    let stale = false;
    if (readFileSync(DOC_PATH, 'utf8') !== doc) { process.stderr.write('docs/ffa-coverage.md is stale\n'); stale = true; }
    if (readmeSection(readme) !== readmeSection(newReadme)) { process.stderr.write('README.md "FF-A coverage" is stale\n'); stale = true; }
    return stale ? 1 : 0;
  }
  writeFileSync(DOC_PATH, doc);
  if (newReadme !== readme) writeFileSync(README_PATH, newReadme);
  const ds = disagreementLines(cov);
  process.stdout.write(`wrote docs/ffa-coverage.md and README.md "${README_HEADING.slice(3)}": ${cov.probes.length} configurations, ${ds.length} disagreement groups\n`);
  for (const l of ds) process.stdout.write(`  ${l}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
