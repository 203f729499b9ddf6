import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import yazl from 'yazl';
import { zipEpoch } from '../runtime/sde.js';
import { TreeEntry } from './tree.js';

/** An archive member; `data` is the content (files only). */
export interface ZipMember {
  name: string;
  type: 'dir' | 'file';
  mode: number;
  data?: Buffer;
}

/**
 * The zip timestamp for SOURCE_DATE_EPOCH. yazl encodes DOS times from local-time fields, so
 * the UTC fields are moved into a local Date: the archive is the same in every time zone.
 */
export function zipDate(sde: number): Date {
  const d = new Date(zipEpoch(sde) * 1000);
  return new Date(
    d.getUTCFullYear(),
    d.getUTCMonth(),
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds()
  );
}

/** Members from a walked tree, in its (sorted) order; symlinks are refused by the caller. */
export async function membersFromTree(entries: TreeEntry[], prefix = ''): Promise<ZipMember[]> {
  const out: ZipMember[] = [];
  for (const e of entries) {
    if (e.type === 'dir') out.push({ name: prefix + e.path + '/', type: 'dir', mode: 0o755 });
    else if (e.type === 'file')
      out.push({
        name: prefix + e.path,
        type: 'file',
        mode: e.mode,
        data: await fs.readFile(e.abs)
      });
  }
  return out;
}

/**
 * Writes a deterministic zip: members in the given order (callers sort), one fixed DOS
 * timestamp, canonical unix modes, fixed compression level, optional preamble (a shebang line).
 * Written to a temp file beside `dest` then renamed.
 */
export async function writeZip(
  dest: string,
  members: ZipMember[],
  sde: number,
  preamble?: Buffer,
  fileMode = 0o644
): Promise<void> {
  const mtime = zipDate(sde);
  const zip = new yazl.ZipFile();
  for (const m of members) {
    if (m.type === 'dir')
      zip.addEmptyDirectory(m.name, { mtime, mode: 0o40000 | 0o755, forceDosTimestamp: true });
    else
      zip.addBuffer(m.data ?? Buffer.alloc(0), m.name, {
        mtime,
        mode: 0o100000 | (m.mode & 0o777),
        forceDosTimestamp: true,
        compressionLevel: 6
      });
  }
  zip.end();
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.tmp`);
  try {
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(tmp, { mode: fileMode });
      out.on('error', reject);
      out.on('close', () => resolve());
      if (preamble) out.write(preamble);
      zip.outputStream.on('error', reject).pipe(out);
    });
    await fs.chmod(tmp, fileMode);
    await fs.rename(tmp, dest);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
