import { vec, version, V10, V11, V12, features, smc, err, OK, h32, h64, idGet, map, unmap, rxRelease, TX, RX, pig,
  expectMem, partInfo, UUID_A, UUID_B, UUID_C, uuidW, uuidX } from './lib.mjs';

const NONE = { el2: 'none' };
const Z = '0x00000000';
const Z64 = '0x0000000000000000';
const two = (extra = {}) => ({
  el2: 'none',
  partitions: [
    { id: '0x8001', uuid: UUID_A, behaviour: 'echo' },
    { id: '0x8002', uuid: UUID_B, behaviour: 'echo', executionContexts: 4 },
  ],
  ...extra,
});
const P12 = 0x301; // bits 0 (direct req receipt), 8 (AArch64), 9 (REQ2 receipt): v1.2 default
const succ = (count, size, more = {}) => ({ w0: 'FFA_SUCCESS', w2: h32(count), ...(size === undefined ? {} : { w3: h32(size) }), ...more });

// ---------------- partition-info ----------------
vec('partition-info', 'pig-v1.2-nil-uuid', {
  description: 'PARTITION_INFO_GET with the Nil UUID from a v1.2 caller: count 1, 24-byte descriptors, w4-w7 zero; the descriptor in the RX buffer carries ID, one execution context, properties 0x301 and the UUID; RX_RELEASE gives the buffer back',
  source: 'DEN0077A v1.1 13.8 FFA_PARTITION_INFO_GET, partition information descriptor (24 bytes); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_partition_info_get (Nil UUID, w4-w7 MBZ) and tf-a-tests test_ffa_partition_info',
  machine: NONE,
  steps: [version(V12, V12), map(), pig(null, 0, succ(1, 24, { w4: Z, w5: Z, w6: Z, w7: Z })), expectMem(RX, partInfo(0x8001, 1, P12, UUID_A)), rxRelease()],
});

vec('partition-info', 'pig-spmc-1.1-properties', {
  description: 'a v1.1 SPMC reports its partition with properties 0x101 (direct request receipt, AArch64) in a 24-byte descriptor',
  source: 'DEN0077A v1.1 13.8 (partition properties bits 0 and 8); vector-format.md default properties; tf-a-tests test_ffa_partition_info',
  machine: { el2: 'none', spmcVersion: '1.1' },
  steps: [version(V11, V11), map(), pig(null, 0, succ(1, 24)), expectMem(RX, partInfo(0x8001, 1, 0x101, UUID_A)), rxRelease()],
});

vec('partition-info', 'pig-v1.0-caller-hafnium', {
  description: 'a caller that negotiated v1.0 gets 8-byte v1.0 descriptors (properties bits [2:0] only); Hafnium reports the size 8 in w3',
  source: 'DEN0077A v1.0 8.6 (8-byte descriptor); mirrors tf-a-tests test_ffa_partition_info_v1_0 (checks ffa_partition_info_desc_size == sizeof(ffa_partition_info_v1_0))',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V10, V12), map(), pig(null, 0, succ(1, 8)), expectMem(RX, partInfo(0x8001, 1, 0x1, null, true)), rxRelease()],
});

vec('partition-info', 'pig-spmc-1.0-tf-a', {
  description: 'a v1.0 SPMC writes 8-byte descriptors; with TF-A behaviour w3 (reserved in v1.0) is 0',
  source: 'DEN0077A v1.0 8.6 FFA_PARTITION_INFO_GET (w3 reserved); reference ffa-abi.md 5.1 (for v1.0 callers TFA returns w3 = 0)',
  machine: { el2: 'none', spmcVersion: '1.0', policy: { spmc: 'tf-a' } },
  steps: [version(V10, V10), map(), pig(null, 0, succ(1, 0)), expectMem(RX, partInfo(0x8001, 1, 0x1, null, true)), rxRelease()],
});

