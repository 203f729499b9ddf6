import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FailureError } from '../../errors.js';
import { tempDir } from '../../runtime/fsutil.js';
import { EntryPoint } from '../entry.js';
import { LocalWheel, pinned } from '../inputs.js';
import { Installer } from '../../runtime/uv.js';
import { pipTargetInstall } from '../pipinstall.js';
import { Target, pipPlatformTags, wheelMismatch } from '../wheelname.js';
import { Options } from '../../config/options.js';
import { walkTree } from '../tree.js';
import { beginArchive } from './archive.js';
import { BaseImage, ImageConfig } from './base.js';
import { StoredBase } from './basestore.js';
import { depsLayerKey, readDepsLayer, writeDepsLayer } from './layercache.js';
import { BasePython } from './inspect.js';
import { Descriptor, GOARCH_TO_WHEEL, MEDIA, canonicalJson, sha256Digest } from './json.js';
import { LayerBlob, LayerEntry, buildLayer } from './layer.js';
import { layoutFiles, ownMembers, writeLayoutDir } from './layout.js';
import { VENV, VENV_PYTHON, layerEntries, venvDirs, venvSkeleton } from './venvtree.js';

export interface ImageRequest {
  /** The base, possibly still being read (it is needed only once the layers are built). */
  base: Promise<StoredBase>;
  py: BasePython;
  /** Interpreter whose pip installs the wheels (for the base's Python, through --python-version). */
  hostPython: string;
  appWheel: LocalWheel;
  /** The dependency wheels, possibly still being resolved. */
  deps: Promise<LocalWheel[]>;
  entry: EntryPoint;
  /** `user` option ('' keeps the base's user). */
  user: string;
  sde: number;
  labels: Record<string, string>;
  /** `name:tag`. */
  imageName: string;
  /** The `base` option as given, for messages. */
  baseRef: string;
  layoutDir: string;
  archive: string;
  /** Where dependency layers are kept between runs (the cache root's options). */
  cache: Pick<Options, 'cacheDir'>;
  /** Phase timings for `--debug`. */
  debug?: (message: string) => void;
  /** Who installs the wheels (default pip); the layers are the same either way. */
  installer?: Installer;
}

export interface ImageLayerInfo {
  role: 'base' | 'dependencies' | 'application';
  digest: string;
  diffId: string;
  size: number;
  /** Uncompressed tar size (Albatross's own layers). */
  tarSize?: number;
}

export interface ImageResult {
  digest: string;
  /** The archive's SHA-256 (hex) and size, computed while it was written. */
  archiveSha256: string;
  archiveSize: number;
  /** The dependency wheels the image holds. */
  dependencies: LocalWheel[];
  /** Whether the dependency layer came from the cache (pip ran for the project's wheel only). */
  depsLayerReused: boolean;
  configDigest: string;
  layers: ImageLayerInfo[];
  imageName: string;
  /** Sum of every layer blob plus config and manifest. */
  size: number;
}

/** The wheel target the base image's Python gives. */
export function baseTarget(py: BasePython): Target {
  return { python: py.version, arch: py.arch, libc: py.libc };
}

/** Refuses wheels that cannot run on the base image's Python and platform. */
export function checkImageWheels(wheels: LocalWheel[], py: BasePython, ref: string): void {
  checkTargetWheels(wheels, py, 'image', `the base image ${ref}`);
}

/** Refuses wheels that cannot run on the target `where` describes (`what` names the format). */
export function checkTargetWheels(
  wheels: LocalWheel[],
  py: BasePython,
  what: string,
  where: string
): void {
  const t = baseTarget(py);
  for (const w of wheels) {
    const why = wheelMismatch(w, t);
    if (why) {
      const libc = py.libc ? `, ${py.libc.kind} ${py.libc.version.join('.')}` : '';
      throw new FailureError(
        `${what}: ${w.file} does not fit ${where} (CPython ${py.version}, linux/${py.arch}${libc}): ${why}`
      );
    }
  }
}

/** The base's config and its Python must agree on the machine. */
export function checkBaseArch(base: BaseImage, py: BasePython): void {
  const arch = base.config.architecture;
  const configArch = arch ? (GOARCH_TO_WHEEL[arch] ?? arch) : py.arch;
  if (configArch !== py.arch) {
    throw new FailureError(
      `base ${base.ref}: its config says ${arch} but its Python (${py.executable}) is built for ${py.arch}`
    );
  }
}

/** Docker accepts lower-case repository names and tags of [A-Za-z0-9_.-]. */
export function normalizeImageName(name: string, version: string | null): string {
  const [repo, tag] = splitNameTag(name);
  const cleanRepo = repo.toLowerCase().replace(/[^a-z0-9._/:-]+/g, '-');
  const cleanTag = (tag ?? version ?? 'latest').replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 128);
  return `${cleanRepo}:${cleanTag}`;
}

