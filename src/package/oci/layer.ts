import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';
import { comparePaths } from '../tree.js';
import { MEDIA } from './json.js';

/** A file system entry of a layer; `path` is relative to `/`, without a leading slash. */
export interface LayerEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  linkname?: string;
  /** File content, or the file on disk to read it from. */
  data?: Buffer;
  source?: string;
}

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

const gzip = promisify(zlib.gzip);

/**
 * A deterministic layer: entries sorted by path (parents first), uid/gid 0 without names, one
 * mtime (SOURCE_DATE_EPOCH), canonical modes, then gzip at a fixed level whose header carries
 * mtime 0 and a fixed OS byte (zlib writes its build's OS code there).
 */
export async function buildLayer(entries: LayerEntry[], sde: number): Promise<LayerBlob> {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].path === sorted[i - 1].path)
      throw new Error(`layer: ${sorted[i].path} appears twice`);
  }
  const tarBuf = await packTar(sorted, sde);
  const gz = (await gzip(tarBuf, { level: 6, memLevel: 8, windowBits: 15 })) as Buffer;
  gz[9] = 3; // OS: Unix, whichever platform's zlib wrote the header
  return {
    data: gz,
    digest: 'sha256:' + createHash('sha256').update(gz).digest('hex'),
    size: gz.length,
    diffId: 'sha256:' + createHash('sha256').update(tarBuf).digest('hex'),
    mediaType: MEDIA.layerGzip,
    tarSize: tarBuf.length
  };
}

async function packTar(entries: LayerEntry[], sde: number): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  const mtime = new Date(sde * 1000);
  for (const e of entries) {
    const common = { mode: e.mode, uid: 0, gid: 0, uname: '', gname: '', mtime };
    if (e.type === 'dir') {
      await addEntry(pack, { ...common, name: e.path.replace(/\/?$/, '/'), type: 'directory' });
    } else if (e.type === 'symlink') {
      await addEntry(pack, {
        ...common,
        name: e.path,
        type: 'symlink',
        linkname: e.linkname ?? ''
      });
    } else {
      const data = e.data ?? (await fs.readFile(e.source ?? ''));
      await addEntry(pack, { ...common, name: e.path, type: 'file', size: data.length }, data);
    }
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function addEntry(
  pack: tar.Pack,
  header: Partial<tar.Header> & { name: string },
  data?: Buffer
): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

/** Directory entries for every parent of `p` (e.g. `app`, `app/venv` for `app/venv/bin`). */
export function parentDirs(p: string): LayerEntry[] {
  const parts = p.split('/').filter(Boolean);
  const out: LayerEntry[] = [];
  for (let i = 1; i <= parts.length; i++)
    out.push({ path: parts.slice(0, i).join('/'), type: 'dir', mode: 0o755 });
  return out;
}

/** Writes a blob into an OCI layout's blob store. */
export async function writeBlob(
  layoutDir: string,
  digest: string,
  data: Buffer | string
): Promise<void> {
  const file = path.join(layoutDir, 'blobs', ...digest.split(':'));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}
