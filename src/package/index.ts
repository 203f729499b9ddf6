import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { FailureError } from '../errors.js';
import { addFailure, updateManifest, upsertArtifact } from '../manifest/io.js';
import { mergeCacheReports } from '../cache/summary.js';
import { ArtifactEntry, CacheReport, FailureEntry, Manifest } from '../manifest/model.js';
import { commandExists, tail } from '../runtime/exec.js';
import { sha256File, tempDir } from '../runtime/fsutil.js';
import { Logger } from '../runtime/log.js';
import { PythonInstall, anyPython, discoverPythons, findPython } from '../runtime/python.js';
import { resolveSourceDateEpoch } from '../runtime/sde.js';
import { EntryPoint, resolveEntryPoint } from './entry.js';
import { LocalWheel, dependencyWheels, pickWheel, projectWheels } from './inputs.js';
import { ociLabels } from './labels.js';
import { baseTarget, buildImage, normalizeImageName } from './oci/image.js';
import { inspectBase } from './oci/inspect.js';
import { GOARCH_TO_WHEEL } from './oci/json.js';
import { StoredBase, storedBase } from './oci/basestore.js';
import { baseKey, readInspectCache, writeInspectCache } from './oci/inspectcache.js';
import { loadArgv, pickEngine, pushArgvs, runAll } from './oci/transport.js';
import { ensurePex, pexArgv, pexPlatforms, runPex } from './pex.js';
import { buildZipapp } from './zipapp.js';
import { PACKAGE_FORMATS, PackageFormat } from './formats.js';

export { PACKAGE_FORMATS, type PackageFormat } from './formats.js';

export interface PackageRequest {
  model: ProjectModel;
  opts: Options;
  log: Logger;
  /** Output directory holding the built wheels and the manifest (absolute). */
  outDir: string;
  formats: PackageFormat[];
}

export interface PackageOutcome {
  manifest: Manifest;
  ok: boolean;
  /** Entries this run added, and what failed. */
  artifacts?: ArtifactEntry[];
  failures?: FailureEntry[];
}

interface Ctx extends PackageRequest {
  sde: number;
  work: string;
  wheels: LocalWheel[];
  /** Dependency wheelhouses already resolved in this run, by python + platform + app wheel. */
  resolved: Map<string, Promise<LocalWheel[]>>;
  /** Dependency cache reports of this run, for the manifest. */
  cacheReports: CacheReport[];
}

/**
 * Packages the application in every requested format. Each format runs on its own: one
 * failing is recorded in the manifest and the others still complete.
 */
export async function packageProject(req: PackageRequest): Promise<PackageOutcome> {
  const sde = (await resolveSourceDateEpoch(req.opts, req.model.root)).value;
  const tmp = await tempDir('albatross-package-');
  const artifacts: ArtifactEntry[] = [];
  const failures: FailureEntry[] = [];
  const cacheReports: CacheReport[] = [];
  try {
    const ctx: Ctx = {
      ...req,
      sde,
      work: tmp.dir,
      wheels: await projectWheels(req.outDir, req.model),
      resolved: new Map(),
      cacheReports
    };
    for (const format of PACKAGE_FORMATS.filter((f) => req.formats.includes(f))) {
      try {
        const entry = await req.log.group(`package ${format}`, () => RUN[format](ctx));
        artifacts.push(entry);
      } catch (e) {
        const message = (e as Error).message;
        req.log.error(message.startsWith(format) ? message : `${format}: ${message}`);
        if (req.opts.debug && !(e instanceof FailureError)) req.log.debug((e as Error).stack ?? '');
        failures.push({
          target: format,
          kind: format,
          message: message.split('\n')[0],
          logTail: tail(message, 15)
        });
      }
    }
  } finally {
    await tmp.cleanup();
  }
  const manifest = await updateManifest(
    req.outDir,
    { name: req.model.name, version: req.model.version },
    (m) => {
      for (const a of artifacts) {
        upsertArtifact(m, a);
        m.failures = m.failures.filter((f) => f.target !== a.kind);
      }
      for (const f of failures) addFailure(m, f);
      m.sourceDateEpoch ??= sde;
      // The build's test-install and packaging each resolve dependencies: report both.
      if (cacheReports.length)
        m.cache = mergeCacheReports([...(m.cache ? [m.cache] : []), ...cacheReports]);
    }
  );
  return { manifest, ok: failures.length === 0, artifacts, failures };
}

