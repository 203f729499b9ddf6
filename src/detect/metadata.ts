import { parseIni } from './ini.js';
import { entryLines } from './setupcfg.js';

/** What a backend's prepare_metadata_for_build_wheel hook produced (core metadata + entry points). */
export interface HookMetadata {
  name: string;
  version: string;
  requiresPython: string | null;
  dependencies: string[];
  entryPoints: Record<string, Record<string, string>>;
}

/** Core metadata (METADATA / PKG-INFO): RFC 822 headers up to the first blank line. */
export function parseCoreMetadata(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: { key: string; idx: number } | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      const vals = headers.get(last.key)!;
      vals[last.idx] += '\n' + line.trim();
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const vals = headers.get(key) ?? [];
    vals.push(m[2].trim());
    headers.set(key, vals);
    last = { key, idx: vals.length - 1 };
  }
  return headers;
}

/** entry_points.txt: an INI file of group → `name = module:attr` lines. */
export function parseEntryPointsTxt(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const doc = parseIni(text);
  for (const [group, entries] of Object.entries(doc)) {
    out[group] = entryLines(
      Object.entries(entries)
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n')
    );
  }
  return out;
}

export function hookMetadata(metadataText: string, entryPointsText: string | null): HookMetadata {
  const h = parseCoreMetadata(metadataText);
  const one = (k: string): string | undefined => h.get(k)?.[0];
  return {
    name: one('name') ?? '',
    version: one('version') ?? '',
    requiresPython: one('requires-python') || null,
    dependencies: h.get('requires-dist') ?? [],
    entryPoints: entryPointsText ? parseEntryPointsTxt(entryPointsText) : {}
  };
}
