import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { CacheReport } from '../manifest/model.js';
import { sha256File, tempDir } from '../runtime/fsutil.js';
import { Logger } from '../runtime/log.js';
import { isWheelName } from '../runtime/wheelname.js';
import { CacheBackend, createBackend, selectBackend } from './backend.js';
import { listFiles, totalSize } from './files.js';
import { checkWheel } from './integrity.js';
import { cacheKey } from './key.js';
import { localProjects } from './local-projects.js';
import { ENTRY_META, EntryMeta, readMeta, writeMeta } from './meta.js';
import { resolutionIsPinned } from './pinned.js';
import { runPipWheel, wheelProject } from './pipwheel.js';
import { saveBlockedReason } from './policy.js';

export { CACHE_FORMAT_VERSION, cacheKey } from './key.js';
export { createBackend, selectBackend } from './backend.js';
export type { CacheBackend, BackendName } from './backend.js';
export { checkWheel } from './integrity.js';
export { saveBlockedReason } from './policy.js';
export { cacheSummaryLine, mergeCacheReports } from './summary.js';

export interface WheelhouseRequest {
  opts: Options;
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
  const { opts, log } = req;
  const env = req.env ?? process.env;
  await fs.mkdir(req.dest, { recursive: true });
  const report: CacheReport = {
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
  const warn = (m: string): void => {
    report.warnings.push(m);
    log.warn(m);
  };
  const local = await localProjects(req.requirements);

  if (!opts.cache) {
    const res = await runPipWheel(req.python.executable, req.dest, req.requirements, opts, [], env);
    report.wheelsBuilt = res.built.filter((n) => !local.has(n)).length;
    report.saveSkipped = 'cache disabled';
    return { dir: req.dest, report };
  }

  const { key, restoreKeys } = await cacheKey({
    opts,
    pythonVersion: req.python.version,
    platformKey: req.platformKey,
    requirements: req.requirements,
    keyFiles: req.keyFiles
  });
  report.key = key;
  let backend: CacheBackend | undefined;
  try {
    backend = createBackend(selectBackend(env), opts, env);
    report.backend = backend.name;
  } catch (e) {
    warn(`dependency cache unavailable: ${(e as Error).message}`);
  }

  const restoreTmp = await tempDir('albatross-wheels-');
  const restoreDir = restoreTmp.dir;
  try {
    // ---- restore ----
    let meta: EntryMeta = { version: 1, wheels: {} };
    let restored: string[] = [];
    let dropped = 0;
    if (backend) {
      try {
        const hit = await backend.restore(restoreDir, key, restoreKeys);
        report.hit = !hit ? 'miss' : hit.matchedKey === key ? 'exact' : 'partial';
        if (hit) report.restoredKey = hit.matchedKey;
      } catch (e) {
        report.hit = 'error';
        warn(
          `restoring the dependency cache failed (${(e as Error).message}); building without it`
        );
        await emptyDir(restoreDir);
      }
      meta = (await readMeta(restoreDir)) ?? meta;
      const checked = await checkRestored(restoreDir, meta, warn);
      restored = checked.good;
      dropped = checked.dropped;
      report.bytesRestored = await totalSize(restoreDir, restored);
    }

    // ---- fast path: the exact entry is the whole (pinned) resolution ----
    if (report.hit === 'exact' && !dropped && (await fromCache(req, restoreDir, meta, restored))) {
      report.wheelsReused = meta.resolved?.length ?? 0;
      report.secondsSaved = round(
        (meta.resolved ?? []).reduce((s, w) => s + (meta.wheels[w]?.buildSeconds ?? 0), 0)
      );
      report.saveSkipped = 'exact hit';
      return { dir: req.dest, report, resolvedFromCache: true };
    }

    // ---- build ----
    const res = await runPipWheel(
      req.python.executable,
      req.dest,
      req.requirements,
      opts,
      restored.length ? [restoreDir] : [],
      env
    );
    const restoredSet = new Set(restored);
    const isLocal = (w: string): boolean => local.has(wheelProject(w));
    const built = res.wheels.filter((w) => res.built.includes(wheelProject(w)) && !isLocal(w));
    const reused = res.wheels.filter(
      (w) => restoredSet.has(w) && !res.built.includes(wheelProject(w))
    );
    report.wheelsBuilt = built.length;
    report.wheelsReused = reused.length;
    report.secondsSaved = round(
      reused.reduce((s, w) => s + (meta.wheels[w]?.buildSeconds ?? 0), 0)
    );

    // ---- save ----
    if (!backend) {
      report.saveSkipped = 'no cache backend';
    } else if (report.hit === 'exact' && !(dropped > 0 && backend.canOverwrite)) {
      report.saveSkipped = dropped > 0 ? 'exact hit (entries cannot be replaced)' : 'exact hit';
    } else {
      const blocked = saveBlockedReason(env);
      const keep = opts.cacheAllWheels
        ? res.wheels.filter((w) => !isLocal(w))
        : [...new Set([...built, ...reused])].sort();
      if (blocked) report.saveSkipped = blocked;
      else if (!keep.length) report.saveSkipped = 'no wheel was built from source';
      else {
        const deps = res.wheels.filter((w) => !isLocal(w));
        const resolved = deps.every((w) => keep.includes(w)) ? deps : undefined;
        await save(backend, key, keep, { req, res, meta, report, warn, resolved });
      }
    }
    return { dir: req.dest, report };
  } finally {
    await restoreTmp.cleanup();
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
