import { describe, expect, it } from '@jest/globals';
import {
  auditwheelVersion,
  graftedLibs,
  repairArgs,
  repairFailure,
  repairInfo,
  repairedTags
} from '../../src/build/auditwheel.js';
import { localIndexDirs, packageSource, sessionRunArgs } from '../../src/build/container.js';
import { containerEnvKey } from '../../src/build/container-env.js';
import {
  downloadArgs,
  missingRequirements,
  targetArgs,
  wheelhouseIndex
} from '../../src/build/wheelhouse.js';
import { defaultOptions } from '../../src/config/options.js';
import { Manifest } from '../../src/manifest/model.js';
import { renderJobSummary, repairLine } from '../../src/report/markdown.js';
import { renderManifestTable } from '../../src/report/terminal.js';
import { loadSchemas } from '../helpers/schemas.js';

// Output captured from auditwheel 6.8.2 in albatross-test/manylinux (fixtures/build-sharedlib).
const REPAIR_OK = `INFO:auditwheel.main_repair:Repairing albatross_sharedlib-1.0.0-cp311-cp311-linux_x86_64.whl
INFO:auditwheel.main_repair:Wheel is eligible for a higher priority tag. You requested manylinux_2_28_x86_64 but I have found this wheel is eligible for manylinux_2_5_x86_64.
INFO:auditwheel.wheeltools:Previous filename tags: linux_x86_64
INFO:auditwheel.wheeltools:New filename tags: manylinux_2_5_x86_64, manylinux1_x86_64, manylinux_2_28_x86_64
INFO:auditwheel.wheeltools:Previous WHEEL info tags: cp311-cp311-linux_x86_64
INFO:auditwheel.wheeltools:New WHEEL info tags: cp311-cp311-manylinux_2_5_x86_64, cp311-cp311-manylinux1_x86_64, cp311-cp311-manylinux_2_28_x86_64
INFO:auditwheel.main_repair:
Fixed-up wheel written to /w/rep/albatross_sharedlib-1.0.0-cp311-cp311-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl
`;
const REPAIR_UNFOUND = `INFO:auditwheel.main_repair:Repairing albatross_sharedlib-1.0.0-cp311-cp311-linux_x86_64.whl
Traceback (most recent call last):
  File "/usr/local/bin/auditwheel", line 8, in <module>
    sys.exit(main())
  File "/opt/_internal/tools/lib/python3.11/site-packages/auditwheel/repair.py", line 67, in repair_wheel
    raise ValueError(msg)
ValueError: Cannot repair wheel, because required library "libalbatross_greet.so" could not be located
`;
const REPAIR_USAGE = `usage: auditwheel repair [-h] [-z ZIP_COMPRESSION_LEVEL] [--plat PLATFORM]
                         WHEEL_FILE [WHEEL_FILE ...]
auditwheel repair: error: argument --plat: invalid choice: 'manylinux_2_99_x86_64' (choose from 'manylinux_2_41_x86_64', 'auto')
`;
// pip 23 inside the container, offline, for fixtures/build-dynamic-requires (`six` is dynamic).
const PIP_MISSING = `  Installing backend dependencies: finished with status 'error'
  error: subprocess-exited-with-error
  ╰─> [3 lines of output]
      Looking in links: /w/wh, /w/wh
      ERROR: Could not find a version that satisfies the requirement six (from versions: none)
      ERROR: No matching distribution found for six
      [end of output]
`;

