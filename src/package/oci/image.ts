import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { USER_PATTERN } from '../../config/checks.js';
import { FailureError } from '../../errors.js';
import { tempDir } from '../../runtime/fsutil.js';
import { EntryPoint } from '../entry.js';
import { LocalWheel, pinned } from '../inputs.js';
import { Installer } from '../../runtime/uv.js';
import { pipTargetInstall } from '../pipinstall.js';
import { Target, pipPlatformTags, wheelMismatch } from '../wheelname.js';
import { CacheOptions } from '../../config/options.js';
import { walkTree } from '../tree.js';
import { beginArchive } from './archive.js';
import { BaseImage } from './base.js';
import { StoredBase } from './basestore.js';
import { depsLayerKey, readDepsLayer, writeDepsLayer } from './layercache.js';
import { BasePython } from './inspect.js';
import {
  ImageDocuments,
  ImageLayerInfo,
  ImageSpec,
  imageDocuments,
  layerInfos
} from './documents.js';
import { GOARCH_TO_WHEEL } from './json.js';
import { LayerBlob, buildLayer } from './layer.js';
import { LayoutFiles, layoutFiles, ownMembers, writeLayoutDir } from './layout.js';
import { LayerEntry } from './tar.js';
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
  cache: CacheOptions;
  /** Phase timings for `--debug`. */
  debug?: (message: string) => void;
  /** Who installs the wheels (default pip); the layers are the same either way. */
  installer?: Installer;
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
  if (r.user && !USER_PATTERN.test(r.user))
    throw new FailureError(`user: '${r.user}' is not a user name or uid[:gid]`);
  checkImageWheels([r.appWheel], r.py, r.baseRef);
  const pending = r.base.then((b) => beginArchive(b.prefix, r.archive));
  pending.catch(() => undefined);
  const tmp = await tempDir('albatross-image-');
  let finished = false;
  try {
    const { app, deps } = await ownLayers(r, tmp.dir);
    const entrypoint = imageEntrypoint(r, app.scripts);
    const stored = await r.base;
    checkBaseArch(stored.base, r.py);
    const spec: ImageSpec = {
      base: stored.base,
      deps: deps.layer,
      depCount: deps.wheels.length,
      app: app.layer,
      appWheel: r.appWheel.file,
      entrypoint,
      user: r.user,
      labels: r.labels,
      sde: r.sde
    };
    const docs = imageDocuments(spec);
    const files = imageLayout(r.imageName, spec, docs);
    await writeLayoutDir(r.layoutDir, files);
    r.debug?.('image: OCI layout written');
    const archive = await (
      await pending
    ).finish(ownMembers(files, new Set(stored.prefixBlobs)), r.sde);
    finished = true;
    r.debug?.('image: archive written');
    const layers = layerInfos(spec);
    return {
      digest: docs.digest,
      configDigest: docs.configDigest,
      layers,
      imageName: r.imageName,
      size:
        layers.reduce((s, l) => s + l.size, 0) +
        docs.configBytes.length +
        docs.manifestBytes.length,
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

/**
 * Albatross's two layers, built side by side: the project's wheel is installed while its
 * dependencies are still being resolved.
 */
async function ownLayers(
  r: ImageRequest,
  work: string
): Promise<{
  app: { layer: LayerBlob; scripts: string[] };
  deps: { layer: LayerBlob; reused: boolean; wheels: LocalWheel[] };
}> {
  const cross = { pythonVersion: r.py.version, platforms: pipPlatformTags(baseTarget(r.py)) };
  const [app, deps] = await allSettled(
    applicationLayer(r, cross, work),
    r.deps.then((wheels) => {
      checkImageWheels(wheels, r.py, r.baseRef);
      return dependenciesLayer(r, wheels, cross, work).then((d) => ({ ...d, wheels }));
    })
  );
  return { app, deps };
}

/** The console script's launcher, or `python -c` calling the module's attribute. */
function imageEntrypoint(r: ImageRequest, scripts: string[]): string[] {
  if (!r.entry.script) {
    const code = `import importlib, sys\nt = importlib.import_module(${JSON.stringify(r.entry.module)})\nfor a in ${JSON.stringify(r.entry.attr)}.split('.'): t = getattr(t, a)\nsys.exit(t())`;
    return [VENV_PYTHON, '-c', code];
  }
  if (!scripts.includes(r.entry.script)) {
    throw new FailureError(
      `image: console script '${r.entry.script}' is not in ${r.appWheel.file} (entry points: ${scripts.join(', ') || 'none'})`
    );
  }
  return [`/${VENV}/bin/${r.entry.script}`];
}

/** The OCI layout's files: the documents, the base's layer files and our two layers. */
function imageLayout(imageName: string, s: ImageSpec, docs: ImageDocuments): LayoutFiles {
  return layoutFiles({
    imageName,
    manifest: {
      bytes: docs.manifestBytes,
      digest: docs.digest,
      platform: { architecture: docs.config.architecture ?? 'amd64', os: 'linux' }
    },
    config: { bytes: docs.configBytes, digest: docs.configDigest },
    layers: [
      ...s.base.layers.map((l) => ({ digest: l.digest, file: l.file })),
      { digest: s.deps.digest, data: s.deps.data },
      { digest: s.app.digest, data: s.app.data }
    ]
  });
}
