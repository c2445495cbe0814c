/**
 * `a64el run IMAGE --gdb PORT`: load the image, then wait for GDB on 127.0.0.1:PORT and let it drive
 * (src/gdb). When GDB detaches, the guest runs on freely to its end, as on hardware; when GDB kills
 * it or goes away, the run ends there. The exit status is the guest's when it exited, as without --gdb.
 */
import { StopReason } from '../machine/machine.js';
import { wrapMachine } from '../api/emulator.js';
import { startGdbServer } from '../gdb/server.js';
import { type CliIo, EXIT_STOPPED, EXIT_USAGE } from './io.js';
import { type RunOptions, finishRun, prepareRun } from './run.js';

export async function debugImage(opts: RunOptions, io: CliIo): Promise<number> {
  const p = prepareRun(opts, io);
  if ('status' in p) return p.status;
  const emu = wrapMachine(p.machine);
  const timeout = opts.gdbTimeoutMs;
  let server;
  try {
    server = await startGdbServer(emu, {
      port: opts.gdbPort ?? 1234,
      ...(timeout === undefined ? {} : { acceptTimeoutMs: timeout, idleTimeoutMs: timeout }),
      ...(process.env['A64EL_GDB_DEBUG'] ? { log: (l: string) => io.err(`gdb: ${l}\n`) } : {}),
    });
  } catch (err) {
    io.err(`a64el: cannot listen on 127.0.0.1:${opts.gdbPort}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
  io.err(`a64el: waiting for GDB on 127.0.0.1:${server.port} (gdb-multiarch -ex 'set architecture aarch64' -ex 'target remote 127.0.0.1:${server.port}')\n`);
  const { why, stub } = await server.done;
  const i0 = p.machine.cpu.instructions;
  const exited = stub?.exitCode ?? null;
  if (exited !== null) {
    io.err(`a64el: the guest exited with status ${exited} under GDB\n`);
    return finishRun(p, { reason: StopReason.Exit, exitCode: exited, instructions: p.machine.cpu.instructions - i0, cycles: p.machine.cpu.cycles }, opts, io);
  }
  if (why === 'detach') {
    io.err('a64el: GDB detached; the guest runs on\n');
    return finishRun(p, p.machine.run({ maxInstructions: opts.maxInstructions }), opts, io);
  }
  io.err(`a64el: GDB session ended (${why === 'timeout' ? 'timed out' : why === 'kill' ? 'killed' : 'disconnected'}) before the guest exited\n`);
  finishRun(p, { reason: StopReason.Requested, exitCode: 0, instructions: 0, cycles: p.machine.cpu.cycles }, opts, io);
  return EXIT_STOPPED;
}
