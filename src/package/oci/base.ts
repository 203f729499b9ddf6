import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { FailureError } from '../../errors.js';
import {
  MemberGuard,
  UnsafeMemberError,
  memberProblem,
  tarMemberType
} from '../../runtime/extract.js';
import { sha256File } from '../../runtime/fsutil.js';
import { Descriptor, MEDIA, sha256Digest } from './json.js';

/** A layer of the base image, written through unchanged (same bytes, same digest). */
export interface BaseLayer {
  file: string;
  digest: string;
  size: number;
  mediaType: string;
  diffId: string;
}

export interface BaseImage {
  /** What the user named (`base` option). */
  ref: string;
  config: ImageConfig;
  layers: BaseLayer[];
  /** The base manifest's digest when the source has a manifest (OCI layout, registry). */
  manifestDigest?: string;
}

/** The parts of an OCI/docker image config Albatross reads and extends. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: {
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown>;
    StopSignal?: string;
  };
  rootfs?: { type: string; diff_ids: string[] };
  history?: {
    created?: string;
    created_by?: string;
    comment?: string;
    empty_layer?: boolean;
    author?: string;
  }[];
}

function bad(ref: string, why: string): FailureError {
  return new FailureError(`base ${ref}: ${why}`);
}

async function readJson<T>(file: string, ref: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw bad(
      ref,
      `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw bad(ref, `${what} is not valid JSON`);
  }
}

async function isGzip(file: string): Promise<boolean> {
  const h = await fs.open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    await h.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await h.close();
  }
}

/**
 * Unpacks a `docker save` archive's regular files into `dir`, every member checked by the
 * archive guard (runtime/extract.ts); symlinks between members are resolved by the guard,
 * never created.
 */
async function unpackArchive(
  archive: string,
  dir: string,
  ref: string
): Promise<{ guard: MemberGuard; digests: Map<string, string> }> {
  const guard = new MemberGuard(path.basename(archive));
  // Each member is hashed as it is written: no second read of large layers.
  const digests = new Map<string, string>();
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const done = (e?: unknown): void => (e ? next(e as Error) : next());
    let name: string;
    try {
      const type = tarMemberType(h.type);
      name = guard.admit({ name: h.name, type, linkname: h.linkname ?? undefined });
      if (type !== 'file') {
        stream.on('end', () => done()).resume();
        return;
      }
    } catch (e) {
      // Stopping destroys the entry stream with the error too: it is reported once, below.
      stream.on('error', () => undefined).resume();
      done(e);
      return;
    }
    const dest = path.join(dir, name);
    const hash = createHash('sha256');
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      }
    });
    fs.mkdir(path.dirname(dest), { recursive: true })
      .then(() => pipeline(stream, hasher, createWriteStream(dest, { flags: 'wx' })))
      .then(() => {
        digests.set(name, 'sha256:' + hash.digest('hex'));
        done();
      }, done);
  });
  try {
    await pipeline(createReadStream(archive, { highWaterMark: 4 << 20 }), extract);
    guard.finish();
  } catch (e) {
    if (e instanceof UnsafeMemberError) throw bad(ref, e.message);
    throw bad(
      ref,
      `cannot read the archive (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`
    );
  }
  return { guard, digests };
}

/** Reads a `docker save` archive (legacy layout or docker ≥25's OCI-in-docker-archive). */
export async function readDockerArchive(
  archive: string,
  work: string,
  ref: string
): Promise<BaseImage> {
  try {
    await fs.access(archive);
  } catch {
    throw bad(ref, `${archive} does not exist or cannot be read`);
  }
  const { guard, digests } = await unpackArchive(archive, work, ref);
  const manifest = await readJson<{ Config: string; Layers: string[] }[]>(
    path.join(work, 'manifest.json'),
    ref,
    'manifest.json (is it a `docker save` archive?)'
  );
  if (!Array.isArray(manifest) || manifest.length === 0)
    throw bad(ref, 'manifest.json lists no image');
  if (manifest.length > 1)
    throw bad(ref, `the archive holds ${manifest.length} images; save only one`);
  const entry = manifest[0];
  const member = (name: string): string => {
    if (typeof name !== 'string' || memberProblem(name))
      throw bad(ref, `manifest.json names an unsafe path '${name}'`);
    return guard.resolve(name);
  };
  const memberFile = (name: string): string => path.join(work, member(name));
  const config = await readJson<ImageConfig>(
    memberFile(entry.Config),
    ref,
    `image config ${entry.Config}`
  );
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== entry.Layers.length)
    throw bad(ref, `config lists ${diffIds.length} layers but the archive ${entry.Layers.length}`);
  const layers: BaseLayer[] = [];
  for (let i = 0; i < entry.Layers.length; i++) {
    const file = memberFile(entry.Layers[i]);
    let st;
    try {
      st = await fs.stat(file);
    } catch {
      throw bad(ref, `layer ${entry.Layers[i]} is missing from the archive`);
    }
    const digest = digests.get(member(entry.Layers[i])) ?? 'sha256:' + (await sha256File(file));
    const gz = await isGzip(file);
    if (!gz && digest !== diffIds[i])
      throw bad(ref, `layer ${entry.Layers[i]} does not match its diff_id (corrupt archive)`);
    layers.push({
      file,
      digest,
      size: st.size,
      mediaType: gz ? MEDIA.layerGzip : MEDIA.layerTar,
      diffId: diffIds[i]
    });
  }
  return { ref, config, layers };
}

