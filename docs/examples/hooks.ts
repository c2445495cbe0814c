/**
 * Example: put code in memory, hook it, run it with budgets.
 * Run: npx tsx docs/examples/hooks.ts
 */
import { HookType, createMachine } from '../../src/index.js';

export function main(log: (line: string) => void = console.log): { x1: bigint; svcs: number } {
  const emu = createMachine({ dramSize: 16 << 20 });
  // EL1 code (GNU as encodings):  mov x0, #5 ; loop: add x1, x1, #1 ; svc #0x42 ; subs x0, x0, #1 ;
  //                               b.ne loop ; brk #0
  const code = [0xd28000a0, 0x91000421, 0xd4000841, 0xf1000400, 0x54ffffa1, 0xd4200000];
  const bytes = new Uint8Array(new Uint32Array(code).buffer);
  emu.memWrite(0x4000_0000n, bytes);
  // An SVC handler at VBAR_EL1 + 0x200 (current EL, SP_ELx): just `eret` (0xd69f03e0).
  emu.memWrite(0x4001_0200n, new Uint8Array(new Uint32Array([0xd69f03e0]).buffer));
  emu.sysRegWrite('VBAR_EL1', 0x4001_0000n);
  emu.sysRegWrite('SCR_EL3', 0x531n);      // lower ELs Non-secure, AArch64
  emu.sysRegWrite('HCR_EL2', 1n << 31n);   // EL1 AArch64
  emu.regWrite('cpsr', 0x3c5n);            // EL1h, interrupts masked
  emu.regWrite('sp', 0x4080_0000n);

  let svcs = 0;
  emu.hookAdd(HookType.Svc, (e) => { svcs++; log(`SVC #0x${e.imm.toString(16)} from EL${e.fromEl} at 0x${e.address.toString(16)}`); });
  emu.hookAdd(HookType.Code, (e) => log(`  executing 0x${e.address.toString(16)}: ${e.word.toString(16)}`),
    { begin: 0x4000_0004n, end: 0x4000_0004n });
  // Stop before the BRK, at most 10 000 cycles.
  const r = emu.emuStart({ begin: 0x4000_0000n, until: 0x4000_0014n, cycles: 10_000 });
  log(`stopped: ${r.stop} after ${r.instructions} instructions, ${r.cycles} cycles; x1 = ${emu.regRead('x1')}`);
  return { x1: emu.regRead('x1'), svcs };
}

if (import.meta.url === `file://${process.argv[1]}`) main();
