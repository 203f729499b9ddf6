import { detectProject } from '../detect/index.js';
import { planBuild } from '../plan/index.js';
import { CommandContext, CommandResult } from './types.js';

export async function planCommand(ctx: CommandContext): Promise<CommandResult> {
  const model = await detectProject(ctx.opts, ctx.log);
  const plan = planBuild(model, ctx.opts);
  return {
    exitCode: 0,
    json: plan,
    text: JSON.stringify(plan, null, 2),
    outputs: { matrix: JSON.stringify(plan.matrix), plan: JSON.stringify(plan) }
  };
}
