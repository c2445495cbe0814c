/**
 * The in-order pipeline model: per instruction, the cycle it issues in, from
 *  - issue width 1 or 2 (at most one load/store, one branch, one multiply/divide per cycle; an
 *    instruction never pairs with one it depends on),
 *  - a register scoreboard: a result is ready `latency` cycles after its instruction issued, so a
 *    load's destination stalls a consumer that follows too soon (load-use),
 *  - branches: a correctly predicted taken branch costs a fetch bubble; the static predictor says
 *    backward conditional branches are taken and forward ones not; a wrong guess costs the refill;
 *    BR/BLR have no target predictor,
 *  - serializing instructions (MSR, barriers, SVC/HVC/SMC, ERET) wait until everything in flight has
 *    completed and issue alone; cache maintenance by VA completes `cost` cycles later and DSB waits
 *    for it,
 *  - exception entry and ERET flush the pipeline (the scoreboard empties; the refill is in the
 *    profile's exceptionEntry/exceptionReturn, charged by the exception code as in the fixed model).
 * It reads the same profile numbers as the fixed model (profile.ts): for classes that write a
 * register the per-Op cost is the result latency (the instruction itself takes one issue slot); for
 * the others it is the issue occupancy. The charge for an instruction is (its issue cycle) - (the
 * previous one's): a dual-issued instruction costs 0, a stalled one its stall.
 */
import { Op, OpClass } from '../decode/ops.js';
import { FLAGS, NONE, SLOTS, dst, dstAlu, operands, src } from './operands.js';
import { DEFAULT_PIPELINE, type PipelineParams, type TimingProfile } from './profile.js';

// Per-Op attributes.
const RESULT = 1;     // cost = result latency; one issue slot
const MEM = 2;        // uses the load/store unit
const BRANCH = 4;     // uses the branch unit
const MULDIV = 8;     // uses the multiply/divide unit
const SERIAL = 16;    // waits for everything in flight, issues alone, nothing pairs after it
const DIV = 32;       // the divider is not pipelined
const COND = 64;      // conditional direct branch (static prediction by direction)
const INDIRECT = 128; // BR/BLR
const MAINT = 256;    // cache/TLB maintenance: issues like a store, completes `cost` cycles later

/** Attributes of every Op from its class (decode table) and a few Op-level facts. */
export function opAttributes(classes: Int32Array): Uint16Array {
  const a = new Uint16Array(classes.length);
  for (let op = 0; op < classes.length; op++) {
    switch (classes[op]) {
      case OpClass.Alu: a[op] = RESULT; break;
      case OpClass.Mul: a[op] = RESULT | MULDIV; break;
      case OpClass.Div: a[op] = RESULT | MULDIV | DIV; break;
      case OpClass.Branch: a[op] = BRANCH; break;
      case OpClass.BranchIndirect: a[op] = BRANCH; break;
      case OpClass.Load: case OpClass.LoadPair: case OpClass.Exclusive: a[op] = RESULT | MEM; break;
      case OpClass.Store: case OpClass.StorePair: a[op] = MEM; break;
      case OpClass.SysRegRead: a[op] = RESULT; break;
      case OpClass.SysRegWrite: case OpClass.Barrier: case OpClass.ExceptionGen: case OpClass.Eret: a[op] = SERIAL; break;
      default: a[op] = 0;   // Nop
    }
  }
  for (const op of [Op.B_cond, Op.CBZ, Op.CBNZ, Op.TBZ, Op.TBNZ]) a[op]! |= COND;
  for (const op of [Op.BR, Op.BLR]) a[op]! |= INDIRECT;
  for (const op of [Op.DC_VA, Op.DC_SW, Op.IC_ALL, Op.IC_IVAU, Op.TLBI_EL1, Op.TLBI_EL2, Op.TLBI_EL3, Op.AT]) a[op] = MEM | MAINT;
  a[Op.Undefined] = RESULT;
  return a;
}

export class PipelineModel {
  readonly params: PipelineParams;
  private readonly cost: Int32Array;
  private readonly attr: Uint16Array;
  /** Cycle at which each scoreboard slot's value can be consumed. */
  private readonly ready = new Float64Array(SLOTS);
  /** Issue cycle of the last instruction (-1: none yet). */
  private clock = -1;
  /** Instructions issued in `clock`, and the units they used. */
  private slots = 0;
  private units = 0;
  /** Nothing may issue in `clock` any more (a serializing or multi-cycle instruction, a taken branch). */
  private closed = false;
  /** Earliest cycle for the next issue (occupancy, branch bubbles), and whether a branch set it. */
  private nextIssue = 0;
  private nextIsBranch = false;
  /** Latest completion of anything in flight (results, maintenance). */
  private drain = 0;
  /** The divider is busy until this cycle. */
  private divFree = 0;
  /** Statistics: stall cycles by cause, branch outcomes. */
  readonly stats = {
    instructions: 0, dualIssued: 0, dataStalls: 0, serialStalls: 0, occupancyStalls: 0, branchBubbles: 0, mispredicts: 0, flushes: 0,
  };

