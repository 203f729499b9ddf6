import { Stats, constants as fsConstants, promises as fs } from 'node:fs';
import { copyToNewFile, writeFileAtomic } from '../../runtime/fsutil.js';
import { withFileLock } from '../../runtime/lock.js';

/**
 * Every image archive starts with its base's stored prefix (archive.ts). Copying the prefix
 * costs the whole base for every build: for a 500 MB base, half a gigabyte of new page cache
 * and of disk writes. So where it can, an archive *is* the stored prefix file: a hard link to
 * it, with the build's own members appended after the prefix's `size` bytes.
 *
 * That is safe while nothing else holds the file. A build claims it, under a lock, only when
 * it has no other link (the archive that shared it last has been deleted or replaced); it then
 * cuts what that archive appended and links the file as its own archive. While an earlier
 * archive still shares the prefix, a build copies the prefix's bytes instead. The first
 * `size` bytes are never written again after the prefix is made.
 *
 * A mark records the file as Albatross last left it (inode, size, mtime). A prefix that does
 * not match its mark has been written by something else (a user editing an archive in place,
 * say) and is not trusted: the base store then rebuilds its entry.
 */

interface Mark {
  ino: number;
  size: number;
  mtimeMs: number;
}

const markFile = (file: string): string => `${file}.mark.json`;
const lockFile = (file: string): string => `${file}.lock`;

function markOf(st: Stats): Mark {
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

/** Records the prefix file as it is now: Albatross has just written it. */
export async function markPrefix(file: string): Promise<void> {
  await writeFileAtomic(markFile(file), JSON.stringify(markOf(await fs.stat(file))));
}

async function matchesMark(file: string): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([fs.readFile(markFile(file), 'utf8'), fs.stat(file)]);
    const m = JSON.parse(text) as Partial<Mark>;
    const now = markOf(st);
    return m.ino === now.ino && m.size === now.size && m.mtimeMs === now.mtimeMs;
  } catch {
    return false;
  }
}

/**
 * Whether only Albatross has written to the prefix since it was made. A mismatch is checked
 * again under the lock: a build may be appending to a shared prefix at this moment.
 */
export async function prefixIntact(file: string): Promise<boolean> {
  return (await matchesMark(file)) || withFileLock(lockFile(file), () => matchesMark(file));
}

/** How an archive under construction got the prefix. */
export type PrefixStart = 'shared' | 'copied';

/**
 * Makes `tmp`, a path that does not exist yet, begin with the prefix's first `size` bytes: the
 * prefix file itself when nothing else links it, else a copy.
 */
export async function startFromPrefix(
  file: string,
  size: number,
  tmp: string
): Promise<PrefixStart> {
  if (await withFileLock(lockFile(file), () => claim(file, size, tmp))) return 'shared';
  await copyToNewFile(file, tmp);
  // The copy holds what the archive sharing the prefix appended too.
  const copied = (await fs.stat(tmp)).size;
  if (copied < size)
    throw new Error(`image archive: the base prefix ${file} has ${copied} bytes, ${size} expected`);
  if (copied > size) await fs.truncate(tmp, size);
  return 'copied';
}

async function claim(file: string, size: number, tmp: string): Promise<boolean> {
  const st = await fs.stat(file);
  if (st.nlink !== 1 || !(await matchesMark(file))) return false;
  try {
    await fs.access(file, fsConstants.W_OK);
    if (st.size > size) {
      await fs.truncate(file, size);
      await markPrefix(file);
    }
    // Another file system (EXDEV), or hard links refused: the build copies.
    await fs.link(file, tmp);
    return true;
  } catch {
    return false;
  }
}

/** Appends the archive's own members: to a shared prefix under the lock, then marked. */
export async function appendToArchive(
  file: string,
  tmp: string,
  start: PrefixStart,
  suffix: Buffer
): Promise<void> {
  if (start === 'copied') return fs.appendFile(tmp, suffix);
  await withFileLock(lockFile(file), async () => {
    await fs.appendFile(tmp, suffix);
    await markPrefix(file);
  });
}
