import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { checkLock } from '../../src/lock/check.js';
import { hashedRequirements, originTable, parseLock } from '../../src/lock/pylock.js';
import { parseRequirement } from '../../src/lock/requirement.js';
import { pipLockArgv, uvLockArgv, withRequiresPython } from '../../src/lock/resolve.js';
import { hashMismatch, lockedWheelArgv } from '../../src/lock/wheelhouse.js';
import {
  canonicalInstallTree,
  launcher,
  scriptEntryPoints
} from '../../src/package/installtree.js';
import { uvPlatform, uvTargetArgv } from '../../src/package/pipinstall.js';
import { renderJobSummary } from '../../src/report/markdown.js';
import { buildStatement } from '../../src/verify/intoto.js';
import { pureJob } from './report-fixtures.js';

const H1 = 'a'.repeat(64);
const hash = (t: string): string => 'sha256=' + createHash('sha256').update(t).digest('base64url');
const H2 = 'b'.repeat(64);
/** What uv writes (inline tables), plus the table `albatross lock` appends. */
const UV_LOCK = `lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.10"

[[packages]]
name = "six"
version = "1.17.0"
sdist = { url = "https://files.example/six-1.17.0.tar.gz", size = 3, hashes = { sha256 = "${H1}" } }
wheels = [{ url = "https://files.example/six-1.17.0-py2.py3-none-any.whl", size = 2, hashes = { sha256 = "${H2}" } }]

[[packages]]
name = "Tomli"
version = "2.2.1"
marker = "python_full_version < '3.11'"
wheels = [{ url = "https://files.example/tomli-2.2.1-py3-none-any.whl", hashes = { sha256 = "${H2}" } }]
${originTable({ project: 'demo-app', kind: 'runtime', requirements: ['six>=1.16'] })}`;

/** What pip lock writes (array-of-tables form, names given). */
const PIP_LOCK = `lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "six"
version = "1.17.0"

[[packages.wheels]]
name = "six-1.17.0-py2.py3-none-any.whl"
url = "file:///opt/pypi/files/six-1.17.0-py2.py3-none-any.whl"

[packages.wheels.hashes]
sha256 = "${H2}"
`;

describe('PEP 751 locks', () => {
  it('reads uv and pip locks alike', () => {
    const uv = parseLock(UV_LOCK, '/p/pylock.toml');
    expect(uv.requiresPython).toBe('>=3.10');
    expect(uv.packages.map((p) => [p.name, p.version, p.marker ?? ''])).toEqual([
      ['six', '1.17.0', ''],
      ['tomli', '2.2.1', "python_full_version < '3.11'"]
    ]);
    expect(uv.packages[0].sdist).toEqual({
      name: 'six-1.17.0.tar.gz',
      url: 'https://files.example/six-1.17.0.tar.gz',
      sha256: H1
    });
    expect(uv.origin).toEqual({
      project: 'demo-app',
      kind: 'runtime',
      requirements: ['six>=1.16']
    });
    const pip = parseLock(withRequiresPython(PIP_LOCK, '3.12'), '/p/pylock.toml');
    expect(pip.createdBy).toBe('pip');
    expect(pip.requiresPython).toBe('==3.12.*');
    expect(pip.packages[0].wheels).toEqual([
      {
        name: 'six-1.17.0-py2.py3-none-any.whl',
        url: 'file:///opt/pypi/files/six-1.17.0-py2.py3-none-any.whl',
        sha256: H2
      }
    ]);
  });

  it.each([
    ['a TOML error', 'lock-version = ', /pylock\.toml:1:\d+: invalid TOML/],
    ['another lock version', 'lock-version = "2.0"', /lock-version must be 1\.x/],
    [
      'a file without a hash',
      'lock-version = "1.0"\n[[packages]]\nname = "six"\nversion = "1"\nwheels = [{ url = "https://x/six-1-py3-none-any.whl" }]',
      /packages\[0\] six: no sha256 hash/
    ]
  ])('refuses %s naming the file', (_, text, message) => {
    expect(() => parseLock(text, '/p/pylock.toml')).toThrow(ConfigError);
    expect(() => parseLock(text, '/p/pylock.toml')).toThrow(message);
  });

  it('becomes a hash-checking requirements file with every locked hash', () => {
    expect(hashedRequirements(parseLock(UV_LOCK, '/p/pylock.toml'))).toBe(
      `six==1.17.0 \\\n    --hash=sha256:${H2} \\\n    --hash=sha256:${H1}\n` +
        `tomli==2.2.1 ; python_full_version < '3.11' \\\n    --hash=sha256:${H2}\n`
    );
  });

  it.each([
    ['six>=1.16', { name: 'six', specifier: '>=1.16' }],
    [
      'Foo_Bar[x] (>=1,<2) ; python_version < "3.11"',
      {
        name: 'foo-bar',
        specifier: '>=1,<2',
        marker: 'python_version < "3.11"'
      }
    ],
    ['pkg @ https://x/pkg.whl', { name: 'pkg', specifier: '', url: 'https://x/pkg.whl' }],
    ['plain', { name: 'plain', specifier: '' }]
  ])('splits the requirement %s', (text, want) => {
    expect(parseRequirement(text)).toEqual(want);
  });

  it.each([
    [
      'fits',
      'demo-app',
      ['six>=1.16', 'tomli; python_version < "3.11"', 'gone; os_name == "nt"'],
      null
    ],
    [
      'is of another project',
      'other',
      ['six'],
      /^pylock\.toml: a lock of another project \(demo-app\), not other/
    ],
    [
      'misses a requirement',
      'demo-app',
      ['six', 'requests>=2'],
      /the requirement requests>=2 has no locked package/
    ],
    [
      'pins outside a specifier',
      'demo-app',
      ['six>=2'],
      /six 1\.17\.0 is locked, which does not satisfy the requirement six>=2/
    ]
  ])('checks a lock that %s', (_, project, reqs, error) => {
    const lock = parseLock(UV_LOCK, '/p/pylock.toml');
    const run = (): void => checkLock(lock, project as string, reqs as string[], '/p');
    if (error) expect(run).toThrow(error as RegExp);
    else expect(run).not.toThrow();
    if (error) expect(run).toThrow(ConfigError);
  });
});

