/**
 * Malformed-input fuzzer (fast-check) for the two kinds of files a64el reads:
 *  - ELF images: the committed firmware images (firmware-images/build/*.elf) and small synthetic
 *    ones, truncated, with header and program-header fields overwritten by hostile values (class,
 *    data encoding, machine, type, offsets and sizes past the file, huge or wrapping sizes, segments
 *    outside memory, on MMIO, overlapping), with duplicated program headers and random byte flips;
 *  - test vectors: every committed vector file, mutated as JSON (values replaced by other types,
 *    huge or negative numbers, unknown names, keys deleted or added, steps duplicated) and as text
 *    (truncated, bytes flipped).
 * Each must either load / parse, or be refused with the loader's or parser's error: a LoaderError or
 * VectorError whose message starts with the file name and says what is wrong. Any other exception is
 * a failure (it would reach the user as an internal error or a stack trace). A share of the accepted
 * files also runs (a loaded image for a few thousand instructions, a parsed vector through the
 * runner, which must not report an internal error).
 *
 * Used by test/robust/files-fuzz.test.ts (CI share, plus a sample through the real CLI) and
 * tools/fuzz/files.ts (`npm run fuzz:files`).
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LoaderError, parseElf } from '../../src/loader/elf.js';
import { Machine, StopReason } from '../../src/machine/machine.js';
import { placeImage } from '../../src/machine/load.js';
import { VectorError, parseVector } from '../../src/vectors/parse.js';
import { runVector } from '../../src/vectors/runner.js';
import { readImageFile } from '../../src/vectors/files.js';

// ---------------------------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------------------------

export interface Seed { name: string; bytes: Uint8Array }

function walk(dir: string, ext: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, ext, out);
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out;
}

/** A minimal ELF64 AArch64 executable (gABI header + PT_LOAD program headers). */
export function tinyElf(entry: bigint, segs: { paddr: bigint; data: Uint8Array; memSize?: bigint }[]): Uint8Array {
  const EH = 64, PH = 56;
  let off = EH + PH * segs.length;
  const offs = segs.map((s) => { const o = off; off += s.data.length; return o; });
  const out = new Uint8Array(off);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 2, true); v.setUint16(18, 183, true); v.setUint32(20, 1, true);
  v.setBigUint64(24, entry, true); v.setBigUint64(32, BigInt(EH), true);
  v.setUint16(52, EH, true); v.setUint16(54, PH, true); v.setUint16(56, segs.length, true); v.setUint16(58, 64, true);
  segs.forEach((s, i) => {
    const p = EH + PH * i;
    v.setUint32(p, 1, true); v.setUint32(p + 4, 5, true);
    v.setBigUint64(p + 8, BigInt(offs[i]!), true);
    v.setBigUint64(p + 16, s.paddr, true); v.setBigUint64(p + 24, s.paddr, true);
    v.setBigUint64(p + 32, BigInt(s.data.length), true); v.setBigUint64(p + 40, s.memSize ?? BigInt(s.data.length), true);
    v.setBigUint64(p + 48, 0x1000n, true);
    out.set(s.data, offs[i]!);
  });
  return out;
}

export function elfSeeds(root = '.'): Seed[] {
  const seeds: Seed[] = walk(join(root, 'firmware-images', 'build'), '.elf').map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) }));
  const code = new Uint8Array([0x00, 0x00, 0x00, 0x14]);   // b .
  seeds.push({ name: 'tiny-one-segment.elf', bytes: tinyElf(0x4000_0000n, [{ paddr: 0x4000_0000n, data: code }]) });
  seeds.push({ name: 'tiny-two-segments.elf', bytes: tinyElf(0x4000_0000n, [{ paddr: 0x4000_0000n, data: code }, { paddr: 0x4001_0000n, data: new Uint8Array(64), memSize: 0x2000n }]) });
  return seeds;
}

export function vectorSeeds(root = '.'): Seed[] {
  return walk(join(root, 'test', 'vectors'), '.json').map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) }));
}

// ---------------------------------------------------------------------------------------------
// ELF mutations
// ---------------------------------------------------------------------------------------------

const U64S = [0n, 1n, 0x40n, 0x1000n, 0x4000_0000n, 0x4000_0004n, 0x47ff_f000n, 0x4800_0000n, 0x0e00_0000n, 0x0900_0000n, 0x0900_0ff8n,
  0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_f000n, 0xffff_ffff_ffff_ffffn, 0x1_0000_0000_0000n];

