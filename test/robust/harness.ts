/**
 * Robustness and isolation harness (test/robust, tools/fuzz): build a world, take snapshots of every
 * piece of isolation state the models keep, and check the invariants that must hold after any FF-A
 * call whatever the host does:
 *
 *  - the components' own audits: Pkvm.checkInvariants() (carve-out hyp-owned, host buffers shared
 *    and pinned, WARN_ONs, stage 2 enforced once finalised) and SpmcMemory.checkInvariants() (every
 *    handle maps to exactly one transaction, every non-owned page held by exactly one complete
 *    transaction of its kind and owner, no illegal page transition recorded);
 *  - pKVM's host stage 2 changes only by the transitions Linux has (mem_protect.c): OWNED <->
 *    SHARED_OWNED (FF-A share), OWNED/NOPAGE <-> SHARED_OWNED/SHARED_BORROWED (RX/TX shared with the
 *    hyp); pins only on SHARED_BORROWED pages; nothing else ever moves after __pkvm_init;
 *  - under pKVM the SPMC never holds a host physical address as endpoint 0's mailbox: a mapped
 *    endpoint-0 pair is pKVM's own hyp TX/RX;
 *  - every page the SPMC believes the normal world sent (shared, lent, donated by endpoint 0) is one
 *    pKVM marked SHARED_OWNED (the host cannot get past pKVM's ownership checks), and no such page is
 *    the host's RX/TX buffer;
 *  - once pKVM is finalised, no hyp-owned page is accessible to the host (its stage-2 check faults).
 *
 * `lentButHostAccessible` is the stronger property "no page is both accessible to the host and lent
 * or donated away": upstream pKVM (and so the model) does not remove lent pages from the host stage 2
 * (reference pkvm-ffa.md 4.6 step 11: lend and share behave identically at EL2), so it is reported
 * separately (see isolation.test.ts), not treated as a violation here.
 *
 * Snapshots read two private fields of SpmcMemory (`pages`, `txs`) so that *every* page record and
 * transaction is compared, not just those a test thought of; `spmcTables` fails loudly if they move.
 */
import * as L from '../../src/state/layout.js';
import * as A from '../../src/ffa/abi.js';
import { type World, type WorldSpec, createWorld } from '../../src/machine/world.js';
import type { Machine } from '../../src/machine/machine.js';
import { PAGE_SIZE, PageState } from '../../src/memory/stage2.js';
import type { PageRecord } from '../../src/firmware/spmc/memory.js';
import type { SpmcCore } from '../../src/firmware/spmc/core.js';
import type { Pkvm } from '../../src/firmware/el2/pkvm.js';

// ---------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------

export interface PkvmSnap {
  host: Uint8Array;
  hyp: Uint8Array;
  pins: Uint16Array;
  base: number;
  hostBuffers: string;
  mailboxRegistered: boolean;
  negotiated: boolean;
  finalised: boolean;
  panic: string | null;
}

export interface SpmcSnap {
  /** pfn -> "owner state handle" */
  pages: Map<number, string>;
  /** handle -> a summary of the transaction (kind, sender, progress, pages, retrievals) */
  txs: Map<bigint, string>;
  /** per endpoint slot: "tx rx pages state" */
  mailboxes: string[];
  /** per partition slot: "state model" */
  partitions: string[];
}

export interface Snapshot {
  pkvm: PkvmSnap | null;
  spmc: SpmcSnap | null;
}

interface MemoryInternals {
  pages: Map<number, PageRecord>;
  txs: Map<bigint, { handle: bigint; kind: string; sender: number; complete: boolean; filled: number; total: number; pages: number[]; borrowers: { id: number; retrievals: number; pending: unknown }[]; hypPending: unknown }>;
}

/** SpmcMemory's private tables (page records and live transactions). */
export function spmcTables(core: SpmcCore): MemoryInternals {
  const m = core.memory as unknown as Partial<MemoryInternals>;
  if (!(m.pages instanceof Map) || !(m.txs instanceof Map)) {
    throw new Error('test/robust/harness.ts: SpmcMemory no longer has the private `pages`/`txs` maps the snapshots read; update spmcTables()');
  }
  return m as MemoryInternals;
}

