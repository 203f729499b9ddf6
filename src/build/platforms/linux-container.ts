import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../../config/options.js';
import { TestResult } from '../../manifest/model.js';
import { pipIndexArgs } from '../../runtime/pip.js';
import { cpTag } from '../../runtime/python.js';
import { walkZip } from '../../runtime/zipread.js';
import { parseWheelName } from '../../runtime/wheelname.js';
import { repairArgs, repairFailure, repairInfo } from '../auditwheel.js';
import { BuildEnv } from '../buildenv.js';
import { CONTAINER_WORK, ContainerSession, containerEnv, containerExecutor } from '../container.js';
import { containerBuildEnv, containerEnvKey } from '../container-env.js';
import { processSetup } from '../env.js';
import { Executor, StepError, StepLog, hostExecutor, step } from '../executor.js';
import { FrontendPlan, runFrontend } from '../pep517.js';
import { hardRequirements, runWheelTest } from '../testinstall.js';
import {
  CONTAINER_WHEELHOUSE,
  SYS_TAGS_SCRIPT,
  downloadArgs,
  targetArgs,
  wheelhouseIndex
} from '../wheelhouse.js';
import { WheelContents } from '../wheelinfo.js';
import { CompilerCache, NO_COMPILER_CACHE } from './compiler-cache.js';
import { JobDirs, PlatformSession, Repaired, WheelJob } from './types.js';

type IndexOpts = Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>;

/**
 * Linux wheels in a manylinux/musllinux container (the session of container.ts): built by the
 * image's `/opt/python/<tag>/bin/python`, repaired by the image's auditwheel, tested in a venv
 * inside the container. Offline, the host fills a read-only wheelhouse for each interpreter.
 */
export function linuxContainerPlatform(
  s: ContainerSession,
  cache: CompilerCache = NO_COMPILER_CACHE
): PlatformSession {
  // Per Python: the interpreter's wheelhouse (offline) and the index options pip inside uses.
  const houses = new Map<string, { house: Wheelhouse | null; index: IndexOpts }>();
  const py = (version: string): string => {
    const tag = cpTag(version);
    return `/opt/python/${tag}-${tag}/bin/python`;
  };
  return {
    name: 'linux-container',
    dirs: (job) => ({
      host: path.join(s.hostWork, `py${job.version}`),
      inner: `${CONTAINER_WORK}/py${job.version}`
    }),
    details: {
      container: {
        image: s.image,
        engine: s.engine,
        policy: s.platformTag,
        network: s.source === 'host-network' ? 'host' : 'none'
      }
    },
    async build(job, dirs, top) {
      const where = await packagesFor(s, job, py(job.version));
      houses.set(job.version, where);
      const src = `${dirs.inner}/src/${top}`;
      const build = containerEnv(s, where.index, job.sde, src);
      const cc = await cache.envFor(dirs, src, path.join(dirs.host, 'src', top));
      const ex = containerExecutor(s, { ...build.env, ...cc }, build.umask);
      let downloaded = false;
      const download = async (): Promise<void> => {
        if (!downloaded) await where.house?.add('build requirements', s.buildRequires);
        downloaded = true;
      };
      const plan: FrontendPlan = {
        cached: await cachedEnv(s, ex, job.log, py(job.version), download),
        isolated: { kind: 'pip', python: py(job.version) },
        beforeIsolated: download,
        provide: where.house
          ? (missing) => where.house!.add('dynamic build requirements', missing)
          : undefined
      };
      try {
        return await runFrontend(ex, job.log, plan, {
          kind: 'wheel',
          src,
          out: `${dirs.inner}/out`,
          hostOut: path.join(dirs.host, 'out'),
          backend: s.backend,
          backendPath: s.backendPath,
          logger: job.logger
        });
      } finally {
        await cache.collect(job, dirs, ex);
      }
    },
    async repair(job, dirs, wheel) {
      if (!s.auditwheel) return { wheel, skipped: 'the image has no auditwheel' };
      return repairWheel(s, job, dirs, wheel);
    },
    async test(job, dirs, staged, contents, top) {
      const where = houses.get(job.version) ?? { house: null, index: s.opts };
      return testInContainer(s, job, dirs, py(job.version), where, staged, contents, top);
    },
    close: async () => {
      try {
        await cache.close();
      } finally {
        await s.close();
      }
    }
  };
}

/**
 * Where pip inside finds packages for one interpreter: offline, a wheelhouse the host fills
 * for the interpreter's own tags; otherwise the index options (host network or local mounts).
 * Also checks the interpreter is there.
 */
