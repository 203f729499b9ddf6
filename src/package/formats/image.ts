import * as path from 'node:path';
import { FailureError } from '../../errors.js';
import { ArtifactEntry } from '../../manifest/model.js';
import { commandExists } from '../../runtime/exec.js';
import { detectEngine } from '../../runtime/container.js';
import { PackageContext, archivePython, depsFor, entryPoint, stem } from '../context.js';
import { EntryPoint } from '../entry.js';
import { LocalWheel, pickWheel } from '../inputs.js';
import { ociLabels } from '../labels.js';
import { StoredBase, storedBase } from '../oci/basestore.js';
import { BaseImage } from '../oci/base.js';
import { ImageResult, baseTarget, buildImage, normalizeImageName } from '../oci/image.js';
import { BasePython, inspectBase } from '../oci/inspect.js';
import { baseKey, readInspectCache, writeInspectCache } from '../oci/inspectcache.js';
import { parseBase } from '../oci/source.js';
import { loadArgv, pushArgvs, runAll } from '../oci/transport.js';
import { PackageFormat } from './types.js';

/** A layered OCI image on `base`, written by Albatross itself (no daemon), plus its archive. */
export const imageFormat: PackageFormat = {
  name: 'image',
  kind: 'image',
  summary: 'a layered OCI image on `base` (layout directory and `docker load` archive)',
  options: ['base', 'imageName', 'user', 'load', 'push'],
  byDefault: (opts) => Boolean(opts.base),
  check: (opts) => void parseBase(opts.base, opts.projectDir),
  outputs: {
    digest: {
      description: '`package --format image`: the image manifest digest (sha256:...).',
      value: (e) => e?.digest ?? ''
    },
    image: {
      description: '`package --format image`: the image name and tag.',
      value: (e) => e?.imageName ?? ''
    }
  },
  platform: (e) =>
    e.digest ? `image ${e.digest.replace(/^sha256:/, '').slice(0, 12)}` : undefined,
  run: image
};

async function image(c: PackageContext): Promise<ArtifactEntry> {
  const entry = entryPoint(c);
  // The base is read in the background; a remembered inspection lets pip start at once. Both
  // are found by one key (for docker-daemon: bases it costs an engine call).
  const key = baseKey(c.opts);
  key.catch(() => undefined);
  const basePromise = storedBase(c.opts, path.join(c.work, 'base'), key);
  basePromise.catch(() => undefined);
  try {
    return await assembleImage(c, entry, basePromise, await key);
  } catch (e) {
    // Never leave the background read writing into a work directory about to be removed.
    await basePromise.catch(() => undefined);
    throw e;
  }
}

/** Reads the base's Python, builds the image for it, loads or pushes it, and returns its entry. */
async function assembleImage(
  c: PackageContext,
  entry: EntryPoint,
  basePromise: Promise<StoredBase>,
  key: string | null
): Promise<ArtifactEntry> {
  const py = await basePython(c, basePromise, key);
  const app = pickWheel(c.wheels, baseTarget(py), 'image', c.outDir);
  const hostPy = await archivePython(c, py.version);
  if (hostPy.version !== py.version)
    c.log.warn(
      `image: no Python ${py.version} here; dependencies are resolved with another version (markers may differ)`
    );
  const platformKey = `linux-${py.arch}-${py.libc ? `${py.libc.kind}_${py.libc.version.join('_')}` : 'unknown'}`;
  // Resolved while pip installs the project's wheel; awaited (settled) before any return.
  const deps = depsFor(c, hostPy, app, platformKey);
  deps.catch(() => undefined);
  const name = normalizeImageName(c.opts.imageName || c.model.name, c.model.version ?? app.version);
  const files = imageFiles(c, app);
  const result = await buildImage({
    installer: c.installer,
    base: basePromise,
    baseRef: c.opts.base,
    py,
    hostPython: hostPy.executable,
    appWheel: app,
    deps,
    entry,
    user: c.opts.user,
    sde: c.sde,
    labels: await ociLabels(c.model.root, c.model.name, c.model.version ?? app.version),
    imageName: name,
    layoutDir: path.join(c.outDir, files.layout),
    archive: path.join(c.outDir, files.archive),
    cache: c.opts,
    debug: (m) => c.log.debug(m)
  }).finally(() => deps.catch(() => undefined));
  const stored = await basePromise;
  c.log.info(
    `image: base layers ${stored.reused ? 'from the base store' : 'read from the source and stored'}, dependency layer ${result.depsLayerReused ? 'from the cache' : 'built'}`
  );
  c.log.info(`image: ${name} ${result.digest}`);
  await publishImage(c, name, files);
  return imageEntry(py, stored.base, entry, app, name, files, result);
}

/** The base's Python: remembered from an earlier inspection of the same base, else inspected. */
async function basePython(
  c: PackageContext,
  basePromise: Promise<StoredBase>,
  key: string | null
): Promise<BasePython> {
  let py = await readInspectCache(c.opts, key);
  if (!py) {
    py = await inspectBase((await basePromise).base);
    await writeInspectCache(c.opts, key, py);
  }
  c.log.info(
    `image: base ${c.opts.base}: CPython ${py.version} at ${py.executable}, linux/${py.arch}${py.libc ? ` ${py.libc.kind} ${py.libc.version.join('.')}` : ''}`
  );
  return py;
}

/** The image's two files in OUT, by their names there. */
interface ImageFiles {
  layout: string;
  archive: string;
}

function imageFiles(c: PackageContext, app: LocalWheel): ImageFiles {
  const s = stem(c, app);
  return { layout: `${s}.oci`, archive: `${s}.image.tar` };
}

/** `load` into the container engine and `push` to the registry, when asked. */
async function publishImage(c: PackageContext, name: string, files: ImageFiles): Promise<void> {
  const archive = path.join(c.outDir, files.archive);
  if (c.opts.load) {
    const engine = await detectEngine(c.opts.containerEngine);
    if (!engine) throw new FailureError('load: no container engine (docker or podman) found');
    await runAll([loadArgv(engine, archive)], `load into ${engine}`);
  }
  if (c.opts.push) {
    const tool = (await commandExists('skopeo'))
      ? 'skopeo'
      : await detectEngine(c.opts.containerEngine);
    if (!tool) throw new FailureError('push: needs skopeo or a container engine (docker, podman)');
    const tag = name.slice(name.lastIndexOf(':') + 1);
    await runAll(
      pushArgvs(tool, path.join(c.outDir, files.layout), tag, archive, name),
      `push ${name}`
    );
  }
}

function imageEntry(
  py: BasePython,
  base: BaseImage,
  entry: EntryPoint,
  app: LocalWheel,
  name: string,
  files: ImageFiles,
  result: ImageResult
): ArtifactEntry {
  return {
    file: files.archive,
    kind: 'image',
    sha256: result.archiveSha256,
    size: result.archiveSize,
    python: py.version,
    digest: result.digest,
    layout: files.layout,
    imageName: name,
    details: {
      base: base.ref,
      platform: `linux/${base.config.architecture ?? 'amd64'}`,
      configDigest: result.configDigest,
      entrypoint: entry.script ?? `${entry.module}:${entry.attr}`,
      layers: result.layers,
      imageSize: result.size,
      wheel: app.file,
      dependencies: result.dependencies.map((d) => d.file)
    }
  };
}
