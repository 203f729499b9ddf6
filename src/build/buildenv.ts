import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { lockedFile } from '../lock/locked.js';
import { lockedWheelhouse } from '../lock/wheelhouse.js';
import { writeFileAtomic } from '../runtime/fsutil.js';
import { InstallerOpts, resolveInstaller } from '../runtime/uv.js';
import { PythonInstall } from '../runtime/python.js';
import { ToolEnvOpts, cacheRoot, ensureToolEnv, toolEnvKey } from '../runtime/toolenv.js';
import { buildFrontend, ensureBuildFrontend } from './frontend.js';

type IndexOpts = ToolEnvOpts & Partial<Pick<Options, 'locked' | 'projectDir' | 'installer' | 'uv'>>;

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
  if (opts.locked) return lockedBuildEnv(python, opts);
  const reqs = [...new Set(buildRequires.map((r) => r.trim()))].sort();
  // Anything pip would read as an option (or an empty entry) is left to the isolated build.
  if (reqs.some((r) => !r || r.startsWith('-'))) return Promise.resolve(null);
  const key = path.join(cacheRoot(opts), toolEnvKey(python, reqs, opts));
  // Memoised per process, failures included: a failed install is not retried for every artifact.
  let p = envs.get(key);
  if (!p) {
    // Where the isolated frontend's `build` does not install, neither would it here: pip builds.
    p = uvBuildEnv(python, reqs, opts)
      .then(
        async (uv) =>
          uv ??
          buildFrontend(python, opts).then(async (fe): Promise<BuildEnv> =>
            fe.kind === 'build'
              ? {
                  kind: 'build',
                  python: await ensureBuildFrontend(python, opts, [...UPGRADE, ...reqs])
                }
              : await pipBuildEnv(await ensureToolEnv(python, [...UPGRADE, ...reqs], opts))
          )
      )
      .catch(() => null);
    envs.set(key, p);
  }
  return p;
}

/**
 * With uv as the installer: uv creates the env and installs the requirements and pypa/build
 * (a fresh uv venv holds nothing to upgrade). Null (pip makes it) when uv is not the installer
 * or cannot make this env (an index without tomli for an old Python, say); `installer = uv`
 * without uv is already a configuration error.
 */
async function uvBuildEnv(
  python: PythonInstall,
  reqs: string[],
  opts: IndexOpts
): Promise<BuildEnv | null> {
  const inst = await resolveInstaller(installerOpts(opts));
  if (inst.kind !== 'uv') return null;
  return ensureToolEnv(python, [...reqs, 'build'], opts, inst.uv).then(
    (exe): BuildEnv => ({ kind: 'build', python: exe }),
    () => null
  );
}

function installerOpts(opts: IndexOpts): InstallerOpts {
  return { ...opts, installer: opts.installer ?? 'pip', uv: opts.uv ?? '' };
}

/**
 * `--locked`: an env holding exactly the files pylock.build.toml lists for this interpreter
 * (hash-checked when fetched, installed by path without an index), pypa/build among them. Its
 * failures are the build's: there is no unlocked fallback.
 */
function lockedBuildEnv(python: PythonInstall, opts: IndexOpts): Promise<BuildEnv> {
  const key = `locked:${path.resolve(opts.projectDir ?? '.')}:${python.executable}`;
  let p = envs.get(key) as Promise<BuildEnv> | undefined;
  if (!p) {
    p = (async (): Promise<BuildEnv> => {
      const lock = await lockedFile(opts.projectDir ?? '.', 'build');
      const house = await lockedWheelhouse(lock, python, opts);
      const wheels = (await fs.readdir(house)).filter((f) => f.endsWith('.whl')).sort();
      if (!wheels.some((f) => /^build-[^-]+-/.test(f)))
        throw new ConfigError(
          `${lock.file}: holds no \`build\` (pypa/build, the frontend locked builds run) for Python ${python.version}; run \`albatross lock\``
        );
      const files = wheels.map((f) => path.join(house, f));
      const inst = await resolveInstaller(installerOpts(opts));
      const uv = inst.kind === 'uv' ? inst.uv : undefined;
      return {
        kind: 'build',
        python: await ensureToolEnv(python, ['--no-index', '--no-deps', ...files], opts, uv)
      };
    })();
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