export type ElfMutation =
  | { m: 'truncate'; at: number }
  | { m: 'flip'; at: number; v: number }
  | { m: 'ident'; at: number; v: number }
  | { m: 'u16'; field: number; v: number }
  | { m: 'u64'; field: number; v: bigint }
  | { m: 'phdr'; index: number; field: number; v: bigint }
  | { m: 'dupPhdr'; from: number; to: number }
  | { m: 'append'; n: number };

export const elfMutationArb: fc.Arbitrary<ElfMutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ m: fc.constant('truncate' as const), at: fc.nat(1 << 16) }) },
  { weight: 3, arbitrary: fc.record({ m: fc.constant('flip' as const), at: fc.nat(1 << 16), v: fc.nat(255) }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('ident' as const), at: fc.nat(15), v: fc.constantFrom(0, 1, 2, 3, 0xff) }) },
  // e_type 16, e_machine 18, e_ehsize 52, e_phentsize 54, e_phnum 56, e_shentsize 58, e_shnum 60, e_shstrndx 62
  { weight: 3, arbitrary: fc.record({ m: fc.constant('u16' as const), field: fc.constantFrom(16, 18, 52, 54, 56, 58, 60, 62),
    v: fc.constantFrom(0, 1, 2, 3, 40, 62, 183, 0x38, 0x40, 0xff, 0x7fff, 0xffff) }) },
  // e_entry 24, e_phoff 32, e_shoff 40 (and e_version at 20 via its low half)
  { weight: 3, arbitrary: fc.record({ m: fc.constant('u64' as const), field: fc.constantFrom(20, 24, 32, 40), v: fc.constantFrom(...U64S) }) },
  // p_type 0, p_flags 4, p_offset 8, p_vaddr 16, p_paddr 24, p_filesz 32, p_memsz 40, p_align 48
  { weight: 6, arbitrary: fc.record({ m: fc.constant('phdr' as const), index: fc.nat(3), field: fc.constantFrom(0, 4, 8, 16, 24, 32, 40, 48),
    v: fc.oneof(fc.constantFrom(...U64S), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })) }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('dupPhdr' as const), from: fc.nat(3), to: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('append' as const), n: fc.nat(300) }) },
);

/** Apply mutations to a copy of `bytes`. */
export function mutateElf(bytes: Uint8Array, ms: readonly ElfMutation[]): Uint8Array {
  let b = bytes.slice();
  for (const m of ms) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const phoff = b.length >= 64 ? Number(dv.getBigUint64(32, true) & 0xffff_ffffn) : 0;
    const phent = b.length >= 64 ? dv.getUint16(54, true) || 56 : 56;
    switch (m.m) {
      case 'truncate': b = b.slice(0, m.at % (b.length + 1)); break;
      case 'flip': if (b.length > 0) b[m.at % b.length] = m.v; break;
      case 'ident': if (b.length > m.at) b[m.at] = m.v; break;
      case 'u16': if (b.length >= m.field + 2) dv.setUint16(m.field, m.v, true); break;
      case 'u64':
        if (m.field === 20) { if (b.length >= 24) dv.setUint32(20, Number(m.v & 0xffff_ffffn), true); }
        else if (b.length >= m.field + 8) dv.setBigUint64(m.field, m.v, true);
        break;
      case 'phdr': {
        const at = phoff + m.index * phent + m.field;
        if (at + (m.field === 0 || m.field === 4 ? 4 : 8) <= b.length) {
          if (m.field === 0 || m.field === 4) dv.setUint32(at, Number(m.v & 0xffff_ffffn), true);
          else dv.setBigUint64(at, m.v, true);
        }
        break;
      }
      case 'dupPhdr': {
        const from = phoff + m.from * phent, to = phoff + m.to * phent;
        if (from + 56 <= b.length && to + 56 <= b.length) b.copyWithin(to, from, from + 56);
        break;
      }
      case 'append': { const c = new Uint8Array(b.length + m.n); c.set(b); b = c; break; }
    }
  }
  return b;
}

export interface FileFuzzStats {
  elfTried: number;
  elfAccepted: number;
  elfRefusedByCode: Record<string, number>;
  elfRan: number;
  vectorsTried: number;
  vectorsAccepted: number;
  vectorsRan: number;
  vectorRefusals: number;
}

export function newFileStats(): FileFuzzStats {
  return { elfTried: 0, elfAccepted: 0, elfRefusedByCode: {}, elfRan: 0, vectorsTried: 0, vectorsAccepted: 0, vectorsRan: 0, vectorRefusals: 0 };
}

/** One machine for placing and running accepted images (memory cleared each time). */
let placeMachine: Machine | null = null;

