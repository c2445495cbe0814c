// SPDX-License-Identifier: MIT
// undef: UDF, MRS SCR_EL3 at EL1, HVC with HCE=0, MSR SP_EL0 at EL1t, CurrentEL/SMC/ERET at EL0: EC 0x00, ELR = the instruction.
//
// UNDEFINED instructions take an Unknown-reason exception (EC 0x00, ISS 0, IL 1:
// ESR = 0x02000000) with ELR = the instruction itself (Arm ARM D1.4.1 preferred return,
// ESR_ELx EC 0b000000 list). From EL1 it is taken to EL1; from EL0 to EL1 (TGE=0).
//   EL1 (SPSel=1, vector +0x200):
//     1. UDF #0 (.inst 0x00000000)
//     2. MRS x0, SCR_EL3 (EL3 register at EL1)
//     3. HVC #0 with SCR_EL3.HCE=0 (C6.2 HVC: UNDEFINED)
//   EL1 (SPSel=0, vector +0x000):
//     4. MSR SP_EL0, x0 while PSTATE.SP=0 (C5.2 SP_EL0 accessibility)
//   EL0 (vector +0x400):
//     5. MRS x0, CurrentEL   6. SMC #0   7. ERET
// The handler checks ELR against the instruction's label and resumes after it.
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        li      x0, (SCR_DEFAULT & ~SCR_HCE)
        msr     scr_el3, x0
        eret_to 3, SPSR_EL1h, at_el1

        // x21 = address the handler must see in ELR_EL1
        .macro  undef_case name, insn:vararg
        putln   "\name"
        adr     x21, 9f
        set_nzcv 0
9:      \insn
        .endm

at_el1:
        undef_case "1: EL1 UDF #0", .inst 0x00000000
        undef_case "2: EL1 MRS SCR_EL3", mrs x0, scr_el3
        undef_case "3: EL1 HVC with SCR_EL3.HCE=0", hvc #0
        msr     spsel, #0
        undef_case "4: EL1t MSR SP_EL0", msr sp_el0, x0
        msr     spsel, #1
        eret_to 1, SPSR_EL0t, at_el0

at_el0:
        undef_case "5: EL0 MRS CurrentEL", mrs x0, CurrentEL
        undef_case "6: EL0 SMC", smc #0
        undef_case "7: EL0 ERET", eret
        svc     #0                              // done: EL1 finishes
1:      b       1b

el1_sync:
        mrs     x0, esr_el1
        lsr     x0, x0, #26
        cmp     x0, #0x15
        b.eq    finish                          // SVC #0 from EL0: end of test
        show    "vector", x18
        mrs     x19, esr_el1
        check   "ESR_EL1", x19, 0x02000000
        mrs     x19, elr_el1
        show    "ELR_EL1", x19
        cmp     x19, x21
        b.eq    1f
        fail    "ELR_EL1 is not the UNDEFINED instruction"
1:      add     x19, x19, #4
        msr     elr_el1, x19
        b       exc_return

        vector_table vectors_el1, 1, el1_sync, el1_sync, el1_sync
