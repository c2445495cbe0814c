/**
 * The EL3 monitor as a native component (BL31-like): the code on VBAR_EL3.
 *
 * Boot (the PE resets at `MonitorSite.Entry`, EL3h): SCR_EL3 (RW, HCE when a hypervisor runs, SMD = 0,
 * NS = 0), the runtime-service registry, then the secure world (the SPMD's SPMC boot) and finally the
 * Normal world's entry point (EL2 or EL1), each reached by a real ERET.
 *
 * SMC dispatch (DESIGN practice 9; TF-A runtime_svc.c): an SMC from a lower EL lands at VBAR_EL3 +
 * 0x400; the function ID's owning entity number selects a runtime service (Arm architecture calls,
 * the standard service: PSCI and FF-A), which handles it in place; the monitor then ERETs to whichever
 * context the service left ready. Unknown calls get SMC_UNK (-1) in X0. The SMC's imm16 is ignored, as
 * TF-A does (handler_sync_exception reads only ESR_EL3.EC; runtime_exceptions.S never looks at the ISS).
 */
import * as L from '../../state/layout.js';
import { SMCCC_OEN_ARCH, SMCCC_OEN_STANDARD, isPsciFunction } from '../../ffa/abi.js';
import { HCR_RW, SCR_FIQ, SCR_HCE, SCR_IRQ, SCR_NS, SCR_RW, SCR_SMD, haveEl } from '../../exceptions/routing.js';
import { CALL_SITES, NativeComponent, type NativePlatform } from '../component.js';
import { ArchService } from './arch.js';
import { SCTLR_EL1_RESET, SPSR_DAIF_MASKED, SPSR_EL1H, SPSR_EL2H, type SavedContext, el1Context } from '../context.js';
import { Psci, type SystemEvent } from './psci.js';
import { Exit, type RuntimeService, ServiceRegistry, type SmcCall, smcUnknown } from './services.js';
import { Spmd, type SpmdConfig } from './spmd.js';
import { SnapshotError, type SnapshotState, type StateReader, type StateWriter, loadPart, savePart } from '../../state/snapshot-codec.js';
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { ELR_EL, HCR_EL2, SCR_EL3, SCTLR_EL, SPSR_EL, VBAR_EL, X } = L;

export const enum MonitorSite {
  /** The reset entry point (BL31 entry). */
  Entry = CALL_SITES,
}

/** Where the Normal world starts. */
export interface NsEntry {
  /** Entry point (the hypervisor's, or the OS's). */
  pc: bigint;
  /** EL2 (a hypervisor) or EL1. */
  el: 1 | 2;
}

export interface MonitorConfig {
  /** SMCCC_VERSION value, (major << 16) | minor. */
  smcccVersion: number;
  /** PSCI_VERSION value. */
  psciVersion: number;
  /**
   * SCR_EL3.HCE: HVC enabled. Set when a hypervisor runs at EL2; clear when EL2 is unused, so HVC at
   * EL1 is UNDEFINED (vector-format.md `el2: "none"`).
   */
  hypervisor: boolean;
  ns: NsEntry;
  /** The SPM dispatcher and its SPMC, or null (no SPMC: FF-A calls are unknown SMCs). */
  spmd: SpmdConfig | null;
}

/** SCR_EL3 bits 5:4 are RES1 (Arm ARM D24.2.169). */
const SCR_RES1 = 0x30;
/** ESR.EC of an SMC from AArch64. */
const EC_SMC64 = 0x17;

/** TF-A std_svc_setup.c std_svc_smc_handler: PSCI, then the SPMD for the FF-A range. */
class StdService implements RuntimeService {
  readonly name = 'std-svc';
  constructor(private readonly psci: Psci, private readonly spmd: Spmd | null) {}
  handle(call: SmcCall): Exit {
    const fid = call.fid;
    if (isPsciFunction(fid)) return this.psci.handle(call);
    const fn = fid & 0xffff;
    // FF-A owns function numbers 0x60-0xFF of the standard service (ffa-abi.md 1; TF-A is_ffa_fid).
    if (fn >= 0x60 && fn <= 0xff && (fid & 0x00ff0000) === 0) {
      if (this.spmd !== null) return this.spmd.handle(call);
    }
    return smcUnknown(call.s);
  }
}

