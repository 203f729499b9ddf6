import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { buildProject } from '../build/index.js';
import { secondsSince } from '../build/sdist.js';
import { BuildTargets } from '../build/targets.js';
import { checkLocked, lockRecord } from '../lock/locked.js';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ConfigError, FailureError } from '../errors.js';
import { ArtifactEntry } from '../manifest/model.js';
import { ManifestRecorder } from '../manifest/recorder.js';
import { PackageFormat, packageProject } from '../package/index.js';
import { Logger, infoOnce, warnOnce } from '../runtime/log.js';
import { resolveSourceDateEpoch } from '../runtime/sde.js';
import { tempDir } from '../runtime/fsutil.js';
import { BuildSide, BuiltArtifact, compareBuilds } from './artifacts.js';
import { diffoscopeReports } from './diffoscope.js';
import { probeCapabilities } from './capabilities.js';
import { planVariations, Side } from './environments.js';
import { Reproducibility } from './model.js';
import { writeReports, WrittenReports } from './report.js';

export interface VerifyRequest {
  model: ProjectModel;
  opts: Options;
  log: Logger;
  /** Where the report and statement go (absolute). */
  outDir: string;
  /** Pythons and mode every build uses (the same as a plain build's). */
  targets?: BuildTargets;
  /** Formats every build packages (none: sdist and wheels only). */
  formats: readonly PackageFormat[];
  /** The writer of OUT's manifest, which notes the verdict. */
  recorder: ManifestRecorder;
  /**
   * The pipeline's own build into OUT, made with the normal environment: it is the first
   * build, so the verdict and the statement are about the files that ship.
   */
  first?: { artifacts: BuiltArtifact[]; workRoot: string };
}

export interface VerifyOutcome {
  result: Reproducibility;
  files: WrittenReports;
}

/**
 * A logger for one of the concurrent builds: its lines carry the build's label. The rebuilds'
 * notes repeat the first build's (the same container, the same zipapp), so only the first
 * build's are shown; every build shows its steps, warnings and errors.
 */
function sideLogger(log: Logger, label: string): Logger {
  const p = (m: string): string => `[${label}] ${m}`;
  const notes = label === 'first';
  return {
    info: (m) => (notes ? log.info(p(m)) : log.debug(p(m))),
    once: (k, m, level) => (level === 'warn' ? warnOnce : infoOnce)(log, k, p(m)),
    warn: (m, f) => log.warn(p(m), f),
    error: (m, f) => log.error(p(m), f),
    debug: (m) => log.debug(p(m)),
    group: async (name, fn) => {
      log.info(p(name));
      return fn();
    }
  };
}

/** `wheel cp310, wheel cp311: <why>; sdist: <why>`: targets that failed alike named together. */
export function failureList(failures: readonly { target: string; message: string }[]): string {
  const byWhy = new Map<string, string[]>();
  for (const f of failures) {
    const why = f.message.split('\n')[0];
    byWhy.set(why, [...(byWhy.get(why) ?? []), f.target]);
  }
  return [...byWhy].map(([why, targets]) => `${targets.join(', ')}: ${why}`).join('; ');
}

