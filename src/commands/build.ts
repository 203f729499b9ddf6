import * as path from 'node:path';
import { buildProject } from '../build/index.js';
import { resolveBuildTargets } from '../build/targets.js';
import { detectProject } from '../detect/index.js';
import { MANIFEST_NAME } from '../manifest/io.js';
import { renderJobSummary } from '../report/markdown.js';
import { renderManifestTable } from '../report/terminal.js';
import { CommandContext, CommandResult } from './types.js';

/** `albatross build DIR --out OUT`: sdist + wheels + manifest (contract: CONTRACT.md). */
export async function buildCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts, log } = ctx;
  const outDir = path.resolve(opts.projectDir, opts.out);
  const model = await detectProject(opts, log);
  const targets = await resolveBuildTargets(model, opts, log);
  const { manifest, ok } = await buildProject({
    model,
    opts,
    log,
    outDir,
    ...targets
  });
  return {
    exitCode: ok ? 0 : 1,
    json: manifest,
    text: renderManifestTable(manifest),
    summary: renderJobSummary({
      dir: outDir,
      label: manifest.job ?? 'local',
      manifest,
      repro: null
    }),
    outputs: {
      manifest: path.join(outDir, MANIFEST_NAME),
      artifacts: JSON.stringify(manifest.artifacts)
    }
  };
}
