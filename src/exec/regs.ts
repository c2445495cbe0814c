/**
 * Register-number mapping for field value 31 (Arm ARM C1.2.5): in some operand positions 31 is the
 * stack pointer, in others the zero register. Reads of XZR hit slot 31 (always zero); writes to XZR go
 * to the sink slot 33, so slot 31 never changes. Offsets returned are word offsets into the state.
 */
import { SINK_SLOT, SP_SLOT } from '../state/layout.js';

/** Word offset of register n where 31 means SP (read or write). */
export function regSp(n: number): number { return (n === 31 ? SP_SLOT : n) << 1; }
/** Word offset of register n for reading, where 31 means XZR. */
export function regZrRead(n: number): number { return n << 1; }
/** Word offset of register n for writing, where 31 means XZR (discarded). */
export function regZrWrite(n: number): number { return (n === 31 ? SINK_SLOT : n) << 1; }
