/**
 * Print the docs/timing.md tables (fixed vs pipeline per image and profile, with the pipeline
 * model's stall statistics): npx tsx test/timing/doc-tables.ts
 */
import { MODELS, PROFILE_NAMES, bundledImages, runImage } from './helpers.js';
import type { PipelineRun } from '../../src/timing/pipeline-run.js';

const head = ['image', 'instructions', ...PROFILE_NAMES.flatMap((p) => MODELS.map((m) => `${p} ${m}`)), 'pipe/fixed (a57)'];
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
const stats: string[] = [];
for (const [label, path] of bundledImages()) {
  const cells: (string | number)[] = [label];
  let insns = 0, fa = 0, pa = 0;
  for (const p of PROFILE_NAMES) for (const m of MODELS) {
    const r = runImage(path, p, m);
    insns = r.instructions;
    cells.push(r.cycles);
    if (p === 'cortex-a57') {
      if (m === 'fixed') fa = r.cycles;
      else {
        pa = r.cycles;
        const s = (r.machine.pipeline as PipelineRun).model.stats;
        stats.push(`| ${label} | ${s.instructions} | ${s.dualIssued} | ${s.dataStalls} | ${s.serialStalls} | ${s.occupancyStalls} | ${s.branchBubbles} | ${s.mispredicts} | ${s.flushes} |`);
      }
    }
  }
  cells.splice(1, 0, insns);
  cells.push((pa / fa).toFixed(2));
  console.log(`| ${cells.join(' | ')} |`);
}
console.log('\n| image (cortex-a57, pipeline) | instructions | dual-issued | data-stall cycles | serialize-stall cycles | occupancy cycles | branch-bubble cycles | mispredicts | flushes |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const l of stats) console.log(l);
