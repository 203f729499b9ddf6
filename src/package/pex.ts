import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ConfigError, FailureError } from '../errors.js';
import { execCapture, tail } from '../runtime/exec.js';
import { PythonInstall } from '../runtime/python.js';
import { PinnedTool, cacheRoot, ensurePinnedTool } from '../runtime/toolenv.js';
import { EntryPoint } from './entry.js';

/** The pex release Albatross drives (its flags below are checked against its `--help`). */
export const PEX_VERSION = '2.105.2';
export const PEX_TOOL: PinnedTool = { name: 'pex', version: PEX_VERSION, option: 'pex' };

export interface PexArgs {
  /** Every wheel the PEX holds: the application's and its resolved dependencies'. */
  wheels: string[];
  /** `name==version` of the application, the requirement the PEX activates. */
  requirement: string;
  entry: EntryPoint;
  requiresPython: string | null;
  /** The interpreter pex builds for, when `platforms` is empty. */
  python: string;
  /** pex platform strings (`linux_x86_64-cp-311-cp311`) for native wheels. */
  platforms: string[];
  shebang: string;
  /** `--venv`: the PEX installs itself as a venv on first run (pex's venv execution mode). */
  venv: boolean;
  output: string;
}

/**
 * pex's argv, after the command that starts pex. The wheels are handed over pre-resolved, so
 * pex neither asks an index nor needs a pip of its own (pex bootstraps one from the network for
 * Pythons its vendored pip does not run on); reproducible output (no byte-code, fixed
 * timestamps) in the zipapp layout. No `--scie`: it downloads an interpreter.
 */
export function pexArgv(pex: string[], a: PexArgs): string[] {
  const argv = [...pex, '--no-pypi'];
  for (const w of a.wheels) argv.push('--pre-resolved-dist', w);
  argv.push('--no-build', '--no-compile', '--no-use-system-time', '--layout', 'zipapp');
  argv.push('--entry-point', `${a.entry.module}:${a.entry.attr}`);
  if (a.requiresPython)
    argv.push('--interpreter-constraint', `CPython${a.requiresPython.replace(/\s+/g, '')}`);
  // An explicit target: otherwise pex picks interpreters from PATH, which differ per machine.
  if (a.platforms.length) for (const p of a.platforms) argv.push('--platform', p);
  else argv.push('--python', a.python);
  const shebang = a.shebang.trim().replace(/^#!\s*/, '');
  if (shebang) argv.push('--python-shebang', shebang);
  if (a.venv) argv.push('--venv');
  argv.push('--output-file', a.output, a.requirement);
  return argv;
}

/** pex's platform string for a native wheel's tags: `<platform>-cp-<XY>-<abi>`. */
export function pexPlatforms(platformTags: string[], abiTags: string[], python: string): string[] {
  if (platformTags.every((p) => p === 'any')) return [];
  const xy = python.replace('.', '');
  const abi = abiTags.find((a) => a !== 'none') ?? `cp${xy}`;
  return platformTags.map((p) => `${p}-cp-${xy}-${abi === 'abi3' ? `cp${xy}` : abi}`);
}

/**
 * The command that runs pex: the `pex` option's executable (a pex 2.x), else the pinned pex
 * installed into its own tool environment from the configured indexes. What cannot be had is a
 * configuration error naming the option.
 */
export async function ensurePex(
  opts: Options,
  python: PythonInstall | undefined
): Promise<string[]> {
  if (opts.pex) {
    const exe = path.resolve(opts.projectDir, opts.pex);
    const r = await execCapture([exe, '--version']).catch((e: Error) => ({
      code: -1,
      output: e.message
    }));
    if (r.code !== 0)
      throw new ConfigError(
        `pex: the \`pex\` option names ${exe}, which does not run (${tail(r.output, 3).replace(/\n/g, ' ')})`
      );
    const version = r.output.trim().split('\n').pop() ?? '';
    if (!/^2\.\d+/.test(version))
      throw new ConfigError(
        `pex: the \`pex\` option names ${exe}, which is pex ${version || '(no version)'}; Albatross drives pex 2.x (pinned: ${PEX_VERSION})`
      );
    return [exe];
  }
  if (!python)
    throw new FailureError(
      'pex: no Python found to install pex into; set the `pex` option to a pex executable'
    );
  return [await ensurePinnedTool(python, PEX_TOOL, opts), '-m', 'pex'];
}

/** Runs pex with a private PEX_ROOT under Albatross's cache and no pip configuration. */
export async function runPex(argv: string[], opts: Options): Promise<void> {
  const root = path.join(cacheRoot(opts), 'pex-root');
  await fs.mkdir(root, { recursive: true });
  const r = await execCapture(argv, { extraEnv: { PEX_ROOT: root, PIP_CONFIG_FILE: undefined } });
  if (r.code !== 0)
    throw new FailureError(`pex exited with code ${r.code}:\n${tail(r.output, 15)}`);
}
