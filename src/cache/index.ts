import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CacheOptions, IndexOptions, Options, PassEnvOptions } from '../config/options.js';
import { CacheReport } from '../manifest/model.js';
import { sha256File, tempDir } from '../runtime/fsutil.js';
import { Logger } from '../runtime/log.js';
import { isWheelName } from '../runtime/wheelname.js';
import { createBackend, selectBackend } from './backend.js';
import { listFiles, totalSize } from './files.js';
import { checkWheel } from './integrity.js';
import { cacheKey } from './key.js';
import { localProjects } from './local-projects.js';
import { ENTRY_META, EntryMeta, readMeta, writeMeta } from './meta.js';
import { resolutionIsPinned } from './pinned.js';
import { PipWheelResult, runPipWheel, wheelProject } from './pipwheel.js';
import { saveBlockedReason } from './policy.js';
import { CacheBackend } from './store.js';

export { CACHE_FORMAT_VERSION, cacheKey } from './key.js';
export { createBackend, selectBackend } from './backend.js';
export type { CacheBackend, BackendName } from './store.js';
export { checkWheel } from './integrity.js';
export { saveBlockedReason } from './policy.js';
export { cacheSummaryLine, compilerCacheLine, mergeCacheReports } from './summary.js';

/** What the dependency cache reads: the indexes, its root and its switches, `pass-env`. */
export type WheelhouseOptions = IndexOptions &
  CacheOptions &
  PassEnvOptions &
  Pick<Options, 'cache' | 'cacheAllWheels'>;

export interface WheelhouseRequest {
  opts: WheelhouseOptions;
  log: Logger;
  /** Interpreter that resolves and builds the dependency wheels. */
  python: { version: string; executable: string };
  /** PEP 508 requirements and/or paths of local wheels whose dependencies are needed. */
  requirements: string[];
  /** Platform tag, or the container image digest, the wheels are for (part of the key). */
  platformKey: string;
  /** Lock/requirements files whose content is part of the key (absolute paths). */
  keyFiles?: string[];
  /** Directory the wheelhouse is written to (created). */
  dest: string;
  /** Environment for pip, the backend choice and the save policy (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface WheelhouseResult {
  /** Directory holding every dependency wheel (pass as --find-links, --no-index). */
  dir: string;
  report: CacheReport;
  /** True when an exact hit held the whole pinned resolution and pip was not run at all. */
  resolvedFromCache?: boolean;
}

/**
 * Resolves the requirements' dependency wheels into `dest` with `pip wheel`, restoring the
 * wheels earlier runs had to build from source first and saving newly built ones after.
 * Cache trouble of any kind warns and falls back to a cold build; it never fails the job.
 */
export async function prepareWheelhouse(req: WheelhouseRequest): Promise<WheelhouseResult> {
  await fs.mkdir(req.dest, { recursive: true });
  const report = emptyReport();
  const run: Run = {
    req,
    env: req.env ?? process.env,
    report,
    warn: (m) => {
      report.warnings.push(m);
      req.log.warn(m);
    },
    local: await localProjects(req.requirements)
  };
  if (!req.opts.cache) return uncached(run);

  const { key, restoreKeys } = await cacheKey({
    opts: req.opts,
    pythonVersion: req.python.version,
    platformKey: req.platformKey,
    requirements: req.requirements,
    keyFiles: req.keyFiles
  });
  report.key = key;
  const backend = openBackend(run);
  const restoreTmp = await tempDir('albatross-wheels-');
  try {
    const entry = await restoreEntry(run, backend, restoreTmp.dir, key, restoreKeys);
    if (await reuseExactHit(run, entry)) return { dir: req.dest, report, resolvedFromCache: true };
    const wheels = await buildWheels(run, entry);
    await saveBuilt(run, backend, key, entry, wheels);
    return { dir: req.dest, report };
  } finally {
    await restoreTmp.cleanup();
  }
}

/** One prepareWheelhouse call: what it was asked, the report it fills and how it warns. */
interface Run {
  req: WheelhouseRequest;
  env: NodeJS.ProcessEnv;
  report: CacheReport;
  warn: (m: string) => void;
  /** Names of the requirements given as local paths (never cached). */
  local: Set<string>;
}

/** What the restored cache entry holds, once unsound wheels are dropped. */
interface RestoredEntry {
  dir: string;
  meta: EntryMeta;
  restored: string[];
  dropped: number;
}