  constructor(profile: TimingProfile, opCycles: Int32Array, classes: Int32Array) {
    this.params = profile.pipeline ?? DEFAULT_PIPELINE;
    if (this.params.issueWidth !== 1 && this.params.issueWidth !== 2) throw new RangeError(`timing profile ${profile.name}: pipeline.issueWidth must be 1 or 2`);
    this.cost = opCycles;
    this.attr = opAttributes(classes);
  }

  /**
   * Issue `op` (word `w`) with the cycle counter at `now` (the last charge, or later if something
   * else charged cycles since: exception entry, native code). Returns the cycles to charge.
   */
  issue(op: number, w: number, now: number): number {
    const a = this.attr[op]!;
    const st = this.stats;
    st.instructions++;
    let t: number;
    if (now === this.clock && !this.closed && this.slots < this.params.issueWidth && (a & SERIAL) === 0 &&
      (this.units & a & (MEM | BRANCH | MULDIV)) === 0) t = now;
    else t = now + 1;
    if (t < this.nextIssue) {
      if (this.nextIsBranch) st.branchBubbles += this.nextIssue - t; else st.occupancyStalls += this.nextIssue - t;
      t = this.nextIssue;
    }
    operands(op, w);
    const t0 = t;
    for (let i = 0; i < 4; i++) {
      const r = src[i]!;
      if (r !== NONE && this.ready[r]! > t) t = this.ready[r]!;
    }
    if ((a & DIV) !== 0 && this.divFree > t) t = this.divFree;
    if (t !== t0) st.dataStalls += t - t0;
    if ((a & SERIAL) !== 0 && this.drain > t) { st.serialStalls += this.drain - t; t = this.drain; }
    // Issue in cycle t.
    if (t === this.clock) { this.slots++; st.dualIssued++; } else { this.slots = 1; this.units = 0; this.closed = false; }
    this.units |= a & (MEM | BRANCH | MULDIV);
    const c = this.cost[op]!;
    const lat = (a & RESULT) !== 0 ? c : 1;
    for (let i = 0; i < 3; i++) {
      const r = dst[i]!;
      if (r === NONE) continue;
      const when = t + (dstAlu[i] !== 0 ? 1 : lat);
      this.ready[r] = when;
      if (when > this.drain) this.drain = when;
    }
    if ((a & MAINT) !== 0) { if (t + c > this.drain) this.drain = t + c; }
    else if ((a & RESULT) === 0 && c > 1) { this.nextIssue = t + c; this.nextIsBranch = false; this.closed = true; }
    if ((a & SERIAL) !== 0) this.closed = true;
    if ((a & DIV) !== 0) this.divFree = t + c;
    const charge = t - now;
    this.clock = t;
    return charge;
  }

  /**
   * After the instruction executed: `branched` when it wrote the PC (a taken branch), `exception`
   * when it took an exception or was an ERET (the pipeline is flushed).
   */
  resolve(op: number, w: number, branched: boolean, exception: boolean): void {
    if (exception) { this.flush(); return; }
    const a = this.attr[op]!;
    if ((a & BRANCH) === 0) return;
    const p = this.params;
    let penalty = -1;
    if ((a & COND) !== 0) {
      // imm19 sign (bit 23) for B.cond/CBZ/CBNZ, imm14 sign (bit 18) for TBZ/TBNZ.
      const backward = (op === Op.TBZ || op === Op.TBNZ ? (w >>> 18) & 1 : (w >>> 23) & 1) !== 0;
      if (branched !== backward) { penalty = p.mispredictPenalty; this.stats.mispredicts++; }
      else if (branched) penalty = p.takenBranchPenalty;
    } else if ((a & INDIRECT) !== 0) penalty = p.indirectBranchPenalty;
    else penalty = p.takenBranchPenalty;   // B, BL, RET (return stack)
    if (penalty < 0) return;
    const next = this.clock + 1 + penalty;
    if (next > this.nextIssue) { this.nextIssue = next; this.nextIsBranch = true; }
    this.closed = true;
  }

  /** Exception entry or return: nothing in flight survives, the next instruction starts a new cycle. */
  flush(): void {
    this.ready.fill(0);
    this.drain = 0;
    this.divFree = 0;
    this.nextIssue = 0;
    this.closed = true;
    this.stats.flushes++;
  }

  /** The FLAGS slot index (for tests). */
  static readonly FLAGS = FLAGS;
}
