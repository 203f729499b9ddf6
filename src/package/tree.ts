import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** One entry of a directory tree, with a canonical mode (what archives record). */
export interface TreeEntry {
  /** POSIX path relative to the root, no leading `./`. */
  path: string;
  type: 'dir' | 'file' | 'symlink';
  /** Canonical permission bits: 0755 dirs and executables, 0644 other files, 0777 links. */
  mode: number;
  /** Absolute path on disk. */
  abs: string;
  linkname?: string;
  size: number;
}

/** Byte-wise order of UTF-8 paths, the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Lists a tree sorted by path, leaving out byte-code caches (never deterministic) and whatever
 * `skip` rejects. Only directories, regular files and symlinks are kept.
 */
export async function walkTree(
  root: string,
  skip: (rel: string) => boolean = () => false
): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const visit = async (dirAbs: string, dirRel: string): Promise<void> => {
    for (const d of await fs.readdir(dirAbs, { withFileTypes: true })) {
      const rel = dirRel ? `${dirRel}/${d.name}` : d.name;
      const abs = path.join(dirAbs, d.name);
      if (d.name === '__pycache__' || d.name.endsWith('.pyc') || skip(rel)) continue;
      if (d.isSymbolicLink()) {
        out.push({
          path: rel,
          type: 'symlink',
          mode: 0o777,
          abs,
          linkname: await fs.readlink(abs),
          size: 0
        });
      } else if (d.isDirectory()) {
        out.push({ path: rel, type: 'dir', mode: 0o755, abs, size: 0 });
        await visit(abs, rel);
      } else if (d.isFile()) {
        const st = await fs.stat(abs);
        out.push({
          path: rel,
          type: 'file',
          mode: st.mode & 0o111 ? 0o755 : 0o644,
          abs,
          size: st.size
        });
      }
    }
  };
  await visit(root, '');
  return out.sort((a, b) => comparePaths(a.path, b.path));
}
