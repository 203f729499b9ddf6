import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Member, readZip, writeZip } from './archive.js';
import { zipEpoch } from '../../runtime/sde.js';
import { WheelTags, wheelTags } from '../wheelinfo.js';

/** Canonical permissions: 0755 when any execute bit was set (or for `.data/scripts/`), else 0644. */
export function canonicalMode(name: string, mode: number): number {
  return mode & 0o111 || /^[^/]+\.data\/scripts\//.test(name) ? 0o755 : 0o644;
}

function isDistInfo(name: string): boolean {
  return /^[^/]+\.dist-info\//.test(name);
}

function isRecord(name: string): boolean {
  return /^[^/]+\.dist-info\/RECORD$/.test(name);
}

/**
 * Member order: everything outside `.dist-info/` first, then `.dist-info/` members, then
 * `.dist-info/RECORD` last; within each group by UTF-8 byte order of the name.
 */
export function wheelOrder(a: string, b: string): number {
  const rank = (n: string): number => (isRecord(n) ? 2 : isDistInfo(n) ? 1 : 0);
  return rank(a) - rank(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RECORD text for members (RECORD itself and signature files listed without hash). */
export function recordText(files: { name: string; data: Buffer }[], recordName: string): string {
  const lines: string[] = [];
  for (const f of files) {
    if (f.name === recordName) continue;
    if (/\.dist-info\/RECORD\.(jws|p7s)$/.test(f.name)) {
      lines.push(`${csvField(f.name)},,`);
      continue;
    }
    const digest = createHash('sha256').update(f.data).digest('base64url');
    lines.push(`${csvField(f.name)},sha256=${digest},${f.data.length}`);
  }
  lines.push(`${csvField(recordName)},,`);
  return lines.join('\n') + '\n';
}

/**
 * Rewrites a wheel canonically (rules in ../NORMALIZATION.md): directory entries dropped,
 * members in {@link wheelOrder}, timestamps from SOURCE_DATE_EPOCH (≥ 1980), modes 0644/0755,
 * RECORD regenerated from the bytes actually written.
 */
export async function normalizeWheel(file: string, sde: number): Promise<Buffer> {
  const members = (await readZip(file)).filter((m) => m.type === 'file');
  const names = new Set<string>();
  for (const m of members) {
    if (names.has(m.name)) throw new Error(`wheel has a duplicate member: ${m.name}`);
    names.add(m.name);
  }
  const records = members.filter((m) => isRecord(m.name));
  if (records.length !== 1)
    throw new Error(`wheel must hold exactly one .dist-info/RECORD, found ${records.length}`);
  const recordName = records[0].name;
  const files: Member[] = members
    .map((m) => ({ ...m, mode: canonicalMode(m.name, m.mode) }))
    .sort((a, b) => wheelOrder(a.name, b.name));
  const record = files.find((m) => m.name === recordName) as Member;
  record.data = Buffer.from(recordText(files, recordName), 'utf8');
  return writeZip(
    files.map(({ name, data, mode }) => ({ name, data, mode })),
    zipEpoch(sde)
  );
}

/**
 * Normalises a freshly built wheel into `dir` under its own name and returns where it went with
 * the fields of its manifest entry that the file name gives.
 */
export async function stageWheel(
  built: string,
  sde: number,
  dir: string,
  python: string
): Promise<{
  file: string;
  staged: string;
  data: Buffer;
  entry: WheelTags & { kind: 'wheel'; python: string };
}> {
  const file = path.basename(built);
  const staged = path.join(dir, file);
  const data = await normalizeWheel(built, sde);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(staged, data);
  return { file, staged, data, entry: { kind: 'wheel', ...wheelTags(file), python } };
}
