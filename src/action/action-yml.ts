import { fileURLToPath } from 'node:url';
import { OPTION_DEFS } from '../config/definitions.js';
import { FORMATS } from '../package/formats/index.js';

/**
 * The two action.yml files, generated from OPTION_DEFS so inputs never drift from the option
 * table: the root (a composite: Pythons, QEMU, then the core) and `core/action.yml` (the node24
 * JavaScript program in dist/). Regenerate: `node --import tsx src/action/action-yml.ts`
 * (writes both, then runs prettier). A unit test compares the committed files with this
 * output. Not bundled.
 */
export const ACTION_OUTPUTS: [string, string][] = [
  [
    'matrix',
    '`plan`: the build matrix as JSON (`{"include": [...]}`) for `strategy.matrix` through fromJSON.'
  ],
  ['plan', '`plan`: the whole BuildPlan as JSON.'],
  [
    'host-pythons',
    "`plan`: the Python versions the plan's host builds use, one per line (empty when every job builds in a container)."
  ],
  ['project', '`detect`: the ProjectModel as JSON.'],
  ['manifest', 'Path of the manifest (OUT/.albatross/manifest.json).'],
  ['locks', '`lock`: JSON array of the lock files written (pylock.toml, pylock.build.toml).'],
  [
    'artifacts',
    "JSON array of the manifest's artifact entries (file relative to the output directory, kind, sha256, size, tags)."
  ],
  // Each package format's own outputs, from the registry.
  ...FORMATS.flatMap((f) =>
    Object.entries(f.outputs ?? {}).map(([name, o]): [string, string] => [name, o.description])
  ),
  ['reproducible', '`verify` / `report`: true or false (empty when not verified).'],
  ['report', '`report`: JSON with ok, project, totals and the PR comment outcome.'],
  ['statement', '`verify`: path of the in-toto statement.'],
  ['reproducibility-report', '`verify`: path of OUT/.albatross/reproducibility.json.'],
  ['summary', '`report`: path of the aggregated markdown summary (OUT/.albatross/summary.md).'],
  ['artifact-id', 'Id of the workflow artifact uploaded as `artifact-name`.'],
  [
    'artifact-url',
    'URL of the workflow artifact uploaded as `artifact-name` (as actions/upload-artifact gives it).'
  ]
];

/** The actions the root composite runs, pinned by commit (`# tag` names the release). */
export const SETUP_PYTHON = 'actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97'; // v7.0.0
export const SETUP_QEMU = 'docker/setup-qemu-action@96fe6ef7f33517b61c61be40b68a1882f3264fb8'; // v4.2.0

/** Where the JavaScript core lives: a sibling action of the root, in the same repository. */
export const CORE_DIR = 'core';

const DESCRIPTION =
  'Hermetic, uniform, reproducible Python artifacts (sdist, wheels, pex, zipapp, image, venv, deb) with a verified double build.';

const ROOT_HEADER = [
  '# Albatross: reproducible sdists, wheels, PEX/zipapps, images, venvs and .debs for any Python project.',
  '# A composite action: it sets up the Pythons a host build needs (actions/setup-python) and',
  '# QEMU when asked, then runs the node24 JavaScript core, core/action.yml, through the',
  "# same-repository `$/` reference: it resolves to this repository at the caller's commit, and",
  '# the core, a JavaScript action, gets the cache and artifact runtime token (`run:` steps never',
  '# do). Generated from OPTION_DEFS by src/action/action-yml.ts; a test fails on drift.',
  '# An empty input means "use [tool.albatross] in pyproject.toml, else the default".'
];

const CORE_HEADER = [
  "# Albatross's JavaScript core: the whole pipeline in dist/index.js, no setup. The root",
  '# action.yml runs it after setting up Pythons and QEMU; the reusable workflow, which sets those',
  '# up itself, runs it directly. Generated from OPTION_DEFS by src/action/action-yml.ts.',
  '# Schema check: @action-validator/cli knows runs.using node12..node20 only, so',
  '# scripts/check-workflows.mjs validates a copy with node20 substituted for node24.'
];

