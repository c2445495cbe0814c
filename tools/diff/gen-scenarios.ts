/**
 * Generator of exception-scenario images for the exception-model differential test against QEMU
 * (docs/fidelity.md section 2).
 *
 * A scenario is a random combination of SCR_EL3 (NS, HCE, SMD, IRQ, FIQ, EA, RW, TWI, TWE), HCR_EL2 (TSC,
 * TGE, IMO, FMO, RW, TWI, TWE), the Exception level and stack the action runs at (entered by an ERET
 * from EL3, which may itself be an illegal return), NZCV and the DAIF masks, and one action: SVC, HVC,
 * SMC, BRK, UDF, a data abort (load/store), an instruction abort, a PC alignment fault, an UNDEFINED system-register access,
 * a trapped DAIFSet write or PMCCNTR_EL0 read, ERET at EL0, WFI (only where a trap applies), WFE or an SP alignment fault. The image prints the
 * configuration, then the EL and vector offset the exception was taken to, its ESR/ELR/SPSR (FAR for
 * aborts) and the ESR/ELR/SPSR/FAR of the other ELs (which must be untouched), and goes on to the next
 * scenario. Images are GNU as sources built on firmware-images/common.inc (included by path).
 *
 * How control gets back to EL3 whatever the configuration: MDCR_EL3.TPM = 1, so the handler's read
 * of PMCCNTR_EL0 at EL1 or EL2 traps to EL3 (Arm ARM D24.5 PMCCNTR_EL0 accessibility pseudocode;
 * D1.4.5.6 priorities), independent of every bit the scenarios vary.
 *
 * Where QEMU 7.2 departs from the Arm ARM (reference/arch-and-cycles.md section 9), a64el follows the
 * Arm ARM and the scenario is skipped by a named, cited rule (SKIP_RULES), never compared loosely.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, mixSeed } from './rng.js';

const here = dirname(fileURLToPath(import.meta.url));
export const COMMON_INC = join(here, '..', '..', 'firmware-images', 'common.inc');

export const MODES = { EL0t: 0x0, EL1t: 0x4, EL1h: 0x5, EL2t: 0x8, EL2h: 0x9, EL3t: 0xc, EL3h: 0xd } as const;
export type Mode = keyof typeof MODES;

export const ACTIONS = ['svc', 'hvc', 'smc', 'brk', 'udf', 'load-abort', 'store-abort', 'fetch-abort', 'pc-align', 'sysreg-undef', 'daif-trap', 'pmu-trap',
  'eret-el0', 'wfi', 'wfe', 'sp-align'] as const;
export type Action = typeof ACTIONS[number];

// SCR_EL3 (Arm ARM D24.2.169) and HCR_EL2 (D24.2.62) bits the scenarios vary.
export const SCR = { NS: 1 << 0, IRQ: 1 << 1, FIQ: 1 << 2, EA: 1 << 3, RES1: 0x30, SMD: 1 << 7, HCE: 1 << 8, RW: 1 << 10, TWI: 1 << 12, TWE: 1 << 13 } as const;
export const HCR = { FMO: 1 << 3, IMO: 1 << 4, TWI: 1 << 13, TWE: 1 << 14, TSC: 1 << 19, TGE: 1 << 27, RW: 2 ** 31 } as const;

/** A physical address where QEMU virt has nothing (past 128 MiB of DRAM): accesses are External aborts. */
export const HOLE = 0x4800_0000;

export interface Scenario {
  /** Index in the run (the scenario's seed is mixSeed(runSeed, id)). */
  id: number;
  from: Mode;
  scr: number;
  hcr: number;
  action: Action;
  imm: number;
  /** NZCV (bits 31:28) set right before the action, so saved SPSRs are deterministic. */
  nzcv: number;
  /** D, A, I, F masks (SPSR bits 9:6) of the state the action runs in. */
  daif: number;
  /** X0 at the action (an SMCCC/PSCI function ID for SMC/HVC, sometimes). */
  x0: number;
  /** Byte offset into the hole for aborts (8-aligned). */
  holeOffset: number;
}

