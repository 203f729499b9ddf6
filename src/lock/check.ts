import { satisfies } from '@renovatebot/pep440';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import { normalizeName } from '../runtime/wheelname.js';
import { Lock } from './pylock.js';
import { parseRequirement } from './requirement.js';

/**
 * Refuses a lock that does not fit the project: one `albatross lock` wrote for another project,
 * or one in which a requirement has no package, or a version outside its specifier. A
 * requirement with a marker may be absent (its marker can exclude every locked environment).
 */
export function checkLock(lock: Lock, project: string, requirements: string[], root: string): void {
  const file = path.relative(root, lock.file) || lock.file;
  const rerun = 'run `albatross lock` to update it';
  if (lock.origin && normalizeName(lock.origin.project) !== normalizeName(project))
    throw new ConfigError(
      `${file}: a lock of another project (${lock.origin.project}), not ${project}; ${rerun}`
    );
  const byName = new Map(lock.packages.map((p) => [p.name, p]));
  for (const text of requirements) {
    const r = parseRequirement(text);
    if (!r) continue;
    const p = byName.get(r.name);
    if (!p) {
      if (r.marker) continue;
      throw new ConfigError(`${file}: the requirement ${text} has no locked package; ${rerun}`);
    }
    if (r.url)
      throw new ConfigError(
        `${file}: the requirement ${text} is a direct reference, which a lock of index files cannot hold`
      );
    if (r.specifier && !satisfies(p.version, r.specifier))
      throw new ConfigError(
        `${file}: ${p.name} ${p.version} is locked, which does not satisfy the requirement ${text}; ${rerun}`
      );
  }
}
