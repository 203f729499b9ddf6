import * as path from 'node:path';

/**
 * Where Albatross keeps its own files: OUT/.albatross/, so OUT holds only what a user publishes
 * (`twine upload OUT/*` works). Every reader and writer of these files asks here.
 */
export const OWN_DIR = '.albatross';

export const OWN_FILES = {
  manifest: 'manifest.json',
  reproducibility: 'reproducibility.json',
  statement: 'reproducibility.intoto.json',
  /** The predicate alone, for `actions/attest` (predicate-type + predicate-path). */
  predicate: 'reproducibility.predicate.json',
  summary: 'summary.md',
  /** The merged manifest of a report: what a later run compares its sizes against. */
  aggregate: 'aggregate.json',
  /** Cross-process lock of the manifest. */
  lock: 'manifest.lock'
} as const;

export type OwnFile = keyof typeof OWN_FILES;

/** The first version's names, directly in OUT: still read, never written. */
export const LEGACY_FILES: Partial<Record<OwnFile, string>> = {
  manifest: 'albatross-manifest.json',
  reproducibility: 'reproducibility.json',
  summary: 'albatross-summary.md',
  aggregate: 'albatross-aggregate.json'
};

/** OUT/.albatross (absolute when `outDir` is). */
export function ownDir(outDir: string): string {
  return path.join(outDir, OWN_DIR);
}

/** OUT/.albatross/<name of `file`>. */
export function ownPath(outDir: string, file: OwnFile): string {
  return path.join(outDir, OWN_DIR, OWN_FILES[file]);
}

/** Where a reader looks for `file`, in order: the current place, then the first version's. */
export function readPaths(outDir: string, file: OwnFile): string[] {
  const legacy = LEGACY_FILES[file];
  return [ownPath(outDir, file), ...(legacy ? [path.join(outDir, legacy)] : [])];
}

/** The directory a file found by a reader belongs to: OUT for both current and legacy places. */
export function outDirOf(file: string): string {
  const dir = path.dirname(file);
  return path.basename(dir) === OWN_DIR ? path.dirname(dir) : dir;
}
