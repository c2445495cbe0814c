/**
 * docs/examples/*.ts run and do what docs/api.md and docs/examples.md say they do (so they cannot
 * rot). The expectations come from the Arm ARM / FF-A / pKVM behaviour, not from the examples' own
 * output: see each test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as hooks } from '../../docs/examples/hooks.js';
import { main as ffaTrace } from '../../docs/examples/ffa-trace.js';
import { main as snapshot } from '../../docs/examples/snapshot.js';
import { type SweepRow, main as policySweep } from '../../docs/examples/policy-sweep.js';
import { KV_ID, main as customPartition } from '../../docs/examples/custom-partition.js';
import { FFA, PROFILES, validateChromeTrace } from '../../src/index.js';
import { runCli } from '../../src/cli/cli.js';

const quiet = (): void => {};
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A small XML well-formedness check (XML 1.0 §2.1, §3.1): one root element, tags nested and closed
 * in order, attributes quoted and unique, no raw `<` or bare `&` in text or attribute values.
 * Returns the problems found (empty: well-formed) and the elements by name.
 */
function checkXml(text: string): { problems: string[]; elements: Map<string, number>; root: string | null } {
  const problems: string[] = [], stack: string[] = [], elements = new Map<string, number>();
  let root: string | null = null, closedRoot = false;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  const badAmp = (s: string): boolean => s.replace(entity, '').includes('&');
  let pos = 0;
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/?([A-Za-z_][\w.:-]*)([^>]*)>|([^<]+)|(<)/g;
  for (let m = token.exec(text); m !== null; m = token.exec(text)) {
    if (m.index !== pos) problems.push(`gap at ${pos}`);
    pos = token.lastIndex;
    const [all, name, rest, chars, lone] = m;
    if (lone !== undefined) { problems.push(`raw "<" at ${m.index}`); continue; }
    if (chars !== undefined) {
      if (badAmp(chars)) problems.push(`bare "&" in text at ${m.index}`);
      if (stack.length === 0 && chars.trim() !== '') problems.push(`text outside the root at ${m.index}`);
      continue;
    }
    if (name === undefined) continue;                      // comment or processing instruction
    if (all.startsWith('</')) {
      if (rest!.trim() !== '') problems.push(`junk in </${name}>`);
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
      if (stack.length === 0) closedRoot = true;
      continue;
    }
    const selfClosing = rest!.endsWith('/');
    const attrs = selfClosing ? rest!.slice(0, -1) : rest!;
    const seen = new Set<string>();
    const attr = /\s+([A-Za-z_][\w.:-]*)\s*=\s*"([^"]*)"/gy;
    let a: RegExpExecArray | null, end = 0;
    while ((a = attr.exec(attrs)) !== null) {
      if (seen.has(a[1]!)) problems.push(`<${name}>: attribute ${a[1]} twice`);
      seen.add(a[1]!);
      if (a[2]!.includes('<') || badAmp(a[2]!)) problems.push(`<${name} ${a[1]}>: unescaped value`);
      end = attr.lastIndex;
    }
    if (attrs.slice(end).trim() !== '') problems.push(`<${name}>: malformed attributes "${attrs.slice(end)}"`);
    if (stack.length === 0) {
      if (root !== null) problems.push(`second root element <${name}>`);
      root = name;
    }
    elements.set(name, (elements.get(name) ?? 0) + 1);
    if (selfClosing) { if (stack.length === 0) closedRoot = true; } else stack.push(name);
  }
  if (stack.length !== 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (!closedRoot) problems.push('no root element');
  return { problems, elements, root };
}

describe('docs/examples', () => {
  it('hooks.ts', () => { expect(hooks(quiet)).toEqual({ x1: 5n, svcs: 5 }); });
  it('ffa-trace.ts', () => {
    const { results, json } = ffaTrace(undefined, quiet);
    expect(results).toContain('EL1 FFA_MSG_SEND_DIRECT_REQ_64 -> FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000 (' + results.find((r) => r.startsWith('EL1 FFA_MSG_SEND_DIRECT_REQ_64'))!.split('(')[1]);
    expect(validateChromeTrace(JSON.parse(json))).toEqual([]);
  });
  it('snapshot.ts', () => { expect(snapshot(quiet).same).toBe(true); });
});

