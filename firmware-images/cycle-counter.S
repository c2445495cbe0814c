// SPDX-License-Identifier: MIT
// cycle-counter: PMCCNTR_EL0 and CNTPCT_EL0 advance, CNTFRQ_EL0 is nonzero (EL3; no raw counts printed).
//
// The PMU cycle counter and the generic timer count at EL3. Only facts that
// hold on every implementation are printed, never raw counts:
//   PMCCNTR_EL0 advances once PMCR_EL0.E = 1 and PMCNTENSET_EL0.C (bit 31) = 1
//   (Arm ARM D24.5), CNTFRQ_EL0 is nonzero, CNTPCT_EL0 advances (D24.10).
        .include "common.inc"

        .set    LOOPS, 10000

        .text
main:
        mrs     x0, pmcr_el0
        orr     x0, x0, #(1 << 0)               // E: enable
        orr     x0, x0, #(1 << 2)               // C: reset the cycle counter
        msr     pmcr_el0, x0
        mov     x0, #(1 << 31)                  // C: enable PMCCNTR_EL0
        msr     pmcntenset_el0, x0
        isb
        mrs     x19, pmcr_el0
        and     x19, x19, #1
        check   "PMCR_EL0.E", x19, 1
        mrs     x19, pmcntenset_el0
        lsr     x19, x19, #31
        check   "PMCNTENSET_EL0.C", x19, 1

        mrs     x20, pmccntr_el0
        mrs     x21, cntpct_el0
        li      x0, LOOPS
1:      subs    x0, x0, #1
        b.ne    1b
        isb
        mrs     x22, pmccntr_el0
        mrs     x23, cntpct_el0

        cmp     x22, x20
        b.hi    2f
        putln   "PMCCNTR advanced: no"
        bl      note_failure
        b       3f
2:      putln   "PMCCNTR advanced: yes"
3:      cmp     x23, x21
        b.hi    4f
        putln   "CNTPCT advanced: no"
        bl      note_failure
        b       5f
4:      putln   "CNTPCT advanced: yes"
5:      mrs     x0, cntfrq_el0
        cbz     x0, 6f
        putln   "CNTFRQ nonzero: yes"
        b       7f
6:      putln   "CNTFRQ nonzero: no"
        bl      note_failure
7:      // Stopping the counter: PMCNTENCLR_EL0.C freezes PMCCNTR_EL0.
        mov     x0, #(1 << 31)
        msr     pmcntenclr_el0, x0
        isb
        mrs     x20, pmccntr_el0
        li      x0, LOOPS
8:      subs    x0, x0, #1
        b.ne    8b
        mrs     x22, pmccntr_el0
        cmp     x22, x20
        b.eq    9f
        putln   "PMCCNTR stopped: no"
        bl      note_failure
        b       finish
9:      putln   "PMCCNTR stopped: yes"
        b       finish
