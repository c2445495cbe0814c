/**
 * Host stage 2 after __pkvm_prot_finalize: the architectural stage-2 Data Abort (exec/raise.ts
 * stage2DataAbort: EC 0x24 to EL2, FAR_EL2, HPFAR_EL2) and pKVM's handle_host_mem_abort, which
 * either injects the abort into the host (newest snapshot, intel-lab-lkp a1799ebd mem_protect.c:
 * host_inject_mem_abort) or hyp_panics (torvalds 24035886: BUG_ON(ret && ret != -EAGAIN)).
 */
import { describe, expect, it } from 'vitest';
import * as L from '../../../src/state/layout.js';
import { Machine, StopReason } from '../../../src/machine/machine.js';
import { stage2Fault } from '../../../src/memory/bus.js';
import { HostStage2, PageState } from '../../../src/memory/stage2.js';
import { BACKENDS, type Backend, EXEC_SITE, LDR_X0_X1, STR_X0_X1, build, readyOn, readyWorld, HOST_TX, HOST_RX } from './harness.js';
import * as A from '../../../src/ffa/abi.js';

const SITE = EXEC_SITE;

describe.each(BACKENDS)('stage-2 Data Abort (raise.ts) (%s)', (kind: Backend) => {
  it('routes a FAULT_STAGE2 access from EL1 to EL2: EC 0x24, WnR, DFSC, FAR_EL2 = VA, HPFAR_EL2 = IPA >> 12 << 4', () => {
    const w = build(kind);
    const pa = 0x4123_4568;                  // 8-aligned, inside DRAM
    const entries: { target: number; esr: number }[] = [];
    w.onEntry((_c, _f, _s, target, _o, esr) => { entries.push({ target, esr }); });
    w.m.bus.stage2Check = (addr) => (addr >>> 12 === pa >>> 12 ? stage2Fault(0x0f) : 0);
    w.host.putX(1, BigInt(pa));
    // The EL2 stub has no handler for aborts: pKVM in stub mode treats it as BUG and parks.
    const stop = w.exec(STR_X0_X1);
    const s = w.m.cpu.s;
    expect(entries[0]).toEqual({ target: 2, esr: ((0x24 << 26) | (1 << 25) | (1 << 6) | 0x0f) >>> 0 | 0 });
    expect(w.m.cpu.get64(L.FAR_EL + 4)).toBe(BigInt(pa));
    expect(w.m.cpu.get64(L.HPFAR_EL2)).toBe(BigInt((pa >>> 12) << 4));
    expect(w.m.cpu.get64(L.ELR_EL + 4)).toBe(w.host.siteAddress(SITE));
    expect(stop).toBe(StopReason.Halted);
    expect(w.pkvm.beliefs().panic).toMatch(/EC 0x24/);
    expect(s[L.PSTATE_EL]).toBe(2);
  });

  it('leaves non-stage-2 faults where they were (alignment at EL1 stays at EL1)', () => {
    const m = new Machine({});
    expect(m.bus.stage2Check).toBeNull();
  });
});

describe('HostStage2 (mem_protect.c transitions)', () => {
  const B = 0x4000_0000;
  it('share/unshare hyp with pinning, share/unshare ffa, donation', () => {
    const st = new HostStage2(B, 64 * 4096);
    expect(st.hostShareHyp(B)).toBe(0);
    expect(st.hostShareHyp(B)).toBe(-1);                  // not OWNED any more
    expect(st.hostShareFfa(B, 1)).toBe(-1);
    expect(st.pin(B)).toBe(0);
    expect(st.hostUnshareHyp(B)).toBe(-16);               // EBUSY while pinned
    st.unpin(B);
    expect(st.hostUnshareHyp(B)).toBe(0);
    expect(st.hostState(B)).toBe(PageState.Owned);
    expect(st.hostShareFfa(B + 4096, 3)).toBe(0);
    expect(st.hostShareFfa(B + 3 * 4096, 2)).toBe(-1);    // overlaps a shared page: nothing changes
    expect(st.hostState(B + 4 * 4096)).toBe(PageState.Owned);
    expect(st.hostUnshareFfa(B + 4096, 3)).toBe(0);
    expect(st.hostShareFfa(B + 63 * 4096, 2)).toBe(-22);  // runs past memory: EINVAL
    expect(st.hostDonateHyp(B + 60 * 4096, 4)).toBe(0);
    expect(st.hostAccessFault(B + 61 * 4096 + 8)).toBe(0x07);
    expect(st.hostAccessFault(B)).toBe(-1);
    expect(st.hostShareHyp(B + 60 * 4096)).toBe(-1);
  });
});

