import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { trackTemp } from '../../runtime/cleanup.js';
import { ArchiveMember } from './archive.js';
import { canonicalJson, MEDIA } from './json.js';

export interface LayoutBlob {
  digest: string;
  /** Content in memory, or a file holding it (base layers). */
  data?: Buffer;
  file?: string;
}

export interface LayoutRequest {
  imageName: string;
  manifest: { bytes: Buffer; digest: string; platform: { architecture: string; os: string } };
  config: { bytes: Buffer; digest: string };
  layers: LayoutBlob[];
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/** The layout's files: blobs by path, and the index files (docker's `manifest.json` too). */
export interface LayoutFiles {
  blobs: Map<string, LayoutBlob>;
  meta: Map<string, Buffer>;
}

export function layoutFiles(r: LayoutRequest): LayoutFiles {
  const tag = r.imageName.slice(r.imageName.lastIndexOf(':') + 1);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest: r.manifest.digest,
        size: r.manifest.bytes.length,
        platform: r.manifest.platform,
        annotations: {
          'io.containerd.image.name': r.imageName,
          'org.opencontainers.image.ref.name': tag
        }
      }
    ]
  };
  const dockerManifest = [
    {
      Config: blobPath(r.config.digest),
      RepoTags: [r.imageName],
      Layers: r.layers.map((l) => blobPath(l.digest))
    }
  ];
  const blobs = new Map<string, LayoutBlob>();
  blobs.set(blobPath(r.manifest.digest), { digest: r.manifest.digest, data: r.manifest.bytes });
  blobs.set(blobPath(r.config.digest), { digest: r.config.digest, data: r.config.bytes });
  for (const l of r.layers) blobs.set(blobPath(l.digest), l);
  const meta = new Map<string, Buffer>([
    ['index.json', Buffer.from(canonicalJson(index))],
    ['manifest.json', Buffer.from(canonicalJson(dockerManifest))],
    ['oci-layout', Buffer.from(canonicalJson({ imageLayoutVersion: '1.0.0' }))]
  ]);
  return { blobs, meta };
}

/**
 * Writes the OCI layout directory (blobs from files are hard-linked when they can be), under a
 * temporary name renamed into place.
 */
export async function writeLayoutDir(layoutDir: string, files: LayoutFiles): Promise<void> {
  const tmpDir = `${layoutDir}.${process.pid}.tmp`;
  const forget = trackTemp(tmpDir);
  await fs.rm(tmpDir, { recursive: true, force: true });
  await fs.mkdir(path.join(tmpDir, 'blobs', 'sha256'), { recursive: true });
  try {
    for (const [name, blob] of files.blobs) {
      const dest = path.join(tmpDir, name);
      if (blob.data) await fs.writeFile(dest, blob.data);
      else
        await fs
          .link(blob.file as string, dest)
          .catch(() => fs.copyFile(blob.file as string, dest));
    }
    for (const [name, data] of files.meta)
      if (name !== 'manifest.json') await fs.writeFile(path.join(tmpDir, name), data);
    await fs.rm(layoutDir, { recursive: true, force: true });
    await fs.rename(tmpDir, layoutDir);
  } catch (e) {
    await fs.rm(tmpDir, { recursive: true, force: true });
    throw e;
  } finally {
    forget();
  }
}

/**
 * The archive members that follow the base's prefix: Albatross's own blobs (by name), then the
 * index files.
 */
export function ownMembers(files: LayoutFiles, inPrefix: Set<string>): ArchiveMember[] {
  const own = [...files.blobs]
    .filter(([, b]) => !inPrefix.has(b.digest))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, b]) => {
      if (!b.data)
        throw new Error(`image archive: blob ${b.digest} is neither in the base nor built`);
      return { name, data: b.data };
    });
  return [...own, ...[...files.meta].map(([name, data]) => ({ name, data }))];
}
