import * as yazl from 'yazl';

/** A member for the deterministic zip writer: a file (with its bytes) or a directory. */
export interface ZipWriteMember {
  name: string;
  /** Permission bits (0o644, 0o755 ...). */
  mode: number;
  data?: Buffer;
  type?: 'file' | 'dir';
}

/** DOS date/time fields from the UTC calendar fields of `epoch` (never the local time zone). */
export function dosDateTime(epoch: number): { date: number; time: number } {
  const d = new Date(epoch * 1000);
  return {
    date:
      (d.getUTCDate() & 0x1f) |
      (((d.getUTCMonth() + 1) & 0xf) << 5) |
      (((d.getUTCFullYear() - 1980) & 0x7f) << 9),
    time:
      Math.floor(d.getUTCSeconds() / 2) |
      ((d.getUTCMinutes() & 0x3f) << 5) |
      ((d.getUTCHours() & 0x1f) << 11)
  };
}

/**
 * The one deterministic zip writer (wheels, zipapps): members in the given order (callers
 * sort), deflated at yazl's fixed level, one DOS timestamp from `epoch` in UTC, no
 * extended-timestamp field, Unix mode bits as given.
 */
export async function writeZip(members: ZipWriteMember[], epoch: number): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const { date, time } = dosDateTime(epoch);
  const entries = (
    zip as unknown as { entries?: { lastModFileDate: number; lastModFileTime: number }[] }
  ).entries;
  if (!Array.isArray(entries)) throw new Error('yazl internals changed: cannot set zip timestamps');
  const mtime = new Date(epoch * 1000);
  for (const m of members) {
    if (m.type === 'dir')
      zip.addEmptyDirectory(m.name, { mtime, mode: 0o40000 | m.mode, forceDosTimestamp: true });
    else
      zip.addBuffer(m.data ?? Buffer.alloc(0), m.name, {
        mtime,
        mode: 0o100000 | m.mode,
        compress: true,
        forceDosTimestamp: true
      });
    // yazl derives DOS fields from local time; overwrite them with the UTC fields so the
    // calling process's TZ cannot leak into the archive.
    const e = entries[entries.length - 1];
    e.lastModFileDate = date;
    e.lastModFileTime = time;
  }
  zip.end();
  return collect(zip.outputStream as unknown as AsyncIterable<unknown>);
}

/** All chunks of a stream as one Buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}
