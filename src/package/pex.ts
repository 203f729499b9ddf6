import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { FailureError } from '../errors.js';
import { execCapture, tail } from '../runtime/exec.js';
import { PythonInstall } from '../runtime/python.js';
import { cacheRoot, ensureToolEnv } from '../runtime/toolenv.js';
import { EntryPoint } from './entry.js';

/** The pex release Albatross drives (its flags below are those of pex 2.x). */
export const PEX_VERSION = '2.13.0';

export interface PexArgs {
  findLinks: string[];
  /** `name==version` of the application (its dependencies resolve from findLinks). */
  requirement: string;
  entry: EntryPoint;
  requiresPython: string | null;
  /** pex platform strings (`linux_x86_64-cp-311-cp311`); empty: the current interpreter. */
  platforms: string[];
  shebang: string;
  output: string;
}

/**
 * pex's argv, after the command that starts pex: local wheels only (no PyPI, no sdist builds),
 * reproducible output (no byte-code, fixed timestamps), a zipapp layout.
 */
export function pexArgv(pex: string[], a: PexArgs): string[] {
  const argv = [...pex, '--no-pypi'];
  for (const f of a.findLinks) argv.push('--find-links', f);
  argv.push('--no-build', '--no-compile', '--no-use-system-time', '--layout', 'zipapp');
  argv.push('--entry-point', `${a.entry.module}:${a.entry.attr}`);
  if (a.requiresPython)
    argv.push('--interpreter-constraint', `CPython${a.requiresPython.replace(/\s+/g, '')}`);
  for (const p of a.platforms) argv.push('--platform', p);
  if (a.shebang.trim())
    argv.push(
      '--python-shebang',
      a.shebang.trim().startsWith('#!') ? a.shebang.trim() : `#!${a.shebang.trim()}`
    );
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
 * The command that runs pex: the `pex` option's executable, else the pinned pex installed into
 * its own tool environment from the configured indexes. Fails with an error naming the option.
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
      throw new FailureError(
        `pex: the \`pex\` option names ${exe}, which does not run (${tail(r.output, 3)})`
      );
    return [exe];
  }
  if (!python)
    throw new FailureError(
      'pex: no Python found to install pex into; set the `pex` option to a pex executable'
    );
  try {
    const py = await ensureToolEnv(python, [`pex==${PEX_VERSION}`], opts);
    return [py, '-m', 'pex'];
  } catch (e) {
    throw new FailureError(
      `pex: pex ${PEX_VERSION} is not installed and could not be installed from the configured indexes ` +
        `(${tail((e as Error).message, 2).replace(/\n/g, ' ')}); set the \`pex\` option to the path of a pex executable`
    );
  }
}

/** Runs pex with a private PEX_ROOT under Albatross's cache. */
export async function runPex(argv: string[], opts: Options): Promise<void> {
  const root = path.join(cacheRoot(opts), 'pex-root');
  await fs.mkdir(root, { recursive: true });
  const r = await execCapture(argv, { extraEnv: { PEX_ROOT: root, PIP_CONFIG_FILE: undefined } });
  if (r.code !== 0)
    throw new FailureError(`pex exited with code ${r.code}:\n${tail(r.output, 15)}`);
}