export interface SkipRule {
  id: string;
  qemu: string;
  architecture: string;
  cite: string;
  applies: (s: Scenario) => boolean;
}

const elOf = (m: Mode): number => MODES[m] >> 2;
const ns = (s: Scenario): boolean => (s.scr & SCR.NS) !== 0;
/**
 * PSCI function IDs QEMU's PSCI emulation answers (target/arm/psci.c arm_is_psci_call). With the image
 * started at EL3 by -kernel on virt,secure=on QEMU does not intercept them (checked with --check-skips
 * while a 'psci-conduit' rule existed: every such SMC/HVC was an ordinary exception in both), so they
 * are generated and compared like any other X0.
 */
export const PSCI_IDS: readonly number[] = [0x8400_0000, 0x8400_0001, 0x8400_0002, 0x8400_0003, 0x8400_0004, 0x8400_0005, 0x8400_0006,
  0x8400_0008, 0x8400_0009, 0x8400_000a, 0xc400_0001, 0xc400_0003, 0xc400_0004, 0xc400_0005, 0x95c1_ba5e];

/**
 * Does a WFI/WFE at the scenario's EL trap, and where (Arm ARM ASL AArch64.CheckForWFxTrap)? EL0 is not
 * trapped by SCTLR_EL1.nTWx (common.inc sets them to 1). Returns the target EL or -1.
 */
export function wfxTrapTarget(s: Scenario, wfe: boolean): number {
  const el = elOf(s.from);
  const el2Enabled = ns(s);
  if (el <= 1 && el2Enabled && (s.hcr & (wfe ? HCR.TWE : HCR.TWI)) !== 0) return 2;
  if (el <= 2 && (s.scr & (wfe ? SCR.TWE : SCR.TWI)) !== 0) return 3;
  return -1;
}

/**
 * Is the ERET from EL3 to the scenario's mode an illegal return (Arm ARM D1.4.4.2; ASL
 * IllegalExceptionReturn)? Used only to balance the generator: illegal returns stay in the mix.
 */
export function illegalReturn(s: Scenario): boolean {
  const el = elOf(s.from);
  if (el === 3) return false;
  if ((s.scr & SCR.RW) === 0) return true;                         // EL2 and below AArch32
  if (el === 2) return !ns(s);                                      // Secure EL2 needs SCR_EL3.EEL2
  if (ns(s) && (s.hcr & HCR.RW) === 0) return true;                 // EL1 (and EL0) AArch32
  return el === 1 && ns(s) && (s.hcr & HCR.TGE) !== 0;             // EL1 with TGE: unusable
}

