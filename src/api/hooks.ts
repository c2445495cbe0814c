/**
 * Hooks by type (a bitmask, as Unicorn's UC_HOOK_*) with address ranges, plus a64el's own kinds:
 * exception entry, ERET, SVC/HVC/SMC and decoded FF-A calls with their results.
 *
 * Cost model (DESIGN practice 11): with no hook installed the machine runs the plain loop and the CPU
 * observer slots are null. Code/block/memory hooks and breakpoints select the instrumented loop
 * (exec/run-hooked.ts) for the runs made while they exist; code hooks and breakpoints mark the
 * 4 KiB pages their ranges cover and only instructions on marked pages call out. Exception, call and
 * FF-A hooks ride on the exception observers (trace/observers.ts) and cost nothing per instruction.
 */
import * as L from '../state/layout.js';
import { type CpuState, isSecure } from '../state/cpu-state.js';
import { EC_NAMES } from '../exceptions/kinds.js';
import type { Machine } from '../machine/machine.js';
import type { RunHooks } from '../exec/run-hooked.js';
import type { ExecContext } from '../exec/context.js';
import { addExceptionListener } from '../trace/observers.js';
import { Conduit, PendingCalls, callConduit, callReturnPoint, isFfaCall, retHi, retLo } from '../trace/calls.js';
import { decodeCall, describeResult, resultError } from '../trace/ffa-decode.js';
import { HookedBus, HookedContext, type MemoryObserver } from './hooked-bus.js';
import { A64elError, fail } from './errors.js';

/** Hook types: OR them together to hook several with one callback. */
export enum HookType {
  /** Before each instruction executes (range: the instruction's address). */
  Code = 1 << 0,
  /** At the start of each block: a run of sequential instructions (range: its first address). */
  Block = 1 << 1,
  /** After each successful data read by an instruction (range: the data address). */
  MemRead = 1 << 2,
  /** Before each data write by an instruction. */
  MemWrite = 1 << 3,
  /** A data read of an address with no RAM or device; the callback may supply the value (return true). */
  MemReadInvalid = 1 << 4,
  /** A data write to an address with no RAM or device; return true to drop it and go on. */
  MemWriteInvalid = 1 << 5,
  /** An instruction fetch from an address with no RAM; return true after changing the PC. */
  MemFetchInvalid = 1 << 6,
  /** Each exception entry, any kind (range: the vector address). */
  ExceptionEntry = 1 << 7,
  /** Each exception return (range: the address returned to). */
  Eret = 1 << 8,
  /** An SVC taken (range: the SVC's address). */
  Svc = 1 << 9,
  /** An HVC taken. */
  Hvc = 1 << 10,
  /** An SMC taken (to EL3, or trapped to EL2 by HCR_EL2.TSC). */
  Smc = 1 << 11,
  /** An FF-A call (SMC or HVC with an FF-A function ID), decoded (range: the call's address). */
  FfaCall = 1 << 12,
  /** The result of an FF-A call, when control is back at the caller. */
  FfaReturn = 1 << 13,

  /** MemRead | MemWrite. */
  Mem = MemRead | MemWrite,
  /** All three invalid-memory kinds. */
  MemInvalid = MemReadInvalid | MemWriteInvalid | MemFetchInvalid,
  /** ExceptionEntry | Eret. */
  Exception = ExceptionEntry | Eret,
  /** Svc | Hvc | Smc. */
  Call = Svc | Hvc | Smc,
  /** FfaCall | FfaReturn. */
  Ffa = FfaCall | FfaReturn,
}

const ALL_TYPES = (1 << 14) - 1;

export type ExceptionKind = 'sync' | 'irq' | 'fiq' | 'serror';