describe('argv of the lockers and installers', () => {
  const idx = {
    indexUrl: 'https://i/simple',
    extraIndexUrl: ['https://e/simple'],
    findLinks: ['/w'],
    noIndex: false
  };
  it.each([
    [
      'uv pip compile',
      uvLockArgv('uv', 'in.txt', 'pylock.runtime.toml', '3.10', idx),
      [
        'uv',
        'pip',
        'compile',
        'in.txt',
        '--format',
        'pylock.toml',
        '--universal',
        '--python-version',
        '3.10',
        '--no-header',
        '--quiet',
        '--output-file',
        'pylock.runtime.toml',
        '--index-url',
        'https://i/simple',
        '--extra-index-url',
        'https://e/simple',
        '--find-links',
        '/w'
      ]
    ],
    [
      'pip lock, offline',
      pipLockArgv('py', 'in.txt', 'out.toml', { ...idx, noIndex: true }),
      [
        'py',
        '-m',
        'pip',
        'lock',
        '--quiet',
        '--no-cache-dir',
        '--requirement',
        'in.txt',
        '--output',
        'out.toml',
        '--no-index',
        '--find-links',
        '/w'
      ]
    ],
    [
      'the hash-checked download',
      lockedWheelArgv('py', 'req.txt', '/house', { ...idx, cacheDir: '' }),
      [
        'py',
        '-m',
        'pip',
        'wheel',
        '--require-hashes',
        '--no-deps',
        '--no-cache-dir',
        '--progress-bar',
        'off',
        '--wheel-dir',
        '/house',
        '--requirement',
        'req.txt',
        '--index-url',
        'https://i/simple',
        '--extra-index-url',
        'https://e/simple',
        '--find-links',
        '/w'
      ]
    ],
    [
      'uv --target for another platform',
      uvTargetArgv('uv', {
        python: 'py',
        target: '/t',
        findLinks: ['/w'],
        requirements: ['a==1'],
        cross: {
          pythonVersion: '3.11',
          platforms: ['manylinux_2_36_x86_64', 'manylinux_2_35_x86_64', 'linux_x86_64']
        }
      }),
      [
        'uv',
        'pip',
        'install',
        '--target',
        '/t',
        '--python',
        'py',
        '--no-deps',
        '--no-index',
        '--quiet',
        '--link-mode',
        'copy',
        '--find-links',
        '/w',
        '--python-version',
        '3.11',
        '--python-platform',
        'x86_64-manylinux_2_36',
        '--only-binary',
        ':all:',
        'a==1'
      ]
    ]
  ])('%s', (_, argv, want) => {
    expect(argv).toEqual(want);
  });

  it.each([
    [['manylinux_2_41_aarch64', 'linux_aarch64'], 'aarch64-manylinux_2_40'],
    [['musllinux_1_2_x86_64', 'linux_x86_64'], 'x86_64-unknown-linux-musl'],
    [['manylinux_2_5_x86_64', 'linux_x86_64'], null],
    [['linux_riscv64'], null]
  ])('uv names the platform of %j as %s', (tags, want) => {
    expect(uvPlatform(tags)).toBe(want);
  });

  it("reads pip's report of a file that does not match its hash", () => {
    const out = `ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.
    six==1.17.0 from https://files.example/six-1.17.0-py2.py3-none-any.whl (from -r /tmp/x/requirements.txt (line 1)):
        Expected sha256 ${H1}
             Got        ${H2}
`;
    expect(hashMismatch(out)).toEqual({
      requirement: 'six==1.17.0',
      url: 'https://files.example/six-1.17.0-py2.py3-none-any.whl',
      expected: H1,
      got: H2
    });
    expect(hashMismatch('ERROR: No matching distribution found for six')).toBeNull();
  });
});

