import { Container, Member } from './members.js';

/**
 * OCI layouts (and docker-archive tars) name blobs by digest, so a changed layer shows up as one
 * blob removed and another added. This renames blobs by their role (manifest[0]/layer[1]) so
 * the two sides pair up, and hides digests/sizes inside the JSON documents: those follow from
 * the blobs' own differences, which are reported where they arise.
 */
export function isImageLayout(c: Container): boolean {
  const names = new Set(c.members.map((m) => m.name.replace(/^\.\//, '')));
  return (
    (names.has('index.json') || names.has('manifest.json')) &&
    [...names].some((n) => n.startsWith('blobs/'))
  );
}

const DIGEST_RE = /sha256:[0-9a-f]{64}/g;
const BLOB_PATH_RE = /blobs\/sha256\/[0-9a-f]{64}/g;
const SIZE_RE = /("size"\s*:\s*)\d+/g;

function normaliseJson(data: Buffer): Buffer {
  return Buffer.from(
    data
      .toString('utf8')
      .replace(BLOB_PATH_RE, 'blobs/sha256/<digest>')
      .replace(DIGEST_RE, 'sha256:<digest>')
      .replace(SIZE_RE, '$1<size>')
  );
}

function parse(data: Buffer | undefined): unknown {
  if (!data) return undefined;
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}

type Desc = { digest?: string; mediaType?: string };

export function aliasImageLayout(c: Container): Container {
  const byName = new Map<string, Member>();
  for (const m of c.members) byName.set(m.name.replace(/^\.\//, ''), m);
  const roles = new Map<string, string>(); // blob path → role
  const json = new Set<string>(['index.json', 'manifest.json']);
  const blob = (digest: string | undefined): string | undefined =>
    digest ? `blobs/${digest.replace(':', '/')}` : undefined;
  const give = (p: string | undefined, role: string, isJson: boolean): void => {
    if (!p || roles.has(p)) return;
    roles.set(p, role);
    if (isJson) json.add(p);
  };
  const walkManifest = (p: string | undefined, role: string, depth: number): void => {
    give(p, role, true);
    const doc = parse(p ? byName.get(p)?.data : undefined) as
      { manifests?: Desc[]; config?: Desc; layers?: Desc[] } | undefined;
    if (!doc) return;
    if (Array.isArray(doc.manifests) && depth < 3)
      doc.manifests.forEach((d, i) =>
        walkManifest(blob(d.digest), `${role}/manifest[${i}]`, depth + 1)
      );
    if (doc.config) give(blob(doc.config.digest), `${role}/config`, true);
    (doc.layers ?? []).forEach((d, j) => give(blob(d.digest), `${role}/layer[${j}]`, false));
  };
  const index = parse(byName.get('index.json')?.data) as { manifests?: Desc[] } | undefined;
  (index?.manifests ?? []).forEach((d, i) => walkManifest(blob(d.digest), `manifest[${i}]`, 1));
  const docker = parse(byName.get('manifest.json')?.data) as
    Array<{ Config?: string; Layers?: string[] }> | undefined;
  if (Array.isArray(docker))
    docker.forEach((e, i) => {
      give(e.Config, `docker[${i}]/config`, true);
      (e.Layers ?? []).forEach((l, j) => give(l, `docker[${i}]/layer[${j}]`, false));
    });
  return {
    ...c,
    members: c.members.map((m) => {
      const p = m.name.replace(/^\.\//, '');
      const role = roles.get(p);
      const name = role ? `${role} (${p.startsWith('blobs/') ? 'blob' : p})` : m.name;
      return { ...m, name, data: json.has(p) ? normaliseJson(m.data) : m.data };
    })
  };
}
