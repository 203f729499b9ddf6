import { Options } from '../config/options.js';
import { execCapture } from '../runtime/exec.js';
import { Logger } from '../runtime/log.js';
import { PythonInstall, anyPython, discoverPythons } from '../runtime/python.js';
import { backendMetadata } from './hook.js';
import { ProjectModel } from './model.js';
import { allowsMinor } from './pythons.js';

/**
 * The interpreter for the metadata hook, among installed CPythons the project allows: the
 * default `python3` (the one this machine or the workflow set up, most likely to find wheels
 * for the backend), else the newest target version, else the newest allowed, else any Python.
 */
export async function choosePython(
  requiresPython: string | null,
  targets: readonly string[]
): Promise<PythonInstall | undefined> {
  const installed = await discoverPythons();
  const allowed = installed.filter((p) => safeAllows(requiresPython, p.version));
  const preferred = await defaultMinor();
  return (
    allowed.find((p) => p.version === preferred) ??
    [...allowed].reverse().find((p) => targets.includes(p.version)) ??
    allowed[allowed.length - 1] ??
    (await anyPython())
  );
}

let defaultMinorCache: Promise<string | undefined> | undefined;

/** The minor version of `python3` on PATH (through pyenv shims too), if any. */
function defaultMinor(): Promise<string | undefined> {
  defaultMinorCache ??= execCapture(
    ['python3', '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
    { timeoutMs: 20000 }
  )
    .then((r) => (r.code === 0 ? r.stdout.trim() : undefined))
    .catch(() => undefined);
  return defaultMinorCache;
}

function safeAllows(spec: string | null, minor: string): boolean {
  try {
    return allowsMinor(spec, minor);
  } catch {
    return true;
  }
}

export interface DynamicContext {
  root: string;
  files: string[];
  python: () => Promise<PythonInstall | undefined>;
  /** The version comes from VCS: the hook must see the checkout itself. */
  inPlace: boolean;
  opts: Options;
  log: Logger;
}

/**
 * Fills the model's dynamic fields from the backend hook. When no Python can run it, or the
 * hook fails, the statically read values stay (a dynamic version stays null) and a warning
 * says why.
 */
export async function resolveDynamic(model: ProjectModel, ctx: DynamicContext): Promise<void> {
  const fallback = (why: string): void => {
    ctx.log.warn(
      `dynamic metadata (${model.dynamic.join(', ')}) is not resolved: ${why}`,
      model.sources[0]
    );
  };
  try {
    const meta = await backendMetadata({
      root: ctx.root,
      files: ctx.files,
      python: ctx.python,
      backend: model.backend,
      inPlace: ctx.inPlace,
      opts: ctx.opts,
      log: ctx.log
    });
    if (meta.name) model.name = meta.name;
    if (meta.version) model.version = meta.version;
    model.requiresPython = meta.requiresPython ?? model.requiresPython;
    model.dependencies = meta.dependencies;
    // The hook's entry points are complete when the backend writes entry_points.txt at all.
    if (
      Object.keys(meta.entryPoints).length ||
      model.dynamic.some((d) => /scripts|entry-points/.test(d))
    ) {
      model.entryPoints = meta.entryPoints;
    }
  } catch (e) {
    fallback((e as Error).message);
  }
}
