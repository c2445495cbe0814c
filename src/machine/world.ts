/**
 * Building a whole system from a `machine` description (vector-format.md): the EL3 monitor (with its
 * SPMD, or the EL3 SPMC), the SPMC at S-EL1 with its partitions at S-EL0 (or partitions at S-EL1 for
 * the EL3 SPMC), pKVM or nothing at EL2, and the Non-secure EL1 host. This is the one place that wires
 * components to vectors and entry points (DESIGN "Which way imports run"); the components themselves
 * only ever meet through exceptions.
 *
 * `boot()` runs the real boot from reset: the PE starts in the monitor's BL31 entry at EL3, the SPMD
 * ERETs into the SPMC, the SPMC initialises its partitions and answers FFA_MSG_WAIT, the SPMD enters
 * the Normal world (pKVM's EL2 stub, or the host at EL1), and the run stops when the host reaches its
 * entry point. With `boot: "pkvm-ready"` and pKVM, the host then makes Linux's `__pkvm_init` and
 * `__pkvm_prot_finalize` hypercalls.
 */
import * as L from '../state/layout.js';
import * as A from '../ffa/abi.js';
import { Machine, type RunResult, STOP_REASON_NAMES, StopReason } from './machine.js';
import type { MachineConfig } from './config.js';
import { type MachineSpec, defaultMachineSpec, defaultPartitionProperties } from './spec.js';
import { El3Monitor } from '../firmware/el3/monitor.js';
import type { Spmd } from '../firmware/el3/spmd.js';
import type { SystemEvent } from '../firmware/el3/psci.js';
import { parseMajorMinor } from '../firmware/el3/services.js';
import { type PartitionEntry, Sel1Spmc, SpmcSite } from '../firmware/spmc/sel1.js';
import type { SpmcCore, SpmcCoreConfig } from '../firmware/spmc/core.js';
import type { PartitionConfig } from '../firmware/spmc/endpoints.js';
import { HostCaller, type HostCallResult, HostSite } from '../firmware/host/caller.js';
import { NativePartition } from '../firmware/partitions/native.js';
import { EchoBehaviour } from '../firmware/partitions/echo.js';
import type { BehaviourFactory, PartitionBehaviour } from '../firmware/partitions/api.js';
import { type ImagePartitionPlacement, placeImagePartition } from '../firmware/partitions/image.js';
import { Pkvm, PKVM_INIT_HCALL, PKVM_PROT_FINALIZE_HCALL } from '../firmware/el2/pkvm.js';
import type { NativeComponent } from '../firmware/component.js';
import type { StateReader, StateWriter } from '../state/snapshot-codec.js';
import { restoreSnapshot, saveSnapshot } from './snapshot.js';

// ---------------------------------------------------------------------------------------------
// Specification
// ---------------------------------------------------------------------------------------------

/** How one partition is implemented (beyond vector-format.md's `behaviour` name). */
export type PartitionImpl =
  /** A native behaviour object (tests, embedders). */
  | { kind: 'native'; behaviour: PartitionBehaviour }
  /** An A64 image (ELF, or raw bytes at `loadAddress`) placed in secure RAM. */
  | { kind: 'image'; bytes: Uint8Array; name?: string; loadAddress?: bigint; stackSize?: number };

/** A partition of the world: vector-format.md's fields, optionally with an implementation. */
export interface WorldPartitionSpec {
  id: number;
  /** 16 bytes in text order, or the textual UUID. */
  uuid: Uint8Array | string;
  /** A behaviour name ('echo', or one registered in `behaviours`). */
  behaviour?: string;
  executionContexts?: number;
  properties?: number;
  impl?: PartitionImpl;
}

/**
 * vector-format.md `machine`, structurally MachineSpec from machine/spec.ts (any field may be left
 * out; the contract's defaults apply), plus embedding options.
 */
export interface WorldSpec extends Omit<Partial<MachineSpec>, 'partitions' | 'policy'> {
  partitions?: readonly WorldPartitionSpec[];
  policy?: Partial<MachineSpec['policy']>;
  /** Machine options (timing profile, DRAM size ...). */
  machineConfig?: MachineConfig;
  /** Extra partition behaviours by name. */
  behaviours?: Record<string, BehaviourFactory>;
  /** Instruction budget for boot (default 10 million). */
  bootBudget?: number;
}

/** The behaviours vector-format.md defines. */
export const BUILTIN_BEHAVIOURS: Readonly<Record<string, BehaviourFactory>> = {
  echo: () => new EchoBehaviour(),
};

