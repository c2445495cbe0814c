/**
 * The embedding API the way a user drives it: create a machine, put code in memory, set registers,
 * run with budgets, hook things, read the results back. Code comes from GNU as (test/helpers/asm.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  A64elError, A64elException, HookType, a64elStrerror, createMachine, wrapMachine,
  type CallEvent, type CodeEvent, type Emulator, type EretEvent, type ExceptionEntryEvent, type MemEvent,
} from '../../src/index.js';
import { Machine } from '../../src/machine/machine.js';
import { HAVE_BINUTILS, assemble } from '../helpers/asm.js';

const CODE = 0x4000_0000n;
const DATA = 0x4010_0000n;

/** Machine with `src` at CODE, PC there, at EL `el` (default EL1, Non-secure, SP_EL1 set). */
function withCode(src: string, el: 0 | 1 | 2 | 3 = 1): Emulator {
  const emu = createMachine({ dramSize: 16 << 20 });
  emu.memWrite(CODE, assemble(src, Number(CODE)));
  emu.sysRegWrite('SCR_EL3', 0x531n);                      // NS, HCE, RW: a Non-secure lower world
  emu.sysRegWrite('HCR_EL2', 1n << 31n);                   // EL1 is AArch64
  emu.regWrite('el', BigInt(el));
  emu.regWrite('sp', 0x4080_0000n);
  emu.regWrite('pc', CODE);
  return emu;
}

function expectError(fn: () => unknown, code: A64elError): A64elException {
  try { fn(); } catch (err) {
    expect(err).toBeInstanceOf(A64elException);
    expect((err as A64elException).code).toBe(code);
    return err as A64elException;
  }
  throw new Error('expected an A64elException');
}

describe('errors', () => {
  it('every value has a message; exceptions carry the code and the detail', () => {
    for (const v of Object.values(A64elError).filter((x) => typeof x === 'number')) expect(a64elStrerror(v as A64elError)).not.toMatch(/Unknown/);
    const e = expectError(() => createMachine().regRead('x31'), A64elError.RegInvalid);
    expect(e.message).toBe('Invalid register name: x31');
    expectError(() => createMachine({ dramSize: 123 }), A64elError.ArgInvalid);
  });
});

