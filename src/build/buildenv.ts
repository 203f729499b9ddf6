import * as path from 'node:path';
import { writeFileAtomic } from '../runtime/fsutil.js';
import { PythonInstall } from '../runtime/python.js';
import { ToolEnvOpts, cacheRoot, ensureToolEnv, toolEnvKey } from '../runtime/toolenv.js';
import { buildFrontend, ensureBuildFrontend } from './frontend.js';

type IndexOpts = ToolEnvOpts;

/** A cached build env's interpreter and the frontend run with it (as in `Frontend`). */
export interface BuildEnv {
  kind: 'build' | 'pip';
  python: string;
  /** For `pip`: the script checking the backend's dynamic wheel requirements (see below). */
  check?: string;
}

/** A pip-built env: the requirement check is written next to it (a short argv in the logs). */
async function pipBuildEnv(exe: string): Promise<BuildEnv> {
  const check = path.join(path.dirname(path.dirname(exe)), 'albatross-check-requires.py');
  await writeFileAtomic(check, CHECK_WHEEL_REQUIRES);
  return { kind: 'pip', python: exe, check };
}

/**
 * A cached environment of `python` holding the project's `[build-system] requires` (plus
 * pypa/build where it installs), from the configured indexes only: a venv without system or
 * user site-packages, keyed by python, sorted requirements and index options. Builds run in it
 * without isolation (`python -m build --no-isolation`, else `pip wheel --no-build-isolation`),
 * which saves creating an isolated env and installing the backend for every artifact. Null when
 * the env cannot be made (the caller builds isolated).
 */
export function cachedBuildEnv(
  python: PythonInstall,
  buildRequires: string[],
  opts: IndexOpts
): Promise<BuildEnv | null> {
  const reqs = [...new Set(buildRequires.map((r) => r.trim()))].sort();
  // Anything pip would read as an option (or an empty entry) is left to the isolated build.
  if (reqs.some((r) => !r || r.startsWith('-'))) return Promise.resolve(null);
  const key = path.join(cacheRoot(opts), toolEnvKey(python, reqs, opts));
  // Memoised per process, failures included: a failed install is not retried for every artifact.
  let p = envs.get(key);
  if (!p) {
    // Where the isolated frontend's `build` does not install, neither would it here: pip builds.
    p = buildFrontend(python, opts)
      .then(async (fe): Promise<BuildEnv> =>
        fe.kind === 'build'
          ? {
              kind: 'build',
              python: await ensureBuildFrontend(python, opts, [...UPGRADE, ...reqs])
            }
          : await pipBuildEnv(await ensureToolEnv(python, [...UPGRADE, ...reqs], opts))
      )
      .catch(() => null);
    envs.set(key, p);
  }
  return p;
}

/**
 * A new venv of Python ≤ 3.11 already holds ensurepip's bundled setuptools, which would satisfy a
 * loose `setuptools>=…` without consulting the index: everything is upgraded to what the index
 * resolves, as in an isolated env.
 */
export const UPGRADE = ['--upgrade', '--upgrade-strategy', 'eager'];

const envs = new Map<string, Promise<BuildEnv | null>>();

/** `pip wheel` of `src` into `outDir` with the packages of `python`'s env (a cached build env). */
export function noIsolationWheelArgs(python: string, outDir: string, src: string): string[] {
  return [
    python,
    '-m',
    'pip',
    'wheel',
    '--no-deps',
    '--no-build-isolation',
    '--use-pep517',
    '--wheel-dir',
    outDir,
    src
  ];
}

/** pypa/build's report that a non-isolated env lacks a (possibly dynamic) build requirement. */
export function missingBuildDeps(output: string): boolean {
  return /(Missing|Unmet) dependencies\b/.test(output);
}

/**
 * pip does not check a non-isolated env: this script (argv: source dir, backend, backend-path...)
 * asks the backend's get_requires_for_build_wheel through pip's vendored pyproject_hooks and
 * reports unmet requirements the way pypa/build does ("Missing dependencies:", exit 1).
 */
export const CHECK_WHEEL_REQUIRES = `import sys
try:
    from pip._vendor.pyproject_hooks import BuildBackendHookCaller as Hooks
    from pip._vendor.packaging.requirements import Requirement
    from importlib.metadata import version, PackageNotFoundError
except ImportError as e:
    print("Missing dependencies: cannot check (%s)" % e)
    sys.exit(1)
src, backend, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
missing = []
for r in Hooks(src, backend, backend_path=paths or None).get_requires_for_build_wheel():
    req = Requirement(r)
    if req.marker is not None and not req.marker.evaluate():
        continue
    try:
        v = version(req.name)
    except PackageNotFoundError:
        missing.append(r)
        continue
    if not req.specifier.contains(v, prereleases=True):
        missing.append(r)
if missing:
    print("Missing dependencies: " + ", ".join(missing))
    sys.exit(1)
`;
