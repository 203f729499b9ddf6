import { runPipeline } from '../pipeline.js';
import { planResult } from './plan.js';
import { buildResult } from './build.js';
import { packageResult } from './package.js';
import { reportResult } from './report.js';
import { CommandContext, CommandResult } from './types.js';
import { verifyResult } from './verify.js';

/**
 * `albatross run` (and the Action's `all`): the whole pipeline on one project, once. A stage's
 * negative verdict does not stop the later ones from reporting; the exit code is the worst.
 */
export async function runCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts, log } = ctx;
  const out = await runPipeline(
    opts,
    log,
    ['plan', 'build', 'package', ...(opts.verify ? (['verify'] as const) : []), 'report'],
    ctx.upload
  );
  const results: [string, CommandResult][] = [
    ['plan', planResult(out.plan!)],
    ['build', buildResult(out)]
  ];
  if (out.package) results.push(['package', packageResult(out)]);
  if (out.verify) results.push(['verify', verifyResult(out)]);
  const report = reportResult(out.report!);
  results.push(['report', report]);
  const outputs: Record<string, string> = {};
  for (const [, r] of results) Object.assign(outputs, r.outputs ?? {});
  return {
    exitCode: out.exitCode,
    json: Object.fromEntries(results.map(([stage, r]) => [stage, r.json ?? null])),
    text: report.text,
    outputs,
    summary: report.summary
  };
}