describe('memory', () => {
  it('reads and writes physical RAM, across page boundaries, and refuses unmapped addresses', () => {
    const emu = createMachine({ dramSize: 1 << 20 });
    const bytes = Uint8Array.from({ length: 10000 }, (_, i) => i * 7);
    emu.memWrite(0x4000_0ff0n, bytes);
    expect(emu.memRead(0x4000_0ff0n, 10000)).toEqual(bytes);
    expect(emu.memRead(0x0e00_0000n, 4)).toEqual(new Uint8Array(4));      // secure RAM: the debugger's view ignores security
    expectError(() => emu.memRead(0x4010_0000n - 2n, 4), A64elError.ReadUnmapped);   // past the end of 1 MiB DRAM
    expectError(() => emu.memRead(0x0900_0000n, 4), A64elError.ReadUnmapped);        // the UART is not RAM
    expectError(() => emu.memWrite(0x2000_0000n, new Uint8Array(1)), A64elError.WriteUnmapped);
    expectError(() => emu.memRead(-1n, 1), A64elError.ReadUnmapped);
    const regions = emu.memRegions();
    expect(regions.map((r) => [r.name, r.begin, r.end])).toEqual([
      ['secure flash', 0n, 0x03ff_ffffn], ['PL011 UART', 0x0900_0000n, 0x0900_0fffn], ['secure RAM', 0x0e00_0000n, 0x0eff_ffffn],
      ['DRAM', 0x4000_0000n, 0x400f_ffffn],
    ]);
  });

  it.skipIf(!HAVE_BINUTILS)('a write over decoded code takes effect (predecode invalidated)', () => {
    const emu = withCode('mov x0, #1\nmov x1, #2\nbrk #0');
    emu.emuStart({ count: 2 });
    expect(emu.regRead('x1')).toBe(2n);
    emu.memWrite(CODE + 4n, assemble('mov x1, #42'));
    emu.emuStart({ begin: CODE, count: 2 });
    expect(emu.regRead('x1')).toBe(42n);
  });

  it.skipIf(!HAVE_BINUTILS)('mmioMap: a user device where the map has nothing', () => {
    const emu = withCode(`ldr x1, =0x20000000\nldr w2, [x1, #8]\nmov w3, #0x55\nstr w3, [x1, #4]\nldr x4, [x1]\nbrk #0`);
    const writes: [bigint, number, bigint][] = [];
    const dev = emu.mmioMap(0x2000_0000n, 0x1000, {
      read: (off, size) => (off === 8n ? 0xabcdn : 0x1122334455667788n & ((1n << BigInt(8 * size)) - 1n)),
      write: (off, size, v) => { writes.push([off, size, v]); },
    });
    expect(emu.memRegions().some((r) => r.kind === 'mmio' && r.begin === 0x2000_0000n)).toBe(true);
    const r = emu.emuStart({ count: 6 });
    expect(r.stop).toBe('count');
    expect(emu.regRead('x2')).toBe(0xabcdn);
    expect(emu.regRead('x4')).toBe(0x1122334455667788n);
    expect(writes).toEqual([[4n, 4, 0x55n]]);
    expectError(() => emu.mmioMap(0x2000_0800n, 0x1000, {}), A64elError.MapOverlap);
    expectError(() => emu.mmioMap(0x4000_0000n, 0x1000, {}), A64elError.MapOverlap);
    emu.mmioUnmap(dev);
    expect(emu.machine.hooks).toBeNull();
    // Unmapped again: the same load now takes a Data Abort to EL1 (EC 0x25, same EL).
    emu.sysRegWrite('VBAR_EL1', 0x4002_0000n);
    emu.emuStart({ begin: CODE, count: 2 });
    expect(emu.pc).toBe(0x4002_0200n);
    expect(emu.sysRegRead('ESR_EL1') >> 26n).toBe(0x25n);
  });
});

describe('registers', () => {
  it('x/w/sp/pc/cpsr/nzcv and system registers by name', () => {
    const emu = createMachine();
    emu.regWrite('x3', -1n);
    expect(emu.regRead('x3')).toBe(0xffff_ffff_ffff_ffffn);
    expect(emu.regRead('w3')).toBe(0xffff_ffffn);
    emu.regWrite('w3', 0x1_2345_6789n);
    expect(emu.regRead('X3')).toBe(0x2345_6789n);           // W writes zero-extend; names are case-insensitive
    emu.regWrite('xzr', 5n);
    expect(emu.regRead('xzr')).toBe(0n);
    emu.regWrite('lr', 0x1234n);
    expect(emu.regRead('x30')).toBe(0x1234n);
    // Reset PSTATE: EL3h, DAIF masked, NZCV 0.
    expect(emu.regRead('cpsr')).toBe(0x3cdn);
    expect(emu.regRead('currentel')).toBe(0xcn);
    emu.regWrite('nzcv', 0x6000_0000n);
    expect(emu.regRead('cpsr')).toBe(0x6000_03cdn);
    // SP banking: sp is the live one (SP_EL3 at EL3h); moving to EL1h banks it.
    emu.regWrite('sp', 0x4000_8000n);
    emu.regWrite('cpsr', 0x3c5n);
    expect(emu.el).toBe(1);
    expect(emu.regRead('sp_el3')).toBe(0x4000_8000n);
    emu.regWrite('sp', 0x4000_1000n);
    expect(emu.sysRegRead('SP_EL1')).toBe(0x4000_1000n);
    expect(emu.regRead('sp_el1')).toBe(0x4000_1000n);
    // System registers use the table's names, RES0/RES1 applied as MSR would.
    emu.sysRegWrite('ESR_EL2', 0xffff_ffff_ffff_ffffn);
    expect(emu.sysRegRead('ESR_EL2')).toBe(0xff_ffff_ffffn);
    emu.sysRegWrite('SCR_EL3', 0n);
    expect(emu.sysRegRead('scr_el3')).toBe(0x30n);
    expect(emu.regRead('VBAR_EL1')).toBe(0n);             // regRead falls back to system registers
    expect(emu.sysRegRead('CurrentEL')).toBe(4n);
    expect(emu.sysRegRead('ID_AA64PFR0_EL1')).toBe(0x1111n);   // EL0-EL3 AArch64, FP = AdvSIMD = 0 (implemented)
    expectError(() => emu.sysRegWrite('ID_AA64PFR0_EL1', 0n), A64elError.RegReadOnly);
    expectError(() => emu.sysRegRead('NOPE_EL1'), A64elError.RegInvalid);
    expectError(() => emu.regWrite('cycles', 1n), A64elError.RegReadOnly);
    expect(emu.regReadBatch(['x3', 'el'])).toEqual([0x2345_6789n, 1n]);
    emu.regWriteBatch({ x0: 1n, x1: 2n });
    expect(emu.regReadBatch(['x0', 'x1'])).toEqual([1n, 2n]);
    expect(emu.sysRegNames()).toContain('HCR_EL2');
    expect(emu.regNames()).toContain('cpsr');
  });
});

