/**
 * The trap paths allocate nothing per round trip: HVC to native pKVM, FFA_MSG_SEND_DIRECT_REQ_64
 * through pKVM, EL3 and the SPMC to the echo partition and back (with and without pKVM), and the
 * interpreted-vector benchmark images (translated blocks included, ELF reloaded every run). Measured in plain node on an
 * esbuild bundle of alloc-probe.ts (as test/firmware/el2/pkvm-hotpath.test.ts does for pKVM alone):
 * after warm-up, no collection at all and heap growth under 1 MB over the run. `a64el bench` runs the
 * same probe over 10M round trips (docs/speed.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir = '';
let probe = '';

beforeAll(async () => {
  const { build } = await import('esbuild');
  // Inside the project so the bundle's external packages resolve; two levels below the root so the
  // bench module finds firmware-images/bench (projectRoot walks up to it).
  const cache = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, 'a64el-alloc-'));
  probe = join(dir, 'probe.mjs');
  await build({ entryPoints: [fileURLToPath(new URL('./alloc-probe.ts', import.meta.url))], bundle: true,
    format: 'esm', platform: 'node', target: 'node20', packages: 'external', outfile: probe, logLevel: 'silent' });
}, 60_000);
afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

describe('no allocation per round trip (plain node, GC profiler)', () => {
  const cases: [string, number][] = [['hvc-pkvm', 2_000_000], ['ffa-pkvm', 400_000], ['ffa-direct', 400_000], ['hvc-image', 2_000_000], ['smc-image', 1_000_000]];
  for (const [name, n] of cases) {
    it(`${name}: ${n} round trips`, () => {
      const r = JSON.parse(execFileSync(process.execPath, ['--expose-gc', probe, name, String(n)], { encoding: 'utf8', timeout: 300_000 })) as
        { gcs: number; heapGrowth: number; smallN: number; smallGrowth: number; ms: number };
      // Even 4 bytes per round trip would be several MB, and scavenges.
      expect(r.gcs).toBe(0);
      // An image run reloads its ELF each time; unchanged code pages keep their translated blocks
      // (memory/bus.ts load), so a run re-translates nothing and stays under the same bound.
      expect(r.heapGrowth).toBeLessThan(1024 * 1024);
      expect(r.heapGrowth - r.smallGrowth).toBeLessThan(1024 * 1024);
      console.log(`${name}: ${n} round trips in ${r.ms.toFixed(0)} ms, ${r.gcs} GCs, heap +${(r.heapGrowth / 1024).toFixed(0)} KB ` +
        `(a run of ${r.smallN}: +${(r.smallGrowth / 1024).toFixed(0)} KB)`);
    }, 300_000);
  }
});
