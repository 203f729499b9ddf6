import * as path from 'node:path';
import { InstallerOptions } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { execCapture } from './exec.js';
import { anyPython } from './python.js';
import {
  PinnedTool,
  ToolEnvOpts,
  cacheRoot,
  ensurePinnedTool,
  toolEnvDir,
  toolEnvReady
} from './toolenv.js';

/** The uv release Albatross installs (into a tool env) unless `uv` names an executable. */
export const UV_VERSION = '0.13.9';
export const UV_TOOL: PinnedTool = {
  name: 'uv',
  version: UV_VERSION,
  option: 'uv',
  otherwise: 'or installer = pip'
};

/** What creates environments, resolves and installs: uv (its executable) or pip. */
export type Installer = { kind: 'uv'; uv: string } | { kind: 'pip' };

export type InstallerOpts = ToolEnvOpts & InstallerOptions;

const pending = new Map<string, Promise<Installer>>();

/**
 * The installer the options ask for. `pip` is pip; `uv` is the `uv` executable, else the pinned
 * uv installed from the configured indexes, and a configuration error when neither can be had;
 * `auto` is uv when it is at hand (the `uv` option, the pinned uv already in the cache, a `uv`
 * on PATH), else pip: trying to install it would cost a failed pip run wherever the index has
 * none. `install` (what `albatross lock` asks, whose output depends on uv's version) makes
 * `auto` install the pinned uv first. Memoised per process.
 */
export function resolveInstaller(opts: InstallerOpts, install = false): Promise<Installer> {
  if (opts.installer === 'pip') return Promise.resolve({ kind: 'pip' });
  const key = JSON.stringify([opts.installer, opts.uv, cacheRoot(opts), install]);
  let p = pending.get(key);
  if (!p) {
    p = findUv(opts, install || opts.installer === 'uv').then(
      (uv): Installer => (uv ? { kind: 'uv', uv } : { kind: 'pip' }),
      (e: Error): Installer => {
        // `installer = uv`, or a `uv` path given, that cannot be had is the user's to fix.
        if (opts.installer === 'uv' || opts.uv) throw e;
        return { kind: 'pip' };
      }
    );
    pending.set(key, p);
  }
  return p;
}

async function findUv(opts: InstallerOpts, install: boolean): Promise<string | null> {
  // The pinned uv lives in a tool env of the newest Python found (any Python installs it).
  const py = await anyPython();
  if (!opts.uv && !install) {
    if (py && (await toolEnvReady(py, [`uv==${UV_VERSION}`], opts)))
      return path.join(toolEnvDir(py, [`uv==${UV_VERSION}`], opts), 'bin', 'uv');
    const onPath = await execCapture(['uv', '--version']).catch(() => null);
    return onPath?.code === 0 ? 'uv' : null;
  }
  if (opts.uv) {
    const r = await execCapture([opts.uv, '--version']).catch((e: Error) => ({
      code: -1,
      output: e.message
    }));
    if (r.code !== 0)
      throw new ConfigError(`uv: ${opts.uv} cannot be run (${r.output.trim().split('\n')[0]})`);
    return opts.uv;
  }
  if (!py)
    throw new ConfigError(
      `installer: uv ${UV_VERSION} cannot be installed: no Python found to install it with (set \`uv\` to a uv executable, or installer = pip)`
    );
  return path.join(path.dirname(await ensurePinnedTool(py, UV_TOOL, opts)), 'uv');
}
