/**
 * The boot orders of reference pkvm-ffa.md section 7 on the real machine (EL3 monitor + SPMD, S-EL1
 * SPMC, pKVM at EL2, the host-kernel model at NS-EL1), checked at the register level (function IDs,
 * error codes, which EL answered) and at the belief level (host, pKVM, SPMC).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '../../src/ffa/abi.js';
import { BUILTIN_SCENARIOS, builtinScenario, cloneScenario } from '../../src/scenarios/builtin.js';
import { type CallView, type ScenarioResult, renderReport } from '../../src/scenarios/index.js';
import { runScenario } from '../../src/scenarios/run.js';

const hx = (n: number | bigint): string => `0x${BigInt.asUintN(64, BigInt(n)).toString(16)}`;
const INVALID_PARAMETERS_X2 = '0xfffffffffffffffe';
const w32 = (s: string): number => Number(BigInt(s) & 0xffffffffn);

const results = new Map<string, ScenarioResult>();
let totalMs = 0;
beforeAll(() => {
  const t0 = performance.now();
  for (const def of BUILTIN_SCENARIOS) results.set(def.name, runScenario(def));
  totalMs = performance.now() - t0;
});
const get = (name: string): ScenarioResult => results.get(name)!;

/** Calls by function ID (and optionally by caller prefix). */
const callsOf = (r: ScenarioResult, fid: number, caller?: string): CallView[] =>
  r.calls.filter((c) => c.fid === hx(fid) && (caller === undefined || c.caller.startsWith(caller)));
const first = (r: ScenarioResult, fid: number, caller?: string): CallView => {
  const c = callsOf(r, fid, caller)[0];
  if (c === undefined) throw new Error(`${r.name}: no call ${hx(fid)}${caller !== undefined ? ` from ${caller}` : ''}`);
  return c;
};
const initcallIndex = (r: ScenarioResult, name: string): number => r.initcalls.findIndex((i) => i.name === name);
const gated = (c: CallView): void => {
  expect(c.result[0]).toBe(hx(A.FFA_ERROR));
  expect(c.result[1]).toBe('0x0');
  expect(c.result[2]).toBe(INVALID_PARAMETERS_X2);
  expect(c.error).toBe('INVALID_PARAMETERS');
  expect(c.path).toEqual(['EL1', 'EL2', 'EL1']);
  expect(c.answeredBy).toBe('EL2');
};
const hostPages = (r: ScenarioResult): string[] => {
  const x = r.beliefs.host.rxtx!;
  return [hx(x.tx), hx(x.rx)];
};

