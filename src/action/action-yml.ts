import { fileURLToPath } from 'node:url';
import { OPTION_DEFS } from '../config/definitions.js';

/**
 * action.yml, generated from OPTION_DEFS so inputs never drift from the option table.
 * Regenerate: `node --import tsx src/action/action-yml.ts > action.yml && npx prettier --write
 * action.yml`. A unit test compares the committed file with this output. Not bundled.
 */
export const ACTION_OUTPUTS: [string, string][] = [
  [
    'matrix',
    '`plan`: the build matrix as JSON (`{"include": [...]}`) for `strategy.matrix` through fromJSON.'
  ],
  ['plan', '`plan`: the whole BuildPlan as JSON.'],
  ['project', '`detect`: the ProjectModel as JSON.'],
  ['manifest', 'Path of the manifest (OUT/.albatross/manifest.json).'],
  ['locks', '`lock`: JSON array of the lock files written (pylock.toml, pylock.build.toml).'],
  [
    'artifacts',
    "JSON array of the manifest's artifact entries (file relative to the output directory, kind, sha256, size, tags)."
  ],
  ['digest', '`package --format image`: the image manifest digest (sha256:...).'],
  ['image', '`package --format image`: the image name and tag.'],
  ['venv', '`package --format venv`: the venv tarball (file name in the output directory).'],
  ['deb', '`package --format deb`: the Debian package (file name in the output directory).'],
  ['reproducible', '`verify` / `report`: true or false (empty when not verified).'],
  ['report', '`report`: JSON with ok, project, totals and the PR comment outcome.'],
  ['statement', '`verify`: path of the in-toto statement.'],
  ['reproducibility-report', '`verify`: path of OUT/.albatross/reproducibility.json.'],
  ['summary', '`report`: path of the aggregated markdown summary (OUT/.albatross/summary.md).'],
  ['artifact-id', 'Id of the workflow artifact uploaded when `artifact-name` is set.']
];

const HEADER = [
  '# Albatross: reproducible sdists, wheels, PEX/zipapps, images, venvs and .debs for any Python project.',
  '# A JavaScript action (not composite): the runner hands the cache and artifact runtime token only',
  '# to JavaScript and container actions. Generated from OPTION_DEFS by src/action/action-yml.ts',
  '# (`node --import tsx src/action/action-yml.ts > action.yml`, then prettier); a test fails on drift.',
  '# An empty input means "use [tool.albatross] in pyproject.toml, else the default".',
  '# Schema check: @action-validator/cli knows runs.using node12..node20 only, so',
  '# scripts/check-workflows.mjs validates a copy with node20 substituted for node24.',
  'name: Albatross',
  'description: Hermetic, uniform, reproducible Python artifacts (sdist, wheels, pex, zipapp, image, venv, deb) with a verified double build.',
  'author: Albatross contributors',
  'branding:',
  '  icon: package',
  '  color: blue'
];

export function renderActionYml(): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [...HEADER, 'inputs:'];
  const input = (name: string, description: string, dflt: string): void => {
    lines.push(
      `  ${name}:`,
      `    description: ${q(description)}`,
      '    required: false',
      `    default: ${dflt}`
    );
  };
  input(
    'command',
    'What to run: detect, plan, lock, build, package, verify, report, all, run (the whole pipeline).',
    'run'
  );
  input('project-dir', 'Directory of the Python project (relative to the workspace).', q('.'));
  for (const d of OPTION_DEFS.filter((x) => x.sources.action)) {
    // The comment token is the one input with a default: the workflow's own token.
    input(d.name, d.description, d.name === 'github-token' ? '${{ github.token }}' : "''");
  }
  lines.push('outputs:');
  for (const [n, d] of ACTION_OUTPUTS) lines.push(`  ${n}:`, `    description: ${q(d)}`);
  lines.push('runs:', '  using: node24', '  main: dist/index.js');
  return lines.join('\n') + '\n';
}

// Run directly: print action.yml.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.stdout.write(renderActionYml());
