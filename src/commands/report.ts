import { FailureError } from '../errors.js';
import { CommandContext, CommandResult } from './types.js';

/** Placeholder until the report stage lands. */
export async function reportCommand(_ctx: CommandContext): Promise<CommandResult> {
  throw new FailureError('report is not implemented yet');
}
