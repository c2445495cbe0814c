// SPDX-License-Identifier: MIT
// psci-version: TF-A's fast-SMC path for PSCI_VERSION at EL3, timed the way TF-A times it.
//
// Calibration image for the timing profiles (docs/timing.md). The EL3 side is a transcription
// of Trusted Firmware-A's SMC path, instruction by instruction where TF-A is assembly and as
// GCC -O2 would compile it where TF-A is C (marked "C:"), built with
// ENABLE_RUNTIME_INSTRUMENTATION=1 as in TF-A's published PSCI_VERSION measurements:
//
//   default         TF-A v2.14 (bl31/aarch64/runtime_exceptions.S handle_sync_exception,
//                   sync_handler64; lib/el3_runtime/aarch64/context.S prepare_el3_entry,
//                   el3_exit): the code the N1SDP figures were measured on.
//   TFA_2017 = 1    TF master c38b36d of 31/01/2017 (smc_handler64 with
//                   save_x18_to_x29_sp_el0, el3_exit + restore_gp_registers_eret): the code
//                   the Juno Cortex-A57 figures were measured on (docs/psci-performance-juno.rst).
//   NO_RT_INSTR = 1 either, built without runtime instrumentation (no PMF timestamps, no
//                   cache maintenance): the plain fast-SMC cost a native EL3 component charges
//                   (TimingProfile.native.el3Dispatch); el3_window_cycles then prints 0.
//
// What TF-A's figure measures (std_svc_setup.c std_svc_smc_handler; TFTF
// test_pmf_rt_instr.c dump_psci_version_stats): EXIT_PSCI - ENTER_PSCI, where ENTER_PSCI is
// the counter read in the EL3 vector right after the exception was taken and EXIT_PSCI the
// counter read after psci_smc_handler returned. It covers the context save, the runtime-service
// dispatch, the PMF timestamp store with its cache maintenance, and the PSCI handler; it does
// not cover the exception entry, el3_exit's restore or the ERET. TF-A reads CNTPCT_EL0 (50 MHz
// on Juno); this image reads PMCCNTR_EL0 at the same two places (one MRS each, same cost in
// the model) to get cycle resolution.
//
// The NS-EL1 caller prints:
//   psci_version       x0 after SMC(PSCI_VERSION) = 0x10001 (PSCI 1.1)
//   el3_window_cycles  EXIT_PSCI - ENTER_PSCI averaged over N_CALLS calls (TF-A's metric)
//   round_trip_cycles  SMC to the instruction after it, seen from NS-EL1 with PMCCNTR_EL0:
//                      (N_CALLS calls in a loop - the same loop without the SMC) / N_CALLS
        .include "common.inc"

        .set    N_CALLS,                32
        .set    PSCI_VERSION_FID,       0x84000000
        .set    PSCI_VERSION_VALUE,     0x10001         // PSCI_MAJOR_VER | PSCI_MINOR_VER (1.1)
        .set    SMC_UNK,                -1

        // cpu_context_t (include/lib/el3_runtime/aarch64/context.h)
        .set    CTX_GPREG_X29,          0xe8
        .set    CTX_GPREG_LR,           0xf0
        .set    CTX_GPREG_SP_EL0,       0xf8
        .set    CTX_EL3STATE_OFFSET,    0x100
        .set    CTX_SCR_EL3,            0x0
        .set    CTX_RUNTIME_SP,         0x8
        .set    CTX_SPSR_EL3,           0x10
        .set    CTX_ELR_EL3,            0x18
        .set    CTX_PMCR_EL0,           0x20
        .set    CTX_SIZE,               0x140

        // cpu_data_t: the PMF TS0 slot the vector writes (CPU_DATA_PMF_TS0_OFFSET)
        .set    CPU_DATA_PMF_TS0,       0x0

        // rt_svc_desc_t (include/common/runtime_svc.h, AArch64)
        .set    RT_SVC_SIZE_LOG2,       5
        .set    RT_SVC_DESC_HANDLE,     24

        // SMCCC function ID fields (include/lib/smccc.h)
        .set    FUNCID_TYPE_SHIFT,      31
        .set    FUNCID_CC_SHIFT,        30
        .set    FUNCID_OEN_SHIFT,       24
        .set    FUNCID_OEN_WIDTH,       6
        .set    FUNCID_FC_RESERVED,     (0x7f << 17)
        .set    FUNCID_SVE_HINT,        (1 << 16)
        .set    EC_AARCH32_SMC,         0x13
        .set    EC_AARCH64_SMC,         0x17
        .set    EC_AARCH64_SYS,         0x18

        // PMF: runtime instrumentation service, one cache line of timestamps per CPU
        .set    RT_INSTR_ENTER_PSCI,    0
        .set    RT_INSTR_EXIT_PSCI,     1
        .set    PMF_PERCPU_TS_SIZE,     64
        .set    PSCI_CAP_VERSION,       (1 << 0)

