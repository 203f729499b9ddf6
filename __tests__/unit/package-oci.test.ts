import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';
import { FailureError } from '../../src/errors.js';
import { defaultOptions } from '../../src/config/options.js';
import { pruneOldest } from '../../src/runtime/fsutil.js';
import { ArchivePrefix, beginArchive, writeArchivePrefix } from '../../src/package/oci/archive.js';
import { PREFIX_HASH_IMPL } from '../../src/package/oci/prefixhash.js';
import { readDockerArchive, readOciLayout } from '../../src/package/oci/base.js';
import { baseTime, storedBase } from '../../src/package/oci/basestore.js';
import {
  checkBaseArch,
  checkImageWheels,
  normalizeImageName
} from '../../src/package/oci/image.js';
import { parseWheelName } from '../../src/package/wheelname.js';
import { findBasePython, scanLayers } from '../../src/package/oci/inspect.js';
import { canonicalJson, MEDIA, sha256Digest } from '../../src/package/oci/json.js';
import { buildLayer, parentDirs } from '../../src/package/oci/layer.js';
import { linkTargetPath } from '../../src/runtime/extract.js';
import { parseBase } from '../../src/package/oci/source.js';
import { loadArgv, pullArgvs, pushArgvs } from '../../src/package/oci/transport.js';
import { rewriteLauncher } from '../../src/package/oci/venvtree.js';
import { TarMember, makeTar, tarMembers } from '../helpers/tar.js';

/** The first bytes of an ELF executable for `machine` (little endian). */
function elf(machine: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b.writeUInt16LE(machine, 18);
  return b;
}

const debianPython: TarMember[] = [
  { name: 'usr/', type: 'directory' },
  { name: 'usr/bin/python3', type: 'symlink', linkname: 'python3.11' },
  { name: 'usr/bin/python3.11', data: elf(0x3e) },
  { name: 'usr/lib/python3.11/os.py', data: '' },
  {
    name: 'usr/lib/x86_64-linux-gnu/libc.so.6',
    data: 'junk GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.\n'
  }
];

async function tmp(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'alb-oci-'));
}

async function layerFile(
  dir: string,
  name: string,
  members: TarMember[],
  gzip = false
): Promise<{ file: string; tar: Buffer }> {
  const t = await makeTar(members);
  const file = path.join(dir, name);
  await fs.writeFile(file, gzip ? zlib.gzipSync(t) : t);
  return { file, tar: t };
}

/** A `docker save`-style archive holding one image with the given layers. */
async function dockerArchive(
  dir: string,
  layers: TarMember[][],
  config: Record<string, unknown> = {}
): Promise<string> {
  const layerTars = await Promise.all(layers.map((l) => makeTar(l)));
  const diffIds = layerTars.map((t) => sha256Digest(t));
  const cfg = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['bash'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      ...config
    })
  );
  const members: TarMember[] = [
    { name: 'cfg.json', data: cfg },
    {
      name: 'manifest.json',
      data: JSON.stringify([
        {
          Config: 'cfg.json',
          RepoTags: ['base:1'],
          Layers: layerTars.map((_, i) => `l${i}/layer.tar`)
        }
      ])
    },
    ...layerTars.map((t, i) => ({ name: `l${i}/layer.tar`, data: t }))
  ];
  const file = path.join(dir, 'base.tar');
  await fs.writeFile(file, await makeTar(members));
  return file;
}

