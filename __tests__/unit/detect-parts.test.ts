import { describe, expect, it } from '@jest/globals';
import { lockFilesOf } from '../../src/detect/files.js';
import { iniList, parseIni } from '../../src/detect/ini.js';
import { hookMetadata, parseCoreMetadata } from '../../src/detect/metadata.js';
import { detectNative } from '../../src/detect/native.js';
import { poetryToPep440 } from '../../src/detect/poetry.js';
import { readBuildSystem } from '../../src/detect/pyproject.js';
import { allowedPythons, minimumPython } from '../../src/detect/pythons.js';
import { readSetupCfg } from '../../src/detect/setupcfg.js';
import { readSetupPy, setupPyLimitedApi, setupPyNativeMarkers } from '../../src/detect/setuppy.js';
import { usesVcsVersion } from '../../src/detect/vcs.js';
import { ConfigError } from '../../src/errors.js';

describe('poetry constraints → PEP 440', () => {
  it.each([
    ['^3.10', '>=3.10,<4.0'],
    ['^3.10.2', '>=3.10.2,<4.0.0'],
    ['^0.2.3', '>=0.2.3,<0.3.0'],
    ['^0.0.3', '>=0.0.3,<0.0.4'],
    ['^0', '>=0,<1'],
    ['^2', '>=2,<3'],
    ['~3.10', '>=3.10,<3.11'],
    ['~3.10.2', '>=3.10.2,<3.11.0'],
    ['~1', '>=1,<2'],
    ['~=3.10', '~=3.10'],
    ['>=3.9,<3.13', '>=3.9,<3.13'],
    ['>= 3.9, < 3.13', '>=3.9,<3.13'],
    ['>=3.9 <3.13', '>=3.9,<3.13'],
    ['3.11.*', '==3.11.*'],
    ['3.11', '==3.11'],
    ['*', ''],
    ['^3.8 || ^4.0', '>=3.8'],
    ['~3.9 || ~3.11', '>=3.9,!=3.10.*,<3.12'],
    ['>=2.7,<2.8 || >=3.6', '>=2.7,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*,!=3.4.*,!=3.5.*']
  ])('%s → %s', (poetry, pep440) => {
    expect(poetryToPep440(poetry, 'pyproject.toml')).toBe(pep440);
  });

  it('names the key for an unreadable constraint', () => {
    expect(() =>
      poetryToPep440('latest', 'pyproject.toml: [tool.poetry.dependencies] python')
    ).toThrow(
      new ConfigError(
        "pyproject.toml: [tool.poetry.dependencies] python: cannot read version constraint 'latest'"
      )
    );
  });
});

describe('python versions', () => {
  const T = ['3.10', '3.11', '3.12', '3.13', '3.14'];
  it.each([
    [null, T],
    ['>=3.11', ['3.11', '3.12', '3.13', '3.14']],
    ['>=3.10.2', T],
    ['<3.12', ['3.10', '3.11']],
    ['>=3.9, !=3.11.*', ['3.10', '3.12', '3.13', '3.14']],
    ['~=3.12', ['3.12', '3.13', '3.14']],
    ['==3.13.*', ['3.13']],
    ['<3.6', []],
    ['>=3.10,<4.0', T]
  ])('requires-python %s', (spec, expected) => {
    expect(allowedPythons(T, spec as string | null)).toEqual(expected);
  });

  it.each([
    [null, null],
    ['>=3.8', '3.8'],
    ['>=3.10.2', '3.10'],
    ['>=3.9, !=3.9.*', '3.10'],
    ['~=3.12', '3.12'],
    ['<3', null]
  ])('the minimum Python of %s (zipapp and PEX rows)', (spec, expected) => {
    expect(minimumPython(spec)).toBe(expected);
  });
});

describe('setup.cfg', () => {
  const text = `
[metadata]
name = demo
version = attr: demo.__version__  # computed

[options]
python-requires = >=3.9
install_requires =
    requests
    # a comment
    rich>=13

[options.entry_points]
console_scripts =
    demo = demo.cli:main
    demo2=demo.cli:other
`;
  it('reads metadata, lists, entry points, and marks attr: versions dynamic', () => {
    const doc = parseIni(text);
    const m = readSetupCfg(doc);
    expect(m.name).toBe('demo');
    expect(m.version).toBeUndefined();
    expect(m.dynamic).toEqual(['version']);
    expect(m.requiresPython).toBe('>=3.9');
    expect(m.dependencies).toEqual(['requests', 'rich>=13']);
    expect(m.entryPoints).toEqual({
      console_scripts: { demo: 'demo.cli:main', demo2: 'demo.cli:other' }
    });
    expect(iniList('a, b,,c')).toEqual(['a', 'b', 'c']);
  });
});

