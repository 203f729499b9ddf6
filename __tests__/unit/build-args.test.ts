import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PINNED, prefixMapFlags, processSetup } from '../../src/build/env.js';
import { jobCount, runBounded } from '../../src/build/pool.js';
import { describeTest, hardRequirements } from '../../src/build/testinstall.js';
import { splitArgs } from '../../src/runtime/splitargs.js';
import { entryPointSection, topLevelNames, wheelTags } from '../../src/build/wheelinfo.js';
import { renderJobSummary } from '../../src/report/markdown.js';
import { renderManifestTable } from '../../src/report/terminal.js';
import { containerTarget } from '../../src/build/targets.js';
import { defaultOptions } from '../../src/config/options.js';
import { ConfigError } from '../../src/errors.js';
import { Manifest } from '../../src/manifest/model.js';
import { execArgs, requireEngine, runArgs } from '../../src/runtime/container.js';
import { SDE_FALLBACK, resolveSourceDateEpoch, zipEpoch } from '../../src/runtime/sde.js';
import { execFileSync } from 'node:child_process';
import { copySource } from '../../src/build/source.js';

describe('container argv builders', () => {
  const cases: [string, Parameters<typeof runArgs>[1], string[]][] = [
    ['minimal', { image: 'img', command: ['true'] }, ['docker', 'run', '--rm', 'img', 'true']],
    [
      'offline build container',
      {
        image: 'quay.io/pypa/manylinux_2_28_x86_64',
        name: 'b1',
        network: 'none',
        detach: true,
        mounts: [
          { source: '/tmp/w,1', target: '/albatross' },
          { source: '/opt/pypi', target: '/opt/pypi', readonly: true }
        ],
        env: { B: '2', A: '1' },
        command: ['sleep', 'infinity']
      },
      [
        'docker',
        'run',
        '--rm',
        '-d',
        '--name',
        'b1',
        '--network',
        'none',
        '--mount',
        'type=bind,source=/tmp/w,1,target=/albatross',
        '--mount',
        'type=bind,source=/opt/pypi,target=/opt/pypi,readonly',
        '-e',
        'A=1',
        '-e',
        'B=2',
        'quay.io/pypa/manylinux_2_28_x86_64',
        'sleep',
        'infinity'
      ]
    ],
    [
      'no --rm, user, workdir',
      { image: 'i', rm: false, user: '1000:1000', workdir: '/w', command: [] },
      ['docker', 'run', '--user', '1000:1000', '-w', '/w', 'i']
    ]
  ];
  it.each(cases)('run: %s', (_n, spec, want) => {
    expect(runArgs('docker', spec)).toEqual(want);
  });

  it('exec keeps argv intact (no shell)', () => {
    expect(
      execArgs('podman', 'c1', ['python', '-c', 'print("a b; c")'], {
        env: { X: 'y z' },
        workdir: '/src'
      })
    ).toEqual([
      'podman',
      'exec',
      '-w',
      '/src',
      '-e',
      'X=y z',
      'c1',
      'python',
      '-c',
      'print("a b; c")'
    ]);
  });

  it('a missing engine is a ConfigError naming container-engine', async () => {
    const env = {
      ...process.env,
      DOCKER_HOST: 'unix:///nonexistent/albatross.sock',
      PATH: '/nonexistent'
    };
    await expect(requireEngine('docker', env)).rejects.toThrow(ConfigError);
    await expect(requireEngine('auto', env)).rejects.toThrow(
      /container-engine: no container engine found \(tried docker, podman\)/
    );
    await expect(requireEngine('podman', env)).rejects.toThrow(
      /container-engine: podman is not available/
    );
  });

  it('picks the container bucket of this architecture', () => {
    expect(containerTarget(defaultOptions(), 'x64')).toEqual({
      image: expect.stringContaining('quay.io/pypa/manylinux_2_28_x86_64') as unknown as string,
      platformTag: 'manylinux_2_28_x86_64'
    });
    expect(containerTarget(defaultOptions({ manylinux: '2014', image: 'mine' }), 'arm64')).toEqual({
      image: 'mine',
      platformTag: 'manylinux_2_17_aarch64'
    });
    expect(() => containerTarget(defaultOptions({ platforms: ['macos-arm64'] }), 'x64')).toThrow(
      /platforms: no manylinux/
    );
  });
});

