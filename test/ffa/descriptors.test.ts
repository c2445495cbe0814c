import { describe, expect, it } from 'vitest';
import { FFA_RET_INVALID_PARAMETERS, FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2 } from '../../src/ffa/abi.js';
import {
  DescriptorError,
  FFA_DATA_ACCESS_RO,
  FFA_DATA_ACCESS_RW,
  FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED,
  FFA_INSTRUCTION_ACCESS_NX,
  FFA_MEM_ATTR_NORMAL_WB_INNER,
  FFA_MEM_CACHE_WRITE_BACK,
  FFA_MEM_FLAG_CLEAR,
  FFA_MEM_FLAG_TYPE_SHARE,
  FFA_MEM_SHARE_INNER,
  FFA_MEM_TYPE_NORMAL,
  type MemTransactionSpec,
  decodeCompositeMemRegion,
  decodeEndpointRxTx,
  decodeMemRelinquish,
  decodeMemRetrieveRequest,
  decodeMemTransaction,
  decodePartitionInfo,
  encodeCompositeMemRegion,
  encodeEndpointRxTx,
  encodeMemRelinquish,
  encodeMemRetrieveRequest,
  encodeMemTransaction,
  encodePartitionInfo,
  ffaMemAttrCacheability,
  ffaMemAttrShareability,
  ffaMemAttrType,
  ffaMemAttributes,
  ffaMemPermissions,
  ffaPermData,
  ffaPermInstruction,
  formatUuid,
  parseUuid,
  partitionInfoSize,
  tryDecode,
  uuidFromRegPair,
  uuidFromWords,
  uuidIsNil,
  uuidToRegPair,
  uuidToWords,
} from '../../src/ffa/descriptors.js';

const VERSIONS = [FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2] as const;

function fromHex(text: string): Uint8Array {
  const d = text.replace(/\s+/g, '');
  return Uint8Array.from({ length: d.length / 2 }, (_, i) => parseInt(d.slice(2 * i, 2 * i + 2), 16));
}

/** Expects `f` to throw a DescriptorError on `field` with `code`. */
function rejects(f: () => unknown, field: string, code = FFA_RET_INVALID_PARAMETERS): DescriptorError {
  const r = tryDecode(f);
  expect(r.ok, `expected a DescriptorError on ${field}`).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error.field).toBe(field);
  expect(r.error.code).toBe(code);
  expect(r.error.message.startsWith(`${field}: `)).toBe(true);
  return r.error;
}

function setU32(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(at, v, true);
  return c;
}

// ffa-abi.md §6.9: CRATE test vector MEM_SHARE_FROM_SP1, v1.2 layout, 112 bytes.
const WORKED_EXAMPLE = fromHex(`
  05 80 2f 00 00 00 00 00 ef cd ab 90 78 56 34 12
  ef be 00 00 ad de 00 00 20 00 00 00 01 00 00 00
  30 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  03 80 02 00 50 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  01 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00
  00 f0 10 40 00 00 00 00 01 00 00 00 00 00 00 00`);

