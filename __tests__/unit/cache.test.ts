import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import yazl from 'yazl';
import { createBackend, selectBackend } from '../../src/cache/backend.js';
import { checkWheel, parseCsvLine } from '../../src/cache/integrity.js';
import { CACHE_FORMAT_VERSION, cacheKey, keyPart } from '../../src/cache/key.js';
import { LocalBackend } from '../../src/cache/local.js';
import { isPinned, resolutionIsPinned } from '../../src/cache/pinned.js';
import { parseBuilt, pipWheelArgv } from '../../src/cache/pipwheel.js';
import { cacheSummaryLine, mergeCacheReports } from '../../src/cache/summary.js';
import { defaultOptions } from '../../src/config/options.js';
import { isWheelName } from '../../src/runtime/wheelname.js';

const made: string[] = [];
const tmp = async (): Promise<string> => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-cache-unit-'));
  made.push(d);
  return d;
};
afterAll(async () => {
  for (const d of made) await fs.rm(d, { recursive: true, force: true });
});
const b64 = (d: Buffer | string): string => createHash('sha256').update(d).digest('base64url');

/** Writes a wheel whose RECORD is computed from `members`, then applies `tamper` to the members. */
async function wheel(
  dir: string,
  members: Record<string, string>,
  opts: { tamper?: Record<string, string>; record?: string } = {}
): Promise<string> {
  const file = path.join(dir, 'demo-1.0-py3-none-any.whl');
  const rec =
    opts.record ??
    Object.entries(members)
      .map(([n, c]) => `${n},sha256=${b64(c)},${Buffer.byteLength(c)}`)
      .join('\n') + '\ndemo-1.0.dist-info/RECORD,,\n';
  const zip = new yazl.ZipFile();
  for (const [n, c] of Object.entries({ ...members, ...opts.tamper }))
    zip.addBuffer(Buffer.from(c), n);
  zip.addBuffer(Buffer.from(rec), 'demo-1.0.dist-info/RECORD');
  zip.end();
  await new Promise<void>((resolve, reject) =>
    zip.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject)
  );
  return file;
}

const MEMBERS = {
  'demo/__init__.py': 'x = 1\n',
  'demo-1.0.dist-info/METADATA': 'Name: demo\nVersion: 1.0\nRequires-Dist: six\n'
};

describe('cache keys', () => {
  const input = {
    opts: defaultOptions({ indexUrl: 'https://idx/simple' }),
    pythonVersion: '3.12',
    platformKey: 'manylinux_2_28_x86_64',
    requirements: ['b>=1', 'a==2'],
    os: 'linux',
    arch: 'x64'
  };

  it('has the documented shape and prefix restore keys', async () => {
    const k = await cacheKey(input);
    expect(k.key).toMatch(
      new RegExp(
        `^albatross-v${CACHE_FORMAT_VERSION}-linux-x64-manylinux_2_28_x86_64-cp312-[0-9a-f]{20}$`
      )
    );
    expect(k.restoreKeys).toEqual([
      `albatross-v${CACHE_FORMAT_VERSION}-linux-x64-manylinux_2_28_x86_64-cp312-`,
      `albatross-v${CACHE_FORMAT_VERSION}-linux-x64-manylinux_2_28_x86_64-`
    ]);
    for (const r of k.restoreKeys) expect(k.key.startsWith(r)).toBe(true);
  });

  it.each([
    ['requirement order does not matter', { requirements: ['a==2', 'b>=1'] }, true],
    ['a different requirement changes the hash', { requirements: ['a==3', 'b>=1'] }, false],
    [
      'index options change the hash',
      { opts: defaultOptions({ indexUrl: 'https://other/simple' }) },
      false
    ],
    [
      'cache-all-wheels changes the hash',
      { opts: defaultOptions({ indexUrl: 'https://idx/simple', cacheAllWheels: true }) },
      false
    ]
  ])('%s', async (_name, change, same) => {
    const a = await cacheKey(input);
    const b = await cacheKey({ ...input, ...change });
    expect(a.key === b.key).toBe(same);
    expect(a.restoreKeys).toEqual(b.restoreKeys);
  });

  it('hashes key files by content and local wheels by their requirements, not their paths', async () => {
    const d1 = await tmp();
    const d2 = await tmp();
    await fs.writeFile(path.join(d1, 'requirements.txt'), 'six\n');
    await fs.writeFile(path.join(d2, 'requirements.txt'), 'six\n');
    const w1 = await wheel(d1, MEMBERS);
    const w2 = await wheel(d2, { ...MEMBERS, 'demo/__init__.py': 'x = 2\n' });
    const k1 = await cacheKey({
      ...input,
      requirements: [w1],
      keyFiles: [path.join(d1, 'requirements.txt')]
    });
    const k2 = await cacheKey({
      ...input,
      requirements: [w2],
      keyFiles: [path.join(d2, 'requirements.txt')]
    });
    expect(k1.key).toBe(k2.key);
    await fs.writeFile(path.join(d2, 'requirements.txt'), 'six==1.16\n');
    expect(
      (
        await cacheKey({
          ...input,
          requirements: [w2],
          keyFiles: [path.join(d2, 'requirements.txt')]
        })
      ).key
    ).not.toBe(k1.key);
    const w3 = await wheel(await tmp(), {
      ...MEMBERS,
      'demo-1.0.dist-info/METADATA': 'Name: demo\nVersion: 1.0\nRequires-Dist: attrs\n'
    });
    expect(
      (
        await cacheKey({
          ...input,
          requirements: [w3],
          keyFiles: [path.join(d1, 'requirements.txt')]
        })
      ).key
    ).not.toBe(k1.key);
  });

  it('image digests and odd characters become key-safe', async () => {
    expect(keyPart('sha256:ab,c/d')).toBe('sha256_ab_c_d');
    const k = await cacheKey({ ...input, platformKey: 'sha256:0123abcd' });
    expect(k.key).toContain('-sha256_0123abcd-cp312-');
    expect(k.key).not.toMatch(/[,:/]/);
  });
});

