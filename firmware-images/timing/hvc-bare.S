// SPDX-License-Identifier: MIT
// hvc-bare: the bare EL1 -> EL2 -> EL1 trap round trip (HVC, then an EL2 vector that is just ERET).
//
// Calibration image for the 27-cycle trap of Dall & Nieh, "KVM/ARM", ASPLOS 2014 (Cortex-A15;
// reference arch-and-cycles.md 8.2, digits UNVERIFIED): the hypervisor saves nothing, so the
// round trip is the HVC, the exception entry, the ERET and the return to EL1. NS-EL1 times
// N_CALLS HVCs in a loop with PMCCNTR_EL0, subtracts the same loop without the HVC, and prints
//   hvc_result         x0 after the last HVC (the vector does not touch it: 0x1234)
//   round_trip_cycles  cycles per HVC round trip
        .include "common.inc"

        .set    N_CALLS,        64

        .text
main:
        mrs     x0, pmcr_el0
        orr     x0, x0, #(1 << 0)                  // PMCR_EL0.E
        orr     x0, x0, #(1 << 2)                  // PMCR_EL0.C: reset the cycle counter
        msr     pmcr_el0, x0
        mov     x0, #(1 << 31)                  // PMCNTENSET_EL0.C
        msr     pmcntenset_el0, x0
        ldr     x0, =bare_vectors_el2
        msr     vbar_el2, x0
        eret_to 3, SPSR_EL1h, ns_el1_main       // EL3 -> NS EL1h (EL2 enabled, HCR_EL2.RW=1)

ns_el1_main:
        mov     x0, #0x1234
        hvc     #0                              // warm-up
        mov     x21, #N_CALLS
        mrs     x19, pmccntr_el0
1:      hvc     #0
        subs    x21, x21, #1
        b.ne    1b
        mrs     x20, pmccntr_el0
        mov     x21, #N_CALLS
        mrs     x22, pmccntr_el0
2:      subs    x21, x21, #1
        b.ne    2b
        mrs     x23, pmccntr_el0
        mov     x25, x0
        check   "hvc_result", x25, 0x1234
        sub     x19, x20, x19
        sub     x22, x23, x22
        sub     x19, x19, x22
        mov     x20, #N_CALLS
        udiv    x24, x19, x20
        show    "round_trip_cycles", x24
        b       finish

        // EL2 vectors: the lower-EL synchronous entry is a bare ERET, everything else unexpected.
        .section .text.vectors, "ax"
        .balign 0x800
bare_vectors_el2:
        .rept   8
        .balign 0x80
        b       unexpected_el2
        .endr
        .balign 0x80                            // 0x400: lower EL, AArch64, synchronous
        eret
        .balign 0x80
        .rept   7
        b       unexpected_el2
        .balign 0x80
        .endr
        .text
