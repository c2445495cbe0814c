/**
 * `a64el run` and timing: --cycles prints the cycles per EL and world at the end (stderr),
 * --json carries them in "cyclesByEl", --timing / --timing-model choose the profile and model.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { BUNDLED_DIR, TIMING_DIR, runImage } from './helpers.js';

function cli(...argv: string[]): { status: number; out: string; err: string } {
  let out = '', err = '';
  const dec = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString('latin1'));
  const status = runCli(argv, { out: (c) => { out += dec(c); }, err: (c) => { err += dec(c); } });
  return { status, out, err };
}

const EL_DROP = join(BUNDLED_DIR, 'el-drop.elf');

describe('a64el run: cycles', () => {
  it('--cycles: one line on stderr with the per-EL split that sums to the total', () => {
    const r = cli('run', EL_DROP, '--cycles');
    expect(r.status).toBe(0);
    const line = r.err.trim().split('\n').at(-1)!;
    const m = /^a64el: (\d+) cycles \(generic, fixed\); cycles by EL: EL0 (\d+), EL1 (\d+), EL2 (\d+), EL3 (\d+) \(total (\d+)\)$/.exec(line);
    expect(m, line).not.toBeNull();
    const [total, el0, el1, el2, el3, sum] = m!.slice(1).map(Number) as [number, number, number, number, number, number];
    expect(el0 + el1 + el2 + el3).toBe(total);
    expect(sum).toBe(total);
    expect(total).toBe(runImage(EL_DROP, 'generic').cycles);
    expect(r.out).toContain('PASS');   // the guest console is unchanged on stdout
  });

  it('--json: "cyclesByEl" and "timing" in the final state', () => {
    const r = cli('run', EL_DROP, '--json', '--timing', 'neoverse-n1', '--timing-model', 'pipeline');
    const j = JSON.parse(r.out) as { cycles: number; cyclesByEl: Record<string, number>; timing: unknown };
    expect(Object.keys(j.cyclesByEl)).toEqual(['el0', 'el1', 'el2', 'el3', 'sel0', 'sel1', 'sel2']);
    expect(Object.values(j.cyclesByEl).reduce((a, b) => a + b, 0)).toBe(j.cycles);
    expect(j.timing).toEqual({ profile: 'neoverse-n1', model: 'pipeline' });
    expect(j.cycles).toBe(runImage(EL_DROP, 'neoverse-n1', 'pipeline').cycles);
  });

  it('--timing cortex-a57 runs the calibration image at its anchor', () => {
    const r = cli('run', join(TIMING_DIR, 'psci-version-tf2017.elf'), '--timing', 'cortex-a57');
    expect(r.status).toBe(0);
    expect(r.out).toContain('el3_window_cycles=000000000000022e');   // 558
  });

  it('usage errors: unknown profile or model', () => {
    expect(cli('run', EL_DROP, '--timing', 'a72')).toMatchObject({ status: 2 });
    expect(cli('run', EL_DROP, '--timing', 'a72').err).toMatch(/--timing must be one of generic, cortex-a57, neoverse-n1/);
    expect(cli('run', EL_DROP, '--timing-model', 'ooo').err).toMatch(/--timing-model must be fixed or pipeline/);
  });
});
