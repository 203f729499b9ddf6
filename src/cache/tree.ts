import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { MemberGuard, memberPath, tarMemberType } from '../runtime/extract.js';

/**
 * A directory tree as one plain tar file, so a tree (the compiler cache) can be a cache entry,
 * whose entries are flat files. Streamed both ways: the tree may be hundreds of megabytes.
 */

/** Writes the regular files below `dir` (sorted, skipping names `skip` refuses at any depth). */
export async function packTree(
  dir: string,
  file: string,
  skip: (name: string) => boolean
): Promise<number> {
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(file));
  let count = 0;
  try {
    for (const rel of await listTree(dir, skip)) {
      const full = path.join(dir, ...rel.split('/'));
      const st = await fs.stat(full);
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name: rel, size: st.size, mode: 0o644, type: 'file' }, (e) =>
          e ? reject(e) : resolve()
        );
        createReadStream(full).on('error', reject).pipe(entry);
      });
      count++;
    }
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    await written.catch(() => undefined);
    throw e;
  }
  await written;
  return count;
}

async function listTree(
  dir: string,
  skip: (name: string) => boolean,
  prefix = ''
): Promise<string[]> {
  const ents = await fs.readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of ents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (skip(e.name)) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listTree(dir, skip, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/**
 * Unpacks `file` below `dir`: regular files and directories only, every name checked
 * (runtime/extract.ts), names `skip` refuses left out, files already there kept. Returns the number
 * of files written.
 */
export async function unpackTree(
  file: string,
  dir: string,
  skip: (name: string) => boolean
): Promise<number> {
  const guard = new MemberGuard(path.basename(file), { symlinks: false });
  const extract = tar.extract();
  let count = 0;
  extract.on('entry', (header, stream, next) => {
    // A refused member destroys the extract and, with it, this stream: the error is the extract's.
    stream.on('error', () => undefined);
    const done = (e?: unknown): void => {
      if (e) extract.destroy(e as Error);
      else next();
    };
    try {
      const type = tarMemberType(header.type);
      guard.admit({ name: header.name, type });
      if (type !== 'file' && type !== 'directory')
        throw new Error(`${path.basename(file)}: unexpected ${type} ${header.name}`);
      const rel = memberPath(header.name);
      if (type === 'directory' || !rel || rel.split('/').some(skip)) {
        stream.resume();
        stream.on('end', () => done());
        return;
      }
      const dest = path.join(dir, ...rel.split('/'));
      void writeNew(dest, stream).then((wrote) => {
        if (wrote) count++;
        done();
      }, done);
    } catch (e) {
      stream.resume();
      done(e);
    }
  });
  await fs.mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    const input = createReadStream(file).on('error', (e) => extract.destroy(e));
    input.pipe(extract as unknown as NodeJS.WritableStream);
  });
  return count;
}

/** Writes `stream` to `dest` unless a file is there; a temp name first, so readers see it whole. */
async function writeNew(dest: string, stream: AsyncIterable<unknown>): Promise<boolean> {
  const there = await fs.lstat(dest).then(
    () => true,
    () => false
  );
  if (there) {
    for await (const chunk of stream) void chunk;
    return false;
  }
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.albatross-${process.pid}.tmp`;
  try {
    await pipeline(Readable.from(stream), createWriteStream(tmp, { flags: 'wx' }));
    await fs.rename(tmp, dest);
  } finally {
    await fs.rm(tmp, { force: true });
  }
  return true;
}
