import { FailureError } from '../errors.js';
import { CommandContext, CommandResult } from './types.js';

/** Placeholder until the build stage lands. */
export async function buildCommand(_ctx: CommandContext): Promise<CommandResult> {
  throw new FailureError('build is not implemented yet');
}
