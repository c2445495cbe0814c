/**
 * Differential test against the peer: when qemu-system-aarch64 (Debian qemu-system-arm, QEMU 7.2) is
 * installed, run each firmware image under QEMU exactly as vector-format.md says
 * (firmware-images/run-qemu.sh: virt,secure=on,virtualization=on, -bios IMAGE.bin) and require a64el's
 * UART text and exit code to be the same. Without QEMU it says so loudly and skips.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImageVectorFile } from '../../src/vectors/files.js';

const root = join(import.meta.dirname, '..', '..');
const haveQemu = spawnSync('qemu-system-aarch64', ['--version'], { encoding: 'utf8' }).status === 0;
if (!haveQemu) console.warn('QEMU NOT INSTALLED: image differential test SKIPPED');
const names = readdirSync(join(root, 'firmware-images', 'build')).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)).sort();

describe.skipIf(!haveQemu)('a64el vs QEMU on every firmware image', () => {
  for (const name of names) {
    it(name, () => {
      const q = spawnSync('bash', [join(root, 'firmware-images', 'run-qemu.sh'), name], {
        encoding: 'latin1', env: { ...process.env, QEMU_TIMEOUT: '20' }, timeout: 30_000,
      });
      expect(q.status, `QEMU timed out or failed: ${q.stderr}`).not.toBe(124);
      const ours = runImageVectorFile(join(root, 'test', 'vectors', 'images', `${name}.json`));
      expect(ours.uart, ours.message).toBe(q.stdout);
      expect(ours.exitCode, ours.message).toBe(q.status);
    });
  }
});
