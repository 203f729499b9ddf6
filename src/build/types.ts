import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ArtifactEntry, Manifest } from '../manifest/model.js';
import { ManifestRecorder } from '../manifest/recorder.js';
import { Logger } from '../runtime/log.js';

/** The build stage's typed values: what it is asked, and what it hands forward. */

/**
 * How the environment of one build differs from the normal one. The normal build pins TZ,
 * locale and umask, maps build paths and uses SOURCE_DATE_EPOCH; verify's builds B and C
 * vary the rest through this.
 */
export interface BuildEnvironment {
  /** Directory under which sources are copied/unpacked and built (default: a fresh temp dir). */
  workRoot?: string;
  /** Extra environment for every build process (HOME, USER, LOGNAME ...). */
  extraEnv?: Record<string, string>;
  /** Argv prefix for build processes (e.g. `unshare --uts ...`, `faketime ...`). */
  wrapper?: string[];
  /**
   * Sensitivity pass: do NOT pin TZ, locale, umask or map build paths; use `umask`, `tz`,
   * `locale` given here instead.
   */
  releasePins?: { tz: string; locale: string; umask: number };
  /**
   * A rebuild of a source another build also builds in the same build env (verify's second and
   * sensitivity builds): try without pypa/build's dependency check first, which only decides
   * between the cached env and isolation and never changes the bytes; check when that fails.
   */
  rebuild?: boolean;
}

export interface BuildRequest {
  model: ProjectModel;
  opts: Options;
  log: Logger;
  /** Where artifacts and the manifest go (absolute). */
  outDir: string;
  /** Python minor versions; default from opts/model. */
  pythons?: string[];
  env?: BuildEnvironment;
  /** Where wheels are built; default from `opts.mode` (auto: see resolveMode). */
  mode?: 'host' | 'container';
  /** Container image (default: `opts.image`, else the bucket's image from `opts.images`/the pinned defaults). */
  image?: string;
  /** Container builds: the platform tag / auditwheel policy, e.g. `manylinux_2_28_x86_64`. */
  platformTag?: string;
  /** The job's label in reports (its platform bucket). */
  job?: string;
  /** The writer of OUT's manifest (the pipeline's); default: one opened for `outDir`. */
  recorder?: ManifestRecorder;
}

export interface BuildOutcome {
  manifest: Manifest;
  /** False when any artifact failed (exit code 1). */
  ok: boolean;
  /** The artifacts this run published (the manifest may list earlier ones too). */
  produced: ArtifactEntry[];
  /** Where it built (the path a reproducibility check compares against). */
  workRoot: string;
}