describe('the canonical install tree', () => {
  it('reads script entry points and writes one launcher template', () => {
    expect([
      ...scriptEntryPoints(
        '[console_scripts]\na = m.cli:main\n\n[gui_scripts]\nb=m:App.run [x]\n[other]\nc = z:y\n'
      )
    ]).toEqual([
      ['a', 'm.cli:main'],
      ['b', 'm:App.run [x]']
    ]);
    expect(launcher('m:App.run [x]')).toBe(
      "#!python\nimport sys\nfrom m import App\nif __name__ == '__main__':\n    if sys.argv[0].endswith('.exe'):\n        sys.argv[0] = sys.argv[0][:-4]\n    sys.exit(App.run())\n"
    );
    expect(launcher('not an entry point')).toBeNull();
  });

  it("rewrites uv's tree (stamp, lock, INSTALLER, launcher, RECORD) into the canonical form", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-tree-'));
    const info = path.join(dir, 'app-1.0.dist-info');
    await fs.mkdir(info, { recursive: true });
    await fs.mkdir(path.join(dir, 'bin'));
    await fs.writeFile(path.join(dir, '.lock'), '');
    await fs.writeFile(path.join(info, 'uv_cache.json'), '{"timestamp":1}');
    await fs.writeFile(path.join(info, 'INSTALLER'), 'uv');
    await fs.writeFile(
      path.join(info, 'entry_points.txt'),
      '[console_scripts]\napp = app.cli:main\n'
    );
    await fs.writeFile(path.join(dir, 'bin', 'app'), '#!/somewhere/python\nuv template\n');
    await fs.writeFile(
      path.join(info, 'RECORD'),
      'app-1.0.dist-info/INSTALLER,sha256=x,2\napp-1.0.dist-info/RECORD,,\napp-1.0.dist-info/uv_cache.json,sha256=y,15\napp/__init__.py,sha256=z,0\nbin/app,sha256=w,30\n'
    );
    await canonicalInstallTree(dir);
    expect((await fs.readdir(dir)).sort()).toEqual(['app-1.0.dist-info', 'bin']);
    expect((await fs.readdir(info)).sort()).toEqual(['INSTALLER', 'RECORD', 'entry_points.txt']);
    expect(await fs.readFile(path.join(info, 'INSTALLER'), 'utf8')).toBe('albatross\n');
    const script = await fs.readFile(path.join(dir, 'bin', 'app'), 'utf8');
    expect(script).toBe(launcher('app.cli:main'));
    const rows = (await fs.readFile(path.join(info, 'RECORD'), 'utf8')).split('\r\n');
    expect(rows).toEqual([
      `../../bin/app,${hash(script)},${script.length}`,
      `app-1.0.dist-info/INSTALLER,${hash('albatross\n')},10`,
      'app-1.0.dist-info/RECORD,,',
      'app/__init__.py,sha256=z,0',
      ''
    ]);
  });
});

describe('the in-toto statement', () => {
  it('records the locks the builds installed from', () => {
    const s = buildStatement({
      reproducible: true,
      sourceDateEpoch: 1,
      variations: [],
      artifacts: [],
      sensitivityPass: false,
      locks: [{ file: 'pylock.toml', sha256: H1 }]
    });
    expect(s.predicate.rebuild.locks).toEqual([{ name: 'pylock.toml', digest: { sha256: H1 } }]);
    expect(
      buildStatement({
        reproducible: true,
        sourceDateEpoch: 1,
        variations: [],
        artifacts: [],
        sensitivityPass: false
      }).predicate.rebuild.locks
    ).toBeUndefined();
  });
});

describe('the summary', () => {
  it('lists the locks a job installed from, by digest, and nothing without them', () => {
    const manifest = { ...pureJob(), locks: [{ file: 'pylock.build.toml', sha256: H1 }] };
    const md = renderJobSummary({ dir: '/a', label: 'wheels', manifest, repro: null });
    expect(md).toContain(
      `### Locks\n\n| Job | Lock | sha256 |\n|---|---|---|\n| wheels | pylock.build.toml | \`${H1}\` |`
    );
    expect(
      renderJobSummary({ dir: '/a', label: 'w', manifest: pureJob(), repro: null })
    ).not.toContain('### Locks');
  });
});
