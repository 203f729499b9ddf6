import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import { readJsonIfExists } from '../runtime/fsutil.js';
import { withFileLock } from '../runtime/lock.js';
import { Logger } from '../runtime/log.js';
import {
  addFailure,
  emptyManifest,
  findManifestFile,
  upsertArtifact,
  writeManifest
} from './io.js';
import { ArtifactEntry, FailureEntry, Manifest } from './model.js';
import { LEGACY_FILES, ownPath, readPaths } from './paths.js';

export interface ProjectId {
  name: string;
  version: string | null;
}

/**
 * The one writer of OUT's manifest. Every change is applied to the manifest on disk under a
 * cross-process lock (read, change, atomic write), so concurrent processes writing into one
 * OUT never lose an entry; the last written state stays in memory for the stages after.
 *
 * The manifest is authoritative for one project and version: another project's manifest in
 * OUT is a configuration error; entries of another version, or built from another sdist, are
 * stale and leave it together with their files, with a line saying so. Nothing is written
 * before the first change, so a run stopped before its first artifact leaves OUT as it was.
 */
export class ManifestRecorder {
  private chain: Promise<unknown> = Promise.resolve();
  private state: Manifest;
  /** Files of failed targets, removed by the next write. */
  private pendingRemoval: ArtifactEntry[] = [];
  /** SHA-256 of the sdist this run builds from, once known. */
  private source: string | null = null;
  /** Whether OUT has a manifest (it had one when opened, or this recorder wrote it). */
  exists = false;

  private constructor(
    readonly outDir: string,
    readonly project: ProjectId,
    private readonly log: Logger,
    initial: Manifest
  ) {
    this.state = initial;
  }

  /**
   * Opens OUT's manifest for `project`: fails before any work when OUT holds another
   * project's. The in-memory view starts as what is on disk, minus what is stale.
   */
  static async open(outDir: string, project: ProjectId, log: Logger): Promise<ManifestRecorder> {
    const disk = await readDisk(outDir);
    if (disk) checkProject(outDir, disk.manifest, project);
    const r = new ManifestRecorder(outDir, project, log, emptyManifest(project));
    r.state = disk ? r.reconcile(disk.manifest, () => undefined) : emptyManifest(project);
    r.exists = disk !== null;
    return r;
  }

  /** The manifest as last written (or as found, before the first change). */
  get manifest(): Manifest {
    return this.state;
  }

  /** From now on, entries built from another sdist are stale. */
  setSource(sha256: string): void {
    this.source = sha256;
  }

