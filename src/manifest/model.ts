/**
 * OUT/.albatross/manifest.json: what a job produced for one project and version. Lists only
 * complete artifacts of that version: nothing stale, nothing that failed.
 */
export type ArtifactKind = 'sdist' | 'wheel' | 'pex' | 'zipapp' | 'image' | 'venv' | 'deb';

export interface TestResult {
  status: 'passed' | 'failed' | 'skipped';
  command: string;
  /** Last lines of output on failure, or the reason for a skip. */
  detail?: string;
  seconds?: number;
}

/** One finding of a package inspection tool; `error`s fail the artifact by default. */
export interface InspectionFinding {
  tool: 'twine' | 'check-wheel-contents' | 'abi3audit';
  /** The tool's code (`W005`), else a short name of what was checked (`long_description`). */
  code: string;
  message: string;
  level: 'error' | 'warning';
}

export interface ArtifactEntry {
  /** File name relative to the output directory. */
  file: string;
  kind: ArtifactKind;
  /** What made it (`sdist`, `wheel cp312 manylinux_2_28_x86_64`, `zipapp` ...): a failure of the same target replaces it. */
  target?: string;
  /** SHA-256 of the sdist it was built from (wheels) or of the sdist behind its wheel (packages). */
  source?: string;
  sha256: string;
  size: number;
  /** Wheel tags (python / abi / platform), e.g. cp312, cp312, manylinux_2_28_x86_64. */
  pythonTag?: string;
  abiTag?: string;
  platformTag?: string;
  /** Python minor version the artifact was built with/for. */
  python?: string;
  /** Container builds: repaired by auditwheel (false: not repaired, with its linux tag). */
  repaired?: boolean;
  /** What auditwheel decided when it repaired the wheel. */
  repair?: RepairInfo;
  buildSeconds?: number;
  test?: TestResult;
  /** What twine check, check-wheel-contents and abi3audit found (empty: inspected, clean). */
  inspection?: InspectionFinding[];
  /** Images: the manifest digest (sha256:...), the OCI layout directory, the name. */
  digest?: string;
  layout?: string;
  imageName?: string;
  /** Free-form details a stage wants to keep (entry point, layers, base ...). */
  details?: Record<string, unknown>;
}

export interface RepairInfo {
  /** `auditwheel 6.8.2`. */
  tool: string;
  /** The policy asked for (`--plat`), when the build had one. */
  requested?: string;
  /** The most compatible tag auditwheel found and gave the wheel, e.g. `manylinux_2_5_x86_64`. */
  policy: string;
  /** Libraries grafted into the wheel: `<pkg>.libs/<soname>-<hash>…` members. */
  grafted: string[];
}

export interface FailureEntry {
  /** What failed, e.g. `wheel cp312 manylinux_2_28_x86_64`, `sdist`, `image`. */
  target: string;
  kind: ArtifactKind | 'test' | 'cache' | 'verify';
  python?: string;
  message: string;
  /** Last lines of the log. */
  logTail: string;
  /** A wheel whose test failed: the test's result (the artifact itself is not listed). */
  test?: TestResult;
}

export interface CacheReport {
  key: string;
  backend: string;
  hit: 'exact' | 'partial' | 'miss' | 'disabled' | 'error';
  restoredKey?: string;
  bytesRestored: number;
  bytesSaved: number;
  saved: boolean;
  /** Why it was not saved (exact hit, event, fork, error ...). */
  saveSkipped?: string;
  wheelsBuilt: number;
  wheelsReused: number;
  secondsSaved: number;
  warnings: string[];
}

/** The compiler cache (ccache) of a native build: what was restored, hit, missed and saved. */
export interface CompilerCacheReport {
  /** `ccache 4.14.2`; null when no ccache could be had (`skipped` says why). */
  tool: string | null;
  /** `local` (the directory in place), `github`, or `none`. */
  backend: string;
  /** The entry's key (GitHub backend). */
  key?: string;
  /** What the store gave back before the build. */
  restored: 'exact' | 'partial' | 'miss' | 'in-place' | 'error' | 'none';
  /** Compilations served from the cache, and compiled afresh (ccache's log stats). */
  hits: number;
  misses: number;
  /** Per Python: `{ "3.12": { hits, misses } }`. */
  pythons: Record<string, { hits: number; misses: number }>;
  saved: boolean;
  /** Why it was not saved, or why the cache was not used at all. */
  skipped?: string;
}

export interface PhaseTiming {
  name: string;
  seconds: number;
}

export interface Manifest {
  schema: 1;
  tool: { name: 'albatross'; version: string };
  project: { name: string; version: string | null };
  /** Job id / bucket that produced it (for matrix aggregation). */
  job?: string;
  sourceDateEpoch?: number;
  /** `--locked`: the PEP 751 locks the job installed from (path relative to the project). */
  locks?: { file: string; sha256: string }[];
  artifacts: ArtifactEntry[];
  failures: FailureEntry[];
  cache?: CacheReport;
  compilerCache?: CompilerCacheReport;
  phases: PhaseTiming[];
  /** Targets a run started and has not finished: left behind when it was stopped. */
  pending?: string[];
  /** Verify result summary when verify ran in this job. */
  reproducibility?: { reproducible: boolean; file: string };
}
