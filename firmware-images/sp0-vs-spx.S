// SPDX-License-Identifier: MIT
// sp0-vs-spx: SVC at EL1, EL2 and EL3 with SPSel=1 then SPSel=0 takes the +0x200 then the +0x000 vector.
//
// An exception taken to the current EL uses the vector group of the SP the
// code was using (Arm ARM D1.4.1.6): +0x000 when PSTATE.SP = 0 (ELxt, SP_EL0),
// +0x200 when PSTATE.SP = 1 (ELxh, SP_ELx). Exception entry always selects SP_ELx
// (SPSel reads 1 in the handler) and SPSR.M[0] records the old choice; ERET restores it.
// Done with SVC at EL1, EL2 and EL3, each with SPSel=1 then SPSel=0.
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el3
        msr     vbar_el3, x0
        adr     x0, vectors_el2
        msr     vbar_el2, x0
        adr     x0, vectors_el1
        msr     vbar_el1, x0

        // One round at the current EL: x25 = expected SPSR M for ELxh.
        .macro  round el
        putln   "EL\el SPSel=1: svc #1"
        mov     x24, #0x200
        li      x25, SPSR_EL\el\()h
        set_nzcv 0
        svc     #1
        mrs     x19, SPSel
        check   "SPSel", x19, 1
        putln   "EL\el SPSel=0: svc #2"
        msr     spsel, #0
        mov     x26, sp                         // SP_EL0 while PSTATE.SP = 0
        mov     x24, #0x000
        li      x25, SPSR_EL\el\()t
        set_nzcv 0
        svc     #2
        mrs     x19, SPSel                      // ERET restored PSTATE.SP = 0
        check   "SPSel", x19, 0
        msr     spsel, #1
        .endm

        round   3
        eret_to 3, SPSR_EL2h, at_el2
at_el2:
        round   2
        eret_to 2, SPSR_EL1h, at_el1
at_el1:
        round   1
        b       finish

        // Handler (same code at each EL, ELx registers picked by macro).
        .macro  handler el
el\el\()_sync:
        mov     x19, x18
        show    "vector", x19
        cmp     x19, x24
        b.eq    1f
        fail    "wrong vector group"
1:      mrs     x19, SPSel
        check   "handler.SPSel", x19, 1
        mrs     x19, spsr_el\el
        show    "SPSR_EL\el", x19
        cmp     x19, x25
        b.eq    2f
        fail    "SPSR_EL\el"
2:      cbnz    x24, 3f                         // SPSel=0 round: check SP_EL0 was the SP
        mrs     x19, sp_el0
        cmp     x19, x26
        b.eq    3f
        fail    "SP was not SP_EL0"
3:      b       exc_return
        .endm

        handler 1
        handler 2
        handler 3

        vector_table vectors_el1, 1, el1_sync, el1_sync
        vector_table vectors_el2, 2, el2_sync, el2_sync
        vector_table vectors_el3, 3, el3_sync, el3_sync
