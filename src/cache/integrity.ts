import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { MemberGuard, UnsafeMemberError, zipMemberType } from '../runtime/extract.js';
import { ZipReadError, walkZip } from '../runtime/zipread.js';

/**
 * Checks a wheel before it may be installed: the zip opens, no member is unsafe
 * (runtime/extract.ts), and every member's sha256 and size match its RECORD line (and RECORD
 * lists every member). Returns why it is bad, or null.
 */
export async function checkWheel(file: string): Promise<string | null> {
  const actual = new Map<string, { hash: string; size: number }>();
  let record: string | undefined;
  let recordName: string | undefined;
  const guard = new MemberGuard(path.basename(file), { symlinks: false });
  try {
    await walkZip(file, async ({ name, isDirectory, mode, read }) => {
      const type = zipMemberType(mode, isDirectory);
      const data = type === 'directory' ? Buffer.alloc(0) : await read();
      guard.admit({ name, type, linkname: type === 'symlink' ? data.toString('utf8') : undefined });
      if (type === 'directory') return;
      if (/^[^/]+\.dist-info\/RECORD$/.test(name)) {
        record = data.toString('utf8');
        recordName = name;
      }
      actual.set(name, {
        hash: createHash('sha256').update(data).digest('base64url'),
        size: data.length
      });
    });
    guard.finish();
  } catch (e) {
    if (e instanceof UnsafeMemberError) return e.message;
    return `not a readable zip (${e instanceof ZipReadError ? e.reason : (e as Error).message})`;
  }
  if (record === undefined || recordName === undefined) return 'no .dist-info/RECORD';
  const listed = new Set<string>();
  for (const line of record.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const [name, hash, size] = parseCsvLine(line);
    listed.add(name);
    if (name === recordName || /\.dist-info\/RECORD\.(jws|p7s)$/.test(name)) continue;
    const got = actual.get(name);
    if (!got) return `RECORD lists ${name}, which is missing`;
    if (!hash?.startsWith('sha256=')) return `RECORD has no sha256 for ${name}`;
    if (hash.slice(7).replace(/=+$/, '') !== got.hash)
      return `sha256 of ${name} does not match RECORD`;
    if (size && Number(size) !== got.size) return `size of ${name} does not match RECORD`;
  }
  for (const name of actual.keys()) {
    if (!listed.has(name)) return `${name} is not listed in RECORD`;
  }
  return null;
}

/** RECORD is CSV; names with commas or quotes are quoted. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
