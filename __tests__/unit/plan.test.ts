import { describe, expect, it } from '@jest/globals';
import { defaultOptions, Options } from '../../src/config/options.js';
import { ProjectModel } from '../../src/detect/model.js';
import { ConfigError, NothingToDoError } from '../../src/errors.js';
import { planBuild } from '../../src/plan/index.js';
import { PINNED_IMAGES } from '../../src/plan/images.js';
import { PlanJob } from '../../src/plan/model.js';
import { projectModel } from '../helpers/model.js';

const ALL = ['3.10', '3.11', '3.12', '3.13', '3.14'];

function model(over: Partial<ProjectModel> = {}): ProjectModel {
  return projectModel({
    root: '/p',
    name: 'demo',
    version: '1.0',
    buildRequires: ['setuptools'],
    requiresPython: '>=3.10',
    pythonVersions: ALL,
    ...over
  });
}

const NATIVE = { native: true, nativeReasons: ['setup.py: Extension'] };
const short = (j: PlanJob): unknown => [
  j.id,
  j['runs-on'],
  j.platform,
  j.python.join(' '),
  j.mode,
  j.sdist,
  j.qemu
];

describe('plan: jobs', () => {
  const cases: [string, Partial<ProjectModel>, Partial<Options>, unknown[]][] = [
    [
      'pure: one any job with every Python',
      {},
      {},
      [['any', 'ubuntu-24.04', 'any', ALL.join(' '), 'host', true, false]]
    ],
    [
      'pure without sdist',
      {},
      { sdist: false },
      [['any', 'ubuntu-24.04', 'any', ALL.join(' '), 'host', false, false]]
    ],
    [
      'native: one job per default bucket, sdist on the first, native arm runner',
      NATIVE,
      {},
      [
        [
          'manylinux-x86_64',
          'ubuntu-24.04',
          'manylinux_2_28_x86_64',
          ALL.join(' '),
          'container',
          true,
          false
        ],
        [
          'manylinux-aarch64',
          'ubuntu-24.04-arm',
          'manylinux_2_28_aarch64',
          ALL.join(' '),
          'container',
          false,
          false
        ]
      ]
    ],
    [
      'native with qemu: aarch64 on the x86_64 runner',
      NATIVE,
      { qemu: true },
      [
        [
          'manylinux-x86_64',
          'ubuntu-24.04',
          'manylinux_2_28_x86_64',
          ALL.join(' '),
          'container',
          true,
          false
        ],
        [
          'manylinux-aarch64',
          'ubuntu-24.04',
          'manylinux_2_28_aarch64',
          ALL.join(' '),
          'container',
          false,
          true
        ]
      ]
    ],
    [
      'abi3: the lowest allowed Python only',
      { ...NATIVE, abi3: true, pythonVersions: ['3.11', '3.12', '3.13', '3.14'] },
      { platforms: ['manylinux-x86_64', 'musllinux-aarch64'] },
      [
        [
          'manylinux-x86_64',
          'ubuntu-24.04',
          'manylinux_2_28_x86_64',
          '3.11',
          'container',
          true,
          false
        ],
        [
          'musllinux-aarch64',
          'ubuntu-24.04-arm',
          'musllinux_1_2_aarch64',
          '3.11',
          'container',
          false,
          false
        ]
      ]
    ],
    [
      'every bucket, manylinux2014, host mode',
      NATIVE,
      {
        platforms: [
          'manylinux-x86_64',
          'musllinux-x86_64',
          'macos-arm64',
          'macos-x86_64',
          'windows-amd64'
        ],
        manylinux: '2014',
        mode: 'host',
        python: ['3.13', '3.12']
      },
      [
        [
          'manylinux-x86_64',
          'ubuntu-24.04',
          'manylinux_2_17_x86_64',
          '3.12 3.13',
          'host',
          true,
          false
        ],
        [
          'musllinux-x86_64',
          'ubuntu-24.04',
          'musllinux_1_2_x86_64',
          '3.12 3.13',
          'host',
          false,
          false
        ],
        ['macos-arm64', 'macos-14', 'macosx_11_0_arm64', '3.12 3.13', 'host', false, false],
        ['macos-x86_64', 'macos-13', 'macosx_10_13_x86_64', '3.12 3.13', 'host', false, false],
        ['windows-amd64', 'windows-2022', 'win_amd64', '3.12 3.13', 'host', false, false]
      ]
    ],
    [
      'pure restricted by python',
      { pythonVersions: ['3.12', '3.13'], requiresPython: '>=3.12' },
      { python: ['3.13'] },
      [['any', 'ubuntu-24.04', 'any', '3.13', 'host', true, false]]
    ]
  ];
  it.each(cases)('%s', (_name, m, o, expected) => {
    const plan = planBuild(model(m), defaultOptions(o));
    expect(plan.matrix.include.map(short)).toEqual(expected);
    expect(plan.matrix.include.filter((j) => j.sdist).length).toBe(o.sdist === false ? 0 : 1);
  });
});

