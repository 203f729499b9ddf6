import * as path from 'node:path';

/**
 * Normalises an archive member name to a relative POSIX path, or null when it is absolute
 * after stripping `./`, climbs out with `..`, or is empty: such names are never written.
 */
export function safeMemberPath(name: string): string | null {
  const stripped = name.replace(/^(\.\/)+/, '');
  if (stripped.startsWith('/') || stripped.includes('\0')) return null;
  const norm = path.posix.normalize(stripped).replace(/\/+$/, '');
  if (!norm || norm === '.' || norm === '..' || norm.startsWith('../')) return null;
  return norm;
}

/** Resolves a link target inside the archive root (absolute targets are root-relative). */
export function resolveLink(from: string, linkname: string): string | null {
  const joined = linkname.startsWith('/')
    ? linkname.slice(1)
    : path.posix.join(path.posix.dirname(from), linkname);
  return safeMemberPath(joined);
}
