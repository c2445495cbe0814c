import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ScenarioResult } from '../../src/scenarios/index.js';
import { scenariosCommand } from '../../src/cli/scenarios.js';

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '', err = '';
  const code = scenariosCommand(argv, { out: (s) => { out += String(s); }, err: (s) => { err += String(s); } });
  return { code, out, err };
}

describe('a64el scenarios', () => {
  it('lists the built-in scenarios', () => {
    const r = run(['--list']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['v7.1-rc2', 'device-initcall', 'rfc', 'rfc-without-3', 'permissive-gate']);
  });

  it('runs chosen scenarios, as JSON', () => {
    const r = run(['rfc', 'v7.1-rc2', '--json']);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.out) as ScenarioResult[];
    expect(results.map((x) => x.name)).toEqual(['rfc', 'v7.1-rc2']);
    expect(results[1]!.summary.spmcMailbox).toBe('host pages');
    expect(results[0]!.calls[0]!.pathText).toBe('EL1→EL2→EL3→S-EL1→EL3→EL2→EL1');
  });

  it('runs scenarios from a file and reports file errors with their JSON path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64el-cmd-'));
    const good = join(dir, 'mine.json');
    writeFileSync(good, JSON.stringify({ format: 'a64el-scenarios/1', scenarios: [{ name: 'revert-plus-3', base: 'device-initcall', placements: { load_uefi_certs: 'late_sync' } }] }));
    const r = run(['revert-plus-3', '--file', good, '--table']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/revert-plus-3/);
    expect(r.out).toMatch(/load_uefi_certs\s+\| loaded/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'a64el-scenarios/1', scenarios: [{ name: 'x', placements: { ffa_init: { level: 'rootfs', sync: true } } }] }));
    const b = run(['--file', bad]);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/bad\.json: scenarios\[0\]\.placements\.ffa_init\.sync: ffa_init: rootfs has no _sync variant/);
  });

  it('refuses unknown scenario names', () => {
    const r = run(['nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown scenario "nope"/);
  });

  it('prints the full report with the side-by-side table', () => {
    const r = run(['--dmesg']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/=== Side by side ===/);
    expect(r.out).toMatch(/MODSIGN: Couldn't get UEFI db list/);
  });
});