describe('plan: images', () => {
  it('pins the default image per bucket and policy, by tag and digest where known', () => {
    const plan = planBuild(model(NATIVE), defaultOptions());
    expect(plan.matrix.include.map((j) => j.image)).toEqual([
      PINNED_IMAGES['manylinux-x86_64']['2_28'],
      PINNED_IMAGES['manylinux-aarch64']['2_28']
    ]);
    for (const byPolicy of Object.values(PINNED_IMAGES)) {
      for (const ref of Object.values(byPolicy))
        expect(ref).toMatch(
          /^quay\.io\/pypa\/(many|musl)linux[\w]+:\d{4}\.\d\d\.\d\d-\d+(@sha256:[0-9a-f]{64})?$/
        );
    }
  });

  it('images overrides a bucket, image overrides all', () => {
    const a = planBuild(
      model(NATIVE),
      defaultOptions({ images: { 'manylinux-aarch64': 'local/arm:1' } })
    );
    expect(a.matrix.include.map((j) => j.image)).toEqual([
      PINNED_IMAGES['manylinux-x86_64']['2_28'],
      'local/arm:1'
    ]);
    const b = planBuild(
      model(NATIVE),
      defaultOptions({ image: 'local/all:1', images: { 'manylinux-aarch64': 'local/arm:1' } })
    );
    expect(b.matrix.include.map((j) => j.image)).toEqual(['local/all:1', 'local/all:1']);
  });

  it('host jobs carry no image; a pure project in container mode gets the x86_64 image', () => {
    expect(planBuild(model(), defaultOptions()).matrix.include[0].image).toBeUndefined();
    const c = planBuild(model(), defaultOptions({ mode: 'container' })).matrix.include[0];
    expect(c.mode).toBe('container');
    expect(c.image).toBe(PINNED_IMAGES['manylinux-x86_64']['2_28']);
  });
});

describe('plan: project facts', () => {
  it('application = has console scripts; formats from options', () => {
    const app = planBuild(
      model({ entryPoints: { console_scripts: { demo: 'demo:main' } } }),
      defaultOptions({ format: ['pex'] })
    );
    expect(app.application).toBe(true);
    expect(app.formats).toEqual(['pex']);
    const lib = planBuild(
      model({ entryPoints: { gui_scripts: { g: 'demo:gui' } } }),
      defaultOptions()
    );
    expect(lib.application).toBe(false);
    expect(lib.project).toEqual({ name: 'demo', version: '1.0', native: false, abi3: false });
  });
});

describe('plan: errors', () => {
  it('no allowed Python is NothingToDoError naming requires-python and the target set', () => {
    const run = (): unknown =>
      planBuild(model({ requiresPython: '<3.6', pythonVersions: [] }), defaultOptions());
    expect(run).toThrow(NothingToDoError);
    expect(run).toThrow(/'<3\.6'.*3\.10, 3\.11, 3\.12, 3\.13, 3\.14/);
  });

  it.each([
    [
      'a Python outside the target set',
      model(),
      { python: ['3.9'] },
      /--python.*3\.9 is not in the target set/
    ],
    [
      'a Python requires-python forbids',
      model({ requiresPython: '>=3.12', pythonVersions: ['3.12', '3.13', '3.14'] }),
      { python: ['3.11'] },
      /--python.*3\.11 is not allowed by requires-python '>=3\.12'/
    ],
    ['a malformed Python', model(), { python: ['py3'] }, /--python.*'py3' is not a minor version/],
    [
      'an unknown bucket',
      model(NATIVE),
      { platforms: ['manylinux-riscv'] },
      /--platforms.*unknown platform bucket 'manylinux-riscv'/
    ],
    [
      'an unknown images key',
      model(NATIVE),
      { images: { 'manylinux-x86-64': 'x' } },
      /--images.*unknown platform bucket 'manylinux-x86-64'/
    ],
    [
      'an unknown manylinux policy',
      model(NATIVE),
      { manylinux: '2_5' },
      /--manylinux.*unknown policy '2_5'/
    ]
  ])('%s is a ConfigError naming the option', (_n, m, o, msg) => {
    const run = (): unknown => planBuild(m, defaultOptions(o as Partial<Options>));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(msg);
  });
});
