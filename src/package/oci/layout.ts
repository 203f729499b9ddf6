import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { canonicalJson, MEDIA } from './json.js';

export interface LayoutBlob {
  digest: string;
  /** Content in memory, or a file holding it (base layers). */
  data?: Buffer;
  file?: string;
}

export interface LayoutRequest {
  layoutDir: string;
  archive: string;
  imageName: string;
  sde: number;
  manifest: { bytes: Buffer; digest: string; platform: { architecture: string; os: string } };
  config: { bytes: Buffer; digest: string };
  layers: LayoutBlob[];
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/**
 * Writes the OCI layout directory and one archive holding the same layout plus docker's
 * `manifest.json`, which both `docker load` and `podman load` accept. Both are written under
 * temporary names and renamed into place.
 */
export async function writeLayout(r: LayoutRequest): Promise<void> {
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
  const files = new Map<string, LayoutBlob>();
  files.set(blobPath(r.manifest.digest), { digest: r.manifest.digest, data: r.manifest.bytes });
  files.set(blobPath(r.config.digest), { digest: r.config.digest, data: r.config.bytes });
  for (const l of r.layers) files.set(blobPath(l.digest), l);
  const meta = new Map<string, Buffer>([
    ['index.json', Buffer.from(canonicalJson(index))],
    ['oci-layout', Buffer.from(canonicalJson({ imageLayoutVersion: '1.0.0' }))],
    ['manifest.json', Buffer.from(canonicalJson(dockerManifest))]
  ]);

  // The layout directory.
  const tmpDir = `${r.layoutDir}.${process.pid}.tmp`;
  await fs.rm(tmpDir, { recursive: true, force: true });
  await fs.mkdir(path.join(tmpDir, 'blobs', 'sha256'), { recursive: true });
  for (const [name, blob] of files) {
    const dest = path.join(tmpDir, name);
    if (blob.data) await fs.writeFile(dest, blob.data);
    else
      await fs.link(blob.file as string, dest).catch(() => fs.copyFile(blob.file as string, dest));
  }
  for (const [name, data] of meta)
    if (name !== 'manifest.json') await fs.writeFile(path.join(tmpDir, name), data);
  await fs.rm(r.layoutDir, { recursive: true, force: true });
  await fs.rename(tmpDir, r.layoutDir);

  // The archive: sorted members, fixed owner and time; blobs streamed from the layout.
  const tmpTar = `${r.archive}.${process.pid}.tmp`;
  try {
    const pack = tar.pack();
    const out = pipeline(pack, createWriteStream(tmpTar));
    const mtime = new Date(r.sde * 1000);
    const common = { uid: 0, gid: 0, uname: '', gname: '', mtime };
    const names = [...files.keys(), ...meta.keys(), 'blobs', 'blobs/sha256'].sort();
    for (const name of names) {
      if (name === 'blobs' || name === 'blobs/sha256') {
        await entry(pack, { ...common, name: name + '/', type: 'directory', mode: 0o755 });
      } else if (meta.has(name)) {
        await entry(
          pack,
          { ...common, name, type: 'file', mode: 0o644, size: meta.get(name)?.length ?? 0 },
          meta.get(name)
        );
      } else {
        const file = path.join(r.layoutDir, name);
        const size = (await fs.stat(file)).size;
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({ ...common, name, type: 'file', mode: 0o644, size }, (err) =>
            err ? reject(err) : resolve()
          );
          createReadStream(file).on('error', reject).pipe(sink);
        });
      }
    }
    pack.finalize();
    await out;
    await fs.rename(tmpTar, r.archive);
  } catch (e) {
    await fs.rm(tmpTar, { force: true });
    throw e;
  }
}

function entry(
  pack: tar.Pack,
  h: Partial<tar.Header> & { name: string },
  data?: Buffer
): Promise<void> {
  return new Promise((resolve, reject) =>
    pack.entry(h, data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()))
  );
}
