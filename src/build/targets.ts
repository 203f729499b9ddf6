import * as os from 'node:os';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ConfigError, NothingToDoError } from '../errors.js';
import { bucketOf } from '../plan/buckets.js';
import { imageFor } from '../plan/index.js';
import { Logger } from '../runtime/log.js';
import { discoverPythons } from '../runtime/python.js';
import { resolveMode } from './mode.js';

/** What one local build run targets: its Pythons, its mode and, for containers, image and tag. */
export interface BuildTargets {
  pythons: string[];
  mode: 'host' | 'container';
  image?: string;
  platformTag?: string;
  /** The job's label in reports: its platform bucket (`any` for pure wheels). */
  job: string;
}

const HOST_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

/** The container bucket for this machine: the first Linux bucket of `platforms` of the host's arch. */
export function containerTarget(
  opts: Options,
  arch = os.arch()
): { image: string; platformTag: string } {
  const want = HOST_ARCH[arch] ?? arch;
  const name = opts.platforms.find((p) => p.endsWith(`-${want}`) && /^(many|musl)linux-/.test(p));
  if (!name)
    throw new ConfigError(
      `platforms: no manylinux/musllinux bucket for this machine's architecture (${want}) in ${opts.platforms.join(', ')}`
    );
  // The plan's choice of image, so a local build and its matrix job use the same one.
  const bucket = bucketOf(name, opts.manylinux);
  return { image: imageFor(bucket, opts), platformTag: bucket.platform };
}

/**
 * Pythons and mode for build, package and verify alike. Explicit `python` wins (a missing one
 * fails later, naming it); otherwise the model's versions, and in host mode only the installed
 * ones unless `missing-python` is `error`, with a notice naming those skipped.
 */
export async function resolveBuildTargets(
  model: ProjectModel,
  opts: Options,
  log: Logger
): Promise<BuildTargets> {
  const mode = await resolveMode(model, opts, log);
  let pythons: string[];
  if (opts.python.length) {
    pythons = opts.python;
  } else {
    if (!model.pythonVersions.length)
      throw new NothingToDoError(
        `no target Python satisfies requires-python ${model.requiresPython ?? ''}`.trim()
      );
    pythons = model.pythonVersions;
    if (mode === 'host' && opts.missingPython === 'skip') {
      const installed = new Set((await discoverPythons()).map((p) => p.version));
      const skipped = pythons.filter((v) => !installed.has(v));
      pythons = pythons.filter((v) => installed.has(v));
      if (skipped.length)
        (log.notice ?? log.info)(
          `skipping Python ${skipped.join(', ')} (not installed here; pass python or missing-python = error to require them)`
        );
      if (!pythons.length)
        throw new ConfigError(
          `python: none of ${model.pythonVersions.join(', ')} is installed here (searched PATH, pyenv and the runner tool cache)`
        );
    }
  }
  const target = mode === 'container' ? containerTarget(opts) : undefined;
  const host = `${process.platform}-${HOST_ARCH[os.arch()] ?? os.arch()}`;
  const job = target?.platformTag ?? (model.native ? host : 'any');
  return { pythons, mode, image: target?.image, platformTag: target?.platformTag, job };
}
