import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import {
  Engine,
  Mount,
  execArgs,
  imageInspectArgs,
  removeArgs,
  runArgs
} from '../runtime/container.js';
import { onInterrupt } from '../runtime/cleanup.js';
import { passedEnv } from '../runtime/childenv.js';
import { execCapture } from '../runtime/exec.js';
import { Logger } from '../runtime/log.js';
import { anyPython } from '../runtime/python.js';
import { cacheRoot } from '../runtime/toolenv.js';
import { auditwheelVersion } from './auditwheel.js';
import { CONTAINER_ENVS } from './container-env.js';
import { processSetup } from './env.js';
import { Executor, StepError } from './executor.js';
import { BuildEnvironment } from './types.js';
import { CONTAINER_WHEELHOUSE } from './wheelhouse.js';

type IndexOpts = Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>;

/** Where the work directory appears inside the container. */
export const CONTAINER_WORK = '/albatross';

export interface ContainerSession {
  engine: Engine;
  image: string;
  /** Wheel platform tag = auditwheel policy, e.g. `manylinux_2_28_x86_64`. */
  platformTag: string;
  name: string;
  /** Host directory mounted at CONTAINER_WORK. */
  hostWork: string;
  source: PackageSource;
  /** Source `wheelhouse`: the host directory mounted read-only at CONTAINER_WHEELHOUSE. */
  hostWheelhouse: string | null;
  /** The host interpreter whose pip fills the wheelhouse. */
  hostPython: string | null;
  /** The project's `[build-system] requires`, backend and backend-path. */
  buildRequires: string[];
  backend: string;
  backendPath: string[];
  /** The image's ID (keys the cached build envs), null when the engine did not say. */
  imageId: string | null;
  /** The host directory of cached build envs, mounted at CONTAINER_ENVS. */
  hostEnvs: string;
  /** `uid:gid` of the caller, who gets back what the container writes. */
  owner: string;
  /** auditwheel's version when the image has it (`command -v auditwheel`), else null. */
  auditwheel: string | null;
  opts: Options;
  benv?: BuildEnvironment;
  close(): Promise<void>;
}

/** Local directories behind index options (file:// URLs and plain paths), mounted read-only. */
export function localIndexDirs(
  opts: Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks'>
): string[] {
  const dirs: string[] = [];
  for (const u of [opts.indexUrl, ...opts.extraIndexUrl, ...opts.findLinks].filter(Boolean)) {
    // A file:// index's `simple/` pages usually link to files beside it: mount its parent.
    if (u.startsWith('file://'))
      dirs.push(decodeURIComponent(new URL(u).pathname).replace(/\/simple\/?$/, '') || '/');
    else if (u.startsWith('/')) dirs.push(u);
  }
  return [...new Set(dirs)].sort();
}

/**
 * How a container build reaches packages. `container-network = host`: pip inside uses the index
 * options on the host's network. Otherwise the container is offline: when every index pip would
 * read is a local directory those are mounted read-only and read in place; a remote one (pip's
 * default PyPI included) is resolved on the host into a wheelhouse.
 */
export type PackageSource = 'host-network' | 'local-mounts' | 'wheelhouse';

export function packageSource(opts: IndexOpts & Pick<Options, 'containerNetwork'>): PackageSource {
  if (opts.containerNetwork === 'host') return 'host-network';
  const read = opts.noIndex
    ? opts.findLinks
    : [opts.indexUrl, ...opts.extraIndexUrl, ...opts.findLinks].filter(Boolean);
  const local = read.every((u) => u.startsWith('file://') || u.startsWith('/'));
  return local && (opts.noIndex || opts.indexUrl !== '') ? 'local-mounts' : 'wheelhouse';
}

/**
 * `docker run` spec of the long-lived build container (pure, table-tested): the work dir, and
 * the wheelhouse or the local index directories that exist, read-only; no network unless
 * `host-network`.
 */
export function sessionRunArgs(
  engine: Engine,
  a: {
    image: string;
    name: string;
    hostWork: string;
    source: PackageSource;
    hostWheelhouse: string;
    hostEnvs: string;
    opts: Options;
    existing: (p: string) => boolean;
    /** More bind mounts (the compiler cache's directory and executable). */
    extraMounts?: Mount[];
  }
): string[] {
  const mounts: Mount[] = [
    { source: a.hostWork, target: CONTAINER_WORK },
    { source: a.hostEnvs, target: CONTAINER_ENVS },
    ...(a.extraMounts ?? [])
  ];
  if (a.source === 'wheelhouse')
    mounts.push({ source: a.hostWheelhouse, target: CONTAINER_WHEELHOUSE, readonly: true });
  else
    for (const d of localIndexDirs(a.opts))
      if (a.existing(d)) mounts.push({ source: d, target: d, readonly: true });
  return runArgs(engine, {
    image: a.image,
    name: a.name,
    network: a.source === 'host-network' ? 'host' : 'none',
    mounts,
    detach: true,
    rm: true,
    command: ['sleep', 'infinity']
  });
}

const SOURCE_NOTE: Record<PackageSource, string> = {
  'host-network': 'host network',
  'local-mounts': 'offline (local indexes mounted read-only)',
  wheelhouse: 'offline (wheelhouse from the host)'
};

