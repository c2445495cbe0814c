/**
 * Every failure of the embedding API is one value of `A64elError` (Unicorn's uc_err), with a fixed
 * message (`a64elStrerror`, Unicorn's uc_strerror). API calls that fail throw an `A64elException`
 * carrying the value in `code` and a message that adds the detail (which register, which address).
 * Guest behaviour is never an error: a run that stops for any reason returns a result.
 */

export enum A64elError {
  /** No error. */
  Ok = 0,
  /** An argument is out of range or of the wrong form. */
  ArgInvalid = 1,
  /** No register by that name. */
  RegInvalid = 2,
  /** The register cannot be written (a constant, a computed value). */
  RegReadOnly = 3,
  /** A read of physical memory that no RAM backs. */
  ReadUnmapped = 4,
  /** A write of physical memory that no RAM backs. */
  WriteUnmapped = 5,
  /** A mapping overlaps RAM, an MMIO device or another mapping. */
  MapOverlap = 6,
  /** No hook with that handle (already deleted?). */
  HookInvalid = 7,
  /** The call is not allowed while the machine runs (from inside a hook). */
  Busy = 8,
  /** The bytes are not an a64el snapshot. */
  SnapshotInvalid = 9,
  /** The snapshot was written by another format version or state layout. */
  SnapshotVersion = 10,
  /** The snapshot does not fit this machine (memory size, implemented ELs, native components). */
  SnapshotMismatch = 11,
  /** The image could not be loaded (not ELF, bad segments, outside RAM). */
  ImageInvalid = 12,
  /** A native component could not be attached. */
  ComponentInvalid = 13,
  /** Not implemented by this version. */
  Unsupported = 14,
}

const MESSAGES: Readonly<Record<A64elError, string>> = {
  [A64elError.Ok]: 'OK (no error)',
  [A64elError.ArgInvalid]: 'Invalid argument',
  [A64elError.RegInvalid]: 'Invalid register name',
  [A64elError.RegReadOnly]: 'Register is read-only',
  [A64elError.ReadUnmapped]: 'Invalid memory read (no RAM at this physical address)',
  [A64elError.WriteUnmapped]: 'Invalid memory write (no RAM at this physical address)',
  [A64elError.MapOverlap]: 'Mapping overlaps existing memory or another mapping',
  [A64elError.HookInvalid]: 'Invalid hook handle',
  [A64elError.Busy]: 'Not allowed while the machine is running',
  [A64elError.SnapshotInvalid]: 'Not an a64el snapshot',
  [A64elError.SnapshotVersion]: 'Snapshot format version or state layout differs',
  [A64elError.SnapshotMismatch]: 'Snapshot does not fit this machine',
  [A64elError.ImageInvalid]: 'Invalid image',
  [A64elError.ComponentInvalid]: 'Invalid native component',
  [A64elError.Unsupported]: 'Not supported',
};

/** The fixed message of an error value. */
export function a64elStrerror(code: A64elError): string {
  return MESSAGES[code] ?? `Unknown error ${String(code)}`;
}

/** An API call failed: `code` says how, `message` = strerror + detail. */
export class A64elException extends Error {
  override readonly name = 'A64elException';
  constructor(readonly code: A64elError, readonly detail = '') {
    super(detail === '' ? a64elStrerror(code) : `${a64elStrerror(code)}: ${detail}`);
  }
}

/** Throw A64elException(code, detail). */
export function fail(code: A64elError, detail = ''): never {
  throw new A64elException(code, detail);
}