describe('auditwheel argv and output', () => {
  it.each([
    [
      'the bucket policy',
      'manylinux_2_28_x86_64',
      ['auditwheel', 'repair', '--plat', 'manylinux_2_28_x86_64', '-w', '/o', '/w.whl']
    ],
    ['no bucket: the image default', 'linux', ['auditwheel', 'repair', '-w', '/o', '/w.whl']],
    ['nothing given', undefined, ['auditwheel', 'repair', '-w', '/o', '/w.whl']]
  ])('repair argv: %s', (_, platformTag, argv) => {
    expect(repairArgs({ platformTag, outDir: '/o', wheel: '/w.whl' })).toEqual(argv);
  });

  it('reads the version, the new tags and the grafted libraries', () => {
    expect(
      auditwheelVersion(
        'auditwheel 6.8.2 installed at /opt/_internal/tools/lib/python3.11/site-\npackages'
      )
    ).toBe('6.8.2');
    expect(auditwheelVersion('sh: auditwheel: not found')).toBeNull();
    expect(repairedTags(REPAIR_OK)).toEqual([
      'manylinux_2_5_x86_64',
      'manylinux1_x86_64',
      'manylinux_2_28_x86_64'
    ]);
    expect(repairedTags('')).toEqual([]);
    expect(
      graftedLibs([
        'pkg/__init__.py',
        'pkg.libs/libz-1234abcd.so.1',
        'pkg.libs/libb-00000000.so',
        'pkg/sub.libs/not-top.so',
        'pkg-1.0.dist-info/RECORD'
      ])
    ).toEqual(['pkg.libs/libb-00000000.so', 'pkg.libs/libz-1234abcd.so.1']);
  });

  it('records the policy auditwheel chose, the one asked for and what it grafted', () => {
    expect(
      repairInfo({
        version: '6.8.2',
        requested: 'manylinux_2_28_x86_64',
        output: REPAIR_OK,
        platformTags: ['manylinux1_x86_64', 'manylinux_2_28_x86_64', 'manylinux_2_5_x86_64'],
        members: ['p/_x.so', 'p.libs/libg-1eeab987.so']
      })
    ).toEqual({
      tool: 'auditwheel 6.8.2',
      requested: 'manylinux_2_28_x86_64',
      policy: 'manylinux_2_5_x86_64',
      grafted: ['p.libs/libg-1eeab987.so']
    });
    // Output without the tag line (another auditwheel): the wheel's own first tag.
    expect(
      repairInfo({
        version: null,
        requested: 'linux',
        output: '',
        platformTags: ['manylinux_2_17_x86_64'],
        members: []
      })
    ).toEqual({ tool: 'auditwheel', policy: 'manylinux_2_17_x86_64', grafted: [] });
  });

  it.each([
    [
      'an exception, not its traceback',
      REPAIR_UNFOUND,
      'ValueError: Cannot repair wheel, because required library "libalbatross_greet.so" could not be located'
    ],
    [
      'a usage error',
      REPAIR_USAGE,
      "auditwheel repair: error: argument --plat: invalid choice: 'manylinux_2_99_x86_64' (choose from 'manylinux_2_41_x86_64', 'auto')"
    ],
    ['anything else: the last line', 'INFO:x:y\nsomething odd\n', 'something odd'],
    ['nothing at all', '', 'no output']
  ])('failure message: %s', (_, output, message) => {
    expect(repairFailure(output)).toBe(message);
  });
});

