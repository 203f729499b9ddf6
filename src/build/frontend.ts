import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../runtime/fsutil.js';
import { PythonInstall, byVersionAsc } from '../runtime/python.js';
import { ToolEnvOpts, cacheRoot, ensureToolEnv, toolEnvKey } from '../runtime/toolenv.js';

type IndexOpts = ToolEnvOpts;

/** build's own dependencies minus tomli (installed with --no-deps in the fallback). */
const WITHOUT_TOMLI = [
  '--no-deps',
  'build',
  'packaging',
  'pyproject_hooks',
  'importlib-metadata',
  'zipp'
];

const TOMLI_SHIM =
  '"""tomli from pip\'s vendored copy (Albatross: no tomli wheel for this Python on the index)."""\nfrom pip._vendor.tomli import *  # noqa: F401,F403\nfrom pip._vendor.tomli import TOMLDecodeError, load, loads  # noqa: F401\n';

/** How a Python builds: pypa/build in a tool env, or (where build cannot be installed) pip. */
export interface Frontend {
  kind: 'build' | 'pip';
  /** Interpreter to run `-m build` / `-m pip` with. */
  python: string;
}

/**
 * `build` when it can be installed for this Python; otherwise pip's own PEP 517 frontend
 * (`pip wheel --no-deps --use-pep517`, isolated too), which every CPython has. Offline indexes
 * may hold no `build` release for an old Python (build 1.3+ needs 3.10).
 */
export function buildFrontend(python: PythonInstall, opts: IndexOpts): Promise<Frontend> {
  // Memoised per process: a failed install is not retried for every wheel.
  const key = path.join(cacheRoot(opts), toolEnvKey(python, [], opts));
  let p = frontends.get(key);
  if (!p) {
    p = pickFrontend(python, opts);
    frontends.set(key, p);
    p.catch(() => frontends.delete(key));
  }
  return p;
}

const frontends = new Map<string, Promise<Frontend>>();

/** How long a failed install (see failedRecently) is not retried. */
const FAILURE_TTL_MS = 24 * 3600 * 1000;

/**
 * Failed installs are slow (a venv and a pip resolution each): they are remembered in the cache,
 * per interpreter, packages and index options, so later runs do not pay for them again.
 */
function failureMarker(
  python: PythonInstall,
  opts: IndexOpts,
  what: string,
  pkgs: string[]
): string {
  const key = toolEnvKey(python, pkgs, opts);
  return path.join(cacheRoot(opts), 'tools', `py${python.version}-${key}.${what}`);
}

async function failedRecently(marker: string): Promise<boolean> {
  const st = await fs.stat(marker).catch(() => null);
  return !!st && Date.now() - st.mtimeMs < FAILURE_TTL_MS;
}

async function pickFrontend(python: PythonInstall, opts: IndexOpts): Promise<Frontend> {
  const pip: Frontend = { kind: 'pip', python: python.executable };
  const old = byVersionAsc(python.version, '3.11') < 0;
  const marker = failureMarker(python, opts, 'no-build', []);
  if (old && (await failedRecently(marker))) return pip;
  try {
    return { kind: 'build', python: await ensureBuildFrontend(python, opts) };
  } catch (e) {
    if (!old) throw e;
    await writeFileAtomic(marker, '').catch(() => undefined);
    return pip;
  }
}

/**
 * The interpreter of a cached tool env that has the `build` frontend. `build` needs tomli
 * before Python 3.11; offline indexes often lack a tomli wheel for old Pythons, so when the
 * normal install fails there, `build` is installed without dependencies and `tomli` is served
 * by pip's vendored copy. `extra` packages (a project's build requirements) go into the same env;
 * in the no-tomli fallback they are installed without their dependencies too.
 */
export async function ensureBuildFrontend(
  python: PythonInstall,
  opts: IndexOpts,
  extra: string[] = []
): Promise<string> {
  const old = byVersionAsc(python.version, '3.11') < 0;
  const marker = failureMarker(python, opts, 'no-tomli', extra);
  try {
    if (old && (await failedRecently(marker))) throw new Error('tomli could not be installed');
    return await ensureToolEnv(python, [...extra, 'build'], opts);
  } catch (e) {
    if (!old) throw e;
    await writeFileAtomic(marker, '').catch(() => undefined);
    const exe = await ensureToolEnv(python, [...WITHOUT_TOMLI, ...extra], opts).catch(() => {
      throw e;
    });
    const site = path.join(
      path.dirname(path.dirname(exe)),
      'lib',
      `python${python.version}`,
      'site-packages'
    );
    await writeFileAtomic(path.join(site, 'tomli', '__init__.py'), TOMLI_SHIM);
    return exe;
  }
}
