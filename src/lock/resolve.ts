import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { IndexOptions, Options } from '../config/options.js';
import { FailureError } from '../errors.js';
import { execCapture, tail } from '../runtime/exec.js';
import { pipEnv, pipIndexArgs } from '../runtime/pip.js';
import { PythonInstall } from '../runtime/python.js';
import { ensureToolEnv } from '../runtime/toolenv.js';
import { uvEnv } from '../runtime/toolenv.js';
import { Installer } from '../runtime/uv.js';

/** The pip release whose `pip lock` writes PEP 751 locks when uv cannot be had. */
export const PIP_LOCK_VERSION = '25.3';

/**
 * `uv pip compile` of a requirements file into a PEP 751 lock: one universal resolution
 * (every platform) for `pythonVersion` and later, no header comment (it would carry the
 * command line), `output` read first so versions it already pins are kept when they still fit.
 */
export function uvLockArgv(
  uv: string,
  input: string,
  output: string,
  pythonVersion: string,
  opts: IndexOptions
): string[] {
  return uvPylockArgv(uv, input, output, ['--universal', '--python-version', pythonVersion], opts);
}

/**
 * `uv pip compile INPUT` into the PEP 751 file `output`, for the interpreter or versions that
 * `target` names, from the index options; the one shape of every uv resolution.
 */
export function uvPylockArgv(
  uv: string,
  input: string,
  output: string,
  target: string[],
  opts: IndexOptions
): string[] {
  return [
    uv,
    'pip',
    'compile',
    input,
    '--format',
    'pylock.toml',
    ...target,
    '--no-header',
    '--quiet',
    '--output-file',
    output,
    ...pipIndexArgs(opts)
  ];
}

/** `pip lock` (pip ≥ 25.1): a PEP 751 lock for the interpreter that runs it. */
export function pipLockArgv(
  python: string,
  input: string,
  output: string,
  opts: IndexOptions
): string[] {
  return [
    python,
    '-m',
    'pip',
    'lock',
    '--quiet',
    '--no-cache-dir',
    '--requirement',
    input,
    '--output',
    output,
    ...pipIndexArgs(opts)
  ];
}

/**
 * pip writes no `requires-python`: the lock holds for the interpreter it resolved with, which
 * the line added after `created-by` says.
 */
export function withRequiresPython(text: string, version: string): string {
  if (/^requires-python\s*=/m.test(text)) return text;
  return text.replace(/^(created-by\s*=.*)$/m, `$1\nrequires-python = "==${version}.*"`);
}

export interface ResolveRequest {
  installer: Installer;
  /** The interpreter pip lock runs with. */
  python: PythonInstall;
  /** The lowest target version uv resolves for (pip lock resolves for `python` alone). */
  pythonVersion: string;
  requirements: string[];
  /** The current lock, if any: its pins are kept where they still fit (uv). */
  previous: string | null;
  opts: Options;
  /** Scratch directory. */
  dir: string;
  what: string;
}

/** Resolves `requirements` into the text of a PEP 751 lock, with uv or else pip lock. */
export async function resolveLock(r: ResolveRequest): Promise<string> {
  const input = path.join(r.dir, `${r.what}.in`);
  const output = path.join(r.dir, `pylock.${r.what}.toml`);
  await fs.writeFile(input, r.requirements.map((q) => q + '\n').join(''));
  if (r.previous !== null) await fs.writeFile(output, r.previous);
  const res =
    r.installer.kind === 'uv'
      ? await execCapture(uvLockArgv(r.installer.uv, input, output, r.pythonVersion, r.opts), {
          cwd: r.dir,
          extraEnv: uvEnv(r.opts)
        })
      : await execCapture(
          pipLockArgv(
            await ensureToolEnv(r.python, [`pip==${PIP_LOCK_VERSION}`], r.opts),
            input,
            output,
            r.opts
          ),
          { cwd: r.dir, extraEnv: pipEnv(r.opts) }
        );
  if (res.code !== 0)
    throw new FailureError(
      `lock: resolving the ${r.what} requirements with ${r.installer.kind === 'uv' ? 'uv' : 'pip lock'} failed (exit ${res.code}):\n${tail(res.output, 12)}`
    );
  const text = await fs.readFile(output, 'utf8');
  return r.installer.kind === 'uv' ? text : withRequiresPython(text, r.python.version);
}
