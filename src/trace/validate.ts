/**
 * A checker for the Trace Event Format rules this project relies on, so tests (and users who post-
 * process traces) can tell a well-formed trace from one ui.perfetto.dev would silently mangle:
 *   - every event has ph, pid, tid; every timed event a finite ts >= 0;
 *   - B has a name; M is process_name/thread_name/thread_sort_index with args;
 *   - per (pid, tid), in time order, every E closes an open B (the one it names, when named) and no
 *     B is left open;
 *   - flow events "s"/"f" have an id and a name/cat; every id has exactly one "s" and one "f",
 *     the "s" not after the "f"; each flow point lies inside a slice of its track (the slice it binds to);
 *   - instant events have a scope s in g/p/t.
 * Returns a list of problems (empty = valid).
 */
import type { ChromeTrace, ChromeTraceEvent } from './perfetto.js';

export function validateChromeTrace(trace: unknown): string[] {
  const problems: string[] = [];
  const t = trace as Partial<ChromeTrace> | null;
  if (t === null || typeof t !== 'object' || !Array.isArray(t.traceEvents)) return ['not a JSON object with a traceEvents array'];
  const evs = t.traceEvents as ChromeTraceEvent[];
  const timed: { ev: ChromeTraceEvent; i: number }[] = [];
  evs.forEach((ev, i) => {
    const where = `event ${i} (${JSON.stringify(ev).slice(0, 120)})`;
    if (typeof ev !== 'object' || ev === null) { problems.push(`${where}: not an object`); return; }
    if (typeof ev.ph !== 'string') problems.push(`${where}: no ph`);
    if (typeof ev.pid !== 'number' || typeof ev.tid !== 'number') problems.push(`${where}: pid/tid missing`);
    switch (ev.ph) {
      case 'M':
        if (!['process_name', 'thread_name', 'thread_sort_index', 'process_sort_index'].includes(ev.name ?? '')) problems.push(`${where}: unknown metadata name`);
        if (typeof ev.args !== 'object') problems.push(`${where}: metadata without args`);
        return;
      case 'B': if (typeof ev.name !== 'string' || ev.name === '') problems.push(`${where}: B without a name`); break;
      case 'E': break;
      case 'i': if (!['g', 'p', 't'].includes(ev.s ?? 't')) problems.push(`${where}: bad instant scope`); break;
      case 's': case 'f':
        if (typeof ev.id !== 'number' && typeof ev.id !== 'string') problems.push(`${where}: flow without id`);
        if (typeof ev.name !== 'string' || typeof ev.cat !== 'string') problems.push(`${where}: flow without name/cat`);
        break;
      default: problems.push(`${where}: unexpected phase ${String(ev.ph)}`); return;
    }
    if (typeof ev.ts !== 'number' || !Number.isFinite(ev.ts) || ev.ts < 0) problems.push(`${where}: bad ts`);
    timed.push({ ev, i });
  });
  // Time order, stable: the order events were written in breaks ties.
  timed.sort((a, b) => (a.ev.ts! - b.ev.ts!) || (a.i - b.i));
  const open = new Map<string, { name: string; ts: number }[]>();
  const spans = new Map<string, { b: number; e: number }[]>();
  for (const { ev, i } of timed) {
    const key = `${ev.pid}/${ev.tid}`;
    const stack = open.get(key) ?? [];
    open.set(key, stack);
    if (ev.ph === 'B') stack.push({ name: ev.name!, ts: ev.ts! });
    else if (ev.ph === 'E') {
      const b = stack.pop();
      if (b === undefined) problems.push(`event ${i}: E on track ${key} at ${ev.ts} with no open B`);
      // An unnamed E closes the top of the stack; a named one must name it (importers that pair by
      // name, such as speedscope, would otherwise close nothing).
      else if (ev.name !== undefined && ev.name !== b.name) problems.push(`event ${i}: E "${ev.name}" on track ${key} at ${ev.ts} closes B "${b.name}"`);
      else {
        const l = spans.get(key) ?? [];
        l.push({ b: b.ts, e: ev.ts! });
        spans.set(key, l);
      }
    }
  }
  for (const [key, stack] of open) for (const b of stack) problems.push(`track ${key}: B "${b.name}" at ${b.ts} never ends`);
  const flows = new Map<string, { s: ChromeTraceEvent[]; f: ChromeTraceEvent[] }>();
  for (const { ev } of timed) {
    if (ev.ph !== 's' && ev.ph !== 'f') continue;
    const id = `${ev.cat}:${String(ev.id)}`;
    const p = flows.get(id) ?? { s: [], f: [] };
    flows.set(id, p);
    (ev.ph === 's' ? p.s : p.f).push(ev);
    const l = spans.get(`${ev.pid}/${ev.tid}`) ?? [];
    if (!l.some((sp) => sp.b <= ev.ts! && ev.ts! <= sp.e)) problems.push(`flow ${ev.ph} ${id} at ${ev.ts} is not inside a slice of track ${ev.pid}/${ev.tid}`);
  }
  for (const [id, p] of flows) {
    if (p.s.length !== 1 || p.f.length !== 1) problems.push(`flow ${id}: ${p.s.length} start(s), ${p.f.length} finish(es)`);
    else if (p.s[0]!.ts! > p.f[0]!.ts!) problems.push(`flow ${id}: starts after it finishes`);
  }
  return problems;
}
