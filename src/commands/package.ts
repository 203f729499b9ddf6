import { FORMATS } from '../package/index.js';
import { PipelineOutcome, runPipeline } from '../pipeline.js';
import { renderPackageText } from '../report/terminal.js';
import { manifestOutputs } from './build.js';
import { CommandContext, CommandResult } from './types.js';

/** `albatross package DIR --format ...`: builds the wheel when OUT has none, then packages. */
export async function packageCommand(ctx: CommandContext): Promise<CommandResult> {
  return packageResult(await runPipeline(ctx.opts, ctx.log, ['package']));
}

export function packageResult(out: PipelineOutcome): CommandResult {
  const added = out.package?.artifacts ?? [];
  // Every format's outputs exist (empty when it did not run), as action.yml declares them.
  const outputs: Record<string, string> = {};
  for (const f of FORMATS)
    for (const [name, o] of Object.entries(f.outputs ?? {}))
      outputs[name] = o.value(added.find((a) => a.kind === f.kind));
  return {
    exitCode: out.exitCode,
    json: out.manifest,
    text: renderPackageText(added, out.package?.failures ?? []),
    outputs: { ...outputs, ...manifestOutputs(out) }
  };
}
