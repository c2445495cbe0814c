/**
 * A small seeded PRNG (sfc32, PractRand-tested; public domain) for the differential generators: the
 * same seed gives the same cases on every machine, so a printed seed reproduces a failure.
 */
export class Rng {
  private a: number; private b: number; private c: number; private d: number;

  constructor(seed: number, stream = 0) {
    this.a = 0x9e3779b9; this.b = seed | 0; this.c = stream | 0; this.d = 1;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform integer in [0, n) for 0 < n <= 2^32. */
  int(n: number): number { return Math.floor((this.u32() / 0x1_0000_0000) * n); }
  /** A uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  /** `n` random bits (n <= 32) as an unsigned number. */
  bits(n: number): number { return n >= 32 ? this.u32() : this.u32() & ((1 << n) - 1) >>> 0; }
  /** True with probability p. */
  chance(p: number): boolean { return this.u32() / 0x1_0000_0000 < p; }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('pick from an empty list');
    return xs[this.int(xs.length)]!;
  }
  /** A uniform 64-bit unsigned BigInt. */
  u64(): bigint { return (BigInt(this.u32()) << 32n) | BigInt(this.u32()); }
}

/** A per-item seed from a run seed and an index (the splitmix32 finaliser), for independent streams. */
export function mixSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A fresh random seed (printed by the runners). */
export function randomSeed(): number {
  return (Math.floor(Math.random() * 0x1_0000_0000) ^ (Date.now() & 0xffffffff)) >>> 0;
}
