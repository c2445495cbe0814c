/**
 * a64el command-line interface: a small dispatcher over commands. Each command takes its argv
 * (after the command name) and the output channels, and returns the process exit status.
 * Argument parsing uses node:util parseArgs (strict: unknown options are usage errors).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CliIo, EXIT_OK, EXIT_USAGE } from './io.js';
import { runCommand, startCommand } from './run.js';

/** A command returns its exit status, or a promise of it (a long-lived one: `run --gdb`). */
export type Command = (argv: string[], io: CliIo) => number | Promise<number>;

export const USAGE = `Usage:
  a64el --timeout SECONDS COMMAND ...   (any command; --timeout may also follow it)
      Wall-clock limit: 'run' stops the guest at the limit and reports where it is; any command
      still running shortly after is stopped. Exit status 124, as timeout(1).
  a64el run IMAGE [--max-instructions N] [--json] [--trace [FILE.json]] [--raw ADDR] [--cycles]
                  [--timing NAME] [--timing-model fixed|pipeline] [--gdb PORT [--gdb-timeout S]]
      Run an ELF firmware image from reset at EL3 (QEMU virt memory map). The guest's PL011
      output streams to stdout; the exit status is the guest's semihosting exit code.
      --max-instructions N  stop after N instructions (default 100000000): exit status 124
      --max-cycles N        stop once N cycles have passed: exit status 124
      --json                print the final state as JSON on stdout (UART text in its "uart" field)
      --trace               one line per exception entry and return on stderr
      --trace FILE.json     record exceptions, FF-A calls and world switches; write Chrome trace
                            JSON for ui.perfetto.dev (--trace=FILE with another name: text timeline)
      --raw ADDR            IMAGE is a flat binary: place it at ADDR and start there
      --cycles              at the end, print the cycles spent per EL and world on stderr
      --timing NAME         timing profile: generic (default), cortex-a57, neoverse-n1
      --timing-model M      fixed (default: a cost per instruction class) or pipeline (in-order issue model)
      --gdb PORT            wait for GDB on 127.0.0.1:PORT (target remote) and let it drive; after
                            a detach the guest runs on to its end
      --gdb-timeout S       give up when GDB has not connected (or has been idle) for S seconds
  a64el vectors FILE|DIR... [--reporter text|junit] [--output FILE] [--jobs N] [--shard i/n]
                            [--trace FILE] [--no-progress]
      Run test vectors, call and image (a64el-vector/1 JSON; a directory is searched recursively
      for *.json). Prints one line per vector, then "N passed, M failed"; exit status 0 only if
      all pass (1 if any fails, 2 for usage errors). On a terminal, a progress bar on stderr.
      --reporter junit      print JUnit XML on stdout instead of the text lines
      --output FILE         write the report (text or JUnit) to FILE, atomically; the text lines
                            still go to stdout
      --jobs N              run the files on N worker threads; results are reported in file order
      --shard i/n           run only every n-th file from the i-th (split a suite across machines)
      --trace FILE          record every vector's exceptions, FF-A calls and world switches; write
                            FILE atomically: Chrome trace JSON for *.json (one process per vector,
                            for ui.perfetto.dev), else a text timeline; the same with any --jobs
      --no-progress         no progress bar (it is drawn only when stderr is a terminal)
  a64el scenario(s) [NAME...] [--file FILE]... [--json] [--dmesg] [--verbose] [--table] [--list]
      Replay Linux boot orders with pKVM and FF-A (the main job); see below.
  a64el explore [--json] [--jobs N]
      Every placement of the boot steps under every pKVM/SPMC policy: classes and rules (docs/explore.md).
  a64el start
      The main job: run every built-in boot-order scenario and print the side-by-side comparison
      (what \`npm start\` runs).
  a64el demo
      Run the bundled demo image (firmware-images/build/el-drop.elf) and print its output.
  a64el bench [--json] [--quick] [--no-peers] [--only NAME,...] [--reps N]
      Speed benchmarks (docs/speed.md): one line per metric, "name value unit", with QEMU's figure
      and the ratio where QEMU runs the same image (qemu-system-aarch64 on PATH).
  a64el help`;

/** The lines of USAGE that describe `name` (its first line and the indented ones after it). */
function commandUsage(name: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l === `  a64el ${name}` || l.startsWith(`  a64el ${name} `));
  if (start < 0) return USAGE;
  let end = start + 1;
  while (end < lines.length && !lines[end]!.startsWith('  a64el ')) end++;
  return lines.slice(start, end).join('\n');
}

