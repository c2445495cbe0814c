/**
 * Example: the FF-A world (EL3 monitor + SPMD, S-EL1 SPMC with the echo partition 0x8001, pKVM at
 * EL2, the native host at NS-EL1), FF-A hooks, and a Perfetto trace of one direct request.
 * Run: npx tsx docs/examples/ffa-trace.ts [OUT.json]   then open OUT.json in ui.perfetto.dev
 */
import { writeFileSync } from 'node:fs';
import { HookType, createWorld, recorderToChromeTrace, recorderToText, wrapMachine } from '../../src/index.js';

const FFA_VERSION = 0x84000063n, FFA_MSG_SEND_DIRECT_REQ_64 = 0xc400006fn;

export function main(out?: string, log: (line: string) => void = console.log): { results: string[]; json: string } {
  const world = createWorld({ el2: 'pkvm', boot: 'pkvm-ready' });
  const emu = wrapMachine(world.machine);
  const results: string[] = [];
  emu.hookAdd(HookType.FfaReturn, (e) => {
    const who = `${e.call.callerSecure ? 'S-' : ''}EL${e.call.callerEl}`;
    results.push(`${who} ${e.call.name} -> ${e.result} (${e.elapsedCycles} cycles)`);
  });
  world.boot();
  const rec = emu.traceStart();
  world.smc([FFA_VERSION, 0x10002n]);
  world.smc([FFA_MSG_SEND_DIRECT_REQ_64, 0x8001n, 0n, 0x11n, 0x22n]);
  emu.traceStop();
  for (const r of results) log(r);
  log(recorderToText(rec));
  const json = JSON.stringify(recorderToChromeTrace(rec));
  if (out !== undefined) { writeFileSync(out, json); log(`wrote ${out}: open it in ui.perfetto.dev`); }
  return { results, json };
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv[2] ?? 'ffa-trace.json');
