import { vec, version, V10, V11, V12, ver, idGet, smc, map, pig, expectMem, partInfo, err, rxRelease, features, UUID_A, h32 } from './lib.mjs';

const NONE = { el2: 'none' };
const R0 = { w1: '0x00000000', w2: '0x00000000', w3: '0x00000000', w4: '0x00000000', w5: '0x00000000', w6: '0x00000000', w7: '0x00000000' };

vec('version', 'version-equal-returns-spmc-version', {
  description: 'FFA_VERSION(1.2) from the host straight to the SPMD/SPMC (no hypervisor) returns 1.2; w1-w7 of the reply are zero',
  source: 'DEN0077A v1.2 13.2 FFA_VERSION (v1.0 8.1.2 callee action 1); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_version (index 1, reserved-register check) and tf-a-tests test_ffa_version_equal',
  machine: NONE,
  steps: [version(V12, V12, R0)],
});

vec('version', 'version-compatible-lower-minor', {
  description: 'a v1.0 or v1.1 caller is compatible with a v1.2 SPMC (same major, lower minor): the callee answers with its own version, repeatedly while negotiation is open',
  source: 'DEN0077A v1.0 8.1.2 callee action 1, v1.2 13.2.1 compatibility rules; ff-a-acs test/v1.0/setup_discovery/ffa_version (PLATFORM_FFA_V >= 1.1 accepts a compatible higher reply); reference ffa-abi.md 4',
  machine: NONE,
  steps: [version(V10, V12), version(V11, V12), version(V12, V12)],
});

vec('version', 'version-bit31-not-supported', {
  description: 'bit 31 of the requested version is MBZ: FFA_VERSION(0x80010002) gives NOT_SUPPORTED in w0 (never FFA_ERROR); the negotiation stays open, so a valid request still works',
  source: 'DEN0077A v1.2 13.2 (version word bit 31 MBZ); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_version (index 4) and tf-a-tests test_ffa_version_bit31',
  machine: NONE,
  steps: [version('0x80010002', 'NOT_SUPPORTED'), version(V12, V12)],
});

// A caller at a higher version than the callee's (2.x, or 1.x above 1.2): DEN0077A callee action 3
// (v1.0 8.1.2, v1.2 13.2.1, quoted in ff-a-acs docs/testcase_checklist.md) says the callee "must
// return the highest version number of this implementation", so the spec policy answers 1.2. The
// ff-a-acs v1.1/v1.2-EAC data (ffa_version indexes 2 and 3) expected NOT_SUPPORTED here, against
// that rule; ff-a-acs dropped both checks (commit 7fd709a, 2025-09) and its ffa_version test now
// accepts any compatible reply. NOT_SUPPORTED is Hafnium's answer (tf-a-tests
// test_ffa_version_bigger runs against Hafnium): version-lower-major-hafnium covers it.
vec('version', 'version-higher-major-returns-own-spec', {
  description: 'a caller asking for 2.0 or 2.2 (incompatible, higher major) gets the v1.2 SPMC\'s own version, as DEN0077A callee action 3 requires; nothing is recorded, so 1.2 can still be negotiated',
  source: 'DEN0077A v1.0 8.1.2 / v1.2 13.2.1 callee action 3 (ff-a-acs docs/testcase_checklist.md ffa_version); ff-a-acs test/v1.0/setup_discovery/ffa_version no longer checks incompatible requests (7fd709a); Hafnium\'s NOT_SUPPORTED (tf-a-tests test_ffa_version_bigger) is version-lower-major-hafnium',
  machine: { el2: 'none', policy: { spmc: 'spec' } },
  steps: [version(ver(2, 0), V12), version(ver(2, 2), V12), version(V12, V12)],
});

vec('version', 'version-higher-minor-returns-own-spec', {
  description: 'a caller asking for 1.4 from a v1.2 SPMC (same major, higher minor: incompatible) gets the SPMC\'s own version 1.2, as DEN0077A callee action 3 requires',
  source: 'DEN0077A v1.0 8.1.2 / v1.2 13.2.1 callee action 3 (ff-a-acs docs/testcase_checklist.md ffa_version); ff-a-acs test/v1.0/setup_discovery/ffa_version index 2 (minor + 2) expected NOT_SUPPORTED until it was dropped in 7fd709a',
  machine: { el2: 'none', policy: { spmc: 'spec' } },
  steps: [version(ver(1, 4), V12), version(V12, V12)],
});

