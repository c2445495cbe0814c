// SPDX-License-Identifier: MIT
// illegal-eret: four illegal exception returns (EL2/EL1, target EL too high or reserved M) each give EC 0x0E at the current EL.
//
// Illegal exception returns (Arm ARM D1.4.4.2, ASL AArch64.ExceptionReturn,
// IllegalExceptionReturn). The ERET does not change EL or SP selection; it sets
// PSTATE.IL, takes NZCV/DAIF from the SPSR and branches to ELR. The next instruction then
// takes an Illegal Execution state exception (EC 0x0E, ISS 0) to the current EL, at the
// current-EL SPx vector (+0x200), with ELR = that instruction and SPSR.IL (bit 20) = 1.
//   case 1: at EL2, SPSR_EL2.M = EL3h (target EL above the current EL)
//   case 2: at EL2, SPSR_EL2.M = 0b0110 (M[1] = 1: reserved)
//   case 3: at EL1, SPSR_EL1.M = EL2h (target EL above the current EL)
//   case 4: at EL1, SPSR_EL1.M = 0b0001 (EL0 with SP_EL1: reserved)
// Each SPSR also sets NZCV = 0b0100 (Z), which the illegal return copies into PSTATE.
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el2
        msr     vbar_el2, x0
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        eret_to 3, SPSR_EL2h, at_el2

at_el2:
        putln   "case 1: EL2 ERET to EL3h"
        mov     x21, #1
        adr     x22, case2                      // where the handler resumes
        eret_to 2, (0x40000000 | SPSR_EL3h), ill_1
ill_1:  nop
        fail    "ill_1 executed"

case2:
        putln   "case 2: EL2 ERET with M=0b0110"
        mov     x21, #2
        adr     x22, to_el1
        eret_to 2, (0x40000000 | SPSR_DAIF | 0x6), ill_2
ill_2:  nop
        fail    "ill_2 executed"

to_el1:
        eret_to 2, SPSR_EL1h, at_el1
at_el1:
        putln   "case 3: EL1 ERET to EL2h"
        mov     x21, #3
        adr     x22, case4
        eret_to 1, (0x40000000 | SPSR_EL2h), ill_3
ill_3:  nop
        fail    "ill_3 executed"

case4:
        putln   "case 4: EL1 ERET with M=0b0001"
        mov     x21, #4
        adr     x22, done
        eret_to 1, (0x40000000 | SPSR_DAIF | 0x1), ill_4
ill_4:  nop
        fail    "ill_4 executed"

done:
        b       finish

        // Current EL with SP_ELx: the Illegal Execution state exception. Resume at x22
        // with a legal SPSR (same EL, handler mode, DAIF masked).
el2_sync_current:
        mov     x19, x18
        check   "vector", x19, 0x200
        check_sysreg ESR_EL2, 0x3a000000
        check_sysreg SPSR_EL2, (0x40000000 | SPSR_IL | SPSR_EL2h)
        mrs     x19, elr_el2
        cmp     x21, #1
        adr     x20, ill_1
        adr     x0, ill_2
        csel    x20, x20, x0, eq
        show    "ELR_EL2", x19
        cmp     x19, x20
        b.eq    1f
        fail    "ELR_EL2 is not the instruction after the illegal return"
1:      msr     elr_el2, x22
        li      x0, SPSR_EL2h
        msr     spsr_el2, x0
        b       exc_return

el1_sync_current:
        mov     x19, x18
        check   "vector", x19, 0x200
        check_sysreg ESR_EL1, 0x3a000000
        check_sysreg SPSR_EL1, (0x40000000 | SPSR_IL | SPSR_EL1h)
        mrs     x19, elr_el1
        cmp     x21, #3
        adr     x20, ill_3
        adr     x0, ill_4
        csel    x20, x20, x0, eq
        show    "ELR_EL1", x19
        cmp     x19, x20
        b.eq    1f
        fail    "ELR_EL1 is not the instruction after the illegal return"
1:      msr     elr_el1, x22
        li      x0, SPSR_EL1h
        msr     spsr_el1, x0
        b       exc_return

        vector_table vectors_el1, 1, , el1_sync_current
        vector_table vectors_el2, 2, , el2_sync_current
