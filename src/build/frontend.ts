import * as path from 'node:path';
import { Options } from '../config/options.js';
import { writeFileAtomic } from '../runtime/fsutil.js';
import { PythonInstall, byVersionAsc } from '../runtime/python.js';
import { ensureToolEnv } from '../runtime/toolenv.js';

type IndexOpts = Pick<Options, 'cacheDir' | 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>;

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
  const key = JSON.stringify([
    python.executable,
    opts.cacheDir,
    opts.indexUrl,
    opts.extraIndexUrl,
    opts.findLinks,
    opts.noIndex
  ]);
  let p = frontends.get(key);
  if (!p) {
    p = pickFrontend(python, opts);
    frontends.set(key, p);
    p.catch(() => frontends.delete(key));
  }
  return p;
}

const frontends = new Map<string, Promise<Frontend>>();

async function pickFrontend(python: PythonInstall, opts: IndexOpts): Promise<Frontend> {
  try {
    return { kind: 'build', python: await ensureBuildFrontend(python, opts) };
  } catch (e) {
    if (byVersionAsc(python.version, '3.11') >= 0) throw e;
    return { kind: 'pip', python: python.executable };
  }
}

/**
 * The interpreter of a cached tool env that has the `build` frontend. `build` needs tomli
 * before Python 3.11; offline indexes often lack a tomli wheel for old Pythons, so when the
 * normal install fails there, `build` is installed without dependencies and `tomli` is served
 * by pip's vendored copy.
 */
export async function ensureBuildFrontend(python: PythonInstall, opts: IndexOpts): Promise<string> {
  try {
    return await ensureToolEnv(python, ['build'], opts);
  } catch (e) {
    if (byVersionAsc(python.version, '3.11') >= 0) throw e;
    const exe = await ensureToolEnv(python, WITHOUT_TOMLI, opts).catch(() => {
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
