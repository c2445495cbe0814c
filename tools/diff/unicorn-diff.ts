/**
 * Instruction-semantics differential run: a64el vs Unicorn (docs/fidelity.md section 1).
 * Used by test/diff/unicorn.test.ts (CI) and tools/diff/unicorn-campaign.ts (npm run diff:unicorn).
 *
 * For each case (insn-gen.ts) a64el runs the sequence from the initial state and Unicorn runs the same
 * bytes; X0-X30, SP, NZCV, the final PC and every changed byte of the data page must agree. A failing
 * case is narrowed to its first diverging instruction by re-running prefixes in both.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type A64Exception, CODE_BASE, type CaseInput, type CaseState, type Engine, Generator, type GenOptions, engineOf, getField, hex64, newMachine, runA64el,
} from './insn-gen.js';
import { UnicornSession, type UnicornResult } from './unicorn.js';
import { disassemble } from './disasm.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface AllowEntry { id: string; mask: string; value: string; differs?: string[]; unicorn: string; architecture: string; rule: string }
export function loadAllowlist(): AllowEntry[] {
  return (JSON.parse(readFileSync(join(here, 'allowlist.json'), 'utf8')) as { entries: AllowEntry[] }).entries;
}

export interface DiffOptions extends GenOptions {
  seed: number;
  /** Instructions to compare (cases are generated until this many have executed). */
  count: number;
  /** Only this case index (reproduce one failure). */
  onlyCase?: number;
  /** Detailed reports for at most this many failures (default 10). */
  maxReports?: number;
  /** Treat rows a64el does not implement at all as failures too. */
  strict?: boolean;
  log?: (line: string) => void;
}

export interface DiffReport {
  seed: number;
  cases: number;
  instructions: number;
  /** Formatted failure reports (empty = pass). */
  failures: string[];
  /** Allowed deviations by allow-list id. */
  allowed: Record<string, number>;
  /** Rows where a64el raised an exception on every valid word while Unicorn executed them. */
  notImplemented: Record<string, number>;
  /** Valid words where both a64el and Unicorn raised an exception (they agree). */
  bothRaised: number;
  /** Executed instructions per row (coverage). */
  perRow: Record<string, number>;
  /** Testable rows that never executed in this run. */
  unexercised: string[];
  excludedRows: number;
  testableRows: number;
  elapsedMs: number;
}

function diffStates(a: CaseState, u: CaseState, an = 'a64el', un = 'unicorn'): string[] {
  const out: string[] = [];
  for (let i = 0; i < 31; i++) if (a.x[i] !== u.x[i]) out.push(`x${i}: ${an} ${hex64(a.x[i]!)} ${un} ${hex64(u.x[i]!)}`);
  if (a.sp !== u.sp) out.push(`sp: ${an} ${hex64(a.sp)} ${un} ${hex64(u.sp)}`);
  if (a.nzcv !== u.nzcv) out.push(`nzcv: ${an} ${nzcvText(a.nzcv)} ${un} ${nzcvText(u.nzcv)}`);
  if (a.pc !== u.pc) out.push(`pc: ${an} ${hex64(a.pc)} ${un} ${hex64(u.pc)}`);
  for (let i = 0; i < 32; i++) {
    const av = a.v[i] ?? 0n, uv = u.v[i] ?? 0n;
    if (av !== uv) out.push(`v${i}: ${an} 0x${av.toString(16).padStart(32, '0')} ${un} 0x${uv.toString(16).padStart(32, '0')}`);
  }
  const am = JSON.stringify(a.mem), um = JSON.stringify(u.mem);
  if (am !== um) out.push(`memory (changed bytes of the data page, [offset, hex]): ${an} ${am} ${un} ${um}`);
  return out;
}

function nzcvText(v: number): string {
  return ['N', 'Z', 'C', 'V'].map((f, i) => ((v >>> (31 - i)) & 1) ? f : f.toLowerCase()).join('');
}

function diffKeys(diffs: string[]): string[] { return diffs.map((d) => d.slice(0, d.indexOf(':'))); }

function excText(r: UnicornResult): string {
  if (r.exc === null) return '';
  return r.exc.kind === 'intr' ? `Unicorn raised exception ${r.exc.intno} (QEMU EXCP_*: 1 = UDEF)` : `Unicorn error: ${r.exc.msg}`;
}

function allowMatch(allow: AllowEntry[], word: number, keys: string[]): AllowEntry | undefined {
  return allow.find((e) => ((word & Number(e.mask)) >>> 0) === (Number(e.value) >>> 0) &&
    (e.differs === undefined || keys.every((k) => e.differs!.some((d) => k === d || (d.endsWith('*') && k.startsWith(d.slice(0, -1)))))));
}

