import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { execCapture, tail } from '../runtime/exec.js';
import { exists, sha256, tempDir, writeFileAtomic } from '../runtime/fsutil.js';
import { Logger } from '../runtime/log.js';
import { pipEnv } from '../runtime/pip.js';
import { PythonInstall } from '../runtime/python.js';
import { cacheRoot, ensureToolEnv } from '../runtime/toolenv.js';
import { HookMetadata, hookMetadata } from './metadata.js';

/** Bump when the cached result's shape or the hook script changes. */
const CACHE_VERSION = 1;
const MARK = 'ALBATROSS-METADATA-DIR:';

/**
 * Runs the backend's prepare_metadata_for_build_wheel hook through `build` in an isolated
 * environment (pip installs the backend from the configured index), the way a frontend does.
 * The dist-info lands in a temporary directory; only METADATA and entry_points.txt are read.
 */
const SCRIPT = `
import subprocess, sys
from build import BuildBackendException, ProjectBuilder
from build.env import DefaultIsolatedEnv
src, out = sys.argv[1], sys.argv[2]
try:
    with DefaultIsolatedEnv() as env:
        builder = ProjectBuilder.from_isolated_env(env, src)
        env.install(builder.build_system_requires)
        env.install(builder.get_requires_for_build('wheel'))
        path = builder.metadata_path(out)
except subprocess.CalledProcessError as e:
    # pip's own message (why the backend could not be installed), not build's traceback.
    err = e.stderr or e.stdout or b''
    err = err.decode('utf-8', 'replace') if isinstance(err, bytes) else str(err)
    lines = [l for l in err.splitlines() if l.strip() and not l.startswith('WARNING: Location')]
    print('installing the build backend failed:', *lines[-6:], sep='\\n', file=sys.stderr)
    sys.exit(2)
except BuildBackendException as e:
    print('the build backend failed: %s' % e, file=sys.stderr)
    sys.exit(3)
print(${JSON.stringify(MARK)} + path)
`;

export interface HookRequest {
  root: string;
  /** Relative project files, hashed into the cache key. */
  files: string[];
  /** Chosen only when the hook must run (a cache hit needs no interpreter). */
  python: () => Promise<PythonInstall | undefined>;
  backend: string;
  /** Run in the project itself (VCS-derived versions) rather than on a copy. */
  inPlace: boolean;
  opts: Options;
  log: Logger;
}

/**
 * The backend's metadata, from the per-content cache or by running the hook. Throws
 * NoPythonError when no interpreter can run it, Error when the hook fails.
 */
export async function backendMetadata(req: HookRequest): Promise<HookMetadata> {
  const key = await cacheKey(req);
  const cacheFile = path.join(cacheRoot(req.opts), 'detect', `${key}.json`);
  try {
    const cached = JSON.parse(await fs.readFile(cacheFile, 'utf8')) as HookMetadata;
    req.log.debug(`detect: backend metadata from cache ${cacheFile}`);
    return cached;
  } catch {
    /* not cached yet */
  }
  const interpreter = await req.python();
  if (!interpreter) throw new NoPythonError('no Python interpreter found to run the build backend');
  return req.log.group(`Reading metadata from ${req.backend} (Python ${interpreter.version})`, () =>
    runHook(req, interpreter, cacheFile)
  );
}

export class NoPythonError extends Error {}

