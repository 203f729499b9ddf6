import * as os from 'node:os';
import { exec } from '../runtime/exec.js';

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

export async function pipTargetInstall(t: TargetInstall, what: string): Promise<void> {
  await exec(pipTargetArgv(t), { extraEnv: hermeticPipEnv() }, what);
}
