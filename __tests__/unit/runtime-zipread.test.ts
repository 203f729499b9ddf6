import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { anyPython } from '../../src/runtime/python.js';
import { dosDateTime, writeZip } from '../../src/runtime/zip.js';
import {
  ZipReadError,
  isZip,
  readZipContents,
  readZipMember,
  walkZip
} from '../../src/runtime/zipread.js';
import { itIf } from '../helpers/env.js';

const EPOCH = 1700000000;
const METADATA = 'Metadata-Version: 2.1\nName: demo\n';
const python = (await anyPython())?.executable;
let dir: string;
let file: string;
let bytes: Buffer;

/** The same bytes with one same-length name swapped in every header (yazl refuses bad names). */
const rename = (buf: Buffer, from: string, to: string): Buffer =>
  Buffer.from(buf.toString('latin1').split(from).join(to), 'latin1');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-zipread-'));
  bytes = await writeZip(
    [
      { name: 'demo/', mode: 0o755, type: 'dir' },
      { name: 'demo/__init__.py', mode: 0o644, data: Buffer.from('x = 1\n'.repeat(50)) },
      { name: 'demo/run.sh', mode: 0o755, data: Buffer.from('#!/bin/sh\n') },
      { name: 'demo-1.dist-info/METADATA', mode: 0o644, data: Buffer.from(METADATA) }
    ],
    EPOCH
  );
  file = path.join(dir, 'demo-1-py3-none-any.whl');
  await fs.writeFile(file, bytes);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('runtime zip reader', () => {
  it('reads every header field and the bytes, from a file and from a buffer alike', async () => {
    const fromFile = await readZipContents(file);
    const fromBuf = await readZipContents(bytes);
    expect(fromBuf).toEqual(fromFile);
    expect(fromFile.prefix.length).toBe(0);
    const { date, time } = dosDateTime(EPOCH);
    expect(
      fromFile.members.map((m) => [m.name, m.index, m.isDirectory, m.mode.toString(8)])
    ).toEqual([
      ['demo/', 0, true, '40755'],
      ['demo/__init__.py', 1, false, '100644'],
      ['demo/run.sh', 2, false, '100755'],
      ['demo-1.dist-info/METADATA', 3, false, '100644']
    ]);
    const init = fromFile.members[1];
    expect(init).toMatchObject({ dosDate: date, dosTime: time, compression: 8, size: 300 });
    expect(init.compressedSize).toBeLessThan(300);
    expect(init.extraFields).toEqual([]);
    expect(init.data.toString()).toBe('x = 1\n'.repeat(50));
    expect(fromFile.members[3].data.toString()).toBe(METADATA);
  });

  it('walks in directory order and stops when the visitor says so', async () => {
    const seen: string[] = [];
    await walkZip(file, async (e) => {
      seen.push(e.name);
      return e.name === 'demo/__init__.py';
    });
    expect(seen).toEqual(['demo/', 'demo/__init__.py']);
    const boom = walkZip(bytes, async () => {
      throw new Error('visitor failed');
    });
    await expect(boom).rejects.toThrow(/^visitor failed$/);
    await expect(boom).rejects.not.toBeInstanceOf(ZipReadError);
  });

  it('reads one member by name', async () => {
    const meta = await readZipMember(file, (n) => /^[^/]+\.dist-info\/METADATA$/.test(n));
    expect(meta?.toString()).toBe(METADATA);
    expect(await readZipMember(bytes, (n) => n === 'missing')).toBeUndefined();
  });

  it('keeps a shebang prefix when offsets count from the zip start (our zipapps)', async () => {
    const shebang = Buffer.from('#!/usr/bin/env python3\n');
    const app = Buffer.concat([shebang, bytes]);
    const appFile = path.join(dir, 'ours.pyz');
    await fs.writeFile(appFile, app);
    expect(isZip(app)).toBe(true);
    for (const z of [await readZipContents(app), await readZipContents(appFile)]) {
      expect(z.prefix.equals(shebang)).toBe(true);
      expect(z.members.map((m) => m.data.length)).toEqual([0, 300, 10, METADATA.length]);
    }
  });

  itIf(python !== undefined, 'no CPython found to run python -m zipapp')(
    'keeps a shebang prefix when offsets count from the file start (python -m zipapp)',
    async () => {
      const src = path.join(dir, 'app');
      await fs.mkdir(src, { recursive: true });
      await fs.writeFile(path.join(src, '__main__.py'), 'print(1)\n');
      const pyz = path.join(dir, 'app.pyz');
      execFileSync(python as string, ['-m', 'zipapp', src, '-p', '/usr/bin/python3', '-o', pyz]);
      for (const z of [await readZipContents(await fs.readFile(pyz)), await readZipContents(pyz)]) {
        expect(z.prefix.toString()).toBe('#!/usr/bin/python3\n');
        expect(z.members.map((m) => [m.name, m.data.toString()])).toEqual([
          ['__main__.py', 'print(1)\n']
        ]);
      }
    }
  );

  it('names the file and the cause for truncated, corrupt or non-zip input', async () => {
    const cut = path.join(dir, 'cut.whl');
    await fs.writeFile(cut, bytes.subarray(0, bytes.length - 30));
    await expect(readZipContents(cut)).rejects.toThrow(
      /^cut\.whl: not a readable zip \(End of central directory record signature not found\b.*truncated/
    );
    await expect(readZipContents(Buffer.from('hello'))).rejects.toThrow(
      'zip data: not a readable zip (not a zip archive)'
    );
    // Damage the deflated bytes of demo/__init__.py (right after its local header).
    const bad = Buffer.from(bytes);
    const at = bad.indexOf('demo/__init__.py') + 'demo/__init__.py'.length + 4;
    for (let i = at; i < at + 8; i++) bad[i] ^= 0xff;
    const err = await readZipContents(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipReadError);
    expect((err as ZipReadError).message).toMatch(/^zip data: not a readable zip \(.+\)$/);
  });

  it('refuses member names that climb out or are absolute', async () => {
    const base = await writeZip(
      [
        { name: 'zz/evil.py', mode: 0o644, data: Buffer.from('x') },
        { name: 'zabs/x.py', mode: 0o644, data: Buffer.from('y') }
      ],
      EPOCH
    );
    await expect(readZipContents(rename(base, 'zz/evil.py', '../evil.py'))).rejects.toThrow(
      /invalid relative path: \.\.\/evil\.py/
    );
    await expect(
      walkZip(rename(base, 'zabs/x.py', '/abs/x.py'), async () => undefined)
    ).rejects.toThrow(/absolute path: \/abs\/x\.py/);
  });
});
