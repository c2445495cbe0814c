/**
 * Named boot orders: each scenario is a configuration of the host-kernel model
 * (firmware/host/kernel.ts) plus the pKVM/SPMC policies, on the machine every scenario shares:
 * pKVM at EL2, an S-EL1 SPMC at FF-A v1.2, partitions 0x8001 (a TPM, echo-like) and 0x8002
 * (StandaloneMM, answers variable reads with a status), booted from 'reset' (firmware up, EL2 holds
 * only the stub until the host's `__pkvm_init`).
 *
 * A definition is plain data (placements are {level, sync, linkOrder}), so an explorer can
 * enumerate variants and a JSON file can describe new ones (scenarios/file.ts).
 */
import { DEFAULT_PLACEMENTS, type InitcallId } from '../firmware/host/kernel.js';
import { type Placement, linkOrder } from '../firmware/host/initcalls.js';

export type DirectReqPolicy = 'reject' | 'forward';
export type SpmcPolicy = 'spec' | 'hafnium' | 'tf-a';

export interface ScenarioDef {
  /** Short name used on the command line and as a table column ("rfc-without-3"). */
  name: string;
  /** One line: what this order is. */
  title: string;
  description?: string;
  /** RFC 2/3: the deferred "arm-ffa" root device and driver. */
  ffaRootDevice: boolean;
  /** RFC 1/3: kvm_init() moves into finalize_pkvm. */
  kvmInitInFinalize: boolean;
  /** Every modelled initcall's placement (null = not built in). */
  placements: Record<InitcallId, Placement | null>;
  policy: {
    /** pKVM: FFA_MSG_SEND_DIRECT_REQ before the host negotiated ('reject' is upstream). */
    directReqBeforeVersion: DirectReqPolicy;
    /** Where SPMC implementations disagree (vector-format.md policy.spmc). */
    spmc: SpmcPolicy;
  };
}

const at = (level: Placement['level'], sync: boolean, dir: Parameters<typeof linkOrder>[0], index: number): Placement =>
  ({ level, sync, linkOrder: linkOrder(dir, index) });

const BASE: Record<InitcallId, Placement | null> = { ...DEFAULT_PLACEMENTS, ffa_root_device_init: null };
/** ffa_init as module_init (device_initcall), drivers/firmware after arch/ by link order. */
const FFA_INIT_DEVICE = at('device', false, 'drivers', 22);
const RFC_PLACEMENTS: Record<InitcallId, Placement | null> = {
  ...BASE,
  ffa_root_device_init: DEFAULT_PLACEMENTS.ffa_root_device_init,
  ffa_init: FFA_INIT_DEVICE,
};

export const BUILTIN_SCENARIOS: readonly ScenarioDef[] = [
  {
    name: 'v7.1-rc2',
    title: 'ffa_init at rootfs_initcall (the v7.1-rc2 base, since 0e0546eabcd6)',
    description: 'ffa_init runs before kvm_arm_init: the host negotiates with the SPMC directly, then pKVM traps everything (reference 7(a)).',
    ffaRootDevice: false,
    kvmInitInFinalize: false,
    placements: { ...BASE },
    policy: { directReqBeforeVersion: 'reject', spmc: 'spec' },
  },
  {
    name: 'device-initcall',
    title: 'ffa_init at device_initcall, after kvm_arm_init by link order (the revert)',
    description: 'Calls are already trapped when ffa_init runs, so pKVM proxies the negotiation, before finalize_pkvm (reference 7(a\')).',
    ffaRootDevice: false,
    kvmInitInFinalize: false,
    placements: { ...BASE, ffa_init: FFA_INIT_DEVICE },
    policy: { directReqBeforeVersion: 'reject', spmc: 'spec' },
  },
  {
    name: 'rfc',
    title: 'RFC patches 1-3: deferred FF-A root device, load_uefi_certs at late_initcall_sync',
    description: 'The root probe defers until is_pkvm_initialized(); deferred_probe_initcall runs ffa_core_init before load_uefi_certs (reference 6, 7(d)).',
    ffaRootDevice: true,
    kvmInitInFinalize: true,
    placements: { ...RFC_PLACEMENTS, load_uefi_certs: at('late', true, 'security', 0) },
    policy: { directReqBeforeVersion: 'reject', spmc: 'spec' },
  },
  {
    name: 'rfc-without-3',
    title: 'RFC patches 1-2: deferred FF-A root device, load_uefi_certs still at late_initcall',
    description: 'load_uefi_certs (security/) runs before deferred_probe_initcall (drivers/base) at late: its DIRECT_REQ meets the gate (reference 7(d)).',
    ffaRootDevice: true,
    kvmInitInFinalize: true,
    placements: { ...RFC_PLACEMENTS },
    policy: { directReqBeforeVersion: 'reject', spmc: 'spec' },
  },
  {
    name: 'permissive-gate',
    title: 'RFC patches 1-2 with pKVM forwarding DIRECT_REQ before negotiation (the RFC\'s question)',
    description: 'Same order as rfc-without-3; pKVM lets DIRECT_REQ through before the host negotiated, which ends the SPMC\'s negotiation phase for endpoint 0 (reference 7(c), DEN0077A 13.2.2).',
    ffaRootDevice: true,
    kvmInitInFinalize: true,
    placements: { ...RFC_PLACEMENTS },
    policy: { directReqBeforeVersion: 'forward', spmc: 'spec' },
  },
];

/** A built-in scenario by name, or undefined. */
export function builtinScenario(name: string): ScenarioDef | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}

/** A deep copy (definitions are data; callers may edit the copy). */
export function cloneScenario(def: ScenarioDef): ScenarioDef {
  const placements = {} as Record<InitcallId, Placement | null>;
  for (const [k, v] of Object.entries(def.placements)) placements[k as InitcallId] = v === null ? null : { ...v };
  return { ...def, placements, policy: { ...def.policy } };
}
