import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ConfigError } from '../errors.js';
import { checkLock } from './check.js';
import { Lock, LockKind, lockFileName, readLock } from './pylock.js';

const locks = new Map<string, Promise<Lock>>();

/** The project's lock of `kind` for `--locked` (read once); exit 2 when there is none. */
export function lockedFile(root: string, kind: LockKind): Promise<Lock> {
  const file = path.join(path.resolve(root), lockFileName(kind));
  let p = locks.get(file);
  if (!p) {
    p = readLock(file).then((l) => {
      if (!l)
        throw new ConfigError(
          `locked: ${file} does not exist; run \`albatross lock\` first (or drop --locked)`
        );
      return l;
    });
    locks.set(file, p);
    p.catch(() => locks.delete(file));
  }
  return p;
}

/**
 * With `locked`, both locks must exist and fit the project (its name, its dependencies, its
 * build-system.requires): checked before anything is built, exit 2 naming the file. Returns
 * the locks (null without `locked`) for the record (in-toto statement, summary).
 */
export async function checkLocked(
  model: ProjectModel,
  opts: Pick<Options, 'locked'>
): Promise<Lock[] | null> {
  if (!opts.locked) return null;
  const runtime = await lockedFile(model.root, 'runtime');
  const build = await lockedFile(model.root, 'build');
  checkLock(runtime, model.name, model.dependencies, model.root);
  checkLock(build, model.name, model.buildRequires, model.root);
  return [runtime, build];
}

/** The manifest's record of a lock: its path relative to the project and its digest. */
export function lockRecord(lock: Lock, root: string): { file: string; sha256: string } {
  return { file: path.relative(root, lock.file) || path.basename(lock.file), sha256: lock.sha256 };
}
