import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ArtifactEntry, RepairInfo, TestResult } from '../manifest/model.js';
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
import { extractMembers } from '../runtime/extract.js';
import { Logger } from '../runtime/log.js';
import { pipIndexArgs } from '../runtime/pip.js';
import { anyPython, cpTag } from '../runtime/python.js';
import { cacheRoot } from '../runtime/toolenv.js';
import { walkZip } from '../runtime/zipread.js';
import { auditwheelVersion, repairArgs, repairFailure, repairInfo } from './auditwheel.js';
import { missingBuildDeps, noIsolationWheelArgs } from './buildenv.js';
import { CONTAINER_ENVS, containerBuildEnv, containerEnvKey } from './container-env.js';
import { processSetup } from './env.js';
import { Executor, StepError, StepLog, hostExecutor, step } from './executor.js';
import { onlyOutput } from './host.js';
import { BuildEnvironment } from './index.js';
import { Member } from './normalize/archive.js';
import { stageWheel } from './normalize/wheel.js';
import { hardRequirements, runWheelTest } from './testinstall.js';
import {
  CONTAINER_WHEELHOUSE,
  SYS_TAGS_SCRIPT,
  downloadArgs,
  missingRequirements,
  targetArgs,
  wheelhouseIndex
} from './wheelhouse.js';
import { wheelContents } from './wheelinfo.js';

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