/** The scenarios command's usage (its module is loaded on demand; help loads it). */
let scenariosUsage = '';
/** USAGE with the scenario options. */
export function fullUsage(): string { return scenariosUsage === '' ? USAGE : `${USAGE}\n\n${scenariosUsage}`; }

/**
 * Commands by name. `run` and `demo` (run.ts) load with this module: `a64el run` start-up is what
 * people wait for, and it must not pull in the vector schemas (ajv), the scenarios or the explorer.
 * The others load on first use (one dynamic import each); runCli returns a promise for a command whose
 * module is not loaded yet, synchronously otherwise.
 */
interface Entry { cmd: Command | null; readonly load: (() => Promise<Command>) | null }
const loaded = (cmd: Command): Entry => ({ cmd, load: null });
const lazy = (load: () => Promise<Command>): Entry => ({ cmd: null, load });
const scenarios = async (): Promise<Command> => {
  const m = await import('./scenarios.js');
  scenariosUsage = m.SCENARIOS_USAGE;
  return m.scenariosCommand;
};
const COMMANDS: Record<string, Entry> = {
  run: loaded(runCommand),
  vectors: lazy(async () => (await import('./vectors.js')).vectorsCommand),
  scenario: lazy(scenarios),
  scenarios: lazy(scenarios),
  explore: lazy(async () => (await import('./explore.js')).exploreCommand),
  start: lazy(async () => { const c = await scenarios(); return (argv, io) => c(argv, io); }),
  demo: loaded(startCommand),
  bench: lazy(async () => (await import('./bench.js')).benchCommand),
  help: lazy(async () => { await scenarios(); return (_argv, io) => { io.out(fullUsage()); return EXIT_OK; }; }),
};

/** Load every command module now (runCli is then synchronous for every command that is). */
export async function loadCommands(): Promise<void> {
  for (const e of Object.values(COMMANDS)) if (e.cmd === null && e.load !== null) e.cmd = await e.load();
}

declare global {
  /** `import.meta.a64elBundle` is true in the bundled command (tools/build/bundle-cli.mjs defines it). */
  interface ImportMeta { a64elBundle?: true }
}

/**
 * Started as the `a64el` command (dist/cli/main.js)? Then commands load on demand. Any other importer
 * (the test suites, embedders calling runCli in-process) gets them all loaded with this module, so
 * runCli answers synchronously as it always did. The bundle is only ever the command: there the test
 * is dead code (which also keeps top-level await out of the bundle, a script).
 */
function startedAsCommand(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  if (script === main) return true;   // the usual `node dist/cli/main.js` (no file-system calls)
  try {
    return realpathSync(script) === realpathSync(main);
  } catch {
    return false;
  }
}
if (import.meta.a64elBundle !== true && !startedAsCommand()) await loadCommands();

/**
 * Run the CLI with `argv` (without node and script). Returns the exit status, or a promise of it for
 * the commands that wait for something (`run --gdb`); never throws, and the promise never rejects.
 */
export function runCli(argv: string[], io: CliIo): number | Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) { io.err(fullUsage()); return EXIT_USAGE; }
  if (name === '--help' || name === '-h') return runCli(['help'], io);
  const entry = COMMANDS[name];
  if (entry === undefined) {
    io.err(`a64el: unknown command "${name}"\n${fullUsage()}`);
    return EXIT_USAGE;
  }
  // `a64el COMMAND --help` (or -h, before any `--`): that command's usage on stdout, status 0.
  const end = rest.indexOf('--');
  if ((end < 0 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h')) {
    if (name === 'scenario' || name === 'scenarios') {
      return scenarios().then(() => { io.out(`${scenariosUsage}\n`); return EXIT_OK; });
    }
    io.out(`${commandUsage(name)}\n`);
    return EXIT_OK;
  }
  const failed = (err: unknown): number => {
    if (isUsageError(err)) {
      io.err(`a64el ${name}: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
    // An emulator bug, not a user error: say so in one line (A64EL_DEBUG=1 shows the stack).
    const e = err instanceof Error ? err : new Error(String(err));
    io.err(`a64el ${name}: internal error: ${e.message}\n`);
    if (process.env['A64EL_DEBUG']) io.err(`${e.stack ?? ''}\n`);
    return 70;
  };
  const invoke = (cmd: Command): number | Promise<number> => {
    try {
      const status = cmd(rest, io);
      return typeof status === 'number' ? status : status.catch(failed);
    } catch (err) {
      return failed(err);
    }
  };
  if (entry.cmd !== null) return invoke(entry.cmd);
  return entry.load!().then((cmd) => { entry.cmd = cmd; return invoke(cmd); }, failed);
}

/** parseArgs throws TypeErrors with these codes for bad command lines. */
function isUsageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