vec('version', 'version-zero-not-supported-spec', {
  description: 'FFA_VERSION(0.0) or (0.9), a lower major, gets NOT_SUPPORTED from a v1.1+ implementation; negotiation stays open',
  source: 'DEN0077A v1.2 13.2.1 callee action 2 (an implementation with only greater incompatible versions may answer NOT_SUPPORTED); ff-a-acs test/v1.0/setup_discovery/ffa_version index 0 as of the v1.2 EAC release (51e2c0c: PLATFORM_FFA_V >= 1.1 expects NOT_SUPPORTED); tf-a-tests test_ffa_version_smaller',
  machine: { el2: 'none', policy: { spmc: 'spec' } },
  steps: [version('0x00000000', 'NOT_SUPPORTED'), version(ver(0, 9), 'NOT_SUPPORTED'), version(V12, V12)],
});

vec('version', 'version-lower-major-hafnium', {
  description: 'Hafnium answers NOT_SUPPORTED to a 0.9 caller (the spec lets a callee with only greater incompatible versions choose)',
  source: 'DEN0077A v1.0 8.1.2 callee action 2; mirrors tf-a-tests test_ffa_version_smaller (Hafnium SPMC); reference ffa-abi.md 4 divergence table',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(ver(0, 9), 'NOT_SUPPORTED'), version(ver(2, 0), 'NOT_SUPPORTED'), version(ver(1, 3), 'NOT_SUPPORTED'), version(V12, V12)],
});

vec('version', 'version-incompatible-returns-own-tf-a', {
  description: "TF-A's EL3 SPMC answers every incompatible request (1.3, 0.0, 2.0) with its own version instead of NOT_SUPPORTED; once the first non-VERSION call closed negotiation, a compatible 1.1 request still returns 1.2",
  source: 'DEN0077A v1.2 13.2.1/13.2.2; mirrors tf-a-tests test_el3_spmc_nwd_ffa_version; reference ffa-abi.md 4 divergence table (TFA EL3 SPMC column)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [
    version(ver(1, 3), V12),
    version('0x00000000', V12),
    version(ver(2, 0), V12),
    version(V12, V12),
    smc({ x0: 'FFA_SPM_ID_GET' }, { w0: 'FFA_SUCCESS', w2: '0x00008000' }),
    version(V11, V12),
  ],
});

vec('version', 'version-repeat-while-open-last-wins', {
  description: 'FFA_VERSION may be repeated before any other ABI; the last compatible request wins: 1.2 then 1.0 makes the caller a v1.0 endpoint, so FFA_PARTITION_INFO_GET writes 8-byte v1.0 descriptors (properties bit 0 only)',
  source: 'DEN0077A v1.2 13.2.2 (negotiation phase), v1.0 8.6 partition information descriptor; reference ffa-abi.md 4 (HF api_ffa_version, TFA ffa_version_handler: last compatible request overwrites)',
  machine: { el2: 'none', policy: { spmc: 'spec' } },
  steps: [
    version(V12, V12),
    version(V10, V12),
    map(),
    pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }),
    expectMem(0x40011000, partInfo(0x8001, 1, 0x1, null, true)),
    rxRelease(),
  ],
});

vec('version', 'version-after-negotiation-spec', {
  description: 'once another ABI was called the version is fixed: re-requesting a different version (1.1) is NOT_SUPPORTED, the negotiated one (1.2) still succeeds',
  source: 'DEN0077A v1.2 13.2.2 (negotiation complete after the first other ABI); mirrors ff-a-acs test/v1.2/setup_discovery/ffa_version_negotiation',
  machine: { el2: 'none', policy: { spmc: 'spec' } },
  steps: [version(V12, V12), idGet(), version(V11, 'NOT_SUPPORTED'), version(V12, V12)],
});

vec('version', 'version-after-negotiation-hafnium', {
  description: 'Hafnium refuses a different version once negotiation is complete (NOT_SUPPORTED) and answers the negotiated one',
  source: 'DEN0077A v1.2 13.2.2; reference ffa-abi.md 4 divergence table (HF column, ACS v1.2 ffa_version_negotiation)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V12, V12), smc({ x0: 'FFA_SPM_ID_GET' }, { w0: 'FFA_SUCCESS', w2: '0x00008000' }), version(V10, 'NOT_SUPPORTED'), version(V12, V12)],
});

vec('version', 'version-after-negotiation-tf-a', {
  description: "TF-A's EL3 SPMC answers a later different request with the negotiated version, not an error",
  source: 'DEN0077A v1.2 13.2.2; mirrors tf-a-tests test_el3_spmc_nwd_ffa_version (last step); reference ffa-abi.md 4 divergence table (TFA column)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [version(V12, V12), idGet(), version(V11, V12), version(V10, V12)],
});

