/**
 * The one place the vector runner meets the world builder (machine/world.ts `createWorld`): it builds
 * the machine a call vector's `machine` spec describes and boots it from reset to the host at NS-EL1.
 * For `boot: "pkvm-ready"` with pKVM the world's boot then has the host issue Linux's `__pkvm_init`
 * and `__pkvm_prot_finalize` hypercalls (HVCs from NS-EL1, as `kvm_arm_init` / `finalize_pkvm` do);
 * `{"pkvm": ...}` steps issue the same hypercalls from the runner.
 */
import type { Machine } from '../machine/machine.js';
import type { HostCaller } from '../firmware/host/caller.js';
import { createWorld } from '../machine/world.js';
import type { MachineSpec } from './parse.js';

/** A booted machine as the runner needs it. */
export interface VectorWorld {
  machine: Machine;
  host: HostCaller;
}

/**
 * Builds and boots the world for a spec. `onMachine`, when given, is called with the machine after it
 * is built and before the boot runs (a trace then shows the boot); a factory that cannot call it
 * there calls it after the boot.
 */
export type VectorWorldFactory = (spec: MachineSpec, budget: number, onMachine?: (m: Machine) => void) => VectorWorld;

/** The real world: createWorld(spec) + boot() within `budget` instructions. Throws if boot fails. */
export const realWorldFactory: VectorWorldFactory = (spec, budget, onMachine) => {
  const w = createWorld({ ...spec, bootBudget: budget });
  onMachine?.(w.machine);
  w.boot();
  return { machine: w.machine, host: w.host };
};

let factory: VectorWorldFactory = realWorldFactory;

/** Replace the world builder (tests may install a stand-in); null restores the real one. */
export function setVectorWorldFactory(f: VectorWorldFactory | null): void {
  factory = f ?? realWorldFactory;
}

/** Build and boot the world for `spec`; `budget` bounds the boot's instructions; `onMachine` as VectorWorldFactory's. */
export function createVectorWorld(spec: MachineSpec, budget: number, onMachine?: (m: Machine) => void): VectorWorld {
  return factory(spec, budget, onMachine);
}
