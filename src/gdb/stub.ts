/**
 * A GDB remote stub over the embedding API (one PE = one thread, all-stop mode). Transport-agnostic:
 * feed it bytes with `receive`, it writes with the `send` callback; server.ts binds it to TCP.
 *
 * Supported: qSupported, qXfer:features:read (target.xml, see target.ts), QStartNoAckMode, ?,
 * g/G, p/P, m/M/X, Z0/z0 and Z1/z1 (breakpoints kept by the emulator, not written into memory),
 * s/S, c/C (optional address), vCont (c, C, s, S; t ignored), Ctrl-C while running, D (detach:
 * the target goes on running free), k, qAttached, qC, qfThreadInfo/qsThreadInfo, Hg/Hc, T,
 * qSymbol, qRcmd (`monitor help`), vMustReplyEmpty. Anything else gets the empty reply
 * ("not supported"), which GDB handles (watchpoints fall back to software single-stepping).
 *
 * A step executes one instruction, or takes one exception at a block boundary, or runs one entry
 * into native code: a step that takes an exception stops at the vector; a step over ERET stops at
 * the return address in the new EL. A continue runs in slices of `sliceMs` so an interrupt (or the
 * idle timer) is noticed between slices.
 */
import type { Emulator, EmuResult } from '../api/emulator.js';
import { A64elException } from '../api/errors.js';
import { PacketReader, encodePacket, fromHex, leHex, parseLeHex, textToHex, toHex } from './protocol.js';
import { GDB_REGISTERS, G_PACKET_REGS, targetXml } from './target.js';

export type StubEnd = 'detach' | 'kill' | 'disconnect' | 'timeout' | 'error';

export interface GdbStubOptions {
  /** How long one slice of a continue may run before looking at input again (default 50 ms). */
  sliceMs?: number;
  /** Packet trace (debugging the stub). */
  log?: (line: string) => void;
}

/** Signals (GDB numbering). */
const SIGINT = 2, SIGTRAP = 5, SIGABRT = 6;

export class GdbStub {
  private readonly reader = new PacketReader();
  private noAck = false;
  private running = false;
  private interruptPending = false;
  private lastStop = `T${hex2(SIGTRAP)}thread:1;`;
  private exited: number | null = null;
  private swbreak = false;
  private readonly xml = targetXml();
  private readonly sliceMs: number;
  private ended = false;
  /** Called once when the session ends (detach, kill; the transport reports disconnects itself). */
  onEnd: ((why: StubEnd) => void) | null = null;

  constructor(readonly emu: Emulator, private readonly send: (data: string) => void, private readonly opts: GdbStubOptions = {}) {
    this.sliceMs = opts.sliceMs ?? 50;
  }

  /** The guest's exit status if it exited during the session. */
  get exitCode(): number | null { return this.exited; }
  get isRunning(): boolean { return this.running; }

  /** Bytes from GDB. */
  receive(chunk: Uint8Array): void {
    for (const ev of this.reader.feed(chunk)) {
      if (this.ended) return;
      switch (ev.kind) {
        case 'interrupt':
          this.log('<- ^C');
          if (this.running) this.interruptPending = true;
          else this.reply(this.stopReply(SIGINT));
          break;
        case 'ack': case 'nack': break;   // we do not resend: TCP does not lose packets
        case 'packet':
          if (!ev.checksumOk) { if (!this.noAck) this.send('-'); break; }
          if (!this.noAck) this.send('+');
          this.log(`<- ${ev.payload.length > 200 ? `${ev.payload.slice(0, 200)}...` : ev.payload}`);
          if (this.running) break;   // all-stop: GDB sends nothing but ^C while the target runs
          this.handle(ev.payload);
          break;
      }
    }
  }

  private log(line: string): void { this.opts.log?.(line); }

  private reply(payload: string): void {
    this.log(`-> ${payload.length > 200 ? `${payload.slice(0, 200)}...` : payload}`);
    this.send(encodePacket(payload));
  }

  private end(why: StubEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd?.(why);
  }

  private stopReply(sig: number, extra = ''): string {
    this.lastStop = `T${hex2(sig)}${extra}thread:1;`;
    return this.lastStop;
  }

  private handle(p: string): void {
    try {
      this.dispatch(p);
    } catch (err) {
      // A bad register name or address from the API side: an error reply, never a dead stub.
      this.log(`!! ${err instanceof Error ? err.message : String(err)}`);
      this.reply(err instanceof A64elException ? `E${hex2(err.code & 0xff)}` : 'E01');
    }
  }

