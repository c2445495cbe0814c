/** docs/examples/*.ts run and do what docs/api.md says they do (so they cannot rot). */
import { describe, expect, it } from 'vitest';
import { main as hooks } from '../../docs/examples/hooks.js';
import { main as ffaTrace } from '../../docs/examples/ffa-trace.js';
import { main as snapshot } from '../../docs/examples/snapshot.js';
import { validateChromeTrace } from '../../src/index.js';

const quiet = (): void => {};

describe('docs/examples', () => {
  it('hooks.ts', () => { expect(hooks(quiet)).toEqual({ x1: 5n, svcs: 5 }); });
  it('ffa-trace.ts', () => {
    const { results, json } = ffaTrace(undefined, quiet);
    expect(results).toContain('EL1 FFA_MSG_SEND_DIRECT_REQ_64 -> FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000 (' + results.find((r) => r.startsWith('EL1 FFA_MSG_SEND_DIRECT_REQ_64'))!.split('(')[1]);
    expect(validateChromeTrace(JSON.parse(json))).toEqual([]);
  });
  it('snapshot.ts', () => { expect(snapshot(quiet).same).toBe(true); });
});
