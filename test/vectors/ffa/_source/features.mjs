import { vec, version, V10, V11, V12, features, smc, err, OK, h32 } from './lib.mjs';

const NONE = { el2: 'none' };
const Z = '0x00000000';
const okZero = (from = 2) => { const e = { w0: 'FFA_SUCCESS' }; for (let i = from; i <= 7; i++) e['w' + i] = Z; return e; };
const NS = err('NOT_SUPPORTED');

vec('features', 'features-mandatory-interfaces', {
  description: 'the interfaces every FF-A instance must implement are reported supported, with w2-w7 zero',
  source: 'DEN0077A v1.0 8.2 FFA_FEATURES (v1.2 13.3); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_features (mandatory FIDs, output w2-w7 MBZ)',
  machine: NONE,
  steps: [
    version(V12, V12),
    ...['FFA_ERROR', 'FFA_INTERRUPT', 'FFA_VERSION', 'FFA_FEATURES', 'FFA_RX_RELEASE', 'FFA_PARTITION_INFO_GET', 'FFA_ID_GET', 'FFA_RXTX_UNMAP']
      .map((f) => features(f, okZero())),
  ],
});

vec('features', 'features-rxtx-map-min-buffer', {
  description: 'FFA_FEATURES(FFA_RXTX_MAP_64): SUCCESS, w2[1:0] = 0 (4 KiB minimum size and alignment), w2[15:2] MBZ, w3 = 0',
  source: 'DEN0077A v1.2 13.3 (FFA_RXTX_MAP properties); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_features (RXTX_MAP case) and tf-a-tests test_ffa_features_rxtx_map',
  machine: NONE,
  steps: [version(V12, V12), features('FFA_RXTX_MAP_64', { w0: 'FFA_SUCCESS', w2: { value: Z, mask: '0x0000ffff' }, w3: Z })],
});

vec('features', 'features-unknown-function', {
  description: 'an invalid function ID and FFA_NORMAL_WORLD_RESUME (secure physical instance only) are NOT_SUPPORTED at the NS physical instance; w4-w7 stay zero',
  source: 'DEN0077A v1.2 13.3 (NOT_SUPPORTED for an unknown or disallowed interface); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_features (FFA_INVALID_FID 0x8FFFFFFF, FFA_NORMAL_WORLD_RESUME)',
  machine: NONE,
  steps: [
    version(V12, V12),
    features('0x8fffffff', NS),
    features('0x840000fe', NS),
    features('FFA_NORMAL_WORLD_RESUME', err('NOT_SUPPORTED', { w4: Z, w5: Z, w6: Z, w7: Z })),
  ],
});

vec('features', 'features-interrupt-ids-nwd', {
  description: 'feature IDs for the managed-exit (3) and notification-pending (1) interrupts are not available to the normal world',
  source: 'DEN0077A v1.1 13.3 (feature IDs); mirrors tf-a-tests test_ffa_features (feature_ids_target: FFA_FEATURE_MEI and FFA_FEATURE_NPI expect FFA_ERROR); reference ffa-abi.md 5.1',
  machine: NONE,
  steps: [version(V12, V12), features('0x00000003', NS), features('0x00000001', NS)],
});

vec('features', 'features-v1.2-interfaces', {
  description: 'a v1.2 SPMC reports FFA_MSG_SEND_DIRECT_REQ2, FFA_PARTITION_INFO_GET_REGS and FFA_SPM_ID_GET to a v1.2 caller',
  source: 'DEN0077A v1.2 13.3; ff-a-acs test/v1.0/setup_discovery/ffa_features (PLATFORM_FFA_V >= 1.2 queries); reference ffa-abi.md 2',
  machine: NONE,
  steps: [
    version(V12, V12),
    features('FFA_MSG_SEND_DIRECT_REQ2', OK),
    features('FFA_PARTITION_INFO_GET_REGS', OK),
    features('FFA_SPM_ID_GET', OK),
    features('FFA_MSG_SEND_DIRECT_REQ_64', OK),
  ],
});

vec('features', 'features-spmc-1.1-lacks-v1.2-interfaces', {
  description: 'a v1.1 SPMC does not implement the v1.2 interfaces: DIRECT_REQ2 and PARTITION_INFO_GET_REGS are NOT_SUPPORTED',
  source: 'DEN0077A v1.2 13.3, reference ffa-abi.md 2 (minimum version per function); tf-a-tests test_ffa_features (expected_ret is FFA_ERROR when the version is below version_added)',
  machine: { el2: 'none', spmcVersion: '1.1' },
  steps: [version(V11, V11), features('FFA_MSG_SEND_DIRECT_REQ2', NS), features('FFA_PARTITION_INFO_GET_REGS', NS), features('FFA_SPM_ID_GET', OK)],
});

