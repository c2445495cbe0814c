/**
 * The GDB stub on TCP: listens on 127.0.0.1 only (a debugger port can read and write all of the
 * guest's memory: never expose it beyond the host), serves one connection, and ends on detach,
 * kill, disconnect or a timeout. Timeouts are explicit so that a test can never hang on it:
 * `acceptTimeoutMs` (no debugger connected in time) and `idleTimeoutMs` (connected, but nothing
 * received and the target not running for that long).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Emulator } from '../api/emulator.js';
import { GdbStub, type GdbStubOptions, type StubEnd } from './stub.js';

export interface GdbServerOptions extends GdbStubOptions {
  /** TCP port (0 = any free port; see `port` of the result). */
  port: number;
  /** Default 127.0.0.1; only loopback addresses are accepted. */
  host?: string;
  /** Give up when no debugger connects within this time (default: wait forever). */
  acceptTimeoutMs?: number;
  /** Close the session after this long without input while the target is stopped (default: never). */
  idleTimeoutMs?: number;
}

export interface GdbServer {
  /** The port listened on. */
  readonly port: number;
  /** Resolves when the session ends, with why and the stub (for the guest's exit status). */
  readonly done: Promise<{ why: StubEnd; stub: GdbStub | null }>;
  /** Stop listening and drop the connection. */
  close(): void;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Start listening; resolves once the port is bound. */
export function startGdbServer(emu: Emulator, opts: GdbServerOptions): Promise<GdbServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) return Promise.reject(new Error(`the GDB stub listens on loopback only, not ${host}`));
  return new Promise((resolveStart, rejectStart) => {
    let settle!: (v: { why: StubEnd; stub: GdbStub | null }) => void;
    const done = new Promise<{ why: StubEnd; stub: GdbStub | null }>((r) => { settle = r; });
    let sock: Socket | null = null;
    let stub: GdbStub | null = null;
    let finished = false;
    let acceptTimer: NodeJS.Timeout | null = null;
    let idleTimer: NodeJS.Timeout | null = null;
    const server = createServer({ noDelay: true } as never);

    const finish = (why: StubEnd): void => {
      if (finished) return;
      finished = true;
      if (acceptTimer !== null) clearTimeout(acceptTimer);
      if (idleTimer !== null) clearTimeout(idleTimer);
      server.close();
      if (sock !== null) { sock.end(); sock.destroy(); }
      settle({ why, stub });
    };
    const armIdle = (): void => {
      if (opts.idleTimeoutMs === undefined) return;
      if (idleTimer !== null) clearTimeout(idleTimer);
      idleTimer = setTimeout(function check() {
        if (stub?.isRunning === true) { idleTimer = setTimeout(check, opts.idleTimeoutMs); return; }
        finish('timeout');
      }, opts.idleTimeoutMs);
    };

    server.on('connection', (s) => {
      if (sock !== null) { s.destroy(); return; }   // one debugger at a time
      sock = s;
      s.setNoDelay(true);
      if (acceptTimer !== null) { clearTimeout(acceptTimer); acceptTimer = null; }
      server.close();                                  // no more connections
      stub = new GdbStub(emu, (data) => { if (!s.destroyed) s.write(Buffer.from(data, 'latin1')); }, opts);
      stub.onEnd = (why) => { setImmediate(() => finish(why)); };
      armIdle();
      s.on('data', (chunk: Buffer) => { armIdle(); stub!.receive(chunk); });
      s.on('close', () => finish('disconnect'));
      s.on('error', () => finish('error'));
    });
    server.on('error', (err) => { if (!finished) { finished = true; rejectStart(err); } });
    server.listen(opts.port, host, () => {
      const port = (server.address() as AddressInfo).port;
      if (opts.acceptTimeoutMs !== undefined) acceptTimer = setTimeout(() => finish('timeout'), opts.acceptTimeoutMs);
      resolveStart({ port, done, close: () => finish('disconnect') });
    });
  });
}
