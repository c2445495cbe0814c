/**
 * PSCI (Arm DEN0022) for the single modelled PE, function numbers 0x00-0x1F of the standard service
 * (reference arch-and-cycles.md 7.4). Behaviour follows TF-A lib/psci/psci_main.c `psci_smc_handler`:
 * only the Non-secure world may call PSCI (secure callers get SMC_UNK), SMC32 arguments are
 * truncated to 32 bits, results are SMC_RET1 of a signed status.
 */
import * as L from '../../state/layout.js';
import * as A from '../../ffa/abi.js';
import { Exit, type SmcCall, ret1s, smcUnknown } from './services.js';

/** What SYSTEM_OFF / SYSTEM_RESET / CPU_OFF did to the machine. */
export type SystemEvent = 'system-off' | 'system-reset' | 'cpu-off';

/** DEN0022 5.1.6 MIGRATE_INFO_TYPE: 2 = a Trusted OS is not present or does not need migration. */
const MIGRATE_INFO_TOS_NOT_PRESENT_MP = 2;
/** DEN0022 5.1.2 CPU_SUSPEND power_state bit 16: StateType (0 standby, 1 power down), original format. */
const PSTATE_TYPE_POWERDOWN = 1 << 16;
/** AFFINITY_INFO results (DEN0022 5.1.5). */
const AFF_ON = 0;
/** MPIDR affinity fields of the one PE (Aff3..Aff0 all 0, machine.resetCpu). */
const MPIDR_AFF_MASK_LO = 0x00ffffff;

const PSCI_1_0 = 0x10000;

export class Psci {
  /** Called when a call powers the system (or the last PE) off; the monitor stops the machine. */
  onSystemEvent: ((e: SystemEvent) => void) | null = null;
  /** The last system event (cleared by nothing: a stopped machine stays stopped). */
  lastEvent: SystemEvent | null = null;

  constructor(readonly version: number) {}

  /** Functions this PSCI implements, by SMC32/SMC64 ID (PSCI_FEATURES answers from this). */
  private implemented(fid: number): boolean {
    switch (fid) {
      case A.PSCI_VERSION: case A.PSCI_CPU_SUSPEND: case A.PSCI_CPU_SUSPEND_64: case A.PSCI_CPU_OFF:
      case A.PSCI_CPU_ON: case A.PSCI_CPU_ON_64: case A.PSCI_AFFINITY_INFO: case A.PSCI_AFFINITY_INFO_64:
      case A.PSCI_MIGRATE_INFO_TYPE: case A.PSCI_SYSTEM_OFF: case A.PSCI_SYSTEM_RESET:
        return true;
      case A.PSCI_FEATURES:
        // DEN0022 5.1.14: PSCI_FEATURES exists from PSCI 1.0.
        return this.version >= PSCI_1_0;
      default:
        return false;
    }
  }

  handle(call: SmcCall): Exit {
    const s = call.s;
    // TF-A psci_smc_handler: `if (!is_caller_non_secure(flags)) return SMC_UNK`.
    if (call.secure) return smcUnknown(s);
    const fid = call.fid;
    if (!this.implemented(fid)) return smcUnknown(s);
    const x1lo = s[L.X + 2]!, x1hi = call.smc64 ? s[L.X + 3]! : 0;
    switch (fid) {
      case A.PSCI_VERSION:
        return ret1s(s, this.version);
      case A.PSCI_FEATURES: {
        // DEN0022 5.1.14: w1 = function ID; 0 (or feature flags) if implemented, NOT_SUPPORTED else.
        // SMCCC_VERSION is reported as implemented (DEN0028 7.2.1; TF-A psci_features), which is how
        // callers discover SMCCC v1.1+.
        const q = x1lo >>> 0;
        if (q === A.SMCCC_VERSION) return ret1s(s, A.PSCI_RET_SUCCESS);
        // CPU_SUSPEND flags (bit 1 OS-initiated mode, bit 0 extended StateID): original format only.
        return ret1s(s, isPsciId(q) && this.implemented(q) ? 0 : A.PSCI_RET_NOT_SUPPORTED);
      }
      case A.PSCI_CPU_SUSPEND: case A.PSCI_CPU_SUSPEND_64:
        // Standby returns at once (DEN0022 5.4.2 lets a standby state wake spuriously). No power-down
        // state is defined for this platform: INVALID_PARAMETERS (DEN0022 5.1.2).
        return ret1s(s, (x1lo & PSTATE_TYPE_POWERDOWN) !== 0 ? A.PSCI_RET_INVALID_PARAMETERS : A.PSCI_RET_SUCCESS);
      case A.PSCI_CPU_ON: case A.PSCI_CPU_ON_64:
        // DEN0022 5.1.4: the only PE is the caller, so it is ALREADY_ON; any other MPIDR names no PE
        // of this platform: INVALID_PARAMETERS.
        return ret1s(s, isSelf(x1lo, x1hi) ? A.PSCI_RET_ALREADY_ON : A.PSCI_RET_INVALID_PARAMETERS);
      case A.PSCI_AFFINITY_INFO: case A.PSCI_AFFINITY_INFO_64: {
        // DEN0022 5.1.5: w2 = lowest affinity level, 0 only from PSCI 1.0 on (levels above are
        // optional); this PE is ON.
        const level = s[L.X + 4]! >>> 0;
        if (level !== 0) return ret1s(s, A.PSCI_RET_INVALID_PARAMETERS);
        return ret1s(s, isSelf(x1lo, x1hi) ? AFF_ON : A.PSCI_RET_INVALID_PARAMETERS);
      }
      case A.PSCI_MIGRATE_INFO_TYPE:
        return ret1s(s, MIGRATE_INFO_TOS_NOT_PRESENT_MP);
      case A.PSCI_CPU_OFF:
        // DEN0022 5.1.3: powering down the last PE; it never returns.
        return this.event('cpu-off');
      case A.PSCI_SYSTEM_OFF:
        // DEN0022 5.1.9: does not return.
        return this.event('system-off');
      case A.PSCI_SYSTEM_RESET:
        // DEN0022 5.1.10: does not return (the machine stops; the embedder may reset and boot again).
        return this.event('system-reset');
      default:
        return smcUnknown(s);
    }
  }

  private event(e: SystemEvent): Exit {
    this.lastEvent = e;
    if (this.onSystemEvent !== null) this.onSystemEvent(e);
    return Exit.Stopped;
  }
}

/** A PSCI function ID: fast call, OEN 4, function number 0x00-0x1F (either width). */
function isPsciId(fid: number): boolean { return A.isPsciFunction(fid); }

/** MPIDR in x1 names this PE: Aff3 (bits 39:32) and Aff2..Aff0 (bits 23:0) all zero. */
function isSelf(lo: number, hi: number): boolean {
  return (lo & MPIDR_AFF_MASK_LO) === 0 && (hi & 0xff) === 0;
}
