/**
 * a64el's public API (re-exports only). The embedding API is src/api (docs/api.md); traces are
 * src/trace; snapshots src/machine/snapshot.ts; vectors src/vectors. The Node-only pieces (CLI, GDB
 * stub, file loading) are not re-exported here so this entry point bundles for browsers
 * (`npm run bundle:browser`, test/browser/bundle.test.ts).
 */
export * from './api/index.js';
export {
  TraceRecorder, type TraceRecorderOptions, TraceRing, EventKind, type TraceEvent,
  toChromeTrace, type ChromeTrace, type ChromeTraceEvent, type ChromeTraceOptions, textTimeline, validateChromeTrace,
  recorderToChromeTrace, recorderToText, startTrace, trackName, decodeCall, describeResult, type DecodedCall,
  chromeTraceToSvg, type TraceSvg, type TraceSvgOptions,
} from './trace/index.js';
export {
  SNAPSHOT_MAGIC, SNAPSHOT_VERSION, SnapshotError, type SnapshotErrorCode, type SnapshotState,
  saveSnapshot, restoreSnapshot,
} from './machine/snapshot.js';
// For components and partition behaviours of your own: the versioned state codec (docs/api.md Snapshots).
export { StateWriter, StateReader, hasSnapshotState } from './state/snapshot-codec.js';
export { Machine, type RunResult, StopReason } from './machine/machine.js';
export type { MachineConfig } from './machine/config.js';
export { NativeComponent, type NativePlatform } from './firmware/component.js';
// Whole FF-A systems (docs/api.md "FF-A worlds"): EL3 monitor + SPMD, SPMC, partitions, pKVM, host.
export {
  createWorld, versionWord, FFA, BUILTIN_BEHAVIOURS, WorldHost,
  type World, type WorldSpec, type WorldPartitionSpec, type WorldPartition, type PartitionImpl, type BootOptions,
} from './machine/world.js';
export type { HostCallResult } from './firmware/host/caller.js';
// Secure partitions written in TypeScript (src/firmware/partitions/api.ts), given to createWorld.
export { DirectKind, type PartitionBehaviour, type PartitionServices, type BehaviourFactory } from './firmware/partitions/api.js';
export type { CyclesByEl } from './timing/accounting.js';
export { PROFILES, type TimingProfile, type TimingOption } from './timing/profile.js';
export type { LoadedImage } from './loader/elf.js';
// Test vectors (docs/vector-format.md): parse and run call and image vectors; reading them from
// disk (runVectorFile, runVectors) is Node-only and lives in src/vectors/files.ts.
export {
  VectorError, parseVector, type ParsedVector, type CallVector, type ImageVector, type MachineSpec,
} from './vectors/parse.js';
export {
  runVector, runCallVector, summaryLine, type RunCallOptions, type VectorRunResult, type StepFailure,
} from './vectors/runner.js';
export { runImageVector, imagePathOf, type RunImageOptions, type VectorResult } from './vectors/image-runner.js';
