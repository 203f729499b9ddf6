import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ArchiveMember,
  ArchivePrefix,
  beginArchive,
  writeArchivePrefix
} from '../../src/package/oci/archive.js';
import { sha256Digest } from '../../src/package/oci/json.js';
import { prefixIntact } from '../../src/package/oci/prefixshare.js';
import { tarMembers } from '../helpers/tar.js';

/** Real files on the real file system (ext4 here); /dev/shm is another one (tmpfs). */
async function tmp(root = os.tmpdir()): Promise<string> {
  return fs.mkdtemp(path.join(root, 'alb-share-'));
}

const BASE_BLOBS = [Buffer.alloc(70_000, 7), Buffer.from('second base layer')];

async function storedPrefix(): Promise<ArchivePrefix> {
  const store = await tmp();
  const blobs = await Promise.all(
    BASE_BLOBS.map(async (data, i) => {
      const file = path.join(store, `blob${i}`);
      await fs.writeFile(file, data);
      return { digest: sha256Digest(data), file };
    })
  );
  return writeArchivePrefix(path.join(store, 'prefix.tar'), blobs, 1600000000);
}

/** Our members for build `n`: a layer of its own size, so a stale suffix would show. */
function own(n: number): ArchiveMember[] {
  return [
    { name: `blobs/sha256/${String(n).repeat(64)}`, data: Buffer.alloc(1000 * n, n) },
    { name: 'index.json', data: Buffer.from(`{"build":${n}}`) }
  ];
}

interface Built {
  file: string;
  sha256: string;
  ino: number;
}

async function archive(prefix: ArchivePrefix, dest: string, n: number): Promise<Built> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const r = await beginArchive(prefix, dest).finish(own(n), 1700000000);
  return { file: dest, sha256: r.sha256, ino: (await fs.stat(dest)).ino };
}

/** The archive reads as the base's blobs then build `n`'s members, and hashes as recorded. */
async function expectWhole(a: Built, n: number): Promise<void> {
  const bytes = await fs.readFile(a.file);
  expect(sha256Digest(bytes)).toBe(`sha256:${a.sha256}`);
  const members = await tarMembers(bytes);
  expect(members.map((m) => m.data.length)).toEqual([
    0,
    0,
    ...BASE_BLOBS.map((b) => b.length),
    ...own(n).map((m) => m.data.length)
  ]);
  expect(members[2].data.equals(BASE_BLOBS[0])).toBe(true);
  expect(members.at(-1)?.data.toString()).toBe(`{"build":${n}}`);
}

const inode = async (file: string): Promise<{ ino: number; nlink: number }> => {
  const st = await fs.stat(file);
  return { ino: st.ino, nlink: st.nlink };
};

describe('image archives sharing the stored prefix file', () => {
  it('shares the prefix when nothing else links it, copies it while an earlier archive does', async () => {
    const prefix = await storedPrefix();
    const out = await tmp();
    const prefixIno = (await inode(prefix.file)).ino;
    const a1 = await archive(prefix, path.join(out, '1', 'app.image.tar'), 1);
    expect(await inode(a1.file)).toEqual({ ino: prefixIno, nlink: 2 });
    await expectWhole(a1, 1);
    // a1 still holds the prefix: a2 is a copy, and a1 is left as it was.
    const a2 = await archive(prefix, path.join(out, '2', 'app.image.tar'), 2);
    expect(a2.ino).not.toBe(prefixIno);
    await expectWhole(a2, 2);
    await expectWhole(a1, 1);
    // a1 deleted: a3 takes the prefix again, without a1's members.
    await fs.rm(a1.file);
    const a3 = await archive(prefix, path.join(out, '3', 'app.image.tar'), 3);
    expect(await inode(a3.file)).toEqual({ ino: prefixIno, nlink: 2 });
    await expectWhole(a3, 3);
    await expectWhole(a2, 2);
    expect(await prefixIntact(prefix.file)).toBe(true);
  });

  it('rebuilds into the same OUT replace the archive whole, sharing every other time', async () => {
    const prefix = await storedPrefix();
    const dest = path.join(await tmp(), 'app.image.tar');
    const prefixIno = (await inode(prefix.file)).ino;
    const shared: boolean[] = [];
    for (const n of [1, 2, 3, 4]) {
      const a = await archive(prefix, dest, n);
      await expectWhole(a, n);
      shared.push(a.ino === prefixIno);
    }
    // The previous archive holds the prefix until it is replaced.
    expect(shared).toEqual([true, false, true, false]);
    expect((await fs.readdir(path.dirname(dest))).sort()).toEqual(['app.image.tar']);
  });

  it('an archive on another file system gets a copy of the prefix', async () => {
    const prefix = await storedPrefix();
    const a = await archive(prefix, path.join(await tmp('/dev/shm'), 'app.image.tar'), 1);
    expect(a.ino).not.toBe((await inode(prefix.file)).ino);
    await expectWhole(a, 1);
    expect((await inode(prefix.file)).nlink).toBe(1);
  });

  it('archives built at once on one prefix: one shares it, the others copy it, all whole', async () => {
    const prefix = await storedPrefix();
    const out = await tmp();
    const prefixIno = (await inode(prefix.file)).ino;
    const built = await Promise.all(
      [1, 2, 3].map((n) => archive(prefix, path.join(out, `${n}.tar`), n))
    );
    for (const [i, a] of built.entries()) await expectWhole(a, i + 1);
    expect(built.filter((a) => a.ino === prefixIno)).toHaveLength(1);
  });

  it('an aborted or failed archive gives the prefix back and leaves no temporary file', async () => {
    const prefix = await storedPrefix();
    const out = await tmp();
    await beginArchive(prefix, path.join(out, 'gone.tar')).abort();
    expect((await inode(prefix.file)).nlink).toBe(1);
    // Failing at the very end, after its members went onto the shared prefix: the destination
    // is a directory in the way.
    await fs.mkdir(path.join(out, 'bad.tar', 'in-the-way'), { recursive: true });
    const bad = beginArchive(prefix, path.join(out, 'bad.tar'));
    await expect(bad.finish(own(2), 0)).rejects.toThrow();
    expect(await fs.readdir(out)).toEqual(['bad.tar']);
    expect((await inode(prefix.file)).nlink).toBe(1);
    expect(await prefixIntact(prefix.file)).toBe(true);
    const a = await archive(prefix, path.join(out, 'ok.tar'), 1);
    expect(a.ino).toBe((await inode(prefix.file)).ino);
    await expectWhole(a, 1);
  });

  it('a prefix written through an archive that shares it is no longer trusted', async () => {
    const prefix = await storedPrefix();
    const a = await archive(prefix, path.join(await tmp(), 'app.image.tar'), 1);
    expect(await prefixIntact(prefix.file)).toBe(true);
    const fh = await fs.open(a.file, 'r+');
    await fh.write(Buffer.from('tampered'), 0, 8, 2048);
    await fh.close();
    expect(await prefixIntact(prefix.file)).toBe(false);
  });
});
