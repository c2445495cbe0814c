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
import type { CliIo } from '../cli/io.js';
import { BUILTIN_SCENARIOS, type ScenarioDef } from './builtin.js';
import { ScenarioFileError, loadScenarioFile } from './file.js';
import { renderReport, renderTable } from './report.js';
import { runScenarios } from './run.js';
import './world-backend.js';

export const SCENARIOS_USAGE = `a64el scenarios [NAME...] [--file FILE]... [--json] [--dmesg] [--verbose] [--table] [--list]
    Replay Linux boot orders with pKVM and FF-A on the emulated machine and report who believes what.
    NAME           run only these scenarios (default: all built-in ones, then those of --file)
    --file FILE    also load scenarios from FILE (format a64el-scenarios/1, see src/scenarios/file.ts)
    --json         print the results as JSON (ScenarioResult[])
    --dmesg        include each scenario's full kernel log
    --verbose      show x0-x7 of every call
    --table        print only the side-by-side table
    --list         list the scenarios and exit
`;

export function scenariosCommand(argv: string[], io: CliIo): number {
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
  const results = runScenarios(chosen);
  if (values.json === true) io.out(`${JSON.stringify(results, null, 2)}\n`);
  else if (values.table === true) io.out(`${renderTable(results)}\n`);
  else io.out(renderReport(results, { dmesg: values.dmesg === true, verbose: values.verbose === true }));
  return 0;
}
