import { Hash, createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import { makeTempDir, trackTemp } from './cleanup.js';
import { errnoOf, osStepError, reasonOf } from './oserror.js';
import { execCapture } from './exec.js';

/**
 * A sibling temp name for `file`: hidden, unique to this process, and short enough that a
 * long file name (up to the 255-byte limit) still leaves room for it.
 */
export function siblingTemp(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file).slice(0, 200)}.${process.pid}.${tmpCounter++}.tmp`
  );
}
let tmpCounter = 0;

/** Makes the directory `file` goes in; a file in the way reads as such, not as EEXIST. */
async function parentDir(file: string, step: string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
  } catch (e) {
    const notDir =
      errnoOf(e) === 'EEXIST' ? Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' }) : e;
    throw osStepError(notDir, step, file);
  }
}

/**
 * Writes a file atomically: a temp file in the same directory, then rename. An OS error names
 * the file and `what` was being written (e.g. "the wheel"); the temp file never stays behind.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  what = '',
  mode?: number
): Promise<void> {
  const step = what ? `write ${what}` : 'write';
  await parentDir(file, step);
  const tmp = siblingTemp(file);
  const forget = trackTemp(tmp);
  try {
    await fs.writeFile(tmp, data);
    // Exactly `mode`, whatever the umask.
    if (mode !== undefined) await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw osStepError(e, step, file);
  } finally {
    forget();
  }
}

/**
 * Copies `src` to `dest`, a path that does not exist yet. On Linux through cp, not
 * fs.copyFile: libuv truncates the fresh destination, and ext4 then writes the whole file back
 * to disk when it is closed (its auto_da_alloc heuristic for files rewritten after a truncate),
 * which for a 500 MB image base doubles the copy and puts it on the disk for every build. cp
 * opens a new file without truncating it (GNU cp 9 copies with a reflink or copy_file_range,
 * older ones and busybox read and write). Elsewhere, or when cp cannot do it, fs.copyFile.
 */
export async function copyToNewFile(src: string, dest: string): Promise<void> {
  if (process.platform === 'linux') {
    const r = await execCapture(['cp', '--', src, dest]).catch(() => null);
    if (r?.code === 0) return;
    await fs.rm(dest, { force: true });
  }
  await fs.copyFile(src, dest, fsConstants.COPYFILE_FICLONE | fsConstants.COPYFILE_EXCL);
}

/** Moves a finished file into place atomically (copy + rename across devices). */
export async function moveAtomic(src: string, dest: string, what = ''): Promise<void> {
  const step = what ? `write ${what}` : 'write';
  await parentDir(dest, step);
  try {
    await fs.rename(src, dest);
    return;
  } catch {
    // Another device (or another reason rename refuses): copy beside the target, then rename.
  }
  const tmp = siblingTemp(dest);
  const forget = trackTemp(tmp);
  try {
    await fs.copyFile(src, tmp);
    await fs.rename(tmp, dest);
    await fs.rm(src, { force: true });
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw osStepError(e, step, dest);
  } finally {
    forget();
  }
}

export async function sha256File(file: string): Promise<string> {
  return (await hashFile(file)).digest('hex');
}

/**
 * A SHA-256 fed with the file's bytes (or its first `limit` bytes), not yet digested, so more
 * can follow. Reads 4 MiB at a time: with the stream default of 64 KiB the reads, not the
 * hashing, are what a large file costs.
 */
export async function hashFile(file: string, limit = Infinity): Promise<Hash> {
  const h = createHash('sha256');
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (let left = limit; left > 0;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, left));
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      left -= bytesRead;
    }
  } finally {
    await fh.close();
  }
  return h;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** A fresh temporary directory, registered for removal on every exit path (runtime/cleanup.ts). */
export async function tempDir(
  prefix = 'albatross-'
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  try {
    return await makeTempDir(prefix);
  } catch (e) {
    throw osStepError(e, 'create a temporary directory in', os.tmpdir());
  }
}

/** Checks that OUT can be created and written; throws a readable error naming it. */
export async function ensureWritableDir(dir: string, what = 'output directory'): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const probe = path.join(dir, `.albatross-write-probe-${process.pid}`);
    await fs.writeFile(probe, '');
    await fs.rm(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new Error(`${what} ${dir} is not writable (${code})`, { cause: e });
  }
}

/** Copies a tree, skipping names in `skip` at any depth. */
export async function copyTree(
  src: string,
  dest: string,
  skip: Set<string> = new Set()
): Promise<void> {
  await fs.cp(src, dest, {
    recursive: true,
    filter: (s) => !skip.has(path.basename(s)),
    verbatimSymlinks: true
  });
}

/** Parses a JSON file; null when it does not exist; a ConfigError naming it when it is corrupt or unreadable. */
export async function readJsonIfExists<T>(file: string): Promise<T | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ConfigError(`${file}: cannot be read: ${reasonOf(e)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${oneLine((e as Error).message)})`);
  }
}

/**
 * Keeps the `keep` most recently modified entries of `dir` that `select` picks and removes the
 * rest (cache eviction: users touch what they reuse). Failures to remove are ignored.
 */
export async function pruneOldest(
  dir: string,
  keep: number,
  select: (name: string) => boolean = () => true
): Promise<string[]> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter(select);
  const dated = await Promise.all(
    names.map(async (n) => ({
      n,
      t: await fs.stat(path.join(dir, n)).then(
        (s) => s.mtimeMs,
        () => 0
      )
    }))
  );
  dated.sort((a, b) => b.t - a.t || (a.n < b.n ? -1 : 1));
  const gone = dated.slice(keep).map((d) => d.n);
  for (const n of gone)
    await fs.rm(path.join(dir, n), { recursive: true, force: true }).catch(() => undefined);
  return gone;
}

/** A message on one line (JSON.parse quotes the text it choked on, newlines included). */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}