vec('partition-info', 'pig-two-partitions-nil-uuid', {
  description: 'with two partitions the Nil UUID returns both descriptors in order, each with its own execution-context count and UUID',
  source: 'DEN0077A v1.1 13.8; mirrors ff-a-acs test/v1.0/setup_discovery/ffa_partition_info_get (Nil UUID returns all partitions) and tf-a-tests test_ffa_partition_info',
  machine: two(),
  steps: [version(V12, V12), map(), pig(null, 0, succ(2, 24)),
    expectMem(RX, [...partInfo(0x8001, 1, P12, UUID_A), ...partInfo(0x8002, 4, P12, UUID_B)]), rxRelease()],
});

vec('partition-info', 'pig-uuid-filter', {
  description: 'a specific UUID (words in w1-w4) returns only the matching partition',
  source: 'DEN0077A v1.1 13.8 (UUID filter); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_partition_info_get (per-UUID queries, count must equal 1)',
  machine: two(),
  steps: [version(V12, V12), map(), pig(UUID_B, 0, succ(1, 24)), expectMem(RX, partInfo(0x8002, 4, P12, null).slice(0, 8)), rxRelease(),
    pig(UUID_A, 0, succ(1, 24)), expectMem(RX, partInfo(0x8001, 1, P12, null).slice(0, 8)), rxRelease()],
});

vec('partition-info', 'pig-uuid-filter-zeroes-uuid-hafnium', {
  description: 'Hafnium leaves the UUID field of the descriptor zero when the caller asked for a specific UUID',
  source: 'DEN0077A v1.1 13.8 partition information descriptor (UUID field); reference ffa-abi.md 5.1 ("specific-UUID query: 0", HF)',
  machine: two({ policy: { spmc: 'hafnium' } }),
  steps: [version(V12, V12), map(), pig(UUID_B, 0, succ(1, 24)), expectMem(RX, partInfo(0x8002, 4, P12, null)), rxRelease()],
});

vec('partition-info', 'pig-unknown-uuid', {
  description: 'a UUID no partition has (words 1,0,0,0) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 13.8; mirrors ff-a-acs test/v1.0/setup_discovery/ffa_partition_info_get (ffa_partition_info_wrong_test, uuid {1})',
  machine: NONE,
  steps: [version(V12, V12), map(), smc({ x0: 'FFA_PARTITION_INFO_GET', w1: '0x00000001' }, err('INVALID_PARAMETERS')), rxRelease(err('DENIED'))],
});

vec('partition-info', 'pig-busy-until-rx-release', {
  description: 'PARTITION_INFO_GET fills the RX buffer and hands it to the caller; a second call before FFA_RX_RELEASE is BUSY; after the release it works again',
  source: 'DEN0077A v1.1 13.8 (RX buffer ownership); mirrors ff-a-acs test/v1.0/setup_discovery/ffa_partition_info_get (ffa_partition_info_wrong_test: second call without release -> BUSY)',
  machine: NONE,
  steps: [version(V12, V12), map(), pig(null, 0, succ(1, 24)), pig(null, 0, err('BUSY')), rxRelease(), pig(null, 0, succ(1, 24)), rxRelease()],
});

vec('partition-info', 'pig-count-only', {
  description: 'flag w5 bit 0 returns only the count (w2), w3 = 0, and does not hand the RX buffer over: a release is DENIED and a full query right after succeeds',
  source: 'DEN0077A v1.1 13.8 (return-count-only flag); reference ffa-abi.md 7.2 (count-only does not touch or own RX) and pkvm-ffa.md 7(b) b11',
  machine: two(),
  steps: [version(V12, V12), map(), pig(null, 1, succ(2, 0)), rxRelease(err('DENIED')), pig(null, 0, succ(2, 24)), rxRelease()],
});

vec('partition-info', 'pig-count-only-needs-no-rx', {
  description: 'the count-only form works without an RX buffer; the full form without one is BUSY',
  source: 'DEN0077A v1.1 13.8; reference ffa-abi.md 5.1 (BUSY: RX not mapped) and 7.2',
  machine: NONE,
  steps: [version(V12, V12), pig(null, 1, succ(1, 0)), pig(null, 0, err('BUSY'))],
});

