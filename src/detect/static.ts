/** Metadata read statically from one declaration style (before any backend hook runs). */
export interface StaticMetadata {
  /** pep621, poetry, setuptools, flit ... */
  style: string;
  name?: string;
  version?: string;
  requiresPython?: string | null;
  dependencies?: string[];
  entryPoints: Record<string, Record<string, string>>;
  /** Fields the backend computes (PEP 621 names: version, dependencies, scripts ...). */
  dynamic: string[];
  /** Files this style was read from, relative to the project root. */
  sources: string[];
}

/** Adds entries of `from` into `into`, group by group (earlier entries win). */
export function mergeEntryPoints(
  into: Record<string, Record<string, string>>,
  from: Record<string, Record<string, string>>
): void {
  for (const [group, entries] of Object.entries(from)) {
    const g = (into[group] ??= {});
    for (const [name, ref] of Object.entries(entries)) if (!(name in g)) g[name] = ref;
  }
}

/** A value as a plain table, or undefined. */
export function table(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** `{ name: "mod:attr" }` tables (PEP 621 scripts, entry-point groups); non-strings ignored. */
export function stringTable(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(table(v) ?? {})) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Sorts an entry-point map by group and name, dropping empty groups (stable JSON). */
export function sortEntryPoints(
  eps: Record<string, Record<string, string>>
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const group of Object.keys(eps).sort()) {
    const names = Object.keys(eps[group]).sort();
    if (!names.length) continue;
    out[group] = {};
    for (const n of names) out[group][n] = eps[group][n];
  }
  return out;
}