  private dispatch(p: string): void {
    const c = p[0];
    switch (c) {
      case '?': this.reply(this.exited !== null ? `W${hex2(this.exited)}` : this.lastStop); return;
      case 'g': this.reply(this.readCore()); return;
      case 'G': this.reply(this.writeCore(p.slice(1))); return;
      case 'p': this.reply(this.readReg(parseInt(p.slice(1), 16))); return;
      case 'P': {
        const eq = p.indexOf('=');
        this.reply(this.writeReg(parseInt(p.slice(1, eq), 16), p.slice(eq + 1)));
        return;
      }
      case 'm': this.reply(this.readMem(p.slice(1))); return;
      case 'M': this.reply(this.writeMem(p.slice(1), false)); return;
      case 'X': this.reply(this.writeMem(p.slice(1), true)); return;
      case 'Z': case 'z': this.reply(this.breakpoint(p)); return;
      case 'c': case 'C': this.resume(false, p); return;
      case 's': case 'S': this.resume(true, p); return;
      case 'H': this.reply('OK'); return;
      case 'T': this.reply(p.slice(1) === '1' || p.slice(1) === '01' ? 'OK' : 'E01'); return;
      case 'D': this.reply('OK'); this.end('detach'); return;
      case 'k': this.end('kill'); return;
      case 'v': this.v(p); return;
      case 'q': this.q(p); return;
      case 'Q':
        if (p === 'QStartNoAckMode') { this.reply('OK'); this.noAck = true; return; }
        this.reply('');
        return;
      default: this.reply('');
    }
  }

  private q(p: string): void {
    if (p.startsWith('qSupported')) {
      this.swbreak = p.includes('swbreak+');
      this.reply('PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;vContSupported+');
      return;
    }
    if (p.startsWith('qXfer:features:read:')) {
      const m = /^qXfer:features:read:([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (m === null) { this.reply('E00'); return; }
      if (m[1] !== 'target.xml') { this.reply('E00'); return; }
      const off = parseInt(m[2]!, 16), len = parseInt(m[3]!, 16);
      const chunk = this.xml.slice(off, off + len);
      this.reply((off + len >= this.xml.length ? 'l' : 'm') + chunk);
      return;
    }
    if (p === 'qAttached' || p.startsWith('qAttached:')) { this.reply('1'); return; }
    if (p === 'qC') { this.reply('QC1'); return; }
    if (p === 'qfThreadInfo') { this.reply('m1'); return; }
    if (p === 'qsThreadInfo') { this.reply('l'); return; }
    if (p.startsWith('qSymbol')) { this.reply('OK'); return; }
    if (p.startsWith('qRcmd,')) { this.monitor(p.slice(6)); return; }
    this.reply('');
  }

  private v(p: string): void {
    if (p === 'vCont?') { this.reply('vCont;c;C;s;S;t'); return; }
    if (p.startsWith('vCont;')) {
      // The first action that applies to our thread (or to all threads) decides.
      for (const act of p.slice(6).split(';')) {
        const [a, tid] = act.split(':');
        if (tid !== undefined && tid !== '1' && tid !== '-1' && tid !== 'p1.1' && tid !== 'p1.-1') continue;
        const k = a![0];
        if (k === 's' || k === 'S') { this.resume(true, 's'); return; }
        if (k === 'c' || k === 'C') { this.resume(false, 'c'); return; }
        if (k === 't') { this.reply(this.stopReply(0)); return; }
      }
      this.reply('E01');
      return;
    }
    if (p === 'vMustReplyEmpty') { this.reply(''); return; }
    if (p.startsWith('vKill')) { this.reply('OK'); this.end('kill'); return; }
    this.reply('');
  }

  // ---- registers ----

  private regValue(n: number): bigint {
    const r = GDB_REGISTERS[n]!;
    const e = this.emu;
    if (r.kind === 'sys') return e.sysRegRead(r.apiName);
    if (r.kind === 'state') {
      switch (r.name) {
        case 'el': return BigInt(e.el);
        case 'secure': return e.secure ? 1n : 0n;
        case 'cycles': return BigInt(e.cycles);
        default: return BigInt(e.instructions);
      }
    }
    return e.regRead(r.apiName);
  }

  private readCore(): string {
    let s = '';
    for (let n = 0; n < G_PACKET_REGS; n++) s += leHex(this.regValue(n), GDB_REGISTERS[n]!.bits / 8);
    return s;
  }

  private writeCore(hex: string): string {
    let o = 0;
    const values: [string, bigint][] = [];
    for (let n = 0; n < G_PACKET_REGS; n++) {
      const r = GDB_REGISTERS[n]!;
      const w = r.bits / 4;
      if (o + w > hex.length) break;
      const v = parseLeHex(hex.slice(o, o + w));
      if (v === null) return 'E01';
      values.push([r.apiName, v]);
      o += w;
    }
    // cpsr last (it may move the live SP bank): write it first so sp lands in the new bank.
    const cpsr = values.find(([n]) => n === 'cpsr');
    if (cpsr !== undefined) this.emu.regWrite('cpsr', cpsr[1]);
    for (const [n, v] of values) if (n !== 'cpsr') this.emu.regWrite(n, v);
    return 'OK';
  }

  private readReg(n: number): string {
    const r = GDB_REGISTERS[n];
    if (r === undefined || !Number.isInteger(n)) return 'E00';
    return leHex(this.regValue(n), r.bits / 8);
  }

  private writeReg(n: number, hex: string): string {
    const r = GDB_REGISTERS[n];
    if (r === undefined) return 'E00';
    if (r.readOnly || r.kind === 'state') return 'E01';
    const v = parseLeHex(hex);
    if (v === null) return 'E01';
    if (r.kind === 'sys') this.emu.sysRegWrite(r.apiName, v); else this.emu.regWrite(r.apiName, v);
    return 'OK';
  }

  // ---- memory ----

  private readMem(args: string): string {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args);
    if (m === null) return 'E01';
    const addr = BigInt(`0x${m[1]}`), len = parseInt(m[2]!, 16);
    if (len > 0x10000) return 'E01';
    try {
      return toHex(this.emu.memRead(addr, len));
    } catch {
      // Partial reads are allowed: return what is readable from the start, byte by byte.
      let out = '';
      for (let i = 0; i < len; i++) {
        try { out += toHex(this.emu.memRead(addr + BigInt(i), 1)); } catch { break; }
      }
      return out === '' ? 'E14' : out;
    }
  }

  private writeMem(args: string, binary: boolean): string {
    const colon = args.indexOf(':');
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args.slice(0, colon));
    if (colon < 0 || m === null) return 'E01';
    const addr = BigInt(`0x${m[1]}`), len = parseInt(m[2]!, 16);
    const data = args.slice(colon + 1);
    let bytes: Uint8Array | null;
    if (binary) { bytes = new Uint8Array(data.length); for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff; }
    else bytes = fromHex(data);
    if (bytes === null || bytes.length !== len) return 'E01';
    if (len === 0) return 'OK';
    try { this.emu.memWrite(addr, bytes); } catch { return 'E14'; }
    return 'OK';
  }

