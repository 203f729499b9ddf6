import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ConfigError } from '../errors.js';
import { resolveFormats } from '../package/formats/index.js';
import { BUCKET_NAMES, Bucket, RUNNERS, bucketOf, optionName } from './buckets.js';
import { PINNED_IMAGES } from './images.js';
import { BuildPlan, PlanJob } from './model.js';
import { planPythons } from './pythons.js';

/**
 * ProjectModel + Options → jobs and the GitHub matrix. Pure: no I/O. Pure-Python projects
 * get one job (sdist + one `any` wheel, tested on every Python); native projects one job per
 * platform bucket listing its Pythons (abi3: only the lowest).
 */
export function planBuild(model: ProjectModel, opts: Options): BuildPlan {
  for (const key of Object.keys(opts.images)) {
    if (!(BUCKET_NAMES as readonly string[]).includes(key)) {
      throw new ConfigError(
        `${optionName('images')}: unknown platform bucket '${key}' (expected ${BUCKET_NAMES.join(', ')})`
      );
    }
  }
  const pythons = planPythons(model, opts.python, opts.targetPythons);
  const include = model.native ? nativeJobs(model, opts, pythons) : [pureJob(opts, pythons)];
  const application = Object.keys(model.entryPoints.console_scripts ?? {}).length > 0;
  return {
    project: { name: model.name, version: model.version, native: model.native, abi3: model.abi3 },
    matrix: { include },
    application,
    formats: resolveFormats(opts, application).map((f) => f.name)
  };
}

function pureJob(opts: Options, pythons: string[]): PlanJob {
  const container = opts.mode === 'container';
  const job: PlanJob = {
    id: 'any',
    'runs-on': RUNNERS.linuxX64,
    platform: 'any',
    python: pythons,
    bucket: 'any',
    sdist: opts.sdist,
    mode: container ? 'container' : 'host',
    arch: 'any',
    qemu: false
  };
  if (container) job.image = imageFor(bucketOf('manylinux-x86_64', opts.manylinux), opts);
  return job;
}

function nativeJobs(model: ProjectModel, opts: Options, pythons: string[]): PlanJob[] {
  const names = [...new Set(opts.platforms)];
  if (!names.length)
    throw new ConfigError(
      `${optionName('platforms')}: no platform bucket given for a native project`
    );
  const buildPythons = model.abi3 ? pythons.slice(0, 1) : pythons;
  return names.map((name, i) => {
    const b = bucketOf(name, opts.manylinux);
    const qemu = opts.qemu && b.qemuRunsOn !== undefined;
    const mode = b.os === 'linux' && opts.mode !== 'host' ? 'container' : 'host';
    const job: PlanJob = {
      id: b.name,
      'runs-on': qemu ? b.qemuRunsOn! : b.runsOn,
      platform: b.platform,
      python: buildPythons,
      bucket: b.name,
      sdist: opts.sdist && i === 0,
      mode,
      arch: b.arch,
      qemu
    };
    if (mode === 'container') job.image = imageFor(b, opts);
    return job;
  });
}

/** `image` (this run) > `images[bucket]` > the pinned default for the bucket and policy. */
export function imageFor(b: Bucket, opts: Pick<Options, 'image' | 'images'>): string {
  if (opts.image) return opts.image;
  if (opts.images[b.name]) return opts.images[b.name];
  const pinned = PINNED_IMAGES[b.name]?.[b.policy ?? ''];
  if (!pinned) {
    throw new ConfigError(
      `${optionName('images')}: no default image for ${b.name} with policy ${b.policy}; set images.${b.name}`
    );
  }
  return pinned;
}