describe('memory transaction descriptor: the worked example (ffa-abi.md §6.9)', () => {
  it('is 112 bytes', () => expect(WORKED_EXAMPLE.length).toBe(112));

  it('decodes field by field', () => {
    const d = decodeMemTransaction(WORKED_EXAMPLE, 0, 112, FFA_VERSION_1_2, { kind: 'share' });
    expect(d.sender).toBe(0x8005);
    expect(d.attributes).toBe(0x2f);
    expect(ffaMemAttrType(d.attributes)).toBe(FFA_MEM_TYPE_NORMAL);
    expect(ffaMemAttrCacheability(d.attributes)).toBe(FFA_MEM_CACHE_WRITE_BACK);
    expect(ffaMemAttrShareability(d.attributes)).toBe(FFA_MEM_SHARE_INNER);
    expect(d.flags).toBe(0);
    expect(d.handle).toBe(0x1234567890abcdefn);
    expect(d.tag).toBe(0x0000dead0000beefn);
    expect(d.emadSize).toBe(32);
    expect(d.emadOffset).toBe(0x30);
    expect(d.receivers).toHaveLength(1);
    const r = d.receivers[0]!;
    expect(r.receiver).toBe(0x8003);
    expect(r.permissions).toBe(0x02);
    expect(ffaPermData(r.permissions)).toBe(FFA_DATA_ACCESS_RW);
    expect(ffaPermInstruction(r.permissions)).toBe(FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED);
    expect(r.flags).toBe(0);
    expect(r.compositeOffset).toBe(0x50);
    expect(r.impdef).toEqual(new Uint8Array(16));
    expect(d.composite).toEqual({
      offset: 0x50,
      totalPageCount: 1,
      constituents: [{ address: 0x4010f000n, pageCount: 1 }],
    });
    expect(d.length).toBe(112);
  });

  it('is exactly what the encoder produces for the same fields', () => {
    const bytes = encodeMemTransaction(
      {
        sender: 0x8005,
        attributes: FFA_MEM_ATTR_NORMAL_WB_INNER,
        handle: 0x1234567890abcdefn,
        tag: 0x0000dead0000beefn,
        receivers: [{ receiver: 0x8003, permissions: ffaMemPermissions(FFA_DATA_ACCESS_RW, 0) }],
        constituents: [{ address: 0x4010f000n, pageCount: 1 }],
      },
      FFA_VERSION_1_2,
    );
    expect(bytes).toEqual(WORKED_EXAMPLE);
  });

  it('decodes at an offset inside a larger buffer (a TX page)', () => {
    const page = new Uint8Array(4096).fill(0xaa);
    page.set(WORKED_EXAMPLE, 256);
    const d = decodeMemTransaction(page, 256, 112, FFA_VERSION_1_2);
    expect(d.composite?.constituents[0]?.address).toBe(0x4010f000n);
  });
});

