import { vec, version, V10, V11, V12, features, smc, err, OK, h32, h64, idGet, map, unmap, rxRelease, TX, RX, pig } from './lib.mjs';

const NONE = { el2: 'none' };
const Z = '0x00000000';

// ---------------- id ----------------
vec('id', 'id-get-ns-physical-is-zero', {
  description: 'FFA_ID_GET at the non-secure physical instance returns ID 0; w3-w7 are zero',
  source: 'DEN0077A v1.0 8.7 FFA_ID_GET ("ID value 0 must be returned at the Non-secure physical FF-A instance"); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_id_get',
  machine: NONE,
  steps: [version(V12, V12), idGet({ w0: 'FFA_SUCCESS', w2: Z, w3: Z, w4: Z, w5: Z, w6: Z, w7: Z })],
});

vec('id', 'spm-id-get-default', {
  description: "FFA_SPM_ID_GET from the normal world returns the SPMC's endpoint ID (default 0x8000)",
  source: 'DEN0077A v1.1 13.9 FFA_SPM_ID_GET; mirrors tf-a-tests test_ffa_spm_id_get',
  machine: NONE,
  steps: [version(V12, V12), smc({ x0: 'FFA_SPM_ID_GET' }, { w0: 'FFA_SUCCESS', w2: '0x00008000' })],
});

