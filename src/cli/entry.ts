/**
 * The `a64el` command bound to the process (started by main.ts, bundled or not). Everything else is
 * in cli.ts so tests can call runCli in-process; this module reads argv, writes the output, and runs
 * the wall-clock guard:
 *
 *   a64el [--timeout SECONDS] COMMAND ...   (--timeout may also follow the command)
 *
 * With --timeout the command runs in a child process that knows the deadline (A64EL_DEADLINE, epoch
 * ms): `run` stops the guest there itself and reports where it is (exit 124). Whatever else is still
 * running two seconds later is killed by this process, which then reports the limit and exits 124
 * (as timeout(1)): no command can run past its limit, even one busy in synchronous code.
 */
import { writeSync } from 'node:fs';
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

/**
 * A writer for file descriptor 1 or 2 that does not create process.stdout / process.stderr: creating
 * one loads Node's stream machinery (net or tty), a measurable part of a short `a64el run` (docs/speed.md
 * "Start-up"). Chunks go straight to the descriptor with a blocking fs.writeSync, in order. When the
 * reader has gone (EPIPE: `a64el run X | head`), output stops quietly, as for any Unix filter. Any
 * other failure (EAGAIN on a pipe another process made non-blocking...) hands the rest of the chunk,
 * and every later one, to the stream, which queues it.
 */
function fdWriter(fd: 1 | 2, stream: () => NodeJS.WritableStream): (chunk: string | Uint8Array) => void {
  let mode: 'direct' | 'stream' | 'closed' = 'direct';
  return (chunk) => {
    if (mode === 'closed') return;
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (mode === 'direct') {
      try {
        while (bytes.length > 0) bytes = bytes.subarray(writeSync(fd, bytes));
        return;
      } catch (err) {
        if ((err as { code?: unknown }).code === 'EPIPE') { mode = 'closed'; return; }
        mode = 'stream';
        stream().on('error', () => { mode = 'closed'; });
      }
    }
    stream().write(bytes);
  };
}

/** Run the command in this process (cli.ts is loaded only here: the guard itself starts fast). */
async function runHere(argv: string[]): Promise<void> {
  const { runCli } = await import('./cli.js');
  const status = runCli(argv, {
    out: fdWriter(1, () => process.stdout),
    err: fdWriter(2, () => process.stderr),
    // Created on first use only (`vectors` asks whether stderr is a terminal).
    get outStream() { return process.stdout; },
    get errStream() { return process.stderr; },
  });
  process.exitCode = typeof status === 'number' ? status : await status;
}

/**
 * The wall-clock guard: run the command in a child that knows the deadline, kill it GRACE_MS after.
 * node:child_process (and the net and stream modules behind it) loads only here, so a command without
 * --timeout does not pay for it.
 */
async function guard(argv: string[], seconds: number): Promise<void> {
  const { spawn } = await import('node:child_process');
  const ms = Math.round(seconds * 1000);
  const command = argv[0] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [DEADLINE_ENV]: String(Date.now() + ms) },
  });
  let killed = false;
  const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, ms + GRACE_MS);
  child.on('exit', (code, signal) => {
    clearTimeout(timer);
    if (killed) {
      process.stderr.write(`a64el${command ? ` ${command}` : ''}: wall-clock limit of ${seconds} s (--timeout) reached; the command was stopped\n`);
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

const split = splitTimeout(process.argv.slice(2));
if (split.error !== undefined) {
  process.stderr.write(`a64el: ${split.error}\n`);
  process.exitCode = EXIT_USAGE;
} else if (split.seconds === undefined) {
  void runHere(split.argv);   // never rejects: runCli reports every failure as an exit status
} else {
  void guard(split.argv, split.seconds);
}
