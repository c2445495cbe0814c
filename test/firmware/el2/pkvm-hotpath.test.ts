/**
 * The hot path allocates nothing: a host FFA_MSG_SEND_DIRECT_REQ_64 after negotiation is trapped,
 * tail-forwarded to EL3 (issueTail from SITE_FORWARD, x0-x17 untouched) and completed at
 * onResume(SITE_FORWARD + 4) (ELR_EL2 += 4, ERET). Both tests drive exactly pKVM's two entry points
 * and the core exception code between them (takeException for the trap and the SMC, exceptionReturn
 * for EL3's and pKVM's ERETs), so any allocation the probe sees is pKVM's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as L from '../../../src/state/layout.js';
import * as A from '../../../src/ffa/abi.js';
import { takeException } from '../../../src/exceptions/take.js';
import { exceptionReturn } from '../../../src/exceptions/eret.js';
import { VectorType } from '../../../src/exceptions/kinds.js';
import { SITE_FORWARD } from '../../../src/firmware/el2/pkvm.js';
import { HostSite } from '../../../src/firmware/host/caller.js';
import { PART_ID, readyWorld } from './harness.js';

describe('hot path: forwarded DIRECT_REQ_64', () => {
  it('is a tail forward with x0-x17 unchanged', () => {
    const w = readyWorld();
    w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2);
    const cpu = w.m.cpu, s = cpu.s;
    const pkvm = w.pkvm;
    const esrSmc = ((0x17 << 26) | (1 << 25)) | 0;
    const siteLo = HostSite.Smc, siteHi = w.host.pcHi;
    const fid = A.FFA_MSG_SEND_DIRECT_REQ_64 | 0;

    // One round trip, checking the architectural state at each hop.
    s[0] = fid; s[1] = 0; s[2] = PART_ID; s[3] = 0;
    for (let i = 3; i < 18; i++) { s[2 * i] = i; s[2 * i + 1] = 0x100 * i; }
    takeException(cpu, 2, VectorType.Sync, esrSmc, siteLo, siteHi);   // the TSC trap: ELR_EL2 = the SMC
    pkvm.onException(0x400);
    expect(s[L.PSTATE_EL]).toBe(3);                                   // the SMC went to EL3 ...
    expect(cpu.get64(L.ELR_EL + 6)).toBe(pkvm.siteAddress(SITE_FORWARD) + 4n);   // ... from SITE_FORWARD
    expect([s[0], s[2], s[6], s[7], s[34], s[35]]).toEqual([fid, PART_ID, 3, 0x300, 17, 0x1100]);   // untouched
    exceptionReturn(cpu);                                             // EL3's ERET to SITE_FORWARD + 4
    pkvm.onResume(SITE_FORWARD + 4);
    expect(s[L.PSTATE_EL]).toBe(1);
    expect(cpu.get64(L.PC)).toBe(w.host.siteAddress(HostSite.Smc) + 4n);
    expect(cpu.get64(L.ELR_EL + 4)).toBe(w.host.siteAddress(HostSite.Smc) + 4n);
    expect([s[0], s[6], s[35]]).toEqual([fid, 3, 0x1100]);
    expect(pkvm.stats.forwarded).toBe(1);       // FFA_VERSION was handled at EL2, not forwarded
  });

  it('allocates nothing (measured in plain node on an esbuild bundle of hotpath-probe.ts)', async () => {
    const { build } = await import('esbuild');
    // Inside node_modules/.cache so the bundle's external packages resolve from the project.
    const cache = fileURLToPath(new URL('../../../node_modules/.cache/', import.meta.url));
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'a64el-hotpath-'));
    try {
      const out = join(dir, 'probe.mjs');
      await build({ entryPoints: [fileURLToPath(new URL('./hotpath-probe.ts', import.meta.url))], bundle: true,
        format: 'esm', platform: 'node', target: 'node20', packages: 'external', outfile: out, logLevel: 'silent' });
      const N = 2_000_000;
      const r = JSON.parse(execFileSync(process.execPath, ['--expose-gc', out, String(N)], { encoding: 'utf8' })) as
        { nsPerCall: number; gcs: number; heapGrowth: number; forwarded: number };
      // Even 16 bytes per call would be 32 MB: several scavenges. None happened and the heap did not grow.
      expect(r.gcs).toBe(0);
      expect(r.heapGrowth).toBeLessThan(256 * 1024);
      expect(r.forwarded).toBeGreaterThanOrEqual(N);
      console.log(`pKVM hot path: ${r.nsPerCall.toFixed(0)} ns per trapped+forwarded DIRECT_REQ_64 (pKVM + exception entry/return), ${r.gcs} GCs, heap +${r.heapGrowth} B over ${N} calls`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
