import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { mergeCacheReports } from '../cache/summary.js';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ConfigError } from '../errors.js';
import { checkLocked, lockRecord } from '../lock/locked.js';
import { CacheReport, TestResult } from '../manifest/model.js';
import { ManifestRecorder } from '../manifest/recorder.js';
import { Engine, requireEngine } from '../runtime/container.js';
import { tail } from '../runtime/exec.js';
import { counter, infoOnce } from '../runtime/log.js';
import { ensureWritableDir, sha256, tempDir } from '../runtime/fsutil.js';
import { cpTag } from '../runtime/python.js';
import { resolveSourceDateEpoch } from '../runtime/sde.js';
import { resolveInstaller } from '../runtime/uv.js';
import { cachedBuildEnv } from './buildenv.js';
import { StepError, StepLog } from './executor.js';
import { openInspector } from './inspect/index.js';
import { toolPython } from './inspect/install.js';
import { resolveMode } from './mode.js';
import { Member } from './normalize/archive.js';
import { PlatformSession, openPlatform } from './platforms/index.js';
import { jobCount, runBounded } from './pool.js';
import { Publisher } from './publisher.js';
import { BuildPythons, choosePythons } from './pythons.js';
import { buildSdist, secondsSince } from './sdist.js';
import { BuildOutcome, BuildRequest } from './types.js';
import { runWheelJob } from './wheeljob.js';

/** What a build decided before any work: every check that is a configuration error is here. */
interface BuildSetup {
  mode: 'host' | 'container';
  pythons: BuildPythons;
  engine: Engine | null;
  locks: Awaited<ReturnType<typeof checkLocked>>;
  sde: number;
}

async function prepare(req: BuildRequest): Promise<BuildSetup> {
  const { model, opts, log } = req;
  try {
    await ensureWritableDir(req.outDir, 'output directory (--out)');
  } catch (e) {
    throw new ConfigError(`out: ${(e as Error).message}`);
  }
  const mode = req.mode ?? (await resolveMode(model, opts, log));
  const pythons = await choosePythons(model, opts, mode, req.pythons);
  // --locked: both locks exist and fit the project, before anything is built (exit 2).
  const locks = await checkLocked(model, opts);
  if (locks && mode === 'container')
    throw new ConfigError(
      'locked: container builds do not install from pylock.build.toml yet; build on the host (--mode host) or drop --locked'
    );
  // `installer = uv` without a uv to be had is exit 2 naming the option, before any build.
  await resolveInstaller(opts);
  const sde = await resolveSourceDateEpoch(opts, model.root);
  // Every build of a run (verify's too) uses one value: it is worth one line.
  infoOnce(log, `sde:${sde.value}`, `SOURCE_DATE_EPOCH=${sde.value} (from ${sde.source})`);
  // A missing engine is a configuration error, found before anything is built.
  const engine = mode === 'container' ? await requireEngine(opts.containerEngine) : null;
  return { mode, pythons, engine, locks, sde: sde.value };
}

/**
 * The build stage: the sdist on the host, then from it one wheel per Python over the
 * platform's session (the container starts while the sdist builds), each published as it is
 * done. A failing Python does not stop the others.
 */
export async function buildProjectImpl(req: BuildRequest): Promise<BuildOutcome> {
  const { model, opts, log } = req;
  const t0 = Date.now();
  const setup = await prepare(req);
  const { pythons, sde } = setup;
  // The recorder first: a manifest it refuses must not leave a work dir behind.
  const recorder =
    req.recorder ??
    (await ManifestRecorder.open(req.outDir, { name: model.name, version: model.version }, log));
  const ownTmp = req.env?.workRoot ? null : await tempDir('albatross-build-');
  const workRoot = ownTmp ? ownTmp.dir : path.resolve(req.env!.workRoot!);
  // Inspection tools are installed (or found in the cache) while the sdist builds.
  const inspector = opts.inspect
    ? openInspector({
        opts,
        python: toolPython(pythons.all),
        dir: path.join(workRoot, 'inspect'),
        projectDir: model.root,
        abi3: model.abi3,
        log
      })
    : Promise.resolve(null);
  inspector.catch(() => undefined);
  const pub = new Publisher(req.outDir, recorder, log, inspector);
  const target = (v: string): string =>
    `wheel ${model.native ? cpTag(v) : 'py3'}${setup.mode === 'container' ? ' ' + (req.platformTag ?? 'linux') : ''}`;
  // The platform (a build container) starts while the host builds the sdist.
  const opening = startPlatform(req, setup, workRoot, recorder);

  if (setup.mode === 'host') prewarmBuildEnvs(model, opts, pythons);
  let sdistPublished: Promise<void> = Promise.resolve();
  try {
    await fs.mkdir(workRoot, { recursive: true });
    const sdist = await sdistStage(req, setup, workRoot, pub);
    if (!sdist) return await finish(false);
    // A tool that cannot be had is a configuration error: before anything is written.
    await inspector;
    // Wheels are built from this sdist: entries built from another one are stale from now on.
    recorder.setSource(sha256(sdist.staged.data));
    // The sdist is inspected and published while the wheels build.
    if (opts.sdist)
      sdistPublished = pub
        .publish(sdist.staged, 'sdist')
        .catch((e: unknown) => pub.fail(failure('sdist', 'sdist', undefined, e, new StepLog())));
    await recorder.start(pythons.wheels.map(target));
    await recorder.update((m) => {
      m.sourceDateEpoch = sde;
      if (req.job) m.job = req.job;
      m.locks = setup.locks ? setup.locks.map((l) => lockRecord(l, model.root)) : undefined;
    });
    const o = await opening;
    if ('e' in o) {
      await pub.failAll(
        pythons.wheels.map((v) => failure(target(v), 'wheel', v, o.e, new StepLog()))
      );
      return await finish(false);
    }
    const jobs = pythons.wheels.map(
      (v, i) => () =>
        wheelTarget(
          o.s,
          {
            version: v,
            target: target(v),
            label: `${counter(i, pythons.wheels.length)}${target(v)} (Python ${v}, ${setup.mode})`
          },
          sdist.members,
          req,
          sde,
          pub
        )
    );
    await runBounded(jobCount(opts.jobs), jobs);
  } finally {
    await sdistPublished;
    await inspector.catch(() => undefined);
    const o = await opening;
    if ('s' in o) await o.s.close();
    await recorder.settle();
    if (ownTmp) await ownTmp.cleanup();
  }
  return finish(pub.ok);

  async function finish(ok: boolean): Promise<BuildOutcome> {
    await sdistPublished;
    await recorder.settle();
    const manifest = await recorder.update((m) => {
      m.phases = m.phases.filter((p) => p.name !== 'build');
      m.phases.push({ name: 'build', seconds: secondsSince(t0) });
    });
    return { manifest, ok: ok && pub.ok, produced: pub.produced, workRoot };
  }
}

