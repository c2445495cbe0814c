// Source of the isolation call vectors in test/vectors/ffa/isolation/: `node test/robust/isolation-vectors.mjs`
// rewrites them. The host tries to reach memory and state that is not its own, through pKVM (el2
// "pkvm", the default) and straight at the SPMC (el2 "none"); every attempt must be refused with the
// status the spec and the peers give, and the last steps of each vector show that nothing was left
// behind (the refused pages and buffers are still usable, rollbacks happened). Expectations are
// written by hand from DEN0077A and the reference notes, never taken from a64el's output.
// test/robust/isolation-vectors.test.ts runs these files again with state snapshots around every
// call: a refused call must leave pKVM's page states, the SPMC's page table and the mailboxes as
// they were.
//
// Addresses (vector-format.md, QEMU virt): host TX 0x40010000, RX 0x40011000, host pages from
// 0x40100000; DRAM is 128 MiB, so pKVM's carve-out (src/firmware/el2/consts.ts HYP_CARVEOUT_PAGES =
// 20 pages at the top of DRAM) is 0x47FEC000 (stage-2 tables) 0x47FED000 (hyp TX) 0x47FEE000 (hyp
// RX) 0x47FEF000..0x47FFFFFF (descriptor buffer); secure RAM 0x0E000000; the PL011 0x09000000.
import { vec, writeAll, version, V12, smc, err, OK, h32, h64, map, unmap, rxRelease, TX, RX, pig, write, memDesc,
  constituentBytes, UUID_A, UUID_B } from '../vectors/ffa/_source/lib.mjs';

const AREA = 'isolation';
const NONE = { el2: 'none' };
const P1 = 0x40100000, P2 = 0x40101000, P3 = 0x40102000, P4 = 0x40103000;
const HYP_PGT = 0x47fec000, HYP_TX = 0x47fed000, HYP_RX = 0x47fee000, HYP_DESC = 0x47fef000;
const DRAM_END = 0x48000000;
const SECURE = 0x0e000000, MMIO = 0x09000000;
const ATTRS = 0x2f; // Normal, write-back, inner shareable (Linux's SHARE attributes)
const Z = '0x00000000';
const PK = 'Linux arch/arm64/kvm/hyp/nvhe/ffa.c';
const MP = 'Linux arch/arm64/kvm/hyp/nvhe/mem_protect.c';

const handleOk = { w0: 'FFA_SUCCESS', w3: { value: Z, mask: '0x80000000' } };
const share = (constituents, o = {}) => memDesc({ attrs: ATTRS, constituents, ...o });
const lend = (constituents, o = {}) => memDesc({ attrs: 0, constituents, ...o });
/** Write `d` at TX and send it; `frag` sends only the first `frag` bytes (the rest by FRAG_TX). */
function send(fid, d, expect, { frag, len, capture, x3 } = {}) {
  const bytes = frag !== undefined ? d.slice(0, frag) : d;
  const regs = { x0: fid, w1: h32(len ?? d.length), w2: h32(frag ?? d.length) };
  if (x3 !== undefined) regs.x3 = x3;
  const s = smc(regs, expect);
  if (capture === true) s.capture = { H_LO: 'w2', H_HI: 'w3' };
  else if (capture === 'frag') s.capture = { H_LO: 'w1', H_HI: 'w2' };   // FFA_MEM_FRAG_RX carries the handle in w1/w2
  return [write(TX, bytes), s];
}
const reclaim = (expect = OK, flags = 0, lo = '$H_LO', hi = '$H_HI') => smc({ x0: 'FFA_MEM_RECLAIM', w1: lo, w2: hi, w3: h32(flags) }, expect);
const fragTx = (bytes, expect, w3 = bytes.length, w4 = 0, lo = '$H_LO', hi = '$H_HI') =>
  [write(TX, bytes), smc({ x0: 'FFA_MEM_FRAG_TX', w1: lo, w2: hi, w3: h32(w3), w4: h32(w4) }, expect)];
