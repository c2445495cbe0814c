/**
 * runScenario: build the machine for a scenario, boot the host-kernel model on it, and collect what
 * every party believes into a ScenarioResult (report.ts).
 *
 * The machine is reached through a ScenarioBackend, so the same runner drives the real world
 * (scenarios/world-backend.ts: EL3 monitor, SPMD, SPMC, pKVM, all through the exception model) or,
 * in unit tests of the report, a scripted stand-in.
 */
import type { CyclesByEl } from '../timing/accounting.js';
import { FFA_VERSION } from '../ffa/abi.js';
import type { Conduit, HostCallRecord } from '../firmware/host/conduit.js';
import type { HostMemory } from '../firmware/host/ffa-driver.js';
import { type EfiVarService, HostKernel, type PkvmHypercalls } from '../firmware/host/kernel.js';
import type { ScenarioDef } from './builtin.js';
import {
  type NegotiationClosure, type PkvmView, type ScenarioResult, type SpmcView, callView, computeFindings, initcallView,
  summarise,
} from './report.js';

/** Everything runScenario needs from a machine. */
export interface ScenarioBackend {
  conduit: Conduit;
  mem: HostMemory;
  /** kvm-arm.mode=protected with pKVM at EL2. */
  protectedKvm: boolean;
  pkvm: PkvmHypercalls;
  efi: EfiVarService;
  /** pKVM's beliefs now; `pages` are physical addresses whose page states the report wants. */
  pkvmView(pages: readonly number[]): PkvmView;
  /** pKVM's has_version_negotiated now, cheaply (sampled after every host call; default: pkvmView). */
  pkvmNegotiated?(): boolean;
  /** The SPMC's beliefs now. */
  spmcView(): SpmcView;
  /** The CPU cycle counter. */
  cycles(): number;
  /** Cycles per EL and world (timing/accounting.ts), when the backend is a real machine. */
  cyclesByEl?(): CyclesByEl;
  /** Release observers (the machine itself is garbage once the result is built). */
  dispose?(): void;
}

export type BackendFactory = (def: ScenarioDef) => ScenarioBackend;

export interface RunOptions {
  /** How to build the machine (default: the real world, scenarios/world-backend.ts). */
  backend?: BackendFactory;
}

let defaultBackend: BackendFactory | null = null;
/** Set the backend used when RunOptions.backend is absent (world-backend.ts registers itself). */
export function setDefaultBackend(f: BackendFactory): void {
  defaultBackend = f;
}

/** Run one scenario from reset to the end of the initcalls. */
export function runScenario(def: ScenarioDef, opts: RunOptions = {}): ScenarioResult {
  const t0 = performance.now();
  const factory = opts.backend ?? defaultBackend;
  if (factory === null) throw new Error('runScenario: no backend (import scenarios/index.js, or pass opts.backend)');
  const be = factory(def);
  try {
    return run(def, be, t0);
  } finally {
    be.dispose?.();
  }
}

function run(def: ScenarioDef, be: ScenarioBackend, t0: number): ScenarioResult {
  // Watch the SPMC's endpoint-0 negotiation phase and pKVM's host negotiation after every host call,
  // to tell how the phase closed (reference 7(a) vs 7(c)).
  let closure: NegotiationClosure | null = be.spmcView().endpoint0.negotiationClosed
    ? { seq: null, caller: null, call: null, how: 'hyp' } : null;
  const negotiatedNow = be.pkvmNegotiated?.bind(be) ?? ((): boolean => be.pkvmView([]).hostNegotiated);
  let hostNegotiated = negotiatedNow();
  const inner = be.conduit;
  const watch = (r: HostCallRecord): HostCallRecord => {
    const negotiatedBefore = hostNegotiated;
    hostNegotiated = negotiatedNow();
    if (closure === null && be.spmcView().endpoint0.negotiationClosed) {
      const v = callView(r);
      const viaEl2 = r.path.includes('EL2');
      const isVersion = Number(BigInt.asUintN(32, r.args[0]!)) === FFA_VERSION;
      // A hypercall (HVC: __pkvm_init, ...) is not an FF-A call pKVM forwarded: pKVM's own SMCs made
      // during it closed the phase. E.g. hyp_ffa_init's FFA_VERSION reaches a Hafnium-like SPMC
      // through the SPMD as a framework message, a direct request, which ends endpoint 0's
      // negotiation there (spmc/core.ts spmdFramework). VERSION first is compliant (DEN0077A v1.2
      // 13.2.2): no finding, the summary says "closed by pKVM".
      closure = {
        seq: r.seq, caller: r.caller, call: v.name,
        how: r.conduit === 'hvc' ? 'hyp'
          : !viaEl2 ? 'host-direct' : !negotiatedBefore && !isVersion ? 'forwarded-before-host-negotiated' : 'after-host-negotiated',
      };
    }
    return r;
  };
  const conduit: Conduit = {
    smc: (a, c) => watch(inner.smc(a, c)),
    hvc: (a, c) => watch(inner.hvc(a, c)),
    cycles: () => inner.cycles(),
  };
  const kernel = new HostKernel(
    { conduit, mem: be.mem, protectedKvm: be.protectedKvm, pkvm: be.pkvm, efi: be.efi },
    { ffaRootDevice: def.ffaRootDevice, kvmInitInFinalize: def.kvmInitInFinalize, placements: def.placements },
  );
  kernel.boot();

  const ffa = kernel.ffa.beliefs();
  const host = { ...ffa, kernel: kernel.beliefs() };
  const spmc = be.spmcView();
  const pages: number[] = [];
  if (ffa.rxtx !== null) pages.push(ffa.rxtx.tx, ffa.rxtx.rx);
  if (spmc.endpoint0.mailbox !== null) pages.push(Number(spmc.endpoint0.mailbox.tx), Number(spmc.endpoint0.mailbox.rx));
  const pkvm = be.pkvmView(pages);
  const calls = kernel.records.map(callView);
  const initcalls = kernel.initcalls.map((ic) => initcallView(ic, kernel.records));
  const findings = computeFindings(host, pkvm, spmc, calls, closure, initcalls);
  const cycles = be.cycles();
  const byEl = be.cyclesByEl?.() ?? null;
  const result: ScenarioResult = {
    name: def.name,
    title: def.title,
    definition: def,
    initcalls,
    calls,
    dmesg: kernel.dmesg,
    beliefs: { host, pkvm, spmc },
    negotiationClosure: closure,
    findings,
    summary: summarise(def, host, pkvm, spmc, calls, findings, closure, cycles, byEl),
    cycles,
    cyclesByEl: byEl,
    wallMs: performance.now() - t0,
  };
  if (def.description !== undefined) result.description = def.description;
  return result;
}

/** Run several scenarios, one machine each. */
export function runScenarios(defs: readonly ScenarioDef[], opts: RunOptions = {}): ScenarioResult[] {
  return defs.map((d) => runScenario(d, opts));
}
