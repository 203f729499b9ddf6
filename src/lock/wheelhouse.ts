import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FailureError } from '../errors.js';
import { trackTemp } from '../runtime/cleanup.js';
import { execCapture, tail } from '../runtime/exec.js';
import { exists, sha256 } from '../runtime/fsutil.js';
import { pipEnv, pipIndexArgs } from '../runtime/pip.js';
import { PythonInstall } from '../runtime/python.js';
import { ToolEnvOpts, cacheRoot } from '../runtime/toolenv.js';
import { parseWheelName } from '../runtime/wheelname.js';
import { Lock, hashedRequirements } from './pylock.js';

/**
 * argv of the one download of a lock's files: `pip wheel` in hash-checking mode, exactly the
 * locked packages (no dependency resolution: a lock is its own closure), sdists built to wheels.
 */
export function lockedWheelArgv(
  python: string,
  requirements: string,
  dir: string,
  opts: ToolEnvOpts
): string[] {
  return [
    python,
    '-m',
    'pip',
    'wheel',
    '--require-hashes',
    '--no-deps',
    '--no-cache-dir',
    '--progress-bar',
    'off',
    '--wheel-dir',
    dir,
    '--requirement',
    requirements,
    ...pipIndexArgs(opts)
  ];
}

/** pip's report of a file whose hash is not the locked one: which file, expected, got. */
export function hashMismatch(
  output: string
): { requirement: string; url: string; expected: string; got: string } | null {
  if (!/DO NOT MATCH THE HASHES/.test(output)) return null;
  const m = /^\s*(\S+) from (\S+?)(?: \(from [^)]*\)+)?:\s*$/m.exec(output);
  const e = /Expected sha256 ([0-9a-f]+)/.exec(output);
  const g = /Got\s+([0-9a-f]+)/.exec(output);
  return {
    requirement: m?.[1] ?? '?',
    url: m?.[2] ?? '?',
    expected: e?.[1] ?? '?',
    got: g?.[1] ?? '?'
  };
}

/**
 * The wheels of a lock for `python` (its markers evaluated by pip for that interpreter), kept
 * under the cache root by the lock's digest and the interpreter: a second build with the same
 * lock reads them from there and needs no index. A downloaded file whose sha256 is not the
 * locked one is exit 1 naming the lock and the file.
 */
export async function lockedWheelhouse(
  lock: Lock,
  python: PythonInstall,
  opts: ToolEnvOpts
): Promise<string> {
  const key = sha256(JSON.stringify([lock.sha256, python.executable, python.full])).slice(0, 16);
  const dir = path.join(cacheRoot(opts), 'locked', `py${python.version}-${key}`);
  if (await exists(path.join(dir, '.albatross-complete'))) return dir;
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
  await fs.mkdir(tmp, { recursive: true });
  const forget = trackTemp(tmp);
  try {
    const req = path.join(tmp, 'requirements.txt');
    await fs.writeFile(req, hashedRequirements(lock));
    const r = await execCapture(lockedWheelArgv(python.executable, req, tmp, opts), {
      extraEnv: pipEnv(opts)
    });
    if (r.code !== 0) {
      const bad = hashMismatch(r.output);
      if (bad)
        throw new FailureError(
          `${lock.file}: ${decodeURIComponent(path.posix.basename(bad.url))} (${bad.requirement}) does not match the locked sha256 (expected ${bad.expected}, downloaded ${bad.got})`
        );
      throw new FailureError(
        `locked: fetching the files of ${lock.file} for Python ${python.version} failed (exit ${r.code}):\n${tail(r.output, 12)}`
      );
    }
    await fs.rm(req);
    await fs.writeFile(path.join(tmp, '.albatross-complete'), '');
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir).catch(async (e) => {
      if (!(await exists(path.join(dir, '.albatross-complete')))) throw e;
    });
    return dir;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
    forget();
  }
}

/** `name==version` of every wheel in a locked wheelhouse (what to install from it). */
export async function lockedPins(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of (await fs.readdir(dir)).sort()) {
    const w = parseWheelName(f);
    if (w) out.push(`${w.name}==${w.version}`);
  }
  return out;
}
