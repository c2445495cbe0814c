/**
 * Test helper: assemble A64 source with GNU as (Debian binutils-aarch64-linux-gnu, installed by
 * .ci/run) and return the instruction words. Every word a test executes comes from the real
 * assembler, so a test cannot encode an instruction wrongly by hand.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CROSS = process.env['CROSS_COMPILE'] ?? 'aarch64-linux-gnu-';
const cache = new Map<string, Uint32Array>();

function tool(name: string, args: string[], what: string): void {
  const r = spawnSync(CROSS + name, args, { encoding: 'utf8' });
  if (r.error !== undefined) {
    throw new Error(`${CROSS}${name} not runnable (${r.error.message}): apt-get install binutils-aarch64-linux-gnu`);
  }
  if (r.status !== 0) throw new Error(`${CROSS}${name} failed on ${what}:\n${r.stderr}`);
}

/**
 * Assemble `source` (one instruction or directive per line, or ';'-separated) as position-dependent
 * .text and return its words, little-endian. Results are cached by source text.
 */
export function assemble(source: string): Uint32Array {
  const hit = cache.get(source);
  if (hit !== undefined) return hit;
  const dir = mkdtempSync(join(tmpdir(), 'a64el-asm-'));
  try {
    const src = join(dir, 'a.S'), obj = join(dir, 'a.o'), bin = join(dir, 'a.bin');
    writeFileSync(src, `.text\n${source.split(';').join('\n')}\n`);
    tool('as', ['-march=armv8-a', '-o', obj, src], JSON.stringify(source));
    tool('objcopy', ['-O', 'binary', '-j', '.text', obj, bin], JSON.stringify(source));
    const bytes = readFileSync(bin);
    const words = new Uint32Array(bytes.length >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = bytes.readUInt32LE(4 * i);
    cache.set(source, words);
    return words;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The single instruction word of `insn` (throws unless it assembles to exactly one word). */
export function word(insn: string): number {
  const w = assemble(insn);
  if (w.length !== 1) throw new Error(`"${insn}" assembled to ${w.length} words, expected 1`);
  return w[0]!;
}