  // ---- breakpoints ----

  private breakpoint(p: string): string {
    const m = /^([Zz])([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)/.exec(p);
    if (m === null) return 'E01';
    const type = Number(m[2]);
    if (type !== 0 && type !== 1) return '';          // watchpoints: GDB falls back to software ones
    const addr = BigInt(`0x${m[3]}`);
    if (m[1] === 'Z') this.emu.breakpointAdd(addr); else this.emu.breakpointDel(addr);
    return 'OK';
  }

  // ---- execution ----

  private resume(step: boolean, p: string): void {
    if (this.exited !== null) { this.reply(`W${hex2(this.exited)}`); return; }
    // c ADDR / s ADDR / C sig;ADDR: resume at ADDR.
    const m = /^[cs]([0-9a-fA-F]+)$/.exec(p) ?? /^[CS][0-9a-fA-F]{2};([0-9a-fA-F]+)$/.exec(p);
    if (m !== null) this.emu.regWrite('pc', BigInt(`0x${m[1]}`));
    if (step) { this.finish(this.emu.step()); return; }
    this.running = true;
    this.interruptPending = false;
    let first = true;
    const slice = (): void => {
      if (this.ended) { this.running = false; return; }
      if (this.interruptPending) { this.running = false; this.reply(this.stopReply(SIGINT)); return; }
      const r = this.emu.emuStart({ timeoutMs: this.sliceMs, count: Number.MAX_SAFE_INTEGER, skipBreakpointAtStart: first });
      first = false;
      if (r.stop === 'timeout' || r.stop === 'count') { setImmediate(slice); return; }
      this.running = false;
      this.finish(r);
    };
    setImmediate(slice);
  }

  private finish(r: EmuResult): void {
    switch (r.stop) {
      case 'exit':
        this.exited = (r.exitCode ?? 0) & 0xff;
        this.reply(`W${hex2(this.exited)}`);
        return;
      case 'breakpoint': this.reply(this.stopReply(SIGTRAP, this.swbreak ? 'swbreak:;' : '')); return;
      case 'native-stuck': this.reply(this.stopReply(SIGABRT)); return;
      case 'stopped': this.reply(this.stopReply(SIGINT)); return;
      default: this.reply(this.stopReply(SIGTRAP));    // step, until, halted (WFI with nothing to wake it)
    }
  }

  // ---- monitor commands ----

  private monitor(hexCmd: string): void {
    const bytes = fromHex(hexCmd);
    const cmd = bytes === null ? '' : new TextDecoder().decode(bytes).trim();
    const e = this.emu;
    let out: string;
    switch (cmd) {
      case 'help': out = 'a64el monitor commands: info (EL, world, PC, cycles), breakpoints, help\n'; break;
      case 'info':
        out = `EL${e.el} ${e.secure ? 'Secure' : 'Non-secure'} PC=0x${e.pc.toString(16)} cycles=${e.cycles} instructions=${e.instructions}\n`;
        break;
      case 'breakpoints': out = `${e.breakpoints().map((b) => `0x${b.toString(16)}`).join(' ') || '(none)'}\n`; break;
      default: out = `unknown monitor command "${cmd}" (try: monitor help)\n`;
    }
    this.reply(textToHex(out));
  }
}

function hex2(n: number): string { return (n & 0xff).toString(16).padStart(2, '0'); }