describe('deterministic layers', () => {
  const entries = [
    {
      path: 'app/venv/bin/tool',
      type: 'file' as const,
      mode: 0o755,
      data: Buffer.from('#!/app/venv/bin/python\n')
    },
    ...parentDirs('app/venv/bin'),
    {
      path: 'app/venv/bin/python',
      type: 'symlink' as const,
      mode: 0o777,
      linkname: '/usr/bin/python3.11'
    },
    {
      path: 'app/venv/' + 'x'.repeat(120) + '/long-name.py',
      type: 'file' as const,
      mode: 0o644,
      data: Buffer.from('print(1)\n')
    }
  ];

  it('gives the same digest for the same entries in any order, and a different one for other content', async () => {
    const a = await buildLayer(entries, 1700000000);
    const b = await buildLayer([...entries].reverse(), 1700000000);
    expect(a.digest).toBe(b.digest);
    expect(a.diffId).toBe(b.diffId);
    expect(a.mediaType).toBe(MEDIA.layerGzip);
    const c = await buildLayer(entries, 1700000001);
    expect(c.diffId).not.toBe(a.diffId);
  });

  it('writes sorted entries owned by 0:0 with the fixed mtime and a fixed gzip header', async () => {
    const layer = await buildLayer(entries, 1700000000);
    expect([...layer.data.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    const seen: tar.Header[] = [];
    const ex = tar.extract();
    ex.on('entry', (h, s, next) => {
      seen.push(h);
      s.on('end', () => next());
      s.resume();
    });
    await new Promise((res, rej) => {
      ex.on('finish', () => res(undefined));
      ex.on('error', rej);
      ex.end(zlib.gunzipSync(layer.data));
    });
    const names = seen.map((h) => h.name);
    expect(names.slice(0, 3)).toEqual(['app/', 'app/venv/', 'app/venv/bin/']);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('app/venv/' + 'x'.repeat(120) + '/long-name.py');
    for (const h of seen) {
      expect([h.uid, h.gid, h.uname, h.gname]).toEqual([0, 0, '', '']);
      expect(h.mtime.getTime()).toBe(1700000000 * 1000);
    }
    expect(seen.find((h) => h.name === 'app/venv/bin/python')?.linkname).toBe(
      '/usr/bin/python3.11'
    );
  });

  it('refuses an entry listed twice', async () => {
    await expect(buildLayer([...entries, entries[0]], 0)).rejects.toThrow(/appears twice/);
  });

  it('serialises JSON canonically', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}'
    );
  });
});

describe('links in a root file system', () => {
  it('resolves links inside the root only', () => {
    expect(linkTargetPath('usr/bin/python3', 'python3.11')).toBe('usr/bin/python3.11');
    expect(linkTargetPath('usr/bin/python3', '/usr/local/bin/python')).toBe('usr/local/bin/python');
    expect(linkTargetPath('usr/bin/python3', '../../../../etc')).toBeNull();
  });
});

