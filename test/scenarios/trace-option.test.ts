/**
 * `a64el scenario NAME --trace FILE`: the whole run (boot, pKVM init, every FF-A call) as a Chrome
 * trace that ui.perfetto.dev opens.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenariosCommand } from '../../src/cli/scenarios.js';
import { validateChromeTrace } from '../../src/trace/index.js';

function io() {
  const out: string[] = [], err: string[] = [];
  return { io: { out: (s: string) => { out.push(s); }, err: (s: string) => { err.push(s); } }, out, err };
}

describe('scenario --trace FILE', () => {
  it('writes a valid Chrome trace with EL tracks and FF-A flows for one scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64el-trace-'));
    const file = join(dir, 'rfc.json');
    const c = io();
    expect(scenariosCommand(['rfc', '--table', '--trace', file], c.io)).toBe(0);
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    expect(validateChromeTrace(trace)).toEqual([]);
    const names = new Set(trace.traceEvents.filter((e: { ph: string }) => e.ph === 'M').map((e: { args: { name: string } }) => e.args.name));
    for (const track of ['EL1 NS', 'EL2', 'EL3', 'S-EL1']) expect([...names].some((n) => String(n).includes(track))).toBe(true);
    // Flow arrows pair each FF-A request with its response.
    expect(trace.traceEvents.some((e: { ph: string }) => e.ph === 's')).toBe(true);
    expect(trace.traceEvents.some((e: { ph: string }) => e.ph === 'f')).toBe(true);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    expect(c.err.join('')).toMatch(/written to/);
  });

  it('with several scenarios writes one file per scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64el-trace-'));
    const c = io();
    expect(scenariosCommand(['rfc', 'v7.1-rc2', '--table', `--trace=${join(dir, 't.json')}`], c.io)).toBe(0);
    expect(existsSync(join(dir, 't-rfc.json'))).toBe(true);
    expect(existsSync(join(dir, 't-v7.1-rc2.json'))).toBe(true);
  });
});
