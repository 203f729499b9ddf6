import * as path from 'node:path';
import { detectProject } from '../detect/index.js';
import { lockProject } from '../lock/index.js';
import { CommandContext, CommandResult } from './types.js';

/** `albatross lock DIR`: pylock.toml and pylock.build.toml at the project root (CONTRACT.md). */
export async function lockCommand(ctx: CommandContext): Promise<CommandResult> {
  const model = await detectProject(ctx.opts, ctx.log);
  const r = await lockProject(model, ctx.opts, ctx.log);
  const lines = r.files.map(
    (f) =>
      `${path.relative(model.root, f.file)}  ${f.packages} package(s)  sha256 ${f.sha256.slice(0, 12)}  ${f.changed ? 'written' : 'unchanged'}`
  );
  return {
    exitCode: 0,
    json: r,
    text: [`locked for Python ${r.python}+ with ${r.locker}`, ...lines].join('\n'),
    outputs: { locks: JSON.stringify(r.files.map((f) => f.file)) }
  };
}