export interface CodeEvent { type: HookType.Code; address: bigint; size: 4; word: number }
export interface BlockEvent { type: HookType.Block; address: bigint }
export interface MemEvent { type: HookType.MemRead | HookType.MemWrite; address: bigint; size: number; value: bigint }
export interface MemInvalidEvent {
  type: HookType.MemReadInvalid | HookType.MemWriteInvalid | HookType.MemFetchInvalid;
  address: bigint;
  size: number;
  /** Write: the value written. Read: set it to the value the access should return (with `return true`). */
  value: bigint;
}
export interface ExceptionEntryEvent {
  type: HookType.ExceptionEntry;
  kind: ExceptionKind;
  fromEl: number; fromSecure: boolean; toEl: number; toSecure: boolean;
  /** Vector offset (0x000-0x780). */
  vectorOffset: number;
  /** ESR written (synchronous and SError), EC and its name. */
  esr: number; ec: number; ecName: string;
  /** ELR written (the preferred return address). */
  elr: bigint;
  /** The vector address (the new PC). */
  address: bigint;
  cycles: number;
}
export interface EretEvent {
  type: HookType.Eret;
  fromEl: number; fromSecure: boolean; toEl: number; toSecure: boolean;
  illegal: boolean;
  /** The address returned to (the new PC). */
  address: bigint;
  cycles: number;
}
export interface CallEvent {
  type: HookType.Svc | HookType.Hvc | HookType.Smc;
  /** The instruction's imm16. */
  imm: number;
  fromEl: number; fromSecure: boolean; toEl: number;
  /** An SMC trapped to EL2 by HCR_EL2.TSC. */
  trapped: boolean;
  /** The SVC/HVC/SMC instruction's address. */
  address: bigint;
  /** w0 (the SMCCC function ID for HVC/SMC). */
  fid: number;
  /** x0-x7 at the call. */
  x: bigint[];
  cycles: number;
}
export interface FfaCallEvent {
  type: HookType.FfaCall;
  /** 1, 2, ... in call order; the FfaReturn event of this call carries the same id. */
  id: number;
  /** "FFA_MSG_SEND_DIRECT_REQ_64" (ffa/abi.ts names). */
  name: string;
  fid: number;
  conduit: 'smc' | 'hvc';
  callerEl: number; callerSecure: boolean; toEl: number;
  /** Endpoint IDs for the functions that carry sender << 16 | receiver in w1. */
  sender?: number; receiver?: number;
  address: bigint;
  /** x0-x17 at the call. */
  x: bigint[];
  cycles: number;
}
export interface FfaReturnEvent {
  type: HookType.FfaReturn;
  call: FfaCallEvent;
  /** The result decoded: "FFA_SUCCESS_64", "FFA_ERROR(DENIED)", "FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000", "v1.2". */
  result: string;
  /** The FF-A status name when the result is FFA_ERROR. */
  error?: string;
  /** x0-x17 when control came back to the caller. */
  x: bigint[];
  /** The address returned to. */
  address: bigint;
  cycles: number;
  /** Cycles from the call to its result. */
  elapsedCycles: number;
}

export type HookEvent = CodeEvent | BlockEvent | MemEvent | MemInvalidEvent | ExceptionEntryEvent | EretEvent |
  CallEvent | FfaCallEvent | FfaReturnEvent;

/** The event type a hook of type T receives. */
export type HookEventOf<T extends HookType> =
  T extends HookType.Code ? CodeEvent :
  T extends HookType.Block ? BlockEvent :
  T extends HookType.MemRead | HookType.MemWrite | HookType.Mem ? MemEvent :
  T extends HookType.MemReadInvalid | HookType.MemWriteInvalid | HookType.MemFetchInvalid | HookType.MemInvalid ? MemInvalidEvent :
  T extends HookType.ExceptionEntry ? ExceptionEntryEvent :
  T extends HookType.Eret ? EretEvent :
  T extends HookType.Exception ? ExceptionEntryEvent | EretEvent :
  T extends HookType.Svc | HookType.Hvc | HookType.Smc | HookType.Call ? CallEvent :
  T extends HookType.FfaCall ? FfaCallEvent :
  T extends HookType.FfaReturn ? FfaReturnEvent :
  T extends HookType.Ffa ? FfaCallEvent | FfaReturnEvent :
  HookEvent;

/**
 * A hook callback. Invalid-memory hooks return true when they handled the access; other return
 * values are ignored. To stop the run from a hook, call `emu.emuStop()`: a code hook's stop takes
 * effect before its instruction executes, any other at the end of the current instruction.
 */
export type HookCallback<T extends HookType = HookType> = (event: HookEventOf<T>) => boolean | void;