function splitNameTag(name: string): [string, string | undefined] {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? [name.slice(0, colon), name.slice(colon + 1)] : [name, undefined];
}

const USER = /^([a-z_][a-z0-9_-]*|\d+)(:([a-z_][a-z0-9_-]*|\d+))?$/;

function installEntries(tree: LayerEntry[], version: string): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const e of [...venvDirs(version), ...tree]) byPath.set(e.path, e);
  return [...byPath.values()];
}

/**
 * mtime of every entry of the dependency layer: a constant (as jib does), not
 * SOURCE_DATE_EPOCH, which moves with every commit: the layer then depends on the dependency
 * wheels alone, and a code-only change leaves it byte for byte as it was.
 */
export const DEPS_LAYER_MTIME = 1;

type Cross = { pythonVersion: string; platforms: string[] };

/** The application layer: the project's wheel installed by pip on its own (`--no-deps`). */
async function applicationLayer(
  r: ImageRequest,
  cross: Cross,
  work: string
): Promise<{ layer: LayerBlob; scripts: string[] }> {
  const tree = path.join(work, 'app');
  const links = path.join(work, 'app-wheel');
  // A directory holding only this wheel: pip sees no other candidate.
  await fs.mkdir(links, { recursive: true });
  await fs.copyFile(r.appWheel.abs, path.join(links, r.appWheel.file));
  await pipTargetInstall(
    {
      python: r.hostPython,
      target: tree,
      findLinks: [links],
      requirements: pinned([r.appWheel]),
      cross,
      installer: r.installer,
      cacheDir: r.cache.cacheDir
    },
    'installing the application for the image'
  );
  r.debug?.('image: application installed');
  const app = await layerEntries(await walkTree(tree), r.py.version);
  return {
    layer: await buildLayer(installEntries(app.entries, r.py.version), r.sde),
    scripts: app.scripts
  };
}

/** The dependencies layer: the venv and every dependency wheel, from the cache when it has it. */
async function dependenciesLayer(
  r: ImageRequest,
  deps: LocalWheel[],
  cross: Cross,
  work: string
): Promise<{ layer: LayerBlob; reused: boolean }> {
  const key = await depsLayerKey({
    deps,
    hostPython: r.hostPython,
    executable: r.py.executable,
    version: r.py.version,
    platforms: cross.platforms
  });
  const cached = await readDepsLayer(r.cache, key);
  r.debug?.(
    `image: ${deps.length} dependency wheel(s) resolved, layer ${cached ? 'cached' : 'to build'}`
  );
  if (cached) return { layer: cached, reused: true };
  const tree = path.join(work, 'deps');
  await fs.mkdir(tree, { recursive: true });
  if (deps.length)
    await pipTargetInstall(
      {
        python: r.hostPython,
        target: tree,
        findLinks: [...new Set(deps.map((d) => path.dirname(d.abs)))],
        requirements: pinned(deps),
        cross,
        installer: r.installer,
        cacheDir: r.cache.cacheDir
      },
      'installing the dependencies for the image'
    );
  const entries = await layerEntries(await walkTree(tree), r.py.version);
  const layer = await buildLayer(
    installEntries(
      [...venvSkeleton(r.py.executable, r.py.version), ...entries.entries],
      r.py.version
    ),
    DEPS_LAYER_MTIME
  );
  await writeDepsLayer(r.cache, key, layer);
  r.debug?.('image: dependency layer built');
  return { layer, reused: false };
}

/** Settles every promise before throwing the first failure (nothing keeps writing into `work`). */
async function allSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/**
 * Assembles the image: the base's layers unchanged, a dependencies layer (the venv and every
 * dependency wheel), an application layer (the project's wheel and its launchers), the config.
 * The archive starts from the base's stored prefix while pip runs.
 */
