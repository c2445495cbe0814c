/**
 * The host kernel model's snapshot (HostKernel.saveState/loadState): a journal of everything the
 * kernel learned from outside, in order.
 *
 * The kernel model is TypeScript driving the machine through its conduit (kernel.ts): its progress in
 * the middle of a boot is a call stack (initcall -> driver probe -> FF-A call), which cannot be written
 * out field by field. Its state is, however, a pure function of its configuration and of what the
 * platform answered: the host calls' records, the cycle counter values it read, the bytes it read from
 * memory and the pages it was given. So the journal of those answers *is* its state, as a deterministic
 * replay log: a kernel restored from it re-runs its boot, gets every recorded answer back (nothing
 * reaches the machine), and continues live from the first call past the end of the journal, on the
 * machine restored from the snapshot taken at the same moment. Any request that differs from the
 * recorded one (other arguments, another order) stops the replay with SnapshotError MISMATCH.
 *
 * Cold path; encoding with state/snapshot-codec.ts.
 */
import { SnapshotError, type StateReader, type StateWriter } from '../../state/snapshot-codec.js';
import type { Conduit, ElLabel, HostCallRecord } from './conduit.js';
import type { HostMemory } from './ffa-driver.js';

type Entry =
  | { k: 'call'; rec: HostCallRecord }
  | { k: 'cycles'; v: number }
  | { k: 'read'; pa: number; len: number; bytes: Uint8Array }
  | { k: 'alloc'; bytes: number; pa: number }
  | { k: 'free'; pa: number; bytes: number };

const KINDS = ['call', 'cycles', 'read', 'alloc', 'free'] as const;
const ENTRY_MAX = 1 << 20;

export class KernelJournal {
  readonly entries: Entry[] = [];
  /** Entries still to be replayed (after loadState), consumed in order. */
  private replay: Entry[] = [];
  private replayAt = 0;
  readonly conduit: Conduit;
  readonly mem: HostMemory;

  constructor(live: Conduit, liveMem: HostMemory) {
    const call = (conduit: 'smc' | 'hvc', args: readonly bigint[], caller: string): HostCallRecord => {
      const e = this.next('call', `${conduit} from ${caller}`);
      if (e !== null && e.k === 'call') {
        const r = e.rec;
        const same = r.conduit === conduit && r.caller === caller && r.args.every((v, i) => v === BigInt.asUintN(64, args[i] ?? 0n));
        if (!same) this.diverged(`${conduit} from ${caller} with x0=0x${(args[0] ?? 0n).toString(16)}`, `${r.conduit} from ${r.caller} with x0=0x${r.args[0]!.toString(16)}`);
        this.entries.push(e);
        return r;
      }
      const rec = conduit === 'smc' ? live.smc(args, caller) : live.hvc(args, caller);
      this.entries.push({ k: 'call', rec });
      return rec;
    };
    this.conduit = {
      smc: (args, caller) => call('smc', args, caller),
      hvc: (args, caller) => call('hvc', args, caller),
      cycles: () => {
        const e = this.next('cycles', 'cycle counter read');
        const v = e !== null && e.k === 'cycles' ? e.v : live.cycles();
        this.entries.push({ k: 'cycles', v });
        return v;
      },
    };
    this.mem = {
      read: (pa, len) => {
        const e = this.next('read', `read of ${len} bytes at 0x${pa.toString(16)}`);
        if (e !== null && e.k === 'read') {
          if (e.pa !== pa || e.len !== len) this.diverged(`read of ${len} bytes at 0x${pa.toString(16)}`, `read of ${e.len} bytes at 0x${e.pa.toString(16)}`);
          this.entries.push(e);
          return e.bytes.slice();
        }
        const bytes = liveMem.read(pa, len);
        this.entries.push({ k: 'read', pa, len, bytes: bytes.slice() });
        return bytes;
      },
      allocPages: (bytes) => {
        const e = this.next('alloc', `allocation of ${bytes} bytes`);
        // The allocator belongs to the platform (restored with it or rebuilt alike): it is asked again
        // during the replay and must give the same pages.
        const pa = liveMem.allocPages(bytes);
        if (e !== null && e.k === 'alloc' && (e.bytes !== bytes || e.pa !== pa)) this.diverged(`allocation of ${bytes} bytes at 0x${pa.toString(16)}`, `${e.bytes} bytes at 0x${e.pa.toString(16)}`);
        this.entries.push({ k: 'alloc', bytes, pa });
        return pa;
      },
      freePages: (pa, bytes) => {
        const e = this.next('free', `free of 0x${pa.toString(16)}`);
        if (e !== null && e.k === 'free' && (e.pa !== pa || e.bytes !== bytes)) this.diverged(`free of 0x${pa.toString(16)}`, `free of 0x${e.pa.toString(16)}`);
        liveMem.freePages(pa, bytes);
        this.entries.push({ k: 'free', pa, bytes });
      },
    };
  }