/** Address range of a hook, inclusive at both ends (Unicorn's begin/end); omitted = everything. */
export interface HookRange { begin?: bigint; end?: bigint }

/** An installed hook (returned by hookAdd, given to hookDel). */
export interface HookHandle { readonly id: number; readonly type: HookType }

interface Hook {
  id: number;
  type: number;
  cb: (e: HookEvent) => boolean | void;
  begin: bigint;
  end: bigint;
  /** The range as doubles, for the per-instruction checks (addresses below 2^53). */
  lo: number;
  hi: number;
  all: boolean;
}

const M64 = (1n << 64n) - 1n;
const TWO32 = 4294967296;
const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const KINDS: readonly ExceptionKind[] = ['sync', 'irq', 'fiq', 'serror'];

/** Everything the hook manager needs from the API object. */
export interface HookHost {
  readonly machine: Machine;
  /** True once emuStop() was called in this run. */
  stopRequested(): boolean;
}

/**
 * Installs hooks into a Machine: the RunHooks the instrumented loop calls, the memory observer, and
 * the exception listeners. Hook callbacks run synchronously inside the run.
 */
export class HookManager implements RunHooks, MemoryObserver {
  private readonly hooks = new Map<number, Hook>();
  private nextId = 1;
  private readonly m: Machine;
  private readonly cpu: CpuState;
  // RunHooks
  readonly codePages = new Uint8Array(1 << 20);
  codeAll = false;
  blockOn = false;
  stopPending = false;
  execCtx: ExecContext;
  // MemoryObserver
  readOn = false;
  writeOn = false;
  invalidOn = false;
  invalidLo = 0;
  invalidHi = 0;
  /** Hooks by kind, rebuilt on every add/delete (arrays the hot callbacks iterate). */
  private codeHooks: Hook[] = [];
  private blockHooks: Hook[] = [];
  private memRead: Hook[] = [];
  private memWrite: Hook[] = [];
  private memInvalid: Hook[] = [];
  private exc: Hook[] = [];
  /** Breakpoints: address (as a double, below 2^53) -> count. */
  private readonly breaks = new Map<number, bigint>();
  /** Stop before the instruction at this address (emuStart's `until`), or NaN. */
  until = NaN;
  /** A breakpoint at the run's start address does not fire for its first instruction (so `continue` makes progress). */
  private skipBreakAt = NaN;
  /** What the last stop came from. */
  hitBreakpoint: bigint | null = null;
  hitUntil = false;
  private readonly hookedCtx: HookedContext;
  private detachExc: (() => void) | null = null;
  private readonly pending = new PendingCalls();
  private readonly ffaCalls = new Map<number, FfaCallEvent>();
  private nextCallId = 1;

  constructor(private readonly host: HookHost) {
    this.m = host.machine;
    this.cpu = this.m.cpu;
    this.execCtx = this.m;
    this.hookedCtx = new HookedContext(this.m, new HookedBus(this.m.bus, this));
  }

  // ---- management ----

  add(type: number, cb: (e: HookEvent) => boolean | void, range: HookRange = {}): HookHandle {
    if (!Number.isInteger(type) || type <= 0 || (type & ~ALL_TYPES) !== 0) fail(A64elError.ArgInvalid, `hook type ${type}`);
    if (typeof cb !== 'function') fail(A64elError.ArgInvalid, 'hook callback is not a function');
    const begin = range.begin ?? 0n, end = range.end ?? M64;
    if (begin < 0n || end < 0n || begin > M64 || end > M64) fail(A64elError.ArgInvalid, 'hook range outside 0..2^64-1');
    const all = range.begin === undefined && range.end === undefined;
    const h: Hook = { id: this.nextId++, type, cb, begin, end, lo: Number(begin), hi: Number(end), all };
    this.hooks.set(h.id, h);
    this.rebuild();
    return { id: h.id, type: type as HookType };
  }

  del(handle: HookHandle | number): void {
    const id = typeof handle === 'number' ? handle : handle.id;
    if (!this.hooks.delete(id)) fail(A64elError.HookInvalid, `hook ${id}`);
    this.rebuild();
  }

