import { FailureError } from '../errors.js';
import { CommandContext, CommandResult } from './types.js';

/** Placeholder until the verify stage lands. */
export async function verifyCommand(_ctx: CommandContext): Promise<CommandResult> {
  throw new FailureError('verify is not implemented yet');
}