// ---------------------------------------------------------------------------------------
// EL3 set-up (what bl31_main/cm_init leave behind), then NS-EL1
// ---------------------------------------------------------------------------------------
        .text
main:
        // Cycle counter on for every EL (PMCR_EL0.E, reset with C; PMCNTENSET_EL0.C);
        // MDCR_EL2/EL3.TPM = 0 (reset), so NS-EL1 reads PMCCNTR_EL0 without a trap.
        mrs     x0, pmcr_el0
        orr     x0, x0, #(1 << 0)                  // PMCR_EL0.E
        orr     x0, x0, #(1 << 2)                  // PMCR_EL0.C: reset the cycle counter
        msr     pmcr_el0, x0
        mov     x0, #(1 << 31)
        msr     pmcntenset_el0, x0
        // TPIDR_EL3 -> this CPU's cpu_data; the NS context records the EL3 runtime stack
        // (SP_EL0 at EL3) and SCR_EL3; SP_EL3 points at the NS context while NS runs.
        ldr     x0, =cpu_data
        msr     tpidr_el3, x0
        ldr     x1, =ns_cpu_context
        ldr     x2, =el3_runtime_stack_top
        str     x2, [x1, #CTX_EL3STATE_OFFSET + CTX_RUNTIME_SP]
        ldr     x2, =SCR_DEFAULT
        str     x2, [x1, #CTX_EL3STATE_OFFSET + CTX_SCR_EL3]
        ldr     x0, =runtime_exceptions
        msr     vbar_el3, x0
        ldr     x0, =SPSR_EL1h
        msr     spsr_el3, x0
        ldr     x0, =ns_el1_main
        msr     elr_el3, x0
        mov     sp, x1
        isb
        eret

// ---------------------------------------------------------------------------------------
// NS-EL1: the caller (TFTF's role)
// ---------------------------------------------------------------------------------------
ns_el1_main:
        movz    w0, #(PSCI_VERSION_FID >> 16), lsl #16
        smc     #0                              // warm-up call, and the answer
        mov     x19, x0
        check   "psci_version", x19, PSCI_VERSION_VALUE

        // Round trip: N_CALLS SMCs between two PMCCNTR_EL0 reads, minus the same loop without them.
        mov     x21, #N_CALLS
        mrs     x19, pmccntr_el0
1:      movz    w0, #(PSCI_VERSION_FID >> 16), lsl #16
        smc     #0
        subs    x21, x21, #1
        b.ne    1b
        mrs     x20, pmccntr_el0
        mov     x21, #N_CALLS
        mrs     x22, pmccntr_el0
2:      movz    w0, #(PSCI_VERSION_FID >> 16), lsl #16
        subs    x21, x21, #1
        b.ne    2b
        mrs     x23, pmccntr_el0
        sub     x19, x20, x19
        sub     x22, x23, x22
        sub     x19, x19, x22
        mov     x20, #N_CALLS
        udiv    x24, x19, x20
        show    "round_trip_cycles", x24

        // TF-A's metric: after each call read the two PMF timestamps (TFTF does this with
        // PMF_SMC_GET_TIMESTAMP; the PMF area is in NS-readable DRAM here) and sum the difference.
        mov     x21, #N_CALLS
        mov     x25, #0
        ldr     x26, =pmf_ts_rt_instr_svc
3:      movz    w0, #(PSCI_VERSION_FID >> 16), lsl #16
        smc     #0
        ldr     x1, [x26, #(8 * RT_INSTR_ENTER_PSCI)]
        ldr     x2, [x26, #(8 * RT_INSTR_EXIT_PSCI)]
        sub     x2, x2, x1
        add     x25, x25, x2
        subs    x21, x21, #1
        b.ne    3b
        mov     x20, #N_CALLS
        udiv    x25, x25, x20
        show    "el3_window_cycles", x25
        b       finish

// ---------------------------------------------------------------------------------------
// EL3 vectors: runtime_exceptions (bl31/aarch64/runtime_exceptions.S)
// ---------------------------------------------------------------------------------------
        .section .text.vectors, "ax"
        .balign 0x800
runtime_exceptions:
        .rept   8                               // current EL: not expected
        .balign 0x80
        b       unexpected_el3
        .endr

        .balign 0x80                            // lower EL, AArch64, synchronous: 0x400
sync_exception_aarch64:
.ifdef TFA_2017
        // handle_sync_exception (c38b36d)
        msr     daifclr, #4                     // enable SError
        str     x30, [sp, #CTX_GPREG_LR]
.ifndef NO_RT_INSTR
        mrs     x30, pmccntr_el0                // ENTER_PSCI (TF-A: cntpct_el0)
        str     x29, [sp, #CTX_GPREG_X29]
        mrs     x29, tpidr_el3
        str     x30, [x29, #CPU_DATA_PMF_TS0]
        ldr     x29, [sp, #CTX_GPREG_X29]
.endif
        mrs     x30, esr_el3
        ubfx    x30, x30, #26, #6
        cmp     x30, #EC_AARCH32_SMC
        b.eq    unexpected_el3
        cmp     x30, #EC_AARCH64_SMC
        b.eq    smc_handler64
        b       unexpected_el3
.else
        // save_x30; apply_at_speculative_wa (nothing on N1); sync_and_handle_pending_serror:
        // synchronize_errors is an ESB with FEAT_RAS; the ISR_EL1 check that follows is left out
        // (ISR_EL1 is not modelled, state/sysregs.ts).
        str     x30, [sp, #CTX_GPREG_LR]
        hint    #16                             // esb
        // handle_sync_exception (v2.14)
.ifndef NO_RT_INSTR
        str     x29, [sp, #CTX_GPREG_X29]
        adr     x29, cpu_data                   // per_cpu_cur percpu_data, x29, x30
        adr     x30, cpu_data
        sub     x29, x29, x30
        mrs     x30, tpidr_el3
        add     x29, x30, x29
        mrs     x30, pmccntr_el0                // ENTER_PSCI (TF-A: cntpct_el0)
        str     x30, [x29, #CPU_DATA_PMF_TS0]
        ldr     x29, [sp, #CTX_GPREG_X29]
.endif
        mrs     x30, esr_el3
        ubfx    x30, x30, #26, #6
        cmp     x30, #EC_AARCH32_SMC
        b.eq    unexpected_el3
        cmp     x30, #EC_AARCH64_SMC
        b.eq    sync_handler64
        b       unexpected_el3
.endif

        .balign 0x80
        .rept   7                               // lower EL IRQ/FIQ/SError, AArch32: not expected
        b       unexpected_el3
        .balign 0x80
        .endr
        .text

.ifdef TFA_2017
smc_handler64:
        stp     x4, x5, [sp, #(8 * 4)]
        stp     x6, x7, [sp, #(8 * 6)]
        // save_x18_to_x29_sp_el0
        stp     x18, x19, [sp, #(8 * 18)]
        stp     x20, x21, [sp, #(8 * 20)]
        stp     x22, x23, [sp, #(8 * 22)]
        stp     x24, x25, [sp, #(8 * 24)]
        stp     x26, x27, [sp, #(8 * 26)]
        stp     x28, x29, [sp, #(8 * 28)]
        mrs     x18, sp_el0
        str     x18, [sp, #CTX_GPREG_SP_EL0]

        mov     x5, xzr
        mov     x6, sp
        ubfx    x16, x0, #FUNCID_OEN_SHIFT, #FUNCID_OEN_WIDTH
        ubfx    x15, x0, #FUNCID_TYPE_SHIFT, #1
        orr     x16, x16, x15, lsl #FUNCID_OEN_WIDTH
        adr     x11, rt_svc_descs + RT_SVC_DESC_HANDLE
        adr     x14, rt_svc_descs_indices
        ldrb    w15, [x14, x16]
        ldr     x12, [x6, #CTX_EL3STATE_OFFSET + CTX_RUNTIME_SP]
        tbnz    w15, #7, smc_unknown
        msr     spsel, #0
        lsl     w10, w15, #RT_SVC_SIZE_LOG2
        ldr     x15, [x11, w10, uxtw]
        mrs     x16, spsr_el3
        mrs     x17, elr_el3
        mrs     x18, scr_el3
        stp     x16, x17, [x6, #CTX_EL3STATE_OFFSET + CTX_SPSR_EL3]
        str     x18, [x6, #CTX_EL3STATE_OFFSET + CTX_SCR_EL3]
        bfi     x7, x18, #0, #1
        mov     sp, x12
        blr     x15
        b       el3_exit

smc_unknown:
        mov     x0, #SMC_UNK
        str     x0, [x6, #0]
        mov     sp, x12
        b       el3_exit

        // lib/el3_runtime/aarch64/context.S (c38b36d)
el3_exit:
        mov     x17, sp
        msr     spsel, #1
        str     x17, [sp, #CTX_EL3STATE_OFFSET + CTX_RUNTIME_SP]
        ldr     x18, [sp, #CTX_EL3STATE_OFFSET + CTX_SCR_EL3]
        ldp     x16, x17, [sp, #CTX_EL3STATE_OFFSET + CTX_SPSR_EL3]
        msr     scr_el3, x18
        msr     spsr_el3, x16
        msr     elr_el3, x17
        b       restore_gp_registers_eret
restore_gp_registers_eret:
        ldp     x0, x1, [sp, #(8 * 0)]
        ldp     x2, x3, [sp, #(8 * 2)]
        b       restore_gp_registers_callee_eret
restore_gp_registers_callee_eret:
        ldp     x4, x5, [sp, #(8 * 4)]
        ldp     x6, x7, [sp, #(8 * 6)]
        ldp     x8, x9, [sp, #(8 * 8)]
        ldp     x10, x11, [sp, #(8 * 10)]
        ldp     x12, x13, [sp, #(8 * 12)]
        ldp     x14, x15, [sp, #(8 * 14)]
        ldp     x18, x19, [sp, #(8 * 18)]
        ldp     x20, x21, [sp, #(8 * 20)]
        ldp     x22, x23, [sp, #(8 * 22)]
        ldp     x24, x25, [sp, #(8 * 24)]
        ldp     x26, x27, [sp, #(8 * 26)]
        ldp     x28, x29, [sp, #(8 * 28)]
        ldp     x30, x17, [sp, #CTX_GPREG_LR]
        msr     sp_el0, x17
        ldp     x16, x17, [sp, #(8 * 16)]
        eret
.else
sync_handler64:
        bl      prepare_el3_entry
        mov     x5, xzr
        mov     x6, sp
        ldr     x12, [x6, #CTX_EL3STATE_OFFSET + CTX_RUNTIME_SP]
        msr     spsel, #0
        mrs     x16, spsr_el3
        mrs     x17, elr_el3
        stp     x16, x17, [x6, #CTX_EL3STATE_OFFSET + CTX_SPSR_EL3]
        mrs     x18, scr_el3
        mov     x7, xzr
        bfi     x7, x18, #0, #1
        mrs     x16, esr_el3
        ubfx    x17, x16, #26, #6
        cmp     x17, #EC_AARCH64_SYS
        b.eq    unexpected_el3
        mov     sp, x12
        tbz     x0, #FUNCID_TYPE_SHIFT, 2f
        tst     x0, #FUNCID_FC_RESERVED
        b.ne    smc_unknown
2:      and     x16, x0, #FUNCID_SVE_HINT
        orr     x7, x7, x16
        bic     x0, x0, #FUNCID_SVE_HINT
        ubfx    x16, x0, #FUNCID_OEN_SHIFT, #FUNCID_OEN_WIDTH
        ubfx    x15, x0, #FUNCID_TYPE_SHIFT, #1
        orr     x16, x16, x15, lsl #FUNCID_OEN_WIDTH
        adrp    x14, rt_svc_descs_indices
        add     x14, x14, :lo12:rt_svc_descs_indices
        ldrb    w15, [x14, x16]
        tbnz    w15, #7, smc_unknown
        adrp    x11, rt_svc_descs + RT_SVC_DESC_HANDLE      // adr_l
        add     x11, x11, :lo12:(rt_svc_descs + RT_SVC_DESC_HANDLE)
        lsl     w10, w15, #RT_SVC_SIZE_LOG2
        ldr     x15, [x11, w10, uxtw]
        blr     x15
        b       el3_exit

smc_unknown:
        mov     x0, #SMC_UNK
        str     x0, [x6, #0]
        b       el3_exit

        // lib/el3_runtime/aarch64/context.S (v2.14)
prepare_el3_entry:
        isb
        // save_gp_pmcr_pauth_regs (no PAuth on Neoverse N1)
        stp     x0, x1, [sp, #(8 * 0)]
        stp     x2, x3, [sp, #(8 * 2)]
        stp     x4, x5, [sp, #(8 * 4)]
        stp     x6, x7, [sp, #(8 * 6)]
        stp     x8, x9, [sp, #(8 * 8)]
        stp     x10, x11, [sp, #(8 * 10)]
        stp     x12, x13, [sp, #(8 * 12)]
        stp     x14, x15, [sp, #(8 * 14)]
        stp     x16, x17, [sp, #(8 * 16)]
        stp     x18, x19, [sp, #(8 * 18)]
        stp     x20, x21, [sp, #(8 * 20)]
        stp     x22, x23, [sp, #(8 * 22)]
        stp     x24, x25, [sp, #(8 * 24)]
        stp     x26, x27, [sp, #(8 * 26)]
        stp     x28, x29, [sp, #(8 * 28)]
        mrs     x18, sp_el0
        str     x18, [sp, #CTX_GPREG_SP_EL0]
        mrs     x9, pmcr_el0
        str     x9, [sp, #CTX_EL3STATE_OFFSET + CTX_PMCR_EL0]
        // setup_el3_execution_context
        msr     daifclr, #4
        mrs     x15, mdcr_el3
        orr     x15, x15, #(1 << 16)            // MDCR_EL3.SDD
        msr     mdcr_el3, x15
        mrs     x15, scr_el3
        orr     x15, x15, #(1 << 3)             // SCR_EL3.EA
        orr     x15, x15, #(1 << 9)             // SCR_EL3.SIF
        msr     scr_el3, x15
        mrs     x15, pmcr_el0
        orr     x15, x15, #(1 << 5)             // PMCR_EL0.DP (not modelled: the counter keeps counting)
        msr     pmcr_el0, x15
        ret

el3_exit:
        mov     x17, sp
        msr     spsel, #1
        str     x17, [sp, #CTX_EL3STATE_OFFSET + CTX_RUNTIME_SP]
        ldr     x18, [sp, #CTX_EL3STATE_OFFSET + CTX_SCR_EL3]
        ldp     x16, x17, [sp, #CTX_EL3STATE_OFFSET + CTX_SPSR_EL3]
        msr     scr_el3, x18
        msr     spsr_el3, x16
        msr     elr_el3, x17
        bl      restore_gp_pmcr_pauth_regs
        ldr     x30, [sp, #CTX_GPREG_LR]
        eret                                    // exception_return (the dsb nsh; isb after it never run)
restore_gp_pmcr_pauth_regs:
        ldr     x0, [sp, #CTX_EL3STATE_OFFSET + CTX_PMCR_EL0]
        msr     pmcr_el0, x0
        ldp     x0, x1, [sp, #(8 * 0)]
        ldp     x2, x3, [sp, #(8 * 2)]
        ldp     x4, x5, [sp, #(8 * 4)]
        ldp     x6, x7, [sp, #(8 * 6)]
        ldp     x8, x9, [sp, #(8 * 8)]
        ldp     x10, x11, [sp, #(8 * 10)]
        ldp     x12, x13, [sp, #(8 * 12)]
        ldp     x14, x15, [sp, #(8 * 14)]
        ldp     x16, x17, [sp, #(8 * 16)]
        ldp     x18, x19, [sp, #(8 * 18)]
        ldp     x20, x21, [sp, #(8 * 20)]
        ldp     x22, x23, [sp, #(8 * 22)]
        ldp     x24, x25, [sp, #(8 * 24)]
        ldp     x26, x27, [sp, #(8 * 26)]
        ldr     x28, [sp, #CTX_GPREG_SP_EL0]
        msr     sp_el0, x28
        ldp     x28, x29, [sp, #(8 * 28)]
        ret
.endif

// ---------------------------------------------------------------------------------------
// The standard service (services/std_svc/std_svc_setup.c), PSCI (lib/psci/psci_main.c) and
// PMF (lib/pmf/pmf_main.c, lib/aarch64/cache_helpers.S) on the C runtime stack (SP_EL0).
// ---------------------------------------------------------------------------------------

        // C: uintptr_t std_svc_smc_handler(uint32_t smc_fid, x1, x2, x3, x4, cookie, handle, flags)
std_svc_smc_handler:
        stp     x29, x30, [sp, #-64]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]
        stp     x21, x22, [sp, #32]
        stp     x23, x24, [sp, #48]
        mov     w19, w0                         // smc_fid
        mov     x20, x6                         // handle
        mov     x21, x7                         // flags
.ifndef TFA_2017
        tbz     w0, #FUNCID_CC_SHIFT, 1f        // SMC32: clear the top parameter bits
        mov     w1, w1
        mov     w2, w2
        mov     w3, w3
        mov     w4, w4
1:
.endif
        mov     x22, x1
        mov     x23, x2
        mov     x24, x3
        tst     w0, #0xffe0                     // is_psci_fid
        b.ne    std_svc_other
.ifndef NO_RT_INSTR
        // PMF_WRITE_TIMESTAMP(rt_instr_svc, RT_INSTR_ENTER_PSCI, PMF_CACHE_MAINT, cpu_data.pmf_ts0)
        mrs     x0, tpidr_el3
        ldr     x1, [x0, #CPU_DATA_PMF_TS0]
        mov     w0, #RT_INSTR_ENTER_PSCI
        bl      pmf_capture_timestamp_with_cache_maint_rt_instr_svc
.endif
        // ret = psci_smc_handler(smc_fid, x1, x2, x3, x4, cookie, handle, flags)
        mov     w0, w19
        mov     x1, x22
        mov     x2, x23
        mov     x3, x24
        mov     x6, x20
        mov     x7, x21
        bl      psci_smc_handler
        mov     x19, x0
.ifndef NO_RT_INSTR
        // PMF_CAPTURE_TIMESTAMP(rt_instr_svc, RT_INSTR_EXIT_PSCI, PMF_NO_CACHE_MAINT)
        mrs     x1, pmccntr_el0                 // EXIT_PSCI (TF-A: read_cntpct_el0())
        mov     w0, #RT_INSTR_EXIT_PSCI
        bl      pmf_capture_timestamp_rt_instr_svc
.endif
        // SMC_RET1(handle, ret)
        str     x19, [x20, #0]
        mov     x0, x20
        ldp     x23, x24, [sp, #48]
        ldp     x21, x22, [sp, #32]
        ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #64
        ret
std_svc_other:
        mov     x0, #SMC_UNK
        str     x0, [x20, #0]
        mov     x0, x20
        ldp     x23, x24, [sp, #48]
        ldp     x21, x22, [sp, #32]
        ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #64
        ret

        // C: u_register_t psci_smc_handler(smc_fid, x1, x2, x3, x4, cookie, handle, flags)
psci_smc_handler:
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        tbnz    x7, #0, 1f                      // is_caller_secure(flags): flags.NS == 0
        b       psci_unk
1:      adr     x8, psci_caps
        ldr     w8, [x8]
        and     w9, w0, #0x1f                   // define_psci_cap(smc_fid)
        mov     w10, #1
        lsl     w9, w10, w9
        tst     w8, w9
        b.eq    psci_unk
        tbnz    w0, #FUNCID_CC_SHIFT, psci_unk  // SMC64 calls: not PSCI_VERSION
        mov     w1, w1                          // 32-bit PSCI function, clear top parameter bits
        mov     w2, w2
        mov     w3, w3
        movz    w9, #(PSCI_VERSION_FID >> 16), lsl #16
        cmp     w0, w9                          // switch (smc_fid)
        b.ne    psci_unk
        bl      psci_version
        mov     w0, w0
        ldp     x29, x30, [sp], #16
        ret
psci_unk:
        mov     x0, #SMC_UNK
        ldp     x29, x30, [sp], #16
        ret

        // C: unsigned int psci_version(void)
psci_version:
        mov     w0, #PSCI_VERSION_VALUE
        ret

        // C: PMF_DEFINE_CAPTURE_TIMESTAMP(rt_instr_svc, PMF_STORE_ENABLE) (lib/pmf/pmf_helpers.h)
pmf_capture_timestamp_with_cache_maint_rt_instr_svc:
        cmp     w0, #6                          // PMF_VALIDATE_TID
        b.hs    1f
        mov     x2, x1
        mov     w1, w0
        adr     x0, pmf_ts_rt_instr_svc
        b       __pmf_store_timestamp_with_cache_maint
1:      ret
pmf_capture_timestamp_rt_instr_svc:
        cmp     w0, #6
        b.hs    1f
        mov     x2, x1
        mov     w1, w0
        adr     x0, pmf_ts_rt_instr_svc
        b       __pmf_store_timestamp
1:      ret

        // C: __pmf_store_timestamp_with_cache_maint(base_addr, tid, ts)
__pmf_store_timestamp_with_cache_maint:
        stp     x29, x30, [sp, #-48]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]
        str     x21, [sp, #32]
        mov     x19, x0
        mov     w20, w1
        mov     x21, x2
        bl      plat_my_core_pos
        and     x1, x20, #0xff                  // calc_ts_addr: tid & PMF_TID_MASK
        add     x0, x19, x0, lsl #6             // + cpuid * PMF_PERCPU_TIMESTAMP_SIZE
        add     x0, x0, x1, lsl #3              // + tid * sizeof(unsigned long long)
        str     x21, [x0]
        mov     x1, #8
        bl      flush_dcache_range
        ldr     x21, [sp, #32]
        ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #48
        ret

        // C: __pmf_store_timestamp(base_addr, tid, ts)
__pmf_store_timestamp:
        stp     x29, x30, [sp, #-32]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]
        mov     x19, x0
        mov     x20, x2
        mov     w2, w1
        bl      plat_my_core_pos
        and     x1, x2, #0xff
        add     x0, x19, x0, lsl #6
        add     x0, x0, x1, lsl #3
        str     x20, [x0]
        ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #32
        ret

        // plat/arm/common/aarch64/arm_helpers.S
plat_my_core_pos:
        mrs     x0, mpidr_el1
        and     x1, x0, #0xff                   // plat_arm_calc_core_pos: MPIDR_CPU_MASK
        and     x0, x0, #0xff00                 // MPIDR_CLUSTER_MASK
        add     x0, x1, x0, lsr #6
        ret

        // lib/aarch64/cache_helpers.S: flush_dcache_range (do_dcache_maintenance_by_mva civac)
flush_dcache_range:
.ifndef TFA_2017
        cbz     x1, 2f
.endif
        mrs     x3, ctr_el0                     // dcache_line_size x2, x3
        ubfx    x3, x3, #16, #4
        mov     x2, #4
        lsl     x2, x2, x3
        add     x1, x0, x1
        sub     x3, x2, #1
        bic     x0, x0, x3
1:      dc      civac, x0
        add     x0, x0, x2
        cmp     x0, x1
        b.lo    1b
        dsb     sy
2:      ret
        .ltorg

// ---------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------
        .data
        .balign 8
        // rt_svc_descs_indices[]: 0xff = no service; (call type << 6 | OEN) of the standard
        // service's fast calls (1 << 6 | 4 = 68) -> descriptor 0 (runtime_svc_init fills this).
rt_svc_descs_indices:
        .fill   68, 1, 0xff
        .byte   0
        .fill   59, 1, 0xff
        .balign 8
        // rt_svc_desc_t std_svc: start_oen 4, end_oen 4, call_type fast, name, init, handle
rt_svc_descs:
        .byte   4, 4, 1, 0, 0, 0, 0, 0
        .quad   0                               // name
        .quad   0                               // init
        .quad   std_svc_smc_handler             // handle
psci_caps:
        .word   PSCI_CAP_VERSION
        .balign 64

        .bss
        .balign 64
cpu_data:
        .skip   64
pmf_ts_rt_instr_svc:
        .skip   PMF_PERCPU_TS_SIZE
ns_cpu_context:
        .skip   CTX_SIZE
        .balign 16
el3_runtime_stack:
        .skip   0x1000
el3_runtime_stack_top:
