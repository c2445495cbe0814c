// SPDX-License-Identifier: MIT
// fp-trap: SIMD&FP access traps (CPACR_EL1.FPEN to EL1, CPTR_EL2.TFP to EL2, CPTR_EL3.TFP to EL3, TGE: EL0 to EL2 as EC 0x00), reset values, a q0-q31/FPCR/FPSR save and restore, LSE and CRC32.
//
// Arm ARM D24.2 CPACR_EL1, CPTR_EL2, CPTR_EL3; ASL AArch64.CheckFPAdvSIMDEnabled,
// AArch64.CheckFPAdvSIMDTrap, AArch64.AdvSIMDFPAccessTrap. A trapped instruction reports
// EC 0x07 with IL=1, CV=1, COND=0b1110 (ESR 0x1fe00000) and ELR = the instruction, so each
// handler lifts the trap and returns to run it again. An EL0 trap "to EL1" under
// HCR_EL2.TGE=1 is taken to EL2 as EC 0x00 (ESR 0x02000000).
// Part 0: at reset CPTR_EL3, CPTR_EL2 and CPACR_EL1 read 0 (QEMU 7.2), so EL3 may use FP.
// Part 1: TF-A-style fpregs save/restore of q0-q31, FPCR and FPSR at EL3.
// Parts 2-6: the traps; each part returns to EL3 with SMC #0 to the continuation in x22.
// Part 7: FEAT_LSE (LDADD, signed LDSMAX on a word, CAS, CASP, SWP) and CRC32 check values.
        .include "common.inc"
        .arch   armv8.1-a+crc

        .set    CPACR_FPEN_ALL, (3 << 20)
        .set    CPTR_TFP,       (1 << 10)
        .set    CPTR_EL2_RES1,  0x33ff
        .set    ESR_FP_TRAP,    0x1fe00000
        .set    ESR_UNKNOWN,    0x02000000
        .set    HCR_TGE,        (1 << 27)
        .set    FPCR_VALUE,     0x03c00000      // DN, FZ, RMode = 0b11
        .set    FPSR_VALUE,     0x08000001      // QC, IOC

        .text
