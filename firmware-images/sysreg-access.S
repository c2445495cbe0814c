// SPDX-License-Identifier: MIT
// sysreg-access: MRS/MSR of CurrentEL, SPSel, DAIF (and DAIFSet/Clr), NZCV, SP_ELx, TPIDR, ELR/SPSR/ESR/FAR/VBAR at EL3, EL2, EL1.
//
// MRS/MSR of the special-purpose registers and PSTATE fields
// (Arm ARM C5.2: CurrentEL, SPSel, DAIF, NZCV, SP_ELx; C6.2 MSR (immediate)) and of plain
// read/write system registers (TPIDR_ELx, ELR/SPSR, VBAR), at EL3, EL2 and EL1.
        .include "common.inc"

        .text
main:
        // ---- EL3 ----
        putln   "EL3"
        mrs     x19, CurrentEL
        check   "CurrentEL", x19, 0xc
        mrs     x19, SPSel
        check   "SPSel", x19, 1
        mrs     x19, daif
        check   "DAIF", x19, 0x3c0              // the prologue's ERET masked D, A, I, F
        li      x0, 0x123456789abcdef0
        msr     tpidr_el3, x0
        mrs     x19, tpidr_el3
        check   "TPIDR_EL3", x19, 0x123456789abcdef0
        li      x0, 0x0fedcba987654321
        msr     sp_el2, x0                      // SP_EL2 is accessible at EL3 only
        mrs     x19, sp_el2
        check   "SP_EL2", x19, 0x0fedcba987654321
        ldr     x0, =stack_el2_top
        msr     sp_el2, x0
        eret_to 3, SPSR_EL2h, at_el2

at_el2:
        // ---- EL2 ----
        putln   "EL2"
        mrs     x19, CurrentEL
        check   "CurrentEL", x19, 0x8
        li      x0, 0x1111222233334444
        msr     tpidr_el2, x0
        mrs     x19, tpidr_el2
        check   "TPIDR_EL2", x19, 0x1111222233334444
        li      x0, 0xaaaabbbbccccdd00
        msr     sp_el1, x0
        mrs     x19, sp_el1
        check   "SP_EL1", x19, 0xaaaabbbbccccdd00
        ldr     x0, =stack_el1_top
        msr     sp_el1, x0
        li      x0, 0x40001800
        msr     vbar_el1, x0
        mrs     x19, vbar_el1
        check   "VBAR_EL1", x19, 0x40001800
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        // DAIF with SPSR_EL1 DAIF = 0b1010 (D and I masked) on the way down.
        eret_to 2, (0x280 | 0x5), at_el1

at_el1:
        // ---- EL1 ----
        putln   "EL1"
        mrs     x19, CurrentEL
        check   "CurrentEL", x19, 0x4
        mrs     x19, daif
        check   "DAIF", x19, 0x280              // from SPSR_EL2
        msr     daifset, #0xf
        mrs     x19, daif
        check   "DAIF.set(f)", x19, 0x3c0
        msr     daifclr, #0x5                   // A and F
        mrs     x19, daif
        check   "DAIF.clr(5)", x19, 0x280
        mov     x0, #0x140                      // A and F via MSR DAIF, Xt
        msr     daif, x0
        mrs     x19, daif
        check   "DAIF.msr", x19, 0x140
        msr     daifset, #0xf

        li      x0, 0x90000000                  // N and V
        msr     nzcv, x0
        mrs     x19, nzcv
        check   "NZCV", x19, 0x90000000
        cmp     x0, x0                          // Z and C
        mrs     x19, nzcv
        check   "NZCV.cmp", x19, 0x60000000

        mrs     x19, SPSel
        check   "SPSel", x19, 1
        msr     spsel, #0
        mrs     x19, SPSel
        check   "SPSel.0", x19, 0
        mov     x20, sp                         // now SP_EL0
        msr     spsel, #1
        mrs     x19, sp_el0                     // readable with PSTATE.SP = 1
        show    "SP_EL0", x19
        cmp     x19, x20
        b.eq    1f
        fail    "SP_EL0 is not the SP used with SPSel=0"
1:      ldr     x0, =stack_el0_top
        cmp     x19, x0
        b.eq    2f
        fail    "SP_EL0 is not the prologue's value"

2:      li      x0, 0x5555666677778888
        msr     tpidr_el1, x0
        mrs     x19, tpidr_el1
        check   "TPIDR_EL1", x19, 0x5555666677778888
        li      x0, 0x0123456789abcdef
        msr     tpidr_el0, x0
        mrs     x19, tpidr_el0
        check   "TPIDR_EL0", x19, 0x0123456789abcdef
        li      x0, 0x00000000deadbeef
        msr     tpidrro_el0, x0
        mrs     x19, tpidrro_el0
        check   "TPIDRRO_EL0", x19, 0xdeadbeef
        li      x0, 0xfedcba9876543210
        msr     elr_el1, x0
        mrs     x19, elr_el1
        check   "ELR_EL1", x19, 0xfedcba9876543210
        li      x0, 0xf00003c5
        msr     spsr_el1, x0
        mrs     x19, spsr_el1
        check   "SPSR_EL1", x19, 0xf00003c5
        li      x0, 0x12345678
        msr     esr_el1, x0
        mrs     x19, esr_el1
        check   "ESR_EL1", x19, 0x12345678
        li      x0, 0x4444333322221111
        msr     far_el1, x0
        mrs     x19, far_el1
        check   "FAR_EL1", x19, 0x4444333322221111
        b       finish

        vector_table vectors_el1, 1
