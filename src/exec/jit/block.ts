/**
 * A translated block (exec/jit/translate.ts): a straight-line run of decoded instructions of one code
 * page compiled into one JavaScript function. The interpreter (exec/interpreter.ts `run`) enters it at
 * a block start when at least `len` instructions of budget remain, and subtracts what it returns.
 */

/**
 * Run the block. `budget` is the instruction budget left (>= len); `mayLoop` (true or 1) allows a
 * block whose last instruction branches back to its own start to iterate in place and a trace to go
 * on at taken branches (no nested-call return point is pending); 2 (the plain run loop, where no page
 * is hooked) also lets a trace go on across exception entries and returns it takes inline into the
 * vector's or return address's page. Returns the instructions retired; PC, registers, NZCV, cycles
 * and instret are as the interpreter would leave them, and a Stop status is left in ctx.stopReason.
 */
export type BlockFn = (budget: number, mayLoop: boolean | number) => number;

export class JitBlock {
  constructor(
    readonly fn: BlockFn,
    /** Instructions one pass retires at most (one iteration of a self-loop). */
    readonly len: number,
    /** Physical address of the first instruction (for traces and tests). */
    readonly pa: number,
    /** The block iterates in place when its last branch goes back to its start. */
    readonly loops: boolean,
  ) {}
}

/** A start that is not translated (nothing worth compiling there): never entered (len = Infinity). */
export const NO_BLOCK = new JitBlock(() => 0, Infinity, -1, false);
