/**
 * The Linux initcall sequencer, modelled (not copied): which order built-in initcalls run in.
 *
 * Order, as include/linux/init.h and the INIT_CALLS block of include/asm-generic/vmlinux.lds.h lay it
 * out (reference pkvm-ffa.md section 8 item 13):
 *   pure, pure_sync, core, core_sync, postcore, postcore_sync, arch, arch_sync, subsys, subsys_sync,
 *   fs, fs_sync, rootfs, device, device_sync, late, late_sync
 * `early_initcall` (before SMP) and console/security initcalls are not modelled.
 *
 * rootfs has no _sync variant: init.h defines `rootfs_initcall` (section `.initcallrootfs.init`,
 * placed after level 5's sync section and before level 6) but no `rootfs_initcall_sync`. The linker
 * script would keep a `.initcallrootfss.init` section, but no macro emits one, so a placement
 * `{ level: 'rootfs', sync: true }` is rejected here (validatePlacement) rather than invented.
 *
 * Inside one phase, initcalls run in link order: the top-level directories in the order the kernel
 * Makefile links them (init < arch < kernel < mm < fs < security < crypto < block < drivers < net <
 * virt), then declaration order inside a directory. A placement carries that as one number,
 * `linkOrder` = directory rank * LINK_DIR_STRIDE + position, so placements stay data-only and an
 * explorer can enumerate them.
 */

/** The initcall levels, in the order they run. */
export const INITCALL_LEVELS = ['pure', 'core', 'postcore', 'arch', 'subsys', 'fs', 'rootfs', 'device', 'late'] as const;
export type InitcallLevel = (typeof INITCALL_LEVELS)[number];

/** Top-level source directories, in link order. */
export const LINK_DIRS = ['init', 'arch', 'kernel', 'mm', 'fs', 'security', 'crypto', 'block', 'drivers', 'net', 'virt'] as const;
export type LinkDir = (typeof LINK_DIRS)[number];

/** Room for declaration positions inside one directory. */
export const LINK_DIR_STRIDE = 100;

/** Where an initcall runs: its level, whether it is the `_sync` variant, and its link position. */
export interface Placement {
  level: InitcallLevel;
  sync: boolean;
  /** Directory rank * LINK_DIR_STRIDE + declaration position inside the directory (see linkOrder()). */
  linkOrder: number;
}

/** The link-order number of the `index`-th initcall declared under top-level directory `dir`. */
export function linkOrder(dir: LinkDir, index = 0): number {
  if (!Number.isInteger(index) || index < 0 || index >= LINK_DIR_STRIDE) {
    throw new RangeError(`declaration position ${index} outside 0..${LINK_DIR_STRIDE - 1}`);
  }
  return LINK_DIRS.indexOf(dir) * LINK_DIR_STRIDE + index;
}

/** The directory a link-order number falls in (for display). */
export function linkDirOf(order: number): LinkDir | undefined {
  return LINK_DIRS[Math.floor(order / LINK_DIR_STRIDE)];
}

/** One phase of do_initcalls: a level or its _sync variant. */
export interface InitcallPhase {
  level: InitcallLevel;
  sync: boolean;
  /** "device", "device_sync" */
  name: string;
  /** The Linux macro that places a function here: "device_initcall_sync". */
  macro: string;
}

/** Every phase in run order (17: rootfs has no _sync). */
export const INITCALL_PHASES: readonly InitcallPhase[] = INITCALL_LEVELS.flatMap((level) => {
  const plain: InitcallPhase = { level, sync: false, name: level, macro: `${level}_initcall` };
  if (level === 'rootfs') return [plain];
  return [plain, { level, sync: true, name: `${level}_sync`, macro: `${level}_initcall_sync` }];
});

/** Position of (level, sync) in INITCALL_PHASES, or -1 when that phase does not exist (rootfs_sync). */
export function phaseIndex(level: InitcallLevel, sync: boolean): number {
  return INITCALL_PHASES.findIndex((p) => p.level === level && p.sync === sync);
}

/** "device_sync", "rootfs" */
export function phaseName(p: { level: InitcallLevel; sync: boolean }): string {
  return p.sync ? `${p.level}_sync` : p.level;
}

/** A phase given by name ("late_sync", "rootfs"), or undefined. */
export function parsePhase(name: string): { level: InitcallLevel; sync: boolean } | undefined {
  const p = INITCALL_PHASES.find((q) => q.name === name);
  return p === undefined ? undefined : { level: p.level, sync: p.sync };
}

/** Why a placement cannot exist, or undefined when it can. */
export function validatePlacement(p: Placement): string | undefined {
  if (!(INITCALL_LEVELS as readonly string[]).includes(p.level)) return `unknown initcall level "${p.level}"`;
  if (phaseIndex(p.level, p.sync) < 0) return `${p.level} has no _sync variant (include/linux/init.h defines no ${p.level}_initcall_sync)`;
  if (!Number.isInteger(p.linkOrder) || p.linkOrder < 0 || p.linkOrder >= LINK_DIRS.length * LINK_DIR_STRIDE) {
    return `linkOrder ${p.linkOrder} outside 0..${LINK_DIRS.length * LINK_DIR_STRIDE - 1}`;
  }
  return undefined;
}

/** Compare two placements by run order (phase, then link order). */
export function comparePlacements(a: Placement, b: Placement): number {
  return phaseIndex(a.level, a.sync) - phaseIndex(b.level, b.sync) || a.linkOrder - b.linkOrder;
}

/**
 * Sort items by their placement, as the linker lays out the initcall sections. Ties (same phase and
 * link order: the same object file) keep their input order, which stands for declaration order.
 * Throws RangeError naming the item for an impossible placement.
 */
export function orderByPlacement<T extends { name: string; placement: Placement }>(items: readonly T[]): T[] {
  for (const it of items) {
    const why = validatePlacement(it.placement);
    if (why !== undefined) throw new RangeError(`${it.name}: ${why}`);
  }
  return items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => comparePlacements(a.it.placement, b.it.placement) || a.i - b.i)
    .map((x) => x.it);
}

/** One initcall: a name, a placement and the function (returns 0 or a negative errno). */
export interface Initcall {
  name: string;
  placement: Placement;
  fn: () => number;
}

/** What the sequencer reports. */
export interface InitcallObserver {
  /** A phase starts (called for every phase, even an empty one). */
  phase?(phase: InitcallPhase): void;
  /** An initcall is about to run. */
  start?(call: Initcall, phase: InitcallPhase): void;
  /** An initcall returned. */
  end?(call: Initcall, phase: InitcallPhase, ret: number): void;
}

/**
 * do_initcalls: run every phase in order and, inside each, its initcalls in link order. A non-zero
 * return is reported and the boot goes on (Linux logs it with initcall_debug and continues).
 * Returns the calls in the order they ran, with their return values.
 */
export function runInitcalls(calls: readonly Initcall[], obs: InitcallObserver = {}): { call: Initcall; ret: number }[] {
  const ordered = orderByPlacement(calls);
  const out: { call: Initcall; ret: number }[] = [];
  let k = 0;
  for (let pi = 0; pi < INITCALL_PHASES.length; pi++) {
    const phase = INITCALL_PHASES[pi]!;
    obs.phase?.(phase);
    while (k < ordered.length && phaseIndex(ordered[k]!.placement.level, ordered[k]!.placement.sync) === pi) {
      const call = ordered[k++]!;
      obs.start?.(call, phase);
      const ret = call.fn();
      obs.end?.(call, phase, ret);
      out.push({ call, ret });
    }
  }
  return out;
}
