import { vec, version, V10, V11, V12, features, smc, err, OK, h32, h64, map, unmap, rxRelease, TX, RX,
  write, expectMem, memDesc, constituentBytes, hex } from './lib.mjs';

const NONE = { el2: 'none' };
const Z = '0x00000000';
const P1 = 0x40100000, P2 = 0x40101000, P3 = 0x40102000;
const SHARE_ATTRS = 0x2f; // normal memory, write-back, inner shareable
const RW = 0x02, RO = 0x01;

/** Write descriptor `d` at TX and send it with `fid` (whole descriptor in one fragment unless frag given). */
export function send(fid, d, expect, { frag, x3, w4, capture } = {}) {
  const regs = { x0: fid, w1: h32(d.length), w2: h32(frag ?? d.length) };
  if (x3 !== undefined) regs.x3 = x3;
  if (w4 !== undefined) regs.w4 = w4;
  const s = smc(regs, expect);
  if (capture) s.capture = { H_LO: 'w2', H_HI: 'w3' };
  return [write(TX, (frag ? d.slice(0, frag) : d)), s];
}
/** FFA_SUCCESS with a handle whose bit 63 is 0 (allocated by the SPMC, not a hypervisor). */
export const handleOk = { w0: 'FFA_SUCCESS', w3: { value: Z, mask: '0x80000000' } };
export const reclaim = (expect = OK, flags = 0) => smc({ x0: 'FFA_MEM_RECLAIM', w1: '$H_LO', w2: '$H_HI', w3: h32(flags) }, expect);
export const share1 = (o = {}) => memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: P1, pages: 1 }], ...o });
export { P1, P2, P3, SHARE_ATTRS, RW, RO };

const pre = (v = V12) => [version(v, V12), map()];

vec('memory', 'mem-share-reclaim', {
  description: 'FFA_MEM_SHARE_64 of one page to SP 0x8001 with a v1.2 descriptor in the TX buffer returns FFA_SUCCESS and a handle; the owner reclaims it (no borrower retrieved it); a second reclaim of the same handle is INVALID_PARAMETERS',
  source: 'DEN0077A v1.0 11.3 FFA_MEM_SHARE, 11.7 FFA_MEM_RECLAIM, v1.2 memory transaction descriptor (48-byte header, 32-byte EMAD); mirrors ff-a-acs memory_manage share tests and hafnium test/vmapi primary_with_secondaries memory_sharing (share then reclaim)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1(), handleOk, { capture: true }), reclaim(), reclaim(err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-32', {
  description: 'the SMC32 FFA_MEM_SHARE works like the 64-bit one',
  source: 'DEN0077A v1.0 11.3 (FFA_MEM_SHARE_32); ff-a-acs ffa_features (MEM_SHARE_32 query)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE', share1(), handleOk, { capture: true }), reclaim()],
});

vec('memory', 'mem-lend-reclaim', {
  description: 'FFA_MEM_LEND_64 to a single borrower, with memory attributes left unspecified as required, then reclaim',
  source: 'DEN0077A v1.0 11.2 FFA_MEM_LEND, 11.7 FFA_MEM_RECLAIM; reference ffa-abi.md 6.4 (LEND to one borrower: type 00); mirrors ff-a-acs memory_manage lend tests',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_LEND_64', memDesc({ attrs: 0, constituents: [{ addr: P1, pages: 1 }] }), handleOk, { capture: true }), reclaim()],
});

vec('memory', 'mem-lend-attributes-must-be-unspecified', {
  description: 'a single-borrower FFA_MEM_LEND that specifies memory attributes (0x2F) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 ch.10 memory region attributes; reference ffa-abi.md 6.4 attribute rules (HF/ACS: LEND to a single borrower must leave type = 00)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_LEND_64', memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: P1, pages: 1 }] }), err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-twice-denied', {
  description: 'memory already shared cannot be shared again (the owner no longer has exclusive access): DENIED; after reclaim it can',
  source: 'DEN0077A v1.1 ch.10 ownership and access state transitions; reference ffa-abi.md 7.6; mirrors ff-a-acs share_state_machine tests',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1(), handleOk, { capture: true }), ...send('FFA_MEM_SHARE_64', share1(), err('DENIED')), reclaim(), ...send('FFA_MEM_SHARE_64', share1(), handleOk)],
});

