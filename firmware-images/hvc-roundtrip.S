// SPDX-License-Identifier: MIT
// hvc-roundtrip: EL1 HVC #0x42 to the EL2 lower-EL vector and back with a result in x0.
//
// NS EL1 executes HVC #0x42; EL2 takes it at VBAR_EL2 + 0x400 (lower EL,
// AArch64), reads the syndrome, writes a result into the caller's x0 and ERETs.
// Arm ARM D1.4.9 / ASL AArch64.CallHypervisor: EC 0x16, ISS = imm16, IL = 1,
// ELR_EL2 = the instruction after the HVC, SPSR_EL2 = PSTATE at the HVC (EL1h, DAIF masked,
// NZCV as set just before).
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el2
        msr     vbar_el2, x0
        eret_to 3, SPSR_EL1h, at_el1           // EL3 -> NS EL1h (EL2 enabled, HCR_EL2.RW=1)

at_el1:
        mov     x0, #0x11
        mov     x1, #0x22
        set_nzcv 0x90000000                    // N and V set: shows up in SPSR_EL2
        hvc     #0x42
after_hvc:
        mov     x19, x0
        mov     x20, x1
        check   "x0", x19, 0x1011
        check   "x1", x20, 0x22                // untouched by EL2
        b       finish

el2_sync_lower:
        mov     x19, x18
        check   "vector", x19, 0x400
        mrs     x19, CurrentEL
        check   "CurrentEL", x19, 0x8
        check_sysreg ESR_EL2, 0x5a000042
        check_sysreg ELR_EL2, after_hvc
        check_sysreg SPSR_EL2, (0x90000000 | SPSR_EL1h)
        ldr     x0, [sp, #0]                    // caller's x0
        add     x0, x0, #0x1000
        str     x0, [sp, #0]                    // becomes x0 after ERET
        b       exc_return

        vector_table vectors_el2, 2, , , el2_sync_lower
