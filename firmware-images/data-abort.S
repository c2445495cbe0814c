// SPDX-License-Identifier: MIT
// data-abort: load, store and instruction fetch at an unmapped PA (0x48000000) give synchronous External aborts to EL1 (EC 0x25/0x21).
//
// Accesses to a physical address where QEMU virt has nothing (0x48000000, just
// past 128 MiB of DRAM) with the MMU off. The system reports a synchronous External abort
// (DFSC/IFSC 0b010000), taken to EL1 from EL1 (SCR_EL3.EA=0, HCR_EL2 routes nothing):
//   load       -> Data Abort, same EL: EC 0x25, WnR=0, FAR = the address, ELR = the load
//   store      -> Data Abort, same EL: EC 0x25, WnR=1 (ISS bit 6)
//   fetch      -> Instruction Abort, same EL: EC 0x21, FAR = ELR = the target address
// ISV is 0 for aborts reported in ESR_EL1 (Arm ARM ESR_ELx ISS encoding for Data Aborts).
// ESR bit 9 (EA, "External abort type") is IMPLEMENTATION DEFINED; QEMU reports 0.
        .include "common.inc"

        .set    HOLE, 0x48000000

        .text
main:
        adr     x0, vectors_el1
        msr     vbar_el1, x0
        eret_to 3, SPSR_EL1h, at_el1

at_el1:
        putln   "1: LDR from a hole"
        li      x1, (HOLE + 0x10)
        mov     x22, #1
        adr     x21, 9f
9:      ldr     x0, [x1]

        putln   "2: STR to a hole"
        li      x1, (HOLE + 0x28)
        mov     x22, #2
        adr     x21, 9f
9:      str     x0, [x1]

        putln   "3: branch into a hole"
        li      x1, (HOLE + 0x100)
        mov     x22, #3
        mov     x21, x1
        adr     x30, 9f                         // the handler resumes at x30
        ret     x1                              // RET, not BR: leaves PSTATE.BTYPE at 0
9:      b       finish

el1_sync_current:
        show    "vector", x18
        mrs     x19, esr_el1
        mrs     x20, far_el1
        mrs     x23, elr_el1
        cmp     x22, #3
        b.eq    1f
        // data aborts
        li      x0, 0x96000010                  // EC 0x25, IL, DFSC 0x10
        li      x2, 0x96000050                  // ... and WnR
        cmp     x22, #2
        csel    x24, x2, x0, eq
        show    "ESR_EL1", x19
        b       2f
1:      li      x24, 0x86000010                 // EC 0x21, IL, IFSC 0x10
        show    "ESR_EL1", x19
2:      cmp     x19, x24
        b.eq    3f
        fail    "ESR_EL1"
3:      show    "FAR_EL1", x20
        show    "ELR_EL1", x23
        ldr     x1, [sp, #8]                    // the address (x1 of the interrupted code)
        cmp     x20, x1
        b.eq    4f
        fail    "FAR_EL1 is not the faulting address"
4:      cmp     x23, x21
        b.eq    5f
        fail    "ELR_EL1 is not the faulting instruction"
5:      cmp     x22, #3
        b.eq    6f
        add     x23, x23, #4                    // skip the load/store
        b       7f
6:      ldr     x23, [sp, #240]                 // back to the caller's x30
7:      msr     elr_el1, x23
        b       exc_return

        vector_table vectors_el1, 1, , el1_sync_current
