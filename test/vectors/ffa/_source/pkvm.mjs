import { vec, version, V10, V11, V12, ver, features, smc, hvc, err, OK, h32, h64, idGet, map, unmap, rxRelease, TX, RX, pig,
  expectMem, write, partInfo, UUID_A, uuidX, memDesc, pkvmInit, pkvmFinalize } from './lib.mjs';
import { req64, resp64, req32, resp32, req2, resp2 } from './pinfo-direct.mjs';
import { send, handleOk, reclaim, share1, P1, P2, SHARE_ATTRS, RW, fragSteps } from './memory.mjs';

const Z = '0x00000000';
const Z64 = '0x0000000000000000';
const M1 = '0xffffffffffffffff';
const NS = err('NOT_SUPPORTED');
const P12 = 0x301;
/** pKVM's own FFA_ERROR: x1 = 0, x2 sign-extended (pkvm-ffa.md 4 step 2), x3-x7 = 0. */
const pkvmErr = (code) => ({ w0: 'FFA_ERROR', x1: Z64, x2: h64(BigInt(code)), x3: Z64, x4: Z64, x5: Z64, x6: Z64, x7: Z64 });
const GATE = pkvmErr(-2);
const PK = 'Linux arch/arm64/kvm/hyp/nvhe/ffa.c';

// ---------------- gate and version ----------------
vec('pkvm', 'pkvm-gate-before-version', {
  description: 'until the host negotiated its version, pKVM answers every FF-A call but FFA_VERSION itself with FFA_ERROR(INVALID_PARAMETERS): x1 = 0, x2 sign-extended, x3-x7 = 0; the SPMC never sees them. After FFA_VERSION the same calls go through',
  source: `DEN0077A v1.2 13.2.2; ${PK} kvm_host_ffa_handler (has_version_negotiated); reference pkvm-ffa.md 4 step 2 and 7(c) strict policy`,
  machine: { policy: { directReqBeforeVersion: 'reject' } },
  steps: [
    req64('0x00008001', GATE), req32('0x00008001', GATE),
    smc({ x0: 'FFA_ID_GET' }, GATE), smc({ x0: 'FFA_FEATURES', w1: 'FFA_ID_GET' }, GATE),
    smc({ x0: 'FFA_RX_RELEASE' }, GATE), smc({ x0: 'FFA_RXTX_MAP_64', x1: h64(TX), x2: h64(RX), w3: 1 }, GATE),
    smc({ x0: 'FFA_SUCCESS' }, GATE),
    version(V12, V12),
    idGet(), req64('0x00008001', resp64('0x80010000')),
  ],
});

vec('pkvm', 'pkvm-gate-unknown-ffa-function', {
  description: 'an unallocated FF-A function (0x84000091) is gated before negotiation (INVALID_PARAMETERS from EL2) and passed through after it (the SPMC answers NOT_SUPPORTED)',
  source: `${PK} is_ffa_call (0x60..0xFF), ffa_call_supported; reference pkvm-ffa.md 1.1 (8F-FF pass-through) and 4 steps 2-4`,
  steps: [smc({ x0: '0x84000091' }, GATE), version(V12, V12), smc({ x0: '0x84000091' }, NS)],
});

vec('pkvm', 'pkvm-version-1.2', {
  description: "the host's FFA_VERSION(1.2) negotiates with pKVM (hyp version 1.2, no version SMC; post-init ID_GET and FEATURES succeed): x0 = 0x10002 with x1-x7 zeroed. Repeats: 1.2 and 1.3 get 1.2, a lower 1.1 is NOT_SUPPORTED (x0 = -1)",
  source: `DEN0077A v1.2 13.2; ${PK} do_ffa_version; reference pkvm-ffa.md 4.1 and 7(b) b2, b15, b16`,
  steps: [
    version(V12, V12, { x0: '0x0000000000010002', x1: Z64, x2: Z64, x3: Z64, x4: Z64, x5: Z64, x6: Z64, x7: Z64 }),
    version(V12, V12), version(ver(1, 3), V12),
    version(V11, 'NOT_SUPPORTED', { x0: M1 }),
    version(V12, V12),
  ],
});

