import { RepairInfo, TestResult } from '../../manifest/model.js';
import { Logger } from '../../runtime/log.js';
import { StepLog } from '../executor.js';
import { WheelContents } from '../wheelinfo.js';

/**
 * The platform seam of the build stage (as cibuildwheel's platform modules): one wheel job,
 * run over a session of one platform. A platform knows where a job's files are, how to run its
 * build, what repairs its wheels and how to install and test one; the job does the rest.
 */
export type PlatformName = 'host' | 'linux-container';

/** One Python's wheel job. */
export interface WheelJob {
  /** CPython minor version, e.g. `3.12`. */
  version: string;
  sde: number;
  /** This job's step log (its tail goes into a failure). */
  log: StepLog;
  logger: Logger;
}

/** Where a job's files are: on the host, and as the platform's processes see them. */
export interface JobDirs {
  /** The job's directory on the host (the sdist is unpacked below it, under `src/`). */
  host: string;
  /** The same directory as the platform's processes see it. */
  inner: string;
}

/** What repair made of a built wheel. */
export interface Repaired {
  /** The wheel to stage: repaired, or the built one. */
  wheel: string;
  /** What the repair tool decided, when it ran. */
  info?: RepairInfo;
  /** Why a platform wheel was not repaired (a warning in the log), when it was not. */
  skipped?: string;
}

export interface PlatformSession {
  readonly name: PlatformName;
  /** The directories of `job` (created empty by the job). */
  dirs(job: WheelJob): JobDirs;
  /** Builds the wheel from the unpacked sdist at `<dirs>/src/<top>`; its path on the host. */
  build(job: WheelJob, dirs: JobDirs, top: string): Promise<string>;
  /** Repairs a platform wheel (auditwheel, delocate, delvewheel), or says why it did not. */
  repair(job: WheelJob, dirs: JobDirs, wheel: string): Promise<Repaired>;
  /**
   * Installs the staged wheel (a host path under `dirs.host`) into a fresh venv and tests it;
   * `top` is the unpacked sdist's folder under `<dirs>/src/` (test-command's `{project}`).
   */
  test(
    job: WheelJob,
    dirs: JobDirs,
    staged: string,
    contents: WheelContents,
    top: string
  ): Promise<TestResult>;
  /** What the manifest says about where its wheels were built. */
  details?: Record<string, unknown>;
  close(): Promise<void>;
}