/** The host: HostCaller plus its boot entry (a kernel sets its vectors, then boot is complete). */
export class WorldHost extends HostCaller {
  /** The host reached its entry point (boot complete). */
  entered = false;
  /** Set by the world: stop the machine (the run that booted the system ends here). */
  stopMachine: (() => void) | null = null;

  /** Where the Normal world's EL1 starts. */
  get entryAddress(): bigint { return this.siteAddress(HostSite.Entry); }

  override onResume(pc: number): void {
    if (pc === HostSite.Entry) {
      // The kernel's first job: its own exception vectors (MSR VBAR_EL1), so exceptions taken to EL1
      // (an UNDEFINED HVC, an abort injected by pKVM ...) reach HostCaller.onException.
      const s = this.s;
      s[L.VBAR_EL + 2] = 0; s[L.VBAR_EL + 3] = this.pcHi;
      this.entered = true;
      if (this.stopMachine !== null) this.stopMachine();
      return;
    }
    super.onResume(pc);
  }

  // ---- snapshots: HostCaller's state, then whether the host has been entered ----
  override saveTo(w: StateWriter): void { super.saveTo(w); w.bool(this.entered); }
  override readFrom(r: StateReader): () => void {
    const base = super.readFrom(r);
    const entered = r.bool('entered');
    return () => { base(); this.entered = entered; };
  }
}

/** One partition as built. */
export interface WorldPartition {
  config: PartitionConfig;
  /** The native component (null for an image partition). */
  component: NativePartition | null;
  /** Where the image went (null for a native partition). */
  image: ImagePartitionPlacement | null;
  /** S-EL0 (under the S-EL1 SPMC) or S-EL1 (under the EL3 SPMC). */
  el: 0 | 1;
}

export interface BootOptions {
  /** Make the host's pKVM init/finalize hypercalls (default: when `boot` is "pkvm-ready"). */
  pkvmInit?: boolean;
  /** Instruction budget for the boot run (default: the spec's `bootBudget`, 10 million). */
  budget?: number;
}

export interface World {
  readonly spec: MachineSpec;
  readonly machine: Machine;
  readonly monitor: El3Monitor;
  /** The SPM dispatcher (null when `spmc: "none"`). */
  readonly spmd: Spmd | null;
  /** The SPMC's dispatcher, wherever it runs (null when `spmc: "none"`). */
  readonly spmc: SpmcCore | null;
  /** The S-EL1 SPMC component (null unless `spmc: "s-el1"`). */
  readonly spmcComponent: Sel1Spmc | null;
  readonly partitions: readonly WorldPartition[];
  /** The component at EL2 (pKVM), or null when EL2 is unused. */
  readonly el2: NativeComponent | null;
  readonly pkvm: Pkvm | null;
  readonly host: WorldHost;
  /** PSCI SYSTEM_OFF / SYSTEM_RESET / CPU_OFF seen (the machine stopped there). */
  readonly systemEvent: SystemEvent | null;
  /**
   * Boot from reset to the host's entry point, then (el2 "pkvm" with `boot: "pkvm-ready"`, unless
   * `pkvmInit: false`) Linux's `__pkvm_init` and `__pkvm_prot_finalize`. Call once.
   */
  boot(opts?: BootOptions): RunResult;
  /** Linux `kvm_arm_init`: the host's `__pkvm_init` HVC (el2 "pkvm" only). Returns x1 (0 = success). */
  pkvmInit(): bigint;
  /** Linux `finalize_pkvm`: `__pkvm_prot_finalize`. Returns x1 (0 = success). */
  pkvmFinalize(): bigint;
  /** Host `SMC #imm` with x0..x17 = args (missing ones 0); the results are in `x`. */
  smc(args: readonly bigint[], imm?: number): HostCallResult & { x: bigint[] };
  /** Host `HVC #imm`, the same way. */
  hvc(args: readonly bigint[], imm?: number): HostCallResult & { x: bigint[] };
  /** FFA_CONSOLE_LOG output of the partitions. */
  consoleLog(): string;
  /**
   * The whole world as bytes (machine/snapshot.ts): CPU state, RAM, UART, and the state of every
   * component (monitor and SPMD with their saved contexts, SPMC endpoint table and memory-sharing
   * transactions, partitions, pKVM's beliefs and host stage 2, the host). Between host calls or
   * boot runs, never from inside one.
   */
  saveSnapshot(): Uint8Array;
  /**
   * Restore bytes from saveSnapshot into this world, which must be built with the same WorldSpec
   * (a component built with other options refuses: SnapshotError MISMATCH naming it and the field).
   * A refused restore changes nothing. Running on gives what the saved world would have given.
   */
  restoreSnapshot(bytes: Uint8Array): void;
}

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

