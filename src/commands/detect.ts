import { detectProject } from '../detect/index.js';
import { CommandContext, CommandResult } from './types.js';

export async function detectCommand(ctx: CommandContext): Promise<CommandResult> {
  const model = await detectProject(ctx.opts, ctx.log);
  return { exitCode: 0, json: model, text: JSON.stringify(model, null, 2), outputs: { project: JSON.stringify(model) } };
}
