/**
 * a64el's public API (re-exports only). The embedding API is src/api (docs/api.md); traces are
 * src/trace; snapshots src/machine/snapshot.ts. The Node-only pieces (CLI, GDB stub, file loading)
 * are not re-exported here so this entry point bundles for browsers.
 */
export * from './api/index.js';
export {
  TraceRecorder, type TraceRecorderOptions, TraceRing, EventKind, type TraceEvent,
  toChromeTrace, type ChromeTrace, type ChromeTraceEvent, type ChromeTraceOptions, textTimeline, validateChromeTrace,
  recorderToChromeTrace, recorderToText, startTrace, trackName, decodeCall, describeResult, type DecodedCall,
} from './trace/index.js';
export {
  SNAPSHOT_MAGIC, SNAPSHOT_VERSION, SnapshotError, type SnapshotErrorCode, type SnapshotState,
  saveSnapshot, restoreSnapshot,
} from './machine/snapshot.js';
export { Machine, type RunResult, StopReason } from './machine/machine.js';
export type { MachineConfig } from './machine/config.js';
export { NativeComponent, type NativePlatform } from './firmware/component.js';
export type { LoadedImage } from './loader/elf.js';