/** Patch little-endian u32 `v` at offset `o` of a descriptor (a malformed copy). */
function patch32(d, o, v) {
  const b = d.slice();
  for (let i = 0; i < 4; i++) b[o + i] = (v >>> (8 * i)) & 0xff;
  return b;
}
const req64 = (w1, expect) => smc({ x0: 'FFA_MSG_SEND_DIRECT_REQ_64', w1, x3: '0x1111111111111111' }, expect);
const echo64 = (w1) => ({ w0: 'FFA_MSG_SEND_DIRECT_RESP_64', w1, w2: Z, x3: '0x1111111111111111' });
const pre = [version(V12, V12), map()];
// v1.2 layout (ffa-abi.md 6.1-6.3): header 48 B, one 32-B EMAD at 48 (composite offset at 52),
// composite at 80 (total pages at 80, range count at 84), constituents from 96.
const EMAD_COMPOSITE_OFF = 52, HDR_EMAD_OFFSET = 32, HDR_EMAD_COUNT = 28;

// ---------------------------------------------------------------- pKVM: RX/TX
vec(AREA, 'iso-pkvm-rxtx-map-hyp-pages', {
  description: "the host names pKVM's own pages (stage-2 tables, hyp TX, hyp RX, descriptor buffer) as its TX or RX buffer: INVALID_PARAMETERS each time (the page is not host OWNED, so __pkvm_host_share_hyp fails); the hyp mailbox pKVM mapped at the SPMC for the attempt is unmapped again and a TX page already shared is unshared, so a valid map still succeeds",
  source: `${PK} do_ffa_rxtx_map (steps 5-7: share with the hyp needs host OWNED; any failure -> INVALID_PARAMETERS, rollback: unshare, FFA_RXTX_UNMAP of the hyp buffers); ${MP} __pkvm_host_share_hyp; reference pkvm-ffa.md 4.3`,
  steps: [version(V12, V12), ...[[HYP_TX, RX], [TX, HYP_RX], [HYP_PGT, HYP_DESC], [HYP_DESC + 0x1000, RX]].map(([t, r]) => map(t, r, 1, err('INVALID_PARAMETERS'))),
    map(), pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), rxRelease()],
});

vec(AREA, 'iso-pkvm-rxtx-map-rx-not-memory', {
  description: 'TX is a good host page but RX is secure RAM, the PL011, or past the end of DRAM: INVALID_PARAMETERS, with the TX page shared for the attempt given back (a later map of the same TX succeeds)',
  source: `${PK} do_ffa_rxtx_map step 7 (rollback in reverse order); ${MP} __pkvm_host_share_hyp (check_range_allowed_memory -> -EINVAL); reference pkvm-ffa.md 4.3`,
  steps: [version(V12, V12), ...[SECURE, MMIO, DRAM_END, 0xfffff000].map((r) => map(TX, r, 1, err('INVALID_PARAMETERS'))), map(), unmap(), map()],
});

vec(AREA, 'iso-pkvm-rxtx-map-own-buffers-twice', {
  description: 'a second RXTX_MAP, with the same or other pages, is DENIED while a pair is registered; TX == RX is refused (the second share of the same page fails); UNMAP with a partition ID in w1 is refused; none of them disturbs the registered pair',
  source: `${PK} do_ffa_rxtx_map step 3 (host buffers already registered -> DENIED), step 5 (page already SHARED_OWNED), do_ffa_rxtx_unmap (w1 != 0 -> INVALID_PARAMETERS); reference pkvm-ffa.md 4.3, 4.4; ffa-abi.md 7.1 (one pair per endpoint)`,
  steps: [version(V12, V12), map(TX, TX, 1, err('INVALID_PARAMETERS')), map(), map(P1, P2, 1, err('DENIED')), map(TX, RX, 1, err('DENIED')),
    unmap(err('INVALID_PARAMETERS'), 0x80010000), pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), rxRelease(), unmap(), map()],
});

