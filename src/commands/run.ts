import { FailureError } from '../errors.js';
import { CommandContext, CommandResult } from './types.js';

/** Placeholder until the run stage lands. */
export async function runCommand(_ctx: CommandContext): Promise<CommandResult> {
  throw new FailureError('run is not implemented yet');
}