/** The wheels pip left in `dest`: those it built from source, those it took from the cache. */
interface BuiltWheels {
  res: PipWheelResult;
  built: string[];
  reused: string[];
}

function emptyReport(): CacheReport {
  return {
    key: '',
    backend: 'none',
    hit: 'disabled',
    bytesRestored: 0,
    bytesSaved: 0,
    saved: false,
    wheelsBuilt: 0,
    wheelsReused: 0,
    secondsSaved: 0,
    warnings: []
  };
}

/** `cache = false`: pip alone. */
async function uncached({ req, env, report, local }: Run): Promise<WheelhouseResult> {
  const res = await runPipWheel(
    req.python.executable,
    req.dest,
    req.requirements,
    req.opts,
    [],
    env
  );
  report.wheelsBuilt = res.built.filter((n) => !local.has(n)).length;
  report.saveSkipped = 'cache disabled';
  return { dir: req.dest, report };
}

/** The backend the environment selects; undefined (with a warning) when it cannot be had. */
function openBackend({ req, env, report, warn }: Run): CacheBackend | undefined {
  try {
    const backend = createBackend(selectBackend(env), req.opts, env);
    report.backend = backend.name;
    return backend;
  } catch (e) {
    warn(`dependency cache unavailable: ${(e as Error).message}`);
    return undefined;
  }
}

/** Restores the entry for `key` (or a fallback) into `dir`; a failed restore leaves it empty. */
async function restoreEntry(
  { report, warn }: Run,
  backend: CacheBackend | undefined,
  dir: string,
  key: string,
  restoreKeys: string[]
): Promise<RestoredEntry> {
  if (!backend) return { dir, meta: { version: 1, wheels: {} }, restored: [], dropped: 0 };
  try {
    const hit = await backend.restore(dir, key, restoreKeys);
    report.hit = !hit ? 'miss' : hit.matchedKey === key ? 'exact' : 'partial';
    if (hit) report.restoredKey = hit.matchedKey;
  } catch (e) {
    report.hit = 'error';
    warn(`restoring the dependency cache failed (${(e as Error).message}); building without it`);
    await emptyDir(dir);
  }
  const meta = (await readMeta(dir)) ?? { version: 1, wheels: {} };
  const { good, dropped } = await checkRestored(dir, meta, warn);
  report.bytesRestored = await totalSize(dir, good);
  return { dir, meta, restored: good, dropped };
}

/** The fast path: an intact exact entry that is the whole (pinned) resolution fills `dest`. */
async function reuseExactHit({ req, report }: Run, entry: RestoredEntry): Promise<boolean> {
  if (report.hit !== 'exact' || entry.dropped) return false;
  if (!(await fromCache(req, entry.dir, entry.meta, entry.restored))) return false;
  const resolved = entry.meta.resolved ?? [];
  report.wheelsReused = resolved.length;
  report.secondsSaved = round(
    resolved.reduce((s, w) => s + (entry.meta.wheels[w]?.buildSeconds ?? 0), 0)
  );
  report.saveSkipped = 'exact hit';
  return true;
}

/** `pip wheel` with the restored wheels in sight; counts what it built and what it reused. */
async function buildWheels(
  { req, env, report, local }: Run,
  entry: RestoredEntry
): Promise<BuiltWheels> {
  const res = await runPipWheel(
    req.python.executable,
    req.dest,
    req.requirements,
    req.opts,
    entry.restored.length ? [entry.dir] : [],
    env
  );
  const restoredSet = new Set(entry.restored);
  const built = res.wheels.filter(
    (w) => res.built.includes(wheelProject(w)) && !local.has(wheelProject(w))
  );
  const reused = res.wheels.filter(
    (w) => restoredSet.has(w) && !res.built.includes(wheelProject(w))
  );
  report.wheelsBuilt = built.length;
  report.wheelsReused = reused.length;
  report.secondsSaved = round(
    reused.reduce((s, w) => s + (entry.meta.wheels[w]?.buildSeconds ?? 0), 0)
  );
  return { res, built, reused };
}

