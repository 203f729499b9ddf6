import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { errnoOf, reasonOf } from './oserror.js';

/**
 * Checks of paths before any work, each returning the problem in words (or undefined), so the
 * caller can name the option the path came from. Nothing is created or changed.
 */

/** Linux's limits (macOS has the same NAME_MAX and a smaller PATH_MAX of 1024). */
const NAME_MAX = 255;
const PATH_MAX = 4095;

function lengthProblem(p: string): string | undefined {
  if (Buffer.byteLength(p) > PATH_MAX)
    return `is ${Buffer.byteLength(p)} bytes long, more than the ${PATH_MAX} a path can have (ENAMETOOLONG)`;
  const long = p.split(path.sep).find((c) => Buffer.byteLength(c) > NAME_MAX);
  return long === undefined
    ? undefined
    : `has a component of ${Buffer.byteLength(long)} bytes ('${long.slice(0, 24)}…'), more than the ${NAME_MAX} a file name can have (ENAMETOOLONG)`;
}

async function statOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fs.stat(p);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return null;
    throw e;
  }
}

async function writeProblem(dir: string): Promise<string | undefined> {
  try {
    await fs.access(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    return reasonOf(e);
  }
  try {
    const s = await fs.statfs(dir);
    if (s.bavail === 0) return 'no space left on device (its file system is full, ENOSPC)';
    if (s.ffree === 0) return 'no space left on device (no free inodes, ENOSPC)';
  } catch {
    // statfs is informative only.
  }
  return undefined;
}

/**
 * Whether files can be written into directory `dir`, which may not exist yet: it must be a
 * directory (or creatable below its nearest existing ancestor), writable, on a writable file
 * system with space left, and short enough.
 */
export async function writableDirProblem(dir: string): Promise<string | undefined> {
  const abs = path.resolve(dir);
  const long = lengthProblem(abs);
  if (long) return long;
  try {
    const st = await statOrNull(abs);
    if (st) {
      if (!st.isDirectory()) return 'is a file, not a directory';
      const w = await writeProblem(abs);
      return w ? `is not writable: ${w}` : undefined;
    }
    // Not there yet: the nearest existing ancestor decides whether it can be made.
    let up = path.dirname(abs);
    for (;;) {
      const ust = await statOrNull(up);
      if (ust) {
        if (!ust.isDirectory()) return `cannot be created: ${up} is a file, not a directory`;
        const w = await writeProblem(up);
        return w ? `cannot be created in ${up}: ${w}` : undefined;
      }
      if (path.dirname(up) === up) return `cannot be created: no ancestor of it exists`;
      up = path.dirname(up);
    }
  } catch (e) {
    return reasonOf(e);
  }
}

/** Whether `p` exists as the kind asked for and can be read. */
export async function readableProblem(
  p: string,
  kind: 'file' | 'directory' | 'any',
  mode = constants.R_OK
): Promise<string | undefined> {
  const abs = path.resolve(p);
  const long = lengthProblem(abs);
  if (long) return long;
  let st;
  try {
    st = await fs.stat(abs);
  } catch (e) {
    return errnoOf(e) === 'ENOENT' ? 'does not exist' : reasonOf(e);
  }
  if (kind === 'file' && !st.isFile())
    return st.isDirectory() ? 'is a directory, not a file' : 'is not a regular file';
  if (kind === 'directory' && !st.isDirectory()) return 'is a file, not a directory';
  try {
    await fs.access(abs, mode);
  } catch (e) {
    return `cannot be read: ${reasonOf(e)}`;
  }
  return undefined;
}