/** Rules about what the action does apply only when the ERET to the action's EL is legal. */
export const SKIP_RULES: readonly SkipRule[] = [
  {
    id: 'hvc-secure-el1',
    qemu: 'takes HVC at Secure EL1 to EL2 (HELPER(pre_hvc) hard-codes secure = false, a FIXME)',
    architecture: 'HVC at EL1 when EL2 is not enabled in the current Security state is UNDEFINED',
    cite: 'Arm ARM DDI0487 C6.2 HVC (Operation: "if EL == EL1 && !EL2Enabled() then UNDEFINED"), D1.4.9; reference/arch-and-cycles.md 4.3 and 9',
    applies: (s) => !illegalReturn(s) && s.action === 'hvc' && elOf(s.from) === 1 && !ns(s) && (s.scr & SCR.HCE) !== 0,
  },
  {
    id: 'hvc-el3',
    qemu: 'takes HVC executed at EL3 to EL2, a lower EL (translate-a64.c disas_exc passes target EL 2 to gen_exception_insn_el for every HVC)',
    architecture: 'HVC at EL3 (SCR_EL3.HCE = 1) is taken to EL3, to the current-EL vector; an exception is never taken to a lower EL',
    cite: 'Arm ARM ASL AArch64.CallHypervisor ("if PSTATE.EL == EL3 then AArch64.TakeException(EL3, ...)"), C6.2 HVC, D1.4.9; reference/arch-and-cycles.md 2.2',
    applies: (s) => s.action === 'hvc' && elOf(s.from) === 3 && (s.scr & SCR.HCE) !== 0,
  },
  {
    id: 'aa64-el0-under-aa32-el1',
    qemu: 'lets an ERET return to AArch64 EL0 while EL1 is configured AArch32 (HELPER(exception_return) checks the register width only for new_el != 0), then takes EL0 exceptions to an AArch32 EL1',
    architecture: 'the return is illegal: EL0 must use AArch32 when EL1 does, so SPSR.M[4] = 0 mismatches the target state (PSTATE.IL set, Illegal Execution state exception)',
    cite: 'Arm ARM ASL IllegalExceptionReturn / ELUsingAArch32K(EL0), D1.4.4.2 (illegal return: "the target Exception level is using AArch32 and SPSR.M[4] is 0"); reference/arch-and-cycles.md 5.2 row 6',
    applies: (s) => elOf(s.from) === 0 && ((s.scr & SCR.RW) === 0 || (ns(s) && (s.hcr & HCR.RW) === 0)),
  },
  {
    id: 'isv-el2',
    qemu: 'reports an instruction syndrome (ISV = 1, SAS, SRT, SF) for every data abort taken to EL2 (merge_syn_data_abort keys on target_el == 2), including EL2\'s own and host-EL0 aborts that are not stage-2 faults',
    architecture: 'in ESR_EL2, ISV is 0 except for stage 2 aborts on single-register loads/stores without writeback (and FEAT_LS64); these aborts are stage 1 / External, so ISV = 0 and ISS[23:14] are RES0',
    cite: 'Arm ARM DDI0487 D24.2.46 ESR_EL2, ISS encoding for an exception from a Data Abort, ISV: "For other faults reported in ESR_EL2, ISV is 0 except for the following stage 2 aborts"',
    applies: (s) => !illegalReturn(s) && (s.action === 'load-abort' || s.action === 'store-abort') && ns(s) && (s.scr & SCR.RW) !== 0 &&
      (elOf(s.from) === 2 || (elOf(s.from) === 0 && (s.hcr & HCR.TGE) !== 0)),
  },
  {
    id: 'ea-routing',
    qemu: 'ignores SCR_EL3.EA for synchronous External aborts: a load/store/fetch from a hole below EL3 is taken to EL1/EL2 as if EA were 0',
    architecture: 'SCR_EL3.EA = 1 routes synchronous External aborts (and SError) from every EL to EL3',
    cite: 'Arm ARM D24.2.169 SCR_EL3.EA; ASL AArch64.DataAbort / AArch64.InstructionAbort ("route_to_el3 = HaveEL(EL3) && SCR_EL3.EA == 1 && IsExternalAbort(fault)"); reference/arch-and-cycles.md 2.2',
    applies: (s) => !illegalReturn(s) && (s.action === 'load-abort' || s.action === 'store-abort' || s.action === 'fetch-abort') && (s.scr & SCR.EA) !== 0 && elOf(s.from) < 3,
  },
  {
    id: 'daif-imm-trap-iss',
    qemu: 'reports a trapped MSR DAIFSet/DAIFClr (immediate) at EL0 with Op1 and Op2 swapped in the ISS (daif_check passes op2 as Op1 and op1 as Op2 to syn_aa64_sysregtrap): ISS 0x0793e4 for DAIFSet #2 instead of 0x0cd3e4',
    architecture: 'ISS for EC 0x18 holds Op0[21:20], Op2[19:17], Op1[16:14], CRn[13:10], Rt[9:5], CRm[4:1], Direction[0] of the trapped instruction (MSR DAIFSet: op1 = 0b011, op2 = 0b110)',
    cite: 'Arm ARM D24.2.45 ESR_EL1, ISS encoding for an exception from MSR, MRS or System instruction execution in AArch64 state; C5.2.3 DAIF (EL0 access needs SCTLR_EL1.UMA); C6.2 MSR (immediate)',
    applies: (s) => !illegalReturn(s) && s.action === 'daif-trap' && elOf(s.from) === 0 && (s.imm & 3) < 2,
  },
  {
    id: 'wfe-trap',
    qemu: 'never traps WFE (treats it as YIELD: check_wfx_trap is not consulted for WFE)',
    architecture: 'WFE traps to EL2/EL3 per HCR_EL2.TWE / SCR_EL3.TWE (EC 0x01); without a trap it may wait for an event',
    cite: 'Arm ARM ASL AArch64.CheckForWFxTrap, D24.2.62 HCR_EL2.TWE, D24.2.169 SCR_EL3.TWE; reference/arch-and-cycles.md 4.5 and 9',
    applies: (s) => !illegalReturn(s) && s.action === 'wfe',
  },
  {
    id: 'sp-alignment',
    qemu: 'does not implement SP alignment checking',
    architecture: 'a load/store with SP as base and SP not 16-byte aligned takes an SP alignment fault (EC 0x26) when SCTLR_ELx.SA/SA0 = 1',
    cite: 'Arm ARM D1.3.10 (SP alignment checking), ASL CheckSPAlignment; ESR EC 0x26; reference/arch-and-cycles.md 3 and 9',
    applies: (s) => !illegalReturn(s) && s.action === 'sp-align',
  },
];