vec('features', 'features-follow-negotiated-version', {
  description: 'the negotiated version is the only one the callee supports for that caller: a v1.1 caller of a v1.2 SPMC is told FFA_MSG_SEND_DIRECT_REQ2 and FFA_PARTITION_INFO_GET_REGS are NOT_SUPPORTED',
  source: 'DEN0077A v1.2 13.2.2 (callee treats the negotiated version as its only version), 13.3; tf-a-tests test_ffa_features (version_added gating)',
  machine: { el2: 'none', policy: { spmc: 'spec' } },
  steps: [version(V11, V12), features('FFA_MSG_SEND_DIRECT_REQ2', NS), features('FFA_PARTITION_INFO_GET_REGS', NS), features('FFA_ID_GET', OK)],
});

vec('features', 'features-v1.0-caller-no-spm-id-get', {
  description: 'a caller that negotiated v1.0 does not get the v1.1 interface FFA_SPM_ID_GET',
  source: 'DEN0077A v1.2 13.2.2, v1.1 13.9 (FFA_SPM_ID_GET introduced in v1.1); tf-a-tests test_ffa_features (version_added gating)',
  machine: { el2: 'none', policy: { spmc: 'spec' } },
  steps: [version(V10, V12), features('FFA_SPM_ID_GET', NS), features('FFA_ID_GET', OK)],
});

vec('features', 'features-rx-acquire-ns-physical-without-hypervisor', {
  description: 'with no hypervisor the host is the NS physical instance, where FFA_RX_ACQUIRE is reported supported',
  source: 'DEN0077A v1.1 13.3 and ch.13 FFA_RX_ACQUIRE ( at the physical instances); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_features (RX_ACQUIRE check, PLATFORM_NS_HYPERVISOR_PRESENT == 0 expects FFA_SUCCESS_32)',
  machine: { el2: 'none', policy: { spmc: 'spec' } },
  steps: [version(V12, V12), features('FFA_RX_ACQUIRE', { w0: 'FFA_SUCCESS', w4: Z, w5: Z, w6: Z, w7: Z })],
});

vec('features', 'features-mbz-input-hafnium', {
  description: 'Hafnium answers NOT_SUPPORTED to a feature ID with bits [30:8] set and to non-zero input properties (w2) for an interface that takes none',
  source: 'DEN0077A v1.1 13.3 (w1 bits [30:8] MBZ for feature IDs, w2 MBZ except for FFA_MEM_RETRIEVE_REQ); reference ffa-abi.md 5.1 (HF returns NOT_SUPPORTED)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V12, V12), features('0x00000102', NS), features('FFA_ID_GET', NS, '0x00000001'), features('FFA_ID_GET', OK)],
});

vec('features', 'features-el3-spmc-instance-lists-tf-a', {
  description: "TF-A's EL3 SPMC reports to the normal world the interfaces of its both-worlds and NWd-only lists, and NOT_SUPPORTED for secure-only ones (DIRECT_RESP, RELINQUISH, MSG_WAIT, CONSOLE_LOG) and for ones it lacks (DONATE)",
  source: 'DEN0077A v1.2 13.3; reference ffa-abi.md 5.1 "Which instances the reference implementations accept for FFA_FEATURES" (TFA EL3 SPMC) and 8 (no DONATE from the NWd)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [
    version(V12, V12),
    features('FFA_MEM_SHARE_64', OK),
    features('FFA_MEM_LEND_64', OK),
    features('FFA_MEM_RECLAIM', OK),
    features('FFA_RXTX_MAP', OK),
    features('FFA_MSG_SEND_DIRECT_REQ_64', OK),
    features('FFA_MSG_SEND_DIRECT_RESP_64', NS),
    features('FFA_MEM_RELINQUISH', NS),
    features('FFA_MSG_WAIT', NS),
    features('FFA_CONSOLE_LOG', NS),
    features('FFA_MEM_DONATE_64', NS),
  ],
});

vec('features', 'features-retrieve-ns-bit-from-nwd-tf-a', {
  description: "TF-A's EL3 SPMC supports no extra FFA_MEM_RETRIEVE_REQ properties from the normal world: asking for NS-bit handling (input w2 bit 1) is NOT_SUPPORTED",
  source: 'DEN0077A v1.1 13.3 (FFA_MEM_RETRIEVE_REQ input properties); reference ffa-abi.md 5.1 FFA_FEATURES property values (TFA EL3 SPMC NWd path)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [version(V12, V12), features('FFA_MEM_RETRIEVE_REQ_64', NS, '0x00000002')],
});

vec('features', 'features-console-log-not-for-nwd-tf-a', {
  description: 'FFA_CONSOLE_LOG is for partitions; the SPMD never forwards it from the normal world: FFA_FEATURES says NOT_SUPPORTED',
  source: 'DEN0077A v1.2 13.12 FFA_CONSOLE_LOG; reference ffa-abi.md 5.2 (NOT_SUPPORTED from the NWd, TFA SPMD never forwards it); ff-a-acs queries it only from secure endpoints (ffa_features)',
  machine: { el2: 'none', policy: { spmc: 'tf-a' } },
  steps: [version(V12, V12), features('FFA_CONSOLE_LOG', NS), features('FFA_CONSOLE_LOG_64', NS)],
});