/** Every input, in order: `command`, `project-dir`, then each Action option of OPTION_DEFS. */
export function actionInputs(): { name: string; description: string; default: string }[] {
  return [
    {
      name: 'command',
      description:
        'What to run: detect, plan, lock, build, package, verify, report, all, run (the whole pipeline).',
      default: 'run'
    },
    {
      name: 'project-dir',
      description: 'Directory of the Python project (relative to the workspace).',
      default: '.'
    },
    ...OPTION_DEFS.filter((d) => d.sources.action).map((d) => ({
      name: d.name,
      description: d.description,
      // The comment token is the one option input with a default: the workflow's own token.
      default: d.name === 'github-token' ? '${{ github.token }}' : ''
    }))
  ];
}

const q = (s: string): string => JSON.stringify(s);
const expr = (s: string): string => '${{ ' + s + ' }}';

function inputLines(): string[] {
  const lines = ['inputs:'];
  for (const i of actionInputs()) {
    const dflt = i.default.startsWith('${{') ? i.default : q(i.default);
    lines.push(
      `  ${i.name}:`,
      `    description: ${q(i.description)}`,
      '    required: false',
      `    default: ${dflt}`
    );
  }
  return lines;
}

function identity(header: string[], name: string): string[] {
  return [
    ...header,
    `name: ${name}`,
    `description: ${DESCRIPTION}`,
    'author: Albatross contributors',
    'branding:',
    '  icon: package',
    '  color: blue'
  ];
}

/** `with:` passing every input through to the core, with `overrides` replacing some. */
function passThrough(indent: string, overrides: Record<string, string> = {}): string[] {
  return [
    `${indent}with:`,
    ...actionInputs().map(
      (i) => `${indent}  ${i.name}: ${overrides[i.name] ?? expr(`inputs.${i.name}`)}`
    )
  ];
}

/** The root action.yml: a composite around the core. */
export function renderRootActionYml(): string {
  const lines = [...identity(ROOT_HEADER, 'Albatross'), ...inputLines(), 'outputs:'];
  for (const [n, d] of ACTION_OUTPUTS)
    lines.push(
      `  ${n}:`,
      `    description: ${q(d)}`,
      `    value: ${expr(`steps.albatross.outputs.${n}`)}`
    );
  const s = '    ';
  lines.push(
    'runs:',
    '  using: composite',
    '  steps:',
    '    # Which Pythons a host build here needs (none for container builds): the plan says.',
    `${s}- id: pythons`,
    `${s}  if: inputs.command != 'detect' && inputs.command != 'plan' && inputs.command != 'report'`,
    `${s}  uses: $/${CORE_DIR}`,
    ...passThrough(`${s}  `, { command: 'plan', summary: q('false') }),
    '    # A version the runner cannot get does not stop the build: the core skips default',
    '    # Pythons that are missing, with a notice (`missing-python`), and fails on named ones.',
    `${s}- if: steps.pythons.outputs.host-pythons != ''`,
    `${s}  continue-on-error: true`,
    `${s}  uses: ${SETUP_PYTHON} # v7.0.0`,
    `${s}  with:`,
    `${s}    python-version: ${expr('steps.pythons.outputs.host-pythons')}`,
    '    # QEMU when the input asks, or `qemu = true` in pyproject put an emulated job in the plan.',
    `${s}- if: inputs.qemu == 'true' || contains(steps.pythons.outputs.matrix, '"qemu":true')`,
    `${s}  uses: ${SETUP_QEMU} # v4.2.0`,
    `${s}- id: albatross`,
    `${s}  uses: $/${CORE_DIR}`,
    ...passThrough(`${s}  `)
  );
  return lines.join('\n') + '\n';
}

/** core/action.yml: the node24 program, every input, every output. */
export function renderCoreActionYml(): string {
  const lines = [...identity(CORE_HEADER, 'Albatross core'), ...inputLines(), 'outputs:'];
  for (const [n, d] of ACTION_OUTPUTS) lines.push(`  ${n}:`, `    description: ${q(d)}`);
  lines.push('runs:', '  using: node24', '  main: ../dist/index.js');
  return lines.join('\n') + '\n';
}

/** Paths (relative to the repository) and their generated text. */
export function renderActionFiles(): [string, string][] {
  return [
    ['action.yml', renderRootActionYml()],
    [`${CORE_DIR}/action.yml`, renderCoreActionYml()]
  ];
}

// Run directly: write both files, then format them as the repository does.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  for (const [file, text] of renderActionFiles()) {
    mkdirSync(CORE_DIR, { recursive: true });
    writeFileSync(file, text);
  }
  execFileSync('npx', ['prettier', '--write', ...renderActionFiles().map(([f]) => f)], {
    stdio: 'inherit'
  });
}