async function packagesFor(
  s: ContainerSession,
  job: WheelJob,
  py: string
): Promise<{ house: Wheelhouse | null; index: IndexOpts }> {
  const probe = containerExecutor(s, {}, '022');
  const what = `finding Python ${job.version} in ${s.image} (${py})`;
  if (!s.hostWheelhouse) {
    await step(probe, job.log, what, ['test', '-x', py]);
    return { house: null, index: s.opts };
  }
  const tags = await step(probe, job.log, what, [py, '-c', SYS_TAGS_SCRIPT]);
  const house = wheelhouseFor(s, {
    version: job.version,
    tags: tags.stdout.split('\n').filter(Boolean),
    sde: job.sde,
    log: job.log
  });
  return { house, index: house?.index ?? s.opts };
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
 * The cached build env of the image's interpreter (see container-env.ts), as the frontend's
 * env to build in without isolation; null when there is none for this build.
 */
async function cachedEnv(
  s: ContainerSession,
  ex: Executor,
  log: StepLog,
  py: string,
  download: () => Promise<void>
): Promise<BuildEnv | null> {
  const reqs = [...new Set(s.buildRequires.map((r) => r.trim()))].sort();
  // Anything pip would read as an option (or no requirement at all) is left to isolation.
  if (!s.imageId || !reqs.length || reqs.some((r) => !r || r.startsWith('-'))) return null;
  const env = await containerBuildEnv({
    ex,
    log,
    hostEnvs: s.hostEnvs,
    key: containerEnvKey({
      imageId: s.imageId,
      python: py,
      requires: reqs,
      packages: [s.source, ...pipIndexArgs(s.opts)]
    }),
    py,
    requires: reqs,
    owner: s.owner,
    about: { image: s.image, imageId: s.imageId, python: py },
    prepare: download
  });
  return env ? { kind: 'pip', python: env.python, check: env.check } : null;
}

/**
 * `auditwheel repair` of a platform wheel; a failure fails the wheel with auditwheel's words.
 * The record of what it decided is read from the repaired wheel (its tags and grafted members).
 */
async function repairWheel(
  s: ContainerSession,
  job: WheelJob,
  dirs: JobDirs,
  built: string
): Promise<Repaired> {
  const build = containerEnv(s, s.opts, job.sde, null);
  const ex = containerExecutor(s, build.env, build.umask);
  const hostOut = path.join(dirs.host, 'repaired');
  const argv = repairArgs({
    platformTag: s.platformTag,
    outDir: `${dirs.inner}/repaired`,
    wheel: `${dirs.inner}/out/${path.basename(built)}`
  });
  const r = job.log.add(await ex.run(argv));
  if (r.code !== 0)
    throw new StepError(
      `auditwheel repair failed (exit code ${r.code}): ${repairFailure(r.output)}`,
      job.log.text
    );
  const wheels = (await fs.readdir(hostOut).catch(() => [] as string[])).filter((f) =>
    f.endsWith('.whl')
  );
  if (wheels.length !== 1)
    throw new StepError(
      `auditwheel repair wrote ${wheels.length} wheels (expected one): ${repairFailure(r.output)}`,
      job.log.text
    );
  const wheel = path.join(hostOut, wheels[0]);
  const info = repairInfo({
    version: s.auditwheel,
    requested: s.platformTag,
    output: r.output,
    platformTags: parseWheelName(wheel)?.platformTags ?? [],
    members: await memberNames(await fs.readFile(wheel))
  });
  return { wheel, info };
}

async function memberNames(data: Buffer): Promise<string[]> {
  const names: string[] = [];
  await walkZip(data, async (e) => {
    names.push(e.name);
  });
  return names;
}

/**
 * Installs the staged wheel into a venv inside the container and tests it. Dependencies resolve
 * through pip inside: from the index options on the host network, from the wheelhouse offline
 * (the host's wheel cache holds host-platform wheels).
 */
async function testInContainer(
  s: ContainerSession,
  job: WheelJob,
  dirs: JobDirs,
  py: string,
  where: { house: Wheelhouse | null; index: IndexOpts },
  staged: string,
  contents: WheelContents,
  top: string
): Promise<TestResult> {
  const t = containerEnv(s, where.index, job.sde, null);
  const tex = containerExecutor(s, t.env, t.umask);
  const venv = `${dirs.inner}/test/venv`;
  const inner = `${dirs.inner}/${path.relative(dirs.host, staged)}`;
  await step(tex, job.log, 'creating the test venv', [
    py,
    '-m',
    'venv',
    ...(s.opts.testCommand ? [] : ['--without-pip']),
    venv
  ]);
  const pip = s.opts.testCommand
    ? [`${venv}/bin/python`, '-m', 'pip']
    : [py, '-m', 'pip', '--python', `${venv}/bin/python`];
  const deps = hardRequirements(contents.requires).length > 0;
  if (deps) await where.house?.add('test dependencies', [staged]);
  await step(tex, job.log, 'installing the wheel into the test venv', [
    ...pip,
    'install',
    '--quiet',
    ...(deps ? [] : ['--no-index', '--no-deps']),
    inner
  ]);
  await step(tex, job.log, 'test directory', ['mkdir', '-p', `${dirs.inner}/test/cwd`]);
  return runWheelTest(
    tex,
    {
      venvPython: `${venv}/bin/python`,
      project: `${dirs.inner}/src/${top}`,
      venvBin: `${venv}/bin`,
      cwd: `${dirs.inner}/test/cwd`,
      testCommand: s.opts.testCommand,
      contents
    },
    job.log
  );
}