export function skipRuleFor(s: Scenario): SkipRule | undefined { return SKIP_RULES.find((r) => r.applies(s)); }

const bit = (rng: Rng, p: number, v: number): number => (rng.chance(p) ? v : 0);

/** Scenario `id` of run `seed` (independent of every other scenario, so one can be re-run alone). */
export function scenario(seed: number, id: number): Scenario {
  const rng = new Rng(mixSeed(seed, id), 0x5ce);
  for (;;) {
    const from = rng.pick(Object.keys(MODES) as Mode[]);
    const scr = (SCR.RES1 | bit(rng, 0.7, SCR.NS) | bit(rng, 0.25, SCR.IRQ) | bit(rng, 0.25, SCR.FIQ) | bit(rng, 0.25, SCR.EA) | bit(rng, 0.3, SCR.SMD) |
      bit(rng, 0.75, SCR.HCE) | bit(rng, 0.9, SCR.RW) | bit(rng, 0.2, SCR.TWI) | bit(rng, 0.2, SCR.TWE)) >>> 0;
    const hcr = (bit(rng, 0.25, HCR.FMO) | bit(rng, 0.25, HCR.IMO) | bit(rng, 0.2, HCR.TWI) | bit(rng, 0.2, HCR.TWE) |
      bit(rng, 0.4, HCR.TSC) | bit(rng, 0.25, HCR.TGE) | bit(rng, 0.9, HCR.RW)) >>> 0;
    const r = rng.int(100);
    const action: Action = r < 14 ? 'svc' : r < 28 ? 'hvc' : r < 44 ? 'smc' : r < 52 ? 'brk' : r < 60 ? 'udf' : r < 67 ? 'load-abort' :
      r < 73 ? 'store-abort' : r < 77 ? 'fetch-abort' : r < 80 ? 'pc-align' : r < 83 ? 'sysreg-undef' : r < 86 ? 'daif-trap' : r < 89 ? 'pmu-trap' :
      r < 91 ? 'eret-el0' : r < 97 ? 'wfi' : r < 98 ? 'wfe' : 'sp-align';
    const s: Scenario = {
      id, from, scr, hcr, action, imm: rng.chance(0.3) ? 0 : rng.bits(16),
      nzcv: (rng.bits(4) << 28) >>> 0, daif: rng.bits(4) << 6,
      x0: rng.chance(0.1) ? rng.pick(PSCI_IDS) : rng.chance(0.5) ? rng.bits(16) : rng.u32(),
      holeOffset: 8 * rng.int(0x2000),
    };
    if (illegalReturn(s) && rng.chance(0.6)) continue;             // keep about a tenth illegal returns
    if (s.action === 'eret-el0' && from !== 'EL0t') continue;      // ERET elsewhere would jump to wherever ELR points
    if (s.action === 'wfi' && wfxTrapTarget(s, false) < 0) continue; // an untrapped WFI would halt for ever
    if (s.action === 'wfe' && wfxTrapTarget(s, true) < 0) continue;
    return s;
  }
}