vec('pkvm', 'pkvm-version-major-2', {
  description: 'pKVM refuses a request whose major is not 1 (x0 = -1) and stays un-negotiated: calls stay gated until a valid FFA_VERSION',
  source: `${PK} do_ffa_version (FFA_MAJOR_VERSION(vers) != 1); reference pkvm-ffa.md 4.1`,
  steps: [version(ver(2, 0), 'NOT_SUPPORTED', { x0: M1 }), idGet(GATE), version(V12, V12), idGet()],
});

vec('pkvm', 'pkvm-version-bit31-not-checked', {
  description: 'pKVM masks the major with 0x7FFF and never tests bit 31: FFA_VERSION(0x80010002) negotiates as 1.2 (the spec, TF-A and Hafnium say NOT_SUPPORTED; this records what upstream pKVM does)',
  source: `${PK} do_ffa_version (FFA_MAJOR_VERSION masks bits [30:16]); reference pkvm-ffa.md 4.1 first row; contrast tf-a-tests test_ffa_version_bit31`,
  steps: [version('0x80010002', V12), idGet()],
});

vec('pkvm', 'pkvm-version-downgrade-1.1', {
  description: "a host asking for 1.1 makes pKVM forward FFA_VERSION(1.1) to the SPMC (still in its negotiation phase: 1.2 is compatible) and adopt 1.1; partition info then comes in 24-byte descriptors",
  source: `${PK} do_ffa_version (minor below hyp_ffa_version: forward, hyp_ffa_version = requested); DEN0077A v1.2 13.2.2; reference pkvm-ffa.md 4.1 and 7(c) consequence 2`,
  steps: [
    version(V11, V11), map(),
    pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001', w3: '0x00000018' }),
    expectMem(RX, partInfo(0x8001, 1, 0, null).slice(0, 4)),
    expectMem(RX + 8, partInfo(0x8001, 1, 0, UUID_A).slice(8)),
    rxRelease(),
  ],
});

vec('pkvm', 'pkvm-version-downgrade-1.0', {
  description: 'a v1.0 host: pKVM forwards FFA_VERSION(1.0), adopts 1.0 and copies 8-byte v1.0 partition descriptors (properties bit 0 only) into the host RX buffer',
  source: `${PK} do_ffa_version, do_ffa_part_get (v1.0: size 8); DEN0077A v1.0 8.6; reference pkvm-ffa.md 4.1 and 4.5 step 4`,
  steps: [version(V10, V10), map(), pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), expectMem(RX, partInfo(0x8001, 1, 0x1, null, true)), rxRelease()],
});

vec('pkvm', 'pkvm-hvc-ffa-is-a-kvm-hypercall', {
  description: 'under pKVM a host HVC is a KVM host hypercall: FF-A over HVC is an unknown hypercall and returns SMCCC_RET_NOT_SUPPORTED (-1) in x0',
  source: 'Linux arch/arm64/kvm/hyp/nvhe/hyp-main.c handle_trap / handle_host_hcall; reference pkvm-ffa.md 2 ("Under pKVM the host must use the SMC conduit")',
  steps: [hvc({ x0: 'FFA_VERSION', w1: V12 }, { x0: M1 }), version(V12, V12)],
});

vec('pkvm', 'pkvm-privileged-hypercalls-closed', {
  description: 'once pKVM is finalised the privileged host hypercalls are closed: __pkvm_init (0xC6000001) returns SMCCC_RET_NOT_SUPPORTED (-1)',
  source: 'Linux arch/arm64/kvm/hyp/nvhe/hyp-main.c handle_host_hcall (ids below __KVM_HOST_SMCCC_FUNC_MIN_PKVM refused once kvm_protected_mode_initialized); reference pkvm-ffa.md 3 finalize_pkvm step 3',
  steps: [hvc({ x0: '0xc6000001' }, { x0: M1 })],
});

