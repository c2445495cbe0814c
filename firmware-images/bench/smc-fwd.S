// SPDX-License-Identifier: MIT
// smc-fwd: benchmark - NS EL1 SMC trapped by HCR_EL2.TSC, forwarded by EL2 to EL3 and back.
//
// The speed benchmark of a trapped-and-forwarded SMC with interpreted vectors (docs/speed.md):
// HCR_EL2.TSC = 1, so the EL1 loop
//     loop: smc #0 ; subs x19, x19, #1 ; b.ne loop
// traps each SMC to EL2 (EC 0x17, ELR_EL2 = the SMC). The EL2 vector forwards it with its own
// SMC #0 (not trapped at EL2) to EL3, whose vector is a bare ERET; EL2 then skips the trapped
// SMC (ELR_EL2 += 4) and ERETs. x0 holds a SiP function ID, not PSCI (QEMU's built-in PSCI is
// not involved). x17 is the EL2 handler's scratch register. Exits via semihosting SYS_EXIT(0),
// printing nothing. Per iteration: 2 exception entries, 2 ERETs, 9 instructions.
// The iteration count is the quad after the tag "A64EL-BENCH-N:" in .data (see hvc-loop.S).
        .include "common.inc"

        .text
main:
        adr     x0, bench_vectors_el2
        msr     vbar_el2, x0
        adr     x0, bench_vectors_el3
        msr     vbar_el3, x0
        li      x0, (HCR_RW | HCR_TSC)
        msr     hcr_el2, x0
        eret_to 3, SPSR_EL1h, at_el1

at_el1:
        ldr     x19, =bench_iterations
        ldr     x19, [x19]
        li      x0, 0x82001234                  // SMC32 fast call, OEN 2 (SiP): not PSCI
        .balign 64
loop:
        smc     #0
        subs    x19, x19, #1
        b.ne    loop
        mov     x0, #0
        b       sys_exit
        .ltorg

        .section .text.vectors, "ax"
        .balign 0x800
bench_vectors_el2:
        .rept   8
        .balign 0x80
        b       unexpected_el2
        .endr
        .balign 0x80                            // 0x400: the trapped SMC
        smc     #0                              // forward to EL3
        mrs     x17, elr_el2
        add     x17, x17, #4                    // skip the trapped SMC
        msr     elr_el2, x17
        eret
        .rept   7
        .balign 0x80
        b       unexpected_el2
        .endr

        .balign 0x800
bench_vectors_el3:
        .rept   8
        .balign 0x80
        b       unexpected_el3
        .endr
        .balign 0x80
        eret                                    // 0x400: the forwarded SMC from EL2
        .rept   7
        .balign 0x80
        b       unexpected_el3
        .endr
        .text

        .data
        .balign 16
        .ascii  "A64EL-BENCH-N:\0\0"
bench_iterations:
        .quad   1000000