vec('id', 'spm-id-get-configured-id', {
  description: 'FFA_SPM_ID_GET returns the SPMC ID from the machine configuration (its manifest)',
  source: 'DEN0077A v1.1 13.9 FFA_SPM_ID_GET; tf-a-tests test_ffa_spm_id_get (SPMC_ID from fvp_spmc_manifest)',
  machine: { el2: 'none', spmcId: '0x8005', partitions: [{ id: '0x8001', uuid: 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb', behaviour: 'echo' }] },
  steps: [version(V12, V12), smc({ x0: 'FFA_SPM_ID_GET' }, { w0: 'FFA_SUCCESS', w2: '0x00008005' })],
});

vec('id', 'spm-id-get-el3-spmc', {
  description: 'FFA_SPM_ID_GET with the SPMC at EL3 returns its ID',
  source: 'DEN0077A v1.1 13.9; tf-a-tests test_el3_spmc_nwd_ffa_version (FFA_SPM_ID_GET returns SPMC_ID)',
  machine: { el2: 'none', spmc: 'el3' },
  steps: [version(V12, V12), smc({ x0: 'FFA_SPM_ID_GET' }, { w0: 'FFA_SUCCESS', w2: '0x00008000' })],
});

vec('id', 'spm-id-get-spmc-1.0-not-supported', {
  description: 'a v1.0 SPMC does not implement FFA_SPM_ID_GET (a v1.1 interface)',
  source: 'DEN0077A v1.1 13.9 (introduced in v1.1); reference ffa-abi.md 5.1 (NOT_SUPPORTED before v1.1)',
  machine: { el2: 'none', spmcVersion: '1.0', policy: { spmc: 'tf-a' } },
  steps: [version(V10, V10), smc({ x0: 'FFA_SPM_ID_GET' }, err('NOT_SUPPORTED')), idGet()],
});

// ---------------- rxtx ----------------
vec('rxtx', 'rxtx-map-unmap-remap', {
  description: 'RXTX_MAP_64 succeeds once; a second map is DENIED; RXTX_UNMAP succeeds, a second unmap is INVALID_PARAMETERS; the pair can then be mapped again',
  source: 'DEN0077A v1.0 8.4 FFA_RXTX_MAP, 8.5 FFA_RXTX_UNMAP; mirrors ff-a-acs test/v1.0/setup_discovery/ffa_rxtx_map_and_unmap (test_rxtx_map_denied) and tf-a-tests test_ffa_rxtx_map_fail, test_ffa_rxtx_unmap_fail, test_ffa_rxtx_map_unmapped_success',
  machine: NONE,
  steps: [version(V12, V12), map(), map(TX, RX, 1, err('DENIED')), unmap(), unmap(err('INVALID_PARAMETERS')), map(), unmap()],
});

vec('rxtx', 'rxtx-unmap-before-map', {
  description: 'RXTX_UNMAP with no pair registered is INVALID_PARAMETERS',
  source: 'DEN0077A v1.0 8.5 FFA_RXTX_UNMAP; mirrors ff-a-acs test/v1.0/setup_discovery/ffa_rxtx_map_and_unmap (test_rxtx_unmap_before_map)',
  machine: NONE,
  steps: [version(V12, V12), unmap(err('INVALID_PARAMETERS'))],
});

vec('rxtx', 'rxtx-map-unaligned', {
  description: 'a TX or RX address not aligned to the minimum granule (4 KiB) is INVALID_PARAMETERS, and nothing is mapped: an aligned map then succeeds',
  source: 'DEN0077A v1.0 8.4 FFA_RXTX_MAP; mirrors ff-a-acs test/v1.0/setup_discovery/ffa_rxtx_map_and_unmap (test_rxtx_map_unaligned_buffers)',
  machine: NONE,
  steps: [version(V12, V12), map(TX + 0x100, RX, 1, err('INVALID_PARAMETERS')), map(TX, RX + 0x100, 1, err('INVALID_PARAMETERS')), map()],
});

vec('rxtx', 'rxtx-map-zero-pages', {
  description: 'RXTX_MAP with a page count of 0 is INVALID_PARAMETERS',
  source: 'DEN0077A v1.0 8.4 FFA_RXTX_MAP; mirrors ff-a-acs test/v1.0/setup_discovery/ffa_rxtx_map_and_unmap (test_rxtx_map_invalid_buffer_size, zero size)',
  machine: NONE,
  steps: [version(V12, V12), map(TX, RX, 0, err('INVALID_PARAMETERS')), map()],
});

vec('rxtx', 'rxtx-map-same-page-for-tx-and-rx', {
  description: 'TX and RX at the same address (overlapping buffers) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.0 8.4 FFA_RXTX_MAP; reference ffa-abi.md 5.1 (INVALID_PARAMETERS: TX==RX or overlap)',
  machine: NONE,
  steps: [version(V12, V12), map(TX, TX, 1, err('INVALID_PARAMETERS')), map()],
});

vec('rxtx', 'rxtx-map-secure-memory-hafnium', {
  description: 'buffers in secure memory (secure RAM at 0x0E000000) are DENIED',
  source: 'DEN0077A v1.0 8.4, v1.2 ch.13 FFA_RXTX_MAP; mirrors tf-a-tests test_ffa_rxtx_map_secure_memory_fail (Hafnium SPMC)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V12, V12), map(0x0e000000, 0x0e001000, 1, err('DENIED')), map()],
});

vec('rxtx', 'rxtx-map-outside-ns-memory-hafnium', {
  description: 'buffers at non-secure addresses outside the normal-world memory regions (0x0000880080001000, above DRAM) are DENIED',
  source: 'DEN0077A v1.0 8.4, v1.2 ch.13 FFA_RXTX_MAP; mirrors tf-a-tests test_ffa_rxtx_map_nonsecure_memory_fail (Hafnium SPMC)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V12, V12), smc({ x0: 'FFA_RXTX_MAP_64', x1: '0x0000880080001000', x2: '0x0000880080002000', w3: 1 }, err('DENIED')), map()],
});

vec('rxtx', 'rxtx-map-mmio-hafnium', {
  description: 'a TX buffer on a device (the PL011 at 0x09000000) is not normal-world memory: DENIED',
  source: 'DEN0077A v1.0 8.4, v1.2 ch.13 FFA_RXTX_MAP; by analogy with tf-a-tests test_ffa_rxtx_map_nonsecure_memory_fail (addresses outside the NS memory regions of the SPMC manifest)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V12, V12), map(0x09000000, RX, 1, err('DENIED')), map()],
});

vec('rxtx', 'rxtx-map-32-tf-a', {
  description: "TF-A's EL3 SPMC accepts the SMC32 FFA_RXTX_MAP (addresses in w1/w2)",
  source: 'DEN0077A v1.0 8.4 (FFA_RXTX_MAP_32); reference ffa-abi.md 8 (RXTX_MAP_32: TFA supported)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [version(V12, V12), features('FFA_RXTX_MAP', OK), smc({ x0: 'FFA_RXTX_MAP', w1: h32(TX), w2: h32(RX), w3: 1 }, OK), unmap()],
});

vec('rxtx', 'rxtx-map-32-hafnium', {
  description: 'Hafnium implements only FFA_RXTX_MAP_64: the SMC32 form and its FFA_FEATURES are NOT_SUPPORTED',
  source: 'DEN0077A v1.0 8.4; reference ffa-abi.md 2 (HF supports only _64) and 8',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V12, V12), features('FFA_RXTX_MAP', err('NOT_SUPPORTED')), smc({ x0: 'FFA_RXTX_MAP', w1: h32(TX), w2: h32(RX), w3: 1 }, err('NOT_SUPPORTED')), map()],
});

vec('rxtx', 'rxtx-unmap-partition-id', {
  description: "the NS physical instance cannot unmap a partition's buffers: RXTX_UNMAP with an SP ID in w1[31:16] is INVALID_PARAMETERS; its own pair (ID 0) unmaps",
  source: 'DEN0077A v1.0 8.5, v1.1 ch.13 FFA_RXTX_UNMAP (w1 endpoint ID); mirrors tf-a-tests test_ffa_rxtx_unmap_fail_if_sp',
  machine: NONE,
  steps: [version(V12, V12), map(), unmap(err('INVALID_PARAMETERS'), 0x80010000), unmap()],
});

vec('rxtx', 'rx-release-without-buffer-denied', {
  description: 'FFA_RX_RELEASE by a caller that owns no RX buffer (none registered) is DENIED',
  source: 'DEN0077A v1.0 8.3 FFA_RX_RELEASE; mirrors ff-a-acs test/v1.0/setup_discovery/ffa_rx_release',
  machine: NONE,
  steps: [version(V12, V12), rxRelease(err('DENIED'))],
});

vec('rxtx', 'rx-release-empty-buffer-denied', {
  description: 'FFA_RX_RELEASE of a mapped but empty RX buffer (the callee owns it) is DENIED; after PARTITION_INFO_GET fills it, one release succeeds and the next is DENIED again',
  source: 'DEN0077A v1.0 8.3 FFA_RX_RELEASE (ownership); reference ffa-abi.md 7.1 (RX_RELEASE while EMPTY -> DENIED)',
  machine: NONE,
  steps: [version(V12, V12), map(), rxRelease(err('DENIED')), pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), rxRelease(), rxRelease(err('DENIED'))],
});

vec('rxtx', 'rx-acquire-not-at-el3-spmc-tf-a', {
  description: "TF-A's EL3 SPMC does not implement FFA_RX_ACQUIRE: FEATURES and the call are NOT_SUPPORTED",
  source: 'DEN0077A v1.1 ch.13 FFA_RX_ACQUIRE (hypervisor to SPMC); reference ffa-abi.md 5.1 (TFA EL3 SPMC lists; anything else NOT_SUPPORTED)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [version(V12, V12), features('FFA_RX_ACQUIRE', err('NOT_SUPPORTED')), smc({ x0: 'FFA_RX_ACQUIRE', w1: Z }, err('NOT_SUPPORTED'))],
});