describe('memory transaction descriptor: round trips', () => {
  const spec: MemTransactionSpec = {
    sender: 0x0000,
    attributes: ffaMemAttributes(FFA_MEM_TYPE_NORMAL, FFA_MEM_CACHE_WRITE_BACK, FFA_MEM_SHARE_INNER),
    flags: 0,
    tag: 7n,
    receivers: [
      { receiver: 0x8001, permissions: ffaMemPermissions(FFA_DATA_ACCESS_RW, 0) },
      { receiver: 0x8002, permissions: ffaMemPermissions(FFA_DATA_ACCESS_RO, 0), flags: 1 },
    ],
    constituents: [
      { address: 0x40000000n, pageCount: 2 },
      { address: 0xffff_ffff_ffff_e000n, pageCount: 2 },
      { address: 0x41234000n, pageCount: 0x10 },
    ],
  };

  for (const version of VERSIONS) {
    it(`v${version >>> 16}.${version & 0xffff}`, () => {
      const bytes = encodeMemTransaction(spec, version);
      const header = version === FFA_VERSION_1_0 ? 32 : 48;
      const emad = version === FFA_VERSION_1_2 ? 32 : 16;
      expect(bytes.length).toBe(header + 2 * emad + 16 + 3 * 16);
      const d = decodeMemTransaction(bytes, 0, bytes.length, version, { kind: 'share', compositeAlignment: 16 });
      expect(d.sender).toBe(0);
      expect(d.attributes).toBe(0x2f);
      expect(d.tag).toBe(7n);
      expect(d.emadOffset).toBe(header);
      expect(d.emadSize).toBe(emad);
      expect(d.receivers.map((r) => [r.receiver, r.permissions, r.flags])).toEqual([
        [0x8001, 2, 0],
        [0x8002, 1, 1],
      ]);
      expect(d.composite?.offset).toBe(header + 2 * emad);
      expect(d.composite?.totalPageCount).toBe(0x14);
      expect(d.composite?.constituents).toEqual(spec.constituents);
      expect(d.length).toBe(bytes.length);
    });
  }

  it('v1.2 impdef values survive', () => {
    const impdef = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const bytes = encodeMemTransaction(
      { ...spec, receivers: [{ receiver: 0x8001, permissions: 2, impdef }] },
      FFA_VERSION_1_2,
    );
    expect(decodeMemTransaction(bytes, 0, bytes.length, FFA_VERSION_1_2).receivers[0]?.impdef).toEqual(impdef);
    expect(() => encodeMemTransaction({ ...spec, receivers: [{ receiver: 1, permissions: 2, impdef }] }, FFA_VERSION_1_1)).toThrow(
      RangeError,
    );
  });

  it('a v1.2 caller may use 16-byte EMADs (the v1.1 layout)', () => {
    const v11 = encodeMemTransaction(spec, FFA_VERSION_1_1);
    const d = decodeMemTransaction(v11, 0, v11.length, FFA_VERSION_1_2);
    expect(d.emadSize).toBe(16);
    expect(d.receivers[0]?.impdef).toBeUndefined();
  });

  it('retrieve requests carry no composite; a hypervisor retrieve request has no receivers', () => {
    const req = encodeMemRetrieveRequest(
      {
        sender: 0,
        handle: 0xffffffc0n,
        tag: 7n,
        flags: FFA_MEM_FLAG_TYPE_SHARE,
        receivers: [{ receiver: 0x8001, permissions: ffaMemPermissions(FFA_DATA_ACCESS_RW, FFA_INSTRUCTION_ACCESS_NX) }],
      },
      FFA_VERSION_1_1,
    );
    expect(req.length).toBe(48 + 16);
    const d = decodeMemRetrieveRequest(req, 0, req.length, FFA_VERSION_1_1);
    expect(d.handle).toBe(0xffffffc0n);
    expect(d.flags).toBe(FFA_MEM_FLAG_TYPE_SHARE);
    expect(d.receivers[0]?.compositeOffset).toBe(0);
    expect(d.composite).toBeUndefined();

    const hyp = encodeMemRetrieveRequest({ sender: 0, handle: 5n, receivers: [] }, FFA_VERSION_1_2);
    expect(hyp.length).toBe(48);
    expect(decodeMemRetrieveRequest(hyp, 0, 48, FFA_VERSION_1_2).receivers).toEqual([]);
  });

  it('composites stand alone too', () => {
    const c = encodeCompositeMemRegion([{ address: 0x40001000n, pageCount: 3 }]);
    expect(decodeCompositeMemRegion(c, 0, c.length, FFA_VERSION_1_1)).toEqual({
      totalPageCount: 3,
      constituents: [{ address: 0x40001000n, pageCount: 3 }],
    });
  });
});

