import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';
import { dosDateTime, readTarGz, readZip } from '../../src/build/normalize/archive.js';
import { normalizeSdist } from '../../src/build/normalize/sdist.js';
import { normalizeWheel, recordText, wheelOrder } from '../../src/build/normalize/wheel.js';

async function tmp(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'albatross-norm-test-'));
}

/** A messy wheel: unsorted, directory entries, odd modes, stale RECORD, local timestamps. */
async function messyWheel(file: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const add = (
    name: string,
    data: string,
    mode: number,
    mtime = new Date(2021, 5, 3, 4, 5, 6)
  ): void => zip.addBuffer(Buffer.from(data), name, { mode, mtime });
  add('demo-1.0.dist-info/RECORD', 'stale,,\n', 0o100600);
  add('demo/__init__.py', 'X = 1\n', 0o100664);
  zip.addEmptyDirectory('demo/', { mtime: new Date() });
  add('demo-1.0.data/scripts/run', '#!python\n', 0o100644);
  add('demo-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n', 0o100666);
  add('demo/tool.sh', 'echo hi\n', 0o100775);
  add('demo-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\n', 0o100644);
  add('a,odd.py', 'pass\n', 0o100644);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  await fs.writeFile(file, Buffer.concat(chunks));
}

describe('wheel normalisation', () => {
  it('orders members, drops directories, fixes modes and regenerates a valid RECORD', async () => {
    const dir = await tmp();
    const src = path.join(dir, 'demo-1.0-py3-none-any.whl');
    await messyWheel(src);
    const out = path.join(dir, 'out.whl');
    await fs.writeFile(out, await normalizeWheel(src, 1700000000));
    const members = await readZip(out);
    expect(members.map((m) => m.name)).toEqual([
      'a,odd.py',
      'demo-1.0.data/scripts/run',
      'demo/__init__.py',
      'demo/tool.sh',
      'demo-1.0.dist-info/METADATA',
      'demo-1.0.dist-info/WHEEL',
      'demo-1.0.dist-info/RECORD'
    ]);
    const modes = Object.fromEntries(members.map((m) => [m.name, m.mode]));
    expect(modes['demo/__init__.py']).toBe(0o644);
    expect(modes['demo/tool.sh']).toBe(0o755);
    expect(modes['demo-1.0.data/scripts/run']).toBe(0o755);
    expect(modes['demo-1.0.dist-info/METADATA']).toBe(0o644);
    const record = members.find((m) => m.name.endsWith('RECORD'))!.data.toString();
    const lines = record.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `"a,odd.py",sha256=${createHash('sha256').update('pass\n').digest('base64url')},5`
    );
    expect(lines[lines.length - 1]).toBe('demo-1.0.dist-info/RECORD,,');
    for (const m of members.filter((x) => !x.name.endsWith('RECORD'))) {
      const digest = createHash('sha256').update(m.data).digest('base64url');
      expect(record).toContain(`sha256=${digest},${m.data.length}`);
    }
  });

  it('is idempotent and independent of the calling process time zone', async () => {
    const dir = await tmp();
    const src = path.join(dir, 'demo-1.0-py3-none-any.whl');
    await messyWheel(src);
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      const a = await normalizeWheel(src, 1700000000);
      process.env.TZ = 'Asia/Kolkata';
      const b = await normalizeWheel(src, 1700000000);
      expect(Buffer.compare(a, b)).toBe(0);
      const once = path.join(dir, 'once.whl');
      await fs.writeFile(once, a);
      expect(Buffer.compare(await normalizeWheel(once, 1700000000), a)).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('writes DOS timestamps from UTC fields, clamped to 1980', () => {
    // 2023-11-14T22:13:20Z
    const { date, time } = dosDateTime(1700000000);
    expect(date).toBe(14 | (11 << 5) | ((2023 - 1980) << 9));
    expect(time).toBe(10 | (13 << 5) | (22 << 11));
  });

  it('rejects wheels without exactly one RECORD', async () => {
    const dir = await tmp();
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('x'), 'demo/__init__.py');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    const f = path.join(dir, 'demo-1.0-py3-none-any.whl');
    await fs.writeFile(f, Buffer.concat(chunks));
    await expect(normalizeWheel(f, 0)).rejects.toThrow(/exactly one .dist-info\/RECORD/);
  });

  it('orders RECORD after dist-info after the rest', () => {
    const names = ['x-1.dist-info/RECORD', 'x-1.dist-info/A', 'z.py', 'a/b.py'];
    expect([...names].sort(wheelOrder)).toEqual([
      'a/b.py',
      'z.py',
      'x-1.dist-info/A',
      'x-1.dist-info/RECORD'
    ]);
    expect(recordText([{ name: 'p.py', data: Buffer.from('') }], 'x-1.dist-info/RECORD')).toBe(
      'p.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\nx-1.dist-info/RECORD,,\n'
    );
  });
});

describe('sdist normalisation', () => {
  it('sorts members, fixes headers and writes a stable gzip header', async () => {
    const dir = await tmp();
    const pack = tar.pack();
    const entry = (h: Partial<tar.Header> & { name: string }, data?: string): void => {
      if (data === undefined) pack.entry(h);
      else pack.entry(h, data);
    };
    entry(
      {
        name: 'demo-1.0/src/demo.py',
        mode: 0o664,
        uid: 1000,
        gid: 1000,
        uname: 'me',
        gname: 'me',
        mtime: new Date(12345000)
      },
      'x = 1\n'
    );
    entry({
      name: 'demo-1.0/',
      type: 'directory',
      mode: 0o775,
      uid: 1000,
      gid: 1000,
      mtime: new Date()
    });
    entry({ name: 'demo-1.0/run.sh', mode: 0o744, uid: 5, gid: 5, mtime: new Date() }, 'echo\n');
    entry({ name: 'demo-1.0/PKG-INFO', mode: 0o600, mtime: new Date() }, 'Name: demo\n');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const src = path.join(dir, 'demo-1.0.tar.gz');
    await fs.writeFile(src, zlib.gzipSync(Buffer.concat(chunks)));

    const { data } = await normalizeSdist(src, 1700000000);
    // gzip: no FNAME flag, mtime 0, OS unix
    expect(data[3]).toBe(0);
    expect(data.readUInt32LE(4)).toBe(0);
    const out = path.join(dir, 'out.tar.gz');
    await fs.writeFile(out, data);
    const headers: tar.Header[] = [];
    const extract = tar.extract();
    extract.on('entry', (h, s, next) => {
      headers.push(h);
      s.resume();
      s.on('end', next);
    });
    extract.end(zlib.gunzipSync(data));
    await new Promise<void>((r) => extract.on('finish', () => r()));
    expect(headers.map((h) => h.name)).toEqual([
      'demo-1.0/',
      'demo-1.0/PKG-INFO',
      'demo-1.0/run.sh',
      'demo-1.0/src/demo.py'
    ]);
    for (const h of headers) {
      expect(h.uid).toBe(0);
      expect(h.gid).toBe(0);
      expect(h.uname).toBe('');
      expect(h.gname).toBe('');
      expect(h.mtime!.getTime()).toBe(1700000000 * 1000);
    }
    expect(headers.map((h) => h.mode)).toEqual([0o755, 0o644, 0o755, 0o644]);
    expect((await readTarGz(out)).find((m) => m.name.endsWith('demo.py'))!.data.toString()).toBe(
      'x = 1\n'
    );
    // Idempotent.
    expect(Buffer.compare((await normalizeSdist(out, 1700000000)).data, data)).toBe(0);
  });
});