describe('reading base images', () => {
  it('finds Debian python3: version, ELF architecture, glibc', async () => {
    const dir = await tmp();
    const { file, tar: t } = await layerFile(dir, 'l.tar', debianPython);
    const fsMap = await scanLayers(
      [
        {
          file,
          digest: sha256Digest(t),
          size: t.length,
          mediaType: MEDIA.layerTar,
          diffId: sha256Digest(t)
        }
      ],
      'b'
    );
    expect(findBasePython(fsMap, 'b')).toEqual({
      executable: '/usr/bin/python3.11',
      version: '3.11',
      arch: 'x86_64',
      libc: { kind: 'glibc', version: [2, 36] }
    });
  });

  it('prefers /usr/local (official images), reads gzip layers, honours whiteouts', async () => {
    const dir = await tmp();
    const l1 = await layerFile(dir, 'l1.tar.gz', debianPython, true);
    const l2 = await layerFile(
      dir,
      'l2.tar.gz',
      [
        { name: 'usr/local/bin/python3', type: 'symlink', linkname: 'python3.12' },
        { name: 'usr/local/bin/python3.12', data: elf(0xb7) },
        { name: 'usr/local/bin/python3.13', data: elf(0xb7) },
        { name: 'usr/local/bin/.wh.python3.13' }
      ],
      true
    );
    const desc = (f: { file: string; tar: Buffer }) => ({
      file: f.file,
      digest: 'sha256:0',
      size: 0,
      mediaType: MEDIA.layerGzip,
      diffId: sha256Digest(f.tar)
    });
    const fsMap = await scanLayers([desc(l1), desc(l2)], 'b');
    expect(fsMap.has('usr/local/bin/python3.13')).toBe(false);
    expect(findBasePython(fsMap, 'b')).toMatchObject({
      executable: '/usr/local/bin/python3.12',
      version: '3.12',
      arch: 'aarch64'
    });
  });

  it('a base without Python is a clear error', async () => {
    const dir = await tmp();
    const { file, tar: t } = await layerFile(dir, 'l.tar', [
      { name: 'bin/sh', data: elf(0x3e) },
      { name: 'usr/bin/python3', type: 'symlink', linkname: 'missing' }
    ]);
    const fsMap = await scanLayers(
      [{ file, digest: 'sha256:0', size: 0, mediaType: MEDIA.layerTar, diffId: sha256Digest(t) }],
      'docker-archive:x'
    );
    expect(() => findBasePython(fsMap, 'docker-archive:x')).toThrow(
      /base docker-archive:x: no Python interpreter found/
    );
  });

  it('reads a docker-archive: config, layers written through with their digests', async () => {
    const dir = await tmp();
    const archive = await dockerArchive(dir, [debianPython, [{ name: 'etc/hostname', data: 'x' }]]);
    const base = await readDockerArchive(
      archive,
      path.join(dir, 'work'),
      'docker-archive:base.tar'
    );
    expect(base.layers).toHaveLength(2);
    expect(base.layers[0].digest).toBe(base.layers[0].diffId);
    expect(base.layers[0].mediaType).toBe(MEDIA.layerTar);
    expect(base.config.architecture).toBe('amd64');
  });

  it('unreadable, non-docker or tampered archives are clear errors', async () => {
    const dir = await tmp();
    await expect(
      readDockerArchive(
        path.join(dir, 'missing.tar'),
        path.join(dir, 'w0'),
        'docker-archive:missing.tar'
      )
    ).rejects.toThrow(/does not exist or cannot be read/);
    const junk = path.join(dir, 'junk.tar');
    await fs.writeFile(junk, 'this is not a tar file at all'.repeat(40));
    await expect(
      readDockerArchive(junk, path.join(dir, 'w1'), 'docker-archive:junk.tar')
    ).rejects.toThrow(FailureError);
    const noManifest = path.join(dir, 'nomanifest.tar');
    await fs.writeFile(noManifest, await makeTar([{ name: 'hello.txt', data: 'hi' }]));
    await expect(
      readDockerArchive(noManifest, path.join(dir, 'w2'), 'docker-archive:nomanifest.tar')
    ).rejects.toThrow(/manifest.json/);
    const escaping = path.join(dir, 'escape.tar');
    await fs.writeFile(
      escaping,
      await makeTar([
        { name: '../escaped.txt', data: 'x' },
        { name: 'manifest.json', data: JSON.stringify([{ Config: '../escaped.txt', Layers: [] }]) }
      ])
    );
    await expect(
      readDockerArchive(escaping, path.join(dir, 'w3'), 'docker-archive:escape.tar')
    ).rejects.toThrow(
      "base docker-archive:escape.tar: escape.tar: refusing member ../escaped.txt: it climbs out with '..'"
    );
    await expect(fs.access(path.join(dir, 'escaped.txt'))).rejects.toThrow();
  });

  it('reads an OCI layout, choosing the linux manifest of this machine from an index', async () => {
    const dir = await tmp();
    const layout = path.join(dir, 'layout');
    await fs.mkdir(path.join(layout, 'blobs', 'sha256'), { recursive: true });
    const put = async (data: Buffer | string): Promise<{ digest: string; size: number }> => {
      const b = Buffer.from(data);
      const digest = sha256Digest(b);
      await fs.writeFile(path.join(layout, 'blobs', 'sha256', digest.slice(7)), b);
      return { digest, size: b.length };
    };
    const t = await makeTar(debianPython);
    const gz = zlib.gzipSync(t);
    const layer = await put(gz);
    const cfg = await put(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [sha256Digest(t)] }
      })
    );
    const manifest = await put(
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: MEDIA.config, ...cfg },
        layers: [{ mediaType: MEDIA.dockerLayerGzip, ...layer }]
      })
    );
    const idx = await put(
      JSON.stringify({
        manifests: [
          {
            mediaType: MEDIA.manifest,
            ...manifest,
            platform: { os: 'linux', architecture: 'amd64' }
          }
        ]
      })
    );
    await fs.writeFile(
      path.join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: MEDIA.index,
            ...idx,
            annotations: { 'org.opencontainers.image.ref.name': 'v1' }
          }
        ]
      })
    );
    const base = await readOciLayout(layout, 'v1', 'oci:layout:v1', 'amd64');
    expect(base.manifestDigest).toBe(manifest.digest);
    expect(base.layers[0]).toMatchObject({
      digest: layer.digest,
      mediaType: MEDIA.layerGzip,
      diffId: sha256Digest(t)
    });
    await expect(readOciLayout(layout, 'v2', 'oci:layout:v2', 'amd64')).rejects.toThrow(
      /no image tagged 'v2'/
    );
  });
});