// ---------------------------------------------------------------- pKVM: sharing what the host does not own
vec(AREA, 'iso-pkvm-share-hyp-pages-denied', {
  description: "MEM_SHARE and MEM_LEND of pKVM's own pages (stage-2 tables, hyp TX/RX, descriptor buffer) are DENIED at EL2 and never reach the SPMC; a good page in the same descriptor before a hyp page is rolled back, so it can be shared on its own afterwards",
  source: `${PK} __do_ffa_mem_xfer step 9 (ffa_host_share_ranges: __pkvm_host_share_ffa needs host OWNED, rollback, DENIED); ${MP} __pkvm_host_share_ffa; reference pkvm-ffa.md 4.6`,
  steps: [...pre,
    ...[HYP_PGT, HYP_TX, HYP_RX, HYP_DESC].flatMap((a) => send('FFA_MEM_SHARE_64', share([{ addr: a, pages: 1 }]), err('DENIED'))),
    ...send('FFA_MEM_LEND_64', lend([{ addr: HYP_DESC, pages: 4 }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }, { addr: HYP_TX, pages: 1 }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-pkvm-share-not-host-memory-denied', {
  description: 'constituents in secure RAM, on the PL011, straddling the end of DRAM or past it are DENIED by pKVM (not host memory); the good constituent before them is rolled back',
  source: `${PK} __do_ffa_mem_xfer step 9; ${MP} __pkvm_host_share_ffa (host IPA space, normal memory only); reference pkvm-ffa.md 4.6; DEN0077A v1.0 2.10 (device memory is not shared at run time)`,
  steps: [...pre,
    ...[[SECURE, 1], [MMIO, 1], [DRAM_END - 0x1000, 2], [DRAM_END, 1], [0x80000000, 1]].flatMap(([a, n]) =>
      send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }, { addr: a, pages: n }]), err('DENIED'))),
    ...send('FFA_MEM_LEND_64', lend([{ addr: SECURE, pages: 1 }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-pkvm-share-overlapping-constituents-denied', {
  description: 'overlapping constituents ([P1, 2 pages] and [P2, 2 pages]) and a range that repeats a page of the previous one are DENIED: the second share of a page finds it SHARED_OWNED; the first range is rolled back, so all three pages can then be shared in one range',
  source: `${PK} ffa_host_share_ranges (a page listed twice fails the second time -> DENIED, rollback); reference pkvm-ffa.md 4.6 step 9; ffa-abi.md 6.3 (constituents must not overlap)`,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 2 }, { addr: P2, pages: 2 }]), err('DENIED')),
    ...send('FFA_MEM_LEND_64', lend([{ addr: P3, pages: 1 }, { addr: P1, pages: 3 }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 3 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-pkvm-share-page-count-overflow-denied', {
  description: 'page counts that run past memory or wrap: 0xFFFFFFFF pages at P1, 0x80000 pages (2 GiB), and 2 pages at 0xFFFFFFFFFFFFF000 (wraps past 2^64) are all DENIED by pKVM; nothing is shared (P1 can be shared afterwards)',
  source: `${PK} ffa_host_share_ranges (sz = pg_cnt * FFA_PAGE_SIZE as u64); ${MP} __pkvm_host_share_ffa (check_range_allowed_memory -> -EINVAL -> DENIED); reference pkvm-ffa.md 4.6 step 9`,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 0xffffffff }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 0x80000 }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: 0xfffffffffffff000n, pages: 2 }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-pkvm-share-own-buffers-denied', {
  description: "the host's own TX and RX pages (shared with and pinned by the hyp) cannot be shared or lent to the secure world: DENIED",
  source: `${PK} __do_ffa_mem_xfer step 9 (RX/TX are SHARED_OWNED, not OWNED); reference pkvm-ffa.md 4.3 step 5, 4.6; ffa-abi.md 7.1 (RX/TX ranges cannot be shared, lent or donated)`,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share([{ addr: TX, pages: 1 }]), err('DENIED')),
    ...send('FFA_MEM_LEND_64', lend([{ addr: RX, pages: 1 }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }, { addr: TX, pages: 2 }]), err('DENIED')),
    pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), rxRelease()],
});