/** One build (plus packaging when formats are asked for); returns its artifacts, or throws. */
async function runSide(req: VerifyRequest, given: Options, side: Side): Promise<BuildSide> {
  // Inspection reads artifacts, it never changes them: the rebuilds need not repeat it.
  const opts: Options = { ...given, inspect: false };
  const log = sideLogger(req.log, side.label);
  const started = Date.now();
  await fs.mkdir(side.outDir, { recursive: true });
  const project = { name: req.model.name, version: req.model.version };
  const recorder = await ManifestRecorder.open(side.outDir, project, log);
  const built = await buildProject({
    model: req.model,
    opts,
    log,
    outDir: side.outDir,
    recorder,
    pythons: req.targets?.pythons ?? (opts.python.length ? opts.python : undefined),
    mode: req.targets?.mode,
    image: req.targets?.image,
    platformTag: req.targets?.platformTag,
    env: side.env
  });
  let manifest = built.manifest;
  if (!built.ok)
    throw new FailureError(`the ${side.label} build failed: ${failureList(manifest.failures)}`);
  if (req.formats.length) {
    const packed = await packageProject({
      model: req.model,
      opts,
      log,
      outDir: side.outDir,
      formats: req.formats,
      recorder
    });
    if (!packed.ok) {
      const why = `packaging in the ${side.label} build failed: ${packed.failures.map((f) => f.message).join('; ')}`;
      // A tool that cannot be installed stays the configuration error it is (exit 2).
      throw packed.exitCode === 2 ? new ConfigError(why) : new FailureError(why);
    }
    manifest = packed.manifest;
  }
  req.log.info(`[${side.label}] built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const artifacts: ArtifactEntry[] = [];
  for (const a of manifest.artifacts) {
    const st = await fs.stat(path.join(side.outDir, a.file)).catch(() => null);
    if (st?.isFile()) artifacts.push(a);
  }
  return {
    dir: side.outDir,
    artifacts: artifacts.map((a) => ({ file: a.file, kind: a.kind })),
    env: side.info
  };
}

/**
 * `verify`: builds A and B (and C, the sensitivity pass) concurrently from the same source with
 * the same SOURCE_DATE_EPOCH, compares every artifact archive-aware, writes the report and the
 * in-toto statement. The verdict is A vs B only.
 */
export async function verifyProject(req: VerifyRequest): Promise<VerifyOutcome> {
  const { log } = req;
  const started = Date.now();
  const sde = await resolveSourceDateEpoch(req.opts, req.model.root);
  const locks = await checkLocked(req.model, req.opts);
  const opts: Options = { ...req.opts, sourceDateEpoch: sde.value };
  const tmp = await tempDir('albatross-verify-');
  try {
    const caps = await probeCapabilities();
    const plan = await planVariations(tmp.dir, caps, opts.sensitivity);
    const first = req.first;
    const builds = first
      ? `the build in ${req.outDir} is the first; ${plan.c ? 'second and sensitivity builds' : 'a second build'}`
      : plan.c
        ? 'first, second and sensitivity builds'
        : 'first and second builds';
    // The build stage may have printed this value already: every build uses the same one.
    infoOnce(log, `sde:${sde.value}`, `SOURCE_DATE_EPOCH=${sde.value} (from ${sde.source})`);
    log.info(`verify: ${builds} run concurrently, with the same SOURCE_DATE_EPOCH`);
    if (first) plan.variations[0].first = first.workRoot;
    const sideA: Promise<BuildSide> = first
      ? Promise.resolve({
          dir: req.outDir,
          artifacts: first.artifacts,
          env: { ...plan.a.info, workRoot: first.workRoot }
        })
      : runSide(req, opts, plan.a);
    // allSettled: every build must have stopped before its directory can be removed.
    const settled = await log.group(
      'verify: builds',
      () =>
        Promise.allSettled([
          sideA,
          runSide(req, opts, plan.b),
          plan.c ? runSide(req, opts, plan.c) : Promise.resolve(null)
        ]),
      ([a, b]) => a.status === 'rejected' || b.status === 'rejected'
    );
    const [sa, sb, sc] = settled;
    if (sa.status === 'rejected') throw sa.reason;
    if (sb.status === 'rejected') throw sb.reason;
    const a = sa.value;
    const b = sb.value;
    let c: BuildSide | null = null;
    if (sc.status === 'fulfilled') c = sc.value;
    else {
      // The sensitivity pass informs; its failure must not decide the verdict.
      const msg = (sc.reason as Error).message ?? String(sc.reason);
      log.warn(`sensitivity build failed, no sensitivities reported: ${msg}`);
      plan.variations.push({
        name: 'sensitivity build',
        pass: 'sensitivity',
        applied: false,
        note: `failed: ${msg.split('\n')[0]}`
      });
    }
    const artifacts = await log.group('verify: compare', () => compareBuilds(a, b, c));
    const result: Reproducibility = {
      reproducible: artifacts.length > 0 && artifacts.every((x) => x.reproducible),
      project: { name: req.model.name, version: req.model.version },
      ...(req.targets ? { job: req.targets.job } : {}),
      sourceDateEpoch: sde.value,
      variations: plan.variations,
      artifacts,
      sensitivityPass: c !== null,
      ...(locks ? { locks: locks.map((l) => lockRecord(l, req.model.root)) } : {})
    };
    if (!artifacts.length)
      throw new FailureError('verify: the builds produced no artifacts to compare');
    await fs.mkdir(req.outDir, { recursive: true });
    const bad = artifacts.filter((x) => !x.reproducible && x.sha256[0] && x.sha256[1]);
    const html = await diffoscopeReports(
      req.outDir,
      bad.map((x) => ({ file: x.file, a: path.join(a.dir, x.file), b: path.join(b.dir, x.file) })),
      log
    );
    if (html.length) result.diffoscope = html;
    result.seconds = secondsSince(started);
    const files = await writeReports(req.outDir, result, req.recorder);
    return { result, files };
  } finally {
    if (!req.opts.debug) await tmp.cleanup();
    else log.debug(`verify: builds kept in ${tmp.dir}`);
  }
}
