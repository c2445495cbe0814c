import { vec, version, V10, V11, V12, features, smc, hvc, err, OK, h32, h64, idGet, map, unmap, rxRelease, TX, RX, pig,
  expectMem, partInfo, UUID_A } from './lib.mjs';
import { req64, resp64 } from './pinfo-direct.mjs';

const NONE = { el2: 'none' };
const Z = '0x00000000';
const M1 = '0xffffffffffffffff';

// ---------------- smccc ----------------
vec('smccc', 'smccc-version', {
  description: 'SMCCC_VERSION returns the configured version (default 1.2 = 0x10002)',
  source: 'SMCCC DEN0028 7.2 SMCCC_VERSION; vector-format.md machine.smcccVersion',
  machine: NONE,
  steps: [smc({ x0: 'SMCCC_VERSION' }, { w0: '0x00010002' })],
});

vec('smccc', 'smccc-version-configured', {
  description: 'SMCCC_VERSION follows machine.smcccVersion ("1.1" = 0x10001)',
  source: 'SMCCC DEN0028 7.2 SMCCC_VERSION; vector-format.md machine.smcccVersion',
  machine: { el2: 'none', smcccVersion: '1.1' },
  steps: [smc({ x0: 'SMCCC_VERSION' }, { w0: '0x00010001' })],
});

vec('smccc', 'smccc-arch-features', {
  description: 'SMCCC_ARCH_FEATURES reports SMCCC_VERSION and SMCCC_ARCH_FEATURES as implemented (0) and an unknown Arm Architecture Service function as NOT_SUPPORTED (-1)',
  source: 'SMCCC DEN0028 7.3 SMCCC_ARCH_FEATURES; TF-A services/arm_arch_svc (smccc_arch_features)',
  machine: NONE,
  steps: [
    smc({ x0: 'SMCCC_ARCH_FEATURES', w1: 'SMCCC_VERSION' }, { w0: Z }),
    smc({ x0: 'SMCCC_ARCH_FEATURES', w1: 'SMCCC_ARCH_FEATURES' }, { w0: Z }),
    smc({ x0: 'SMCCC_ARCH_FEATURES', w1: '0x80001234' }, { w0: 'SMCCC_NOT_SUPPORTED' }),
  ],
});

vec('smccc', 'psci-version', {
  description: 'PSCI_VERSION returns the configured version (default 1.1 = 0x10001)',
  source: 'PSCI DEN0022 5.1.1 PSCI_VERSION; vector-format.md machine.psciVersion',
  machine: NONE,
  steps: [smc({ x0: 'PSCI_VERSION' }, { w0: '0x00010001' })],
});

vec('smccc', 'psci-version-configured', {
  description: 'PSCI_VERSION follows machine.psciVersion ("1.0" = 0x10000)',
  source: 'PSCI DEN0022 5.1.1; vector-format.md machine.psciVersion',
  machine: { el2: 'none', psciVersion: '1.0' },
  steps: [smc({ x0: 'PSCI_VERSION' }, { w0: '0x00010000' })],
});

vec('smccc', 'unknown-smc-returns-minus-one', {
  description: 'an SMC no service implements returns SMC_UNK (-1) in the whole of x0: a SiP call, an OEM call and an unallocated Standard Secure Service function',
  source: 'SMCCC DEN0028 5.2 (Unknown Function Identifier: -1); TF-A common/runtime_svc.c (SMC_UNK)',
  machine: NONE,
  steps: [
    smc({ x0: '0xc2000010' }, { x0: M1 }),
    smc({ x0: '0x83000001' }, { x0: M1 }),
    smc({ x0: '0x8400ff00' }, { x0: M1 }),
  ],
});

vec('smccc', 'pkvm-forwards-non-ffa-smcs', {
  description: 'under pKVM, SMCCC_VERSION, PSCI_VERSION (PSCI relay) and unknown SMCs reach EL3 unchanged and its replies come back',
  source: 'Linux arch/arm64/kvm/hyp/nvhe/hyp-main.c handle_host_smc (PSCI relay, then FF-A, then default forwarding); reference pkvm-ffa.md 2 and 8 item 4',
  steps: [
    smc({ x0: 'SMCCC_VERSION' }, { w0: '0x00010002' }),
    smc({ x0: 'PSCI_VERSION' }, { w0: '0x00010001' }),
    smc({ x0: '0xc2000010' }, { x0: M1 }),
  ],
});

vec('smccc', 'console-log-not-from-nwd-tf-a', {
  description: 'FFA_CONSOLE_LOG is a partition interface; the normal world gets NOT_SUPPORTED for both widths, whatever the character count',
  source: 'DEN0077A v1.2 13.12 FFA_CONSOLE_LOG; reference ffa-abi.md 5.2 (NOT_SUPPORTED from the NWd: TFA SPMD never forwards it); ff-a-acs test/v1.2/setup_discovery/ffa_console_log runs from secure endpoints only',
  machine: { el2: 'none', policy: { spmc: 'tf-a' } },
  steps: [
    version(V12, V12),
    smc({ x0: 'FFA_CONSOLE_LOG', w1: '0x00000002', w2: '0x00000a41' }, err('NOT_SUPPORTED')),
    smc({ x0: 'FFA_CONSOLE_LOG_64', x1: '0x0000000000000002', x2: '0x0000000000000a42' }, err('NOT_SUPPORTED')),
  ],
});

