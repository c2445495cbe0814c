/**
 * One-line descriptions of where a machine is and why a run stopped, for the CLI (`a64el run`) and
 * the image-vector runner. Kept apart from both so `a64el run` loads no vector code.
 */
import * as L from '../state/layout.js';
import { isSecure } from '../state/cpu-state.js';
import { type Machine, STOP_REASON_NAMES, StopReason } from './machine.js';

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/** Where the PE is: "PC=0x... at EL1 (Non-secure)". */
export function describePlace(machine: Machine): string {
  const s = machine.cpu.s;
  return `PC=${hex64(machine.cpu.pc)} at EL${s[L.PSTATE_EL]} (${isSecure(s) ? 'Secure' : 'Non-secure'})`;
}

/** Why a run stopped without a semihosting exit, as one sentence. */
export function describeStop(machine: Machine, reason: StopReason, budget: number): string {
  const place = describePlace(machine);
  switch (reason) {
    case StopReason.Budget: return `reached maxInstructions (${budget}) without exiting: ${place}`;
    case StopReason.Halted: return `halted in WFI/WFE with nothing to wake the PE: ${place}`;
    default: return `stopped (${STOP_REASON_NAMES[reason] ?? reason}) without exiting: ${place}`;
  }
}