describe('platform checks', () => {
  const py = {
    executable: '/usr/bin/python3.11',
    version: '3.11',
    arch: 'x86_64',
    libc: { kind: 'glibc' as const, version: [2, 36] as [number, number] }
  };

  it('a base whose config and Python disagree on the machine is an error', () => {
    const base = { ref: 'oci:x', layers: [], config: { architecture: 'arm64' } };
    expect(() => checkBaseArch(base, py)).toThrow(
      /base oci:x: its config says arm64 but its Python \(\/usr\/bin\/python3.11\) is built for x86_64/
    );
    expect(() => checkBaseArch({ ...base, config: { architecture: 'amd64' } }, py)).not.toThrow();
  });

  it('wheels for another platform or Python than the base are an error naming both', () => {
    const w = (f: string) => ({
      ...(parseWheelName(f) as NonNullable<ReturnType<typeof parseWheelName>>),
      abs: f
    });
    expect(() => checkImageWheels([w('six-1.17.0-py2.py3-none-any.whl')], py, 'b')).not.toThrow();
    expect(() =>
      checkImageWheels(
        [w('fast-1-cp311-cp311-manylinux_2_28_aarch64.whl')],
        py,
        'docker-archive:b.tar'
      )
    ).toThrow(
      /image: fast-1-cp311-cp311-manylinux_2_28_aarch64.whl does not fit the base image docker-archive:b.tar \(CPython 3.11, linux\/x86_64, glibc 2.36\)/
    );
  });
});

describe('references and argument vectors', () => {
  it.each([
    ['docker-archive:img.tar', { kind: 'docker-archive', path: '/p/img.tar' }],
    ['oci:/abs/layout', { kind: 'oci', path: '/abs/layout' }],
    ['oci:layout:v1', { kind: 'oci', path: '/p/layout', tag: 'v1' }],
    ['python:3.12-slim', { kind: 'registry', ref: 'python:3.12-slim' }],
    ['docker-daemon:app/base:1', { kind: 'daemon', ref: 'app/base:1' }],
    ['docker://ghcr.io/a/b@sha256:abc', { kind: 'registry', ref: 'ghcr.io/a/b@sha256:abc' }]
  ])('base %s', (base, expected) => {
    expect(parseBase(base, '/p')).toEqual(expected);
  });

  it('rejects an empty or malformed base naming the option', () => {
    expect(() => parseBase('', '/p')).toThrow(/^base: the image format needs a base image/);
    expect(() => parseBase('https://x/y', '/p')).toThrow(/base: 'https:\/\/x\/y' is not/);
    expect(() => parseBase('docker-daemon: ', '/p')).toThrow(
      /base: 'docker-daemon:' names no image/
    );
  });

  it.each([
    [
      'skopeo',
      [['skopeo', 'copy', '--retry-times', '2', 'docker://python:3.12', 'oci:/w/pulled:base']]
    ],
    [
      'docker',
      [
        ['docker', 'pull', 'python:3.12'],
        ['docker', 'save', '-o', '/w/pulled', 'python:3.12']
      ]
    ],
    [
      'podman',
      [
        ['podman', 'pull', 'python:3.12'],
        ['podman', 'save', '-o', '/w/pulled', 'python:3.12']
      ]
    ]
  ])('pull with %s', (tool, expected) => {
    expect(pullArgvs(tool as 'skopeo', 'python:3.12', '/w/pulled')).toEqual(expected);
  });

  it.each([
    ['skopeo', [['skopeo', 'copy', 'oci:/o/app.oci:1.0', 'docker://reg/app:1.0']]],
    [
      'docker',
      [
        ['docker', 'load', '-i', '/o/app.image.tar'],
        ['docker', 'push', 'reg/app:1.0']
      ]
    ]
  ])('push with %s', (tool, expected) => {
    expect(
      pushArgvs(tool as 'skopeo', '/o/app.oci', '1.0', '/o/app.image.tar', 'reg/app:1.0')
    ).toEqual(expected);
  });

  it('load and image names', () => {
    expect(loadArgv('podman', '/o/a.tar')).toEqual(['podman', 'load', '-i', '/o/a.tar']);
    expect(normalizeImageName('My_App', '1.0+local.1')).toBe('my_app:1.0-local.1');
    expect(normalizeImageName('registry:5000/team/app:v2', '1.0')).toBe(
      'registry:5000/team/app:v2'
    );
    expect(normalizeImageName('app', null)).toBe('app:latest');
  });

  it('points launchers at the image interpreter', () => {
    expect(
      rewriteLauncher(
        Buffer.from('#!/root/.pyenv/versions/3.11.7/bin/python3.11\nimport sys\n')
      )?.toString()
    ).toBe('#!/app/venv/bin/python\nimport sys\n');
    const long =
      "#!/bin/sh\n'''exec' \"/very/long path/python\" \"$0\" \"$@\"\n' '''\nimport sys\n";
    expect(rewriteLauncher(Buffer.from(long))?.toString()).toBe(
      '#!/app/venv/bin/python\nimport sys\n'
    );
    expect(rewriteLauncher(Buffer.from('\x7fELF'))).toBeNull();
  });
});

