import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { FailureError, exitCodeOf } from '../errors.js';
import { mergeCacheReports } from '../cache/summary.js';
import { ArtifactEntry, CacheReport, FailureEntry, Manifest } from '../manifest/model.js';
import { ManifestRecorder } from '../manifest/recorder.js';
import { tail } from '../runtime/exec.js';
import { tempDir } from '../runtime/fsutil.js';
import { Logger, counter } from '../runtime/log.js';
import { resolveSourceDateEpoch } from '../runtime/sde.js';
import { checkLocked, lockRecord } from '../lock/locked.js';
import { resolveInstaller } from '../runtime/uv.js';
import { PackageContext } from './context.js';
import { FORMATS, PackageFormat } from './formats/index.js';
import { projectWheels } from './inputs.js';

export { FORMATS, FORMAT_NAMES, resolveFormats } from './formats/index.js';
export type { PackageFormat } from './formats/index.js';

export interface PackageRequest {
  model: ProjectModel;
  opts: Options;
  log: Logger;
  /** Output directory holding the built wheels (absolute). */
  outDir: string;
  formats: readonly PackageFormat[];
  /** The writer of OUT's manifest: its wheels of the current version are what gets packaged. */
  recorder: ManifestRecorder;
}

export interface PackageOutcome {
  manifest: Manifest;
  ok: boolean;
  /** Entries this run added, and what failed. */
  artifacts: ArtifactEntry[];
  failures: FailureEntry[];
  /** The worst failure's exit code: 2 when a format's configuration (or its tool) is wrong. */
  exitCode: number;
}

/**
 * Packages the application in every requested format from the project's wheels the manifest
 * lists. Each format runs on its own: one failing is recorded and the others still complete.
 */
export async function packageProject(req: PackageRequest): Promise<PackageOutcome> {
  const locks = await checkLocked(req.model, req.opts);
  const sde = (await resolveSourceDateEpoch(req.opts, req.model.root)).value;
  const tmp = await tempDir('albatross-package-');
  const artifacts: ArtifactEntry[] = [];
  const failures: FailureEntry[] = [];
  const cacheReports: CacheReport[] = [];
  let exitCode = 0;
  const { recorder } = req;
  try {
    const ctx: PackageContext = {
      model: req.model,
      opts: req.opts,
      log: req.log,
      outDir: req.outDir,
      sde,
      work: tmp.dir,
      wheels: await projectWheels(recorder.manifest, req.outDir, req.model),
      resolved: new Map(),
      cacheReports,
      installer: await resolveInstaller(req.opts)
    };
    const asked = FORMATS.filter((f) => req.formats.includes(f));
    for (const [i, format] of asked.entries()) {
      try {
        const entry = await req.log.group(`${counter(i, asked.length)}package ${format.name}`, () =>
          format.run(ctx)
        );
        const source = recorder.manifest.artifacts.find(
          (a) => a.file === (entry.details?.wheel as string | undefined)
        )?.source;
        const listed: ArtifactEntry = {
          ...entry,
          target: format.name,
          ...(source ? { source } : {})
        };
        await recorder.publish(listed);
        artifacts.push(listed);
      } catch (e) {
        const message = (e as Error).message;
        req.log.error(message.startsWith(format.name) ? message : `${format.name}: ${message}`);
        if (req.opts.debug && !(e instanceof FailureError)) req.log.debug((e as Error).stack ?? '');
        const f: FailureEntry = {
          target: format.name,
          kind: format.kind,
          message: message.split('\n')[0],
          logTail: tail(message, 15)
        };
        await recorder.fail(f);
        failures.push(f);
        exitCode = Math.max(exitCode, exitCodeOf(e) === 2 ? 2 : 1);
      }
    }
  } finally {
    await tmp.cleanup();
  }
  const manifest = await recorder.update((m) => {
    m.sourceDateEpoch ??= sde;
    if (locks) m.locks = locks.map((l) => lockRecord(l, req.model.root));
    // The build's test-install and packaging each resolve dependencies: report both.
    if (cacheReports.length)
      m.cache = mergeCacheReports([...(m.cache ? [m.cache] : []), ...cacheReports]);
  });
  return { manifest, ok: failures.length === 0, artifacts, failures, exitCode };
}