vec(AREA, 'iso-pkvm-share-descriptor-bounds', {
  description: "descriptor fields pointing outside the fragment are INVALID_PARAMETERS at EL2: composite offset 0xFFFFFFF0 (offset + 16 overflows u32), composite offset past the fragment, constituent bytes not a multiple of 16; so are more than one EMAD, a sender other than 0, fragment > total, fragment > one page and a dynamic buffer (x3 != 0); a total larger than pKVM's descriptor buffer is NO_MEMORY. None of them shares a page",
  source: `${PK} __do_ffa_mem_xfer steps 1-8 (bounds: composite_off + 16 overflow or > fraglen, (fraglen - off - 16) % 16, ep_count != 1, sender_id != 0, fraglen > len, fraglen > PAGE_SIZE, addr/npages MBZ; len > descriptor buffer -> NO_MEMORY); reference pkvm-ffa.md 4.6`,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', patch32(share([{ addr: P1, pages: 1 }]), EMAD_COMPOSITE_OFF, 0xfffffff0), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', patch32(share([{ addr: P1, pages: 1 }]), EMAD_COMPOSITE_OFF, 0x1000), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', patch32(share([{ addr: P1, pages: 1 }]), EMAD_COMPOSITE_OFF, 88), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', patch32(share([{ addr: P1, pages: 1 }]), HDR_EMAD_COUNT, 2), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }], { sender: 0x8001 }), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('INVALID_PARAMETERS'), { len: 0x60 }),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('INVALID_PARAMETERS'), { len: 0x2000, frag: 0x1010 }),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('INVALID_PARAMETERS'), { x3: h64(TX) }),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('NO_MEMORY'), { len: 0x100000, frag: 0x70 }),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-pkvm-share-refused-by-spmc-rolled-back', {
  description: "a descriptor pKVM accepts but the SPMC refuses (EMAD array offset 0xFFFF0 in the header, which pKVM does not read; a receiver that does not exist) comes back with the SPMC's INVALID_PARAMETERS and pKVM unshares the pages it had marked: the same page can be shared afterwards",
  source: `${PK} __do_ffa_mem_xfer step 10 (EL3 refused: unshare, return EL3's registers); DEN0077A v1.1 10.11 (EMAD offset inside the descriptor), v1.0 5.12.3 (receiver must be a valid endpoint); reference pkvm-ffa.md 4.6, ffa-abi.md 6.1, 7.6`,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', patch32(share([{ addr: P1, pages: 2 }]), HDR_EMAD_OFFSET, 0xffff0), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 2 }], { receivers: [{ id: 0x8005, perm: 0x02 }] }), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 2 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-pkvm-frag-lengths-disagree', {
  description: 'a fragmented share (total 0x80, first fragment 0x70 with one constituent) gets FRAG_RX at offset 0x70; a FRAG_TX longer than the 0x10 bytes still expected is refused by the SPMC (INVALID_PARAMETERS) and pKVM unshares its pages, a FRAG_TX of 0x18 bytes (not whole constituents) is refused at EL2; the right fragment completes the share and reclaim gives every page back',
  source: `${PK} do_ffa_mem_frag_tx (fraglen % 16 -> INVALID_PARAMETERS; EL3 refused -> unshare this fragment); DEN0077A v1.0 12 (fragments: lengths must add up to the total); reference pkvm-ffa.md 4.7, ffa-abi.md 5.3`,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }, { addr: P2, pages: 1 }]), { w0: 'FFA_MEM_FRAG_RX', w3: '0x00000070' }, { frag: 0x70, capture: 'frag' }),
    ...fragTx([...constituentBytes({ addr: P3, pages: 1 }), ...constituentBytes({ addr: P4, pages: 1 })], err('INVALID_PARAMETERS')),
    ...fragTx(constituentBytes({ addr: P2, pages: 1 }), err('INVALID_PARAMETERS'), 0x18),
    ...fragTx(constituentBytes({ addr: P2, pages: 1 }), handleOk),
    reclaim(),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 4 }]), handleOk)],
});

