/**
 * Disassembly for mismatch reports: a64el's own disassembler (src/decode/disasm.ts) when it exists,
 * else GNU objdump (binutils-aarch64-linux-gnu). Only used on the reporting path.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Disasm = (word: number, pc: bigint) => string;

let own: Disasm | null | undefined;

async function ownDisassembler(): Promise<Disasm | null> {
  if (own !== undefined) return own;
  own = null;
  try {
    const path = '../../src/decode/disasm.js';
    const mod = (await import(path)) as Record<string, unknown>;
    for (const name of ['disassemble', 'disasm', 'disassembleWord', 'format']) {
      const f = mod[name];
      if (typeof f === 'function') {
        own = (w, pc) => {
          const r: unknown = (f as (w: number, pc: bigint) => unknown)(w, pc);
          return typeof r === 'string' ? r : typeof r === 'object' && r !== null && 'text' in r ? String((r as { text: unknown }).text) : String(r);
        };
        break;
      }
    }
  } catch { /* not there yet */ }
  return own;
}

/** objdump's text for each word (placed at consecutive addresses from `pc`). */
export function objdump(words: readonly number[], pc: bigint): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'a64el-dis-'));
  try {
    const bin = join(dir, 'w.bin');
    const buf = Buffer.alloc(4 * words.length);
    words.forEach((w, i) => buf.writeUInt32LE(w >>> 0, 4 * i));
    writeFileSync(bin, buf);
    const r = spawnSync('aarch64-linux-gnu-objdump', ['-D', '-b', 'binary', '-m', 'aarch64', `--adjust-vma=0x${pc.toString(16)}`, bin], { encoding: 'utf8' });
    if (r.status !== 0) return words.map(() => '(objdump not available)');
    const out = words.map(() => '(?)');
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(.*)$/.exec(line);
      if (m === null) continue;
      const i = Number((BigInt(`0x${m[1]}`) - pc) / 4n);
      if (i >= 0 && i < out.length) out[i] = m[2]!.replace(/\s+/g, ' ').trim();
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Disassemble words at consecutive addresses from `pc`; says which disassembler spoke. */
export async function disassemble(words: readonly number[], pc: bigint): Promise<{ text: string[]; by: string }> {
  const d = await ownDisassembler();
  if (d !== null) {
    try { return { text: words.map((w, i) => d(w, pc + BigInt(4 * i))), by: 'a64el disasm' }; } catch { /* fall through */ }
  }
  return { text: objdump(words, pc), by: 'objdump' };
}
