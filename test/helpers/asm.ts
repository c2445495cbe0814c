/**
 * Test helper: assemble A64 source with GNU binutils (aarch64-linux-gnu-as, linked by
 * aarch64-linux-gnu-ld at a chosen address so PC-relative forms such as ADRP resolve) and return the
 * bytes of .text. Results are cached on disk by a hash of the source, base address and tool version
 * (node_modules/.cache/a64el-asm, or the OS temp dir), so repeated runs do not spawn the tools.
 *
 * When binutils are missing, HAVE_BINUTILS is false, a loud line is printed once, and tests guarded
 * with `skipIf(!HAVE_BINUTILS)` are skipped.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CROSS = process.env['CROSS_COMPILE'] ?? 'aarch64-linux-gnu-';

function toolVersion(): string | null {
  try {
    return execFileSync(`${CROSS}as`, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0] ?? '';
  } catch {
    return null;
  }
}

const VERSION = toolVersion();
/** True when GNU as/ld/objcopy for AArch64 are available. */
export const HAVE_BINUTILS = VERSION !== null;
if (!HAVE_BINUTILS) {
  // eslint-disable-next-line no-console
  console.warn('\n*** a64el tests: aarch64-linux-gnu binutils NOT FOUND: assembler-based ISA/disassembly tests are SKIPPED ***\n' +
    '*** install binutils-aarch64-linux-gnu (apt) or set CROSS_COMPILE                                       ***\n');
}

function cacheDir(): string {
  const candidates = [join(process.cwd(), 'node_modules', '.cache', 'a64el-asm'), join(tmpdir(), 'a64el-asm-cache')];
  for (const dir of candidates) {
    try { mkdirSync(dir, { recursive: true }); return dir; } catch { /* try the next one */ }
  }
  return tmpdir();
}
const CACHE = HAVE_BINUTILS ? cacheDir() : '';
const memo = new Map<string, Uint8Array>();

/**
 * Assemble `source` (GNU as syntax, newline or ';' separated) into .text linked at `base`; returns its
 * bytes. Throws with the assembler's message on a syntax error, or if binutils are missing.
 */
export function assemble(source: string, base = 0): Uint8Array {
  if (!HAVE_BINUTILS) throw new Error('aarch64-linux-gnu binutils are not installed');
  const key = createHash('sha256').update(`${VERSION}\0${base}\0${source}`).digest('hex').slice(0, 32);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const file = join(CACHE, `${key}.bin`);
  if (existsSync(file)) {
    const bytes = new Uint8Array(readFileSync(file));
    memo.set(key, bytes);
    return bytes;
  }
  const dir = mkdtempSync(join(tmpdir(), 'a64el-as-'));
  try {
    const src = join(dir, 'a.S'), obj = join(dir, 'a.o'), elf = join(dir, 'a.elf'), bin = join(dir, 'a.bin');
    writeFileSync(src, `.text\n.globl _start\n_start:\n${source.split(';').join('\n')}\n`);
    const run = (tool: string, args: string[]): void => {
      try {
        execFileSync(`${CROSS}${tool}`, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`${CROSS}${tool} failed:\n${err.stderr ?? err.message}\n--- source ---\n${source}`);
      }
    };
    run('as', ['-march=armv8-a', '-o', obj, src]);
    run('ld', ['-Ttext=0x' + base.toString(16), '-e', '_start', '--no-warn-rwx-segments', '-o', elf, obj]);
    run('objcopy', ['-O', 'binary', '-j', '.text', elf, bin]);
    const bytes = new Uint8Array(readFileSync(bin));
    try { writeFileSync(file, bytes); } catch { /* cache is best effort */ }
    memo.set(key, bytes);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The little-endian words of `source` assembled at `base`. */
export function assembleWords(source: string, base = 0): number[] {
  const b = assemble(source, base);
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push((b[i]! | b[i + 1]! << 8 | b[i + 2]! << 16 | b[i + 3]! << 24) >>> 0);
  return out;
}

/** The single word of one instruction (throws unless it assembles to exactly one word). */
export function asmWord(insn: string): number {
  const w = assembleWords(insn);
  if (w.length !== 1) throw new Error(`"${insn}" assembled to ${w.length} words, expected 1`);
  return w[0]!;
}

/**
 * GNU objdump's text for each word (raw binary at `vma`), normalised for comparison: mnemonic and
 * operands separated by one space, `// comment` and `<symbol>` annotations removed.
 */
export function objdumpWords(words: readonly number[], vma = 0x4000_0000): string[] {
  if (!HAVE_BINUTILS) throw new Error('aarch64-linux-gnu binutils are not installed');
  const dir = mkdtempSync(join(tmpdir(), 'a64el-od-'));
  try {
    const bin = join(dir, 'w.bin');
    const buf = Buffer.alloc(words.length * 4);
    words.forEach((w, i) => buf.writeUInt32LE(w >>> 0, 4 * i));
    writeFileSync(bin, buf);
    const out = execFileSync(`${CROSS}objdump`, ['-D', '-b', 'binary', '-m', 'aarch64', `--adjust-vma=0x${vma.toString(16)}`, bin], { encoding: 'utf8' });
    const lines: string[] = [];
    for (const line of out.split('\n')) {
      const m = /^\s*[0-9a-f]+:\s+[0-9a-f]{8}\s+(.*)$/.exec(line);
      if (m === null) continue;
      lines.push(m[1]!.replace(/\s*\/\/.*$/, '').replace(/\s*<[^>]*>/, '').replace(/\t/, ' ').trim());
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