describe('wheel integrity (RECORD hashes)', () => {
  it('accepts a sound wheel', async () => {
    expect(await checkWheel(await wheel(await tmp(), MEMBERS))).toBeNull();
  });
  it('rejects a member whose content differs from RECORD', async () => {
    expect(
      await checkWheel(
        await wheel(await tmp(), MEMBERS, {
          tamper: { 'demo/__init__.py': 'import os; os.system("evil")\n' }
        })
      )
    ).toMatch(/sha256 of demo\/__init__.py/);
  });
  it('rejects a member missing from RECORD', async () => {
    expect(
      await checkWheel(await wheel(await tmp(), MEMBERS, { tamper: { 'demo/extra.py': '' } }))
    ).toMatch(/demo\/extra.py is not listed/);
  });
  it('rejects a wheel without RECORD hashes', async () => {
    expect(
      await checkWheel(
        await wheel(await tmp(), MEMBERS, {
          record: 'demo/__init__.py,,\ndemo-1.0.dist-info/METADATA,,\n'
        })
      )
    ).toMatch(/no sha256/);
  });
  it('rejects a file that is not a zip', async () => {
    const f = path.join(await tmp(), 'demo-1.0-py3-none-any.whl');
    await fs.writeFile(f, 'not a zip at all');
    expect(await checkWheel(f)).toMatch(/not a readable zip/);
  });
  it('parses quoted RECORD lines and wheel names', () => {
    expect(parseCsvLine('"a,b.py",sha256=x,3')).toEqual(['a,b.py', 'sha256=x', '3']);
    expect(isWheelName('x-1.0-cp312-cp312-linux_x86_64.whl')).toBe(true);
    expect(isWheelName('albatross-cache.json')).toBe(false);
  });
});

describe('pip wheel', () => {
  it('builds the argv: restored wheels first, no pip cache, index options', () => {
    const opts = defaultOptions({ indexUrl: 'https://i/simple', findLinks: ['/fl'] });
    expect(pipWheelArgv('/py', '/out', ['a==1'], opts, ['/restored'])).toEqual([
      '/py',
      '-m',
      'pip',
      'wheel',
      '--wheel-dir',
      '/out',
      '--no-cache-dir',
      '--progress-bar',
      'off',
      '--find-links',
      '/restored',
      '--index-url',
      'https://i/simple',
      '--find-links',
      '/fl',
      'a==1'
    ]);
  });
  it('reads what pip built from its output', () => {
    const out = [
      'Processing ./fl/albacore_cdep-1.0.0.tar.gz',
      'Building wheels for collected packages: albacore-cdep, My.Pkg',
      '  Building wheel for albacore-cdep (pyproject.toml): started',
      '  Created wheel for albacore-cdep: filename=albacore_cdep-1.0.0-cp312-cp312-linux_x86_64.whl size=1 sha256=0',
      '  Building wheel for My.Pkg (setup.py): started',
      'Saved ./out/six-1.16.0-py2.py3-none-any.whl'
    ].join('\n');
    expect(parseBuilt(out)).toEqual(['albacore-cdep', 'my-pkg']);
  });
});

