import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import { OWN_DIR, readPaths } from '../manifest/paths.js';
import { KIND_ORDER } from '../package/formats/index.js';
import { readJsonIfExists } from '../runtime/fsutil.js';
import { ArtifactEntry, CacheReport, FailureEntry, Manifest } from '../manifest/model.js';
import { ArtifactVerdict, Reproducibility } from '../manifest/reproducibility.js';

/** What one job left behind: its manifest and/or its reproducibility report. */
export interface JobReport {
  /** Directory it was read from. */
  dir: string;
  /** Its platform bucket (the manifest's or verify's `job`), else the directory's name. */
  label: string;
  manifest: Manifest | null;
  repro: Reproducibility | null;
}

export type JobArtifact = ArtifactEntry & { job: string };
export type JobFailure = FailureEntry & { job: string };
export type JobVerdict = ArtifactVerdict & { job: string };

export interface Totals {
  jobs: number;
  artifacts: number;
  bytes: number;
  failures: number;
  testsPassed: number;
  testsFailed: number;
  testsSkipped: number;
  cacheHits: number;
  cacheMisses: number;
  /** null when no job verified reproducibility. */
  reproducible: boolean | null;
  irreproducible: number;
  /** Artifacts verify found bit-for-bit identical (deduplicated by file name). */
  reproducibleArtifacts: number;
  /** Every artifact the report knows of, shipped or compared (deduplicated by file name). */
  knownArtifacts: number;
  seconds: number;
}

export interface Aggregate {
  project: { name: string; version: string | null };
  jobs: JobReport[];
  artifacts: JobArtifact[];
  /** Build failures plus failed tests: what a reader must see first. */
  failures: JobFailure[];
  verdicts: JobVerdict[];
  totals: Totals;
  /** True when nothing failed and nothing is known to be irreproducible. */
  ok: boolean;
}

/** Never job directories: OUT/.albatross belongs to the OUT above it. */
const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', OWN_DIR]);

/**
 * Finds every output directory under `roots` (recursively, not following symlinks) holding a
 * manifest or a reproducibility report (in `.albatross/`, or under the first version's names),
 * and reads them.
 */
export async function collectReports(roots: string[]): Promise<JobReport[]> {
  const reports: JobReport[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    const abs = path.resolve(root);
    let st;
    try {
      st = await fs.stat(abs);
    } catch {
      throw new ConfigError(`--in ${root}: no such directory`);
    }
    if (!st.isDirectory()) throw new ConfigError(`--in ${root}: not a directory`);
    for (const dir of await walk(abs, 0)) {
      if (seen.has(dir)) continue;
      seen.add(dir);
      const report = await readJobDir(dir, path.relative(abs, dir) || path.basename(abs));
      if (report) reports.push(report);
    }
  }
  return reports.sort((a, b) => cmp(a.label, b.label) || cmp(a.dir, b.dir));
}

async function walk(dir: string, depth: number): Promise<string[]> {
  const out = [dir];
  if (depth > 12) return out;
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => cmp(a.name, b.name))) {
    if (e.isDirectory() && !SKIP_DIRS.has(e.name))
      out.push(...(await walk(path.join(dir, e.name), depth + 1)));
  }
  return out;
}

/** Reads one directory's manifest and reproducibility report (null when it has neither). */
export async function readJobDir(dir: string, fallbackLabel: string): Promise<JobReport | null> {
  const manifest = await firstJson<Manifest>(readPaths(dir, 'manifest'));
  const repro = await firstJson<Reproducibility>(readPaths(dir, 'reproducibility'));
  if (!manifest && !repro) return null;
  return { dir, label: bucketOf(manifest, repro) ?? fallbackLabel, manifest, repro };
}

/**
 * The bucket a job built for: its manifest's `job`, verify's, else the one platform tag its
 * wheels share (`any` for pure wheels). Null when nothing says.
 */
export function bucketOf(manifest: Manifest | null, repro: Reproducibility | null): string | null {
  if (manifest?.job) return manifest.job;
  if (repro?.job) return repro.job;
  const tags = new Set(
    (manifest?.artifacts ?? []).filter((a) => a.kind === 'wheel').map((a) => a.platformTag)
  );
  const [only] = [...tags];
  return tags.size === 1 && only ? only : null;
}

/** A wheel whose test failed: the build records it as a failure carrying the test's result. */
/** A job's phases in order: the manifest's (build, package), then verify's, kept in its report. */
export function jobPhases(j: JobReport): { name: string; seconds: number }[] {
  const phases = [...(j.manifest?.phases ?? [])];
  if (j.repro?.seconds !== undefined) phases.push({ name: 'verify', seconds: j.repro.seconds });
  return phases;
}

export function isTestFailure(f: FailureEntry): boolean {
  return f.kind === 'test' || f.test?.status === 'failed' || /^test failed:/.test(f.message);
}

