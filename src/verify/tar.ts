import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';

/** One tar member with every header field that can make two archives' bytes differ. */
export interface TarMember {
  name: string;
  index: number;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Seconds since the epoch. */
  mtime: number;
  linkname: string;
  /** PAX extended headers (sorted `key=value`), which may carry high-resolution times. */
  pax: string;
  data: Buffer;
}

/** The gzip member header: the fields that differ between otherwise equal streams. */
export interface GzipHeader {
  mtime: number;
  flags: number;
  xfl: number;
  os: number;
  /** FNAME: the original file name gzip recorded, when present. */
  name: string;
}

export interface TarArchive {
  gzip: GzipHeader | null;
  members: TarMember[];
}

export function isGzip(buf: Buffer): boolean {
  return buf.length >= 10 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** A ustar/gnu/pax header has `ustar` at offset 257. */
export function isTar(buf: Buffer): boolean {
  return buf.length >= 512 && buf.subarray(257, 262).toString('latin1') === 'ustar';
}

export function gzipHeader(buf: Buffer): GzipHeader {
  const flags = buf[3];
  let name = '';
  if (flags & 0x08) {
    let off = 10;
    if (flags & 0x04) off += 2 + buf.readUInt16LE(10);
    const end = buf.indexOf(0, off);
    name = buf.subarray(off, end < 0 ? off : end).toString('latin1');
  }
  return { mtime: buf.readUInt32LE(4), flags, xfl: buf[8], os: buf[9], name };
}

/** Reads a tar (optionally gzip-compressed) fully into memory. */
export async function readTar(buf: Buffer): Promise<TarArchive> {
  let gzip: GzipHeader | null = null;
  let raw = buf;
  if (isGzip(buf)) {
    gzip = gzipHeader(buf);
    raw = gunzipSync(buf);
  }
  const members: TarMember[] = [];
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const paxRec = (h as tarStream.Header & { pax?: Record<string, string> }).pax;
        const pax = paxRec
          ? Object.entries(paxRec)
              .map(([k, v]) => `${k}=${v}`)
              .sort()
              .join(' ')
          : '';
        members.push({
          name: h.name,
          index: members.length,
          type: h.type ?? 'file',
          mode: h.mode ?? 0,
          uid: h.uid ?? 0,
          gid: h.gid ?? 0,
          uname: h.uname ?? '',
          gname: h.gname ?? '',
          mtime: h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0,
          linkname: h.linkname ?? '',
          pax,
          data: Buffer.concat(chunks)
        });
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  Readable.from([raw]).pipe(extract);
  await done;
  return { gzip, members };
}