describe('docs/examples/policy-sweep.ts', () => {
  const { rows, csv, svg, policyInvariant } = policySweep(undefined, undefined, quiet);
  const row = (el2: string, spmc: string, profile: string): SweepRow => rows.find((r) => r.el2 === el2 && r.spmc === spmc && r.profile === profile)!;

  it('sweeps EL2 x SPMC placement x timing profile, every round trip answered', () => {
    expect(rows.map((r) => r.config)).toHaveLength(12);
    expect(new Set(rows.map((r) => r.config)).size).toBe(12);
    for (const r of rows) {
      // Cycles by EL and world add up to the round trip (docs/timing.md: the buckets sum to the counter).
      expect(r.byEl.el0 + r.byEl.el1 + r.byEl.el2 + r.byEl.el3 + r.byEl.sel0 + r.byEl.sel1 + r.byEl.sel2).toBe(r.cycles);
      // Every exception taken is returned from (the call ends back at NS-EL1).
      expect(r.erets).toBe(r.entries);
    }
  });

  it('pKVM costs one more exception entry and ERET per call, all of it at EL2', () => {
    for (const profile of ['generic', 'cortex-a57', 'neoverse-n1']) {
      const P = PROFILES[profile]!;
      for (const spmc of ['s-el1', 'el3']) {
        const direct = row('none', spmc, profile), pkvm = row('pkvm', spmc, profile);
        // Without EL2 the host's SMC goes straight to EL3 (SCR_EL3.HCE=0, HCR_EL2.TSC=0).
        expect(direct.hops['EL1->EL3']).toBe(1);
        expect(direct.hops['EL1->EL2']).toBeUndefined();
        expect(direct.byEl.el2).toBe(0);
        // With pKVM, HCR_EL2.TSC=1 traps the SMC to EL2 (Arm ARM D1.11, EC 0x17), pKVM forwards it
        // with its own SMC to EL3 and ERETs to the host when the answer comes back: one more entry
        // (the trap) and one more ERET, and the host never enters EL3 itself.
        expect(pkvm.hops['EL1->EL2']).toBe(1);
        expect(pkvm.hops['EL2->EL3']).toBe(1);
        expect(pkvm.hops['EL1->EL3']).toBeUndefined();
        expect(pkvm.entries - direct.entries).toBe(1);
        expect(pkvm.erets - direct.erets).toBe(1);
        // That costs at least the entry, the return and pKVM's host-trap and FF-A handler work as the
        // profile prices them, and it is all spent at EL2: the secure side does the same work.
        const extra = pkvm.cycles - direct.cycles;
        expect(extra).toBeGreaterThanOrEqual(P.exceptionEntry + P.exceptionReturn + P.native.el2HostSmc + P.native.el2FfaHandler);
        expect(extra).toBe(pkvm.byEl.el2);
        for (const k of ['el1', 'el3', 'sel1', 'sel0'] as const) expect(pkvm.byEl[k]).toBe(direct.byEl[k]);
      }
    }
  });

  it('an EL3 SPMC saves the S-EL1 SPMC hop: one entry and one ERET fewer, no S-EL0', () => {
    for (const profile of ['generic', 'cortex-a57', 'neoverse-n1']) for (const el2 of ['none', 'pkvm']) {
      const sel1 = row(el2, 's-el1', profile), el3 = row(el2, 'el3', profile);
      // S-EL1 SPMC: the partition at S-EL0 answers by SVC to the SPMC, which SMCs to the SPMD.
      expect(sel1.hops['S-EL0->S-EL1']).toBe(1);
      expect(sel1.hops['S-EL1->EL3']).toBe(1);
      // EL3 SPMC: the partition runs at S-EL1 and answers by SMC straight to EL3.
      expect(el3.hops['S-EL0->S-EL1']).toBeUndefined();
      expect(el3.hops['S-EL1->EL3']).toBe(1);
      expect(el3.byEl.sel0).toBe(0);
      expect(sel1.entries - el3.entries).toBe(1);
    }
  });

  it('the SPMC policy does not change the cost of a valid direct request', () => {
    expect(Object.keys(policyInvariant)).toEqual(['spec', 'hafnium', 'tf-a']);
    expect(new Set(Object.values(policyInvariant)).size).toBe(1);
    expect(policyInvariant.spec).toBe(row('pkvm', 's-el1', 'generic').cycles);
  });

  it('writes a CSV row per configuration', () => {
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^el2,spmc,profile,cycles,/);
    expect(lines).toHaveLength(1 + rows.length);
    for (const [i, r] of rows.entries()) expect(lines[i + 1]!.split(',').slice(0, 4)).toEqual([r.el2, r.spmc, r.profile, String(r.cycles)]);
  });

  it('writes a well-formed SVG with one bar per configuration', () => {
    const { problems, elements, root } = checkXml(svg);
    expect(problems).toEqual([]);
    expect(root).toBe('svg');
    const bars = [...svg.matchAll(/<g class="bar" data-config="([^"]*)">/g)].map((m) => m[1]);
    expect(bars).toEqual(rows.map((r) => r.config));
    expect(elements.get('g')).toBe(rows.length);
    // The checker itself rejects what it should.
    expect(checkXml('<svg><g></svg>').problems).not.toEqual([]);
    expect(checkXml('<svg a="1" a="2"/>').problems).not.toEqual([]);
    expect(checkXml('<svg>a & b</svg>').problems).not.toEqual([]);
  });

  it('the table in docs/examples.md has the measured figures', () => {
    const doc = readFileSync(join(ROOT, 'docs/examples.md'), 'utf8');
    for (const el2 of ['none', 'pkvm'] as const) for (const spmc of ['s-el1', 'el3'] as const) {
      const label = `${el2 === 'pkvm' ? 'pKVM' : 'no EL2'}, SPMC ${spmc === 'el3' ? 'in EL3' : 'at S-EL1'}`;
      const g = row(el2, spmc, 'generic');
      const cells = ['generic', 'cortex-a57', 'neoverse-n1'].map((p) => row(el2, spmc, p).cycles);
      expect(doc).toContain(`| ${label} | ${cells.join(' | ')} | ${g.entries} / ${g.erets} |`);
    }
  });

  it('docs/images/policy-sweep.svg is what the example generates now', () => {
    expect(readFileSync(join(ROOT, 'docs/images/policy-sweep.svg'), 'utf8'),
      'the cycle figures changed: regenerate with `npx tsx docs/examples/policy-sweep.ts docs/images/policy-sweep.svg /dev/null` ' +
      'and update the table in docs/examples.md').toBe(svg);
  });
});

