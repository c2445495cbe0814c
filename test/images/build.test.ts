/**
 * The committed firmware-images/build/*.elf and *.bin are what the sources build to: when GNU
 * binutils for AArch64 are installed, rebuild every image into a temporary directory with
 * firmware-images/build.sh (BUILD_DIR=...) and compare bytes. Without binutils it warns and skips.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const haveBinutils = spawnSync('aarch64-linux-gnu-as', ['--version']).status === 0;
if (!haveBinutils) console.warn('BINUTILS NOT INSTALLED: firmware image rebuild check SKIPPED');

describe.skipIf(!haveBinutils)('committed firmware images match their sources', () => {
  it('build.sh into a temporary directory reproduces every .elf and .bin byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64el-images-'));
    try {
      const r = spawnSync('bash', [join(root, 'firmware-images', 'build.sh')], { env: { ...process.env, BUILD_DIR: dir }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const committed = readdirSync(join(root, 'firmware-images', 'build')).sort();
      const rebuilt = readdirSync(dir).sort();
      expect(rebuilt).toEqual(committed);
      const sources = readdirSync(join(root, 'firmware-images')).filter((f) => f.endsWith('.S')).map((f) => f.slice(0, -2));
      expect(committed.length).toBe(2 * sources.length);
      for (const f of committed) {
        const same = Buffer.compare(readFileSync(join(dir, f)), readFileSync(join(root, 'firmware-images', 'build', f))) === 0;
        expect(same, `${f} differs from a fresh build of its source: run npm run images and commit`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
