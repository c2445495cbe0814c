#!/usr/bin/env node
/**
 * The `a64el` command (package.json "bin"). Everything is in cli.ts so tests can call runCli
 * in-process; this file only binds it to the process.
 */
import { runCli } from './cli.js';

const status = runCli(process.argv.slice(2), {
  out: (chunk) => { process.stdout.write(chunk); },
  err: (chunk) => { process.stderr.write(chunk); },
});
if (typeof status === 'number') process.exitCode = status;
else void status.then((s) => { process.exitCode = s; });
