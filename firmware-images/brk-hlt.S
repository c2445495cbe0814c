// SPDX-License-Identifier: MIT
// brk-hlt: BRK at EL0-EL3 (EC 0x3C, ELR = the BRK) and HLT #1 UNDEFINED at EL1.
//
// BRK #imm is a Breakpoint Instruction exception (EC 0x3C, ISS = imm16) whose
// preferred return address is the BRK itself (Arm ARM D1.4.1; ASL AArch64.SoftwareBreakpoint).
// From EL0/EL1 it goes to EL1 (MDCR_EL2.TDE = 0, HCR_EL2.TGE = 0); at EL2/EL3 it is taken
// to the current EL. HLT #imm other than the semihosting HLT #0xF000 is UNDEFINED when
// halting is not enabled (C6.2 HLT; EDSCR.HDE = 0): EC 0x00, ELR = the HLT.
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el3
        msr     vbar_el3, x0
        adr     x0, vectors_el2
        msr     vbar_el2, x0
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        mrs     x0, mdcr_el2
        bic     x0, x0, #(1 << 8)               // TDE = 0: debug exceptions stay at EL1
        msr     mdcr_el2, x0

        // x21 = expected ESR, x22 = address of the instruction (= expected ELR)
        .macro  brk_case name, esr, insn:vararg
        putln   "\name"
        li      x21, \esr
        adr     x22, 9f
        set_nzcv 0
9:      \insn
        .endm

        brk_case "EL3 BRK #0x3e8", 0xf20003e8, brk #0x3e8
        eret_to 3, SPSR_EL2h, at_el2
at_el2:
        brk_case "EL2 BRK #0x2", 0xf2000002, brk #0x2
        eret_to 2, SPSR_EL1h, at_el1
at_el1:
        brk_case "EL1 BRK #0x1", 0xf2000001, brk #0x1
        brk_case "EL1 BRK #0xffff", 0xf200ffff, brk #0xffff
        brk_case "EL1 HLT #0x1", 0x02000000, hlt #0x1
        eret_to 1, SPSR_EL0t, at_el0
at_el0:
        brk_case "EL0 BRK #0x7", 0xf2000007, brk #0x7
        svc     #0
1:      b       1b

        .macro  handler el
el\el\()_sync:
        mrs     x0, esr_el\el
        lsr     x0, x0, #26
        cmp     x0, #0x15
        b.eq    finish                          // the final SVC #0 from EL0
        show    "vector", x18
        mrs     x19, esr_el\el
        show    "ESR_EL\el", x19
        cmp     x19, x21
        b.eq    1f
        fail    "ESR_EL\el"
1:      mrs     x19, elr_el\el
        show    "ELR_EL\el", x19
        cmp     x19, x22
        b.eq    2f
        fail    "ELR_EL\el is not the BRK/HLT"
2:      add     x19, x19, #4
        msr     elr_el\el, x19
        b       exc_return
        .endm

        handler 1
        handler 2
        handler 3

        vector_table vectors_el1, 1, , el1_sync, el1_sync
        vector_table vectors_el2, 2, , el2_sync
        vector_table vectors_el3, 3, , el3_sync
