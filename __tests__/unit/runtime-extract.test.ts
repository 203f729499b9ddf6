import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { checkWheel } from '../../src/cache/integrity.js';
import { LocalBackend } from '../../src/cache/local.js';
import { readZip } from '../../src/build/normalize/archive.js';
import { normalizeSdist } from '../../src/build/normalize/sdist.js';
import { emptyManifest } from '../../src/manifest/io.js';
import { FailureError } from '../../src/errors.js';
import { projectWheels } from '../../src/package/inputs.js';
import { readDockerArchive } from '../../src/package/oci/base.js';
import { scanLayers } from '../../src/package/oci/inspect.js';
import { MEDIA, sha256Digest } from '../../src/package/oci/json.js';
import { exec } from '../../src/runtime/exec.js';
import {
  MemberInfo,
  UnsafeMemberError,
  checkMembers,
  checkZipMembers,
  extractMembers,
  zipMemberType
} from '../../src/runtime/extract.js';
import { anyPython } from '../../src/runtime/python.js';
import { projectModel } from '../helpers/model.js';
import { TarMember, makeTar } from '../helpers/tar.js';

/** One crafted zip member: `mode` is the st_mode Python's zipfile puts in the external attributes. */
interface ZipSpec {
  name: string;
  mode?: number;
  data?: string;
}

// Python's zipfile writes any name and any external attributes (yazl refuses bad names).
const CRAFT_ZIP = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for m in json.loads(sys.argv[2]):
        info = zipfile.ZipInfo(m["name"], (1980, 1, 1, 0, 0, 0))
        info.external_attr = m.get("mode", 0o100644) << 16
        z.writestr(info, m.get("data", "x"))
