/**
 * ELF64 image parser for a64el firmware images.
 *
 * Parses and validates an ELF64 little-endian AArch64 executable and returns its loadable
 * segments; it does not place anything in memory (the machine does). Layouts and constants
 * follow the System V ABI, "ELF gABI" chapters 4 (Object Files: ELF Header, Sections,
 * Symbol Table) and 5 (Program Loading: Program Header), in their ELF-64 form, and the
 * Arm "ELF for the Arm 64-bit Architecture (AArch64)" supplement (AAELF64) for EM_AARCH64.
 *
 * No Node imports: this module must bundle for browsers. Reading files lives in file.ts.
 */

/** Why an image was rejected. Stable strings: tests and callers may switch on them. */
export type LoaderErrorCode =
  | 'EMPTY' // zero-length image
  | 'TRUNCATED' // shorter than the 64-byte ELF header
  | 'NOT_ELF' // bad magic (EI_MAG0..3)
  | 'BAD_CLASS' // EI_CLASS is not ELFCLASS64
  | 'BAD_DATA' // EI_DATA is not ELFDATA2LSB
  | 'BAD_VERSION' // EI_VERSION or e_version is not EV_CURRENT
  | 'BAD_TYPE' // e_type is not ET_EXEC or ET_DYN
  | 'BAD_MACHINE' // e_machine is not EM_AARCH64
  | 'BAD_HEADER' // e_ehsize / e_phentsize / e_shentsize inconsistent
  | 'BAD_PROGRAM_HEADERS' // program header table outside the file
  | 'NO_LOAD_SEGMENTS' // no PT_LOAD segment with a nonzero size
  | 'SEGMENT_OUT_OF_FILE' // p_offset + p_filesz past the end of the file
  | 'SEGMENT_FILESZ' // p_filesz > p_memsz
  | 'SEGMENT_WRAPS' // p_vaddr/p_paddr + p_memsz beyond 2^64
  | 'SEGMENT_TOO_LARGE' // p_memsz above the configured limit
  | 'SEGMENT_ALIGN' // p_align neither 0, 1 nor a power of two
  | 'SEGMENTS_OVERLAP' // two PT_LOAD segments share addresses
  | 'BAD_ENTRY' // e_entry outside every PT_LOAD segment
  | 'BAD_SECTION_HEADERS' // section header table (or the symbol table) outside the file
  | 'BAD_ADDRESS' // raw image address out of range
  | 'IO'; // the file could not be read (file.ts)

