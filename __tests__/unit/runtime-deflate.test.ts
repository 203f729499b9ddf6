import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';
import { normalizeSdist } from '../../src/build/normalize/sdist.js';
import { normalizeWheel } from '../../src/build/normalize/wheel.js';
import { buildLayer } from '../../src/package/oci/layer.js';
import { walkTree } from '../../src/package/tree.js';
import { membersFromTree, writeZip as writeZipFile } from '../../src/package/zip.js';
import { GZIP_HEADER, deflateRaw, gzipFixed } from '../../src/runtime/deflate.js';
import { writeZip } from '../../src/runtime/zip.js';
import { readZipContents } from '../../src/runtime/zipread.js';

const FIXTURE = path.resolve('fixtures', 'package-app');
const SDE = 1700000000;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function tmp(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'albatross-deflate-test-'));
}

/** The fixture's files, sorted, as (name, bytes). */
async function fixtureFiles(): Promise<{ name: string; data: Buffer }[]> {
  const entries = (await walkTree(FIXTURE)).filter((e) => e.type === 'file');
  return Promise.all(entries.map(async (e) => ({ name: e.path, data: await fs.readFile(e.abs) })));
}

/** A wheel of the fixture as a build backend might leave it (node's zlib, local times). */
async function rawWheel(file: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const dist = 'albatross_package_app-1.2.0.dist-info';
  for (const f of await fixtureFiles())
    if (f.name.startsWith('src/')) zip.addBuffer(f.data, f.name.slice(4), { mode: 0o100664 });
  zip.addBuffer(
    Buffer.from('Metadata-Version: 2.1\nName: albatross-package-app\nVersion: 1.2.0\n'),
    `${dist}/METADATA`
  );
  zip.addBuffer(
    Buffer.from('Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
    `${dist}/WHEEL`
  );
  zip.addBuffer(Buffer.from(''), `${dist}/RECORD`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  await fs.writeFile(file, Buffer.concat(chunks));
}

/** An sdist of the fixture as a backend might leave it (node's zlib, a name in the header). */
async function rawSdist(file: string): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const f of (await fixtureFiles()).reverse())
    pack.entry(
      { name: `albatross_package_app-1.2.0/${f.name}`, mode: 0o664, mtime: new Date() },
      f.data
    );
  pack.finalize();
  await done;
  await fs.writeFile(file, zlib.gzipSync(Buffer.concat(chunks), { level: 1 }));
}

describe('the pinned deflate (fflate) and its fixed gzip header', () => {
  it('writes the same header at every level and round-trips through zlib', () => {
    const data = Buffer.from('reproducible '.repeat(5000));
    for (const level of [1, 6, 9] as const) {
      const gz = gzipFixed(data, level);
      expect([...gz.subarray(0, 10)]).toEqual([...GZIP_HEADER]);
      expect(zlib.gunzipSync(gz).equals(data)).toBe(true);
      expect(zlib.inflateRawSync(deflateRaw(data, level)).equals(data)).toBe(true);
    }
    expect(zlib.gunzipSync(gzipFixed(Buffer.alloc(0), 6)).length).toBe(0);
  });
});

describe('the zip writer', () => {
  it('writes members Python reads back with their modes, UTF-8 names and UTC time', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'a.zip');
    const zip = await writeZip(
      [
        { name: 'pkg/', mode: 0o755, type: 'dir' },
        { name: 'pkg/run.sh', mode: 0o755, data: Buffer.from('echo hi\n') },
        { name: 'pkg/é.txt', mode: 0o644, data: Buffer.from('x'.repeat(1000)) },
        { name: 'pkg/empty', mode: 0o644, data: Buffer.alloc(0) }
      ],
      SDE
    );
    await fs.writeFile(file, zip);
    const out = execFileSync('python3', [
      '-c',
      'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, oct(i.external_attr >> 16), i.date_time, i.compress_type, len(z.read(i)))',
      file
    ]).toString();
    expect(out.trim().split('\n')).toEqual([
      'pkg/ 0o40755 (2023, 11, 14, 22, 13, 20) 0 0',
      'pkg/run.sh 0o100755 (2023, 11, 14, 22, 13, 20) 8 8',
      'pkg/é.txt 0o100644 (2023, 11, 14, 22, 13, 20) 8 1000',
      'pkg/empty 0o100644 (2023, 11, 14, 22, 13, 20) 8 0'
    ]);
    const { members } = await readZipContents(file);
    expect(members.map((m) => m.name)).toEqual(['pkg/', 'pkg/run.sh', 'pkg/é.txt', 'pkg/empty']);
  });

  it('writes zip64 end records when there are more than 65,535 members', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'big.zip');
    const members = Array.from({ length: 70000 }, (_, i) => ({
      name: `m/${String(i).padStart(5, '0')}`,
      mode: 0o644,
      data: Buffer.from(String(i))
    }));
    await fs.writeFile(file, await writeZip(members, SDE));
    const out = execFileSync('python3', [
      '-c',
      'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nn = z.namelist()\nprint(len(n), n[-1], z.read(n[-1]).decode())',
      file
    ]).toString();
    expect(out.trim()).toBe('70000 m/69999 69999');
  });
});

/**
 * The bytes of a fixture's artifacts, pinned. These move only when the archive writers, the
 * deflate implementation or its version change: update them deliberately, in the same commit,
 * and say so in its message (every published artifact's digest moves with them).
 */
describe('pinned artifact digests (package-app fixture)', () => {
  it('wheel, sdist, zipapp and image layer keep their sha256', async () => {
    const dir = await tmp();
    await rawWheel(path.join(dir, 'raw.whl'));
    await rawSdist(path.join(dir, 'raw.tar.gz'));
    const wheel = await normalizeWheel(path.join(dir, 'raw.whl'), SDE);
    const sdist = (await normalizeSdist(path.join(dir, 'raw.tar.gz'), SDE)).data;
    const pyz = path.join(dir, 'app.pyz');
    const tree = await walkTree(path.join(FIXTURE, 'src'));
    await writeZipFile(
      pyz,
      await membersFromTree(tree),
      SDE,
      Buffer.from('#!/usr/bin/env python3\n'),
      0o755
    );
    const layer = await buildLayer(
      [
        { path: 'app', type: 'dir', mode: 0o755 },
        ...tree.map((e) =>
          e.type === 'dir'
            ? { path: `app/${e.path}`, type: 'dir' as const, mode: 0o755 }
            : { path: `app/${e.path}`, type: 'file' as const, mode: e.mode, source: e.abs }
        )
      ],
      SDE
    );
    expect({
      wheel: sha(wheel),
      sdist: sha(sdist),
      zipapp: sha(await fs.readFile(pyz)),
      layer: layer.digest
    }).toEqual({
      wheel: '127a2af7bbcf3e30d1d64c608c0106bef14465b71cb638e4b5730723d333e29a',
      sdist: '011931514924f4adbd7e85ee0089979fba5e507d0b87194b2d161d34c94993f4',
      zipapp: '503ff9556c56d2a5294cbf9cf0ee2443e93719b1dbfb8151b9402181bd6afc0e',
      layer: 'sha256:c63d8c5b04cc93dd329c4e2ae0bf546f81fb81b1e3db4bad2abe129717ed8cae'
    });
  });
});
