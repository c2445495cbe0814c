// SPDX-License-Identifier: MIT
// trap-tsc: HCR_EL2.TSC traps an EL1 SMC to EL2 (EC 0x17, ELR = the SMC), beats SCR_EL3.SMD; SMD alone makes it UNDEFINED.
//
// With HCR_EL2.TSC=1 an SMC at NS EL1 is trapped to EL2 (Arm ARM D24.2.62,
// ASL AArch64.CheckForSMCUndefOrTrap). It is a trap, not a Secure Monitor Call:
// ESR_EL2.EC = 0x17 with ISS = imm16, but ELR_EL2 = the SMC itself, so the handler adds 4.
// Part 2: the trap has priority over SCR_EL3.SMD=1 (D1.4.5.6; SCR_EL3.SMD note).
// Part 3: with TSC=0 and SMD=1 the SMC is UNDEFINED at EL1 (EC 0x00, ELR = the SMC).
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el3
        msr     vbar_el3, x0
        adr     x0, vectors_el2
        msr     vbar_el2, x0
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        li      x0, (HCR_RW | HCR_TSC)
        msr     hcr_el2, x0
        eret_to 3, SPSR_EL1h, at_el1

at_el1:
        putln   "part 1: TSC=1"
        mov     x21, #1                         // part number, seen by the handlers
        li      x0, 0x82000001
        set_nzcv 0x00000000
smc_1:
        smc     #0x3
        mov     x19, x0
        check   "x0", x19, 0x1111

        putln   "part 2: TSC=1 SMD=1"
        mov     x21, #2
        hvc     #1                              // EL2 asks EL3 to set SCR_EL3.SMD (see below)
        set_nzcv 0x00000000
smc_2:
        smc     #0x4
        mov     x19, x0
        check   "x0", x19, 0x2222

        putln   "part 3: TSC=0 SMD=1"
        mov     x21, #3
        hvc     #2                              // EL2 clears HCR_EL2.TSC
        set_nzcv 0x00000000
smc_3:
        smc     #0x5
        mov     x19, x0
        check   "x0", x19, 0x3333
        b       finish

        // EL2: SMC traps (EC 0x17) and two service HVCs (EC 0x16).
el2_sync_lower:
        mrs     x0, esr_el2
        lsr     x0, x0, #26
        cmp     x0, #0x16
        b.eq    el2_hvc
        mov     x19, x18
        check   "vector", x19, 0x400
        cmp     x21, #1
        b.ne    1f
        check_sysreg ESR_EL2, 0x5e000003
        check_sysreg ELR_EL2, smc_1
        check_sysreg SPSR_EL2, SPSR_EL1h
        mov     x0, #0x1111
        b       2f
1:      check_sysreg ESR_EL2, 0x5e000004
        check_sysreg ELR_EL2, smc_2
        mov     x0, #0x2222
2:      str     x0, [sp, #0]
        mrs     x0, elr_el2                     // skip the trapped SMC
        add     x0, x0, #4
        msr     elr_el2, x0
        b       exc_return

el2_hvc:
        mrs     x0, esr_el2
        and     x0, x0, #0xffff
        cmp     x0, #1
        b.ne    1f
        smc     #0                              // EL2 SMC: not trapped by TSC, goes to EL3
        b       exc_return
1:      li      x0, HCR_RW
        msr     hcr_el2, x0
        isb
        b       exc_return

        // EL3: the EL2 service SMC sets SCR_EL3.SMD.
el3_sync_lower:
        mrs     x0, scr_el3
        orr     x0, x0, #SCR_SMD
        msr     scr_el3, x0
        isb
        b       exc_return

        // EL1: the UNDEFINED SMC of part 3.
el1_sync_current:
        mov     x19, x18
        check   "vector", x19, 0x200
        check_sysreg ESR_EL1, 0x02000000
        check_sysreg ELR_EL1, smc_3
        check_sysreg SPSR_EL1, SPSR_EL1h
        mov     x0, #0x3333
        str     x0, [sp, #0]
        mrs     x0, elr_el1
        add     x0, x0, #4
        msr     elr_el1, x0
        b       exc_return

        vector_table vectors_el1, 1, , el1_sync_current
        vector_table vectors_el2, 2, , , el2_sync_lower
        vector_table vectors_el3, 3, , , el3_sync_lower
