import { Dirent, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Directories that are never sources, at any depth: VCS data, caches, environments. */
const SKIP_ANYWHERE = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '.venv',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  '.eggs',
  '.cache'
]);
/** Build outputs and environments at the top only (a package may well be named `build`). */
const SKIP_TOP = new Set(['build', 'dist', 'target', 'wheelhouse', 'venv', 'env', '.env']);
const MAX_DEPTH = 8;
const MAX_FILES = 20000;

/** The project's files (relative, `/`-separated, sorted), skipping environments and outputs. */
export async function walkProject(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, rel: string, depth: number): Promise<void> {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(dir, e.name);
      // Symlinks count as what they point to (never followed into directories: no cycles).
      const kind = e.isSymbolicLink()
        ? await fs.stat(full).then(
            (s) => (s.isFile() ? 'file' : 'other'),
            () => 'other'
          )
        : e.isDirectory()
          ? 'dir'
          : e.isFile()
            ? 'file'
            : 'other';
      if (kind === 'dir') {
        if (SKIP_ANYWHERE.has(e.name) || (depth === 0 && SKIP_TOP.has(e.name))) continue;
        if (e.name.endsWith('.egg-info') || e.name.endsWith('.dist-info')) continue;
        await walk(full, r, depth + 1);
      } else if (kind === 'file') {
        if (out.length >= MAX_FILES) return;
        out.push(r);
      }
    }
  }
  await walk(root, '', 0);
  return out;
}

/** Lock and requirements files a project carries, relative to its root. */
export function lockFilesOf(files: string[]): string[] {
  const top =
    /^(poetry\.lock|uv\.lock|pdm\.lock|Pipfile|Pipfile\.lock|pylock(\.[\w-]+)?\.toml|conda-lock\.ya?ml|(requirements|constraints)([\w.-]*)\.(txt|in))$/;
  const nested = /^requirements\/[\w.-]+\.(txt|in)$/;
  return files.filter((f) => top.test(f) || nested.test(f)).sort();
}
