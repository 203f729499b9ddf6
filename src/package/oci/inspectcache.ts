import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CacheOptions, Options } from '../../config/options.js';
import { sha256, writeFileAtomic } from '../../runtime/fsutil.js';
import { cacheRoot } from '../../runtime/toolenv.js';
import { BasePython } from './inspect.js';
import { daemonImageId, parseBase } from './source.js';

/**
 * What names a base's content without reading it: a local file's identity (path, size, mtime,
 * inode), or the engine's image ID for `docker-daemon:`. It keys the base store and the
 * remembered inspection, so a repeated build knows the target Python at once. Registry
 * references get none: a tag can move.
 */
export async function baseKey(opts: Options): Promise<string | null> {
  const src = parseBase(opts.base, opts.projectDir);
  if (src.kind === 'registry') return null;
  if (src.kind === 'daemon')
    return sha256(JSON.stringify([src, await daemonImageId(opts, src.ref)])).slice(0, 24);
  const file = src.kind === 'oci' ? path.join(src.path, 'index.json') : src.path;
  try {
    const st = await fs.stat(file);
    return sha256(JSON.stringify([src, st.size, st.mtimeMs, st.ino])).slice(0, 24);
  } catch {
    return null;
  }
}

/**
 * v2: remembered only once every layer passed the archive guard (older entries never did);
 * v3: with the interpreter's Debian package.
 */
const FORMAT = 3;

function file(opts: CacheOptions, key: string): string {
  return path.join(cacheRoot(opts), 'package', `base-v${FORMAT}-${key}.json`);
}

export async function readInspectCache(
  opts: CacheOptions,
  key: string | null
): Promise<BasePython | null> {
  if (!key) return null;
  try {
    const v = JSON.parse(await fs.readFile(file(opts, key), 'utf8')) as BasePython;
    return v.executable && v.version && v.arch ? v : null;
  } catch {
    return null;
  }
}

export async function writeInspectCache(
  opts: CacheOptions,
  key: string | null,
  py: BasePython
): Promise<void> {
  if (!key) return;
  await writeFileAtomic(file(opts, key), JSON.stringify(py)).catch(() => undefined);
}
