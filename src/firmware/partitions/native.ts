/**
 * A native secure partition: the code at S-EL0 (calls its S-EL1 SPMC by SVC #0) or at S-EL1 (calls
 * the EL3 SPMC by SMC #0). It runs the FF-A partition loop through real exceptions:
 *   entry -> [onInit] -> FFA_MSG_WAIT --(message)--> handler -> response --(next message)--> ...
 * Each message arrives as the return of the previous call: control comes back at `Wait + 4`.
 */
import * as L from '../../state/layout.js';
import * as A from '../../ffa/abi.js';
import { StopReason } from '../../exec/context.js';
import { CALL_SITES, NativeComponent, type NativePlatform, smcWord, svcWord } from '../component.js';
import { DirectKind, type PartitionBehaviour, type PartitionServices } from './api.js';
import { SnapshotError, type SnapshotState, type StateReader, type StateWriter, hasSnapshotState, loadPart, savePart } from '../../state/snapshot-codec.js';
// FF-A IDs as module constants: V8 folds these into the code, while an imported binding is a load
// through its module cell on every use (docs/speed.md, "module constants").
const { FFA_ERROR, FFA_MSG_SEND_DIRECT_REQ, FFA_MSG_SEND_DIRECT_REQ2, FFA_MSG_SEND_DIRECT_REQ_64, FFA_MSG_WAIT,
  FFA_RET_ABORTED } = A;
// Layout offsets as module constants: V8 folds these into the code, while `L.X` (like any imported
// binding) is a load through the module cell on every use (docs/speed.md, "module constants").
const { VBAR_EL } = L;

export const enum PartitionSite {
  Entry = CALL_SITES,
  /** The SVC/SMC that answers one message and waits for the next. */
  Wait = CALL_SITES + 0x10,
  /** Nested FF-A calls made while handling a message (PartitionServices.ffaCall). */
  Call = CALL_SITES + 0x20,
}

/** How many FFA_ERROR answers in a row to its own FFA_MSG_WAIT/response a partition tolerates. */
const MAX_ERRORS_IN_A_ROW = 4;

export class NativePartition extends NativeComponent implements PartitionServices, SnapshotState {
  readonly name: string;
  readonly el: number;
  readonly secure = true;
  private readonly conduit: number;
  /** Direct requests handled. */
  handled = 0;
  /** FF-A errors received in answer to this partition's own calls. */
  errorsSeen = 0;
  private errorsInARow = 0;
  /** Cycles of one handled message (timing profile, read once at attach). */
  private costHandler = 0;

  constructor(readonly endpointId: number, readonly behaviour: PartitionBehaviour, el: 0 | 1) {
    super();
    this.el = el;
    this.name = `sp-${endpointId.toString(16)}-${behaviour.name}`;
    // FF-A conduits (ffa-abi.md 1): SVC from S-EL0 to an S-EL1 SPMC, SMC from S-EL1 to EL3.
    this.conduit = el === 0 ? svcWord(0) : smcWord(0);
  }

  override attach(p: NativePlatform): void {
    super.attach(p);
    this.costHandler = p.config.timing.native.partitionHandler;
  }

  /** Where the partition starts (its entry point, given to its SPMC). */
  get entryAddress(): bigint { return this.siteAddress(PartitionSite.Entry); }

  onException(offset: number): never {
    throw new Error(`${this.name}: unexpected exception at S-EL${this.el} (vector offset 0x${offset.toString(16)}, ESR 0x${(this.esr() >>> 0).toString(16)})`);
  }

  override onResume(pc: number): void {
    if (pc === PartitionSite.Entry) {
      // An S-EL1 partition owns its EL1 vectors (an S-EL0 one has none: its exceptions go to the SPMC).
      if (this.el === 1) { this.s[VBAR_EL + 2] = 0; this.s[VBAR_EL + 3] = this.pcHi; }
      if (this.behaviour.onInit?.(this) === false) {
        // Initialisation failed: FFA_ERROR in the SP_INIT runtime model (v1.2 §8.3; TF-A, Hafnium).
        const s = this.s;
        s[0] = FFA_ERROR | 0;
        for (let i = 1; i < 36; i++) s[i] = 0;
        s[4] = FFA_RET_ABORTED;
        this.issueTail(this.conduit, PartitionSite.Wait);
        return;
      }
      this.msgWait();
      return;
    }
    if (pc === ((PartitionSite.Wait + 4) | 0)) { this.message(); return; }
    super.onResume(pc);
  }

