import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../runtime/fsutil.js';
import { zipEpoch } from '../runtime/sde.js';
import { writeZip as writeZipBytes } from '../runtime/zip.js';
import { TreeEntry } from './tree.js';

/** An archive member; `data` is the content (files only). */
export interface ZipMember {
  name: string;
  type: 'dir' | 'file';
  mode: number;
  data?: Buffer;
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
 * Writes a deterministic zip (the shared writer: callers sort, fixed DOS time from
 * SOURCE_DATE_EPOCH, canonical unix modes) with an optional preamble (a shebang line), to a
 * temp file beside `dest` then renamed.
 */
export async function writeZip(
  dest: string,
  members: ZipMember[],
  sde: number,
  preamble?: Buffer,
  fileMode = 0o644
): Promise<void> {
  const bytes = await writeZipBytes(
    members.map((m) => ({ ...m, mode: m.type === 'dir' ? 0o755 : m.mode & 0o777 })),
    zipEpoch(sde)
  );
  await writeFileAtomic(dest, preamble ? Buffer.concat([preamble, bytes]) : bytes, '', fileMode);
}
