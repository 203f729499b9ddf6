import { PipelineOutcome, runPipeline } from '../pipeline.js';
import { runLinks } from '../report/links.js';
import { renderJobSummary } from '../report/markdown.js';
import { renderReproText } from '../report/terminal.js';
import { CommandContext, CommandResult } from './types.js';

/** `albatross verify DIR --out OUT`: double build, archive-aware diff, report + in-toto statement. */
export async function verifyCommand(ctx: CommandContext): Promise<CommandResult> {
  return verifyResult(await runPipeline(ctx.opts, ctx.log, ['verify']));
}

export function verifyResult(out: PipelineOutcome): CommandResult {
  const v = out.verify!;
  const ok = v.result.reproducible;
  const text = renderReproText(v.result, { manifest: out.manifest, files: v.files });
  return {
    exitCode: out.exitCode,
    json: v.result,
    text,
    outputs: {
      reproducible: String(ok),
      statement: v.files.statement,
      'reproducibility-report': v.files.report
    },
    // The same summary as a build's, titled with the project, with the verdicts and diffs.
    summary: renderJobSummary(
      {
        dir: out.outDir,
        label: v.result.job ?? 'verify',
        // OUT without a build of its own: the report is about the verdict alone.
        manifest: out.manifest?.artifacts.length ? out.manifest : null,
        repro: v.result
      },
      { links: runLinks() }
    )
  };
}
