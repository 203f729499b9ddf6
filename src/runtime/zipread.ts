import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import yauzl from 'yauzl';
import { collect } from './zip.js';

/**
 * The one zip reader (wheels, zipapps, verify's byte-level comparison), on yauzl. Names are
 * decoded and checked by yauzl: a member that is absolute or climbs with `..` makes the
 * archive unreadable; backslashes become `/`. Symlink entries are not special here: their
 * data is the link target, and `mode` carries the S_IFLNK bits for callers that care.
 */

/** A file path (read lazily from disk) or the archive's bytes. */
export type ZipSource = string | Buffer;

/** One central-directory entry, every field that can make two archives' bytes differ. */
export interface ZipEntryInfo {
  name: string;
  /** Position in the central directory. */
  index: number;
  isDirectory: boolean;
  /** Unix st_mode (type and permission bits) from the external attributes; 0 if none. */
  mode: number;
  /** DOS date and time fields as stored (2-second resolution, no time zone). */
  dosDate: number;
  dosTime: number;
  compression: number;
  crc: number;
  size: number;
  compressedSize: number;
  extraFields: { id: number; data: Buffer }[];
  comment: string;
}

export interface ZipEntry extends ZipEntryInfo {
  /** The member's uncompressed bytes (sizes and CRC checked). */
  read(): Promise<Buffer>;
}

export interface ZipReader {
  /** Bytes before the zip proper (a zipapp/pex shebang line). */
  prefix: Buffer;
  comment: string;
  entryCount: number;
  /** Entries in central-directory order; iterate once. */
  entries(): AsyncGenerator<ZipEntry>;
  close(): void;
}

/** A member read into memory. */
export type ZipMemberData = ZipEntryInfo & { data: Buffer };

export interface ZipContents {
  prefix: Buffer;
  comment: string;
  members: ZipMemberData[];
}

/** Why an archive could not be read; `reason` is yauzl's (or zlib's) own message. */
export class ZipReadError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string
  ) {
    super(`${source}: not a readable zip (${reason})`);
    this.name = 'ZipReadError';
  }
}

const LOCAL_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Offset of the zip data: 0, or just after a `#!` line (zipapp, pex). -1 when not a zip. */
function zipStart(buf: Buffer): number {
  if (buf.subarray(0, 4).equals(LOCAL_SIG)) return 0;
  if (buf.subarray(0, 2).toString('latin1') === '#!') {
    const nl = buf.indexOf(0x0a);
    if (nl > 0 && buf.subarray(nl + 1, nl + 5).equals(LOCAL_SIG)) return nl + 1;
  }
  // An empty zip is only the end-of-central-directory record.
  if (buf.length === 22 && buf.readUInt32LE(0) === 0x06054b50) return 0;
  return -1;
}

/** True when the bytes are a zip, possibly behind a shebang line. */
export function isZip(buf: Buffer): boolean {
  return zipStart(buf) >= 0;
}

const OPTIONS: yauzl.Options = {
  lazyEntries: true,
  decodeStrings: true,
  validateEntrySizes: true,
  strictFileNames: false
};

function label(source: ZipSource): string {
  return typeof source === 'string' ? path.basename(source) : 'zip data';
}

/** Runs a yauzl step, turning its failures into ZipReadError. */
async function guard<T>(source: ZipSource, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof ZipReadError) throw e;
    throw new ZipReadError(label(source), e instanceof Error ? e.message : String(e));
  }
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const settle = (entry: yauzl.Entry | null, err?: Error): void => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      if (err) reject(err);
      else resolve(entry);
    };
    const onEntry = (e: yauzl.Entry): void => settle(e);
    const onEnd = (): void => settle(null);
    const onError = (err: Error): void => settle(null, err);
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

function wrap(source: ZipSource, zip: yauzl.ZipFile, prefix: Buffer): ZipReader {
  async function* entries(): AsyncGenerator<ZipEntry> {
    for (let index = 0; ; index++) {
      const e = await guard(source, () => nextEntry(zip));
      if (!e) return;
      yield {
        name: e.fileName,
        index,
        isDirectory: e.fileName.endsWith('/'),
        mode: (e.externalFileAttributes >>> 16) & 0xffff,
        dosDate: e.lastModFileDate,
        dosTime: e.lastModFileTime,
        compression: e.compressionMethod,
        crc: e.crc32,
        size: e.uncompressedSize,
        compressedSize: e.compressedSize,
        extraFields: e.extraFields,
        comment: e.fileComment,
        read: () => guard(source, async () => collect(await zip.openReadStreamPromise(e)))
      };
    }
  }
  return {
    prefix,
    comment: zip.comment,
    entryCount: zip.entryCount,
    entries,
    close: () => zip.close()
  };
}

/** True when yauzl can find the first entry's local header where the directory says. */
async function firstEntryReadable(buf: Buffer): Promise<boolean> {
  try {
    const zip = await yauzl.fromBufferPromise(buf, OPTIONS);
    const first = await nextEntry(zip);
    if (first) await zip.readLocalFileHeaderPromise(first, { minimal: true });
    zip.close();
    return true;
  } catch {
    return false;
  }
}

/** True when the file begins with `#!` (a zipapp or pex rather than a plain zip). */
async function hasShebang(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer.toString('latin1') === '#!';
  } finally {
    await fh.close();
  }
}

/**
 * Opens a zip for reading: files are read lazily from disk unless they start with a shebang.
 * Behind a shebang line the central directory may record offsets relative to the whole
 * file or to the zip start (both exist in the wild): the first reading that finds its first
 * member wins.
 */
export async function openZip(source: ZipSource): Promise<ZipReader> {
  if (typeof source === 'string' && !(await guard(source, () => hasShebang(source)))) {
    const zip = await guard(source, () => yauzl.openPromise(source, OPTIONS));
    return wrap(source, zip, Buffer.alloc(0));
  }
  const bytes =
    typeof source === 'string' ? await guard(source, () => fs.readFile(source)) : source;
  const start = zipStart(bytes);
  if (start < 0) throw new ZipReadError(label(source), 'not a zip archive');
  const body = start > 0 && !(await firstEntryReadable(bytes)) ? bytes.subarray(start) : bytes;
  return wrap(
    source,
    await guard(source, () => yauzl.fromBufferPromise(body, OPTIONS)),
    bytes.subarray(0, start)
  );
}

/**
 * Calls `visit` for each entry in order, reading nothing it does not ask for; stops early
 * when `visit` returns true. Errors thrown by `visit` pass through unchanged.
 */
export async function walkZip(
  source: ZipSource,
  visit: (entry: ZipEntry) => Promise<boolean | void>
): Promise<void> {
  const zip = await openZip(source);
  try {
    for await (const entry of zip.entries()) if ((await visit(entry)) === true) return;
  } finally {
    zip.close();
  }
}

/** Every member with its bytes, plus the archive's prefix and comment. */
export async function readZipContents(source: ZipSource): Promise<ZipContents> {
  const members: ZipMemberData[] = [];
  const zip = await openZip(source);
  try {
    for await (const entry of zip.entries()) {
      const { read, ...info } = entry;
      members.push({ ...info, data: await read() });
    }
  } finally {
    zip.close();
  }
  return { prefix: zip.prefix, comment: zip.comment, members };
}

/** The bytes of the first member whose name matches, or undefined. */
export async function readZipMember(
  source: ZipSource,
  match: (name: string) => boolean
): Promise<Buffer | undefined> {
  let found: Buffer | undefined;
  await walkZip(source, async (entry) => {
    if (!match(entry.name)) return false;
    found = await entry.read();
    return true;
  });
  return found;
}
