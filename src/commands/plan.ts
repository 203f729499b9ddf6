import { runPipeline } from '../pipeline.js';
import { BuildPlan } from '../plan/model.js';
import { formatTable } from '../report/terminal.js';
import { CommandContext, CommandResult } from './types.js';

export async function planCommand(ctx: CommandContext): Promise<CommandResult> {
  return planResult((await runPipeline(ctx.opts, ctx.log, ['plan'])).plan!);
}

export function planResult(plan: BuildPlan): CommandResult {
  return {
    exitCode: 0,
    json: plan,
    text: planText(plan),
    summary: planMarkdown(plan),
    outputs: {
      matrix: JSON.stringify(plan.matrix),
      plan: JSON.stringify(plan),
      'host-pythons': hostPythons(plan).join('\n')
    }
  };
}

/** The Pythons the plan's host-mode jobs build with (actions/setup-python's list; none for containers). */
export function hostPythons(plan: BuildPlan): string[] {
  const set = new Set(
    plan.matrix.include.filter((j) => j.mode === 'host').flatMap((j) => j.python)
  );
  return [...set].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** One line per job: the table a person reads before a build. */
export function planText(plan: BuildPlan): string {
  const p = plan.project;
  const kind = p.native ? (p.abi3 ? 'native, abi3' : 'native') : 'pure Python';
  const head = ['job', 'runs-on', 'platform', 'python', 'mode', 'sdist'];
  const body = plan.matrix.include.map((j) => [
    j.id,
    j['runs-on'] + (j.qemu ? ' (qemu)' : ''),
    j.platform,
    j.python.join(' '),
    j.mode === 'container' && j.image ? `container ${j.image.replace(/@sha256:.*/, '')}` : j.mode,
    j.sdist ? 'yes' : ''
  ]);
  const lines = [
    `${p.name} ${p.version ?? '(version unresolved)'} (${kind}): ${body.length} job${body.length === 1 ? '' : 's'}`,
    '',
    formatTable([head, ...body], [], false)
  ];
  if (plan.application)
    lines.push(
      '',
      `application: yes${plan.formats.length ? ` (package as ${plan.formats.join(', ')})` : ''}`
    );
  return lines.join('\n');
}

/** The plan as a job-summary table (Actions). */
export function planMarkdown(plan: BuildPlan): string {
  const p = plan.project;
  const rows = plan.matrix.include.map(
    (j) =>
      `| \`${j.id}\` | \`${j['runs-on']}\`${j.qemu ? ' (QEMU)' : ''} | \`${j.platform}\` | ${j.python.join(', ')} | ${j.mode} | ${j.sdist ? '✓' : ''} |`
  );
  return [
    `### Build plan: ${p.name} ${p.version ?? ''}`.trimEnd(),
    '',
    `${p.native ? (p.abi3 ? 'Native code, abi3' : 'Native code') : 'Pure Python'}: ${rows.length} job${rows.length === 1 ? '' : 's'}.`,
    '',
    '| job | runs-on | platform | python | mode | sdist |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    ''
  ].join('\n');
}