// ---------------- features ----------------
vec('pkvm', 'pkvm-features-answered-at-el2', {
  description: 'pKVM answers FFA_FEATURES for MEM_SHARE/MEM_LEND (32 and 64) itself: SUCCESS, w2 = 0 (no dynamically allocated buffers)',
  source: `${PK} do_ffa_features; reference pkvm-ffa.md 4.2 and 7(b) b6`,
  steps: [version(V12, V12), ...['FFA_MEM_SHARE_64', 'FFA_MEM_SHARE', 'FFA_MEM_LEND_64', 'FFA_MEM_LEND'].map((f) => features(f, { w0: 'FFA_SUCCESS', x2: Z64 }))],
});

vec('pkvm', 'pkvm-features-filtered', {
  description: "interfaces pKVM does not proxy are NOT_SUPPORTED through FFA_FEATURES: RXTX_MAP_32, MEM_DONATE, MEM_RETRIEVE_REQ, MEM_FRAG_RX, DIRECT_REQ2/RESP2, PARTITION_INFO_GET_REGS, NOTIFICATION_BITMAP_CREATE, CONSOLE_LOG, MSG_POLL",
  source: `${PK} ffa_call_supported / do_ffa_features; reference pkvm-ffa.md 1.1, 4.2 and 7(b) b7, b8, b10`,
  steps: [version(V12, V12), ...['FFA_RXTX_MAP', 'FFA_MEM_DONATE_64', 'FFA_MEM_RETRIEVE_REQ_64', 'FFA_MEM_FRAG_RX', 'FFA_MSG_SEND_DIRECT_REQ2', 'FFA_MSG_SEND_DIRECT_RESP2',
    'FFA_PARTITION_INFO_GET_REGS', 'FFA_NOTIFICATION_BITMAP_CREATE', 'FFA_CONSOLE_LOG', 'FFA_MSG_POLL'].map((f) => features(f, NS))],
});

vec('pkvm', 'pkvm-features-passed-through', {
  description: "FFA_FEATURES for interfaces pKVM passes through is answered by the SPMC: RXTX_MAP_64 (4 KiB minimum), ID_GET, DIRECT_REQ_64",
  source: `${PK} do_ffa_features (anything else passed through); reference pkvm-ffa.md 4.2 and 7(b) b4`,
  steps: [version(V12, V12), features('FFA_RXTX_MAP_64', { w0: 'FFA_SUCCESS', w2: { value: Z, mask: '0x00000003' } }), features('FFA_ID_GET', OK), features('FFA_MSG_SEND_DIRECT_REQ_64', OK)],
});

// ---------------- ids, rx/tx ----------------
vec('pkvm', 'pkvm-id-and-spm-id', {
  description: 'FFA_ID_GET and FFA_SPM_ID_GET pass through pKVM: host ID 0, SPMC ID 0x8000',
  source: `${PK} (pass-through IDs); DEN0077A v1.0 8.7, v1.1 13.9; reference pkvm-ffa.md 1.1 and 7(b) b3`,
  steps: [version(V12, V12), idGet(), smc({ x0: 'FFA_SPM_ID_GET' }, { w0: 'FFA_SUCCESS', w2: '0x00008000' })],
});

vec('pkvm', 'pkvm-rxtx-map-unmap', {
  description: 'pKVM maps the host RX/TX pair once (its own mailbox at the SPMC); a second map is DENIED; RXTX_UNMAP needs w1 == 0, then succeeds once; the pair can be mapped again',
  source: `${PK} do_ffa_rxtx_map / do_ffa_rxtx_unmap; reference pkvm-ffa.md 4.3, 4.4 and 7(b) b5`,
  steps: [version(V12, V12), map(), map(TX, RX, 1, err('DENIED')), unmap(err('INVALID_PARAMETERS'), 0x00010000), unmap(), unmap(err('INVALID_PARAMETERS')), map()],
});

