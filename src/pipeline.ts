import * as path from 'node:path';
import { BuildOutcome, buildProject } from './build/index.js';
import { secondsSince } from './build/sdist.js';
import { BuildTargets, resolveBuildTargets } from './build/targets.js';
import { Options } from './config/options.js';
import { detectProject } from './detect/index.js';
import { ProjectModel } from './detect/model.js';
import { ConfigError, NothingToDoError } from './errors.js';
import { Manifest } from './manifest/model.js';
import { ManifestRecorder } from './manifest/recorder.js';
import { PackageFormat, PackageOutcome, packageProject, resolveFormats } from './package/index.js';
import { checkEntryPoint } from './package/entry.js';
import { projectWheels } from './package/inputs.js';
import { planBuild } from './plan/index.js';
import { BuildPlan } from './plan/model.js';
import { UploadHook } from './report/links.js';
import { ReportOutcome, reportStage } from './report/stage.js';
import { ensureWritableDir } from './runtime/fsutil.js';
import { Logger } from './runtime/log.js';
import { exitCodeFor } from './verify/report.js';
import { VerifyOutcome, verifyProject } from './verify/run.js';

export type Stage = 'plan' | 'build' | 'package' | 'verify' | 'report';

/** What the pipeline found and made; each stage's value is handed to the stages after it. */
export interface PipelineOutcome {
  model: ProjectModel;
  /** OUT (absolute). */
  outDir: string;
  plan?: BuildPlan;
  targets?: BuildTargets;
  formats: PackageFormat[];
  build?: BuildOutcome;
  package?: PackageOutcome;
  verify?: VerifyOutcome;
  report?: ReportOutcome;
  /** OUT's manifest after the last stage (null when no stage writes OUT). */
  manifest: Manifest | null;
  /** The worst stage's exit code (contract: 0, 1; 2 when a tool cannot be installed). */
  exitCode: number;
}

/** What every stage reads: the options, the project, OUT and its one manifest writer. */
interface Run {
  opts: Options;
  log: Logger;
  model: ProjectModel;
  outDir: string;
  recorder: ManifestRecorder;
  out: PipelineOutcome;
  /** Build targets, resolved once, on first use. */
  targets(): Promise<BuildTargets>;
  /** The Action's upload of OUT, for the report to link (after its files, before its comment). */
  upload?: UploadHook;
}

/**
 * Runs detect → plan → build → package → verify → report once, over the stages asked for, in
 * that order: the project is detected once, targets resolved once, and OUT's manifest has one
 * writer. A stage's negative verdict does not stop the later ones from running and reporting,
 * except verify: a build that failed here has nothing to verify, so verify says so and the
 * report still runs.
 */
export async function runPipeline(
  opts: Options,
  log: Logger,
  stages: readonly Stage[],
  upload?: UploadHook
): Promise<PipelineOutcome> {
  const has = (s: Stage): boolean => stages.includes(s);
  const model = await detectProject(opts, log);
  const outDir = path.resolve(opts.projectDir, opts.out);
  const out: PipelineOutcome = { model, outDir, formats: [], manifest: null, exitCode: 0 };
  checkConfiguration(out, opts, has);
  if (has('plan')) out.plan = planBuild(model, opts);
  const writes = has('build') || has('package') || has('verify') || has('report');
  if (!writes) return out;
  try {
    await ensureWritableDir(outDir, 'output directory (--out)');
  } catch (e) {
    throw new ConfigError(`out: ${(e as Error).message}`);
  }
  const recorder = await ManifestRecorder.open(
    outDir,
    { name: model.name, version: model.version },
    log
  );
  const run: Run = {
    opts,
    log,
    model,
    outDir,
    recorder,
    out,
    targets: async () => (out.targets ??= await resolveBuildTargets(model, opts, log)),
    upload
  };
  if (has('build')) await buildStage(run);
  if (has('package') && out.formats.length) await packageStage(run);
  if (has('verify')) await verifyStage(run);
  await recorder.settle();
  out.manifest = recorder.manifest;
  if (has('report')) await reportStageOf(run);
  return out;
}

/** Configuration is checked before any work: formats, the entry point, something to do. */
function checkConfiguration(out: PipelineOutcome, opts: Options, has: (s: Stage) => boolean): void {
  const { model } = out;
  const hasApp = Object.keys(model.entryPoints.console_scripts ?? {}).length > 0;
  if (has('package') || has('verify')) out.formats = resolveFormats(opts, hasApp);
  checkEntryPoint(model, opts, out.formats.length > 0);
  if (has('package') && !out.formats.length && !has('build'))
    throw new NothingToDoError(
      'package: the project declares no console script; pass --format (and --entry-point) to package it anyway'
    );
}

function worst(out: PipelineOutcome, code: number): void {
  out.exitCode = Math.max(out.exitCode, code);
}

async function buildStage(run: Run): Promise<BuildOutcome> {
  const { model, opts, log, outDir, recorder, out } = run;
  out.build = await log.group(
    'build',
    async () => buildProject({ model, opts, log, outDir, recorder, ...(await run.targets()) }),
    (b) => !b.ok
  );
  worst(out, out.build.ok ? 0 : 1);
  return out.build;
}

async function packageStage(run: Run): Promise<void> {
  const { model, opts, log, outDir, recorder, out } = run;
  // `package` alone builds the wheel it needs when OUT has none of the current version.
  if (!out.build && !(await projectWheels(recorder.manifest, outDir, model)).length) {
    const which = [model.name, model.version].filter(Boolean).join(' ');
    log.info(`package: no wheel of ${which} in ${outDir}: building it first`);
    await buildStage(run);
  }
  const t0 = Date.now();
  out.package = await log.group(
    'package',
    () => packageProject({ model, opts, log, outDir, formats: out.formats, recorder }),
    (p) => !p.ok
  );
  // Beside build's phase in the manifest; verify's time is in its own report.
  await recorder.update((m) => {
    m.phases = [
      ...m.phases.filter((p) => p.name !== 'package'),
      { name: 'package', seconds: secondsSince(t0) }
    ];
  });
  worst(out, out.package.exitCode);
}

async function verifyStage(run: Run): Promise<void> {
  const { model, opts, log, outDir, recorder, out } = run;
  if (out.build && !out.build.ok) {
    log.warn('verify: skipped, the build failed (fix the failures above, then verify)');
    return;
  }
  // The build made here is the first build: what is verified is what ships.
  const first =
    out.build?.ok && (out.package?.ok ?? true)
      ? {
          artifacts: [...out.build.produced, ...(out.package?.artifacts ?? [])],
          workRoot: out.build.workRoot
        }
      : undefined;
  out.verify = await log.group(
    'verify',
    async () =>
      verifyProject({
        model,
        opts,
        log,
        outDir,
        targets: await run.targets(),
        formats: out.formats,
        recorder,
        first
      }),
    (v) => exitCodeFor(v.result.reproducible, opts.failOnIrreproducible) !== 0
  );
  worst(out, exitCodeFor(out.verify.result.reproducible, opts.failOnIrreproducible));
}

async function reportStageOf(run: Run): Promise<void> {
  const { opts, log, outDir, recorder, out } = run;
  const label = recorder.manifest.job ?? 'local';
  out.report = await log.group(
    'report',
    () =>
      reportStage({
        opts,
        log,
        outDir,
        jobs: [
          { dir: outDir, label, manifest: recorder.manifest, repro: out.verify?.result ?? null }
        ],
        upload: run.upload
      }),
    (r) => r.exitCode !== 0
  );
  worst(out, out.report.exitCode);
}
