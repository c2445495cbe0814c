/**
 * The committed calibration images (firmware-images/timing/build) are what their sources build to:
 * with GNU binutils installed, firmware-images/timing/build.sh into a temporary directory must
 * reproduce every .elf and .bin byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, TIMING_DIR } from './helpers.js';

const haveBinutils = spawnSync('aarch64-linux-gnu-as', ['--version']).status === 0;
if (!haveBinutils) console.warn('BINUTILS NOT INSTALLED: timing image rebuild check SKIPPED');

describe.skipIf(!haveBinutils)('committed calibration images match their sources', () => {
  it('timing/build.sh reproduces every .elf and .bin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64el-timing-images-'));
    try {
      const r = spawnSync('bash', [join(ROOT, 'firmware-images', 'timing', 'build.sh')], { env: { ...process.env, BUILD_DIR: dir }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const committed = readdirSync(TIMING_DIR).sort();
      expect(readdirSync(dir).sort()).toEqual(committed);
      for (const f of committed) {
        const same = Buffer.compare(readFileSync(join(dir, f)), readFileSync(join(TIMING_DIR, f))) === 0;
        expect(same, `${f} differs from a fresh build: run bash firmware-images/timing/build.sh and commit`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
