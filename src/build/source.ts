import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Top-level names never copied from the user's tree into the build directory (outputs, VCS,
 * environments); `SKIP_ANYWHERE` at any depth. A package may well have a `build/` subpackage, so
 * `build` and `dist` are skipped only at the top.
 */
export const SKIP_TOP = new Set([
  '.git',
  '.hg',
  '.svn',
  'dist',
  'build',
  '.tox',
  '.nox',
  '.venv',
  'venv',
  'node_modules'
]);
export const SKIP_ANYWHERE = new Set([
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache'
]);

/** Copies the project tree to `dest` without outputs, VCS data and caches. */
export async function copySource(root: string, dest: string): Promise<void> {
  await fs.cp(root, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (p) => {
      const rel = path.relative(root, p);
      if (!rel) return true;
      const base = path.basename(p);
      return !SKIP_ANYWHERE.has(base) && !(rel === base && SKIP_TOP.has(base));
    }
  });
}

/** `name-version` directory name every build uses, so paths match across builds. */
export function canonicalDirName(name: string, version: string | null): string {
  return `${name.replace(/[-_.]+/g, '_').toLowerCase()}-${version ?? '0'}`;
}