const hex = (v: number, w = 8): string => `0x${(v >>> 0).toString(16).padStart(w, '0')}`;

/** The one-line description a scenario prints first (also its key in reports). */
export function describe(s: Scenario): string {
  const act = ['svc', 'hvc', 'smc', 'brk', 'udf'].includes(s.action) ? `${s.action} #${hex(s.imm, 4)}` : s.action === 'daif-trap' ? `daif-trap (${daifVariant(s)})` : s.action;
  return `S${s.id} from=${s.from} scr=${hex(s.scr)} hcr=${hex(s.hcr)} nzcv=${(s.nzcv >>> 28).toString(16)} daif=${(s.daif >>> 6).toString(16)} x0=${hex(s.x0)} ${act}`;
}

/** The DAIF access of a 'daif-trap' scenario: MSR DAIFSet/DAIFClr (immediate), MRS or MSR DAIF (register). */
export function daifVariant(s: Scenario): string {
  const k = (s.imm >>> 2) & 15;
  return [`msr daifset, #${k}`, `msr daifclr, #${k}`, 'mrs x1, daif', 'msr daif, x1'][s.imm & 3]!;
}

function actionAsm(s: Scenario, p: string): string[] {
  const hole = HOLE + s.holeOffset;
  const pre: string[] = [`li x0, ${hex(s.x0)}`];
  let act: string[];
  switch (s.action) {
    case 'svc': case 'hvc': case 'smc': case 'brk': case 'udf': act = [`${s.action} #${hex(s.imm, 4)}`]; break;
    case 'load-abort': pre.push(`li x2, ${hex(hole)}`); act = ['ldr x1, [x2]']; break;
    case 'store-abort': pre.push(`li x2, ${hex(hole)}`); act = ['str x1, [x2]']; break;
    // RET, not BR: leaves PSTATE.BTYPE at 0 (QEMU implements FEAT_BTI, firmware-images/README.md).
    case 'fetch-abort': pre.push(`li x1, ${hex(hole)}`); act = ['ret x1']; break;
    // A branch to a misaligned address: PC alignment fault (EC 0x22) at the target, ELR = FAR = that address (D1.4.10.1).
    case 'pc-align': pre.push(`adr x1, ${p}_act`, `add x1, x1, #${1 + (s.imm % 3)}`); act = ['ret x1']; break;
    case 'sysreg-undef': act = ['mrs x1, scr_el3']; break;
    // EL0 with SCTLR_EL1.UMA = 0: DAIF accesses trap (EC 0x18) to EL1, or EL2 with TGE (Arm ARM C5.2.3).
    case 'daif-trap': act = [daifVariant(s)]; break;
    // EL0 with PMUSERENR_EL0.EN = 0 traps to EL1 (EL2 with TGE); EL1/EL2 trap to EL3 by MDCR_EL3.TPM (D24.5).
    case 'pmu-trap': act = ['mrs x1, pmccntr_el0']; break;
    case 'eret-el0': act = ['eret']; break;
    case 'wfi': act = ['wfi']; break;
    // ERET sets the event register, so a first WFE only clears it; the second would wait, so it traps
    // (ASL: WFE checks AArch64.CheckForWFxTrap only when the event register is clear).
    case 'wfe': pre.push('wfe'); act = ['wfe']; break;
    case 'sp-align': pre.push('mov x1, sp', 'sub x1, x1, #8', 'mov sp, x1'); act = ['ldr x1, [sp]']; break;
  }
  return [
    ...pre,
    `set_nzcv ${hex(s.nzcv)}`,
    `${p}_act:`,
    ...act,
    'brk #0xdead                     // only reached if the action raised nothing',
  ];
}

