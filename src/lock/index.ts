import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ConfigError } from '../errors.js';
import { tempDir, writeFileAtomic } from '../runtime/fsutil.js';
import { Logger } from '../runtime/log.js';
import { PythonInstall, anyPython, byVersionAsc, findPython } from '../runtime/python.js';
import { resolveInstaller } from '../runtime/uv.js';
import { buildRequirements } from './buildreqs.js';
import { LockKind, lockFileName, originTable, parseLock } from './pylock.js';
import { resolveLock } from './resolve.js';

export { BUILD_LOCK_FILE, LOCK_FILE } from './pylock.js';

export interface LockFileResult {
  kind: LockKind;
  /** Absolute path. */
  file: string;
  sha256: string;
  packages: number;
  /** False when the file already held exactly these bytes (it is then not rewritten). */
  changed: boolean;
}

export interface LockResult {
  /** What resolved: `uv` or `pip` (pip lock). */
  locker: 'uv' | 'pip';
  /** The lowest target Python the locks hold for. */
  python: string;
  files: LockFileResult[];
}

/** The lowest target version, and the interpreter to run the hooks and pip lock with. */
async function lockPython(
  model: ProjectModel,
  opts: Options
): Promise<{ version: string; python: PythonInstall }> {
  const versions = [...(opts.python.length ? opts.python : model.pythonVersions)].sort(
    byVersionAsc
  );
  if (!versions.length)
    throw new ConfigError(
      'python: no Python version to lock for (requires-python and target-pythons leave none)'
    );
  const py = (await findPython(versions[0])) ?? (await anyPython());
  if (!py)
    throw new ConfigError(
      'python: no CPython found on this machine to lock with (searched PATH, pyenv and the runner tool cache)'
    );
  return { version: versions[0], python: py };
}

/**
 * `albatross lock`: resolves the runtime dependencies into pylock.toml and the build
 * requirements into pylock.build.toml (PEP 751, sha256 of every file), with uv, else pip lock.
 * With nothing changed the files are left byte for byte as they were: uv keeps the pins of
 * the existing lock, and neither tool writes a timestamp.
 */
export async function lockProject(
  model: ProjectModel,
  opts: Options,
  log: Logger
): Promise<LockResult> {
  const { version, python } = await lockPython(model, opts);
  const installer = await resolveInstaller(opts, true);
  // uv resolves for the lowest target whatever runs it; pip lock for its own interpreter only.
  const pythonVersion = installer.kind === 'uv' ? version : python.version;
  const inputs: [LockKind, string[]][] = [
    ['runtime', model.dependencies],
    ['build', await buildRequirements(model, python, opts)]
  ];
  const tmp = await tempDir('albatross-lock-');
  try {
    const files: LockFileResult[] = [];
    for (const [kind, requirements] of inputs) {
      const file = path.join(model.root, lockFileName(kind));
      const previous = await fs.readFile(file, 'utf8').catch(() => null);
      const resolve = (prev: string | null): Promise<string> =>
        resolveLock({
          installer,
          python,
          pythonVersion,
          requirements,
          previous: prev,
          opts,
          dir: tmp.dir,
          what: kind
        }).then(
          (t) => t.trimEnd() + '\n' + originTable({ project: model.name, kind, requirements })
        );
      const text = await log.group(
        `Locking ${requirements.length} ${kind} requirement(s) with ${installer.kind === 'uv' ? 'uv' : 'pip lock'}`,
        async () => {
          const first = await resolve(previous);
          // uv simplifies markers when it reads its own lock back (a fixed point after one
          // round): resolve once more so the next run with nothing changed is byte-identical.
          return installer.kind === 'uv' && first !== previous ? resolve(first) : first;
        }
      );
      const lock = parseLock(text, file);
      const changed = text !== previous;
      if (changed) await writeFileAtomic(file, text);
      files.push({ kind, file, sha256: lock.sha256, packages: lock.packages.length, changed });
    }
    return { locker: installer.kind, python: pythonVersion, files };
  } finally {
    await tmp.cleanup();
  }
}