vec('partition-info', 'pig-flags-mbz', {
  description: 'w5 bits [31:1] are MBZ: flags 2 is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 13.8 (flags bits [31:1] MBZ); reference ffa-abi.md 5.1',
  machine: NONE,
  steps: [version(V12, V12), map(), pig(null, 2, err('INVALID_PARAMETERS')), pig(null, 0x80000000, err('INVALID_PARAMETERS'))],
});

const X3 = (id, ctx, props) => h64((BigInt(props) << 32n) | (BigInt(ctx) << 16n) | BigInt(id));
vec('partition-info', 'pig-regs-nil-uuid', {
  description: 'PARTITION_INFO_GET_REGS (v1.2, SMC64) with the Nil UUID: FFA_SUCCESS_64, x2 = last index 0, current index 0, tag 0, descriptor size 24; x3 = ID | contexts << 16 | properties << 32, x4/x5 = the UUID',
  source: 'DEN0077A v1.2 13.9 FFA_PARTITION_INFO_GET_REGS; mirrors ff-a-acs test/v1.2/setup_discovery/ffa_partition_info_get_regs (Nil UUID query, descriptors from x3)',
  machine: NONE,
  steps: [version(V12, V12), smc({ x0: 'FFA_PARTITION_INFO_GET_REGS' }, { w0: 'FFA_SUCCESS_64', x2: '0x0018000000000000', x3: X3(0x8001, 1, P12), x4: uuidX(UUID_A)[0], x5: uuidX(UUID_A)[1] })],
});

vec('partition-info', 'pig-regs-two-partitions', {
  description: 'PARTITION_INFO_GET_REGS lists both partitions in one call: last index 1, current index 1 (the last one returned), descriptors in x3-x5 and x6-x8',
  source: 'DEN0077A v1.2 13.9; ff-a-acs test/v1.2/setup_discovery/ffa_partition_info_get_regs',
  machine: two(),
  steps: [version(V12, V12), smc({ x0: 'FFA_PARTITION_INFO_GET_REGS' }, {
    w0: 'FFA_SUCCESS_64', x2: '0x0018000000010001',
    x3: X3(0x8001, 1, P12), x4: uuidX(UUID_A)[0], x5: uuidX(UUID_A)[1],
    x6: X3(0x8002, 4, P12), x7: uuidX(UUID_B)[0], x8: uuidX(UUID_B)[1],
  })],
});

vec('partition-info', 'pig-regs-errors', {
  description: 'PARTITION_INFO_GET_REGS: an unknown UUID is INVALID_PARAMETERS, and so is a start index beyond the last partition',
  source: 'DEN0077A v1.2 13.9; mirrors ff-a-acs test/v1.2/setup_discovery/ffa_partition_info_get_regs (ffa_partition_info_get_regs_invalid_uuid_test); reference ffa-abi.md 5.1 (start >= count)',
  machine: NONE,
  steps: [version(V12, V12),
    smc({ x0: 'FFA_PARTITION_INFO_GET_REGS', x1: '0x0000000000000001' }, err('INVALID_PARAMETERS')),
    smc({ x0: 'FFA_PARTITION_INFO_GET_REGS', x3: '0x0000000000000001' }, err('INVALID_PARAMETERS')),
    smc({ x0: 'FFA_PARTITION_INFO_GET_REGS', x1: uuidX(UUID_A)[0], x2: uuidX(UUID_A)[1] }, { w0: 'FFA_SUCCESS_64', x3: X3(0x8001, 1, P12) })],
});

vec('partition-info', 'pig-regs-spmc-1.1-not-supported', {
  description: 'a v1.1 SPMC has no FFA_PARTITION_INFO_GET_REGS',
  source: 'DEN0077A v1.2 13.9 (introduced in v1.2); ff-a-acs test/v1.2/setup_discovery/ffa_partition_info_get_regs (skipped below v1.2)',
  machine: { el2: 'none', spmcVersion: '1.1' },
  steps: [version(V11, V11), smc({ x0: 'FFA_PARTITION_INFO_GET_REGS' }, err('NOT_SUPPORTED'))],
});

