/** What detect learns about a project (contract: ../shared/CONTRACT.md, `detect --json`). */
export interface ProjectModel {
  /** Absolute project directory. */
  root: string;
  name: string;
  /** Resolved through the backend when dynamic; null only when no backend could run. */
  version: string | null;
  /** PEP 517 build-backend; `setuptools.build_meta:__legacy__` without [build-system]. */
  backend: string;
  buildRequires: string[];
  /** backend-path from [build-system], when in-tree backends are used. */
  backendPath: string[];
  /** As declared (Poetry's caret constraints translated to PEP 440). */
  requiresPython: string | null;
  /** Target CPython minor versions allowed by requiresPython, e.g. ["3.11", "3.12"]. */
  pythonVersions: string[];
  native: boolean;
  /** What showed native code, e.g. `setup.py: Extension`, `Cargo.toml (maturin)`. */
  nativeReasons: string[];
  abi3: boolean;
  /** Lowest CPython an abi3 wheel targets (e.g. "3.9"), when the project states it. */
  abi3Minimum?: string;
  /** group → { name → "module:attr" }. */
  entryPoints: Record<string, Record<string, string>>;
  /** PEP 508 requirements. */
  dependencies: string[];
  /** Lock and requirements files present, relative to root. */
  lockFiles: string[];
  /** Metadata fields the backend computes (PEP 621 `dynamic`, or all for legacy projects). */
  dynamic: string[];
  /** The files detection read, relative to root. */
  sources: string[];
  /** Tool that declared the metadata: pep621, poetry, setuptools (setup.cfg/setup.py), flit ... */
  style: string;
}
