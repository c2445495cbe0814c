import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, builtinScenario } from '../../src/scenarios/builtin.js';
import { renderReport, renderScenario, renderTable } from '../../src/scenarios/report.js';
import { runScenario, runScenarios } from '../../src/scenarios/run.js';
import { fakeBackend } from './fake-backend.js';

const run = (name: string) => runScenario(builtinScenario(name)!, { backend: fakeBackend });

describe('report on a scripted firmware', () => {
  it('v7.1-rc2: names the disagreements and failures', () => {
    const r = run('v7.1-rc2');
    const texts = r.findings.map((f) => `[${f.kind}] ${f.text}`);
    expect(texts.some((t) => /^\[disagreement\] the SPMC holds host pages 0x408\w+ \(OWNED\) and 0x408\w+ \(OWNED\) as endpoint 0's mailbox that pKVM considers ordinary host memory/.test(t))).toBe(true);
    expect(texts.some((t) => /pKVM has no host buffers registered/.test(t))).toBe(true);
    expect(texts.some((t) => /closed by the host itself/.test(t))).toBe(true);
    expect(texts).toContain('[failure] load_uefi_certs: FFA_MSG_SEND_DIRECT_REQ_64 got INVALID_PARAMETERS from EL2 (calls #17, #18, #19, #20); ' +
      'db, dbx, MokListRT, MokListXRT not loaded ("Couldn\'t get UEFI db list")');
    expect(texts).toContain('[failure] tpm_crb_ffa probe of arm-ffa-1 returned -EINVAL: FFA_MSG_SEND_DIRECT_REQ_64 got INVALID_PARAMETERS from EL2 (call #15); no TPM for IMA');
    expect(r.findings.filter((f) => f.kind === 'failure')).toHaveLength(2);
    expect(r.summary).toMatchObject({ hostFfaPath: 'direct to EL3', spmcMailbox: 'host pages', pkvmHostNegotiated: 'no', uefiCerts: 'INVALID_PARAMETERS (4/4)' });
    const text = renderScenario(r, { dmesg: true });
    expect(text).toMatch(/=== v7\.1-rc2: /);
    expect(text).toMatch(/rootfs\s+ffa_init/);
    expect(text).toMatch(/EL1→EL3→S-EL1→EL3→EL1/);
    expect(text).toMatch(/MODSIGN: Couldn't get UEFI db list/);
  });

  it('rfc: no findings; permissive-gate: a spec violation', () => {
    expect(run('rfc').findings).toEqual([]);
    const p = run('permissive-gate');
    expect(p.findings.filter((f) => f.kind === 'spec-violation')).toHaveLength(1);
    expect(p.negotiationClosure?.how).toBe('forwarded-before-host-negotiated');
    expect(p.summary.spmcNegotiation).toBe('closed early');
  });

  it('renders a side-by-side table and JSON-safe results', () => {
    const rs = runScenarios(BUILTIN_SCENARIOS, { backend: fakeBackend });
    const table = renderTable(rs);
    expect(table.split('\n')[0]).toMatch(/v7\.1-rc2\s+\| device-initcall\s+\| rfc\s+\| rfc-without-3\s+\| permissive-gate/);
    expect(table).toMatch(/load_uefi_certs/);
    expect(() => JSON.stringify(rs)).not.toThrow();
    expect(renderReport(rs)).toMatch(/=== Side by side ===/);
  });
});
