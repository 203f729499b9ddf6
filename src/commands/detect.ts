import { detectProject } from '../detect/index.js';
import { ProjectModel } from '../detect/model.js';
import { CommandContext, CommandResult } from './types.js';

export async function detectCommand(ctx: CommandContext): Promise<CommandResult> {
  const model = await detectProject(ctx.opts, ctx.log);
  return {
    exitCode: 0,
    json: model,
    text: detectText(model),
    outputs: { project: JSON.stringify(model) }
  };
}

/** A readable summary of the model for the terminal (`--json` prints the model itself). */
export function detectText(m: ProjectModel): string {
  const rows: [string, string][] = [
    ['project', `${m.name} ${m.version ?? '(version unresolved)'}`],
    ['declared by', `${m.style} (${m.sources.join(', ')})`],
    [
      'backend',
      `${m.backend}${m.buildRequires.length ? `  requires ${m.buildRequires.join(', ')}` : ''}`
    ],
    ['requires-python', m.requiresPython ?? '(any)'],
    ['pythons', m.pythonVersions.length ? m.pythonVersions.join(', ') : 'none of the target set'],
    [
      'native',
      m.native
        ? `yes${m.abi3 ? `, abi3${m.abi3Minimum ? ` (cp${m.abi3Minimum.replace('.', '')}+)` : ''}` : ''}: ${m.nativeReasons.join('; ')}`
        : 'no (pure Python)'
    ]
  ];
  if (m.dynamic.length) rows.push(['dynamic', `${m.dynamic.join(', ')} (from the backend)`]);
  for (const [group, entries] of Object.entries(m.entryPoints)) {
    rows.push([
      group,
      Object.entries(entries)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ')
    ]);
  }
  rows.push(['dependencies', m.dependencies.length ? m.dependencies.join(', ') : '(none)']);
  if (m.lockFiles.length) rows.push(['lock files', m.lockFiles.join(', ')]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