describe('memory transaction descriptor: malformed input is rejected with a field path', () => {
  const good = WORKED_EXAMPLE;
  const v12 = FFA_VERSION_1_2;
  const dec = (b: Uint8Array, kind?: 'share' | 'lend' | 'donate' | 'retrieve-req' | 'retrieve-resp', len = b.length) => () =>
    decodeMemTransaction(b, 0, len, v12, kind === undefined ? {} : { kind });
  const twoReceivers: MemTransactionSpec = {
    sender: 0,
    attributes: 0x2f,
    receivers: [
      { receiver: 0x8001, permissions: 2 },
      { receiver: 0x8002, permissions: 2 },
    ],
    constituents: [{ address: 0x40000000n, pageCount: 1 }],
  };

  it('length beyond the buffer', () => rejects(() => decodeMemTransaction(good, 0, 113, v12), 'length'));
  it('shorter than the header', () => rejects(dec(good, undefined, 40), 'header'));
  it('EMAD array past the end', () => rejects(dec(good, undefined, 0x40), 'emad_count'));
  it('huge EMAD count (no overflow)', () => rejects(dec(setU32(good, 28, 0xffffffff)), 'emad_count'));
  it('EMAD size not 16/32', () => rejects(dec(setU32(good, 24, 24)), 'emad_size'));
  it('EMAD size 32 below v1.2', () =>
    rejects(() => decodeMemTransaction(good, 0, 112, FFA_VERSION_1_1), 'emad_size'));
  it('EMAD size 0', () => rejects(dec(setU32(good, 24, 0)), 'emad_size'));
  it('EMAD offset inside the header', () => rejects(dec(setU32(good, 32, 0x20)), 'emad_offset'));
  it('EMAD offset misaligned', () => rejects(dec(setU32(good, 32, 0x38)), 'emad_offset'));
  it('reserved header bytes', () => rejects(dec(setU32(good, 40, 1)), 'reserved_36'));
  it('attributes MBZ bits / NS bit on a send / reserved type', () => {
    rejects(dec(setU32(good, 0, 0x01808005)), 'attributes');
    rejects(dec(setU32(good, 0, 0x006f8005), 'share'), 'attributes');
    rejects(dec(setU32(good, 0, 0x003f8005)), 'attributes');
  });
  it('the NS bit is fine in a retrieve response', () => {
    const d = decodeMemTransaction(setU32(good, 0, 0x006f8005), 0, 112, v12, { kind: 'retrieve-resp' });
    expect(d.attributes).toBe(0x6f);
  });
  it('flags an ABI leaves MBZ', () => {
    rejects(dec(setU32(good, 4, 1 << 3), 'share'), 'flags');
    rejects(dec(setU32(good, 4, FFA_MEM_FLAG_CLEAR), 'share'), 'flags');
    rejects(dec(setU32(good, 4, 1 << 10), 'lend'), 'flags');
    expect(decodeMemTransaction(setU32(good, 4, FFA_MEM_FLAG_CLEAR), 0, 112, v12, { kind: 'lend' }).flags).toBe(1);
  });
  it('EMAD permissions: reserved encodings and MBZ bits', () => {
    rejects(dec(setU32(good, 0x30, 0x00038003)), 'emad[0].permissions');
    rejects(dec(setU32(good, 0x30, 0x000e8003)), 'emad[0].permissions');
    rejects(dec(setU32(good, 0x30, 0x00128003)), 'emad[0].permissions');
  });
  it('EMAD flags MBZ bits and reserved bytes', () => {
    rejects(dec(setU32(good, 0x30, 0x02028003)), 'emad[0].flags');
    rejects(dec(setU32(good, 0x48, 1)), 'emad[0].reserved_24');
  });
  it('composite offset misaligned, or pointing into the EMADs', () => {
    rejects(dec(setU32(good, 0x34, 0x54)), 'emad[0].composite_offset');
    rejects(dec(setU32(good, 0x34, 0x40)), 'emad[0].composite_offset');
    rejects(dec(setU32(good, 0x34, 0), 'share'), 'emad[0].composite_offset');
  });
  it('composite alignment 16 is available for the Hafnium/TF-A policies', () => {
    const moved = encodeMemTransaction(
      { ...twoReceivers, receivers: [{ receiver: 0x8001, permissions: 2, compositeOffset: 0x58 }] },
      FFA_VERSION_1_1,
    );
    // The composite is really at 0x40; 0x58 only passes the 8-byte rule and then fails elsewhere.
    rejects(() => decodeMemTransaction(moved, 0, moved.length, FFA_VERSION_1_1, { compositeAlignment: 16 }), 'emad[0].composite_offset');
  });
  it('receivers pointing at different composites', () => {
    const b = encodeMemTransaction(twoReceivers, v12);
    const at = 48 + 32 + 4; // emad[1].composite_offset
    const e = rejects(dec(setU32(b, at, 0x90)), 'emad[1].composite_offset');
    expect(e.detail).toMatch(/differs/);
  });
  it('a receiver twice, or the sender among the receivers', () => {
    const b = encodeMemTransaction(
      { ...twoReceivers, receivers: [twoReceivers.receivers[0]!, twoReceivers.receivers[0]!] },
      v12,
    );
    rejects(dec(b), 'emad[1].receiver_id');
    const self = encodeMemTransaction({ ...twoReceivers, sender: 0x8002 }, v12);
    rejects(dec(self, 'share'), 'emad[1].receiver_id');
    expect(() => dec(self)()).not.toThrow(); // structural decode alone does not know the ABI
  });
  it('DONATE takes one receiver; sends need one', () => {
    rejects(dec(encodeMemTransaction(twoReceivers, v12), 'donate'), 'emad_count');
    rejects(dec(encodeMemTransaction({ ...twoReceivers, receivers: [] }, v12), 'lend'), 'emad_count');
  });
  it('total_page_count differs from the sum', () => {
    rejects(dec(setU32(good, 0x50, 2)), 'composite.total_page_count');
    const b = encodeMemTransaction({ ...twoReceivers, overrides: { totalPageCount: 0 } }, v12);
    rejects(dec(b), 'composite.total_page_count');
  });
  it('constituents past the end, or an absurd count', () => {
    rejects(dec(setU32(good, 0x54, 2)), 'composite.address_range_count');
    rejects(dec(setU32(good, 0x54, 0xffffffff)), 'composite.address_range_count');
    rejects(dec(good, undefined, 0x60), 'composite.address_range_count');
    rejects(dec(good, undefined, 0x58), 'composite');
  });
  it('composite and constituent reserved fields, alignment, wrap-around', () => {
    rejects(dec(setU32(good, 0x5c, 1)), 'composite.reserved_8');
    rejects(dec(setU32(good, 0x6c, 1)), 'composite.constituents[0].reserved_12');
    rejects(dec(setU32(good, 0x60, 0x4010f800)), 'composite.constituents[0].address');
    const wrap = setU32(setU32(good, 0x64, 0xffffffff), 0x60, 0xfffff000); // last page of the address space
    const wrap2 = setU32(setU32(wrap, 0x68, 2), 0x50, 2);
    rejects(dec(wrap2), 'composite.constituents[0].page_count');
  });
  it('v1.0 reserved fields', () => {
    const b = encodeMemTransaction(twoReceivers, FFA_VERSION_1_0);
    rejects(() => decodeMemTransaction(setU32(b, 0, 0x012f0000), 0, b.length, FFA_VERSION_1_0), 'reserved_3');
    rejects(() => decodeMemTransaction(setU32(b, 24, 1), 0, b.length, FFA_VERSION_1_0), 'reserved_24');
    rejects(() => decodeMemTransaction(setU32(b, 32 + 8, 1), 0, b.length, FFA_VERSION_1_0), 'emad[0].reserved_8');
    rejects(() => decodeMemTransaction(setU32(b, 0, 0x00400000), 0, b.length, FFA_VERSION_1_0), 'attributes');
  });
  it('retrieve request rules', () => {
    const req = (flags: number) =>
      encodeMemRetrieveRequest({ sender: 0, handle: 1n, flags, receivers: [{ receiver: 0x8001, permissions: 2 }] }, v12);
    rejects(() => decodeMemRetrieveRequest(req(FFA_MEM_FLAG_TYPE_SHARE | FFA_MEM_FLAG_CLEAR), 0, 80, v12), 'flags');
    rejects(() => decodeMemRetrieveRequest(req(1 << 11), 0, 80, v12), 'flags');
    expect(decodeMemRetrieveRequest(req(1 << 10), 0, 80, v12).flags).toBe(1 << 10);
    const v11 = encodeMemRetrieveRequest({ sender: 0, handle: 1n, flags: 1 << 10, receivers: [] }, FFA_VERSION_1_1);
    rejects(() => decodeMemRetrieveRequest(v11, 0, 48, FFA_VERSION_1_1), 'flags');
  });
  it('versions without a layout are a caller error', () => {
    expect(() => decodeMemTransaction(good, 0, 112, 0x10003)).toThrow(RangeError);
    expect(() => decodeMemTransaction(good, 0, 112, 0x20000)).toThrow(RangeError);
  });
  it('encoders refuse values that do not fit', () => {
    expect(() => encodeMemTransaction({ ...twoReceivers, sender: 0x10000 }, v12)).toThrow(RangeError);
    expect(() => encodeMemTransaction({ ...twoReceivers, attributes: 0x100 }, FFA_VERSION_1_0)).toThrow(RangeError);
    expect(() =>
      encodeMemTransaction({ ...twoReceivers, constituents: [{ address: -1n, pageCount: 1 }] }, v12),
    ).toThrow(RangeError);
  });
});