function resolveSpec(w: WorldSpec): MachineSpec {
  const d = defaultMachineSpec();
  const spmcVersion = w.spmcVersion ?? d.spmcVersion;
  const parts = w.partitions === undefined ? d.partitions.map((p) => ({ ...p, properties: defaultPartitionProperties(spmcVersion) })) : null;
  const spec: MachineSpec = {
    el2: w.el2 ?? d.el2,
    spmc: w.spmc ?? d.spmc,
    spmcVersion,
    partitions: parts ?? [],
    spmcId: w.spmcId ?? d.spmcId,
    smcccVersion: w.smcccVersion ?? d.smcccVersion,
    psciVersion: w.psciVersion ?? d.psciVersion,
    policy: { spmc: w.policy?.spmc ?? d.policy.spmc, directReqBeforeVersion: w.policy?.directReqBeforeVersion ?? d.policy.directReqBeforeVersion },
    boot: w.boot ?? d.boot,
  };
  if (parts === null) {
    for (const p of w.partitions!) {
      const uuid = typeof p.uuid === 'string' ? uuidBytes(p.uuid) : p.uuid;
      spec.partitions.push({
        id: p.id, uuid, uuidText: formatUuidText(uuid), behaviour: 'echo',
        executionContexts: p.executionContexts ?? 1,
        properties: p.properties ?? defaultPartitionProperties(spmcVersion),
      });
    }
  }
  return spec;
}

