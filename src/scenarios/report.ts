/**
 * The scenario report: per scenario, the initcall timeline with every host call (its result, cycles,
 * and the EL path it took), what each party believes at the end (the host kernel, pKVM, the SPMC),
 * and every disagreement and failure in plain words; then a side-by-side table across scenarios.
 *
 * `ScenarioResult` is the typed, JSON-safe object (`--json`): 64-bit values are hex strings.
 * The views of pKVM and the SPMC are normalised here (PkvmView, SpmcView) so the report does not
 * depend on how those components store their state; scenarios/observe.ts builds them.
 */
import { type CyclesByEl, formatCyclesByEl } from '../timing/accounting.js';
import { FFA_ERROR, FFA_FEATURES, FFA_VERSION, ffaFunctionName, ffaStatusName, smcFunctionName } from '../ffa/abi.js';
import type { ElLabel, HostCallRecord } from '../firmware/host/conduit.js';
import { errnoName } from '../firmware/host/driver-core.js';
import { type FfaHostBeliefs, describeResult } from '../firmware/host/ffa-driver.js';
import { HOST_HYPERCALLS, INITCALL_SOURCES, type InitcallRun, type KernelBeliefs, type DmesgLine } from '../firmware/host/kernel.js';
import { phaseName } from '../firmware/host/initcalls.js';
import type { ScenarioDef } from './builtin.js';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export interface CallView {
  seq: number;
  /** Who made it: "ffa_init", "deferred_probe_initcall > arm-ffa root probe". */
  caller: string;
  conduit: 'smc' | 'hvc';
  /** Function ID, hex ("0x84000063"), and its name ("FFA_VERSION", "__pkvm_init"). */
  fid: string;
  name: string;
  /** x0..x7 in and out, hex. */
  args: string[];
  result: string[];
  /** "version 1.2", "FFA_SUCCESS", "FFA_ERROR INVALID_PARAMETERS", "FFA_MSG_SEND_DIRECT_RESP_64". */
  outcome: string;
  /** The FF-A status name when the call failed (FFA_ERROR w2, or VERSION's NOT_SUPPORTED), else null. */
  error: string | null;
  cycleStart: number;
  cycles: number;
  path: ElLabel[];
  /** "EL1→EL2→EL3→S-EL1→EL3→EL2→EL1" */
  pathText: string;
  answeredBy: ElLabel;
  exception: { ec: string; esr: string } | null;
}

export interface InitcallView {
  name: string;
  phase: string;
  linkOrder: number;
  source: string;
  ret: number;
  retName: string;
  cycleStart: number;
  cycleEnd: number;
  /** seq numbers of the host calls made while it ran. */
  calls: number[];
}

export interface HostView extends FfaHostBeliefs {
  kernel: KernelBeliefs;
}

export interface PageStateView {
  pa: string;
  /** pKVM's host and hyp page states ("OWNED", "SHARED_OWNED", "SHARED_BORROWED", "NOPAGE"). */
  host: string;
  hyp: string;
}

export interface PkvmView {
  /** pKVM installed at EL2 (after __pkvm_init). */
  present: boolean;
  /** HCR_EL2.TSC: host SMCs trap to EL2. */
  trapsHostSmc: boolean;
  finalised: boolean;
  /** hyp_ffa_version: the version pKVM negotiated with the SPMC at hyp_ffa_init (null: none). */
  hypFfaVersion: string | null;
  /** has_version_negotiated: the host's FFA_VERSION went through pKVM. */
  hostNegotiated: boolean;
  /** The host TX/RX pKVM registered (host_buffers), or null. */
  hostBuffers: { tx: string; rx: string } | null;
  /** pKVM's own mailbox (hyp_buffers), or null when not set up. */
  hypMailbox: { tx: string; rx: string } | null;
  directReqBeforeVersion: string;
  /** Pages shared between host and hyp (host SHARED_OWNED / hyp SHARED_BORROWED) and their states. */
  sharedPages: PageStateView[];
  /** States of the pages the report looks at (host TX/RX, the SPMC's endpoint-0 mailbox). */
  pagesOfInterest: PageStateView[];
}