vec(AREA, 'iso-pkvm-reclaim-not-owned', {
  description: 'RECLAIM of a handle the host never got (the SPMC allocates from 0xFFFFFFC0; 0x12345678, one with the hypervisor allocator bit 63, all-ones), of a handle twice, and with reserved flag bits: INVALID_PARAMETERS from the SPMC, passed back by pKVM; the pages of the live handle stay shared until its owner reclaims it',
  source: `${PK} do_ffa_mem_reclaim (hypervisor retrieve request; EL3's registers returned on failure); DEN0077A v1.0 11.7 (unknown handle, flags bits [31:2] MBZ -> INVALID_PARAMETERS); reference pkvm-ffa.md 4.8, ffa-abi.md 5.3; mirrors ff-a-acs reclaim_input_error_checks`,
  steps: [...pre,
    reclaim(err('INVALID_PARAMETERS'), 0, '0x12345678', Z),
    reclaim(err('INVALID_PARAMETERS'), 0, '0xffffffc0', '0x80000000'),
    reclaim(err('INVALID_PARAMETERS'), 0, '0xffffffff', '0xffffffff'),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk, { capture: true }),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('DENIED')),
    reclaim(err('INVALID_PARAMETERS'), 0x4),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('DENIED')),
    reclaim(), reclaim(err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk)],
});

// ---------------------------------------------------------------- pKVM: messaging and RX ownership
vec(AREA, 'iso-pkvm-direct-req-bad-ids', {
  description: 'through pKVM (which passes direct requests through) the SPMC refuses a secure sender ID (0x8002 for 0x8001), sender == receiver, a receiver that does not exist, the SPMC itself, a normal-world receiver and the host itself with INVALID_PARAMETERS; DIRECT_REQ2 and DIRECT_RESP are NOT_SUPPORTED at EL2; a proper request still gets the echo',
  source: `DEN0077A v1.1 15.2 (sender must be the caller; receiver must exist); reference ffa-abi.md 7.3 rule 3 (TF-A SPMD rejects a secure sender from the NWd; sender == receiver invalid; SP -> NWd not allowed), pkvm-ffa.md 1.1 (DIRECT_REQ passes, REQ2/RESP blocked); ${PK} ffa_call_supported`,
  steps: [version(V12, V12),
    ...['0x80028001', '0x80018001', '0x00008005', '0x00008000', '0x00000001', '0x00000000'].map((w1) => req64(w1, err('INVALID_PARAMETERS'))),
    smc({ x0: 'FFA_MSG_SEND_DIRECT_REQ2', w1: '0x80028001' }, err('NOT_SUPPORTED')),
    smc({ x0: 'FFA_MSG_SEND_DIRECT_RESP_64', w1: '0x80010000' }, err('NOT_SUPPORTED')),
    req64('0x00008001', echo64('0x80010000'))],
});

vec(AREA, 'iso-pkvm-rx-release-not-owned', {
  description: "the host releases an RX buffer it does not own: before mapping, with the buffer empty, twice after one PARTITION_INFO_GET: DENIED from the SPMC (the hyp mailbox is endpoint 0's); naming a VM ID in w1 is INVALID_PARAMETERS. The buffer still works afterwards",
  source: `DEN0077A v1.1 13.5 FFA_RX_RELEASE (caller does not own RX -> DENIED); reference ffa-abi.md 5.1, 7.1; pkvm-ffa.md 4.5 step 7 (the host's RX_RELEASE passes through and releases the hyp RX at the SPMC); mirrors ff-a-acs ffa_rx_release tests`,
  steps: [version(V12, V12), rxRelease(err('DENIED')), map(), rxRelease(err('DENIED')),
    pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), smc({ x0: 'FFA_RX_RELEASE', w1: '0x00000005' }, err('INVALID_PARAMETERS')),
    rxRelease(), rxRelease(err('DENIED')), pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), rxRelease()],
});