function uuidBytes(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new SyntaxError(`"${text}" is not a UUID`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function formatUuidText(b: Uint8Array): string {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Build a world (nothing runs until `boot()`). */
export function createWorld(input: WorldSpec = {}): World {
  const spec = resolveSpec(input);
  const machine = new Machine(input.machineConfig ?? {});
  const behaviours = { ...BUILTIN_BEHAVIOURS, ...(input.behaviours ?? {}) };
  const partEl: 0 | 1 = spec.spmc === 'el3' ? 1 : 0;

  // ---- partitions ----
  const partitions: WorldPartition[] = [];
  const entries: PartitionEntry[] = [];
  spec.partitions.forEach((p, i) => {
    const ws = input.partitions?.[i];
    const config: PartitionConfig = { id: p.id, uuid: p.uuid, properties: p.properties, executionContexts: p.executionContexts };
    const impl = ws?.impl;
    if (impl?.kind === 'image') {
      const placed = placeImagePartition(machine.bus, impl.bytes, impl.name ?? `partition 0x${p.id.toString(16)}`, {
        ...(impl.loadAddress !== undefined ? { loadAddress: impl.loadAddress } : {}),
        ...(impl.stackSize !== undefined ? { stackSize: impl.stackSize } : {}),
      });
      partitions.push({ config, component: null, image: placed, el: partEl });
      entries.push({ entry: placed.entry, sp: placed.sp });
      return;
    }
    let behaviour: PartitionBehaviour;
    if (impl?.kind === 'native') behaviour = impl.behaviour;
    else {
      const name = ws?.behaviour ?? p.behaviour;
      const f = behaviours[name];
      if (f === undefined) throw new RangeError(`partition 0x${p.id.toString(16)}: unknown behaviour "${name}" (known: ${Object.keys(behaviours).join(', ')})`);
      behaviour = f(p.id);
    }
    const comp = new NativePartition(p.id, behaviour, partEl);
    comp.attach(machine);
    partitions.push({ config, component: comp, image: null, el: partEl });
    entries.push({ entry: comp.entryAddress, sp: 0n });
  });

  // ---- secure world ----
  const coreCfg: SpmcCoreConfig = {
    version: spec.spmcVersion,
    spmcId: spec.spmcId,
    policy: spec.policy.spmc,
    smcccVersion: spec.smcccVersion,
    partitions: partitions.map((p) => p.config),
    placement: spec.spmc === 'el3' ? 'el3' : 's-el1',
  };
  let spmcComponent: Sel1Spmc | null = null;
  if (spec.spmc === 's-el1') {
    spmcComponent = new Sel1Spmc(coreCfg, entries);
    spmcComponent.attach(machine);
  }

  // ---- Normal world ----
  const host = new WorldHost();
  host.attach(machine);
  let pkvm: Pkvm | null = null;
  if (spec.el2 === 'pkvm') {
    pkvm = new Pkvm({
      directReqBeforeVersion: spec.policy.directReqBeforeVersion,
      hostSmcccVersion: spec.smcccVersion,
      psciVersion: spec.psciVersion,
      hostEntry: host.entryAddress,
    });
    pkvm.attach(machine);
  }

  // ---- EL3 ----
  const monitor = new El3Monitor({
    smcccVersion: spec.smcccVersion,
    psciVersion: spec.psciVersion,
    hypervisor: spec.el2 === 'pkvm',
    ns: pkvm !== null ? { pc: pkvm.entryAddress, el: 2 } : { pc: host.entryAddress, el: 1 },
    spmd: spec.spmc === 'none' ? null : {
      placement: spec.spmc === 'el3' ? 'el3' : 's-el1',
      spmc: coreCfg,
      ...(spmcComponent !== null ? { spmcEntry: spmcComponent.siteAddress(SpmcSite.Entry) } : { partitionEntries: entries }),
    },
  });
  monitor.attach(machine);

  let systemEvent: SystemEvent | null = null;
  monitor.onSystemEvent = (e) => { systemEvent = e; machine.stop(); };
  host.stopMachine = () => machine.stop();
  const spmd = monitor.spmd;
  const spmc = spmcComponent !== null ? spmcComponent.core : spmd?.core ?? null;
  const bootBudget = input.bootBudget ?? 10_000_000;

  const call = (word: 'smc' | 'hvc', args: readonly bigint[], imm: number): HostCallResult & { x: bigint[] } => {
    host.setArgs(args);
    const r = word === 'smc' ? host.smc(imm) : host.hvc(imm);
    const x: bigint[] = [];
    for (let i = 0; i < 18; i++) x.push(host.getX(i));
    return { ...r, x };
  };

  const hypercall = (id: number, what: string): bigint => {
    if (pkvm === null) throw new Error(`${what}: this world has no pKVM (el2 "${spec.el2}")`);
    const r = call('hvc', [BigInt(id)], 0);
    if (r.stop !== StopReason.Returned) throw new Error(`${what}: the hypercall did not return (${STOP_REASON_NAMES[r.stop]})`);
    if (r.x[0] !== 0n) throw new Error(`${what}: x0 = 0x${r.x[0]!.toString(16)}`);
    return r.x[1]!;
  };

  const world: World = {
    spec, machine, monitor, spmd, spmc, spmcComponent, partitions,
    el2: pkvm, pkvm, host,
    get systemEvent() { return systemEvent; },
    boot(opts: BootOptions = {}): RunResult {
      machine.resetCpu();
      // The PE resets into the monitor's BL31 entry at EL3h (as QEMU virt starts BL1/BL31 at EL3).
      machine.cpu.set64(L.PC, monitor.entryAddress);
      const r = machine.run({ maxInstructions: opts.budget ?? bootBudget });
      if (!host.entered || r.reason !== StopReason.Requested) {
        throw new Error(`boot did not reach the host entry point: stop reason ${STOP_REASON_NAMES[r.reason]}` +
          `, PC 0x${machine.pc.toString(16)} at EL${machine.el}${machine.secure ? ' (secure)' : ''}` +
          (systemEvent !== null ? `, PSCI ${systemEvent}` : ''));
      }
      if (pkvm !== null && (opts.pkvmInit ?? spec.boot === 'pkvm-ready')) {
        const init = hypercall(PKVM_INIT_HCALL, '__pkvm_init');
        if (init !== 0n) throw new Error(`__pkvm_init failed: x1 = ${BigInt.asIntN(64, init)}`);
        const fin = hypercall(PKVM_PROT_FINALIZE_HCALL, '__pkvm_prot_finalize');
        if (fin !== 0n) throw new Error(`__pkvm_prot_finalize failed: x1 = ${BigInt.asIntN(64, fin)}`);
      }
      return r;
    },
    pkvmInit: () => hypercall(PKVM_INIT_HCALL, '__pkvm_init'),
    pkvmFinalize: () => hypercall(PKVM_PROT_FINALIZE_HCALL, '__pkvm_prot_finalize'),
    smc: (args, imm = 0) => call('smc', args, imm),
    hvc: (args, imm = 0) => call('hvc', args, imm),
    consoleLog: () => spmc?.console ?? '',
    saveSnapshot: () => saveSnapshot(machine),
    restoreSnapshot(bytes: Uint8Array): void {
      restoreSnapshot(machine, bytes);
      // The world's record of a PSCI system event is the monitor's (restored with it).
      systemEvent = monitor.psci.lastEvent;
    },
  };
  return world;
}

/** Parse "1.2"-style versions (for embedders building specs by hand). */
export function versionWord(text: string): number { return parseMajorMinor(text, 'version'); }

/** FF-A function IDs re-exported for convenience in tests and embedders. */
export const FFA = A;