vec('memory', 'mem-share-part-of-shared-range-denied', {
  description: 'sharing 2 pages, then the first of them again, is DENIED (part of a region already shared)',
  source: 'DEN0077A v1.1 ch.10 state transitions; reference ffa-abi.md 7.6 (ACS share_state_machine_4: share 8K then the lower 4K -> DENIED)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: P1, pages: 2 }] }), handleOk, { capture: true }),
    ...send('FFA_MEM_SHARE_64', share1(), err('DENIED')), reclaim()],
});

vec('memory', 'mem-share-rxtx-buffer-denied', {
  description: 'pages registered as the RX/TX pair cannot be shared or lent: DENIED',
  source: 'DEN0077A v1.0 8.4, v1.2 ch.13 FFA_RXTX_MAP (buffers are exclusive to the partition manager); mirrors tf-a-tests test_ffa_rxtx_map_memory_share_fail',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: TX, pages: 1 }] }), err('DENIED')),
    ...send('FFA_MEM_LEND_64', memDesc({ attrs: 0, constituents: [{ addr: RX, pages: 1 }] }), err('DENIED'))],
});

vec('memory', 'mem-share-secure-memory-denied', {
  description: 'the normal world cannot share secure memory (a constituent in secure RAM at 0x0E000000): DENIED',
  source: 'DEN0077A v1.1 ch.10 (a lender must own the memory); reference ffa-abi.md 7.6 (secure memory from the NWd -> DENIED)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: 0x0e000000, pages: 1 }] }), err('DENIED'))],
});

