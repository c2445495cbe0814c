/**
 * Driving the real command (`node dist/cli/main.js ...`) from tests: dist is built by `npm test`
 * (tsc before vitest); `ensureDist()` builds it when a test file runs alone without it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CLI = join('dist', 'cli', 'main.js');

export function ensureDist(): void {
  if (existsSync(CLI)) return;
  const r = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building dist failed: ${r.stdout}${r.stderr}`);
}

export interface CliRun { status: number | null; signal: string | null; stdout: string; stderr: string; ms: number }

/** Run the CLI with `args` (asynchronously, so several can run at once); kill it after `killMs`. */
export function cli(args: string[], killMs = 120_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < 1 << 20) stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 1 << 20) stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), killMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** A JS stack trace in CLI output ("    at f (file:line)"): never acceptable for user input. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]/m.test(text);
}
