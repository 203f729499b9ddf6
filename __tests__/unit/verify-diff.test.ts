import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import yazl from 'yazl';
import { compareBuffers } from '../../src/verify/compare.js';
import { RawDifference } from '../../src/verify/model.js';
import { unifiedDiff } from '../../src/verify/textdiff.js';

type Entry = {
  name: string;
  data: string | Buffer;
  mode?: number;
  mtime?: Date;
  compress?: boolean;
  uid?: number;
  uname?: string;
};
const T0 = new Date('2024-01-01T00:00:00Z');

async function zip(entries: Entry[], prefix = ''): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) {
    z.addBuffer(Buffer.from(e.data), e.name, {
      mtime: e.mtime ?? T0,
      mode: e.mode ?? 0o100644,
      compress: e.compress ?? true,
      forceDosTimestamp: true
    });
  }
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat([Buffer.from(prefix), ...chunks]);
}

async function tar(entries: Entry[], gz?: { mtime: number }): Promise<Buffer> {
  const p = tarStream.pack();
  for (const e of entries) {
    p.entry(
      {
        name: e.name,
        mode: e.mode ?? 0o644,
        mtime: e.mtime ?? T0,
        uid: e.uid ?? 0,
        gid: 0,
        uname: e.uname ?? '',
        gname: ''
      },
      Buffer.from(e.data)
    );
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  if (!gz) return raw;
  const out = gzipSync(raw);
  out.writeUInt32LE(gz.mtime, 4);
  return out;
}

const kinds = (ds: RawDifference[]): string[] => ds.map((d) => `${d.member}:${d.kind}`).sort();
const base: Entry[] = [
  { name: 'pkg/__init__.py', data: 'VERSION = "1.0"\n' },
  { name: 'pkg/data.txt', data: 'hello\n' }
];

describe('zip comparison (crafted pairs)', () => {
  it('finds nothing in identical archives', async () => {
    expect(await compareBuffers(await zip(base), await zip(base))).toEqual([]);
  });
  it('reports reordered members as order only', async () => {
    const d = await compareBuffers(await zip(base), await zip([base[1], base[0]]));
    expect(kinds(d)).toEqual([':order']);
    expect(d[0].detail).toContain('position 0');
  });
  it('reports a changed mtime only', async () => {
    const d = await compareBuffers(
      await zip(base),
      await zip([base[0], { ...base[1], mtime: new Date('2025-06-01T12:00:00Z') }])
    );
    expect(kinds(d)).toEqual(['pkg/data.txt:mtime']);
    expect(d[0].detail).toMatch(/2024-01-01 00:00:00 → 2025-06-01/);
  });
  it('reports a changed mode only', async () => {
    const d = await compareBuffers(
      await zip(base),
      await zip([base[0], { ...base[1], mode: 0o100600 }])
    );
    expect(kinds(d)).toEqual(['pkg/data.txt:mode']);
    expect(d[0].detail).toContain('0644 → 0600');
  });
  it('reports an extra member', async () => {
    const d = await compareBuffers(
      await zip(base),
      await zip([...base, { name: 'pkg/extra.py', data: 'x = 1\n' }])
    );
    expect(kinds(d)).toEqual(['pkg/extra.py:added']);
  });
  it('reports a compression difference when contents are equal', async () => {
    const d = await compareBuffers(
      await zip(base),
      await zip([base[0], { ...base[1], compress: false }])
    );
    expect(kinds(d)).toContain('pkg/data.txt:compression');
    expect(kinds(d).every((k) => k.endsWith(':compression'))).toBe(true);
  });
  it('shows a unified diff for a changed text member', async () => {
    const d = await compareBuffers(
      await zip(base),
      await zip([{ ...base[0], data: 'VERSION = "1.1"\n' }, base[1]])
    );
    expect(kinds(d)).toEqual(['pkg/__init__.py:content']);
    expect(d[0].detail).toContain('-VERSION = "1.0"');
    expect(d[0].detail).toContain('+VERSION = "1.1"');
  });
  it('shows hex context for a changed binary member', async () => {
    const bin = (b: number): Buffer => Buffer.from([0, 1, 2, 3, b, 5, 6, 0]);
    const d = await compareBuffers(
      await zip([{ name: 'x.so', data: bin(4) }]),
      await zip([{ name: 'x.so', data: bin(9) }])
    );
    expect(kinds(d)).toEqual(['x.so:content']);
    expect(d[0].detail).toContain('first difference at byte 4');
  });
  it('descends into a wheel inside a zipapp with a shebang', async () => {
    const inner1 = await zip(base);
    const inner2 = await zip([base[0], { ...base[1], data: 'bye\n' }]);
    const d = await compareBuffers(
      await zip(
        [{ name: '.deps/pkg-1.0-py3-none-any.whl', data: inner1 }],
        '#!/usr/bin/env python3\n'
      ),
      await zip(
        [{ name: '.deps/pkg-1.0-py3-none-any.whl', data: inner2 }],
        '#!/usr/bin/env python3\n'
      )
    );
    expect(kinds(d)).toEqual(['.deps/pkg-1.0-py3-none-any.whl!pkg/data.txt:content']);
  });
  it('reports a differing shebang prefix', async () => {
    const d = await compareBuffers(
      await zip(base, '#!/usr/bin/python3\n'),
      await zip(base, '#!/tmp/x/bin/python\n')
    );
    expect(kinds(d)).toEqual(['prefix (shebang):content']);
  });
});

describe('tar comparison (crafted pairs)', () => {
  it('finds nothing in identical archives', async () => {
    expect(
      await compareBuffers(await tar(base, { mtime: 0 }), await tar(base, { mtime: 0 }))
    ).toEqual([]);
  });
  it('reports reordered members as order only', async () => {
    expect(kinds(await compareBuffers(await tar(base), await tar([base[1], base[0]])))).toEqual([
      ':order'
    ]);
  });
  it('reports a changed mtime only', async () => {
    const d = await compareBuffers(
      await tar(base),
      await tar([base[0], { ...base[1], mtime: new Date('2025-01-01T00:00:00Z') }])
    );
    expect(kinds(d)).toEqual(['pkg/data.txt:mtime']);
  });
  it('reports a changed mode only', async () => {
    const d = await compareBuffers(
      await tar(base),
      await tar([base[0], { ...base[1], mode: 0o600 }])
    );
    expect(kinds(d)).toEqual(['pkg/data.txt:mode']);
  });
  it('reports a changed owner only', async () => {
    const d = await compareBuffers(
      await tar(base),
      await tar([base[0], { ...base[1], uid: 1000, uname: 'builder' }])
    );
    expect(kinds(d)).toEqual(['pkg/data.txt:owner']);
  });
  it('reports an extra and a missing member', async () => {
    const d = await compareBuffers(
      await tar(base),
      await tar([base[0], { name: 'pkg/other.txt', data: 'x' }])
    );
    expect(kinds(d)).toEqual(['pkg/data.txt:removed', 'pkg/other.txt:added']);
  });
  it('reports the gzip header mtime of an sdist', async () => {
    const d = await compareBuffers(
      await tar(base, { mtime: 0 }),
      await tar(base, { mtime: 1700000000 })
    );
    expect(kinds(d)).toEqual([':mtime']);
    expect(d[0].detail).toContain('gzip header mtime');
  });
});

describe('OCI image layout comparison', () => {
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  async function image(layerText: string, created: string): Promise<Buffer> {
    const layer = await tar([{ name: 'app/main.py', data: layerText }], { mtime: 0 });
    const layerDigest = createHash('sha256').update(layer).digest('hex');
    const config = JSON.stringify({
      created,
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layerText)}`] }
    });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      config: { digest: `sha256:${sha(config)}`, size: config.length },
      layers: [{ digest: `sha256:${layerDigest}`, size: layer.length }]
    });
    const index = JSON.stringify({
      schemaVersion: 2,
      manifests: [{ digest: `sha256:${sha(manifest)}`, size: manifest.length }]
    });
    return tar([
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', data: index },
      { name: `blobs/sha256/${sha(manifest)}`, data: manifest },
      { name: `blobs/sha256/${sha(config)}`, data: config },
      { name: `blobs/sha256/${layerDigest}`, data: layer }
    ]);
  }
  it('pairs blobs by role and descends into layers', async () => {
    const d = await compareBuffers(
      await image('print(1)\n', '1970-01-01T00:00:00Z'),
      await image('print(2)\n', '1970-01-01T00:00:00Z')
    );
    expect(kinds(d)).toEqual(['manifest[0]/layer[0] (blob)!app/main.py:content']);
  });
  it('reports a config creation time', async () => {
    const d = await compareBuffers(
      await image('print(1)\n', '1970-01-01T00:00:00Z'),
      await image('print(1)\n', '2026-11-25T01:00:00Z')
    );
    expect(kinds(d)).toEqual(['manifest[0]/config (blob):content']);
  });
});

describe('unified diff', () => {
  it('keeps context and hunk headers', () => {
    const a = 'a\nb\nc\nd\ne\nf\ng\n';
    const b = 'a\nb\nc\nD\ne\nf\ng\n';
    expect(unifiedDiff(a, b)).toBe(
      '--- first\n+++ second\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g'
    );
  });
});