vec('pkvm', 'pkvm-rxtx-map-32-not-supported', {
  description: 'pKVM accepts only FFA_RXTX_MAP_64; the SMC32 form is NOT_SUPPORTED',
  source: `${PK} kvm_host_ffa_handler (FFA_RXTX_MAP 32-bit unsupported); reference pkvm-ffa.md 1.1 and 8 item 7`,
  steps: [version(V12, V12), smc({ x0: 'FFA_RXTX_MAP', w1: h32(TX), w2: h32(RX), w3: 1 }, NS), map()],
});

vec('pkvm', 'pkvm-rxtx-map-bad-arguments', {
  description: 'pKVM checks RXTX_MAP_64 before anything reaches the SPMC: a page count other than PAGE_SIZE/4K (1) and unaligned buffers are INVALID_PARAMETERS',
  source: `${PK} do_ffa_rxtx_map steps 1-2; reference pkvm-ffa.md 4.3`,
  steps: [version(V12, V12), map(TX, RX, 2, err('INVALID_PARAMETERS')), map(TX, RX, 0, err('INVALID_PARAMETERS')),
    map(TX + 0x800, RX, 1, err('INVALID_PARAMETERS')), map(TX, RX + 0x10, 1, err('INVALID_PARAMETERS')), map()],
});

vec('pkvm', 'pkvm-rxtx-map-secure-memory', {
  description: 'buffers outside host memory (secure RAM) cannot be shared with the hypervisor: INVALID_PARAMETERS, with the hyp mailbox unmapped again so a valid map then succeeds',
  source: `${PK} do_ffa_rxtx_map steps 5-7 (__pkvm_host_share_hyp fails, roll back with FFA_RXTX_UNMAP); reference pkvm-ffa.md 4.3`,
  steps: [version(V12, V12), map(0x0e000000, 0x0e001000, 1, err('INVALID_PARAMETERS')), map()],
});

vec('pkvm', 'pkvm-rxtx-map-mmio', {
  description: 'a TX buffer on the PL011 (not memory) is refused by pKVM with INVALID_PARAMETERS; a valid map then succeeds',
  source: `${PK} do_ffa_rxtx_map (share_hyp of a non-memory range fails: check_range_allowed_memory); reference pkvm-ffa.md 4.3 step 7`,
  steps: [version(V12, V12), map(0x09000000, RX, 1, err('INVALID_PARAMETERS')), map()],
});

// ---------------- partition info ----------------
vec('pkvm', 'pkvm-partition-info-proxy', {
  description: 'PARTITION_INFO_GET through pKVM: count-only returns the SPMC registers untouched (w2 = 1, w3 = 0); the full query copies the 24-byte descriptor from the hyp RX buffer into the host RX buffer; the host RX_RELEASE passes through',
  source: `${PK} do_ffa_part_get; reference pkvm-ffa.md 4.5 and 7(b) b11-b13`,
  steps: [version(V12, V12), map(),
    pig(null, 1, { w0: 'FFA_SUCCESS', w2: '0x00000001', w3: Z }),
    pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001', w3: '0x00000018' }),
    expectMem(RX, partInfo(0x8001, 1, P12, UUID_A)),
    rxRelease(), rxRelease(err('DENIED'))],
});

vec('pkvm', 'pkvm-partition-info-without-rx-busy', {
  description: 'PARTITION_INFO_GET before the host mapped an RX buffer is BUSY (pKVM checks its host buffers)',
  source: `${PK} do_ffa_part_get step 1; reference pkvm-ffa.md 4.5 and 8 item 8`,
  steps: [version(V12, V12), pig(null, 0, err('BUSY'))],
});

vec('pkvm', 'pkvm-partition-info-busy-until-release', {
  description: 'pKVM does not release the hyp RX buffer itself: a second PARTITION_INFO_GET before the host RX_RELEASE gets the SPMC\'s BUSY',
  source: `${PK} do_ffa_part_get step 7; DEN0077A v1.1 13.8; ff-a-acs ffa_partition_info_get (ffa_partition_info_wrong_test)`,
  steps: [version(V12, V12), map(), pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), pig(null, 0, err('BUSY')), rxRelease(), pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' })],
});

