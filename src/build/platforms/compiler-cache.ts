import * as path from 'node:path';
import {
  CompilerCacheKeyInput,
  CompilerCacheStore,
  compilerCacheDir,
  openCompilerCache,
  treeDigest
} from '../../cache/compiler.js';
import { CacheOptions } from '../../config/options.js';
import { CompilerCacheReport } from '../../manifest/model.js';
import { Logger } from '../../runtime/log.js';
import { ccacheEnv, logStatsArgs, parseLogStats } from '../ccache.js';
import { Executor } from '../executor.js';
import { JobDirs, WheelJob } from './types.js';

/**
 * One build's compiler cache over a platform (host or container): readied once, before the
 * first compile (ccache found where the compiles run, its masquerade directory made, the store
 * restored), then per job the environment of its build step and, after it, its counts.
 * `close` saves what was compiled and hands the report to the manifest.
 */
export interface CompilerCache {
  /**
   * Environment additions for a job's build step ({} without a cache): `src` is the build
   * directory as the step sees it, `hostSrc` the same on the host (its digest keys the entry).
   */
  envFor(dirs: JobDirs, src: string, hostSrc: string): Promise<Record<string, string>>;
  /** Reads the job's hits and misses once its build step is done. */
  collect(job: WheelJob, dirs: JobDirs, ex: Executor): Promise<void>;
  close(): Promise<void>;
}

/** ccache where the compiles run, as they see it. */
export interface ReadyCcache {
  exe: string;
  version: string;
  /** The compiler cache's directory. */
  dir: string;
  masquerade: string;
  /** PATH there, before the masquerade directory is put first. */
  PATH: string;
}

/** Where the compiles run, as the compiler cache needs to know it. */
export interface CompilerCachePlace {
  /** ccache there and its masquerade directory over `dir` (on the host), or why there is none. */
  ready(dir: string): Promise<ReadyCcache | { missing: string }>;
  /** A job's stats log as the compiles see it. */
  statsLog(dirs: JobDirs): string;
}

/** No compiler cache: nothing added, nothing reported. */
export const NO_COMPILER_CACHE: CompilerCache = {
  envFor: () => Promise.resolve({}),
  collect: () => Promise.resolve(),
  close: () => Promise.resolve()
};

const warned = new Set<string>();

/** Says once per process that the cache is not used, and why. */
function warnOnce(log: Logger, message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  log.warn(message);
}

type Readied = { at: ReadyCcache; store: CompilerCacheStore } | { missing: string };

export function compilerCacheSession(a: {
  opts: CacheOptions;
  log: Logger;
  key: Omit<CompilerCacheKeyInput, 'source'>;
  place: CompilerCachePlace;
  onReport: (r: CompilerCacheReport) => void;
  env?: NodeJS.ProcessEnv;
}): CompilerCache {
  let readying: Promise<Readied> | undefined;
  const pythons: CompilerCacheReport['pythons'] = {};
  const ready = (hostSrc: string): Promise<Readied> =>
    (readying ??= (async (): Promise<Readied> => {
      const at = await a.place.ready(compilerCacheDir(a.opts));
      if ('missing' in at) {
        warnOnce(a.log, `compiler cache: not used, ${at.missing}; compiling without it`);
        return at;
      }
      const store = await openCompilerCache({
        opts: a.opts,
        env: a.env,
        key: { ...a.key, source: await treeDigest(hostSrc) }
      });
      for (const w of store.report.warnings) a.log.warn(w);
      return { at, store };
    })());
  return {
    async envFor(dirs, src, hostSrc) {
      const r = await ready(hostSrc);
      if ('missing' in r) return {};
      return ccacheEnv({
        dir: r.at.dir,
        baseDir: src,
        statsLog: a.place.statsLog(dirs),
        masquerade: r.at.masquerade,
        PATH: r.at.PATH
      });
    },
    async collect(job, dirs, ex) {
      const r = await readying;
      if (!r || 'missing' in r) return;
      const out = await ex.run(logStatsArgs(r.at.exe), {
        env: { CCACHE_STATSLOG: a.place.statsLog(dirs), CCACHE_CONFIGPATH: '/dev/null' }
      });
      pythons[job.version] = out.code === 0 ? parseLogStats(out.stdout) : { hits: 0, misses: 0 };
    },
    async close() {
      const r = await readying;
      if (!r) return;
      if ('missing' in r) {
        a.onReport({
          ...counts(pythons),
          tool: null,
          backend: 'none',
          restored: 'none',
          saved: false,
          skipped: r.missing
        });
        return;
      }
      const c = counts(pythons);
      const before = r.store.report.warnings.length;
      const saved = await r.store.save(c.misses);
      for (const w of r.store.report.warnings.slice(before)) a.log.warn(w);
      const { backend, key, restored } = r.store.report;
      a.onReport({
        tool: r.at.version,
        backend,
        ...(key ? { key } : {}),
        restored,
        ...c,
        ...saved
      });
      a.log.info(
        `compiler cache (${r.at.version}, ${backend}): ${c.hits} hit(s), ${c.misses} miss(es), ${saved.saved ? 'saved' : `not saved (${saved.skipped ?? 'unknown'})`}`
      );
    }
  };
}

/** The totals and the per-Python counts, sorted by version. */
function counts(
  pythons: CompilerCacheReport['pythons']
): Pick<CompilerCacheReport, 'hits' | 'misses' | 'pythons'> {
  const all = Object.values(pythons);
  return {
    hits: all.reduce((s, c) => s + c.hits, 0),
    misses: all.reduce((s, c) => s + c.misses, 0),
    pythons: Object.fromEntries(Object.entries(pythons).sort(([x], [y]) => (x < y ? -1 : 1)))
  };
}

/** A job's stats log below its directory. */
export function statsLogIn(dir: string): string {
  return path.posix.join(dir, 'ccache-stats.log');
}
