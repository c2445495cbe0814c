// SPDX-License-Identifier: MIT
// el-drop: EL3 -> EL2 -> EL1 -> EL0 by ERET, printing CurrentEL at each level.
//
// EL3 -> EL2 -> EL1 -> EL0 by ERET, printing CurrentEL at each level.
// EL0 cannot read CurrentEL (UNDEFINED at EL0, Arm ARM C5.2.2), so it prints a line of
// its own and SVCs back up; EL1 then prints the SPSR_EL1 it saved (M[3:0] = 0 = EL0t).
// Arm ARM D1.4.4 (exception return), D24.2.169 SCR_EL3.{NS,HCE,RW}, D24.2.62 HCR_EL2.RW.
        .include "common.inc"

        .text
main:
        mrs     x19, CurrentEL
        check   "EL3.CurrentEL", x19, 0xc
        mrs     x19, scr_el3
        check   "SCR_EL3", x19, 0x531
        // EL3 -> NS EL2h
        eret_to 3, SPSR_EL2h, at_el2

at_el2:
        mrs     x19, CurrentEL
        check   "EL2.CurrentEL", x19, 0x8
        mrs     x19, hcr_el2
        check   "HCR_EL2", x19, 0x80000000
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        // EL2 -> EL1h
        eret_to 2, SPSR_EL1h, at_el1

at_el1:
        mrs     x19, CurrentEL
        check   "EL1.CurrentEL", x19, 0x4
        // EL1 -> EL0t
        eret_to 1, SPSR_EL0t, at_el0

at_el0:
        putln   "EL0 running"
        set_nzcv 0x00000000
        svc     #0
        fail    "returned from the EL0 SVC"
1:      b       1b

        // EL1, synchronous exception from a lower EL (EL0).
el1_sync_lower:
        mrs     x19, CurrentEL
        check   "SVC.CurrentEL", x19, 0x4
        mrs     x19, spsr_el1
        check   "SPSR_EL1", x19, SPSR_EL0t
        mrs     x19, esr_el1
        check   "ESR_EL1", x19, 0x56000000
        b       finish

        vector_table vectors_el1, 1, , , el1_sync_lower
