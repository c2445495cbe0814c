/**
 * An A64-image secure partition (test/firmware/spmc/images/echo-sp.S, built by build.sh) in the slot
 * a native partition would take: interpreted at S-EL0 under the S-EL1 SPMC (FF-A calls by SVC), or at
 * S-EL1 under the EL3 SPMC (by SMC). It must behave exactly as the native `echo`.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { parseElf } from '../../../src/loader/index.js';
import { type World, type WorldPartitionSpec } from '../../../src/machine/world.js';
import { SPMC_PLACEMENTS, UUID1, UUID1_WORDS, UUID2, bootWorld, loadImage, smc, uuidRegs, version } from './helpers.js';

const IMAGE = { 's-el1': 'echo-sp-sel0.elf', el3: 'echo-sp-sel1.elf' } as const;
const HI = 0x0123_4567_0000_0000n;

function worlds(spmc: 's-el1' | 'el3'): [string, World][] {
  const image: WorldPartitionSpec = { id: 0x8001, uuid: UUID1, impl: { kind: 'image', bytes: loadImage(IMAGE[spmc]) } };
  const nativeEcho: WorldPartitionSpec = { id: 0x8001, uuid: UUID1, behaviour: 'echo' };
  return [['image', bootWorld({ spmc, partitions: [image] })], ['native', bootWorld({ spmc, partitions: [nativeEcho] })]];
}

describe.each(SPMC_PLACEMENTS)('A64 echo partition image, SPMC at %s', (spmc) => {
  it('the built image is an ELF in secure RAM with the conduit of its EL', () => {
    const img = parseElf(loadImage(IMAGE[spmc]), IMAGE[spmc]);
    expect(Number(img.entry)).toBeGreaterThanOrEqual(0x0e00_0000);
    const words = new Uint32Array(img.segments[0]!.data.buffer.slice(img.segments[0]!.data.byteOffset, img.segments[0]!.data.byteOffset + img.segments[0]!.data.byteLength));
    expect(Array.from(words)).toContain(spmc === 's-el1' ? 0xd4000001 : 0xd4000003);
  });

  it('boots (its FFA_MSG_WAIT ends initialisation) and answers like the native echo', () => {
    const results = worlds(spmc).map(([kind, w]) => {
      version(w, A.FFA_VERSION_1_2);
      const [lo, hi] = uuidRegs(UUID1_WORDS);
      const out = [
        smc(w, [A.FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, HI | 3n, HI | 4n, HI | 5n, HI | 6n, HI | 7n]).x,
        smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, 0x0002_8001, 0, HI | 3n, HI | 4n, HI | 5n, HI | 6n, HI | 7n]).x,
        smc(w, [A.FFA_MSG_SEND_DIRECT_REQ2, 0x8001, lo, hi, ...Array.from({ length: 14 }, (_, i) => HI | BigInt(i))]).x,
        smc(w, [A.FFA_RUN, 0x8001_0000]).x,
      ];
      return { kind, out, instructions: w.machine.cpu.instructions };
    });
    const [image, native] = results;
    expect(image!.out).toEqual(native!.out);
    expect(image!.out[0]!.slice(0, 8)).toEqual([BigInt(A.FFA_MSG_SEND_DIRECT_RESP), 0x8001_0000n, 0n, 3n, 4n, 5n, 6n, 7n]);
    expect(image!.out[1]![1]).toBe(0x8001_0002n);
    expect(image!.out[2]![0]).toBe(BigInt(A.FFA_MSG_SEND_DIRECT_RESP2));
    expect(image!.out[3]![0]).toBe(BigInt(A.FFA_MSG_WAIT));
    // The image really ran as instructions; the native partition did not.
    expect(image!.instructions).toBeGreaterThan(50);
    expect(native!.instructions).toBe(0);
  });

  it('serves many requests, next to a native partition', () => {
    const w = bootWorld({
      spmc,
      partitions: [
        { id: 0x8001, uuid: UUID1, impl: { kind: 'image', bytes: loadImage(IMAGE[spmc]) } },
        { id: 0x8002, uuid: UUID2, behaviour: 'echo' },
      ],
    });
    version(w, A.FFA_VERSION_1_2);
    for (let i = 0; i < 100; i++) {
      const id = 0x8001 + (i % 2);
      const r = smc(w, [A.FFA_MSG_SEND_DIRECT_REQ_64, id, 0, i]);
      expect([r.w(0), r.w(1), Number(r.x[3])]).toEqual([A.FFA_MSG_SEND_DIRECT_RESP_64, (id << 16) >>> 0, i]);
    }
  });
});