// ---------------- direct ----------------
const P64 = ['0x1111111111111111', '0x2222222222222222', '0x3333333333333333', '0x4444444444444444', '0x5555555555555555'];
const req64 = (w1, expect, w2) => {
  const r = { x0: 'FFA_MSG_SEND_DIRECT_REQ_64', w1 };
  if (w2 !== undefined) r.w2 = w2;
  P64.forEach((v, i) => { r['x' + (i + 3)] = v; });
  return smc(r, expect);
};
const resp64 = (w1) => { const e = { w0: 'FFA_MSG_SEND_DIRECT_RESP_64', w1, w2: Z }; P64.forEach((v, i) => { e['x' + (i + 3)] = v; }); return e; };
const P32 = ['0xa0a0a0a0', '0xb1b1b1b1', '0xc2c2c2c2', '0xd3d3d3d3', '0xe4e4e4e4'];
const req32 = (w1, expect) => { const r = { x0: 'FFA_MSG_SEND_DIRECT_REQ', w1 }; P32.forEach((v, i) => { r['w' + (i + 3)] = v; }); return smc(r, expect); };
const resp32 = (w1) => { const e = { w0: 'FFA_MSG_SEND_DIRECT_RESP', w1, w2: Z }; P32.forEach((v, i) => { e['w' + (i + 3)] = v; }); return e; };
const PAY2 = Array.from({ length: 14 }, (_, i) => h64(0x0101010101010101n * BigInt(i + 1) + 0x1000000000000000n));
const req2 = (w1, uuid, expect) => {
  const r = { x0: 'FFA_MSG_SEND_DIRECT_REQ2', x1: h64(BigInt(w1)) };
  if (uuid) { const [lo, hi] = uuidX(uuid); r.x2 = lo; r.x3 = hi; }
  PAY2.forEach((v, i) => { r['x' + (i + 4)] = v; });
  return smc(r, expect);
};
const resp2 = (w1) => { const e = { w0: 'FFA_MSG_SEND_DIRECT_RESP2', w1, x2: Z64, x3: Z64 }; PAY2.forEach((v, i) => { e['x' + (i + 4)] = v; }); return e; };
export { req64, resp64, req32, resp32, req2, resp2 };

vec('direct', 'direct-req-64-echo', {
  description: 'FFA_MSG_SEND_DIRECT_REQ_64 from the host (ID 0) to SP 0x8001: the echo partition answers DIRECT_RESP_64 with sender/receiver swapped, w2 = 0 and x3-x7 unchanged',
  source: 'DEN0077A v1.1 15.2/15.3 FFA_MSG_SEND_DIRECT_REQ/RESP; mirrors ff-a-acs test/v1.0/direct_messaging (ffa_direct_message) and tf-a-tests test_ffa_direct_messaging',
  machine: NONE,
  steps: [version(V12, V12), req64('0x00008001', resp64('0x80010000'))],
});

vec('direct', 'direct-req-32-echo', {
  description: 'FFA_MSG_SEND_DIRECT_REQ_32 is answered with the 32-bit DIRECT_RESP, w3-w7 unchanged',
  source: 'DEN0077A v1.1 15.2/15.3; vector-format.md behaviour "echo" (32-bit request, 32-bit response); mirrors ff-a-acs ffa_direct_message (32-bit variant)',
  machine: NONE,
  steps: [version(V12, V12), req32('0x00008001', resp32('0x80010000'))],
});

vec('direct', 'direct-req-32-upper-halves-ignored', {
  description: 'an SMC32 direct request ignores the upper halves of x3-x7 and returns 32-bit values zero-extended',
  source: 'SMCCC DEN0028 (SMC32: callee ignores the upper 32 bits, results zero-extended); DEN0077A v1.1 15.2; reference ffa-abi.md 1 and 5.2 ("The _32 form truncates x3..x7 to 32 bits")',
  machine: NONE,
  steps: [version(V12, V12), smc({ x0: 'FFA_MSG_SEND_DIRECT_REQ', w1: '0x00008001', x3: '0xdeadbeef12345678', x4: '0xffffffff00000001' },
    { w0: 'FFA_MSG_SEND_DIRECT_RESP', w1: '0x80010000', x3: '0x0000000012345678', x4: '0x0000000000000001' })],
});