export interface SpmcView {
  present: boolean;
  /** The SPMC's own FF-A version. */
  version: string | null;
  endpoint0: {
    /** The version recorded for endpoint 0 (null: never negotiated). */
    version: string | null;
    /** Its negotiation phase is over (DEN0077A v1.2 13.2.2), for the SPMD or the SPMC. */
    negotiationClosed: boolean;
    /** Which of them consider it over: the SPMD at EL3 (it answers some calls itself) and/or the SPMC. */
    closedBy: ('SPMD' | 'SPMC')[];
    /** The physical pages it holds as endpoint 0's TX/RX, or null. */
    mailbox: { tx: string; rx: string; pages: number } | null;
  };
}

/** How the SPMC's negotiation for endpoint 0 came to close (from sampling after each host call). */
export interface NegotiationClosure {
  /** The host call after which it was first seen closed (null: already closed when the host started;
   *  for `hyp`, the hypercall during which pKVM's own FF-A calls closed it). */
  seq: number | null;
  caller: string | null;
  call: string | null;
  /** host-direct: the host reached the SPMC without pKVM; forwarded-before-host-negotiated: pKVM let a
   *  non-VERSION call through before the host negotiated; after-host-negotiated: the normal path;
   *  hyp: pKVM's own calls (hyp_ffa_init) closed it, not a host FF-A call. */
  how: 'host-direct' | 'forwarded-before-host-negotiated' | 'after-host-negotiated' | 'hyp';
}

export type FindingKind = 'disagreement' | 'failure' | 'spec-violation';
export interface Finding {
  kind: FindingKind;
  text: string;
}

/** One column of the side-by-side table. */
export interface ScenarioSummary {
  ffaCoreInit: string;
  hostFfaPath: string;
  hostVersion: string;
  hostRxTx: string;
  pkvmHostNegotiated: string;
  pkvmHostBuffers: string;
  spmcMailbox: string;
  spmcNegotiation: string;
  tpm: string;
  uefiCerts: string;
  specViolations: number;
  disagreements: number;
  failures: number;
  hostCalls: number;
  cycles: number;
  /** Cycles per EL and world, `EL1 / EL2 / EL3 / S-EL1 / S-EL0` ("" without a real machine). */
  cyclesByEl: string;
}

export interface ScenarioResult {
  name: string;
  title: string;
  description?: string;
  definition: ScenarioDef;
  initcalls: InitcallView[];
  calls: CallView[];
  dmesg: DmesgLine[];
  beliefs: { host: HostView; pkvm: PkvmView; spmc: SpmcView };
  negotiationClosure: NegotiationClosure | null;
  findings: Finding[];
  summary: ScenarioSummary;
  /** Total CPU cycles at the end of boot (firmware boot included). */
  cycles: number;
  /** Where those cycles were spent, per EL and world (null without a real machine). */
  cyclesByEl: CyclesByEl | null;
  /** Wall-clock milliseconds the scenario took to run (machine creation included). */
  wallMs: number;
}

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

export const hex = (v: bigint | number): string => `0x${(typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt(v)).toString(16)}`;
const w32 = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));
const pageHex = (pa: number): string => `0x${pa.toString(16)}`;

/** Names for the non-FF-A calls the host makes. */
const HYPERCALL_NAMES = HOST_HYPERCALLS;

export function callName(fid: number): string {
  return HYPERCALL_NAMES[fid >>> 0] ?? ffaFunctionName(fid) ?? smcFunctionName(fid) ?? hex(fid >>> 0);
}

/** The FF-A status of a failed call, or null. FEATURES answers are not failures (they are answers). */
export function callError(fid: number, r: readonly bigint[]): string | null {
  if (fid === FFA_VERSION) return (w32(r[0]) | 0) === -1 ? 'NOT_SUPPORTED' : null;
  if (w32(r[0]) === FFA_ERROR) return ffaStatusName(w32(r[2]) | 0) ?? `status ${w32(r[2]) | 0}`;
  return null;
}

