import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { lockedFile } from '../lock/locked.js';
import { BUILD_LOCK_FILE } from '../lock/pylock.js';
import { lockedWheelhouse } from '../lock/wheelhouse.js';
import { TestResult } from '../manifest/model.js';
import { PythonInstall } from '../runtime/python.js';
import { cachedBuildEnv, missingBuildDeps } from './buildenv.js';
import { Frontend, buildFrontend } from './frontend.js';
import { hostOs, venvPython } from './platforms/os.js';
import { buildArgs, onlyOutput, runFrontend } from './pep517.js';
import { prepareWheelhouse } from '../cache/index.js';
import { CacheReport } from '../manifest/model.js';
import { pipIndexArgs } from '../runtime/pip.js';
import { Logger } from '../runtime/log.js';
import { Executor, StepError, StepLog, step } from './executor.js';
import { hardRequirements, runWheelTest } from './testinstall.js';
import { WheelContents } from './wheelinfo.js';

/**
 * Builds `src` into `outDir` on the host through the one frontend (pep517.ts): without
 * isolation in the cached build env of `buildRequires` (see cachedBuildEnv) when it can be
 * made, else isolated with `python -m build` from a cached tool env of `python`, or for wheels
 * pip's own PEP 517 frontend where pypa/build cannot be installed (see buildFrontend).
 */
export async function runBuildFrontend(
  ex: Executor,
  log: StepLog,
  python: PythonInstall,
  opts: Options,
  kind: 'sdist' | 'wheel',
  src: string,
  outDir: string,
  o: {
    buildRequires?: string[];
    backend?: string;
    backendPath?: string[];
    logger?: Logger;
    skipCheckFirst?: boolean;
  } = {}
): Promise<string> {
  if (opts.locked) return lockedBuild(ex, log, python, opts, kind, src, outDir);
  let isolated: Frontend;
  try {
    isolated = await buildFrontend(python, opts);
  } catch (e) {
    throw new StepError(
      `could not prepare the build frontend for Python ${python.version}`,
      `${log.text}${(e as Error).message}\n`
    );
  }
  if (kind === 'sdist' && isolated.kind !== 'build') {
    throw new StepError(
      `pypa/build cannot be installed for Python ${python.version} from the configured indexes`,
      log.text
    );
  }
  const cached = o.buildRequires ? await cachedBuildEnv(python, o.buildRequires, opts) : null;
  return runFrontend(
    ex,
    log,
    { cached, isolated },
    {
      kind,
      src,
      out: outDir,
      hostOut: outDir,
      backend: o.backend,
      backendPath: o.backendPath,
      logger: o.logger,
      skipCheckFirst: o.skipCheckFirst
    }
  );
}

/**
 * `--locked`: the build runs without isolation in the env of pylock.build.toml alone; a
 * requirement the backend asks for that the lock lacks is exit 2 naming the lock.
 */
async function lockedBuild(
  ex: Executor,
  log: StepLog,
  python: PythonInstall,
  opts: Options,
  kind: 'sdist' | 'wheel',
  src: string,
  outDir: string
): Promise<string> {
  const env = (await cachedBuildEnv(python, [], opts)) as { python: string };
  await fs.mkdir(outDir, { recursive: true });
  const r = log.add(await ex.run(buildArgs(env.python, kind, outDir, src, false), { cwd: src }));
  if (r.code === 0) return onlyOutput(outDir, kind === 'sdist' ? '.tar.gz' : '.whl', log);
  if (missingBuildDeps(r.output)) {
    const missing = /(?:Missing|Unmet) dependencies[^\n]*\n?((?:\s+\S.*\n?)*)/.exec(r.output);
    throw new ConfigError(
      `${BUILD_LOCK_FILE}: the backend asks for ${(missing?.[1] ?? '').trim().split(/\s+/).join(', ') || 'a requirement'} that the lock does not hold; run \`albatross lock\``
    );
  }
  throw new StepError(
    `${kind} build (python -m build --no-isolation, locked) failed (exit code ${r.code})`,
    log.text
  );
}

/**
 * Installs `wheel` into a fresh venv of `python` and runs the test. Dependencies come from the
 * dependency-wheel cache when the wheel has any (falling back to pip with the index options).
 */
export async function testWheelOnHost(
  ex: Executor,
  log: StepLog,
  a: {
    wheel: string;
    python: PythonInstall;
    opts: Options;
    logger: Logger;
    dir: string;
    /** The unpacked sdist (test-command's `{project}`). */
    project: string;
    contents: WheelContents;
    platformKey: string;
    /** Receives the dependency cache's report (for the manifest). */
    onCacheReport?: (r: CacheReport) => void;
  }
): Promise<TestResult> {
  const venv = path.join(a.dir, 'venv');
  await fs.rm(venv, { recursive: true, force: true });
  await fs.mkdir(a.dir, { recursive: true });
  // The default test needs no pip inside the venv: skip ensurepip (the slowest part) and install
  // with the tool env's pip (`pip --python`). A custom test-command gets a venv with pip.
  const withPip = a.opts.testCommand !== '';
  await step(ex, log, 'creating the test venv', [
    a.python.executable,
    '-m',
    'venv',
    ...(withPip ? [] : ['--without-pip']),
    venv
  ]);
  const os = hostOs();
  const vpy = venvPython(os, venv);
  // Locked builds need no tool env (nor an index) for it: the interpreter's own pip installs.
  const pip = withPip
    ? [vpy, '-m', 'pip']
    : a.opts.locked
      ? [a.python.executable, '-m', 'pip', '--python', vpy]
      : [(await buildFrontend(a.python, a.opts)).python, '-m', 'pip', '--python', vpy];
  const deps = hardRequirements(a.contents.requires);
  let install: string[];
  if (!deps.length) {
    install = ['--no-index', '--no-deps', a.wheel];
  } else if (a.opts.locked) {
    // Exactly the locked files (by path: no index or find-links can offer another).
    const house = await lockedWheelhouse(
      await lockedFile(a.opts.projectDir, 'runtime'),
      a.python,
      a.opts
    );
    const files = (await fs.readdir(house)).filter((f) => f.endsWith('.whl')).sort();
    install = ['--no-index', '--no-deps', ...files.map((f) => path.join(house, f)), a.wheel];
  } else {
    try {
      const house = await prepareWheelhouse({
        opts: a.opts,
        log: a.logger,
        python: { version: a.python.version, executable: a.python.executable },
        requirements: [a.wheel],
        platformKey: a.platformKey,
        dest: path.join(a.dir, 'wheelhouse')
      });
      a.onCacheReport?.(house.report);
      install = ['--no-index', '--find-links', house.dir, a.wheel];
    } catch (e) {
      a.logger.warn(
        `dependency wheel cache unavailable (${(e as Error).message}); resolving test dependencies with pip`
      );
      install = [...pipIndexArgs(a.opts), a.wheel];
    }
  }
  await step(ex, log, 'installing the wheel into the test venv', [
    ...pip,
    'install',
    '--quiet',
    ...install
  ]);
  const cwd = path.join(a.dir, 'cwd');
  await fs.mkdir(cwd, { recursive: true });
  return runWheelTest(
    ex,
    {
      venvPython: vpy,
      project: a.project,
      venvBin: path.join(venv, os.venvBin),
      cwd,
      testCommand: a.opts.testCommand,
      contents: a.contents
    },
    log
  );
}
