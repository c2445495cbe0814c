/**
 * Pinned cycle counts: every bundled image (firmware-images/build/*.elf and the calibration images
 * in firmware-images/timing/build) under every profile and both models, as the models produce them
 * after calibration (test/timing/pinned-cycles.json; regenerate with
 * `npx tsx test/timing/update-pins.ts` after a deliberate change, and say why in the commit).
 * The instruction count of an image is the same under every profile and model: the timing models
 * never change what the guest does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS, PROFILE_NAMES, bundledImages, runImage } from './helpers.js';

const PINS = JSON.parse(readFileSync(join(import.meta.dirname, 'pinned-cycles.json'), 'utf8')) as Record<string, Record<string, [number, number]>>;

describe('pinned cycles per image, profile and model', () => {
  it('every bundled image is pinned, and nothing else', () => {
    expect(Object.keys(PINS).sort()).toEqual(bundledImages().map(([l]) => l).sort());
  });

  for (const [label, path] of bundledImages()) {
    it(label, () => {
      const pin = PINS[label];
      expect(pin, `${label} is not pinned: run npx tsx test/timing/update-pins.ts`).toBeDefined();
      const got: Record<string, [number, number]> = {};
      for (const p of PROFILE_NAMES) for (const m of MODELS) {
        const r = runImage(path, p, m);
        got[`${p}/${m}`] = [r.cycles, r.instructions];
        expect(r.cycles, `${p}/${m}`).toBeGreaterThanOrEqual(r.instructions / 2);   // width 2 at most
      }
      expect(got).toEqual(pin);
      const counts = new Set(Object.values(got).map(([, i]) => i));
      expect(counts.size, 'instructions retired differ between profiles or models').toBe(1);
    });
  }
});
