/** A ScenarioBackend over the scripted FakeFirmware (report tests without a machine). */
import type { ScenarioDef } from '../../src/scenarios/builtin.js';
import type { ScenarioBackend } from '../../src/scenarios/run.js';
import { FakeFirmware, HVC_PKVM_FINALIZE, HVC_PKVM_INIT } from '../firmware/host/fake-firmware.js';

const hx = (n: number): string => `0x${n.toString(16)}`;

export function fakeBackend(def: ScenarioDef): ScenarioBackend {
  const fw = new FakeFirmware();
  fw.policy = def.policy.directReqBeforeVersion;
  return {
    conduit: fw, mem: fw.mem, protectedKvm: true,
    pkvm: { init: [HVC_PKVM_INIT], finalize: [HVC_PKVM_FINALIZE], ok: (r) => r[0] === 0n },
    efi: { partition: 0x8002, request: (_n, i) => [1n, BigInt(i)], status: (r) => r[0]! },
    cycles: () => fw.clock,
    pkvmView: (pages) => ({
      present: fw.tsc, trapsHostSmc: fw.tsc, finalised: fw.finalised, hypFfaVersion: fw.tsc ? '1.2' : null,
      hostNegotiated: fw.negotiated,
      hostBuffers: fw.hostBuffers === null ? null : { tx: hx(fw.hostBuffers.tx), rx: hx(fw.hostBuffers.rx) },
      hypMailbox: fw.tsc ? { tx: '0x7f000000', rx: '0x7f001000' } : null,
      directReqBeforeVersion: fw.policy,
      sharedPages: fw.hostBuffers === null ? [] : [fw.hostBuffers.tx, fw.hostBuffers.rx].map((p) => ({ pa: hx(p), host: 'SHARED_OWNED', hyp: 'SHARED_BORROWED' })),
      pagesOfInterest: pages.map((p) => ({
        pa: hx(p),
        host: fw.hostBuffers !== null && (p === fw.hostBuffers.tx || p === fw.hostBuffers.rx) ? 'SHARED_OWNED' : p >= 0x7f000000 ? 'NOPAGE' : 'OWNED',
        hyp: 'NOPAGE',
      })),
    }),
    spmcView: () => ({
      present: true, version: '1.2',
      endpoint0: {
        version: fw.ep0Version === 0 ? null : `${fw.ep0Version >>> 16}.${fw.ep0Version & 0xffff}`,
        negotiationClosed: fw.ep0Closed,
        closedBy: fw.ep0Closed ? ['SPMC'] : [],
        mailbox: fw.ep0Mailbox === null ? null : { tx: hx(fw.ep0Mailbox.tx), rx: hx(fw.ep0Mailbox.rx), pages: 1 },
      },
    }),
  };
}
