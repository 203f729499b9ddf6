import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ConfigError, NothingToDoError } from '../errors.js';
import { Manifest } from '../manifest/model.js';
import { ownPath, readPaths } from '../manifest/paths.js';
import { exists, oneLine, writeFileAtomic } from '../runtime/fsutil.js';
import { Logger } from '../runtime/log.js';
import { TOOL_VERSION } from '../version.js';
import { Aggregate, JobReport, aggregate, collectReports } from './aggregate.js';
import { CommentOutcome, pullRequestFromEvent, upsertStickyComment } from './comment.js';
import { BaseComparison, compareWithBase } from './compare.js';
import { UploadHook, runLinks } from './links.js';
import { renderComment, renderSummary } from './markdown.js';

export interface ReportRequest {
  opts: Options;
  log: Logger;
  /** Where the summary and the aggregate are written (absolute). */
  outDir: string;
  /** Jobs already in memory (the pipeline's); else read from `roots`. */
  jobs?: JobReport[];
  /** Directories searched for manifests and reproducibility reports. */
  roots?: string[];
  /** Uploads OUT (the Action): after the summary is written, before the comment links it. */
  upload?: UploadHook;
}

export interface ReportOutcome {
  agg: Aggregate;
  base?: BaseComparison;
  summary: string;
  summaryFile: string;
  comment?: CommentOutcome;
  exitCode: number;
}

/**
 * Merges every job's manifest and reproducibility report into one summary, writes it with the
 * aggregate into OUT/.albatross/, and in Actions on a pull request posts or updates the sticky
 * comment.
 */
export async function reportStage(req: ReportRequest): Promise<ReportOutcome> {
  const { opts, log } = req;
  const roots = req.roots ?? [req.outDir];
  const jobs = req.jobs ?? (await collectReports(roots));
  if (!jobs.length) {
    throw new NothingToDoError(
      `report: no manifest or reproducibility report (.albatross/manifest.json, .albatross/reproducibility.json) under ${roots.join(', ')}`
    );
  }
  const agg = aggregate(jobs);
  const base = await loadBase(opts.baseManifest, agg, log);
  const links = runLinks();
  const summary = renderSummary(agg, { base, links });
  const summaryFile = ownPath(req.outDir, 'summary');
  await writeFileAtomic(summaryFile, summary);
  await writeFileAtomic(
    ownPath(req.outDir, 'aggregate'),
    JSON.stringify(toManifest(agg), null, 2) + '\n'
  );

  let comment: CommentOutcome | undefined;
  if (process.env.GITHUB_ACTIONS === 'true' && opts.comment) {
    const pr = await pullRequestFromEvent();
    if (pr) {
      const token = opts.githubToken || process.env.GITHUB_TOKEN || '';
      // A failed upload fails the step later (the Action awaits it again); the comment still goes.
      const uploaded = await req.upload?.().catch(() => null);
      if (uploaded?.url) links.artifact = uploaded.url;
      try {
        comment = await upsertStickyComment(token, pr, renderComment(agg, base, links), log);
      } catch (e) {
        // The summary is written; a comment that cannot be posted must not hide it.
        log.warn(`PR comment failed: ${(e as Error).message}`);
        comment = { action: 'skipped', reason: (e as Error).message };
      }
    }
  }
  const irreproducible = agg.totals.reproducible === false;
  const exitCode = agg.failures.length || (irreproducible && opts.failOnIrreproducible) ? 1 : 0;
  return { agg, base, summary, summaryFile, comment, exitCode };
}

/** The base branch's manifest (a file, or a directory searched like `--in`), when present. */
async function loadBase(
  where: string,
  now: Aggregate,
  log: Logger
): Promise<BaseComparison | undefined> {
  if (!where) return undefined;
  const abs = path.resolve(where);
  let isDir: boolean;
  try {
    isDir = (await fs.stat(abs)).isDirectory();
  } catch {
    log.warn(`base-manifest ${where} not found: no size comparison`);
    return undefined;
  }
  let jobs: JobReport[];
  const agg = isDir ? await aggregateFile(abs) : null;
  if (agg) {
    return loadBase(agg, now, log);
  } else if (isDir) {
    jobs = await collectReports([abs]);
  } else {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await fs.readFile(abs, 'utf8')) as Manifest;
    } catch (e) {
      throw new ConfigError(
        `base-manifest ${where}: not valid JSON (${oneLine((e as Error).message)})`
      );
    }
    jobs = [{ dir: path.dirname(abs), label: 'base', manifest, repro: null }];
  }
  if (!jobs.some((j) => j.manifest)) {
    log.warn(`base-manifest ${where} holds no manifest: no size comparison`);
    return undefined;
  }
  return compareWithBase(now, aggregate(jobs));
}

/** A directory's aggregate (the current place, else the first version's), when it has one. */
async function aggregateFile(dir: string): Promise<string | null> {
  for (const f of readPaths(dir, 'aggregate')) if (await exists(f)) return f;
  return null;
}

/** The aggregate as one manifest (artifacts and failures of every job). */
function toManifest(agg: Aggregate): Manifest {
  return {
    schema: 1,
    tool: { name: 'albatross', version: TOOL_VERSION },
    project: agg.project,
    job: 'aggregate',
    artifacts: agg.artifacts.map(({ job: _job, ...a }) => a),
    failures: agg.failures.map(({ job: _job, ...f }) => f),
    phases: []
  };
}