export class El3Monitor extends NativeComponent implements SnapshotState {
  readonly name = 'el3-monitor';
  readonly el = 3;
  readonly secure = true;
  readonly registry = new ServiceRegistry();
  readonly arch: ArchService;
  readonly psci: Psci;
  spmd: Spmd | null = null;
  /** Called when PSCI powers the system off or resets it: the world stops the machine. */
  onSystemEvent: ((e: SystemEvent) => void) | null = null;
  /** SMCs handled. */
  smcCount = 0;
  /** The Normal world's first context (ELR_EL3/SPSR_EL3 at its entry point, EL1 state at reset). */
  private readonly nsInitial: SavedContext = el1Context();
  /** Cycles of one SMC dispatch (timing profile, read once at attach: a chain of loads per SMC otherwise). */
  private costDispatch = 0;
  private readonly smc: SmcCall = { s: new Int32Array(0), fid: 0, secure: false, smc64: false, sveHint: false, imm: 0 };

  constructor(readonly cfg: MonitorConfig) {
    super();
    this.arch = new ArchService(cfg.smcccVersion);
    this.psci = new Psci(cfg.psciVersion);
    this.psci.onSystemEvent = (e) => { if (this.onSystemEvent !== null) this.onSystemEvent(e); };
  }

  override attach(p: NativePlatform): void {
    super.attach(p);
    this.smc.s = this.s;
    const timing = p.config.timing.native;
    this.costDispatch = timing.el3Dispatch;
    if (this.cfg.spmd !== null) {
      this.spmd = new Spmd(this.cfg.spmd, {
        s: this.s,
        bus: p.bus,
        charge: (c: number) => this.charge(c),
        costs: { worldSwitch: timing.worldSwitch, spmcDispatch: timing.spmcDispatch, copyBytesPerCycle: timing.copyBytesPerCycle },
        enterNormalWorldFirst: () => this.enterNormalWorldFirst(),
      });
    }
    this.registry.register(this.arch, SMCCC_OEN_ARCH, SMCCC_OEN_ARCH, true);
    this.registry.register(new StdService(this.psci, this.spmd), SMCCC_OEN_STANDARD, SMCCC_OEN_STANDARD, true);
    const ns = this.cfg.ns, pc = BigInt.asUintN(64, ns.pc);
    this.nsInitial.set64(ELR_EL + 6, Number(pc & 0xffffffffn) | 0, Number(pc >> 32n) | 0);
    this.nsInitial.set64(SPSR_EL + 6, (ns.el === 2 ? SPSR_EL2H : SPSR_EL1H) | SPSR_DAIF_MASKED, 0);
    this.nsInitial.set64(SCTLR_EL + 2, SCTLR_EL1_RESET, 0);
  }

  /** The address the PE resets to (BL31 entry). */
  get entryAddress(): bigint { return this.siteAddress(MonitorSite.Entry); }

  override onResume(pc: number): void {
    if (pc !== MonitorSite.Entry) { super.onResume(pc); return; }
    const s = this.s;
    // bl31_early_platform_setup / el3_arch_init: the vectors, then SCR_EL3 for the lower ELs (Arm ARM
    // D24.2.169): RW = 1 (AArch64 below), HCE as configured, SMD = 0 (SMC enabled), NS = 0 for the
    // secure world's boot.
    s[VBAR_EL + 6] = 0; s[VBAR_EL + 7] = this.pcHi;
    s[SCR_EL3] = SCR_RES1 | SCR_RW | (this.cfg.hypervisor ? SCR_HCE : 0);
    s[SCR_EL3] &= ~(SCR_SMD | SCR_NS);
    if (this.spmd !== null) this.spmd.boot();
    else this.enterNormalWorldFirst();
    this.eret();
  }

