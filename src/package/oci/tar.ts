import { promises as fs } from 'node:fs';
import tar from 'tar-stream';

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

/**
 * A whole tar in memory, entries in the order given, owned by 0:0 without names, all with one
 * mtime (seconds): layers and the archive's own members.
 */
export async function tarBytes(entries: LayerEntry[], mtime: number): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  const time = new Date(mtime * 1000);
  for (const e of entries) {
    const common = { mode: e.mode, uid: 0, gid: 0, uname: '', gname: '', mtime: time };
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

/** Adds one entry and waits until the pack has taken it. */
export function addEntry(
  pack: tar.Pack,
  header: Partial<tar.Header> & { name: string },
  data?: Buffer
): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}
