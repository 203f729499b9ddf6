import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import { ManifestRecorder } from '../manifest/recorder.js';
import { mergeCacheReports } from '../cache/summary.js';
import { ArtifactEntry, CacheReport, FailureEntry, TestResult } from '../manifest/model.js';
import { tail } from '../runtime/exec.js';
import { extractMembers } from '../runtime/extract.js';
import { ensureWritableDir, sha256, tempDir, writeFileAtomic } from '../runtime/fsutil.js';
import { osStep } from '../runtime/oserror.js';
import { PythonInstall, byVersionAsc, cpTag, discoverPythons } from '../runtime/python.js';
import { resolveSourceDateEpoch } from '../runtime/sde.js';
import { requireEngine } from '../runtime/container.js';
import { checkLocked, lockRecord } from '../lock/locked.js';
import { resolveInstaller } from '../runtime/uv.js';
import { cachedBuildEnv } from './buildenv.js';
import { buildWheelInContainer, ContainerSession, openContainerSession } from './container.js';
import { processSetup } from './env.js';
import { Inspector, openInspector } from './inspect/index.js';
import { toolPython } from './inspect/install.js';
import { StepError, StepLog, hostExecutor } from './executor.js';
import { runBuildFrontend, testWheelOnHost } from './host.js';
import { BuildOutcome, BuildRequest } from './index.js';
import { Member } from './normalize/archive.js';
import { normalizeSdist } from './normalize/sdist.js';
import { stageWheel } from './normalize/wheel.js';
import { jobCount, runBounded } from './pool.js';
import { resolveMode } from './mode.js';
import { wheelContents } from './wheelinfo.js';

/**
 * Top-level names never copied from the user's tree into the build directory (outputs, VCS,
 * environments); `SKIP_ANYWHERE` at any depth. A package may well have a `build/` subpackage, so
 * `build` and `dist` are skipped only at the top.
 */
export const SKIP_TOP = new Set([
  '.git',
  '.hg',
  '.svn',
  'dist',
  'build',
  '.tox',
  '.nox',
  '.venv',
  'venv',
  'node_modules'
]);
export const SKIP_ANYWHERE = new Set([
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache'
]);

/** Copies the project tree to `dest` without outputs, VCS data and caches. */
export async function copySource(root: string, dest: string): Promise<void> {
  await fs.cp(root, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (p) => {
      const rel = path.relative(root, p);
      if (!rel) return true;
      const base = path.basename(p);
      return !SKIP_ANYWHERE.has(base) && !(rel === base && SKIP_TOP.has(base));
    }
  });
}

/** A built, normalised artifact waiting in the work dir for its test and publication. */
interface Staged {
  file: string;
  data: Buffer;
  entry: Omit<ArtifactEntry, 'sha256' | 'size' | 'file'>;
}

/** `name-version` directory name every build uses, so paths match across builds. */
export function canonicalDirName(name: string, version: string | null): string {
  return `${name.replace(/[-_.]+/g, '_').toLowerCase()}-${version ?? '0'}`;
}