// TF-A's SPMD answers FFA_ID_GET and FFA_SPM_ID_GET from the NWd itself (spmd_smc_handler), also
// with an EL3 SPMC: only calls it forwards reach spmc_smc_handler, whose version gate this is.
vec('version', 'version-required-first-tf-a', {
  description: "TF-A's EL3 SPMC: the normal-world endpoint starts at version 0, so an FF-A call it handles (FFA_FEATURES) before FFA_VERSION fails with NOT_SUPPORTED and closes negotiation for good (a later FFA_VERSION is NOT_SUPPORTED too); FFA_ID_GET, answered by the SPMD, still succeeds",
  source: 'DEN0077A v1.2 13.2.2 (FFA_VERSION must be called first); TF-A services/std_svc/spm/el3_spmc/spmc_main.c spmc_smc_handler / spmc_complete_ffa_version_negotiation / ffa_version_handler, spmd_main.c spmd_smc_handler case FFA_ID_GET; reference ffa-abi.md 4 negotiation notes and 8 "Calls before FFA_VERSION"',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [
    features('FFA_VERSION', err('NOT_SUPPORTED')),
    version(V12, 'NOT_SUPPORTED'),
    features('FFA_VERSION', err('NOT_SUPPORTED')),
    idGet(),
  ],
});

vec('version', 'version-spmd-answered-call-keeps-el3-spmc-open-tf-a', {
  description: "TF-A: FFA_ID_GET before FFA_VERSION is answered by the SPMD (ID 0) and never reaches the EL3 SPMC, so the SPMC's negotiation with the normal world is still open: FFA_VERSION(1.2) succeeds and later calls work",
  source: 'DEN0077A v1.2 13.2.2; TF-A services/std_svc/spmd/spmd_main.c spmd_smc_handler (FFA_ID_GET answered with FFA_NS_ENDPOINT_ID; spmd_set_version_negotiated sets only the SPMD flag) and el3_spmc/spmc_main.c ffa_version_handler (ns_ep->ffa_version_negotiated still false)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [idGet(), version(V12, V12), features('FFA_VERSION', { w0: 'FFA_SUCCESS' }), version(V11, V12)],
});

vec('version', 'version-call-before-version-allowed-hafnium', {
  description: 'Hafnium lets an endpoint that never called FFA_VERSION use other ABIs (it keeps the implementation version)',
  source: 'DEN0077A v1.2 13.2.2; reference ffa-abi.md 8 "Calls before FFA_VERSION" (HF column)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [idGet(), smc({ x0: 'FFA_SPM_ID_GET' }, { w0: 'FFA_SUCCESS', w2: '0x00008000' })],
});

vec('version', 'version-spmc-1.1', {
  description: 'a v1.1 SPMC answers a v1.0 or v1.1 caller with 0x00010001',
  source: 'DEN0077A v1.1 13.2 FFA_VERSION (callee action 1); ff-a-acs test/v1.0/setup_discovery/ffa_version',
  machine: { el2: 'none', spmcVersion: '1.1' },
  steps: [version(V10, V11), version(V11, V11)],
});

vec('version', 'version-spmc-1.1-rejects-1.2-hafnium', {
  description: 'a v1.1 Hafnium SPMC refuses a v1.2 caller (higher minor) with NOT_SUPPORTED; the caller can then fall back to 1.1',
  source: 'DEN0077A v1.1 13.2.1; mirrors tf-a-tests test_ffa_version_bigger (Hafnium); reference ffa-abi.md 4 divergence table',
  machine: { el2: 'none', spmcVersion: '1.1', policy: { spmc: 'hafnium' } },
  steps: [version(V12, 'NOT_SUPPORTED'), version(V11, V11)],
});

vec('version', 'version-spmc-1.0-tf-a', {
  description: 'a v1.0 SPMC with TF-A behaviour answers a v1.2 caller with its own version 1.0 (callee action 3: only a lesser incompatible version)',
  source: 'DEN0077A v1.0 8.1.2 callee action 3; ff-a-acs test/v1.0/setup_discovery/ffa_version (PLATFORM_FFA_V_1_0 expectations); reference ffa-abi.md 4 divergence table (TFA returns own version)',
  machine: { el2: 'none', spmcVersion: '1.0', policy: { spmc: 'tf-a' } },
  steps: [version(V12, V10), version(V10, V10)],
});

vec('version', 'version-el3-spmc', {
  description: 'with the SPMC at EL3 (no SPMD world switch) FFA_VERSION is answered directly with the SPMC version',
  source: 'DEN0077A v1.2 13.2; reference ffa-abi.md 4 "Cross-world forwarding" (with an EL3 SPMC the call is handled directly); tf-a-tests test_el3_spmc_nwd_ffa_version',
  machine: { el2: 'none', spmc: 'el3' },
  steps: [version(V12, V12, R0)],
});
