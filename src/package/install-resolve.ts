import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { FailureError } from '../errors.js';
import { Lock, parseLock } from '../lock/pylock.js';
import { uvPylockArgv } from '../lock/resolve.js';
import { lockedWheelhouse } from '../lock/wheelhouse.js';
import { execCapture, tail } from '../runtime/exec.js';
import { sha256, tempDir } from '../runtime/fsutil.js';
import { PythonInstall } from '../runtime/python.js';
import { uvEnv } from '../runtime/toolenv.js';
import type { LocalWheel } from './inputs.js';

/**
 * Dependency resolution with uv (`installer` uv): `uv pip compile` of the application's wheel
 * for the interpreter that pip would resolve with, from the same indexes, into a PEP 751 lock;
 * its files are then fetched hash-checked the way `--locked` fetches them (lock/wheelhouse.ts),
 * kept under the cache root by the resolution's digest. Every run resolves afresh against the
 * index (uv's own cache makes that fast); only files already fetched for the exact same
 * resolution, named by their sha256, are reused.
 */
export function uvCompileArgv(
  uv: string,
  input: string,
  output: string,
  python: string,
  opts: Options
): string[] {
  return uvPylockArgv(uv, input, output, ['--python', python], opts);
}

/** The resolution without the application's own entry, as a lock named by its packages. */
export function dependenciesOnly(lock: Lock, app: string): Lock {
  const packages = lock.packages.filter((p) => p.name !== app);
  return { ...lock, sha256: sha256(JSON.stringify(packages)), packages };
}

/**
 * The directory holding `appWheel`'s dependency wheels for `python`, resolved by uv (`dest`,
 * created empty, when it has none).
 */
export async function uvDependencyWheels(
  uv: string,
  opts: Options,
  python: PythonInstall,
  appWheel: LocalWheel,
  dest: string
): Promise<string> {
  const tmp = await tempDir('albatross-resolve-');
  try {
    const input = path.join(tmp.dir, 'requirements.in');
    const output = path.join(tmp.dir, 'pylock.toml');
    await fs.writeFile(input, `${appWheel.abs}\n`);
    const r = await execCapture(uvCompileArgv(uv, input, output, python.executable, opts), {
      extraEnv: uvEnv(opts)
    });
    if (r.code !== 0)
      throw new FailureError(
        `resolving the dependencies of ${appWheel.file} for Python ${python.version} with uv failed (exit ${r.code}):\n${tail(r.output, 12)}`
      );
    const lock = dependenciesOnly(
      parseLock(await fs.readFile(output, 'utf8'), output),
      appWheel.name
    );
    if (!lock.packages.length) {
      await fs.mkdir(dest, { recursive: true });
      return dest;
    }
    return await lockedWheelhouse(lock, python, opts);
  } finally {
    await tmp.cleanup();
  }
}
