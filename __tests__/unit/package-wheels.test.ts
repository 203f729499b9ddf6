import { describe, expect, it } from '@jest/globals';
import { defaultOptions } from '../../src/config/options.js';
import { resolveFormats } from '../../src/package/formats/index.js';
import { ConfigError, FailureError } from '../../src/errors.js';
import { mainPy, parseModuleAttr, resolveEntryPoint } from '../../src/package/entry.js';
import { LocalWheel, pickWheel } from '../../src/package/inputs.js';
import { pipTargetArgv } from '../../src/package/pipinstall.js';
import { checkZipappWheels, withoutLaunchers } from '../../src/package/zipapp.js';
import {
  isPureWheel,
  parseWheelName,
  pipPlatformTags,
  wheelMismatch
} from '../../src/package/wheelname.js';

const local = (file: string): LocalWheel => ({
  ...(parseWheelName(file) as NonNullable<ReturnType<typeof parseWheelName>>),
  abs: `/w/${file}`
});
const glibc236 = {
  python: '3.11',
  arch: 'x86_64',
  libc: { kind: 'glibc' as const, version: [2, 36] as [number, number] }
};

describe('wheel names and targets', () => {
  it('parses names, build tags and compressed tag sets', () => {
    expect(parseWheelName('/x/Foo_Bar-1.0-1-py2.py3-none-any.whl')).toMatchObject({
      name: 'foo-bar',
      version: '1.0',
      pythonTags: ['py2', 'py3'],
      platformTags: ['any']
    });
    expect(
      parseWheelName('a-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')
        ?.platformTags
    ).toEqual(['manylinux_2_17_x86_64', 'manylinux2014_x86_64']);
    expect(parseWheelName('not-a-wheel.tar.gz')).toBeNull();
    expect(isPureWheel(local('six-1.17.0-py2.py3-none-any.whl'))).toBe(true);
    expect(isPureWheel(local('a-1-cp311-abi3-manylinux_2_17_x86_64.whl'))).toBe(false);
  });

  it.each([
    ['six-1.17.0-py2.py3-none-any.whl', null],
    ['a-1-cp311-cp311-manylinux_2_28_x86_64.whl', null],
    ['a-1-cp38-abi3-manylinux2014_x86_64.whl', null],
    ['a-1-cp312-cp312-manylinux_2_28_x86_64.whl', /not CPython 3.11/],
    ['a-1-cp311-cp311-manylinux_2_38_x86_64.whl', /does not run on linux\/x86_64 \(glibc 2.36\)/],
    ['a-1-cp311-cp311-manylinux_2_28_aarch64.whl', /linux\/x86_64/],
    ['a-1-cp311-cp311-musllinux_1_2_x86_64.whl', /linux\/x86_64/],
    ['a-1-cp311-cp311-win_amd64.whl', /does not run/]
  ])('%s on CPython 3.11 linux/x86_64 glibc 2.36 → %s', (file, expected) => {
    const why = wheelMismatch(local(file), glibc236);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });

  it('lists the platform tags pip may take for a glibc and a musl base', () => {
    const tags = pipPlatformTags(glibc236);
    expect(tags[0]).toBe('manylinux_2_36_x86_64');
    expect(tags).toEqual(
      expect.arrayContaining([
        'manylinux_2_17_x86_64',
        'manylinux2014_x86_64',
        'manylinux1_x86_64',
        'linux_x86_64'
      ])
    );
    expect(
      pipPlatformTags({ python: '3.12', arch: 'aarch64', libc: { kind: 'musl', version: [1, 2] } })
    ).toEqual(['musllinux_1_2_aarch64', 'musllinux_1_1_aarch64', 'linux_aarch64']);
  });

  it('picks the wheel fitting the target and explains when none does', () => {
    const wheels = [
      local('app-1-py3-none-any.whl'),
      local('app-1-cp311-cp311-manylinux_2_28_x86_64.whl')
    ];
    expect(pickWheel(wheels, glibc236, 'image', '/out').file).toBe(
      'app-1-cp311-cp311-manylinux_2_28_x86_64.whl'
    );
    expect(pickWheel([wheels[0]], glibc236, 'image', '/out').file).toBe('app-1-py3-none-any.whl');
    expect(() => pickWheel([wheels[1]], { ...glibc236, python: '3.12' }, 'image', '/out')).toThrow(
      /no wheel in \/out fits CPython 3.12/
    );
    expect(() => pickWheel([], glibc236, 'zipapp', '/out')).toThrow(FailureError);
  });
});