  breakpointAdd(addr: bigint): void {
    if (addr < 0n || addr >= 1n << 53n) fail(A64elError.ArgInvalid, `breakpoint address 0x${addr.toString(16)}`);
    this.breaks.set(Number(addr), addr);
    this.rebuild();
  }
  breakpointDel(addr: bigint): boolean {
    const had = this.breaks.delete(Number(addr));
    this.rebuild();
    return had;
  }
  breakpointList(): bigint[] { return [...this.breaks.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); }

  /** Before a run: arm `until`, the first-instruction breakpoint skip, clear the stop record. */
  beginRun(until: bigint | undefined, startPc: bigint | null): void {
    const was = this.until;
    this.until = until === undefined ? NaN : Number(until);
    this.skipBreakAt = startPc !== null && this.breaks.has(Number(startPc)) ? Number(startPc) : NaN;
    this.hitBreakpoint = null;
    this.hitUntil = false;
    this.stopPending = false;
    if (!Number.isNaN(was) || !Number.isNaN(this.until)) this.rebuild();
  }
  endRun(): void {
    if (Number.isNaN(this.until)) return;
    this.until = NaN;
    this.rebuild();
  }

  /** Recompute the per-kind lists, page bits, the loop selection and the observer attachment. */
  private rebuild(): void {
    const by = (mask: number): Hook[] => [...this.hooks.values()].filter((h) => (h.type & mask) !== 0);
    this.codeHooks = by(HookType.Code);
    this.blockHooks = by(HookType.Block);
    this.memRead = by(HookType.MemRead);
    this.memWrite = by(HookType.MemWrite);
    this.memInvalid = by(HookType.MemInvalid);
    this.exc = by(HookType.Exception | HookType.Call | HookType.Ffa);
    this.codeAll = this.codeHooks.some((h) => h.all);
    this.blockOn = this.blockHooks.length > 0;
    this.readOn = this.memRead.length > 0;
    this.writeOn = this.memWrite.length > 0;
    this.invalidOn = this.memInvalid.some((h) => (h.type & (HookType.MemReadInvalid | HookType.MemWriteInvalid)) !== 0);
    this.codePages.fill(0);
    const mark = (lo: number, hi: number): void => {
      const first = Math.min(Math.floor(lo / 4096), 0x100000), last = Math.min(Math.floor(hi / 4096), 0xfffff);
      if (first <= last) this.codePages.fill(1, first, last + 1);
    };
    if (!this.codeAll) for (const h of this.codeHooks) mark(h.lo, h.hi);
    for (const a of this.breaks.keys()) mark(a, a);
    if (!Number.isNaN(this.until)) mark(this.until, this.until);
    const memHooks = this.readOn || this.writeOn || this.invalidOn;
    this.execCtx = memHooks ? this.hookedCtx : this.m;
    const needLoop = this.codeHooks.length > 0 || this.blockOn || memHooks || this.memInvalid.length > 0 ||
      this.breaks.size > 0 || !Number.isNaN(this.until);
    this.m.hooks = needLoop ? this : null;
    const needExc = this.exc.length > 0;
    if (needExc && this.detachExc === null) {
      this.detachExc = addExceptionListener(this.cpu, {
        entry: (c, fromEl, fromSecure, targetEl, offset, esr) => this.onEntry(c, fromEl, fromSecure, targetEl, offset, esr),
        ret: (c, fromEl, fromSecure, illegal) => this.onReturn(c, fromEl, fromSecure, illegal),
      });
    } else if (!needExc && this.detachExc !== null) {
      this.detachExc();
      this.detachExc = null;
      this.pending.clear();
      this.ffaCalls.clear();
    }
  }

  // ---- RunHooks ----

  code(pcLo: number, pcHi: number, word: number): boolean {
    const a = pcHi * TWO32 + (pcLo >>> 0);
    if (a === this.until) { this.hitUntil = true; return true; }
    if (this.breaks.size > 0) {
      const skip = a === this.skipBreakAt;
      this.skipBreakAt = NaN;
      if (!skip && this.breaks.has(a)) { this.hitBreakpoint = this.breaks.get(a)!; return true; }
    }
    const l = this.codeHooks;
    if (l.length > 0) {
      let ev: CodeEvent | null = null;
      for (let i = 0; i < l.length; i++) {
        const h = l[i]!;
        if (a < h.lo || a > h.hi) continue;
        ev ??= { type: HookType.Code, address: u64(pcLo, pcHi), size: 4, word: word >>> 0 };
        h.cb(ev);
      }
    }
    return this.host.stopRequested();
  }

