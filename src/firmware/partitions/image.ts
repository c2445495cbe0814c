/**
 * A64-image secure partitions: interpreted code placed in secure RAM that plays the same role as a
 * native partition (an FF-A loop on FFA_MSG_WAIT / FFA_MSG_SEND_DIRECT_RESP), entered by the SPMC's
 * ERET like any partition. The SPMC only needs its entry point and initial stack.
 */
import type { Bus } from '../../memory/bus.js';
import * as M from '../../memory/map.js';
import { type LoadedImage, isElf, loadRaw, parseElf } from '../../loader/index.js';

export interface ImagePartitionPlacement {
  /** First instruction (ELF e_entry, or the load address of a raw image). */
  entry: bigint;
  /** Initial stack pointer (SP_EL0 at S-EL0, SP_EL1 at S-EL1): the top of the image's stack area. */
  sp: bigint;
  /** The parsed image. */
  image: LoadedImage;
}

/**
 * Place an ELF64 (or, with `loadAddress`, a raw binary) into secure RAM. Every segment must lie inside
 * secure RAM (a partition's memory is secure-only); the stack is the `stackSize` bytes above the
 * highest segment, 16-byte aligned.
 */
export function placeImagePartition(bus: Bus, bytes: Uint8Array, name: string,
  opts: { loadAddress?: bigint; stackSize?: number } = {}): ImagePartitionPlacement {
  const image = isElf(bytes) ? parseElf(bytes, name)
    : loadRaw(bytes, opts.loadAddress ?? BigInt(M.SECURE_RAM_BASE), name);
  const lo = BigInt(M.SECURE_RAM_BASE), hi = BigInt(M.SECURE_RAM_BASE + M.SECURE_RAM_SIZE);
  let top = lo;
  for (const seg of image.segments) {
    const end = seg.paddr + seg.memSize;
    if (seg.paddr < lo || end > hi) {
      throw new RangeError(`${name}: segment [0x${seg.paddr.toString(16)}, 0x${end.toString(16)}) is not in secure RAM`);
    }
    if (end > top) top = end;
  }
  const stackSize = BigInt(opts.stackSize ?? 0x1000);
  const sp = ((top + 15n) & ~15n) + stackSize;
  if (sp > hi) throw new RangeError(`${name}: no room for a ${stackSize}-byte stack above the image`);
  for (const seg of image.segments) {
    bus.load(Number(seg.paddr), seg.data);
    const zeros = Number(seg.memSize) - seg.data.length;
    if (zeros > 0) bus.load(Number(seg.paddr) + seg.data.length, new Uint8Array(zeros));
  }
  return { entry: image.entry, sp, image };
}
