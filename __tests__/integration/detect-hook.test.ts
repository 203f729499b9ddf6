import { afterAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectProject } from '../../src/detect/index.js';
import { walkProject } from '../../src/detect/files.js';
import { exec } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { discoverPythons } from '../../src/runtime/python.js';
import { itIf, testOptions } from '../helpers/env.js';

/**
 * Dynamic metadata resolved by the real backend hook: a pyenv CPython, `build`'s isolated
 * environment, pip installing the backend from the local index. A fresh cache directory per
 * run, so the hook really runs (and the second detect is served from its cache).
 */
const FIX = path.resolve('fixtures');
const pythons = await discoverPythons();
const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-detect-hook-'));
const BASE = testOptions({ cacheDir });

afterAll(() => fs.rm(cacheDir, { recursive: true, force: true }));

async function detect(
  name: string
): Promise<{ model: Awaited<ReturnType<typeof detectProject>>; lines: string[] }> {
  const log = memoryLogger();
  const model = await detectProject({ ...BASE, projectDir: path.join(FIX, name) }, log);
  return { model, lines: log.lines };
}

const withPython = itIf(pythons.length > 0, 'no CPython found (pyenv, PATH or tool cache)');

describe('detect: dynamic metadata through the PEP 517 hook', () => {
  withPython('hatchling: version from [tool.hatch.version] path, then cached', async () => {
    const { model, lines } = await detect('detect-hatch-dynamic');
    expect(
      lines.some((l) => l.startsWith('group: Reading metadata from hatchling.build (Python 3.'))
    ).toBe(true);
    expect(model).toMatchObject({
      name: 'hatchapp',
      version: '3.1.4',
      dynamic: ['version'],
      requiresPython: '>=3.10',
      dependencies: ['attrs>=23'],
      entryPoints: {
        console_scripts: { hatchapp: 'hatchapp.cli:main' },
        gui_scripts: { 'hatchapp-gui': 'hatchapp.gui:main' }
      },
      lockFiles: ['uv.lock']
    });
    const again = await detect('detect-hatch-dynamic');
    expect(again.model).toEqual(model);
    expect(again.lines.filter((l) => l.startsWith('group:'))).toEqual([]);
  });

  withPython('flit: __version__ and the docstring read by flit_core', async () => {
    const { model, lines } = await detect('detect-flit-dynamic');
    expect(lines.some((l) => l.startsWith('group: Reading metadata from flit_core.buildapi'))).toBe(
      true
    );
    expect(model).toMatchObject({
      name: 'flitmod',
      version: '0.7.2',
      dynamic: ['version'],
      entryPoints: { console_scripts: { flitmod: 'flitmod:main' } }
    });
  });

  withPython('legacy setup.py: metadata from the backend, source tree left as it was', async () => {
    const root = path.join(FIX, 'detect-legacy-cext');
    const before = await walkProject(root);
    const entries = async (): Promise<string[]> =>
      (await fs.readdir(path.join(root, 'src'))).sort();
    const srcBefore = await entries();
    const { model, lines } = await detect('detect-legacy-cext');
    expect(
      lines.some((l) =>
        l.startsWith('group: Reading metadata from setuptools.build_meta:__legacy__')
      )
    ).toBe(true);
    expect(model).toMatchObject({
      name: 'fastsum',
      version: '0.3.1',
      backend: 'setuptools.build_meta:__legacy__',
      requiresPython: '>=3.8',
      native: true,
      nativeReasons: ['setup.py: Extension', 'setup.py: ext_modules'],
      entryPoints: { console_scripts: { fastsum: 'fastsum_py:main' } }
    });
    expect(await walkProject(root)).toEqual(before);
    expect(await entries()).toEqual(srcBefore); // no fastsum.egg-info left behind
  });

  withPython(
    'legacy native projects: cffi_modules and abi3 from setup.py / setup.cfg',
    async () => {
      const [cffi, abi3py, abi3cfg] = await Promise.all(
        ['detect-cffi', 'detect-abi3-setuppy', 'detect-abi3-setupcfg'].map(
          async (f) => (await detect(f)).model
        )
      );
      expect(cffi).toMatchObject({
        name: 'cffimod',
        version: '0.4.0',
        backend: 'setuptools.build_meta',
        buildRequires: ['setuptools>=61', 'cffi>=1.15'],
        native: true,
        nativeReasons: ['setup.py: cffi_modules'],
        abi3: false,
        requiresPython: '>=3.9'
      });
      expect(abi3py).toMatchObject({
        name: 'limitedsum',
        version: '1.1.0',
        native: true,
        abi3: true,
        abi3Minimum: '3.9'
      });
      expect(abi3cfg).toMatchObject({
        name: 'cfglimited',
        version: '0.2.0',
        native: true,
        abi3: true,
        abi3Minimum: '3.10',
        requiresPython: '>=3.10',
        pythonVersions: ['3.10', '3.11', '3.12', '3.13', '3.14']
      });
    }
  );

  withPython('hatch-vcs: the version from a git tag, the hook run in the checkout', async () => {
    const repo = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-vcs-'));
    try {
      await fs.cp(path.join(FIX, 'detect-hatch-vcs'), repo, { recursive: true });
      const git = (...args: string[]): Promise<unknown> =>
        exec(['git', '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
          cwd: repo
        });
      await git('init', '-q');
      await git('add', '.');
      await git('commit', '-q', '-m', 'fixture');
      await git('tag', 'v1.2.3');
      const log = memoryLogger();
      const model = await detectProject({ ...BASE, projectDir: repo }, log);
      expect(model).toMatchObject({ name: 'vcsapp', version: '1.2.3', dynamic: ['version'] });
      expect(await walkProject(repo)).toEqual(['pyproject.toml', 'src/vcsapp/__init__.py']);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('without any Python the version stays null and a warning says why', async () => {
    const saved = {
      PATH: process.env.PATH,
      PYENV_ROOT: process.env.PYENV_ROOT,
      RUNNER_TOOL_CACHE: process.env.RUNNER_TOOL_CACHE
    };
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-nopy-'));
    process.env.PATH = empty;
    process.env.PYENV_ROOT = empty;
    delete process.env.RUNNER_TOOL_CACHE;
    try {
      const log = memoryLogger();
      const fresh = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-nopy-cache-'));
      const model = await detectProject(
        { ...BASE, cacheDir: fresh, projectDir: path.join(FIX, 'detect-flit-dynamic') },
        log
      );
      expect(model.version).toBeNull();
      expect(model.name).toBe('flitmod');
      expect(log.lines.join('\n')).toMatch(
        /warning: pyproject\.toml: dynamic metadata \(version\) is not resolved: no Python interpreter found to run the build backend/
      );
      await fs.rm(fresh, { recursive: true, force: true });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await fs.rm(empty, { recursive: true, force: true });
    }
  });
});