async function runHook(
  req: HookRequest,
  interpreter: PythonInstall,
  cacheFile: string
): Promise<HookMetadata> {
  const python = await ensureToolEnv(interpreter, ['build'], req.opts);
  const tmp = await tempDir('albatross-detect-');
  // The hook runs on a copy, so backends that write into the tree (setuptools' egg-info,
  // cargo's Cargo.lock) never touch the project, nor a build running there at the same time.
  // Versions derived from VCS need the checkout itself: then only new egg-info is removed.
  const src = req.inPlace ? req.root : path.join(tmp.dir, 'src');
  const out = path.join(tmp.dir, 'out');
  const before = req.inPlace ? await eggInfos(req.root) : null;
  try {
    if (!req.inPlace) await copyFiles(req.root, req.files, src);
    await fs.mkdir(out);
    const r = await execCapture([python, '-c', SCRIPT, src, out], {
      cwd: src,
      passEnv: req.opts.passEnv,
      extraEnv: { ...pipEnv(req.opts), PYTHONDONTWRITEBYTECODE: '1' },
      timeoutMs: 15 * 60 * 1000
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith(MARK));
    if (r.code !== 0 || !line) {
      // The script reports install and backend failures on stderr in a few lines.
      const why = r.code === 2 || r.code === 3 ? r.stderr : r.output;
      throw new Error(`the backend's metadata hook failed (exit ${r.code}):\n${tail(why, 15)}`);
    }
    const dir = line.slice(MARK.length).trim();
    const metadata = await fs.readFile(path.join(dir, 'METADATA'), 'utf8');
    const epFile = path.join(dir, 'entry_points.txt');
    const eps = (await exists(epFile)) ? await fs.readFile(epFile, 'utf8') : null;
    const result = hookMetadata(metadata, eps);
    await writeFileAtomic(cacheFile, JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    await tmp.cleanup();
    if (before) {
      for (const e of await eggInfos(req.root)) {
        if (!before.has(e)) await fs.rm(path.join(req.root, e), { recursive: true, force: true });
      }
    }
  }
}

async function copyFiles(root: string, files: string[], dest: string): Promise<void> {
  for (const f of files) {
    await fs.mkdir(path.dirname(path.join(dest, f)), { recursive: true });
    await fs.copyFile(path.join(root, f), path.join(dest, f));
  }
}

/** `*.egg-info` directories next to setup.py or one level down (src/ layouts). */
async function eggInfos(root: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const a of await fs.readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!a.isDirectory()) continue;
    if (a.name.endsWith('.egg-info')) out.add(a.name);
    else if (!a.name.startsWith('.')) {
      for (const b of await fs.readdir(path.join(root, a.name)).catch(() => [])) {
        if (b.endsWith('.egg-info')) out.add(`${a.name}/${b}`);
      }
    }
  }
  return out;
}

/** Content hash of the project's files (metadata does not depend on the interpreter picked). */
async function cacheKey(req: HookRequest): Promise<string> {
  const parts: string[] = [String(CACHE_VERSION), req.root];
  for (const f of req.files) {
    const full = path.join(req.root, f);
    try {
      const st = await fs.stat(full);
      // Large files (data, binaries) are keyed by size and mtime instead of content.
      const content =
        st.size > 1 << 20 ? `${st.size}:${st.mtimeMs}` : sha256(await fs.readFile(full));
      parts.push(`${f}\0${content}`);
    } catch {
      /* vanished while hashing */
    }
  }
  parts.push(await gitHead(req.root));
  return sha256(parts.join('\n')).slice(0, 32);
}

/**
 * The checked-out commit and the tags, so VCS-derived versions (hatch-vcs, setuptools-scm)
 * key the cache too. The repository may sit above the project (monorepos).
 */
async function gitHead(root: string): Promise<string> {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const git = path.join(dir, '.git');
    const head = await fs.readFile(path.join(git, 'HEAD'), 'utf8').catch(() => null);
    if (head !== null) {
      const ref = /^ref: (.+)$/.exec(head.trim());
      const commit = ref
        ? await fs.readFile(path.join(git, ref[1]), 'utf8').catch(() => ref[1])
        : head;
      const packed = await fs.readFile(path.join(git, 'packed-refs'), 'utf8').catch(() => '');
      const tags = await fs.readdir(path.join(git, 'refs', 'tags')).catch(() => []);
      return [commit.trim(), sha256(packed), tags.sort().join(',')].join('|');
    }
    if (path.dirname(dir) === dir) return '';
  }
}