describe('(a) v7.1-rc2: ffa_init at rootfs_initcall, before the SMC trap exists', () => {
  it('runs ffa_init before kvm_arm_init, finalize_pkvm after both', () => {
    const r = get('v7.1-rc2');
    expect(initcallIndex(r, 'ffa_init')).toBeLessThan(initcallIndex(r, 'kvm_arm_init'));
    expect(r.initcalls.find((i) => i.name === 'ffa_init')!.phase).toBe('rootfs');
    expect(initcallIndex(r, 'kvm_arm_init')).toBeLessThan(initcallIndex(r, 'finalize_pkvm'));
  });

  it('negotiates with the SPMC directly: no EL2 on the path (a1-a4)', () => {
    const r = get('v7.1-rc2');
    const v = first(r, A.FFA_VERSION, 'ffa_init');
    expect(v.args[1]).toBe(hx(A.FFA_VERSION_1_2));
    expect(v.result[0]).toBe(hx(A.FFA_VERSION_1_2));
    for (const c of r.calls.filter((x) => x.caller === 'ffa_init')) {
      expect(c.path[1]).toBe('EL3');
      expect(c.path).not.toContain('EL2');
    }
    // The SPMD takes FFA_VERSION to the SPMC (framework message) and answers for it at EL3.
    expect(v.path).toEqual(['EL1', 'EL3', 'S-EL1', 'EL3', 'EL1']);
    const id = first(r, A.FFA_ID_GET, 'ffa_init');
    expect(id.result[0]).toBe(hx(A.FFA_SUCCESS));
    expect(w32(id.result[2]!)).toBe(0);
    const map = first(r, A.FFA_RXTX_MAP_64, 'ffa_init');
    expect([map.args[1], map.args[2]]).toEqual(hostPages(r));
    expect(map.result[0]).toBe(hx(A.FFA_SUCCESS));
    // Straight to the SPMC, FFA_FEATURES(PARTITION_INFO_GET_REGS) succeeds, so the driver uses it.
    const regsFeature = callsOf(r, A.FFA_FEATURES, 'ffa_init').find((c) => w32(c.args[1]!) === A.FFA_PARTITION_INFO_GET_REGS)!;
    expect(regsFeature.result[0]).toBe(hx(A.FFA_SUCCESS));
    const regs = first(r, A.FFA_PARTITION_INFO_GET_REGS, 'ffa_init');
    expect(regs.result[0]).toBe(hx(A.FFA_SUCCESS_64));
    expect(callsOf(r, A.FFA_PARTITION_INFO_GET)).toHaveLength(0);
    // The host also believes DIRECT_REQ2 exists: the SPMC said so, pKVM would refuse it.
    expect(r.beliefs.host.directReq2).toBe(true);
    expect(r.findings.some((f) => /DIRECT_REQ2/.test(f.text))).toBe(true);
  });

  it('pKVM then answers later FF-A calls at the gate with INVALID_PARAMETERS (a5, a8)', () => {
    const r = get('v7.1-rc2');
    const tpm = callsOf(r, A.FFA_MSG_SEND_DIRECT_REQ_64, 'tpm_crb_ffa_init');
    expect(tpm).toHaveLength(1);
    expect(w32(tpm[0]!.args[1]!)).toBe(0x8001);
    gated(tpm[0]!);
    const uefi = callsOf(r, A.FFA_MSG_SEND_DIRECT_REQ_64, 'load_uefi_certs');
    expect(uefi.length).toBeGreaterThan(0);
    for (const c of uefi) { expect(w32(c.args[1]!)).toBe(0x8002); gated(c); }
    expect(r.beliefs.host.kernel.tpm).toMatchObject({ bound: false, probeRet: -22 });
    expect(r.beliefs.host.kernel.uefiCerts.loaded).toEqual([]);
    expect(r.dmesg.some((l) => /Couldn't get UEFI db list/.test(l.text))).toBe(true);
  });

  it('leaves the three parties disagreeing', () => {
    const r = get('v7.1-rc2');
    const { host, pkvm, spmc } = r.beliefs;
    expect(host).toMatchObject({ initialised: true, version: '1.2', vmId: 0 });
    expect(host.partitions.map((p) => p.id)).toEqual([0x8001, 0x8002]);
    expect(pkvm.present).toBe(true);
    expect(pkvm.hostNegotiated).toBe(false);
    expect(pkvm.hostBuffers).toBeNull();
    expect(pkvm.finalised).toBe(true);
    expect(spmc.endpoint0.version).toBe('1.2');
    expect(spmc.endpoint0.negotiationClosed).toBe(true);
    expect([spmc.endpoint0.mailbox!.tx, spmc.endpoint0.mailbox!.rx]).toEqual(hostPages(r));
    // pKVM considers the SPMC's mailbox ordinary host memory.
    for (const pa of hostPages(r)) expect(pkvm.pagesOfInterest.find((p) => p.pa === pa)?.host).toBe('OWNED');
    expect(r.negotiationClosure?.how).toBe('host-direct');
    const texts = r.findings.map((f) => f.text);
    expect(texts.some((t) => t.startsWith(`the SPMC holds host pages ${hostPages(r)[0]} (OWNED)`))).toBe(true);
    expect(texts.some((t) => /load_uefi_certs: FFA_MSG_SEND_DIRECT_REQ_64 got INVALID_PARAMETERS from EL2/.test(t))).toBe(true);
    expect(r.summary).toMatchObject({ hostFfaPath: 'direct to EL3', spmcMailbox: 'host pages', pkvmHostNegotiated: 'no' });
  });
});

/** The (b) outcome: the host negotiated through pKVM, buffers proxied, every later call forwarded. */
function expectAgreement(r: ScenarioResult): void {
  const { host, pkvm, spmc } = r.beliefs;
  expect(host).toMatchObject({ initialised: true, version: '1.2', vmId: 0 });
  expect(pkvm.hostNegotiated).toBe(true);
  expect(pkvm.hostBuffers).toEqual({ tx: hostPages(r)[0], rx: hostPages(r)[1] });
  // The SPMC only ever sees the hyp's mailbox, never the host's pages (reference 7(b) invariant).
  expect(spmc.endpoint0.mailbox).not.toBeNull();
  expect([spmc.endpoint0.mailbox!.tx, spmc.endpoint0.mailbox!.rx]).toEqual([pkvm.hypMailbox!.tx, pkvm.hypMailbox!.rx]);
  for (const c of r.calls) for (const pa of hostPages(r)) if (c.answeredBy.startsWith('S-')) expect(c.args).not.toContain(pa);
  for (const pa of hostPages(r)) expect(pkvm.pagesOfInterest.find((p) => p.pa === pa)).toMatchObject({ host: 'SHARED_OWNED', hyp: 'SHARED_BORROWED' });
  expect(spmc.endpoint0.version).toBe('1.2');
  const v = first(r, A.FFA_VERSION, r.summary.ffaCoreInit.includes('deferred') ? 'deferred_probe_initcall' : 'ffa_init');
  expect(v.result[0]).toBe(hx(A.FFA_VERSION_1_2));
  expect(v.path.slice(0, 2)).toEqual(['EL1', 'EL2']);
  expect(v.answeredBy).toBe('EL2');
  // Through pKVM: PARTITION_INFO_GET_REGS is NOT_SUPPORTED at EL2, so count, then data, then RX_RELEASE.
  const regsFeature = r.calls.find((c) => c.fid === hx(A.FFA_FEATURES) && w32(c.args[1]!) === A.FFA_PARTITION_INFO_GET_REGS)!;
  expect(regsFeature.error).toBe('NOT_SUPPORTED');
  expect(regsFeature.answeredBy).toBe('EL2');
  const pig = r.calls.filter((c) => c.fid === hx(A.FFA_PARTITION_INFO_GET));
  expect(pig.map((c) => w32(c.args[5]!))).toEqual([1, 0]);
  expect(pig.map((c) => w32(c.result[2]!))).toEqual([2, 2]);
  expect(w32(pig[1]!.result[3]!)).toBe(24);
  expect(host.partitions.map((p) => p.id)).toEqual([0x8001, 0x8002]);
  expect(host.directReq2).toBe(false);
  const map = r.calls.find((c) => c.fid === hx(A.FFA_RXTX_MAP_64))!;
  expect(map.result[0]).toBe(hx(A.FFA_SUCCESS));
  expect(map.answeredBy).toBe('EL2');
  const tpm = r.calls.find((c) => c.fid === hx(A.FFA_MSG_SEND_DIRECT_REQ_64) && c.caller.includes('tpm_crb_ffa probe'))!;
  expect(tpm.result[0]).toBe(hx(A.FFA_MSG_SEND_DIRECT_RESP_64));
  expect(w32(tpm.result[1]!)).toBe(0x80010000);
  expect(tpm.result[3]).toBe(tpm.args[3]);
  // Forwarded by pKVM; the SPMC runs the partition at S-EL0, which produced the reply.
  expect(tpm.path).toEqual(['EL1', 'EL2', 'EL3', 'S-EL1', 'S-EL0', 'S-EL1', 'EL3', 'EL2', 'EL1']);
  expect(tpm.answeredBy).toBe('S-EL0');
  expect(host.kernel.tpm.bound).toBe(true);
}

describe("(a') device-initcall: ffa_init after kvm_arm_init by link order", () => {
  it('runs kvm_arm_init, then ffa_init, then finalize_pkvm', () => {
    const r = get('device-initcall');
    expect(initcallIndex(r, 'kvm_arm_init')).toBeLessThan(initcallIndex(r, 'ffa_init'));
    expect(initcallIndex(r, 'ffa_init')).toBeLessThan(initcallIndex(r, 'finalize_pkvm'));
  });
  it('agrees like (b), before finalize_pkvm', () => {
    const r = get('device-initcall');
    expectAgreement(r);
    expect(r.beliefs.host.kernel.uefiCerts.failed).toEqual([]);
    expect(r.findings).toEqual([]);
  });
});

describe('(b)/(d) rfc: deferred root device, load_uefi_certs at late_initcall_sync', () => {
  it('defers the root probe until finalize_pkvm, runs ffa_core_init in deferred_probe_initcall', () => {
    const r = get('rfc');
    expect(r.dmesg.some((l) => /deferring probe/.test(l.text))).toBe(true);
    expect(callsOf(r, A.FFA_VERSION, 'ffa_init')).toHaveLength(0);
    const v = first(r, A.FFA_VERSION, 'deferred_probe_initcall');
    expect(v.caller).toMatch(/arm-ffa root probe/);
    const fin = r.initcalls.find((i) => i.name === 'finalize_pkvm')!;
    expect(v.seq).toBeGreaterThan(Math.max(...fin.calls));
    expect(v.cycleStart).toBeGreaterThanOrEqual(fin.cycleEnd);
  });
  it('agrees everywhere and load_uefi_certs succeeds', () => {
    const r = get('rfc');
    expectAgreement(r);
    expect(r.initcalls.find((i) => i.name === 'load_uefi_certs')!.phase).toBe('late_sync');
    const uefi = callsOf(r, A.FFA_MSG_SEND_DIRECT_REQ_64, 'load_uefi_certs');
    expect(uefi.length).toBeGreaterThan(0);
    for (const c of uefi) {
      expect(c.result[0]).toBe(hx(A.FFA_MSG_SEND_DIRECT_RESP_64));
      expect(w32(c.result[1]!)).toBe(0x80020000);
      expect(c.answeredBy).toBe('S-EL0');
    }
    expect(r.beliefs.host.kernel.uefiCerts.failed).toEqual([]);
    expect(r.findings).toEqual([]);
  });
});

describe('(d) rfc-without-3: load_uefi_certs still at late_initcall', () => {
  it('runs load_uefi_certs before deferred_probe_initcall and gets INVALID_PARAMETERS from EL2', () => {
    const r = get('rfc-without-3');
    expect(initcallIndex(r, 'load_uefi_certs')).toBeLessThan(initcallIndex(r, 'deferred_probe_initcall'));
    const uefi = callsOf(r, A.FFA_MSG_SEND_DIRECT_REQ_64, 'load_uefi_certs');
    expect(uefi.length).toBeGreaterThan(0);
    for (const c of uefi) gated(c);
    const v = first(r, A.FFA_VERSION, 'deferred_probe_initcall');
    expect(v.seq).toBeGreaterThan(uefi.at(-1)!.seq);
    expect(r.beliefs.host.kernel.uefiCerts.loaded).toEqual([]);
    expect(r.findings.filter((f) => f.kind === 'failure').map((f) => f.text).join('\n')).toMatch(/load_uefi_certs: FFA_MSG_SEND_DIRECT_REQ_64 got INVALID_PARAMETERS from EL2/);
  });
  it('still ends with the parties agreeing on FF-A (only the certificates are lost)', () => {
    const r = get('rfc-without-3');
    expectAgreement(r);
    expect(r.findings.filter((f) => f.kind !== 'failure')).toEqual([]);
  });
});

describe('(c) permissive-gate: pKVM forwards DIRECT_REQ before the host negotiated', () => {
  it('load_uefi_certs succeeds through the SPMC', () => {
    const r = get('permissive-gate');
    const uefi = callsOf(r, A.FFA_MSG_SEND_DIRECT_REQ_64, 'load_uefi_certs');
    for (const c of uefi) {
      expect(c.result[0]).toBe(hx(A.FFA_MSG_SEND_DIRECT_RESP_64));
      expect(c.path).toEqual(['EL1', 'EL2', 'EL3', 'S-EL1', 'S-EL0', 'S-EL1', 'EL3', 'EL2', 'EL1']);
      expect(c.answeredBy).toBe('S-EL0');
    }
    expect(r.beliefs.host.kernel.uefiCerts.failed).toEqual([]);
  });
  it("closes the SPMC's negotiation for endpoint 0 before the host negotiated: a spec violation", () => {
    const r = get('permissive-gate');
    const uefi = callsOf(r, A.FFA_MSG_SEND_DIRECT_REQ_64, 'load_uefi_certs');
    expect(r.negotiationClosure).toMatchObject({ how: 'forwarded-before-host-negotiated', seq: uefi[0]!.seq });
    const v = r.findings.filter((f) => f.kind === 'spec-violation');
    expect(v).toHaveLength(1);
    expect(v[0]!.text).toMatch(/13\.2\.2/);
    // The host's later FFA_VERSION(1.2) still negotiates as usual (reference 7(c) consequence 1).
    expectAgreement(r);
  });
});

describe('all built-in scenarios', () => {
  it('run in under 2 s together and render', () => {
    expect(totalMs).toBeLessThan(2000);
    const text = renderReport([...results.values()]);
    expect(text).toMatch(/=== Side by side ===/);
    expect(() => JSON.stringify([...results.values()])).not.toThrow();
    // The defaults described by builtinScenario are what ran.
    expect(get('rfc').definition).toEqual(builtinScenario('rfc'));
  });
});

describe('a Hafnium-like SPMC: pKVM\'s own FFA_VERSION ends endpoint 0\'s negotiation phase', () => {
  // Hafnium takes the NWd's FFA_VERSION, relayed by the SPMD as a framework direct request, as a
  // handled call that ends the caller's negotiation. Under pKVM that caller is hyp_ffa_init during
  // __pkvm_init: VERSION first, so DEN0077A v1.2 13.2.2 is kept; nothing was forwarded for the host.
  it('is reported as closed by pKVM, with no spec violation, and the host still negotiates', () => {
    const def = cloneScenario(builtinScenario('rfc')!);
    def.name = 'rfc-hafnium';
    def.policy.spmc = 'hafnium';
    const r = runScenario(def);
    const init = r.calls.find((c) => c.caller === 'kvm_arm_init' && c.seq === r.negotiationClosure?.seq);
    expect(r.negotiationClosure?.how).toBe('hyp');
    expect(init?.conduit).toBe('hvc');
    expect(r.summary.spmcNegotiation).toBe('closed by pKVM');
    expect(r.findings.filter((f) => f.kind === 'spec-violation')).toEqual([]);
    expect(r.beliefs.pkvm.hostNegotiated).toBe(true);
    expect(r.beliefs.host.kernel.uefiCerts.failed).toEqual([]);
  });
});
