// SPDX-License-Identifier: MIT
// alu-loop: benchmark - a straight-line 64-bit ALU loop at EL3 (18 instructions per iteration).
//
// The interpreter/JIT throughput benchmark (docs/speed.md): 16 data-processing instructions
// (immediate, shifted-register, logical-immediate, bitfield, 32-bit forms) then
// subs x19, x19, #1 ; b.ne loop, bench_iterations times, then semihosting SYS_EXIT(0) with
// nothing printed. MIPS = 18 * iterations / time.
// The iteration count is the quad after the tag "A64EL-BENCH-N:" in .data (see hvc-loop.S).
        .include "common.inc"

        .text
main:
        ldr     x19, =bench_iterations
        ldr     x19, [x19]
        mov     x1, #1
        mov     x2, #2
        mov     x3, #3
        mov     x4, #4
        .balign 64
loop:
        add     x1, x1, #1
        add     x2, x2, x1
        eor     x3, x3, x2
        orr     x4, x4, x3, lsl #3
        and     x5, x4, #0xff00ff00ff00ff00
        sub     x6, x6, x5
        add     x7, x7, x6, lsr #7
        eor     x8, x8, x7, ror #13
        lsl     x9, x8, #5
        lsr     x10, x9, #3
        add     w11, w11, w10
        orr     x12, x12, x11
        bic     x13, x12, x1
        sub     x14, x14, #7
        eon     x15, x15, x14
        add     x20, x20, x15, asr #2
        subs    x19, x19, #1
        b.ne    loop
        mov     x0, #0
        b       sys_exit
        .ltorg

        .data
        .balign 16
        .ascii  "A64EL-BENCH-N:\0\0"
bench_iterations:
        .quad   1000000
