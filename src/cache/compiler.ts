import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CacheOptions } from '../config/options.js';
import { CompilerCacheReport } from '../manifest/model.js';
import { sha256, sha256File, tempDir } from '../runtime/fsutil.js';
import { cacheRoot } from '../runtime/toolenv.js';
import { selectBackend } from './backend.js';
import { GithubBackend } from './github.js';
import { CACHE_FORMAT_VERSION, keyPart } from './key.js';
import { saveBlockedReason } from './policy.js';
import { CacheBackend } from './store.js';
import { packTree, unpackTree } from './tree.js';

/**
 * The compiler cache's directory (`<cache dir>/ccache`) and its second life as a cache entry.
 * On the CLI the directory is the store: it stays where it is and ccache bounds its size. In
 * Actions it is restored from, and saved to, GitHub's cache service like the dependency cache
 * (its own key prefix, the same save policy): one tar file per entry, since entries are flat.
 */

const ENTRY_FILE = 'ccache.tar';
/** Never carried in an entry: ccache's scratch space and locks, and a configuration file. */
function notCarried(name: string): boolean {
  return name === 'tmp' || name === 'ccache.conf' || name === 'lock' || name.endsWith('.lock');
}

export interface CompilerCacheKeyInput {
  /** The platform tag or image the objects are for. */
  platformKey: string;
  /** Digest of the sources compiled (the unpacked sdist). */
  source: string;
  pythons: string[];
  os?: string;
  arch?: string;
}

/** `albatross-ccache-v<N>-<os>-<arch>-<platform>-<hash>`; restore falls back to the newest of the prefix. */
export function compilerCacheKey(k: CompilerCacheKeyInput): { key: string; restoreKeys: string[] } {
  const base = [
    'albatross-ccache',
    `v${CACHE_FORMAT_VERSION}`,
    keyPart(k.os ?? process.platform),
    keyPart(k.arch ?? process.arch),
    keyPart(k.platformKey)
  ].join('-');
  const hash = sha256(JSON.stringify([k.source, [...k.pythons].sort()])).slice(0, 20);
  return { key: `${base}-${hash}`, restoreKeys: [`${base}-`] };
}

/** Digest of a source tree: every regular file's relative path and content (pure of time). */
export async function treeDigest(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const ents = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of ents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) parts.push(`${r}\0${await sha256File(path.join(dir, r))}`);
    }
  };
  await walk('');
  return sha256(parts.join('\n'));
}

/** The report fields the store decides (the counts come from the builds). */
export type StoreReport = Pick<CompilerCacheReport, 'backend' | 'key' | 'restored'> & {
  warnings: string[];
};

export interface CompilerCacheStore {
  /** The directory ccache uses on the host. */
  dir: string;
  report: StoreReport;
  /** After the builds: keeps what they compiled (`misses` new objects). */
  save(misses: number): Promise<Pick<CompilerCacheReport, 'saved' | 'skipped'>>;
}

/** Where the compiler cache lives on this machine. */
export function compilerCacheDir(opts: CacheOptions): string {
  return path.join(cacheRoot(opts), 'ccache');
}

/**
 * Opens the compiler cache: the directory, restored first from the GitHub backend when the
 * environment selects it (`backend` overrides, for tests). A failed restore warns and starts
 * from what the directory holds; it never fails the build.
 */
export async function openCompilerCache(a: {
  opts: CacheOptions;
  key: CompilerCacheKeyInput;
  env?: NodeJS.ProcessEnv;
  backend?: CacheBackend | null;
}): Promise<CompilerCacheStore> {
  const env = a.env ?? process.env;
  const dir = compilerCacheDir(a.opts);
  await fs.mkdir(dir, { recursive: true });
  const backend =
    a.backend !== undefined
      ? a.backend
      : selectBackend(env) === 'github'
        ? new GithubBackend(env, 'albatross-ccache')
        : null;
  if (!backend) {
    const report: StoreReport = { backend: 'local', restored: 'in-place', warnings: [] };
    return {
      dir,
      report,
      save: async (misses) =>
        misses ? { saved: true } : { saved: false, skipped: 'nothing new was compiled' }
    };
  }
  const { key, restoreKeys } = compilerCacheKey(a.key);
  const report: StoreReport = { backend: backend.name, key, restored: 'miss', warnings: [] };
  const stage = await tempDir('albatross-ccache-restore-');
  try {
    const hit = await backend.restore(stage.dir, key, restoreKeys);
    if (hit) {
      await unpackTree(path.join(stage.dir, ENTRY_FILE), dir, notCarried);
      report.restored = hit.matchedKey === key ? 'exact' : 'partial';
    }
  } catch (e) {
    report.restored = 'error';
    report.warnings.push(
      `restoring the compiler cache failed (${(e as Error).message}); compiling without it`
    );
  } finally {
    await stage.cleanup();
  }
  return {
    dir,
    report,
    save: (misses) => saveEntry(backend, dir, key, report, misses, env)
  };
}

async function saveEntry(
  backend: CacheBackend,
  dir: string,
  key: string,
  report: StoreReport,
  misses: number,
  env: NodeJS.ProcessEnv
): Promise<Pick<CompilerCacheReport, 'saved' | 'skipped'>> {
  if (report.restored === 'exact' && !backend.canOverwrite)
    return { saved: false, skipped: 'exact hit' };
  if (!misses) return { saved: false, skipped: 'nothing new was compiled' };
  const blocked = saveBlockedReason(env);
  if (blocked) return { saved: false, skipped: blocked };
  const stage = await tempDir('albatross-ccache-save-');
  try {
    await packTree(dir, path.join(stage.dir, ENTRY_FILE), notCarried);
    await backend.save(stage.dir, key);
    return { saved: true };
  } catch (e) {
    report.warnings.push(
      `saving the compiler cache failed (${(e as Error).message}); continuing without it`
    );
    return { saved: false, skipped: 'error' };
  } finally {
    await stage.cleanup();
  }
}