export async function runUnicornDiff(opts: DiffOptions): Promise<DiffReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const gen = new Generator(opts);
  const allow = loadAllowlist();
  const session = new UnicornSession();
  const machines: Record<Engine, ReturnType<typeof newMachine>> = { interp: newMachine('interp'), jit: newMachine('jit') };
  const report: DiffReport = {
    seed: opts.seed, cases: 0, instructions: 0, failures: [], allowed: {}, notImplemented: {}, bothRaised: 0,
    perRow: {}, unexercised: [], excludedRows: gen.rows.length - gen.testable.length, testableRows: gen.testable.length, elapsedMs: 0,
  };
  const executedOk = new Set<string>();
  const mismatched: { index: number; diffs: string[]; exc: string }[] = [];
  const selfInconsistent: { index: number; diffs: string[] }[] = [];
  const excVerdicts: Promise<{ e: A64Exception; r: UnicornResult }>[] = [];
  const work: Promise<void>[] = [];
  const reproduce = (index?: number): string =>
    `npm run diff:unicorn -- --seed ${opts.seed} --count ${opts.count}${index === undefined ? '' : ` --case ${index}`}`;

  let index = opts.onlyCase ?? 0;
  let generated = 0;
  try {
    for (;;) {
      if (opts.onlyCase !== undefined ? index > opts.onlyCase : generated >= opts.count) break;
      const g = gen.generate(opts.seed, index);
      const c = g.input;
      const idx = index++;
      generated += c.executed;
      for (let i = 0; i < c.words.length; i++) {
        const r = c.rows[i]!;
        if (r !== '' && !r.startsWith('(skipped)')) executedOk.add(r);
      }
      for (const e of g.exceptions) {
        const single: CaseInput = { index: idx, seed: c.seed, words: [e.word], rows: [e.row], executed: 1, ...e.before };
        excVerdicts.push(session.run(single).then((r) => ({ e, r })));
      }
      if (c.executed === 0) continue;
      const ours = runA64el(machines[engineOf(idx)], c);
      const self = diffStates(ours, g.stepState, `one ${engineOf(idx)} run`, 'single-stepped');
      if (self.length > 0) selfInconsistent.push({ index: idx, diffs: self });
      report.cases++;
      report.instructions += c.executed;
      for (const r of c.rows) if (r !== '' && !r.startsWith('(skipped)')) report.perRow[r] = (report.perRow[r] ?? 0) + 1;
      work.push(session.run(c).then((u) => {
        const diffs = diffStates(ours, u.state);
        if (diffs.length > 0 || u.exc !== null) mismatched.push({ index: idx, diffs, exc: excText(u) });
      }));
      // Let the driver's answers flow while we generate; bound what is in flight.
      if (session.outstanding > 400) await session.settle(100);
      else if ((report.cases & 63) === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(work);

    // a64el raised an exception on a valid word: what does Unicorn do with it?
    const undefByRow = new Map<string, A64Exception[]>();
    for (const { e, r } of await Promise.all(excVerdicts)) {
      if (r.exc !== null) { report.bothRaised++; continue; }
      const list = undefByRow.get(e.row) ?? [];
      list.push(e);
      undefByRow.set(e.row, list);
    }
    for (const [row, list] of undefByRow) {
      const e = list[0]!;
      const what = `a64el took an exception (ESR 0x${(e.esr >>> 0).toString(16)} to EL${e.targetEl}) on ${list.length} valid word(s) of row "${row}" that Unicorn executes; first: 0x${e.word.toString(16).padStart(8, '0')} (case ${e.caseIndex} slot ${e.slot})`;
      if (executedOk.has(row) && !opts.strict) report.failures.push(`${what}\n  other words of this row execute, so this is a bug in the handler's field handling\n  reproduce: ${reproduce(e.caseIndex)}`);
      else if (opts.strict) report.failures.push(`${what}\n  reproduce: ${reproduce(e.caseIndex)}`);
      else report.notImplemented[row] = list.length;
    }

    for (const s of selfInconsistent.slice(0, 5)) {
      report.failures.push(`a64el is not self-consistent on case ${s.index}: running the sequence in one go differs from single-stepping it\n  ${s.diffs.join('\n  ')}\n  reproduce: ${reproduce(s.index)}`);
    }

    mismatched.sort((a, b) => a.index - b.index);
    const maxReports = opts.maxReports ?? 10;
    let detailed = 0;
    for (const mm of mismatched) {
      if (detailed >= 50) { report.failures.push(`case ${mm.index}: mismatch (not analysed: too many) ${mm.exc} ${mm.diffs.join('; ')}`); continue; }
      const text = await analyse(gen, session, machines[engineOf(mm.index)], opts.seed, mm.index, allow, report);
      if (text !== null) {
        detailed++;   // (allowed deviations do not use up the analysis budget)
        if (report.failures.length < maxReports) report.failures.push(`${text}\n  reproduce: ${reproduce(mm.index)}`);
        else report.failures.push(`case ${mm.index}: mismatch (see the first reports)`);
      }
    }
  } finally {
    await session.close();
  }
  if (opts.onlyCase === undefined) for (const info of gen.testable) if (report.perRow[info.row.name] === undefined) report.unexercised.push(info.row.name);
  report.elapsedMs = Date.now() - t0;
  log(summary(report));
  return report;
}

/**
 * Narrow a mismatching case to its first diverging instruction: run prefixes of 1..n instructions in
 * both. Returns the formatted report, or null when the allow-list covers it (counted in report.allowed).
 */
async function analyse(gen: Generator, session: UnicornSession, m: ReturnType<typeof newMachine>, seed: number, index: number,
  allow: AllowEntry[], report: DiffReport): Promise<string | null> {
  const c = gen.generate(seed, index).input;
  const prefixes = await Promise.all(Array.from({ length: c.executed }, (_, j) => session.run(c, j + 1)));
  let j = 0, diffs: string[] = [], exc = '';
  for (; j < c.executed; j++) {
    const ours = runA64el(m, c, j + 1);
    const u = prefixes[j]!;
    diffs = diffStates(ours, u.state);
    exc = excText(u);
    if (diffs.length > 0 || u.exc !== null) break;
  }
  if (j === c.executed) { j = c.executed - 1; diffs = ['(prefixes agree; the full runs differ)']; }
  const before = runA64el(m, c, j);
  const slot = Number((before.pc - BigInt(CODE_BASE)) / 4n);
  const word = c.words[slot] ?? 0;
  const keys = diffKeys(diffs);
  const hit = allowMatch(allow, word, exc === '' ? keys : [...keys, 'exception']);
  if (hit !== undefined) { report.allowed[hit.id] = (report.allowed[hit.id] ?? 0) + 1; return null; }
  const dis = await disassemble(c.words, BigInt(CODE_BASE));
  const info = gen.rows.find((r) => r.row.name === c.rows[slot]);
  const operands: string[] = [];
  if (info !== undefined) {
    for (const letter of ['n', 'm', 'a', 'd', 't']) {
      const r = getField(info, word, letter);
      if (r < 0) continue;
      operands.push(r === 31 ? `${letter}=31 (sp=${hex64(before.sp)})` : `${letter}=x${r}=${hex64(before.x[r]!)}`);
    }
    operands.push(`nzcv=${nzcvText(before.nzcv)}`);
  }
  const listing = c.words.map((w, i) => `    ${i === slot ? '=>' : '  '} ${(CODE_BASE + 4 * i).toString(16)}: ${w.toString(16).padStart(8, '0')}  ${dis.text[i]}${c.rows[i] ? `   [${c.rows[i]}]` : ''}`);
  return [
    `MISMATCH seed=${seed} case=${index} (a64el ${engineOf(index) === 'jit' ? 'with every block JIT-translated' : 'interpreter'}): instruction ${j + 1} of ${c.executed} executed`,
    `  word 0x${word.toString(16).padStart(8, '0')}  ${dis.text[slot]}   [row "${c.rows[slot]}"] (disassembly: ${dis.by})`,
    `  before it: ${operands.join(', ')}`,
    ...(exc !== '' ? [`  ${exc}`] : []),
    ...diffs.map((d) => `  ${d}`),
    '  sequence:',
    ...listing,
  ].join('\n');
}

export function summary(r: DiffReport): string {
  const lines = [
    `a64el vs Unicorn: seed ${r.seed}: ${r.instructions} instructions in ${r.cases} cases compared in ${(r.elapsedMs / 1000).toFixed(1)} s; ` +
    `${r.testableRows} testable rows (${r.excludedRows} excluded), ${r.failures.length} failure(s)`,
  ];
  const allowed = Object.entries(r.allowed);
  if (allowed.length > 0) lines.push(`  allowed deviations: ${allowed.map(([k, v]) => `${k} x${v}`).join(', ')}`);
  const ni = Object.entries(r.notImplemented);
  if (ni.length > 0) lines.push(`  NOT IMPLEMENTED in a64el (exception on every valid word, Unicorn executes): ${ni.map(([k, v]) => `${k} (${v})`).join('; ')}`);
  if (r.bothRaised > 0) lines.push(`  valid words where both raise an exception: ${r.bothRaised}`);
  if (r.unexercised.length > 0) lines.push(`  testable rows not exercised this run: ${r.unexercised.join('; ')}`);
  return lines.join('\n');
}
