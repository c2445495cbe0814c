/**
 * Helpers for driving a booted world from its Non-secure EL1 host, the way a vector does: set
 * x0..x17, execute SMC #0, read the registers back.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import * as A from '../../../src/ffa/abi.js';
import { type World, type WorldSpec, createWorld } from '../../../src/machine/world.js';
import { StopReason } from '../../../src/machine/machine.js';

export const UUID1 = 'b4b5671e-4a90-4fe1-b81f-fb13dae1dacb';
export const UUID2 = '17b862a4-1806-4faf-86b3-089a58353861';
/** The PARTITION_INFO_GET words of UUID1 (little-endian loads of bytes 0-3, 4-7, ...). */
export const UUID1_WORDS = [0x1e67b5b4, 0xe14f904a, 0x13fb1fb8, 0xcbdae1da] as const;
export const UUID2_WORDS = [0xa462b817, 0xaf4f0618, 0x9a08b386, 0x61383558] as const;

export const SPMC_PLACEMENTS = ['s-el1', 'el3'] as const;
export const POLICIES = ['spec', 'hafnium', 'tf-a'] as const;
export const VERSIONS = [A.FFA_VERSION_1_0, A.FFA_VERSION_1_1, A.FFA_VERSION_1_2] as const;
export const vname = (v: number): string => `v${A.ffaVersionString(v)}`;

/** NS DRAM pages the tests use as RX/TX buffers (vector-format.md: host-owned, free for vectors). */
export const TX = 0x4000_0000n;
export const RX = 0x4000_1000n;

/** A world with no hypervisor (the host's SMCs reach EL3 directly), booted. */
export function bootWorld(spec: WorldSpec = {}): World {
  const w = createWorld({ el2: 'none', ...spec });
  w.boot();
  return w;
}

export interface CallResult {
  x: bigint[];
  /** Low 32 bits of xN as an unsigned number. */
  w(n: number): number;
  /** w0 as a signed status (for FFA_VERSION's NOT_SUPPORTED). */
  status(): number;
}

/** Host SMC #imm with x0..x17 = args (missing = 0). The call must come back to EL1. */
export function smc(w: World, args: readonly (bigint | number)[], imm = 0): CallResult {
  const r = w.smc(args.map((a) => BigInt.asUintN(64, BigInt(a))), imm);
  expect(r.stop, `SMC x0=0x${BigInt(args[0] ?? 0).toString(16)} did not return (stop reason ${r.stop})`).toBe(StopReason.Returned);
  expect(r.exception).toBeNull();
  return wrap(r.x);
}

function wrap(x: bigint[]): CallResult {
  return {
    x,
    w: (n) => Number(x[n]! & 0xffffffffn),
    status: () => Number(BigInt.asIntN(32, x[0]!)),
  };
}

/** Expect FFA_ERROR with `code` (w2), w1 and w3-w7 zero. */
export function expectError(r: CallResult, code: number, what = ''): void {
  expect(r.w(0), `${what} w0`).toBe(A.FFA_ERROR);
  expect(r.w(2) | 0, `${what} w2 (${A.ffaStatusName(r.w(2)) ?? r.w(2)})`).toBe(code);
  expect(r.w(1), `${what} w1`).toBe(0);
  for (let i = 3; i < 8; i++) expect(r.w(i), `${what} w${i}`).toBe(0);
}

/** Expect FFA_SUCCESS_32 (w2 and w3 optionally checked). */
export function expectSuccess(r: CallResult, w2?: number, w3?: number, what = ''): void {
  expect(r.w(0), `${what} w0 (w2 = ${A.ffaStatusName(r.w(2)) ?? r.w(2)})`).toBe(A.FFA_SUCCESS);
  if (w2 !== undefined) expect(r.w(2), `${what} w2`).toBe(w2 >>> 0);
  if (w3 !== undefined) expect(r.w(3), `${what} w3`).toBe(w3 >>> 0);
}

/** FFA_VERSION(v): returns w0. */
export function version(w: World, v: number): number { return smc(w, [A.FFA_VERSION, v]).w(0); }

/** Map the test RX/TX pair (one page each) with FFA_RXTX_MAP_64. */
export function mapRxTx(w: World, pages = 1): CallResult {
  return smc(w, [A.FFA_RXTX_MAP_64, TX, RX, pages]);
}

export function readBytes(w: World, pa: bigint, len: number): Uint8Array {
  return new Uint8Array(w.machine.bus.ram(Number(pa), len)!);
}

export function loadImage(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./images/${name}`, import.meta.url)));
}

/** The two 64-bit registers (lo, hi) of a UUID's words. */
export function uuidRegs(words: readonly number[]): [bigint, bigint] {
  const u = (n: number) => BigInt(n >>> 0);
  return [(u(words[1]!) << 32n) | u(words[0]!), (u(words[3]!) << 32n) | u(words[2]!)];
}
