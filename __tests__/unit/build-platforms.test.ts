import { describe, expect, it } from '@jest/globals';
import { buildArgs, pipWheelArgs } from '../../src/build/pep517.js';
import { macosArchs } from '../../src/build/platforms/macos.js';
import { LINUX, hostOs, venvPython } from '../../src/build/platforms/os.js';
import { repairArgv } from '../../src/build/platforms/repairers.js';

/**
 * The platform seam at the argv level. macOS and Windows runners are not reachable here, so
 * their repair (delocate, delvewheel) and venv layout are checked as argv and paths only; the
 * host and Linux container platforms run for real in the integration tests.
 */
describe('host operating systems', () => {
  it.each([
    ['linux', 'linux', '/v/bin/python'],
    ['darwin', 'macos', '/v/bin/python'],
    ['win32', 'windows', '/v/Scripts/python.exe']
  ] as const)('%s is %s, its venv interpreter %s', (platform, name, python) => {
    const os = hostOs(platform);
    expect(os.name).toBe(name);
    expect(venvPython(os, '/v')).toBe(python);
  });

  it('refuses an operating system it has no module for, naming it', () => {
    expect(() => hostOs('aix')).toThrow(/host builds are not supported on aix/);
  });
});

describe('repair argv (argv only: no macOS or Windows runner here)', () => {
  it.each([
    [
      'macOS arm64',
      'darwin',
      'a-1.0-cp312-cp312-macosx_11_0_arm64.whl',
      [
        'delocate-wheel',
        '--require-archs',
        'arm64',
        '-w',
        '/o',
        '-v',
        'a-1.0-cp312-cp312-macosx_11_0_arm64.whl'
      ]
    ],
    [
      'macOS universal2 requires both architectures',
      'darwin',
      'a-1.0-cp312-cp312-macosx_10_13_universal2.whl',
      [
        'delocate-wheel',
        '--require-archs',
        'arm64,x86_64',
        '-w',
        '/o',
        '-v',
        'a-1.0-cp312-cp312-macosx_10_13_universal2.whl'
      ]
    ],
    [
      'Windows',
      'win32',
      'a-1.0-cp312-cp312-win_amd64.whl',
      ['delvewheel', 'repair', '-w', '/o', 'a-1.0-cp312-cp312-win_amd64.whl']
    ]
  ] as const)('%s', (_case, platform, wheel, expected) => {
    const os = hostOs(platform);
    expect(repairArgv(os, os.repair!.executable, { wheel, outDir: '/o' })).toEqual(expected);
  });

  it('plans no repair on a Linux host (manylinux wheels come from the container platform)', () => {
    expect(
      repairArgv(LINUX, 'x', { wheel: 'a-1.0-cp312-cp312-linux_x86_64.whl', outDir: '/o' })
    ).toBeNull();
  });

  it('pins the repair tools and names the option for a local executable', () => {
    expect(hostOs('darwin').repair!.tool).toEqual({
      name: 'delocate',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      option: 'delocate'
    });
    expect(hostOs('win32').repair!.tool).toMatchObject({
      name: 'delvewheel',
      option: 'delvewheel'
    });
  });

  it.each([
    ['macosx_11_0_arm64', ['arm64']],
    ['macosx_10_9_x86_64', ['x86_64']],
    ['macosx_10_13_universal2', ['arm64', 'x86_64']],
    ['linux_x86_64', []]
  ])('macOS tag %s promises %j', (tag, archs) => {
    expect(macosArchs(tag)).toEqual(archs);
  });
});

describe('the one frontend', () => {
  it.each([
    [
      'isolated sdist',
      buildArgs('py', 'sdist', '/o', '/s', true),
      ['py', '-m', 'build', '--sdist', '--outdir', '/o', '/s']
    ],
    [
      'wheel in a cached env',
      buildArgs('py', 'wheel', '/o', '/s', false),
      ['py', '-m', 'build', '--no-isolation', '--wheel', '--outdir', '/o', '/s']
    ],
    [
      "pip's isolated wheel build (containers, Pythons pypa/build cannot serve)",
      pipWheelArgs('/opt/python/cp312-cp312/bin/python', '/w/out', '/w/src'),
      [
        '/opt/python/cp312-cp312/bin/python',
        '-m',
        'pip',
        'wheel',
        '--no-deps',
        '--use-pep517',
        '--wheel-dir',
        '/w/out',
        '/w/src'
      ]
    ]
  ])('%s', (_case, argv, expected) => {
    expect(argv).toEqual(expected);
  });
});
