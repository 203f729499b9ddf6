import { ArMember } from './ar.js';
import { DifferenceKind } from './model.js';
import { TarArchive } from './tar.js';
import { ZipContents, ZipEntryInfo } from '../runtime/zipread.js';

/** One metadata field of a member: compared as a string, reported under `kind`. */
export interface MetaField {
  kind: DifferenceKind;
  label: string;
  value: string;
  /** Compare only when the contents are equal (compressed size follows the content). */
  ifContentEqual?: boolean;
  /** The raw value for the classifier (e.g. the numeric mode). */
  raw?: number | string;
}

/** A member of any archive format, reduced to what the comparison needs. */
export interface Member {
  name: string;
  index: number;
  data: Buffer;
  meta: MetaField[];
}

/** Archive-level fields (shebang prefix, comments, gzip header). */
export interface Container {
  format: string;
  members: Member[];
  meta: MetaField[];
}

const oct = (n: number): string => '0' + (n & 0o7777).toString(8);

/** DOS date/time as stored: `YYYY-MM-DD hh:mm:ss`, 2-second resolution. */
function mtimeText({ dosDate: date, dosTime: time }: ZipEntryInfo): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const y = ((date >> 9) & 0x7f) + 1980;
  return `${y}-${p((date >> 5) & 0xf)}-${p(date & 0x1f)} ${p((time >> 11) & 0x1f)}:${p((time >> 5) & 0x3f)}:${p((time & 0x1f) * 2)}`;
}

/** Extra fields as `id:hex` pairs (e.g. 0x5455 extended timestamps). */
function extraText({ extraFields }: ZipEntryInfo): string {
  return extraFields
    .map((f) => `${f.id.toString(16).padStart(4, '0')}:${f.data.toString('hex')}`)
    .join(' ');
}

export function zipContainer(z: ZipContents): Container {
  return {
    format: 'zip',
    meta: [
      {
        kind: 'content',
        label: 'prefix (shebang)',
        value: z.prefix.toString('latin1'),
        raw: z.prefix.toString('latin1')
      },
      { kind: 'archive', label: 'zip comment', value: z.comment, raw: z.comment }
    ],
    members: z.members.map((m) => ({
      name: m.name,
      index: m.index,
      data: m.data,
      meta: [
        { kind: 'mtime', label: 'mtime', value: mtimeText(m), raw: mtimeText(m) },
        // 0x5455 (extended timestamp) and 0x000d/0x5855 (unix) carry times; others are rarer.
        {
          kind: /(^| )(5455|5855|000d):/.test(extraText(m)) ? 'mtime' : 'archive',
          label: 'extra fields',
          value: extraText(m),
          raw: extraText(m)
        },
        { kind: 'mode', label: 'mode', value: oct(m.mode), raw: m.mode },
        { kind: 'compression', label: 'compression method', value: String(m.compression) },
        {
          kind: 'compression',
          label: 'compressed size',
          value: String(m.compressedSize),
          ifContentEqual: true
        },
        { kind: 'archive', label: 'member comment', value: m.comment, raw: m.comment }
      ]
    }))
  };
}

export function tarContainer(t: TarArchive): Container {
  const meta: MetaField[] = [];
  if (t.gzip) {
    meta.push(
      { kind: 'mtime', label: 'gzip header mtime', value: String(t.gzip.mtime), raw: t.gzip.mtime },
      { kind: 'archive', label: 'gzip header file name', value: t.gzip.name, raw: t.gzip.name },
      {
        kind: 'compression',
        label: 'gzip header flags/xfl/os',
        value: `${t.gzip.flags}/${t.gzip.xfl}/${t.gzip.os}`
      }
    );
  }
  return {
    format: t.gzip ? 'tar.gz' : 'tar',
    meta,
    members: t.members.map((m) => ({
      name: m.name,
      index: m.index,
      data: m.data,
      meta: [
        { kind: 'mtime', label: 'mtime', value: String(m.mtime), raw: m.mtime },
        { kind: 'mode', label: 'mode', value: oct(m.mode), raw: m.mode },
        {
          kind: 'owner',
          label: 'owner',
          value: `${m.uid}:${m.gid} ${m.uname}:${m.gname}`,
          raw: `${m.uname} ${m.gname}`
        },
        {
          kind: 'type',
          label: 'type',
          value: m.linkname ? `${m.type} -> ${m.linkname}` : m.type,
          raw: m.linkname
        },
        {
          kind: /time=/.test(m.pax) ? 'mtime' : 'archive',
          label: 'pax headers',
          value: m.pax,
          raw: m.pax
        }
      ]
    }))
  };
}

/** An ar archive (a .deb): its members' times, owners and modes. */
export function arContainer(members: ArMember[]): Container {
  return {
    format: 'ar',
    meta: [],
    members: members.map((m) => ({
      name: m.name,
      index: m.index,
      data: m.data,
      meta: [
        { kind: 'mtime', label: 'mtime', value: String(m.mtime), raw: m.mtime },
        { kind: 'mode', label: 'mode', value: oct(m.mode), raw: m.mode & 0o7777 },
        { kind: 'owner', label: 'owner', value: `${m.uid}:${m.gid}`, raw: `${m.uid}:${m.gid}` }
      ]
    }))
  };
}
