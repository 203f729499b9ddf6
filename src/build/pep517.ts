import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Logger } from '../runtime/log.js';
import { BuildEnv, missingBuildDeps, noIsolationWheelArgs } from './buildenv.js';
import { Executor, StepError, StepLog, step } from './executor.js';
import { Frontend } from './frontend.js';
import { missingRequirements } from './wheelhouse.js';

/**
 * The one PEP 517 frontend of every platform: first without isolation in an env that already
 * holds the build requirements (after checking the backend's dynamic ones), else isolated with
 * pypa/build or pip. Platforms differ only in the executor, the interpreter and where the
 * packages come from, which the plan says.
 */
export interface FrontendPlan {
  /** An env holding `[build-system] requires`, built in without isolation; null: isolated only. */
  cached: BuildEnv | null;
  /** The isolated frontend. */
  isolated: Frontend;
  /** Runs once before the isolated build (an offline wheelhouse filled with the requirements). */
  beforeIsolated?: () => Promise<void>;
  /**
   * Offline pip builds: fetches requirements pip reported missing (a backend's dynamic
   * `get_requires_for_build_wheel`), so the build can be tried again.
   */
  provide?: (missing: string[]) => Promise<void>;
}

export interface FrontendRun {
  kind: 'sdist' | 'wheel';
  /** The source tree and the output directory as the executor sees them. */
  src: string;
  out: string;
  /** The output directory as the host sees it (the same path for host builds). */
  hostOut: string;
  backend?: string;
  backendPath?: string[];
  logger?: Logger;
  /** Try the cached env without pypa/build's dependency check first (BuildEnvironment.rebuild). */
  skipCheckFirst?: boolean;
}

/** Rounds of "pip names a missing requirement, fetch it, try again" before giving up. */
const PROVIDE_ROUNDS = 3;

/** Builds the sdist or a wheel through the backend; returns its path on the host. */
export async function runFrontend(
  ex: Executor,
  log: StepLog,
  plan: FrontendPlan,
  r: FrontendRun
): Promise<string> {
  await fs.mkdir(r.hostOut, { recursive: true });
  const suffix = r.kind === 'sdist' ? '.tar.gz' : '.whl';
  if (await withoutIsolation(ex, log, plan.cached, r)) return onlyOutput(r.hostOut, suffix, log);
  if (r.kind === 'sdist' && plan.isolated.kind !== 'build')
    throw new StepError('pypa/build cannot be installed for the sdist build', log.text);
  await plan.beforeIsolated?.();
  if (plan.isolated.kind === 'build') {
    await step(
      ex,
      log,
      `${r.kind} build (python -m build --${r.kind})`,
      buildArgs(plan.isolated.python, r.kind, r.out, r.src, true),
      { cwd: r.src }
    );
  } else {
    await isolatedPipWheel(ex, log, plan, r);
  }
  return onlyOutput(r.hostOut, suffix, log);
}

/** `python -m build`'s argv, with or without build isolation (and its dependency check). */
export function buildArgs(
  python: string,
  kind: 'sdist' | 'wheel',
  out: string,
  src: string,
  isolated: boolean,
  skipCheck = false
): string[] {
  return [
    python,
    '-m',
    'build',
    ...(isolated ? [] : ['--no-isolation']),
    ...(skipCheck ? ['--skip-dependency-check'] : []),
    `--${kind}`,
    '--outdir',
    out,
    src
  ];
}

/** pip's own isolated PEP 517 wheel build. */
export function pipWheelArgs(python: string, out: string, src: string): string[] {
  return [python, '-m', 'pip', 'wheel', '--no-deps', '--use-pep517', '--wheel-dir', out, src];
}

/**
 * The build in `env` without isolation; false when there is no env for this build or it lacks a
 * dynamic requirement (the output directory is then emptied for the isolated build).
 */
async function withoutIsolation(
  ex: Executor,
  log: StepLog,
  env: BuildEnv | null,
  r: FrontendRun
): Promise<boolean> {
  if (!env || !(env.kind === 'build' || (r.kind === 'wheel' && r.backend && env.check)))
    return false;
  if (env.kind === 'build' && r.skipCheckFirst) {
    const unchecked = log.add(
      await ex.run(buildArgs(env.python, r.kind, r.out, r.src, false, true), { cwd: r.src })
    );
    if (unchecked.code === 0) return true;
    // Perhaps a dynamic requirement the env lacks: the checked path below decides.
    await fs.rm(r.hostOut, { recursive: true, force: true });
    await fs.mkdir(r.hostOut, { recursive: true });
  }
  const first = log.add(
    await ex.run(
      env.kind === 'build'
        ? buildArgs(env.python, r.kind, r.out, r.src, false)
        : [env.python, env.check ?? '', r.src, r.backend ?? '', ...(r.backendPath ?? [])],
      { cwd: r.src }
    )
  );
  if (first.code === 0) {
    if (env.kind === 'pip')
      await step(
        ex,
        log,
        'wheel build (pip wheel --no-build-isolation)',
        noIsolationWheelArgs(env.python, r.out, r.src),
        { cwd: r.src }
      );
    return true;
  }
  if (!missingBuildDeps(first.output))
    throw new StepError(
      env.kind === 'build'
        ? `${r.kind} build (python -m build --no-isolation) failed (exit code ${first.code})`
        : `checking the wheel build requirements failed (exit code ${first.code})`,
      log.text
    );
  r.logger?.debug(
    `${r.kind}: the cached build env lacks a dynamic build requirement; building isolated`
  );
  await fs.rm(r.hostOut, { recursive: true, force: true });
  await fs.mkdir(r.hostOut, { recursive: true });
  return false;
}

/** pip's isolated build; offline, what it reports missing is provided and the build retried. */
async function isolatedPipWheel(
  ex: Executor,
  log: StepLog,
  plan: FrontendPlan,
  r: FrontendRun
): Promise<void> {
  const argv = pipWheelArgs(plan.isolated.python, r.out, r.src);
  const tried = new Set<string>();
  for (let round = 0; ; round++) {
    const res = log.add(await ex.run(argv, { cwd: r.src }));
    if (res.code === 0) return;
    const missing = plan.provide
      ? missingRequirements(res.output).filter((m) => !tried.has(m))
      : [];
    if (!missing.length || round >= PROVIDE_ROUNDS)
      throw new StepError(`wheel build (pip wheel) failed (exit code ${res.code})`, log.text);
    missing.forEach((m) => tried.add(m));
    await plan.provide!(missing);
  }
}

/** The single file a frontend left in `dir` with `suffix`. */
export async function onlyOutput(dir: string, suffix: string, log: StepLog): Promise<string> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith(suffix));
  if (files.length !== 1)
    throw new StepError(
      `expected one ${suffix} in the build output, found ${files.length}`,
      log.text
    );
  return path.join(dir, files[0]);
}