vec('pkvm', 'pkvm-partition-info-regs-not-supported', {
  description: 'PARTITION_INFO_GET_REGS is not proxied: NOT_SUPPORTED (the Linux driver falls back to PARTITION_INFO_GET)',
  source: `${PK} ffa_call_supported; reference pkvm-ffa.md 1.1 and 7(b) b10`,
  steps: [version(V12, V12), smc({ x0: 'FFA_PARTITION_INFO_GET_REGS' }, NS)],
});

// ---------------- direct messages ----------------
vec('pkvm', 'pkvm-direct-req-passthrough', {
  description: 'once negotiated, DIRECT_REQ_64 and DIRECT_REQ_32 pass through pKVM to the SPMC and the echo responses come back unchanged',
  source: `${PK} (DIRECT_REQ pass-through); reference pkvm-ffa.md 1.1 and 7(b) b14; vector-format.md example`,
  steps: [version(V12, V12), req64('0x00008001', resp64('0x80010000')), req32('0x00008001', resp32('0x80010000'))],
});

vec('pkvm', 'pkvm-direct-req2-and-resp-not-supported', {
  description: 'pKVM blocks DIRECT_REQ2/RESP2 and the 32-bit DIRECT_RESP with NOT_SUPPORTED',
  source: `${PK} ffa_call_supported; reference pkvm-ffa.md 1.1 (8D/8E NOT_SUPPORTED; 70 32-bit NOT_SUPPORTED)`,
  steps: [version(V12, V12), req2(0x8001, UUID_A, NS), smc({ x0: 'FFA_MSG_SEND_DIRECT_RESP2', x1: '0x0000000080010000' }, NS), smc({ x0: 'FFA_MSG_SEND_DIRECT_RESP', w1: '0x80010000' }, NS)],
});

vec('pkvm', 'pkvm-blocked-interfaces', {
  description: 'FF-A interfaces outside the proxy are NOT_SUPPORTED at EL2: MSG_POLL, MSG_WAIT, MSG_SEND, CONSOLE_LOG, NOTIFICATION_BITMAP_CREATE, MEM_OP_PAUSE',
  source: `${PK} ffa_call_supported; reference pkvm-ffa.md 1.1`,
  steps: [version(V12, V12), ...['FFA_MSG_POLL', 'FFA_MSG_WAIT', 'FFA_MSG_SEND', 'FFA_CONSOLE_LOG', 'FFA_NOTIFICATION_BITMAP_CREATE', 'FFA_MEM_OP_PAUSE'].map((f) => smc({ x0: f }, NS))],
});

// ---------------- policies (scenario c) ----------------
vec('pkvm', 'pkvm-policy-forward-direct-req', {
  description: 'with the permissive policy, DIRECT_REQ (64 and 32) passes the gate before the host negotiated and reaches the SP; DIRECT_REQ2 stays NOT_SUPPORTED and other calls stay gated; FFA_VERSION(1.2) then negotiates as usual',
  source: 'reference pkvm-ffa.md 7(c) permissive policy (the RFC question, not upstream); vector-format.md policy.directReqBeforeVersion',
  machine: { policy: { directReqBeforeVersion: 'forward' } },
  steps: [req64('0x00008001', resp64('0x80010000')), req32('0x00008001', resp32('0x80010000')), req2(0x8001, UUID_A, NS), idGet(GATE), version(V12, V12), idGet()],
});