  /**
   * Prepare the first entry into the Normal world (TF-A cm_prepare_el3_exit_ns): EL1 state at reset,
   * ELR_EL3/SPSR_EL3 at the entry point, SCR_EL3.NS = 1 with interrupts left to the Normal world, and
   * with EL2 implemented but unused, HCR_EL2.RW = 1 so EL1 is AArch64.
   */
  private enterNormalWorldFirst(): void {
    const s = this.s;
    this.nsInitial.restore(s, 0);
    s[SCR_EL3] = (s[SCR_EL3]! | SCR_NS) & ~(SCR_IRQ | SCR_FIQ);
    if (this.cfg.ns.el === 1 && haveEl(s, 2)) { s[HCR_EL2] = HCR_RW; s[HCR_EL2 + 1] = 0; }
  }

  onException(offset: number): void {
    const s = this.s;
    if ((offset & 0x180) !== 0) {
      // IRQ/FIQ at EL3: only routed here while an EL3 SPMC's partition runs.
      if (this.spmd === null) throw new Error(`${this.name}: unexpected asynchronous exception (vector offset 0x${offset.toString(16)})`);
      if (this.spmd.onInterrupt() !== Exit.Stopped) this.eret();
      return;
    }
    const esr = this.esr();
    if ((offset & 0x600) !== 0x400 || (esr >>> 26) !== EC_SMC64) {
      throw new Error(`${this.name}: unexpected synchronous exception (vector offset 0x${offset.toString(16)}, ESR_EL3 0x${(esr >>> 0).toString(16)})`);
    }
    this.charge(this.costDispatch);
    this.smcCount++;
    const call = this.smc;
    call.secure = (s[SCR_EL3]! & SCR_NS) === 0;
    call.imm = esr & 0xffff;
    const exit = this.registry.dispatch(call, s[X]!);
    if (exit !== Exit.Stopped) this.eret();
  }

  // ---- snapshots (machine/snapshot.ts; cold path) ----

  /** Format version of saveState(). */
  static readonly STATE_VERSION = 1;
  saveState(): Uint8Array { return savePart(El3Monitor.STATE_VERSION, this); }
  loadState(bytes: Uint8Array): void { loadPart(this.name, El3Monitor.STATE_VERSION, this, bytes); }

  saveTo(w: StateWriter): void {
    const c = this.cfg;
    w.f64(c.smcccVersion); w.f64(c.psciVersion); w.bool(c.hypervisor); w.u64(c.ns.pc); w.f64(c.ns.el);
    w.f64(this.smcCount);
    w.u8(SYSTEM_EVENTS.indexOf(this.psci.lastEvent));
    w.bool(this.spmd !== null);
    if (this.spmd !== null) this.spmd.saveTo(w);
  }

  readFrom(r: StateReader): () => void {
    const c = this.cfg;
    r.cfgNum('smcccVersion', c.smcccVersion); r.cfgNum('psciVersion', c.psciVersion); r.cfgBool('hypervisor', c.hypervisor);
    r.cfgU64('ns entry pc', c.ns.pc); r.cfgNum('ns entry el', c.ns.el);
    const smcCount = r.f64('smcCount');
    const ev = SYSTEM_EVENTS[r.u8('psci lastEvent')];
    if (ev === undefined) throw new SnapshotError('INVALID', `${this.name}: psci lastEvent is not a system event`);
    r.cfgBool('spmd', this.spmd !== null);
    const spmd = this.spmd === null ? null : this.spmd.readFrom(r);
    return () => {
      this.smcCount = smcCount;
      this.psci.lastEvent = ev;
      if (spmd !== null) spmd();
    };
  }
}

/** Snapshot encoding of Psci.lastEvent (index = the stored byte). */
const SYSTEM_EVENTS: readonly (SystemEvent | null)[] = [null, 'system-off', 'system-reset', 'cpu-off'];
