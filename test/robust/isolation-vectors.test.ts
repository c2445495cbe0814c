/**
 * Every FF-A call vector (test/vectors/ffa/**, the isolation set in test/vectors/ffa/isolation/
 * first) run again through the real runner with a world whose host is watched: before and after each
 * SMC/HVC the harness snapshots pKVM's page states, the SPMC's page table, transactions and
 * mailboxes, then
 *  - checks every invariant of harness.ts after every call;
 *  - when the call was refused (w0 = FFA_ERROR), requires the snapshot to be unchanged: a refused
 *    call leaves every page state and mailbox as it was. One documented exception: a refused
 *    FFA_MEM_FRAG_TX may drop the transaction being sent (HF frees the share state, pKVM aborts it
 *    with FFA_MEM_RECLAIM: reference pkvm-ffa.md 4.7), so its transaction table is not compared.
 * The isolation vectors themselves must also pass (run.test.ts runs them too).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as A from '../../src/ffa/abi.js';
import { createWorld } from '../../src/machine/world.js';
import { collectVectorFiles, runVectorFile } from '../../src/vectors/files.js';
import type { VectorWorld } from '../../src/vectors/world-adapter.js';
import type { MachineSpec } from '../../src/vectors/parse.js';
import { diffSnapshots, fidOf, invariants, preInitMailbox, snapshot } from './harness.js';

const ISOLATION = join('test', 'vectors', 'ffa', 'isolation');
const ALL = join('test', 'vectors', 'ffa');

interface Watch {
  problems: string[];
  calls: number;
  refused: number;
  /** Calls after which the SPMC held host PAs as endpoint 0's mailbox set up before __pkvm_init (scenario (a)). */
  preInitMailbox: number;
}

/** A VectorWorld factory whose host checks the harness invariants around every call. */
function watchedFactory(watch: Watch) {
  return (spec: MachineSpec, budget: number): VectorWorld => {
    const w = createWorld({ ...spec, bootBudget: budget });
    w.boot();
    const host = w.host;
    let fromBeforeInit = false;
    for (const conduit of ['smc', 'hvc'] as const) {
      const orig = host[conduit].bind(host);
      host[conduit] = (imm = 0) => {
        const fid = fidOf(host.getX(0));
        const before = snapshot(w);
        const r = orig(imm);
        watch.calls++;
        const after = snapshot(w);
        const name = A.ffaFunctionName(fid) ?? `0x${fid.toString(16)}`;
        if (preInitMailbox(w)) fromBeforeInit = true;
        if (w.spmc?.ep.mailbox[0]?.mapped !== true) fromBeforeInit = false;
        if (fromBeforeInit) watch.preInitMailbox++;
        for (const v of invariants(w, before, { mailboxFromBeforeInit: fromBeforeInit })) watch.problems.push(`after ${conduit.toUpperCase()} ${name}: ${v}`);
        if ((Number(host.getX(0) & 0xffffffffn) >>> 0) === A.FFA_ERROR) {
          watch.refused++;
          const d = diffSnapshots(before, after, { ignoreTransactions: fid === A.FFA_MEM_FRAG_TX });
          for (const line of d) watch.problems.push(`refused ${name} (status ${Number(BigInt.asIntN(32, host.getX(2) & 0xffffffffn))}) changed state: ${line}`);
        }
        return r;
      };
    }
    return { machine: w.machine, host };
  };
}

function runWatched(file: string): { passed: boolean; message: string; watch: Watch } {
  const watch: Watch = { problems: [], calls: 0, refused: 0, preInitMailbox: 0 };
  const r = runVectorFile(file, { createWorld: watchedFactory(watch) });
  return { passed: r.passed, message: r.message, watch };
}

const isolation = collectVectorFiles([ISOLATION]).files;
const others = collectVectorFiles([ALL]).files.filter((f) => !f.includes(`${join('ffa', 'isolation')}`));

describe('isolation vectors (test/vectors/ffa/isolation) with state snapshots around every call', () => {
  it('there are isolation vectors for pKVM and for the SPMC alone', () => {
    expect(isolation.filter((f) => f.includes('iso-pkvm-')).length).toBeGreaterThanOrEqual(10);
    expect(isolation.filter((f) => f.includes('iso-spmc-')).length).toBeGreaterThanOrEqual(4);
  });

  it.each(isolation)('%s: passes; invariants hold; refused calls change nothing', (f) => {
    const { passed, message, watch } = runWatched(f);
    expect(passed, message).toBe(true);
    expect(watch.refused, 'an isolation vector refuses something').toBeGreaterThan(0);
    expect(watch.problems).toEqual([]);
  });
});

describe('every other FF-A call vector keeps the invariants (whether it passes is run.test.ts\'s business)', () => {
  it.each(others)('%s', (f) => {
    const { watch } = runWatched(f);
    expect(watch.problems).toEqual([]);
    // Scenario (a) (pkvm-ffa.md 7(a)): only the bad-boot-order vectors leave the SPMC holding the
    // host's own RX/TX PAs as endpoint 0's mailbox once pKVM is up; no other vector may.
    if (!f.includes('boot-order-a')) expect(watch.preInitMailbox).toBe(0);
  });

  it('the bad boot order (a) is the one way the SPMC ends up holding host PAs as the NS mailbox under pKVM', () => {
    const a = others.filter((f) => f.includes('boot-order-a'));
    expect(a.length).toBeGreaterThan(0);
    for (const f of a) expect(runWatched(f).watch.preInitMailbox, f).toBeGreaterThan(0);
  });
});