vec('direct', 'direct-req-flags-mbz', {
  description: 'a partition message with non-zero w2 (flags; bit 31 clear) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 15.2 (w2 flags, MBZ for partition messages); reference ffa-abi.md 7.3 rule 1',
  machine: NONE,
  steps: [version(V12, V12), req64('0x00008001', err('INVALID_PARAMETERS'), '0x00000001'), req64('0x00008001', resp64('0x80010000'))],
});

vec('direct', 'direct-req-invalid-receiver', {
  description: 'a request to an endpoint that does not exist (0x8009), to the SPMC itself (0x8000), or to a normal-world ID is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 15.2 (receiver must be a partition); reference ffa-abi.md 7.3 rule 3; mirrors ff-a-acs test/v1.0/direct_messaging ffa_direct_message_error',
  machine: NONE,
  steps: [version(V12, V12), req64('0x00008009', err('INVALID_PARAMETERS')), req64('0x00008000', err('INVALID_PARAMETERS')), req64('0x00000001', err('INVALID_PARAMETERS'))],
});

vec('direct', 'direct-req-spoofed-sender', {
  description: 'the normal world may not claim a secure sender ID: sender 0x8002 (and sender == receiver 0x8001) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 15.2 (sender ID must be the caller'+"'"+'s); reference ffa-abi.md 7.3 rule 3 (TFA SPMD rejects a secure sender from the NWd; sender == receiver invalid)',
  machine: NONE,
  steps: [version(V12, V12), req64('0x80028001', err('INVALID_PARAMETERS')), req64('0x80018001', err('INVALID_PARAMETERS'))],
});

vec('direct', 'direct-req-not-receivable-denied', {
  description: 'a partition whose properties lack bit 0 (direct request receipt) refuses DIRECT_REQ with DENIED',
  source: 'DEN0077A v1.1 15.2 and partition properties bit 0; reference ffa-abi.md 7.3 rule 5; mirrors ff-a-acs ffa_direct_message_error1 (indirect-only partition)',
  machine: { el2: 'none', partitions: [{ id: '0x8001', uuid: UUID_A, behaviour: 'echo', properties: '0x00000304' }] },
  steps: [version(V12, V12), req64('0x00008001', err('DENIED')), req32('0x00008001', err('DENIED'))],
});

vec('direct', 'direct-req-routes-by-receiver', {
  description: 'with two partitions the request goes to the one named in w1[15:0], whose ID comes back as the responder',
  source: 'DEN0077A v1.1 15.2/15.3; tf-a-tests test_ffa_direct_messaging (requests to SP_ID(1), SP_ID(2))',
  machine: two(),
  steps: [version(V12, V12), req64('0x00008002', resp64('0x80020000')), req64('0x00008001', resp64('0x80010000'))],
});

vec('direct', 'direct-req2-echo', {
  description: 'FFA_MSG_SEND_DIRECT_REQ2 with the target UUID in x2/x3 and 14 payload registers: DIRECT_RESP2 with w1 swapped, x2/x3 zero, x4-x17 unchanged',
  source: 'DEN0077A v1.2 15.4/15.5 FFA_MSG_SEND_DIRECT_REQ2/RESP2; mirrors ff-a-acs test/v1.2/direct_messaging/ffa_direct_message2',
  machine: NONE,
  steps: [version(V12, V12), req2(0x8001, UUID_A, resp2('0x80010000'))],
});

vec('direct', 'direct-req2-nil-uuid', {
  description: 'DIRECT_REQ2 with the Nil UUID reaches the partition (any service)',
  source: 'DEN0077A v1.2 15.4 (Nil UUID); reference ffa-abi.md 7.3 rule 4',
  machine: NONE,
  steps: [version(V12, V12), req2(0x8001, null, resp2('0x80010000'))],
});

