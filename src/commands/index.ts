import { didYouMean } from '../config/didyoumean.js';
import { ConfigError } from '../errors.js';
import { buildCommand } from './build.js';
import { detectCommand } from './detect.js';
import { lockCommand } from './lock.js';
import { packageCommand } from './package.js';
import { planCommand } from './plan.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { Command } from './types.js';
import { verifyCommand } from './verify.js';

/** Command name → implementation (a factory that throws on an unknown name). */
export const COMMANDS: Record<string, Command> = {
  detect: detectCommand,
  plan: planCommand,
  lock: lockCommand,
  build: buildCommand,
  package: packageCommand,
  verify: verifyCommand,
  report: reportCommand,
  run: runCommand,
  all: runCommand
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

export function getCommand(name: string, where = 'command'): Command {
  const c = COMMANDS[name];
  if (!c)
    throw new ConfigError(
      `${where}: unknown command '${name}'${didYouMean(name, COMMAND_NAMES)} (expected one of ${COMMAND_NAMES.join(', ')})`
    );
  return c;
}