  block(pcLo: number, pcHi: number): boolean {
    const a = pcHi * TWO32 + (pcLo >>> 0);
    let ev: BlockEvent | null = null;
    for (const h of this.blockHooks) {
      if (a < h.lo || a > h.hi) continue;
      ev ??= { type: HookType.Block, address: u64(pcLo, pcHi) };
      h.cb(ev);
    }
    return this.host.stopRequested();
  }

  fetchInvalid(pcLo: number, pcHi: number): boolean {
    const a = pcHi * TWO32 + (pcLo >>> 0);
    let handled = false;
    for (const h of this.memInvalid) {
      if ((h.type & HookType.MemFetchInvalid) === 0 || a < h.lo || a > h.hi) continue;
      if (h.cb({ type: HookType.MemFetchInvalid, address: u64(pcLo, pcHi), size: 4, value: 0n }) === true) handled = true;
    }
    return handled;
  }

  // ---- MemoryObserver ----

  onRead(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    const a = hi * TWO32 + (lo >>> 0);
    let ev: MemEvent | null = null;
    for (const h of this.memRead) {
      if (a < h.lo || a > h.hi) continue;
      ev ??= { type: HookType.MemRead, address: u64(lo, hi), size, value: u64(vlo, vhi) };
      h.cb(ev);
    }
  }

  onWrite(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    const a = hi * TWO32 + (lo >>> 0);
    let ev: MemEvent | null = null;
    for (const h of this.memWrite) {
      if (a < h.lo || a > h.hi) continue;
      const mask = size === 8 ? M64 : (1n << BigInt(8 * size)) - 1n;
      ev ??= { type: HookType.MemWrite, address: u64(lo, hi), size, value: u64(vlo, vhi) & mask };
      h.cb(ev);
    }
  }

  onInvalid(write: boolean, lo: number, hi: number, size: number, vlo: number, vhi: number): boolean {
    const a = hi * TWO32 + (lo >>> 0);
    const kind = write ? HookType.MemWriteInvalid : HookType.MemReadInvalid;
    let handled = false;
    for (const h of this.memInvalid) {
      if ((h.type & kind) === 0 || a < h.lo || a > h.hi) continue;
      const mask = size === 8 ? M64 : (1n << BigInt(8 * size)) - 1n;
      const ev: MemInvalidEvent = { type: kind, address: u64(lo, hi), size, value: write ? u64(vlo, vhi) & mask : 0n };
      if (h.cb(ev) === true) {
        handled = true;
        if (!write) {
          const v = BigInt.asUintN(64, ev.value) & mask;
          this.invalidLo = Number(v & 0xffffffffn) | 0;
          this.invalidHi = Number(v >> 32n) | 0;
        }
        break;
      }
    }
    return handled;
  }

  // ---- exception, call and FF-A hooks (observers) ----