vec('direct', 'direct-req2-uuid-routing', {
  description: "DIRECT_REQ2 checks the UUID against the receiver: partition 0x8001 addressed with 0x8002's UUID, or with an unknown UUID, is INVALID_PARAMETERS; the right UUID is answered",
  source: 'DEN0077A v1.2 15.4; reference ffa-abi.md 7.3 rule 4 (unknown UUID or a UUID of another partition -> INVALID_PARAMETERS); ff-a-acs test/v1.2/direct_messaging/ffa_direct_message2',
  machine: two(),
  steps: [version(V12, V12), req2(0x8001, UUID_B, err('INVALID_PARAMETERS')), req2(0x8001, UUID_C, err('INVALID_PARAMETERS')), req2(0x8002, UUID_B, resp2('0x80020000'))],
});

vec('direct', 'direct-req2-not-receivable-denied', {
  description: 'a partition without properties bit 9 (DIRECT_REQ2 receipt) refuses DIRECT_REQ2 with DENIED but still answers DIRECT_REQ',
  source: 'DEN0077A v1.2 15.4, partition properties bit 9; reference ffa-abi.md 7.3 rule 5',
  machine: { el2: 'none', partitions: [{ id: '0x8001', uuid: UUID_A, behaviour: 'echo', properties: '0x00000101' }] },
  steps: [version(V12, V12), req2(0x8001, UUID_A, err('DENIED')), req64('0x00008001', resp64('0x80010000'))],
});

vec('direct', 'direct-req2-v1.1-caller-hafnium', {
  description: 'Hafnium refuses DIRECT_REQ2 from a caller that negotiated v1.1 with DENIED',
  source: 'DEN0077A v1.2 15.4 (both sides at v1.2 or later); reference ffa-abi.md 7.3 rule 4 and 8 (DIRECT_REQ2 below v1.2: HF DENIED)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V11, V12), req2(0x8001, UUID_A, err('DENIED'))],
});

vec('direct', 'direct-req2-v1.1-caller-tf-a', {
  description: "TF-A's SPMC answers DIRECT_REQ2 from a v1.1 caller with NOT_SUPPORTED",
  source: 'DEN0077A v1.2 15.4; reference ffa-abi.md 7.3 rule 4 and 8 (DIRECT_REQ2 below v1.2: TFA NOT_SUPPORTED)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [version(V11, V12), req2(0x8001, UUID_A, err('NOT_SUPPORTED'))],
});

vec('direct', 'direct-req2-spmc-1.1-not-supported', {
  description: 'a v1.1 SPMC has no DIRECT_REQ2 (a v1.2 interface)',
  source: 'DEN0077A v1.2 15.4 (introduced in v1.2); reference ffa-abi.md 2',
  machine: { el2: 'none', spmcVersion: '1.1' },
  steps: [version(V11, V11), req2(0x8001, UUID_A, err('NOT_SUPPORTED'))],
});

vec('direct', 'direct-resp-from-nwd-hafnium', {
  description: 'the normal world is never the target of a direct request, so DIRECT_RESP from it is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 15.3 FFA_MSG_SEND_DIRECT_RESP; reference ffa-abi.md 7.3 direct response rules (NWd callers cannot send DIRECT_RESP: HF, TFA; ACS v1.1 expects FFA_ERROR)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V12, V12),
    smc({ x0: 'FFA_MSG_SEND_DIRECT_RESP_64', w1: '0x00008001' }, err('INVALID_PARAMETERS')),
    smc({ x0: 'FFA_MSG_SEND_DIRECT_RESP', w1: '0x00008001' }, err('INVALID_PARAMETERS'))],
});

vec('direct', 'direct-req-el3-spmc', {
  description: 'the EL3 SPMC routes a normal-world direct request to its partition and returns the response (64-bit, 32-bit and REQ2)',
  source: 'DEN0077A v1.1 15.2/15.3, v1.2 15.4; reference ffa-abi.md 7.3 "TFA EL3 SPMC specifics"',
  machine: { el2: 'none', spmc: 'el3' },
  steps: [version(V12, V12), req64('0x00008001', resp64('0x80010000')), req32('0x00008001', resp32('0x80010000')), req2(0x8001, UUID_A, resp2('0x80010000'))],
});