  /** FFA_MSG_WAIT: x1-x17 zero (v1.2 §14.1?: MBZ). */
  private msgWait(): void {
    const s = this.s;
    s[0] = FFA_MSG_WAIT | 0;
    for (let i = 1; i < 36; i++) s[i] = 0;
    this.issueTail(this.conduit, PartitionSite.Wait);
  }

  private message(): void {
    const s = this.s;
    const fid = s[0]! >>> 0;
    let kind: DirectKind;
    if (fid !== FFA_MSG_SEND_DIRECT_REQ && fid !== FFA_MSG_SEND_DIRECT_REQ_64 && fid !== FFA_MSG_SEND_DIRECT_REQ2 &&
      this.behaviour.onOtherMessage !== undefined) {
      if (fid === FFA_ERROR) this.errorsSeen++;
      if (this.behaviour.onOtherMessage(s, this)) { this.issueTail(this.conduit, PartitionSite.Wait); return; }
      this.msgWait();
      return;
    }
    switch (fid) {
      case FFA_MSG_SEND_DIRECT_REQ: kind = DirectKind.Req32; break;
      case FFA_MSG_SEND_DIRECT_REQ_64: kind = DirectKind.Req64; break;
      case FFA_MSG_SEND_DIRECT_REQ2: kind = DirectKind.Req2; break;
      case FFA_ERROR:
        // The SPMC refused this partition's last call (its response or MSG_WAIT). Wait again, but a
        // partition that keeps being refused is broken: stop rather than loop forever.
        this.errorsSeen++;
        if (++this.errorsInARow > MAX_ERRORS_IN_A_ROW) {
          throw new Error(`${this.name}: FF-A call refused ${this.errorsInARow} times in a row (last FFA_ERROR ${s[4]})`);
        }
        this.msgWait();
        return;
      default:
        // FFA_RUN (cycles with no message), FFA_SUCCESS ...: nothing to do, give the cycles back.
        this.errorsInARow = 0;
        this.msgWait();
        return;
    }
    this.errorsInARow = 0;
    this.handled++;
    this.charge(this.costHandler);
    this.behaviour.onDirectRequest(s, kind, (s[2]! >>> 16) & 0xffff, this);
    this.issueTail(this.conduit, PartitionSite.Wait);
  }

  ffaCall(): void {
    const r = this.call(this.conduit, PartitionSite.Call);
    if (r !== StopReason.Returned) throw new Error(`${this.name}: nested FF-A call did not return (stop reason ${r})`);
  }

  // ---- snapshots (machine/snapshot.ts; cold path) ----

  /** Format version of saveState(). */
  static readonly STATE_VERSION = 1;
  /**
   * The partition's counters and its behaviour's own state. A behaviour must implement SnapshotState
   * (an empty payload when it keeps no state): one that does not cannot be saved, so it is refused
   * (UNSUPPORTED) rather than silently restored as new.
   */
  saveState(): Uint8Array { return savePart(NativePartition.STATE_VERSION, this); }
  loadState(bytes: Uint8Array): void { loadPart(this.name, NativePartition.STATE_VERSION, this, bytes); }

  private behaviourState(): SnapshotState {
    const b = this.behaviour;
    if (!hasSnapshotState(b)) {
      throw new SnapshotError('UNSUPPORTED', `${this.name}: partition behaviour "${b.name}" does not implement SnapshotState (saveState/loadState), so its state cannot be saved`);
    }
    return b;
  }

  saveTo(w: StateWriter): void {
    w.f64(this.endpointId); w.f64(this.el); w.str(this.behaviour.name);
    w.f64(this.handled); w.f64(this.errorsSeen); w.f64(this.errorsInARow);
    w.part(this.behaviourState().saveState());
  }

  readFrom(r: StateReader): () => void {
    r.cfgNum('endpointId', this.endpointId); r.cfgNum('el', this.el); r.cfgStr('behaviour', this.behaviour.name);
    const handled = r.f64('handled'), errorsSeen = r.f64('errorsSeen'), errorsInARow = r.f64('errorsInARow');
    const inner = r.part('behaviour state');
    const b = this.behaviourState();
    return () => {
      // The behaviour checks its payload before changing anything; then the counters.
      b.loadState(inner);
      this.handled = handled; this.errorsSeen = errorsSeen; this.errorsInARow = errorsInARow;
    };
  }
}
