import { CacheReport } from '../manifest/model.js';

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