export async function buildProjectImpl(req: BuildRequest): Promise<BuildOutcome> {
  const { model, opts, log } = req;
  const t0 = Date.now();
  const project = { name: model.name, version: model.version };
  try {
    await ensureWritableDir(req.outDir, 'output directory (--out)');
  } catch (e) {
    throw new ConfigError(`out: ${(e as Error).message}`);
  }
  const mode = req.mode ?? (await resolveMode(model, opts, log));
  const requested = [
    ...new Set(req.pythons ?? (opts.python.length ? opts.python : model.pythonVersions))
  ].sort(byVersionAsc);
  if (!requested.length)
    throw new ConfigError(
      'python: no Python version to build for (requires-python and target-pythons leave none)'
    );

  const installed = await discoverPythons();
  const findInstalled = (v: string): PythonInstall | undefined =>
    installed.find((p) => p.version === v);
  if (mode === 'host') {
    const missing = requested.filter((v) => !findInstalled(v));
    if (missing.length) {
      throw new ConfigError(
        `python: Python ${missing.join(', ')} requested but not installed (searched PATH, pyenv and the runner tool cache; installed: ${installed.map((p) => p.version).join(', ') || 'none'})`
      );
    }
  }
  // The sdist is built by the host: the newest requested interpreter, else any.
  // (pypa/build needs 3.10+, so older requests fall back to the newest interpreter found).
  const sdistPython =
    [...requested]
      .reverse()
      .filter((v) => byVersionAsc(v, '3.10') >= 0)
      .map(findInstalled)
      .find(Boolean) ?? installed[installed.length - 1];
  if (!sdistPython)
    throw new ConfigError(
      'python: no CPython found on this machine to build the sdist (searched PATH, pyenv and the runner tool cache)'
    );

  // --locked: both locks exist and fit the project, before anything is built (exit 2).
  const locks = await checkLocked(model, opts);
  if (locks && mode === 'container')
    throw new ConfigError(
      'locked: container builds do not install from pylock.build.toml yet; build on the host (--mode host) or drop --locked'
    );
  // `installer = uv` without a uv to be had is exit 2 naming the option, before any build.
  await resolveInstaller(opts);
  const sde = await resolveSourceDateEpoch(opts, model.root);
  log.info(`SOURCE_DATE_EPOCH=${sde.value} (from ${sde.source})`);
  // A missing engine is a configuration error, found before anything is built.
  const engine = mode === 'container' ? await requireEngine(opts.containerEngine) : null;

  // The recorder first: a manifest it refuses must not leave a work dir behind.
  const recorder = req.recorder ?? (await ManifestRecorder.open(req.outDir, project, log));
  const ownTmp = req.env?.workRoot ? null : await tempDir('albatross-build-');
  const workRoot = ownTmp ? ownTmp.dir : path.resolve(req.env!.workRoot!);
  const canon = canonicalDirName(model.name, model.version);
  let ok = true;
  const produced: ArtifactEntry[] = [];
  const cacheReports: CacheReport[] = [];
  const fail = async (f: FailureEntry, staleFile?: string): Promise<void> => {
    ok = false;
    log.error(`${f.target}: ${f.message}\n${f.logTail}`);
    await recorder.fail(f, staleFile);
  };
  // Inspection tools are installed (or found in the cache) while the sdist builds.
  const inspectorReady: Promise<Inspector | null> = opts.inspect
    ? openInspector({
        opts,
        python: toolPython(installed),
        dir: path.join(workRoot, 'inspect'),
        projectDir: model.root,
        abi3: model.abi3,
        log
      })
    : Promise.resolve(null);
  inspectorReady.catch(() => undefined);
  let inspector: Inspector | null = null;
  let sdistPublished: Promise<void> = Promise.resolve();
  /** Inspects an artifact (throwing when the policy fails it) and lists it. */
  const publish = async (s: Staged, target: string): Promise<void> => {
    const inspection = await inspector?.inspect(s.file, s.data);
    await writeFileAtomic(path.join(req.outDir, s.file), s.data, `the ${s.entry.kind}`);
    const entry: ArtifactEntry = {
      file: s.file,
      target,
      ...s.entry,
      ...(inspection ? { inspection } : {}),
      sha256: sha256(s.data),
      size: s.data.length
    };
    try {
      await recorder.publish(entry);
    } catch (e) {
      // Not listed, so not shipped: the file leaves OUT with the manifest change that failed.
      await fs.rm(path.join(req.outDir, s.file), { force: true });
      throw e;
    }
    produced.push(entry);
  };

  let session: ContainerSession | null = null;
  // The build container starts while the host builds the sdist (it needs nothing from it).
  const opening = engine
    ? openContainerSession({
        engine,
        model,
        opts,
        log,
        workRoot,
        benv: req.env,
        image: req.image,
        platformTag: req.platformTag
      }).then(
        (s) => ({ s }),
        (e: unknown) => ({ e })
      )
    : null;
  if (mode === 'host') {
    // Wheel build envs are prepared (or found in the cache) while the sdist builds; memoised, and
    // a failure only means that wheel builds isolated.
    const wheelVersions = model.native ? requested : [requested[requested.length - 1]];
    for (const v of wheelVersions) {
      const py = findInstalled(v);
      if (py && py !== sdistPython)
        void cachedBuildEnv(py, model.buildRequires, opts).catch(() => undefined);
    }
  }
  try {
    await fs.mkdir(workRoot, { recursive: true });
    // 1. sdist, from a copy of the tree at a canonical path. A failure is recorded after the
    // group has ended, so the log shows ✗ for it.
    const slog = new StepLog();
    const sdist = await log
      .group(`sdist (Python ${sdistPython.version})`, async () => {
        const started = Date.now();
        const src = path.join(workRoot, 'source', canon);
        await fs.rm(src, { recursive: true, force: true });
        await osStep('copy the project into the build directory', src, () =>
          copySource(model.root, src)
        );
        const setup = processSetup(opts, sde.value, src, req.env);
        const built = await runBuildFrontend(
          hostExecutor(setup),
          slog,
          sdistPython,
          opts,
          'sdist',
          src,
          path.join(workRoot, 'sdist-out'),
          { buildRequires: model.buildRequires, logger: log }
        );
        const { data, members } = await normalizeSdist(built, sde.value);
        const staged: Staged = {
          file: path.basename(built),
          data,
          entry: { kind: 'sdist', buildSeconds: secs(started) }
        };
        return { staged, members };
      })
      .catch(async (e: unknown) => {
        if (e instanceof ConfigError) throw e;
        await fail({
          target: 'sdist',
          kind: 'sdist',
          message: messageOf(e),
          logTail: tail(logOf(e, slog), 30)
        });
        return null;
      });
    if (!sdist) return finish(false);
    // Wheels are built from this sdist: entries built from another one are stale from now on.
    recorder.setSource(sha256(sdist.staged.data));
    const wheelPythons = model.native ? requested : [requested[requested.length - 1]];
    const targetOf = (version: string): string =>
      `wheel ${model.native ? cpTag(version) : 'py3'}${mode === 'container' ? ' ' + (req.platformTag ?? 'linux') : ''}`;
    inspector = await inspectorReady;
    // The sdist is inspected and published while the wheels build.
    if (opts.sdist)
      sdistPublished = publish(sdist.staged, 'sdist').catch((e: unknown) =>
        fail({
          target: 'sdist',
          kind: 'sdist',
          message: messageOf(e),
          logTail: tail(logOf(e, new StepLog()), 30)
        })
      );
    await recorder.start(wheelPythons.map(targetOf));
    await recorder.update((m) => {
      m.sourceDateEpoch = sde.value;
      if (req.job) m.job = req.job;
      m.locks = locks ? locks.map((l) => lockRecord(l, model.root)) : undefined;
    });

    // 2. wheels from the unpacked sdist, one job per Python (one for pure projects).
    if (opening) {
      const o = await opening;
      if ('e' in o) {
        const e = o.e;
        for (const version of wheelPythons) {
          await fail({
            target: targetOf(version),
            kind: 'wheel',
            python: version,
            message: messageOf(e),
            logTail: tail(logOf(e, new StepLog()), 30)
          });
        }
        return finish(false);
      }
      session = o.s;
    }
    const jobs = wheelPythons.map((version) => async (): Promise<void> => {
      const target = targetOf(version);
      const wlog = new StepLog();
      const started = Date.now();
      let stagedName: string | undefined;
      try {
        await log.group(`${target} (Python ${version}, ${mode})`, async () => {
          const staged = session
            ? await buildWheelInContainer(session, {
                version,
                members: sdist.members,
                sde: sde.value,
                log: wlog,
                logger: log
              })
            : await hostWheel(version, sdist.members, wlog);
          stagedName = staged.file;
          log.debug(
            wlog.text
              .split('\n')
              .filter((l) => l.startsWith('$ '))
              .join('\n')
          );
          if (staged.test && staged.test.status === 'failed') {
            throw new StepError(`test failed: ${staged.test.command}`, wlog.text);
          }
          await publish(
            {
              file: staged.file,
              data: staged.data,
              entry: { ...staged.entry, buildSeconds: secs(started), test: staged.test }
            },
            target
          );
        });
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        await fail(
          {
            target,
            kind: 'wheel',
            python: version,
            message: messageOf(e),
            logTail: tail(logOf(e, wlog), 30)
          },
          stagedName
        );
      }
    });
    await runBounded(jobCount(opts.jobs), jobs);
  } finally {
    await sdistPublished;
    await inspectorReady.catch(() => undefined);
    const o = await opening;
    if (o && 's' in o) await o.s.close();
    await recorder.settle();
    if (ownTmp) await ownTmp.cleanup();
  }
  return finish(ok);

  async function hostWheel(
    version: string,
    members: Member[],
    wlog: StepLog
  ): Promise<Staged & { test?: TestResult }> {
    const python = findInstalled(version) as PythonInstall;
    const base = path.join(workRoot, `py${version}`);
    await fs.rm(base, { recursive: true, force: true });
    await extractMembers('the sdist', members, path.join(base, 'src'));
    const top = members[0].name.split('/')[0];
    const src = path.join(base, 'src', top);
    const setup = processSetup(opts, sde.value, src, req.env);
    const ex = hostExecutor(setup);
    const built = await runBuildFrontend(
      ex,
      wlog,
      python,
      opts,
      'wheel',
      src,
      path.join(base, 'out'),
      {
        buildRequires: model.buildRequires,
        backend: model.backend,
        backendPath: model.backendPath,
        logger: log
      }
    );
    const {
      file,
      staged: stagedPath,
      data,
      entry: named
    } = await stageWheel(built, sde.value, path.join(base, 'staged'), version);
    const entry: Staged['entry'] = {
      ...named,
      ...(named.platformTag === 'any' ? {} : { repaired: false })
    };
    let test: TestResult | undefined;
    if (opts.test) {
      const contents = await wheelContents(stagedPath);
      // Tests run with the normal pinned environment; the caller's wrapper is not needed there.
      test = await testWheelOnHost(
        hostExecutor(processSetup(opts, sde.value, null, { extraEnv: req.env?.extraEnv })),
        wlog,
        {
          wheel: stagedPath,
          python,
          opts,
          logger: log,
          dir: path.join(base, 'test'),
          contents,
          platformKey: named.platformTag,
          onCacheReport: (r) => {
            cacheReports.push(r);
            void recorder.update((m) => {
              m.cache = mergeCacheReports(cacheReports);
            });
          }
        }
      );
    }
    return { file, data, entry, test };
  }

  async function finish(result: boolean): Promise<BuildOutcome> {
    await recorder.settle();
    const manifest = await recorder.update((m) => {
      m.phases = m.phases.filter((p) => p.name !== 'build');
      m.phases.push({ name: 'build', seconds: secs(t0) });
    });
    return { manifest, ok: result, produced, workRoot };
  }
}

function secs(t0: number): number {
  return Math.round((Date.now() - t0) / 100) / 10;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function logOf(e: unknown, l: StepLog): string {
  return e instanceof StepError ? e.log : `${l.text}${messageOf(e)}\n`;
}
