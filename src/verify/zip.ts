import yauzl from 'yauzl';

/** One zip member with every field that can make two archives' bytes differ. */
export interface ZipMember {
  name: string;
  /** Position in the central directory. */
  index: number;
  /** DOS date/time as stored (`YYYY-MM-DD hh:mm:ss`, 2-second resolution). */
  mtime: string;
  /** Unix mode from the external attributes (0 when made on a non-Unix host). */
  mode: number;
  compression: number;
  crc: number;
  size: number;
  compressedSize: number;
  /** Extra fields (id → hex), e.g. 0x5455 extended timestamps. */
  extra: string;
  comment: string;
  data: Buffer;
}

export interface ZipArchive {
  /** Bytes before the zip proper (a zipapp/pex shebang line). */
  prefix: Buffer;
  comment: string;
  members: ZipMember[];
}

export function isZip(buf: Buffer): boolean {
  return zipStart(buf) >= 0;
}

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
const LOCAL_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Reads every member into memory. Archives with a prefix may record offsets relative to the
 * file or to the zip start (both exist in the wild), so both readings are tried.
 */
export async function readZip(buf: Buffer): Promise<ZipArchive> {
  const start = zipStart(buf);
  if (start < 0) throw new Error('not a zip archive');
  const prefix = buf.subarray(0, start);
  try {
    return { prefix, ...(await readZipAt(buf)) };
  } catch (e) {
    if (start === 0) throw e;
    return { prefix, ...(await readZipAt(buf.subarray(start))) };
  }
}

async function readZipAt(buf: Buffer): Promise<Omit<ZipArchive, 'prefix'>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(
      buf,
      { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false },
      (err, z) => (err ? reject(err) : resolve(z))
    )
  );
  const members: ZipMember[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (e: yauzl.Entry) => {
      zip.openReadStream(e, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          members.push({
            name: e.fileName,
            index: members.length,
            mtime: dosTime(e.lastModFileDate, e.lastModFileTime),
            mode: (e.externalFileAttributes >>> 16) & 0xffff,
            compression: e.compressionMethod,
            crc: e.crc32,
            size: e.uncompressedSize,
            compressedSize: e.compressedSize,
            extra: e.extraFields
              .map((f) => `${f.id.toString(16).padStart(4, '0')}:${f.data.toString('hex')}`)
              .join(' '),
            comment: e.fileComment,
            data: Buffer.concat(chunks)
          });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return { comment: zip.comment, members };
}

function dosTime(date: number, time: number): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const y = ((date >> 9) & 0x7f) + 1980;
  return `${y}-${p((date >> 5) & 0xf)}-${p(date & 0x1f)} ${p((time >> 11) & 0x1f)}:${p((time >> 5) & 0x3f)}:${p((time & 0x1f) * 2)}`;
}
