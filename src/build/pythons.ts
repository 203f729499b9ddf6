import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ConfigError } from '../errors.js';
import { PythonInstall, byVersionAsc, discoverPythons } from '../runtime/python.js';

/** Which interpreters one build uses: the one home of that choice. */
export interface BuildPythons {
  /** Minor versions asked for, oldest first. */
  requested: string[];
  /** One wheel per Python for native projects, one (the newest) for pure ones. */
  wheels: string[];
  /** The host interpreter that builds the sdist. */
  sdist: PythonInstall;
  /** The installed interpreter of a minor version (host builds have one for every wheel). */
  installed(version: string): PythonInstall | undefined;
  /** Every interpreter found here, oldest first. */
  all: PythonInstall[];
}

/**
 * The Pythons of a build: `pythons` (the targets), else the `python` option, else the
 * project's. Host builds need every one installed (exit 2 naming those missing); the sdist is
 * built by the newest requested interpreter pypa/build supports (3.10+), else any.
 */
export async function choosePythons(
  model: ProjectModel,
  opts: Pick<Options, 'python'>,
  mode: 'host' | 'container',
  pythons?: string[]
): Promise<BuildPythons> {
  const requested = [
    ...new Set(pythons ?? (opts.python.length ? opts.python : model.pythonVersions))
  ].sort(byVersionAsc);
  if (!requested.length)
    throw new ConfigError(
      'python: no Python version to build for (requires-python and target-pythons leave none)'
    );
  const all = await discoverPythons();
  const installed = (v: string): PythonInstall | undefined => all.find((p) => p.version === v);
  const missing = mode === 'host' ? requested.filter((v) => !installed(v)) : [];
  if (missing.length)
    throw new ConfigError(
      `python: Python ${missing.join(', ')} requested but not installed (searched PATH, pyenv and the runner tool cache; installed: ${all.map((p) => p.version).join(', ') || 'none'})`
    );
  const sdist =
    [...requested]
      .reverse()
      .filter((v) => byVersionAsc(v, '3.10') >= 0)
      .map(installed)
      .find(Boolean) ?? all[all.length - 1];
  if (!sdist)
    throw new ConfigError(
      'python: no CPython found on this machine to build the sdist (searched PATH, pyenv and the runner tool cache)'
    );
  const wheels = model.native ? requested : [requested[requested.length - 1]];
  return { requested, wheels, sdist, installed, all };
}
