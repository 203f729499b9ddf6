import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectProject } from '../../src/detect/index.js';
import { ProjectModel } from '../../src/detect/model.js';
import { ConfigError } from '../../src/errors.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { testOptions } from '../helpers/env.js';

const FIX = path.resolve('fixtures');

// `pip config list` is slow: read the local index once.
const BASE = testOptions();

function detect(name: string, over: Partial<typeof BASE> = {}): Promise<ProjectModel> {
  return detectProject({ ...BASE, projectDir: path.join(FIX, name), ...over }, memoryLogger());
}

/**
 * Fixtures whose metadata is static: detect reads them without running any backend (the
 * hook-driven ones are in __tests__/integration/detect-hook.test.ts).
 */
const STATIC: [string, Partial<ProjectModel>][] = [
  [
    'detect-setuptools-pep621',
    {
      name: 'greet-pep621',
      version: '1.2.0',
      backend: 'setuptools.build_meta',
      buildRequires: ['setuptools>=61'],
      requiresPython: '>=3.9',
      pythonVersions: ['3.10', '3.11', '3.12', '3.13', '3.14'],
      native: false,
      nativeReasons: [],
      abi3: false,
      entryPoints: {
        console_scripts: { greet: 'greet.cli:main' },
        'greet.plugins': { default: 'greet.plugins:default' }
      },
      dependencies: ['click>=8', "tomli>=1.1; python_version < '3.11'"],
      lockFiles: ['requirements.txt'],
      dynamic: [],
      style: 'pep621'
    }
  ],
  [
    'detect-setupcfg',
    {
      name: 'cfgapp',
      version: '2.0.1',
      backend: 'setuptools.build_meta:__legacy__',
      buildRequires: ['setuptools>=40.8.0'],
      requiresPython: '>=3.11',
      pythonVersions: ['3.11', '3.12', '3.13', '3.14'],
      native: false,
      entryPoints: {
        console_scripts: { cfgapp: 'cfgapp.cli:main' },
        gui_scripts: { 'cfgapp-gui': 'cfgapp.gui:run' }
      },
      dependencies: ['requests>=2.28', 'colorama; sys_platform == "win32"'],
      lockFiles: ['requirements-dev.txt'],
      style: 'setuptools',
      sources: ['setup.cfg']
    }
  ],
  [
    'detect-poetry',
    {
      name: 'poetryapp',
      version: '0.9.0',
      backend: 'poetry.core.masonry.api',
      requiresPython: '>=3.10,<4.0',
      pythonVersions: ['3.10', '3.11', '3.12', '3.13', '3.14'],
      entryPoints: {
        console_scripts: { poetryapp: 'poetryapp.main:run' },
        'poetryapp.hooks': { default: 'poetryapp.hooks:default' }
      },
      dependencies: ['requests>=2.31,<3.0', 'tomli>=2.0 ; python_version < "3.11"'],
      lockFiles: ['poetry.lock'],
      style: 'poetry'
    }
  ],
  [
    'detect-pdm',
    {
      name: 'pdmapp',
      version: '1.4.2',
      backend: 'pdm.backend',
      requiresPython: '>=3.12',
      pythonVersions: ['3.12', '3.13', '3.14'],
      entryPoints: { console_scripts: { pdmapp: 'pdmapp:main' } },
      lockFiles: ['pdm.lock'],
      native: false
    }
  ],
  [
    'detect-maturin',
    {
      name: 'rustmod',
      backend: 'maturin',
      native: true,
      nativeReasons: ['pyproject.toml: [tool.maturin]', 'Cargo.toml (maturin)'],
      abi3: false
    }
  ],
  [
    'detect-skbuild-abi3',
    {
      name: 'skmod',
      backend: 'scikit_build_core.build',
      native: true,
      nativeReasons: ['CMakeLists.txt (scikit-build-core)'],
      abi3: true,
      abi3Minimum: '3.9'
    }
  ],
  [
    'detect-meson',
    {
      name: 'mesonmod',
      backend: 'mesonpy',
      native: true,
      nativeReasons: ['meson.build (meson-python)'],
      abi3: false
    }
  ],
  [
    'detect-cython',
    {
      name: 'cymod',
      version: '0.1.0',
      buildRequires: ['setuptools>=61', 'Cython>=3'],
      native: true,
      nativeReasons: [
        'setup.py: ext_modules',
        'setup.py: cythonize',
        'src/cymod/fast.pyx (Cython)'
      ],
      dynamic: []
    }
  ],
  ['detect-old-python', { name: 'oldpkg', requiresPython: '<3.6', pythonVersions: [] }]
];

describe('detect (static fixtures)', () => {
  it.each(STATIC)('%s', async (name, expected) => {
    const m = await detect(name);
    expect(m).toMatchObject(expected);
    expect(m.root).toBe(path.join(FIX, name));
  });

  it('intersects the configured target set with requires-python', async () => {
    const m = await detect('detect-setupcfg', { targetPythons: ['3.9', '3.11', '3.13'] });
    expect(m.pythonVersions).toEqual(['3.11', '3.13']);
  });
});

async function tempProject(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-detect-'));
  for (const [f, text] of Object.entries(files)) await fs.writeFile(path.join(dir, f), text);
  return dir;
}

describe('detect: bad input', () => {
  it.each([
    [
      'pyproject.toml without project metadata',
      { 'pyproject.toml': '[tool.black]\nline-length = 100\n' },
      /pyproject\.toml: no project metadata/
    ],
    [
      '[project] without a name',
      { 'pyproject.toml': '[project]\nversion = "1"\n' },
      /pyproject\.toml: \[project\] name is required/
    ],
    [
      'an invalid requires-python',
      { 'pyproject.toml': '[project]\nname = "x"\nversion = "1"\nrequires-python = "3.10+"\n' },
      /pyproject\.toml: requires-python: '3\.10\+' is not a valid PEP 440 version specifier/
    ],
    [
      'a bad Poetry python constraint',
      {
        'pyproject.toml':
          '[tool.poetry]\nname = "x"\nversion = "1"\n[tool.poetry.dependencies]\npython = "three"\n'
      },
      /\[tool\.poetry\.dependencies\] python: cannot read version constraint 'three'/
    ]
  ])('%s is a ConfigError naming the file', async (_what, files, message) => {
    const dir = await tempProject(files);
    try {
      const err = await detectProject({ ...BASE, projectDir: dir }, memoryLogger()).catch(
        (e: unknown) => e
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(message);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['a missing directory', 'no-such-fixture', /no-such-fixture does not exist/],
    [
      'a directory with no project',
      'detect-no-project',
      /detect-no-project: no Python project found/
    ],
    [
      'malformed TOML (file and line)',
      'detect-broken-toml',
      /detect-broken-toml\/pyproject\.toml:9:1: invalid TOML/
    ]
  ])('%s is a ConfigError naming the path', async (_what, name, message) => {
    const err = await detect(name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });
});