describe('base store and image archive', () => {
  it('an archive is the stored prefix plus our members: readable, ordered, hashed as written', async () => {
    const dir = await tmp();
    const blobA = Buffer.alloc(1000, 1);
    const blobB = Buffer.alloc(513, 2);
    await fs.writeFile(path.join(dir, 'a'), blobA);
    await fs.writeFile(path.join(dir, 'b'), blobB);
    const prefix = await writeArchivePrefix(
      path.join(dir, 'prefix.tar'),
      [
        { digest: 'sha256:' + 'b'.repeat(64), file: path.join(dir, 'b') },
        { digest: 'sha256:' + 'a'.repeat(64), file: path.join(dir, 'a') }
      ],
      1600000000
    );
    expect(prefix.size).toBe(512 * 2 + (512 + 1024) + (512 + 1024));
    const dest = path.join(dir, 'out.image.tar');
    const pending = beginArchive(prefix, dest);
    const r = await pending.finish(
      [
        { name: 'blobs/sha256/' + 'c'.repeat(64), data: Buffer.from('own layer') },
        { name: 'index.json', data: Buffer.from('{}') }
      ],
      1700000000
    );
    const bytes = await fs.readFile(dest);
    expect(r.sha256).toBe(sha256Digest(bytes).slice(7));
    expect(r.size).toBe(bytes.length);
    expect(await fs.readdir(dir)).not.toContain(`out.image.tar.${process.pid}.tmp`);
    const members = await tarMembers(bytes);
    // Base blobs in the order given (the base's layer order), then ours.
    expect(members.map((m) => m.name)).toEqual([
      'blobs/',
      'blobs/sha256/',
      'blobs/sha256/' + 'b'.repeat(64),
      'blobs/sha256/' + 'a'.repeat(64),
      'blobs/sha256/' + 'c'.repeat(64),
      'index.json'
    ]);
    expect(members[2].data.equals(blobB)).toBe(true);
    expect(members[3].data.equals(blobA)).toBe(true);
    expect(members[4].data.toString()).toBe('own layer');
    // The base's members carry the base's time (reusable across commits); ours carry SDE.
    expect(members.slice(0, 4).map((m) => m.mtime)).toEqual(Array(4).fill(1600000000));
    expect(members.slice(4).map((m) => m.mtime)).toEqual([1700000000, 1700000000]);
  });

  it('an aborted archive leaves nothing behind; a missing prefix fails without output', async () => {
    const dir = await tmp();
    await fs.writeFile(path.join(dir, 'blob'), 'x');
    const prefix = await writeArchivePrefix(
      path.join(dir, 'p.tar'),
      [{ digest: 'sha256:' + 'd'.repeat(64), file: path.join(dir, 'blob') }],
      0
    );
    await beginArchive(prefix, path.join(dir, 'gone.tar')).abort();
    expect((await fs.readdir(dir)).sort()).toEqual(['blob', 'p.tar', 'p.tar.mark.json']);
    const missing = beginArchive(
      { file: path.join(dir, 'nope.tar'), size: 1 },
      path.join(dir, 'x.tar')
    );
    await expect(missing.finish([], 0)).rejects.toThrow(/nope\.tar/);
    expect((await fs.readdir(dir)).sort()).toEqual(['blob', 'p.tar', 'p.tar.mark.json']);
  });

  it('stores a docker-archive base once, reuses it while the file is unchanged, and rereads it after', async () => {
    const dir = await tmp();
    const archive = await dockerArchive(
      dir,
      [debianPython, [{ name: 'etc/hostname', data: 'x' }]],
      {
        created: '2024-01-02T03:04:05Z'
      }
    );
    const opts = defaultOptions({
      projectDir: dir,
      base: `docker-archive:${path.basename(archive)}`,
      cacheDir: path.join(dir, 'cache')
    });
    const first = await storedBase(opts, await tmp());
    expect(first.reused).toBe(false);
    expect(first.prefixBlobs).toEqual(first.base.layers.map((l) => l.digest));
    const second = await storedBase(opts, await tmp());
    expect(second.reused).toBe(true);
    expect(second.base.layers).toEqual(first.base.layers);
    expect(second.base.config).toEqual(first.base.config);
    // The stored blobs are the base's layers, byte for byte.
    for (const l of second.base.layers)
      expect(sha256Digest(await fs.readFile(l.file))).toBe(l.digest);
    // The prefix's members carry the base's created time.
    const members = await tarMembers(
      Buffer.concat([await fs.readFile(second.prefix.file), Buffer.alloc(1024)])
    );
    expect(new Set(members.map((m) => m.mtime))).toEqual(new Set([1704164645]));
    // A replaced base file is read again (another entry).
    await dockerArchive(dir, [debianPython]);
    const third = await storedBase(opts, await tmp());
    expect(third.reused).toBe(false);
    expect(third.base.layers).toHaveLength(1);
    expect(baseTime({})).toBe(0);
    // A cache directory that cannot be created: the base is read each time, nothing fails.
    await fs.writeFile(path.join(dir, 'not-a-dir'), '');
    const noCache = { ...opts, cacheDir: path.join(dir, 'not-a-dir', 'cache') };
    for (let i = 0; i < 2; i++) {
      const work = await tmp();
      const r = await storedBase(noCache, work);
      expect(r.reused).toBe(false);
      expect(r.prefix.file.startsWith(work)).toBe(true);
    }
  });

  it('an archive resumed from the stored hash state has the SHA-256 of its bytes; a foreign state is not used, a prefix written by another is rebuilt', async () => {
    const dir = await tmp();
    const archive = await dockerArchive(dir, [debianPython, [{ name: 'etc/hostname', data: 'x' }]]);
    const opts = defaultOptions({
      projectDir: dir,
      base: `docker-archive:${path.basename(archive)}`,
      cacheDir: path.join(dir, 'cache')
    });
    await storedBase(opts, await tmp());
    const stored = await storedBase(opts, await tmp());
    expect(stored.reused).toBe(true);
    expect(stored.prefix.hashState?.impl).toBe(PREFIX_HASH_IMPL);
    const members = [{ name: 'index.json', data: Buffer.from('{"x":1}') }];
    const write = async (prefix: ArchivePrefix, name: string): Promise<string> => {
      const dest = path.join(dir, name);
      const r = await beginArchive(prefix, dest).finish(members, 1700000000);
      expect(r.sha256).toBe(sha256Digest(await fs.readFile(dest)).slice(7));
      return r.sha256;
    };
    const resumed = await write(stored.prefix, 'resumed.tar');
    const { hashState: _state, ...plain } = stored.prefix;
    expect(await write(plain, 'hashed.tar')).toBe(resumed);
    // A state of another implementation, or one that does not load, is ignored.
    for (const hashState of [
      { impl: 'other', state: stored.prefix.hashState!.state },
      { impl: PREFIX_HASH_IMPL, state: 'AAAA' }
    ])
      expect(await write({ ...stored.prefix, hashState }, 'other.tar')).toBe(resumed);
    // A prefix written by something else (here in place, keeping its size) is not trusted:
    // the entry is rebuilt from the base, and archives on it are as before.
    const bytes = await fs.readFile(stored.prefix.file);
    bytes[bytes.length - 1] ^= 1;
    await fs.writeFile(stored.prefix.file, bytes);
    const touched = await storedBase(opts, await tmp());
    expect(touched.reused).toBe(false);
    expect(await write(touched.prefix, 'touched.tar')).toBe(resumed);
  });

  it('pruneOldest keeps the most recently used entries', async () => {
    const dir = await tmp();
    for (const [n, t] of [
      ['a', 1000],
      ['b', 3000],
      ['c', 2000],
      ['keep.me', 0]
    ] as const) {
      await fs.mkdir(path.join(dir, n));
      await fs.utimes(path.join(dir, n), t, t);
    }
    const gone = await pruneOldest(dir, 2, (n) => !n.includes('.'));
    expect(gone).toEqual(['a']);
    expect((await fs.readdir(dir)).sort()).toEqual(['b', 'c', 'keep.me']);
  });
});
