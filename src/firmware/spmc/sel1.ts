/**
 * The SPMC at S-EL1 as a native component (OP-TEE-as-SPMC style placement): the code on the secure
 * EL1 vectors. The EL3 SPMD enters it by ERET (boot, and each message forwarded from the Normal world),
 * it answers by SMC #0 to EL3, and it runs its partitions at S-EL0 by ERET; they call it by SVC #0.
 * Every hop is a real exception entry or return.
 *
 *   boot:      SPMD ERET -> Entry: VBAR_EL1, then each partition's init (ERET to its entry at S-EL0,
 *              it answers FFA_MSG_WAIT by SVC) -> FFA_MSG_WAIT by SMC from `Nwd` (the SPMD: "ready")
 *   NWd call:  SPMD ERET -> onResume(Nwd + 4) -> dispatch -> SMC from `Nwd` (the answer), or ERET into
 *              a partition (a direct request), whose SVC lands on the vectors here -> dispatch -> ...
 *
 * Partition contexts (GPRs, SP_EL0, ELR_EL1/SPSR_EL1) are saved and restored as fixed slices of the
 * state buffer (firmware/context.ts); the message registers x0-x17 are the SPMC's to write.
 */
import * as L from '../../state/layout.js';
import * as A from '../../ffa/abi.js';
import { CALL_SITES, NativeComponent, type NativePlatform, smcWord } from '../component.js';
import { type PartitionEntry, type SavedContext, SPSR_EL0T, el0Context } from '../context.js';
import { DEST_INIT_NEXT, SpmcCore, type SpmcCoreConfig } from './core.js';
import { NWD } from './endpoints.js';
import { type SnapshotState, type StateReader, type StateWriter, loadPart, savePart } from '../../state/snapshot-codec.js';
// FF-A IDs as module constants (see above: imported bindings are loads through module cells).
const { FFA_MSG_WAIT } = A;
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { ELR_EL, SPSR_EL, SP_EL, VBAR_EL } = L;

export const enum SpmcSite {
  /** Where the SPMD's first ERET enters the SPMC (its entry point). */
  Entry = CALL_SITES,
  /** The SMC that returns to the SPMD (answers, FFA_MSG_WAIT); the next message arrives at +4. */
  Nwd = CALL_SITES + 0x10,
}

export type { PartitionEntry } from '../context.js';

/** ESR_EL1.EC of an SVC from AArch64 (Arm ARM D24.2.45). */
const EC_SVC64 = 0x15;

export class Sel1Spmc extends NativeComponent implements SnapshotState {
  readonly name = 'spmc-sel1';
  readonly el = 1;
  readonly secure = true;
  core!: SpmcCore;
  private ctx: SavedContext[] = [];
  /** Partition slot running at S-EL0 (or -1: none, the SPMC answered the SPMD last). */
  private current = -1;
  private initSlot = 0;
  /** All partitions initialised and FFA_MSG_WAIT sent to the SPMD. */
  ready = false;
  /** Exceptions from partitions that were not FF-A calls (faults), for diagnostics. */
  readonly faults: { slot: number; esr: number; elr: bigint }[] = [];

  constructor(private readonly cfg: SpmcCoreConfig, private readonly entries: readonly PartitionEntry[]) {
    super();
    if (entries.length !== cfg.partitions.length) throw new RangeError('one entry per partition expected');
  }

  override attach(p: NativePlatform): void {
    super.attach(p);
    const timing = p.config.timing.native;
    this.core = new SpmcCore(this.cfg, {
      bus: p.bus,
      charge: (c: number) => this.charge(c),
      dispatchCost: timing.spmcDispatch,
      copyBytesPerCycle: timing.copyBytesPerCycle,
    }, this.s);
    this.ctx = [el0Context()];
    this.entries.forEach((e) => {
      const c = el0Context();
      const pc = BigInt.asUintN(64, e.entry), sp = BigInt.asUintN(64, e.sp);
      // First entry: ELR_EL1 = entry point, SPSR_EL1 = EL0t with DAIF clear (interrupts enabled, so
      // a Non-secure interrupt can preempt the partition), SP_EL0 = its stack.
      c.set64(ELR_EL + 2, Number(pc & 0xffffffffn) | 0, Number(pc >> 32n) | 0);
      c.set64(SPSR_EL + 2, SPSR_EL0T, 0);
      c.set64(SP_EL + 0, Number(sp & 0xffffffffn) | 0, Number(sp >> 32n) | 0);
      this.ctx.push(c);
    });
  }

