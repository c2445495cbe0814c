/**
 * System registers from one table (Arm ARM D24; encodings verified with GNU as in reference
 * arch-and-cycles.md 6.3): encoding, storage, lowest EL allowed, access rule, RES0/RES1 masks.
 * An access from too low an EL, or to an encoding not in the table, is UNDEFINED (EC 0x00); registers
 * with a trap control report EC 0x18 to the EL that the control names.
 */
import * as L from './layout.js';
import { type CpuState, packNzcv, restoreSp, saveSp, unpackNzcv } from './cpu-state.js';

/** Access rules beyond the minimum EL (Arm ARM per-register accessibility pseudocode). */
export const enum Rule {
  Plain = 0,
  ReadOnly,
  CurrentEl,
  SpSel,
  Daif,
  Nzcv,
  Pan,
  SpEl0,
  SpEl1,
  SpEl2,
  Counter,        // CNTPCT_EL0 / CNTVCT_EL0
  CntFrq,
  Pmccntr,
  PmuEl0,         // PMCR_EL0, PMCNTENSET_EL0... EL0 access needs PMUSERENR_EL0.EN
  PmUserEnr,      // read-only at EL0
  TpidrroEl0,     // read-only at EL0
  Mpidr,
  Midr,
  Const,          // read-only constant (ID registers)
  El2Reg,         // needs EL2 implemented
  El3Reg,         // needs EL3 implemented
  Pmcr,
  PmCntEnSet,
  PmCntEnClr,
  Cntkctl,
  Dczid,          // DCZID_EL0: read-only, DZP computed from SCTLR_EL1.DZE / HCR_EL2.TDZ
  FpReg,          // FPCR/FPSR: the SIMD&FP access check (EC 0x07), run by exec/ops/fp-simd.ts, never inlined
  Cpacr,          // CPACR_EL1: CPTR_EL2.TCPAC traps EL1 to EL2, CPTR_EL3.TCPAC traps EL1/EL2 to EL3
  CptrEl2,        // CPTR_EL2: needs EL2; CPTR_EL3.TCPAC traps EL2 to EL3
}

export interface SysRegRow {
  name: string;
  op0: number; op1: number; crn: number; crm: number; op2: number;
  /** Word offset of the 64-bit storage, or -1 for computed registers. */
  off: number;
  minEl: number;
  rule: Rule;
  /** Bits that read as zero and ignore writes / read as one (for the fields modelled). */
  res0?: bigint;
  res1?: bigint;
  /** Value for Rule.Const, or reset value for storage registers. */
  value?: bigint;
}

const R = (name: string, op0: number, op1: number, crn: number, crm: number, op2: number, off: number,
  minEl: number, rule: Rule = Rule.Plain, extra: Partial<SysRegRow> = {}): SysRegRow =>
  ({ name, op0, op1, crn, crm, op2, off, minEl, rule, ...extra });

/** DCZID_EL0.BS: log2 of the DC ZVA block size in words (4 = 64 bytes, the cache line of CTR_EL0). */
export const DCZID_BS = 4;

/**
 * ID_AA64PFR0_EL1: EL0..EL3 AArch64 only (0x1111); FP = 0b0000 and AdvSIMD = 0b0000 (implemented, no
 * half precision): the SIMD&FP register file, FPCR/FPSR and their access traps exist. Only a subset of
 * the instructions executes (docs/fidelity.md); QEMU -cpu max reports FP16 (0b0001) here.
 */
export const ID_AA64PFR0_VALUE = 0x00000000_00001111n;
/** ID_AA64ISAR0_EL1: Atomic [23:20] = 0b0010 (FEAT_LSE), CRC32 [19:16] = 0b0001 (FEAT_CRC32). */
export const ID_AA64ISAR0_VALUE = 0x00000000_00210000n;

