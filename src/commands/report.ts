import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, NothingToDoError } from '../errors.js';
import { Manifest } from '../manifest/model.js';
import { exists, oneLine, writeFileAtomic } from '../runtime/fsutil.js';
import { TOOL_VERSION } from '../version.js';
import { Aggregate, JobReport, aggregate, collectReports } from '../report/aggregate.js';
import { CommentOutcome, pullRequestFromEvent, upsertStickyComment } from '../report/comment.js';
import { BaseComparison, compareWithBase } from '../report/compare.js';
import { renderComment, renderSummary } from '../report/markdown.js';
import { renderAggregateText } from '../report/terminal.js';
import { Logger } from '../runtime/log.js';
import { CommandContext, CommandResult } from './types.js';

export const SUMMARY_NAME = 'albatross-summary.md';
/** The merged manifest of a report: what a later run compares its sizes against. */
export const AGGREGATE_NAME = 'albatross-aggregate.json';

/**
 * `albatross report [--in DIR...]`: merges every manifest and reproducibility report found
 * under the `--in` directories (default: OUT) into one summary, writes OUT/albatross-summary.md,
 * and in Actions on a pull request posts or updates the sticky comment.
 */
export async function reportCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts, log } = ctx;
  const outDir = path.resolve(opts.projectDir, opts.out);
  const roots = opts.in.length ? opts.in.map((d) => path.resolve(d)) : [outDir];
  if (!opts.in.length && !(await exists(outDir))) {
    throw new NothingToDoError(
      `report: no output directory ${outDir} (build first, or pass --in DIR)`
    );
  }
  const jobs = await collectReports(roots);
  if (!jobs.length) {
    throw new NothingToDoError(
      `report: no albatross-manifest.json or reproducibility.json under ${roots.join(', ')}`
    );
  }
  const agg = aggregate(jobs);
  const base = await loadBase(opts.baseManifest, agg, log);
  const summary = renderSummary(agg, { base });
  const summaryFile = path.join(outDir, SUMMARY_NAME);
  await writeFileAtomic(summaryFile, summary);
  await writeFileAtomic(
    path.join(outDir, AGGREGATE_NAME),
    JSON.stringify(toManifest(agg), null, 2) + '\n'
  );

  let comment: CommentOutcome | undefined;
  const inActions = ctx.surface === 'action' || process.env.GITHUB_ACTIONS === 'true';
  if (inActions && opts.comment) {
    const pr = await pullRequestFromEvent();
    if (pr) {
      const token = opts.githubToken || process.env.GITHUB_TOKEN || '';
      try {
        comment = await upsertStickyComment(token, pr, renderComment(agg, base), log);
      } catch (e) {
        // The summary is written; a comment that cannot be posted must not hide it.
        log.warn(`PR comment failed: ${(e as Error).message}`);
        comment = { action: 'skipped', reason: (e as Error).message };
      }
    }
  }

  const irreproducible = agg.totals.reproducible === false;
  const exitCode = agg.failures.length || (irreproducible && opts.failOnIrreproducible) ? 1 : 0;
  const brief = { ok: agg.ok, project: agg.project, totals: agg.totals, comment: comment ?? null };
  return {
    exitCode,
    json: {
      ...brief,
      summaryFile,
      failures: agg.failures,
      artifacts: agg.artifacts,
      verdicts: agg.verdicts
    },
    text: renderAggregateText(agg, base),
    summary,
    outputs: {
      report: JSON.stringify(brief),
      summary: summaryFile,
      reproducible: agg.totals.reproducible === null ? '' : String(agg.totals.reproducible)
    }
  };
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
  if (isDir && (await exists(path.join(abs, AGGREGATE_NAME)))) {
    return loadBase(path.join(abs, AGGREGATE_NAME), now, log);
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
