/**
 * The target description a64el gives GDB (GDB manual, "Target Descriptions" / "AArch64 Features"):
 *   org.gnu.gdb.aarch64.core   x0-x30, sp, pc (64-bit), cpsr (32-bit) -- the feature GDB requires
 *   org.a64el.sysregs          the system registers of state/sysregs.ts, group "system"
 *                              (shown by `info registers system` / `info all-registers`, lowercase names)
 *   org.a64el.state            el, secure, cycles, instructions: read-only views of the emulator
 * Register numbers follow the document order; `g` carries the core feature, the others go by `p`/`P`.
 */
import { SYSREG_TABLE } from '../state/sysregs.js';

export interface GdbRegister {
  /** GDB's name (lowercase). */
  name: string;
  /** Bits. */
  bits: 32 | 64;
  /** The name the embedding API's regRead/regWrite/sysRegRead use. */
  apiName: string;
  kind: 'core' | 'sys' | 'state';
  readOnly: boolean;
}

const core: GdbRegister[] = [
  ...Array.from({ length: 31 }, (_, i): GdbRegister => ({ name: `x${i}`, bits: 64, apiName: `x${i}`, kind: 'core', readOnly: false })),
  { name: 'sp', bits: 64, apiName: 'sp', kind: 'core', readOnly: false },
  { name: 'pc', bits: 64, apiName: 'pc', kind: 'core', readOnly: false },
  { name: 'cpsr', bits: 32, apiName: 'cpsr', kind: 'core', readOnly: false },
];

/** Computed or constant system registers are read-only from GDB too. */
const SYS_READ_ONLY = /^(CurrentEL|ID_|REVIDR|CTR_EL0|DCZID|CNTPCT|CNTVCT)/;

const sys: GdbRegister[] = SYSREG_TABLE.map((r): GdbRegister => ({
  name: r.name.toLowerCase(), bits: 64, apiName: r.name, kind: 'sys', readOnly: SYS_READ_ONLY.test(r.name),
}));

const state: GdbRegister[] = [
  { name: 'el', bits: 64, apiName: 'el', kind: 'state', readOnly: true },
  { name: 'secure', bits: 64, apiName: 'secure', kind: 'state', readOnly: true },
  { name: 'cycles', bits: 64, apiName: 'cycles', kind: 'state', readOnly: true },
  { name: 'instructions', bits: 64, apiName: 'instructions', kind: 'state', readOnly: true },
];

/** All registers in GDB register-number order. */
export const GDB_REGISTERS: readonly GdbRegister[] = [...core, ...sys, ...state];
/** How many registers the `g` packet carries (the core feature). */
export const G_PACKET_REGS = core.length;

function regXml(r: GdbRegister, n: number, type: string, group?: string): string {
  return `    <reg name="${r.name}" bitsize="${r.bits}" regnum="${n}" type="${type}"${group === undefined ? '' : ` group="${group}"`}/>\n`;
}

/** target.xml */
export function targetXml(): string {
  let x = '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n';
  x += '  <architecture>aarch64</architecture>\n';
  x += '  <feature name="org.gnu.gdb.aarch64.core">\n';
  // PSTATE in SPSR form (Arm ARM C5.2.18): M[3:0], F I A D, IL, SS, PAN, V C Z N.
  x += '    <flags id="a64el_cpsr" size="4">\n';
  for (const [name, start, end] of [['SP', 0, 0], ['EL', 2, 3], ['F', 6, 6], ['I', 7, 7], ['A', 8, 8], ['D', 9, 9], ['IL', 20, 20],
    ['SS', 21, 21], ['PAN', 22, 22], ['V', 28, 28], ['C', 29, 29], ['Z', 30, 30], ['N', 31, 31]] as const) {
    x += `      <field name="${name}" start="${start}" end="${end}"/>\n`;
  }
  x += '    </flags>\n';
  GDB_REGISTERS.forEach((r, n) => {
    if (r.kind !== 'core') return;
    const type = r.name === 'sp' ? 'data_ptr' : r.name === 'pc' ? 'code_ptr' : r.name === 'cpsr' ? 'a64el_cpsr' : 'int';
    x += regXml(r, n, type);
  });
  x += '  </feature>\n  <feature name="org.a64el.sysregs">\n';
  GDB_REGISTERS.forEach((r, n) => { if (r.kind === 'sys') x += regXml(r, n, 'uint64', 'system'); });
  x += '  </feature>\n  <feature name="org.a64el.state">\n';
  GDB_REGISTERS.forEach((r, n) => { if (r.kind === 'state') x += regXml(r, n, 'uint64', 'system'); });
  x += '  </feature>\n</target>\n';
  return x;
}
