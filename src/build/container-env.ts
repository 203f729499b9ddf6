import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exists, sha256, writeFileAtomic } from '../runtime/fsutil.js';
import { CHECK_WHEEL_REQUIRES, UPGRADE } from './buildenv.js';
import { Executor, StepLog, step } from './executor.js';

/**
 * Cached build environments of container builds, the container side of cachedBuildEnv: a venv of
 * the image's interpreter holding the project's `[build-system] requires`, kept on the host under
 * the cache root (mounted at CONTAINER_ENVS) and keyed by the image ID, the interpreter, the
 * requirements and where packages come from. A wheel then builds in it without isolation once the
 * backend's dynamic requirements are checked, which saves an isolated env and a backend install
 * per wheel; when the env lacks one, the build runs isolated as before.
 */

/** Where the host's directory of container build envs appears inside the build container. */
export const CONTAINER_ENVS = '/albatross-envs';
/** Written last: the env is complete. Holds what it was made for (image ID, interpreter, requirements). */
export const COMPLETE = '.albatross-complete';
const CHECK = 'albatross-check-requires.py';

/** 16 hex digits naming the env (requirement order does not matter). */
export function containerEnvKey(a: {
  imageId: string;
  python: string;
  requires: string[];
  packages: string[];
}): string {
  return sha256(JSON.stringify([a.imageId, a.python, [...a.requires].sort(), a.packages])).slice(
    0,
    16
  );
}

/** A ready env, as the container sees it. */
export interface ContainerBuildEnv {
  python: string;
  /** The dynamic-requirement check (argv: source dir, backend, backend-path...). */
  check: string;
}

const envs = new Map<string, Promise<ContainerBuildEnv | null>>();

/**
 * The env for `key`, made on first use (memoised per process, failures included: a failed
 * install is not retried for every wheel). `prepare` runs before an install (the offline
 * wheelhouse download). Null when it cannot be made.
 */
export function containerBuildEnv(a: {
  ex: Executor;
  log: StepLog;
  hostEnvs: string;
  key: string;
  py: string;
  requires: string[];
  /** `uid:gid` the env is handed to on the host (containers write as root). */
  owner: string;
  /** What the env is for, written into its COMPLETE marker. */
  about: Record<string, unknown>;
  prepare?: () => Promise<void>;
}): Promise<ContainerBuildEnv | null> {
  const ready: ContainerBuildEnv = {
    python: `${CONTAINER_ENVS}/${a.key}/bin/python`,
    check: `${CONTAINER_ENVS}/${a.key}/${CHECK}`
  };
  let p = envs.get(a.key);
  if (!p) {
    p = (async () => {
      if (await exists(path.join(a.hostEnvs, a.key, COMPLETE))) return ready;
      return (await create(a)) ? ready : null;
    })();
    envs.set(a.key, p);
  }
  return p;
}

async function create(a: Parameters<typeof containerBuildEnv>[0]): Promise<boolean> {
  // Made under a private name, then renamed: a concurrent build never sees half an env (only
  // `python -m …` is used from it, which survives the rename).
  const tmp = `${a.key}.tmp-${randomBytes(4).toString('hex')}`;
  const inside = `${CONTAINER_ENVS}/${tmp}`;
  try {
    await a.prepare?.();
    await step(a.ex, a.log, 'creating the cached build env', [a.py, '-m', 'venv', inside]);
    await step(a.ex, a.log, 'installing the build requirements into it', [
      `${inside}/bin/python`,
      '-m',
      'pip',
      'install',
      '--quiet',
      ...UPGRADE,
      '--',
      ...a.requires
    ]);
    await step(a.ex, a.log, 'handing the env to the caller', ['chown', '-R', a.owner, inside]);
    await writeFileAtomic(path.join(a.hostEnvs, tmp, CHECK), CHECK_WHEEL_REQUIRES);
    await writeFileAtomic(
      path.join(a.hostEnvs, tmp, COMPLETE),
      JSON.stringify({ ...a.about, requires: a.requires }) + '\n'
    );
    await fs.rename(path.join(a.hostEnvs, tmp), path.join(a.hostEnvs, a.key)).catch(() => {
      // Another process made it first: keep theirs.
    });
    return true;
  } catch {
    return false;
  } finally {
    await a.ex.run(['rm', '-rf', inside]);
  }
}
