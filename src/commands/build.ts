import { ownPath } from '../manifest/paths.js';
import { PipelineOutcome, runPipeline } from '../pipeline.js';
import { runLinks } from '../report/links.js';
import { renderJobSummary } from '../report/markdown.js';
import { renderManifestTable } from '../report/terminal.js';
import { CommandContext, CommandResult } from './types.js';

/** `albatross build DIR --out OUT`: sdist + wheels + manifest (contract: CONTRACT.md). */
export async function buildCommand(ctx: CommandContext): Promise<CommandResult> {
  return buildResult(await runPipeline(ctx.opts, ctx.log, ['build']));
}

/** The build stage's result as the command shows it. */
export function buildResult(out: PipelineOutcome): CommandResult {
  const manifest = out.manifest!;
  return {
    exitCode: out.exitCode,
    json: manifest,
    text: renderManifestTable(manifest),
    summary: renderJobSummary(
      { dir: out.outDir, label: manifest.job ?? 'local', manifest, repro: null },
      { links: runLinks() }
    ),
    outputs: manifestOutputs(out)
  };
}

/** `manifest` and `artifacts` outputs of any command that wrote OUT. */
export function manifestOutputs(out: PipelineOutcome): Record<string, string> {
  if (!out.manifest) return {};
  return {
    manifest: ownPath(out.outDir, 'manifest'),
    artifacts: JSON.stringify(out.manifest.artifacts)
  };
}