/** Parse (and place, and maybe run) one ELF; null or what went wrong. Never throws. */
export function checkElf(name: string, bytes: Uint8Array, stats: FileFuzzStats, run: boolean): string | null {
  stats.elfTried++;
  let image;
  try {
    image = parseElf(bytes, name);
  } catch (e) {
    return refusal(e, name, stats);
  }
  try {
    if (placeMachine === null) placeMachine = new Machine();
    const m = placeMachine;
    m.bus.reset();
    m.resetCpu();
    placeImage(m, image, name);
    stats.elfAccepted++;
    if (run) {
      stats.elfRan++;
      const r = m.run({ maxInstructions: 20_000 });
      if (r.reason !== StopReason.Budget && r.reason !== StopReason.Exit && r.reason !== StopReason.Halted) return `running it stopped with reason ${r.reason}`;
      m.uartText(); m.semihostText();
    }
    return null;
  } catch (e) {
    return refusal(e, name, stats);
  }
}

function refusal(e: unknown, name: string, stats: FileFuzzStats): string | null {
  if (e instanceof LoaderError) {
    stats.elfRefusedByCode[e.code] = (stats.elfRefusedByCode[e.code] ?? 0) + 1;
    if (!e.message.startsWith(`${name}: `) || e.detail.length < 8) return `LoaderError without the file name or a detail: ${JSON.stringify(e.message)}`;
    if (/\n\s+at /.test(e.message)) return `LoaderError message holds a stack trace: ${e.message}`;
    return null;
  }
  return `not a LoaderError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`;
}

// ---------------------------------------------------------------------------------------------
// Vector mutations
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const jsonValueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, 0.5, '', '0x', '0xzz', '0xffffffffffffffffff', '-2', '-0x1',
    'FFA_NOPE', 'FFA_VERSION', 'NOT_SUPPORTED', '$NOPE', '$', 'x0', 'w99', 'pkvm', 'none', 's-el1', 'el3', '1.2', '9.9', '1.2.3', 'reset',
    '../../../../etc/passwd', '/dev/zero', '\u0000', 'é', [], {}, [1, 2], { value: 1 }, { value: '0x1', mask: '0x' }),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
);

export type VectorMutation =
  | { m: 'set'; path: number[]; v: Json }
  | { m: 'delete'; path: number[] }
  | { m: 'addKey'; path: number[]; key: string; v: Json }
  | { m: 'dupStep'; i: number; times: number }
  | { m: 'truncate'; at: number }
  | { m: 'flip'; at: number; v: number };

export const vectorMutationArb: fc.Arbitrary<VectorMutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ m: fc.constant('set' as const), path: fc.array(fc.nat(40), { minLength: 1, maxLength: 5 }), v: jsonValueArb }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('delete' as const), path: fc.array(fc.nat(40), { minLength: 1, maxLength: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('addKey' as const), path: fc.array(fc.nat(40), { maxLength: 4 }),
    key: fc.constantFrom('x0', 'w1', 'x17', 'x18', 'hvc', 'smc', 'expect', 'capture', 'imm', 'exception', 'image', 'steps', 'machine', 'bogus', '__proto__', 'constructor'), v: jsonValueArb }) },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('dupStep' as const), i: fc.nat(40), times: fc.integer({ min: 1, max: 50 }) }) },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('truncate' as const), at: fc.nat(1 << 14) }) },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('flip' as const), at: fc.nat(1 << 14), v: fc.nat(127) }) },
);

/** The container and key a path of indices lands on (each index picks among the keys there). */
function locate(root: Json, path: readonly number[]): { parent: Json[] | { [k: string]: Json }; key: string | number } | null {
  let cur: Json = root;
  let parent: Json[] | { [k: string]: Json } | null = null;
  let key: string | number = '';
  for (const i of path) {
    if (cur === null || typeof cur !== 'object') break;
    const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_v, k) => k) : Object.keys(cur);
    if (keys.length === 0) break;
    key = keys[i % keys.length]!;
    parent = cur;
    cur = Array.isArray(cur) ? cur[key as number]! : cur[key as string]!;
  }
  return parent === null ? null : { parent, key };
}

