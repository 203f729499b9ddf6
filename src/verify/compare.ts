import { gunzipSync } from 'node:zlib';
import { isZip, readZipContents } from '../runtime/zipread.js';
import { isAr, readAr } from './ar.js';
import { Container, Member, arContainer, tarContainer, zipContainer } from './members.js';
import { RawDifference } from './model.js';
import { aliasImageLayout, isImageLayout } from './oci.js';
import { gzipHeader, isGzip, isTar, readTar } from './tar.js';
import { hexContext, isText, unifiedDiff } from './textdiff.js';

/**
 * Nested archives (a wheel in a pex, a layer in an image, data.tar.gz in a .deb) are opened
 * this many levels deep.
 */
const MAX_DEPTH = 2;
/** Text members larger than this get a hex context instead of a unified diff. */
const TEXT_LIMIT = 256 * 1024;

/** Opens a buffer as an archive, or null when it is not one (or cannot be read). */
export async function openContainer(buf: Buffer): Promise<Container | null> {
  try {
    if (isZip(buf)) return zipContainer(await readZipContents(buf));
    if (isGzip(buf)) {
      const inner = gunzipSync(buf);
      if (isTar(inner)) return tarContainer(await readTar(buf));
      const h = gzipHeader(buf);
      return {
        format: 'gzip',
        meta: tarContainer({ gzip: h, members: [] }).meta,
        members: [{ name: h.name || '(gzip content)', index: 0, data: inner, meta: [] }]
      };
    }
    if (isTar(buf)) return tarContainer(await readTar(buf));
    if (isAr(buf)) return arContainer(readAr(buf));
  } catch {
    return null;
  }
  return null;
}

const join = (where: string, name: string): string => (where ? `${where}!${name}` : name);

/** Compares two artifacts' bytes; returns nothing when they are identical. */
export async function compareBuffers(
  a: Buffer,
  b: Buffer,
  where = '',
  depth = 0
): Promise<RawDifference[]> {
  if (a.equals(b)) return [];
  const ca = depth <= MAX_DEPTH ? await openContainer(a) : null;
  const cb = ca ? await openContainer(b) : null;
  if (ca && cb && ca.format === cb.format) {
    const diffs = await compareContainers(ca, cb, where, depth);
    if (diffs.length) return diffs;
    return [
      {
        member: where,
        kind: 'archive',
        detail: `${ca.format}: members, metadata and order are equal but the archive bytes differ (headers, compression level or padding)`
      }
    ];
  }
  return [contentDifference(where, where ? 'content' : 'file', a, b)];
}

function contentDifference(
  member: string,
  kind: 'content' | 'file',
  a: Buffer,
  b: Buffer
): RawDifference {
  if (isText(a) && isText(b) && a.length <= TEXT_LIMIT && b.length <= TEXT_LIMIT) {
    return { member, kind, detail: unifiedDiff(a.toString('utf8'), b.toString('utf8')), a, b };
  }
  return { member, kind, detail: hexContext(a, b).text, a, b };
}

/** Names made unique: a tar may hold the same path twice. */
function keyed(members: Member[]): Map<string, Member> {
  const out = new Map<string, Member>();
  for (const m of members) {
    let k = m.name;
    for (let n = 2; out.has(k); n++) k = `${m.name}#${n}`;
    out.set(k, m);
  }
  return out;
}

export async function compareContainers(
  ca: Container,
  cb: Container,
  where: string,
  depth: number
): Promise<RawDifference[]> {
  if (isImageLayout(ca) && isImageLayout(cb)) {
    ca = aliasImageLayout(ca);
    cb = aliasImageLayout(cb);
  }
  const out: RawDifference[] = [];
  for (let i = 0; i < ca.meta.length; i++) {
    const fa = ca.meta[i];
    const fb = cb.meta.find((f) => f.label === fa.label);
    if (fb && fa.value !== fb.value) {
      if (fa.kind === 'content')
        out.push(
          contentDifference(
            join(where, fa.label),
            'content',
            Buffer.from(fa.value, 'latin1'),
            Buffer.from(fb.value, 'latin1')
          )
        );
      else
        out.push({
          member: where,
          kind: fa.kind,
          detail: `${fa.label}: ${fa.value} → ${fb.value}`,
          a: fa.raw ?? fa.value,
          b: fb.raw ?? fb.value
        });
    }
  }
  const ma = keyed(ca.members);
  const mb = keyed(cb.members);
  for (const [k, m] of ma)
    if (!mb.has(k))
      out.push({
        member: join(where, k),
        kind: 'removed',
        detail: `only in the first build (${m.data.length} bytes)`,
        a: m.name
      });
  for (const [k, m] of mb)
    if (!ma.has(k))
      out.push({
        member: join(where, k),
        kind: 'added',
        detail: `only in the second build (${m.data.length} bytes)`,
        b: m.name
      });
  const orderA = [...ma.keys()].filter((k) => mb.has(k));
  const orderB = [...mb.keys()].filter((k) => ma.has(k));
  const at = orderA.findIndex((k, i) => orderB[i] !== k);
  if (at >= 0) {
    out.push({
      member: where,
      kind: 'order',
      detail: `same members in a different order; first divergence at position ${at}: ${orderA[at]} vs ${orderB[at]}`
    });
  }
  for (const [k, a] of ma) {
    const b = mb.get(k);
    if (!b) continue;
    const same = a.data.equals(b.data);
    for (const fa of a.meta) {
      const fb = b.meta.find((f) => f.label === fa.label);
      if (!fb || fa.value === fb.value || (fa.ifContentEqual && !same)) continue;
      out.push({
        member: join(where, k),
        kind: fa.kind,
        detail: `${fa.label}: ${fa.value} → ${fb.value}`,
        a: fa.raw ?? fa.value,
        b: fb.raw ?? fb.value
      });
    }
    if (!same) out.push(...(await compareBuffers(a.data, b.data, join(where, k), depth + 1)));
  }
  return out;
}