/** A rejected image. The message starts with the file name and names the offending field. */
export class LoaderError extends Error {
  override readonly name = 'LoaderError';
  constructor(
    readonly code: LoaderErrorCode,
    /** The image's name as given by the caller (usually its path). */
    readonly file: string,
    /** The message without the file name. */
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** Segment permission bits (gABI p_flags). */
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

/** One loadable segment: `data` goes at `paddr`, followed by `memSize - data.length` zero bytes. */
export interface LoadSegment {
  /** Physical load address (p_paddr); what a64el uses with the MMU off. */
  paddr: bigint;
  /** Virtual address (p_vaddr); equal to paddr for the project's images. */
  vaddr: bigint;
  /** The file bytes (p_filesz of them), copied out of the input. */
  data: Uint8Array;
  /** Size in memory (p_memsz >= data.length); the rest is zero-filled (.bss). */
  memSize: bigint;
  /** PF_R | PF_W | PF_X bits. */
  flags: number;
}

export interface LoadedImage {
  /** Where execution starts (e_entry; the load address for raw images). */
  entry: bigint;
  /** PT_LOAD segments with a nonzero p_memsz, in program header order. */
  segments: LoadSegment[];
  /** Named symbols from .symtab (SHT_SYMTAB), when the file has one. */
  symbols?: Map<string, bigint>;
}

export interface ParseElfOptions {
  /** Largest p_memsz accepted for one segment (default 4 GiB). */
  maxSegmentSize?: bigint;
  /** Read .symtab into `symbols` (default true). */
  symbols?: boolean;
}

// ---- gABI constants ----------------------------------------------------------------------

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46]; // "\x7fELF"
const EI_CLASS = 4;
const EI_DATA = 5;
const EI_VERSION = 6;
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const EV_CURRENT = 1;
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const ET_CORE = 4;
const EM_AARCH64 = 183; // AAELF64 section 5.1

const ELF64_EHDR_SIZE = 64;
const ELF64_PHDR_SIZE = 56;
const ELF64_SHDR_SIZE = 64;
const ELF64_SYM_SIZE = 24;

const PT_LOAD = 1;
const PN_XNUM = 0xffff; // e_phnum escape: the real count is in section 0's sh_info
const SHN_UNDEF = 0;
const SHN_XINDEX = 0xffff; // e_shstrndx escape (we only need to recognise it)
const SHT_SYMTAB = 2;
const STT_SECTION = 3;
const STT_FILE = 4;
const STB_LOCAL = 0;

const U64_LIMIT = 1n << 64n;
const DEFAULT_MAX_SEGMENT = 1n << 32n;

/** e_machine values worth naming in an error (gABI "e_machine" list). */
const MACHINE_NAMES: Record<number, string> = {
  0: 'none',
  3: 'i386',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 's390',
  40: 'Arm (AArch32)',
  50: 'IA-64',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

const TYPE_NAMES: Record<number, string> = {
  0: 'ET_NONE',
  [ET_REL]: 'ET_REL, a relocatable object: link it first',
  [ET_EXEC]: 'ET_EXEC',
  [ET_DYN]: 'ET_DYN',
  [ET_CORE]: 'ET_CORE, a core dump',
};

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** True if `bytes` starts with the ELF magic number. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Parse and validate an ELF64 little-endian AArch64 executable (ET_EXEC, or ET_DYN for
 * position-independent images, taken at their link addresses).
 * @param bytes the whole file
 * @param name  the file name, used in error messages
 * @throws LoaderError naming the file and the offending field
 */
export function parseElf(bytes: Uint8Array, name = 'image', options: ParseElfOptions = {}): LoadedImage {
  const fail = (code: LoaderErrorCode, detail: string): never => {
    throw new LoaderError(code, name, detail);
  };
  const size = BigInt(bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (off: number): number => view.getUint16(off, true);
  const u32 = (off: number): number => view.getUint32(off, true);
  const u64 = (off: number): bigint => view.getBigUint64(off, true);
  /** [off, off + len) lies inside the file (bigint, so no overflow). */
  const inFile = (off: bigint, len: bigint): boolean => off <= size && len <= size - off;

  // ---- ELF header (gABI "ELF Header", e_ident) ----
  if (bytes.length === 0) fail('EMPTY', 'file is empty');
  if (!isElf(bytes)) fail('NOT_ELF', 'not an ELF file (bad magic in e_ident[EI_MAG0..3])');
  if (bytes.length < ELF64_EHDR_SIZE) {
    fail('TRUNCATED', `file is ${bytes.length} bytes, shorter than the ${ELF64_EHDR_SIZE}-byte ELF64 header`);
  }
  const cls = bytes[EI_CLASS]!;
  if (cls !== ELFCLASS64) {
    const what = cls === ELFCLASS32 ? 'ELFCLASS32 (32-bit)' : 'invalid';
    fail('BAD_CLASS', `e_ident[EI_CLASS] is ${cls} (${what}), expected ${ELFCLASS64} (ELFCLASS64)`);
  }
  const data = bytes[EI_DATA]!;
  if (data !== ELFDATA2LSB) {
    const what = data === ELFDATA2MSB ? 'ELFDATA2MSB, big-endian' : 'invalid';
    fail('BAD_DATA', `e_ident[EI_DATA] is ${data} (${what}), expected ${ELFDATA2LSB} (ELFDATA2LSB, little-endian)`);
  }
  if (bytes[EI_VERSION] !== EV_CURRENT) {
    fail('BAD_VERSION', `e_ident[EI_VERSION] is ${bytes[EI_VERSION]}, expected ${EV_CURRENT} (EV_CURRENT)`);
  }
  const eType = u16(16);
  if (eType !== ET_EXEC && eType !== ET_DYN) {
    fail('BAD_TYPE', `e_type is ${eType} (${TYPE_NAMES[eType] ?? 'unknown'}), expected ${ET_EXEC} (ET_EXEC) or ${ET_DYN} (ET_DYN)`);
  }
  const machine = u16(18);
  if (machine !== EM_AARCH64) {
    fail('BAD_MACHINE', `e_machine is ${machine} (${MACHINE_NAMES[machine] ?? 'unknown'}), expected ${EM_AARCH64} (AArch64)`);
  }
  const version = u32(20);
  if (version !== EV_CURRENT) fail('BAD_VERSION', `e_version is ${version}, expected ${EV_CURRENT} (EV_CURRENT)`);
  const entry = u64(24);
  const phoff = u64(32);
  const shoff = u64(40);
  const ehsize = u16(52);
  const phentsize = u16(54);
  let phnum = u16(56);
  const shentsize = u16(58);
  let shnum = u16(60);
  if (ehsize < ELF64_EHDR_SIZE) fail('BAD_HEADER', `e_ehsize is ${ehsize}, expected at least ${ELF64_EHDR_SIZE}`);

  // gABI "Sections": with e_phnum = PN_XNUM the real program header count is in the
  // sh_info field of section header 0 (and with e_shnum = 0, the section count in its sh_size).
  const hasSections = shoff !== 0n;
  const section0 = (): number => {
    if (shentsize < ELF64_SHDR_SIZE) {
      fail('BAD_HEADER', `e_shentsize is ${shentsize}, expected at least ${ELF64_SHDR_SIZE} (Elf64_Shdr)`);
    }
    if (!inFile(shoff, BigInt(ELF64_SHDR_SIZE))) {
      fail('BAD_SECTION_HEADERS', `e_shoff ${hex(shoff)} is past the end of the file (${bytes.length} bytes)`);
    }
    return Number(shoff);
  };
  if (phnum === PN_XNUM) {
    if (!hasSections) fail('BAD_HEADER', 'e_phnum is PN_XNUM (0xffff) but there is no section header 0 (e_shoff is 0)');
    phnum = u32(section0() + 44);
  }

  // ---- Program header table (gABI "Program Header") ----
  if (phnum === 0) fail('NO_LOAD_SEGMENTS', 'e_phnum is 0: no program headers');
  if (phentsize < ELF64_PHDR_SIZE) {
    fail('BAD_HEADER', `e_phentsize is ${phentsize}, expected at least ${ELF64_PHDR_SIZE} (Elf64_Phdr)`);
  }
  if (!inFile(phoff, BigInt(phnum) * BigInt(phentsize))) {
    fail(
      'BAD_PROGRAM_HEADERS',
      `program header table (e_phoff ${hex(phoff)}, ${phnum} x ${phentsize} bytes) extends past the end of the file (${bytes.length} bytes)`,
    );
  }

  const maxSegment = options.maxSegmentSize ?? DEFAULT_MAX_SEGMENT;
  const segments: LoadSegment[] = [];
  const indexOf: number[] = []; // program header index of each segment, for messages
  for (let i = 0; i < phnum; i++) {
    const at = Number(phoff) + i * phentsize;
    if (u32(at) !== PT_LOAD) continue;
    const field = (f: string): string => `program header ${i} (PT_LOAD) ${f}`;
    const flags = u32(at + 4);
    const offset = u64(at + 8);
    const vaddr = u64(at + 16);
    const paddr = u64(at + 24);
    const filesz = u64(at + 32);
    const memsz = u64(at + 40);
    const align = u64(at + 48);
    if (filesz > memsz) fail('SEGMENT_FILESZ', `${field('p_filesz')} ${hex(filesz)} is larger than p_memsz ${hex(memsz)}`);
    if (!inFile(offset, filesz)) {
      fail(
        'SEGMENT_OUT_OF_FILE',
        `${field('p_offset + p_filesz')} (${hex(offset)} + ${hex(filesz)}) is past the end of the file (${bytes.length} bytes)`,
      );
    }
    if (vaddr + memsz > U64_LIMIT) fail('SEGMENT_WRAPS', `${field('p_vaddr + p_memsz')} (${hex(vaddr)} + ${hex(memsz)}) wraps past 2^64`);
    if (paddr + memsz > U64_LIMIT) fail('SEGMENT_WRAPS', `${field('p_paddr + p_memsz')} (${hex(paddr)} + ${hex(memsz)}) wraps past 2^64`);
    if (memsz > maxSegment) {
      fail('SEGMENT_TOO_LARGE', `${field('p_memsz')} ${hex(memsz)} exceeds the ${hex(maxSegment)}-byte segment limit`);
    }
    // gABI: 0 and 1 mean no alignment; otherwise a positive integral power of two.
    if (align > 1n && (align & (align - 1n)) !== 0n) fail('SEGMENT_ALIGN', `${field('p_align')} ${hex(align)} is not a power of two`);
    if (memsz === 0n) continue;
    const start = Number(offset);
    segments.push({ paddr, vaddr, data: bytes.slice(start, start + Number(filesz)), memSize: memsz, flags });
    indexOf.push(i);
  }
  if (segments.length === 0) fail('NO_LOAD_SEGMENTS', `none of the ${phnum} program headers is a PT_LOAD segment with p_memsz > 0`);

  // PT_LOAD segments must not share memory (physical, where a64el loads them, nor virtual).
  for (let a = 0; a < segments.length; a++) {
    for (let b = a + 1; b < segments.length; b++) {
      const sa = segments[a]!;
      const sb = segments[b]!;
      for (const key of ['paddr', 'vaddr'] as const) {
        if (sa[key] < sb[key] + sb.memSize && sb[key] < sa[key] + sa.memSize) {
          const range = (s: LoadSegment): string => `[${hex(s[key])}, ${hex(s[key] + s.memSize)})`;
          fail(
            'SEGMENTS_OVERLAP',
            `PT_LOAD program headers ${indexOf[a]} and ${indexOf[b]} overlap: p_${key} ranges ${range(sa)} and ${range(sb)}`,
          );
        }
      }
    }
  }

  if (!segments.some((s) => entry >= s.vaddr && entry < s.vaddr + s.memSize)) {
    fail('BAD_ENTRY', `e_entry ${hex(entry)} is not inside any PT_LOAD segment`);
  }

  // ---- Section header table: validated whenever present, read for .symtab ----
  if (hasSections) {
    const sec0 = section0();
    if (shnum === 0) {
      const count = u64(sec0 + 32);
      if (count > 0xffffffffn) fail('BAD_SECTION_HEADERS', `section 0 sh_size (extended e_shnum) is ${hex(count)}`);
      shnum = Number(count);
    }
    if (!inFile(shoff, BigInt(shnum) * BigInt(shentsize))) {
      fail(
        'BAD_SECTION_HEADERS',
        `section header table (e_shoff ${hex(shoff)}, ${shnum} x ${shentsize} bytes) extends past the end of the file (${bytes.length} bytes)`,
      );
    }
  }

  const image: LoadedImage = { entry, segments };
  if (hasSections && options.symbols !== false) {
    const symbols = readSymbols(bytes, view, name, Number(shoff), shnum, shentsize);
    if (symbols) image.symbols = symbols;
  }
  return image;
}

/**
 * Read the first SHT_SYMTAB section and its string table (sh_link) into name -> st_value.
 * Section and file symbols are skipped; a global symbol wins over a local of the same name,
 * otherwise the first one seen is kept. Returns undefined when there is no .symtab.
 */
function readSymbols(
  bytes: Uint8Array,
  view: DataView,
  name: string,
  shoff: number,
  shnum: number,
  shentsize: number,
): Map<string, bigint> | undefined {
  const size = BigInt(bytes.length);
  const inFile = (off: bigint, len: bigint): boolean => off <= size && len <= size - off;
  const fail = (detail: string): never => {
    throw new LoaderError('BAD_SECTION_HEADERS', name, detail);
  };
  const shdr = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      type: view.getUint32(at + 4, true),
      offset: view.getBigUint64(at + 24, true),
      size: view.getBigUint64(at + 32, true),
      link: view.getUint32(at + 40, true),
      entsize: view.getBigUint64(at + 56, true),
    };
  };
  let symIndex = -1;
  for (let i = 0; i < shnum; i++) {
    if (shdr(i).type === SHT_SYMTAB) {
      symIndex = i;
      break;
    }
  }
  if (symIndex < 0) return undefined;
  const symtab = shdr(symIndex);
  if (!inFile(symtab.offset, symtab.size)) {
    fail(`section ${symIndex} (SHT_SYMTAB) sh_offset + sh_size (${hex(symtab.offset)} + ${hex(symtab.size)}) is past the end of the file`);
  }
  if (symtab.entsize < BigInt(ELF64_SYM_SIZE)) {
    fail(`section ${symIndex} (SHT_SYMTAB) sh_entsize is ${symtab.entsize}, expected at least ${ELF64_SYM_SIZE} (Elf64_Sym)`);
  }
  if (symtab.link === SHN_UNDEF || symtab.link === SHN_XINDEX || symtab.link >= shnum) {
    fail(`section ${symIndex} (SHT_SYMTAB) sh_link ${symtab.link} is not a section index`);
  }
  const strtab = shdr(symtab.link);
  if (!inFile(strtab.offset, strtab.size)) {
    fail(`section ${symtab.link} (symbol string table) sh_offset + sh_size is past the end of the file`);
  }
  const strStart = Number(strtab.offset);
  const strEnd = strStart + Number(strtab.size);
  const decoder = new TextDecoder('utf-8');
  const readName = (off: number): string | undefined => {
    if (off === 0 || strStart + off >= strEnd) return undefined;
    let end = strStart + off;
    while (end < strEnd && bytes[end] !== 0) end++;
    return decoder.decode(bytes.subarray(strStart + off, end));
  };

  const symbols = new Map<string, bigint>();
  const isGlobal = new Set<string>();
  const count = Number(symtab.size / symtab.entsize);
  const stride = Number(symtab.entsize);
  for (let i = 1; i < count; i++) {
    // Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64
    const at = Number(symtab.offset) + i * stride;
    const info = bytes[at + 4]!;
    const type = info & 0xf;
    if (type === STT_SECTION || type === STT_FILE) continue;
    const symName = readName(view.getUint32(at, true));
    if (symName === undefined) continue;
    const global = info >> 4 !== STB_LOCAL;
    if (symbols.has(symName) && (isGlobal.has(symName) || !global)) continue;
    symbols.set(symName, view.getBigUint64(at + 8, true));
    if (global) isGlobal.add(symName);
  }
  return symbols;
}

/**
 * A raw binary (e.g. `objcopy -O binary` output) placed at `addr`, entered at `addr`.
 * @throws LoaderError if the image is empty or would not fit below 2^64
 */
export function loadRaw(bytes: Uint8Array, addr: bigint, name = 'raw image'): LoadedImage {
  if (bytes.length === 0) throw new LoaderError('EMPTY', name, 'file is empty');
  const len = BigInt(bytes.length);
  if (addr < 0n || addr + len > U64_LIMIT) {
    throw new LoaderError('BAD_ADDRESS', name, `load address ${hex(addr)} + ${hex(len)} bytes does not fit in 64 bits`);
  }
  return {
    entry: addr,
    segments: [{ paddr: addr, vaddr: addr, data: bytes.slice(), memSize: len, flags: PF_R | PF_W | PF_X }],
  };
}
