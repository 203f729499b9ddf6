/** One member of an `ar` archive (a .deb) with every header field two archives can differ in. */
export interface ArMember {
  name: string;
  index: number;
  mtime: number;
  uid: number;
  gid: number;
  /** Octal mode as stored (e.g. 100644). */
  mode: number;
  data: Buffer;
}

const MAGIC = '!<arch>\n';

export function isAr(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).toString('latin1') === MAGIC;
}

/** Reads a System V / GNU ar archive (short names, `name/` or dpkg's bare ones); throws when cut short. */
export function readAr(buf: Buffer): ArMember[] {
  const members: ArMember[] = [];
  let off = MAGIC.length;
  while (off + 60 <= buf.length) {
    const h = buf.subarray(off, off + 60).toString('latin1');
    if (h.slice(58, 60) !== '`\n') throw new Error(`ar: bad member header at byte ${off}`);
    const size = parseInt(h.slice(48, 58).trim(), 10);
    const start = off + 60;
    if (!Number.isFinite(size) || start + size > buf.length)
      throw new Error(`ar: member at byte ${off} runs past the end`);
    members.push({
      name: h.slice(0, 16).trim().replace(/\/$/, ''),
      index: members.length,
      mtime: parseInt(h.slice(16, 28).trim(), 10) || 0,
      uid: parseInt(h.slice(28, 34).trim(), 10) || 0,
      gid: parseInt(h.slice(34, 40).trim(), 10) || 0,
      mode: parseInt(h.slice(40, 48).trim(), 8) || 0,
      data: buf.subarray(start, start + size)
    });
    off = start + size + (size % 2);
  }
  return members;
}