/** Saves the wheels worth keeping under `key`, unless the policy, the hit or the store says no. */
async function saveBuilt(
  run: Run,
  backend: CacheBackend | undefined,
  key: string,
  entry: RestoredEntry,
  { res, built, reused }: BuiltWheels
): Promise<void> {
  const { req, env, report, warn, local } = run;
  if (!backend) {
    report.saveSkipped = 'no cache backend';
    return;
  }
  if (report.hit === 'exact' && !(entry.dropped > 0 && backend.canOverwrite)) {
    report.saveSkipped = entry.dropped > 0 ? 'exact hit (entries cannot be replaced)' : 'exact hit';
    return;
  }
  const blocked = saveBlockedReason(env);
  const deps = res.wheels.filter((w) => !local.has(wheelProject(w)));
  const keep = req.opts.cacheAllWheels ? deps : [...new Set([...built, ...reused])].sort();
  if (blocked) report.saveSkipped = blocked;
  else if (!keep.length) report.saveSkipped = 'no wheel was built from source';
  else {
    const resolved = deps.every((w) => keep.includes(w)) ? deps : undefined;
    await save(backend, key, keep, { req, res, meta: entry.meta, report, warn, resolved });
  }
}

/** Restored files that are not sound wheels are deleted so pip can never pick them up. */
async function checkRestored(
  dir: string,
  meta: EntryMeta,
  warn: (m: string) => void
): Promise<{ good: string[]; dropped: number }> {
  const good: string[] = [];
  let dropped = 0;
  for (const f of await listFiles(dir)) {
    if (f === ENTRY_META) continue;
    const file = path.join(dir, f);
    let why: string | null = isWheelName(f) ? null : 'not a wheel file name';
    const expected = meta.wheels[f]?.sha256;
    if (!why && expected && (await sha256File(file)) !== expected)
      why = 'sha256 differs from the one saved';
    if (!why) why = await checkWheel(file);
    if (why) {
      dropped++;
      warn(`dropping cached ${f}: ${why}; it will be rebuilt`);
      await fs.rm(file, { force: true });
    } else good.push(f);
  }
  return { good, dropped };
}

interface SaveCtx {
  req: WheelhouseRequest;
  res: { buildSeconds: Record<string, number> };
  meta: EntryMeta;
  report: CacheReport;
  warn: (m: string) => void;
  resolved?: string[];
}

async function save(
  backend: CacheBackend,
  key: string,
  keep: string[],
  ctx: SaveCtx
): Promise<void> {
  const stage = await tempDir('albatross-wheels-save-');
  try {
    const meta: EntryMeta = {
      version: 1,
      wheels: {},
      ...(ctx.resolved ? { resolved: ctx.resolved } : {})
    };
    for (const w of keep) {
      await fs.copyFile(path.join(ctx.req.dest, w), path.join(stage.dir, w));
      const name = wheelProject(w);
      meta.wheels[w] = {
        sha256: await sha256File(path.join(stage.dir, w)),
        buildSeconds: ctx.res.buildSeconds[name] ?? ctx.meta.wheels[w]?.buildSeconds ?? 0
      };
    }
    await writeMeta(stage.dir, meta);
    await backend.save(stage.dir, key);
    ctx.report.saved = true;
    ctx.report.bytesSaved = await totalSize(stage.dir, keep);
  } catch (e) {
    ctx.report.saveSkipped = 'error';
    ctx.warn(`saving the dependency cache failed (${(e as Error).message}); continuing without it`);
  } finally {
    await stage.cleanup();
  }
}

/**
 * Fills `dest` from an exact hit without pip when that is provably what pip would produce:
 * the entry lists the whole previous resolution, every listed wheel was restored intact, the
 * only local requirements are wheel files (copied as pip would), and all is pinned.
 */
async function fromCache(
  req: WheelhouseRequest,
  restoreDir: string,
  meta: EntryMeta,
  restored: string[]
): Promise<boolean> {
  const resolved = meta.resolved;
  if (!resolved || !resolved.every((w) => restored.includes(w))) return false;
  const localWheels: string[] = [];
  for (const r of req.requirements) {
    const st = await fs.stat(r).catch(() => undefined);
    if (!st) continue; // a PEP 508 requirement
    if (!st.isFile() || !r.endsWith('.whl')) return false; // a source tree pip must build
    localWheels.push(r);
  }
  const files = resolved.map((w) => path.join(restoreDir, w));
  if (!(await resolutionIsPinned(req.requirements, files))) return false;
  for (const f of [...files, ...localWheels])
    await fs.copyFile(f, path.join(req.dest, path.basename(f)));
  return true;
}

async function emptyDir(dir: string): Promise<void> {
  for (const f of await fs.readdir(dir).catch(() => [] as string[])) {
    await fs.rm(path.join(dir, f), { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
