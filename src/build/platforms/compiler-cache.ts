import * as path from 'node:path';
import {
  CompilerCacheKeyInput,
  CompilerCacheStore,
  openCompilerCache,
  treeDigest
} from '../../cache/compiler.js';
import { CompilerCacheReport } from '../../manifest/model.js';
import { Logger } from '../../runtime/log.js';
import { ccacheEnv, logStatsArgs, parseLogStats } from '../ccache.js';
import { Executor } from '../executor.js';
import { JobDirs, WheelJob } from './types.js';

/**
 * One build's compiler cache over a platform (host or container): readied once, before the
 * first compile (the store restored, ccache found where the compiles run, its masquerade
 * directory made), then per job the environment of its build step and, after it, its counts.
 * `close` saves what was compiled and hands the report to the manifest.
 */
export interface CompilerCache {
  /** Environment additions for a job's build step ({} without a cache); `src` is the build dir as the step sees it, `hostSrc` on the host. */
  envFor(
    job: WheelJob,
    dirs: JobDirs,
    src: string,
    hostSrc: string
  ): Promise<Record<string, string>>;
  /** Reads the job's hits and misses once its build step is done. */
  collect(job: WheelJob, dirs: JobDirs, ex: Executor): Promise<void>;
  close(): Promise<void>;
}

/** Where the compiles run, as the compiler cache needs to know it. */
export interface CompilerCachePlace {
  /** ccache there and its masquerade directory, or why there is none. */
  ready(
    store: CompilerCacheStore
  ): Promise<
    | { exe: string; version: string; dir: string; masquerade: string; PATH: string }
    | { missing: string }
  >;
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

export function compilerCacheSession(a: {
  opts: Parameters<typeof openCompilerCache>[0]['opts'];
  log: Logger;
  key: Omit<CompilerCacheKeyInput, 'source'>;
  place: CompilerCachePlace;
  onReport: (r: CompilerCacheReport) => void;
  env?: NodeJS.ProcessEnv;
}): CompilerCache {
  type Ready = Exclude<Awaited<ReturnType<CompilerCachePlace['ready']>>, { missing: string }>;
  let readying: Promise<{ store: CompilerCacheStore; at: Ready | null; skipped?: string }> | null =
    null;
  const pythons: CompilerCacheReport['pythons'] = {};
  const ready = (hostSrc: string): typeof readying =>
    (readying ??= (async () => {
      const store = await openCompilerCache({
        opts: a.opts,
        env: a.env,
        key: { ...a.key, source: await treeDigest(hostSrc) }
      });
      for (const w of store.report.warnings) a.log.warn(w);
      const at = await a.place.ready(store);
      if ('missing' in at) {
        warnOnce(a.log, `compiler cache: not used, ${at.missing}; compiling without it`);
        return { store, at: null, skipped: at.missing };
      }
      return { store, at };
    })());
  return {
    async envFor(job, dirs, src, hostSrc) {
      const r = await ready(hostSrc)!;
      if (!r.at) return {};
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
      if (!r?.at) return;
      const out = await ex.run(logStatsArgs(r.at.exe), {
        env: { CCACHE_STATSLOG: a.place.statsLog(dirs), CCACHE_CONFIGPATH: '/dev/null' }
      });
      pythons[job.version] = out.code === 0 ? parseLogStats(out.stdout) : { hits: 0, misses: 0 };
    },
    async close() {
      const r = await readying;
      if (!r) return;
      const counts = Object.values(pythons);
      const hits = counts.reduce((s, c) => s + c.hits, 0);
      const misses = counts.reduce((s, c) => s + c.misses, 0);
      const base = {
        tool: r.at?.version ?? null,
        backend: r.store.report.backend,
        ...(r.store.report.key ? { key: r.store.report.key } : {}),
        restored: r.store.report.restored,
        hits,
        misses,
        pythons: Object.fromEntries(Object.entries(pythons).sort(([x], [y]) => (x < y ? -1 : 1)))
      };
      if (!r.at) {
        a.onReport({ ...base, saved: false, skipped: r.skipped });
        return;
      }
      const before = r.store.report.warnings.length;
      const saved = await r.store.save(misses);
      for (const w of r.store.report.warnings.slice(before)) a.log.warn(w);
      a.onReport({ ...base, ...saved });
      a.log.info(
        `compiler cache (${r.at.version}, ${base.backend}): ${hits} hit(s), ${misses} miss(es)${saved.saved ? ', saved' : saved.skipped ? `, not saved (${saved.skipped})` : ''}`
      );
    }
  };
}

/** A job's stats log below its directory. */
export function statsLogIn(dir: string): string {
  return path.posix.join(dir, 'ccache-stats.log');
}
