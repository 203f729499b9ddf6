import * as os from 'node:os';
import { exec } from '../runtime/exec.js';
import { uvEnv } from '../runtime/toolenv.js';
import { Installer } from '../runtime/uv.js';
import { canonicalInstallTree } from './installtree.js';

/** Installing for another interpreter/platform than the one running pip. */
export interface CrossTarget {
  /** "3.11". */
  pythonVersion: string;
  /** Platform tags pip may accept (newest first). */
  platforms: string[];
}

export interface TargetInstall {
  python: string;
  target: string;
  /** Directories holding exactly the wheels to install from. */
  findLinks: string[];
  /** `name==version` requirements (by name, so pip writes no direct_url.json with a temp path). */
  requirements: string[];
  cross?: CrossTarget;
  /** Who installs (default pip); the tree is the same either way (canonicalInstallTree). */
  installer?: Installer;
  /** uv's cache lives under this cache root's options. */
  cacheDir?: string;
}

/**
 * `pip install --target` argv: wheels only from the given directories, no dependency
 * resolution (the wheelhouse is already the closure), no byte-code, no cache.
 */
export function pipTargetArgv(t: TargetInstall): string[] {
  const argv = [
    t.python,
    '-m',
    'pip',
    'install',
    '--target',
    t.target,
    '--no-deps',
    '--no-compile',
    '--no-index',
    '--no-cache-dir'
  ];
  argv.push('--disable-pip-version-check', '--no-warn-script-location', '--quiet');
  for (const f of t.findLinks) argv.push('--find-links', f);
  if (t.cross) {
    const abi = 'cp' + t.cross.pythonVersion.replace('.', '');
    argv.push('--python-version', t.cross.pythonVersion, '--implementation', 'cp');
    argv.push('--abi', abi, '--abi', 'abi3', '--abi', 'none');
    for (const p of t.cross.platforms) argv.push('--platform', p);
    argv.push('--only-binary=:all:');
  }
  argv.push(...t.requirements);
  return argv;
}

/**
 * The environment of a hermetic install: no pip configuration file and none of pip's index,
 * link or constraint variables, so only the given directories are read.
 */
export function hermeticPipEnv(
  env: NodeJS.ProcessEnv = process.env
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k of Object.keys(env)) if (k.startsWith('PIP_')) out[k] = undefined;
  return {
    ...out,
    PIP_CONFIG_FILE: os.devNull,
    PIP_NO_INPUT: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PYTHONDONTWRITEBYTECODE: '1'
  };
}

/**
 * uv's `--python-platform` for pip platform tags (newest first): its manylinux targets name
 * glibc 2.17 to 2.40, its musl ones one target per machine. Null when uv has none that fits.
 */
export function uvPlatform(platforms: string[]): string | null {
  for (const p of platforms) {
    const g = /^manylinux_2_(\d+)_(x86_64|aarch64)$/.exec(p);
    if (g && Number(g[1]) >= 17) return `${g[2]}-manylinux_2_${Math.min(Number(g[1]), 40)}`;
    const m = /^musllinux_1_\d+_(x86_64|aarch64)$/.exec(p);
    if (m) return `${m[1]}-unknown-linux-musl`;
  }
  return null;
}

/**
 * `uv pip install --target` argv with pip's choices above: the given directories only, no
 * dependency resolution, no byte-code (uv's default); null when uv cannot target `cross`.
 */
export function uvTargetArgv(uv: string, t: TargetInstall): string[] | null {
  const argv = [uv, 'pip', 'install', '--target', t.target, '--python', t.python];
  argv.push('--no-deps', '--no-index', '--quiet', '--link-mode', 'copy');
  for (const f of t.findLinks) argv.push('--find-links', f);
  if (t.cross) {
    const platform = uvPlatform(t.cross.platforms);
    if (!platform) return null;
    argv.push('--python-version', t.cross.pythonVersion, '--python-platform', platform);
    argv.push('--only-binary', ':all:');
  }
  argv.push(...t.requirements);
  return argv;
}

export async function pipTargetInstall(t: TargetInstall, what: string): Promise<void> {
  const uv = t.installer?.kind === 'uv' ? uvTargetArgv(t.installer.uv, t) : null;
  if (uv)
    await exec(
      uv,
      { extraEnv: { ...hermeticPipEnv(), ...uvEnv({ cacheDir: t.cacheDir ?? '' }) } },
      what
    );
  else await exec(pipTargetArgv(t), { extraEnv: hermeticPipEnv() }, what);
  await canonicalInstallTree(t.target);
}
