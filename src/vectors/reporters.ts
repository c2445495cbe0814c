/**
 * Reporters for vector results (runner.ts VectorRunResult): plain text for terminals and logs, and
 * JUnit XML for CI systems.
 *
 *   PASS version-equal-returns-spmc-version (1 steps, 212 instructions, 1843 cycles)
 *   FAIL pkvm-gate-before-version (test/vectors/ffa/pkvm/pkvm-gate-before-version.json)
 *        steps[3] (SMC #0 FFA_FEATURES): w2: expected INVALID_PARAMETERS (0xfffffffe), got 0x00000000; returned ...
 *   2 vectors: 1 passed, 1 failed
 */
import type { VectorRunResult } from './runner.js';
import { summaryLine } from './runner.js';

export interface TextOptions {
  /** Also list passing vectors (default true). */
  verbose?: boolean;
  /** Prefix each line (e.g. for nesting in another report). */
  indent?: string;
  /** A failure on one line, `FAIL name: message` (the CLI's form: one line per vector). */
  oneLine?: boolean;
}

/** One line (or two, for a failure unless `oneLine`) per result. */
export function formatResult(r: VectorRunResult, opts: TextOptions = {}): string {
  const ind = opts.indent ?? '';
  if (r.passed) {
    const what = r.kind === 'call' ? `${r.steps} steps, ` : '';
    return `${ind}PASS ${r.name} (${what}${r.instructions} instructions, ${r.cycles} cycles)`;
  }
  if (opts.oneLine === true) return `${ind}FAIL ${r.name}: ${r.message.replace(/\s*\n\s*/g, ' ')}`;
  const where = r.name === r.file ? r.file : `${r.name} (${r.file})`;
  return `${ind}FAIL ${where}\n${ind}     ${r.message}`;
}

/** The whole text report, ending with the summary line `N passed, M failed`. */
export function formatText(results: readonly VectorRunResult[], opts: TextOptions = {}): string {
  const verbose = opts.verbose ?? true;
  const lines: string[] = [];
  for (const r of results) if (verbose || !r.passed) lines.push(formatResult(r, opts));
  lines.push(`${opts.indent ?? ''}${summaryLine(results)}`);
  return lines.join('\n') + '\n';
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    // XML 1.0 forbids most control characters even when escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * JUnit XML: one <testsuite> named `suite`, one <testcase> per vector (classname = the file's
 * directory, name = the vector name), a <failure> with the message for each failure.
 */
export function formatJunit(results: readonly VectorRunResult[], suite = 'a64el-vectors'): string {
  const failed = results.filter((r) => !r.passed).length;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites tests="${results.length}" failures="${failed}">`);
  out.push(`  <testsuite name="${xml(suite)}" tests="${results.length}" failures="${failed}" errors="0" skipped="0">`);
  for (const r of results) {
    const dir = r.file.includes('/') ? r.file.slice(0, r.file.lastIndexOf('/')) : '.';
    const head = `    <testcase classname="${xml(dir.replace(/\//g, '.'))}" name="${xml(r.name)}" file="${xml(r.file)}"`;
    if (r.passed) {
      out.push(`${head}/>`);
    } else {
      const type = r.kind === 'invalid' ? 'invalid-vector' : r.failedStep?.what ?? 'failure';
      out.push(`${head}>`);
      out.push(`      <failure type="${xml(type)}" message="${xml(r.message)}">${xml(r.message)}</failure>`);
      out.push('    </testcase>');
    }
  }
  out.push('  </testsuite>');
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