export function snapshot(w: World): Snapshot {
  let pkvm: PkvmSnap | null = null;
  const p = w.pkvm;
  if (p !== null && p.stage2 !== null) {
    const st = p.stage2, b = p.beliefs();
    pkvm = {
      host: st.host.slice(), hyp: st.hyp.slice(), pins: st.pins.slice(), base: st.base,
      hostBuffers: b.hostBuffers === null ? 'none' : `${b.hostBuffers.tx.toString(16)}/${b.hostBuffers.rx.toString(16)}`,
      mailboxRegistered: b.hypMailboxRegistered, negotiated: b.negotiated, finalised: b.finalised, panic: b.panic,
    };
  }
  let spmc: SpmcSnap | null = null;
  const core = w.spmc;
  if (core !== null) {
    const t = spmcTables(core);
    const pages = new Map<number, string>();
    for (const [pfn, r] of t.pages) pages.set(pfn, `${r.owner.toString(16)} ${r.state} ${r.handle === null ? '-' : r.handle.toString(16)}`);
    const txs = new Map<bigint, string>();
    for (const [h, tx] of t.txs) {
      txs.set(h, `${tx.kind} from ${tx.sender.toString(16)} ${tx.complete ? 'complete' : `${tx.filled}/${tx.total}`} pages [${tx.pages.length}] ` +
        `retrievals ${tx.borrowers.map((b) => `${b.id.toString(16)}:${b.retrievals}${b.pending !== null ? '+' : ''}`).join(',')}${tx.hypPending !== null ? ' hyp-pending' : ''}`);
    }
    const ep = core.ep;
    const mailboxes: string[] = [];
    const partitions: string[] = [];
    for (let i = 0; i < ep.count; i++) {
      const m = ep.mailbox[i]!;
      mailboxes.push(m.mapped ? `${m.tx.toString(16)} ${m.rx.toString(16)} ${m.pages} ${m.state}` : 'unmapped');
      if (i > 0) partitions.push(`${ep.state[i]} ${ep.model[i]}`);
    }
    spmc = { pages, txs, mailboxes, partitions };
  }
  return { pkvm, spmc };
}

const PS: Record<number, string> = { [PageState.Owned]: 'O', [PageState.SharedOwned]: 'SO', [PageState.SharedBorrowed]: 'SB', [PageState.NoPage]: 'N' };
const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

export interface DiffOptions {
  /** Leave the SPMC's transaction table out (a refused FFA_MEM_FRAG_TX drops the transaction being sent). */
  ignoreTransactions?: boolean;
  /**
   * A refused FFA_MEM_FRAG_TX through pKVM: pKVM aborts "the transaction" by FFA_MEM_RECLAIM of the
   * handle the host named (reference pkvm-ffa.md 4.7 step 4), which may be a complete transaction:
   * its pages going back to their owner at the SPMC is upstream behaviour, not a leak of the refusal.
   */
  reclaimedHandle?: bigint;
}