const LAYER_TYPES: Record<string, string> = {
  [MEDIA.dockerLayerGzip]: MEDIA.layerGzip,
  'application/vnd.docker.image.rootfs.diff.tar': MEDIA.layerTar
};

/** Reads an OCI image layout (`oci:DIR` or `oci:DIR:TAG`), choosing the linux/`arch` manifest of an index. */
export async function readOciLayout(
  dir: string,
  tag: string | undefined,
  ref: string,
  hostArch: string
): Promise<BaseImage> {
  const blob = (digest: string): string => {
    const [alg, hex] = digest.split(':');
    if (!/^[a-z0-9]+$/.test(alg ?? '') || !/^[a-f0-9]+$/.test(hex ?? ''))
      throw bad(ref, `invalid digest ${digest}`);
    return path.join(dir, 'blobs', alg, hex);
  };
  const index = await readJson<{ manifests?: Descriptor[] }>(
    path.join(dir, 'index.json'),
    ref,
    'index.json (is it an OCI layout?)'
  );
  let candidates = index.manifests ?? [];
  if (tag)
    candidates = candidates.filter(
      (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag
    );
  if (candidates.length === 0)
    throw bad(ref, tag ? `no image tagged '${tag}' in the layout` : 'the layout holds no image');
  let desc = candidates[0];
  for (
    let depth = 0;
    depth < 3 && (desc.mediaType === MEDIA.index || desc.mediaType === MEDIA.dockerList);
    depth++
  ) {
    const sub = await readJson<{ manifests: Descriptor[] }>(
      blob(desc.digest),
      ref,
      `index ${desc.digest}`
    );
    const pick =
      sub.manifests.find(
        (m) => m.platform?.os === 'linux' && m.platform.architecture === hostArch
      ) ??
      sub.manifests.find(
        (m) => m.platform?.os === 'linux' && m.platform.architecture !== 'unknown'
      );
    if (!pick) throw bad(ref, `no linux image in index ${desc.digest}`);
    desc = pick;
  }
  const manifestBytes = await fs.readFile(blob(desc.digest)).catch(() => {
    throw bad(ref, `manifest ${desc.digest} is missing from the layout`);
  });
  if (sha256Digest(manifestBytes) !== desc.digest)
    throw bad(ref, `manifest ${desc.digest} does not match its digest`);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
    config: Descriptor;
    layers: Descriptor[];
  };
  const config = await readJson<ImageConfig>(
    blob(manifest.config.digest),
    ref,
    `image config ${manifest.config.digest}`
  );
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length)
    throw bad(
      ref,
      `config lists ${diffIds.length} layers but the manifest ${manifest.layers.length}`
    );
  const layers: BaseLayer[] = [];
  for (let i = 0; i < manifest.layers.length; i++) {
    const l = manifest.layers[i];
    const file = blob(l.digest);
    try {
      await fs.access(file);
    } catch {
      throw bad(ref, `layer ${l.digest} is missing from the layout`);
    }
    layers.push({
      file,
      digest: l.digest,
      size: l.size,
      mediaType: LAYER_TYPES[l.mediaType] ?? l.mediaType,
      diffId: diffIds[i]
    });
  }
  return { ref, config, layers, manifestDigest: desc.digest };
}
