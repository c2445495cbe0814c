/**
 * pKVM life cycle at register level: EL2 stub boot, stub-mode HVCs and untrapped SMCs, __pkvm_init
 * (hyp_ffa_init, TSC), __pkvm_prot_finalize and the hypercall privilege rules (hyp-main.c
 * handle_host_hcall; reference pkvm-ffa.md §2-§3).
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../../src/state/layout.js';
import * as A from '../../../src/ffa/abi.js';
import { HCR_RW, HCR_TSC, HCR_VM, HVC_STUB_ERR, PKVM_INIT_HCALL, PKVM_PROT_FINALIZE_HCALL } from '../../../src/firmware/el2/pkvm.js';
import { HostSite } from '../../../src/firmware/host/caller.js';
import { PageState } from '../../../src/memory/stage2.js';
import { BACKENDS, type Backend, M64, U, type World, build, makeWorld, readyOn, readyWorld } from './harness.js';

const hcr = (w: World) => w.m.cpu.get64(L.HCR_EL2);

describe.each(BACKENDS)('EL2 stub boot (%s)', (kind: Backend) => {
  it('sets HCR_EL2 = RW (TSC clear), VBAR_EL2 = pKVM, and ERETs to the host at EL1h with DAIF masked', () => {
    const w = build(kind);
    const s = w.m.cpu.s;
    expect(hcr(w)).toBe(BigInt(HCR_RW >>> 0));
    expect(w.m.cpu.get64(L.VBAR_EL + 4)).toBe(w.pkvm.vectorBase);
    expect(s[L.PSTATE_EL]).toBe(1);
    expect(s[L.PSTATE_DAIF]).toBe(0x3c0);
    expect(w.m.pc).toBe(w.host.siteAddress(HostSite.Entry));
    expect(w.pkvm.beliefs()).toMatchObject({ mode: 'stub', initialised: false, finalised: false, negotiated: false, hypFfaVersion: 0 });
  });

  it('does not trap host SMCs before __pkvm_init: they reach EL3 from EL1 (TSC = 0)', () => {
    const w = build(kind);
    const x = w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2);
    expect(x[0]).toBe(0x10002n);
    expect(w.el3.calls).toHaveLength(1);
    expect(w.el3.calls[0]!.fromEl).toBe(1);
    expect(w.pkvm.stats.hostSmcTraps).toBe(0);
    // The SPMC has heard from endpoint 0 (scenario (a) step a1); pKVM knows nothing of it.
    w.smc(A.FFA_ID_GET);
    expect(w.el3.ep0Closed).toBe(true);
    expect(w.pkvm.beliefs().negotiated).toBe(false);
  });

  it('answers stub hypercalls like hyp-stub.S: known calls 0, anything else HVC_STUB_ERR', () => {
    const w = build(kind);
    expect(w.invoke([0], 'hvc').x[0]).toBe(0n);            // HVC_SET_VECTORS
    expect(w.invoke([0xc6000007], 'hvc').x[0]).toBe(BigInt(HVC_STUB_ERR));
    expect(w.invoke([0x12345], 'hvc').x[0]).toBe(BigInt(HVC_STUB_ERR));
    // The stub kept its vectors.
    expect(w.m.cpu.get64(L.VBAR_EL + 4)).toBe(w.pkvm.vectorBase);
  });
});

describe.each(BACKENDS)('__pkvm_init (kvm_arm_init) (%s)', (kind: Backend) => {
  it('runs hyp_ffa_init: exactly one SMC to EL3, FFA_VERSION(1.2), from EL2 (b1)', () => {
    const w = build(kind);
    const r = w.invoke([PKVM_INIT_HCALL, 0x11, 0x22, 0x33], 'hvc');
    expect(r.x[0]).toBe(0n);                         // SMCCC_RET_SUCCESS
    expect(r.x[1]).toBe(0n);                         // __pkvm_init's result
    expect(r.x[2]).toBe(0x22n);                      // the host context is otherwise preserved
    expect(r.x[3]).toBe(0x33n);
    expect(w.el3.calls).toHaveLength(1);
    expect(w.el3.calls[0]!.fromEl).toBe(2);
    expect(w.el3.calls[0]!.x[0]).toBe(U(A.FFA_VERSION));
    expect(w.el3.calls[0]!.x[1]).toBe(U(A.FFA_VERSION_1_2));
    expect(hcr(w)).toBe(BigInt((HCR_RW | HCR_TSC) >>> 0));
    const b = w.pkvm.beliefs();
    expect(b).toMatchObject({ mode: 'protected', initialised: true, finalised: false, hypFfaVersion: 0x10002,
      negotiated: false, hostBuffers: null, hypMailboxRegistered: false });
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it('donates the carve-out at the top of DRAM to the hyp (host NOPAGE, hyp OWNED)', () => {
    const w = readyOn(kind, {}, false);
    const lay = w.pkvm.layout()!;
    expect(lay.carveOut + 20 * 4096).toBe(0x4000_0000 + w.m.bus.dramSize);
    const st = w.pkvm.stage2!;
    for (const pa of [lay.pgt, lay.hypTx, lay.hypRx, lay.desc, lay.desc + lay.descLen - 4096]) {
      expect(st.hostState(pa)).toBe(PageState.NoPage);
      expect(st.hypState(pa)).toBe(PageState.Owned);
    }
    expect(st.hostState(0x4000_0000)).toBe(PageState.Owned);
    expect(lay.descLen).toBe(17 * 4096);
    expect(w.m.cpu.get64(L.VTTBR_EL2)).toBe(BigInt(lay.pgt));
  });

  it('traps host SMCs afterwards: ELR_EL2 = the SMC itself on entry, +4 on return', () => {
    const w = readyOn(kind, {}, false);
    const seen: bigint[] = [];
    const off = w.onEntry((cpu, from, _sec, target) => { if (from === 1 && target === 2) seen.push(cpu.get64(L.ELR_EL + 4)); });
    w.smc(A.SMCCC_VERSION);
    off();
    const smcSite = w.host.siteAddress(HostSite.Smc);
    expect(seen).toEqual([smcSite]);
    expect(w.m.cpu.get64(L.ELR_EL + 4)).toBe(smcSite + 4n);
    expect(w.m.pc).toBe(smcSite + 4n);
    expect(w.pkvm.stats.hostSmcTraps).toBe(1);
  });

  it('stays inert when the host SMCCC version is below 1.2: no SMC, every FF-A ID but VERSION gets -2', () => {
    const w = readyOn(kind, { hostSmcccVersion: 0x10001 }, false);
    expect(w.el3.calls).toHaveLength(0);
    expect(w.pkvm.beliefs().hypFfaVersion).toBe(0);
    const x = w.smc(A.FFA_ID_GET);
    expect(x[0]).toBe(U(A.FFA_ERROR));
    expect(x[2]).toBe(M64 - 1n);
  });

});

describe('__pkvm_init against a misbehaving EL3 (fake)', () => {
  it('stays inert when EL3 answers FFA_VERSION with NOT_SUPPORTED', () => {
    const w = readyWorld({}, (el3) => { el3.versionNotSupported = true; }, false);
    expect(w.el3.calls).toHaveLength(1);
    expect(w.pkvm.beliefs()).toMatchObject({ initialised: true, hypFfaVersion: 0 });
  });

  it('fails __pkvm_init with -EOPNOTSUPP when EL3 reports a major version other than 1', () => {
    const w = makeWorld({}, (el3) => { el3.version = 0x20000; });
    const r = w.init();
    expect(r[0]).toBe(0n);
    expect(r[1]).toBe(BigInt.asUintN(64, -95n));
    expect(w.pkvm.beliefs().initialised).toBe(false);
    expect(hcr(w) & BigInt(HCR_TSC)).toBe(0n);
  });

  it('takes the minimum of 1.2 and the SPMC version', () => {
    const w = readyWorld({}, (el3) => { el3.version = A.FFA_VERSION_1_1; }, false);
    expect(w.pkvm.beliefs().hypFfaVersion).toBe(A.FFA_VERSION_1_1);
  });
});

describe.each(BACKENDS)('host hypercalls after __pkvm_init (handle_host_hcall) (%s)', (kind: Backend) => {
  it('__pkvm_prot_finalize: x0 = 0, x1 = 0, HCR_EL2.VM set and the stage-2 check installed; again: x1 = -EPERM', () => {
    const w = readyOn(kind, {}, false);
    expect(w.m.bus.stage2Check).toBeNull();
    expect(w.finalize()).toEqual([0n, 0n]);
    expect(hcr(w)).toBe(BigInt((HCR_RW | HCR_TSC | HCR_VM) >>> 0));
    expect(w.m.bus.stage2Check).not.toBeNull();
    expect(w.pkvm.beliefs().finalised).toBe(true);
    expect(w.finalize()).toEqual([0n, BigInt.asUintN(64, -1n)]);
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it('closes the privileged hypercalls once finalised; unknown IDs are SMCCC NOT_SUPPORTED', () => {
    const w = readyOn(kind, {}, false);
    // Before finalisation __pkvm_init is still reachable (the model refuses a second init with -EPERM).
    expect(w.invoke([PKVM_INIT_HCALL], 'hvc').x.slice(0, 2)).toEqual([0n, BigInt.asUintN(64, -1n)]);
    w.finalize();
    expect(w.invoke([PKVM_INIT_HCALL], 'hvc').x[0]).toBe(M64);
    expect(w.invoke([0xc6000003], 'hvc').x[0]).toBe(M64);             // __pkvm_cpu_set_vector: closed
    expect(w.invoke([0xc6000100], 'hvc').x[0]).toBe(M64);             // beyond the table
    expect(w.invoke([A.FFA_VERSION, A.FFA_VERSION_1_2], 'hvc').x[0]).toBe(M64);   // FF-A by HVC is a KVM hcall
    expect(w.invoke([0], 'hvc').x[0]).toBe(M64);                      // no stub calls any more
    expect(w.invoke([PKVM_PROT_FINALIZE_HCALL | 0x10000], 'hvc').x.slice(0, 2)).toEqual([0n, BigInt.asUintN(64, -1n)]);  // hint bit ignored
    expect(w.el3.calls).toHaveLength(1);
  });
});
