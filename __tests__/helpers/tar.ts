import tar from 'tar-stream';

/** One member of a test tar: tar-stream writes any name, type and link it is given. */
export interface TarMember {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  linkname?: string;
  data?: Buffer | string;
}

/** A tar of the members (mode 0755, devices 1:3), as test input: the code under test never writes it. */
export async function makeTar(members: TarMember[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const end = new Promise<void>((r) => pack.on('end', () => r()));
  for (const m of members) {
    const type = m.type ?? 'file';
    const data = type === 'file' ? Buffer.from(m.data ?? '') : Buffer.alloc(0);
    await new Promise<void>((res, rej) =>
      pack.entry(
        {
          name: m.name,
          type,
          linkname: m.linkname,
          size: data.length,
          mode: 0o755,
          devmajor: 1,
          devminor: 3
        },
        data,
        (e) => (e ? rej(e) : res())
      )
    );
  }
  pack.finalize();
  await end;
  return Buffer.concat(chunks);
}

/** Every member of a tar: name, mtime (seconds) and bytes, in archive order. */
export async function tarMembers(
  buf: Buffer
): Promise<{ name: string; mtime: number; data: Buffer }[]> {
  const out: { name: string; mtime: number; data: Buffer }[] = [];
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out.push({
        name: h.name,
        mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000),
        data: Buffer.concat(chunks)
      });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
    extract.end(buf);
  });
  return out;
}