describe('entry points', () => {
  const scripts = { tool: 'pkg.cli:main', other: 'pkg.other:Run.start [extra]' };

  it('takes the only console script, or the one the option names, or module:function', () => {
    expect(resolveEntryPoint({ tool: 'pkg.cli:main' }, '')).toEqual({
      script: 'tool',
      module: 'pkg.cli',
      attr: 'main'
    });
    expect(resolveEntryPoint(scripts, 'other')).toEqual({
      script: 'other',
      module: 'pkg.other',
      attr: 'Run.start'
    });
    expect(resolveEntryPoint(scripts, 'pkg.x:go')).toEqual({
      script: null,
      module: 'pkg.x',
      attr: 'go'
    });
    expect(parseModuleAttr('not valid')).toBeNull();
  });

  it('errors name the entry-point option', () => {
    expect(() => resolveEntryPoint(scripts, '')).toThrow(
      /entry-point: the project has several console scripts \(other, tool\)/
    );
    expect(() => resolveEntryPoint({}, '')).toThrow(
      /entry-point: the project declares no console script/
    );
    expect(() => resolveEntryPoint(scripts, 'nope')).toThrow(ConfigError);
  });

  it('writes a __main__.py that resolves dotted attributes', () => {
    const text = mainPy({ script: null, module: 'pkg.other', attr: 'Run.start' });
    expect(text).toContain('importlib.import_module("pkg.other")');
    expect(text).toContain('"Run.start".split(".")');
    expect(text).toContain('sys.exit(_target())');
  });
});

describe('zipapp rules', () => {
  it('refuses native wheels without zipapp-platform, naming the wheel', () => {
    expect(() =>
      checkZipappWheels([local('six-1.17.0-py2.py3-none-any.whl')], '', '3.11')
    ).not.toThrow();
    expect(() =>
      checkZipappWheels([local('fast-1-cp311-cp311-manylinux_2_17_x86_64.whl')], '', '3.11')
    ).toThrow(/fast-1-cp311-cp311-manylinux_2_17_x86_64.whl is not pure Python.*zipapp-platform/);
    expect(() =>
      checkZipappWheels(
        [local('fast-1-cp311-cp311-manylinux_2_17_x86_64.whl')],
        'manylinux_2_17_x86_64',
        '3.11'
      )
    ).not.toThrow();
    expect(() =>
      checkZipappWheels(
        [local('fast-1-cp311-cp311-manylinux_2_17_x86_64.whl')],
        'musllinux_1_2_x86_64',
        '3.11'
      )
    ).toThrow(/zipapp-platform musllinux_1_2_x86_64/);
  });

  it('drops RECORD rows of launchers it leaves out', () => {
    const record =
      'pkg/__init__.py,sha256=x,1\n../../bin/tool,sha256=y,2\npkg-1.dist-info/RECORD,,\n';
    const out = withoutLaunchers({
      name: 'pkg-1.dist-info/RECORD',
      type: 'file',
      mode: 0o644,
      data: Buffer.from(record)
    });
    expect(out.data?.toString()).toBe('pkg/__init__.py,sha256=x,1\npkg-1.dist-info/RECORD,,\n');
  });

  it('installs by pinned name from the given directories only, cross-target when asked', () => {
    const argv = pipTargetArgv({
      python: 'py',
      target: '/t',
      findLinks: ['/a'],
      requirements: ['six==1.17.0'],
      cross: { pythonVersion: '3.11', platforms: ['manylinux_2_36_x86_64'] }
    });
    expect(argv.slice(0, 10)).toEqual([
      'py',
      '-m',
      'pip',
      'install',
      '--target',
      '/t',
      '--no-deps',
      '--no-compile',
      '--no-index',
      '--no-cache-dir'
    ]);
    expect(argv).toEqual(
      expect.arrayContaining([
        '--python-version',
        '3.11',
        '--abi',
        'cp311',
        '--platform',
        'manylinux_2_36_x86_64',
        '--only-binary=:all:'
      ])
    );
    expect(argv[argv.length - 1]).toBe('six==1.17.0');
    expect(
      pipTargetArgv({ python: 'py', target: '/t', findLinks: [], requirements: [] })
    ).not.toContain('--platform');
  });
});

describe('formats', () => {
  it.each([
    [[], '', true, ['zipapp']],
    [[], 'docker-archive:x.tar', true, ['zipapp', 'image']],
    [[], '', false, []],
    [['pex,zipapp'], '', false, ['pex', 'zipapp']],
    [['image', 'image'], 'oci:x', true, ['image']]
  ])('format %j base %j scripts %j → %j', (format, base, scripts, expected) => {
    const opts = defaultOptions({ format: format as string[], base: base as string });
    expect(resolveFormats(opts, scripts as boolean).map((f) => f.name)).toEqual(expected);
  });

  it('rejects an unknown format naming the option', () => {
    expect(() => resolveFormats(defaultOptions({ format: ['wheel'] }), true)).toThrow(
      /format: unknown format 'wheel'/
    );
  });
});
