import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActionsServices, startActionsServices } from '../helpers/actions-services.js';
import { runDriver } from '../helpers/services/run-driver.js';
import {
  COUNTER_VAR,
  buildCdepSdist,
  buildCount,
  buildPython
} from '../helpers/services/cache-fixture.js';
import { testOptions } from '../helpers/env.js';

const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

/** @actions/cache and @actions/artifact against azurite + the results shim, for real. */
describe('local GitHub services (azurite + results shim)', () => {
  let svc: ActionsServices;
  let work: string;

  beforeAll(async () => {
    svc = await startActionsServices();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-svc-'));
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('round-trips a cache entry: exact key, prefix restore key, unknown key, immutable key', async () => {
    const dir = path.join(work, 'cache-dir');
    await fs.mkdir(dir, { recursive: true });
    const big = Buffer.alloc(300_000, 7);
    await fs.writeFile(path.join(dir, 'a.txt'), 'alpha');
    await fs.writeFile(path.join(dir, 'b.bin'), big);
    const want = { 'a.txt': sha('alpha'), 'b.bin': sha(big) };
    const { result } = await runDriver<unknown[]>(
      [
        ['cache-save', { dir, key: 'svc-test-linux-abc' }],
        ['rm', { dir }],
        ['cache-restore', { dir, key: 'svc-test-linux-abc' }],
        ['snapshot', { dir }],
        ['rm', { dir }],
        ['cache-restore', { dir, key: 'svc-test-linux-zzz', restoreKeys: ['svc-test-linux-'] }],
        ['snapshot', { dir }],
        ['cache-restore', { dir, key: 'other-key', restoreKeys: ['other-'] }],
        ['cache-save', { dir, key: 'svc-test-linux-abc' }]
      ],
      svc.env
    );
    const [saved, , exact, snap1, , prefix, snap2, none, again] = result as [
      { id: number },
      null,
      { matched: string | null },
      Record<string, string>,
      null,
      { matched: string | null },
      Record<string, string>,
      { matched: string | null },
      { id: number }
    ];
    expect(saved.id).toBeGreaterThan(0);
    expect(exact.matched).toBe('svc-test-linux-abc');
    expect(snap1).toEqual(want);
    expect(prefix.matched).toBe('svc-test-linux-abc');
    expect(snap2).toEqual(want);
    expect(none.matched).toBeNull();
    // Entries are immutable: a second save under the same key is refused without throwing.
    expect(again.id).toBe(-1);
    expect(svc.calls).toEqual(
      expect.arrayContaining([
        'CacheService/CreateCacheEntry',
        'CacheService/FinalizeCacheEntryUpload',
        'CacheService/GetCacheEntryDownloadURL'
      ])
    );
  });

  it('round-trips an artifact: upload, list, download', async () => {
    const root = path.join(work, 'art-src');
    await fs.mkdir(path.join(root, 'sub'), { recursive: true });
    const wheel = Buffer.alloc(50_000, 3);
    await fs.writeFile(path.join(root, 'albatross-manifest.json'), '{"artifacts":[]}\n');
    await fs.writeFile(path.join(root, 'sub', 'w.whl'), wheel);
    const dir = path.join(work, 'art-dl');
    const { result } = await runDriver<unknown[]>(
      [
        [
          'artifact-upload',
          { name: 'manifest-job-1', root, files: ['albatross-manifest.json', 'sub/w.whl'] }
        ],
        ['artifact-list', {}],
        ['artifact-download', { name: 'manifest-job-1', dir }],
        ['snapshot', { dir }]
      ],
      svc.env
    );
    const [up, list, down, snap] = result as [
      { id: number; size: number },
      { artifacts: { id: number; name: string; size: number }[] },
      { digestMismatch: boolean },
      Record<string, string>
    ];
    expect(up.id).toBeGreaterThan(0);
    expect(up.size).toBeGreaterThan(0);
    expect(list.artifacts).toEqual([
      expect.objectContaining({ id: up.id, name: 'manifest-job-1', size: up.size })
    ]);
    expect(down.digestMismatch).toBe(false);
    expect(snap).toEqual({
      'albatross-manifest.json': sha('{"artifacts":[]}\n'),
      [path.join('sub', 'w.whl')]: sha(wheel)
    });
    expect(svc.calls).toEqual(
      expect.arrayContaining([
        'ArtifactService/CreateArtifact',
        'ArtifactService/FinalizeArtifact',
        'ArtifactService/ListArtifacts',
        'ArtifactService/GetSignedArtifactURL'
      ])
    );
  });

  it('prepareWheelhouse through the GitHub backend: cold run saves, warm run restores and compiles nothing', async () => {
    const findLinks = path.join(work, 'find-links');
    await buildCdepSdist(findLinks, work);
    const python = await buildPython();
    if (!python) throw new Error('no CPython found');
    const counter = path.join(work, 'builds.txt');
    const base = testOptions();
    const args = (n: number): object => ({
      opts: { ...base, findLinks: [...base.findLinks, findLinks] },
      python: { version: python.version, executable: python.executable },
      requirements: ['albacore-cdep==1.0.0'],
      platformKey: 'linux_x86_64',
      dest: path.join(work, `wheelhouse-${n}`)
    });
    type Out = { report: Record<string, unknown>; wheels: string[]; log: string[] };
    const { result } = await runDriver<Out[]>(
      [
        ['wheelhouse', args(1)],
        ['wheelhouse', args(2)]
      ],
      { ...svc.env, [COUNTER_VAR]: counter }
    );
    const [cold, warm] = result;
    expect(cold.report).toMatchObject({
      backend: 'github',
      hit: 'miss',
      saved: true,
      wheelsBuilt: 1
    });
    expect(warm.report).toMatchObject({
      backend: 'github',
      hit: 'exact',
      saved: false,
      wheelsBuilt: 0,
      wheelsReused: 1,
      warnings: []
    });
    expect(await buildCount(counter)).toBe(1);
    expect(warm.wheels).toEqual(cold.wheels);
    expect(warm.wheels.some((w) => w.startsWith('albacore_cdep-1.0.0-'))).toBe(true);
  });
});
