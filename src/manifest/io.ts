import { promises as fs } from 'node:fs';
import { readJsonIfExists, writeFileAtomic } from '../runtime/fsutil.js';
import { TOOL_VERSION } from '../version.js';
import { ArtifactEntry, FailureEntry, Manifest } from './model.js';
import { OWN_DIR, OWN_FILES, ownPath, readPaths } from './paths.js';

/** The manifest's place relative to OUT, for messages and outputs. */
export const MANIFEST_NAME = `${OWN_DIR}/${OWN_FILES.manifest}`;

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

/** The manifest file a reader finds in OUT (the current place, else the first version's), or null. */
export async function findManifestFile(dir: string): Promise<string | null> {
  for (const f of readPaths(dir, 'manifest')) {
    if (
      await fs.stat(f).then(
        (s) => s.isFile(),
        () => false
      )
    )
      return f;
  }
  return null;
}

/** Reads OUT's manifest (OUT/.albatross/manifest.json, else OUT/albatross-manifest.json), or null. */
export async function readManifest(dir: string): Promise<Manifest | null> {
  const file = await findManifestFile(dir);
  return file ? readJsonIfExists<Manifest>(file) : null;
}

/** Writes OUT/.albatross/manifest.json atomically, artifacts sorted by file name. */
export async function writeManifest(dir: string, m: Manifest): Promise<string> {
  const file = ownPath(dir, 'manifest');
  const sorted: Manifest = {
    ...m,
    artifacts: [...m.artifacts].sort((a, b) => cmp(a.file, b.file)),
    failures: [...m.failures].sort((a, b) => cmp(a.target, b.target)),
    ...(m.pending ? { pending: [...new Set(m.pending)].sort(cmp) } : {})
  };
  if (sorted.pending && !sorted.pending.length) delete sorted.pending;
  await writeFileAtomic(file, JSON.stringify(sorted, null, 2) + '\n');
  return file;
}

export function upsertArtifact(m: Manifest, a: ArtifactEntry): void {
  m.artifacts = m.artifacts.filter((x) => x.file !== a.file);
  m.artifacts.push(a);
}

export function addFailure(m: Manifest, f: FailureEntry): void {
  m.failures = m.failures.filter((x) => x.target !== f.target);
  m.failures.push(f);
}

/** Code-point order: the same on every machine, whatever its locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