describe('build environment', () => {
  const idx = defaultOptions({ indexUrl: 'file:///i', noIndex: false });
  it('pins TZ, locale, umask, SOURCE_DATE_EPOCH and maps the build dir', () => {
    const s = processSetup(
      idx,
      1234,
      '/w/src',
      { extraEnv: { HOME: '/h', TZ: 'Europe/Paris' } },
      { CFLAGS: '-O2', TZ: 'Asia/Tokyo', PATH: '/bin' }
    );
    expect(s.env).toMatchObject({
      TZ: 'UTC',
      LC_ALL: 'C.UTF-8',
      LANG: 'C.UTF-8',
      SOURCE_DATE_EPOCH: '1234',
      PYTHONHASHSEED: '0',
      HOME: '/h',
      PATH: '/bin',
      PIP_INDEX_URL: 'file:///i'
    });
    expect(s.env.CFLAGS).toBe(`-O2 ${prefixMapFlags('/w/src')}`);
    expect(s.env.CXXFLAGS).toBe('-ffile-prefix-map=/w/src=. -fdebug-prefix-map=/w/src=.');
    expect(s.wrap(['python', '-m', 'build'])).toEqual([
      '/bin/sh',
      '-c',
      'umask 022; exec "$@"',
      'sh',
      'python',
      '-m',
      'build'
    ]);
    expect(PINNED.umask).toBe(0o022);
  });
  it('releases the pins for the sensitivity pass and keeps the wrapper outermost', () => {
    const s = processSetup(
      idx,
      1,
      '/w/src',
      {
        releasePins: { tz: 'Asia/Kolkata', locale: 'de_DE.UTF-8', umask: 0o077 },
        wrapper: ['faketime', '+1d']
      },
      {}
    );
    expect(s.env).toMatchObject({
      TZ: 'Asia/Kolkata',
      LC_ALL: 'de_DE.UTF-8',
      LANG: 'de_DE.UTF-8',
      SOURCE_DATE_EPOCH: '1'
    });
    expect(s.env.CFLAGS).toBeUndefined();
    expect(s.wrap(['x'])).toEqual([
      'faketime',
      '+1d',
      '/bin/sh',
      '-c',
      'umask 077; exec "$@"',
      'sh',
      'x'
    ]);
  });
  it('a real shell honours the umask wrapper', () => {
    const s = processSetup(
      idx,
      1,
      null,
      { releasePins: { tz: 'UTC', locale: 'C', umask: 0o027 } },
      {}
    );
    const argv = s.wrap(['sh', '-c', 'umask']);
    expect(execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' }).trim()).toBe('0027');
  });
});

describe('SOURCE_DATE_EPOCH', () => {
  it('option > environment > git > fallback', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-sde-'));
    expect(
      await resolveSourceDateEpoch({ sourceDateEpoch: 5 }, dir, { SOURCE_DATE_EPOCH: '7' })
    ).toEqual({ value: 5, source: 'option' });
    expect(
      await resolveSourceDateEpoch({ sourceDateEpoch: null }, dir, { SOURCE_DATE_EPOCH: '7' })
    ).toEqual({ value: 7, source: 'environment' });
    expect(await resolveSourceDateEpoch({ sourceDateEpoch: null }, dir, {})).toEqual({
      value: SDE_FALLBACK,
      source: 'fallback'
    });
    const git = (...a: string[]): string =>
      execFileSync('git', ['-C', dir, ...a], {
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_DATE: '@1600000000 +0000',
          GIT_COMMITTER_DATE: '@1600000000 +0000'
        }
      });
    git('init', '-q');
    await fs.writeFile(path.join(dir, 'f'), 'x');
    git('add', 'f');
    git('-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'c');
    expect(await resolveSourceDateEpoch({ sourceDateEpoch: null }, dir, {})).toEqual({
      value: 1600000000,
      source: 'git'
    });
    expect(zipEpoch(0)).toBe(SDE_FALLBACK);
    expect(zipEpoch(1600000000)).toBe(1600000000);
  });
});

