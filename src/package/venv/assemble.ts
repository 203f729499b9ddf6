import { ConfigError } from '../../errors.js';
import { PackageContext, depsFor } from '../context.js';
import { LocalWheel, pickWheel } from '../inputs.js';
import { baseTarget } from '../oci/image.js';
import { prefixProblem, venvPrefix } from './prefix.js';
import { VenvTarget, venvTarget } from './target.js';
import { VenvTree, venvTree } from './tree.js';

/** What the venv and deb formats both start from. */
export interface AssembledVenv {
  prefix: string;
  target: VenvTarget;
  app: LocalWheel;
  deps: LocalWheel[];
  tree: VenvTree;
}

/** `python` of the target as a log line: interpreter, platform, C library. */
export function targetLine(t: VenvTarget): string {
  const { py } = t;
  const libc = py.libc ? ` ${py.libc.kind} ${py.libc.version.join('.')}` : '';
  return `${t.where}: CPython ${py.version} at ${py.executable}, linux/${py.arch}${libc}`;
}

/** The project's venv at its prefix, for the target interpreter, from OUT's wheel. */
export async function assembleVenv(c: PackageContext, what: string): Promise<AssembledVenv> {
  const prefix = venvPrefix(c.opts.prefix, c.model.name);
  // The option was checked when read; the default (from the project name) is checked here.
  const problem = prefixProblem(prefix);
  if (problem) throw new ConfigError(`prefix: ${problem}`);
  const target = await venvTarget(c);
  c.log.info(`${what}: ${targetLine(target)}`);
  const app = pickWheel(c.wheels, baseTarget(target.py), what, c.outDir);
  const deps = await depsFor(c, target.host, app, target.platformKey);
  const tree = await venvTree({
    target,
    prefix,
    app,
    deps,
    installer: c.installer,
    cacheDir: c.opts.cacheDir,
    what
  });
  return { prefix, target, app, deps, tree };
}

/** The manifest details both formats record. */
export function venvDetails(v: AssembledVenv): Record<string, unknown> {
  const { py } = v.target;
  const libc = py.libc ? ` ${py.libc.kind} ${py.libc.version.join('.')}` : '';
  return {
    prefix: v.prefix,
    interpreter: py.executable,
    base: v.target.base,
    platform: v.tree.pure ? 'any' : `linux/${py.arch}${libc}`,
    commands: v.tree.commands,
    wheel: v.app.file,
    dependencies: v.deps.map((d) => d.file)
  };
}