  /** Applies `change` to the manifest on disk, under the lock; changes apply in call order. */
  update(change: (m: Manifest) => void): Promise<Manifest> {
    const run = this.chain.then(() =>
      withFileLock(ownPath(this.outDir, 'lock'), async () => {
        const disk = await readDisk(this.outDir);
        if (disk) checkProject(this.outDir, disk.manifest, this.project);
        const stale: ArtifactEntry[] = [];
        const m = disk
          ? this.reconcile(disk.manifest, (a) => stale.push(a))
          : emptyManifest(this.project);
        change(m);
        await writeManifest(this.outDir, m);
        if (disk?.legacy) await fs.rm(disk.file, { force: true });
        await this.removeFiles(stale, m);
        if (disk && (disk.manifest.project?.version ?? null) !== this.project.version)
          await removeVerdict(this.outDir);
        this.state = m;
        this.exists = true;
        return m;
      })
    );
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Lists a complete artifact (its file already in place), replacing a failure of its target. */
  publish(entry: ArtifactEntry): Promise<Manifest> {
    const e = this.source && !entry.source ? { ...entry, source: this.source } : entry;
    return this.update((m) => {
      upsertArtifact(m, e);
      if (e.target) {
        const t = e.target;
        m.failures = m.failures.filter((f) => f.target !== t);
        m.pending = m.pending?.filter((p) => p !== t);
      }
    });
  }

  /**
   * Records a failure: the target's earlier artifact (and `staleFile`, a file this run put in
   * OUT for it) leave OUT and the manifest.
   */
  fail(f: FailureEntry, staleFile?: string): Promise<Manifest> {
    return this.update((m) => {
      const gone = m.artifacts.filter(
        (a) => (a.target !== undefined && a.target === f.target) || a.file === staleFile
      );
      m.artifacts = m.artifacts.filter((a) => !gone.includes(a));
      addFailure(m, f);
      m.pending = m.pending?.filter((p) => p !== f.target);
      this.pendingRemoval.push(...gone);
      if (staleFile && !gone.some((a) => a.file === staleFile))
        this.pendingRemoval.push({ file: staleFile } as ArtifactEntry);
    });
  }

  /** Marks targets as started: a run stopped before finishing them leaves them listed. */
  start(targets: string[]): Promise<Manifest> {
    return this.update((m) => {
      m.pending = [...new Set([...(m.pending ?? []), ...targets])];
    });
  }

  /** Waits for every change made so far. */
  async settle(): Promise<void> {
    await this.chain;
  }

  /** The disk manifest with stale entries taken out (reported through `onStale`). */
  private reconcile(disk: Manifest, onStale: (a: ArtifactEntry) => void): Manifest {
    const m: Manifest = { ...disk, artifacts: [...(disk.artifacts ?? [])] };
    m.failures = [...(disk.failures ?? [])];
    m.phases = [...(disk.phases ?? [])];
    if ((disk.project?.version ?? null) !== this.project.version) {
      for (const a of m.artifacts) onStale(a);
      return { ...emptyManifest(this.project), job: disk.job };
    }
    const keep = (a: ArtifactEntry): boolean =>
      !this.source || a.source === undefined || a.source === this.source;
    for (const a of m.artifacts.filter((x) => !keep(x))) onStale(a);
    m.artifacts = m.artifacts.filter(keep);
    m.project = { ...this.project };
    return m;
  }

  /** Removes stale and failed files (never one the new manifest still lists). */
  private async removeFiles(stale: ArtifactEntry[], now: Manifest): Promise<void> {
    const listed = new Set(now.artifacts.flatMap((a) => [a.file, a.layout ?? '']));
    const all = [...stale, ...this.pendingRemoval.splice(0)];
    const gone: string[] = [];
    for (const a of all) {
      for (const rel of [a.file, a.layout].filter((x): x is string => Boolean(x))) {
        if (listed.has(rel) || !isInside(this.outDir, rel)) continue;
        await fs.rm(path.join(this.outDir, rel), { recursive: true, force: true });
        gone.push(rel);
      }
    }
    const staleFiles = stale.map((a) => a.file).filter((f) => gone.includes(f));
    const { name, version } = this.project;
    if (staleFiles.length)
      this.log.info(
        `removed from ${this.outDir}: ${staleFiles.join(', ')} (stale: not of ${version ? `${name} ${version}` : name} as built now)`
      );
  }
}

/** Another version's reproducibility report and statement say nothing about this one. */
async function removeVerdict(outDir: string): Promise<void> {
  const files = [
    ...readPaths(outDir, 'reproducibility'),
    ownPath(outDir, 'statement'),
    ownPath(outDir, 'predicate')
  ];
  for (const f of files) await fs.rm(f, { force: true });
}

async function readDisk(
  outDir: string
): Promise<{ manifest: Manifest; file: string; legacy: boolean } | null> {
  const file = await findManifestFile(outDir);
  if (!file) return null;
  const manifest = await readJsonIfExists<Manifest>(file);
  if (!manifest) return null;
  return { manifest, file, legacy: path.basename(file) === LEGACY_FILES.manifest };
}

function checkProject(outDir: string, disk: Manifest, project: ProjectId): void {
  const other = disk.project?.name;
  if (other && normalize(other) !== normalize(project.name))
    throw new ConfigError(
      `out: ${outDir} holds the artifacts of another project (${other}), not ${project.name}; use another --out`
    );
}

function normalize(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

function isInside(dir: string, rel: string): boolean {
  const abs = path.resolve(dir, rel);
  return abs.startsWith(path.resolve(dir) + path.sep);
}
