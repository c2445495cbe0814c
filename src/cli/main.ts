#!/usr/bin/env node
/**
 * The `a64el` command (package.json "bin"). Everything is in cli.ts so tests can call runCli
 * in-process; this file only binds it to the process, plus the wall-clock guard:
 *
 *   a64el [--timeout SECONDS] COMMAND ...   (--timeout may also follow the command)
 *
 * With --timeout the command runs in a child process that knows the deadline (A64EL_DEADLINE, epoch
 * ms): `run` stops the guest there itself and reports where it is (exit 124). Whatever else is still
 * running two seconds later is killed by this process, which then reports the limit and exits 124
 * (as timeout(1)): no command can run past its limit, even one busy in synchronous code.
 */
import { spawn } from 'node:child_process';
import { EXIT_BUDGET, EXIT_USAGE } from './io.js';

/** Environment variable carrying the deadline (Date.now() milliseconds) to the guarded child. */
export const DEADLINE_ENV = 'A64EL_DEADLINE';
/** How long after the deadline the guard kills a command that did not stop by itself. */
const GRACE_MS = 2000;

/** Remove `--timeout S` / `--timeout=S` (before any `--`) from argv; seconds, or an error message. */
function splitTimeout(argv: string[]): { argv: string[]; seconds?: number; error?: string } {
  const out: string[] = [];
  let seconds: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { out.push(...argv.slice(i)); break; }
    let v: string | undefined;
    if (a === '--timeout') { v = argv[++i]; if (v === undefined) return { argv, error: '--timeout needs a number of seconds' }; }
    else if (a.startsWith('--timeout=')) v = a.slice('--timeout='.length);
    else { out.push(a); continue; }
    const n = Number(v);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !(n > 0) || n > 1e6) return { argv, error: `--timeout must be a positive number of seconds, got "${v}"` };
    seconds = n;
  }
  return seconds === undefined ? { argv: out } : { argv: out, seconds };
}

/** Run the command in this process (cli.ts is loaded only here: the guard itself starts fast). */
async function runHere(argv: string[]): Promise<void> {
  const { runCli } = await import('./cli.js');
  const status = runCli(argv, {
    out: (chunk) => { process.stdout.write(chunk); },
    err: (chunk) => { process.stderr.write(chunk); },
    outStream: process.stdout,
    errStream: process.stderr,
  });
  process.exitCode = typeof status === 'number' ? status : await status;
}

const split = splitTimeout(process.argv.slice(2));
if (split.error !== undefined) {
  process.stderr.write(`a64el: ${split.error}\n`);
  process.exitCode = EXIT_USAGE;
} else if (split.seconds === undefined) {
  await runHere(split.argv);
} else {
  const ms = Math.round(split.seconds * 1000);
  const command = split.argv[0] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...split.argv], {
    stdio: 'inherit',
    env: { ...process.env, [DEADLINE_ENV]: String(Date.now() + ms) },
  });
  let killed = false;
  const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, ms + GRACE_MS);
  child.on('exit', (code, signal) => {
    clearTimeout(timer);
    if (killed) {
      process.stderr.write(`a64el${command ? ` ${command}` : ''}: wall-clock limit of ${split.seconds} s (--timeout) reached; the command was stopped\n`);
      process.exitCode = EXIT_BUDGET;
    } else {
      process.exitCode = code ?? (signal !== null ? 128 + 9 : 1);
    }
  });
  child.on('error', (err) => {
    clearTimeout(timer);
    process.stderr.write(`a64el: cannot start the guarded command: ${err.message}\n`);
    process.exitCode = 70;
  });
}