describe.each(BACKENDS)('host access after __pkvm_prot_finalize (%s)', (kind: Backend) => {
  it('host pages are accessible; hyp carve-out pages fault at stage 2 and the abort is injected (newest)', () => {
    const w = readyOn(kind);
    const s = w.m.cpu.s;
    const lay = w.pkvm.layout()!;
    // Own page: plain access.
    w.host.putX(0, 0x1122334455667788n); w.host.putX(1, 0x4000_8000n);
    expect(w.exec(STR_X0_X1)).toBe(StopReason.Returned);
    expect(w.host.exceptionsCaught).toBe(0);
    // The hyp TX page: stage-2 fault to EL2, injected to the host's EL1 vector as a same-EL abort.
    const entries: { from: number; target: number; offset: number; esr: number }[] = [];
    const off = w.onEntry((_c, from, _sec, target, offset, esr) => { entries.push({ from, target, offset, esr: esr >>> 0 }); });
    w.host.putX(1, BigInt(lay.hypTx + 0x10));
    const stop = w.exec(LDR_X0_X1);
    off();
    expect(stop).toBe(StopReason.Returned);
    // The stage-2 abort to EL2, then pKVM's ERET into the host's vector (no exception entry: an ERET).
    expect(entries).toEqual([{ from: 1, target: 2, offset: 0x400, esr: ((0x24 << 26) | (1 << 25) | 0x07) >>> 0 }]);
    expect(w.host.exceptionsCaught).toBe(1);
    // What the host saw (inject_host_exception): ESR_EL1 = EC 0x25 with S1PTW, FAR_EL1 = the address,
    // ELR_EL1 = the faulting load, SPSR_EL1 = the host's PSTATE at the fault.
    expect(w.m.cpu.get64(L.ESR_EL + 2)).toBe(BigInt(((0x25 << 26) | (1 << 25) | (1 << 7) | 0x07) >>> 0));
    expect(w.m.cpu.get64(L.FAR_EL + 2)).toBe(BigInt(lay.hypTx + 0x10));
    expect(w.m.cpu.get64(L.ELR_EL + 2)).toBe(w.host.siteAddress(SITE) + 4n);   // + the host's own fixup
    expect(s[L.SPSR_EL + 2]! & 0xf).toBe(0x5);
    expect(w.pkvm.stats.hostAborts).toBe(1);
    expect(w.pkvm.beliefs().panic).toBeNull();
    // Nothing leaked: x0 was not loaded from the hyp page.
    expect(w.host.getX(0)).toBe(0x1122334455667788n);
    expect(w.pkvm.checkInvariants()).toEqual([]);
  });

  it('before finalisation the host can still touch hyp pages (stage 2 not enforced yet)', () => {
    const w = readyOn(kind, {}, false);
    w.host.putX(1, BigInt(w.pkvm.layout()!.hypRx));
    expect(w.exec(LDR_X0_X1)).toBe(StopReason.Returned);
    expect(w.host.exceptionsCaught).toBe(0);
  });

  it('host buffers shared with the hyp stay accessible to the host (SHARED_OWNED)', () => {
    const w = readyOn(kind);
    w.smc(A.FFA_VERSION, A.FFA_VERSION_1_2);
    w.smc(A.FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1);
    w.host.putX(1, BigInt(HOST_RX));
    expect(w.exec(LDR_X0_X1)).toBe(StopReason.Returned);
    expect(w.host.exceptionsCaught).toBe(0);
  });

  it.skipIf(kind === 'world')("snapshot 'mainline': the same access is a hyp_panic (BUG_ON) and the PE halts at EL2", () => {
    const w = readyWorld({ snapshot: 'mainline' });
    w.host.putX(1, BigInt(w.pkvm.layout()!.desc));
    const stop = w.exec(LDR_X0_X1);
    expect(stop).toBe(StopReason.Halted);
    expect(w.m.cpu.s[L.PSTATE_EL]).toBe(2);
    expect(w.pkvm.beliefs().panic).toMatch(/hyp-owned page 0x47fef000/);
    expect(w.pkvm.checkInvariants().some((v) => v.startsWith('hyp_panic'))).toBe(true);
  });
});