`;

// Made at load time: the case tables below name paths inside it.
const dir = mkdtempSync(path.join(os.tmpdir(), 'alb-extract-'));
let python: string;
let n = 0;
/** Crafted archives tried, and how many were refused (the closing note asks for both). */
const tally = { tried: 0, refused: 0 };

beforeAll(async () => {
  const py = await anyPython();
  if (!py) throw new Error('no Python found to craft zip archives');
  python = py.executable;
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  console.log(`crafted unsafe archives: ${tally.refused} refused of ${tally.tried} tried`);
});

async function sdistFile(members: TarMember[]): Promise<string> {
  const file = path.join(dir, `crafted-${++n}.tar.gz`);
  await fs.writeFile(file, zlib.gzipSync(await makeTar(members)));
  return file;
}

async function zipFile(members: ZipSpec[], name = `crafted-${++n}.zip`): Promise<string> {
  const file = path.join(dir, name);
  await exec([python, '-c', CRAFT_ZIP, file, JSON.stringify(members)]);
  return file;
}

/** Runs a refusal check and counts it. */
async function refused(p: Promise<unknown>, message: string | RegExp): Promise<void> {
  tally.tried++;
  await expect(p).rejects.toThrow(message);
  tally.refused++;
}

const ELSEWHERE = (): string => path.join(dir, 'elsewhere');

describe('sdists (tar): every unsafe member fails normalisation, naming it', () => {
  const cases: [string, () => TarMember[], string | RegExp][] = [
    [
      "the issue's attack: a link to an absolute path, then a file through it",
      () => [
        { name: 'pkg/', type: 'directory' },
        { name: 'pkg/link', type: 'symlink', linkname: ELSEWHERE() },
        { name: 'pkg/link/file', data: 'owned' }
      ],
      `refusing member pkg/link: it is a symbolic link to the absolute path ${ELSEWHERE()}`
    ],
    [
      'a relative link out, then a file through it',
      () => [
        { name: 'pkg/link', type: 'symlink', linkname: '../../elsewhere' },
        { name: 'pkg/link/file' }
      ],
      'refusing member pkg/link/file: its path goes through pkg/link, a symbolic link'
    ],
    [
      'a file through an in-tree link',
      () => [
        { name: 'pkg/sub/', type: 'directory' },
        { name: 'pkg/link', type: 'symlink', linkname: 'sub' },
        { name: 'pkg/link/file' }
      ],
      'refusing member pkg/link/file: its path goes through pkg/link, a symbolic link'
    ],
    ['../x', () => [{ name: '../x' }], "refusing member ../x: it climbs out with '..'"],
    [
      'pkg/../../x',
      () => [{ name: 'pkg/../../x' }],
      "refusing member pkg/../../x: it climbs out with '..'"
    ],
    ['/abs', () => [{ name: '/tmp/abs' }], 'refusing member /tmp/abs: it is an absolute path'],
    [
      'a link that climbs out',
      () => [{ name: 'pkg/link', type: 'symlink', linkname: '../../../etc' }],
      'refusing member pkg/link: it is a symbolic link to ../../../etc, which resolves outside the destination'
    ],
    [
      'a link made to escape by a later link',
      () => [
        { name: 'pkg/l', type: 'symlink', linkname: 'a/../..' },
        { name: 'pkg/a', type: 'symlink', linkname: '.' }
      ],
      'refusing member pkg/l: it is a symbolic link to a/../.., which resolves outside the destination'
    ],
    [
      'a link loop',
      () => [
        { name: 'pkg/a', type: 'symlink', linkname: 'b' },
        { name: 'pkg/b', type: 'symlink', linkname: 'a' }
      ],
      'refusing member pkg/a: too many levels of symbolic links'
    ],
    [
      'a hard link outside',
      () => [{ name: 'pkg/h', type: 'link', linkname: '../../etc/passwd' }],
      'refusing member pkg/h: it is a hard link to ../../etc/passwd, outside the archive'
    ],
    [
      'a hard link to an absolute path',
      () => [{ name: 'pkg/h', type: 'link', linkname: '/etc/passwd' }],
      'refusing member pkg/h: it is a hard link to /etc/passwd, outside the archive'
    ],
    [
      'a hard link to no earlier member',
      () => [{ name: 'pkg/h', type: 'link', linkname: 'pkg/later' }, { name: 'pkg/later' }],
      'refusing member pkg/h: it is a hard link to pkg/later, which is not an earlier file'
    ],
    [
      'a character device',
      () => [{ name: 'pkg/null', type: 'character-device' }],
      'refusing member pkg/null: it is a character device'
    ],
    [
      'a block device',
      () => [{ name: 'pkg/sda', type: 'block-device' }],
      'refusing member pkg/sda: it is a block device'
    ],
    ['a fifo', () => [{ name: 'pkg/p', type: 'fifo' }], 'refusing member pkg/p: it is a fifo'],
    [
      'a link in place of a directory earlier members made',
      () => [{ name: 'pkg/d/f' }, { name: 'pkg/d', type: 'symlink', linkname: 'f' }],
      'refusing member pkg/d: it is a symbolic link where earlier members made a directory'
    ],
    [
      'a member twice',
      () => [{ name: 'pkg/x' }, { name: './pkg/x' }],
      'refusing member ./pkg/x: it appears twice'
    ]
  ];
  it.each(cases)('%s', async (_what, members, message) => {
    const file = await sdistFile(members());
    await refused(normalizeSdist(file, 1700000000), `${path.basename(file)}: ${message}`);
    await expect(fs.access(ELSEWHERE())).rejects.toThrow();
  });

  it('an ordinary sdist passes: ./ names, in-tree links, repeated directories', async () => {
    const file = await sdistFile([
      { name: './', type: 'directory' },
      { name: './pkg-1.0/', type: 'directory' },
      { name: 'pkg-1.0/pkg/__init__.py' },
      { name: 'pkg-1.0/pkg/alias.py', type: 'symlink', linkname: '__init__.py' },
      { name: 'pkg-1.0/docs', type: 'symlink', linkname: 'pkg/../pkg' },
      { name: 'pkg-1.0/pkg/', type: 'directory' }
    ]);
    const { members } = await normalizeSdist(file, 1700000000);
    expect(members.map((m) => m.name)).toContain('pkg-1.0/pkg/alias.py');
  });
});

describe('extraction', () => {
  it('writes nothing when a member is refused: the attack leaves the link target alone', async () => {
    const dest = path.join(dir, 'dest-attack');
    const members = [
      { name: 'pkg/', type: 'directory' as const, mode: 0o755, data: Buffer.alloc(0) },
      {
        name: 'pkg/link',
        type: 'symlink' as const,
        mode: 0o777,
        data: Buffer.alloc(0),
        linkname: ELSEWHERE()
      },
      { name: 'pkg/link/file', type: 'file' as const, mode: 0o644, data: Buffer.from('owned') }
    ];
    await refused(
      extractMembers('the sdist', members, dest),
      'the sdist: refusing member pkg/link'
    );
    await expect(fs.access(path.join(dest, 'pkg'))).rejects.toThrow();
    await expect(fs.access(ELSEWHERE())).rejects.toThrow();
  });

  it('writes files, directories and in-tree links, and never over what is there', async () => {
    const dest = path.join(dir, 'dest-ok');
    const members = [
      { name: 'p/', type: 'directory' as const, mode: 0o755, data: Buffer.alloc(0) },
      { name: 'p/run', type: 'file' as const, mode: 0o700, data: Buffer.from('#!/bin/sh\n') },
      { name: 'p/a.txt', type: 'file' as const, mode: 0o600, data: Buffer.from('a') },
      {
        name: 'p/b',
        type: 'symlink' as const,
        mode: 0o777,
        data: Buffer.alloc(0),
        linkname: 'a.txt'
      }
    ];
    await extractMembers('x.tar.gz', members, dest);
    expect(await fs.readFile(path.join(dest, 'p/b'), 'utf8')).toBe('a');
    expect((await fs.stat(path.join(dest, 'p/run'))).mode & 0o777).toBe(0o755);
    expect((await fs.stat(path.join(dest, 'p/a.txt'))).mode & 0o777).toBe(0o644);
    await expect(extractMembers('x.tar.gz', members, dest)).rejects.toThrow(/EEXIST/);
  });

  it('the member list check alone (names, no disk)', () => {
    const ok: MemberInfo[] = [
      { name: 'a/', type: 'directory' },
      { name: 'a/b', type: 'symlink', linkname: '../a' }
    ];
    expect(checkMembers('t', ok).resolve('a/b/b/b')).toBe('a');
    expect(() => checkMembers('t', [{ name: 'x', type: 'other' }])).toThrow(UnsafeMemberError);
    expect(() => checkMembers('t', [{ name: 'a\0b', type: 'file' }])).toThrow(/NUL/);
  });
});

describe('zips (wheels, cache entries, package inputs)', () => {
  const cases: [string, ZipSpec[], string | RegExp][] = [
    ['../x', [{ name: '../x' }], /not a readable zip \(invalid relative path: \.\.\/x\)/],
    ['/abs', [{ name: '/etc/x' }], /not a readable zip \(absolute path: \/etc\/x\)/],
    [
      'backslashes that climb',
      [{ name: 'pkg\\..\\..\\x' }],
      /not a readable zip \(invalid relative path: pkg\/\.\.\/\.\.\/x\)/
    ],
    [
      'a symlink (external attributes) to an absolute path',
      [{ name: 'pkg/link', mode: 0o120777, data: '/etc/passwd' }],
      'refusing member pkg/link: it is a symbolic link to the absolute path /etc/passwd'
    ],
    [
      'a symlink (external attributes) that climbs out',
      [{ name: 'pkg/link', mode: 0o120777, data: '../../x' }],
      'refusing member pkg/link: it is a symbolic link to ../../x, which resolves outside'
    ],
    [
      'a file through a symlink',
      [{ name: 'pkg/link', mode: 0o120777, data: '.' }, { name: 'pkg/link/x' }],
      'refusing member pkg/link/x: its path goes through pkg/link, a symbolic link'
    ],
    [
      'a character device',
      [{ name: 'pkg/null', mode: 0o020644 }],
      'refusing member pkg/null: it is a character device'
    ],
    ['a fifo', [{ name: 'pkg/p', mode: 0o010644 }], 'refusing member pkg/p: it is a fifo'],
    [
      'a member twice',
      [{ name: 'pkg/a.py' }, { name: 'pkg/a.py' }],
      'refusing member pkg/a.py: it appears twice'
    ]
  ];
  it.each(cases)('%s', async (_what, members, message) => {
    const file = await zipFile(members);
    await refused(checkZipMembers(file, path.basename(file)), message);
  });

  it('wheels hold no symlinks at all: normalisation and the cache check refuse an in-tree one', async () => {
    const file = await zipFile(
      [
        { name: 'demo/__init__.py' },
        { name: 'demo/alias.py', mode: 0o120777, data: '__init__.py' },
        { name: 'demo-1.0.dist-info/RECORD', data: '' }
      ],
      'demo-1.0-py3-none-any.whl'
    );
    await checkZipMembers(file, 'w');
    const msg = 'demo-1.0-py3-none-any.whl: refusing member demo/alias.py: it is a symbolic link';
    await refused(readZip(file), msg);
    tally.tried++;
    expect(await checkWheel(file)).toBe(msg);
    tally.refused++;
  });

  it('a cache entry wheel with a device member is dropped by the cache check', async () => {
    const file = await zipFile(
      [{ name: 'demo/__init__.py' }, { name: 'demo/tty', mode: 0o020644 }],
      'demo-2.0-py3-none-any.whl'
    );
    tally.tried++;
    expect(await checkWheel(file)).toBe(
      'demo-2.0-py3-none-any.whl: refusing member demo/tty: it is a character device'
    );
    tally.refused++;
  });

  it('a local cache entry: links are never restored, and its unsafe wheel fails the check', async () => {
    const cacheDir = path.join(dir, 'cache-entry');
    const entry = path.join(cacheDir, 'wheels', 'key-1');
    await fs.mkdir(entry, { recursive: true });
    await fs.symlink('/etc/passwd', path.join(entry, 'evil-1.0-py3-none-any.whl'));
    await fs.rename(
      await zipFile([{ name: 'demo/__init__.py' }, { name: 'demo/l', mode: 0o120777, data: '/' }]),
      path.join(entry, 'demo-4.0-py3-none-any.whl')
    );
    const into = path.join(dir, 'restored');
    expect(await new LocalBackend({ cacheDir }).restore(into, 'key-1', [])).toEqual({
      matchedKey: 'key-1'
    });
    expect(await fs.readdir(into)).toEqual(['demo-4.0-py3-none-any.whl']);
    tally.tried++;
    expect(await checkWheel(path.join(into, 'demo-4.0-py3-none-any.whl'))).toBe(
      'demo-4.0-py3-none-any.whl: refusing member demo/l: it is a symbolic link'
    );
    tally.refused++;
  });

  it('a wheel in OUT with an unsafe member never goes into a PEX, zipapp or image tree', async () => {
    const out = path.join(dir, 'out-unsafe');
    await fs.mkdir(out);
    await fs.rename(
      await zipFile(
        [{ name: 'demo/__init__.py' }, { name: 'demo/link', mode: 0o120777, data: '/etc' }],
        'demo-3.0-py3-none-any.whl'
      ),
      path.join(out, 'demo-3.0-py3-none-any.whl')
    );
    const model = projectModel({ root: dir, name: 'demo', version: '3.0' });
    const listed = {
      ...emptyManifest({ name: 'demo', version: '3.0' }),
      artifacts: [
        { file: 'demo-3.0-py3-none-any.whl', kind: 'wheel' as const, sha256: '', size: 0 }
      ]
    };
    await refused(
      projectWheels(listed, out, model),
      'demo-3.0-py3-none-any.whl: refusing member demo/link: it is a symbolic link'
    );
    await expect(projectWheels(listed, out, model)).rejects.toThrow(FailureError);
  });

  it('reads a zip entry type from its st_mode', () => {
    expect(zipMemberType(0, false)).toBe('file');
    expect(zipMemberType(0, true)).toBe('directory');
    expect(zipMemberType(0o100644, false)).toBe('file');
    expect(zipMemberType(0o120777, false)).toBe('symlink');
    expect(zipMemberType(0o060644, false)).toBe('block-device');
    expect(zipMemberType(0o140644, false)).toBe('socket');
  });
});

describe('OCI base layers and docker archives', () => {
  const layer = async (members: TarMember[]): Promise<{ file: string; digest: string }> => {
    const t = await makeTar(members);
    const file = path.join(dir, `layer-${++n}.tar`);
    await fs.writeFile(file, t);
    return { file, digest: sha256Digest(t) };
  };
  const scan = async (members: TarMember[]): Promise<unknown> => {
    const l = await layer(members);
    return scanLayers(
      [{ ...l, size: 0, mediaType: MEDIA.layerTar, diffId: l.digest }],
      'docker-archive:base.tar'
    );
  };

  const cases: [string, TarMember[], string][] = [
    ['../x', [{ name: '../x' }], "refusing member ../x: it climbs out with '..'"],
    ['/abs', [{ name: '/etc/x' }], 'refusing member /etc/x: it is an absolute path'],
    [
      'a link above the image root',
      [{ name: 'usr/bin/python3', type: 'symlink', linkname: '../../../../etc/passwd' }],
      'refusing member usr/bin/python3: it is a symbolic link to ../../../../etc/passwd, which resolves outside the image root'
    ],
    [
      'a file through a link of the same layer',
      [{ name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'lib/x.so' }],
      'refusing member lib/x.so: its path goes through lib, a symbolic link'
    ],
    [
      'a hard link above the root',
      [{ name: 'bin/sh', type: 'link', linkname: '../../bin/sh' }],
      'refusing member bin/sh: it is a hard link to ../../bin/sh, outside the archive'
    ]
  ];
  it.each(cases)('%s', async (_what, members, message) => {
    await refused(scan(members), message);
    await expect(scan(members)).rejects.toThrow(FailureError);
    await expect(scan(members)).rejects.toThrow(
      /^base docker-archive:base\.tar: layer sha256:[0-9a-f]{64}: /
    );
  });

  it('a root file system passes: device nodes, absolute links (from the image root), hard links', async () => {
    const m = (await scan([
      { name: './', type: 'directory' },
      { name: './dev/null', type: 'character-device' },
      { name: './bin', type: 'symlink', linkname: 'usr/bin' },
      { name: './usr/bin/perl' },
      { name: './usr/bin/perl5', type: 'link', linkname: './usr/bin/perl' },
      { name: './usr/bin/python3', type: 'symlink', linkname: '/usr/bin/python3.11' }
    ])) as Map<string, unknown>;
    expect([...m.keys()].sort()).toEqual([
      'bin',
      'usr/bin/perl',
      'usr/bin/perl5',
      'usr/bin/python3'
    ]);
  });

  it('a docker archive whose layer link leaves the archive is refused before anything is used', async () => {
    const file = path.join(dir, 'base-escape.tar');
    await fs.writeFile(
      file,
      await makeTar([
        {
          name: 'manifest.json',
          data: JSON.stringify([{ Config: 'c.json', Layers: ['l/layer.tar'] }])
        },
        { name: 'c.json', data: '{}' },
        { name: 'l/layer.tar', type: 'symlink', linkname: '../../../../etc/passwd' }
      ])
    );
    await refused(
      readDockerArchive(file, path.join(dir, 'w-escape'), 'docker-archive:base-escape.tar'),
      'base docker-archive:base-escape.tar: base-escape.tar: refusing member l/layer.tar: it is a symbolic link to ../../../../etc/passwd, which resolves outside the destination'
    );
  });

  it('a docker archive holding a base layer with an escaping member: read, then refused by the scan', async () => {
    const bad = await makeTar([{ name: 'usr/bin/python3' }, { name: '../../etc/cron.d/x' }]);
    const file = path.join(dir, 'base-badlayer.tar');
    await fs.writeFile(
      file,
      await makeTar([
        {
          name: 'manifest.json',
          data: JSON.stringify([{ Config: 'c.json', Layers: ['l/layer.tar'] }])
        },
        {
          name: 'c.json',
          data: JSON.stringify({ rootfs: { type: 'layers', diff_ids: [sha256Digest(bad)] } })
        },
        { name: 'l/layer.tar', data: bad }
      ])
    );
    const base = await readDockerArchive(file, path.join(dir, 'w-bad'), 'docker-archive:b.tar');
    await refused(
      scanLayers(base.layers, base.ref),
      "refusing member ../../etc/cron.d/x: it climbs out with '..'"
    );
  });
});