describe.skipIf(!HAVE_BINUTILS)('running', () => {
  const LOOP = 'mov x0, #100\n1: add x1, x1, #1\nsubs x0, x0, #1\nb.ne 1b\nmov x2, #7\nhlt #0';

  it('instruction budget, until, cycle budget, step, stop from a hook', () => {
    let emu = withCode(LOOP);
    let r = emu.emuStart({ count: 10 });
    expect(r).toMatchObject({ stop: 'count', instructions: 10, exitCode: null });
    r = emu.emuStart({ until: CODE + 16n });
    expect(r.stop).toBe('until');
    expect(emu.pc).toBe(CODE + 16n);
    expect(emu.regRead('x1')).toBe(100n);
    expect(emu.regRead('x2')).toBe(0n);                     // `until` is not executed

    emu = withCode(LOOP);
    const c0 = emu.cycles;
    r = emu.emuStart({ cycles: 50 });
    expect(r.stop).toBe('cycles');
    expect(emu.cycles - c0).toBeGreaterThanOrEqual(50);
    expect(emu.cycles - c0).toBeLessThan(50 + 20);          // stops within one instruction's cost

    emu = withCode(LOOP);
    r = emu.step();
    expect(r).toMatchObject({ stop: 'step', instructions: 1 });
    expect(emu.pc).toBe(CODE + 4n);

    emu = withCode(LOOP);
    emu.hookAdd(HookType.Code, (e) => { if (e.address === CODE + 8n && emu.regRead('x1') === 3n) emu.emuStop(); });
    r = emu.emuStart();
    expect(r.stop).toBe('stopped');
    expect(emu.pc).toBe(CODE + 8n);                         // stopped before the SUBS executed
    expect(emu.regRead('x0')).toBe(98n);
    expect(() => emu.emuStop()).not.toThrow();              // outside a run: nothing
  });

  it('breakpoints: stop before, do not re-fire at the start, fire immediately when asked', () => {
    const emu = withCode(LOOP);
    emu.breakpointAdd(CODE + 8n);
    let r = emu.emuStart();
    expect(r).toMatchObject({ stop: 'breakpoint', breakpoint: CODE + 8n });
    expect(emu.regRead('x1')).toBe(1n);
    r = emu.emuStart();                                     // continue: the breakpoint it starts on is skipped once
    expect(r.stop).toBe('breakpoint');
    expect(emu.regRead('x1')).toBe(2n);
    r = emu.emuStart({ skipBreakpointAtStart: false });
    expect(r).toMatchObject({ stop: 'breakpoint', instructions: 0 });
    expect(emu.breakpoints()).toEqual([CODE + 8n]);
    expect(emu.breakpointDel(CODE + 8n)).toBe(true);
    expect(emu.machine.hooks).toBeNull();
    expect(emu.emuStart({ until: CODE + 20n }).stop).toBe('until');
    expect(emu.regRead('x2')).toBe(7n);
  });

  it('Busy: no nested emuStart from a hook', () => {
    const emu = withCode(LOOP);
    let err: unknown = null;
    emu.hookAdd(HookType.Code, () => { try { emu.emuStart(); } catch (e) { err = e; } emu.emuStop(); });
    emu.emuStart();
    expect((err as A64elException).code).toBe(A64elError.Busy);
  });

  it('semihosting exit ends the run with the guest\'s code', () => {
    const emu = withCode(`ldr x1, =${DATA}\nldr x2, =0x20026\nstr x2, [x1]\nmov x2, #3\nstr x2, [x1, #8]\nmov w0, #0x18\nhlt #0xf000`, 1);
    const r = emu.emuStart();
    expect(r).toMatchObject({ stop: 'exit', exitCode: 3 });
  });

  it('timeoutMs stops a guest spinning forever', () => {
    const emu = withCode('1: b 1b');
    const t0 = Date.now();
    const r = emu.emuStart({ timeoutMs: 50, count: Number.MAX_SAFE_INTEGER });
    expect(r.stop).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe.skipIf(!HAVE_BINUTILS)('hooks', () => {
  it('code hooks by range, block hooks, memory read/write hooks with values', () => {
    const emu = withCode(`ldr x1, =${DATA}\nmov x2, #0x1234\nstr x2, [x1]\nldrb w3, [x1, #1]\nstp x2, x2, [x1, #16]\nbrk #0`);
    const code: bigint[] = [], blocks: bigint[] = [], mem: [string, bigint, number, bigint][] = [];
    const h = emu.hookAdd(HookType.Code, (e: CodeEvent) => { code.push(e.address); }, { begin: CODE + 4n, end: CODE + 8n });
    emu.hookAdd(HookType.Block, (e) => { blocks.push(e.address); });
    emu.hookAdd(HookType.Mem, (e: MemEvent) => { mem.push([e.type === HookType.MemRead ? 'r' : 'w', e.address, e.size, e.value]); }, { begin: DATA, end: DATA + 0xfffn });
    emu.emuStart({ count: 5 });
    expect(code).toEqual([CODE + 4n, CODE + 8n]);
    expect(blocks).toEqual([CODE]);
    expect(mem).toEqual([['w', DATA, 8, 0x1234n], ['r', DATA + 1n, 1, 0x12n], ['w', DATA + 16n, 8, 0x1234n], ['w', DATA + 24n, 8, 0x1234n]]);
    emu.hookDel(h);
    expectError(() => emu.hookDel(h), A64elError.HookInvalid);
    expectError(() => emu.hookAdd(1 << 20 as HookType, () => {}), A64elError.ArgInvalid);
  });

  it('invalid memory: a read hook can supply the value, a fetch hook can redirect', () => {
    const emu = withCode('ldr x1, =0x30000000\nldr x2, [x1]\nldr x3, =0x30001000\nbr x3\nbrk #0');
    emu.hookAdd(HookType.MemReadInvalid, (e) => { e.value = 0x5151n; return true; });
    const fetches: bigint[] = [];
    emu.hookAdd(HookType.MemFetchInvalid, (e) => { fetches.push(e.address); emu.regWrite('pc', CODE + 16n); return true; });
    expect(emu.emuStart({ until: CODE + 16n }).stop).toBe('until');
    expect(emu.regRead('x2')).toBe(0x5151n);
    expect(fetches).toEqual([0x3000_1000n]);
    expect(emu.pc).toBe(CODE + 16n);
  });

  it('exception entry, ERET, SVC/HVC/SMC with imm and function ID', () => {
    // EL1: SVC #5 (to EL1), HVC #7 (to EL2), SMC #9 (to EL3); each vector ERETs back.
    const emu = withCode(`mov x0, #0x11\nsvc #5\nmov x0, #0x22\nhvc #7\nldr x0, =0x84000000\nsmc #9\nbrk #0`);
    const vec = (el: number): bigint => 0x4002_0000n + BigInt(el) * 0x1000n;
    for (const el of [1, 2, 3]) {
      emu.sysRegWrite(`VBAR_EL${el}`, vec(el));
      const eret = assemble('eret');
      emu.memWrite(vec(el) + 0x200n, eret);   // current EL, SP_ELx (SVC at EL1)
      emu.memWrite(vec(el) + 0x400n, eret);   // lower EL
    }
    const entries: ExceptionEntryEvent[] = [], rets: EretEvent[] = [], calls: CallEvent[] = [];
    emu.hookAdd(HookType.ExceptionEntry, (e) => { entries.push(e); });
    emu.hookAdd(HookType.Eret, (e) => { rets.push(e); });
    emu.hookAdd(HookType.Call, (e) => { calls.push(e); });
    const r = emu.emuStart({ until: CODE + 24n, count: 1000 });
    expect(r.stop).toBe('until');
    expect(entries.map((e) => [e.kind, e.fromEl, e.toEl, e.ecName, e.address])).toEqual([
      ['sync', 1, 1, 'SVC (AArch64)', vec(1) + 0x200n], ['sync', 1, 2, 'HVC (AArch64)', vec(2) + 0x400n], ['sync', 1, 3, 'SMC (AArch64)', vec(3) + 0x400n],
    ]);
    expect(entries[2]!.toSecure).toBe(true);
    expect(entries[2]!.fromSecure).toBe(false);
    expect(rets.map((e) => [e.fromEl, e.toEl, e.address, e.illegal])).toEqual([[1, 1, CODE + 8n, false], [2, 1, CODE + 16n, false], [3, 1, CODE + 24n, false]]);
    expect(calls.map((c) => [c.type, c.imm, c.fid, c.address, c.trapped])).toEqual([
      [HookType.Svc, 5, 0x11, CODE + 4n, false], [HookType.Hvc, 7, 0x22, CODE + 12n, false], [HookType.Smc, 9, 0x84000000, CODE + 20n, false],
    ]);
    // Removing the last exception hook frees the CPU's observer slots again.
    const m = emu.machine;
    expect(m.cpu.onExceptionEntry).not.toBeNull();
  });

  it('no hooks = the plain loop and empty observer slots, also after add + delete', () => {
    const emu = createMachine();
    expect(emu.machine.hooks).toBeNull();
    const a = emu.hookAdd(HookType.Exception | HookType.Ffa, () => {});
    expect(emu.machine.hooks).toBeNull();                  // observers only: still the plain loop
    expect(emu.machine.cpu.onExceptionEntry).not.toBeNull();
    const b = emu.hookAdd(HookType.Code, () => {});
    expect(emu.machine.hooks).not.toBeNull();
    emu.hookDel(a);
    emu.hookDel(b);
    expect(emu.machine.hooks).toBeNull();
    expect(emu.machine.cpu.onExceptionEntry).toBeNull();
    expect(emu.machine.cpu.onExceptionReturn).toBeNull();
  });

  it('the pipeline timing model refuses the instrumented loop (its cycles would differ), not the plain run', () => {
    const emu = createMachine({ dramSize: 16 << 20, timing: { profile: 'generic', model: 'pipeline' } });
    emu.memWrite(CODE, assemble('mov x0, #1\nmov x1, #2\nbrk #0', Number(CODE)));
    emu.regWrite('pc', CODE);
    expect(emu.emuStart({ count: 2 }).instructions).toBe(2);
    emu.hookAdd(HookType.Exception, () => {});                // observers only: fine
    expect(emu.emuStart({ begin: CODE, count: 2 }).instructions).toBe(2);
    expectError(() => emu.step(), A64elError.Unsupported);
    emu.breakpointAdd(CODE + 4n);
    expectError(() => emu.emuStart({ begin: CODE, count: 2 }), A64elError.Unsupported);
    expect(emu.isRunning).toBe(false);
  });

  it('wrapMachine works on an existing Machine', () => {
    const m = new Machine();
    const emu = wrapMachine(m);
    emu.regWrite('x0', 9n);
    expect(m.readX(0)).toBe(9n);
  });
});
