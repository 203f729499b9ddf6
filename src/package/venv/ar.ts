/**
 * A System V `ar` archive as dpkg-deb writes a .deb: the global header, then per member a
 * 60-byte header (name padded to 16, mtime, uid and gid 0, mode 100644, size) and its data
 * padded to an even length with `\n`. Members in the order given, one mtime for all.
 */
export interface ArMember {
  /** At most 15 characters, no `/` (dpkg's member names). */
  name: string;
  data: Buffer;
}

export const AR_MAGIC = '!<arch>\n';

function field(value: string | number, width: number): string {
  const s = String(value);
  if (s.length > width) throw new Error(`ar: '${s}' does not fit a ${width}-byte header field`);
  return s.padEnd(width, ' ');
}

export function arArchive(members: ArMember[], mtime: number): Buffer {
  const parts: Buffer[] = [Buffer.from(AR_MAGIC, 'latin1')];
  for (const m of members) {
    if (m.name.length > 15 || m.name.includes('/'))
      throw new Error(`ar: member name '${m.name}' is not a short name`);
    const header =
      field(m.name, 16) +
      field(mtime, 12) +
      field(0, 6) +
      field(0, 6) +
      field('100644', 8) +
      field(m.data.length, 10) +
      '`\n';
    parts.push(Buffer.from(header, 'latin1'), m.data);
    if (m.data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}