describe('offline wheelhouse', () => {
  const TAGS = [
    'cp311-cp311-manylinux_2_36_x86_64',
    'cp311-cp311-manylinux_2_17_x86_64',
    'cp311-cp311-manylinux2014_x86_64',
    'cp311-cp311-linux_x86_64',
    'cp311-abi3-manylinux_2_36_x86_64',
    'cp311-none-manylinux_2_36_x86_64',
    'cp310-abi3-manylinux_2_36_x86_64',
    'py311-none-manylinux_2_36_x86_64',
    'cp311-none-any',
    'py3-none-any'
  ];

  it('selects wheels by the container interpreter’s own tags (no linux_* wheels)', () => {
    expect(targetArgs('3.11', TAGS)).toEqual([
      '--only-binary=:all:',
      '--implementation',
      'cp',
      '--python-version',
      '3.11',
      '--abi',
      'cp311',
      '--abi',
      'abi3',
      '--abi',
      'none',
      '--platform',
      'manylinux_2_36_x86_64',
      '--platform',
      'manylinux_2_17_x86_64',
      '--platform',
      'manylinux2014_x86_64'
    ]);
    expect(() => targetArgs('3.11', ['py3-none-any', 'garbage'])).toThrow(
      /no interpreter tag among: py3-none-any, garbage/
    );
  });

  it('downloads with the host pip, requirements after `--`', () => {
    expect(downloadArgs('/py', '/wh', ['--only-binary=:all:'], ['setuptools>=61', 'x'])).toEqual([
      '/py',
      '-m',
      'pip',
      'download',
      '--disable-pip-version-check',
      '--dest',
      '/wh',
      '--only-binary=:all:',
      '--',
      'setuptools>=61',
      'x'
    ]);
    expect(wheelhouseIndex('/albatross-wheelhouse/py3.11')).toEqual({
      indexUrl: '',
      extraIndexUrl: [],
      findLinks: ['/albatross-wheelhouse/py3.11'],
      noIndex: true
    });
  });

  it('finds the requirements pip could not find offline (dynamic build requirements)', () => {
    expect(missingRequirements(PIP_MISSING)).toEqual(['six']);
    expect(
      missingRequirements(
        'ERROR: No matching distribution found for cmake>=3.15\nERROR: No matching distribution found for cmake>=3.15\n'
      )
    ).toEqual(['cmake>=3.15']);
    expect(missingRequirements('error: command gcc failed')).toEqual([]);
  });
});

describe('cached container build envs', () => {
  const base = {
    imageId: 'sha256:aa',
    python: '/opt/python/cp311-cp311/bin/python',
    requires: ['setuptools>=61', 'cython'],
    packages: ['local-mounts', '--index-url', 'file:///opt/pypi/simple']
  };
  it('are named by image, interpreter, requirements (any order) and package source', () => {
    const key = containerEnvKey(base);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(containerEnvKey({ ...base, requires: ['cython', 'setuptools>=61'] })).toBe(key);
    for (const other of [
      { imageId: 'sha256:bb' },
      { python: '/opt/python/cp312-cp312/bin/python' },
      { requires: ['setuptools>=70', 'cython'] },
      { packages: ['wheelhouse', '--index-url', 'file:///opt/pypi/simple'] }
    ])
      expect(containerEnvKey({ ...base, ...other })).not.toBe(key);
  });
});

describe('build container spec', () => {
  const opts = defaultOptions({
    indexUrl: 'file:///opt/pypi/simple',
    extraIndexUrl: ['file:///opt/more/simple/', 'https://pypi.org/simple'],
    findLinks: ['/opt/wheels']
  });

  it('local index directories behind the options', () => {
    expect(localIndexDirs(opts)).toEqual(['/opt/more', '/opt/pypi', '/opt/wheels']);
  });

  it.each([
    ['host network', { containerNetwork: 'host' as const }, 'host-network'],
    ['every index local', {}, 'local-mounts'],
    ['find-links only', { noIndex: true, findLinks: ['/links'] }, 'local-mounts'],
    [
      'find-links only, one remote',
      { noIndex: true, findLinks: ['/links', 'https://x/links'] },
      'wheelhouse'
    ],
    ['no index-url: pip’s default PyPI', { indexUrl: '' }, 'wheelhouse'],
    ['a remote extra index', { extraIndexUrl: ['https://pypi.org/simple'] }, 'wheelhouse']
  ])('packages: %s', (_, over, source) => {
    expect(
      packageSource(
        defaultOptions({
          indexUrl: 'file:///opt/pypi/simple',
          extraIndexUrl: ['file:///opt/more/simple/'],
          findLinks: ['/opt/wheels'],
          ...over
        })
      )
    ).toBe(source);
  });

  const work = [
    '--mount',
    'type=bind,source=/w,target=/albatross',
    '--mount',
    'type=bind,source=/envs,target=/albatross-envs'
  ];
  const indexes = [
    '--mount',
    'type=bind,source=/opt/pypi,target=/opt/pypi,readonly',
    '--mount',
    'type=bind,source=/opt/wheels,target=/opt/wheels,readonly'
  ];
  it.each([
    [
      'wheelhouse: no network, the wheelhouse read-only, no index mounts',
      'wheelhouse' as const,
      [
        '--network',
        'none',
        ...work,
        '--mount',
        'type=bind,source=/wh,target=/albatross-wheelhouse,readonly'
      ]
    ],
    [
      'local indexes: no network, the ones that exist read-only',
      'local-mounts' as const,
      ['--network', 'none', ...work, ...indexes]
    ],
    [
      'host network: local indexes read-only too',
      'host-network' as const,
      ['--network', 'host', ...work, ...indexes]
    ]
  ])('%s', (_, source, middle) => {
    expect(
      sessionRunArgs('docker', {
        image: 'img',
        name: 'n',
        hostWork: '/w',
        source,
        hostWheelhouse: '/wh',
        hostEnvs: '/envs',
        opts,
        existing: (d) => d !== '/opt/more'
      })
    ).toEqual([
      'docker',
      'run',
      '--rm',
      '-d',
      '--name',
      'n',
      ...middle,
      'img',
      'sleep',
      'infinity'
    ]);
  });
});

