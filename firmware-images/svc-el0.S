// SPDX-License-Identifier: MIT
// svc-el0: EL0 SVC #0x1234 to the EL1 lower-EL vector (ESR, ELR = next instruction, SPSR with NZCV) and back.
//
// EL0 executes SVC #0x1234; EL1 takes it at VBAR_EL1 + 0x400.
// Arm ARM D1.4.9 / ASL AArch64.CallSupervisor: EC 0x15, ISS = imm16, IL = 1,
// ELR_EL1 = the instruction after the SVC; SPSR_EL1 = PSTATE at the SVC (EL0t, here with
// D, A, I, F clear and N, C set). EL1 returns a value in x0; EL0 then ends with SVC #0.
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        eret_to 3, SPSR_EL1h, at_el1

at_el1:
        eret_to 1, 0x0, at_el0                  // EL0t, DAIF unmasked (no interrupt source)

at_el0:
        putln   "EL0: svc #0x1234"
        mov     x0, #0x100
        mov     x7, #0x777
        set_nzcv 0xa0000000                     // N and C
        svc     #0x1234
after_svc:
        mov     x19, x0
        mov     x20, x7
        mrs     x21, nzcv                       // restored from SPSR_EL1 by the ERET
        check   "x0", x19, 0x101
        check   "x7", x20, 0x777
        check   "NZCV", x21, 0xa0000000
        putln   "EL0: svc #0"
        svc     #0
        fail    "returned from SVC #0"
1:      b       1b

el1_sync_lower:
        mrs     x0, esr_el1
        and     x0, x0, #0xffff
        cbz     x0, el1_svc0
        mov     x19, x18
        check   "vector", x19, 0x400
        check_sysreg ESR_EL1, 0x56001234
        check_sysreg ELR_EL1, after_svc
        check_sysreg SPSR_EL1, 0xa0000000
        ldr     x0, [sp, #0]
        add     x0, x0, #1
        str     x0, [sp, #0]
        b       exc_return

el1_svc0:
        check_sysreg ESR_EL1, 0x56000000
        b       finish

        vector_table vectors_el1, 1, , , el1_sync_lower
