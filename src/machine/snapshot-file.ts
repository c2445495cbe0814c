/**
 * Snapshots on disk (Node only; not re-exported from src/index.ts, which bundles for browsers).
 *
 * Writes are atomic: the bytes go to a temporary file in the target's directory, are flushed, and the
 * temporary file is renamed over the target (rename within one directory replaces it in one step on
 * POSIX file systems). A failed write leaves the target as it was and no temporary file behind.
 * Errors name the file and say what was wrong (SnapshotFileError), never a bare errno.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Machine } from './machine.js';
import { restoreSnapshot, saveSnapshot } from './snapshot.js';

export class SnapshotFileError extends Error {
  override readonly name = 'SnapshotFileError';
  constructor(readonly path: string, message: string) { super(message); }
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'no space left on the device';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a path component is not a directory';
    case 'EROFS': return 'read-only file system';
    default: return e instanceof Error ? e.message : String(e);
  }
}

/** Write `bytes` to `path` atomically (temporary file in the same directory, fsync, rename). */
export function writeSnapshotFile(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  let st;
  try { st = statSync(dir); } catch (e) { throw new SnapshotFileError(path, `cannot write snapshot ${path}: directory ${dir}: ${reason(e)}`); }
  if (!st.isDirectory()) throw new SnapshotFileError(path, `cannot write snapshot ${path}: ${dir} is not a directory`);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) { try { closeSync(fd); } catch { /* already failing */ } }
    rmSync(tmp, { force: true });
    throw new SnapshotFileError(path, `cannot write snapshot ${path}: ${reason(e)}`);
  }
}

/** Read a snapshot file's bytes (restoreSnapshot / world.restoreSnapshot check them). */
export function readSnapshotFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new SnapshotFileError(path, `cannot read snapshot ${path}: ${reason(e)}`);
  }
}

/** Something that saves and restores itself as a whole: a World (machine/world.ts). */
export interface Snapshottable {
  saveSnapshot(): Uint8Array;
  restoreSnapshot(bytes: Uint8Array): void;
}

/** Save a world (or anything Snapshottable) to a file, atomically. */
export function saveSnapshotFile(target: Snapshottable, path: string): void { writeSnapshotFile(path, target.saveSnapshot()); }

/** Restore a world from a file written by saveSnapshotFile (a refused restore changes nothing). */
export function restoreSnapshotFile(target: Snapshottable, path: string): void { target.restoreSnapshot(readSnapshotFile(path)); }

/** The same for a bare Machine (the embedding API's contextSave/contextRestore bytes). */
export function saveMachineSnapshotFile(m: Machine, path: string): void { writeSnapshotFile(path, saveSnapshot(m)); }
export function restoreMachineSnapshotFile(m: Machine, path: string): void { restoreSnapshot(m, readSnapshotFile(path)); }
