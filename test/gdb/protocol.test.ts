/**
 * The stub at packet level, without GDB: framing (checksums, escapes, run-length decoding), ack and
 * no-ack modes, every supported packet, an interrupt (^C) stopping a guest spinning forever, the
 * accept and idle timeouts, and loopback-only listening.
 */
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine, type Emulator } from '../../src/index.js';
import { GDB_REGISTERS, G_PACKET_REGS, PacketReader, encodePacket, startGdbServer, type GdbServer } from '../../src/gdb/index.js';
import { leHex, parseLeHex } from '../../src/gdb/protocol.js';

const IMAGE = join(import.meta.dirname, '../../firmware-images/build/el-drop.elf');

describe('framing', () => {
  const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  it('encodes with checksum and escapes, and the reader decodes it back', () => {
    expect(encodePacket('OK')).toBe('$OK#9a');
    const payload = 'a$b#c}d*e\x00\xff';
    const framed = encodePacket(payload);
    expect(framed).toBe('$a}\x04b}\x03c}]d}\x0ae\x00\xff#' + framed.slice(-2));
    const ev = new PacketReader().feed(bytes(framed));
    expect(ev).toEqual([{ kind: 'packet', payload, checksumOk: true }]);
  });
  it('reports acks, interrupts and bad checksums; expands run-length encoding', () => {
    const r = new PacketReader();
    expect(r.feed(bytes('+-\x03$g#00'))).toEqual([{ kind: 'ack' }, { kind: 'nack' }, { kind: 'interrupt' }, { kind: 'packet', payload: 'g', checksumOk: false }]);
    // "0* " = '0' then 3 more ('  ' is 32 - 29 = 3): 0000.
    const body = '0* ';
    let sum = 0;
    for (const c of body) sum += c.charCodeAt(0);
    expect(r.feed(bytes(`$${body}#${(sum & 0xff).toString(16).padStart(2, '0')}`))).toEqual([{ kind: 'packet', payload: '0000', checksumOk: true }]);
  });
  it('splits packets across chunks', () => {
    const r = new PacketReader();
    expect(r.feed(bytes('$qSupp'))).toEqual([]);
    expect(r.feed(bytes('orted#37'))).toEqual([{ kind: 'packet', payload: 'qSupported', checksumOk: true }]);
  });
  it('register values are little-endian hex', () => {
    expect(leHex(0x1122334455667788n, 8)).toBe('8877665544332211');
    expect(parseLeHex('8877665544332211')).toBe(0x1122334455667788n);
    expect(leHex(0x3cdn, 4)).toBe('cd030000');
  });
});

/** A minimal client: sends packets, returns reply payloads, acks replies while in ack mode. */
class Client {
  private buf = '';
  private waiters: ((s: string) => void)[] = [];
  private acks = 0;
  noAck = false;
  readonly closed: Promise<void>;
  constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => { this.buf += d; this.pump(); });
    this.closed = new Promise((r) => sock.on('close', () => r()));
  }
  private pump(): void {
    for (;;) {
      while (this.buf.startsWith('+') || this.buf.startsWith('-')) { if (this.buf[0] === '+') this.acks++; this.buf = this.buf.slice(1); }
      const m = /^\$([^#]*)#([0-9a-f]{2})/.exec(this.buf);
      if (m === null) return;
      this.buf = this.buf.slice(m[0].length);
      let sum = 0;
      for (const c of m[1]!) sum = (sum + c.charCodeAt(0)) & 0xff;
      if (sum !== parseInt(m[2]!, 16)) throw new Error('bad checksum from stub');
      if (!this.noAck) this.sock.write('+');
      this.waiters.shift()?.(m[1]!.replace(/\}(.)/g, (_, c: string) => String.fromCharCode(c.charCodeAt(0) ^ 0x20)));
    }
  }
  get ackCount(): number { return this.acks; }
  next(timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no reply from the stub')), timeoutMs);
      this.waiters.push((s) => { clearTimeout(t); resolve(s); });
      this.pump();
    });
  }
  send(payload: string): Promise<string> {
    const p = this.next();
    this.sock.write(Buffer.from(encodePacket(payload), 'latin1'));
    return p;
  }
  raw(data: string): void { this.sock.write(Buffer.from(data, 'latin1')); }
  end(): void { this.sock.end(); }
}

let server: GdbServer | null = null;
afterEach(() => { server?.close(); server = null; });

