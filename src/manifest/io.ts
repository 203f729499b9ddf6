import * as path from 'node:path';
import { readJsonIfExists, writeFileAtomic } from '../runtime/fsutil.js';
import { TOOL_VERSION } from '../version.js';
import { ArtifactEntry, FailureEntry, Manifest } from './model.js';

export const MANIFEST_NAME = 'albatross-manifest.json';

export function emptyManifest(project: { name: string; version: string | null }): Manifest {
  return {
    schema: 1,
    tool: { name: 'albatross', version: TOOL_VERSION },
    project,
    artifacts: [],
    failures: [],
    phases: []
  };
}

/** Reads OUT/albatross-manifest.json, or null when there is none. */
export async function readManifest(dir: string): Promise<Manifest | null> {
  return readJsonIfExists<Manifest>(path.join(dir, MANIFEST_NAME));
}

/** Writes the manifest atomically, artifacts sorted by file name. */
export async function writeManifest(dir: string, m: Manifest): Promise<string> {
  const file = path.join(dir, MANIFEST_NAME);
  const sorted: Manifest = {
    ...m,
    artifacts: [...m.artifacts].sort((a, b) => a.file.localeCompare(b.file)),
    failures: [...m.failures].sort((a, b) => a.target.localeCompare(b.target))
  };
  await writeFileAtomic(file, JSON.stringify(sorted, null, 2) + '\n', 'the manifest');
  return file;
}

/**
 * Adds artifacts to the manifest in OUT (creating it), replacing entries of the same file and
 * dropping earlier failures for the same targets that now succeeded.
 */
export async function updateManifest(
  dir: string,
  project: { name: string; version: string | null },
  change: (m: Manifest) => void
): Promise<Manifest> {
  const m = (await readManifest(dir)) ?? emptyManifest(project);
  change(m);
  await writeManifest(dir, m);
  return m;
}

export function upsertArtifact(m: Manifest, a: ArtifactEntry): void {
  m.artifacts = m.artifacts.filter((x) => x.file !== a.file);
  m.artifacts.push(a);
}

export function addFailure(m: Manifest, f: FailureEntry): void {
  m.failures = m.failures.filter((x) => x.target !== f.target);
  m.failures.push(f);
}
