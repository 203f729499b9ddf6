import { FailureError } from '../errors.js';
import { CommandContext, CommandResult } from './types.js';

/** Placeholder until the package stage lands. */
export async function packageCommand(_ctx: CommandContext): Promise<CommandResult> {
  throw new FailureError('package is not implemented yet');
}
