import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { gzipFixed } from '../../runtime/deflate.js';
import { collect } from '../../runtime/zip.js';
import { readZipContents } from '../../runtime/zipread.js';

export { dosDateTime, writeZip } from '../../runtime/zip.js';

/** One member of an archive, held in memory (wheels and sdists are small enough). */
export interface Member {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits as found (0 when the archive did not say). */
  mode: number;
  data: Buffer;
  linkname?: string;
}

/** Reads every member of a zip file (a symlink entry reads as a file holding its target). */
export async function readZip(file: string): Promise<Member[]> {
  const { members } = await readZipContents(file);
  return members.map((m) => ({
    name: m.name,
    type: m.isDirectory ? 'directory' : 'file',
    mode: m.mode & 0o7777,
    data: m.isDirectory ? Buffer.alloc(0) : m.data
  }));
}

/** Reads every member of a .tar.gz (pax and GNU long names resolved by tar-stream). */
export async function readTarGz(file: string): Promise<Member[]> {
  const raw = zlib.gunzipSync(await fs.readFile(file));
  const extract = tar.extract();
  const out: Member[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      collect(stream).then((data) => {
        const type =
          header.type === 'directory'
            ? 'directory'
            : header.type === 'symlink'
              ? 'symlink'
              : header.type === 'file' || header.type === 'contiguous-file'
                ? 'file'
                : null;
        if (type === null) {
          reject(
            new Error(
              `${path.basename(file)}: unsupported tar member type ${header.type} (${header.name})`
            )
          );
          return;
        }
        out.push({
          name: header.name,
          type,
          mode: (header.mode ?? 0) & 0o7777,
          data,
          linkname: header.linkname ?? undefined
        });
        next();
      }, reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(raw);
  await done;
  return out;
}

/**
 * Writes members (in the given order) as a gzip'd ustar/pax tar: mtime `epoch`, uid/gid 0,
 * empty user/group names; gzip'd with the pinned deflate and its fixed header (no file name,
 * mtime 0).
 */
export async function writeTarGz(members: Member[], epoch: number): Promise<Buffer> {
  const pack = tar.pack();
  const result = collect(pack);
  const mtime = new Date(epoch * 1000);
  for (const m of members) {
    const header = { name: m.name, mode: m.mode, mtime, uid: 0, gid: 0, uname: '', gname: '' };
    if (m.type === 'directory') pack.entry({ ...header, type: 'directory' });
    else if (m.type === 'symlink')
      pack.entry({ ...header, type: 'symlink', linkname: m.linkname ?? '' });
    else pack.entry({ ...header, type: 'file', size: m.data.length }, m.data);
  }
  pack.finalize();
  return gzipFixed(await result, 9);
}

/** Writes members below `dir`, refusing names that would escape it. */
export async function unpackMembers(members: Member[], dir: string): Promise<void> {
  const root = path.resolve(dir);
  for (const m of members) {
    const dest = path.resolve(root, m.name);
    if (dest !== root && !dest.startsWith(root + path.sep))
      throw new Error(`archive member escapes the target directory: ${m.name}`);
    if (m.type === 'directory') {
      await fs.mkdir(dest, { recursive: true });
      continue;
    }
    await fs.mkdir(path.dirname(dest), { recursive: true });
    if (m.type === 'symlink') await fs.symlink(m.linkname ?? '', dest);
    else await fs.writeFile(dest, m.data, { mode: m.mode & 0o111 ? 0o755 : 0o644 });
  }
}
