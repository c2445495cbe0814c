/**
 * Reading images from disk (Node only; elf.ts stays free of Node imports for browser builds).
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { isElf, loadRaw, LoaderError, parseElf, type LoadedImage, type ParseElfOptions } from './elf.js';

export interface LoadImageFileOptions extends ParseElfOptions {
  /**
   * Load address for a file that is not ELF (a raw binary). Without it a non-ELF file is
   * rejected with code NOT_ELF.
   */
  rawAddress?: bigint;
}

/** Read `path` and parse it as ELF, or as a raw binary at `rawAddress` when it is not ELF. */
export async function loadImageFile(path: string, options: LoadImageFileOptions = {}): Promise<LoadedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw ioError(path, err);
  }
  return fromBytes(bytes, path, options);
}

/** Synchronous form of loadImageFile. */
export function loadImageFileSync(path: string, options: LoadImageFileOptions = {}): LoadedImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw ioError(path, err);
  }
  return fromBytes(bytes, path, options);
}

function fromBytes(buffer: Uint8Array, path: string, options: LoadImageFileOptions): LoadedImage {
  // A Node Buffer may be a view into a shared pool; give the parser a plain Uint8Array.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (isElf(bytes) || options.rawAddress === undefined) return parseElf(bytes, path, options);
  return loadRaw(bytes, options.rawAddress, path);
}

function ioError(path: string, err: unknown): LoaderError {
  const reason = err instanceof Error ? err.message : String(err);
  return new LoaderError('IO', path, `cannot read the file: ${reason}`);
}
