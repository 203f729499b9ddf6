import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import {
  ccacheEnv,
  compilerCacheWanted,
  compilerNames,
  masqueradeArgs,
  parseLogStats
} from '../../src/build/ccache.js';
import { sessionRunArgs } from '../../src/build/container.js';
import { compilerCacheKey, openCompilerCache, treeDigest } from '../../src/cache/compiler.js';
import { LocalBackend } from '../../src/cache/local.js';
import { compilerCacheLine } from '../../src/cache/summary.js';
import { packTree, unpackTree } from '../../src/cache/tree.js';
import { defaultOptions } from '../../src/config/options.js';
import { renderJobSummary } from '../../src/report/markdown.js';
import { nativeJob } from './report-fixtures.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-ccache-unit-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function files(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, await files(dir, r));
    else out[r] = await fs.readFile(path.join(dir, r), 'utf8');
  }
  return out;
}

async function write(dir: string, tree: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(tree)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
}

describe('when a build compiles through the cache', () => {
  it.each([
    ['native, option on', { compilerCache: true }, { native: true }, {}, true],
    ['pure project', { compilerCache: true }, { native: false }, {}, false],
    ['option off', { compilerCache: false }, { native: true }, {}, false],
    [
      'another work root only (verify A)',
      { compilerCache: true },
      { native: true },
      { workRoot: '/w' },
      true
    ],
    [
      'varied env (verify B)',
      { compilerCache: true },
      { native: true },
      { extraEnv: { HOME: '/h' } },
      false
    ],
    [
      'wrapper (verify B)',
      { compilerCache: true },
      { native: true },
      { wrapper: ['faketime'] },
      false
    ],
    [
      'pins released (sensitivity)',
      { compilerCache: true },
      { native: true },
      { releasePins: { tz: 'X', locale: 'C', umask: 0o077 } },
      false
    ]
  ])('%s', (_case, opts, model, benv, want) => {
    expect(compilerCacheWanted(opts, model, benv)).toBe(want);
  });
});

describe('the environment of a compile', () => {
  it('names the directory, the build dir as base, the stats log, no config file, the masquerade first on PATH', () => {
    expect(
      ccacheEnv({
        dir: '/c/ccache',
        baseDir: '/w/py3.12/src/p-1',
        statsLog: '/w/py3.12/ccache-stats.log',
        masquerade: '/w/masq',
        PATH: '/usr/bin:/bin'
      })
    ).toEqual({
      CCACHE_DIR: '/c/ccache',
      CCACHE_BASEDIR: '/w/py3.12/src/p-1',
      CCACHE_STATSLOG: '/w/py3.12/ccache-stats.log',
      CCACHE_CONFIGPATH: '/dev/null',
      CCACHE_COMPILERCHECK: 'content',
      CCACHE_MAXSIZE: '500M',
      PATH: '/w/masq:/usr/bin:/bin'
    });
  });

  it('links only the compiler names the place has (real /bin/sh)', async () => {
    const masq = path.join(tmp, 'masq');
    const argv = masqueradeArgs(masq, '/opt/ccache', ['gcc', 'no-such-compiler-here']);
    execFileSync(argv[0], argv.slice(1));
    expect(await fs.readdir(masq)).toEqual(['gcc']);
    expect(await fs.readlink(path.join(masq, 'gcc'))).toBe('/opt/ccache');
    expect(compilerNames('x64')).toEqual(
      expect.arrayContaining(['cc', 'gcc', 'x86_64-linux-gnu-gcc'])
    );
    expect(compilerNames('arm64')).toContain('aarch64-linux-gnu-gcc');
  });

  it('reads hits and misses from --print-log-stats', () => {
    const json = JSON.stringify({
      direct_cache_hit: 3,
      preprocessed_cache_hit: 1,
      cache_miss: 2,
      called_for_link: 1,
      stats_updated_timestamp: 1796188313
    });
    expect(parseLogStats(json)).toEqual({ hits: 4, misses: 2 });
    expect(parseLogStats('not json')).toEqual({ hits: 0, misses: 0 });
  });
});

describe('the container mounts', () => {
  it('adds the compiler cache directory (writable) and the ccache binary (read-only)', () => {
    const argv = sessionRunArgs('docker', {
      image: 'img',
      name: 'n',
      hostWork: '/w',
      source: 'wheelhouse',
      hostWheelhouse: '/wh',
      hostEnvs: '/envs',
      opts: defaultOptions(),
      existing: () => true,
      extraMounts: [
        { source: '/c/ccache', target: '/albatross-ccache' },
        { source: '/t/bin/ccache', target: '/albatross-ccache-bin/ccache', readonly: true }
      ]
    });
    expect(argv).toContain('type=bind,source=/c/ccache,target=/albatross-ccache');
    expect(argv).toContain(
      'type=bind,source=/t/bin/ccache,target=/albatross-ccache-bin/ccache,readonly'
    );
  });
});