vec('pkvm', 'pkvm-policy-forward-closes-spmc-negotiation', {
  description: "with the permissive policy the forwarded DIRECT_REQ is the SPMC's first non-VERSION call from endpoint 0, closing its negotiation: a later host FFA_VERSION(1.1) that pKVM forwards is refused (NOT_SUPPORTED); 1.2 (no version SMC) still negotiates",
  source: 'DEN0077A v1.2 13.2.2; reference pkvm-ffa.md 7(c) consequence 2 (spec-conformant SPMC refuses the renegotiation); ff-a-acs test/v1.2/setup_discovery/ffa_version_negotiation',
  machine: { policy: { directReqBeforeVersion: 'forward', spmc: 'spec' } },
  steps: [req64('0x00008001', resp64('0x80010000')), version(V11, 'NOT_SUPPORTED'), idGet(GATE), version(V12, V12), idGet()],
});

vec('pkvm', 'pkvm-policy-reject-keeps-spmc-negotiation-open', {
  description: 'with the strict policy the rejected DIRECT_REQ never reaches the SPMC, whose negotiation phase stays open: a host FFA_VERSION(1.1) is forwarded and accepted (the host gets 1.1)',
  source: 'reference pkvm-ffa.md 7(c) strict policy ("Negotiation state is unchanged, so a later FFA_VERSION still works") and 4.1; DEN0077A v1.2 13.2.2',
  machine: { policy: { directReqBeforeVersion: 'reject', spmc: 'spec' } },
  steps: [req64('0x00008001', GATE), version(V11, V11), req64('0x00008001', resp64('0x80010000'))],
});

// ---------------- boot orders (scenarios a, b) ----------------
vec('pkvm', 'pkvm-boot-order-a-driver-before-init', {
  description: 'scenario (a): the host driver runs before kvm_arm_init, with the EL2 stub not trapping SMCs, so it negotiates, maps its own RX/TX and discovers partitions at the SPMC directly; once pKVM is initialised, its gate rejects every later call (INVALID_PARAMETERS) since the host never negotiated with pKVM; finalisation changes nothing',
  source: 'reference pkvm-ffa.md 7(a) a1-a8 and 3 (kvm_arm_init / finalize_pkvm); Linux arch/arm64/kvm/hyp/nvhe/ffa.c hyp_ffa_init',
  machine: { boot: 'reset' },
  steps: [
    version(V12, V12), idGet(), features('FFA_RXTX_MAP_64', OK), map(),
    pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001', w3: '0x00000018' }),
    expectMem(RX, partInfo(0x8001, 1, P12, UUID_A)), rxRelease(),
    req64('0x00008001', resp64('0x80010000')),
    pkvmInit,
    req64('0x00008001', GATE), req32('0x00008001', GATE), rxRelease(GATE),
    pkvmFinalize,
    req64('0x00008001', GATE), unmap(GATE),
  ],
});

vec('pkvm', 'pkvm-boot-order-a-renegotiate', {
  description: "scenario (a) continued: if the host re-sends FFA_VERSION after pKVM came up, pKVM negotiates (the SPMC accepts the same version again), but pKVM's own RXTX_MAP is DENIED by the SPMC because endpoint 0 already has the host's mailbox; direct requests now pass through",
  source: 'reference pkvm-ffa.md 7(a) last paragraph (DENIED when a mailbox is already mapped) and 4.3 step 4; ff-a-acs test/v1.2/setup_discovery/ffa_version_negotiation (same version after negotiation is not an error)',
  machine: { boot: 'reset', policy: { spmc: 'spec' } },
  steps: [
    version(V12, V12), idGet(), map(),
    pkvmInit, pkvmFinalize,
    version(V12, V12), map(TX, RX, 1, err('DENIED')),
    req64('0x00008001', resp64('0x80010000')),
  ],
});