/** The dependency cache did something worth a row: it resolved wheels, or it went wrong. */
export function cacheUsed(c: CacheReport | undefined): c is CacheReport {
  return Boolean(
    c && (c.wheelsBuilt + c.wheelsReused > 0 || c.bytesRestored > 0 || c.hit === 'error')
  );
}

async function firstJson<T>(files: string[]): Promise<T | null> {
  for (const f of files) {
    const v = await readJsonIfExists<T>(f);
    if (v) return v;
  }
  return null;
}

/** Merges many jobs into one view: artifacts deduplicated by file + sha256, failures first. */
export function aggregate(jobs: JobReport[]): Aggregate {
  const artifacts: JobArtifact[] = [];
  const failures: JobFailure[] = [];
  const verdicts: JobVerdict[] = [];
  const seenArtifacts = new Set<string>();
  const seenVerdicts = new Set<string>();
  const seenFailures = new Set<string>();
  const totals: Totals = {
    jobs: jobs.length,
    artifacts: 0,
    bytes: 0,
    failures: 0,
    testsPassed: 0,
    testsFailed: 0,
    testsSkipped: 0,
    cacheHits: 0,
    cacheMisses: 0,
    reproducible: null,
    irreproducible: 0,
    reproducibleArtifacts: 0,
    knownArtifacts: 0,
    seconds: 0
  };
  let project: Aggregate['project'] = { name: '', version: null };

  for (const job of jobs) {
    const m = job.manifest;
    if (m) {
      if (!project.name && m.project?.name)
        project = { name: m.project.name, version: m.project.version ?? null };
      for (const a of m.artifacts ?? []) {
        const key = `${a.file}\0${a.sha256}`;
        if (seenArtifacts.has(key)) continue;
        seenArtifacts.add(key);
        artifacts.push({ ...a, job: job.label });
        if (a.test?.status === 'passed') totals.testsPassed++;
        if (a.test?.status === 'skipped') totals.testsSkipped++;
        if (a.test?.status === 'failed') {
          if (!(m.failures ?? []).some((f) => f.kind === 'test' && f.target.includes(a.file))) {
            failures.push({
              job: job.label,
              target: `test ${a.file}`,
              kind: 'test',
              python: a.python,
              message: `test failed: ${a.test.command}`,
              logTail: a.test.detail ?? ''
            });
          }
        }
      }
      // A job that downloaded another's manifest carries its failures too: list each once.
      for (const f of m.failures ?? []) {
        const key = `${f.target}\0${f.python ?? ''}\0${f.message}`;
        if (seenFailures.has(key)) continue;
        seenFailures.add(key);
        failures.push({ ...f, job: job.label });
      }
      if (cacheUsed(m.cache)) {
        if (m.cache.hit === 'exact' || m.cache.hit === 'partial') totals.cacheHits++;
        else if (m.cache.hit === 'miss') totals.cacheMisses++;
      }
      totals.seconds += (m.phases ?? []).reduce((s, p) => s + (p.seconds || 0), 0);
    }
    if (job.repro) {
      // A report of verify alone still names the project.
      if (!project.name && job.repro.project?.name)
        project = { name: job.repro.project.name, version: job.repro.project.version ?? null };
      totals.seconds += job.repro.seconds ?? 0;
      totals.reproducible = (totals.reproducible ?? true) && job.repro.reproducible === true;
      for (const v of job.repro.artifacts ?? []) {
        const key = `${v.file}\0${(v.sha256 ?? []).join(',')}`;
        if (seenVerdicts.has(key)) continue;
        seenVerdicts.add(key);
        verdicts.push({ ...v, job: job.label });
        if (!v.reproducible) totals.irreproducible++;
      }
    }
  }

  artifacts.sort((a, b) => rank(a.kind) - rank(b.kind) || cmp(a.file, b.file) || cmp(a.job, b.job));
  failures.sort((a, b) => cmp(a.job, b.job) || cmp(a.target, b.target));
  verdicts.sort((a, b) => Number(a.reproducible) - Number(b.reproducible) || cmp(a.file, b.file));
  totals.artifacts = artifacts.length;
  totals.bytes = artifacts.reduce((s, a) => s + (a.size || 0), 0);
  totals.failures = failures.length;
  totals.testsFailed = failures.filter(isTestFailure).length;
  totals.knownArtifacts = new Set([...artifacts, ...verdicts].map((a) => a.file)).size;
  totals.reproducibleArtifacts = new Set(
    verdicts.filter((v) => v.reproducible).map((v) => v.file)
  ).size;
  const ok = failures.length === 0 && totals.reproducible !== false;
  return { project, jobs, artifacts, failures, verdicts, totals, ok };
}

/** Code-point order: the same on every machine, whatever its locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** Reads `--in` directories and aggregates them; a convenience for the report command. */
export async function aggregateDirs(roots: string[]): Promise<Aggregate> {
  return aggregate(await collectReports(roots));
}