export interface ContainerWheel {
  file: string;
  data: Buffer;
  entry: Omit<ArtifactEntry, 'sha256' | 'size' | 'file'>;
  test?: TestResult;
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
  }
): string[] {
  const mounts: Mount[] = [
    { source: a.hostWork, target: CONTAINER_WORK },
    { source: a.hostEnvs, target: CONTAINER_ENVS }
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
    existing: (d) => existing.has(d)
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
      await execCapture(execArgs(engine, name, ['chown', '-R', owner, CONTAINER_WORK]));
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
function containerEnv(
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

/**
 * The wheelhouse of one Python in an offline session: `add(requirements)` has the host's pip
 * download them (with their dependencies) for the container interpreter's tags.
 */
interface Wheelhouse {
  /** Index options for pip inside the container (only this wheelhouse). */
  index: IndexOpts;
  add(what: string, requirements: string[]): Promise<void>;
}

function wheelhouseFor(
  s: ContainerSession,
  a: { version: string; tags: string[]; sde: number; log: StepLog }
): Wheelhouse | null {
  if (!s.hostWheelhouse || !s.hostPython) return null;
  const dir = path.join(s.hostWheelhouse, `py${a.version}`);
  const target = targetArgs(a.version, a.tags);
  const hostPython = s.hostPython;
  // The host's own environment (its pip configuration included) with the index options.
  const ex = hostExecutor(processSetup(s.opts, a.sde, null, { extraEnv: s.benv?.extraEnv }));
  return {
    index: wheelhouseIndex(`${CONTAINER_WHEELHOUSE}/py${a.version}`),
    add: async (what, requirements) => {
      if (!requirements.length) return;
      await fs.mkdir(dir, { recursive: true });
      try {
        await step(
          ex,
          a.log,
          `downloading ${what} for the offline container (pip download)`,
          downloadArgs(hostPython, dir, target, requirements),
          { timeoutMs: 30 * 60_000 }
        );
      } catch (e) {
        if (!(e instanceof StepError)) throw e;
        throw new StepError(
          `${e.message}: no wheel for the container's Python ${a.version} and platform among the indexes? (container-network = host lets pip inside reach the index and build from sdists)`,
          e.log
        );
      }
    }
  };
}

/**
 * Builds the wheel with the image's pip (an isolated PEP 517 build, as on the host). Offline, a
 * requirement pip cannot find (a backend's dynamic `get_requires_for_build_wheel`) is added to
 * the wheelhouse and the build tried again, a few times at most.
 */
async function pipWheel(
  ex: Executor,
  log: StepLog,
  house: Wheelhouse | null,
  a: { py: string; src: string; out: string }
): Promise<void> {
  const argv = [
    a.py,
    '-m',
    'pip',
    'wheel',
    '--no-deps',
    '--use-pep517',
    '--wheel-dir',
    a.out,
    a.src
  ];
  const tried = new Set<string>();
  for (let round = 0; ; round++) {
    const r = log.add(await ex.run(argv, { cwd: a.src }));
    if (r.code === 0) return;
    const missing = house ? missingRequirements(r.output).filter((m) => !tried.has(m)) : [];
    if (!missing.length || round >= 3)
      throw new StepError(`wheel build (pip wheel) failed (exit code ${r.code})`, log.text);
    missing.forEach((m) => tried.add(m));
    await house!.add('dynamic build requirements', missing);
  }
}

/**
 * Builds without isolation in the cached build env of the image's interpreter (see
 * container-env.ts) after checking the backend's dynamic requirements; false when there is no
 * such env or it lacks a dynamic requirement (the caller builds isolated).
 */
async function buildInCachedEnv(
  s: ContainerSession,
  ex: Executor,
  log: StepLog,
  logger: Logger,
  a: { py: string; src: string; out: string; download: () => Promise<void> }
): Promise<boolean> {
  const reqs = [...new Set(s.buildRequires.map((r) => r.trim()))].sort();
  // Anything pip would read as an option (or no requirement at all) is left to isolation.
  if (!s.imageId || !reqs.length || reqs.some((r) => !r || r.startsWith('-'))) return false;
  const env = await containerBuildEnv({
    ex,
    log,
    hostEnvs: s.hostEnvs,
    key: containerEnvKey({
      imageId: s.imageId,
      python: a.py,
      requires: reqs,
      packages: [s.source, ...pipIndexArgs(s.opts)]
    }),
    py: a.py,
    requires: reqs,
    owner: s.owner,
    about: { image: s.image, imageId: s.imageId, python: a.py },
    prepare: a.download
  });
  if (!env) return false;
  const r = log.add(
    await ex.run([env.python, env.check, a.src, s.backend, ...s.backendPath], { cwd: a.src })
  );
  if (r.code !== 0) {
    if (!missingBuildDeps(r.output))
      throw new StepError(
        `checking the wheel build requirements failed (exit code ${r.code})`,
        log.text
      );
    logger.debug('the cached build env lacks a dynamic build requirement; building isolated');
    return false;
  }
  await step(
    ex,
    log,
    'wheel build (pip wheel --no-build-isolation)',
    noIsolationWheelArgs(env.python, a.out, a.src),
    { cwd: a.src }
  );
  return true;
}

/**
 * `auditwheel repair` of a platform wheel; a failure fails the wheel with auditwheel's words.
 * Returns the repaired wheel and what auditwheel decided.
 */
async function repairWheel(
  s: ContainerSession,
  ex: Executor,
  log: StepLog,
  a: { built: string; hostOut: string; out: string }
): Promise<{ wheel: string; output: string }> {
  const argv = repairArgs({ platformTag: s.platformTag, outDir: a.out, wheel: a.built });
  const r = log.add(await ex.run(argv));
  if (r.code !== 0)
    throw new StepError(
      `auditwheel repair failed (exit code ${r.code}): ${repairFailure(r.output)}`,
      log.text
    );
  const files = await fs.readdir(a.hostOut).catch(() => [] as string[]);
  const wheels = files.filter((f) => f.endsWith('.whl'));
  if (wheels.length !== 1)
    throw new StepError(
      `auditwheel repair wrote ${wheels.length} wheels (expected one): ${repairFailure(r.output)}`,
      log.text
    );
  return { wheel: path.join(a.hostOut, wheels[0]), output: r.output };
}

async function memberNames(data: Buffer): Promise<string[]> {
  const names: string[] = [];
  await walkZip(data, async (e) => {
    names.push(e.name);
  });
  return names;
}

/**
 * One Python's wheel inside the container: unpacked sdist → the interpreter's tags (offline: the
 * build requirements downloaded for them) → an isolated PEP 517 build with the image's
 * `/opt/python/<tag>/bin/python` (`pip wheel`) → `auditwheel repair` of platform wheels when the
 * image has it → normalised on the host (after repair, which re-zips) → installed into a venv
 * inside the container and tested.
 */
export async function buildWheelInContainer(
  s: ContainerSession,
  a: { version: string; members: Member[]; sde: number; log: StepLog; logger: Logger }
): Promise<ContainerWheel> {
  const tag = cpTag(a.version);
  const py = `/opt/python/${tag}-${tag}/bin/python`;
  const hostBase = path.join(s.hostWork, `py${a.version}`);
  const base = `${CONTAINER_WORK}/py${a.version}`;
  await fs.rm(hostBase, { recursive: true, force: true });
  await extractMembers('the sdist', a.members, path.join(hostBase, 'src'));
  const top = a.members[0].name.split('/')[0];
  const src = `${base}/src/${top}`;
  const probe = containerExecutor(s, {}, '022');
  const what = `finding Python ${a.version} in ${s.image} (${py})`;
  // A wheelhouse is filled for the interpreter's own tags; otherwise it only has to be there.
  let house: Wheelhouse | null = null;
  if (s.hostWheelhouse) {
    const tags = await step(probe, a.log, what, [py, '-c', SYS_TAGS_SCRIPT]);
    house = wheelhouseFor(s, {
      version: a.version,
      tags: tags.stdout.split('\n').filter(Boolean),
      sde: a.sde,
      log: a.log
    });
  } else await step(probe, a.log, what, ['test', '-x', py]);
  const index = house?.index ?? s.opts;
  const build = containerEnv(s, index, a.sde, src);
  const ex = containerExecutor(s, build.env, build.umask);
  let downloaded = false;
  const download = async (): Promise<void> => {
    if (!downloaded) await house?.add('build requirements', s.buildRequires);
    downloaded = true;
  };
  if (
    !(await buildInCachedEnv(s, ex, a.log, a.logger, { py, src, out: `${base}/out`, download }))
  ) {
    await download();
    await pipWheel(ex, a.log, house, { py, src, out: `${base}/out` });
  }
  let built = await onlyOutput(path.join(hostBase, 'out'), '.whl', a.log);
  const platform = !built.endsWith('-any.whl');
  let repair: RepairInfo | undefined;
  let repairOutput: string | null = null;
  if (platform && s.auditwheel) {
    const r = await repairWheel(s, ex, a.log, {
      built: `${base}/out/${path.basename(built)}`,
      hostOut: path.join(hostBase, 'repaired'),
      out: `${base}/repaired`
    });
    built = r.wheel;
    repairOutput = r.output;
  }
  const staged = await stageWheel(built, a.sde, path.join(hostBase, 'staged'), a.version);
  const { file, data } = staged;
  if (repairOutput !== null)
    repair = repairInfo({
      version: s.auditwheel,
      requested: s.platformTag,
      output: repairOutput,
      platformTags: staged.entry.platformTag.split('.'),
      members: await memberNames(data)
    });
  const entry: ContainerWheel['entry'] = {
    ...staged.entry,
    ...(platform ? { repaired: repair !== undefined } : {}),
    ...(repair ? { repair } : {}),
    details: {
      container: {
        image: s.image,
        engine: s.engine,
        policy: s.platformTag,
        network: s.source === 'host-network' ? 'host' : 'none'
      }
    }
  };
  if (platform && !repair)
    a.logger.warn(
      `${file}: not repaired (the image has no auditwheel); it keeps its ${entry.platformTag} tag`
    );
  else if (repair)
    a.logger.info(
      `${file}: auditwheel ${repair.policy}${repair.grafted.length ? `, grafted ${repair.grafted.join(', ')}` : ', nothing to graft'}`
    );
  let test: TestResult | undefined;
  if (s.opts.test) {
    const stagedHost = path.join(hostBase, 'staged', file);
    const contents = await wheelContents(stagedHost);
    const t = containerEnv(s, index, a.sde, null);
    const tex = containerExecutor(s, t.env, t.umask);
    const venv = `${base}/test/venv`;
    await step(tex, a.log, 'creating the test venv', [
      py,
      '-m',
      'venv',
      ...(s.opts.testCommand ? [] : ['--without-pip']),
      venv
    ]);
    const pip = s.opts.testCommand
      ? [`${venv}/bin/python`, '-m', 'pip']
      : [py, '-m', 'pip', '--python', `${venv}/bin/python`];
    // Dependencies resolve through pip inside the container: from the index options on the host
    // network, from the wheelhouse offline (the host's wheel cache holds host-platform wheels).
    const deps = hardRequirements(contents.requires).length > 0;
    if (deps) await house?.add('test dependencies', [stagedHost]);
    await step(tex, a.log, 'installing the wheel into the test venv', [
      ...pip,
      'install',
      '--quiet',
      ...(deps ? [] : ['--no-index', '--no-deps']),
      `${base}/staged/${file}`
    ]);
    await step(tex, a.log, 'test directory', ['mkdir', '-p', `${base}/test/cwd`]);
    test = await runWheelTest(
      tex,
      {
        venvPython: `${venv}/bin/python`,
        venvBin: `${venv}/bin`,
        cwd: `${base}/test/cwd`,
        testCommand: s.opts.testCommand,
        contents
      },
      a.log
    );
  }
  return { file, data, entry, test };
}