export const SYSREG_TABLE: readonly SysRegRow[] = [
  // Special-purpose registers (C5.2)
  R('CurrentEL', 3, 0, 4, 2, 2, -1, 1, Rule.CurrentEl),
  R('SPSel', 3, 0, 4, 2, 0, -1, 1, Rule.SpSel),
  R('DAIF', 3, 3, 4, 2, 1, -1, 0, Rule.Daif),
  R('NZCV', 3, 3, 4, 2, 0, -1, 0, Rule.Nzcv),
  R('PAN', 3, 0, 4, 2, 3, -1, 1, Rule.Pan),
  R('SP_EL0', 3, 0, 4, 1, 0, L.SP_EL + 0, 1, Rule.SpEl0),
  R('SP_EL1', 3, 4, 4, 1, 0, L.SP_EL + 2, 2, Rule.SpEl1),
  R('SP_EL2', 3, 6, 4, 1, 0, L.SP_EL + 4, 3, Rule.SpEl2),
  R('SPSR_EL1', 3, 0, 4, 0, 0, L.SPSR_EL + 2, 1),
  R('ELR_EL1', 3, 0, 4, 0, 1, L.ELR_EL + 2, 1),
  R('SPSR_EL2', 3, 4, 4, 0, 0, L.SPSR_EL + 4, 2, Rule.El2Reg),
  R('ELR_EL2', 3, 4, 4, 0, 1, L.ELR_EL + 4, 2, Rule.El2Reg),
  R('SPSR_EL3', 3, 6, 4, 0, 0, L.SPSR_EL + 6, 3, Rule.El3Reg),
  R('ELR_EL3', 3, 6, 4, 0, 1, L.ELR_EL + 6, 3, Rule.El3Reg),
  // Exception syndrome, fault address, vector base (D24.2)
  R('ESR_EL1', 3, 0, 5, 2, 0, L.ESR_EL + 2, 1, Rule.Plain, { res0: 0xffffff00_00000000n }),
  R('ESR_EL2', 3, 4, 5, 2, 0, L.ESR_EL + 4, 2, Rule.El2Reg, { res0: 0xffffff00_00000000n }),
  R('ESR_EL3', 3, 6, 5, 2, 0, L.ESR_EL + 6, 3, Rule.El3Reg, { res0: 0xffffff00_00000000n }),
  R('FAR_EL1', 3, 0, 6, 0, 0, L.FAR_EL + 2, 1),
  R('FAR_EL2', 3, 4, 6, 0, 0, L.FAR_EL + 4, 2, Rule.El2Reg),
  R('FAR_EL3', 3, 6, 6, 0, 0, L.FAR_EL + 6, 3, Rule.El3Reg),
  R('HPFAR_EL2', 3, 4, 6, 0, 4, L.HPFAR_EL2, 2, Rule.El2Reg),
  R('VBAR_EL1', 3, 0, 12, 0, 0, L.VBAR_EL + 2, 1, Rule.Plain, { res0: 0x7ffn }),
  R('VBAR_EL2', 3, 4, 12, 0, 0, L.VBAR_EL + 4, 2, Rule.El2Reg, { res0: 0x7ffn }),
  R('VBAR_EL3', 3, 6, 12, 0, 0, L.VBAR_EL + 6, 3, Rule.El3Reg, { res0: 0x7ffn }),
  // System control
  R('SCTLR_EL1', 3, 0, 1, 0, 0, L.SCTLR_EL + 2, 1),
  R('SCTLR_EL2', 3, 4, 1, 0, 0, L.SCTLR_EL + 4, 2, Rule.El2Reg),
  R('SCTLR_EL3', 3, 6, 1, 0, 0, L.SCTLR_EL + 6, 3, Rule.El3Reg),
  R('ACTLR_EL1', 3, 0, 1, 0, 1, L.ACTLR_EL + 2, 1),
  R('ACTLR_EL2', 3, 4, 1, 0, 1, L.ACTLR_EL + 4, 2, Rule.El2Reg),
  R('ACTLR_EL3', 3, 6, 1, 0, 1, L.ACTLR_EL + 6, 3, Rule.El3Reg),
  // CPACR_EL1 (D24.2.32): FPEN [21:20], TTA [28]; ZEN/SMEN (no SVE/SME) and the rest RES0.
  R('CPACR_EL1', 3, 0, 1, 0, 2, L.CPACR_EL1, 1, Rule.Cpacr, { res0: ~0x10300000n & 0xffffffff_ffffffffn }),
  R('HCR_EL2', 3, 4, 1, 1, 0, L.HCR_EL2, 2, Rule.El2Reg),
  R('MDCR_EL2', 3, 4, 1, 1, 1, L.MDCR_EL2, 2, Rule.El2Reg),
  // CPTR_EL2 with HCR_EL2.E2H = 0 (D24.2.39; no FEAT_VHE): TCPAC [31], TTA [20], TFP [10]; RES1 [13:12]
  // and [9:0] (TSM and TZ are RES1 without SME/SVE); the rest RES0. Reset 0 as in QEMU 7.2 (an EL3
  // image reads 0 before writing it; RES1 bits read as one after a write).
  R('CPTR_EL2', 3, 4, 1, 1, 2, L.CPTR_EL2, 2, Rule.CptrEl2, { res0: ~0x801037ffn & 0xffffffff_ffffffffn, res1: 0x33ffn }),
  R('HSTR_EL2', 3, 4, 1, 1, 3, L.HSTR_EL2, 2, Rule.El2Reg),
  R('SCR_EL3', 3, 6, 1, 1, 0, L.SCR_EL3, 3, Rule.El3Reg, { res1: 0x30n }),
  R('MDCR_EL3', 3, 6, 1, 3, 1, L.MDCR_EL3, 3, Rule.El3Reg),
  // CPTR_EL3 (D24.2.40): TCPAC [31], TTA [20], TFP [10]; EZ/ESM (no SVE/SME) and the rest RES0.
  R('CPTR_EL3', 3, 6, 1, 1, 2, L.CPTR_EL3, 3, Rule.El3Reg, { res0: ~0x80100400n & 0xffffffff_ffffffffn }),
  // Translation controls: stored only (stage 1 is not modelled)
  R('TTBR0_EL1', 3, 0, 2, 0, 0, L.TTBR0_EL + 2, 1),
  R('TCR_EL1', 3, 0, 2, 0, 2, L.TCR_EL + 2, 1),
  R('MAIR_EL1', 3, 0, 10, 2, 0, L.MAIR_EL + 2, 1),
  R('TTBR0_EL2', 3, 4, 2, 0, 0, L.TTBR0_EL + 4, 2, Rule.El2Reg),
  R('TCR_EL2', 3, 4, 2, 0, 2, L.TCR_EL + 4, 2, Rule.El2Reg),
  R('MAIR_EL2', 3, 4, 10, 2, 0, L.MAIR_EL + 4, 2, Rule.El2Reg),
  R('TTBR0_EL3', 3, 6, 2, 0, 0, L.TTBR0_EL + 6, 3, Rule.El3Reg),
  R('TCR_EL3', 3, 6, 2, 0, 2, L.TCR_EL + 6, 3, Rule.El3Reg),
  R('MAIR_EL3', 3, 6, 10, 2, 0, L.MAIR_EL + 6, 3, Rule.El3Reg),
  R('VTTBR_EL2', 3, 4, 2, 1, 0, L.VTTBR_EL2, 2, Rule.El2Reg),
  R('VTCR_EL2', 3, 4, 2, 1, 2, L.VTCR_EL2, 2, Rule.El2Reg),
  R('CONTEXTIDR_EL1', 3, 0, 13, 0, 1, L.CONTEXTIDR_EL1, 1),
  R('AFSR0_EL1', 3, 0, 5, 1, 0, L.AFSR0_EL + 2, 1),
  R('AFSR1_EL1', 3, 0, 5, 1, 1, L.AFSR1_EL + 2, 1),
  // SIMD&FP control and status (C5.2.7, C5.2.8). MRS/MSR of these two run in exec/ops/fp-simd.ts (the
  // SIMD&FP access check, EC 0x07); the rows give them names and storage for the API and disassembly.
  R('FPCR', 3, 3, 4, 4, 0, L.FPCR, 0, Rule.FpReg, { res0: ~0x07f70000n & 0xffffffff_ffffffffn }),
  R('FPSR', 3, 3, 4, 4, 1, L.FPSR, 0, Rule.FpReg, { res0: ~0x0800009fn & 0xffffffff_ffffffffn }),
  // Thread ID registers
  R('TPIDR_EL0', 3, 3, 13, 0, 2, L.TPIDR_EL + 0, 0),
  R('TPIDRRO_EL0', 3, 3, 13, 0, 3, L.TPIDRRO_EL0, 0, Rule.TpidrroEl0),
  R('TPIDR_EL1', 3, 0, 13, 0, 4, L.TPIDR_EL + 2, 1),
  R('TPIDR_EL2', 3, 4, 13, 0, 2, L.TPIDR_EL + 4, 2, Rule.El2Reg),
  R('TPIDR_EL3', 3, 6, 13, 0, 2, L.TPIDR_EL + 6, 3, Rule.El3Reg),
  // Identification
  R('MIDR_EL1', 3, 0, 0, 0, 0, L.MIDR_EL1, 1, Rule.Midr),
  R('MPIDR_EL1', 3, 0, 0, 0, 5, L.MPIDR_EL1, 1, Rule.Mpidr),
  R('VPIDR_EL2', 3, 4, 0, 0, 0, L.VPIDR_EL2, 2, Rule.El2Reg),
  R('VMPIDR_EL2', 3, 4, 0, 0, 5, L.VMPIDR_EL2, 2, Rule.El2Reg),
  R('ID_AA64PFR0_EL1', 3, 0, 0, 4, 0, -1, 1, Rule.Const, { value: ID_AA64PFR0_VALUE }),
  R('ID_AA64PFR1_EL1', 3, 0, 0, 4, 1, -1, 1, Rule.Const, { value: 0n }),
  R('ID_AA64DFR0_EL1', 3, 0, 0, 5, 0, -1, 1, Rule.Const, { value: 0x0000_0000_0000_0106n }),
  R('ID_AA64ISAR0_EL1', 3, 0, 0, 6, 0, -1, 1, Rule.Const, { value: ID_AA64ISAR0_VALUE }),
  R('ID_AA64ISAR1_EL1', 3, 0, 0, 6, 1, -1, 1, Rule.Const, { value: 0n }),
  // PARange 0b0101 = 48 bits; 4 KiB granule only (TGran4=0, TGran64=0xF, TGran16=0).
  R('ID_AA64MMFR0_EL1', 3, 0, 0, 7, 0, -1, 1, Rule.Const, { value: 0x0000_0000_0f00_0005n }),
  R('ID_AA64MMFR1_EL1', 3, 0, 0, 7, 1, -1, 1, Rule.Const, { value: 0x0000_0000_0010_0000n }),
  R('ID_AA64MMFR2_EL1', 3, 0, 0, 7, 2, -1, 1, Rule.Const, { value: 0n }),
  R('REVIDR_EL1', 3, 0, 0, 0, 6, -1, 1, Rule.Const, { value: 0n }),
  R('CTR_EL0', 3, 3, 0, 0, 1, -1, 1, Rule.Const, { value: 0x8444c004n }),
  R('DCZID_EL0', 3, 3, 0, 0, 7, -1, 0, Rule.Dczid),
  // Generic timer (D24.10)
  R('CNTFRQ_EL0', 3, 3, 14, 0, 0, L.CNTFRQ_EL0, 0, Rule.CntFrq),
  R('CNTPCT_EL0', 3, 3, 14, 0, 1, -1, 0, Rule.Counter),
  R('CNTVCT_EL0', 3, 3, 14, 0, 2, -1, 0, Rule.Counter),
  R('CNTKCTL_EL1', 3, 0, 14, 1, 0, L.CNTKCTL_EL1, 1, Rule.Cntkctl),
  R('CNTHCTL_EL2', 3, 4, 14, 1, 0, L.CNTHCTL_EL2, 2, Rule.El2Reg),
  R('CNTVOFF_EL2', 3, 4, 14, 0, 3, L.CNTVOFF_EL2, 2, Rule.El2Reg),
  // Performance monitors (D24.5): the cycle counter only
  R('PMCR_EL0', 3, 3, 9, 12, 0, L.PMCR_EL0, 0, Rule.Pmcr),
  R('PMCNTENSET_EL0', 3, 3, 9, 12, 1, L.PMCNTENSET_EL0, 0, Rule.PmCntEnSet),
  R('PMCNTENCLR_EL0', 3, 3, 9, 12, 2, L.PMCNTENSET_EL0, 0, Rule.PmCntEnClr),
  R('PMCCNTR_EL0', 3, 3, 9, 13, 0, -1, 0, Rule.Pmccntr),
  R('PMUSERENR_EL0', 3, 3, 9, 14, 0, L.PMUSERENR_EL0, 0, Rule.PmUserEnr),
  R('PMCCFILTR_EL0', 3, 3, 14, 15, 7, L.PMCCFILTR_EL0, 0, Rule.PmuEl0),
];

