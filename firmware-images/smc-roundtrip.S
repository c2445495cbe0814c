// SPDX-License-Identifier: MIT
// smc-roundtrip: NS EL1 SMC #0x7 to the EL3 lower-EL vector and back with a result in x0.
//
// NS EL1 executes SMC #0x7 (HCR_EL2.TSC=0, SCR_EL3.SMD=0); EL3 takes it at
// VBAR_EL3 + 0x400 (lower EL, AArch64) and returns a value in x0.
// Arm ARM ASL AArch64.CheckForSMCUndefOrTrap / AArch64.CallSecureMonitor: EC 0x17,
// ISS = imm16, ELR_EL3 = the instruction after the SMC, SPSR_EL3 = PSTATE at the SMC.
// x0 holds a function ID that is not a PSCI call (QEMU's built-in PSCI is not involved).
        .include "common.inc"

        .text
main:
        adr     x0, vectors_el3
        msr     vbar_el3, x0
        eret_to 3, SPSR_EL1h, at_el1

at_el1:
        li      x0, 0x82001234                  // SMC32 fast call, OEN 2 (SiP): not PSCI
        mov     x1, #0x55
        set_nzcv 0x60000000                     // Z and C set
        smc     #0x7
after_smc:
        mov     x19, x0
        mov     x20, x1
        check   "x0", x19, 0x00c0ffee
        check   "x1", x20, 0x55
        mrs     x19, CurrentEL
        check   "CurrentEL", x19, 0x4
        b       finish

el3_sync_lower:
        mov     x19, x18
        check   "vector", x19, 0x400
        mrs     x19, CurrentEL
        check   "CurrentEL", x19, 0xc
        check_sysreg ESR_EL3, 0x5e000007
        check_sysreg ELR_EL3, after_smc
        check_sysreg SPSR_EL3, (0x60000000 | SPSR_EL1h)
        ldr     x19, [sp, #0]
        check   "smc.x0", x19, 0x82001234
        li      x0, 0x00c0ffee
        str     x0, [sp, #0]
        b       exc_return

        vector_table vectors_el3, 3, , , el3_sync_lower
