/**
 * pKVM numbers that are Linux's, not FF-A's: KVM host hypercall IDs, the EL2 stub's calls, HCR_EL2
 * values, the hyp memory carve-out, and the call sites of the native pKVM component.
 */
import { CALL_SITES } from '../component.js';

// ---- KVM host hypercalls (arch/arm64/include/asm/kvm_asm.h) ----

/**
 * KVM_HOST_SMCCC_ID(n) = ARM_SMCCC_CALL_VAL(FAST_CALL, SMC_64, OWNER_VENDOR_HYP, n) = 0xC6000000 | n.
 * `enum __kvm_host_smccc_func`: __kvm_hyp_init = 0 (hyp-init.S), __pkvm_init = 1, ...,
 * __vgic_v3_get_gic_config = 6, MARKER(__KVM_HOST_SMCCC_FUNC_MIN_PKVM) = 7 (shares its value with the
 * next entry), __pkvm_prot_finalize = 7 (Linux v6.x-7.x; checked in intel-lab-lkp/linux 35800c65).
 */
export const KVM_HOST_SMCCC_BASE = 0xc6000000;
export const KVM_HCALL_KVM_HYP_INIT = 0;
export const KVM_HCALL_PKVM_INIT = 1;
export const KVM_HCALL_PKVM_PROT_FINALIZE = 7;
/** Calls below this are refused once the host has set kvm_protected_mode_initialized. */
export const KVM_HCALL_MIN_PKVM = 7;
/** The host's `__pkvm_init` hypercall: HVC #0 with x0 = 0xC6000001. */
export const PKVM_INIT_HCALL = KVM_HOST_SMCCC_BASE + KVM_HCALL_PKVM_INIT;
/** The host's `__pkvm_prot_finalize` hypercall: x0 = 0xC6000007. */
export const PKVM_PROT_FINALIZE_HCALL = KVM_HOST_SMCCC_BASE + KVM_HCALL_PKVM_PROT_FINALIZE;

// ---- the EL2 stub before pKVM is installed (arch/arm64/include/asm/virt.h, kernel/hyp-stub.S) ----

export const HVC_SET_VECTORS = 0;
export const HVC_SOFT_RESTART = 1;
export const HVC_RESET_VECTORS = 2;
export const HVC_FINALISE_EL2 = 3;
export const HVC_GET_ICH_VTR_EL2 = 4;
export const HVC_STUB_HCALL_NR = 5;
/** What the stub returns in x0 for a call it does not know. */
export const HVC_STUB_ERR = 0xbadca11;

// ---- HCR_EL2 (Arm ARM D24.2.62; Linux kvm_arm.h) ----

export const HCR_VM = 1 << 0;
export const HCR_TSC = 1 << 19;
export const HCR_RW = 1 << 31;
/** The stub's HCR_EL2 (Linux init_el2_state: HCR_HOST_NVHE_FLAGS without the pointer-auth/MTE bits). */
export const HCR_STUB = HCR_RW | 0;
/**
 * HCR_HOST_NVHE_PROTECTED_FLAGS = RW|API|APK|ATA|TSC. API/APK/ATA are RES0 on this PE (no FEAT_PAuth,
 * no FEAT_MTE), so the model writes RW|TSC.
 */
export const HCR_PROTECTED = (HCR_RW | HCR_TSC) | 0;

/** SPSR for an entry at EL1h with DAIF masked (Linux INIT_PSTATE_EL1). */
export const SPSR_EL1H_DAIF = 0x3c5;

// ---- hyp memory (arch/arm64/include/asm/kvm_pkvm.h, hyp_ffa_proxy_pages) ----

/** KVM_FFA_MBOX_NR_PAGES: one 4 KiB page each for the hyp's TX and RX mailboxes. */
export const FFA_MBOX_PAGES = 1;
/**
 * hyp_ffa_proxy_pages() - 2: the descriptor buffer for a fragmented RETRIEVE_RESP, sized
 * ceil((sizeof(ffa_mem_region) 48 + sizeof(ffa_mem_region_attributes) 32 + sizeof(composite) 16 +
 * 4096 constituents x 16) / 4 KiB) = 17 pages (reference pkvm-ffa.md 1.3; older kernels used
 * SG_MAX_SEGMENTS = 2048).
 */
export const FFA_DESC_BUF_PAGES = Math.ceil((48 + 32 + 16 + 4096 * 16) / 4096);
/**
 * The hyp carve-out at the top of NS DRAM (hyp-owned, unmapped from the host stage 2): one page
 * standing for the host stage-2 page tables (VTTBR_EL2 points at it), then TX, RX and the descriptor
 * buffer. Real pKVM reserves far more (hyp text, stacks, vmemmap); nothing else lives there here.
 */
export const HYP_CARVEOUT_PAGES = 1 + 2 * FFA_MBOX_PAGES + FFA_DESC_BUF_PAGES;

// ---- native call sites (the component's code window, component.ts CALL_SITES) ----

/** Boot entry: the world builder starts the NS world here at EL2 (Linux's EL2 stub boot). */
export const SITE_ENTRY = CALL_SITES + 0x00;
/** Tail forward of a host SMC (`__kvm_hyp_host_forward_smc`): the reply resumes at +4. */
export const SITE_FORWARD = CALL_SITES + 0x10;
/** Nested SMCs of the cold paths (hyp_smccc_1_2_smc). */
export const SITE_CALL = CALL_SITES + 0x20;
/** PSCI re-entry points given to EL3 for CPU_ON (kvm_hyp_cpu_entry) and suspend (kvm_hyp_cpu_resume). */
export const SITE_CPU_ENTRY = CALL_SITES + 0x30;
export const SITE_CPU_RESUME = CALL_SITES + 0x40;
/** hyp_panic: the PE parks here (WFI with everything masked). */
export const SITE_PANIC = CALL_SITES + 0x50;