vec('pkvm', 'pkvm-boot-order-b-init-then-driver', {
  description: "scenario (b): kvm_arm_init first (SMC trap live before finalisation), then the driver's sequence through the proxy, then finalize_pkvm; everything keeps working after finalisation",
  source: 'reference pkvm-ffa.md 7(b) b2-b16 and 3 (TSC set at kvm_arm_init); Linux drivers/firmware/arm_ffa/driver.c ffa_init order (pkvm-ffa.md 5.2)',
  machine: { boot: 'reset' },
  steps: [
    pkvmInit,
    req64('0x00008001', GATE),
    version(V12, V12), idGet(), features('FFA_RXTX_MAP_64', OK), map(),
    features('FFA_MEM_LEND_64', { w0: 'FFA_SUCCESS', x2: Z64 }), features('FFA_MSG_SEND_DIRECT_REQ2', NS),
    pig(null, 1, { w0: 'FFA_SUCCESS', w2: '0x00000001', w3: Z }),
    pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001', w3: '0x00000018' }), rxRelease(),
    req64('0x00008001', resp64('0x80010000')),
    pkvmFinalize,
    req64('0x00008001', resp64('0x80010000')),
    version(V11, 'NOT_SUPPORTED'), version(V12, V12),
  ],
});

vec('pkvm', 'pkvm-stub-does-not-filter', {
  description: 'before kvm_arm_init the EL2 stub does not trap SMCs: calls pKVM would block (DIRECT_REQ2, PARTITION_INFO_GET_REGS) reach the SPMC directly and succeed',
  source: 'reference pkvm-ffa.md 2 ("Before that point the EL2 hyp stub is installed, TSC = 0, and host SMCs go straight to EL3") and 7(a); DEN0077A v1.2 15.4, 13.9',
  machine: { boot: 'reset' },
  steps: [version(V12, V12), req2(0x8001, UUID_A, resp2('0x80010000')), smc({ x0: 'FFA_PARTITION_INFO_GET_REGS' }, { w0: 'FFA_SUCCESS_64', x3: h64((BigInt(P12) << 32n) | (1n << 16n) | 0x8001n) })],
});

// ---------------- memory ----------------
const pre = [version(V12, V12), map()];
vec('pkvm', 'pkvm-mem-share-reclaim', {
  description: 'MEM_SHARE_64 through pKVM (descriptor copied to the hyp TX buffer, pages moved to SHARED_OWNED) returns the SPMC handle; RECLAIM (pKVM retrieves the descriptor itself, then reclaims and unshares) succeeds; the page can be shared again afterwards',
  source: `${PK} __do_ffa_mem_xfer, do_ffa_mem_reclaim; reference pkvm-ffa.md 4.6 and 4.8`,
  steps: [...pre, ...send('FFA_MEM_SHARE_64', share1(), handleOk, { capture: true }), reclaim(), ...send('FFA_MEM_SHARE_64', share1(), handleOk)],
});

vec('pkvm', 'pkvm-mem-share-32-and-lend', {
  description: 'pKVM accepts MEM_SHARE (32-bit ID, forwarded as 64-bit) and MEM_LEND_64, each reclaimed',
  source: `${PK} __do_ffa_mem_xfer (32- and 64-bit IDs, forwarded as the 64-bit ID); reference pkvm-ffa.md 4.6`,
  steps: [...pre, ...send('FFA_MEM_SHARE', share1(), handleOk, { capture: true }), reclaim(),
    ...send('FFA_MEM_LEND_64', memDesc({ attrs: 0, constituents: [{ addr: P2, pages: 1 }] }), handleOk, { capture: true }), reclaim()],
});

vec('pkvm', 'pkvm-mem-share-descriptor-checks', {
  description: "pKVM's own descriptor checks: sender ID not 0, two receivers, a fragment shorter than header + EMAD (64 < 80 at v1.2), or a buffer in x3 are INVALID_PARAMETERS",
  source: `${PK} __do_ffa_mem_xfer steps 1, 2, 6; reference pkvm-ffa.md 4.6`,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share1({ sender: 0x0001 }), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share1({ receivers: [{ id: 0x8001, perm: RW }, { id: 0x8002, perm: RW }] }), err('INVALID_PARAMETERS')),
    write(TX, share1()), smc({ x0: 'FFA_MEM_SHARE_64', w1: h32(112), w2: h32(64) }, err('INVALID_PARAMETERS')),
    smc({ x0: 'FFA_MEM_SHARE_64', w1: h32(112), w2: h32(112), x3: h64(0x40020000), w4: '0x00000001' }, err('INVALID_PARAMETERS')),
  ],
});

