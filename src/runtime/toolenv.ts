import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { trackTemp } from './cleanup.js';
import { ConfigError } from '../errors.js';
import { CacheOptions, IndexOptions } from '../config/options.js';
import { exec } from './exec.js';
import { exists, sha256 } from './fsutil.js';
import { pipEnv, pipIndexArgs } from './pip.js';
import { describeIndexes, pipConfigOf, redactUrls } from './pipconfig.js';
import { PythonInstall } from './python.js';

/** Albatross's own cache root: `cache-dir`, else $XDG_CACHE_HOME/albatross, else ~/.cache/albatross. */
export function cacheRoot(opts: CacheOptions): string {
  if (opts.cacheDir) return path.resolve(opts.cacheDir);
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'albatross');
}

/**
 * The environment of every uv run: its cache under Albatross's, no uv.toml, no Python
 * downloads. uv reads no pip configuration: index options reach it as arguments, which uv
 * spells as pip does (pipIndexArgs).
 */
export function uvEnv(opts: CacheOptions): Record<string, string> {
  return {
    UV_CACHE_DIR: path.join(cacheRoot(opts), 'uv'),
    UV_NO_CONFIG: '1',
    UV_PYTHON_DOWNLOADS: 'never',
    UV_NO_PROGRESS: '1'
  };
}

const pending = new Map<string, Promise<string>>();

/** The options that decide where an environment's packages come from, and where it is kept. */
export type ToolEnvOpts = CacheOptions & IndexOptions;

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

/** Where the tool env of `python` with `packages` is kept (complete once it holds a marker). */
export function toolEnvDir(python: PythonInstall, packages: string[], opts: ToolEnvOpts): string {
  return path.join(
    cacheRoot(opts),
    'tools',
    `py${python.version}-${toolEnvKey(python, packages, opts)}`
  );
}

/** True when that env was already made (nothing to install). */
export function toolEnvReady(
  python: PythonInstall,
  packages: string[],
  opts: ToolEnvOpts
): Promise<boolean> {
  return exists(path.join(toolEnvDir(python, packages, opts), '.albatross-complete'));
}

/**
 * A virtual environment of `python` with `packages` installed from the configured indexes,
 * kept under the cache root and reused. Returns the venv's python executable.
 * Concurrent callers for the same environment share one creation.
 */
export function ensureToolEnv(
  python: PythonInstall,
  packages: string[],
  opts: ToolEnvOpts,
  /** uv's executable: uv creates the env and installs (no pip inside it then). */
  uv?: string
): Promise<string> {
  const dir = toolEnvDir(python, uv ? [...packages, '\0uv'] : packages, opts);
  let p = pending.get(dir);
  if (!p) {
    p = create(dir, python, packages, opts, uv);
    pending.set(dir, p);
    p.catch(() => pending.delete(dir));
  }
  return p;
}

async function create(
  dir: string,
  python: PythonInstall,
  packages: string[],
  opts: ToolEnvOpts,
  uv?: string
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
    if (uv) await createWithUv(uv, tmp, python, packages, opts);
    else
      await exec(
        [python.executable, '-m', 'venv', tmp],
        {},
        `creating a tool environment with Python ${python.version}`
      );
    if (packages.length && !uv) {
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

async function createWithUv(
  uv: string,
  dir: string,
  python: PythonInstall,
  packages: string[],
  opts: ToolEnvOpts
): Promise<void> {
  const env = { extraEnv: uvEnv(opts) };
  const what = `creating a tool environment with uv and Python ${python.version}`;
  await exec([uv, 'venv', '--quiet', '--python', python.executable, dir], env, what);
  if (packages.length)
    await exec(
      [uv, 'pip', 'install', '--quiet', '--python', path.join(dir, 'bin', 'python')].concat(
        pipIndexArgs(opts),
        packages
      ),
      env,
      `installing ${packages.join(', ')} with uv for Python ${python.version}`
    );
}

/** A tool Albatross runs at a pinned version, and the option that names a local one instead. */
export interface PinnedTool {
  /** The distribution on the index, also the tool's name in messages (`pex`). */
  name: string;
  version: string;
  /** The option pointing at a local executable instead of installing (`pex`). */
  option: string;
  /** Another way out, said after the option (`or installer = pip`). */
  otherwise?: string;
}

const installs = new Map<string, Promise<string>>();

/**
 * The venv python of a tool env holding `tool` at its pinned version. A tool that cannot be
 * installed (index down, version missing) is a configuration error naming the tool, the indexes
 * tried and the option to use instead, never a skip. Failures are remembered for the process:
 * a run asks the index once per tool and Python.
 */
export function ensurePinnedTool(
  python: PythonInstall,
  tool: PinnedTool,
  opts: ToolEnvOpts
): Promise<string> {
  const pkg = `${tool.name}==${tool.version}`;
  const key = JSON.stringify([python.executable, pkg, pipIndexArgs(opts), cacheRoot(opts)]);
  let p = installs.get(key);
  if (!p) {
    p = ensureToolEnv(python, [pkg], opts).catch(async (e: Error) => {
      const indexes = describeIndexes(opts, await pipConfigOf(python.executable));
      throw new ConfigError(toolInstallMessage(tool, indexes, e.message));
    });
    installs.set(key, p);
  }
  return p;
}

/** The one line that says a pinned tool could not be installed, and what to do instead. */
export function toolInstallMessage(tool: PinnedTool, indexes: string, pipOutput: string): string {
  return (
    `${tool.name}: ${tool.name}==${tool.version} could not be installed from ${indexes} ` +
    `(${pipFailureReason(pipOutput)}); set the \`${tool.option}\` option (--${tool.option}) ` +
    `to a local ${tool.name} executable${tool.otherwise ? `, ${tool.otherwise}` : ''}`
  );
}

/** pip's reason for a failed install in a few words: unreachable index, missing version ... */
export function pipFailureReason(output: string): string {
  const why: string[] = [];
  const refused =
    /Failed to establish a new connection: \[Errno -?\d+\] ([^'"\n)]+)|(Name or service not known|Temporary failure in name resolution|Connection refused|timed out|Network is unreachable)/.exec(
      output
    );
  if (refused) why.push(`the index did not answer: ${(refused[1] ?? refused[2]).trim()}`);
  const missing = /No matching distribution found for (\S+)/.exec(output);
  if (missing) why.push(`no matching distribution for ${missing[1]}`);
  if (why.length) return why.join('; ');
  const last = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop();
  return redactUrls(last ?? 'pip failed')
    .replace(/^ERROR:\s*/, '')
    .slice(0, 200);
}
