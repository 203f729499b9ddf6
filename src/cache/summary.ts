import { CacheReport, CompilerCacheReport } from '../manifest/model.js';

function mb(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} kB`;
}

/** One markdown line for the job summary / terminal, e.g. for the report stage. */
export function cacheSummaryLine(r: CacheReport): string {
  if (r.hit === 'disabled')
    return `Dependency cache: disabled (${r.wheelsBuilt} wheel(s) built from source)`;
  const hit =
    r.hit === 'partial'
      ? `partial hit (${r.restoredKey ?? ''})`
      : r.hit === 'exact'
        ? 'hit'
        : r.hit;
  const parts = [
    `Dependency cache (${r.backend}): ${hit}, key \`${r.key}\``,
    `${r.wheelsReused} wheel(s) reused, ${r.wheelsBuilt} built`,
    `${mb(r.bytesRestored)} restored`,
    r.saved ? `${mb(r.bytesSaved)} saved` : `not saved (${r.saveSkipped ?? 'unknown'})`,
    `~${r.secondsSaved.toFixed(1)} s saved`
  ];
  return parts.join(' · ') + (r.warnings.length ? ` · ${r.warnings.length} warning(s)` : '');
}

/**
 * One report for a job that prepared several wheelhouses (one per Python): sums the counts;
 * the hit is the common one, else "partial" (or "error" when any restore failed).
 */
export function mergeCacheReports(reports: CacheReport[]): CacheReport | undefined {
  if (reports.length <= 1) return reports[0];
  const hits = new Set(reports.map((r) => r.hit));
  const sum = (f: (r: CacheReport) => number): number => reports.reduce((s, r) => s + f(r), 0);
  const skipped = [...new Set(reports.map((r) => r.saveSkipped).filter((s): s is string => !!s))];
  return {
    key: reports.map((r) => r.key).join(' '),
    backend: [...new Set(reports.map((r) => r.backend))].join('+'),
    hit: hits.size === 1 ? reports[0].hit : hits.has('error') ? 'error' : 'partial',
    bytesRestored: sum((r) => r.bytesRestored),
    bytesSaved: sum((r) => r.bytesSaved),
    saved: reports.some((r) => r.saved),
    ...(skipped.length ? { saveSkipped: skipped.join('; ') } : {}),
    wheelsBuilt: sum((r) => r.wheelsBuilt),
    wheelsReused: sum((r) => r.wheelsReused),
    secondsSaved: Math.round(sum((r) => r.secondsSaved) * 10) / 10,
    warnings: reports.flatMap((r) => r.warnings)
  };
}

/** One line for the summary about a job's compiler cache, e.g. `ccache 4.14.2 (local): 5 hits, 1 miss, saved`. */
export function compilerCacheLine(r: CompilerCacheReport): string {
  if (!r.tool) return `not used: ${r.skipped ?? 'no ccache'}`;
  const per = Object.entries(r.pythons)
    .map(([v, c]) => `${v}: ${c.hits}/${c.misses}`)
    .join(', ');
  return [
    `${r.tool} (${r.backend}${r.restored === 'in-place' ? '' : `, restore ${r.restored}`})`,
    `${r.hits} hit(s), ${r.misses} miss(es)${per ? ` (hits/misses ${per})` : ''}`,
    r.saved ? 'saved' : `not saved (${r.skipped ?? 'unknown'})`
  ].join(' · ');
}