async function start(emu: Emulator, extra: { idleTimeoutMs?: number; acceptTimeoutMs?: number } = {}): Promise<Client> {
  server = await startGdbServer(emu, { port: 0, acceptTimeoutMs: 5000, idleTimeoutMs: 5000, ...extra });
  const sock = connect(server.port, '127.0.0.1');
  await new Promise<void>((r, j) => { sock.on('connect', () => r()); sock.on('error', j); });
  return new Client(sock);
}

function elDrop(): Emulator {
  const emu = createMachine();
  emu.loadElf(readFileSync(IMAGE));
  return emu;
}

describe('packets', () => {
  it('handshake, target.xml, registers, memory, breakpoints, step, continue, detach', async () => {
    const emu = elDrop();
    const c = await start(emu);
    expect(await c.send('qSupported:swbreak+;xmlRegisters=aarch64')).toContain('qXfer:features:read+');
    expect(c.ackCount).toBe(1);
    expect(await c.send('QStartNoAckMode')).toBe('OK');
    c.noAck = true;
    // target.xml in two pieces.
    const a = await c.send('qXfer:features:read:target.xml:0,400');
    expect(a[0]).toBe('m');
    const b = await c.send(`qXfer:features:read:target.xml:${(0x400).toString(16)},4000`);
    expect(b[0]).toBe('l');
    const xml = a.slice(1) + b.slice(1);
    expect(xml).toContain('<feature name="org.gnu.gdb.aarch64.core">');
    expect(xml).toContain('<reg name="cpsr" bitsize="32" regnum="33"');
    expect(xml).toContain('name="esr_el2" bitsize="64"');
    expect(await c.send('qXfer:features:read:other.xml:0,10')).toBe('E00');
    expect(await c.send('qAttached')).toBe('1');
    expect(await c.send('qC')).toBe('QC1');
    expect(await c.send('qfThreadInfo')).toBe('m1');
    expect(await c.send('qsThreadInfo')).toBe('l');
    expect(await c.send('Hg0')).toBe('OK');
    expect(await c.send('Hc-1')).toBe('OK');
    expect(await c.send('vCont?')).toBe('vCont;c;C;s;S;t');
    expect(await c.send('?')).toBe('T05thread:1;');
    expect(await c.send('qUnknownThing')).toBe('');
    // g: 31 x + sp + pc (8 bytes) + cpsr (4 bytes).
    const g = await c.send('g');
    expect(g.length).toBe(2 * (33 * 8 + 4));
    expect(g.slice(32 * 16, 33 * 16)).toBe(leHex(0x40000000n, 8));
    expect(g.slice(33 * 16)).toBe(leHex(0x3cdn, 4));
    // P / p on x5 and a system register; read-only ones refuse.
    expect(await c.send(`P5=${leHex(0xdeadbeefcafef00dn, 8)}`)).toBe('OK');
    expect(emu.regRead('x5')).toBe(0xdeadbeefcafef00dn);
    expect(await c.send('p5')).toBe(leHex(0xdeadbeefcafef00dn, 8));
    const vbar2 = GDB_REGISTERS.findIndex((r) => r.name === 'vbar_el2');
    expect(await c.send(`P${vbar2.toString(16)}=${leHex(0x40001800n, 8)}`)).toBe('OK');
    expect(emu.sysRegRead('VBAR_EL2')).toBe(0x40001800n);
    const midr = GDB_REGISTERS.findIndex((r) => r.name === 'id_aa64pfr0_el1');
    expect(await c.send(`P${midr.toString(16)}=${leHex(0n, 8)}`)).toBe('E01');
    expect(await c.send(`p${(GDB_REGISTERS.length + 5).toString(16)}`)).toBe('E00');
    // G writes the core registers back (round trip).
    expect(await c.send(`G${await c.send('g')}`)).toBe('OK');
    expect(emu.regRead('pc')).toBe(0x40000000n);
    expect(G_PACKET_REGS).toBe(34);
    // Memory: m, M, X (binary with escapes), unmapped reads.
    expect(await c.send('m40000000,8')).toBe('0000001061060058');
    expect(await c.send('M40100000,4:11223344')).toBe('OK');
    expect(emu.memRead(0x40100000n, 4)).toEqual(new Uint8Array([0x11, 0x22, 0x33, 0x44]));
    expect(await c.send('X40100004,4:#$}\x7f')).toBe('OK');                // '#', '$', '}' go escaped on the wire
    expect(emu.memRead(0x40100004n, 4)).toEqual(new Uint8Array([0x23, 0x24, 0x7d, 0x7f]));
    expect(await c.send('m10000000,4')).toBe('E14');
    expect(await c.send('m47fffffe,4')).toBe('0000');                      // partial read up to the end of DRAM
    expect(await c.send('M10000000,1:00')).toBe('E14');
    // Software breakpoint at the EL0 SVC, continue, then step into the EL1 vector.
    expect(await c.send('Z0,400005c8,4')).toBe('OK');
    expect(await c.send('Z2,40100000,4')).toBe('');                         // watchpoints: not supported
    expect(await c.send('c')).toBe('T05swbreak:;thread:1;');
    expect(emu.pc).toBe(0x400005c8n);
    expect(emu.el).toBe(0);
    expect(await c.send('s')).toBe('T05thread:1;');
    expect(emu.pc).toBe(0x40002400n);
    expect(emu.el).toBe(1);
    expect(await c.send('z0,400005c8,4')).toBe('OK');
    expect(emu.breakpoints()).toEqual([]);
    expect(await c.send('qRcmd,' + Buffer.from('info').toString('hex'))).toBe(Buffer.from(`EL1 Non-secure PC=0x40002400 cycles=${emu.cycles} instructions=${emu.instructions}\n`).toString('hex'));
    // vCont;c runs to the guest's exit: W00.
    expect(await c.send('vCont;c')).toBe('W00');
    expect(await c.send('?')).toBe('W00');
    expect(await c.send('D')).toBe('OK');
    const done = await server!.done;
    expect(done.why).toBe('detach');
    expect(done.stub?.exitCode).toBe(0);
  });

  it('a bad checksum gets "-" and no reply', async () => {
    const c = await start(elDrop());
    c.raw('$g#00');
    c.raw(encodePacket('qC'));
    expect(await c.next()).toBe('QC1');
  });

  it('^C stops a guest that spins forever (T02), and s/c resume from an address', async () => {
    const emu = createMachine();
    emu.memWrite(0x40000000n, new Uint8Array([0x00, 0x00, 0x00, 0x14, 0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14]));   // b . ; nop ; b .
    emu.regWrite('pc', 0x40000000n);
    const c = await start(emu);
    const stopped = c.send('c');
    await new Promise((r) => setTimeout(r, 150));
    expect(emu.instructions).toBeGreaterThan(0);
    c.raw('\x03');
    expect(await stopped).toBe('T02thread:1;');
    expect(emu.pc).toBe(0x40000000n);
    expect(await c.send('s40000004')).toBe('T05thread:1;');
    expect(emu.pc).toBe(0x40000008n);
    const again = c.send('vCont;c:1');
    await new Promise((r) => setTimeout(r, 100));
    c.raw('\x03');
    expect(await again).toBe('T02thread:1;');
    expect(emu.pc).toBe(0x40000008n);
    c.raw(encodePacket('k'));
    expect((await server!.done).why).toBe('kill');
  });

  it('a breakpoint is not lost when a continue slice ends on it', async () => {
    // A long loop, then a breakpoint after it: continue is sliced (sliceMs), the breakpoint must fire.
    const emu = createMachine();
    // mov x0, #0x100000 (movz x0, #0x10, lsl #16) ; loop: subs x0, x0, #1 ; b.ne loop ; nop ; b .
    emu.memWrite(0x40000000n, new Uint8Array([0x00, 0x02, 0xa0, 0xd2, 0x00, 0x04, 0x00, 0xf1, 0xe1, 0xff, 0xff, 0x54, 0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14]));
    emu.regWrite('pc', 0x40000000n);
    server = await startGdbServer(emu, { port: 0, acceptTimeoutMs: 5000, idleTimeoutMs: 5000, sliceMs: 1 });
    const sock = connect(server.port, '127.0.0.1');
    await new Promise<void>((r) => sock.on('connect', () => r()));
    const c = new Client(sock);
    expect(await c.send('Z0,4000000c,4')).toBe('OK');
    expect(await c.send('c')).toBe('T05thread:1;');
    expect(emu.pc).toBe(0x4000000cn);
    expect(emu.regRead('x0')).toBe(0n);
    c.end();
    expect((await server.done).why).toBe('disconnect');
  });
});

describe('timeouts and binding', () => {
  it('gives up when nobody connects in time', async () => {
    server = await startGdbServer(elDrop(), { port: 0, acceptTimeoutMs: 100 });
    const t0 = Date.now();
    expect((await server.done).why).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(3000);
  });
  it('closes an idle session', async () => {
    const c = await start(elDrop(), { idleTimeoutMs: 150 });
    expect(await c.send('qC')).toBe('QC1');
    expect((await server!.done).why).toBe('timeout');
    await c.closed;
  });
  it('listens on loopback only', async () => {
    await expect(startGdbServer(elDrop(), { port: 0, host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });
});