describe('partition information descriptors', () => {
  const infos = [
    { id: 0x8001, executionContexts: 1, properties: 0x301, uuid: parseUuid('b4b5671e-4a90-4fe1-b81f-fb13dae1dacb') },
    { id: 0x8002, executionContexts: 8, properties: 0x001 },
  ];
  it('sizes', () => {
    expect(partitionInfoSize(FFA_VERSION_1_0)).toBe(8);
    expect(partitionInfoSize(FFA_VERSION_1_1)).toBe(24);
    expect(partitionInfoSize(FFA_VERSION_1_2)).toBe(24);
  });
  it('round trip v1.1+ with UUID (Nil when absent)', () => {
    const b = encodePartitionInfo(infos, FFA_VERSION_1_2);
    expect(b.length).toBe(48);
    expect(Array.from(b.slice(0, 8))).toEqual([0x01, 0x80, 0x01, 0x00, 0x01, 0x03, 0x00, 0x00]);
    expect(Array.from(b.slice(8, 12))).toEqual([0xb4, 0xb5, 0x67, 0x1e]);
    const d = decodePartitionInfo(b, 0, b.length, FFA_VERSION_1_2);
    expect(d[0]).toEqual(infos[0]);
    expect(d[1]).toEqual({ ...infos[1], uuid: new Uint8Array(16) });
  });
  it('round trip v1.0 (8 bytes, no UUID)', () => {
    const b = encodePartitionInfo(
      infos.map((p) => ({ ...p, properties: 1 })),
      FFA_VERSION_1_0,
    );
    expect(b.length).toBe(16);
    expect(decodePartitionInfo(b, 0, 16, FFA_VERSION_1_0)).toEqual([
      { id: 0x8001, executionContexts: 1, properties: 1 },
      { id: 0x8002, executionContexts: 8, properties: 1 },
    ]);
  });
  it('rejects reserved properties bits, ragged lengths, too many', () => {
    const b10 = encodePartitionInfo(infos, FFA_VERSION_1_0); // bit 8 and 9 are reserved in v1.0
    rejects(() => decodePartitionInfo(b10, 0, 16, FFA_VERSION_1_0), '[0].properties');
    const b = encodePartitionInfo(infos, FFA_VERSION_1_1);
    rejects(() => decodePartitionInfo(b, 0, 48, FFA_VERSION_1_1), '[0].properties'); // bit 9 is v1.2
    rejects(() => decodePartitionInfo(b, 0, 30, FFA_VERSION_1_2), 'length');
    rejects(() => decodePartitionInfo(b, 0, 24, FFA_VERSION_1_2, 2), 'count');
  });
});

