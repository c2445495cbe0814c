// SPDX-License-Identifier: MIT
// trap-wfi: WFI trapped by HCR_EL2.TWI (EL1 -> EL2) and SCR_EL3.TWI (EL1, EL2 -> EL3): EC 0x01, ELR = the WFI.
//
// WFI traps (Arm ARM ASL AArch64.CheckForWFxTrap, HCR_EL2.TWI D24.2.62,
// SCR_EL3.TWI D24.2.169). With no interrupt pending the WFI would wait, so:
//   1. EL1 WFI, HCR_EL2.TWI = 1              -> EL2, EC 0x01
//   2. EL1 WFI, HCR_EL2.TWI = 0, SCR_EL3.TWI = 1 -> EL3, EC 0x01
//   3. EL2 WFI, SCR_EL3.TWI = 1              -> EL3, EC 0x01
// ESR ISS for a trapped AArch64 WFI: CV = 1, COND = 0b1110, TI = 0b00 -> ESR 0x07e00000.
// ELR = the WFI itself (a trap); the handler skips it. (WFE is not used: QEMU never traps it.)
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el3
        msr     vbar_el3, x0
        adr     x0, vectors_el2
        msr     vbar_el2, x0
        li      x0, (HCR_RW | HCR_TWI)
        msr     hcr_el2, x0
        eret_to 3, SPSR_EL2h, at_el2

at_el2:
        eret_to 2, SPSR_EL1h, at_el1

        .macro  wfi_case name, el, spsr
        putln   "\name"
        mov     x21, #\el                       // expected target EL
        li      x23, \spsr                      // expected SPSR
        adr     x22, 9f
        set_nzcv 0
9:      wfi
        .endm

at_el1:
        wfi_case "1: EL1 WFI, HCR_EL2.TWI=1", 2, SPSR_EL1h
        hvc     #1                              // EL2: TWI = 0 and ask EL3 for SCR_EL3.TWI = 1
        wfi_case "2: EL1 WFI, SCR_EL3.TWI=1", 3, SPSR_EL1h
        hvc     #2                              // EL2 runs case 3, then returns
        b       finish

        .macro  handler el
el\el\()_wfi:
        mov     x19, #\el
        show    "trapped to EL", x19
        cmp     x19, x21
        b.eq    1f
        fail    "wrong target EL"
1:      show    "vector", x18
        check_sysreg ESR_EL\el, 0x07e00000
        mrs     x19, elr_el\el
        show    "ELR_EL\el", x19
        cmp     x19, x22
        b.eq    2f
        fail    "ELR_EL\el is not the WFI"
2:      mrs     x19, spsr_el\el
        show    "SPSR_EL\el", x19
        cmp     x19, x23
        b.eq    3f
        fail    "SPSR_EL\el"
3:      mrs     x19, elr_el\el
        add     x19, x19, #4
        msr     elr_el\el, x19
        b       exc_return
        .endm

        handler 2
        handler 3

el2_sync_lower:
        mrs     x0, esr_el2
        lsr     x1, x0, #26
        cmp     x1, #0x01
        b.eq    el2_wfi
        and     x0, x0, #0xffff                 // HVC #imm
        cmp     x0, #1
        b.ne    el2_case3
        li      x0, HCR_RW                      // TWI = 0
        msr     hcr_el2, x0
        smc     #0                              // EL3 sets SCR_EL3.TWI
        b       exc_return
el2_case3:
        wfi_case "3: EL2 WFI, SCR_EL3.TWI=1", 3, SPSR_EL2h
        b       exc_return

el3_sync_lower:
        mrs     x0, esr_el3
        lsr     x1, x0, #26
        cmp     x1, #0x01
        b.eq    el3_wfi
        mrs     x0, scr_el3                     // SMC from EL2: set TWI
        orr     x0, x0, #SCR_TWI
        msr     scr_el3, x0
        b       exc_return

        vector_table vectors_el2, 2, , , el2_sync_lower
        vector_table vectors_el3, 3, , , el3_sync_lower