// ---------------------------------------------------------------- SPMC directly (no hypervisor)
vec(AREA, 'iso-spmc-share-not-owned-denied', {
  description: 'without a hypervisor the SPMC itself refuses NS-endpoint constituents that are not its RAM: the PL011, past the end of DRAM, straddling it, secure RAM: DENIED; a descriptor naming partition 0x8001 as the sender (to 0x8002) is DENIED, one naming 0x8001 as sender and receiver INVALID_PARAMETERS; nothing is left shared (P1 can be shared afterwards)',
  source: 'DEN0077A v1.0 5.6-5.8 (only the owner with exclusive access sends), 2.10 (device memory is not shared at run time), 11.3.2 (sender must be the caller -> DENIED), 5.12.3 (receiver == sender invalid); reference ffa-abi.md 7.6; mirrors ff-a-acs share_input_error_checks',
  machine: { el2: 'none', partitions: [{ id: '0x8001', uuid: UUID_A, behaviour: 'echo' }, { id: '0x8002', uuid: UUID_B, behaviour: 'echo' }] },
  steps: [...pre,
    ...[[MMIO, 1], [DRAM_END, 1], [DRAM_END - 0x1000, 2], [SECURE, 1]].flatMap(([a, n]) =>
      send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }, { addr: a, pages: n }]), err('DENIED'))),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }], { sender: 0x8001, receivers: [{ id: 0x8002, perm: 0x02 }] }), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }], { sender: 0x8001 }), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-spmc-share-overlap-and-overflow', {
  description: 'without a hypervisor: the same page twice and overlapping ranges are INVALID_PARAMETERS (overlapping constituents); 0xFFFFFFFF pages at P1 is DENIED (runs past memory the sender owns); nothing is left shared',
  source: 'DEN0077A v1.0 5.12.3 (constituents describe distinct pages), 5.6-5.8 (sender must own every page); reference ffa-abi.md 6.3 (TF-A overlapping_memory_regions, HF ffa_memory_check_overlap), 7.6',
  machine: NONE,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }, { addr: P1, pages: 1 }]), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 2 }, { addr: P2, pages: 2 }]), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 0xffffffff }]), err('DENIED')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 3 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-spmc-descriptor-bounds', {
  description: 'without a hypervisor: composite offset past the descriptor, EMAD array offset past it, range count larger than the descriptor holds, total length that disagrees with the composite, fragment > total, fragment larger than the TX buffer: INVALID_PARAMETERS; no transaction is created (the next handle still works)',
  source: 'DEN0077A v1.0 5.12 (descriptor layout), 11.1-11.3 (fragment length <= total, TX buffer size), v1.1 10.11 (EMAD array offset); reference ffa-abi.md 7.6 length checks; mirrors ff-a-acs share_input_error_checks1',
  machine: NONE,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', patch32(share([{ addr: P1, pages: 1 }]), EMAD_COMPOSITE_OFF, 0x1000), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', patch32(share([{ addr: P1, pages: 1 }]), HDR_EMAD_OFFSET, 0xffff0), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', patch32(share([{ addr: P1, pages: 1 }]), 84, 0x10000000), err('INVALID_PARAMETERS')),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('INVALID_PARAMETERS'), { len: 0x80 }),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('INVALID_PARAMETERS'), { len: 0x60 }),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), err('INVALID_PARAMETERS'), { len: 0x2000, frag: 0x1010 }),
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk, { capture: true }), reclaim()],
});

