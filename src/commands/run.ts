import { buildCommand } from './build.js';
import { packageCommand } from './package.js';
import { planCommand } from './plan.js';
import { reportCommand } from './report.js';
import { CommandContext, CommandResult } from './types.js';
import { verifyCommand } from './verify.js';

/**
 * `albatross run` (and the Action's `all`): every stage in order on one project. A stage's
 * negative verdict does not stop the later ones from reporting; the exit code is the worst.
 */
export async function runCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts, log } = ctx;
  const results: { stage: string; result: CommandResult }[] = [];
  const stage = async (name: string, fn: () => Promise<CommandResult>): Promise<CommandResult> => {
    const result = await log.group(name, fn, (r) => r.exitCode !== 0);
    results.push({ stage: name, result });
    return result;
  };

  const plan = await stage('plan', () => planCommand(ctx));
  await stage('build', () => buildCommand(ctx));
  if (opts.format.length) await stage('package', () => packageCommand(ctx));
  if (opts.verify) await stage('verify', () => verifyCommand(ctx));
  const report = await stage('report', () =>
    reportCommand({ ...ctx, opts: { ...opts, comment: opts.comment } })
  );

  const exitCode = Math.max(...results.map((r) => r.result.exitCode));
  const outputs: Record<string, string> = {};
  for (const r of results) Object.assign(outputs, r.result.outputs ?? {});
  return {
    exitCode,
    json: Object.fromEntries(results.map((r) => [r.stage, r.result.json ?? null])),
    text: report.text ?? results.map((r) => r.result.text ?? '').join('\n'),
    outputs: { ...outputs, matrix: plan.outputs?.matrix ?? '' },
    summary: report.summary
  };
}
