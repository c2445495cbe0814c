/**
 * The FF-A coverage table is measured, never hand-written: this test regenerates it in-process
 * (tools/docs/ffa-coverage.ts: one booted machine per configuration, FFA_FEATURES and the call itself
 * for every FF-A function ID, by real host SMCs) and checks
 *  - that docs/ffa-coverage.md and the README section "FF-A coverage" are what the generator writes
 *    (when the machine changes, run `npx tsx tools/docs/ffa-coverage.ts` and commit both);
 *  - that FFA_FEATURES saying NOT_SUPPORTED is equivalent to the call answering NOT_SUPPORTED, for
 *    every ID and configuration, except for the known disagreements listed here one by one;
 *  - that the probe calls changed nothing FFA_FEATURES reports, and which configurations cannot
 *    negotiate.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '../../src/ffa/abi.js';
import {
  type Coverage, DOC_PATH, MAIN_POLICY, README_PATH, collectCoverage, configKey, disagreementLines, readmeSection,
  renderDoc, renderReadmeSection, unallocatedIds,
} from '../../tools/docs/ffa-coverage.js';

const REGENERATE = 'stale: run `npx tsx tools/docs/ffa-coverage.ts` and commit docs/ffa-coverage.md and README.md';

/**
 * Every (ID, FFA_FEATURES answer, call answer) where the two disagree, with the configurations. Each is
 * a deliberate model of a reference implementation (explained in docs/ffa-coverage.md and
 * docs/ffa-policies.md); a change here is a behaviour change of the SPMC, SPMD or pKVM.
 */
const KNOWN_DISAGREEMENTS = [
  // Return forms: FEATURES reports them to every instance (Hafnium, TF-A); the NWd cannot invoke them.
  'FFA_ERROR: FFA_FEATURES SUCCESS, call NOT_SUPPORTED [no EL2: S-EL1+EL3 v1.0-v1.2; all policies | pKVM: S-EL1+EL3 v1.0-v1.2; spec | pKVM: S-EL1 v1.0/v1.2, EL3 v1.2; hafnium/tf-a]',
  'FFA_SUCCESS: FFA_FEATURES SUCCESS, call NOT_SUPPORTED [no EL2: S-EL1+EL3 v1.0-v1.2; all policies | pKVM: S-EL1+EL3 v1.0-v1.2; spec | pKVM: S-EL1 v1.0/v1.2, EL3 v1.2; hafnium/tf-a]',
  'FFA_SUCCESS_64: FFA_FEATURES SUCCESS, call NOT_SUPPORTED [no EL2: S-EL1+EL3 v1.0-v1.2; all policies | pKVM: S-EL1+EL3 v1.0-v1.2; spec | pKVM: S-EL1 v1.0/v1.2, EL3 v1.2; hafnium/tf-a]',
  'FFA_INTERRUPT: FFA_FEATURES SUCCESS, call NOT_SUPPORTED [no EL2: S-EL1+EL3 v1.0-v1.2; all policies | pKVM: S-EL1+EL3 v1.0-v1.2; spec | pKVM: S-EL1 v1.0/v1.2, EL3 v1.2; hafnium/tf-a]',
  // Secure-instance responses: FEATURES only to partitions; from the NWd INVALID_PARAMETERS (pKVM denies them).
  'FFA_MSG_SEND_DIRECT_RESP: FFA_FEATURES NOT_SUPPORTED, call INVALID_PARAMETERS [no EL2: S-EL1+EL3 v1.0-v1.2; all policies]',
  'FFA_MSG_SEND_DIRECT_RESP_64: FFA_FEATURES NOT_SUPPORTED, call INVALID_PARAMETERS [no EL2: S-EL1+EL3 v1.0-v1.2; all policies]',
  // The relayer's response: FEATURES reports it (Hafnium), an endpoint cannot invoke it.
  'FFA_MEM_RETRIEVE_RESP: FFA_FEATURES SUCCESS, call NOT_SUPPORTED [no EL2: S-EL1+EL3 v1.0-v1.2; spec/hafnium]',
  // TF-A: FEATURES offers RELINQUISH to partitions only; the NWd's call fails INVALID_PARAMETERS first.
  'FFA_MEM_RELINQUISH: FFA_FEATURES NOT_SUPPORTED, call INVALID_PARAMETERS [no EL2: S-EL1+EL3 v1.0-v1.2; tf-a]',
  // TF-A's SPMD answers DENIED (no secure interrupt in progress); FEATURES is the SPMC's NOT_SUPPORTED.
  'FFA_NORMAL_WORLD_RESUME: FFA_FEATURES NOT_SUPPORTED, call DENIED [no EL2: S-EL1+EL3 v1.0-v1.2; tf-a | pKVM: S-EL1 v1.0/v1.2, EL3 v1.2; tf-a]',
  'FFA_MSG_SEND_DIRECT_RESP2: FFA_FEATURES NOT_SUPPORTED, call INVALID_PARAMETERS [no EL2: S-EL1+EL3 v1.2; all policies]',
];