describe('backends', () => {
  it('picks GitHub only with a service URL and a token; the factory rejects unknown names', () => {
    expect(selectBackend({})).toBe('local');
    expect(selectBackend({ ACTIONS_RESULTS_URL: 'http://x/' })).toBe('local');
    expect(selectBackend({ ACTIONS_RESULTS_URL: 'http://x/', ACTIONS_RUNTIME_TOKEN: 't' })).toBe(
      'github'
    );
    expect(selectBackend({ ACTIONS_CACHE_URL: 'http://x/', ACTIONS_RUNTIME_TOKEN: 't' })).toBe(
      'github'
    );
    expect(createBackend('local', { cacheDir: '/c' }).name).toBe('local');
    expect(createBackend('github', { cacheDir: '' }).name).toBe('github');
    expect(() => createBackend('s3', { cacheDir: '' })).toThrow(/unknown cache backend "s3"/);
  });

  it('local: exact key, newest prefix match, atomic replace', async () => {
    const root = await tmp();
    const b = new LocalBackend({ cacheDir: root });
    const src = await tmp();
    await fs.writeFile(path.join(src, 'one.whl'), '1');
    await b.save(src, 'albatross-v1-x-cp312-aaa');
    await new Promise((r) => setTimeout(r, 20));
    await fs.writeFile(path.join(src, 'two.whl'), '2');
    await b.save(src, 'albatross-v1-x-cp312-bbb');
    const into = await tmp();
    expect(await b.restore(into, 'albatross-v1-x-cp312-aaa', ['albatross-v1-x-cp312-'])).toEqual({
      matchedKey: 'albatross-v1-x-cp312-aaa'
    });
    expect((await fs.readdir(into)).sort()).toEqual(['one.whl']);
    expect(
      await b.restore(await tmp(), 'albatross-v1-x-cp312-zzz', ['albatross-v1-x-cp312-'])
    ).toEqual({ matchedKey: 'albatross-v1-x-cp312-bbb' });
    expect(await b.restore(await tmp(), 'other', ['other-'])).toBeUndefined();
    await fs.rm(path.join(src, 'one.whl'));
    await b.save(src, 'albatross-v1-x-cp312-aaa');
    expect(await fs.readdir(path.join(root, 'wheels', 'albatross-v1-x-cp312-aaa'))).toEqual([
      'two.whl'
    ]);
    expect((await fs.readdir(path.join(root, 'wheels'))).filter((n) => n.startsWith('.'))).toEqual(
      []
    );
  });
});

describe('summary line', () => {
  it('states hit, key, reuse, bytes and the reason for not saving', () => {
    const line = cacheSummaryLine({
      key: 'albatross-v1-k',
      backend: 'local',
      hit: 'exact',
      bytesRestored: 2048,
      bytesSaved: 0,
      saved: false,
      saveSkipped: 'exact hit',
      wheelsBuilt: 0,
      wheelsReused: 3,
      secondsSaved: 12.3,
      warnings: []
    });
    expect(line).toBe(
      'Dependency cache (local): hit, key `albatross-v1-k` · 3 wheel(s) reused, 0 built · 2.0 kB restored · not saved (exact hit) · ~12.3 s saved'
    );
  });

  it('merges the reports of several wheelhouses', () => {
    const base = {
      backend: 'local',
      bytesSaved: 0,
      saved: false,
      wheelsBuilt: 0,
      secondsSaved: 1,
      warnings: []
    };
    const m = mergeCacheReports([
      {
        ...base,
        key: 'k1',
        hit: 'exact',
        bytesRestored: 10,
        saveSkipped: 'exact hit',
        wheelsReused: 1
      },
      {
        ...base,
        key: 'k2',
        hit: 'miss',
        bytesRestored: 0,
        saved: true,
        bytesSaved: 5,
        wheelsBuilt: 2,
        wheelsReused: 0,
        warnings: ['w']
      }
    ]);
    expect(m).toMatchObject({
      key: 'k1 k2',
      hit: 'partial',
      bytesRestored: 10,
      bytesSaved: 5,
      saved: true,
      saveSkipped: 'exact hit',
      wheelsBuilt: 2,
      wheelsReused: 1,
      secondsSaved: 2,
      warnings: ['w']
    });
    expect(mergeCacheReports([])).toBeUndefined();
  });
});

describe('pinned resolutions (when pip may be skipped on an exact hit)', () => {
  it.each([
    ['a==1.0', true],
    ['A_b.c === 2', true],
    ['six (==1.16.0)', true],
    ['a==1.0 ; python_version < "3.9"', true],
    ['a>=1', false],
    ['a==1.*', false],
    ['a', false],
    ['a==1,<2', false]
  ])('%s → %s', (req, pinned) => {
    expect(isPinned(req)).toBe(pinned);
  });

  it('looks through local wheels and the wheels of the resolution', async () => {
    const pinnedWheel = await wheel(await tmp(), MEMBERS, {
      tamper: {
        'demo-1.0.dist-info/METADATA':
          'Name: demo\nRequires-Dist: six==1.16.0\nRequires-Dist: pytest; extra == "test"\n'
      }
    });
    expect(await resolutionIsPinned(['x==1'], [])).toBe(true);
    expect(await resolutionIsPinned(['x>=1'], [])).toBe(false);
    // MEMBERS' METADATA requires an unpinned "six"; tampering makes RECORD wrong but not METADATA unreadable.
    expect(await resolutionIsPinned([pinnedWheel], [])).toBe(true);
    expect(await resolutionIsPinned(['x==1'], [await wheel(await tmp(), MEMBERS)])).toBe(false);
  });
});
