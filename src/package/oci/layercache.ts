import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CacheOptions } from '../../config/options.js';
import { pruneOldest, sha256, sha256File, writeFileAtomic } from '../../runtime/fsutil.js';
import { cacheRoot } from '../../runtime/toolenv.js';
import { LocalWheel } from '../inputs.js';
import { LayerBlob } from './layer.js';

/**
 * Built dependency layers, kept by what they are made of: the dependency wheels' bytes, the
 * base's Python and platform, and the interpreter whose pip installed them. A code-only change
 * then runs pip for the project's own wheel alone and reuses the dependency layer as it is.
 */

/** Bumped when the dependency layer's content or format changes for the same inputs. */
const LAYER_FORMAT = 2;
const KEEP = 20;

export interface DepsLayerInputs {
  deps: LocalWheel[];
  hostPython: string;
  executable: string;
  version: string;
  platforms: string[];
}

export async function depsLayerKey(i: DepsLayerInputs): Promise<string> {
  const wheels = await Promise.all(
    [...i.deps]
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
      .map(async (w) => [w.file, await sha256File(w.abs)])
  );
  return sha256(
    JSON.stringify([LAYER_FORMAT, wheels, i.hostPython, i.executable, i.version, i.platforms])
  ).slice(0, 32);
}

function layerDir(opts: CacheOptions): string {
  return path.join(cacheRoot(opts), 'package', 'layers');
}

type Meta = Omit<LayerBlob, 'data'> & { format: number };

/** The cached layer, checked against its digest; null when absent or damaged. */
export async function readDepsLayer(opts: CacheOptions, key: string): Promise<LayerBlob | null> {
  const dir = layerDir(opts);
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, `${key}.json`), 'utf8')) as Meta;
    if (meta.format !== LAYER_FORMAT) return null;
    const file = path.join(dir, `${key}.tar.gz`);
    const data = await fs.readFile(file);
    if ('sha256:' + sha256(data) !== meta.digest || data.length !== meta.size) return null;
    const now = new Date();
    await fs.utimes(file, now, now).catch(() => undefined);
    const { format: _format, ...blob } = meta;
    return { ...blob, data };
  } catch {
    return null;
  }
}

/** Keeps a built layer (best effort: a cache that cannot be written only costs time). */
export async function writeDepsLayer(
  opts: CacheOptions,
  key: string,
  layer: LayerBlob
): Promise<void> {
  const dir = layerDir(opts);
  const { data, ...meta } = layer;
  try {
    await writeFileAtomic(path.join(dir, `${key}.tar.gz`), data);
    await writeFileAtomic(
      path.join(dir, `${key}.json`),
      JSON.stringify({ ...meta, format: LAYER_FORMAT })
    );
    const stale = await pruneOldest(dir, KEEP, (n) => n.endsWith('.tar.gz'));
    for (const n of stale)
      await fs.rm(path.join(dir, n.replace(/\.tar\.gz$/, '.json')), { force: true });
  } catch {
    /* not kept */
  }
}