/** GNU as source of one scenario (at EL3 when entered; ends by branching to `next`). */
export function scenarioAsm(s: Scenario, next: string): string {
  const p = `s${s.id}`;
  const spsr = MODES[s.from] | s.daif;
  const lines: string[] = [
    `${p}:`,
    'bl scen_reset',
    `putln "${describe(s)}"`,
    `li x0, ${hex(s.scr)}`,
    'msr scr_el3, x0',
    `li x0, ${hex(s.hcr)}`,
    'msr hcr_el2, x0',
  ];
  if (s.action === 'sp-align') {
    lines.push('mrs x0, sctlr_el1', 'orr x0, x0, #0x18', 'msr sctlr_el1, x0',          // SA0, SA
      'mrs x0, sctlr_el2', 'orr x0, x0, #0x8', 'msr sctlr_el2, x0', 'mrs x0, sctlr_el3', 'orr x0, x0, #0x8', 'msr sctlr_el3, x0');
  }
  lines.push(
    `adr x0, ${p}_cont`,
    'ldr x1, =rec_next',
    'str x0, [x1]',
    'isb',
    `li x17, ${hex(spsr)}`,
    'msr spsr_el3, x17',
    `adr x17, ${p}_body`,
    'msr elr_el3, x17',
    'eret                            // to the scenario\'s EL (or an illegal return)',
    `${p}_body:`,
    ...actionAsm(s, p),
    `${p}_cont:`,
    'bl print_record',
    `b ${next}`,
    '.ltorg',
  );
  return lines.map((l) => (l.endsWith(':') ? l : `        ${l}`)).join('\n');
}