describe('relinquish descriptor', () => {
  it('round trip', () => {
    const b = encodeMemRelinquish({ handle: 0xffffffc0n, flags: 1, endpoints: [0x8001] });
    expect(b.length).toBe(18);
    expect(decodeMemRelinquish(b, 0, 18, FFA_VERSION_1_1)).toEqual({ handle: 0xffffffc0n, flags: 1, endpoints: [0x8001] });
  });
  it('rejects', () => {
    const b = encodeMemRelinquish({ handle: 1n, flags: 0, endpoints: [0x8001] }, { endpointCount: 2 });
    rejects(() => decodeMemRelinquish(b, 0, b.length, FFA_VERSION_1_1), 'endpoint_count');
    const f = encodeMemRelinquish({ handle: 1n, flags: 4, endpoints: [1] });
    rejects(() => decodeMemRelinquish(f, 0, f.length, FFA_VERSION_1_1), 'flags');
    rejects(() => decodeMemRelinquish(f, 0, 12, FFA_VERSION_1_1), 'header');
  });
});

describe('endpoint RX/TX descriptor (ffa-abi.md §6.7)', () => {
  const d = {
    endpointId: 0x0001,
    rx: [{ address: 0x40200000n, pageCount: 1 }],
    tx: [{ address: 0x40201000n, pageCount: 1 }],
  };
  it('round trip', () => {
    const b = encodeEndpointRxTx(d, FFA_VERSION_1_1);
    expect(b.length).toBe(16 + 32 + 32);
    expect(decodeEndpointRxTx(b, 0, b.length, FFA_VERSION_1_1)).toEqual({
      endpointId: 1,
      rx: { totalPageCount: 1, constituents: d.rx },
      tx: { totalPageCount: 1, constituents: d.tx },
    });
  });
  it('rejects misaligned offsets, reserved fields, overruns', () => {
    const b = encodeEndpointRxTx(d, FFA_VERSION_1_1);
    rejects(() => decodeEndpointRxTx(setU32(b, 4, 20), 0, b.length, FFA_VERSION_1_1), 'rx_offset');
    rejects(() => decodeEndpointRxTx(setU32(b, 8, 8), 0, b.length, FFA_VERSION_1_1), 'tx_offset');
    rejects(() => decodeEndpointRxTx(setU32(b, 0, 0x00010001), 0, b.length, FFA_VERSION_1_1), 'reserved_2');
    rejects(() => decodeEndpointRxTx(setU32(b, 12, 1), 0, b.length, FFA_VERSION_1_1), 'reserved_12');
    rejects(() => decodeEndpointRxTx(b, 0, 64, FFA_VERSION_1_1), 'tx.address_range_count');
    expect(() => encodeEndpointRxTx(d, FFA_VERSION_1_0)).toThrow(RangeError);
  });
});

