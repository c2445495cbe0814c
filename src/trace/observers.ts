/**
 * Sharing the CPU's two exception observer slots (cpu.onExceptionEntry / onExceptionReturn) between
 * several listeners: the trace recorder, the embedding API's hooks, a CLI text trace. With no
 * listener the slots are null again, so an unobserved machine pays nothing (exceptions/take.ts checks
 * the slot for null). A function already in a slot when the first listener arrives (a test harness,
 * `a64el run --trace`) keeps being called, first.
 */
import type { CpuState, ExceptionObserver, ReturnObserver } from '../state/cpu-state.js';

/** One listener: either callback may be absent. */
export interface ExceptionListener {
  /** After AArch64.TakeException wrote ELR/SPSR/ESR and PC (the vector); see ExceptionObserver. */
  entry?: ExceptionObserver;
  /** After an ERET (legal or illegal) wrote PSTATE and PC; see ReturnObserver. */
  ret?: ReturnObserver;
}

interface Hub {
  entries: ExceptionObserver[];
  returns: ReturnObserver[];
  entryFn: ExceptionObserver;
  retFn: ReturnObserver;
}

const hubs = new WeakMap<CpuState, Hub>();

function hubOf(cpu: CpuState): Hub {
  let h = hubs.get(cpu);
  if (h === undefined) {
    const hub: Hub = {
      entries: [],
      returns: [],
      entryFn: (c, fromEl, fromSecure, target, offset, esr) => {
        const l = hub.entries;
        for (let i = 0; i < l.length; i++) l[i]!(c, fromEl, fromSecure, target, offset, esr);
      },
      retFn: (c, fromEl, fromSecure, illegal) => {
        const l = hub.returns;
        for (let i = 0; i < l.length; i++) l[i]!(c, fromEl, fromSecure, illegal);
      },
    };
    h = hub;
    hubs.set(cpu, h);
  }
  // Adopt an observer someone else installed directly (it runs first).
  const e = cpu.onExceptionEntry, r = cpu.onExceptionReturn;
  if (e !== null && e !== h.entryFn && !h.entries.includes(e)) h.entries.unshift(e);
  if (r !== null && r !== h.retFn && !h.returns.includes(r)) h.returns.unshift(r);
  return h;
}

function install(cpu: CpuState, h: Hub): void {
  cpu.onExceptionEntry = h.entries.length === 0 ? null : h.entries.length === 1 ? h.entries[0]! : h.entryFn;
  cpu.onExceptionReturn = h.returns.length === 0 ? null : h.returns.length === 1 ? h.returns[0]! : h.retFn;
}

/**
 * Add a listener to the CPU's exception observers. Returns a function that removes it (and empties
 * the slots when it was the last one).
 */
export function addExceptionListener(cpu: CpuState, l: ExceptionListener): () => void {
  const h = hubOf(cpu);
  if (l.entry !== undefined) h.entries.push(l.entry);
  if (l.ret !== undefined) h.returns.push(l.ret);
  install(cpu, h);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    const hub = hubOf(cpu);
    if (l.entry !== undefined) { const i = hub.entries.indexOf(l.entry); if (i >= 0) hub.entries.splice(i, 1); }
    if (l.ret !== undefined) { const i = hub.returns.indexOf(l.ret); if (i >= 0) hub.returns.splice(i, 1); }
    install(cpu, hub);
  };
}