main:
        adr     x0, vectors_el3
        msr     vbar_el3, x0
        adr     x0, vectors_el2
        msr     vbar_el2, x0
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        isb

        putln   "part 0: reset values"
        check_sysreg CPTR_EL3, 0
        check_sysreg CPTR_EL2, 0
        check_sysreg CPACR_EL1, 0

        putln   "part 1: q0-q31, FPCR, FPSR save and restore at EL3"
        .irp    i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        li      x1, (0x0101010101010101 * (\i + 1))
        fmov    d\i, x1
        li      x2, (0x0f0f0f0f0f0f0f0f ^ (0x0001000100010001 * (\i + 3)))
        mov     v\i\().d[1], x2
        .endr
        li      x1, FPCR_VALUE
        msr     fpcr, x1
        li      x1, FPSR_VALUE
        msr     fpsr, x1
        ldr     x0, =fpregs
        stp     q0, q1, [x0], #32
        stp     q2, q3, [x0], #32
        stp     q4, q5, [x0], #32
        stp     q6, q7, [x0], #32
        stp     q8, q9, [x0], #32
        stp     q10, q11, [x0], #32
        stp     q12, q13, [x0], #32
        stp     q14, q15, [x0], #32
        stp     q16, q17, [x0], #32
        stp     q18, q19, [x0], #32
        stp     q20, q21, [x0], #32
        stp     q22, q23, [x0], #32
        stp     q24, q25, [x0], #32
        stp     q26, q27, [x0], #32
        stp     q28, q29, [x0], #32
        stp     q30, q31, [x0], #32
        mrs     x9, fpsr
        mrs     x10, fpcr
        stp     x9, x10, [x0]
        // Clobber everything.
        .irp    i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        movi    v\i\().2d, #0
        .endr
        msr     fpcr, xzr
        msr     fpsr, xzr
        // Restore (the other addressing forms: signed offset, LDNP, LDR Q pre/post-index).
        ldr     x0, =fpregs
        ldp     q0, q1, [x0]
        ldnp    q2, q3, [x0, #32]
        add     x0, x0, #64
        .irp    i, 4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        ldr     q\i, [x0], #16
        .endr
        ldp     x9, x10, [x0]
        msr     fpsr, x9
        msr     fpcr, x10
        // Verify every register.
        mov     x20, #0                         // mismatches
        .irp    i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        fmov    x1, d\i
        li      x2, (0x0101010101010101 * (\i + 1))
        cmp     x1, x2
        cinc    x20, x20, ne
        mov     x1, v\i\().d[1]
        li      x2, (0x0f0f0f0f0f0f0f0f ^ (0x0001000100010001 * (\i + 3)))
        cmp     x1, x2
        cinc    x20, x20, ne
        .endr
        check   "mismatched halves", x20, 0
        fmov    x19, d7
        check   "d7", x19, 0x0808080808080808
        mov     x19, v31.d[1]
        check   "v31.d[1]", x19, 0x0f2d0f2d0f2d0f2d
        mrs     x19, fpcr
        check   "fpcr", x19, FPCR_VALUE
        mrs     x19, fpsr
        check   "fpsr", x19, FPSR_VALUE
        umov    w19, v5.b[3]
        check   "v5.b[3]", x19, 0x06
        smov    x19, v31.h[4]
        check   "smov v31.h[4]", x19, 0x0f2d
        movi    v6.4s, #0x80, lsl #24
        mov     x19, v6.d[1]
        check   "movi v6.4s", x19, 0x8000000080000000

        putln   "part 2: CPACR_EL1.FPEN=00 traps EL1 to EL1"
        msr     cpacr_el1, xzr
        adr     x22, part3
        eret_to 3, SPSR_EL1h, el1_part2
el1_part2:
        li      x0, 0x1234
fp_2:   fmov    d0, x0                          // EC 0x07 to EL1; the handler sets FPEN=11
        fmov    x19, d0
        check   "d0", x19, 0x1234
        smc     #0

part3:
        putln   "part 3: CPTR_EL2.TFP traps EL1 to EL2"
        li      x0, (CPTR_EL2_RES1 | CPTR_TFP)
        msr     cptr_el2, x0
        adr     x22, part4
        eret_to 3, SPSR_EL1h, el1_part3
el1_part3:
fp_3:   mrs     x19, fpcr                       // EC 0x07 to EL2; the handler clears TFP
        check   "fpcr", x19, FPCR_VALUE
        smc     #0

part4:
        putln   "part 4: CPTR_EL3.TFP traps EL1 to EL3"
        li      x0, CPTR_TFP
        msr     cptr_el3, x0
        adr     x22, part5
        eret_to 3, SPSR_EL1h, el1_part4
el1_part4:
fp_4:   movi    v1.16b, #0x5a                   // EC 0x07 to EL3; the handler clears TFP
        umov    w19, v1.b[15]
        check   "v1.b[15]", x19, 0x5a
        smc     #0

part5:
        putln   "part 5: CPTR_EL3.TFP traps EL3 itself"
        li      x0, CPTR_TFP
        msr     cptr_el3, x0
        isb
        li      x0, 0x55aa
fp_5:   dup     v2.8h, w0                       // EC 0x07 to EL3 (current EL); the handler clears TFP
        umov    w19, v2.h[7]
        check   "v2.h[7]", x19, 0x55aa

        putln   "part 6: HCR_EL2.TGE=1: an EL0 trap goes to EL2 as EC 0x00"
        msr     cpacr_el1, xzr
        li      x0, (HCR_RW | HCR_TGE)
        msr     hcr_el2, x0
        adr     x22, part7
        eret_to 3, SPSR_EL0t, el0_part6
el0_part6:
        mov     w0, #0x77
fp_6:   fmov    s3, w0                          // EC 0x00 to EL2; the handler sets CPACR_EL1.FPEN=11
        fmov    w19, s3
        svc     #0                              // TGE: to EL2, which returns to EL3 with SMC

part7:
        check   "s3 at EL0", x19, 0x77
        li      x0, HCR_RW
        msr     hcr_el2, x0
        isb

        putln   "part 7: LSE atomics and CRC32"
        ldr     x24, =lse_buf
        mov     x0, #1
        str     x0, [x24]
        mov     w4, #-1
        ldsmax  w4, w5, [x24]                   // signed: max(1, -1) = 1, w5 = old
        ldr     x19, [x24]
        check   "ldsmax w", x19, 1
        mov     x4, #0x10
        ldaddal x4, x5, [x24]
        mov     x20, x5                         // (check clobbers x0-x7)
        ldr     x19, [x24]
        check   "ldaddal", x19, 0x11
        check   "ldaddal old", x20, 1
        mov     x6, #0x11
        mov     x7, #0x99
        casal   x6, x7, [x24]                   // equal: stores 0x99, x6 = old
        mov     x20, x6
        ldr     x19, [x24]
        check   "cas stored", x19, 0x99
        check   "cas old", x20, 0x11
        mov     x8, #0x99
        mov     x9, #0x42
        mov     x10, #0xa
        mov     x11, #0xb
        casp    x8, x9, x10, x11, [x24]         // [x24+8] is 0, not 0x42: no store
        ldr     x19, [x24]
        check   "casp unchanged", x19, 0x99
        check   "casp old hi", x9, 0
        mov     w12, #0x3c
        swpb    w12, w13, [x24]
        ldr     x19, [x24]
        check   "swpb", x19, 0x3c
        check   "swpb old", x13, 0x99
        // CRC-32 and CRC-32C of "123456789": the standard check values.
        mov     w0, #-1
        mov     w1, #-1
        adr     x2, crc_msg
        mov     x3, #9
1:      ldrb    w4, [x2], #1
        crc32b  w0, w0, w4
        crc32cb w1, w1, w4
        subs    x3, x3, #1
        b.ne    1b
        mvn     w19, w0
        mvn     w20, w1
        check   "crc32", x19, 0xcbf43926
        check   "crc32c", x20, 0xe3069283
        b       finish

crc_msg:
        .ascii  "123456789"
        .balign 4
        .ltorg

// ---- handlers ----

        // EL1, current EL with SPx: part 2 (FPEN = 00).
el1_sync:
        check_sysreg ESR_EL1, ESR_FP_TRAP
        check_sysreg ELR_EL1, fp_2
        li      x0, CPACR_FPEN_ALL
        msr     cpacr_el1, x0
        isb
        b       exc_return

        // EL2, lower EL: part 3 (EC 0x07 from EL1), part 6 (EC 0x00 and the SVC from EL0).
el2_sync_lower:
        mrs     x0, esr_el2
        lsr     x0, x0, #26
        cmp     x0, #0x15
        b.eq    1f
        cmp     x0, #0x07
        b.ne    2f
        check_sysreg ESR_EL2, ESR_FP_TRAP
        check_sysreg ELR_EL2, fp_3
        li      x0, CPTR_EL2_RES1
        msr     cptr_el2, x0
        isb
        b       exc_return
2:      check_sysreg ESR_EL2, ESR_UNKNOWN
        check_sysreg ELR_EL2, fp_6
        li      x0, CPACR_FPEN_ALL
        msr     cpacr_el1, x0
        isb
        b       exc_return
1:      smc     #0                              // back to EL3 (its continuation in x22)

        // EL3, lower EL: SMC #0 = "part done", or the CPTR_EL3.TFP trap of part 4.
el3_sync_lower:
        mrs     x0, esr_el3
        lsr     x0, x0, #26
        cmp     x0, #0x17
        b.ne    1f
        add     sp, sp, #FRAME_SIZE             // drop the frame and continue at EL3
        ret     x22
1:      check_sysreg ESR_EL3, ESR_FP_TRAP
        check_sysreg ELR_EL3, fp_4
        msr     cptr_el3, xzr
        isb
        b       exc_return

        // EL3, current EL: part 5.
el3_sync_current:
        check_sysreg ESR_EL3, ESR_FP_TRAP
        check_sysreg ELR_EL3, fp_5
        msr     cptr_el3, xzr
        isb
        b       exc_return
        .ltorg

        vector_table vectors_el1, 1, , el1_sync
        vector_table vectors_el2, 2, , , el2_sync_lower
        vector_table vectors_el3, 3, , el3_sync_current, el3_sync_lower

        .data
        .balign 16
fpregs:
        .skip   32 * 16 + 16
lse_buf:
        .quad   0, 0