  /** True while recorded answers are still being replayed. */
  get replaying(): boolean { return this.replayAt < this.replay.length; }

  /** The next recorded entry when replaying (it must be of `kind`), or null when live. */
  private next(kind: Entry['k'], what: string): Entry | null {
    if (this.replayAt >= this.replay.length) return null;
    const e = this.replay[this.replayAt++]!;
    if (e.k !== kind) this.diverged(what, `a ${e.k} entry`);
    return e;
  }

  private diverged(now: string, recorded: string): never {
    throw new SnapshotError('MISMATCH', `host kernel: the restored boot diverged from its journal at entry ${this.replayAt - 1}: ${now}, recorded ${recorded} (other configuration or platform)`);
  }

  saveTo(w: StateWriter): void {
    w.u32(this.entries.length);
    for (const e of this.entries) {
      w.u8(KINDS.indexOf(e.k));
      switch (e.k) {
        case 'call': {
          const r = e.rec;
          w.f64(r.seq); w.str(r.conduit); w.str(r.caller);
          w.u32(r.args.length); for (const v of r.args) w.u64(v);
          w.u32(r.result.length); for (const v of r.result) w.u64(v);
          w.f64(r.cycleStart); w.f64(r.cycles); w.strs(r.path); w.str(r.answeredBy);
          w.opt(r.exception, (x) => { w.f64(x.ec); w.i32(x.esr); });
          break;
        }
        case 'cycles': w.f64(e.v); break;
        case 'read': w.f64(e.pa); w.f64(e.len); w.bytes(e.bytes); break;
        case 'alloc': w.f64(e.bytes); w.f64(e.pa); break;
        case 'free': w.f64(e.pa); w.f64(e.bytes); break;
      }
    }
  }

  readFrom(r: StateReader): () => void {
    if (this.entries.length > 0) {
      throw new SnapshotError('INVALID', 'host kernel: loadState into a kernel that has started its boot (its progress is a call stack): restore into a new kernel, then boot() it');
    }
    const out: Entry[] = [];
    const n = r.count('journal entries', ENTRY_MAX);
    const u64s = (f: string): bigint[] => { const c = r.count(f, 64); const a: bigint[] = []; for (let i = 0; i < c; i++) a.push(r.u64(f)); return a; };
    for (let i = 0; i < n; i++) {
      const k = KINDS[r.u8('entry kind')];
      switch (k) {
        case 'call': {
          const seq = r.f64('seq');
          const conduit = r.str('conduit');
          if (conduit !== 'smc' && conduit !== 'hvc') throw new SnapshotError('INVALID', `host kernel: entry ${i}: conduit "${conduit}"`);
          const caller = r.str('caller'), args = u64s('args'), result = u64s('result');
          const cycleStart = r.f64('cycleStart'), cycles = r.f64('cycles');
          const path = r.strs('path', 1 << 16) as ElLabel[], answeredBy = r.str('answeredBy') as ElLabel;
          const exception = r.opt('exception', () => ({ ec: r.f64('exception ec'), esr: r.i32('exception esr') }));
          out.push({ k, rec: { seq, conduit, caller, args, result, cycleStart, cycles, path, answeredBy, exception } });
          break;
        }
        case 'cycles': out.push({ k, v: r.f64('cycles') }); break;
        case 'read': out.push({ k, pa: r.f64('read pa'), len: r.f64('read len'), bytes: r.bytes('read bytes') }); break;
        case 'alloc': out.push({ k, bytes: r.f64('alloc bytes'), pa: r.f64('alloc pa') }); break;
        case 'free': out.push({ k, pa: r.f64('free pa'), bytes: r.f64('free bytes') }); break;
        default: throw new SnapshotError('INVALID', `host kernel: entry ${i}: unknown kind`);
      }
    }
    return () => { this.replay = out; this.replayAt = 0; };
  }
}