describe('docs/examples/custom-partition.ts', () => {
  for (const [el2, spmc] of [['pkvm', 's-el1'], ['none', 's-el1'], ['none', 'el3']] as const) {
    it(`a key-value store partition (el2 ${el2}, spmc ${spmc})`, () => {
      const r = customPartition({ el2, spmc }, quiet);
      // FFA_PARTITION_INFO_GET with the Nil UUID lists both partitions with their UUIDs; named by
      // UUID it returns just ours, UUID field zero (v1.1 §13.8), properties as registered:
      // direct requests (bit 0), AArch64 (bit 8). v1.1+ descriptors are 24 bytes (Table 13.37).
      expect(r.descriptorSize).toBe(24);
      expect(r.all.map((p) => [p.id, p.uuid])).toEqual([
        [0x8001, 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb'], [KV_ID, '6c2a1f9e-3b7d-4e51-9a0c-7f4d2b8e1a35']]);
      expect(r.found).toEqual([{ id: KV_ID, executionContexts: 1, properties: 0x101, uuid: '00000000-0000-0000-0000-000000000000' }]);
      // Each answer is the response of the request's width from the partition to the host: w1 =
      // 0x8002 << 16 | 0 (v1.2 §15.3). x3 = status, x4 = value, by the store's own protocol.
      const RESP64 = 'FFA_MSG_SEND_DIRECT_RESP_64', NO_DATA = BigInt(FFA.FFA_RET_NO_DATA);
      expect(r.calls.map((c) => [c.what, c.w0, c.w1, c.status, c.x4])).toEqual([
        ['PUT 7 = 0xcafe', RESP64, 0x80020000, 0n, 0n],
        ['PUT 2^63+1 = 42', RESP64, 0x80020000, 0n, 0n],
        ['GET 7', RESP64, 0x80020000, 0n, 0xcafen],
        ['PUT 7 = 0xbeef', RESP64, 0x80020000, 0n, 0xcafen],          // the previous value
        ['GET 2^63+1', RESP64, 0x80020000, 0n, 42n],                  // all 64 bits of the key count
        ['COUNT', RESP64, 0x80020000, 0n, 2n],
        ['DELETE 7', RESP64, 0x80020000, 0n, 0xbeefn],
        ['GET 7 (deleted)', RESP64, 0x80020000, NO_DATA, 0n],
        ['PUT key 0', RESP64, 0x80020000, BigInt(FFA.FFA_RET_INVALID_PARAMETERS), 0n],
        ['operation 9', RESP64, 0x80020000, BigInt(FFA.FFA_RET_NOT_SUPPORTED), 0n],
        ['GET 7 by DIRECT_REQ_32', 'FFA_MSG_SEND_DIRECT_RESP', 0x80020000, BigInt(FFA.FFA_RET_NOT_SUPPORTED), 0n],
      ]);
      // Refused before the partition runs: an unknown receiver is INVALID_PARAMETERS (v1.2 §15.2);
      // DIRECT_REQ2 to a partition without properties bit 9 is DENIED by the SPMC, and pKVM refuses
      // DIRECT_REQ2 (an optional v1.2 ABI) itself with NOT_SUPPORTED (Linux ffa_call_supported).
      expect(r.refused).toEqual([
        ['REQ_64 to 0x8009', FFA.FFA_RET_INVALID_PARAMETERS],
        ['REQ2 to the store', el2 === 'pkvm' ? FFA.FFA_RET_NOT_SUPPORTED : FFA.FFA_RET_DENIED],
      ]);
    });
  }
});

describe('docs/examples/vectors (docs/examples.md "Writing a vector")', () => {
  it('passes under `a64el vectors`', async () => {
    let out = '', err = '';
    const status = await runCli(['vectors', join(ROOT, 'docs/examples/vectors')], { out: (t: string) => { out += t; }, err: (t: string) => { err += t; } } as Parameters<typeof runCli>[1]);
    expect(err).toBe('');
    expect(out).toMatch(/^PASS docs-find-and-call-a-partition /m);
    expect(out).toMatch(/^1 passed, 0 failed/m);
    expect(status).toBe(0);
  });
});
