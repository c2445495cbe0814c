/**
 * The `explore` command: every placement of the boot steps that matter, run on the real machine
 * under every policy, classified, with the rules that separate safe from unsafe orders.
 *
 *   a64el explore [--json] [--jobs N]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { CliIo } from './io.js';
import { explore } from '../explore/explore.js';
import { renderExplore } from '../explore/report.js';

export const EXPLORE_USAGE = `a64el explore [--json] [--jobs N]
    Run every placement of kvm_arm_init, finalize_pkvm, ffa_init (direct or RFC root device),
    tpm_crb_ffa_init, load_uefi_certs and deferred_probe_initcall (one run per distinct initcall order)
    under every pKVM and SPMC policy, classify each run, and print the class counts, the smallest
    rules that separate safe from unsafe orders, and where the named scenarios fall (docs/explore.md).
    --json     print every run with its placement, policies, class and flags (ExploreResult)
    --jobs N   worker threads (default: os.availableParallelism(), here ${availableParallelism()})
`;

/** A progress bar on stderr when it is a terminal (none otherwise). */
function progressBar(): { tick: (done: number, total: number) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  const t0 = performance.now();
  let last = 0;
  const draw = (done: number, total: number): void => {
    const width = 30;
    const fill = Math.round((done / total) * width);
    const s = (performance.now() - t0) / 1000;
    const tail = done === total ? ', deriving the rules' : '';
    process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} runs ${s.toFixed(1)} s${tail}`);
  };
  return {
    tick: (done, total) => {
      if (!tty) return;
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done, total);
    },
    end: () => { if (tty) process.stderr.write('\r\x1b[K'); },
  };
}

export async function exploreCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: { json: { type: 'boolean' }, jobs: { type: 'string' } },
  });
  let jobs = availableParallelism();
  if (values.jobs !== undefined) {
    const n = Number(values.jobs);
    if (!Number.isInteger(n) || n < 1 || n > 256) { io.err(`a64el explore: --jobs wants an integer 1..256, got "${values.jobs}"\n`); return 2; }
    jobs = n;
  }
  const bar = progressBar();
  let result;
  try {
    result = await explore({ jobs, onProgress: bar.tick });
  } finally {
    bar.end();
  }
  if (values.json === true) io.out(`${JSON.stringify(result)}\n`);
  else io.out(renderExplore(result));
  return 0;
}