  private xregs(n: number): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < n; i++) out.push(this.cpu.get64(L.X + 2 * i));
    return out;
  }

  private inRange(h: Hook, a: bigint): boolean { return h.all || (a >= h.begin && a <= h.end); }

  private onEntry(cpu: CpuState, fromEl: number, fromSecure: boolean, targetEl: number, offset: number, esr: number): void {
    const s = cpu.s;
    const toSecure = isSecure(s);
    const pc = u64(s[L.PC]!, s[L.PC + 1]!);
    const l = this.exc;
    let entry: ExceptionEntryEvent | null = null;
    const kind = KINDS[(offset >>> 7) & 3]!;
    const ec = esr >>> 26;
    for (const h of l) {
      if ((h.type & HookType.ExceptionEntry) === 0 || !this.inRange(h, pc)) continue;
      entry ??= {
        type: HookType.ExceptionEntry, kind, fromEl, fromSecure, toEl: targetEl, toSecure, vectorOffset: offset,
        esr: esr >>> 0, ec: kind === 'sync' || kind === 'serror' ? ec : 0,
        ecName: kind === 'sync' ? EC_NAMES[ec] ?? `EC 0x${ec.toString(16)}` : kind.toUpperCase(),
        elr: cpu.get64(L.ELR_EL + 2 * targetEl), address: pc, cycles: cpu.cycles,
      };
      h.cb(entry);
    }
    if (kind !== 'sync') return;
    const callType = ec === 0x15 ? HookType.Svc : ec === 0x16 ? HookType.Hvc : ec === 0x17 ? HookType.Smc : 0;
    if (callType === 0) return;
    const trapped = callType === HookType.Smc && targetEl === 2;
    const elr = cpu.get64(L.ELR_EL + 2 * targetEl);
    const at = trapped ? elr : BigInt.asUintN(64, elr - 4n);
    let call: CallEvent | null = null;
    for (const h of l) {
      if ((h.type & callType) === 0 || !this.inRange(h, at)) continue;
      call ??= {
        type: callType as CallEvent['type'], imm: esr & 0xffff, fromEl, fromSecure, toEl: targetEl, trapped, address: at,
        fid: s[L.X]! >>> 0, x: this.xregs(8), cycles: cpu.cycles,
      };
      h.cb(call);
    }
    // FF-A: decode at the call, remember it until its result comes back.
    const conduit = callConduit(offset, esr);
    if (conduit === Conduit.None || !isFfaCall(s[L.X]!)) return;
    const ffaHooks = l.filter((h) => (h.type & HookType.Ffa) !== 0);
    if (ffaHooks.length === 0) return;
    const d = decodeCall(s[L.X]!, s[L.X + 2]!);
    const ev: FfaCallEvent = {
      type: HookType.FfaCall, id: this.nextCallId++, name: d.name, fid: d.fid, conduit: conduit === Conduit.Smc ? 'smc' : 'hvc',
      callerEl: fromEl, callerSecure: fromSecure, toEl: targetEl, address: at, x: this.xregs(18), cycles: cpu.cycles,
    };
    if (d.sender !== undefined) { ev.sender = d.sender; ev.receiver = d.receiver!; }
    callReturnPoint(cpu, conduit, targetEl);
    this.pending.push(fromEl, fromSecure, retLo, retHi, ev.id);
    this.ffaCalls.set(ev.id, ev);
    if (this.ffaCalls.size > this.pending.capacity) {
      // Forget calls the pending set has forgotten (never returned).
      const oldest = this.ffaCalls.keys().next().value;
      if (oldest !== undefined) this.ffaCalls.delete(oldest);
    }
    for (const h of ffaHooks) if ((h.type & HookType.FfaCall) !== 0 && this.inRange(h, at)) h.cb(ev);
  }

  private onReturn(cpu: CpuState, fromEl: number, fromSecure: boolean, illegal: boolean): void {
    const s = cpu.s;
    const toEl = s[L.PSTATE_EL]!, toSecure = isSecure(s);
    const pc = u64(s[L.PC]!, s[L.PC + 1]!);
    let ev: EretEvent | null = null;
    for (const h of this.exc) {
      if ((h.type & HookType.Eret) === 0 || !this.inRange(h, pc)) continue;
      ev ??= { type: HookType.Eret, fromEl, fromSecure, toEl, toSecure, illegal, address: pc, cycles: cpu.cycles };
      h.cb(ev);
    }
    if (illegal || this.pending.size === 0) return;
    const id = this.pending.match(toEl, toSecure, s[L.PC]!, s[L.PC + 1]!);
    if (id < 0) return;
    const call = this.ffaCalls.get(id);
    this.ffaCalls.delete(id);
    if (call === undefined) return;
    const x = this.xregs(18);
    const w = (i: number): number => Number(x[i]! & 0xffffffffn) | 0;
    const ret: FfaReturnEvent = {
      type: HookType.FfaReturn, call, result: describeResult(call.fid, x[0]!, w(1), w(2)), x, address: pc,
      cycles: cpu.cycles, elapsedCycles: cpu.cycles - call.cycles,
    };
    const err = resultError(x[0]!, w(2));
    if (err !== undefined) ret.error = err;
    for (const h of this.exc) if ((h.type & HookType.FfaReturn) !== 0 && this.inRange(h, call.address)) h.cb(ret);
  }
}