describe('repair in the reports', () => {
  const file = 'p-1-cp311-cp311-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl';
  const repair = {
    tool: 'auditwheel 6.8.2',
    requested: 'manylinux_2_28_x86_64',
    policy: 'manylinux_2_5_x86_64',
    grafted: ['p.libs/libg-1eeab987.so']
  };
  const m: Manifest = {
    schema: 1,
    tool: { name: 'albatross', version: '0' },
    project: { name: 'p', version: '1' },
    artifacts: [
      { file, kind: 'wheel', sha256: 'ab'.repeat(32), size: 10, repaired: true, repair },
      {
        file: 'q-1-cp311-cp311-manylinux_2_28_x86_64.whl',
        kind: 'wheel',
        sha256: 'cd'.repeat(32),
        size: 10,
        repaired: true,
        repair: { tool: 'auditwheel 6.8.2', policy: 'manylinux_2_28_x86_64', grafted: [] }
      }
    ],
    failures: [],
    phases: []
  };

  it('one line per repaired wheel: policy, what was asked, grafted libraries', () => {
    expect(repairLine(repair)).toBe(
      'auditwheel 6.8.2 → manylinux_2_5_x86_64 (asked manylinux_2_28_x86_64), grafted libg-1eeab987.so'
    );
    const t = renderManifestTable(m);
    expect(t).toContain(`repaired ${file}: auditwheel 6.8.2 → manylinux_2_5_x86_64 (asked`);
    expect(t).toContain(
      'repaired q-1-cp311-cp311-manylinux_2_28_x86_64.whl: auditwheel 6.8.2 → manylinux_2_28_x86_64, nothing to graft'
    );
    expect(t).not.toContain('not repaired');
    const s = renderJobSummary({ dir: '/out', label: 'local', manifest: m, repro: null });
    expect(s).toContain('🔧 Repaired by auditwheel:');
    expect(s).toContain('grafted libg-1eeab987.so');
    expect(s).toContain(
      'manylinux&#95;2&#95;5&#95;x86&#95;64 (asked manylinux&#95;2&#95;28&#95;x86&#95;64)'
    );
  });

  it('the manifest schema describes the record, and a bad one fails it', async () => {
    const check = await loadSchemas();
    expect(check('manifest', m)).toEqual([]);
    const bad = structuredClone(m);
    (bad.artifacts[0].repair as unknown as Record<string, unknown>).grafted = 'libg.so';
    expect(check('manifest', bad)).not.toEqual([]);
  });
});