describe('setup.py text scanner (never executed)', () => {
  const text = `
from setuptools import setup, Extension
# ext_modules=[...] in a comment is not code
setup(
    name='scan-me',
    version="4.5.6",
    python_requires=">=3.8",
    install_requires=["numpy>=1.24", 'scipy'],
    entry_points={
        "console_scripts": ["scan = scan_me.cli:main"],
        'gui_scripts': ['scan-gui = scan_me.gui:main'],
    },
    ext_modules=[Extension("scan_me._c", ["c.c"], py_limited_api=True)],
)
`;
  it('reads literal keyword arguments', () => {
    const m = readSetupPy(text);
    expect(m).toMatchObject({
      name: 'scan-me',
      version: '4.5.6',
      requiresPython: '>=3.8',
      dependencies: ['numpy>=1.24', 'scipy'],
      entryPoints: {
        console_scripts: { scan: 'scan_me.cli:main' },
        gui_scripts: { 'scan-gui': 'scan_me.gui:main' }
      }
    });
  });

  it('reads the INI string form of entry_points', () => {
    const m = readSetupPy(
      'setup(\n  name="old",\n  entry_points="""\n    [console_scripts]\n    old = old.cli:main\n  """,\n)\n'
    );
    expect(m.entryPoints).toEqual({ console_scripts: { old: 'old.cli:main' } });
  });

  it.each([
    ['Extension("m", ["m.c"])', ['setup.py: Extension']],
    ['setup(ext_modules=mods)', ['setup.py: ext_modules']],
    ['setup(ext_modules=cythonize("*.pyx"))', ['setup.py: ext_modules', 'setup.py: cythonize']],
    ['setup(cffi_modules=["b.py:ffi"])', ['setup.py: cffi_modules']],
    ['# Extension("m", ["m.c"])\nsetup(name="pure")', []],
    ['setup(name="Extension(")', []],
    ['"""Builds an Extension( here."""\nsetup()', []]
  ])('native markers in %j', (code, reasons) => {
    expect(setupPyNativeMarkers(code)).toEqual(reasons);
  });

  it('sees py_limited_api', () => {
    expect(setupPyLimitedApi(text)).toBe(true);
    expect(setupPyLimitedApi('options={"bdist_wheel": {"py_limited_api": "cp39"}}')).toBe(true);
    expect(setupPyLimitedApi('py_limited_api=False')).toBe(false);
  });
});

describe('native markers and abi3', () => {
  const base = { root: '/nonexistent', setupPy: null, setupCfg: null, files: [] as string[] };
  it.each([
    [
      'setup.cfg bdist_wheel py_limited_api',
      {
        ...base,
        backend: 'setuptools.build_meta:__legacy__',
        pyproject: null,
        setupPy: 'Extension("a", ["a.c"])',
        setupCfg: parseIni('[bdist_wheel]\npy_limited_api = cp310\n')
      },
      ['setup.py: Extension'],
      true
    ],
    [
      'scikit-build-core wheel.py-api',
      {
        ...base,
        backend: 'scikit_build_core.build',
        pyproject: { tool: { 'scikit-build': { wheel: { 'py-api': 'cp39' } } } },
        files: ['CMakeLists.txt']
      },
      ['CMakeLists.txt (scikit-build-core)'],
      true
    ],
    [
      'scikit-build-core py3 (not abi3)',
      {
        ...base,
        backend: 'scikit_build_core.build',
        pyproject: { tool: { 'scikit-build': { wheel: { 'py-api': 'py3' } } } },
        files: ['CMakeLists.txt']
      },
      ['CMakeLists.txt (scikit-build-core)'],
      false
    ],
    [
      'maturin abi3 feature',
      {
        ...base,
        backend: 'maturin',
        pyproject: { tool: { maturin: { features: ['pyo3/abi3-py39'] } } }
      },
      ['pyproject.toml: [tool.maturin]'],
      true
    ],
    [
      'meson-python limited-api',
      {
        ...base,
        backend: 'mesonpy',
        pyproject: { tool: { 'meson-python': { 'limited-api': true } } },
        files: ['meson.build']
      },
      ['meson.build (meson-python)'],
      true
    ],
    [
      'setuptools ext-modules in pyproject',
      {
        ...base,
        backend: 'setuptools.build_meta',
        pyproject: {
          tool: {
            setuptools: { 'ext-modules': [{ name: 'a', sources: ['a.c'], 'py-limited-api': true }] }
          }
        }
      },
      ['pyproject.toml: [tool.setuptools] ext-modules'],
      true
    ],
    [
      'hatch cython hook',
      {
        ...base,
        backend: 'hatchling.build',
        pyproject: { tool: { hatch: { build: { targets: { wheel: { hooks: { cython: {} } } } } } } }
      },
      ["pyproject.toml: hatch build hook 'cython'"],
      false
    ],
    [
      'pure hatchling',
      {
        ...base,
        backend: 'hatchling.build',
        pyproject: {},
        files: ['src/a/__init__.py', 'src/a/x.c']
      },
      [],
      false
    ]
  ])('%s', async (_name, input, reasons, abi3) => {
    const n = await detectNative(input);
    expect(n.reasons).toEqual(reasons);
    expect(n.abi3).toBe(abi3);
  });
});