describe('wheel facts and tests', () => {
  it('parses wheel tags', () => {
    expect(wheelTags('/x/albatross_cext-1.0.0-cp311-cp311-manylinux_2_28_x86_64.whl')).toEqual({
      pythonTag: 'cp311',
      abiTag: 'cp311',
      platformTag: 'manylinux_2_28_x86_64'
    });
    expect(wheelTags('a-1-2build-py3-none-any.whl').platformTag).toBe('any');
    // Compressed tag sets are recorded as written.
    expect(wheelTags('a-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toEqual({
      pythonTag: 'cp311',
      abiTag: 'cp311',
      platformTag: 'manylinux_2_17_x86_64.manylinux2014_x86_64'
    });
    expect(() => wheelTags('nope.whl')).toThrow(/not a wheel file name/);
  });
  it('finds top-level import names', () => {
    expect(
      topLevelNames([
        'pkg/__init__.py',
        'pkg/sub/x.py',
        'mod.py',
        '_ext.cpython-311-x86_64-linux-gnu.so',
        'zz.pth',
        'd-1.dist-info/METADATA',
        'd-1.data/purelib/extra/__init__.py',
        'd-1.data/scripts/tool',
        'not-valid/x.py'
      ])
    ).toEqual(['_ext', 'extra', 'mod', 'pkg']);
  });
  it('reads console scripts', () => {
    expect(
      entryPointSection(
        '[console_scripts]\na = m:f\n b=m:g \n[gui_scripts]\nc = m:h\n',
        'console_scripts'
      )
    ).toEqual({ a: 'm:f', b: 'm:g' });
  });
  it('splits a test command like a shell would for quotes only', () => {
    expect(splitArgs(`{python} -c "import a; print('x y')" --flag='a b' c\\ d ''`)).toEqual([
      '{python}',
      '-c',
      "import a; print('x y')",
      '--flag=a b',
      'c d',
      ''
    ]);
    expect(splitArgs('a $HOME `x` ; rm')).toEqual(['a', '$HOME', '`x`', ';', 'rm']);
    expect(() => splitArgs('a "b')).toThrow(/unterminated/);
  });
  it('describes the default test and filters extras-only requirements', () => {
    expect(
      describeTest({
        testCommand: '',
        contents: { topLevel: ['a', 'b'], consoleScripts: ['a-cli'], requires: [] }
      })
    ).toBe('import a; import b; a-cli --help');
    expect(hardRequirements(['x>=1', 'y; extra == "dev"', 'z; python_version < "3.12"'])).toEqual([
      'x>=1',
      'z; python_version < "3.12"'
    ]);
  });
});

describe('bounded parallelism', () => {
  it('never runs more than the limit and keeps order', async () => {
    let active = 0;
    let peak = 0;
    const tasks = Array.from({ length: 7 }, (_, i) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 10 + (i % 3) * 5));
      active--;
      return i;
    });
    expect(await runBounded(3, tasks)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
    expect(jobCount(0)).toBe(os.cpus().length);
    expect(jobCount(5)).toBe(5);
  });
});

describe('build command output', () => {
  const m: Manifest = {
    schema: 1,
    tool: { name: 'albatross', version: '0' },
    project: { name: 'p', version: '1' },
    artifacts: [
      {
        file: 'p-1-cp311-cp311-linux_x86_64.whl',
        kind: 'wheel',
        sha256: 'ab'.repeat(32),
        size: 10,
        python: '3.11',
        platformTag: 'linux_x86_64',
        repaired: false,
        buildSeconds: 2,
        test: { status: 'passed', command: 'import p' }
      }
    ],
    failures: [
      {
        target: 'wheel cp312',
        kind: 'wheel',
        python: '3.12',
        message: 'wheel build failed',
        logTail: 'boom'
      }
    ],
    phases: []
  };
  it('the report stage renders it: artifacts, failures, and wheels that were not repaired', () => {
    const t = renderManifestTable(m);
    expect(t).toMatch(
      /p-1-cp311-cp311-linux_x86_64\.whl\s+wheel\s+linux_x86_64 \(not repaired\)\s+3\.11\s+10 B\s+abababababab\s+passed/
    );
    expect(t).toContain('! 1 wheel not repaired by auditwheel: a linux_* tag, which PyPI refuses.');
    expect(t).toMatch(/^ {2}✗ wheel cp312 \(Python 3\.12\): wheel build failed\n {6}boom$/m);
    const s = renderJobSummary({ dir: '/out', label: 'local', manifest: m, repro: null });
    expect(s).toContain(
      '⚠️ 1 wheel not repaired by auditwheel: a `linux_*` tag, which PyPI refuses.'
    );
    expect(s).toContain('linux&#95;x86&#95;64 (not repaired)');
    expect(s).toContain('wheel cp312');
  });
});

describe('source copy', () => {
  it('skips outputs, VCS data and caches, but keeps a build/ subpackage', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-copy-'));
    for (const f of [
      'pyproject.toml',
      '.git/HEAD',
      'build/lib/x.py',
      'dist/a.whl',
      'src/pkg/build/__init__.py',
      'src/pkg/__pycache__/m.pyc',
      '.venv/bin/python'
    ]) {
      await fs.mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await fs.writeFile(path.join(root, f), '');
    }
    const dest = path.join(root + '-copy', 'p-1');
    await copySource(root, dest);
    const list = async (d: string, pre = ''): Promise<string[]> =>
      (await fs.readdir(d, { withFileTypes: true }))
        .flatMap((e) => [pre + e.name])
        .concat(
          ...(await Promise.all(
            (await fs.readdir(d, { withFileTypes: true }))
              .filter((e) => e.isDirectory())
              .map((e) => list(path.join(d, e.name), `${pre}${e.name}/`))
          ))
        );
    expect((await list(dest)).sort()).toEqual([
      'pyproject.toml',
      'src',
      'src/pkg',
      'src/pkg/build',
      'src/pkg/build/__init__.py'
    ]);
  });
});
