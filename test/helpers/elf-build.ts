/**
 * Test helper: build a minimal ELF64 little-endian AArch64 executable (gABI ELF header + program
 * headers, no sections) from a list of PT_LOAD segments, so loader placement can be tested at any
 * address without a linker.
 */
export interface SegmentSpec {
  paddr: bigint;
  vaddr?: bigint;
  data: Uint8Array;
  /** p_memsz (default data.length). */
  memSize?: bigint;
  /** PF_* bits (default R+X = 5). */
  flags?: number;
}

export function buildElf(entry: bigint, segments: SegmentSpec[]): Uint8Array {
  const EH = 64, PH = 56;
  let off = EH + PH * segments.length;
  const offsets = segments.map((s) => { const o = off; off += s.data.length; return o; });
  const out = new Uint8Array(off);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);      // magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT
  v.setUint16(16, 2, true);                             // ET_EXEC
  v.setUint16(18, 183, true);                           // EM_AARCH64
  v.setUint32(20, 1, true);                             // e_version
  v.setBigUint64(24, entry, true);
  v.setBigUint64(32, BigInt(EH), true);                 // e_phoff
  v.setBigUint64(40, 0n, true);                         // e_shoff
  v.setUint16(52, EH, true);
  v.setUint16(54, PH, true);
  v.setUint16(56, segments.length, true);
  v.setUint16(58, 64, true);
  segments.forEach((s, i) => {
    const p = EH + PH * i;
    v.setUint32(p, 1, true);                            // PT_LOAD
    v.setUint32(p + 4, s.flags ?? 5, true);
    v.setBigUint64(p + 8, BigInt(offsets[i]!), true);
    v.setBigUint64(p + 16, s.vaddr ?? s.paddr, true);
    v.setBigUint64(p + 24, s.paddr, true);
    v.setBigUint64(p + 32, BigInt(s.data.length), true);
    v.setBigUint64(p + 40, s.memSize ?? BigInt(s.data.length), true);
    v.setBigUint64(p + 48, 0x1000n, true);
    out.set(s.data, offsets[i]!);
  });
  return out;
}
