/** Verify's own types; the report it writes is typed in manifest/reproducibility.ts. */
import { DifferenceKind } from '../manifest/reproducibility.js';

export type {
  ArtifactVerdict,
  Cause,
  Difference,
  DifferenceKind,
  Reproducibility,
  Variation
} from '../manifest/reproducibility.js';

/** A difference before classification, carrying the raw material the classifier reads. */
export interface RawDifference {
  member: string;
  kind: DifferenceKind;
  detail: string;
  /** The differing content or metadata values of each side, when known. */
  a?: Buffer | string | number;
  b?: Buffer | string | number;
}

/** What the classifier knows about one build's environment. */
export interface SideEnv {
  label: string;
  workRoot: string;
  home?: string;
  user?: string;
  hostname?: string;
  tz?: string;
  locale?: string;
  umask?: number;
  /** Wall-clock time the build started (seconds since epoch). */
  clock: number;
}
