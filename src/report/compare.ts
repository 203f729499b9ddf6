import { Aggregate } from './aggregate.js';

/** Size of each artifact in the base run, keyed by the current run's file name. */
export interface BaseComparison {
  /** file (current run) → size in the base run. */
  before: Map<string, number>;
  /** Total bytes of the base run's artifacts, and of the current run's matched ones. */
  baseBytes: number;
  /** Artifacts of the base run with no counterpart now (renamed or dropped). */
  gone: string[];
}

/**
 * A file name with the project version replaced, so `pkg-1.0-py3-none-any.whl` of the base
 * branch matches `pkg-1.1-py3-none-any.whl` of the pull request.
 */
export function artifactKey(file: string, version: string | null): string {
  if (!version) return file;
  const variants = new Set([version, version.replace(/-/g, '_')]);
  let key = file;
  for (const v of variants) key = key.split(v).join('{version}');
  return key;
}

export function compareWithBase(now: Aggregate, base: Aggregate): BaseComparison {
  const baseByKey = new Map<string, number>();
  for (const a of base.artifacts) baseByKey.set(artifactKey(a.file, base.project.version), a.size);
  const before = new Map<string, number>();
  const matched = new Set<string>();
  for (const a of now.artifacts) {
    const key = artifactKey(a.file, now.project.version);
    const size = baseByKey.get(key);
    if (size !== undefined) {
      before.set(a.file, size);
      matched.add(key);
    }
  }
  const gone = base.artifacts
    .filter((a) => !matched.has(artifactKey(a.file, base.project.version)))
    .map((a) => a.file);
  return { before, baseBytes: base.totals.bytes, gone };
}
