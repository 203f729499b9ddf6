import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { trackTemp } from '../../runtime/cleanup.js';
import { CacheOptions, Options } from '../../config/options.js';
import { pruneOldest } from '../../runtime/fsutil.js';
import { cacheRoot } from '../../runtime/toolenv.js';
import { BaseImage, BaseLayer, ImageConfig } from './base.js';
import { ArchivePrefix, writeArchivePrefix } from './archive.js';
import { HashState, PREFIX_HASH_IMPL, prefixHashState } from './prefixhash.js';
import { baseKey } from './inspectcache.js';
import { prefixIntact } from './prefixshare.js';
import { loadBase } from './source.js';

/**
 * A base image ready for building on: its layer blobs as files (for the OCI layout) and the
 * first part of every image archive built on it (`prefix`: the tar members holding those
 * blobs), so a rebuild neither re-reads the base nor re-tars its layers.
 */
export interface StoredBase {
  base: BaseImage;
  prefix: ArchivePrefix;
  /** Digests the prefix holds. */
  prefixBlobs: string[];
  /** Whether it came from the store (false: read from the source in this run). */
  reused: boolean;
}

/**
 * Bumped when the store's layout or the prefix's bytes change (2: the prefix's hash state;
 * 3: the prefix's mark, archives sharing the prefix file).
 */
const STORE_FORMAT = 3;
/** Bases kept; each costs about twice its size on disk (blobs + archive prefix). */
const KEEP = 3;

interface EntryJson {
  format: number;
  config: ImageConfig;
  layers: Omit<BaseLayer, 'file'>[];
  manifestDigest?: string;
  prefixSize: number;
  prefixBlobs: string[];
  /** The SHA-256 state after the prefix (prefixhash.ts). */
  prefixHash?: HashState;
}

function storeRoot(opts: CacheOptions): string {
  return path.join(cacheRoot(opts), 'package', 'bases');
}

function blobFile(dir: string, digest: string): string {
  return path.join(dir, 'blobs', ...digest.split(':'));
}

/** Reads a complete store entry; null when absent or damaged (it is then rebuilt). */
async function readEntry(dir: string, ref: string): Promise<StoredBase | null> {
  let e: EntryJson;
  try {
    e = JSON.parse(await fs.readFile(path.join(dir, 'entry.json'), 'utf8')) as EntryJson;
  } catch {
    return null;
  }
  if (e.format !== STORE_FORMAT || !Array.isArray(e.layers)) return null;
  const prefix = path.join(dir, 'prefix.tar');
  try {
    // Longer than its size while an archive shares it (prefixshare.ts).
    if ((await fs.stat(prefix)).size < e.prefixSize || !(await prefixIntact(prefix))) return null;
    for (const l of e.layers)
      if ((await fs.stat(blobFile(dir, l.digest))).size !== l.size) return null;
  } catch {
    return null;
  }
  const now = new Date();
  await fs.utimes(dir, now, now).catch(() => undefined);
  return {
    base: {
      ref,
      config: e.config,
      layers: e.layers.map((l) => ({ ...l, file: blobFile(dir, l.digest) })),
      ...(e.manifestDigest ? { manifestDigest: e.manifestDigest } : {})
    },
    prefix: {
      file: prefix,
      size: e.prefixSize,
      ...(e.prefixHash ? { hashState: e.prefixHash } : {})
    },
    prefixBlobs: e.prefixBlobs,
    reused: true
  };
}

/** Moves (or copies) the base's blobs into `dir` and writes the archive prefix and entry.json. */
async function writeEntry(
  base: BaseImage,
  dir: string,
  move: boolean
): Promise<Omit<StoredBase, 'base' | 'reused'>> {
  const unique = [...new Map(base.layers.map((l) => [l.digest, l])).values()];
  await fs.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const l of unique) {
    const dest = blobFile(dir, l.digest);
    if (move) await fs.rename(l.file, dest).catch(() => fs.copyFile(l.file, dest));
    else await fs.copyFile(l.file, dest);
  }
  const prefixFile = path.join(dir, 'prefix.tar');
  const prefixBlobs = unique.map((l) => l.digest);
  const prefix = await writeArchivePrefix(
    prefixFile,
    unique.map((l) => ({ digest: l.digest, file: blobFile(dir, l.digest) })),
    baseTime(base.config)
  );
  prefix.hashState = {
    impl: PREFIX_HASH_IMPL,
    state: await prefixHashState(prefixFile, prefix.size)
  };
  const entry: EntryJson = {
    format: STORE_FORMAT,
    config: base.config,
    layers: base.layers.map(({ file: _file, ...rest }) => rest),
    ...(base.manifestDigest ? { manifestDigest: base.manifestDigest } : {}),
    prefixSize: prefix.size,
    prefixBlobs,
    prefixHash: prefix.hashState
  };
  await fs.writeFile(path.join(dir, 'entry.json'), JSON.stringify(entry));
  return { prefix, prefixBlobs };
}

/**
 * The time the archive's base members carry: the base's own `created` (not the project's
 * SOURCE_DATE_EPOCH, which moves with every commit and would make the prefix single-use).
 */
export function baseTime(config: ImageConfig): number {
  const t = config.created ? Date.parse(config.created) : NaN;
  return Number.isFinite(t) && t > 0 ? Math.floor(t / 1000) : 0;
}

/**
 * The base of `opts.base`, from the store when a local archive or layout is unchanged since it
 * was stored (same path, size, mtime, inode), else read from its source and stored. Registry
 * references are read each time (a tag can move); their entry lives in `work` only.
 */
export async function storedBase(
  opts: Options,
  work: string,
  baseKeyP: Promise<string | null> = baseKey(opts)
): Promise<StoredBase> {
  baseKeyP.catch(() => undefined); // unused when the cache cannot be written
  const root = storeRoot(opts);
  // A cache directory that cannot be written only costs time: the entry then lives in `work`.
  const key = (await writableDir(root)) ? await baseKeyP : null;
  const dir = key ? path.join(root, `v${STORE_FORMAT}-${key}`) : path.join(work, 'base-entry');
  if (key) {
    const hit = await readEntry(dir, opts.base);
    if (hit) return hit;
  }
  const loaded = await loadBase(opts, path.join(work, 'base'));
  // Blobs unpacked or pulled into `work` are moved; a user's OCI layout is copied from.
  const fromWork = loaded.layers.every((l) => l.file.startsWith(work + path.sep));
  if (!key) {
    const parts = await writeEntry(loaded, dir, fromWork);
    const layers = loaded.layers.map((l) => ({ ...l, file: blobFile(dir, l.digest) }));
    return { base: { ...loaded, layers }, ...parts, reused: false };
  }
  // Written aside and renamed into place: a reader sees a whole entry or none.
  const tmp = `${dir}.${process.pid}.tmp`;
  const forget = trackTemp(tmp);
  await fs.rm(tmp, { recursive: true, force: true });
  try {
    await writeEntry(loaded, tmp, fromWork);
    // Another process may have stored the same base meanwhile: theirs is as good as ours.
    const theirs = await readEntry(dir, opts.base);
    if (theirs) {
      await fs.rm(tmp, { recursive: true, force: true });
      return { ...theirs, reused: false };
    }
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    forget();
  }
  await pruneOldest(root, KEEP, (n) => n.startsWith('v') && !n.endsWith('.tmp'));
  const stored = await readEntry(dir, opts.base);
  if (!stored) throw new Error(`base store: the entry ${dir} cannot be read back`);
  return { ...stored, reused: false };
}

async function writableDir(dir: string): Promise<boolean> {
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}