describe('build-system', () => {
  it.each([
    ['no pyproject', null, 'setuptools.build_meta:__legacy__', ['setuptools>=40.8.0']],
    [
      'no [build-system]',
      { project: {} },
      'setuptools.build_meta:__legacy__',
      ['setuptools>=40.8.0']
    ],
    [
      'requires only',
      { 'build-system': { requires: ['setuptools', 'wheel'] } },
      'setuptools.build_meta:__legacy__',
      ['setuptools', 'wheel']
    ],
    [
      'hatchling',
      { 'build-system': { requires: ['hatchling'], 'build-backend': 'hatchling.build' } },
      'hatchling.build',
      ['hatchling']
    ]
  ])('%s', (_n, doc, backend, requires) => {
    const bs = readBuildSystem(doc as Record<string, unknown> | null, 'pyproject.toml');
    expect(bs.backend).toBe(backend);
    expect(bs.requires).toEqual(requires);
  });
});

describe('lock files and core metadata', () => {
  it('finds lock and requirements files', () => {
    const files = [
      'README.md',
      'poetry.lock',
      'requirements/dev.txt',
      'requirements.txt',
      'uv.lock',
      'pylock.toml',
      'src/requirements.txt',
      'Pipfile.lock'
    ];
    expect(lockFilesOf(files)).toEqual([
      'Pipfile.lock',
      'poetry.lock',
      'pylock.toml',
      'requirements.txt',
      'requirements/dev.txt',
      'uv.lock'
    ]);
  });

  it('parses METADATA headers (folded lines, repeated keys, body ignored)', () => {
    const text =
      'Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nRequires-Python: >=3.10\nRequires-Dist: a>=1\nRequires-Dist: b; extra == "x"\nLicense: MIT\n        and more\n\nName: not-a-header\n';
    expect(parseCoreMetadata(text).get('license')).toEqual(['MIT\nand more']);
    const m = hookMetadata(
      text,
      '[console_scripts]\ndemo = demo:main\n\n[gui_scripts]\ndemo-gui = demo.gui:main\n'
    );
    expect(m).toEqual({
      name: 'demo',
      version: '1.0',
      requiresPython: '>=3.10',
      dependencies: ['a>=1', 'b; extra == "x"'],
      entryPoints: {
        console_scripts: { demo: 'demo:main' },
        gui_scripts: { 'demo-gui': 'demo.gui:main' }
      }
    });
  });
});

describe('VCS-derived versions', () => {
  it.each([
    ['[build-system]\nrequires = ["hatchling", "hatch-vcs"]', true],
    ['[tool.hatch.version]\nsource = "vcs"', true],
    ['[build-system]\nrequires = ["setuptools>=64", "setuptools_scm>=8"]', true],
    ['setup(use_scm_version=True)', true],
    ['[tool.pdm.version]\nsource = "scm"', true],
    ['[build-system]\nrequires = ["hatchling"]', false]
  ])('%j → %s', (text, expected) => {
    expect(usesVcsVersion([text])).toBe(expected);
  });
});
