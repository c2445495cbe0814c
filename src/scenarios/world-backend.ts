/**
 * The real machine behind runScenario: machine/world.ts's createWorld with the scenarios' common
 * configuration (pKVM at EL2, an S-EL1 SPMC at FF-A v1.2, partitions 0x8001 = a TPM over FF-A
 * answering like `echo`, 0x8002 = StMM answering variable reads with an EFI status), booted from
 * 'reset' (firmware up, EL2 holding only the stub), with the host-kernel model driving the host.
 *
 * Also the read-only views of what pKVM and the SPMC believe (report.ts PkvmView / SpmcView): pKVM
 * has beliefs() and pageState(); the SPMC has no beliefs accessor, so spmcBeliefs() reads the public
 * endpoint table of its dispatcher (SpmcCore.ep, slot 0 = the Normal-world endpoint).
 */
import { cyclesByEl } from '../timing/accounting.js';
import { ffaVersionString } from '../ffa/abi.js';
import { PKVM_INIT_HCALL, PKVM_PROT_FINALIZE_HCALL, type Pkvm } from '../firmware/el2/pkvm.js';
import { NWD } from '../firmware/spmc/endpoints.js';
import type { SpmcCore } from '../firmware/spmc/core.js';
import type { Spmd } from '../firmware/el3/spmd.js';
import { HostConduit } from '../firmware/host/conduit.js';
import type { HostMemory } from '../firmware/host/ffa-driver.js';
import { TPM_CRB_FFA_UUID } from '../firmware/host/kernel.js';
import { type World, type WorldSpec, createWorld } from '../machine/world.js';
import type { Bus } from '../memory/bus.js';
import { DRAM_BASE } from '../memory/map.js';
import type { ScenarioDef } from './builtin.js';
import type { PkvmView, SpmcView } from './report.js';
import { type BackendFactory, type ScenarioBackend, setDefaultBackend } from './run.js';
import { StmmBehaviour, stmmVarService } from './stmm.js';

export const TPM_PARTITION_ID = 0x8001;
export const STMM_PARTITION_ID = 0x8002;
/** The StandaloneMM partition's UUID in TF-A/Hafnium secure-partition layouts (e.g. QemuSbsa's "stmm" SP). */
export const STMM_UUID = 'eaba83d8-baaf-4eaf-8144-f7fdcbe544a7';
/** Where the host kernel's page allocator starts (NS DRAM, clear of the vector window's first pages). */
export const HOST_PAGE_POOL = DRAM_BASE + 0x80_0000;

const hx = (n: number): string => `0x${n.toString(16)}`;

/** The world every scenario runs on, with the scenario's policies. */
export function scenarioWorldSpec(def: ScenarioDef): WorldSpec {
  return {
    el2: 'pkvm',
    spmc: 's-el1',
    spmcVersion: 0x0001_0002,
    partitions: [
      { id: TPM_PARTITION_ID, uuid: TPM_CRB_FFA_UUID, behaviour: 'echo' },
      { id: STMM_PARTITION_ID, uuid: STMM_UUID, behaviour: 'stmm' },
    ],
    policy: { spmc: def.policy.spmc, directReqBeforeVersion: def.policy.directReqBeforeVersion },
    boot: 'reset',
    behaviours: { stmm: () => new StmmBehaviour() },
  };
}

/** The host's memory: a bump allocator of 4 KiB pages in NS DRAM; reads go through the bus as NS. */
export function hostMemory(bus: Bus, base = HOST_PAGE_POOL): HostMemory {
  let next = base;
  return {
    read(pa, len) {
      const out = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        out[i] = bus.read(pa + i, 0, 1, false);
        if (bus.fault !== 0) throw new Error(`host read of 0x${(pa + i).toString(16)} faulted (fault ${bus.fault - 1})`);
      }
      return out;
    },
    allocPages(bytes) {
      const pa = next;
      next += Math.ceil(bytes / 4096) * 4096;
      return pa;
    },
    freePages() { /* a bump allocator never reuses pages: freed pages stay visible in reports */ },
  };
}