export function callView(r: HostCallRecord): CallView {
  const fid = w32(r.args[0]);
  const isHyp = HYPERCALL_NAMES[fid] !== undefined;
  return {
    seq: r.seq,
    caller: r.caller,
    conduit: r.conduit,
    fid: hex(fid),
    name: callName(fid),
    args: r.args.slice(0, 8).map(hex),
    result: r.result.slice(0, 8).map(hex),
    outcome: isHyp ? (r.exception !== null ? `exception EC ${hex(r.exception.ec)}` : `x0=${hex(r.result[0]!)} x1=${hex(r.result[1]!)}`) : describeResult(fid, r.result),
    error: isHyp ? null : callError(fid, r.result),
    cycleStart: r.cycleStart,
    cycles: r.cycles,
    path: [...r.path],
    pathText: r.path.join('→'),
    answeredBy: r.answeredBy,
    exception: r.exception === null ? null : { ec: hex(r.exception.ec), esr: hex(r.exception.esr) },
  };
}

export function initcallView(run: InitcallRun, records: readonly HostCallRecord[]): InitcallView {
  return {
    name: run.name,
    phase: run.phase,
    linkOrder: run.placement.linkOrder,
    source: INITCALL_SOURCES[run.name],
    ret: run.ret,
    retName: run.retName,
    cycleStart: run.cycleStart,
    cycleEnd: run.cycleEnd,
    calls: records.slice(run.firstCall, run.firstCall + run.callCount).map((r) => r.seq),
  };
}

const isFeatures = (c: CallView): boolean => c.fid === hex(FFA_FEATURES);
/** The top-level initcall of a caller path. */
const initcallOf = (caller: string): string => caller.split(' > ')[0]!.replace(/ \(deferred probe work\)$/, '');
/** The innermost actor of a caller path ("tpm_crb_ffa probe arm-ffa-1"). */
const actorOf = (caller: string): string => caller.split(' > ').at(-1)!;

/**
 * Every disagreement between the parties, every failure, every spec violation, in plain words.
 */
