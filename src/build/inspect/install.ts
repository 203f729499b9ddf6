import * as path from 'node:path';
import { Options } from '../../config/options.js';
import { ConfigError } from '../../errors.js';
import { execCapture, tail } from '../../runtime/exec.js';
import { PythonInstall, byVersionAsc } from '../../runtime/python.js';
import { ensureToolEnv } from '../../runtime/toolenv.js';
import { INSPECT_TOOLS, InspectTool } from './tools.js';

/** The tools need Python 3.10+; the newest interpreter hosts them, so one environment serves every build. */
export function toolPython(installed: PythonInstall[]): PythonInstall | undefined {
  return [...installed].reverse().find((p) => byVersionAsc(p.version, '3.10') >= 0);
}

/** Where pip looked for a package under these options, for error messages. */
export function indexDescription(
  opts: Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>
): string {
  const links = opts.findLinks.length ? ` and find-links ${opts.findLinks.join(', ')}` : '';
  if (opts.noIndex) return `find-links ${opts.findLinks.join(', ') || '(none)'} only (no-index)`;
  const indexes = [opts.indexUrl || "pip's configured index", ...opts.extraIndexUrl];
  return `${indexes.join(', ')}${links}`;
}

/**
 * The command that runs `tool`: the executable its option names, else the pinned release in its
 * own tool environment (cached). Either failing is a configuration error naming the option.
 */
export async function toolCommand(
  tool: InspectTool,
  opts: Options,
  python: PythonInstall | undefined
): Promise<string[]> {
  const { version, module } = INSPECT_TOOLS[tool];
  const local = opts[optionKey(tool)];
  if (local) {
    const exe = path.resolve(opts.projectDir, local);
    const r = await execCapture([exe, '--version']).catch((e: Error) => ({
      code: -1,
      output: e.message
    }));
    if (r.code !== 0)
      throw new ConfigError(
        `${tool}: the \`${tool}\` option names ${exe}, which does not run (${tail(r.output, 1)})`
      );
    return [exe];
  }
  const hint = `set the \`${tool}\` option to the path of a ${tool} executable, or \`inspect\` to false`;
  if (!python)
    throw new ConfigError(
      `${tool}: no Python 3.10 or newer found to install ${tool} into; ${hint}`
    );
  try {
    return [await ensureToolEnv(python, [`${tool}==${version}`], opts), '-m', module];
  } catch (e) {
    throw new ConfigError(
      `${tool}: ${tool} ${version} could not be installed from ${indexDescription(opts)} (${tail((e as Error).message, 1)}); ${hint}`
    );
  }
}

function optionKey(tool: InspectTool): 'twine' | 'checkWheelContents' | 'abi3audit' {
  return tool === 'check-wheel-contents' ? 'checkWheelContents' : tool;
}