/**
 * Starts the build container: the work dir bind-mounted; offline with a read-only wheelhouse, or
 * on the host's network with local indexes read-only (`container-network`).
 */
export async function openContainerSession(a: {
  engine: Engine;
  model: ProjectModel;
  opts: Options;
  log: Logger;
  workRoot: string;
  benv?: BuildEnvironment;
  image?: string;
  platformTag?: string;
  /** More bind mounts; writable ones are handed back to the caller on close. */
  mounts?: Mount[];
}): Promise<ContainerSession> {
  const engine = a.engine;
  const image = a.image || a.opts.image;
  if (!image) throw new StepError('container build without an image (set image)', '');
  const hostWork = path.join(a.workRoot, 'container');
  await fs.mkdir(hostWork, { recursive: true });
  const source = packageSource(a.opts);
  const hostWheelhouse = path.join(a.workRoot, 'wheelhouse');
  let hostPython: string | null = null;
  if (source === 'wheelhouse') {
    await fs.mkdir(hostWheelhouse, { recursive: true });
    hostPython = (await anyPython())?.executable ?? null;
    if (!hostPython)
      throw new StepError(
        'container-network = none: no Python with pip on the host to fill the wheelhouse (install one, or set container-network = host)',
        ''
      );
  }
  const hostEnvs = path.join(cacheRoot(a.opts), 'container-envs');
  await fs.mkdir(hostEnvs, { recursive: true });
  const name = `albatross-build-${randomBytes(6).toString('hex')}`;
  const existing = new Set<string>();
  for (const d of source === 'wheelhouse' ? [] : localIndexDirs(a.opts))
    if (
      await fs.stat(d).then(
        () => true,
        () => false
      )
    )
      existing.add(d);
  const argv = sessionRunArgs(engine, {
    image,
    name,
    hostWork,
    source,
    hostWheelhouse,
    hostEnvs,
    opts: a.opts,
    existing: (d) => existing.has(d),
    extraMounts: a.mounts
  });
  // The build runs in the engine, out of reach of our process groups: an interrupt removes the
  // container itself (registered before `run`, which an interrupt may overtake).
  const forget = onInterrupt(() => execCapture(removeArgs(engine, name), { timeoutMs: 20_000 }));
  const id = await execCapture(imageInspectArgs(engine, image));
  const r = await execCapture(argv, { timeoutMs: 10 * 60_000 });
  if (r.code !== 0) {
    forget();
    throw new StepError(
      `could not start the build container from ${image} (${engine})`,
      `$ ${argv.join(' ')}\n${r.output}`
    );
  }
  const probe = await execCapture(execArgs(engine, name, ['auditwheel', '--version']));
  const auditwheel = probe.code === 0 ? (auditwheelVersion(probe.output) ?? 'unknown') : null;
  const platformTag = a.platformTag ?? 'linux';
  a.log.info(
    `container ${name}: ${image} via ${engine}, ${SOURCE_NOTE[source]}${auditwheel ? `, auditwheel ${auditwheel} repair to ${platformTag}` : ', no auditwheel in the image: wheels will not be repaired'}`
  );
  const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
  return {
    engine,
    image,
    platformTag,
    name,
    hostWork,
    source,
    hostWheelhouse: source === 'wheelhouse' ? hostWheelhouse : null,
    hostPython,
    buildRequires: a.model.buildRequires,
    backend: a.model.backend,
    backendPath: a.model.backendPath,
    imageId: id.code === 0 && id.stdout.trim() ? id.stdout.trim() : null,
    hostEnvs,
    owner,
    auditwheel,
    opts: a.opts,
    benv: a.benv,
    close: async () => {
      // Files made by root in the bind mount are handed back to the caller before removal.
      const writable = (a.mounts ?? []).filter((m) => !m.readonly).map((m) => m.target);
      await execCapture(
        execArgs(engine, name, ['chown', '-R', owner, CONTAINER_WORK, ...writable])
      );
      await execCapture(removeArgs(engine, name));
      forget();
    }
  };
}

/** Executor running argv inside the session's container with a fixed environment and umask. */
export function containerExecutor(
  s: ContainerSession,
  env: Record<string, string>,
  umask: string
): Executor {
  return {
    run: async (argv, o = {}) => {
      const t0 = Date.now();
      const inner = ['/bin/sh', '-c', `umask ${umask}; exec "$@"`, 'sh', ...argv];
      const r = await execCapture(
        execArgs(s.engine, s.name, inner, { env: { ...env, ...(o.env ?? {}) }, workdir: o.cwd }),
        { timeoutMs: o.timeoutMs }
      );
      return { ...r, seconds: (Date.now() - t0) / 1000 };
    }
  };
}

/** Strings from processSetup that go into the container (of the host's own variables, only `pass-env`'s). */
export function containerEnv(
  s: ContainerSession,
  index: IndexOpts,
  sde: number,
  buildDir: string | null
): { env: Record<string, string>; umask: string } {
  const setup = processSetup(
    { ...index, passEnv: s.opts.passEnv },
    sde,
    buildDir,
    { releasePins: s.benv?.releasePins, extraEnv: s.benv?.extraEnv },
    passedEnv(s.opts.passEnv)
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(setup.env)) if (v !== undefined) env[k] = v;
  const umask = /umask (\d+);/.exec(setup.wrap([])[2])?.[1] ?? '022';
  return { env, umask };
}
