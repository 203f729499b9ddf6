import * as path from 'node:path';
import { resolveBuildTargets } from '../build/targets.js';
import { detectProject } from '../detect/index.js';
import { exitCodeFor } from '../verify/report.js';
import { verifyProject } from '../verify/run.js';
import { CommandContext, CommandResult } from './types.js';

/** `albatross verify DIR --out OUT`: double build, archive-aware diff, report + in-toto statement. */
export async function verifyCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts, log } = ctx;
  const model = await detectProject(opts, log);
  const outDir = path.resolve(opts.projectDir, opts.out);
  const targets = await resolveBuildTargets(model, opts, log);
  const v = await verifyProject({ model, opts, log, outDir, targets });
  const ok = v.result.reproducible;
  return {
    exitCode: exitCodeFor(ok, opts.failOnIrreproducible),
    json: v.result,
    text: v.text,
    outputs: {
      reproducible: String(ok),
      statement: v.files.statement,
      'reproducibility-report': v.files.report
    },
    summary: `### Reproducibility\n\n${ok ? '✅ every artifact is bit-for-bit reproducible' : '❌ not reproducible'}\n\n\`\`\`\n${v.text}\n\`\`\`\n`
  };
}
