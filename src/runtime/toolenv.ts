import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { trackTemp } from './cleanup.js';
import { exec } from './exec.js';
import { exists, sha256 } from './fsutil.js';
import { pipEnv, pipIndexArgs } from './pip.js';
import { PythonInstall } from './python.js';

/** Albatross's own cache root: `cache-dir`, else $XDG_CACHE_HOME/albatross, else ~/.cache/albatross. */
export function cacheRoot(opts: Pick<Options, 'cacheDir'>): string {
  if (opts.cacheDir) return path.resolve(opts.cacheDir);
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'albatross');
}

const pending = new Map<string, Promise<string>>();

/** The options that decide where an environment's packages come from, and where it is kept. */
export type ToolEnvOpts = Pick<
  Options,
  'cacheDir' | 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'
>;

/**
 * 16 hex digits naming an environment of `python` with `packages` from the configured indexes
 * (package order does not matter). Tool environments, build environments and the markers of
 * failed installs are all named by it.
 */
export function toolEnvKey(python: PythonInstall, packages: string[], opts: ToolEnvOpts): string {
  return sha256(
    JSON.stringify([python.executable, python.full, [...packages].sort(), pipIndexArgs(opts)])
  ).slice(0, 16);
}

/**
 * A virtual environment of `python` with `packages` installed from the configured indexes,
 * kept under the cache root and reused. Returns the venv's python executable.
 * Concurrent callers for the same environment share one creation.
 */
export function ensureToolEnv(
  python: PythonInstall,
  packages: string[],
  opts: ToolEnvOpts
): Promise<string> {
  const key = toolEnvKey(python, packages, opts);
  const dir = path.join(cacheRoot(opts), 'tools', `py${python.version}-${key}`);
  let p = pending.get(dir);
  if (!p) {
    p = create(dir, python, packages, opts);
    pending.set(dir, p);
    p.catch(() => pending.delete(dir));
  }
  return p;
}

async function create(
  dir: string,
  python: PythonInstall,
  packages: string[],
  opts: Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>
): Promise<string> {
  const exe = path.join(dir, 'bin', 'python');
  const marker = path.join(dir, '.albatross-complete');
  if (await exists(marker)) return exe;
  // Built under a private name then renamed, so concurrent processes never see half an env.
  // Only `python -m ...` is used from tool envs, which survives the rename.
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const forget = trackTemp(tmp);
  try {
    await exec(
      [python.executable, '-m', 'venv', tmp],
      {},
      `creating a tool environment with Python ${python.version}`
    );
    if (packages.length) {
      await exec(
        [
          path.join(tmp, 'bin', 'python'),
          '-m',
          'pip',
          'install',
          '--quiet',
          ...pipIndexArgs(opts),
          ...packages
        ],
        { extraEnv: pipEnv(opts) },
        `installing ${packages.join(', ')} for Python ${python.version}`
      );
    }
    await fs.writeFile(path.join(tmp, '.albatross-complete'), '');
    if (!(await exists(marker))) {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(tmp, dir).catch(async (e) => {
        if (!(await exists(marker))) throw e;
      });
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
    forget();
  }
  return exe;
}