/** Opens the platform's session (settled: a failure fails every wheel, not the sdist). */
function startPlatform(
  req: BuildRequest,
  setup: BuildSetup,
  workRoot: string,
  recorder: ManifestRecorder
): Promise<{ s: PlatformSession } | { e: unknown }> {
  const cacheReports: CacheReport[] = [];
  return openPlatform({
    ...setup,
    model: req.model,
    opts: req.opts,
    log: req.log,
    workRoot,
    benv: req.env,
    image: req.image,
    platformTag: req.platformTag,
    installed: setup.pythons.installed,
    onCacheReport: (r) => {
      cacheReports.push(r);
      void recorder.update((m) => {
        m.cache = mergeCacheReports(cacheReports);
      });
    },
    onCompilerCache: (r) => {
      void recorder.update((m) => {
        m.compilerCache = r;
      });
    }
  }).then(
    (s) => ({ s }),
    (e: unknown) => ({ e })
  );
}

/**
 * The sdist, or null when it failed (recorded after its group has ended, so the log shows ✗
 * for it). A configuration error stops the build.
 */
async function sdistStage(
  req: BuildRequest,
  setup: BuildSetup,
  workRoot: string,
  pub: Publisher
): Promise<Awaited<ReturnType<typeof buildSdist>> | null> {
  const slog = new StepLog();
  return req.log
    .group(`sdist (Python ${setup.pythons.sdist.version})`, () =>
      buildSdist({
        model: req.model,
        opts: req.opts,
        logger: req.log,
        log: slog,
        python: setup.pythons.sdist,
        workRoot,
        sde: setup.sde,
        benv: req.env
      })
    )
    .catch(async (e: unknown) => {
      if (e instanceof ConfigError) throw e;
      await pub.fail(failure('sdist', 'sdist', undefined, e, slog));
      return null;
    });
}

/** One Python's wheel: built, tested and published, or recorded as failed. */
async function wheelTarget(
  platform: PlatformSession,
  w: { version: string; target: string; label: string },
  members: Member[],
  req: BuildRequest,
  sde: number,
  pub: Publisher
): Promise<void> {
  const log = new StepLog();
  const started = Date.now();
  let stagedName: string | undefined;
  // A failed test is recorded with the failure, so reports count it as a failed test.
  let failedTest: TestResult | undefined;
  try {
    await req.log.group(w.label, async () => {
      const job = { version: w.version, sde, log, logger: req.log };
      const staged = await runWheelJob(platform, job, members, req.opts);
      stagedName = staged.file;
      req.log.debug(
        log.text
          .split('\n')
          .filter((l) => l.startsWith('$ '))
          .join('\n')
      );
      // The test's own output, not the build log before it: that is what a reader needs.
      if (staged.test && staged.test.status === 'failed') {
        failedTest = staged.test;
        throw new StepError(`test failed: ${staged.test.command}`, staged.test.detail ?? '');
      }
      await pub.publish(
        {
          file: staged.file,
          data: staged.data,
          entry: { ...staged.entry, buildSeconds: secondsSince(started), test: staged.test }
        },
        w.target
      );
    });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const f = failure(w.target, 'wheel', w.version, e, log);
    await pub.fail(failedTest ? { ...f, test: failedTest } : f, stagedName);
  }
}

/**
 * Host builds: every wheel's cached build env is prepared (or found in the cache) while the
 * sdist builds; memoised, and a failure only means that wheel builds isolated.
 */
function prewarmBuildEnvs(model: ProjectModel, opts: Options, pythons: BuildPythons): void {
  for (const v of pythons.wheels) {
    const py = pythons.installed(v);
    if (py && py !== pythons.sdist)
      void cachedBuildEnv(py, model.buildRequires, opts).catch(() => undefined);
  }
}

function failure(
  target: string,
  kind: 'sdist' | 'wheel',
  python: string | undefined,
  e: unknown,
  log: StepLog
): Parameters<Publisher['fail']>[0] {
  return {
    target,
    kind,
    ...(python ? { python } : {}),
    message: messageOf(e),
    logTail: tail(logOf(e, log), 30)
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function logOf(e: unknown, l: StepLog): string {
  return e instanceof StepError ? e.log : `${l.text}${messageOf(e)}\n`;
}
