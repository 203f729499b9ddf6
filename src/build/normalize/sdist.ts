import { Member, readTarGz, writeTarGz } from './archive.js';

/** Sdist member modes: directories and executables 0755, other files 0644, symlinks 0777. */
function canonical(m: Member): Member {
  const mode =
    m.type === 'symlink' ? 0o777 : m.type === 'directory' || m.mode & 0o111 ? 0o755 : 0o644;
  return { ...m, mode };
}

/**
 * Rewrites an sdist canonically (rules in ../NORMALIZATION.md): members sorted by UTF-8 byte
 * order of the name, mtime SOURCE_DATE_EPOCH, uid/gid 0, empty user/group names, canonical
 * modes; gzip header without name and with mtime 0. Returns the archive and its members.
 */
export async function normalizeSdist(
  file: string,
  sde: number
): Promise<{ data: Buffer; members: Member[] }> {
  const members = (await readTarGz(file))
    .map(canonical)
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const seen = new Set<string>();
  for (const m of members) {
    const key = m.name.replace(/\/$/, '');
    if (seen.has(key)) throw new Error(`sdist has a duplicate member: ${m.name}`);
    seen.add(key);
  }
  return { data: await writeTarGz(members, sde), members };
}