/** pKVM's beliefs as the report shows them. */
export function pkvmView(pkvm: Pkvm | null, pages: readonly number[]): PkvmView {
  if (pkvm === null) {
    return {
      present: false, trapsHostSmc: false, finalised: false, hypFfaVersion: null, hostNegotiated: false, hostBuffers: null,
      hypMailbox: null, directReqBeforeVersion: '-', sharedPages: [], pagesOfInterest: [],
    };
  }
  const b = pkvm.beliefs();
  const state = (pa: number) => {
    const s = pkvm.pageState(pa);
    return { pa: hx(pa), host: s?.host ?? 'untracked', hyp: s?.hyp ?? 'untracked' };
  };
  return {
    present: b.initialised,
    trapsHostSmc: b.trapsHostSmc,
    finalised: b.finalised,
    hypFfaVersion: b.hypFfaVersion === 0 ? null : ffaVersionString(b.hypFfaVersion),
    hostNegotiated: b.negotiated,
    hostBuffers: b.hostBuffers === null ? null : { tx: hx(b.hostBuffers.tx), rx: hx(b.hostBuffers.rx) },
    hypMailbox: b.hypMailbox === null ? null : { tx: hx(b.hypMailbox.tx), rx: hx(b.hypMailbox.rx) },
    directReqBeforeVersion: b.directReqBeforeVersion,
    sharedPages: b.protectedPages.map(state),
    pagesOfInterest: [...new Set(pages)].map(state),
  };
}

/**
 * What the secure side believes about the Normal-world endpoint (FF-A ID 0). Read-only accessors over
 * public state: SpmcCore's endpoint table (`ep.version[0]`, `ep.negotiated[0]`, `ep.mailbox[0]`) and
 * the SPMD's `nsNegotiated` (TF-A's SPMD closes the phase on the first non-VERSION call it sees, even
 * one it answers itself at EL3, such as FFA_ID_GET).
 */
export function spmcBeliefs(core: SpmcCore | null, spmd: Spmd | null = null): SpmcView {
  if (core === null) return { present: false, version: null, endpoint0: { version: null, negotiationClosed: false, closedBy: [], mailbox: null } };
  const ep = core.ep;
  const mb = ep.mailbox[NWD]!;
  const v = ep.version[NWD]!;
  const closedBy: ('SPMD' | 'SPMC')[] = [];
  if (spmd?.nsNegotiated === true) closedBy.push('SPMD');
  if (ep.negotiated[NWD] !== 0) closedBy.push('SPMC');
  return {
    present: true,
    version: ffaVersionString(core.cfg.version),
    endpoint0: {
      version: v === 0 ? null : ffaVersionString(v),
      negotiationClosed: closedBy.length > 0,
      closedBy,
      mailbox: mb.mapped ? { tx: hx(mb.tx), rx: hx(mb.rx), pages: mb.pages } : null,
    },
  };
}

/** A booted world and the backend over it. */
export function worldBackendFor(world: World): ScenarioBackend {
  const conduit = new HostConduit(world.host, world.machine.cpu);
  return {
    conduit,
    mem: hostMemory(world.machine.bus),
    protectedKvm: world.pkvm !== null,
    pkvm: {
      init: [BigInt(PKVM_INIT_HCALL)],
      finalize: [BigInt(PKVM_PROT_FINALIZE_HCALL)],
      // handle_host_hcall: x0 = SMCCC_RET_SUCCESS when the hypercall ran, x1 = its result.
      ok: (r) => r[0] === 0n && r[1] === 0n,
    },
    efi: stmmVarService(STMM_PARTITION_ID),
    pkvmView: (pages) => pkvmView(world.pkvm, pages),
    pkvmNegotiated: () => world.pkvm !== null && world.pkvm.hostNegotiated,
    spmcView: () => spmcBeliefs(world.spmc, world.spmd),
    cycles: () => world.machine.cpu.cycles,
    cyclesByEl: () => cyclesByEl(world.machine.cpu),
    dispose: () => conduit.dispose(),
  };
}

/** The default backend: a fresh world per scenario (one Machine each), booted to the host's entry. */
export const worldBackend: BackendFactory = (def) => {
  const world = createWorld(scenarioWorldSpec(def));
  world.boot({ pkvmInit: false });
  return worldBackendFor(world);
};

setDefaultBackend(worldBackend);
