// SPDX-License-Identifier: MIT
// hvc-loop: benchmark - NS EL1 HVC #0 in a loop; the EL2 vector is a bare ERET.
//
// The speed benchmark of an HVC round trip with interpreted vectors (docs/speed.md): EL3 points
// VBAR_EL2 at a table whose lower-EL synchronous entry (0x400) is a single ERET, drops to NS EL1h
// and runs
//     loop: hvc #0 ; subs x19, x19, #1 ; b.ne loop
// bench_iterations times, then exits through semihosting SYS_EXIT(0). Nothing is printed.
// Per iteration: one exception entry to EL2, one ERET, 4 instructions (3 at EL1, 1 at EL2).
// The iteration count is the quad after the 16-byte tag "A64EL-BENCH-N:" in .data, which
// tools/bench/peers.mjs patches in a copy of the ELF.
        .include "common.inc"

        .text
main:
        adr     x0, bench_vectors_el2
        msr     vbar_el2, x0
        eret_to 3, SPSR_EL1h, at_el1

at_el1:
        ldr     x19, =bench_iterations
        ldr     x19, [x19]
        .balign 64
loop:
        hvc     #0
        subs    x19, x19, #1
        b.ne    loop
        mov     x0, #0
        b       sys_exit
        .ltorg

        .section .text.vectors, "ax"
        .balign 0x800
bench_vectors_el2:
        .rept   8                               // current EL: not expected
        .balign 0x80
        b       unexpected_el2
        .endr
        .balign 0x80
        eret                                    // 0x400: synchronous, lower EL (the HVC)
        .rept   7
        .balign 0x80
        b       unexpected_el2
        .endr
        .text

        .data
        .balign 16
        .ascii  "A64EL-BENCH-N:\0\0"
bench_iterations:
        .quad   1000000
