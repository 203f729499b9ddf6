import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { trackTemp } from '../../runtime/cleanup.js';
import { siblingTemp } from '../../runtime/fsutil.js';
import { HashState, prefixHash } from './prefixhash.js';
import { appendToArchive, markPrefix, startFromPrefix } from './prefixshare.js';
import { addEntry, tarBytes } from './tar.js';

/**
 * The image archive (`.image.tar`): an OCI layout in a tar, plus docker's `manifest.json`, so
 * both `docker load` and `podman load` take it. Its members come in a fixed order, not sorted
 * by name: first the base image's blobs (the "prefix", written once per base and kept in the
 * base store), then Albatross's own blobs and the index files. A rebuild starts from the
 * stored prefix (shared with it as a hard link where it can, else copied in the kernel;
 * prefixshare.ts) while the installer works, and resumes the archive's SHA-256 from the state
 * kept after the prefix (prefixhash.ts), instead of re-tarring and re-hashing the base.
 */

const BLOCK = 512;
const END_OF_ARCHIVE = 2 * BLOCK;

export interface ArchiveMember {
  name: string;
  data: Buffer;
}

/** A stored prefix: its file, its length and, when kept, the SHA-256 state after it. */
export interface ArchivePrefix {
  file: string;
  size: number;
  hashState?: HashState;
}

function tarSize(size: number): number {
  return BLOCK + Math.ceil(size / BLOCK) * BLOCK;
}

/**
 * Writes the base's blobs as tar members (`blobs/`, `blobs/sha256/`, then each blob) into
 * `file`, without the end-of-archive blocks. Members carry `mtime` (the base's time), uid/gid 0
 * and modes 0755/0644.
 */
export async function writeArchivePrefix(
  file: string,
  blobs: { digest: string; file: string }[],
  mtime: number
): Promise<ArchivePrefix> {
  const sizes = await Promise.all(blobs.map(async (b) => (await fs.stat(b.file)).size));
  const expected = 2 * BLOCK + sizes.reduce((s, n) => s + tarSize(n), 0);
  const common = { uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(mtime * 1000) };
  const pack = tar.pack();
  const out = pipeline(pack, createWriteStream(file));
  for (const dir of ['blobs/', 'blobs/sha256/'])
    await addEntry(pack, { ...common, name: dir, type: 'directory', mode: 0o755 }, Buffer.alloc(0));
  for (let i = 0; i < blobs.length; i++) {
    const name = `blobs/${blobs[i].digest.replace(':', '/')}`;
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry(
        { ...common, name, type: 'file', mode: 0o644, size: sizes[i] },
        (err) => (err ? reject(err) : resolve())
      );
      createReadStream(blobs[i].file, { highWaterMark: 4 << 20 })
        .on('error', reject)
        .pipe(sink);
    });
  }
  pack.finalize();
  await out;
  const written = (await fs.stat(file)).size;
  if (written !== expected + END_OF_ARCHIVE)
    throw new Error(`archive prefix ${file}: ${written} bytes written, ${expected} expected`);
  // The pack ends with two zero blocks; the prefix must not (members follow it).
  await fs.truncate(file, expected);
  await markPrefix(file);
  return { file, size: expected };
}

export interface PendingArchive {
  /** Appends the members (carrying `mtime`), moves the archive into place, returns its SHA-256. */
  finish(members: ArchiveMember[], mtime: number): Promise<{ sha256: string; size: number }>;
  /** Removes the unfinished archive. */
  abort(): Promise<void>;
}

/**
 * Starts an archive at `dest` from a prefix: taking (or copying) the prefix and resuming its
 * hash run in the background until `finish`.
 */
export function beginArchive(prefix: ArchivePrefix, dest: string): PendingArchive {
  const tmp = siblingTemp(dest);
  const forget = trackTemp(tmp);
  const started = startFromPrefix(prefix.file, prefix.size, tmp);
  const hashed = prefixHash(prefix.file, prefix.size, prefix.hashState);
  const settled = Promise.allSettled([started, hashed]);
  return {
    async finish(members, mtime) {
      try {
        const [start, hash] = await Promise.all([started, hashed]);
        const suffix = await tarBytes(
          members.map((m) => ({ path: m.name, type: 'file', mode: 0o644, data: m.data })),
          mtime
        );
        await appendToArchive(prefix.file, tmp, start, suffix);
        const size = (await fs.stat(tmp)).size;
        if (size !== prefix.size + suffix.length)
          throw new Error(
            `image archive ${tmp}: ${size} bytes, ${prefix.size + suffix.length} expected`
          );
        hash.update(suffix);
        const sha256 = hash.digestHex();
        await fs.rename(tmp, dest);
        return { sha256, size };
      } catch (e) {
        // Nothing may still be linking or copying into `tmp` once it is removed.
        await settled;
        await fs.rm(tmp, { force: true });
        throw e;
      } finally {
        forget();
      }
    },
    async abort() {
      await settled;
      await fs.rm(tmp, { force: true });
      forget();
    }
  };
}