const RUN: Record<PackageFormat, (c: Ctx) => Promise<ArtifactEntry>> = { zipapp, pex, image };

function entryPoint(c: Ctx): EntryPoint {
  return resolveEntryPoint(c.model.entryPoints.console_scripts ?? {}, c.opts.entryPoint);
}

/** Interpreter for zipapps and PEX files: `python` option, else the oldest allowed one installed. */
async function archivePython(c: Ctx): Promise<PythonInstall> {
  const wanted = c.opts.python.length ? c.opts.python : c.model.pythonVersions;
  for (const v of wanted) {
    const p = await findPython(v);
    if (p) return p;
  }
  const any = wanted.length ? undefined : await anyPython();
  if (any) return any;
  const found = (await discoverPythons()).map((p) => p.version).join(', ') || 'none';
  throw new FailureError(
    `no installed Python among ${wanted.join(', ')} (found: ${found}) to resolve the dependencies with`
  );
}

/** Resolves the dependencies once per interpreter, platform and wheel for all formats of a run. */
function depsFor(
  c: Ctx,
  py: PythonInstall,
  app: LocalWheel,
  platformKey: string
): Promise<LocalWheel[]> {
  const key = [py.executable, platformKey, app.file].join('|');
  let p = c.resolved.get(key);
  if (!p) {
    p = dependencyWheels(
      c.opts,
      c.log,
      py,
      app,
      platformKey,
      path.join(c.work, `wheels-${c.resolved.size}`),
      (r) => c.cacheReports.push(r)
    );
    c.resolved.set(key, p);
  }
  return p;
}

function stem(c: Ctx, w: LocalWheel): string {
  return `${c.model.name}-${c.model.version ?? w.version}`;
}

async function fileEntry(
  c: Ctx,
  file: string,
  kind: ArtifactEntry['kind'],
  extra: Partial<ArtifactEntry>
): Promise<ArtifactEntry> {
  const abs = path.join(c.outDir, file);
  const { size } = await fs.stat(abs);
  return { file, kind, sha256: await sha256File(abs), size, ...extra };
}

async function zipapp(c: Ctx): Promise<ArtifactEntry> {
  const entry = entryPoint(c);
  const py = await archivePython(c);
  const platform = c.opts.zipappPlatform;
  const app = pickWheel(
    c.wheels,
    { python: py.version, platformTag: platform || undefined },
    'zipapp',
    c.outDir
  );
  const deps = await depsFor(c, py, app, platform || 'any');
  const file = `${stem(c, app)}.pyz`;
  await buildZipapp({
    python: py.executable,
    pythonVersion: py.version,
    appWheel: app,
    deps,
    entry,
    shebang: c.opts.shebang,
    platform,
    sde: c.sde,
    dest: path.join(c.outDir, file)
  });
  c.log.info(`zipapp: ${file} (${deps.length} dependencies)`);
  return fileEntry(c, file, 'zipapp', {
    python: py.version,
    details: {
      entryPoint: `${entry.module}:${entry.attr}`,
      script: entry.script,
      wheel: app.file,
      dependencies: deps.map((d) => d.file),
      platform: platform || 'any'
    }
  });
}