/** Differences between two snapshots, one line each (empty = the same). */
export function diffSnapshots(a: Snapshot, b: Snapshot, opts: DiffOptions = {}): string[] {
  const out: string[] = [];
  if ((a.pkvm === null) !== (b.pkvm === null)) out.push('pKVM stage 2 appeared or disappeared');
  if (a.pkvm !== null && b.pkvm !== null) {
    const x = a.pkvm, y = b.pkvm;
    for (let i = 0; i < x.host.length && out.length < 20; i++) {
      if (x.host[i] !== y.host[i] || x.hyp[i] !== y.hyp[i] || x.pins[i] !== y.pins[i]) {
        out.push(`pKVM page ${hex(x.base + i * PAGE_SIZE)}: host ${PS[x.host[i]!]}/hyp ${PS[x.hyp[i]!]}/pins ${x.pins[i]} -> host ${PS[y.host[i]!]}/hyp ${PS[y.hyp[i]!]}/pins ${y.pins[i]}`);
      }
    }
    if (x.hostBuffers !== y.hostBuffers) out.push(`pKVM host buffers ${x.hostBuffers} -> ${y.hostBuffers}`);
    if (x.mailboxRegistered !== y.mailboxRegistered) out.push(`pKVM hyp mailbox registered ${x.mailboxRegistered} -> ${y.mailboxRegistered}`);
    if (x.panic !== y.panic) out.push(`pKVM panic: ${y.panic}`);
  }
  if (a.spmc !== null && b.spmc !== null) {
    const x = a.spmc, y = b.spmc;
    const rh = opts.reclaimedHandle;
    for (const pfn of new Set([...x.pages.keys(), ...y.pages.keys()])) {
      const was = x.pages.get(pfn), now = y.pages.get(pfn);
      if (rh !== undefined && was !== undefined && now !== undefined && was.endsWith(` ${rh.toString(16)}`) &&
        now === `${was.split(' ')[0]} owned -`) continue;
      if (was !== now) out.push(`SPMC page ${hex(pfn * PAGE_SIZE)}: ${x.pages.get(pfn) ?? 'unclaimed'} -> ${y.pages.get(pfn) ?? 'unclaimed'}`);
    }
    if (opts.ignoreTransactions !== true) {
      for (const h of new Set([...x.txs.keys(), ...y.txs.keys()])) {
        if (x.txs.get(h) !== y.txs.get(h)) out.push(`SPMC handle ${hex(h)}: ${x.txs.get(h) ?? 'none'} -> ${y.txs.get(h) ?? 'none'}`);
      }
    }
    x.mailboxes.forEach((m, i) => { if (y.mailboxes[i] !== m) out.push(`SPMC mailbox of slot ${i}: ${m} -> ${y.mailboxes[i]}`); });
    x.partitions.forEach((m, i) => { if (y.partitions[i] !== m) out.push(`SPMC partition slot ${i + 1} state/model: ${m} -> ${y.partitions[i]}`); });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

/** (host, hyp) page-state pairs a non-carve-out page may be in after __pkvm_init. */
const LEGAL_PAIRS = new Set([`${PageState.Owned}/${PageState.NoPage}`, `${PageState.SharedOwned}/${PageState.NoPage}`, `${PageState.SharedOwned}/${PageState.SharedBorrowed}`]);
/** Endpoint pairs one call may move a page between (mem_protect.c transitions; a call may undo itself). */
const LEGAL_MOVES = new Set([
  `${PageState.Owned}/${PageState.NoPage}>${PageState.SharedOwned}/${PageState.NoPage}`,
  `${PageState.SharedOwned}/${PageState.NoPage}>${PageState.Owned}/${PageState.NoPage}`,
  `${PageState.Owned}/${PageState.NoPage}>${PageState.SharedOwned}/${PageState.SharedBorrowed}`,
  `${PageState.SharedOwned}/${PageState.SharedBorrowed}>${PageState.Owned}/${PageState.NoPage}`,
]);

export interface InvariantOptions {
  /**
   * Endpoint 0's mailbox at the SPMC was mapped by the host itself before `__pkvm_init` (reference
   * pkvm-ffa.md 7(a), the bad boot order: the driver's RXTX_MAP reached EL3 directly). The SPMC then
   * keeps host PAs as the NS mailbox after pKVM is up: the hazard scenario (a) is about, reported by
   * the caller (`preInitMailbox`) rather than as a violation.
   */
  mailboxFromBeforeInit?: boolean;
  /** Receives the pKVM states upstream Linux reaches by design (UPSTREAM_STATES) instead of reporting them. */
  upstream?: string[];
  /**
   * Pages the host sent to the secure world before `__pkvm_init` (page frame -> handle): pKVM starts
   * with every host page OWNED and never learns of them (the same hazard as 7(a)); reported by the
   * caller (`preInitShares`), not as a violation, while they stay in that transaction.
   */
  sharedBeforeInit?: ReadonlyMap<number, bigint>;
}

/** NS pages the SPMC holds as sent by the normal world while pKVM is not initialised (page frame -> handle). */
export function preInitShares(w: World): Map<number, bigint> {
  const out = new Map<number, bigint>();
  if (w.pkvm === null || w.pkvm.stage2 !== null || w.spmc === null) return out;
  for (const [pfn, r] of spmcTables(w.spmc).pages) if (r.state !== 'owned' && (r.owner & 0x8000) === 0 && r.handle !== null) out.set(pfn, r.handle);
  return out;
}

/** Endpoint 0's mailbox is mapped at the SPMC while pKVM has not been initialised (scenario (a)). */
export function preInitMailbox(w: World): boolean {
  const mb = w.spmc?.ep.mailbox[0];
  return w.pkvm !== null && w.pkvm.stage2 === null && mb !== undefined && mb.mapped;
}

/**
 * Every invariant of the file comment. `prev` (the snapshot before the call) adds the transition
 * check. Returns one message per violation (empty = all hold).
 */
export function invariants(w: World, prev?: Snapshot, opts: InvariantOptions = {}): string[] {
  const out: string[] = [];
  const p = w.pkvm, core = w.spmc;
  if (p !== null) {
    // WARN_ONs are pKVM's record (Pkvm.warnings, also listed by checkInvariants): the callers sort them
    // with `warningsSince` (some are upstream Linux WARN_ONs the host can trigger at will).
    const warned = new Set(p.warnings);
    for (const v of p.checkInvariants()) {
      if (warned.has(v)) continue;
      if (UPSTREAM_STATES.some((r) => r.test(v))) opts.upstream?.push(v);
      else out.push(`pKVM: ${v}`);
    }
  }
  const beliefs = p?.beliefs() ?? null;
  if (beliefs !== null && beliefs.panic !== null) out.push(`hyp_panic: ${beliefs.panic}`);
  if (core !== null) for (const v of core.memory.checkInvariants()) out.push(`SPMC memory: ${v}`);
  const lay = p?.layout() ?? null;
  const st = p?.stage2 ?? null;
  if (p !== null && st !== null && lay !== null) {
    const carveLo = lay.carveOut, carveHi = lay.desc + lay.descLen;
    for (let i = 0; i < st.pages; i++) {
      const pa = st.base + i * PAGE_SIZE;
      const pair = `${st.host[i]}/${st.hyp[i]}`;
      const inCarve = pa >= carveLo && pa < carveHi;
      if (!inCarve && !LEGAL_PAIRS.has(pair)) out.push(`pKVM page ${hex(pa)} in an illegal state host ${PS[st.host[i]!]} / hyp ${PS[st.hyp[i]!]}`);
      if (st.pins[i] !== 0 && st.hyp[i] !== PageState.SharedBorrowed) out.push(`pKVM page ${hex(pa)} pinned but not SHARED_BORROWED`);
      const before = prev?.pkvm;
      if (before !== undefined && before !== null && !inCarve) {
        const was = `${before.host[i]}/${before.hyp[i]}`;
        if (was !== pair && !LEGAL_MOVES.has(`${was}>${pair}`)) {
          out.push(`pKVM page ${hex(pa)}: illegal transition host ${PS[before.host[i]!]}/hyp ${PS[before.hyp[i]!]} -> host ${PS[st.host[i]!]}/hyp ${PS[st.hyp[i]!]}`);
        }
      }
    }
    // A finalised pKVM: the host's stage 2 faults on every hyp-owned page (sampled: first and last
    // page of the carve-out and each buffer).
    if (beliefs!.finalised && w.machine.bus.stage2Check !== null && w.machine.cpu.s[L.PSTATE_EL]! < 2) {
      for (const pa of [carveLo, lay.hypTx, lay.hypRx, lay.desc, carveHi - PAGE_SIZE]) {
        if (w.machine.bus.stage2Check(pa, false) === 0) out.push(`hyp page ${hex(pa)} is accessible to the host after finalisation`);
      }
    }
  }
  if (core !== null) {
    const mb = core.ep.mailbox[0]!;
    if (mb.mapped && p !== null && opts.mailboxFromBeforeInit !== true) {
      if (lay === null || mb.tx !== lay.hypTx || mb.rx !== lay.hypRx) {
        out.push(`SPMC holds endpoint 0's mailbox at TX ${hex(mb.tx)} RX ${hex(mb.rx)}, not pKVM's hyp buffers (${lay === null ? 'none' : `${hex(lay.hypTx)}/${hex(lay.hypRx)}`})`);
      }
    }
    const hostBuf = beliefs?.hostBuffers ?? null;
    const t = spmcTables(core);
    for (const [pfn, rec] of t.pages) {
      if (rec.state === 'owned' || (rec.owner & 0x8000) !== 0) continue;
      const pa = pfn * PAGE_SIZE;
      if (st !== null && opts.sharedBeforeInit?.get(pfn) !== rec.handle) {
        if (st.hostState(pa) !== PageState.SharedOwned || st.hypState(pa) !== PageState.NoPage) {
          out.push(`SPMC has page ${hex(pa)} ${rec.state} by the normal world, but pKVM has it host ${PS[st.hostState(pa) ?? -1] ?? 'untracked'}/hyp ${PS[st.hypState(pa) ?? -1] ?? 'untracked'}`);
        }
      }
      if (hostBuf !== null && (pa === hostBuf.tx || pa === hostBuf.rx)) out.push(`the host's RX/TX page ${hex(pa)} is ${rec.state} to the secure world`);
      if (p === null && mb.mapped && (pa === mb.tx || pa === mb.rx)) out.push(`endpoint 0's RX/TX page ${hex(pa)} is ${rec.state}`);
    }
  }
  return out;
}

/**
 * WARN_ON()s of upstream pKVM that the host can trigger on purpose (the model reproduces them
 * faithfully; they are findings about Linux, not emulator failures):
 *  - do_ffa_mem_frag_tx: a fragment whose pages fail to share makes pKVM abort the transaction with
 *    FFA_MEM_RECLAIM and WARN_ON(res.a0 != FFA_SUCCESS); with a handle the SPMC does not know (or one
 *    whose fragments are still arriving, which Hafnium and TF-A refuse to reclaim) the reclaim fails.
 */
export const HOST_TRIGGERABLE_WARNINGS: readonly RegExp[] = [/^FRAG_TX: reclaim after a failed share did not succeed$/];

/**
 * Pkvm.checkInvariants() messages that describe a state upstream pKVM reaches by design (the model is
 * faithful): reported by `upstreamFindings`, not as violations.
 *  - "negotiated with hyp_ffa_version 0": hyp_ffa_init left the proxy inert because the SPMC answered
 *    FFA_VERSION(1.2) with NOT_SUPPORTED (Hafnium does for a version above its own: ffa-abi.md 4), yet
 *    the host's FFA_VERSION still negotiates (hyp_ffa_post_init succeeds) and the host is told v0.0
 *    (reference pkvm-ffa.md 4.1 "Corner case", marked UNVERIFIED as a reachable path: it is, with a
 *    v1.1 Hafnium-style SPMC);
 *  - "host buffers recorded but the hyp buffers were never set up": the RXTX_MAP after that.
 */
export const UPSTREAM_STATES: readonly RegExp[] = [
  /^negotiated with hyp_ffa_version 0/,
  // ... and the RXTX_MAP that follows it: Linux would hand the SPMC NULL-derived hyp buffer
  // addresses (pkvm-ffa.md 4.1 "Worse, hyp_buffers is uninitialised"); the model uses its carve-out.
  /^host buffers recorded but the hyp buffers were never set up/,
];

/** Upstream-pKVM states (UPSTREAM_STATES) the world is in now. */
export function upstreamFindings(w: World): string[] {
  return w.pkvm === null ? [] : w.pkvm.checkInvariants().filter((v) => UPSTREAM_STATES.some((r) => r.test(v)));
}

/** pKVM warnings recorded since `from` (an index into Pkvm.warnings), split into known upstream WARN_ONs and others. */
export function warningsSince(w: World, from: number): { upstream: string[]; other: string[] } {
  const all = w.pkvm?.warnings.slice(from) ?? [];
  const upstream = all.filter((m) => HOST_TRIGGERABLE_WARNINGS.some((r) => r.test(m)));
  return { upstream, other: all.filter((m) => !upstream.includes(m)) };
}

/**
 * Pages lent or donated away by the normal world that the host can still access (with pKVM
 * finalised, through its stage-2 check; without pKVM, every NS page is accessible). The property
 * "no page is both accessible to the host and lent or donated away" wants this empty.
 */
export function lentButHostAccessible(w: World): number[] {
  const core = w.spmc;
  if (core === null) return [];
  const out: number[] = [];
  const check = w.machine.bus.stage2Check;
  for (const [pfn, rec] of spmcTables(core).pages) {
    if ((rec.state !== 'lent' && rec.state !== 'donated') || (rec.owner & 0x8000) !== 0) continue;
    const pa = pfn * PAGE_SIZE;
    if (check === null || check(pa, false) === 0) out.push(pa);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Worlds and host calls
// ---------------------------------------------------------------------------------------------

/** Instructions a host call may use (the vector runner's per-step budget). */
export const CALL_BUDGET = 10_000_000;

/** Refill the machine's run budget (the vector runner does the same; see runner.ts setBudget). */
export function refillBudget(m: Machine, n = CALL_BUDGET): void {
  const mm = m as unknown as { setBudget?: (n: number) => void; budget: number };
  if (typeof mm.setBudget === 'function') mm.setBudget(n);
  else mm.budget = n;
}

/** Build and boot a world (pkvm-ready by default). */
export function bootWorld(spec: WorldSpec = {}): World {
  const w = createWorld(spec);
  w.boot();
  return w;
}

export interface CallOutcome {
  x: bigint[];
  stop: number;
  exception: { el: number; ec: number; esr: number } | null;
}

/** One host SMC (or HVC) with x0.. = args, the budget refilled first. */
export function hostCall(w: World, args: readonly (bigint | number)[], conduit: 'smc' | 'hvc' = 'smc', imm = 0): CallOutcome {
  refillBudget(w.machine);
  const a = args.map((v) => (typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt(v >>> 0)));
  const r = conduit === 'smc' ? w.smc(a, imm) : w.hvc(a, imm);
  return { x: r.x, stop: r.stop, exception: r.exception };
}

/** Host data accesses through the real pipeline: LDR X0, [X1] and STR X0, [X1] from a host call site. */
export const LDR_X0_X1 = 0xf9400020 | 0;
export const STR_X0_X1 = 0xf9000020 | 0;
export const HOST_EXEC_SITE = 0x1000 + 0x300;

/** The host executes `word` at NS-EL1 (x1 = address); returns the stop reason and any exception it caught. */
export function hostExec(w: World, word: number, x0: bigint, x1: bigint): { stop: number; exception: { el: number; ec: number; esr: number } | null; x0: bigint } {
  refillBudget(w.machine);
  w.host.putX(0, x0);
  w.host.putX(1, x1);
  const before = w.host.exceptionsCaught;
  const stop = (w.host as unknown as { call(word: number, site: number): number }).call(word, HOST_EXEC_SITE);
  const caught = w.host.exceptionsCaught > before;
  const s = w.machine.cpu.s;
  const esr = s[L.ESR_EL + 2]! >>> 0;
  return { stop, exception: caught ? { el: 1, ec: esr >>> 26, esr } : null, x0: w.host.getX(0) };
}

/** FFA_ERROR status in x2 of a result, or undefined when x0 is not FFA_ERROR. */
export function ffaError(x: readonly bigint[]): number | undefined {
  return (Number(x[0]! & 0xffffffffn) >>> 0) === A.FFA_ERROR ? Number(BigInt.asIntN(32, x[2]! & 0xffffffffn)) : undefined;
}

/** The function ID in w0 (SVE hint cleared). */
export function fidOf(x0: bigint): number {
  return (Number(x0 & 0xffffffffn) & ~A.SMCCC_SVE_HINT) >>> 0;
}

/** Host pages the robust tests use (vector-format.md: 0x40000000-0x40FFFFFF are free). */
export const HOST_TX = 0x4001_0000;
export const HOST_RX = 0x4001_1000;
export const HOST_PAGE = 0x4010_0000;

/** Write bytes at a physical address as the host does (the runner's memory step: stage 2 applies). */
export function hostWrite(w: World, pa: number, bytes: Uint8Array): boolean {
  const bus = w.machine.bus;
  for (let i = 0; i < bytes.length; i++) {
    bus.write(pa + i, 0, 1, bytes[i]!, false);
    if (bus.fault !== 0) return false;
  }
  return true;
}

export type { Pkvm, SpmcCore };
