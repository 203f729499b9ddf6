import * as path from 'node:path';
import { NothingToDoError } from '../errors.js';
import { ReportOutcome, reportStage } from '../report/stage.js';
import { renderAggregateText } from '../report/terminal.js';
import { exists } from '../runtime/fsutil.js';
import { CommandContext, CommandResult } from './types.js';

/**
 * `albatross report [--in DIR...]`: one summary over every manifest and reproducibility report
 * under the `--in` directories (default: OUT), written into OUT/.albatross/ (with `--in` and
 * no `--out`: into the first `--in` directory).
 */
export async function reportCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts } = ctx;
  const roots = opts.in.map((d) => path.resolve(d));
  const outDir = path.resolve(opts.projectDir, opts.out);
  if (!roots.length && !(await exists(outDir))) {
    throw new NothingToDoError(
      `report: no output directory ${outDir} (build first, or pass --in DIR)`
    );
  }
  const r = await reportStage({
    opts,
    log: ctx.log,
    outDir: roots.length && !opts.explicit.includes('out') ? roots[0] : outDir,
    roots: roots.length ? roots : [outDir],
    upload: ctx.upload
  });
  return reportResult(r);
}

export function reportResult(r: ReportOutcome): CommandResult {
  const { agg } = r;
  const brief = {
    ok: agg.ok,
    project: agg.project,
    totals: agg.totals,
    comment: r.comment ?? null
  };
  return {
    exitCode: r.exitCode,
    json: {
      ...brief,
      summaryFile: r.summaryFile,
      failures: agg.failures,
      artifacts: agg.artifacts,
      verdicts: agg.verdicts
    },
    text: `${renderAggregateText(agg, r.base)}\nsummary: ${r.summaryFile}`,
    summary: r.summary,
    outputs: {
      report: JSON.stringify(brief),
      summary: r.summaryFile,
      reproducible: agg.totals.reproducible === null ? '' : String(agg.totals.reproducible)
    }
  };
}