export function sysRegKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return ((op0 & 3) << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

/** Key (16 bits of the MRS/MSR encoding, bits 20:5) -> row index + 1 (0 = not in the table). */
const INDEX = new Int16Array(1 << 16);
SYSREG_TABLE.forEach((r, i) => { INDEX[sysRegKey(r.op0, r.op1, r.crn, r.crm, r.op2)] = i + 1; });

/** Row index for the op0..op2 fields of an MRS/MSR word (bits 20:5), or -1. */
export function sysRegIndex(word: number): number {
  return INDEX[(word >>> 5) & 0xffff]! - 1;
}

/** Access-check outcomes. */
export const ACCESS_OK = 0;
export const ACCESS_UNDEFINED = -1;
/** 1..3: trap with EC 0x18 to that EL. */

const HCR_TGE = 1 << 27;
const CPTR_TCPAC = 1 << 31;
const MDCR_TPM = 1 << 6;

/**
 * Can the current EL access register `idx` (read or write)? Returns ACCESS_OK, ACCESS_UNDEFINED, or
 * the EL (1..3) to which the access traps with EC 0x18. Follows the accessibility pseudocode of each
 * register (reference arch-and-cycles.md 6.4); no FEAT_NV, FEAT_FGT or FEAT_VHE.
 */
export function checkSysRegAccess(s: Int32Array, idx: number, read: boolean): number {
  const r = SYSREG_TABLE[idx]!;
  const el = s[L.PSTATE_EL]!;
  const impl = s[L.IMPL_ELS]!;
  if (el < r.minEl) return ACCESS_UNDEFINED;
  const nsEl2 = (impl & 4) !== 0 && ((impl & 8) === 0 || (s[L.SCR_EL3]! & 1) !== 0);
  const el0Target = nsEl2 && (s[L.HCR_EL2]! & HCR_TGE) !== 0 ? 2 : 1;
  switch (r.rule) {
    case Rule.Plain: return ACCESS_OK;
    case Rule.ReadOnly: case Rule.Const: case Rule.CurrentEl: case Rule.Midr: case Rule.Mpidr:
      return read ? ACCESS_OK : ACCESS_UNDEFINED;
    case Rule.El2Reg: return (impl & 4) !== 0 ? ACCESS_OK : ACCESS_UNDEFINED;
    case Rule.El3Reg: return (impl & 8) !== 0 ? ACCESS_OK : ACCESS_UNDEFINED;
    case Rule.SpSel: case Rule.Pan: case Rule.Nzcv: return ACCESS_OK;
    case Rule.SpEl0: return s[L.PSTATE_SP] === 0 ? ACCESS_UNDEFINED : ACCESS_OK;
    case Rule.SpEl1: return ACCESS_OK;
    case Rule.SpEl2: return (impl & 4) !== 0 ? ACCESS_OK : ACCESS_UNDEFINED;
    case Rule.Daif:
      // C5.2.3: at EL0 traps unless SCTLR_EL1.UMA (SCTLR_EL2 when TGE) is 1.
      if (el === 0 && (s[L.SCTLR_EL + 2 * el0Target]! & (1 << 9)) === 0) return el0Target;
      return ACCESS_OK;
    case Rule.TpidrroEl0: return el === 0 && !read ? ACCESS_UNDEFINED : ACCESS_OK;
    case Rule.Counter: {
      // D24.10: EL0 needs CNTKCTL_EL1.EL0PCTEN/EL0VCTEN; EL1 physical count needs CNTHCTL_EL2.EL1PCTEN.
      const virt = r.op2 === 2;
      if (el === 0 && (s[L.CNTKCTL_EL1]! & (virt ? 2 : 1)) === 0) return el0Target;
      if (el <= 1 && !virt && nsEl2 && (el !== 0 || el0Target === 1) && (s[L.CNTHCTL_EL2]! & 1) === 0) return 2;
      return ACCESS_OK;
    }
    case Rule.CntFrq:
      if (!read) return el === highestEl(impl) ? ACCESS_OK : ACCESS_UNDEFINED;
      if (el === 0 && (s[L.CNTKCTL_EL1]! & 3) === 0) return el0Target;
      return ACCESS_OK;
    case Rule.Cntkctl: return ACCESS_OK;
    // CPACR_EL1 / CPTR_EL2 accessibility pseudocode (D24.2.32, D24.2.39; no FEAT_NV): TCPAC is bit 31.
    case Rule.Cpacr:
      if (el === 1 && nsEl2 && (s[L.CPTR_EL2]! & CPTR_TCPAC) !== 0) return 2;
      if (el <= 2 && (impl & 8) !== 0 && (s[L.CPTR_EL3]! & CPTR_TCPAC) !== 0) return 3;
      return ACCESS_OK;
    case Rule.CptrEl2:
      if ((impl & 4) === 0) return ACCESS_UNDEFINED;
      if (el === 2 && (impl & 8) !== 0 && (s[L.CPTR_EL3]! & CPTR_TCPAC) !== 0) return 3;
      return ACCESS_OK;
    case Rule.Dczid: return read ? ACCESS_OK : ACCESS_UNDEFINED;
    case Rule.Pmccntr: case Rule.Pmcr: case Rule.PmCntEnSet: case Rule.PmCntEnClr: case Rule.PmuEl0: case Rule.PmUserEnr: {
      // D24.5: EL0 access needs PMUSERENR_EL0.EN (bit 0; CR bit 2 allows reading PMCCNTR).
      if (el === 0) {
        if (r.rule === Rule.PmUserEnr) { if (!read) return ACCESS_UNDEFINED; }
        else {
          const en = s[L.PMUSERENR_EL0]!;
          const ok = (en & 1) !== 0 || (r.rule === Rule.Pmccntr && read && (en & 4) !== 0);
          if (!ok) return el0Target;
        }
      }
      if (el <= 1 && nsEl2 && (s[L.MDCR_EL2]! & MDCR_TPM) !== 0) return 2;
      if (el <= 2 && (impl & 8) !== 0 && (s[L.MDCR_EL3]! & MDCR_TPM) !== 0) return 3;
      return ACCESS_OK;
    }
  }
  return ACCESS_OK;
}

function highestEl(impl: number): number { return impl & 8 ? 3 : impl & 4 ? 2 : 1; }

/** High half of the last readSysReg result. */
export let sysRegHi = 0;

/** Generic timer count derived from cycles (D24.10): cycles * CNTFRQ / cpuHz, exact and deterministic. */
function counterValue(cpu: CpuState, virt: boolean): number {
  const s = cpu.s;
  const f = cpu.f;
  let v = Math.floor(f[L.CYCLES >> 1]! * (s[L.CNTFRQ_EL0]! >>> 0) / cpu.cpuHz);
  if (virt && s[L.PSTATE_EL] !== 2 && s[L.PSTATE_EL] !== 3) v -= (cpu.u[L.CNTVOFF_EL2 + 1]! * 4294967296 + cpu.u[L.CNTVOFF_EL2]!);
  return v;
}

function pmccntrEnabled(s: Int32Array): boolean {
  return (s[L.PMCR_EL0]! & 1) !== 0 && (s[L.PMCNTENSET_EL0]! & 0x80000000) !== 0;
}

function setDouble(v: number): number {
  // Split a non-negative integer double into halves (wraps modulo 2^64 for negatives).
  const x = v < 0 ? v + 18446744073709551616 : v;
  sysRegHi = Math.floor(x / 4294967296) | 0;
  return (x % 4294967296) | 0;
}

/** MRS: read register `idx` (access already checked). Returns the low half; high half in sysRegHi. */
export function readSysReg(cpu: CpuState, idx: number): number {
  const s = cpu.s;
  const r = SYSREG_TABLE[idx]!;
  sysRegHi = 0;
  switch (r.rule) {
    case Rule.CurrentEl: return s[L.PSTATE_EL]! << 2;
    case Rule.SpSel: return s[L.PSTATE_SP]!;
    case Rule.Daif: return s[L.PSTATE_DAIF]! & 0x3c0;
    case Rule.Nzcv: return packNzcv(s) | 0;
    case Rule.Pan: return (s[L.PSTATE_PAN]! & 1) << 22;
    case Rule.Const: { const v = r.value ?? 0n; sysRegHi = Number(v >> 32n) | 0; return Number(v & 0xffffffffn) | 0; }
    case Rule.Counter: return setDouble(counterValue(cpu, r.op2 === 2));
    case Rule.Dczid: {
      // D24 DCZID_EL0: DZP = 1 when DC ZVA is prohibited at the current EL: EL0 with SCTLR_EL1.DZE = 0
      // (bit 14), or EL0/EL1 with EL2 enabled and HCR_EL2.TDZ = 1 (bit 28).
      const el = s[L.PSTATE_EL]!, impl = s[L.IMPL_ELS]!;
      const el2On = (impl & 4) !== 0 && ((impl & 8) === 0 || (s[L.SCR_EL3]! & 1) !== 0);
      const dzp = el <= 1 && ((el === 0 && (s[L.SCTLR_EL + 2]! & (1 << 14)) === 0) || (el2On && (s[L.HCR_EL2]! & (1 << 28)) !== 0));
      return DCZID_BS | (dzp ? 16 : 0);
    }
    case Rule.Pmccntr: {
      const f = cpu.f;
      return setDouble(f[L.PMCCNTR_BASE >> 1]! + (pmccntrEnabled(s) ? f[L.CYCLES >> 1]! : 0));
    }
    case Rule.Mpidr: case Rule.Midr: {
      // EL1 reads VMPIDR_EL2/VPIDR_EL2 when EL2 is enabled in the current Security state (D24.2).
      const impl = s[L.IMPL_ELS]!;
      const nsEl2 = (impl & 4) !== 0 && ((impl & 8) === 0 || (s[L.SCR_EL3]! & 1) !== 0);
      if (s[L.PSTATE_EL] === 1 && nsEl2) {
        const off = r.rule === Rule.Mpidr ? L.VMPIDR_EL2 : L.VPIDR_EL2;
        sysRegHi = s[off + 1]!; return s[off]!;
      }
      sysRegHi = s[r.off + 1]!; return s[r.off]!;
    }
  }
  sysRegHi = s[r.off + 1]!;
  return s[r.off]!;
}

/**
 * MSR: write register `idx` (access already checked). Returns true when the write can change routing,
 * masking or the stack pointer, so the interpreter must end its block and re-check (DESIGN practice 7).
 */
export function writeSysReg(cpu: CpuState, idx: number, lo: number, hi: number): boolean {
  const s = cpu.s;
  const r = SYSREG_TABLE[idx]!;
  switch (r.rule) {
    case Rule.SpSel:
      saveSp(s); s[L.PSTATE_SP] = lo & 1; restoreSp(s); return true;
    case Rule.Daif: s[L.PSTATE_DAIF] = lo & 0x3c0; return true;
    case Rule.Nzcv: unpackNzcv(s, lo >>> 0); return false;
    case Rule.Pan: s[L.PSTATE_PAN] = (lo >>> 22) & 1; return false;
    case Rule.Pmccntr: {
      const v = (hi >>> 0) * 4294967296 + (lo >>> 0);
      cpu.f[L.PMCCNTR_BASE >> 1] = v - (pmccntrEnabled(s) ? cpu.f[L.CYCLES >> 1]! : 0);
      return false;
    }
    case Rule.Pmcr: case Rule.PmCntEnSet: case Rule.PmCntEnClr: {
      const f = cpu.f;
      const was = pmccntrEnabled(s);
      const cur = f[L.PMCCNTR_BASE >> 1]! + (was ? f[L.CYCLES >> 1]! : 0);
      if (r.rule === Rule.Pmcr) s[L.PMCR_EL0] = lo & 0x7f;   // E, P, C, D, X, DP, LC (write-only P/C act once)
      else if (r.rule === Rule.PmCntEnSet) s[L.PMCNTENSET_EL0] |= lo;
      else s[L.PMCNTENSET_EL0] &= ~lo;
      const value = r.rule === Rule.Pmcr && (lo & 4) !== 0 ? 0 : cur;   // PMCR.C resets the cycle counter
      if (r.rule === Rule.Pmcr) s[L.PMCR_EL0] &= ~6;
      f[L.PMCCNTR_BASE >> 1] = value - (pmccntrEnabled(s) ? f[L.CYCLES >> 1]! : 0);
      return false;
    }
    case Rule.SpEl0: case Rule.SpEl1: case Rule.SpEl2:
      s[r.off] = lo; s[r.off + 1] = hi; return false;
  }
  let vlo = lo, vhi = hi;
  if (r.res0 !== undefined) { vlo &= ~Number(r.res0 & 0xffffffffn); vhi &= ~Number(r.res0 >> 32n); }
  if (r.res1 !== undefined) { vlo |= Number(r.res1 & 0xffffffffn); vhi |= Number(r.res1 >> 32n); }
  s[r.off] = vlo; s[r.off + 1] = vhi;
  return r.off === L.HCR_EL2 || r.off === L.SCR_EL3 || r.off === L.VBAR_EL + 2 || r.off === L.VBAR_EL + 4 || r.off === L.VBAR_EL + 6 || r.off === L.SCTLR_EL + 2;
}