vec('pkvm', 'pkvm-mem-share-page-state-denied', {
  description: "pKVM refuses pages the host does not exclusively own with DENIED: a page already shared, a page listed twice in one descriptor, the host's RX buffer (shared with the hyp), and secure memory",
  source: `${PK} __do_ffa_mem_xfer step 9 (__pkvm_host_share_ffa needs OWNED host memory, rollback, DENIED); reference pkvm-ffa.md 4.6`,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share1(), handleOk, { capture: true }),
    ...send('FFA_MEM_SHARE_64', share1(), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: P2, pages: 1 }, { addr: P2, pages: 1 }] }), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: RX, pages: 1 }] }), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: 0x0e000000, pages: 1 }] }), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: P2, pages: 1 }] }), handleOk),
  ],
});

vec('pkvm', 'pkvm-mem-share-without-tx', {
  description: 'MEM_SHARE before the host mapped a TX buffer is INVALID_PARAMETERS',
  source: `${PK} __do_ffa_mem_xfer step 3; reference pkvm-ffa.md 4.6`,
  steps: [version(V12, V12), smc({ x0: 'FFA_MEM_SHARE_64', w1: h32(112), w2: h32(112) }, err('INVALID_PARAMETERS'))],
});

vec('pkvm', 'pkvm-mem-not-proxied', {
  description: 'memory interfaces pKVM does not proxy are NOT_SUPPORTED: DONATE (both widths), RETRIEVE_REQ, RELINQUISH, FRAG_RX',
  source: `${PK} ffa_call_supported; reference pkvm-ffa.md 1.1 and 8 (pKVM column)`,
  steps: [version(V12, V12), ...['FFA_MEM_DONATE_64', 'FFA_MEM_DONATE', 'FFA_MEM_RETRIEVE_REQ_64', 'FFA_MEM_RELINQUISH', 'FFA_MEM_FRAG_RX'].map((f) => smc({ x0: f }, NS))],
});

vec('pkvm', 'pkvm-mem-share-fragmented', {
  description: 'a fragmented share through pKVM: the first fragment returns the SPMC FFA_MEM_FRAG_RX (112 bytes received), FFA_MEM_FRAG_TX with the last constituent completes it; reclaim (through the hypervisor retrieve) succeeds',
  source: `${PK} __do_ffa_mem_xfer step 10, do_ffa_mem_frag_tx, do_ffa_mem_reclaim; reference pkvm-ffa.md 4.6-4.8; DEN0077A v1.0 ch.12`,
  steps: [...pre, ...fragSteps(), reclaim()],
});

vec('pkvm', 'pkvm-mem-frag-tx-bad-length', {
  description: 'FFA_MEM_FRAG_TX with a fragment length that is not a multiple of 16 is INVALID_PARAMETERS at EL2',
  source: `${PK} do_ffa_mem_frag_tx step 1; reference pkvm-ffa.md 4.7`,
  steps: [...pre, smc({ x0: 'FFA_MEM_FRAG_TX', w1: '0x00000001', w2: Z, w3: h32(8) }, err('INVALID_PARAMETERS'))],
});

vec('pkvm', 'pkvm-host-writes-own-pages-after-finalize', {
  description: 'after finalisation the host still writes its own pages, its TX buffer (shared with the hyp) and a page it shared with the secure world (pKVM does not unmap it)',
  source: 'Linux arch/arm64/kvm/hyp/nvhe/mem_protect.c (__pkvm_host_share_hyp / __pkvm_host_share_ffa keep the host mapping); reference pkvm-ffa.md 4.6 step 9',
  steps: [...pre, write(0x40200000, [1, 2, 3, 4]), expectMem(0x40200000, [1, 2, 3, 4]),
    ...send('FFA_MEM_SHARE_64', share1(), handleOk, { capture: true }),
    write(P1, [0xaa, 0x55]), expectMem(P1, [0xaa, 0x55]), reclaim()],
});