describe('UUIDs (vector-format.md; ffa-abi.md §5.1)', () => {
  const text = 'a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8';
  it('parse and format', () => {
    const u = parseUuid(text);
    expect(Array.from(u)).toEqual([
      0xa1, 0xa2, 0xa3, 0xa4, 0xb1, 0xb2, 0xc1, 0xc2, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8,
    ]);
    expect(formatUuid(u)).toBe(text);
    expect(formatUuid(parseUuid(text.toUpperCase()))).toBe(text);
    expect(() => parseUuid('a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7')).toThrow(SyntaxError);
    expect(() => parseUuid('a1a2a3a4b1b2c1c2d1d2d3d4d5d6d7d8')).toThrow(SyntaxError);
    expect(uuidIsNil(parseUuid('00000000-0000-0000-0000-000000000000'))).toBe(true);
  });
  it('w1..w4: each 4 bytes loaded little-endian, w1 holding bytes 0-3', () => {
    const words = uuidToWords(parseUuid(text));
    expect(words).toEqual([0xa4a3a2a1, 0xc2c1b2b1, 0xd4d3d2d1, 0xd8d7d6d5]);
    expect(formatUuid(uuidFromWords(...words))).toBe(text);
  });
  it('64-bit register pair', () => {
    const [lo, hi] = uuidToRegPair(parseUuid(text));
    expect(lo).toBe(0xc2c1b2b1a4a3a2a1n);
    expect(hi).toBe(0xd8d7d6d5d4d3d2d1n);
    expect(formatUuid(uuidFromRegPair(lo, hi))).toBe(text);
  });
});