export async function buildImage(r: ImageRequest): Promise<ImageResult> {
  if (r.user && !USER.test(r.user))
    throw new FailureError(`user: '${r.user}' is not a user name or uid[:gid]`);
  checkImageWheels([r.appWheel], r.py, r.baseRef);
  const cross = { pythonVersion: r.py.version, platforms: pipPlatformTags(baseTarget(r.py)) };
  const pending = r.base.then((b) => beginArchive(b.prefix, r.archive));
  pending.catch(() => undefined);
  const tmp = await tempDir('albatross-image-');
  let finished = false;
  try {
    // The project's wheel is installed while its dependencies are still being resolved.
    const [app, deps] = await allSettled(
      applicationLayer(r, cross, tmp.dir),
      r.deps.then((wheels) => {
        checkImageWheels(wheels, r.py, r.baseRef);
        return dependenciesLayer(r, wheels, cross, tmp.dir).then((d) => ({ ...d, wheels }));
      })
    );
    let entrypoint: string[];
    if (r.entry.script) {
      if (!app.scripts.includes(r.entry.script)) {
        throw new FailureError(
          `image: console script '${r.entry.script}' is not in ${r.appWheel.file} (entry points: ${app.scripts.join(', ') || 'none'})`
        );
      }
      entrypoint = [`/${VENV}/bin/${r.entry.script}`];
    } else {
      const code = `import importlib, sys\nt = importlib.import_module(${JSON.stringify(r.entry.module)})\nfor a in ${JSON.stringify(r.entry.attr)}.split('.'): t = getattr(t, a)\nsys.exit(t())`;
      entrypoint = [VENV_PYTHON, '-c', code];
    }
    const stored = await r.base;
    const base = stored.base;
    checkBaseArch(base, r.py);
    const depsLayer = deps.layer;
    const appLayer = app.layer;
    const config = imageConfig(r, base, deps.wheels.length, depsLayer, appLayer, entrypoint);
    const configBytes = Buffer.from(canonicalJson(config));
    const configDesc: Descriptor = {
      mediaType: MEDIA.config,
      digest: sha256Digest(configBytes),
      size: configBytes.length
    };
    const layerDescs: Descriptor[] = [
      ...base.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      { mediaType: depsLayer.mediaType, digest: depsLayer.digest, size: depsLayer.size },
      { mediaType: appLayer.mediaType, digest: appLayer.digest, size: appLayer.size }
    ];
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: configDesc,
      layers: layerDescs,
      annotations: {
        'org.opencontainers.image.created': isoTime(r.sde),
        ...(base.manifestDigest
          ? { 'org.opencontainers.image.base.digest': base.manifestDigest }
          : {}),
        'org.opencontainers.image.base.name': base.ref
      }
    };
    const manifestBytes = Buffer.from(canonicalJson(manifest));
    const digest = sha256Digest(manifestBytes);
    const files = layoutFiles({
      imageName: r.imageName,
      manifest: {
        bytes: manifestBytes,
        digest,
        platform: { architecture: config.architecture ?? 'amd64', os: 'linux' }
      },
      config: { bytes: configBytes, digest: configDesc.digest },
      layers: [
        ...base.layers.map((l) => ({ digest: l.digest, file: l.file })),
        { digest: depsLayer.digest, data: depsLayer.data },
        { digest: appLayer.digest, data: appLayer.data }
      ]
    });
    await writeLayoutDir(r.layoutDir, files);
    r.debug?.('image: OCI layout written');
    const archive = await (
      await pending
    ).finish(ownMembers(files, new Set(stored.prefixBlobs)), r.sde);
    finished = true;
    r.debug?.('image: archive written');
    const layers: ImageLayerInfo[] = [
      ...base.layers.map((l) => ({
        role: 'base' as const,
        digest: l.digest,
        diffId: l.diffId,
        size: l.size
      })),
      {
        role: 'dependencies',
        digest: depsLayer.digest,
        diffId: depsLayer.diffId,
        size: depsLayer.size,
        tarSize: depsLayer.tarSize
      },
      {
        role: 'application',
        digest: appLayer.digest,
        diffId: appLayer.diffId,
        size: appLayer.size,
        tarSize: appLayer.tarSize
      }
    ];
    const size = layers.reduce((s, l) => s + l.size, 0) + configBytes.length + manifestBytes.length;
    return {
      digest,
      configDigest: configDesc.digest,
      layers,
      imageName: r.imageName,
      size,
      archiveSha256: archive.sha256,
      archiveSize: archive.size,
      dependencies: deps.wheels,
      depsLayerReused: deps.reused
    };
  } finally {
    if (!finished)
      await pending.then(
        (p) => p.abort(),
        () => undefined
      );
    await tmp.cleanup();
  }
}

export function isoTime(sde: number): string {
  return new Date(sde * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function imageConfig(
  r: ImageRequest,
  baseImage: BaseImage,
  depCount: number,
  deps: LayerBlob,
  app: LayerBlob,
  entrypoint: string[]
): ImageConfig {
  const base = baseImage.config;
  const created = isoTime(r.sde);
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
      Entrypoint: entrypoint,
      Cmd: undefined,
      WorkingDir: '/app',
      ...(r.user ? { User: r.user } : {}),
      Labels: { ...(base.config?.Labels ?? {}), ...r.labels }
    },
    rootfs: {
      type: 'layers',
      diff_ids: [...baseImage.layers.map((l) => l.diffId), deps.diffId, app.diffId]
    },
    history: [
      ...baseHistory,
      {
        created,
        created_by: `albatross: dependencies (${depCount} wheel(s)) in /${VENV}`,
        comment: 'albatross'
      },
      { created, created_by: `albatross: ${r.appWheel.file}`, comment: 'albatross' }
    ]
  };
}
