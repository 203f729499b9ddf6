import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCapture } from './exec.js';

/** A CPython interpreter found on this machine. */
export interface PythonInstall {
  /** Minor version, e.g. "3.12". */
  version: string;
  /** Full version, e.g. "3.12.1". */
  full: string;
  executable: string;
  /** Where it was found: path, pyenv or toolcache. */
  source: 'path' | 'pyenv' | 'toolcache';
}

const cache = new Map<string, Promise<PythonInstall[]>>();

/**
 * Finds CPythons: the runner's tool cache (setup-python's layout), pyenv's versions, then
 * `pythonX.Y` on PATH. The first found per minor version wins, in that order.
 */
export function discoverPythons(env: NodeJS.ProcessEnv = process.env): Promise<PythonInstall[]> {
  const key = [env.RUNNER_TOOL_CACHE, env.PYENV_ROOT, env.PATH].join('|');
  let p = cache.get(key);
  if (!p) {
    p = discover(env);
    cache.set(key, p);
  }
  return p;
}

async function discover(env: NodeJS.ProcessEnv): Promise<PythonInstall[]> {
  const candidates: { exe: string; source: PythonInstall['source'] }[] = [];
  const toolCache = env.RUNNER_TOOL_CACHE ?? env.AGENT_TOOLSDIRECTORY;
  if (toolCache) {
    // setup-python: $RUNNER_TOOL_CACHE/Python/3.12.1/x64/bin/python3
    const base = path.join(toolCache, 'Python');
    for (const ver of await listDir(base)) {
      for (const arch of await listDir(path.join(base, ver))) {
        candidates.push({ exe: path.join(base, ver, arch, 'bin', 'python3'), source: 'toolcache' });
        candidates.push({ exe: path.join(base, ver, arch, 'python.exe'), source: 'toolcache' });
      }
    }
  }
  const pyenvRoot = env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  for (const ver of (await listDir(path.join(pyenvRoot, 'versions'))).sort(byVersionDesc)) {
    if (/^\d+\.\d+\.\d+$/.test(ver)) {
      candidates.push({
        exe: path.join(pyenvRoot, 'versions', ver, 'bin', 'python3'),
        source: 'pyenv'
      });
    }
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir || dir.includes('shims')) continue;
    for (const name of await listDir(dir)) {
      if (/^python3(\.\d+)?$/.test(name))
        candidates.push({ exe: path.join(dir, name), source: 'path' });
    }
  }
  const found = new Map<string, PythonInstall>();
  await Promise.all(
    candidates.map(async (c, i) => {
      const info = await probe(c.exe);
      if (info) (candidates[i] as { info?: typeof info }).info = info;
    })
  );
  for (const c of candidates as {
    exe: string;
    source: PythonInstall['source'];
    info?: { version: string; full: string };
  }[]) {
    if (c.info && !found.has(c.info.version)) {
      found.set(c.info.version, {
        version: c.info.version,
        full: c.info.full,
        executable: c.exe,
        source: c.source
      });
    }
  }
  return [...found.values()].sort((a, b) => byVersionAsc(a.version, b.version));
}

async function probe(exe: string): Promise<{ version: string; full: string } | null> {
  try {
    await fs.access(exe, fs.constants.X_OK);
    const r = await execCapture(
      [
        exe,
        '-c',
        'import sys,platform;print(platform.python_implementation(), "%d.%d.%d" % sys.version_info[:3])'
      ],
      {
        timeoutMs: 20000
      }
    );
    const m = /^CPython (\d+)\.(\d+)\.(\d+)/.exec(r.stdout.trim());
    if (r.code !== 0 || !m) return null;
    return { version: `${m[1]}.${m[2]}`, full: `${m[1]}.${m[2]}.${m[3]}` };
  } catch {
    return null;
  }
}

/** The interpreter for a minor version, or undefined. */
export async function findPython(
  version: string,
  env?: NodeJS.ProcessEnv
): Promise<PythonInstall | undefined> {
  return (await discoverPythons(env)).find((p) => p.version === version);
}

/** The first of `versions` installed here, in the order given. */
export async function firstInstalled(
  versions: readonly string[],
  env?: NodeJS.ProcessEnv
): Promise<PythonInstall | undefined> {
  const all = await discoverPythons(env);
  for (const v of versions) {
    const p = all.find((i) => i.version === v);
    if (p) return p;
  }
  return undefined;
}

/** A default interpreter for tool work (detect hooks, zipapps): the newest found. */
export async function anyPython(env?: NodeJS.ProcessEnv): Promise<PythonInstall | undefined> {
  const all = await discoverPythons(env);
  return all[all.length - 1];
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

function parts(v: string): number[] {
  return v.split('.').map((x) => parseInt(x, 10) || 0);
}

export function byVersionAsc(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function byVersionDesc(a: string, b: string): number {
  return byVersionAsc(b, a);
}

/** "3.12" → "cp312". */
export function cpTag(version: string): string {
  return 'cp' + version.replace('.', '');
}
