/** The embedding API (src/api): Unicorn-shaped, TypeScript-idiomatic. See docs/api.md. */
export {
  Emulator, createMachine, wrapMachine,
  type AttachOptions, type EmuResult, type EmuStartOptions, type LoadOptions, type MemRegion, type MmioHandlers, type StopCause,
} from './emulator.js';
export { A64elError, A64elException, a64elStrerror } from './errors.js';
export {
  HookType,
  type BlockEvent, type CallEvent, type CodeEvent, type EretEvent, type ExceptionEntryEvent, type ExceptionKind,
  type FfaCallEvent, type FfaReturnEvent, type HookCallback, type HookEvent, type HookEventOf, type HookHandle,
  type HookRange, type MemEvent, type MemInvalidEvent,
} from './hooks.js';
export { CORE_REGISTER_NAMES } from './registers.js';