vec(AREA, 'iso-spmc-frag-lengths-disagree', {
  description: 'without a hypervisor: after a first fragment of 0x70 of 0x80 bytes, FRAG_TX with more bytes than expected, with a length that is not whole constituents, naming a partition as the sender in w4, or for another handle is INVALID_PARAMETERS and the transaction keeps waiting; the right fragment completes it',
  source: 'DEN0077A v1.0 12 (FFA_MEM_FRAG_TX: handle, fragment length, sender ID in w4 for the hypervisor); reference ffa-abi.md 5.3; mirrors hafnium test/vmapi memory_sharing fragmented-send tests',
  machine: NONE,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }, { addr: P2, pages: 1 }]), { w0: 'FFA_MEM_FRAG_RX', w3: '0x00000070', w4: Z }, { frag: 0x70, capture: 'frag' }),
    ...fragTx([...constituentBytes({ addr: P2, pages: 1 }), ...constituentBytes({ addr: P3, pages: 1 })], err('INVALID_PARAMETERS')),
    ...fragTx(constituentBytes({ addr: P2, pages: 1 }), err('INVALID_PARAMETERS'), 0x18),
    ...fragTx(constituentBytes({ addr: P2, pages: 1 }), err('INVALID_PARAMETERS'), 0x10, 0x80010000),
    ...fragTx(constituentBytes({ addr: P2, pages: 1 }), err('INVALID_PARAMETERS'), 0x10, 0, '0x00001234', Z),
    ...fragTx(constituentBytes({ addr: P2, pages: 1 }), handleOk),
    reclaim(), reclaim(err('INVALID_PARAMETERS'))],
});

vec(AREA, 'iso-spmc-rx-release-and-unmap-not-owned', {
  description: 'without a hypervisor: RX_RELEASE of an empty or unmapped RX is DENIED; RXTX_UNMAP naming a partition is INVALID_PARAMETERS; a second map is DENIED; the registered pair keeps working',
  source: 'DEN0077A v1.1 13.5-13.7 (RX_RELEASE without ownership -> DENIED; UNMAP ID at the physical instance); reference ffa-abi.md 5.1, 7.1; mirrors ff-a-acs ffa_rx_release and ffa_rxtx_unmap tests',
  machine: NONE,
  steps: [version(V12, V12), rxRelease(err('DENIED')), map(), rxRelease(err('DENIED')), map(P1, P2, 1, err('DENIED')),
    unmap(err('INVALID_PARAMETERS'), 0x80010000), pig(null, 0, { w0: 'FFA_SUCCESS', w2: '0x00000001' }), rxRelease(), rxRelease(err('DENIED'))],
});

vec(AREA, 'iso-spmc-rxtx-map-on-shared-page', {
  description: 'without a hypervisor: a page the host shared or lent to a partition cannot become its RX or TX buffer (the SPMC would write into memory a partition holds): INVALID_PARAMETERS; once reclaimed it can',
  source: 'DEN0077A v1.1 13.6 FFA_RXTX_MAP (buffers in memory the caller owns exclusively); reference ffa-abi.md 5.1 (INVALID_PARAMETERS: pages not owned/exclusive), 7.1; Hafnium api_vm_configure_pages',
  machine: NONE,
  steps: [...pre,
    ...send('FFA_MEM_SHARE_64', share([{ addr: P1, pages: 1 }]), handleOk, { capture: true }),
    ...send('FFA_MEM_LEND_64', lend([{ addr: P2, pages: 1 }]), handleOk),
    unmap(),
    map(P1, RX, 1, err('INVALID_PARAMETERS')), map(TX, P1, 1, err('INVALID_PARAMETERS')), map(TX, P2, 1, err('INVALID_PARAMETERS')),
    map(), reclaim(), unmap(), map(P1, RX, 1), unmap(), map()],
});

const n = writeAll();
console.log(`${n} isolation vectors written`);