vec('smccc', 'ffa-unknown-function-not-supported', {
  description: 'an unallocated function number inside the FF-A range (0x84000091) is answered FFA_ERROR(NOT_SUPPORTED)',
  source: 'DEN0077A v1.2 (function IDs 0x60-0xFF reserved for FF-A); reference ffa-abi.md 9 item 1 (unknown FF-A FIDs -> FFA_ERROR NOT_SUPPORTED)',
  machine: NONE,
  steps: [version(V12, V12), smc({ x0: '0x84000091' }, err('NOT_SUPPORTED'))],
});

// ---------------- placement ----------------
vec('placement', 'spmc-none-ffa-unknown', {
  description: 'with no SPMD/SPMC at EL3 every FF-A call is an unknown SMC: SMCCC_NOT_SUPPORTED (-1) in the whole of x0; SMCCC and PSCI still answer',
  source: 'vector-format.md machine.spmc "none"; SMCCC DEN0028 5.2; TF-A runtime_svc (unknown function: SMC_UNK)',
  machine: { el2: 'none', spmc: 'none' },
  steps: [
    smc({ x0: 'FFA_VERSION', w1: V12 }, { x0: M1 }),
    smc({ x0: 'FFA_ID_GET' }, { x0: M1 }),
    smc({ x0: 'FFA_MSG_SEND_DIRECT_REQ_64', w1: '0x00008001' }, { x0: M1 }),
    smc({ x0: 'SMCCC_VERSION' }, { w0: '0x00010002' }),
    smc({ x0: 'PSCI_VERSION' }, { w0: '0x00010001' }),
  ],
});

vec('placement', 'spmc-none-pkvm-proxy-inert', {
  description: "with pKVM but no SPMC, hyp_ffa_init's FFA_VERSION got -1 and left the proxy inert: the host's FFA_VERSION fails (post-init FFA_ID_GET fails) with NOT_SUPPORTED, other FF-A calls stay gated with INVALID_PARAMETERS, non-FF-A SMCs pass",
  source: 'Linux arch/arm64/kvm/hyp/nvhe/ffa.c hyp_ffa_init / do_ffa_version / hyp_ffa_post_init; reference pkvm-ffa.md 3.1 step 2 and 4.1',
  machine: { spmc: 'none' },
  steps: [
    version(V12, 'NOT_SUPPORTED'),
    idGet(err('INVALID_PARAMETERS')),
    smc({ x0: 'SMCCC_VERSION' }, { w0: '0x00010002' }),
  ],
});

vec('placement', 'el2-none-hvc-undefined', {
  description: 'with no hypervisor (SCR_EL3.HCE = 0) HVC is UNDEFINED at EL1: the host takes an exception with EC 0x00 instead of a return; SMC still reaches EL3',
  source: 'Arm ARM D1.x (HVC UNDEFINED when SCR_EL3.HCE is 0); vector-format.md machine.el2 "none" and expect.exception',
  machine: NONE,
  steps: [hvc({ x0: 'FFA_VERSION', w1: V12 }, { exception: { el: 1, ec: '0x00' } }), version(V12, V12)],
});

vec('placement', 'el2-none-boot-reset', {
  description: 'with no hypervisor, boot "reset" means the same as "pkvm-ready": firmware initialised, the host talks to EL3 directly',
  source: 'vector-format.md machine.boot (with el2 "none" both mean: firmware initialised)',
  machine: { el2: 'none', boot: 'reset' },
  steps: [version(V12, V12), idGet(), smc({ x0: 'FFA_MSG_SEND_DIRECT_REQ_64', w1: '0x00008001', x3: '0x1234' }, { w0: 'FFA_MSG_SEND_DIRECT_RESP_64', w1: '0x80010000', x3: '0x1234' })],
});

vec('placement', 'el3-spmc-discovery', {
  description: 'the EL3 SPMC placement answers the discovery sequence of a Linux-like driver: version, ID, RX/TX map, partition info, direct request',
  source: 'DEN0077A v1.2 ch.13 setup and discovery; reference pkvm-ffa.md 5.2 (ffa_init order); tf-a-tests test_el3_spmc_setup_and_discovery',
  machine: { el2: 'none', spmc: 'el3' },
  steps: [
    version(V12, V12), idGet(), features('FFA_RXTX_MAP_64', OK), map(),
    pig(null, 1, { w0: 'FFA_SUCCESS', w2: '0x00000001', w3: Z }),
    pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001', w3: '0x00000018' }),
    expectMem(RX, partInfo(0x8001, 1, 0x301, UUID_A)), rxRelease(),
    req64('0x00008001', resp64('0x80010000')),
  ],
});
