import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArtifactEntry } from '../../src/manifest/model.js';
import { exec } from '../../src/runtime/exec.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { pipEnv } from '../../src/runtime/pip.js';
import { discoverPythons, findPython } from '../../src/runtime/python.js';
import {
  DOCKER_SKIP_REASON,
  TEST_PYTHON_ARCHIVE,
  TEST_PYTHON_IMAGE,
  dockerEnv,
  dockerReady,
  imageReady
} from '../helpers/docker.js';
import { baseWithoutPython } from '../helpers/bases.js';
import { itIf, testOptions } from '../helpers/env.js';
import { packageFromWheels } from '../helpers/package.js';

const FIXTURE = path.resolve('fixtures/package-app');
const SDE = 1700000000;
const HAVE_BASE = existsSync(TEST_PYTHON_ARCHIVE);
const BASE_REASON = `no base archive ${TEST_PYTHON_ARCHIVE}; ${DOCKER_SKIP_REASON}`;

type Layer = { role: string; digest: string; diffId: string; size: number };

async function buildWheel(src: string, out: string): Promise<void> {
  const py = (await findPython('3.11')) ?? (await discoverPythons())[0];
  await exec(
    [py.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps', '--wheel-dir', out, src],
    { extraEnv: pipEnv(testOptions()) },
    'building the fixture wheel'
  );
}

describe('container image without a daemon (real pip, real docker-archive base)', () => {
  let work: string;
  const loaded: string[] = [];

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-pkg-img-'));
    for (const v of ['a', 'b']) {
      await fs.cp(FIXTURE, path.join(work, v), { recursive: true });
    }
    // b: the code-only change.
    const cli = path.join(work, 'b', 'src', 'pkgapp', 'cli.py');
    await fs.writeFile(
      cli,
      (await fs.readFile(cli, 'utf8')).replace('hello from pkgapp', 'hi again from pkgapp')
    );
    await Promise.all([
      buildWheel(path.join(work, 'a'), path.join(work, 'wheels-a')),
      buildWheel(path.join(work, 'b'), path.join(work, 'wheels-b'))
    ]);
  }, 180_000);

  afterAll(async () => {
    for (const img of loaded) {
      try {
        execFileSync('docker', ['rmi', '-f', img], { env: dockerEnv(), stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  const pack = async (
    variant: 'a' | 'b',
    out: string,
    extra: Parameters<typeof testOptions>[0] = {}
  ) => {
    await fs.cp(path.join(work, `wheels-${variant}`), out, { recursive: true });
    const opts = testOptions({
      projectDir: path.join(work, variant),
      sourceDateEpoch: SDE,
      base: `docker-archive:${TEST_PYTHON_ARCHIVE}`,
      imageName: 'albatross-test/pkgapp-run',
      user: '65534',
      cacheDir: path.join(work, 'cache'),
      ...extra
    });
    const r = await packageFromWheels(out, opts, 'image');
    return {
      ...r,
      image: r.manifest.artifacts.find((a) => a.kind === 'image') as ArtifactEntry
    };
  };

  itIf(HAVE_BASE, BASE_REASON)(
    'same inputs, same digest; a code-only change replaces only the application layer',
    async () => {
      const a1 = await pack('a', path.join(work, 'a1'));
      expect(a1.ok).toBe(true);
      expect(a1.image.file).toBe('albatross-package-app-1.2.0.image.tar');
      expect(a1.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(a1.image.imageName).toBe('albatross-test/pkgapp-run:1.2.0');
      const layers = (a1.image.details as { layers: Layer[] }).layers;
      expect(layers.map((l) => l.role)).toEqual(['base', 'dependencies', 'application']);
      // The base layer is written through unchanged.
      const baseLayer = layers[0];
      expect(
        existsSync(
          path.join(
            work,
            'a1',
            'albatross-package-app-1.2.0.oci',
            'blobs',
            'sha256',
            baseLayer.digest.slice(7)
          )
        )
      ).toBe(true);
      const index = JSON.parse(
        await fs.readFile(
          path.join(work, 'a1', 'albatross-package-app-1.2.0.oci', 'index.json'),
          'utf8'
        )
      );
      expect(index.manifests[0].digest).toBe(a1.image.digest);
      const blob = (d: string): Promise<string> =>
        fs.readFile(
          path.join(work, 'a1', 'albatross-package-app-1.2.0.oci', 'blobs', 'sha256', d.slice(7)),
          'utf8'
        );
      const manifest = JSON.parse(await blob(a1.image.digest as string));
      const config = JSON.parse(await blob(manifest.config.digest));
      expect(config.created).toBe('2023-11-14T22:13:20Z');
      expect(config.config.Entrypoint).toEqual(['/app/venv/bin/pkgapp']);
      expect(config.config.Env).toContain('VIRTUAL_ENV=/app/venv');
      expect(config.config.User).toBe('65534');
      expect(config.config.Labels['org.opencontainers.image.version']).toBe('1.2.0');
      expect(config.rootfs.diff_ids).toEqual(layers.map((l) => l.diffId));

      // The manifest's sha256 (hashed while the archive was written) is the file's.
      const a1Sha = await sha256File(path.join(work, 'a1', a1.image.file));
      expect(a1.image.sha256).toBe(a1Sha);
      expect(a1.log).toContain(
        'info: image: base layers read from the source and stored, dependency layer built'
      );

      // Again, elsewhere, now from the base store and the layer cache: the same bytes.
      const a2 = await pack('a', path.join(work, 'a2'));
      expect(a2.log).toContain(
        'info: image: base layers from the base store, dependency layer from the cache'
      );
      expect(a2.image.digest).toBe(a1.image.digest);
      expect(a2.image.sha256).toBe(a1Sha);
      expect(await sha256File(path.join(work, 'a2', a2.image.file))).toBe(a1Sha);
      // a1's archive is the store's prefix file (a hard link, nothing copied); a2, built while
      // a1 still held it, is a copy.
      const store = path.join(work, 'cache', 'package', 'bases');
      const [entry] = (await fs.readdir(store)).filter((n) => n.startsWith('v'));
      const ino = async (f: string): Promise<number> => (await fs.stat(f)).ino;
      const prefixIno = await ino(path.join(store, entry, 'prefix.tar'));
      expect(await ino(path.join(work, 'a1', a1.image.file))).toBe(prefixIno);
      expect(await ino(path.join(work, 'a2', a2.image.file))).not.toBe(prefixIno);

      // Damaged caches are noticed and rebuilt, to the same bytes.
      await fs.truncate(path.join(store, entry, 'prefix.tar'), 4096);
      const layerDir = path.join(work, 'cache', 'package', 'layers');
      for (const f of (await fs.readdir(layerDir)).filter((n) => n.endsWith('.tar.gz')))
        await fs.writeFile(path.join(layerDir, f), 'not a layer');
      const a3 = await pack('a', path.join(work, 'a3'));
      expect(a3.log).toContain(
        'info: image: base layers read from the source and stored, dependency layer built'
      );
      expect(a3.image.sha256).toBe(a1Sha);
      expect(await sha256File(path.join(work, 'a3', a3.image.file))).toBe(a1Sha);

      // Code-only change, committed later (another SOURCE_DATE_EPOCH): base and dependency
      // layers identical, the application layer new and small.
      const b = await pack('b', path.join(work, 'b1'), { sourceDateEpoch: SDE + 86_400 });
      const bLayers = (b.image.details as { layers: Layer[] }).layers;
      expect(b.image.digest).not.toBe(a1.image.digest);
      expect(bLayers.slice(0, -1).map((l) => l.digest)).toEqual(
        layers.slice(0, -1).map((l) => l.digest)
      );
      expect(bLayers[bLayers.length - 1].digest).not.toBe(layers[layers.length - 1].digest);
      expect(bLayers[bLayers.length - 1].size).toBeLessThan(20_000);
    },
    300_000
  );

  itIf(HAVE_BASE && dockerReady(), BASE_REASON)(
    'docker load accepts the archive and docker run --network none prints the greeting',
    async () => {
      // Its own build (the caches other tests filled make it quick when they ran first).
      const dir = path.join(work, 'load');
      const built = await pack('a', dir);
      expect(built.ok).toBe(true);
      const name = built.image.imageName as string;
      loaded.push(name);
      const env = dockerEnv();
      const out = execFileSync('docker', ['load', '-i', path.join(dir, built.image.file)], {
        env,
        encoding: 'utf8'
      });
      expect(out).toContain(name);
      const run = execFileSync('docker', ['run', '--rm', '--network', 'none', name], {
        env,
        encoding: 'utf8'
      }).trim();
      expect(run).toBe('hello from pkgapp 1.2.0 (six 1.17.0, py3)');
    },
    300_000
  );

  itIf(HAVE_BASE && imageReady(TEST_PYTHON_IMAGE), DOCKER_SKIP_REASON)(
    'builds on an image the engine holds (docker-daemon:), keyed by its image ID',
    async () => {
      const env = dockerEnv();
      const saved = process.env.DOCKER_HOST;
      process.env.DOCKER_HOST = env.DOCKER_HOST;
      try {
        const base = `docker-daemon:${TEST_PYTHON_IMAGE}`;
        const cacheDir = path.join(work, 'daemon-cache');
        const d1 = await pack('a', path.join(work, 'd1'), { base, cacheDir });
        expect(d1.ok).toBe(true);
        expect(d1.log).toContain(
          'info: image: base layers read from the source and stored, dependency layer built'
        );
        // The base layers are the engine's, byte for byte (uncompressed: digest = diff_id).
        const engineLayers = JSON.parse(
          execFileSync(
            'docker',
            ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', TEST_PYTHON_IMAGE],
            { env, encoding: 'utf8' }
          )
        ) as string[];
        const layers = (d1.image.details as { layers: Layer[] }).layers;
        expect(layers.filter((l) => l.role === 'base').map((l) => l.diffId)).toEqual(engineLayers);
        // Again: the engine's image ID finds the stored base; nothing is saved again.
        const d2 = await pack('a', path.join(work, 'd2'), { base, cacheDir });
        expect(d2.log).toContain(
          'info: image: base layers from the base store, dependency layer from the cache'
        );
        expect(d2.image.sha256).toBe(d1.image.sha256);
        // An image the engine does not hold is a clear error naming the base.
        const d3 = await pack('a', path.join(work, 'd3'), {
          base: 'docker-daemon:albatross-test/not-there:1',
          cacheDir
        });
        expect(d3.ok).toBe(false);
        expect(d3.manifest.failures[0].message).toMatch(
          /^base docker-daemon:albatross-test\/not-there:1: docker holds no such image/
        );
      } finally {
        if (saved === undefined) delete process.env.DOCKER_HOST;
        else process.env.DOCKER_HOST = saved;
      }
    },
    300_000
  );

  it('bad bases fail clearly, naming the base', async () => {
    const noPy = path.join(work, 'nopython.tar');
    await baseWithoutPython(noPy);
    const r1 = await pack('a', path.join(work, 'bad1'), { base: `docker-archive:${noPy}` });
    expect(r1.ok).toBe(false);
    expect(r1.manifest.failures[0].message).toMatch(
      /^base docker-archive:.*nopython.tar: no Python interpreter found/
    );
    expect(r1.manifest.artifacts.some((a) => a.kind === 'image')).toBe(false);
    const r2 = await pack('a', path.join(work, 'bad2'), {
      base: `docker-archive:${path.join(work, 'missing.tar')}`
    });
    expect(r2.ok).toBe(false);
    expect(r2.manifest.failures[0].message).toMatch(/missing.tar does not exist or cannot be read/);
  });
});