/** Configurations where the host does not get the version it asks for (pKVM asks EL3 for 1.2 only). */
const KNOWN_NOT_NEGOTIATED = [
  'pKVM, S-EL1 SPMC, v1.1, hafnium: 0x00000000',
  'pKVM, EL3 SPMC, v1.0, hafnium: 0x00000000',
  'pKVM, EL3 SPMC, v1.1, hafnium: 0x00000000',
  'pKVM, S-EL1 SPMC, v1.1, tf-a: NOT_SUPPORTED',
  'pKVM, EL3 SPMC, v1.0, tf-a: NOT_SUPPORTED',
  'pKVM, EL3 SPMC, v1.1, tf-a: NOT_SUPPORTED',
];

let cov: Coverage;
beforeAll(() => { cov = collectCoverage(); }, 120_000);

describe('FF-A coverage (tools/docs/ffa-coverage.ts)', () => {
  it('docs/ffa-coverage.md is what the generator writes from the running machine', () => {
    expect(readFileSync(DOC_PATH, 'utf8') === renderDoc(cov), `docs/ffa-coverage.md is ${REGENERATE}`).toBe(true);
  });

  it('the README section "FF-A coverage" is what the generator writes', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    const section = readmeSection(readme);
    expect(section, 'README.md has no "## FF-A coverage" section').not.toBeNull();
    expect(section === renderReadmeSection(cov), `README.md "FF-A coverage" is ${REGENERATE}`).toBe(true);
    // The compact table has one row per FF-A function.
    for (const f of A.FFA_FUNCTIONS) expect(section).toContain(`| ${f.base} |`);
  });

  it('FFA_FEATURES says NOT_SUPPORTED exactly when the call answers NOT_SUPPORTED, except the known list', () => {
    expect(disagreementLines(cov)).toEqual(KNOWN_DISAGREEMENTS);
  });

  it('probes every allocated and unallocated ID in every configuration', () => {
    expect(cov.probes).toHaveLength(36);
    const ids = A.FFA_FUNCTIONS.reduce((n, f) => n + (f.smc32 !== undefined ? 1 : 0) + (f.smc64 !== undefined ? 1 : 0), 0);
    for (const p of cov.probes) {
      expect(p.features.size, configKey(p.config)).toBe(ids + unallocatedIds().length);
      expect(p.calls.size, configKey(p.config)).toBe(ids + unallocatedIds().length);
    }
  });

  it('the neutral probe calls change nothing FFA_FEATURES reports', () => {
    for (const p of cov.probes) expect(p.unstable, configKey(p.config)).toEqual([]);
  });

  it(`the host negotiates in every ${MAIN_POLICY}-policy configuration; the others that cannot are known`, () => {
    expect(cov.probes.filter((p) => p.config.policy === MAIN_POLICY).every((p) => p.negotiated)).toBe(true);
    expect(cov.probes.filter((p) => !p.negotiated).map((p) => `${configKey(p.config)}: ${p.versionAnswer}`)).toEqual(KNOWN_NOT_NEGOTIATED);
  });

  it('every unallocated ID of the FF-A range is NOT_SUPPORTED both ways', () => {
    const bad: string[] = [];
    for (const p of cov.probes) {
      if (!p.negotiated) continue;
      for (const id of unallocatedIds()) {
        if (!p.features.get(id)!.ns || !p.calls.get(id)!.ns) bad.push(`${configKey(p.config)} 0x${id.toString(16)}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
