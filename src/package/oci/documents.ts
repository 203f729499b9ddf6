import { BaseImage, ImageConfig } from './base.js';
import { Descriptor, MEDIA, canonicalJson, sha256Digest } from './json.js';
import { LayerBlob } from './layer.js';
import { VENV } from './venvtree.js';

/** What the image adds to its base: two layers of its own, how it starts, who runs it. */
export interface ImageSpec {
  base: BaseImage;
  deps: LayerBlob;
  /** How many dependency wheels the dependencies layer holds (for its history line). */
  depCount: number;
  app: LayerBlob;
  /** The project's wheel file name (for the application layer's history line). */
  appWheel: string;
  entrypoint: string[];
  /** `user` option ('' keeps the base's user). */
  user: string;
  labels: Record<string, string>;
  sde: number;
}

/** The image's config and manifest, as the bytes that are hashed and written. */
export interface ImageDocuments {
  config: ImageConfig;
  configBytes: Buffer;
  configDigest: string;
  manifestBytes: Buffer;
  /** The manifest's digest: the image's. */
  digest: string;
}

export interface ImageLayerInfo {
  role: 'base' | 'dependencies' | 'application';
  digest: string;
  diffId: string;
  size: number;
  /** Uncompressed tar size (Albatross's own layers). */
  tarSize?: number;
}

export function isoTime(sde: number): string {
  return new Date(sde * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** The config and the manifest that names it, each in canonical JSON. */
export function imageDocuments(s: ImageSpec): ImageDocuments {
  const config = imageConfig(s);
  const configBytes = Buffer.from(canonicalJson(config));
  const configDesc: Descriptor = {
    mediaType: MEDIA.config,
    digest: sha256Digest(configBytes),
    size: configBytes.length
  };
  const manifestBytes = Buffer.from(canonicalJson(imageManifest(s, configDesc)));
  return {
    config,
    configBytes,
    configDigest: configDesc.digest,
    manifestBytes,
    digest: sha256Digest(manifestBytes)
  };
}

/** Every layer of the image, the base's first, as the report lists them. */
export function layerInfos(s: Pick<ImageSpec, 'base' | 'deps' | 'app'>): ImageLayerInfo[] {
  return [
    ...s.base.layers.map((l) => ({
      role: 'base' as const,
      digest: l.digest,
      diffId: l.diffId,
      size: l.size
    })),
    {
      role: 'dependencies',
      digest: s.deps.digest,
      diffId: s.deps.diffId,
      size: s.deps.size,
      tarSize: s.deps.tarSize
    },
    {
      role: 'application',
      digest: s.app.digest,
      diffId: s.app.diffId,
      size: s.app.size,
      tarSize: s.app.tarSize
    }
  ];
}

function imageManifest(s: ImageSpec, config: Descriptor): Record<string, unknown> {
  const descriptor = (l: { mediaType: string; digest: string; size: number }): Descriptor => ({
    mediaType: l.mediaType,
    digest: l.digest,
    size: l.size
  });
  return {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config,
    layers: [...s.base.layers.map(descriptor), descriptor(s.deps), descriptor(s.app)],
    annotations: {
      'org.opencontainers.image.created': isoTime(s.sde),
      ...(s.base.manifestDigest
        ? { 'org.opencontainers.image.base.digest': s.base.manifestDigest }
        : {}),
      'org.opencontainers.image.base.name': s.base.ref
    }
  };
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The base's config with the venv on PATH, the entrypoint, the user, labels and history. */
function imageConfig(s: ImageSpec): ImageConfig {
  const baseImage = s.base;
  const base = baseImage.config;
  const created = isoTime(s.sde);
  const env = (base.config?.Env ?? []).filter((e) => !/^(PATH|VIRTUAL_ENV)=/.test(e));
  const basePath =
    (base.config?.Env ?? []).find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  env.push(`PATH=/${VENV}/bin:${basePath}`, `VIRTUAL_ENV=/${VENV}`);
  const baseHistory = base.history?.length
    ? base.history
    : baseImage.layers.map(() => ({
        created: base.created ?? created,
        created_by: `base image ${baseImage.ref}`
      }));
  return {
    architecture: base.architecture ?? 'amd64',
    os: base.os ?? 'linux',
    ...(base.variant ? { variant: base.variant } : {}),
    created,
    config: {
      ...(base.config ?? {}),
      Env: env.sort(),
      Entrypoint: s.entrypoint,
      Cmd: undefined,
      WorkingDir: '/app',
      ...(s.user ? { User: s.user } : {}),
      Labels: { ...(base.config?.Labels ?? {}), ...s.labels }
    },
    rootfs: {
      type: 'layers',
      diff_ids: [...baseImage.layers.map((l) => l.diffId), s.deps.diffId, s.app.diffId]
    },
    history: [
      ...baseHistory,
      {
        created,
        created_by: `albatross: dependencies (${s.depCount} wheel(s)) in /${VENV}`,
        comment: 'albatross'
      },
      { created, created_by: `albatross: ${s.appWheel}`, comment: 'albatross' }
    ]
  };
}
