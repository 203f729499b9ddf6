import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { Member, MemberGuard, tarMemberType, zipMemberType } from '../../runtime/extract.js';
import { gzipFixed } from '../../runtime/deflate.js';
import { collect } from '../../runtime/zip.js';
import { readZipContents } from '../../runtime/zipread.js';

export type { Member } from '../../runtime/extract.js';
export { dosDateTime, writeZip } from '../../runtime/zip.js';

/** Reads every member of a wheel, refusing unsafe members and symlinks (runtime/extract.ts). */
export async function readZip(file: string): Promise<Member[]> {
  const { members } = await readZipContents(file);
  const guard = new MemberGuard(path.basename(file), { symlinks: false });
  const out = members.map((m): Member => {
    const type = zipMemberType(m.mode, m.isDirectory);
    guard.admit({ name: m.name, type });
    return type === 'directory'
      ? { name: m.name, type, mode: m.mode & 0o7777, data: Buffer.alloc(0) }
      : { name: m.name, type: 'file', mode: m.mode & 0o7777, data: m.data };
  });
  guard.finish();
  return out;
}

/**
 * Reads every member of a .tar.gz (pax and GNU long names resolved by tar-stream), refusing
 * unsafe members (runtime/extract.ts) and those an sdist cannot carry (hard links).
 */
export async function readTarGz(file: string): Promise<Member[]> {
  const label = path.basename(file);
  const raw = zlib.gunzipSync(await fs.readFile(file));
  const extract = tar.extract();
  const guard = new MemberGuard(label);
  const out: Member[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      collect(stream).then((data) => {
        try {
          const type = tarMemberType(header.type);
          guard.admit({ name: header.name, type, linkname: header.linkname ?? undefined });
          if (type !== 'file' && type !== 'directory' && type !== 'symlink')
            throw new Error(
              `${label}: unsupported tar member type ${header.type} (${header.name})`
            );
          out.push({
            name: header.name,
            type,
            mode: (header.mode ?? 0) & 0o7777,
            data,
            linkname: header.linkname ?? undefined
          });
        } catch (e) {
          reject(e as Error);
          return;
        }
        next();
      }, reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(raw);
  await done;
  guard.finish();
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
