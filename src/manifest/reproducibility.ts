/**
 * OUT/.albatross/reproducibility.json, the report `verify` writes (contract: CONTRACT.md).
 * Beside the manifest: report reads only these files' types.
 */

/** What differs between two sides of one member. */
export type DifferenceKind =
  | 'added'
  | 'removed'
  | 'content'
  | 'mtime'
  | 'mode'
  | 'owner'
  | 'type'
  | 'order'
  | 'compression'
  | 'archive'
  | 'file';

/** Likely reason for a difference. */
export type Cause =
  | 'timestamp'
  | 'build-path'
  | 'randomness'
  | 'locale'
  | 'timezone'
  | 'permissions'
  | 'hostname-user'
  | 'ordering'
  | 'unknown';

export interface Difference {
  /** Member path inside the artifact (`a.whl!inner/x.py` for nested archives; `` for the file). */
  member: string;
  kind: DifferenceKind;
  cause: Cause;
  /** Human-readable: a unified diff, hex context, or the two metadata values. */
  detail: string;
}

export interface ArtifactVerdict {
  file: string;
  /** Kind from the manifest (sdist, wheel, pex, zipapp, image, venv, deb), when known. */
  kind?: string;
  reproducible: boolean;
  /** sha256 of the first (A) and second (B) build; null when a side lacks the file. */
  sha256: [string | null, string | null];
  differences: Difference[];
  /** Differences only the sensitivity pass (pins released) shows. */
  sensitivities: Difference[];
}

/** One environment variation: what it is, each build's value, and whether it was applied. */
export interface Variation {
  name: string;
  /** Which comparison it belongs to: A vs B (verdict) or A vs C (sensitivity). */
  pass: 'verdict' | 'sensitivity';
  applied: boolean;
  first?: string;
  second?: string;
  /** How it was applied, or why it could not be. */
  note?: string;
}

export interface Reproducibility {
  reproducible: boolean;
  /** The project verified, so a report of verify alone can name it. */
  project?: { name: string; version: string | null };
  /** The platform bucket the builds ran for (`any`, `manylinux_2_28_x86_64` ...). */
  job?: string;
  /** How long verify took (its builds and the comparison). */
  seconds?: number;
  sourceDateEpoch: number | null;
  variations: Variation[];
  artifacts: ArtifactVerdict[];
  /** False when --no-sensitivity skipped build C. */
  sensitivityPass: boolean;
  /** Path of diffoscope's HTML report (relative to OUT) when diffoscope ran. */
  diffoscope?: string[];
  /** `--locked`: the PEP 751 locks every build installed from (path relative to the project). */
  locks?: { file: string; sha256: string }[];
}
