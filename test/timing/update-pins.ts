/**
 * Regenerate test/timing/pinned-cycles.json: cycles and instructions of every bundled image under
 * every profile and model. Run after a deliberate change to a profile, the models or an image:
 *   npx tsx test/timing/update-pins.ts
 * and explain the change in the commit (docs/timing.md tables come from the same numbers).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS, PROFILE_NAMES, bundledImages, runImage } from './helpers.js';

const pins: Record<string, Record<string, [number, number]>> = {};
for (const [label, path] of bundledImages()) {
  const row: Record<string, [number, number]> = {};
  for (const p of PROFILE_NAMES) for (const m of MODELS) {
    const r = runImage(path, p, m);
    row[`${p}/${m}`] = [r.cycles, r.instructions];
  }
  pins[label] = row;
}
const lines = Object.entries(pins).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
writeFileSync(join(import.meta.dirname, 'pinned-cycles.json'), `{\n${lines.join(',\n')}\n}\n`);
console.log(`wrote ${lines.length} images`);