async function pex(c: Ctx): Promise<ArtifactEntry> {
  const entry = entryPoint(c);
  const py = await archivePython(c);
  const app = pickWheel(c.wheels, { python: py.version, arch: archOfHost() }, 'pex', c.outDir);
  // The tool first: when pex is missing, nothing else is worth doing.
  const pexCmd = await ensurePex(c.opts, py);
  const deps = await depsFor(
    c,
    py,
    app,
    app.platformTags.includes('any') ? 'any' : app.platformTags.join('.')
  );
  const file = `${stem(c, app)}.pex`;
  const argv = pexArgv(pexCmd, {
    findLinks: [path.dirname(app.abs), ...new Set(deps.map((d) => path.dirname(d.abs)))],
    requirement: `${app.name}==${app.version}`,
    entry,
    requiresPython: c.model.requiresPython,
    platforms: pexPlatforms(app.platformTags, app.abiTags, py.version),
    shebang: c.opts.shebang,
    output: path.join(c.outDir, file)
  });
  await runPex(argv, c.opts);
  return fileEntry(c, file, 'pex', {
    python: py.version,
    details: {
      entryPoint: `${entry.module}:${entry.attr}`,
      wheel: app.file,
      dependencies: deps.map((d) => d.file)
    }
  });
}

function archOfHost(): string {
  return (
    GOARCH_TO_WHEEL[{ x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch] ??
    process.arch
  );
}

async function image(c: Ctx): Promise<ArtifactEntry> {
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

async function assembleImage(
  c: Ctx,
  entry: EntryPoint,
  basePromise: Promise<StoredBase>,
  key: string | null
): Promise<ArtifactEntry> {
  let py = await readInspectCache(c.opts, key);
  if (!py) {
    py = await inspectBase((await basePromise).base);
    await writeInspectCache(c.opts, key, py);
  }
  c.log.info(
    `image: base ${c.opts.base}: CPython ${py.version} at ${py.executable}, linux/${py.arch}${py.libc ? ` ${py.libc.kind} ${py.libc.version.join('.')}` : ''}`
  );
  const app = pickWheel(c.wheels, baseTarget(py), 'image', c.outDir);
  const resolver = await findPython(py.version);
  if (!resolver)
    c.log.warn(
      `image: no Python ${py.version} here; dependencies are resolved with another version (markers may differ)`
    );
  const hostPy = resolver ?? (await archivePython(c));
  const platformKey = `linux-${py.arch}-${py.libc ? `${py.libc.kind}_${py.libc.version.join('_')}` : 'unknown'}`;
  // Resolved while pip installs the project's wheel; awaited (settled) before any return.
  const deps = depsFor(c, hostPy, app, platformKey);
  deps.catch(() => undefined);
  const name = normalizeImageName(c.opts.imageName || c.model.name, c.model.version ?? app.version);
  const s = stem(c, app);
  const result = await buildImage({
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
    layoutDir: path.join(c.outDir, `${s}.oci`),
    archive: path.join(c.outDir, `${s}.image.tar`),
    cache: c.opts,
    debug: (m) => c.log.debug(m)
  }).finally(() => deps.catch(() => undefined));
  const stored = await basePromise;
  c.log.info(
    `image: base layers ${stored.reused ? 'from the base store' : 'read from the source and stored'}, dependency layer ${result.depsLayerReused ? 'from the cache' : 'built'}`
  );
  c.log.info(`image: ${name} ${result.digest}`);
  if (c.opts.load) {
    const engine = await pickEngine(c.opts);
    if (!engine) throw new FailureError('load: no container engine (docker or podman) found');
    await runAll([loadArgv(engine, path.join(c.outDir, `${s}.image.tar`))], `load into ${engine}`);
  }
  if (c.opts.push) {
    const tool = (await commandExists('skopeo')) ? 'skopeo' : await pickEngine(c.opts);
    if (!tool) throw new FailureError('push: needs skopeo or a container engine (docker, podman)');
    const tag = name.slice(name.lastIndexOf(':') + 1);
    await runAll(
      pushArgvs(
        tool,
        path.join(c.outDir, `${s}.oci`),
        tag,
        path.join(c.outDir, `${s}.image.tar`),
        name
      ),
      `push ${name}`
    );
  }
  const { base } = stored;
  return {
    file: `${s}.image.tar`,
    kind: 'image',
    sha256: result.archiveSha256,
    size: result.archiveSize,
    python: py.version,
    digest: result.digest,
    layout: `${s}.oci`,
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
