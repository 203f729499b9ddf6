import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import tar from 'tar-stream';
import { TarMember, makeTar } from './tar.js';

/**
 * A `docker save`-like archive with one layer of `members` (test input, read by the code under
 * test as a `docker-archive:` base; nothing in it ever runs).
 */
export async function writeDockerArchive(
  file: string,
  members: TarMember[],
  architecture = 'amd64'
): Promise<void> {
  // No members: an empty tar, two zero blocks.
  const layer = members.length ? await makeTar(members) : Buffer.alloc(1024);
  const diffId = 'sha256:' + createHash('sha256').update(layer).digest('hex');
  const cfg = JSON.stringify({
    architecture,
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [diffId] }
  });
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const add = (name: string, data: Buffer | string): Promise<void> =>
    new Promise((res, rej) => pack.entry({ name }, Buffer.from(data), (e) => (e ? rej(e) : res())));
  await add('c.json', cfg);
  await add('l/layer.tar', layer);
  await add(
    'manifest.json',
    JSON.stringify([{ Config: 'c.json', RepoTags: ['synthetic:1'], Layers: ['l/layer.tar'] }])
  );
  pack.finalize();
  await new Promise<void>((r) => pack.on('end', () => r()));
  await fs.writeFile(file, Buffer.concat(chunks));
}

/** A base with one empty layer: no Python in it. */
export function baseWithoutPython(file: string): Promise<void> {
  return writeDockerArchive(file, []);
}

/** The first 64 bytes of a 64-bit little-endian ELF executable for `machine` (e_machine). */
export function elfHead(machine: number): Buffer {
  const h = Buffer.alloc(64);
  h.write('\x7fELF', 0, 'latin1');
  h[4] = 2; // ELFCLASS64
  h[5] = 1; // little-endian
  h[6] = 1;
  h.writeUInt16LE(2, 16); // ET_EXEC
  h.writeUInt16LE(machine, 18);
  return h;
}

/**
 * A Debian-like arm64 base as the layers' file lists show it: /usr/bin/python3.11 (an aarch64
 * ELF header) and glibc 2.36's banner. Enough for the base's Python to be read, never run.
 */
export function arm64Base(file: string): Promise<void> {
  return writeDockerArchive(
    file,
    [
      { name: 'usr/bin/python3.11', data: elfHead(0xb7) },
      { name: 'usr/bin/python3', type: 'symlink', linkname: 'python3.11' },
      {
        name: 'usr/lib/aarch64-linux-gnu/libc.so.6',
        data: 'GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n'
      }
    ],
    'arm64'
  );
}
