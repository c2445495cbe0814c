/**
 * The `scenarios` command (what `npm start` should run): replay the boot orders and print the report.
 * It has the CLI's Command shape, `(argv, io) => exit status`, so src/cli/cli.ts can bind it.
 *
 *   a64el scenarios [NAME...] [--file FILE]... [--json] [--dmesg] [--verbose] [--table] [--list]
 *
 * No NAME: every built-in scenario, then those of each --file. Exit status 0, or 2 for a usage error
 * or a bad scenario file (the message names the file and JSON path).
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './io.js';
import { BUILTIN_SCENARIOS, type ScenarioDef } from '../scenarios/builtin.js';
import { ScenarioFileError, loadScenarioFile } from '../scenarios/file.js';
import { renderReport, renderTable } from '../scenarios/report.js';
import { type BackendFactory, runScenarios } from '../scenarios/run.js';
import { scenarioWorldSpec, worldBackendFor } from '../scenarios/world-backend.js';
import { createWorld } from '../machine/world.js';
import { TraceFile, splitTraceOption } from './trace-file.js';

export const SCENARIOS_USAGE = `a64el scenarios [NAME...] [--file FILE]... [--json] [--dmesg] [--verbose] [--table] [--list] [--trace FILE]
    Replay Linux boot orders with pKVM and FF-A on the emulated machine and report who believes what.
    NAME           run only these scenarios (default: all built-in ones, then those of --file)
    --file FILE    also load scenarios from FILE (format a64el-scenarios/1, see src/scenarios/file.ts)
    --json         print the results as JSON (ScenarioResult[])
    --dmesg        include each scenario's full kernel log
    --verbose      show x0-x7 of every call
    --table        print only the side-by-side table
    --list         list the scenarios and exit
    --trace FILE   record every exception entry/return and FF-A call of the run, boot included, and
                   write FILE (Chrome trace JSON for ui.perfetto.dev when FILE ends in .json, else a
                   text timeline); with several scenarios, one file each: FILE with -NAME before the
                   extension. Written atomically.
`;

/** `--trace FILE` for scenario NAME when several scenarios run: FILE-NAME.ext. */
function tracePath(file: string, name: string, several: boolean): string {
  if (!several) return file;
  const dot = file.lastIndexOf('.');
  const slash = file.lastIndexOf('/');
  return dot > slash ? `${file.slice(0, dot)}-${name}${file.slice(dot)}` : `${file}-${name}`;
}

export function scenariosCommand(argvIn: string[], io: CliIo): number {
  const { argv, traceFile } = splitTraceOption(argvIn);
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: {
      file: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      dmesg: { type: 'boolean' },
      verbose: { type: 'boolean' },
      table: { type: 'boolean' },
      list: { type: 'boolean' },
    },
  });
  let all: ScenarioDef[] = [...BUILTIN_SCENARIOS];
  try {
    for (const f of values.file ?? []) all = all.concat(loadScenarioFile(f));
  } catch (e) {
    if (e instanceof ScenarioFileError) { io.err(`a64el scenarios: ${e.message}\n`); return 2; }
    throw e;
  }
  if (values.list === true) {
    for (const s of all) io.out(`${s.name.padEnd(20)} ${s.title}\n`);
    return 0;
  }
  let chosen = all;
  if (positionals.length > 0) {
    const unknown = positionals.filter((n) => !all.some((s) => s.name === n));
    if (unknown.length > 0) {
      io.err(`a64el scenarios: unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${all.map((s) => s.name).join(', ')})\n`);
      return 2;
    }
    chosen = positionals.map((n) => all.find((s) => s.name === n)!);
  }
  let backend: BackendFactory | undefined;
  if (traceFile !== undefined) {
    if (traceFile === '') { io.err('a64el scenarios: --trace needs a file name\n'); return 2; }
    const several = chosen.length > 1;
    // The recorder is attached before boot, so the trace shows firmware boot, pKVM init and every call.
    backend = (def) => {
      const world = createWorld(scenarioWorldSpec(def));
      const trace = new TraceFile(world.machine.cpu, tracePath(traceFile, def.name, several));
      world.boot({ pkvmInit: false });
      const be = worldBackendFor(world);
      const release = be.dispose;
      return { ...be, dispose: () => { release?.(); io.err(trace.write()); } };
    };
  }
  const results = runScenarios(chosen, backend === undefined ? {} : { backend });
  if (values.json === true) io.out(`${JSON.stringify(results, null, 2)}\n`);
  else if (values.table === true) io.out(`${renderTable(results)}\n`);
  else io.out(renderReport(results, { dmesg: values.dmesg === true, verbose: values.verbose === true }));
  return 0;
}
