import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { FailureError } from '../errors.js';
import { ArtifactEntry, ArtifactKind, CacheReport } from '../manifest/model.js';
import { sha256File } from '../runtime/fsutil.js';
import { Logger } from '../runtime/log.js';
import { Installer } from '../runtime/uv.js';
import {
  PythonInstall,
  anyPython,
  discoverPythons,
  findPython,
  firstInstalled
} from '../runtime/python.js';
import { EntryPoint, resolveEntryPoint } from './entry.js';
import { LocalWheel, dependencyWheels } from './inputs.js';

/** What every format's run gets: the project, OUT's wheels and the run's shared resolutions. */
export interface PackageContext {
  model: ProjectModel;
  opts: Options;
  log: Logger;
  /** Output directory (absolute). */
  outDir: string;
  sde: number;
  /** A private work directory of this run. */
  work: string;
  /** The project's wheels of the current version, as the manifest lists them. */
  wheels: LocalWheel[];
  /** Dependency wheelhouses already resolved in this run, by python + platform + app wheel. */
  resolved: Map<string, Promise<LocalWheel[]>>;
  /** Dependency cache reports of this run, for the manifest. */
  cacheReports: CacheReport[];
  /** What installs into zipapp and image trees (`installer`). */
  installer: Installer;
}

export function entryPoint(c: PackageContext): EntryPoint {
  return resolveEntryPoint(c.model.entryPoints.console_scripts ?? {}, c.opts.entryPoint);
}

/**
 * The interpreter that resolves a package's dependencies: `prefer` (an image base's version)
 * when installed, else the first installed of the `python` option or the project's versions,
 * else, when neither names a version, the newest found.
 */
export async function archivePython(c: PackageContext, prefer?: string): Promise<PythonInstall> {
  const wanted = c.opts.python.length ? c.opts.python : c.model.pythonVersions;
  const p =
    (prefer ? await findPython(prefer) : undefined) ??
    (wanted.length ? await firstInstalled(wanted) : await anyPython());
  if (p) return p;
  const found = (await discoverPythons()).map((i) => i.version).join(', ') || 'none';
  throw new FailureError(
    `no installed Python among ${wanted.join(', ')} (found: ${found}) to resolve the dependencies with`
  );
}

/** Resolves the dependencies once per interpreter, platform and wheel for all formats of a run. */
export function depsFor(
  c: PackageContext,
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
      (r) => c.cacheReports.push(r),
      c.installer
    );
    c.resolved.set(key, p);
  }
  return p;
}

/** `name-version`, the stem of every packaged file's name. */
export function stem(c: PackageContext, w: LocalWheel): string {
  return `${c.model.name}-${c.model.version ?? w.version}`;
}

/** The manifest entry of a file a format wrote into OUT. */
export async function fileEntry(
  c: PackageContext,
  file: string,
  kind: ArtifactKind,
  extra: Partial<ArtifactEntry>
): Promise<ArtifactEntry> {
  const abs = path.join(c.outDir, file);
  const { size } = await fs.stat(abs);
  return { file, kind, sha256: await sha256File(abs), size, ...extra };
}