/** The fixed part of every scenario image: main, vectors, handlers, record printing. */
function imagePrologue(first: string): string {
  const vt = (el: number): string => [
    '        .section .text.vectors, "ax"',
    '        .balign 0x800',
    `diff_vectors_el${el}:`,
    ...Array.from({ length: 16 }, (_, i) => `        ventry ${el}, ${hex(i * 0x80, 3)}, diff_el${el}`),
    '        .text',
  ].join('\n');
  const record = (el: number): string => `
        mov     x1, #${el}
        str     x1, [x0, #0]
        str     x18, [x0, #8]
        mrs     x1, esr_el${el}
        str     x1, [x0, #16]
        mrs     x1, elr_el${el}
        str     x1, [x0, #24]
        mrs     x1, spsr_el${el}
        str     x1, [x0, #32]
        mrs     x1, far_el${el}
        str     x1, [x0, #40]
        mov     x1, #1
        str     x1, [x0, #48]
        dsb     sy`;
  const lowerHandler = (el: number): string => `
diff_el${el}:
        ldr     x0, =rec
        ldr     x1, [x0, #48]
        cbnz    x1, escape_failed
${record(el)}
        mrs     x1, pmccntr_el0         // MDCR_EL3.TPM = 1: traps to EL3 (Arm ARM D24.5 PMCCNTR_EL0)
        b       escape_failed`;
  const otherEl = (el: number): string => `
        cmp     x20, #${el}
        b.eq    1f
        show_sysreg ESR_EL${el}
        show_sysreg ELR_EL${el}
        show_sysreg SPSR_EL${el}
        show_sysreg FAR_EL${el}
1:`;
  return `// SPDX-License-Identifier: MIT
// Generated by tools/diff/gen-scenarios.ts (a64el exception-model differential test). Do not edit.
        .include "${COMMON_INC}"

        .text
main:
        mrs     x0, mdcr_el3
        orr     x0, x0, #(1 << 6)       // MDCR_EL3.TPM: PMU accesses below EL3 trap to EL3 (the escape)
        msr     mdcr_el3, x0
        mrs     x0, mdcr_el2
        bic     x0, x0, #(1 << 6)       // MDCR_EL2.TPM = 0
        msr     mdcr_el2, x0
        adr     x0, diff_vectors_el3
        msr     vbar_el3, x0
        adr     x0, diff_vectors_el2
        msr     vbar_el2, x0
        adr     x0, diff_vectors_el1
        msr     vbar_el1, x0
        isb
        b       ${first}

        // EL3: known state before each scenario (stacks, SCTLRs, the other ELs' syndrome registers, record).
scen_reset:
        ldr     x0, =stack_el0_top
        msr     sp_el0, x0
        ldr     x0, =stack_el1_top
        msr     sp_el1, x0
        ldr     x0, =stack_el2_top
        msr     sp_el2, x0
        ldr     x0, =SCTLR_EL23_DEFAULT
        msr     sctlr_el3, x0
        msr     sctlr_el2, x0
        ldr     x0, =SCTLR_EL1_DEFAULT
        msr     sctlr_el1, x0
        msr     esr_el1, xzr
        msr     elr_el1, xzr
        msr     spsr_el1, xzr
        msr     far_el1, xzr
        msr     esr_el2, xzr
        msr     elr_el2, xzr
        msr     spsr_el2, xzr
        msr     far_el2, xzr
        ldr     x0, =rec
        stp     xzr, xzr, [x0, #0]
        stp     xzr, xzr, [x0, #16]
        stp     xzr, xzr, [x0, #32]
        stp     xzr, xzr, [x0, #48]
        isb
        ret

        // EL3: print where the exception went and every EL's syndrome registers.
print_record:
        stp     x29, x30, [sp, #-16]!
        ldr     x19, =rec
        ldr     x20, [x19, #0]
        show    "  EL", x20
        ldr     x21, [x19, #8]
        show    "  vector", x21
        ldr     x21, [x19, #16]
        show    "  ESR", x21
        ldr     x21, [x19, #24]
        show    "  ELR", x21
        ldr     x21, [x19, #32]
        show    "  SPSR", x21
        // FAR only where the Arm ARM defines it: aborts and PC alignment (EC 0x20-0x25); else UNKNOWN (RZTSSH).
        ldr     x21, [x19, #16]
        lsr     x21, x21, #26
        sub     x21, x21, #0x20
        cmp     x21, #5
        b.hi    2f
        ldr     x21, [x19, #40]
        show    "  FAR", x21
2:${otherEl(1)}${otherEl(2)}
        ldp     x29, x30, [sp], #16
        ret

${lowerHandler(1)}
${lowerHandler(2)}

diff_el3:
        ldr     x0, =rec
        ldr     x1, [x0, #48]
        cbnz    x1, 1f                  // the escape from EL1/EL2: already recorded
${record(3)}
1:      ldr     x0, =stack_el3_top      // abandon the frame: each scenario starts afresh
        mov     sp, x0
        ldr     x0, =rec_next
        ldr     x0, [x0]
        ret     x0

escape_failed:
        putln   "ESCAPE FAILED"
        mov     x0, #3
        b       sys_exit
        .ltorg

${vt(1)}
${vt(2)}
${vt(3)}

        .bss
        .balign 16
rec:    .skip   64                      // el, vector, esr, elr, spsr, far, done
rec_next:
        .skip   16
        .text
`;
}

/** A whole image running `scenarios` in order, then `finish` (PASS, exit 0). */
export function imageSource(scenarios: readonly Scenario[]): string {
  if (scenarios.length === 0) throw new RangeError('an image needs at least one scenario');
  const parts = [imagePrologue(`s${scenarios[0]!.id}`)];
  scenarios.forEach((s, i) => parts.push(scenarioAsm(s, i + 1 < scenarios.length ? `s${scenarios[i + 1]!.id}` : 'finish')));
  return `${parts.join('\n\n')}\n`;
}
