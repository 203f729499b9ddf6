import * as path from 'node:path';
import { buildProject } from '../build/index.js';
import { resolveBuildTargets } from '../build/targets.js';
import { detectProject } from '../detect/index.js';
import { MANIFEST_NAME } from '../manifest/io.js';
import { Manifest } from '../manifest/model.js';
import { formatTable } from '../report/terminal.js';
import { CommandContext, CommandResult } from './types.js';

/** `albatross build DIR --out OUT`: sdist + wheels + manifest (contract: CONTRACT.md). */
export async function buildCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts, log } = ctx;
  const outDir = path.resolve(opts.projectDir, opts.out);
  const model = await detectProject(opts, log);
  const targets = await resolveBuildTargets(model, opts, log, ctx.surface);
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
    text: buildTable(manifest),
    summary: buildSummary(manifest),
    outputs: {
      manifest: path.join(outDir, MANIFEST_NAME),
      artifacts: JSON.stringify(manifest.artifacts)
    }
  };
}

/** Compact terminal table of artifacts and failures. */
export function buildTable(m: Manifest): string {
  const rows = m.artifacts.map((a) => [
    a.file,
    a.kind,
    a.kind === 'wheel' ? (a.python ?? '') : '',
    a.repaired === false ? `not repaired (${a.platformTag})` : a.repaired ? 'repaired' : '',
    a.test ? a.test.status : '',
    `${a.buildSeconds ?? ''}s`,
    String(a.size)
  ]);
  const head = ['artifact', 'kind', 'python', 'repair', 'test', 'time', 'bytes'];
  const lines = [formatTable([head, ...rows], [], false)];
  for (const f of m.failures) lines.push(`FAILED ${f.target}: ${f.message}`);
  return lines.join('\n');
}

/** Markdown for the job summary. */
export function buildSummary(m: Manifest): string {
  const lines = ['| artifact | python | repaired | test | sha256 |', '|---|---|---|---|---|'];
  for (const a of m.artifacts) {
    lines.push(
      `| \`${a.file}\` | ${a.python ?? ''} | ${a.repaired === undefined ? '' : a.repaired ? 'yes' : `**no** (${a.platformTag})`} | ${a.test?.status ?? ''} | \`${a.sha256.slice(0, 12)}\` |`
    );
  }
  const unrepaired = m.artifacts.filter((a) => a.repaired === false);
  if (unrepaired.length)
    lines.push(
      '',
      `${unrepaired.length} wheel(s) not repaired by auditwheel: they carry a \`linux_*\` tag and are not installable from PyPI.`
    );
  for (const f of m.failures)
    lines.push('', `**Failed: ${f.target}**: ${f.message}`, '```', f.logTail, '```');
  return lines.join('\n');
}