  override onResume(pc: number): void {
    if (pc === SpmcSite.Entry) {
      // The SPMC's own boot: its exception vectors (MSR VBAR_EL1), then the partitions.
      const s = this.s;
      s[VBAR_EL + 2] = 0; s[VBAR_EL + 3] = this.pcHi;
      this.initSlot = 0;
      this.initNext();
      return;
    }
    if (pc === ((SpmcSite.Nwd + 4) | 0)) {
      // A message from the Normal world (or the SPMD) forwarded by the SPMD's world switch.
      this.current = -1;
      this.route(this.core.dispatch(NWD));
      return;
    }
    super.onResume(pc);
  }

  onException(offset: number): void {
    const slot = this.current;
    if ((offset & 0x600) !== 0x400 || slot <= 0) {
      throw new Error(`${this.name}: exception at vector offset 0x${offset.toString(16)} with no partition running (ESR_EL1 0x${(this.esr() >>> 0).toString(16)})`);
    }
    // The partition's context as it trapped (its results will overwrite x0-x17 later).
    this.ctx[slot]!.save(this.s);
    const type = offset & 0x180;
    if (type === 0) {
      const esr = this.esr();
      if ((esr >>> 26) === EC_SVC64) { this.route(this.core.dispatch(slot)); return; }
      // Any other synchronous exception from a partition is a fault it cannot recover from here.
      this.faults.push({ slot, esr, elr: this.p.cpu.get64(ELR_EL + 2) });
      this.current = -1;
      this.route(this.core.abortPartition(slot));
      return;
    }
    // IRQ/FIQ/SError taken from S-EL0: a Non-secure interrupt preempts the partition; the NWd gets
    // FFA_INTERRUPT and resumes it later with FFA_RUN.
    this.current = -1;
    this.route(this.core.preempt(slot));
  }

  /** Send the registers where the dispatcher said. */
  private route(dest: number): void {
    if (dest === DEST_INIT_NEXT) { this.initNext(); return; }
    if (dest === NWD) {
      this.current = -1;
      this.issueTail(smcWord(0), SpmcSite.Nwd);
      return;
    }
    if (dest === this.current) { this.eret(); return; }
    // Another partition: its saved context, then the message registers (none for a preempted one).
    this.ctx[dest]!.restore(this.s, this.core.resumeFull ? 0 : 18);
    this.current = dest;
    this.eret();
  }

  /** Initialise the next partition, or tell the SPMD that the SPMC is ready (FFA_MSG_WAIT). */
  private initNext(): void {
    const core = this.core;
    this.initSlot++;
    if (this.initSlot <= core.partitionCount) {
      const slot = this.initSlot;
      core.beginInit(slot);
      this.ctx[slot]!.restore(this.s, 0);
      this.current = slot;
      this.eret();
      return;
    }
    this.ready = true;
    const s = this.s;
    s[0] = FFA_MSG_WAIT | 0;
    for (let i = 1; i < 36; i++) s[i] = 0;
    this.current = -1;
    this.issueTail(smcWord(0), SpmcSite.Nwd);
  }

  // ---- snapshots (machine/snapshot.ts; cold path) ----

  /** Format version of saveState(). */
  static readonly STATE_VERSION = 1;
  saveState(): Uint8Array { return savePart(Sel1Spmc.STATE_VERSION, this); }
  loadState(bytes: Uint8Array): void { loadPart(this.name, Sel1Spmc.STATE_VERSION, this, bytes); }

  saveTo(w: StateWriter): void {
    w.u32(this.entries.length);
    for (const e of this.entries) { w.u64(e.entry); w.u64(e.sp); }
    w.u32(this.ctx.length);
    for (const c of this.ctx) c.saveTo(w);
    w.f64(this.current); w.f64(this.initSlot); w.bool(this.ready);
    w.u32(this.faults.length);
    for (const f of this.faults) { w.f64(f.slot); w.i32(f.esr); w.u64(f.elr); }
    this.core.saveTo(w);
  }

  readFrom(r: StateReader): () => void {
    r.cfgU32('partition entries', this.entries.length);
    this.entries.forEach((e, i) => { r.cfgU64(`partition ${i} entry`, e.entry); r.cfgU64(`partition ${i} sp`, e.sp); });
    r.cfgU32('contexts', this.ctx.length);
    const ctx = this.ctx.map((c, i) => c.readFrom(r, `context ${i}`));
    const current = r.f64('current'), initSlot = r.f64('initSlot'), ready = r.bool('ready');
    const faults: { slot: number; esr: number; elr: bigint }[] = [];
    const nf = r.count('faults', 1 << 20);
    for (let i = 0; i < nf; i++) faults.push({ slot: r.f64('fault slot'), esr: r.i32('fault esr'), elr: r.u64('fault elr') });
    const core = this.core.readFrom(r);
    return () => {
      for (const c of ctx) c();
      this.current = current; this.initSlot = initSlot; this.ready = ready;
      this.faults.length = 0; this.faults.push(...faults);
      core();
    };
  }
}
