import { createHash } from 'node:crypto';
import { gzipFixed } from '../../runtime/deflate.js';
import { comparePaths } from '../tree.js';
import { MEDIA } from './json.js';
import { LayerEntry, tarBytes } from './tar.js';

export interface LayerBlob {
  /** Compressed tar (the blob), its digest and size; `diffId` is the digest of the tar. */
  data: Buffer;
  digest: string;
  size: number;
  diffId: string;
  mediaType: string;
  /** Uncompressed size, for reports. */
  tarSize: number;
}

/**
 * A deterministic layer: entries sorted by path (parents first), uid/gid 0 without names, one
 * mtime (SOURCE_DATE_EPOCH), canonical modes, then gzip at a fixed level with the pinned deflate
 * and a fixed header (runtime/deflate.ts), so any Node gives the same blob.
 */
export async function buildLayer(entries: LayerEntry[], sde: number): Promise<LayerBlob> {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].path === sorted[i - 1].path)
      throw new Error(`layer: ${sorted[i].path} appears twice`);
  }
  const tarBuf = await tarBytes(sorted, sde);
  const gz = gzipFixed(tarBuf, 6);
  return {
    data: gz,
    digest: 'sha256:' + createHash('sha256').update(gz).digest('hex'),
    size: gz.length,
    diffId: 'sha256:' + createHash('sha256').update(tarBuf).digest('hex'),
    mediaType: MEDIA.layerGzip,
    tarSize: tarBuf.length
  };
}

/** Directory entries for every parent of `p` (e.g. `app`, `app/venv` for `app/venv/bin`). */
export function parentDirs(p: string): LayerEntry[] {
  const parts = p.split('/').filter(Boolean);
  const out: LayerEntry[] = [];
  for (let i = 1; i <= parts.length; i++)
    out.push({ path: parts.slice(0, i).join('/'), type: 'dir', mode: 0o755 });
  return out;
}