vec('memory', 'mem-share-zero-flag-invalid', {
  description: 'the "zero memory" flag (bit 0) is not allowed on FFA_MEM_SHARE: INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 ch.10 memory transaction descriptor flags (bit 0 MBZ for a share); reference ffa-abi.md 6.5',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1({ flags: 1 }), err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-to-self-invalid', {
  description: 'a transaction whose only receiver is the sender itself (ID 0) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 ch.10 endpoint memory access descriptor; reference ffa-abi.md 7.6 (sender == receiver -> INVALID_PARAMETERS)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1({ receivers: [{ id: 0, perm: RW }] }), err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-duplicate-receiver-invalid', {
  description: 'the same receiver listed twice is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 ch.10; reference ffa-abi.md 7.6 (duplicate receiver -> INVALID_PARAMETERS)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1({ receivers: [{ id: 0x8001, perm: RW }, { id: 0x8001, perm: RW }] }), err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-data-access-unspecified-invalid', {
  description: 'FFA_MEM_SHARE must specify the data access permission: "not specified" (0) and the reserved value 3 are INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 ch.10 memory access permissions descriptor; reference ffa-abi.md 6.2 and 7.6',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1({ receivers: [{ id: 0x8001, perm: 0x00 }] }), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share1({ receivers: [{ id: 0x8001, perm: 0x03 }] }), err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-instruction-access-hafnium', {
  description: 'Hafnium requires the sender to leave instruction access unspecified: RW + NX (0x06) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 ch.10 memory access permissions; reference ffa-abi.md 7.6 (instruction permission must be "not specified" on send, HF)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1({ receivers: [{ id: 0x8001, perm: 0x06 }] }), err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-page-count-mismatch', {
  description: "the composite descriptor's total page count must equal the sum of its constituents: 2 declared for a 1-page range is INVALID_PARAMETERS",
  source: 'DEN0077A v1.1 ch.10 composite memory region descriptor; reference ffa-abi.md 6.3 and 7.6 (length checks)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1({ composite: { totalPages: 2 } }), err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-range-count-mismatch', {
  description: 'an address-range count that disagrees with the descriptor length (2 ranges declared, 1 present) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.1 ch.10 composite memory region descriptor; reference ffa-abi.md 7.6 (constituent count != (length - offset - 16)/16)',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1({ composite: { count: 2, totalPages: 1 } }), err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-fragment-longer-than-total', {
  description: 'a fragment length (w2) greater than the total length (w1) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.0 11.3 FFA_MEM_SHARE (w1 total length, w2 fragment length); reference ffa-abi.md 7.6',
  machine: NONE,
  steps: [...pre(), write(TX, share1()), smc({ x0: 'FFA_MEM_SHARE_64', w1: h32(112), w2: h32(128) }, err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-dynamic-buffer-hafnium', {
  description: 'Hafnium has no dynamically allocated buffers: a share whose descriptor is passed at x3 (with w4 pages) is INVALID_PARAMETERS',
  source: 'DEN0077A v1.0 11.3 (x3 buffer address, w4 page count); reference ffa-abi.md 5.3 (HF and PKVM require x3 = w4 = 0)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [...pre(), write(0x40020000, share1()), smc({ x0: 'FFA_MEM_SHARE_64', w1: h32(112), w2: h32(112), x3: '0x0000000040020000', w4: '0x00000001' }, err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-without-tx-buffer-hafnium', {
  description: 'a share from an endpoint that mapped no TX buffer is INVALID_PARAMETERS',
  source: 'DEN0077A v1.0 11.3; reference ffa-abi.md 7.1 (after unmap, calls needing buffers -> INVALID_PARAMETERS, HF mem send)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [version(V12, V12), smc({ x0: 'FFA_MEM_SHARE_64', w1: h32(112), w2: h32(112) }, err('INVALID_PARAMETERS'))],
});

// fragmented transaction: 2 constituents, first fragment carries everything but the second constituent
const two = memDesc({ attrs: SHARE_ATTRS, constituents: [{ addr: P1, pages: 1 }, { addr: P2, pages: 1 }] });
export const fragSteps = (fid = 'FFA_MEM_SHARE_64') => [
  write(TX, two.slice(0, 112)),
  { ...smc({ x0: fid, w1: h32(128), w2: h32(112) }, { w0: 'FFA_MEM_FRAG_RX', w3: h32(112), w4: Z }), capture: { H_LO: 'w1', H_HI: 'w2' } },
  write(TX, constituentBytes({ addr: P2, pages: 1 })),
  smc({ x0: 'FFA_MEM_FRAG_TX', w1: '$H_LO', w2: '$H_HI', w3: h32(16), w4: Z }, { w0: 'FFA_SUCCESS', w2: '$H_LO', w3: '$H_HI' }),
];
export { two as twoPageDesc };

vec('memory', 'mem-share-fragmented', {
  description: 'a 128-byte share sent as a 112-byte fragment gets FFA_MEM_FRAG_RX (handle in w1/w2, 112 bytes received in w3); FFA_MEM_FRAG_TX with the last 16 bytes completes it with FFA_SUCCESS and the same handle; the owner reclaims it',
  source: 'DEN0077A v1.0 ch.12 fragmented transactions (FFA_MEM_FRAG_RX/TX), 11.3; reference ffa-abi.md 5.3; tf-a-tests test_ffa_memory_sharing fragmented sends',
  machine: NONE,
  steps: [...pre(), ...fragSteps(), reclaim()],
});

vec('memory', 'mem-frag-tx-unknown-handle', {
  description: 'FFA_MEM_FRAG_TX for a handle with no transaction in progress is INVALID_PARAMETERS',
  source: 'DEN0077A v1.0 ch.12 FFA_MEM_FRAG_TX; reference ffa-abi.md 5.3 (unknown handle -> INVALID_PARAMETERS)',
  machine: NONE,
  steps: [...pre(), write(TX, constituentBytes({ addr: P2, pages: 1 })), smc({ x0: 'FFA_MEM_FRAG_TX', w1: '0x12345678', w2: '0x00000000', w3: h32(16) }, err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-reclaim-errors', {
  description: 'FFA_MEM_RECLAIM of a handle that was never allocated is INVALID_PARAMETERS, and so is a valid handle with reserved flag bits [31:2] set; the same handle then reclaims',
  source: 'DEN0077A v1.0 11.7 FFA_MEM_RECLAIM (w3 flags, bits [31:2] MBZ); mirrors ff-a-acs memory reclaim invalid-handle checks and hafnium test/vmapi memory_reclaim_invalid',
  machine: NONE,
  steps: [...pre(), smc({ x0: 'FFA_MEM_RECLAIM', w1: '0xffffffff', w2: '0xffffffff' }, err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share1(), handleOk, { capture: true }), reclaim(err('INVALID_PARAMETERS'), 0x4), reclaim()],
});

vec('memory', 'mem-donate-not-from-nwd-tf-a', {
  description: "TF-A's EL3 SPMC does not accept FFA_MEM_DONATE from the normal world: NOT_SUPPORTED",
  source: 'DEN0077A v1.0 11.1 FFA_MEM_DONATE; reference ffa-abi.md 8 (TFA: SHARE/LEND/RECLAIM/FRAG, no DONATE from the NWd)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [...pre(), ...send('FFA_MEM_DONATE_64', memDesc({ attrs: 0, receivers: [{ id: 0x8001, perm: 0 }], constituents: [{ addr: P1, pages: 1 }] }), err('NOT_SUPPORTED'))],
});

vec('memory', 'mem-donate-hafnium', {
  description: 'Hafnium accepts FFA_MEM_DONATE (attributes and data access left unspecified); the donor no longer owns the page, so sharing it afterwards is DENIED',
  source: 'DEN0077A v1.0 11.1 FFA_MEM_DONATE; reference ffa-abi.md 6.4/7.6 (DONATE: type 00, data permission not specified; ownership moves); tf-a-tests test_consecutive_donate (DENIED)',
  machine: { el2: 'none', policy: { spmc: 'hafnium' } },
  steps: [...pre(), ...send('FFA_MEM_DONATE_64', memDesc({ attrs: 0, receivers: [{ id: 0x8001, perm: 0 }], constituents: [{ addr: P1, pages: 1 }] }), handleOk),
    ...send('FFA_MEM_SHARE_64', share1(), err('DENIED'))],
});

// TF-A lists FFA_MEM_RELINQUISH as secure-only for FFA_FEATURES (NOT_SUPPORTED to the NWd), but the
// call itself is implemented: spmc_ffa_mem_relinquish refuses a NWd caller with INVALID_PARAMETERS
// ("unsupported relinquish direction") before looking at the buffers.
vec('memory', 'mem-relinquish-not-from-nwd-tf-a', {
  description: "the normal-world owner is not a borrower: TF-A's EL3 SPMC reports FFA_MEM_RELINQUISH as NOT_SUPPORTED to it in FFA_FEATURES and refuses the call with INVALID_PARAMETERS",
  source: 'DEN0077A v1.0 11.6 FFA_MEM_RELINQUISH; TF-A services/std_svc/spm/el3_spmc/spmc_main.c ffa_features_handler (secure-only list) and spmc_shared_mem.c spmc_ffa_mem_relinquish (!secure_origin: INVALID_PARAMETERS)',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [...pre(), smc({ x0: 'FFA_FEATURES', w1: 'FFA_MEM_RELINQUISH' }, err('NOT_SUPPORTED')), smc({ x0: 'FFA_MEM_RELINQUISH' }, err('INVALID_PARAMETERS'))],
});

vec('memory', 'mem-share-v1.1-descriptor', {
  description: 'a caller that negotiated v1.1 sends the v1.1 layout (16-byte EMADs at offset 48); the share succeeds and is reclaimed',
  source: 'DEN0077A v1.1 ch.10 memory transaction descriptor (EMAD size field 16); reference ffa-abi.md 6.1',
  machine: NONE,
  steps: [...pre(V11), ...send('FFA_MEM_SHARE_64', share1({ v: '1.1' }), handleOk, { capture: true }), reclaim()],
});

vec('memory', 'mem-share-v1.0-descriptor', {
  description: 'a caller that negotiated v1.0 sends the v1.0 layout (32-byte header, 8-bit attributes, EMADs at offset 32); the share succeeds and is reclaimed',
  source: 'DEN0077A v1.0 5.12 memory transaction descriptor; reference ffa-abi.md 6.1 (relayers convert v1.0 descriptors)',
  machine: NONE,
  steps: [...pre(V10), ...send('FFA_MEM_SHARE_64', share1({ v: '1.0' }), handleOk, { capture: true }), reclaim()],
});

vec('memory', 'mem-share-el3-spmc-tf-a', {
  description: "share and reclaim through TF-A's EL3 SPMC (handle allocated by the SPMC: bit 63 clear)",
  source: 'DEN0077A v1.0 11.3/11.7; reference ffa-abi.md 5.3 (TFA EL3 SPMC handles) and 8',
  machine: { el2: 'none', spmc: 'el3', policy: { spmc: 'tf-a' } },
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1(), handleOk, { capture: true }), reclaim()],
});

vec('memory', 'mem-shared-page-stays-writable-by-owner', {
  description: 'sharing keeps the owner\'s access (owner shares, borrowers !owner): the host can still write the shared page and read it back',
  source: 'DEN0077A v1.1 ch.10 (share: owner keeps access, ownership unchanged); reference ffa-abi.md 7.6',
  machine: NONE,
  steps: [...pre(), ...send('FFA_MEM_SHARE_64', share1(), handleOk, { capture: true }), write(P1, [0xde, 0xad, 0xbe, 0xef]), expectMem(P1, [0xde, 0xad, 0xbe, 0xef]), reclaim()],
});
