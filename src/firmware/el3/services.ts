/**
 * The EL3 runtime-service registry (DESIGN practice 9; TF-A common/runtime_svc.c): an index from
 * (owning entity number, call type) to a service, filled once at boot, then a `switch` on the
 * function ID inside the service. SMC Calling Convention fields follow DEN0028 (reference
 * arch-and-cycles.md 7.1).
 */
import * as L from '../../state/layout.js';
import { SMCCC_FAST_CALL, SMCCC_FAST_MBZ_MASK, SMCCC_OEN_MASK, SMCCC_OEN_SHIFT, SMCCC_SVE_HINT } from '../../ffa/abi.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { X } = L;

/** DEN0028: the SMC_UNK / NOT_SUPPORTED return, written to the whole of X0 as TF-A's smc_unknown does. */
export const SMC_UNK = -1;

/** How a service leaves EL3 after handling a call. */
export const enum Exit {
  /** Results are in the caller's registers: ERET to the caller. */
  Return = 0,
  /** The service prepared another context (world switch): ERET to it. */
  Switched = 1,
  /** The service stopped the machine (SYSTEM_OFF ...): no ERET. */
  Stopped = 2,
}

/** What a service sees of the call: the PE state, who called, and the decoded function ID. */
export interface SmcCall {
  /** The state buffer (x0-x17 at slots 0..35). */
  s: Int32Array;
  /** Function ID with the SVE hint (bit 16) cleared. */
  fid: number;
  /** Caller's Security state was Secure (SCR_EL3.NS = 0 when the SMC was taken). */
  secure: boolean;
  /** SMC64 convention (FID bit 30). */
  smc64: boolean;
  /** The SVE live-state hint the caller set (DEN0028 v1.3), passed on by forwarding services. */
  sveHint: boolean;
  /** The SMC's imm16 (ESR_EL3.ISS[15:0]). */
  imm: number;
}

export interface RuntimeService {
  readonly name: string;
  /** Handle one call; registers are read and written in place. */
  handle(call: SmcCall): Exit;
}

/** TF-A `get_unique_oen`: OEN in bits [6:1], call type (1 = fast) in bit 0. */
export function uniqueOen(oen: number, fast: boolean): number { return ((oen & SMCCC_OEN_MASK) << 1) | (fast ? 1 : 0); }

export class ServiceRegistry {
  private readonly byOen: (RuntimeService | null)[] = new Array<RuntimeService | null>(128).fill(null);
  readonly services: RuntimeService[] = [];

  /** Register `svc` for owning entities start..end of one call type (TF-A DECLARE_RT_SVC). */
  register(svc: RuntimeService, startOen: number, endOen: number, fast: boolean): void {
    for (let oen = startOen; oen <= endOen; oen++) {
      const i = uniqueOen(oen, fast);
      if (this.byOen[i] !== null) throw new Error(`OEN ${oen} (${fast ? 'fast' : 'yielding'}) already owned by ${this.byOen[i]!.name}`);
      this.byOen[i] = svc;
    }
    this.services.push(svc);
  }

  /** The service owning a function ID, or null. */
  lookup(fid: number): RuntimeService | null {
    return this.byOen[uniqueOen((fid >>> SMCCC_OEN_SHIFT) & SMCCC_OEN_MASK, (fid & SMCCC_FAST_CALL) !== 0)]!;
  }

  /**
   * TF-A runtime_svc.c `sync_handler`: a fast call with bits [23:17] set is unknown (DEN0028 reserves
   * them); the SVE hint is masked; then the owning service handles it, or SMC_UNK. `rawFid` is w0
   * (int32 or uint32 form).
   */
  dispatch(call: SmcCall, rawFid: number): Exit {
    const raw = rawFid | 0;   // int32 in the hot path (a uint32 argument would be a boxed double)
    if ((raw & SMCCC_FAST_CALL) !== 0 && (raw & SMCCC_FAST_MBZ_MASK) !== 0) return smcUnknown(call.s);
    call.sveHint = (raw & SMCCC_SVE_HINT) !== 0;
    call.fid = (raw & ~SMCCC_SVE_HINT) >>> 0;
    call.smc64 = (raw & 0x40000000) !== 0;
    const svc = this.byOen[uniqueOen((raw >>> SMCCC_OEN_SHIFT) & SMCCC_OEN_MASK, (raw & SMCCC_FAST_CALL) !== 0)]!;
    if (svc === null) return smcUnknown(call.s);
    return svc.handle(call);
  }
}

/** TF-A `smc_unknown`: X0 = SMC_UNK (all 64 bits), every other register as the caller left it. */
export function smcUnknown(s: Int32Array): Exit {
  s[X] = -1; s[X + 1] = -1;
  return Exit.Return;
}

/** SMC_RET1 of a signed 32-bit status or value: x0 sign-extended (TF-A returns `int` in u_register_t). */
export function ret1s(s: Int32Array, v: number): Exit {
  s[X] = v | 0; s[X + 1] = v < 0 ? -1 : 0;
  return Exit.Return;
}

/** Version text "1.2" -> 0x10002 (SMCCC/PSCI `(major << 16) | minor`). */
export function parseMajorMinor(text: string, what: string): number {
  const m = /^(\d{1,5})\.(\d{1,5})$/.exec(text);
  if (m === null || Number(m[1]) > 0x7fff || Number(m[2]) > 0xffff) throw new RangeError(`${what}: "${text}" is not a major.minor version`);
  return ((Number(m[1]) << 16) | Number(m[2])) >>> 0;
}