export function computeFindings(
  host: HostView, pkvm: PkvmView, spmc: SpmcView, calls: readonly CallView[], closure: NegotiationClosure | null,
  initcalls: readonly InitcallView[],
): Finding[] {
  const out: Finding[] = [];
  const say = (kind: FindingKind, text: string): void => { out.push({ kind, text }); };
  const mbox = spmc.endpoint0.mailbox;
  const hostPages = host.rxtx === null ? [] : [pageHex(host.rxtx.tx), pageHex(host.rxtx.rx)];
  const stateOf = (pa: string): PageStateView | undefined => pkvm.pagesOfInterest.find((p) => p.pa === pa);

  // --- disagreements ---
  if (pkvm.present && host.version !== null && host.rxtx !== null && !pkvm.hostNegotiated) {
    say('disagreement', `the host believes FF-A v${host.version} is negotiated and its RX/TX buffers are mapped; ` +
      'pKVM never saw the host negotiate (has_version_negotiated is false), so it answers every FF-A call but FFA_VERSION with INVALID_PARAMETERS');
  }
  if (pkvm.present && host.rxtx !== null && pkvm.hostBuffers === null) {
    say('disagreement', `the host believes TX ${hostPages[0]} and RX ${hostPages[1]} are its FF-A mailbox; pKVM has no host buffers registered`);
  }
  if (mbox !== null && host.rxtx !== null && (hostPages.includes(mbox.tx) || hostPages.includes(mbox.rx))) {
    if (pkvm.present) {
      const states = [mbox.tx, mbox.rx].map((pa) => `${pa} (${stateOf(pa)?.host ?? 'unknown'})`).join(' and ');
      say('disagreement', `the SPMC holds host pages ${states} as endpoint 0's mailbox that pKVM considers ordinary host memory: ` +
        'the secure world may write pages pKVM could later give to a protected guest');
    }
  }
  if (pkvm.present && pkvm.hostBuffers !== null && pkvm.hypMailbox !== null && mbox !== null &&
    (mbox.tx !== pkvm.hypMailbox.tx || mbox.rx !== pkvm.hypMailbox.rx)) {
    say('disagreement', `pKVM proxies the host's buffers through its mailbox TX ${pkvm.hypMailbox.tx} / RX ${pkvm.hypMailbox.rx}, ` +
      `but the SPMC's endpoint-0 mailbox is TX ${mbox.tx} / RX ${mbox.rx}`);
  }
  if (pkvm.present && pkvm.hostBuffers !== null && mbox === null) {
    say('disagreement', 'pKVM registered the host buffers but the SPMC holds no mailbox for endpoint 0');
  }
  if (host.version !== null && spmc.endpoint0.version !== null && host.version !== spmc.endpoint0.version) {
    say('disagreement', `the host settled on FF-A v${host.version}; the SPMC has endpoint 0 at v${spmc.endpoint0.version}`);
  }
  if (pkvm.present && pkvm.hypFfaVersion !== null && spmc.endpoint0.version !== null && pkvm.hypFfaVersion !== spmc.endpoint0.version) {
    say('disagreement', `pKVM uses FF-A v${pkvm.hypFfaVersion} with the SPMC; the SPMC has endpoint 0 at v${spmc.endpoint0.version}`);
  }
  if (pkvm.present && host.directReq2) {
    say('disagreement', 'the host believes FFA_MSG_SEND_DIRECT_REQ2 is available (the SPMC said so); pKVM answers it NOT_SUPPORTED');
  }
  if (closure?.how === 'host-direct') {
    say('disagreement', `the SPMC's negotiation for endpoint 0 was closed by the host itself (${closure.call} from ${closure.caller}, ` +
      'straight to EL3 before pKVM trapped SMCs): endpoint 0 is the host for the SPMC, not pKVM');
  }

  // --- spec violations ---
  if (closure?.how === 'forwarded-before-host-negotiated') {
    say('spec-violation', `the SPMC's version negotiation for endpoint 0 closed at call #${closure.seq} (${closure.call} from ${closure.caller}, ` +
      'forwarded by pKVM) before the host had negotiated its FF-A version: DEN0077A v1.2 13.2.2 puts FFA_VERSION before any other ABI');
  }

  // --- failures ---
  const failed = (c: CallView): boolean => (c.error !== null && !isFeatures(c)) || c.exception !== null;
  const seqs = (g: readonly CallView[]): string => (g.length === 1 ? `call #${g[0]!.seq}` : `calls #${g.map((x) => x.seq).join(', #')}`);
  const what = (c: CallView): string => `${c.name} ${c.exception !== null ? `took exception EC ${c.exception.ec}` : `got ${c.error}`} from ${c.answeredBy}`;
  const uefi = host.kernel.uefiCerts;
  const uefiCalls = calls.filter((c) => initcallOf(c.caller) === 'load_uefi_certs');
  if (uefi.ran && uefi.failed.length > 0) {
    const bad = uefiCalls.filter(failed);
    const how = bad.length > 0 ? `${what(bad[0]!)} (${seqs(bad)})` : [...new Set(uefi.reads.filter((r) => uefi.failed.includes(r.name)).map((r) => r.efiStatusName))].join(', ');
    say('failure', `load_uefi_certs: ${how}; ${uefi.failed.join(', ')} not loaded ("Couldn't get UEFI ${uefi.failed[0]} list")`);
  }
  const tpm = host.kernel.tpm;
  const tpmCalls = calls.filter((c) => actorOf(c.caller).startsWith('tpm_crb_ffa probe'));
  if (tpm.device !== null && !tpm.bound) {
    const bad = tpmCalls.filter(failed);
    say('failure', `tpm_crb_ffa probe of ${tpm.device} returned ${errnoName(tpm.probeRet ?? 0)}` +
      `${bad.length > 0 ? `: ${what(bad[0]!)} (${seqs(bad)})` : ''}; no TPM for IMA`);
  }
  const groups = new Map<string, CallView[]>();
  for (const c of calls) {
    if (!failed(c) || uefiCalls.includes(c) || tpmCalls.includes(c)) continue;
    const key = `${initcallOf(c.caller)}|${c.name}|${c.error ?? c.outcome}|${c.answeredBy}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const g of groups.values()) {
    const c = g[0]!;
    const actors = new Set(g.map((x) => actorOf(x.caller)));
    const who = actors.size > 1 || initcallOf(c.caller) === actorOf(c.caller) ? initcallOf(c.caller) : `${actorOf(c.caller)} (in ${initcallOf(c.caller)})`;
    say('failure', `${who}: ${what(c)} (${seqs(g)})`);
  }
  for (const ic of initcalls) {
    if (ic.ret !== 0) say('failure', `initcall ${ic.name} returned ${ic.retName}`);
  }
  if (host.failure !== null) say('failure', `the FF-A driver failed: ${host.failure}`);
  if (host.kernel.deferredPending.length > 0) say('failure', `still waiting for deferred probe: ${host.kernel.deferredPending.join(', ')}`);
  return out;
}

export function summarise(
  def: ScenarioDef, host: HostView, pkvm: PkvmView, spmc: SpmcView, calls: readonly CallView[], findings: readonly Finding[],
  closure: NegotiationClosure | null, cycles: number, byEl: CyclesByEl | null = null,
): ScenarioSummary {
  const version = calls.find((c) => c.fid === hex(FFA_VERSION) && c.conduit === 'smc' && !c.caller.startsWith('load_uefi_certs'));
  const coreInitAt = version === undefined ? 'never'
    : `${phaseOfCaller(def, initcallOf(version.caller))} (${version.caller.includes('root probe') ? 'deferred probe' : initcallOf(version.caller)})`;
  const mbox = spmc.endpoint0.mailbox;
  const hostPages = host.rxtx === null ? [] : [pageHex(host.rxtx.tx), pageHex(host.rxtx.rx)];
  const hypPages = pkvm.hypMailbox === null ? [] : [pkvm.hypMailbox.tx, pkvm.hypMailbox.rx];
  const mailbox = mbox === null ? 'none' : hostPages.includes(mbox.tx) ? 'host pages' : hypPages.includes(mbox.tx) ? 'pKVM pages' : `other (${mbox.tx})`;
  const uefi = host.kernel.uefiCerts;
  const uefiErr = uefi.reads.find((r) => uefi.failed.includes(r.name));
  const count = (k: FindingKind): number => findings.filter((f) => f.kind === k).length;
  return {
    ffaCoreInit: coreInitAt,
    hostFfaPath: version === undefined ? '-' : version.path.includes('EL2') ? 'via pKVM (EL2)' : 'direct to EL3',
    hostVersion: host.version ?? 'none',
    hostRxTx: host.rxtx === null ? 'not mapped' : 'mapped',
    pkvmHostNegotiated: !pkvm.present ? 'no pKVM' : pkvm.hostNegotiated ? 'yes' : 'no',
    pkvmHostBuffers: !pkvm.present ? '-' : pkvm.hostBuffers === null ? 'none' : 'registered',
    spmcMailbox: mailbox,
    spmcNegotiation: closure === null ? (spmc.endpoint0.negotiationClosed ? 'closed' : 'open')
      : { 'host-direct': 'closed by host', 'forwarded-before-host-negotiated': 'closed early', 'after-host-negotiated': 'closed', hyp: 'closed by pKVM' }[closure.how],
    tpm: host.kernel.tpm.device === null ? 'not probed' : host.kernel.tpm.bound ? 'bound' : errnoName(host.kernel.tpm.probeRet ?? 0),
    uefiCerts: !uefi.ran ? 'not run' : uefi.failed.length === 0 ? 'loaded' : `${uefiErr?.reply.replace('FFA_ERROR ', '') ?? 'failed'} (${uefi.failed.length}/${uefi.reads.length})`,
    specViolations: count('spec-violation'),
    disagreements: count('disagreement'),
    failures: count('failure'),
    hostCalls: calls.length,
    cycles,
    cyclesByEl: byEl === null ? '' : [byEl.el1, byEl.el2, byEl.el3, byEl.sel1, byEl.sel0].map((c) => String(Math.round(c))).join(' / '),
  };
}

function phaseOfCaller(def: ScenarioDef, initcall: string): string {
  const p = (def.placements as Record<string, ScenarioDef['placements'][keyof ScenarioDef['placements']]>)[initcall];
  return p === null || p === undefined ? '?' : phaseName(p);
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

export interface RenderOptions {
  /** Include the full dmesg (default false: the timeline already shows the calls). */
  dmesg?: boolean;
  /** Show every argument register (default: x0-x3 in, x0-x3 out). */
  verbose?: boolean;
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const trimRegs = (regs: readonly string[], n: number): string => {
  const r = regs.slice(0, n);
  while (r.length > 1 && r[r.length - 1] === '0x0') r.pop();
  return r.slice(1).map((v, i) => `x${i + 1}=${v}`).join(' ');
};

function renderCall(c: CallView, verbose: boolean): string {
  const args = trimRegs(c.args, verbose ? 8 : 4);
  const flag = c.error !== null && c.fid !== hex(FFA_FEATURES) ? '!' : ' ';
  return `   ${flag}#${lpad(String(c.seq), 3)} ${c.conduit} ${pad(c.name, 26)} ${pad(args, 40)} -> ${pad(c.outcome, 30)} ` +
    `${lpad(String(Math.round(c.cycles)), 6)} cyc  ${c.pathText}  [${c.answeredBy}]` +
    (c.caller.includes(' > ') ? `  (${c.caller.split(' > ').slice(1).join(' > ')})` : '');
}

function uefiText(host: HostView): string {
  const u = host.kernel.uefiCerts;
  if (!u.ran) return 'not run';
  const parts: string[] = [];
  if (u.loaded.length > 0) parts.push(`loaded ${u.loaded.join(', ')}`);
  if (u.absent.length > 0) parts.push(`absent ${u.absent.join(', ')}`);
  if (u.failed.length > 0) parts.push(`FAILED ${u.failed.join(', ')}`);
  return parts.join(', ');
}

/** One scenario as text. */
export function renderScenario(r: ScenarioResult, opts: RenderOptions = {}): string {
  const L: string[] = [];
  L.push(`=== ${r.name}: ${r.title} ===`);
  if (r.description !== undefined) L.push(r.description);
  L.push('');
  L.push('Initcall timeline (cycles; each host call: conduit, function, arguments -> result, cycles, EL path, [who answered])');
  const callsBySeq = new Map(r.calls.map((c) => [c.seq, c]));
  for (const ic of r.initcalls) {
    L.push(`  [${lpad(String(Math.round(ic.cycleStart)), 9)}] ${pad(ic.phase, 12)} ${pad(ic.name, 24)} ${pad(ic.source, 48)} -> ${ic.retName}`);
    for (const seq of ic.calls) L.push(renderCall(callsBySeq.get(seq)!, opts.verbose ?? false));
  }
  const { host, pkvm, spmc } = r.beliefs;
  L.push('');
  L.push('What each party believes at the end');
  L.push(`  host kernel: FF-A ${host.version === null ? 'not negotiated' : `v${host.version}`}, vm id ${host.vmId ?? '-'}, ` +
    `RX/TX ${host.rxtx === null ? 'not mapped' : `TX ${pageHex(host.rxtx.tx)} RX ${pageHex(host.rxtx.rx)} (${host.rxtx.bytes} B)`}, ` +
    `partitions ${host.partitions.length === 0 ? 'none' : host.partitions.map((p) => `0x${p.id.toString(16)} (${p.device})`).join(', ')}`);
  L.push(`               driver ${host.initialised ? 'initialised' : 'not initialised'}${host.failure !== null ? ` (${host.failure})` : ''}; ` +
    `mem ops native ${host.memOpsNative ? 'yes' : 'no'}, DIRECT_REQ2 ${host.directReq2 ? 'yes' : 'no'}, notifications ${host.notifications ? 'on' : 'off'}`);
  L.push(`               TPM (tpm_crb_ffa): ${r.summary.tpm}; UEFI certs: ${uefiText(host)}; ` +
    `is_pkvm_initialized() ${host.kernel.pkvmInitialised ? 'true' : 'false'}`);
  if (!pkvm.present) L.push('  pKVM:        not installed');
  else {
    L.push(`  pKVM:        FF-A with the SPMC ${pkvm.hypFfaVersion === null ? 'none' : `v${pkvm.hypFfaVersion}`}; host negotiated: ${pkvm.hostNegotiated ? 'yes' : 'no'}; ` +
      `host buffers: ${pkvm.hostBuffers === null ? 'none' : `TX ${pkvm.hostBuffers.tx} RX ${pkvm.hostBuffers.rx}`}; ` +
      `own mailbox: ${pkvm.hypMailbox === null ? 'none' : `TX ${pkvm.hypMailbox.tx} RX ${pkvm.hypMailbox.rx}`}`);
    L.push(`               traps host SMCs: ${pkvm.trapsHostSmc ? 'yes' : 'no'}; finalised: ${pkvm.finalised ? 'yes' : 'no'}; DIRECT_REQ before VERSION: ${pkvm.directReqBeforeVersion}; ` +
      `shared host pages: ${pkvm.sharedPages.length === 0 ? 'none' : pkvm.sharedPages.map((p) => `${p.pa} (${p.host}/${p.hyp})`).join(', ')}`);
  }
  if (!spmc.present) L.push('  SPMC:        none');
  else {
    const e = spmc.endpoint0;
    L.push(`  SPMC:        v${spmc.version}; endpoint 0 at ${e.version === null ? 'no version' : `v${e.version}`}, negotiation ${e.negotiationClosed ? `closed for the ${e.closedBy.join(' and ')}` : 'open'}` +
      `${r.negotiationClosure !== null ? ` (${r.summary.spmcNegotiation}${r.negotiationClosure.seq !== null ? ` at #${r.negotiationClosure.seq}` : ''})` : ''}; ` +
      `mailbox ${e.mailbox === null ? 'none' : `TX ${e.mailbox.tx} RX ${e.mailbox.rx} (${r.summary.spmcMailbox})`}`);
  }
  L.push('');
  if (r.findings.length === 0) L.push('Findings: none: every party agrees and every call succeeded');
  else {
    L.push('Findings');
    for (const f of r.findings) L.push(`  ${pad(`[${f.kind}]`, 17)} ${f.text}`);
  }
  if (opts.dmesg === true) {
    L.push('');
    L.push('dmesg');
    for (const d of r.dmesg) L.push(`  [${lpad(String(Math.round(d.cycles)), 9)}] ${d.text}`);
  }
  if (r.cyclesByEl !== null) L.push(formatCyclesByEl(r.cyclesByEl));
  L.push(`(${r.calls.length} host calls, ${Math.round(r.cycles)} cycles, ${r.wallMs.toFixed(0)} ms)`);
  return L.join('\n');
}

const TABLE_ROWS: readonly [string, (s: ScenarioSummary) => string][] = [
  ['ffa_core_init runs in', (s) => s.ffaCoreInit],
  ['host FF-A calls go', (s) => s.hostFfaPath],
  ['host: FF-A version', (s) => s.hostVersion],
  ['host: RX/TX', (s) => s.hostRxTx],
  ['pKVM: host negotiated', (s) => s.pkvmHostNegotiated],
  ['pKVM: host buffers', (s) => s.pkvmHostBuffers],
  ['SPMC: ep 0 mailbox', (s) => s.spmcMailbox],
  ['SPMC: ep 0 negotiation', (s) => s.spmcNegotiation],
  ['TPM probe', (s) => s.tpm],
  ['load_uefi_certs', (s) => s.uefiCerts],
  ['disagreements', (s) => String(s.disagreements)],
  ['failures', (s) => String(s.failures)],
  ['spec violations', (s) => String(s.specViolations)],
  ['host calls', (s) => String(s.hostCalls)],
  ['cycles', (s) => String(Math.round(s.cycles))],
  ['cycles EL1/EL2/EL3/S-EL1/S-EL0', (s) => s.cyclesByEl],
];

/** The side-by-side table across scenarios. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const head = ['', ...results.map((r) => r.name)];
  const rows = TABLE_ROWS.map(([label, f]) => [label, ...results.map((r) => f(r.summary))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => pad(c, widths[i]!)).join(' | ').trimEnd();
  return [line(head), widths.map((n) => '-'.repeat(n)).join('-|-'), ...rows.map(line)].join('\n');
}

/** The whole report: every scenario, then the table. */
export function renderReport(results: readonly ScenarioResult[], opts: RenderOptions = {}): string {
  return [...results.map((r) => renderScenario(r, opts)), `=== Side by side ===\n${renderTable(results)}\n`].join('\n\n');
}