describe('the compiler cache as a cache entry', () => {
  it('keys by platform, sources and Pythons (in any order); restores from the prefix', () => {
    const k = (source: string, pythons: string[]) =>
      compilerCacheKey({
        platformKey: 'manylinux_2_28_x86_64-sha256:ab',
        source,
        pythons,
        os: 'linux',
        arch: 'x64'
      });
    const a = k('s1', ['3.12', '3.11']);
    expect(a.key).toMatch(
      /^albatross-ccache-v1-linux-x64-manylinux_2_28_x86_64-sha256_ab-[0-9a-f]{20}$/
    );
    expect(a.restoreKeys).toEqual([
      'albatross-ccache-v1-linux-x64-manylinux_2_28_x86_64-sha256_ab-'
    ]);
    expect(k('s1', ['3.11', '3.12']).key).toBe(a.key);
    expect(k('s2', ['3.11', '3.12']).key).not.toBe(a.key);
    expect(k('s1', ['3.12']).key).not.toBe(a.key);
  });

  it('digests a tree by names and contents', async () => {
    const d = path.join(tmp, 'digest');
    await write(d, { 'a.c': 'int a;', 'sub/b.c': 'int b;' });
    const first = await treeDigest(d);
    await fs.utimes(path.join(d, 'a.c'), 1, 1);
    expect(await treeDigest(d)).toBe(first);
    await fs.writeFile(path.join(d, 'a.c'), 'int a2;');
    expect(await treeDigest(d)).not.toBe(first);
  });

  it('packs and unpacks a tree: scratch, locks and config left out, files already there kept', async () => {
    const src = path.join(tmp, 'pack-src');
    await write(src, {
      'a/b/obj.R': 'object',
      'a/stats': 'counts',
      'tmp/scratch': 'x',
      'ccache.conf': 'prefix_command = evil',
      'a/x.lock': 'l'
    });
    const file = path.join(tmp, 'entry.tar');
    expect(
      await packTree(src, file, (n) => ['tmp', 'ccache.conf'].includes(n) || n.endsWith('.lock'))
    ).toBe(2);
    const dest = path.join(tmp, 'pack-dest');
    await write(dest, { 'a/stats': 'mine' });
    expect(await unpackTree(file, dest, () => false)).toBe(1);
    expect(await files(dest)).toEqual({ 'a/b/obj.R': 'object', 'a/stats': 'mine' });
  });

  it('refuses an entry whose member climbs out of the directory', async () => {
    const file = path.join(tmp, 'evil.tar');
    const pack = tar.pack();
    pack.entry({ name: '../escaped', type: 'file' }, 'boom');
    pack.finalize();
    await pipeline(pack, createWriteStream(file));
    const dest = path.join(tmp, 'evil-dest');
    await expect(unpackTree(file, dest, () => false)).rejects.toThrow(/escaped/);
    await expect(fs.stat(path.join(tmp, 'escaped'))).rejects.toThrow();
  });

  it('restores and saves through a backend: miss, save, partial restore, the save policy', async () => {
    const backend = new LocalBackend({ cacheDir: path.join(tmp, 'store') });
    const key = { platformKey: 'p', pythons: ['3.12'] };
    const first = await openCompilerCache({
      opts: { cacheDir: path.join(tmp, 'machine-1') },
      key: { ...key, source: 's1' },
      backend,
      env: {}
    });
    expect(first.report).toMatchObject({ backend: 'local', restored: 'miss' });
    await write(first.dir, { '1/2/obj': 'compiled', 'tmp/t': 'scratch' });
    expect(await first.save(0)).toEqual({ saved: false, skipped: 'nothing new was compiled' });
    expect(await first.save(1)).toEqual({ saved: true });

    // Another machine, changed sources: the newest entry of the prefix.
    const second = await openCompilerCache({
      opts: { cacheDir: path.join(tmp, 'machine-2') },
      key: { ...key, source: 's2' },
      backend,
      env: { GITHUB_EVENT_NAME: 'pull_request_target' }
    });
    expect(second.report.restored).toBe('partial');
    expect(await files(second.dir)).toEqual({ '1/2/obj': 'compiled' });
    expect(await second.save(3)).toEqual({ saved: false, skipped: 'event pull_request_target' });
  });

  it('without a backend (the CLI) keeps the directory in place', async () => {
    const store = await openCompilerCache({
      opts: { cacheDir: path.join(tmp, 'cli') },
      key: { platformKey: 'p', pythons: [], source: 's' },
      env: {}
    });
    expect(store.dir).toBe(path.join(tmp, 'cli', 'ccache'));
    expect(store.report).toEqual({ backend: 'local', restored: 'in-place', warnings: [] });
    expect(await store.save(2)).toEqual({ saved: true });
  });
});

describe('the summary line', () => {
  it('says what the cache did, per Python, and why it was not used', () => {
    expect(
      compilerCacheLine({
        tool: 'ccache 4.14.2',
        backend: 'github',
        key: 'k',
        restored: 'partial',
        hits: 7,
        misses: 1,
        pythons: { '3.11': { hits: 4, misses: 0 }, '3.12': { hits: 3, misses: 1 } },
        saved: true
      })
    ).toBe(
      'ccache 4.14.2 (github, restore partial) · 7 hit(s), 1 miss(es) (hits/misses 3.11: 4/0, 3.12: 3/1) · saved'
    );
    expect(
      compilerCacheLine({
        tool: null,
        backend: 'local',
        restored: 'in-place',
        hits: 0,
        misses: 0,
        pythons: {},
        saved: false,
        skipped: 'no ccache on PATH'
      })
    ).toBe('not used: no ccache on PATH');
  });

  it('is one line of the job summary', () => {
    const manifest = {
      ...nativeJob(),
      compilerCache: {
        tool: 'ccache 4.14.2',
        backend: 'local',
        restored: 'in-place' as const,
        hits: 4,
        misses: 0,
        pythons: { '3.12': { hits: 4, misses: 0 } },
        saved: false,
        skipped: 'nothing new was compiled'
      }
    };
    const md = renderJobSummary({ dir: '/o', label: 'linux', manifest, repro: null });
    expect(md.split('\n').filter((l) => l.includes('Compiler cache'))).toEqual([
      '**Compiler cache** linux: ccache 4.14.2 (local) · 4 hit(s), 0 miss(es) (hits/misses 3.12: 4/0) · not saved (nothing new was compiled)'
    ]);
  });
});
