import { crc32Of, deflateRaw } from './deflate.js';

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

/** Level of every deflated zip member (zlib's default, as wheel and zipapp tools use). */
const ZIP_LEVEL = 6;
/** "Version made by": Unix (3), spec 6.3, so readers take the external attributes as a mode. */
const MADE_BY = (3 << 8) | 63;
const NEEDS = 20;
const NEEDS_ZIP64 = 45;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8 = 1 << 11;
const MAX32 = 0xffffffff;

/**
 * The one deterministic zip writer (wheels, zipapps): members in the given order (callers
 * sort), deflated with the pinned deflate (runtime/deflate.ts), one DOS timestamp from `epoch`
 * in UTC, no extra fields, no data descriptors, Unix mode bits as given. Zip64 records are
 * written only when the archive needs them (more than 65,535 members or 4 GiB of offsets).
 */
export async function writeZip(members: ZipWriteMember[], epoch: number): Promise<Buffer> {
  const { date, time } = dosDateTime(epoch);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const dir = m.type === 'dir';
    const name = Buffer.from(m.name, 'utf8');
    if (name.length > 0xffff) throw new Error(`zip: member name too long: ${m.name}`);
    const raw = dir ? Buffer.alloc(0) : (m.data ?? Buffer.alloc(0));
    if (raw.length >= MAX32) throw new Error(`zip: member larger than 4 GiB: ${m.name}`);
    const data = dir ? raw : deflateRaw(raw, ZIP_LEVEL);
    const crc = dir ? 0 : crc32Of(raw);
    const method = dir ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(NEEDS, 4);
    local.writeUInt16LE(UTF8, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, data);

    const far = offset >= MAX32;
    const extra = Buffer.alloc(far ? 12 : 0);
    if (far) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(8, 2);
      extra.writeBigUInt64LE(BigInt(offset), 4);
    }
    const mode = (dir ? 0o40000 : 0o100000) | (m.mode & 0o7777);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(MADE_BY, 4);
    c.writeUInt16LE(far ? NEEDS_ZIP64 : NEEDS, 6);
    c.writeUInt16LE(UTF8, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(time, 12);
    c.writeUInt16LE(date, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(raw.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    // comment length, disk number, internal attributes: 0
    c.writeUInt32LE((mode << 16) >>> 0, 38);
    c.writeUInt32LE(far ? MAX32 : offset, 42);
    central.push(c, name, extra);
    offset += local.length + name.length + data.length;
  }
  const cdStart = offset;
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const count = members.length;
  const zip64 = count > 0xfffe || cdStart >= MAX32 || cdSize >= MAX32;
  const tail: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(MADE_BY, 12);
    rec.writeUInt16LE(NEEDS_ZIP64, 14);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdStart), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(cdStart + cdSize), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : count, 8);
  end.writeUInt16LE(zip64 ? 0xffff : count, 10);
  end.writeUInt32LE(zip64 ? MAX32 : cdSize, 12);
  end.writeUInt32LE(zip64 ? MAX32 : cdStart, 16);
  tail.push(end);
  return Buffer.concat([...parts, ...central, ...tail]);
}

/** All chunks of a stream as one Buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}