export function mutateVector(text: string, ms: readonly VectorMutation[]): string {
  let doc: Json;
  let raw = text;
  try { doc = JSON.parse(text) as Json; } catch { doc = null; }
  for (const m of ms) {
    if (m.m === 'truncate') { raw = (doc === null ? raw : JSON.stringify(doc, null, 1)).slice(0, m.at % (raw.length + 1)); doc = null; continue; }
    if (m.m === 'flip') {
      const t = doc === null ? raw : JSON.stringify(doc, null, 1);
      const at = m.at % Math.max(1, t.length);
      raw = t.slice(0, at) + String.fromCharCode(m.v) + t.slice(at + 1); doc = null; continue;
    }
    if (doc === null) continue;
    if (m.m === 'dupStep') {
      const steps = (doc as { steps?: Json }).steps;
      if (Array.isArray(steps) && steps.length > 0) { const s = steps[m.i % steps.length]!; for (let k = 0; k < m.times; k++) steps.push(s); }
      continue;
    }
    if (m.m === 'addKey') {
      const at = m.path.length === 0 ? { parent: doc as Json[] | { [k: string]: Json }, key: '' } : locate(doc, m.path);
      const target = at === null ? null : m.path.length === 0 ? doc : (Array.isArray(at.parent) ? at.parent[at.key as number] : at.parent[at.key as string]);
      if (target !== null && target !== undefined && typeof target === 'object' && !Array.isArray(target)) {
        Object.defineProperty(target, m.key, { value: m.v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const at = locate(doc, m.path);
    if (at === null) continue;
    if (m.m === 'set') {
      if (Array.isArray(at.parent)) at.parent[at.key as number] = m.v; else at.parent[at.key as string] = m.v;
    } else if (Array.isArray(at.parent)) at.parent.splice(at.key as number, 1);
    else delete at.parent[at.key as string];
  }
  return doc === null ? raw : JSON.stringify(doc, null, 1);
}

/** Parse (and maybe run) one vector text; null or what went wrong. Never throws. */
export function checkVector(name: string, text: string, stats: FileFuzzStats, run: boolean): string | null {
  stats.vectorsTried++;
  let v;
  try {
    v = parseVector(text, name);
  } catch (e) {
    if (e instanceof VectorError) {
      stats.vectorRefusals++;
      if (!e.message.startsWith(`${name}: `)) return `VectorError without the file name: ${JSON.stringify(e.message)}`;
      if (/\n\s+at /.test(e.message)) return `VectorError message holds a stack trace: ${e.message}`;
      return null;
    }
    return `not a VectorError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`;
  }
  stats.vectorsAccepted++;
  if (!run) return null;
  stats.vectorsRan++;
  try {
    const r = runVector(v, { stepBudget: 200_000, readImage: readImageFile });
    if (!r.passed && /internal error/.test(r.message)) return `the runner reported an internal error: ${r.message}`;
    if (!r.passed && r.message.length === 0) return 'a failed vector without a message';
    return null;
  } catch (e) {
    return `runVector threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Campaigns
// ---------------------------------------------------------------------------------------------

export interface FilesCampaignOptions {
  elves: number;
  vectors: number;
  seed: number;
  /** Run one accepted file in this many (default 10 for images, 25 for vectors). */
  runEvery?: number;
  root?: string;
}

export interface FilesCampaignResult { stats: FileFuzzStats; failures: string[]; seed: number }

export function runFilesCampaign(o: FilesCampaignOptions): FilesCampaignResult {
  const stats = newFileStats();
  const failures: string[] = [];
  const elves = elfSeeds(o.root);
  const vecs = vectorSeeds(o.root).map((s) => ({ name: s.name, text: new TextDecoder().decode(s.bytes) }));
  let n = 0;
  const elfProp = fc.property(fc.nat(elves.length - 1), fc.array(elfMutationArb, { minLength: 1, maxLength: 6 }), (i, ms) => {
    const s = elves[i]!;
    const v = checkElf(`${s.name}~${n}`, mutateElf(s.bytes, ms), stats, (n++ % (o.runEvery ?? 10)) === 0);
    if (v !== null) throw new Error(`${s.name} with ${JSON.stringify(ms, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))}: ${v}`);
  });
  const e = fc.check(elfProp, { seed: o.seed, numRuns: o.elves });
  if (e.failed) failures.push(`ELF (seed ${o.seed}): ${e.errorInstance instanceof Error ? e.errorInstance.message : String(e.errorInstance)}`);
  let k = 0;
  const vecProp = fc.property(fc.nat(vecs.length - 1), fc.array(vectorMutationArb, { minLength: 1, maxLength: 4 }), (i, ms) => {
    const s = vecs[i]!;
    const v = checkVector(`${s.name}~${k}`, mutateVector(s.text, ms), stats, (k++ % (o.runEvery ?? 25)) === 0);
    if (v !== null) throw new Error(`${s.name} with ${JSON.stringify(ms)}: ${v}`);
  });
  const r = fc.check(vecProp, { seed: o.seed + 1, numRuns: o.vectors });
  if (r.failed) failures.push(`vector (seed ${o.seed + 1}): ${r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance)}`);
  return { stats, failures, seed: o.seed };
}
