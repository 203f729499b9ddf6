import { Options } from '../config/options.js';
import { UploadHook } from '../report/links.js';
import { Logger } from '../runtime/log.js';

export interface CommandContext {
  opts: Options;
  log: Logger;
  /** The Action's upload of OUT, for the report stage to link the artifact. */
  upload?: UploadHook;
}

export interface CommandResult {
  exitCode: number;
  /** Printed with --json on the CLI. */
  json?: unknown;
  /** Human-readable terminal output (tables), printed without --json. */
  text?: string;
  /** Action outputs (name → value). */
  outputs?: Record<string, string>;
  /** Markdown for the job summary. */
  summary?: string;
}

export type Command = (ctx: CommandContext) => Promise<CommandResult>;
